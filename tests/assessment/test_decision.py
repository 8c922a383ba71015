"""The decision stage: the precedence table is data (rules/decision.yaml), read in order, and
the samples' decisions are those issue 13 asks for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from engine.assessment.assess import Assessment
from engine.assessment.decision import DecisionTable, Step
from engine.assessment.policy import load_policy
from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.rules.types import DECISION_STATUSES
from engine.run.pipeline import assess_profile

HOME_OF = ("engine.assessment.policy",)
ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 26)


def _assess(name: str, rules: Path = ROOT / "rules") -> Assessment:
    path = ROOT / "inputs" / f"{name}.yaml"
    if not path.is_file():
        path = ROOT / "tests" / "data" / "profiles" / f"{name}.yaml"
    return assess_profile(load_profile(path), load_rulebase(rules), AS_OF)


class TestPrecedenceTable:
    def test_the_shipped_table_is_the_issue_order(self) -> None:
        policy, issues = load_policy(ROOT / "rules")
        assert issues == []
        steps = [(s.status, s.test) for s in policy.decision.precedence]
        assert steps == [("stop", "prohibited"), ("regularise_now", "blocked_running"),
                         ("fix_before_launch", "blocked"), ("to_complete", "undetermined"),
                         ("proceed_with_conditions", "conditions"), ("proceed", "always")]
        assert policy.decision.ranked == ["proceed_with_conditions", "proceed"]
        assert {s.status for s in policy.decision.precedence} == set(DECISION_STATUSES)

    def test_every_status_once_and_always_last(self) -> None:
        default = list(DecisionTable().precedence)
        with pytest.raises(ValidationError, match="give the status stop exactly once"):
            DecisionTable(precedence=default[1:])
        with pytest.raises(ValidationError, match="last status must have the test 'always'"):
            DecisionTable(precedence=[*default[:-1], Step(status="proceed", test="conditions")])

    def test_the_table_is_read_in_its_order(self, tmp_path: Path,
                                            copy_rules: Callable[[Path], Path]) -> None:
        """A table that tested conditions before blockers would let the running CV pilot go on
        under conditions: the order is the file's, not the code's (and the shipped one blocks)."""
        rules = copy_rules(tmp_path)
        table = rules / "decision.yaml"
        text = table.read_text(encoding="utf-8")
        now = "  - {status: regularise_now, test: blocked_running}\n"
        conditions = "  - {status: proceed_with_conditions, test: conditions}\n"
        assert now in text
        assert conditions in text
        text = text.replace(conditions, "").replace(now, conditions + now)
        table.write_text(text, encoding="utf-8")
        cv = _assess("recrutis-interim", rules).use_cases[0]
        assert cv.decision is not None
        assert cv.decision.status == "proceed_with_conditions"
        assert cv.priority == "do_first"  # a ranked decision keeps the guide's priority


class TestSampleDecisions:
    def test_recrutis_cv_pilot_is_regularised_now_for_the_right_reasons(self) -> None:
        cv = _assess("recrutis-interim").use_cases[0]
        assert cv.use_case.id == "tri-cv"
        assert cv.decision is not None
        assert cv.decision.status == "regularise_now"
        assert cv.decision.due == "immediately"
        refs = {r for reason in cv.decision.reasons for r in reason.references}
        rules = {reason.rule for reason in cv.decision.reasons}
        assert "GDPR Art. 35(1)" in refs                                  # the DPIA
        assert {"Code du travail, art. L.1221-8", "GDPR Art. 13", "GDPR Art. 14"} <= refs
        assert "gdpr.training.unknown-running" in rules                   # vendor's training
        assert cv.priority is None  # never "do first" while blocked
        assert cv.quadrant == "do_first"  # the matrix position is kept apart

    def test_vigie_emotion_tool_stops(self) -> None:
        emotions = _assess("vigie-retail").use_cases[0]
        assert emotions.decision is not None
        assert emotions.decision.status == "stop"

    @pytest.mark.parametrize("name", [p.stem for p in sorted((ROOT / "inputs").glob("*.yaml"))]
                             + ["hidden-client"])
    def test_no_use_case_is_done_first_while_blocked(self, name: str) -> None:
        for u in _assess(name).use_cases:
            assert u.decision is not None
            if u.decision.status not in ("proceed", "proceed_with_conditions"):
                assert u.priority is None, u.use_case.id
                assert not u.ranked
