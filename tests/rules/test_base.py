"""The rule base as one unit: it owns its rule program and its durable_rules form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.assessment.facts import to_facts
from engine.profile.validate import load_profile
from engine.rules.base import check_rulebase, load_rulebase
from engine.rules.firings import Firing

ROOT = Path(__file__).resolve().parents[2]


def test_the_rule_base_evaluates_facts_into_firings() -> None:
    base = load_rulebase(ROOT / "rules")
    facts = to_facts(load_profile(ROOT / "inputs" / "recrutis-interim.yaml"), dt.date(2026, 11, 26))
    firings = base.evaluate(facts, sid="recrutis")
    assert firings
    assert all(isinstance(f, Firing) for f in firings)
    assert {f.name for f in firings} <= set(base.compiled.branches)


def test_check_with_the_probe() -> None:
    base, issues = check_rulebase(ROOT / "rules", probe=True)
    assert issues == []
    assert base is not None
    assert base.digest.startswith("sha256:")
