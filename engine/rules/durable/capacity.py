"""durable_rules' capacity: a model of its network, the limits it has, and the budget we keep.

durable_rules 2.0.28 compiles a ruleset into a network of test nodes (``src/rules/rete.c``).
Each pattern ``{"$and": [t1, t2, ...]}`` is a chain of nodes from the root; a node is shared
with an identical test under the same parent, except ``$iany``/``$iall`` and tests whose value
is another field (joins, ``$m``), which are always new; ``$or`` adds a "forward" node that
every alternative links to. The C code has fixed-size tables, found in its source and measured
(``tests/rules/durable/test_capacity.py`` finds each limit again by experiment):

============================  ======  ============================================  ========
what                          limit   past it                                        budget
============================  ======  ============================================  ========
test children of one node      511    512: matching a fact never ends; 513:          383
                                      ``create_ruleset`` never ends (a full probe
                                      table, ``NEXT_BUCKET_LENGTH`` 512)
"absent" children of a node    128    error 107 (``NEXT_LIST_LENGTH``)               96
rule patterns ending at a      255    256: the process dies; 257: error 108          191
node                                  (``BETA_LIST_LENGTH``)
nodes pending while one fact    64    error 303 when asserting (``MAX_STACK_SIZE``)   48
is matched
expressions in one pattern      31    error 113 (``MAX_SEQUENCE_EXPRESSIONS``)       23
patterns in one rule            16    error 304 when asserting                       12
                                      (``MAX_MESSAGE_FRAMES``)
rules in one ruleset           4096   error 106 (``MAX_ACTIONS``)                   1023
============================  ======  ============================================  ========

"Pending nodes" is the depth of durable's matching stack: at a node, every child test the fact
passes is pushed, and a fact whose lists hold many values passes many ``$iany`` tests at once.
:func:`pending` bounds it for any fact: it counts, below each node, every child that could
pass together (tests of one field by equality exclude each other; all others may pass at once)
and takes the deepest path. The budgets keep a quarter of each limit as a margin.

Why model rather than try: durable cannot be asked how full it is, a ruleset past the first
limit hangs in C (Ctrl-C ignored) and rulesets are never freed; the split
(:func:`split`) must be decided before anything is registered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.rules.durable.encode import dumps

_ARRAY_OPS = ("$iany", "$iall")
_TESTS = frozenset({"$lt", "$lte", "$gt", "$gte", "$neq", "$eq", "$ex", "$nex", "$mt", "$imt"})


@dataclass(frozen=True)
class Limits:
    """durable_rules 2.0.28's limits, or a budget under them (same fields)."""

    children: int     # test children of one node
    absent: int       # "absent" ($nex and $or-forward) children of one node
    patterns: int     # rule patterns ending at one node
    pending: int      # nodes pending while matching one fact
    expressions: int  # expressions in one pattern ($and/$or count two, joins one)
    frames: int       # patterns in one rule (its facts: use case, vendor, client, derived)
    rules: int        # rules in one ruleset


LIMITS = Limits(children=511, absent=128, patterns=255, pending=64, expressions=31, frames=16,
                rules=4096)
BUDGET = Limits(children=383, absent=96, patterns=191, pending=48, expressions=23, frames=12,
                rules=1023)


class _Node:
    __slots__ = ("absent", "array", "array_absent", "children", "depth", "key", "op", "patterns",
                 "shared")

    def __init__(self, op: str, key: tuple[str, ...], shared: bool = True) -> None:
        self.op = op
        self.key = key          # (operator, property, value text): what sharing compares
        self.shared = shared    # an identical test under the same parent reuses this node
        self.children: list[_Node] = []      # tests (durable's probe table)
        self.absent: list[_Node] = []        # $nex tests and $or forward nodes
        self.array: list[_Node] = []         # element tests of $iany/$iall
        self.array_absent: list[_Node] = []
        self.patterns = 0
        self.depth: int | None = None        # pending(): cached until a rule changes it


@dataclass
class Usage:
    """How full one ruleset is, in the units of :class:`Limits`."""

    children: int = 0
    absent: int = 0
    patterns: int = 0
    pending: int = 0
    expressions: int = 0
    frames: int = 0
    rules: int = 0

    def over(self, limits: Limits) -> list[str]:
        """The measures past ``limits``, each as ``<what> N (max M)``."""
        return [f"{_WORDS[name]} {getattr(self, name)} (max {getattr(limits, name)})"
                for name in _WORDS if getattr(self, name) > getattr(limits, name)]


_WORDS = {"children": "tests under one node", "absent": "absent-field tests under one node",
          "patterns": "patterns ending at one node", "pending": "tests one fact can pass at once",
          "expressions": "expressions in one pattern", "frames": "facts one rule joins",
          "rules": "rules"}


