"""Stage 4a: rule specs -> durable_rules ruleset definition (pure; no durable import here).

Condition language (``when:``)::

    {all: [c, ...]}  {any: [c, ...]}  {not: c}  {derived: annex_iii}
    {field: use_case.system.capabilities, contains: emotion_recognition}
    ops: eq ne lt lte gt gte in not_in contains contains_any contains_all missing is_empty
    a comparison value may be another field: {gt: {field: client.monthly_operating_budget_eur,
    times: 0.05}}

Semantics: a test on an unanswered field is false, so ``not`` of it is true (write
``missing: true`` to ask about unanswered keys explicitly). ``vendor.*`` fields in a use-case
rule join the use case with its vendor (in-house use cases then never match).

Compilation: negations are pushed to the tests (NNF); sub-conditions on one fact become one
durable expression (``$and``/``$or``); mixed ``any`` branches are expanded into separate durable
rules (DNF), as durable's own ``any`` misbehaves. Each durable rule is named ``<rule id>#<n>``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from engine.assessment.facts import FACT_SCHEMA, FieldSpec
from engine.common.suggest import hint
from engine.errors import Issue
from engine.rules.durable.reads import ReadTree, read_trees
from engine.rules.spec import LoadedRule

ALIASES = {"client": "c", "vendor": "v", "use_case": "uc"}
ID_FIELDS = {"client": "cid", "vendor": "vid", "use_case": "uid"}
PATTERN_ORDER = ("c", "v", "uc")
MAX_TERMS = 64
COMPARE = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
NEGATE_COMPARE = {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}
OPS = ("eq", "ne", "in", "not_in", "contains", "contains_any", "contains_all", "missing",
       "is_empty", *COMPARE)


class CompileError(Exception):
    """A rule condition is malformed; carries the key path inside the rule."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Leaf:
    kind: str             # fact kind: use_case | vendor | client
    path: str             # field inside the fact, e.g. system.capabilities
    op: str
    value: Any
    negated: bool = False

    @property
    def alias(self) -> str:
        return ALIASES[self.kind]


@dataclass(frozen=True)
class Derived:
    name: str
    where: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Group:
    op: str               # all | any
    items: tuple[Any, ...]


@dataclass
class CompiledRule:
    """One durable rule: the spec it came from and the facts its patterns bind."""

    rule: LoadedRule
    name: str
    aliases: dict[str, str]       # durable alias -> fact kind ('derived' for derived facts)
    fields: list[tuple[str, str]]  # (fact kind, field path) read by the condition, for 'because'


@dataclass
class CompiledRules:
    definition: dict[str, dict[str, Any]] = field(default_factory=dict)
    index: dict[str, CompiledRule] = field(default_factory=dict)
    rules: list[LoadedRule] = field(default_factory=list)
    reads: dict[str, ReadTree] = field(default_factory=dict)  # per fact kind (durable.reads)


def compile_rules(rules: list[LoadedRule]) -> tuple[CompiledRules, list[Issue]]:
    """Compile every rule; return the durable definition and the problems found."""
    out = CompiledRules(rules=list(rules))
    issues: list[Issue] = []
    for rule in rules:
        try:
            terms = _dnf(_nnf(_parse(rule.spec.when, rule.spec.subject, ("when",))))
        except CompileError as exc:
            issues.append(Issue(rule.locate(*exc.path), f"rule {rule.spec.id}: {exc.message}"))
            continue
        if len(terms) > MAX_TERMS:
            issues.append(Issue(rule.locate("when"), (
                f"rule {rule.spec.id}: condition expands to {len(terms)} alternatives (max "
                f"{MAX_TERMS}); split the rule")))
            continue
        for number, term in enumerate(terms):
            name = f"{rule.spec.id}#{number}"
            definition, aliases, fields = _durable_rule(rule, term)
            out.definition[name] = definition
            out.index[name] = CompiledRule(rule, name, aliases, fields)
    out.reads = read_trees(out.definition, out.rules)
    return out, issues


