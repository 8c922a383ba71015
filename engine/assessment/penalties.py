"""The fines at stake: ``rules/penalties.yaml`` and the cap it gives for one client.

The table is data a compliance officer maintains (AI Act Art. 99, GDPR Art. 83: REFERENCE §5.4
and §6.11). A rule names an entry with ``penalty: <id>`` on its finding or on an obligation;
``iapme rules lint`` refuses an id the table does not define. For a client, :func:`caps` works
out each cap from the table, ``client.annual_turnover_eur`` and ``client.employees``:

* the cap is the fixed amount or the percentage of the worldwide annual turnover, *whichever is
  higher*; for an SME under AI Act Art. 99(6), *whichever is lower* (the GDPR has no such rule);
* the SME test is the table's ``sme`` block (headcount and turnover; the balance-sheet criterion
  is not examined); a client with more staff, or a higher turnover, is not treated as an SME;
* when the turnover is unknown, the fixed amount is given as a bound: an upper bound for an SME
  under the "lower" rule, a lower bound otherwise, and the note says so.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from engine.errors import Issue
from engine.profile.model import Client

PENALTIES_FILE = "penalties.yaml"
Law = Literal["ai_act", "gdpr"]
Bound = Literal["exact", "at_most", "at_least", "national"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Penalty(_Strict):
    law: Law
    reference: Annotated[str, Field(min_length=2, max_length=200)]
    breach: Annotated[str, Field(min_length=3, max_length=500)]  # French, as printed
    amount_eur: Annotated[float, Field(ge=0)] | None = None  # None: set by national law
    turnover_percent: Annotated[float, Field(ge=0, le=100)] | None = None
    sme_lower: bool = False  # AI Act Art. 99(6): for SMEs, the lower of amount and percentage
    note: str | None = None  # French: what is unsettled about this entry


class SmeTest(_Strict):
    max_employees: Annotated[int, Field(ge=0)]
    max_turnover_eur: Annotated[float, Field(ge=0)]
    source: Annotated[str, Field(min_length=3)]


Note = Annotated[str, Field(min_length=3, max_length=1000)]


class PenaltyNotes(_Strict):
    """The French sentences that explain a cap (placeholders filled by :func:`cap`)."""

    national: Note = "-"
    fixed: Note = "{amount}"
    who_sme: Note = "{source}"
    who_not_sme: Note = "{source}"
    who_general: Note = "-"
    unknown_turnover_at_most: Note = "{who} {amount} {percent}"
    unknown_turnover_at_least: Note = "{who} {amount} {percent}"
    computed: Note = "{who} {amount} {percent} {share} {value}"


_NOTE_FIELDS = {
    "national": set(), "fixed": {"amount"}, "who_sme": {"source"}, "who_not_sme": {"source"},
    "who_general": set(), "unknown_turnover_at_most": {"who", "amount", "percent"},
    "unknown_turnover_at_least": {"who", "amount", "percent"},
    "computed": {"who", "amount", "percent", "share", "value"},
}


def _check_placeholders(notes: PenaltyNotes) -> PenaltyNotes:
    """Refuse a note whose ``{placeholder}`` the code does not fill (it would crash a run)."""
    for name, allowed in _NOTE_FIELDS.items():
        try:
            used = {field for _, field, _, _ in string.Formatter().parse(getattr(notes, name))
                    if field is not None}
        except ValueError as exc:
            raise ValueError(f"notes.{name}: {exc}; write placeholders as {{name}}") from None
        unknown = sorted(used - allowed)
        if unknown:
            known = ", ".join(f"{{{a}}}" for a in sorted(allowed)) or "none"
            raise ValueError(f"notes.{name}: unknown placeholder {{{unknown[0]}}} "
                             f"(this note may use: {known})")
    return notes


class PenaltyTable(_Strict):
    sme: SmeTest | None = None
    notes: Annotated[PenaltyNotes, AfterValidator(_check_placeholders)] = PenaltyNotes()
    small_mid_caps: str | None = None  # French note on the reported Omnibus extension
    penalties: dict[str, Penalty] = {}


@dataclass(frozen=True)
class Cap:
    """One penalty for one client: the cap at stake and how it was worked out."""

    id: str
    penalty: Penalty
    cap_eur: float | None
    bound: Bound
    rule: Literal["higher", "lower"]
    note: str  # French


def load_penalties(rules_dir: Path) -> tuple[PenaltyTable, list[Issue]]:
    """Read ``rules_dir/penalties.yaml`` (an empty table when there is none)."""
    from engine.assessment.policy import load_table

    return load_table(rules_dir, PENALTIES_FILE, PenaltyTable)


def is_sme(client: Client, table: PenaltyTable) -> bool | None:
    """Whether the client counts as an SME for Art. 99(6) (None: the table has no test)."""
    if table.sme is None:
        return None
    turnover = client.annual_turnover_eur
    return client.employees <= table.sme.max_employees and (
        turnover is None or turnover <= table.sme.max_turnover_eur)


@functools.lru_cache(maxsize=4096)  # the fixed amounts repeat for every client
def _euros(amount: float) -> str:
    from engine.documents.formatting import euros  # French formats live with the documents

    return euros(amount, cents=False)


def _percent(value: float) -> str:
    return f"{value:g}".replace(".", ",") + "\u00a0%"


def cap(penalty_id: str, penalty: Penalty, client: Client, table: PenaltyTable) -> Cap:
    """The cap of one penalty for one client."""
    sme = is_sme(client, table)
    lower = penalty.sme_lower and sme is True
    rule: Literal["higher", "lower"] = "lower" if lower else "higher"
    notes = table.notes
    if penalty.amount_eur is None:
        return Cap(penalty_id, penalty, None, "national", rule, penalty.note or notes.national)
    amount = penalty.amount_eur
    percent = penalty.turnover_percent
    turnover = client.annual_turnover_eur
    if percent is None:
        return Cap(penalty_id, penalty, amount, "exact", rule,
                   notes.fixed.format(amount=_euros(amount)))
    source = table.sme.source if table.sme else ""
    if lower:
        who = notes.who_sme.format(source=source)
    elif penalty.sme_lower:
        who = notes.who_not_sme.format(source=source)
    else:
        who = notes.who_general
    words = {"who": who, "amount": _euros(amount), "percent": _percent(percent)}
    if turnover is None:
        if lower:
            return Cap(penalty_id, penalty, amount, "at_most", rule,
                       notes.unknown_turnover_at_most.format(**words))
        return Cap(penalty_id, penalty, amount, "at_least", rule,
                   notes.unknown_turnover_at_least.format(**words))
    share = round(turnover * percent / 100, 2)
    value = min(amount, share) if lower else max(amount, share)
    note = notes.computed.format(**words, share=_euros(share), value=_euros(value))
    if not lower and penalty.sme_lower and table.small_mid_caps:
        note += " " + table.small_mid_caps
    return Cap(penalty_id, penalty, value, "exact", rule, note)


def caps(ids: set[str], client: Client, table: PenaltyTable) -> dict[str, Cap]:
    """The caps of the penalties ``ids`` (those a client's findings and duties name)."""
    return {pid: cap(pid, table.penalties[pid], client, table)
            for pid in sorted(ids) if pid in table.penalties}