class Network:
    """The network durable would build for a set of rules, grown one rule at a time."""

    def __init__(self) -> None:
        self.root = _Node("root", ())
        self.used = Usage()
        self._touched: list[_Node] = []

    def add(self, body: dict[str, Any]) -> Usage:
        """Add one durable rule ``{"all": [{alias: expression}, ...]}``; return the new usage."""
        for pattern in body["all"]:
            ((_, expression),) = pattern.items()
            end, count = self._create(expression, self.root, False)
            end.patterns += 1
            self._touched.append(end)
            self.used.patterns = max(self.used.patterns, end.patterns)
            self.used.expressions = max(self.used.expressions, count)
        self.used.rules += 1
        self.used.frames = max(self.used.frames, len(body["all"]))
        for node in self._touched:  # every ancestor of a changed node was walked through
            node.depth = None
        self._touched.clear()
        self.used.pending = _depth(self.root)
        return self.used

    # -- building, as rete.c createAlpha / findAlpha / linkAlpha do --------------------------

    def _create(self, expr: Any, parent: _Node, to_array: bool) -> tuple[_Node, int]:
        """Link ``expr`` under ``parent``; return its last node and the expressions it adds."""
        ((key, value),) = expr.items()
        if key == "$and":
            node, count = parent, 2
            for item in value:
                node, added = self._create(item, node, to_array)
                count += added
                to_array = False
            return node, count
        if key == "$or":
            forward = _Node("$nex", ("$forward",), shared=False)
            count = 2
            for item in value:
                end, added = self._create(item, parent, to_array)
                self._link(end, forward, False)
                count += added
            return forward, count
        if key in _ARRAY_OPS:
            ((prop, inner),) = value.items()
            node = self._find(parent, key, prop, None, to_array, shared=False)
            _, count = self._create(inner, node, True)
            return node, count
        op, (prop, operand) = (key, next(iter(value.items()))) if key in _TESTS else ("$eq", (
            key, value))
        reference = isinstance(operand, dict)  # another field: always a new node, one expression
        node = self._find(parent, op, prop, operand, to_array, shared=not reference)
        return node, int(reference)

    def _find(self, parent: _Node, op: str, prop: str, operand: Any, to_array: bool, *,
              shared: bool) -> _Node:
        key = (op, prop, _value_key(operand))
        self._touched.append(parent)
        if shared:
            for child in (*parent.children, *parent.absent):
                if child.shared and child.key == key:
                    self._touched.append(child)
                    return child
        node = _Node(op, key, shared)
        self._link(parent, node, to_array)
        return node

    def _link(self, parent: _Node, child: _Node, to_array: bool) -> None:
        array = to_array and parent.op in _ARRAY_OPS
        if child.op == "$nex":
            found = parent.array_absent if array else parent.absent
            found.append(child)
            self.used.absent = max(self.used.absent, len(found))
        else:
            found = parent.array if array else parent.children
            found.append(child)
            self.used.children = max(self.used.children, len(found))
        self._touched.extend((parent, child))


def _depth(node: _Node) -> int:
    """The most nodes pending at once below ``node`` (durable's matching stack), for any fact.

    Why: a popped node pushes every child the fact passes (at most :func:`_width`), then its
    last child is popped first while the others wait, so the stack grows by the width minus
    one at each level of the deepest path.
    """
    if node.depth is None:
        below = [*node.children, *node.absent]
        width = _width(node)
        node.depth = max(width, width - 1 + max(_depth(c) for c in below)) if below else 0
    return node.depth


def _value_key(operand: Any) -> str:
    """What durable compares to share a test: the value and its JSON type (``1`` is not ``1.0``).

    >>> _value_key(1), _value_key(1.0), _value_key("1")
    ('1', '1.0', '"1"')
    """
    return dumps(operand)


def _exclusive(operand_text: str) -> str:
    """Equality tests of one field whose values durable may coerce equal share a class."""
    text = operand_text.strip('"')
    try:
        return repr(float(text))
    except ValueError:
        return {"true": "1.0", "false": "0.0"}.get(text, operand_text)


def _width(node: _Node) -> int:
    """How many children of ``node`` one fact can pass at once (an upper bound).

    Per field: the tests on a field that is present, or its "absent" tests, never both; of
    its equality tests, only those whose values durable may coerce equal pass together. A
    ``$or`` forward node always passes.
    """
    present: dict[str, int] = {}
    equal: dict[str, dict[str, int]] = {}
    absent: dict[str, int] = {}
    width = 0
    for child in node.absent:
        if child.key == ("$forward",):
            width += 1
        else:
            absent[child.key[1]] = absent.get(child.key[1], 0) + 1
    for child in node.children:
        op, prop, value = child.key
        if op == "$eq" and child.shared:
            classes = equal.setdefault(prop, {})
            group = _exclusive(value)
            classes[group] = classes.get(group, 0) + 1
        else:
            present[prop] = present.get(prop, 0) + 1
    for prop in {*present, *equal, *absent}:
        passing = present.get(prop, 0) + max(equal.get(prop, {}).values(), default=0)
        width += max(passing, absent.get(prop, 0))
    return width


def usage_of(bodies: Iterable[dict[str, Any]]) -> Usage:
    """The usage of one ruleset made of these durable rules."""
    network = Network()
    for body in bodies:
        network.add(body)
    return network.used
