"""The action plan: one action per thing to do across use cases and vendors, each naming its
tools, with an owner and a deadline from the law; nothing dropped."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from engine.assessment.assess import Assessment
from engine.assessment.deadlines import starts
from engine.assessment.export import assessment_document
from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.run.pipeline import assess_profile

HOME_OF = ("engine.assessment.deadlines", "engine.assessment.export")
ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 26)
PROFILES = [*sorted((ROOT / "inputs").glob("*.yaml")),
            ROOT / "tests" / "data" / "profiles" / "hidden-client.yaml"]


@pytest.fixture(scope="module")
def assessments() -> dict[str, Assessment]:
    base = load_rulebase(ROOT / "rules")
    return {p.stem: assess_profile(load_profile(p), base, AS_OF) for p in PROFILES}


def test_training_is_one_action_naming_every_tool(assessments: dict[str, Assessment]) -> None:
    """FiscaConseil's three tools, its untrained team: one "former le personnel", not three."""
    plan = assessments["cabinet-fiscaconseil"].actions
    training = [a for a in plan if a.topic == "train_staff"]
    assert len(training) == 1
    (action,) = training
    assert action.owner == "hr"
    for u in assessments["cabinet-fiscaconseil"].use_cases:
        assert u.use_case.title in action.text


def test_the_dpia_is_one_action_for_both_recrutis_tools(
        assessments: dict[str, Assessment]) -> None:
    plan = assessments["recrutis-interim"].actions
    (dpia,) = [a for a in plan if a.topic == "dpia"]
    assert dpia.use_cases == ["tri-cv", "comptes-rendus"]
    assert dpia.due == "immediately"
    assert dpia.deadline == AS_OF
    assert dpia.blocking


@pytest.mark.parametrize("name", [p.stem for p in PROFILES])
def test_no_action_twice_and_each_names_its_tool(assessments: dict[str, Assessment],
                                                 name: str) -> None:
    assessment = assessments[name]
    plan = assessment.actions
    assert plan, name
    texts = Counter(a.text for a in plan)
    assert [t for t, n in texts.items() if n > 1] == []
    topics = Counter(a.topic for a in plan)
    assert [t for t, n in topics.items() if n > 1] == []
    vendors = {v.id: v.label for v in assessment.profile.vendors}
    for a in plan:
        assert a.owner in ("direction", "hr", "it_provider", "vendor")
        assert a.due in ("immediately", "before_launch", "on_date", "none")
        if a.due == "on_date":
            assert a.deadline is not None
            assert a.deadline > AS_OF
        named = [vendors[v] for v in a.vendors if v in vendors]
        titles = [u.use_case.title for u in assessment.use_cases if u.use_case.id in a.use_cases]
        if named or titles:  # self-contained: the tool (or its use) is in the sentence
            assert any(n in a.text for n in named + titles), a.text


def test_overdue_duties_come_first_and_nothing_is_capped(
        assessments: dict[str, Assessment]) -> None:
    """The CSE and the candidates' information, dropped by the old cap of 8, are in."""
    plan = assessments["recrutis-interim"].actions
    topics = [a.topic for a in plan]
    assert {"cse", "candidates_information", "dpia"} <= set(topics)
    blocking = [a.blocking for a in plan]
    assert blocking == sorted(blocking, reverse=True)  # the blocking ones lead
    assert len(plan) > 8


def test_deadlines_are_sorted_with_the_law_s_transitions(
        assessments: dict[str, Assessment]) -> None:
    plan = assessments["recrutis-interim"].deadlines
    assert [d.date for d in plan] == sorted(d.date for d in plan)
    transitions = {d.date.isoformat() for d in plan if d.kind == "transition"}
    assert {"2026-12-02", "2027-12-02", "2028-08-02"} <= transitions
    high_risk = next(d for d in plan if d.kind == "transition"
                     and d.date.isoformat() == "2027-12-02")
    assert high_risk.use_cases == ["tri-cv"]
    assert starts("Art. 26(6)", "Art. 26")
    assert not starts("Art. 260", "Art. 26")


def test_assessment_json_carries_the_same_plan(assessments: dict[str, Assessment]) -> None:
    for assessment in assessments.values():
        data = assessment_document(assessment)
        assert [a["text"] for a in data["actions"]] == [a.text for a in assessment.actions]
        assert [d["date"] for d in data["deadlines"]] == [
            d.date.isoformat() for d in assessment.deadlines]
        for u, entry in zip(assessment.use_cases, data["use_cases"], strict=True):
            assert u.decision is not None
            assert entry["decision"]["status"] == u.decision.status
            assert entry["priority"] == u.priority
