"""Which files are rule files: the folders beside the rules are left aside."""

from __future__ import annotations

from pathlib import Path

from engine.rules.spec import NOT_RULES, rule_files

RULES = Path(__file__).resolve().parents[2] / "rules"


def test_texts_tests_vendors_and_vocabulary_are_not_rule_files() -> None:
    files = [p.relative_to(RULES).parts[0] for p in rule_files(RULES)]
    assert files, "the shipped rule base has rule files"
    assert not set(files) & set(NOT_RULES)
    assert "texts" in NOT_RULES
    assert (RULES / "texts" / "labels.yaml").is_file()
