"""Each YAML rule case of ``rules/tests/`` is its own pytest item, named after its id.

A failure prints the case's file and line, its name and what differs (no traceback), as
OpenFisca's YAML test runner does; ``iapme rules test`` runs the same cases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.rules.base import RuleBase, load_rulebase
from engine.rules.cases import RuleCase, load_cases, run_case

RULES = Path(__file__).resolve().parents[2] / "rules"
CASES = load_cases(RULES)


@pytest.fixture(scope="module")
def rulebase() -> RuleBase:
    return load_rulebase(RULES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_rule_case(case: RuleCase, rulebase: RuleBase) -> None:
    problems = run_case(case, rulebase)
    if problems:
        pytest.fail("\n".join(f"{case.where}: {case.name}: {p}" for p in problems),
                    pytrace=False)


def test_case_ids_are_unique_and_given() -> None:
    """Every case names itself with an ``id:`` (load_cases refuses a repeated one)."""
    assert all(isinstance(case.data, dict) and "id" in case.data for case in CASES)
    assert len({case.id for case in CASES}) == len(CASES)


def test_a_rule_that_did_not_fire_names_the_fields_left_unanswered(
        tmp_path: Path, copy_rules: Any) -> None:
    """The report reads the rule's condition tree: which tested fields the case left unanswered."""
    rules = copy_rules(tmp_path)
    (rules / "tests" / "zz.yaml").write_text(
        "cases:\n"
        "  - id: zz.unanswered\n"
        "    name: Reconnaissance des émotions sans réponses\n"
        "    profile: {use_cases: [{id: u}]}\n"
        "    expect: {fire: [ai-act.art5.1f.emotion-workplace]}\n", encoding="utf-8")
    (case,) = [c for c in load_cases(rules) if c.id == "zz.unanswered"]
    (problem,) = run_case(case, load_rulebase(rules))
    assert problem.startswith("rule ai-act.art5.1f.emotion-workplace did not fire (it tests ")
    assert "use_case.system.capabilities" in problem
    assert problem.endswith(", unanswered in this case)")
