"""The plain durable_rules ``Host`` path: the oracle the fast action loop is tested against.

Whole facts (not only the fields rules read) go through durable's own dispatch (``Host``,
``Closure``, ``c.assert_fact``), ruleset by ruleset with the same forwarding of derived facts
as :meth:`engine.rules.durable.evaluate.DurableRules.evaluate`.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from typing import TYPE_CHECKING, Any

from durable import engine as durable_engine

from engine.errors import InternalError
from engine.rules.durable.encode import PREFIXES, encode_whole, whole
from engine.rules.durable.evaluate import _Session
from engine.rules.durable.messages import Binding, Bound, decode_fact, derived_fact
from engine.rules.durable.program import ANCHOR
from engine.rules.durable.translate import DERIVED
from engine.rules.firings import DerivedFact, Fact, Firing

if TYPE_CHECKING:
    from engine.rules.durable.evaluate import DurableRules


class _Host(durable_engine.Host):  # type: ignore[misc]
    """A durable host without the background dispatcher threads."""

    def _run(self) -> None:  # the base class starts two never-ending timers here
        return


_LOCAL = threading.local()
_LOCK = threading.Lock()
# Keyed by digest for the reason of evaluate._REGISTRY: a name registers once per process.
_HOSTS: dict[str, tuple[_Host, str]] = {}


def _host(rules: DurableRules, index: int) -> tuple[_Host, str]:
    part = rules.parts[index]
    found = _HOSTS.get(part.digest)
    if found is None:
        import json

        definition = json.loads(part.text)
        for name in definition:
            definition[name]["run"] = _dispatch(name)
        host = _Host()
        name = f"iapme_ref_{part.name.removeprefix('iapme_')}"
        host.register_rulesets({name: definition})
        found = _HOSTS[part.digest] = (host, name)
    return found


def _dispatch(rule_name: str) -> Any:
    """durable's one-parameter ``Closure`` callback, calling the current evaluation's action."""

    def run(c: Any) -> None:
        current: _Current | None = getattr(_LOCAL, "current", None)
        if current is None or rule_name not in current.names:
            return  # the anchor rule
        bound = {alias: current.neutral(fact) for alias, fact in copy.deepcopy(c._m).items()}

        def assert_derived(spec: dict[str, Any], subject: str, ident: str) -> None:
            fact = whole({"type": DERIVED, **spec, "subject": subject})
            current.produced.append((fact, derived_fact(spec, ident)))
            with contextlib.suppress(durable_engine.MessageNotHandledException,
                                     durable_engine.MessageObservedException):
                c.assert_fact(fact)

        current.rules.action(current.index, rule_name)(Binding(bound), current.session,
                                                       assert_derived)

    return run


class _Current:
    """What the callbacks of one ruleset's evaluation need."""

    def __init__(self, rules: DurableRules, index: int, session: _Session,
                 by_id: dict[tuple[str, str], Fact]) -> None:
        self.rules = rules
        self.index = index
        self.session = session
        self.names = {r.name for r in rules.parts[index].rules}
        self.by_id = by_id
        self.produced: list[tuple[Fact, DerivedFact]] = []

    def neutral(self, fact: dict[str, Any]) -> Bound:
        kind = str(fact.get("type"))
        if kind in PREFIXES:
            found = self.by_id.get((kind, str(fact.get(PREFIXES[kind][0]))))
            if found is not None:
                return found
        return decode_fact(fact)


def run_reference(rules: DurableRules, facts: list[Fact], sid: str) -> list[Firing]:
    """Every firing for ``facts``, through durable's ``Host`` (see the module docstring)."""
    sent = [(encode_whole(f), f) for f in facts]
    by_id = {(str(f.get("type")), str(e.get(PREFIXES[str(f.get("type"))][0]))): f
             for e, f in sent if f.get("type") in PREFIXES}
    session = _Session.of(facts)
    forwarded: list[tuple[Fact, DerivedFact]] = []
    with _LOCK:
        for index, part in enumerate(rules.parts):
            host, name = _host(rules, index)
            current = _LOCAL.current = _Current(rules, index, session, by_id)
            todo = [e for e, f in sent if f.get("type") in part.kinds]
            todo += [fact for fact, d in forwarded if d.name in part.requires]
            try:
                for fact in [{"type": ANCHOR}, *todo]:
                    with contextlib.suppress(durable_engine.MessageNotHandledException,
                                             durable_engine.MessageObservedException):
                        host.assert_fact(name, {**fact, "sid": sid})
                state = host.get_state(name, sid)
                if isinstance(state, dict) and "exception" in state:
                    session.errors.append(str(state["exception"]))
            finally:
                _LOCAL.current = None
                host.delete_state(name, sid)
            for fact, derived in current.produced:
                if all(derived != d for _, d in forwarded):
                    forwarded.append((fact, derived))
    if session.errors:
        raise InternalError("rule actions failed: " + "; ".join(session.errors))
    return session.firings


__all__ = ["run_reference"]