# --- parsing ------------------------------------------------------------------------------


def _parse(node: Any, subject: str, path: tuple[str | int, ...]) -> Any:
    if not isinstance(node, dict) or len(node) == 0:
        raise CompileError(path, "a condition must be a mapping such as {field: ..., eq: ...}")
    if "derived" in node:
        extra = set(node) - {"derived", "where"}
        where = node.get("where", {})
        if extra or not isinstance(node["derived"], str) or not isinstance(where, dict):
            raise CompileError(path, "write {derived: <name>, where: {<key>: <value>}}")
        return Derived(node["derived"], tuple(sorted(where.items())))
    if "field" not in node:
        if len(node) != 1:
            raise CompileError(path, f"expected one of all/any/not/derived, got {sorted(node)}")
        (key, value), = node.items()
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise CompileError((*path, key), f"'{key}' takes a non-empty list of conditions")
            return Group(key, tuple(_parse(v, subject, (*path, key, i))
                                    for i, v in enumerate(value)))
        if key == "not":
            return ("not", _parse(value, subject, (*path, "not")))
        raise CompileError((*path, key), (
            f"unknown operator '{key}'.{hint(key, ['all', 'any', 'not', 'derived', 'field'])}"))
    return _parse_leaf(node, subject, path)


def _parse_leaf(node: dict[str, Any], subject: str, path: tuple[str | int, ...]) -> Leaf:
    name = node["field"]
    ops = [k for k in node if k != "field"]
    if len(ops) != 1:
        raise CompileError(path, f"a test names one operator ({', '.join(OPS)}), got {ops}")
    op = ops[0]
    if op not in OPS:
        raise CompileError((*path, op), f"unknown operator '{op}'.{hint(op, OPS)}")
    spec = _field(name, subject, (*path, "field"))
    kind, _, inner = str(name).partition(".")
    value = node[op]
    _check_value(spec, op, value, subject, (*path, op), kind)
    return Leaf(kind, inner, op, value)


def _field(name: Any, subject: str, path: tuple[str | int, ...]) -> FieldSpec:
    if not isinstance(name, str) or name not in FACT_SCHEMA:
        raise CompileError(path, f"unknown field '{name}'.{hint(str(name), FACT_SCHEMA)}")
    kind = name.partition(".")[0]
    allowed = {"use_case": ("use_case", "vendor", "client"), "vendor": ("vendor", "client"),
               "client": ("client",)}[subject]
    if kind not in allowed:
        raise CompileError(path, f"a {subject} rule cannot read {kind} fields")
    return FACT_SCHEMA[name]


def _check_value(spec: FieldSpec, op: str, value: Any, subject: str,
                 path: tuple[str | int, ...], kind: str) -> None:
    if op in ("missing", "is_empty"):
        if not isinstance(value, bool):
            raise CompileError(path, f"'{op}' takes true or false")
        if op == "is_empty" and spec.kind != "list":
            raise CompileError(path, "'is_empty' applies to list fields only")
        return
    if op in COMPARE:
        if isinstance(value, dict):
            if set(value) - {"field", "times"} or "field" not in value:
                raise CompileError(path, "a field reference is {field: <name>, times: <number>}")
            other = _field(value["field"], subject, (*path, "field"))
            if str(value["field"]).partition(".")[0] != kind:
                raise CompileError(path, (
                    "compare with a field of the same fact only (durable_rules 2.0.28 "
                    "mis-evaluates cross-fact arithmetic next to 'any'); precompute the value "
                    "in engine/facts.py"))
            if other.kind != "number" or not isinstance(value.get("times", 1), (int, float)):
                raise CompileError(path, "compare numbers with numbers")
        elif spec.kind == "date":
            if not isinstance(value, str) or not _is_date(value):
                raise CompileError(path, f"'{op}' on a date compares with a date \"YYYY-MM-DD\"")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CompileError(path, f"'{op}' compares with a number")
        if spec.kind not in ("number", "date"):
            raise CompileError(path, f"'{op}' applies to numbers and dates only")
        return
    values = value if isinstance(value, list) else [value]
    if op in ("in", "not_in", "contains_any", "contains_all") and not isinstance(value, list):
        raise CompileError(path, f"'{op}' takes a list of values")
    if op in ("contains", "contains_any", "contains_all") and spec.kind != "list":
        raise CompileError(path, f"'{op}' applies to list fields; use eq or in")
    if op in ("eq", "ne", "in", "not_in") and spec.kind == "list":
        raise CompileError(path, f"'{op}' does not apply to a list field; use contains")
    if spec.values:
        shown = {("true" if v is True else "false" if v is False else str(v)): v
                 for v in spec.values}
        for item in values:
            if item not in spec.values or isinstance(item, bool) != isinstance(
                    next((v for v in spec.values if v == item), item), bool):
                raise CompileError(path, (
                    f"'{item}' is not a value of this field (allowed: {', '.join(shown)})."
                    + hint(str(item), shown)))


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


