"""The rule program: every rule's branches, what each binds and reads, named <rule id>#<n>."""

from __future__ import annotations

from pathlib import Path

from engine.rules.base import load_rulebase
from engine.rules.compiler import KIND_ORDER

RULES = Path(__file__).resolve().parents[2] / "rules"


def test_branches_are_named_bound_and_read() -> None:
    compiled = load_rulebase(RULES).compiled
    assert len(compiled.compiled) == len(compiled.rules)
    for rule in compiled.compiled:
        assert [b.name for b in rule.branches] == [
            f"{rule.rule.spec.id}#{n}" for n in range(len(rule.branches))]
        for branch in rule.branches:
            assert branch.subject in branch.kinds
            assert list(branch.kinds) == [k for k in KIND_ORDER if k in branch.kinds]
            assert {kind for kind, _ in branch.fields} <= set(branch.kinds)
            if branch.rule.spec.valid_from or branch.rule.spec.valid_until:
                assert "client" in branch.kinds  # the legal date is the client's
            assert branch.provenance.rule_id == rule.rule.spec.id


def test_vendor_fields_join_the_vendor_and_derived_facts_are_atoms() -> None:
    branches = load_rulebase(RULES).compiled.branches.values()
    assert any(b.subject == "use_case" and "vendor" in b.kinds for b in branches)
    assert any(b.derived for b in branches)
    assert all(len(set(b.fields)) == len(b.fields) for b in branches)  # each field once
