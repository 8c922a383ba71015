"""What the rule base must cover and cite, checked by ``iapme rules lint`` (issue 12).

Called by :func:`engine.rules.lint.lint_rule_dir`, whose helpers it shares.

* AI Act scope (Art. 3(1)): a use-case rule under ``ai_act/`` tests
  ``use_case.system.ai_system: true`` as its first condition (or chains on a derived fact), a
  client rule there reads ``client.n_ai_use_cases``;
* fines: every ``penalty:`` id of a finding or an obligation is defined in ``penalties.yaml``;
* profile keys: every closed, boolean or numeric profile key is read by a rule or listed under
  ``keys:`` in ``vocabulary/neutral.yaml`` with its reason, and every listed key exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.assessment.penalties import PenaltyTable
from engine.common.suggest import hint
from engine.errors import Issue, RuleError
from engine.profile.yamlio import load_yaml
from engine.rules.conditions import ConditionError, FieldRef, Leaf, walk
from engine.rules.conditions import parse as parse_condition
from engine.rules.lint import NEUTRAL_FILE, _where, problem
from engine.rules.schema import FACT_SCHEMA
from engine.rules.spec import LoadedRule

AI_ACT_FOLDER = "ai_act"
AI_SYSTEM_TEST = {"field": "use_case.system.ai_system", "eq": True}


def scope_checks(rules: list[LoadedRule]) -> list[Issue]:
    """AI Act rules bind AI systems only (Art. 3(1)): each says so in its condition.

    A use-case rule under ``ai_act/`` starts with ``{field: use_case.system.ai_system, eq:
    true}`` (first, so durable_rules groups the AI Act rules under one test and keeps its match
    stack shallow), tests ``ai_system`` alone, or chains on a derived fact its guarded rules
    assert; a client rule there reads ``client.n_ai_use_cases``.
    """
    out: list[Issue] = []
    for rule in rules:
        if AI_ACT_FOLDER not in Path(rule.file).parts[:-1]:
            continue
        when = rule.spec.when
        first = when.get("all", [None])[0] if isinstance(when.get("all"), list) else when
        if rule.spec.subject == "use_case":
            derived = "derived" in when or (
                isinstance(when.get("all"), list)
                and any(isinstance(c, dict) and "derived" in c for c in when["all"]))
            alone = when.get("field") == AI_SYSTEM_TEST["field"]
            if not (first == AI_SYSTEM_TEST or alone or derived):
                out.append(problem(rule.file, _where(rule, "when"), rule.spec.id, (
                    "an AI Act rule applies to AI systems only (Art. 3(1)): make "
                    "{field: use_case.system.ai_system, eq: true} the first condition of its "
                    "'all:' list")))
        elif (rule.spec.subject == "client"
              and "client.n_ai_use_cases" not in _fields_read(rule)):
            out.append(problem(rule.file, _where(rule, "when"), rule.spec.id, (
                "an AI Act client rule applies when the client has AI systems: test "
                "{field: client.n_ai_use_cases, gte: 1}")))
    return out


def _fields_read(rule: LoadedRule) -> set[str]:
    """The fact fields (``use_case.system.purposes``) a rule's condition tests or compares with
    (empty when the condition does not parse: the compiler reports that)."""
    try:
        tree = parse_condition(rule.spec.when, rule.spec.subject)
    except ConditionError:
        return set()
    names: set[str] = set()
    for node in walk(tree):
        if isinstance(node, Leaf):
            names.add(f"{node.kind}.{node.path}")
            if isinstance(node.value, FieldRef):
                names.add(f"{node.kind}.{node.value.path}")
    return names


def penalty_checks(rules: list[LoadedRule], table: PenaltyTable, *,
                    complete: bool) -> list[Issue]:
    """Every ``penalty:`` a finding or an obligation names is defined in ``penalties.yaml``."""
    out: list[Issue] = []
    if not complete:  # the table did not load: its ids are unknown, do not guess
        return out
    known = sorted(table.penalties)
    for rule in rules:
        named: list[tuple[str, tuple[str | int, ...]]] = []
        finding = rule.spec.then.finding
        if finding is not None and finding.penalty is not None:
            named.append((finding.penalty, ("then", "finding", "penalty")))
        for index, obligation in enumerate(rule.spec.then.obligations):
            if obligation.penalty is not None:
                named.append((obligation.penalty, ("then", "obligations", index, "penalty")))
        for name, path in named:
            if name not in table.penalties:
                out.append(problem(rule.file, _where(rule, *path), rule.spec.id, (
                    f"penalty '{name}' is not defined in penalties.yaml." + hint(name, known))))
    return out


def _profile_key(path: str) -> bool:
    """Whether ``path`` (``client.sector``, ``vendors[].country``) is a key of the profile model."""
    from pydantic import BaseModel

    from engine.profile.model import Profile, unwrap

    model: Any = Profile
    for part in path.split("."):
        name = part.removesuffix("[]")
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or (
                name not in model.model_fields):
            return False
        members = unwrap(model.model_fields[name].annotation)
        lists = [m for m in members if getattr(m, "__origin__", None) is list]
        inner = [a for m in lists for a in getattr(m, "__args__", ())] if lists else members
        model = next((m for m in inner if isinstance(m, type) and issubclass(m, BaseModel)),
                     None)
    return True


def _rule_reads(rules: list[LoadedRule]) -> set[str]:
    """Every profile key path a rule reads: in a condition, or as an obligation's control."""
    read: set[str] = set()
    for rule in rules:
        read.update(FACT_SCHEMA[n].profile_path or "" for n in _fields_read(rule)
                    if n in FACT_SCHEMA)
        for obligation in rule.spec.then.obligations:
            if obligation.control == "staff_ai_training":
                read.add("client.staff_ai_training")
            elif obligation.control:
                read.add(f"use_cases[].controls.{obligation.control}")
    return read


