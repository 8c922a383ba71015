"""``iapme rules lint``: every problem of a rule base, one a line: ``file:line: rule id: message``.

Checks, in one pass over ``rules/`` (every problem is reported once, sorted by file and line):

* YAML syntax and the rule format (:mod:`engine.rules.spec`): unknown keys (did-you-mean), kinds,
  severities, dates;
* conditions (:mod:`.conditions`): unknown operators, fields that do not exist in the profile
  vocabulary and values outside a field's enumeration, each with a did-you-mean;
* duplicate ids; rules without a legal reference; ``valid_from`` after ``valid_until``; a
  ``then`` that does nothing;
* message placeholders that name no field, or that would print a raw code (an enumeration, a
  list, a yes/no answer) in a French sentence; placeholders in obligation texts (never filled);
* derived facts (``{derived: name, where: {...}}``) that no rule asserts, with a did-you-mean;
* AI Act scope (Art. 3(1)): a use-case rule under ``ai_act/`` tests
  ``use_case.system.ai_system: true`` as its first condition (or chains on a derived fact), a
  client rule there reads ``client.n_ai_use_cases``;
* vocabulary coverage (``rules/vocabulary/neutral.yaml``): every value of the SPEC §2
  ``capabilities``, ``purposes``, ``affected_persons`` and ``inferred_attributes`` vocabularies
  is read by some rule or listed there as deliberately neutral, with a reason; never both;
* the deliverables' wording (``rules/texts/``, :mod:`engine.documents.text_keys`): unknown
  placeholders, missing keys and keys no code reads, the text key in the rule-id column;
* the table of fines (``rules/penalties.yaml``) and the penalty ids rules name;
* the decision's precedence, the action plan's topics and the calendar (``rules/decision.yaml``,
  ``actions.yaml``, ``calendar.yaml``): their format, and every rule id they name exists;
* durable_rules' capacity (:mod:`.durable.program`): a rule too large for one ruleset; and,
  with ``probe`` (``iapme rules lint``), the rulesets registered and a synthetic profile
  matching every condition evaluated in a subprocess with a timeout
  (:mod:`.durable.probe`), so a rule base that would fail or hang at run time fails here,
  with the rule named.

A problem that belongs to no rule (a YAML syntax error, the vocabulary file) shows ``-`` or the
vocabulary name in the rule-id column. :func:`engine.rules.base.load_rulebase` runs the same checks,
so ``iapme run`` and ``iapme assess`` refuse a rule base that does not lint.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.assessment.penalties import PenaltyTable, load_penalties
from engine.assessment.policy import Policy, load_policy
from engine.common.suggest import hint
from engine.documents.text_keys import check_texts
from engine.documents.texts import Texts
from engine.errors import Issue, Location, RuleError
from engine.profile.register import Register, check_register
from engine.profile.yamlio import YamlDoc, load_yaml
from engine.rules.compiler import CompiledRules, compile_rules
from engine.rules.conditions import ConditionError, Derived, Leaf, walk
from engine.rules.conditions import parse as parse_condition
from engine.rules.durable.evaluate import DurableRules
from engine.rules.schema import FACT_SCHEMA
from engine.rules.spec import PLACEHOLDER, LoadedRule, load_rules
from engine.rules.types import Subject

NO_RULE = "-"
NEUTRAL_FILE = Path("vocabulary") / "neutral.yaml"
VOCABULARIES = {
    "capabilities": "use_case.system.capabilities",
    "purposes": "use_case.system.purposes",
    "affected_persons": "use_case.system.affected_persons",
    "inferred_attributes": "use_case.system.inferred_attributes",
    "data_categories": "use_case.data.categories",
}
# Placeholders filled from the profile's own text rather than from facts.
TEXT_PLACEHOLDERS = frozenset({"use_case.title", "use_case.id", "vendor.name", "vendor.id",
                               "client.name", "vendor.stale_facts", "vendor.unverified_facts"})
# Field kinds whose raw value is a code (English enum value, list, true/false), not French text.
RAW_KINDS = frozenset({"enum", "tri", "list", "bool"})
_RULE_PREFIX = re.compile(r"^rule (\S+): (.*)$", re.DOTALL)


@dataclass(frozen=True)
class LintResult:
    """What one lint pass found: the rules that loaded, their compilation, and the problems."""

    rules: list[LoadedRule]
    compiled: CompiledRules
    issues: list[Issue]
    register: Register
    texts: Texts
    engine: DurableRules | None = None  # the rules for durable_rules, when they compiled
    penalties: PenaltyTable = dataclasses.field(default_factory=PenaltyTable)
    policy: Policy = dataclasses.field(default_factory=Policy)


def problem(file: str, line: int | None, rule_id: str, message: str) -> Issue:
    """One lint problem, printed ``file:line: rule id: message``."""
    return Issue(Location(file, line or 1), f"{rule_id}: {message}")


def lint_rule_dir(rules_dir: Path, *, probe: bool = False) -> LintResult:
    """Load, compile and check every rule file of ``rules_dir``.

    ``probe``: when everything else is clean, also try the rules on durable_rules in a
    subprocess (registration and a synthetic profile), as ``iapme rules lint`` does.
    """
    from engine.rules.coverage import key_checks, penalty_checks, scope_checks  # uses our helpers
    from engine.rules.policy_lint import policy_checks

    rules, load_issues = load_rules(rules_dir)
    compiled, compile_issues = compile_rules(rules)
    issues = [_normalise(i, schema=True) for i in load_issues]
    issues += [_normalise(i, schema=False) for i in compile_issues]
    issues += _duplicates(rules)
    for rule in rules:
        issues += _rule_checks(rule)
    issues += _derived_checks(compiled)
    issues += scope_checks(rules)
    complete = not load_issues and not compile_issues
    issues += _vocabulary_checks(rules_dir, rules, complete=complete)
    issues += key_checks(rules_dir, rules, complete=complete)
    register, register_issues = check_register(rules_dir)
    issues += [_register_problem(i) for i in register_issues]
    texts, text_issues = check_texts(rules_dir)
    issues += text_issues
    penalties, penalty_issues = load_penalties(rules_dir)
    issues += [problem(i.location.file, i.location.line, "penalties", i.message)
               for i in penalty_issues]
    issues += penalty_checks(rules, penalties, complete=not penalty_issues)
    policy, policy_issues = load_policy(rules_dir)
    issues += [problem(i.location.file, i.location.line, "policy", i.message)
               for i in policy_issues]
    if not policy_issues and not load_issues:
        issues += policy_checks(rules_dir, rules, policy)
    engine = DurableRules(compiled)
    issues += [_normalise(i, schema=False) for i in engine.program.issues]
    if not rules and not issues:
        issues.append(problem(str(rules_dir), None, NO_RULE, "no rule file found (*.yaml)"))
    if probe and not issues:
        from engine.rules.durable.probe import probe_rules

        issues += [_normalise(i, schema=False) for i in probe_rules(engine, rules_dir)]
    unique = {(str(i.location), i.message): i for i in issues}
    ordered = sorted(unique.values(),
                     key=lambda i: (i.location.file, i.location.line or 0, i.message))
    return LintResult(rules, compiled, ordered, register, texts, engine, penalties, policy)


def _register_problem(issue: Issue) -> Issue:
    """A vendor-register problem in the lint format, the vendor in the rule-id column."""
    match = re.match(r"^vendor (\S+): (.*)$", issue.message, re.DOTALL)
    owner, message = (f"register.{match.group(1)}", match.group(2)) if match else (
        "register", issue.message)
    return problem(issue.location.file, issue.location.line, owner, message)


def lint_rules(rules_dir: Path, *, probe: bool = False) -> list[Issue]:
    """Every problem of the rule base in ``rules_dir`` (empty when it lints clean)."""
    return lint_rule_dir(rules_dir, probe=probe).issues


# --- reshaping the loader's and compiler's issues -----------------------------------------------


def _normalise(issue: Issue, *, schema: bool) -> Issue:
    """``file:line:col: key.path: rule x: msg`` -> ``file:line: x: msg`` (the key named once)."""
    match = _RULE_PREFIX.match(issue.message)
    rule_id, message = (match.group(1), match.group(2)) if match else (NO_RULE, issue.message)
    key_path = issue.location.key_path or ""
    last = re.split(r"[.\[\]]", key_path.rstrip("]"))[-1] if key_path else ""
    if schema and last and not last.isdigit() and f"'{last}'" not in message:
        message = f"{last}: {message}"
    return problem(issue.location.file, issue.location.line, rule_id, message)


# --- per-rule checks ------------------------------------------------------------------------------


def _where(rule: LoadedRule, *path: str | int) -> int | None:
    return rule.locate(*path).line


def _duplicates(rules: list[LoadedRule]) -> list[Issue]:
    seen: dict[str, LoadedRule] = {}
    out = []
    for rule in rules:
        first = seen.setdefault(rule.spec.id, rule)
        if first is not rule:
            out.append(problem(rule.file, _where(rule, "id"), rule.spec.id,
                               f"duplicate id (first defined at {first.file}:{first.line})"))
    return out


def _rule_checks(rule: LoadedRule) -> list[Issue]:
    spec = rule.spec
    out: list[Issue] = []

    def add(message: str, *path: str | int) -> None:
        out.append(problem(rule.file, _where(rule, *path), spec.id, message))

    if not spec.references:
        add("no legal reference; add references: [\"Art. ...\"]", "id")
    if spec.valid_from and spec.valid_until and spec.valid_from > spec.valid_until:
        add(f"valid_from {spec.valid_from} is after valid_until {spec.valid_until}", "valid_from")
    finding = spec.then.finding
    if finding is None and not spec.then.obligations and not spec.then.asserts:
        add("'then' does nothing (give a finding, obligations or assert)", "then")
    if finding is not None:
        if finding.kind == "ai_act" and finding.tier is None:
            add("a finding of kind ai_act gives a tier", "then", "finding")
        if finding.tier is not None and finding.kind not in ("ai_act", "missing_answer"):
            add("only ai_act (the tier given) and missing_answer (the tier an answer could give) "
                "findings carry a tier", "then", "finding", "tier")
        if finding.kind == "missing_answer" and finding.tier in ("minimal", "out_of_scope"):
            add("a missing_answer's tier is the most severe tier an answer could give: limited, "
                "high or unacceptable (leave it out when the answer changes duties only)",
                "then", "finding", "tier")
        if finding.kind == "missing_answer" and not finding.field:
            add("a missing_answer finding names the unanswered key in 'field'", "then", "finding")
        for key in ("message", "advice"):
            text = getattr(finding, key)
            for message in _placeholder_problems(text or "", spec.subject):
                add(message, "then", "finding", key)
    for index, obligation in enumerate(spec.then.obligations):
        if "{" in obligation.text:
            add("an obligation text is printed as written: no {placeholders}",
                "then", "obligations", index, "text")
    return out


def _placeholder_problems(text: str, subject: Subject) -> Iterator[str]:
    readable = {"use_case": ("use_case", "vendor", "client"), "vendor": ("vendor", "client"),
                "client": ("client",)}[subject]
    for match in PLACEHOLDER.finditer(text):
        name = f"{match.group(1)}.{match.group(2)}"
        if match.group(1) not in readable:
            yield f"placeholder {{{name}}}: a {subject} rule has no {match.group(1)} to quote"
        elif name in TEXT_PLACEHOLDERS:
            continue
        elif name not in FACT_SCHEMA:
            known = sorted(TEXT_PLACEHOLDERS | set(FACT_SCHEMA))
            yield f"unknown placeholder {{{name}}}.{hint(name, known)}"
        elif FACT_SCHEMA[name].kind in RAW_KINDS:
            yield (f"placeholder {{{name}}} would print a raw code ({FACT_SCHEMA[name].kind}) in "
                   "a French sentence; write the text out, one rule per value if needed")


# --- conditions: derived facts and vocabulary ---------------------------------------------------


def _derived_checks(compiled: CompiledRules) -> list[Issue]:
    asserted: dict[str, dict[str, set[Any]]] = {}
    for rule in compiled.rules:
        for spec in rule.spec.then.asserts:
            name = str(spec.get("name", ""))
            keys = asserted.setdefault(name, {})
            for key, value in spec.items():
                if key != "name":
                    keys.setdefault(key, set()).add(value)
    out: list[Issue] = []
    for entry in compiled.compiled:
        rule = entry.rule
        for node in walk(entry.condition):
            if not isinstance(node, Derived):
                continue
            name, line = node.name, _where(rule, *node.at)
            if name not in asserted:
                out.append(problem(rule.file, line, rule.spec.id, (
                    f"no rule asserts the derived fact '{name}'.{hint(name, asserted)}")))
                continue
            for key, value in node.where:
                if key not in asserted[name]:
                    out.append(problem(rule.file, line, rule.spec.id, (
                        f"derived fact '{name}' is never asserted with '{key}'."
                        + hint(str(key), asserted[name]))))
                elif value not in asserted[name][key]:
                    shown = ", ".join(sorted(str(v) for v in asserted[name][key]))
                    out.append(problem(rule.file, line, rule.spec.id, (
                        f"derived fact '{name}' is never asserted with {key}={value} "
                        f"(asserted: {shown})")))
    return out


def vocabulary_reads(rules: list[LoadedRule]) -> dict[str, dict[str, list[LoadedRule]]]:
    """For each of the four vocabularies, the values rules name and the rules that name them.

    Rules whose condition does not parse are left out (lint reports them).
    """
    fields = {path: name for name, path in VOCABULARIES.items()}
    reads: dict[str, dict[str, list[LoadedRule]]] = {name: {} for name in VOCABULARIES}
    for rule in rules:
        try:
            tree = parse_condition(rule.spec.when, rule.spec.subject)
        except ConditionError:
            continue
        for node in walk(tree):
            if not isinstance(node, Leaf) or node.op in ("missing", "is_empty"):
                continue
            vocabulary = fields.get(node.field)
            if vocabulary is None:
                continue
            for item in node.values():
                users = reads[vocabulary].setdefault(str(item), [])
                if rule not in users:
                    users.append(rule)
    return reads


def load_neutral(rules_dir: Path) -> tuple[YamlDoc | None, dict[str, dict[str, str]], list[Issue]]:
    """Read ``vocabulary/neutral.yaml``: {vocabulary: {value: reason}}, with its problems."""
    path = rules_dir / NEUTRAL_FILE
    shown = str(path)
    if not path.is_file():
        return None, {}, []
    try:
        doc = load_yaml(path, display_path=shown, error_cls=RuleError)
    except RuleError as exc:
        return None, {}, [_normalise(i, schema=False) for i in exc.issues]
    issues: list[Issue] = []
    data = doc.data
    if not isinstance(data, dict) or "neutral" not in data or set(data) - {"neutral", "keys"} \
            or not isinstance(data["neutral"], dict):
        message = ("this file holds 'neutral:', mapping vocabularies to {value: reason}, and "
                   "'keys:', mapping profile keys to the reason no rule reads them")
        return doc, {}, [problem(shown, doc.locate(()).line, "vocabulary", message)]
    neutral: dict[str, dict[str, str]] = {}
    for vocabulary, entries in data["neutral"].items():
        line = doc.locate(("neutral", vocabulary)).line
        if vocabulary not in VOCABULARIES:
            issues.append(problem(shown, line, "vocabulary", (
                f"'{vocabulary}' is not one of {', '.join(VOCABULARIES)}."
                + hint(str(vocabulary), VOCABULARIES))))
            continue
        if not isinstance(entries, dict):
            issues.append(problem(shown, line, f"vocabulary.{vocabulary}",
                                  "list the neutral values as 'value: reason'"))
            continue
        allowed = [str(v) for v in FACT_SCHEMA[VOCABULARIES[vocabulary]].values]
        kept = neutral.setdefault(vocabulary, {})
        for value, reason in entries.items():
            where = doc.locate(("neutral", vocabulary, value)).line
            if value not in allowed:
                issues.append(problem(shown, where, f"vocabulary.{vocabulary}", (
                    f"'{value}' is not a value of {vocabulary}." + hint(str(value), allowed))))
            elif not isinstance(reason, str) or len(reason.strip()) < 10:
                issues.append(problem(shown, where, f"vocabulary.{vocabulary}", (
                    f"'{value}': give the reason it is deliberately neutral (a sentence)")))
            else:
                kept[value] = reason
    return doc, neutral, issues


def _vocabulary_checks(rules_dir: Path, rules: list[LoadedRule], *, complete: bool) -> list[Issue]:
    doc, neutral, issues = load_neutral(rules_dir)
    shown = str(rules_dir / NEUTRAL_FILE)
    reads = vocabulary_reads(rules)
    for vocabulary, field in VOCABULARIES.items():
        listed = neutral.get(vocabulary, {})
        for value in listed:
            for rule in reads[vocabulary].get(value, [])[:1]:
                where = doc.locate(("neutral", vocabulary, value)).line if doc else None
                issues.append(problem(shown, where, f"vocabulary.{vocabulary}", (
                    f"'{value}' is listed as neutral but rule {rule.spec.id} "
                    f"({rule.file}:{rule.line}) reads it; remove it from this list")))
        if not complete:  # a rule file did not load: its reads are unknown, do not guess
            continue
        line = doc.locate(("neutral", vocabulary)).line if doc else None
        for value in FACT_SCHEMA[field].values:
            if str(value) not in reads[vocabulary] and str(value) not in listed:
                issues.append(problem(shown, line, f"vocabulary.{vocabulary}", (
                    f"'{value}' is neither read by a rule nor listed as neutral; write a rule "
                    f"that reads it or list it here with the reason it changes nothing")))
    return issues
