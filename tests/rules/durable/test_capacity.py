"""durable_rules' limits, found again by experiment, against the model and budget of capacity.py.

Each experiment grows a synthetic ruleset of one shape in a fresh subprocess (with a timeout:
past one limit ``create_ruleset`` never returns), finds the largest size durable accepts, and
checks that the model (:class:`Network`) measures exactly the limit there, and that the
adapter's budget stays well below it.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from engine.rules.durable.capacity import BUDGET, LIMITS, Network, usage_of

TIMEOUT = 3.0  # a ruleset of a few hundred rules registers in about 0.1 s

# The child: build the ruleset of one shape and size, register it, assert its facts.
CHILD = r"""
import json, sys
import durable_rules_engine as c
definition, facts = json.loads(sys.stdin.read())
try:
    handle = c.create_ruleset("experiment", json.dumps(definition))
    for fact in facts:
        c.assert_fact(handle, json.dumps(fact))
except Exception as exc:
    print("failed", exc)
else:
    print("ok")
"""
Shape = Callable[[int], tuple[dict[str, Any], list[Any]]]


def _rule(*tests: Any) -> dict[str, Any]:
    return {"all": [{"m": {"$and": [{"type": "t"}, *tests]}}]}


def _children(n: int) -> tuple[dict[str, Any], list[Any]]:
    """n rules testing one field against n values, and a fact with another value."""
    return {f"r{i}": _rule({"f": i}) for i in range(n)}, [{"type": "t", "sid": "s", "f": -1}]


def _absent(n: int) -> tuple[dict[str, Any], list[Any]]:
    """n rules each asking a different field to be absent (registration only: a fact would
    pass them all at once, past the pending limit)."""
    return {f"r{i}": _rule({"$nex": {f"g{i}": 1}}) for i in range(n)}, []


def _patterns(n: int) -> tuple[dict[str, Any], list[Any]]:
    """n identical rules: n patterns end at one node; a fact passes it."""
    return {f"r{i}": _rule({"f": 1}) for i in range(n)}, [{"type": "t", "sid": "s", "f": 1}]


def _pending(n: int) -> tuple[dict[str, Any], list[Any]]:
    """n rules each with its own "contains a" test, and a fact whose list holds a."""
    return ({f"r{i}": _rule({"$iany": {"tags": {"$i": "a"}}}) for i in range(n)},
            [{"type": "t", "sid": "s", "tags": ["a"]}])


def _expressions(n: int) -> tuple[dict[str, Any], list[Any]]:
    """One rule whose pattern has n expressions ($and and each $or: two, a $m reference: one)."""
    tests: list[Any] = [{"$or": [{"f": 1}, {"f": 2}]} for _ in range((n - 2) // 2)]
    if n % 2:
        tests.append({"$gt": {"f": {"$mul": {"$l": {"$m": "g"}, "$r": 2}}}})
    return {"r0": _rule(*tests)}, []


def _frames(n: int) -> tuple[dict[str, Any], list[Any]]:
    """One rule joining n facts (one of type t, n - 1 others), and those facts."""
    patterns = [{"m": {"$and": [{"type": "t"}]}}] + [
        {f"d{i}": {"$and": [{"type": "d"}, {"name": i}]}} for i in range(n - 1)]
    facts = [{"type": "t", "sid": "s"}] + [{"type": "d", "name": i, "sid": "s"}
                                           for i in range(n - 1)]
    return {"r0": {"all": patterns}}, facts


def _rules(n: int) -> tuple[dict[str, Any], list[Any]]:
    """n rules, spread over two levels of tests so that no node is full."""
    return {f"r{i}": _rule({"a": i // 60}, {"b": i % 60}) for i in range(n)}, []


SHAPES: dict[str, tuple[Shape, int, int]] = {
    # measure: (shape, a size that works, a size that fails)
    "children": (_children, 400, 600),
    "absent": (_absent, 100, 160),
    "patterns": (_patterns, 200, 300),
    "pending": (_pending, 40, 100),
    "expressions": (_expressions, 10, 40),
    "frames": (_frames, 4, 32),
    "rules": (_rules, 3000, 5000),
}


def _works(shape: Shape, n: int) -> bool:
    definition, facts = shape(n)
    try:
        done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps([definition, facts]),
                              capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return False  # durable hangs in C (a full table)
    return done.returncode == 0 and done.stdout.strip() == "ok"  # else an error, or it died


def _largest_working(name: str) -> int:
    shape, low, high = SHAPES[name]
    assert _works(shape, low), f"{name}: {low} should work"
    assert not _works(shape, high), f"{name}: {high} should fail"
    while high - low > 1:
        middle = (low + high) // 2
        if _works(shape, middle):
            low = middle
        else:
            high = middle
    return low


def _measure(name: str, n: int) -> int:
    definition, _ = SHAPES[name][0](n)
    used = usage_of(definition.values())
    return int(getattr(used, name))


@pytest.mark.parametrize("name", list(SHAPES))
def test_durable_limit_is_the_modelled_one_and_the_budget_is_below(name: str) -> None:
    """Found by experiment, each limit is where the model says; the budget keeps a margin."""
    largest = _largest_working(name)
    assert _measure(name, largest) == getattr(LIMITS, name), (name, largest)
    assert getattr(BUDGET, name) <= 0.8 * getattr(LIMITS, name)


def test_budget_and_limits_name_the_same_measures() -> None:
    assert set(dataclasses.asdict(BUDGET)) == set(dataclasses.asdict(LIMITS)) == set(SHAPES)


class TestModel:
    def test_equal_tests_share_a_node_and_array_tests_never_do(self) -> None:
        network = Network()
        network.add(_rule({"f": 1}))
        network.add(_rule({"f": 1}))
        assert network.used.children == 1
        assert network.used.patterns == 2
        network.add(_rule({"$iany": {"tags": {"$i": "a"}}}))
        network.add(_rule({"$iany": {"tags": {"$i": "a"}}}))
        assert network.used.children == 3  # f == 1, and two $iany nodes

    def test_one_value_of_a_field_passes_and_absent_excludes_present(self) -> None:
        """Equality tests of one field exclude each other; so do "absent" and a test on it."""
        equal = usage_of([_rule({"f": i}) for i in range(50)])
        assert equal.pending == 1
        mixed = usage_of([_rule({"$nex": {"f": 1}}), _rule({"$gt": {"f": 1}}),
                          _rule({"$lt": {"f": 5}})])
        assert mixed.pending == 2

    def test_or_forward_node_and_depth(self) -> None:
        """A $or links every alternative to one node; stack depth adds up along a path."""
        used = usage_of([_rule({"$or": [{"f": 1}, {"g": 2}]}, {"$iany": {"t": {"$i": 1}}})])
        assert used.absent == 1  # the forward node, under each alternative
        assert used.expressions == 4  # $and, $or
        assert used.pending == 2  # f and g may both pass: two forward nodes pending

    def test_the_issue_scenario_is_refused_in_one_ruleset(self) -> None:
        """50 rules of an 8-way "any" on one list: past the children limit durable hangs at."""
        rules = [_rule({"$or": [{"$iany": {"caps": {"$i": f"v{k}"}}} for k in range(8)]})
                 for _ in range(64)]
        used = usage_of(rules)
        assert used.children == 512
        assert used.over(LIMITS)
        assert used.pending > LIMITS.pending
