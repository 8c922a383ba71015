"""Stage 4b: run the rule program on one client's facts with durable_rules.

The only package that imports ``durable``. :class:`DurableRules` is prepared once per process
from the compiled rules (it is owned by the :class:`engine.rules.base.RuleBase`): the translated
rulesets (:mod:`.program`), the fact encoder and the actions of every durable rule. It registers
each ruleset on first use and evaluates a client ruleset after ruleset, sending on the derived
facts a later ruleset needs.

It works around the engine's traps (measured on durable_rules 2.0.28): facts are asserted one at
a time, a "not handled" result meaning "no rule wanted this fact"; exceptions inside actions are
collected and re-raised. Every client is evaluated in each ruleset's one live state, anchored by
one stored fact (``delete_state`` segfaults on a sid that never stored one); its facts are
retracted afterwards, and the state is deleted after an error and every ``_RECYCLE_AFTER``
clients.

Why:
    durable's ``Host`` dispatches every action through a ``Closure`` (two clock reads), copies
    the state to JSON after each action and formats a whole fact into every "not handled"
    exception: about three quarters of the time per client. :meth:`DurableRules.evaluate` drives
    the C engine's own action loop (``start_action_for_state`` / ``complete_and_start_action``,
    as ``Ruleset._flush_actions`` does), skips what our actions never use (the state, leases)
    and resolves the facts quoted in action messages to the facts it sent instead of parsing
    them. :meth:`DurableRules.evaluate_reference` is the plain ``Host`` path; the tests prove
    both give the same firings, in the same order.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import durable_rules_engine as _c  # type: ignore[import-not-found]

from engine.errors import InternalError
from engine.rules.compiler import ID_FIELDS, CompiledBranch, CompiledRules
from engine.rules.durable.encode import PREFIXES, Encoder, whole
from engine.rules.durable.messages import Binding, Messages, derived_fact
from engine.rules.durable.program import ANCHOR, Part, Program, build
from engine.rules.durable.translate import DERIVED
from engine.rules.firings import DerivedFact, Fact, Firing

_NOT_HANDLED, _OBSERVED, _QUEUED = 1, 2, 3  # durable_rules_engine.assert_fact result codes
LIVE_SID = "iapme"
_RECYCLE_AFTER = 2000  # evaluations before a live state is deleted and made anew
_LOCK = threading.Lock()  # durable's C engine is process-global and never releases the GIL
_REGISTERING = threading.Lock()


@dataclass
class _Session:
    """One evaluation: the client fact and its legal date, the firings, the errors of actions."""

    client: Fact | None = None
    as_of: str = ""  # ISO date, compared as text with the rules' dates (as durable would)
    firings: list[Firing] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, facts: list[Fact]) -> _Session:
        client = next((f for f in facts if f.get("type") == "client"), None)
        return cls(client, str(client.get("as_of", "")) if client else "")


# An action receives the bound facts, the session and a function asserting a derived fact (the
# rule's ``assert`` spec, the subject's id as sent, and as in the profile).
_Assert = Callable[[dict[str, Any], str, str], None]
_Action = Callable[[Binding, _Session, _Assert], None]


@dataclass
class _Registered:
    """One ruleset registered with durable (for the life of the process) and its live state."""

    name: str
    handle: int
    uses: int | None = None  # evaluations the live state has served; None: no live state

    def open(self) -> None:
        """Make the live state if there is none: its anchor fact (see program.ANCHOR_BODY)."""
        if self.uses is not None:
            return
        code, state = _c.assert_fact(self.handle, json.dumps({"type": ANCHOR, "sid": LIVE_SID}))
        if code not in (_NOT_HANDLED, _OBSERVED):
            where = 0 if code == _QUEUED else state
            pending = _c.start_action_for_state(self.handle, where)
            while pending:  # the anchor rule's no-op action
                pending = _c.complete_and_start_action(self.handle, where)
        self.uses = 0

    def close(self, stored: list[str], clean: bool) -> None:
        """Retract what the evaluation stored; after an error, or now and then, delete the state."""
        if self.uses is None:
            return
        try:
            for text in reversed(stored) if clean else ():
                if _c.retract_fact(self.handle, text)[0] != 0:  # anything but "done"
                    clean = False
                    break
        except _c.error:
            clean = False
        if clean and self.uses + 1 < _RECYCLE_AFTER:
            self.uses += 1
            return
        self.uses = None
        with contextlib.suppress(_c.error):
            _c.delete_state(self.handle, LIVE_SID)


# Why a registry keyed by digest: durable's handle table is process-global and a ruleset can
# never be freed, so a definition is registered once per process, whichever RuleBase (tests load
# many) asks; its live state belongs to the registered ruleset, not to any one RuleBase.
_REGISTRY: dict[str, _Registered] = {}


def _register(part: Part) -> _Registered:
    with _REGISTERING:
        found = _REGISTRY.get(part.digest)
        if found is not None:
            return found
        error: Exception | None = None
        for attempt in range(3):  # error 102 was seen once on a definition that loads
            name = part.name + (f"_{attempt}" if attempt else "")
            try:
                handle = _c.create_ruleset(name, part.text)
            except Exception as exc:  # durable raises bare errors with numeric codes
                error = exc
                continue
            found = _REGISTRY[part.digest] = _Registered(name, handle)
            return found
        raise InternalError(f"durable_rules refused ruleset {part.index + 1}: {error}")


class DurableRules:
    """The compiled rules, ready to run on durable_rules (built once per rule base)."""

    def __init__(self, compiled: CompiledRules, program: Program | None = None) -> None:
        self.program = program or build(compiled)
        self.encoder = Encoder([part.reads for part in self.program.parts])
        self._actions: list[dict[str, _Action]] = [
            {r.name: _action(r.branch, r.aliases, r.asserts) for r in part.rules}
            for part in self.program.parts]
        self._registered: list[_Registered | None] = [None] * len(self.program.parts)
        later: set[str] = set()
        self._forward: list[frozenset[str]] = []  # per part: derived facts later parts require
        for part in reversed(self.program.parts):
            self._forward.append(frozenset(later))
            later |= part.requires
        self._forward.reverse()

    @property
    def parts(self) -> tuple[Part, ...]:
        return self.program.parts

    def register(self, index: int | None = None) -> None:
        """Register ruleset ``index`` (default: every one) now, rather than on first use."""
        for number in range(len(self.program.parts)) if index is None else (index,):
            self._handle(number)

    def _handle(self, index: int) -> _Registered:
        found = self._registered[index]
        if found is None:
            found = self._registered[index] = _register(self.program.parts[index])
        return found

    def evaluate(self, facts: list[Fact], sid: str) -> list[Firing]:
        """Every firing for ``facts`` (one client), ruleset by ruleset, in firing order.

        ``sid`` names the client in error messages. In each ruleset the facts go to its one
        live state and are retracted afterwards, leaving it as it was: creating and deleting a
        durable state costs more than evaluating a client.
        """
        encoded = [(self.encoder.encode(f, LIVE_SID), f) for f in facts]
        session = _Session.of(facts)
        forwarded: dict[str, DerivedFact] = {}  # text -> fact, in assertion order
        with _LOCK:  # the C engine keeps one action context per state: one client at a time
            for index, part in enumerate(self.program.parts):
                messages = Messages()
                texts = [(messages.encode(sent[index], fact), fact["type"])  # type: ignore[arg-type]
                         for sent, fact in encoded if sent[index] is not None]
                if part.requires:
                    texts += [(messages.known(text, derived), DERIVED)
                              for text, derived in forwarded.items()
                              if derived.name in part.requires]
                produced = self._run(index, texts, messages, session, sid)
                keep = self._forward[index]
                for text, derived in produced:
                    if derived.name in keep:
                        forwarded.setdefault(text, derived)
        if session.errors:
            raise InternalError("rule actions failed: " + "; ".join(session.errors))
        return session.firings

    def _run(self, index: int, texts: list[tuple[str, str]], messages: Messages,
             session: _Session, sid: str) -> list[tuple[str, DerivedFact]]:
        """Assert ``texts`` in ruleset ``index``; return the derived facts its actions made.

        The caller holds ``_LOCK``.
        """
        registered = self._registered[index] or self._handle(index)
        handle = registered.handle
        actions = self._actions[index]
        stored: list[str] = []  # texts durable kept: to retract
        produced: list[tuple[str, DerivedFact]] = []
        assert_fact, complete = _c.assert_fact, _c.complete_and_start_action

        def assert_derived(fact: dict[str, Any], subject: str, ident: str) -> None:
            # Inside an action: the firings it causes join the state's queue (as c.assert_fact).
            # "Not handled" (no rule needs it here) and "observed" (already derived) are fine.
            derived = derived_fact(fact, ident)
            text = messages.encode(whole({"type": DERIVED, **fact, "subject": subject,
                                          "sid": LIVE_SID}), derived)
            produced.append((text, derived))
            if assert_fact(handle, text)[0] not in (_NOT_HANDLED, _OBSERVED):
                stored.append(text)

        clean = False
        try:
            if registered.uses is None:
                registered.open()
            for text, kind in texts:
                code, state = assert_fact(handle, text)
                if code == _NOT_HANDLED:
                    continue  # no rule matches this fact alone: nothing to do
                if code == _OBSERVED:
                    if kind == DERIVED:
                        continue  # derived here already
                    raise InternalError(f"duplicate fact for {sid}: {kind}")
                stored.append(text)
                where = 0 if code == _QUEUED else state
                pending = _c.start_action_for_state(handle, where)
                action = pending[1] if pending else None
                while action:
                    rule_name, bound = messages.decode(action)
                    try:
                        actions[rule_name](bound, session, assert_derived)
                    except Exception as exc:
                        session.errors.append(f"{rule_name}: {type(exc).__name__}: {exc}")
                    action = complete(handle, where)
            clean = True
        except _c.error as exc:
            raise InternalError(f"durable_rules failed on {sid} in ruleset {index + 1} of "
                                f"{len(self.program.parts)}: {exc}") from exc
        finally:
            registered.close(stored, clean)
        return produced

    def evaluate_reference(self, facts: list[Fact], sid: str) -> list[Firing]:
        """The same evaluation through durable's own ``Host`` dispatch (the tests' oracle)."""
        from engine.rules.durable.reference import run_reference

        return run_reference(self, facts, sid)

    def action(self, index: int, name: str) -> _Action:
        return self._actions[index][name]


def _action(branch: CompiledBranch, aliases: tuple[tuple[str, str], ...],
            asserts: tuple[dict[str, Any], ...]) -> _Action:
    derived = tuple(alias for alias, kind in aliases if kind == DERIVED)
    subject_kind = branch.subject
    id_field = ID_FIELDS[subject_kind]
    prefix = PREFIXES[subject_kind][1]
    spec = branch.rule.spec
    start = spec.valid_from.isoformat() if spec.valid_from else ""
    end = spec.valid_until.isoformat() if spec.valid_until else ""
    dated = bool(start or end)
    add_client = "client" in branch.kinds and not any(k == "client" for _, k in aliases)

    def record(bound: Binding, session: _Session, assert_fact: _Assert) -> None:
        if dated and not (session.as_of and start <= session.as_of
                          and (not end or session.as_of <= end)):
            return  # the rule is not in force at the legal date of the assessment
        facts = bound.by_kind
        if add_client and session.client is not None:
            facts = {**facts, "client": session.client}
        session.firings.append(Firing(branch, facts, tuple(
            bound.by_alias[a] for a in derived) if derived else ()))  # type: ignore[misc]
        if asserts:
            subject = facts.get(subject_kind)
            ident = str(subject.get(id_field)) if subject is not None else ""
            for item in asserts:
                assert_fact(dict(item), f"{prefix}{ident}", ident)

    return record
