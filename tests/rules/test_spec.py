"""Rule files: provenance worked out once per rule.

Which files are rule files: the folders beside the rules are left aside.
"""

from __future__ import annotations

from pathlib import Path

from engine.rules.spec import NOT_RULES, load_rules, rule_files

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


def test_texts_tests_vendors_and_vocabulary_are_not_rule_files() -> None:
    files = [p.relative_to(RULES).parts[0] for p in rule_files(RULES)]
    assert files, "the shipped rule base has rule files"
    assert not set(files) & set(NOT_RULES)
    assert "texts" in NOT_RULES
    assert (RULES / "texts" / "labels.yaml").is_file()
