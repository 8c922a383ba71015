"""Stage 3: validated profile -> facts for the rule engine, and the schema rules are checked on.

One ``client`` fact, one ``vendor`` fact per vendor, one ``use_case`` fact per use case. Facts are
plain JSON-able dicts. Unanswered keys are left out (a rule on a missing field never matches),
ids are prefixed (``uc:``, ``v:``) so the engine never compares them as numbers, and every list
field ``x`` gets a companion ``x_n`` (its length) so "contains none of" can be decided on an
empty list. :data:`FACT_SCHEMA` lists every field a rule may name, with its type and values: the
rule linter and compiler read it; nothing else knows both shapes.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from engine.assessment.roi import compute_roi, pilot_figures
from engine.profile.model import (
    Client,
    Controls,
    Data,
    Process,
    Profile,
    System,
    Vendor,
    allowed_values,
    unwrap,
)

Fact = dict[str, Any]
ACTIVE_STAGES = ("test", "pilot", "production")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field rules may test: its kind and, for closed vocabularies, the allowed values."""

    kind: typing.Literal["bool", "tri", "enum", "list", "number", "date", "text"]
    values: tuple[Any, ...] = ()
    profile_path: str | None = None  # where the value comes from in the profile; None = computed


def _model_fields(model: type[BaseModel], prefix: str, profile_prefix: str) -> dict[str, FieldSpec]:
    out: dict[str, FieldSpec] = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        values = allowed_values(annotation)
        members = unwrap(annotation)
        lists = [m for m in members if typing.get_origin(m) is list]
        if lists:
            item_values = allowed_values(typing.get_args(lists[0])[0]) or []
            spec = FieldSpec("list", tuple(item_values), f"{profile_prefix}{name}")
            out[f"{prefix}{name}"] = spec
            out[f"{prefix}{name}_n"] = FieldSpec("number")
        elif values is not None and set(values) == {True, False}:
            out[f"{prefix}{name}"] = FieldSpec("bool", (True, False), f"{profile_prefix}{name}")
        elif values is not None and True in values:
            out[f"{prefix}{name}"] = FieldSpec("tri", tuple(values), f"{profile_prefix}{name}")
        elif values is not None:
            out[f"{prefix}{name}"] = FieldSpec("enum", tuple(values), f"{profile_prefix}{name}")
        elif dt.date in members:
            out[f"{prefix}{name}"] = FieldSpec("date", (), f"{profile_prefix}{name}")
        elif float in members or int in members:
            out[f"{prefix}{name}"] = FieldSpec("number", (), f"{profile_prefix}{name}")
    return out


