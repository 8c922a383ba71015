"""The condition tree of a rule's ``when:``: typed nodes, parsed with key paths, and normal forms.

Language (docs/rules.md §3)::

    {all: [c, ...]}  {any: [c, ...]}  {not: c}  {derived: annex_iii, where: {point: "4(a)"}}
    {field: use_case.system.capabilities, contains: emotion_recognition}
    ops: eq ne lt lte gt gte in not_in contains contains_any contains_all missing is_empty
    a comparison value may be another field of the same fact:
    {gt: {field: use_case.roi.annual_cost, times: 2}}

Semantics: a test on an unanswered field is false, so ``not`` of it is true (write
``missing: true`` to ask about unanswered keys explicitly). ``vendor.*`` fields in a use-case
rule join the use case with its vendor (in-house use cases then never match).

:func:`parse` checks fields and values against :data:`engine.rules.schema.FACT_SCHEMA` and
raises :class:`ConditionError` with the key path inside the rule. :func:`nnf` pushes negations to
the tests; :func:`dnf` expands the condition into :class:`Branch` es, each a conjunction of
atoms: a test, a group of tests on one fact, or a derived fact. Nothing here knows the rule
engine: :mod:`engine.rules.durable.translate` turns branches into durable_rules patterns.
"""

from __future__ import annotations

import datetime as dt
import itertools
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field

from engine.common.suggest import hint
from engine.errors import IapmeError
from engine.rules.schema import FACT_SCHEMA, FieldSpec
from engine.rules.types import Subject

KeyPath = tuple[str | int, ...]
Scalar = str | int | float | bool
Op = typing.Literal["eq", "ne", "in", "not_in", "contains", "contains_any", "contains_all",
                    "missing", "is_empty", "lt", "lte", "gt", "gte"]
OPS: tuple[Op, ...] = typing.get_args(Op)
COMPARE: tuple[Op, ...] = ("lt", "lte", "gt", "gte")
NEGATE_COMPARE: dict[Op, Op] = {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}
MAX_BRANCHES = 64
# What each subject's rules may read.
READABLE: dict[Subject, tuple[Subject, ...]] = {
    "use_case": ("use_case", "vendor", "client"), "vendor": ("vendor", "client"),
    "client": ("client",)}


