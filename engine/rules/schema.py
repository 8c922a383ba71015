"""The rule vocabulary: every field a rule may name, with its kind and allowed values.

:data:`FACT_SCHEMA` maps ``<fact kind>.<path>`` (``use_case.system.capabilities``) to a
:class:`FieldSpec`. It is derived from the profile model (:mod:`engine.profile.model`) plus the
facts :mod:`engine.assessment.facts` computes (``client.n_use_cases``, ``use_case.roi.*``...).
The condition parser checks fields and values against it; lint and the docs read it.

Count fields: every list field ``x`` has a companion ``x_n``, the number of its items, that
rules may compare (``{field: vendor.stale_facts_n, gt: 0}``). Facts never carry them: a count is
worked out from the list by whoever needs it (:func:`field_value` here, the rule engine's fact
encoding there).
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from engine.profile.model import (
    Client,
    Controls,
    Data,
    Process,
    System,
    UseCase,
    Vendor,
    allowed_values,
    unwrap,
)
from engine.rules.types import SUBJECTS, Subject

FieldKind = typing.Literal["bool", "tri", "enum", "list", "number", "date", "text"]
COUNT_SUFFIX = "_n"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field rules may test: its kind and, for closed vocabularies, the allowed values."""

    kind: FieldKind
    values: tuple[Any, ...] = ()
    profile_path: str | None = None  # where the value comes from in the profile; None = computed
    count_of: str | None = None      # a count field: the list (path in the fact) it counts


def _model_fields(model: type[BaseModel], prefix: str, profile_prefix: str) -> dict[str, FieldSpec]:
    out: dict[str, FieldSpec] = {}
    inner = prefix.partition(".")[2]
    for name, info in model.model_fields.items():
        annotation = info.annotation
        values = allowed_values(annotation)
        members = unwrap(annotation)
        lists = [m for m in members if typing.get_origin(m) is list]
        if lists:
            item_values = allowed_values(typing.get_args(lists[0])[0]) or []
            out[f"{prefix}{name}"] = FieldSpec("list", tuple(item_values),
                                               f"{profile_prefix}{name}")
            out[f"{prefix}{name}{COUNT_SUFFIX}"] = FieldSpec("number", count_of=f"{inner}{name}")
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
    for name in ("processes_health_data", "processes_special_data", "receives_personal_data"):
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
        schema[f"vendor.{name}{COUNT_SUFFIX}"] = FieldSpec("number", count_of=name)
    uc = "use_case."
    for name in ("function", "family", "stage", "role"):
        values = allowed_values(UseCase.model_fields[name].annotation) or []
        schema[f"{uc}{name}"] = FieldSpec("enum", tuple(values), f"use_cases[].{name}")
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


FACT_SCHEMA: dict[str, FieldSpec] = _schema()
FACT_KINDS: tuple[Subject, ...] = SUBJECTS

# Per fact kind, the count fields: {path of the count: path of the list it counts}.
COUNT_FIELDS: dict[str, dict[str, str]] = {kind: {} for kind in FACT_KINDS}
for _name, _spec in FACT_SCHEMA.items():
    if _spec.count_of is not None:
        _kind, _, _path = _name.partition(".")
        COUNT_FIELDS[_kind][_path] = _spec.count_of


def field_value(fact: dict[str, Any], kind: str, path: str) -> Any:
    """The value of ``path`` in a fact of ``kind``; a count field counts its list; else None.

    >>> field_value({"system": {"purposes": ["a", "b"]}}, "use_case", "system.purposes_n")
    2
    >>> field_value({"system": {}}, "use_case", "system.purposes_n") is None
    True
    """
    value: Any = fact
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            counted = COUNT_FIELDS.get(kind, {}).get(path)
            if counted is None:
                return None
            items = field_value(fact, kind, counted)
            return len(items) if isinstance(items, list) else None
        value = value[part]
    return value