def key_checks(rules_dir: Path, rules: list[LoadedRule], *, complete: bool) -> list[Issue]:
    """Every closed, boolean or numeric profile key rules could read is read by one, or listed
    under ``keys:`` in ``vocabulary/neutral.yaml`` with the reason it changes no rule."""
    path = rules_dir / NEUTRAL_FILE
    shown = str(path)
    if not path.is_file():
        return []
    try:
        doc = load_yaml(path, display_path=shown, error_cls=RuleError)
    except RuleError:
        return []  # reported by the vocabulary check
    keys = doc.data.get("keys", {}) if isinstance(doc.data, dict) else {}
    if not isinstance(keys, dict):
        return [problem(shown, doc.locate(("keys",)).line, "keys",
                        "list the neutral profile keys as 'key.path: reason'")]
    read = _rule_reads(rules)
    issues: list[Issue] = []
    for key, reason in keys.items():
        line = doc.locate(("keys", key)).line
        if not _profile_key(str(key)):
            issues.append(problem(shown, line, "keys", f"'{key}' is not a profile key "
                                  "(write it as client.sector, vendors[].country, "
                                  "use_cases[].roi.gross_margin_rate...)"))
        elif not isinstance(reason, str) or len(reason.strip()) < 10:
            issues.append(problem(shown, line, "keys",
                                  f"'{key}': give the reason no rule reads it"))
        elif str(key) in read:
            issues.append(problem(shown, line, "keys", (
                f"'{key}' is listed as neutral but a rule reads it; remove it from this list")))
    if complete:
        line = doc.locate(("keys",)).line if "keys" in (doc.data or {}) else None
        for name, spec in FACT_SCHEMA.items():
            key = spec.profile_path
            if key and key not in read and key not in keys and not name.endswith("_n"):
                issues.append(problem(shown, line, "keys", (
                    f"profile key '{key}' is neither read by a rule nor listed under keys:; "
                    "write a rule that reads it or list it with the reason it changes nothing")))
    return issues
