"""``iapme rules lint``: every problem of the rule base, as ``file:line:column: where: message``."""

from __future__ import annotations

from pathlib import Path

from engine.errors import Issue
from engine.findings import PLACEHOLDER
from engine.rulebase import check_rulebase
from engine.rulespec import load_rules


def lint_rules(rules_dir: Path) -> list[Issue]:
    """Syntax, unknown operators and fields (did-you-mean), values, duplicate ids, and rules
    without a legal reference or with a message placeholder that names no field."""
    _, issues = check_rulebase(rules_dir)
    rules, _ = load_rules(rules_dir)
    from engine.facts import FACT_SCHEMA

    texts = {"use_case.title", "use_case.id", "vendor.name", "vendor.id", "client.name"}
    for rule in rules:
        if not rule.spec.references:
            issues.append(Issue(rule.locate("id"),
                                f"rule {rule.spec.id}: no legal reference (add references:)"))
        finding = rule.spec.then.finding
        if finding is None and not rule.spec.then.obligations and not rule.spec.then.asserts:
            issues.append(Issue(rule.locate("then"), f"rule {rule.spec.id}: 'then' does nothing"))
        for text in filter(None, [finding.message if finding else None,
                                  finding.advice if finding else None]):
            for match in PLACEHOLDER.finditer(text):
                name = f"{match.group(1)}.{match.group(2)}"
                if name not in texts and name not in FACT_SCHEMA:
                    issues.append(Issue(rule.locate("then", "finding"), (
                        f"rule {rule.spec.id}: unknown placeholder {{{name}}}")))
    return sorted(set(issues), key=lambda i: (i.location.file, i.location.line or 0, i.message))
