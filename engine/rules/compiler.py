"""Stage 4a: rule specs -> the rule program (pure, engine-neutral).

Each rule's ``when:`` is parsed into the condition tree (:mod:`engine.rules.conditions`) and
expanded into branches (DNF; sub-conditions on one fact stay whole). A branch is what a rule
engine matches: it binds the subject's fact, the facts its tests read (a use-case rule reading
``vendor.*`` joins the use case with its vendor; a rule with ``valid_from``/``valid_until``
reads the client's ``as_of``) and the derived facts it requires. Each branch is named
``<rule id>#<n>``. :mod:`engine.rules.durable` translates branches for durable_rules; findings
read the branches' provenance and the fields they read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import Issue
from engine.rules.conditions import (
    Branch,
    Condition,
    ConditionError,
    Derived,
    FieldRef,
    branches,
    leaves,
)
from engine.rules.spec import LoadedRule, Provenance
from engine.rules.types import Subject

# The order in which a branch binds the profile facts (a rule engine's pattern order).
KIND_ORDER: tuple[Subject, ...] = ("client", "vendor", "use_case")
ID_FIELDS: dict[Subject, str] = {"client": "cid", "vendor": "vid", "use_case": "uid"}


@dataclass(frozen=True)
class CompiledBranch:
    """One alternative of one rule: what a firing binds and what its finding reads."""

    rule: LoadedRule
    number: int
    name: str                                # <rule id>#<number>
    branch: Branch
    kinds: tuple[Subject, ...]               # profile facts bound, in KIND_ORDER
    fields: tuple[tuple[Subject, str], ...]  # (fact kind, field path) the tests read, once each
    subject: Subject                         # the rule's subject
    provenance: Provenance                   # what its findings cite

    @property
    def derived(self) -> tuple[Derived, ...]:
        return self.branch.derived


@dataclass(frozen=True)
class CompiledRule:
    rule: LoadedRule
    condition: Condition
    branches: tuple[CompiledBranch, ...]


@dataclass
class CompiledRules:
    """The rule program: every rule that compiled, its condition tree and its branches."""

    rules: list[LoadedRule] = field(default_factory=list)
    compiled: list[CompiledRule] = field(default_factory=list)
    branches: dict[str, CompiledBranch] = field(default_factory=dict)  # by name


def compile_rules(rules: list[LoadedRule]) -> tuple[CompiledRules, list[Issue]]:
    """Compile every rule; return the program and the problems found."""
    out = CompiledRules(rules=list(rules))
    issues: list[Issue] = []
    for rule in rules:
        try:
            compiled = compile_rule(rule)
        except ConditionError as exc:
            issues.append(Issue(rule.locate(*exc.path), f"rule {rule.spec.id}: {exc.message}"))
            continue
        out.compiled.append(compiled)
        out.branches.update((b.name, b) for b in compiled.branches)
    return out, issues


def compile_rule(rule: LoadedRule, *, whole: bool = True) -> CompiledRule:
    """One rule's condition and branches; ``whole=False`` expands every alternative (see
    :func:`engine.rules.conditions.dnf`). Raises ConditionError."""
    condition, found = branches(rule.spec.when, rule.spec.subject, whole=whole)
    return CompiledRule(rule, condition, tuple(
        _branch(rule, number, branch) for number, branch in enumerate(found)))


def _branch(rule: LoadedRule, number: int, branch: Branch) -> CompiledBranch:
    subject = rule.spec.subject
    used: set[Subject] = {subject}
    if rule.spec.valid_from or rule.spec.valid_until:
        used.add("client")  # the legal date of the assessment is the client's as_of
    fields: list[tuple[Subject, str]] = []
    for atom in branch.tests:
        for leaf in leaves(atom):
            used.add(leaf.kind)
            fields.append((leaf.kind, leaf.path))
            if isinstance(leaf.value, FieldRef):
                fields.append((leaf.kind, leaf.value.path))  # a same-fact field reference
    return CompiledBranch(rule, number, f"{rule.spec.id}#{number}", branch,
                          tuple(k for k in KIND_ORDER if k in used),
                          tuple(dict.fromkeys(fields)), subject, rule.provenance)
