"""What the portfolio views compare and list about one client, taken from its assessment.

A :class:`ClientView` is small and picklable (worker processes return it): per use case its
tier and decision, every obligation with its date, the blockers, and the client's dated
obligations (:class:`Dated`, the ``deadlines`` of SPEC v2 §3). The decision and the
``deadlines`` come from the assessment when it has them (the one-verdict stage); otherwise the
dated obligations are gathered from the use cases' obligations, one entry per date, reference
and text, naming the use cases concerned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.assessment.assess import Assessment


@dataclass(frozen=True)
class Dated:
    """One dated obligation of a client (or a transition of the law it lives under)."""

    date: dt.date
    reference: str
    text: str
    use_cases: tuple[str, ...]
    in_force: bool
    kind: str = "obligation"  # obligation | transition
    rules: tuple[str, ...] = ()  # the rules that give an obligation (its identity)

    def key(self) -> tuple[str, str]:
        return (self.reference, self.text)


@dataclass(frozen=True)
class UseCaseView:
    id: str
    title: str
    tier: str
    decision: str | None = None           # SPEC v2 decision.status, when the assessment has it
    decision_deadline: dt.date | None = None


@dataclass
class ClientView:
    """One client as the portfolio views see it."""

    client_id: str
    name: str
    source: str                            # the profile file
    as_of: dt.date
    worst_tier: str
    use_cases: dict[str, UseCaseView] = field(default_factory=dict)
    # (use case id, reference, text) -> (applies_from, in force)
    obligations: dict[tuple[str, str, str], tuple[dt.date, bool]] = field(default_factory=dict)
    blockers: dict[tuple[str, str], str] = field(default_factory=dict)  # (subject, rule) -> text
    deadlines: list[Dated] = field(default_factory=list)

    def next_deadline(self) -> Dated | None:
        """The soonest deadline after the assessment date that binds the client, as
        ``next_deadline`` in ``assessment.json`` (a transition of the law that starts none of
        its duties is not one)."""
        from engine.assessment.deadlines import next_deadline

        return next_deadline(self.deadlines, self.as_of)


def client_view(assessment: Assessment, source: str) -> ClientView:
    """The view of one assessed client."""
    view = ClientView(assessment.profile.client_id, assessment.profile.client.name, source,
                      assessment.as_of, assessment.worst_tier)
    for u in assessment.use_cases:
        decision: Any = getattr(u, "decision", None)
        status = getattr(decision, "status", None)
        deadline = getattr(decision, "deadline", None)
        view.use_cases[u.use_case.id] = UseCaseView(
            u.use_case.id, u.use_case.title, u.tier, status if isinstance(status, str) else None,
            deadline if isinstance(deadline, dt.date) else None)
        for o in u.obligations:
            view.obligations[(u.use_case.id, o.reference, o.text)] = (o.applies_from, o.in_force)
    for f in assessment.findings:
        if f.severity == "blocker":
            view.blockers[(f.subject, f.rule_id)] = f.message
    view.deadlines = _deadlines(assessment)
    return view


def _deadlines(assessment: Assessment) -> list[Dated]:
    found: Any = getattr(assessment, "deadlines", None)
    if isinstance(found, list):  # the assessment's own (SPEC v2 §3 deadlines)
        return sorted((Dated(d.date, d.reference, d.text, tuple(d.use_cases), d.in_force,
                             str(getattr(d, "kind", "obligation")),
                             tuple(getattr(d, "rules", ()))) for d in found),
                      key=lambda d: (d.date, d.reference, d.text))
    entries: dict[tuple[dt.date, str, str], list[str]] = {}
    in_force: dict[tuple[dt.date, str, str], bool] = {}
    rules: dict[tuple[dt.date, str, str], list[str]] = {}
    for u in assessment.use_cases:
        for o in u.obligations:
            key = (o.applies_from, o.reference, o.text)
            users = entries.setdefault(key, [])
            if u.use_case.id not in users:
                users.append(u.use_case.id)
            in_force[key] = o.in_force
            if o.rule_id not in rules.setdefault(key, []):
                rules[key].append(o.rule_id)
    return [Dated(day, ref, text, tuple(users), in_force[(day, ref, text)],
                  rules=tuple(rules[(day, ref, text)]))
            for (day, ref, text), users in sorted(entries.items())]
