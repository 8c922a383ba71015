"""Neutral facts -> the JSON durable_rules is sent: what durable's coercion and parser need.

The facts of :mod:`engine.assessment.facts` are plain: ids as written, lists without counts,
the user's numbers exactly. Sent to durable, a fact differs in four ways:

* **only the fields some rule or message reads** (:mod:`.reads`): durable copies every bound fact
  into each action message, so shorter facts evaluate faster;
* **ids are prefixed** (``c:``, ``v:``, ``uc:``; the use case's ``vendor`` too): durable compares
  numeric-looking strings as numbers, so a vendor ``007`` would otherwise join a vendor ``7``;
* **every list ``x`` a rule counts gets ``x_n``**, its length, written right after it: durable
  cannot test "contains none of" on an empty list (``$iall`` over nothing is false), nor
  "is empty", without it;
* **floats always have a fraction part**: durable's number parser stops at an ``e`` that follows
  digits without a ``.``, so ``1e-05`` or ``5e-324`` fail (error 204) while ``1.0e-05`` is read
  exactly. Numbers keep their value: no rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from engine.rules.durable.reads import ReadTree
from engine.rules.schema import COUNT_FIELDS, COUNT_SUFFIX

Fact = dict[str, Any]
PREFIXES = {"client": ("cid", "c:"), "vendor": ("vid", "v:"), "use_case": ("uid", "uc:")}
# (the key, the id prefix) of references to other facts' ids, by fact kind
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {"use_case": (("vendor", "v:"),)}
_SMALL, _LARGE = 1e-4, 1e15  # outside these magnitudes a float may print with an exponent


def number(value: float) -> float | orjson.Fragment:
    """A float as durable's parser reads it exactly: ``1e-05`` -> ``1.0e-05``.

    >>> number(0.5)
    0.5
    >>> bytes(orjson.dumps(number(1e-05)))
    b'1.0e-05'
    """
    if value == 0.0 or _SMALL <= abs(value) < _LARGE or value != value:
        return value
    text = repr(value)
    if "e" in text and "." not in text.partition("e")[0]:
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}.0e{exponent}"
    return orjson.Fragment(text)


def dumps(value: Any) -> str:
    """Compact JSON as durable reads it (definitions, probe facts): floats fixed, UTF-8 kept."""
    return orjson.dumps(_fix(value)).decode()


def _fix(value: Any) -> Any:
    if type(value) is float:
        return number(value)
    if isinstance(value, dict):
        return {k: _fix(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_fix(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to encode one level of a fact for several rulesets at once (one output each).

    One entry per key read: the outputs that keep its value whole, the plan of an object some
    outputs read in part (or None), and (output, count key) pairs adding the length of a list
    (``capabilities_n``). ``outputs``: the outputs this level writes to. The fact's ``type`` and
    id come first, so each text starts with what identifies it (see evaluate._Messages).
    """

    entries: tuple[tuple[str, tuple[int, ...], _Plan | None, tuple[tuple[int, str], ...]], ...]
    outputs: tuple[int, ...]


_FIRST = ("type", "cid", "vid", "uid")


def _plan(trees: dict[int, ReadTree], counts: dict[str, str], prefix: str = "") -> _Plan:
    whole: dict[str, list[int]] = {}
    nested: dict[str, dict[int, ReadTree]] = {}
    added: dict[str, list[tuple[int, str]]] = {}
    for output, tree in trees.items():
        for key, wanted in tree.items():
            counted = counts.get(prefix + key)
            if counted is not None:  # a count field: the length of a list of the same object
                added.setdefault(counted.rpartition(".")[2], []).append((output, key))
            elif wanted is True:
                whole.setdefault(key, []).append(output)
            else:
                nested.setdefault(key, {})[output] = wanted
    keys = sorted({*whole, *nested, *added},
                  key=lambda k: (_FIRST.index(k) if k in _FIRST else len(_FIRST), k))
    return _Plan(tuple((key, tuple(whole.get(key, ())),
                        _plan(nested[key], counts, f"{prefix}{key}.") if key in nested else None,
                        tuple(added.get(key, ()))) for key in keys), tuple(sorted(trees)))


class Encoder:
    """Turns neutral facts into what each ruleset is sent; prepared once per rule program.

    Each ruleset gets only what its own rules read (:mod:`.reads`): durable parses every fact it
    is sent, then parses it again to retract it, so shorter texts are faster (a third shorter
    per ruleset on the shipped rule base). A fact is walked once for all rulesets.
    """

    def __init__(self, reads: list[dict[str, ReadTree]]) -> None:
        self.size = len(reads)
        kinds = {kind for tree in reads for kind in tree}
        self._plans = {kind: _plan({n: tree[kind] for n, tree in enumerate(reads)
                                    if kind in tree}, COUNT_FIELDS.get(kind, {}))
                       for kind in kinds}

    def encode(self, fact: Fact, sid: str) -> list[Fact | None]:
        """The durable form of a neutral fact for each ruleset (None: it binds no such fact),
        in the state ``sid``."""
        kind = str(fact.get("type"))
        plan = self._plans.get(kind)
        if plan is None:
            return [None] * self.size
        outs: list[Fact | None] = [None] * self.size
        for output in plan.outputs:
            outs[output] = {}
        _encode(fact, plan, outs)
        for out in outs:
            if out is not None:
                _identify(kind, out)["sid"] = sid
        return outs


def encode_whole(fact: Fact) -> Fact:
    """A neutral fact with every field, as durable needs it (the reference path)."""
    return _identify(str(fact.get("type")), whole(fact))


def _identify(kind: str, out: Fact) -> Fact:
    """Prefix the fact's id and its references to other facts' ids."""
    prefix = PREFIXES.get(kind)
    if prefix is not None and prefix[0] in out:
        out[prefix[0]] = f"{prefix[1]}{out[prefix[0]]}"
    for key, mark in REFERENCES.get(kind, ()):
        if key in out:
            out[key] = f"{mark}{out[key]}"
    return out


def _encode(value: Fact, plan: _Plan, outs: list[Fact | None]) -> None:
    get = value.get
    for key, targets, sub, counts in plan.entries:
        item = get(key, _ABSENT)
        if item is _ABSENT:
            continue
        kind = type(item)
        if targets:
            kept = item
            if kind is float:
                if item and not _SMALL <= abs(item) < _LARGE:
                    kept = number(item)
            elif kind is dict:
                kept = whole(item)
            for output in targets:
                outs[output][key] = kept  # type: ignore[index]
        if sub is not None and kind is dict:
            inner: list[Fact | None] = [None] * len(outs)
            for output in sub.outputs:
                inner[output] = outs[output][key] = {}  # type: ignore[index]
            _encode(item, sub, inner)
        if counts and kind is list:
            size = len(item)
            for output, count in counts:
                outs[output][count] = size  # type: ignore[index]


_ABSENT = object()


def whole(value: Fact) -> Fact:
    """A fact or object sent as it is, with its counts and fixed floats."""
    out: Fact = {}
    for key, item in value.items():
        if type(item) is float:
            out[key] = number(item)
        elif isinstance(item, dict):
            out[key] = whole(item)
        else:
            out[key] = item
            if isinstance(item, list):
                out[f"{key}{COUNT_SUFFIX}"] = len(item)
    return out
