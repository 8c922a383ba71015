"""``iapme deadlines``: every dated obligation of every client, soonest first, and the
iCalendar file a consultant imports into Outlook or Thunderbird.

Each event of the ``.ics`` is one client and one obligation (its reference and text), on the
day the obligation applies, as an all-day event. Its UID is a digest of the obligation's
identity: the client id, the rules that give it and its reference, never its text nor its date.
Rewording a rule's message (or moving a date of the law) gives the same UID on the next export,
so a re-import updates the event instead of adding a second one. Two obligations of a client
with the same identity (one rule giving two duties under one reference) are told apart by
their rank, soonest first. DTSTAMP is the assessment date (never the clock), so two exports of
the same portfolio are byte-identical.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.portfolio.snapshot import ClientView

if TYPE_CHECKING:
    from engine.documents.texts import Texts

UID_DOMAIN = "iapme.invalid"  # RFC 6761: never a real host; UIDs only need to be unique


@dataclass(frozen=True)
class Entry:
    """One dated obligation of one client."""

    client_id: str
    client_name: str
    date: dt.date
    reference: str
    text: str
    use_cases: tuple[str, ...]   # the use cases' titles
    in_force: bool
    as_of: dt.date
    rules: tuple[str, ...] = ()
    rank: int = 0  # among the client's entries of the same identity, soonest first

    @property
    def identity(self) -> tuple[str, ...]:
        """What the obligation is, whatever its wording and its date."""
        return (self.client_id, *sorted(self.rules), self.reference)

    @property
    def uid(self) -> str:
        """Stable across exports, rewordings and date moves."""
        key = "\x1f".join((*self.identity, str(self.rank))).encode("utf-8")
        return f"{hashlib.sha256(key).hexdigest()[:32]}@{UID_DOMAIN}"


def entries(views: Sequence[ClientView], within: int | None = None) -> list[Entry]:
    """Every dated obligation of ``views``, soonest first (then by client and reference).

    ``within``: only those coming into force after the client's assessment date and at most
    ``within`` days after it.
    """
    out: list[Entry] = []
    for view in views:
        titles = {u.id: u.title for u in view.use_cases.values()}
        ranks: dict[tuple[str, ...], int] = {}
        for d in sorted(view.deadlines, key=lambda d: (d.date, d.reference, d.text)):
            if d.kind != "obligation":
                continue
            entry = Entry(view.client_id, view.name, d.date, d.reference, d.text,
                          tuple(titles.get(u, u) for u in d.use_cases), d.in_force,
                          view.as_of, d.rules)
            rank = ranks[entry.identity] = ranks.get(entry.identity, -1) + 1
            if within is not None and not view.as_of < d.date <= view.as_of + dt.timedelta(
                    days=within):
                continue
            out.append(dataclasses.replace(entry, rank=rank))
    from engine.assessment.assess import natural_key

    return sorted(out, key=lambda e: (e.date, e.client_id, natural_key(e.reference), e.text))


def deadline_lines(found: Sequence[Entry]) -> list[str]:
    """The terminal listing: date, state, client, reference, text."""
    from engine.common.text import printable

    lines = []
    for e in found:
        state = "in force" if e.in_force else "coming"
        lines.append(f"{e.date.isoformat()}  {state:<8}  {printable(e.client_id):<24}  "
                     f"{printable(e.reference):<22}  {printable(e.text)}")
    lines.append(f"{len(found)} dated obligation(s) of "
                 f"{len({e.client_id for e in found})} client(s)")
    return lines


def ics_bytes(found: Sequence[Entry], texts: Texts) -> bytes:
    """The iCalendar file: one all-day event per client and obligation (RFC 5545)."""
    from icalendar import Calendar, Event

    from engine.portfolio.workbook import reference_cell

    french = reference_cell(texts)
    calendar = Calendar()
    calendar.add("prodid", "-//iapme//deadlines//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", texts.text("portfolio.ics.name"))
    seen: set[str] = set()
    for e in found:
        if e.uid in seen:
            continue
        seen.add(e.uid)
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", dt.datetime.combine(e.as_of, dt.time(0, 0), tzinfo=dt.UTC))
        event.add("dtstart", e.date)
        event.add("dtend", e.date + dt.timedelta(days=1))
        event.add("summary", texts.text("portfolio.ics.summary", client=e.client_name,
                                        text=e.text))
        event.add("description", texts.text(
            "portfolio.ics.description", client=e.client_name, reference=french(e.reference),
            use_cases=", ".join(e.use_cases), text=e.text))
        event.add("categories", [french(e.reference)])
        event.add("transp", "TRANSPARENT")
        event.add("sequence", 0)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
