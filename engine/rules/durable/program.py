"""The rule program as durable_rules rulesets: translated, ordered, split under the budget.

Every branch becomes one durable rule (:mod:`.translate`). Rules are ordered so that the rules
asserting a derived fact come before the rules requiring it (rules that depend on each other in
a cycle stay together), then the order is cut into rulesets, each as full as the budget of
:mod:`.capacity` allows. A client is evaluated ruleset after ruleset; the derived facts one
ruleset asserts are sent on to the later rulesets that require them, so the firings are those
of one big ruleset (tested on a rule base four times the shipped one).

Problems found here (a rule too large for any ruleset) are lint problems naming the rule.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.common.digest import sha256, short
from engine.errors import Issue, Location
from engine.rules.compiler import CompiledBranch, CompiledRule, CompiledRules, compile_rule
from engine.rules.conditions import ConditionError, Scalar
from engine.rules.durable.capacity import BUDGET, LIMITS, Limits, Network, Usage, usage_of
from engine.rules.durable.encode import dumps
from engine.rules.durable.reads import ReadTree, read_trees
from engine.rules.durable.translate import DERIVED, bound_kinds, durable_rule

ANCHOR = "iapme_anchor"
ANCHOR_RULE = "iapme.anchor#0"
# Every state gets one fact a rule consumes: durable 2.0.28 segfaults in delete_state on a sid
# where no fact was stored (every assert raised MessageNotHandledException).
ANCHOR_BODY: dict[str, Any] = {"all": [{"a": {"type": ANCHOR}}]}


@dataclass(frozen=True)
class DurableRule:
    """One durable rule: its branch, its definition, what its action asserts."""

    branch: CompiledBranch
    body: dict[str, Any]
    aliases: tuple[tuple[str, str], ...]            # (alias, fact kind or "derived")
    asserts: tuple[dict[str, Scalar], ...]          # derived facts its action asserts

    @property
    def name(self) -> str:
        return self.branch.name


@dataclass(frozen=True)
class Part:
    """One durable ruleset of the program."""

    index: int
    rules: tuple[DurableRule, ...]
    text: str                   # the JSON definition given to durable (anchor rule first)
    digest: str
    kinds: frozenset[str]       # the fact types its rules bind
    requires: frozenset[str]    # the derived facts its rules require
    asserts: frozenset[str]     # the derived facts its rules assert
    usage: Usage
    reads: dict[str, ReadTree]  # per fact kind it binds, the fields its rules read

    @property
    def name(self) -> str:
        return f"iapme_{short(self.digest, 16)}"


@dataclass(frozen=True)
class Program:
    parts: tuple[Part, ...]
    issues: tuple[Issue, ...]
    budget: Limits = BUDGET


def build(compiled: CompiledRules, budget: Limits = BUDGET) -> Program:
    """Translate, order and split; rules too large for any ruleset are left out, as issues."""
    issues: list[Issue] = []
    groups: list[list[DurableRule]] = []
    for group in dependency_order(compiled.compiled):
        rules = [_durable(branch) for rule in group for branch in rule.branches]
        alone = usage_of([ANCHOR_BODY, *(r.body for r in rules)])
        over = alone.over(budget)
        if over:  # a wide alternative inside one pattern: one durable rule per alternative
            try:
                finer = [_durable(branch) for rule in group
                         for branch in compile_rule(rule.rule, whole=False).branches]
            except ConditionError:  # too many alternatives once expanded: keep it as it is
                finer = rules
            finer_use = usage_of([ANCHOR_BODY, *(r.body for r in finer)])
            if not finer_use.over(budget):
                rules, alone, over = finer, finer_use, []
        if over:
            issues.extend(_too_large(rule, over, alone.over(LIMITS)) for rule in group)
            continue
        groups.append(rules)
    parts = [make_part(index, rules) for index, rules in enumerate(_split(groups, budget))]
    return Program(tuple(parts), tuple(issues), budget)


def _durable(branch: CompiledBranch) -> DurableRule:
    body, aliases = durable_rule(branch)
    asserts = tuple(dict(a) for a in branch.rule.spec.then.asserts)
    return DurableRule(branch, body, tuple(aliases.items()), asserts)


def _too_large(rule: CompiledRule, over: list[str], past_limit: list[str]) -> Issue:
    where = rule.rule.locate("when")
    hard = " (past durable_rules' own limit: it would fail or hang)" if past_limit else ""
    return Issue(Location(where.file, where.line), (
        f"rule {rule.rule.spec.id}: too large for one durable_rules ruleset{hard}: "
        f"{'; '.join(over)}; split the rule or narrow its conditions"))


def _split(groups: Iterable[list[DurableRule]], budget: Limits) -> list[list[DurableRule]]:
    """Cut the ordered groups into rulesets, each filled up to the budget."""
    parts: list[list[DurableRule]] = []
    current: list[DurableRule] = []
    network = _fresh()
    for rules in groups:
        used = _add(network, rules)
        if current and used.over(budget):
            parts.append(current)
            current, network = [], _fresh()
            _add(network, rules)
        current.extend(rules)
    if current or not parts:
        parts.append(current)
    return parts


def _fresh() -> Network:
    network = Network()
    network.add(ANCHOR_BODY)
    return network


def _add(network: Network, rules: list[DurableRule]) -> Usage:
    used = network.used
    for rule in rules:
        used = network.add(rule.body)
    return used


def make_part(index: int, rules: list[DurableRule]) -> Part:
    """The ruleset of ``rules`` (the anchor rule first), ready to register."""
    definition = {ANCHOR_RULE: ANCHOR_BODY, **{r.name: r.body for r in rules}}
    text = dumps(definition)
    kinds = {kind for r in rules for _, kind in r.aliases if kind != DERIVED}
    requires = {d.name for r in rules for d in r.branch.derived}
    asserts = {str(a["name"]) for r in rules for a in r.asserts}
    reads = read_trees({r.name: r.body for r in rules})
    return Part(index, tuple(rules), text, sha256(text.encode()), frozenset(kinds),
                frozenset(requires), frozenset(asserts), usage_of(definition.values()),
                {kind: tree for kind, tree in reads.items() if kind in kinds})


def dependency_order(rules: list[CompiledRule]) -> list[list[CompiledRule]]:
    """Rules in groups, each group's derived facts asserted by earlier groups or within it.

    A group is a set of rules that require each other's derived facts (a cycle; usually one
    rule). Among groups free to go, those reading fewer kinds of fact go first (use cases
    alone, then with the client, then with vendors), then the one written first, so the order
    is stable and the rulesets that need a client or vendor fact are as few as possible.
    """
    asserting: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        for spec in rule.rule.spec.then.asserts:
            asserting.setdefault(str(spec.get("name")), []).append(index)
    needs = [sorted({p for b in rule.branches for d in b.derived
                     for p in asserting.get(d.name, ())}) for rule in rules]
    components = _components(needs)
    of = {member: number for number, members in enumerate(components) for member in members}
    waiting = [len({of[p] for m in members for p in needs[m]} - {number})
               for number, members in enumerate(components)]
    feeds: dict[int, set[int]] = {}
    for number, members in enumerate(components):
        for m in members:
            for p in needs[m]:
                if of[p] != number:
                    feeds.setdefault(of[p], set()).add(number)
    rank = [max(_RANK.get(k, 0) for m in members for b in rules[m].branches
                for k in bound_kinds(b)) for members in components]
    ready = [(rank[number], min(members), number) for number, members in enumerate(components)
             if not waiting[number]]
    heapq.heapify(ready)
    out: list[list[CompiledRule]] = []
    while ready:
        *_, number = heapq.heappop(ready)
        out.append([rules[m] for m in sorted(components[number])])
        for later in sorted(feeds.get(number, ())):
            waiting[later] -= 1
            if not waiting[later]:
                heapq.heappush(ready, (rank[later], min(components[later]), later))
    return out


_RANK = {"use_case": 0, "client": 1, "vendor": 2}


def _components(needs: list[list[int]]) -> list[list[int]]:
    """Strongly connected components of "rule i needs rule j" (Tarjan).

    Why recursive: a chain of derived facts is a few rules long (annex_iii -> high_risk -> the
    deployer duties), far below Python's recursion limit.
    """
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    out: list[list[int]] = []

    def visit(node: int) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for child in needs[node]:
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in on_stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            members: list[int] = []
            while not members or members[-1] != node:
                members.append(stack.pop())
                on_stack.discard(members[-1])
            out.append(sorted(members))

    for start in range(len(needs)):
        if start not in index:
            visit(start)
    return out