# --- normal forms -------------------------------------------------------------------------


def _nnf(node: Any, negate: bool = False) -> Any:
    if isinstance(node, tuple) and node[0] == "not":
        return _nnf(node[1], not negate)
    if isinstance(node, Group):
        op = {"all": "any", "any": "all"}[node.op] if negate else node.op
        return Group(op, tuple(_nnf(item, negate) for item in node.items))
    if isinstance(node, Derived):
        if negate:
            raise CompileError(("when",), "'not' cannot apply to a derived fact")
        return node
    leaf: Leaf = node
    return Leaf(leaf.kind, leaf.path, leaf.op, leaf.value, leaf.negated != negate)


def _single_kind(node: Any) -> str | None:
    """The one fact kind a subtree tests (no derived facts, no cross-fact values), else None."""
    if isinstance(node, Derived):
        return None
    if isinstance(node, Leaf):
        return node.kind
    kinds = {_single_kind(item) for item in node.items}
    return kinds.pop() if len(kinds) == 1 and None not in kinds else None


def _dnf(node: Any) -> list[list[Any]]:
    if _single_kind(node) is not None or isinstance(node, (Leaf, Derived)):
        return [[node]]
    parts = [_dnf(item) for item in node.items]
    if node.op == "any":
        return [term for part in parts for term in part]
    terms = [[atom for chosen in combo for atom in chosen] for combo in itertools.product(*parts)]
    if len(terms) > MAX_TERMS:
        raise CompileError(("when",), f"condition expands to more than {MAX_TERMS} alternatives")
    return terms


# --- durable expressions ------------------------------------------------------------------


def _durable_rule(rule: LoadedRule, term: list[Any]) -> tuple[dict[str, Any], dict[str, str],
                                                                list[tuple[str, str]]]:
    subject = rule.spec.subject
    subject_alias = ALIASES[subject]
    tests: dict[str, list[Any]] = {a: [] for a in PATTERN_ORDER}
    used = {subject_alias}
    derived: list[Derived] = []
    fields: list[tuple[str, str]] = []
    if rule.spec.valid_from or rule.spec.valid_until:
        used.add("c")
        if rule.spec.valid_from:
            tests["c"].append({"$gte": {"as_of": rule.spec.valid_from.isoformat()}})
        if rule.spec.valid_until:
            tests["c"].append({"$lte": {"as_of": rule.spec.valid_until.isoformat()}})
    for atom in term:
        if isinstance(atom, Derived):
            derived.append(atom)
            continue
        for leaf in _leaves(atom):
            fields.append((leaf.kind, leaf.path))
            used.add(leaf.alias)
            if isinstance(leaf.value, dict):
                other = str(leaf.value["field"]).partition(".")
                fields.append((other[0], other[2]))
        home, expr = _expr_placed(atom)
        tests[home].append(expr)
    if subject == "use_case" and "v" in used:
        tests["uc"].insert(0, {"vendor": {"v": "vid"}})
    patterns: list[dict[str, Any]] = []
    aliases: dict[str, str] = {}
    kinds = {v: k for k, v in ALIASES.items()}
    for alias in PATTERN_ORDER:
        if alias in used:
            patterns.append({alias: {"$and": [{"type": kinds[alias]}, *tests[alias]]}})
            aliases[alias] = kinds[alias]
    for number, atom in enumerate(derived):
        alias = f"d{number}"
        where = [{key: value} for key, value in atom.where]
        patterns.append({alias: {"$and": [{"type": "derived"}, {"name": atom.name}, *where,
                                          {"subject": {subject_alias: ID_FIELDS[subject]}}]}})
        aliases[alias] = "derived"
    return {"all": patterns}, aliases, fields


