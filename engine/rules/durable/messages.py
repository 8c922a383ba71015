"""The texts exchanged with durable_rules for one evaluation, and the neutral facts they stand for.

durable stores each fact as the very text it was given and quotes it verbatim in its action
messages ``{"<rule>":{"<alias>":<fact>,...}}``. :class:`Messages` remembers the texts an
evaluation sent and resolves the bindings of each message to the neutral facts (or derived
facts) they encode, without parsing JSON it wrote itself.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from engine.errors import InternalError
from engine.rules.durable.encode import PREFIXES
from engine.rules.durable.translate import DERIVED, KINDS
from engine.rules.firings import DerivedFact, Fact
from engine.rules.types import Subject

Bound = Fact | DerivedFact  # what an alias of a firing binds


def derived_fact(spec: dict[str, Any], subject: str) -> DerivedFact:
    """The neutral form of a derived fact (``subject``: the id as in the profile)."""
    values = tuple(sorted((k, v) for k, v in spec.items()
                          if k not in ("name", "type", "subject", "sid")))
    return DerivedFact(str(spec.get("name")), subject, values)


class Binding:
    """The facts one action message binds: by alias, and the profile facts by kind."""

    __slots__ = ("by_alias", "by_kind")

    def __init__(self, by_alias: dict[str, Bound]) -> None:
        self.by_alias = by_alias
        self.by_kind: dict[Subject, Fact] = {
            KINDS[alias]: fact for alias, fact in by_alias.items()  # type: ignore[misc]
            if alias in KINDS}


class Messages:
    """JSON both ways for one ruleset's evaluation, without parsing what we serialized.

    durable stores each fact as the very text it was given and quotes it verbatim in action
    messages ``{"<rule>":{"<alias>":<fact>,...}}``: each binding is matched against the texts
    sent (a handful per ruleset and client) and resolves to the neutral fact it encodes
    (bindings shared by several rules are resolved once). Anything else is parsed as JSON.
    """

    def __init__(self) -> None:
        self._sent: list[tuple[str, Bound]] = []
        self._bindings: dict[str, Binding] = {}

    def encode(self, fact: Fact, origin: Bound) -> str:
        """The text of an encoded fact; a binding of it will resolve to ``origin``."""
        return self.known(orjson.dumps(fact).decode(), origin)  # as json.dumps, 10x faster

    def known(self, text: str, origin: Bound) -> str:
        """``text`` was sent (a derived fact from another ruleset): it resolves to ``origin``."""
        self._sent.append((text, origin))
        return text

    def decode(self, text: str) -> tuple[str, Binding]:
        """The rule an action message names and the neutral facts it binds."""
        end = text.find('":', 2)  # durable rule names are ``<rule id>#<n>``: no quote to escape
        if not text.startswith('{"') or end < 0:
            raise InternalError(f"unexpected durable_rules action message: {text[:80]}")
        rule_name, body = text[2:end], text[end + 2:-1]
        binding = self._bindings.get(body)
        if binding is None:
            bound = self._resolve(body)
            if bound is None:
                bound = {alias: decode_fact(fact) for alias, fact in json.loads(body).items()}
            binding = self._bindings[body] = Binding(bound)
        return rule_name, binding

    def _resolve(self, body: str) -> dict[str, Bound] | None:
        """``{"a":<sent text>,"b":<sent text>}`` -> {a: fact, b: fact}; None if not so."""
        bound: dict[str, Bound] = {}
        pos = 0
        while body.startswith(('{"', ',"'), pos):
            alias_end = body.find('":', pos + 2)
            if alias_end < 0:
                return None
            alias, pos = body[pos + 2:alias_end], alias_end + 2
            # A complete JSON object is never a prefix of another one followed by , or }.
            found = next(((t, f) for t, f in self._sent if body.startswith(t, pos)), None)
            if found is None:
                return None
            bound[alias] = found[1]
            pos += len(found[0])
        return bound if pos == len(body) - 1 and body.endswith("}") else None


def decode_fact(fact: dict[str, Any]) -> Bound:
    """A fact as durable gives it back (ids prefixed, the sid) in its neutral form.

    Used by the reference path, which receives copies, not the texts it sent.
    """
    kind = str(fact.get("type"))
    if kind == DERIVED:
        subject = str(fact.get("subject", ""))
        return derived_fact(fact, subject.partition(":")[2] or subject)
    out = {k: v for k, v in fact.items() if k != "sid"}
    for key, mark in ((PREFIXES[kind][0], PREFIXES[kind][1]),) if kind in PREFIXES else ():
        if isinstance(out.get(key), str):
            out[key] = out[key].removeprefix(mark)
    if kind == "use_case" and isinstance(out.get("vendor"), str):
        out["vendor"] = out["vendor"].removeprefix("v:")
    return out
