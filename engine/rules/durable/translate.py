"""Rule branches -> durable_rules rule definitions (JSON), one durable rule per branch.

A branch (:class:`engine.rules.compiler.CompiledBranch`) becomes ``{"all": [patterns]}``: one
pattern per profile fact it tests, aliased ``c`` (client), ``v`` (vendor), ``uc`` (use case),
in that order, then one ``d<n>`` pattern per derived fact it requires. A rule's dates
(``valid_from``/``valid_until``) are not tested by durable: the legal date is the same for every
fact of a client, so the action of a rule out of force does nothing (:mod:`.evaluate`), and the
client fact is not joined only to read it. Tests on one fact become
one durable expression (``$and``/``$or``). A use-case rule that reads vendor fields joins
``uc.vendor`` to ``v.vid`` (first, before any ``$or``: durable mis-evaluates a cross-fact test
placed after one); a derived fact joins its ``subject`` to the subject's id.

Why the translation of negations looks long: durable never matches a missing field, not even
with ``$neq``, so "not equal" must also accept an absent field, and "contains none of" an
empty list (the fact encoding gives every list ``x`` its length ``x_n``, :mod:`.encode`).
"""

from __future__ import annotations

from typing import Any

from engine.rules.compiler import ID_FIELDS, CompiledBranch
from engine.rules.conditions import COMPARE, NEGATE_COMPARE, All, FieldRef, Leaf, leaves
from engine.rules.conditions import Any as AnyOf
from engine.rules.schema import COUNT_SUFFIX
from engine.rules.types import Subject

ALIASES: dict[Subject, str] = {"client": "c", "vendor": "v", "use_case": "uc"}
KINDS: dict[str, Subject] = {alias: kind for kind, alias in ALIASES.items()}
DERIVED = "derived"  # the type of derived facts, and the kind their aliases bind
OPERATORS = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}

Json = Any  # a JSON value of a durable definition


def durable_rule(branch: CompiledBranch) -> tuple[dict[str, Json], dict[str, str]]:
    """The durable rule of one branch and its aliases (alias -> fact kind, or ``derived``)."""
    spec = branch.rule.spec
    subject_alias = ALIASES[spec.subject]
    tests: dict[Subject, list[Json]] = {kind: [] for kind in branch.kinds}
    for atom in branch.branch.tests:
        kind = next(iter(leaves(atom))).kind
        tests[kind].append(expression(atom))
    if spec.subject == "use_case" and "vendor" in tests:
        tests["use_case"].insert(0, {"vendor": {"v": "vid"}})
    patterns: list[Json] = []
    aliases: dict[str, str] = {}
    for kind in bound_kinds(branch):
        alias = ALIASES[kind]
        patterns.append({alias: {"$and": [{"type": kind}, *tests[kind]]}})
        aliases[alias] = kind
    for number, derived in enumerate(branch.derived):
        alias = f"d{number}"
        where = [{key: value} for key, value in derived.where]
        patterns.append({alias: {"$and": [
            {"type": DERIVED}, {"name": derived.name}, *where,
            {"subject": {subject_alias: ID_FIELDS[spec.subject]}}]}})
        aliases[alias] = DERIVED
    return {"all": patterns}, aliases


def bound_kinds(branch: CompiledBranch) -> tuple[Subject, ...]:
    """The profile facts the durable rule binds: the branch's, but the client only when a test
    reads it (the legal date of ``valid_from``/``valid_until`` is checked by the action)."""
    read = {leaf.kind for atom in branch.branch.tests for leaf in leaves(atom)}
    return tuple(k for k in branch.kinds if k != "client" or k in read or branch.subject == k)


def expression(node: Leaf | All | AnyOf) -> Json:
    """The durable expression of a test or of a group of tests on one fact (in NNF)."""
    if isinstance(node, Leaf):
        if isinstance(node.value, FieldRef):  # another field of the same fact, times a factor
            ref = node.value
            return _leaf(node, {"$mul": {"$l": {"$m": ref.path}, "$r": ref.times}})
        return _leaf(node, node.value)
    key = "$and" if isinstance(node, All) else "$or"
    return {key: [expression(item) for item in node.items]}  # type: ignore[arg-type]


# durable checks that the last node of an ``$iany``/``$iall`` element test has no field on its
# right; for an ``$or`` that node is a "forward" node whose right side durable never sets, so
# create_ruleset read uninitialised memory and, now and then, refused a valid ruleset with
# error 102 (seen in long test processes). An ``$or`` inside an element test is therefore
# followed by this always-true test, which ends the chain on a node durable does set.
ARRAY_OR_LAST: Json = {"$neq": {"$i": "\u241e"}}  # U+241E: no profile list holds it


def _leaf(leaf: Leaf, value: Any) -> Json:
    f, op, neg = leaf.path, leaf.op, leaf.negated
    count = f"{f}{COUNT_SUFFIX}"
    absent = {"$nex": {f: 1}}
    if op == "missing":
        return {"$nex" if value != neg else "$ex": {f: 1}}
    if op == "is_empty":
        empty = {count: 0}
        if value != neg:
            return empty
        return {"$or": [absent, {"$gt": {count: 0}}]} if neg else {"$gt": {count: 0}}
    if op in COMPARE:
        if neg:
            return {"$or": [absent, {OPERATORS[NEGATE_COMPARE[op]]: {f: value}}]}
        return {OPERATORS[op]: {f: value}}
    values = list(leaf.values())
    if op in ("eq", "ne", "in", "not_in"):
        positive = op in ("eq", "in")
        if positive != neg:  # present and equal to one of the values
            return {"$or": [{f: v} for v in values]} if len(values) > 1 else {f: values[0]}
        others = [{"$neq": {f: v}} for v in values]
        present_other = {"$and": others} if len(others) > 1 else others[0]
        # "not equal": present and different, or (under negation) unanswered
        return {"$or": [absent, present_other]} if neg else present_other
    if op == "contains_all":
        if not neg:
            return {"$and": [{"$iany": {f: {"$i": v}}} for v in values]}
        return {"$or": [absent, {count: 0}, *[{"$iall": {f: {"$neq": {"$i": v}}}} for v in values]]}
    # contains / contains_any
    if not neg:
        inner: Json = {"$i": values[0]}
        if len(values) > 1:  # see ARRAY_OR
            inner = {"$and": [{"$or": [{"$i": v} for v in values]}, ARRAY_OR_LAST]}
        return {"$iany": {f: inner}}
    none_of: list[Json] = [{"$neq": {"$i": v}} for v in values]
    inner = {"$and": none_of} if len(none_of) > 1 else none_of[0]
    return {"$or": [absent, {count: 0}, {"$iall": {f: inner}}]}