class ConditionError(IapmeError):
    """A rule condition is malformed; carries the key path inside the rule (``when.all.0``)."""

    def __init__(self, path: KeyPath, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A comparison value that is another field of the same fact, times a factor."""

    path: str
    times: float = 1.0


@dataclass(frozen=True, slots=True)
class Leaf:
    """One test on one field of one fact; ``negated`` only after :func:`nnf`."""

    kind: Subject            # the fact tested: use_case | vendor | client
    path: str                # the field inside the fact, e.g. system.capabilities
    op: Op
    value: Scalar | tuple[Scalar, ...] | FieldRef
    negated: bool = False
    at: KeyPath = field(default=(), compare=False)

    @property
    def field(self) -> str:
        return f"{self.kind}.{self.path}"

    def values(self) -> tuple[Scalar, ...]:
        """The constant values tested (one for eq, the list for in/contains_any...)."""
        if isinstance(self.value, FieldRef):
            return ()
        return self.value if isinstance(self.value, tuple) else (self.value,)


@dataclass(frozen=True, slots=True)
class Derived:
    """A derived fact some rule asserts, about the same subject, with equalities on its keys."""

    name: str
    where: tuple[tuple[str, Scalar], ...] = ()
    at: KeyPath = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Condition, ...]
    at: KeyPath = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Any:
    items: tuple[Condition, ...]
    at: KeyPath = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition
    at: KeyPath = field(default=(), compare=False)


Condition = All | Any | Not | Leaf | Derived
Group = All | Any
# An atom of a branch: a test, a group of tests on one fact (in NNF), or a derived fact.
Atom = Leaf | All | Any | Derived


@dataclass(frozen=True, slots=True)
class Branch:
    """One alternative of a condition in disjunctive normal form: every atom must hold."""

    atoms: tuple[Atom, ...]

    @property
    def tests(self) -> tuple[Leaf | All | Any, ...]:
        return tuple(a for a in self.atoms if not isinstance(a, Derived))

    @property
    def derived(self) -> tuple[Derived, ...]:
        return tuple(a for a in self.atoms if isinstance(a, Derived))


# --- parsing ------------------------------------------------------------------------------


def parse(node: typing.Any, subject: Subject, path: KeyPath = ("when",)) -> Condition:
    """The typed tree of a ``when:`` mapping. Raises ConditionError naming the key path."""
    if not isinstance(node, dict) or len(node) == 0:
        raise ConditionError(path, "a condition must be a mapping such as {field: ..., eq: ...}")
    if "derived" in node:
        extra = set(node) - {"derived", "where"}
        where = node.get("where", {})
        if extra or not isinstance(node["derived"], str) or not isinstance(where, dict) or any(
                not isinstance(k, str) or not isinstance(v, Scalar) for k, v in where.items()):
            raise ConditionError(path, "write {derived: <name>, where: {<key>: <value>}}")
        return Derived(node["derived"], tuple(sorted(where.items())), path)
    if "field" not in node:
        if len(node) != 1:
            raise ConditionError(path, f"expected one of all/any/not/derived, got {sorted(node)}")
        (key, value), = node.items()
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise ConditionError((*path, key), f"'{key}' takes a non-empty list of conditions")
            items = tuple(parse(v, subject, (*path, key, i)) for i, v in enumerate(value))
            return All(items, path) if key == "all" else Any(items, path)
        if key == "not":
            return Not(parse(value, subject, (*path, "not")), path)
        known = ["all", "any", "not", "derived", "field"]
        raise ConditionError((*path, key), f"unknown operator '{key}'.{hint(str(key), known)}")
    return _parse_leaf(node, subject, path)


def _parse_leaf(node: dict[str, typing.Any], subject: Subject, path: KeyPath) -> Leaf:
    name = node["field"]
    ops = [k for k in node if k != "field"]
    if len(ops) != 1:
        raise ConditionError(path, f"a test names one operator ({', '.join(OPS)}), got {ops}")
    op = ops[0]
    if op not in OPS:
        raise ConditionError((*path, op), f"unknown operator '{op}'.{hint(str(op), OPS)}")
    spec, kind = _field(name, subject, (*path, "field"))
    raw = node[op]
    value = _check_value(spec, op, raw, subject, (*path, op), kind)
    return Leaf(kind, str(name).partition(".")[2], op, value, False, path)


def _field(name: typing.Any, subject: Subject, path: KeyPath) -> tuple[FieldSpec, Subject]:
    if not isinstance(name, str) or name not in FACT_SCHEMA:
        raise ConditionError(path, f"unknown field '{name}'.{hint(str(name), FACT_SCHEMA)}")
    kind = next(k for k in READABLE["use_case"] if name.startswith(f"{k}."))
    if kind not in READABLE[subject]:
        raise ConditionError(path, f"a {subject} rule cannot read {kind} fields")
    return FACT_SCHEMA[name], kind


def _check_value(spec: FieldSpec, op: Op, value: typing.Any, subject: Subject, path: KeyPath,
                 kind: Subject) -> Scalar | tuple[Scalar, ...] | FieldRef:
    if op in ("missing", "is_empty"):
        if not isinstance(value, bool):
            raise ConditionError(path, f"'{op}' takes true or false")
        if op == "is_empty" and spec.kind != "list":
            raise ConditionError(path, "'is_empty' applies to list fields only")
        return value
    if op in COMPARE:
        return _check_compare(spec, op, value, subject, path, kind)
    values = value if isinstance(value, list) else [value]
    if op in ("in", "not_in", "contains_any", "contains_all") and not isinstance(value, list):
        raise ConditionError(path, f"'{op}' takes a list of values")
    if op in ("contains", "contains_any", "contains_all") and spec.kind != "list":
        raise ConditionError(path, f"'{op}' applies to list fields; use eq or in")
    if op in ("eq", "ne", "in", "not_in") and spec.kind == "list":
        raise ConditionError(path, f"'{op}' does not apply to a list field; use contains")
    if any(not isinstance(item, Scalar) for item in values):
        raise ConditionError(path, f"'{op}' compares with plain values (text, numbers, true/false)")
    if spec.values:
        shown = {("true" if v is True else "false" if v is False else str(v)): v
                 for v in spec.values}
        for item in values:
            if item not in spec.values or isinstance(item, bool) != isinstance(
                    next((v for v in spec.values if v == item), item), bool):
                raise ConditionError(path, (
                    f"'{item}' is not a value of this field (allowed: {', '.join(shown)})."
                    + hint(str(item), shown)))
    return tuple(values) if isinstance(value, list) else value


def _check_compare(spec: FieldSpec, op: Op, value: typing.Any, subject: Subject, path: KeyPath,
                   kind: Subject) -> Scalar | FieldRef:
    result: Scalar | FieldRef
    if isinstance(value, dict):
        if set(value) - {"field", "times"} or "field" not in value:
            raise ConditionError(path, "a field reference is {field: <name>, times: <number>}")
        other, other_kind = _field(value["field"], subject, (*path, "field"))
        if other_kind != kind:
            raise ConditionError(path, (
                "compare with a field of the same fact only (durable_rules 2.0.28 "
                "mis-evaluates cross-fact arithmetic next to 'any'); ask for a computed field "
                "in engine/assessment/facts.py"))
        times = value.get("times", 1)
        if other.kind != "number" or isinstance(times, bool) or not isinstance(times,
                                                                               int | float):
            raise ConditionError(path, "compare numbers with numbers")
        result = FieldRef(str(value["field"]).partition(".")[2], float(times))
    elif spec.kind == "date":
        if not isinstance(value, str) or not _is_date(value):
            raise ConditionError(path, f"'{op}' on a date compares with a date \"YYYY-MM-DD\"")
        result = value
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise ConditionError(path, f"'{op}' compares with a number")
    else:
        result = value
    if spec.kind not in ("number", "date"):
        raise ConditionError(path, f"'{op}' applies to numbers and dates only")
    return result


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


# --- walking and normal forms -------------------------------------------------------------


def walk(node: Condition) -> Iterator[Condition]:
    """Every node of the tree, parents before children."""
    yield node
    if isinstance(node, All | Any):
        for item in node.items:
            yield from walk(item)
    elif isinstance(node, Not):
        yield from walk(node.item)


def leaves(node: Condition) -> Iterator[Leaf]:
    """Every test of the tree, in order."""
    return (n for n in walk(node) if isinstance(n, Leaf))


def nnf(node: Condition, negate: bool = False) -> Condition:
    """Negation normal form: no ``Not``; negated tests carry ``negated=True``.

    Raises:
        ConditionError: ``not`` over a derived fact (absence of a conclusion is not a fact).
    """
    if isinstance(node, Not):
        return nnf(node.item, not negate)
    if isinstance(node, All | Any):
        items = tuple(nnf(item, negate) for item in node.items)
        swap = negate
        if isinstance(node, All):
            return Any(items, node.at) if swap else All(items, node.at)
        return All(items, node.at) if swap else Any(items, node.at)
    if isinstance(node, Derived):
        if negate:
            raise ConditionError(node.at, "'not' cannot apply to a derived fact")
        return node
    return Leaf(node.kind, node.path, node.op, node.value, node.negated != negate, node.at)


def single_kind(node: Condition) -> Subject | None:
    """The one fact kind a subtree tests (no derived facts in it), else None."""
    if isinstance(node, Derived):
        return None
    if isinstance(node, Leaf):
        return node.kind
    items = node.items if isinstance(node, All | Any) else (node.item,)
    kinds = {single_kind(item) for item in items}
    return kinds.pop() if len(kinds) == 1 and None not in kinds else None


def dnf(node: Condition, *, whole: bool = True) -> tuple[Branch, ...]:
    """The branches of an NNF condition; sub-conditions on one fact stay whole (one atom),
    unless ``whole`` is false: then every alternative is a branch of its own (a rule engine
    that cannot hold a wide alternative in one pattern asks for that).

    Raises:
        ConditionError: more than :data:`MAX_BRANCHES` branches.
    """
    terms = _terms(node, whole)
    if len(terms) > MAX_BRANCHES:
        raise ConditionError(("when",), (
            f"condition expands to {len(terms)} alternatives (max {MAX_BRANCHES}); split the rule"))
    return tuple(Branch(tuple(term)) for term in terms)


def _terms(node: Condition, whole: bool = True) -> list[list[Atom]]:
    if isinstance(node, Not):
        raise ConditionError(node.at, "dnf() takes a condition in negation normal form")
    if isinstance(node, Leaf | Derived) or (whole and single_kind(node) is not None):
        return [[node]]
    parts = [_terms(item, whole) for item in node.items]
    if isinstance(node, Any):
        return [term for part in parts for term in part]
    terms: list[list[Atom]] = []
    for combo in itertools.product(*parts):
        terms.append([atom for chosen in combo for atom in chosen])
        if len(terms) > MAX_BRANCHES:
            raise ConditionError(("when",), (
                f"condition expands to more than {MAX_BRANCHES} alternatives; split the rule"))
    return terms


def branches(when: typing.Any, subject: Subject, *, whole: bool = True
             ) -> tuple[Condition, tuple[Branch, ...]]:
    """Parse a ``when:`` and expand it: the tree as written and its branches (see :func:`dnf`)."""
    tree = parse(when, subject)
    return tree, dnf(nnf(tree), whole=whole)
