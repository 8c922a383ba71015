"""Each YAML rule case of ``rules/tests/`` is its own pytest item, named after its id.

A failure prints the case's file and line, its name and what differs (no traceback), as
OpenFisca's YAML test runner does; ``iapme rules test`` runs the same cases.
"""

from __future__ import annotations

from pathlib import Path

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
