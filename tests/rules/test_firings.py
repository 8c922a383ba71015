"""The neutral firing type the rule engine adapter returns."""

from __future__ import annotations

from pathlib import Path

from engine.rules.base import load_rulebase
from engine.rules.firings import DerivedFact, Firing

RULES = Path(__file__).resolve().parents[2] / "rules"


def test_derived_fact_describes_its_values() -> None:
    assert DerivedFact("annex_iii", "cv", (("area", "people"), ("point", "4(a)"))).describe() \
        == "area=people, point=4(a)"
    assert DerivedFact("prohibited", "cv", ()).describe() is True


def test_key_identifies_branch_facts_and_derived_facts() -> None:
    branch = next(iter(load_rulebase(RULES).compiled.branches.values()))
    firing = Firing(branch, {"use_case": {"uid": "cv"}, "client": {"cid": "acme"}},
                    (DerivedFact("x", "cv", ()),))
    assert firing.name == branch.name
    assert firing.key() == (branch.name, (("client", "acme"), ("use_case", "cv")),
                            (DerivedFact("x", "cv", ()),))
