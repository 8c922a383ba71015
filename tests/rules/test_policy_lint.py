"""Lint of rules/actions.yaml against the rule base: unknown rule ids (with a did-you-mean),
a rule taken by two topics, an informative rule that a topic takes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine.errors import RuleError
from engine.rules.base import load_rulebase
from engine.rules.policy_lint import policy_checks

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_tables_lint_clean() -> None:
    base = load_rulebase(ROOT / "rules")
    assert policy_checks(ROOT / "rules", list(base.rules), base.policy) == []


def test_an_unknown_or_doubled_rule_id_is_refused(tmp_path: Path,
                                                  copy_rules: Callable[[Path], Path]) -> None:
    rules = copy_rules(tmp_path)
    actions = rules / "actions.yaml"
    text = actions.read_text(encoding="utf-8")
    text = text.replace("rules: [gdpr.art30.records, gdpr.art30-2.processor-records]",
                        "rules: [gdpr.art30.record, gdpr.dpia.overdue]")
    actions.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rulebase(rules)
    messages = [i.message for i in caught.value.issues]
    assert any("no rule has the id 'gdpr.art30.record'" in m and "gdpr.art30.records" in m
               for m in messages), messages
    assert any("rule 'gdpr.dpia.overdue' is already in topic 'dpia'" in m
               for m in messages), messages
