"""Stage 6d: the client's dated obligations (SPEC v2 §3 ``deadlines``) and the law's transitions.

Every obligation of every use case gives a dated entry (its ``applies_from``): one entry per
date, reference and text, naming the use cases it concerns, sorted by date. The transitions of
``rules/calendar.yaml`` (the dates on which the AI Act changes: new prohibitions and the end of
the Art. 50(2) grace on 2 Dec 2026, Annex III on 2 Dec 2027, Annex I on 2 Aug 2028) are listed
too, each with the use cases whose duties start that day under one of its references, so a
client with none of them still sees the calendar it lives under.

The client's *next deadline* (:func:`next_deadline`: ``next_deadline`` in ``assessment.json``,
summary.csv/xlsx, index.html) is the soonest entry after the assessment date that binds it: one
of its obligations, or a transition that starts a duty of one of its use cases; a transition
that concerns none of them is the law's calendar, not the client's deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from engine.assessment.assess import Assessment

CALENDAR_FILE = "calendar.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Transition(_Strict):
    date: dt.date
    references: list[Annotated[str, Field(min_length=2)]]   # canonical, as the rules write them
    text: Annotated[str, Field(min_length=3, max_length=1000)]  # French, as printed


class Calendar(_Strict):
    transitions: list[Transition] = []


@dataclass
class Deadline:
    date: dt.date
    reference: str
    text: str
    kind: Literal["obligation", "transition"]
    in_force: bool
    use_cases: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # a transition's references
    rules: list[str] = field(default_factory=list)  # an obligation's rules (its identity)

    def sort_key(self) -> tuple[object, ...]:
        return (self.date, self.kind != "transition", self.reference, self.text)


def starts(reference: str, prefix: str) -> bool:
    """``Art. 26(6)`` starts with ``Art. 26``; ``Art. 260`` does not."""
    return reference.startswith(prefix) and (len(reference) == len(prefix)
                                             or not reference[len(prefix)].isdigit())


def deadlines(assessment: Assessment, calendar: Calendar) -> list[Deadline]:
    """Every dated obligation of the client, and the calendar's transitions, sorted by date."""
    as_of = assessment.as_of
    entries: dict[tuple[dt.date, str, str], Deadline] = {}
    for u in assessment.use_cases:
        for o in u.obligations:
            key = (o.applies_from, o.reference, o.text)
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = Deadline(o.applies_from, o.reference, o.text,
                                                "obligation", o.in_force)
            if u.use_case.id not in entry.use_cases:
                entry.use_cases.append(u.use_case.id)
            if o.rule_id not in entry.rules:
                entry.rules.append(o.rule_id)
    out = list(entries.values())
    for t in calendar.transitions:
        concerned = [u.use_case.id for u in assessment.use_cases
                     if any(o.applies_from == t.date and starts(o.reference, ref)
                            for o in u.obligations for ref in t.references)]
        out.append(Deadline(t.date, "; ".join(t.references), t.text, "transition",
                            t.date <= as_of, concerned, list(t.references)))
    return sorted(out, key=Deadline.sort_key)


class DatedEntry(Protocol):
    """What :func:`next_deadline` reads of a dated entry (:class:`Deadline`, or the portfolio's
    ``Dated``)."""

    @property
    def date(self) -> dt.date: ...
    @property
    def kind(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def use_cases(self) -> Sequence[str]: ...


_D = TypeVar("_D", bound=DatedEntry)


def binds(entry: DatedEntry) -> bool:
    """An obligation of the client, or a transition that starts a duty of one of its use
    cases."""
    return entry.kind == "obligation" or bool(entry.use_cases)


def next_deadline(entries: Iterable[_D], as_of: dt.date) -> _D | None:
    """The soonest entry after ``as_of`` that binds the client (an obligation before a
    transition on the same day)."""
    coming = [d for d in entries if d.date > as_of and binds(d)]
    return min(coming, key=lambda d: (d.date, d.kind != "obligation", d.reference),
               default=None)
