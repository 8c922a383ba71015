"""The rule base as one unit: it owns its rule program and its durable_rules form.

The rule base as one unit: it carries the deliverables' texts and its digest covers them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from engine.assessment.facts import to_facts
from engine.errors import RuleError
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
    # a rule too wide for one durable pattern runs as one durable rule per alternative
    # (engine.rules.durable.program.build): its firings are named after those finer branches
    assert {f.name.partition("#")[0] for f in firings} <= {
        name.partition("#")[0] for name in base.compiled.branches}


def test_check_with_the_probe() -> None:
    base, issues = check_rulebase(ROOT / "rules", probe=True)
    assert issues == []
    assert base is not None
    assert base.digest.startswith("sha256:")


RULES = Path(__file__).resolve().parents[2] / "rules"


def test_rule_base_carries_its_texts() -> None:
    base = load_rulebase(RULES)
    assert base.texts.text("labels.severity.blocker") == "Bloquant"
    assert {p.name for p in base.texts.files} >= {"labels.yaml", "report.yaml"}


def test_new_wording_changes_the_digest(tmp_path: Path, copy_rules: Any) -> None:
    """Texts shape the documents: a reworded label must rebuild every client."""
    rules = copy_rules(tmp_path)
    before = load_rulebase(rules).digest
    assert before == load_rulebase(RULES).digest  # the digest ignores where the folder is
    labels = rules / "texts" / "labels.yaml"
    labels.write_text(labels.read_text(encoding="utf-8").replace("Bloquant", "Bloquant !"),
                      encoding="utf-8")
    after = load_rulebase(rules)
    assert after.digest != before
    assert after.texts.text("labels.severity.blocker") == "Bloquant !"


def test_broken_texts_stop_the_rule_base(tmp_path: Path, copy_rules: Any) -> None:
    rules = copy_rules(tmp_path)
    report = rules / "texts" / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("{count}", "{nombre}"),
                      encoding="utf-8")
    with pytest.raises(RuleError,
                       match=r"report\.anti_failure\.verdict\.go\.running: unknown placeholder"):
        load_rulebase(rules)