def _leaves(node: Any) -> list[Leaf]:
    if isinstance(node, Leaf):
        return [node]
    return [leaf for item in node.items for leaf in _leaves(item)]


def _expr_placed(atom: Any) -> tuple[str, Any]:
    """The alias an atom tests and its durable expression."""
    kinds = {leaf.alias for leaf in _leaves(atom)}
    return kinds.pop(), _group_expr(atom)


def _group_expr(node: Any) -> Any:
    if isinstance(node, Leaf):
        if isinstance(node.value, dict):  # another field of the same fact, times a factor
            times = float(node.value.get("times", 1))
            other = str(node.value["field"]).partition(".")[2]
            return _leaf_expr(node, {"$mul": {"$l": {"$m": other}, "$r": times}})
        return _leaf_expr(node, node.value)
    key = "$and" if node.op == "all" else "$or"
    return {key: [_group_expr(item) for item in node.items]}


def _leaf_expr(leaf: Leaf, value: Any) -> Any:
    f, op, neg = leaf.path, leaf.op, leaf.negated
    absent = {"$nex": {f: 1}}
    if op == "missing":
        return {"$nex" if value != neg else "$ex": {f: 1}}
    if op == "is_empty":
        empty = {f"{f}_n": 0}
        if value != neg:
            return empty
        return {"$or": [absent, {"$gt": {f"{f}_n": 0}}]} if neg else {"$gt": {f"{f}_n": 0}}
    if op in COMPARE:
        if neg:
            return {"$or": [absent, {COMPARE[NEGATE_COMPARE[op]]: {f: value}}]}
        return {COMPARE[op]: {f: value}}
    if op in ("eq", "ne", "in", "not_in"):
        values = value if isinstance(value, list) else [value]
        positive = op in ("eq", "in")
        if positive != neg:  # present and equal to one of the values
            return {"$or": [{f: v} for v in values]} if len(values) > 1 else {f: values[0]}
        others = [{"$neq": {f: v}} for v in values]
        present_other = {"$and": others} if len(others) > 1 else others[0]
        # "not equal": present and different, or (under negation) unanswered
        return {"$or": [absent, present_other]} if neg else present_other
    values = value if isinstance(value, list) else [value]
    if op == "contains_all":
        if not neg:
            return {"$and": [{"$iany": {f: {"$i": v}}} for v in values]}
        return {"$or": [absent, {f"{f}_n": 0},
                        *[{"$iall": {f: {"$neq": {"$i": v}}}} for v in values]]}
    # contains / contains_any
    if not neg:
        inner = {"$or": [{"$i": v} for v in values]} if len(values) > 1 else {"$i": values[0]}
        return {"$iany": {f: inner}}
    none_of = [{"$neq": {"$i": v}} for v in values]
    inner = {"$and": none_of} if len(none_of) > 1 else none_of[0]
    return {"$or": [absent, {f"{f}_n": 0}, {"$iall": {f: inner}}]}
