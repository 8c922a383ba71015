"""Tests of durable.translate: durable fires a branch exactly when the condition tree holds.

The oracle is a plain Python reading of the condition language (docs/rules.md §3), written
here: on random clients, durable_rules (through the translation and the fact encoding) and the
oracle must agree on every branch that needs no derived fact.
"""

from __future__ import annotations

import operator
import random
from pathlib import Path
from typing import Any

import pytest

from engine.rules.base import RuleBase, load_rulebase
from engine.rules.compiler import ID_FIELDS, CompiledBranch
from engine.rules.conditions import All, FieldRef, Leaf
from engine.rules.conditions import Any as AnyOf
from engine.rules.durable.translate import durable_rule, expression
from engine.rules.schema import FACT_SCHEMA, field_value
from engine.rules.witness import synthetic_clients

RULES = Path(__file__).resolve().parents[3] / "rules"
COMPARE = {"lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}


@pytest.fixture(scope="module")
def rulebase() -> RuleBase:
    return load_rulebase(RULES)


def _holds(node: Leaf | All | AnyOf, fact: dict[str, Any]) -> bool:
    if isinstance(node, All):
        return all(_holds(item, fact) for item in node.items)  # type: ignore[arg-type]
    if isinstance(node, AnyOf):
        return any(_holds(item, fact) for item in node.items)  # type: ignore[arg-type]
    return _test(node, fact) != node.negated


def _test(leaf: Leaf, fact: dict[str, Any]) -> bool:
    value = field_value(fact, leaf.kind, leaf.path)
    values = leaf.values()
    if leaf.op == "missing":
        return (value is None) == leaf.value
    if value is None:
        return False  # a test on an unanswered field is false
    if leaf.op == "is_empty":
        return (len(value) == 0) == leaf.value
    if leaf.op in COMPARE:
        other: Any = leaf.value
        if isinstance(other, FieldRef):
            ref = field_value(fact, leaf.kind, other.path)
            if ref is None:
                return False
            other = ref * other.times
        return bool(COMPARE[leaf.op](value, other))
    if leaf.op == "contains":
        return values[0] in value
    if leaf.op == "contains_any":
        return any(v in value for v in values)
    if leaf.op == "contains_all":
        return all(v in value for v in values)
    same = any(value == v and isinstance(value, bool) == isinstance(v, bool) for v in values)
    return same if leaf.op in ("eq", "in") else not same


def _branch_holds(branch: CompiledBranch, facts: dict[str, list[dict[str, Any]]]
                  ) -> set[str]:
    """The subjects (ids) for which the branch holds."""
    spec = branch.rule.spec
    client = facts["client"][0]
    as_of = client.get("as_of")
    if (spec.valid_from or spec.valid_until) and as_of is None:
        return set()  # no legal date: no dated rule is in force
    if (spec.valid_from and as_of < spec.valid_from.isoformat()) or (
            spec.valid_until and as_of > spec.valid_until.isoformat()):
        return set()
    out = set()
    for subject in facts[branch.subject]:
        bound = {branch.subject: subject, "client": client}
        if "vendor" in branch.kinds and branch.subject == "use_case":
            vendor = next((v for v in facts["vendor"] if v["vid"] == subject.get("vendor")), None)
            if vendor is None:
                continue  # vendor fields join the use case with its vendor
            bound["vendor"] = vendor
        if all(_holds(atom, bound[next(iter(_kinds(atom)))]) for atom in branch.branch.tests):
            out.add(str(subject[ID_FIELDS[branch.subject]]))
    return out


def _kinds(atom: Leaf | All | AnyOf) -> set[str]:
    if isinstance(atom, Leaf):
        return {atom.kind}
    return {k for item in atom.items for k in _kinds(item)}  # type: ignore[arg-type]


def _shake(client: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """A variant of a client: some fields dropped, others given another allowed value."""
    out = [dict(fact) for fact in client]
    for fact in out:
        kind = str(fact["type"])
        for name, spec in FACT_SCHEMA.items():
            owner, _, path = name.partition(".")
            if owner != kind or spec.count_of is not None or rng.random() > 0.15:
                continue
            *parents, last = path.split(".")
            node = fact
            for part in parents:
                node[part] = dict(node.get(part, {}))
                node = node[part]
            if rng.random() < 0.3:
                node.pop(last, None)
            elif spec.kind == "list":
                node[last] = rng.sample(list(spec.values) or ["x"],
                                        rng.randint(0, min(4, len(spec.values) or 1)))
            elif spec.values:
                node[last] = rng.choice(spec.values)
            elif spec.kind == "number":
                node[last] = rng.choice([0, 1, 2.5, 3, 4, 5, 10, 50, 1e-5, 250, 1000.0])
    return out


def test_durable_fires_a_branch_exactly_when_its_condition_holds(rulebase: RuleBase) -> None:
    rng = random.Random(11)
    base = synthetic_clients(rulebase.compiled)
    branches = [b for b in rulebase.compiled.branches.values() if not b.derived]
    checked = 0
    for number in range(240):
        client = _shake(rng.choice(base), rng)
        by_kind: dict[str, list[dict[str, Any]]] = {"client": [], "vendor": [], "use_case": []}
        for fact in client:
            by_kind[str(fact["type"])].append(fact)
        # Per rule, not per branch: a rule too wide for one durable pattern is expanded into
        # finer branches by the adapter, whose numbers are not the compiled branches' numbers.
        fired: dict[str, set[str]] = {}
        for firing in rulebase.evaluate(client, sid=f"t{number}"):
            if firing.branch.derived:
                continue  # chained on derived facts: not read by the oracle
            subject = firing.facts[firing.branch.subject]
            fired.setdefault(firing.branch.rule.spec.id, set()).add(
                str(subject[ID_FIELDS[firing.branch.subject]]))
        expected: dict[str, set[str]] = {}
        for branch in branches:
            expected.setdefault(branch.rule.spec.id, set()).update(_branch_holds(branch, by_kind))
        for rule_id, subjects in expected.items():
            assert fired.get(rule_id, set()) == subjects, (rule_id, client)
            checked += len(subjects)
    assert checked > 1000  # the clients made many branches hold, not only fail


class TestShapes:
    def _leaf(self, op: str, value: Any, negated: bool = False) -> Leaf:
        return Leaf("use_case", "system.capabilities" if op.startswith(("contains", "is_")) else
                    "stage", op, value, negated)  # type: ignore[arg-type]

    def test_not_equal_accepts_an_unanswered_field_only_under_negation(self) -> None:
        assert expression(self._leaf("ne", "pilot")) == {"$neq": {"stage": "pilot"}}
        assert expression(self._leaf("eq", "pilot", negated=True)) == {
            "$or": [{"$nex": {"stage": 1}}, {"$neq": {"stage": "pilot"}}]}

    def test_contains_none_of_accepts_an_empty_list(self) -> None:
        assert expression(self._leaf("contains", ("translation",), negated=True)) == {
            "$or": [{"$nex": {"system.capabilities": 1}}, {"system.capabilities_n": 0},
                    {"$iall": {"system.capabilities": {"$neq": {"$i": "translation"}}}}]}

    def test_rule_dates_are_not_tested_by_durable(self, rulebase: RuleBase) -> None:
        dated = [b for b in rulebase.compiled.branches.values() if b.rule.spec.valid_from]
        assert dated
        for branch in dated:
            body, aliases = durable_rule(branch)
            assert "as_of" not in str(body)
            if not any(leaf_kind == "client" for leaf_kind, _ in branch.fields):
                assert "c" not in aliases  # no client join only to read the date

    def test_vendor_fields_join_first(self, rulebase: RuleBase) -> None:
        joined = [b for b in rulebase.compiled.branches.values()
                  if b.subject == "use_case" and "vendor" in b.kinds]
        assert joined
        for branch in joined:
            body, _ = durable_rule(branch)
            use_case = next(p["uc"] for p in body["all"] if "uc" in p)
            assert use_case["$and"][:2] == [{"type": "use_case"}, {"vendor": {"v": "vid"}}]
