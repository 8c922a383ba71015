"""Stage 4b: run the compiled rules on one client's facts with durable_rules.

The only module that imports ``durable``. It works around the engine's measured traps
(../shared/notes/dependencies.md): one private host per process whose timer loop never starts,
so every action runs in the caller's thread; facts asserted one at a time, with
``MessageNotHandledException`` meaning "no rule wanted this fact"; exceptions inside actions
(which durable swallows) collected and re-raised; one sid per client, deleted afterwards; the
ruleset registered once per process under a digest-derived name.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from durable import engine as durable_engine

from engine.compiler import CompiledRules
from engine.errors import InternalError
from engine.facts import Fact


@dataclass(frozen=True, slots=True)
class Match:
    """One firing: the durable rule (``<rule id>#n``) and the facts bound to its aliases."""

    name: str
    facts: dict[str, Fact]


class _Host(durable_engine.Host):  # type: ignore[misc]
    """A durable host without the background dispatcher threads."""

    def _run(self) -> None:  # the base class starts two never-ending timers here
        return


class _Session:
    """Per-evaluation scratch space the actions write into."""

    def __init__(self) -> None:
        self.matches: list[Match] = []
        self.errors: list[str] = []


_LOCAL = threading.local()
_HOST: _Host | None = None
_REGISTERED: dict[str, str] = {}


def _host() -> _Host:
    global _HOST
    if _HOST is None:
        _HOST = _Host()
    return _HOST


def ruleset_digest(compiled: CompiledRules) -> str:
    """A stable digest of the compiled definition (without the action callables)."""
    text = json.dumps(compiled.definition, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _action(name: str, asserts: list[dict[str, Any]], subject_alias: str,
            id_field: str) -> Callable[[Any], None]:
    def run(c: Any) -> None:
        session: _Session = _LOCAL.session
        try:
            bound = c._m  # {alias: fact} for an 'all' rule (durable keeps the raw dict here)
            facts = {k: _plain(v) for k, v in bound.items()} if isinstance(bound, dict) else {}
            session.matches.append(Match(name, facts))
            subject_fact = facts.get(subject_alias, {})
            for spec in asserts:
                derived = {"type": "derived", **spec, "subject": subject_fact.get(id_field)}
                try:
                    c.assert_fact(derived)
                except durable_engine.MessageNotHandledException:
                    pass  # no rule requires this derived fact
                except durable_engine.MessageObservedException:
                    pass  # the same derived fact was already asserted by another rule
        except Exception as exc:  # durable would swallow it: record and re-raise later
            session.errors.append(f"{name}: {type(exc).__name__}: {exc}")

    return run


ANCHOR = "iapme_anchor"
ANCHOR_RULE = "iapme.anchor#0"


def _noop(c: Any) -> None:
    return


def _plain(value: Any) -> Any:
    if hasattr(value, "_d"):
        value = value._d
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def register(compiled: CompiledRules) -> str:
    """Register the ruleset once per process; return its durable name."""
    digest = ruleset_digest(compiled)
    if digest in _REGISTERED:
        return _REGISTERED[digest]
    name = f"iapme_{digest[:16]}"
    # Every state gets one fact a rule consumes: durable 2.0.28 segfaults in delete_state on a
    # sid where no fact was stored (every assert raised MessageNotHandledException).
    definition: dict[str, Any] = {ANCHOR_RULE: {"all": [{"a": {"type": ANCHOR}}], "run": _noop}}
    for rule_name, body in compiled.definition.items():
        entry = compiled.index[rule_name]
        subject = entry.rule.spec.subject
        alias = {"client": "c", "vendor": "v", "use_case": "uc"}[subject]
        id_field = {"client": "cid", "vendor": "vid", "use_case": "uid"}[subject]
        asserts = [dict(a) for a in entry.rule.spec.then.asserts]
        definition[rule_name] = {**body, "run": _action(rule_name, asserts, alias, id_field)}
    try:
        _host().register_rulesets({name: definition})
    except Exception as exc:  # durable raises bare Exception with numeric codes
        raise InternalError(f"durable_rules refused the compiled rules: {exc}") from exc
    _REGISTERED[digest] = name
    return name


def evaluate(compiled: CompiledRules, facts: list[Fact], sid: str) -> list[Match]:
    """Assert ``facts`` in a fresh state ``sid``; return every rule firing, in firing order."""
    name = register(compiled)
    host = _host()
    session = _Session()
    _LOCAL.session = session
    try:
        host.assert_fact(name, {"type": ANCHOR, "sid": sid})
        for fact in facts:
            try:
                host.assert_fact(name, {**fact, "sid": sid})
            except durable_engine.MessageNotHandledException:
                continue  # no rule matches this fact alone: nothing to do
            except durable_engine.MessageObservedException as exc:
                raise InternalError(f"duplicate fact for {sid}: {fact.get('type')}") from exc
        state = host.get_state(name, sid)
        if isinstance(state, dict) and "exception" in state:
            session.errors.append(str(state["exception"]))
    finally:
        _LOCAL.session = None
        try:
            host.delete_state(name, sid)
        except Exception:  # noqa: S110  (error 309: no state was created; nothing to free)
            pass
    if session.errors:
        raise InternalError("rule actions failed: " + "; ".join(session.errors))
    return session.matches
