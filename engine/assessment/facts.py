"""Stage 3: validated profile -> the facts the rules are evaluated on.

One ``client`` fact, one ``vendor`` fact per vendor, one ``use_case`` fact per use case. Facts are
plain JSON-able dicts: ids as written (``cid``, ``vid``, ``uid``; a use case's ``vendor``), the
user's numbers exactly, lists as lists. Unanswered keys are left out (a test on a missing field
never matches). What a rule engine needs on top (id prefixes, list lengths, number formats) is
its adapter's business (:mod:`engine.rules.durable.encode`). The fields rules may name are
:data:`engine.rules.schema.FACT_SCHEMA`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from engine.assessment.roi import compute_roi, pilot_figures
from engine.profile.model import Profile, Vendor
from engine.rules.firings import Fact

ACTIVE_STAGES = ("test", "pilot", "production")
RUNNING_STAGES = ("pilot", "production")  # the processing has begun (REFERENCE §6.14)


_CLIENT_TEXT = frozenset({"id", "name", "city", "director", "it_contact", "ai_champion",
                          "sector_label"})
_VENDOR_TEXT = frozenset({"id", "name", "register_id"})  # text, never tested by rules


def _plain(model: BaseModel, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The model's set fields but ``skip`` as JSON values (lists copied, dates as ISO text).

    Reads the field values directly: ``model_dump`` would copy every nested model first.
    """
    out: dict[str, Any] = {}
    for key, value in model.__dict__.items():
        if value is None or key in skip:
            continue
        if isinstance(value, BaseModel):
            out[key] = value.model_dump(exclude_none=True)
        elif isinstance(value, dt.date):
            out[key] = value.isoformat()
        elif isinstance(value, list):
            out[key] = list(value)
        else:
            out[key] = value
    return out


def _vendor_fact(profile: Profile, vendor: Vendor, origin: VendorOrigin | None) -> Fact:
    users = [u for u in profile.use_cases if u.vendor == vendor.id]
    categories = {c for u in users for c in (u.data.categories or [])}
    fact: Fact = {"type": "vendor", "vid": vendor.id, **_plain(vendor, _VENDOR_TEXT)}
    fact["from_register"] = vendor.register_id is not None
    if origin is not None:
        fact["stale_facts"] = list(origin.stale)
        fact["unverified_facts"] = list(origin.unverified)
        if origin.dpa_available is not None:
            fact["dpa_available"] = origin.dpa_available
    answers = [u.data.personal_data for u in users]
    fact["processes_personal_data"] = (True if any(answers) else
                                       "unknown" if None in answers else False)
    # a use case relying on the vendor already runs on personal data: duties are overdue
    fact["receives_personal_data"] = any(u.stage in RUNNING_STAGES and u.data.personal_data
                                         for u in users)
    fact["processes_health_data"] = "health" in categories
    fact["processes_special_data"] = bool(categories & {"health", "biometric", "criminal"})
    fact["used_by_n"] = len(users)
    return fact


@dataclass(frozen=True, slots=True)
class VendorOrigin:
    """What the vendor register says about one vendor's facts (engine.profile.register)."""

    stale: tuple[str, ...] = ()        # French labels of facts checked too long ago
    unverified: tuple[str, ...] = ()   # French labels of register facts not yet verified
    dpa_available: bool | str | None = None


def to_facts(profile: Profile, as_of: dt.date,
             origins: dict[str, VendorOrigin] | None = None) -> list[Fact]:
    """Turn a validated profile into the facts asserted for one client."""
    client = profile.client
    facts: list[Fact] = []
    client_fact: Fact = {"type": "client", "cid": profile.client_id,
                         **_plain(client, _CLIENT_TEXT)}
    active = [u for u in profile.use_cases if u.stage in ACTIVE_STAGES]
    if client.ai_champion is not None:  # absent: unanswered, a question; false: none designated
        client_fact["has_ai_champion"] = client.ai_champion is not False
    client_fact.update(
        has_director=client.director is not None,
        n_use_cases=len(profile.use_cases),
        n_active_use_cases=len(active),
        n_new_tools=len({u.vendor or u.id for u in profile.use_cases
                         if u.stage in ("test", "pilot")}),
        n_vendors=len(profile.vendors),
        n_ai_use_cases=sum(1 for u in profile.use_cases if u.system.ai_system),
        as_of=as_of.isoformat(),
    )
    facts.append(client_fact)
    facts.extend(_vendor_fact(profile, vendor, (origins or {}).get(vendor.id))
                 for vendor in profile.vendors)
    for index, use_case in enumerate(profile.use_cases):
        figures = compute_roi(use_case.roi)
        fact: Fact = {
            "type": "use_case",
            "uid": use_case.id,
            "index": index,
            "function": use_case.function,
            "stage": use_case.stage,
            "has_vendor": use_case.vendor is not None,
            "system": _plain(use_case.system),
            "controls": _plain(use_case.controls),
            "data": _plain(use_case.data),
            "process": _plain(use_case.process),
        }
        for key in ("family", "role"):
            if getattr(use_case, key) is not None:
                fact[key] = getattr(use_case, key)
        if use_case.vendor is not None:
            fact["vendor"] = use_case.vendor
        roi: dict[str, Any] = {
            "measurable": figures.measurable,
            "has_success_indicator": use_case.roi.success_indicator is not None,
            "one_off_cost": figures.one_off_cost,
            "annual_cost": figures.annual_cost,
            "annual_gain": figures.annual_gain,
            "first_test_cost": figures.first_test_cost,
        }
        for key in ("subscription_per_month", "hourly_cost", "hours_saved_per_week",
                    "gross_margin_rate"):
            value = getattr(use_case.roi, key)
            if value is not None:
                roi[key] = value
        if figures.roi_percent is not None:
            roi["roi_percent"] = figures.roi_percent
        if figures.payback_months is not None:
            roi["payback_months"] = figures.payback_months
        budget = client.monthly_operating_budget_eur
        if budget and round(budget, 2) > 0:  # guide 2.4: a first test within 5 % of the budget
            roi["budget_share_percent"] = round(figures.first_test_cost / budget * 100, 2)
        fact["roi"] = roi
        fact["pilot"] = _pilot_fact(use_case.pilot)
        facts.append(fact)
    return facts


def _pilot_fact(pilot: Any) -> Fact:
    if pilot is None:
        return {"present": False}
    figures = pilot_figures(pilot)
    fact: Fact = {
        "present": True,
        "weeks": figures.weeks,
        "positive_streak": figures.positive_streak,
        "total_net_h": figures.total_net_h,
        "has_plan_b": pilot.plan_b is not None,
    }
    if figures.first_two_weeks_net_h is not None:
        fact["first_two_weeks_net_h"] = figures.first_two_weeks_net_h
    for key in ("active_users", "procedure_documented", "annual_budget_validated"):
        if getattr(pilot, key) is not None:
            fact[key] = getattr(pilot, key)
    return fact