def _schema() -> dict[str, FieldSpec]:
    schema: dict[str, FieldSpec] = {}
    client = _model_fields(Client, "client.", "client.")
    schema.update({k: v for k, v in client.items() if k != "client.id"})
    schema["client.has_ai_champion"] = FieldSpec("bool", (True, False))
    schema["client.has_director"] = FieldSpec("bool", (True, False))
    for name in ("n_use_cases", "n_active_use_cases", "n_vendors", "n_new_tools",
                 "n_ai_use_cases"):
        schema[f"client.{name}"] = FieldSpec("number")
    schema["client.as_of"] = FieldSpec("date")
    vendor = _model_fields(Vendor, "vendor.", "vendors[].")
    schema.update({k: v for k, v in vendor.items() if k not in {"vendor.id"}})
    schema["vendor.country"] = FieldSpec("text", (), "vendors[].country")
    for name in ("processes_health_data", "processes_special_data"):
        schema[f"vendor.{name}"] = FieldSpec("bool", (True, False))
    # true: some use case of the vendor processes personal data; unknown: none says so but one
    # is unanswered; false: none does (GDPR Art. 2(1): no personal data, no GDPR duty)
    schema["vendor.processes_personal_data"] = FieldSpec("tri", (True, False, "unknown"))
    schema["vendor.used_by_n"] = FieldSpec("number")
    schema.pop("vendor.name", None)
    schema.pop("vendor.register_id", None)
    schema["vendor.from_register"] = FieldSpec("bool", (True, False))
    schema["vendor.dpa_available"] = FieldSpec("tri", (True, False, "unknown"))
    for name in ("stale_facts", "unverified_facts"):
        schema[f"vendor.{name}"] = FieldSpec("list")
        schema[f"vendor.{name}_n"] = FieldSpec("number")
    uc = "use_case."
    schema[f"{uc}function"] = FieldSpec("enum", tuple(_enum("function")), "use_cases[].function")
    schema[f"{uc}family"] = FieldSpec("enum", tuple(_enum("family")), "use_cases[].family")
    schema[f"{uc}stage"] = FieldSpec("enum", tuple(_enum("stage")), "use_cases[].stage")
    schema[f"{uc}role"] = FieldSpec("enum", tuple(_enum("role")), "use_cases[].role")
    schema[f"{uc}has_vendor"] = FieldSpec("bool", (True, False))
    for model, part in ((System, "system"), (Controls, "controls"), (Data, "data"),
                        (Process, "process")):
        schema.update(_model_fields(model, f"{uc}{part}.", f"use_cases[].{part}."))
    for name in ("subscription_per_month", "hourly_cost", "hours_saved_per_week",
                 "one_off_cost", "annual_cost", "annual_gain", "first_test_cost",
                 "roi_percent", "payback_months", "budget_share_percent"):
        schema[f"{uc}roi.{name}"] = FieldSpec("number")
    schema[f"{uc}roi.gross_margin_rate"] = FieldSpec(
        "number", (), "use_cases[].roi.gross_margin_rate")
    schema[f"{uc}roi.measurable"] = FieldSpec("bool", (True, False))
    schema[f"{uc}roi.has_success_indicator"] = FieldSpec("bool", (True, False))
    schema[f"{uc}pilot.present"] = FieldSpec("bool", (True, False))
    for name in ("weeks", "positive_streak", "first_two_weeks_net_h", "total_net_h",
                 "active_users"):
        schema[f"{uc}pilot.{name}"] = FieldSpec("number")
    for name in ("procedure_documented", "annual_budget_validated", "has_plan_b"):
        schema[f"{uc}pilot.{name}"] = FieldSpec("bool", (True, False))
    return schema


def _enum(field: str) -> list[Any]:
    from engine.profile.model import UseCase

    return allowed_values(UseCase.model_fields[field].annotation) or []


FACT_SCHEMA: dict[str, FieldSpec] = _schema()
FACT_KINDS = ("client", "vendor", "use_case")


def _plain(model: BaseModel) -> dict[str, Any]:
    """The model's set fields as JSON values; lists also give their length (``<key>_n``).

    Reads the field values directly: ``model_dump`` would copy every nested model first.
    """
    out: dict[str, Any] = {}
    for key, value in model.__dict__.items():
        if value is None:
            continue
        if isinstance(value, BaseModel):
            out[key] = value.model_dump(exclude_none=True)
        elif isinstance(value, dt.date):
            out[key] = value.isoformat()
        elif isinstance(value, list):
            out[key] = list(value)
            out[f"{key}_n"] = len(value)
        else:
            out[key] = value
    return out


def _vendor_fact(profile: Profile, vendor: Vendor, origin: VendorOrigin | None) -> Fact:
    users = [u for u in profile.use_cases if u.vendor == vendor.id]
    categories = {c for u in users for c in (u.data.categories or [])}
    fact: Fact = {"type": "vendor", "vid": f"v:{vendor.id}", **_plain(vendor)}
    for key in ("id", "name", "register_id"):  # text, never tested by rules
        fact.pop(key, None)
    fact["from_register"] = vendor.register_id is not None
    if origin is not None:
        for name, value in (("stale_facts", origin.stale), ("unverified_facts", origin.unverified)):
            fact[name] = list(value)
            fact[f"{name}_n"] = len(value)
        if origin.dpa_available is not None:
            fact["dpa_available"] = origin.dpa_available
    answers = [u.data.personal_data for u in users]
    fact["processes_personal_data"] = (True if any(answers) else
                                       "unknown" if None in answers else False)
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
    client_fact: Fact = {"type": "client", "cid": f"c:{profile.client_id}", **_plain(client)}
    client_fact.pop("id", None)
    for key in ("name", "city", "director", "it_contact", "ai_champion", "sector_label"):
        client_fact.pop(key, None)
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
            "uid": f"uc:{use_case.id}",
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
            fact["vendor"] = f"v:{use_case.vendor}"
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
        if budget:  # guide 2.4: a first test should cost at most 5 % of the monthly budget
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
