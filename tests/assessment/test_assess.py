"""The assessment's typed tiers.

The assessment of one client: checklist answers by item id (their wording is in the texts).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.assessment.assess import ANTI_FAILURE_ITEMS, SCALE_UP_ITEMS
from engine.documents.text_keys import SCHEMA
from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.rules.spec import load_rules
from engine.rules.types import Tier
from engine.run.pipeline import assess_profile

ROOT = Path(__file__).resolve().parents[2]


def test_tiers_are_values_of_the_tier_type() -> None:
    import typing

    tiers = set(typing.get_args(Tier))
    base = load_rulebase(ROOT / "rules")
    for path in sorted((ROOT / "inputs").glob("*.yaml")):
        result = assess_profile(load_profile(path), base, dt.date(2026, 11, 26))
        assert result.worst_tier in tiers
        assert all(u.tier in tiers for u in result.use_cases)


def test_checklist_items_are_the_ids_the_rules_use() -> None:
    rules, _ = load_rules(ROOT / "rules")
    used = {(r.spec.then.finding.kind, r.spec.then.finding.item) for r in rules
            if r.spec.then.finding and r.spec.then.finding.item}
    assert {item for kind, item in used if kind == "anti_failure"} == set(ANTI_FAILURE_ITEMS)
    assert {item for kind, item in used if kind == "scale_up"} == set(SCALE_UP_ITEMS)
    for item in ANTI_FAILURE_ITEMS:
        assert f"report.anti_failure.{item}" in SCHEMA
    for item in SCALE_UP_ITEMS:
        assert f"report.scale_up.{item}" in SCHEMA


def test_every_use_case_answers_every_item() -> None:
    profile = load_profile(ROOT / "inputs" / "plomberie-martin.yaml")
    result = assess_profile(profile, load_rulebase(ROOT / "rules"), dt.date(2026, 11, 26))
    for u in result.use_cases:
        assert list(u.anti_failure) == list(ANTI_FAILURE_ITEMS)
        assert set(u.anti_failure.values()) <= {"met", "not_met", "unknown"}
        assert list(u.scale_up) == list(SCALE_UP_ITEMS)
        assert u.anti_failure_verdict == ("wait" if u.anti_failure_no > 3 else
                                          "verify" if u.anti_failure_unknown else "go")
