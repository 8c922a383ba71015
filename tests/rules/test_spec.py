"""Rule files: provenance worked out once per rule."""

from __future__ import annotations

from pathlib import Path

from engine.rules.spec import load_rules

RULES = Path(__file__).resolve().parents[2] / "rules"


def test_provenance_names_the_rule_its_file_and_references() -> None:
    rules, issues = load_rules(RULES)
    assert issues == []
    rule = rules[0]
    assert rule.provenance is rule.provenance  # cached
    assert rule.provenance.rule_id == rule.spec.id
    assert rule.provenance.file == rule.source
    assert rule.provenance.line == rule.line
    assert rule.provenance.references == tuple(rule.spec.references)
