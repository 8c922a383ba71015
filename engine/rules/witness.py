"""Synthetic clients that exercise a rule program: every branch's witness, and extreme facts.

A witness of a branch is a client (one client fact, one vendor, one use case) that answers
only what the branch tests, so as to satisfy it (and the branches asserting the derived facts
it requires). Beside the witnesses come a "full" client, whose lists hold every value of their
vocabulary (the facts that pass the most tests at once), and an "empty" one, with every
optional field left out. Witnesses that come out the same are kept once.

``iapme rules lint`` evaluates them all on the real rule engine (:mod:`engine.rules.durable.probe`):
a rule base that cannot be registered or evaluated fails lint before a consultant runs it. The
witnesses are best effort: a branch whose tests contradict each other has none that fires.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.rules.compiler import CompiledBranch, CompiledRules
from engine.rules.conditions import COMPARE, All, Derived, FieldRef, Leaf
from engine.rules.conditions import Any as AnyOf
from engine.rules.firings import Fact
from engine.rules.schema import FACT_SCHEMA, FieldSpec
from engine.rules.types import SUBJECTS, Subject

AS_OF = "2026-11-26"
Client = list[Fact]


def synthetic_clients(compiled: CompiledRules) -> list[Client]:
    """The full client, the empty client, then one witness per branch (in rule order)."""
    producers: dict[str, list[tuple[CompiledBranch, dict[str, Any]]]] = {}
    for branch in compiled.branches.values():
        for spec in branch.rule.spec.then.asserts:
            producers.setdefault(str(spec.get("name")), []).append((branch, dict(spec)))
    clients = {repr(c): c for c in (_client(full=True), _client(full=False))}
    for branch in compiled.branches.values():
        client = _client(full=False)
        _satisfy(branch, client, producers, set())
        clients.setdefault(repr(client), client)
    return list(clients.values())


def _client(*, full: bool) -> Client:
    facts: dict[Subject, Fact] = {kind: _fact(kind, full) for kind in SUBJECTS}
    facts["use_case"]["vendor"] = facts["vendor"]["vid"]
    return [facts["client"], facts["vendor"], facts["use_case"]]


def _fact(kind: Subject, full: bool) -> Fact:
    fact: Fact = {"type": kind, {"client": "cid", "vendor": "vid", "use_case": "uid"}[kind]: "w"}
    if kind == "use_case":
        fact["index"] = 0
    for name, spec in FACT_SCHEMA.items():
        owner, _, path = name.partition(".")
        if owner != kind or spec.count_of is not None:
            continue
        if full or spec.profile_path is None:  # computed fields are always there
            _put(fact, path, _value(spec))
    if kind == "client":
        fact["as_of"] = AS_OF
    return fact


def _value(spec: FieldSpec) -> Any:
    """A value of the field: a list holds its whole vocabulary."""
    if spec.kind == "list":
        return list(spec.values) or ["x"]
    if spec.values:
        return spec.values[0]
    if spec.kind == "number":
        return 1.0
    if spec.kind == "date":
        return AS_OF
    return "x"


def _put(fact: Fact, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = fact
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _drop(fact: Fact, path: str) -> None:
    *parents, last = path.split(".")
    node: Any = fact
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(last, None)


def _get(fact: Fact, path: str) -> Any:
    node: Any = fact
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _satisfy(branch: CompiledBranch, client: Client,
             producers: dict[str, list[tuple[CompiledBranch, dict[str, Any]]]],
             seen: set[str]) -> None:
    """Change ``client`` so that ``branch`` holds (producers of its derived facts first)."""
    seen.add(branch.name)
    for derived in branch.derived:
        producer = next((b for b, spec in producers.get(derived.name, ())
                         if b.subject == branch.subject and b.name not in seen
                         and all(spec.get(k) == v for k, v in derived.where)), None)
        if producer is not None:
            _satisfy(producer, client, producers, seen)
    facts = {str(f["type"]): f for f in client}
    spec = branch.rule.spec
    for bound in (spec.valid_from, spec.valid_until):
        if bound is not None and not _in_force(spec.valid_from, spec.valid_until):
            facts["client"]["as_of"] = bound.isoformat()
    for atom in branch.branch.tests:
        _make_true(atom, facts)


def _in_force(start: dt.date | None, end: dt.date | None) -> bool:
    day = dt.date.fromisoformat(AS_OF)
    return (start is None or start <= day) and (end is None or day <= end)


def _make_true(node: Leaf | All | AnyOf | Derived, facts: dict[str, Fact]) -> None:
    if isinstance(node, Derived):
        return
    if isinstance(node, All):
        for item in node.items:
            _make_true(item, facts)  # type: ignore[arg-type]
        return
    if isinstance(node, AnyOf):
        _make_true(node.items[0], facts)  # type: ignore[arg-type]
        return
    _leaf(node, facts[node.kind])


def _leaf(leaf: Leaf, fact: Fact) -> None:
    path, op, neg = leaf.path, leaf.op, leaf.negated
    values = leaf.values()
    spec = FACT_SCHEMA.get(leaf.field)
    if spec is not None and spec.count_of is not None:  # a count: make the list that long
        _count(leaf, fact, spec.count_of)
        return
    if op == "missing":
        if leaf.value != neg:
            _drop(fact, path)
        elif _get(fact, path) is None and spec is not None:
            _put(fact, path, _value(spec))
        return
    if op == "is_empty":
        _put(fact, path, [] if leaf.value != neg else (list(spec.values[:1]) if spec and
                                                       spec.values else ["x"]))
        return
    if op in COMPARE:
        if neg:
            _drop(fact, path)
            return
        _compare(leaf, fact)
        return
    if op in ("contains", "contains_any", "contains_all"):
        items = list(_get(fact, path) or [])
        if not neg:
            wanted = values if op == "contains_all" else values[:1]
            _put(fact, path, items + [v for v in wanted if v not in items])
        else:
            dropped = values[:1] if op == "contains_all" else values
            _put(fact, path, [v for v in items if v not in dropped])
        return
    positive = (op in ("eq", "in")) != neg
    if positive:
        _put(fact, path, values[0])
    elif not neg:  # ne / not_in: present and none of the values
        other = [v for v in (spec.values if spec else ()) if v not in values]
        _put(fact, path, other[0] if other else f"not-{values[0]}")
    else:
        _drop(fact, path)


def _compare(leaf: Leaf, fact: Fact) -> None:
    op, value = leaf.op, leaf.value
    if isinstance(value, FieldRef):
        _put(fact, value.path, 10.0)
        target = 10.0 * value.times
    elif isinstance(value, str):  # a date: the bound itself, or a day off it
        day = dt.date.fromisoformat(value)
        shift = {"lt": -1, "gt": 1}.get(op, 0)
        _put(fact, leaf.path, (day + dt.timedelta(days=shift)).isoformat())
        return
    else:
        target = float(value)  # type: ignore[arg-type]
    _put(fact, leaf.path, target + {"lt": -1.0, "gt": 1.0}.get(op, 0.0))


def _count(leaf: Leaf, fact: Fact, list_path: str) -> None:
    """A test on a count field (``stale_facts_n``): a list of the length that passes it."""
    if leaf.negated or not isinstance(leaf.value, int | float) or isinstance(leaf.value, bool):
        _drop(fact, list_path)
        return
    bound = int(leaf.value)
    size = {"lt": bound - 1, "gt": bound + 1}.get(leaf.op, bound)
    _put(fact, list_path, [f"x{n}" for n in range(max(size, 0))])

