"""Lint of the tables read once the rules have run (:mod:`engine.assessment.policy`): the rule
ids ``rules/actions.yaml`` names exist, and no rule is taken by two topics. Their format is
checked when they load (the models of :mod:`engine.assessment.decision`, ``.actions``,
``.deadlines``)."""

from __future__ import annotations

from pathlib import Path

from engine.assessment.actions import ACTIONS_FILE
from engine.assessment.policy import Policy
from engine.common.suggest import hint
from engine.errors import Issue, RuleError
from engine.profile.yamlio import load_yaml
from engine.rules.spec import LoadedRule


def policy_checks(rules_dir: Path, rules: list[LoadedRule], policy: Policy) -> list[Issue]:
    """Problems of ``actions.yaml`` that only the rule base can tell."""
    from engine.rules.lint import problem

    path = rules_dir / ACTIONS_FILE
    if not path.is_file():
        return []
    try:
        doc = load_yaml(path, display_path=str(path), error_cls=RuleError)
    except RuleError as exc:
        return list(exc.issues)
    known = {rule.spec.id for rule in rules}
    issues: list[Issue] = []
    taken: dict[str, str] = {}
    for name, topic in policy.actions.topics.items():
        for index, rule_id in enumerate(topic.rules):
            line = doc.locate(("topics", name, "rules", index)).line
            if rule_id not in known:
                issues.append(problem(str(path), line, f"actions.{name}",
                                      f"no rule has the id '{rule_id}'.{hint(rule_id, known)}"))
            elif rule_id in taken:
                issues.append(problem(str(path), line, f"actions.{name}",
                                      f"rule '{rule_id}' is already in topic '{taken[rule_id]}'"))
            taken.setdefault(rule_id, name)
    for rule_id in policy.actions.rule_owners:
        if rule_id not in known:
            line = doc.locate(("rule_owners", rule_id)).line
            issues.append(problem(str(path), line, "actions.rule_owners",
                                  f"no rule has the id '{rule_id}'.{hint(rule_id, known)}"))
    for index, rule_id in enumerate(policy.actions.informative):
        line = doc.locate(("informative", index)).line
        if rule_id not in known:
            issues.append(problem(str(path), line, "actions.informative",
                                  f"no rule has the id '{rule_id}'.{hint(rule_id, known)}"))
        elif rule_id in taken:
            issues.append(problem(str(path), line, "actions.informative",
                                  f"rule '{rule_id}' is in topic '{taken[rule_id]}': it cannot "
                                  "be informative too"))
    return issues
