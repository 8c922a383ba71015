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
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import Issue, Location, RuleError
from engine.profile.model import Client
from engine.profile.yamlio import load_yaml

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


class PenaltyTable(_Strict):
    sme: SmeTest | None = None
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
    path = rules_dir / PENALTIES_FILE
    if not path.is_file():
        return PenaltyTable(), []
    shown = str(path)
    try:
        doc = load_yaml(path, display_path=shown, error_cls=RuleError)
    except RuleError as exc:
        return PenaltyTable(), list(exc.issues)
    try:
        return PenaltyTable.model_validate(doc.data), []
    except ValidationError as exc:
        issues = []
        for error in exc.errors(include_url=False):
            loc = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
            where = doc.locate(loc) if loc else Location(shown, 1)
            issues.append(Issue(where, f"penalties: {'.'.join(map(str, loc))}: {error['msg']}"))
        return PenaltyTable(), issues


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
    if penalty.amount_eur is None:
        return Cap(penalty_id, penalty, None, "national", rule,
                   penalty.note or "Montant fixé par le droit national.")
    amount = penalty.amount_eur
    percent = penalty.turnover_percent
    turnover = client.annual_turnover_eur
    if percent is None:
        return Cap(penalty_id, penalty, amount, "exact", rule, f"Plafond de {_euros(amount)}.")
    source = f" ({table.sme.source})" if table.sme else ""
    if lower:
        who = (f"L'entreprise est une PME{source} : pour elle, le plafond est le plus bas des "
               "deux montants (art. 99(6))")
    elif penalty.sme_lower:
        who = (f"L'entreprise ne remplit pas les critères de PME{source} : le plafond est le "
               "plus élevé des deux montants")
    else:
        who = "Le plafond est le plus élevé des deux montants, sans règle propre aux PME"
    if turnover is None:
        if lower:
            return Cap(penalty_id, penalty, amount, "at_most", rule, (
                f"{who}. Chiffre d'affaires non renseigné : au plus {_euros(amount)}, moins si "
                f"{_percent(percent)} du chiffre d'affaires annuel mondial est inférieur."))
        return Cap(penalty_id, penalty, amount, "at_least", rule, (
            f"{who}. Chiffre d'affaires non renseigné : au moins {_euros(amount)}, davantage "
            f"si {_percent(percent)} du chiffre d'affaires annuel mondial est supérieur."))
    share = round(turnover * percent / 100, 2)
    value = min(amount, share) if lower else max(amount, share)
    note = (f"{who}, entre {_euros(amount)} et {_percent(percent)} du chiffre d'affaires "
            f"déclaré ({_euros(share)}), soit {_euros(value)} ; le chiffre d'affaires déclaré "
            "est supposé être le chiffre d'affaires annuel mondial de l'exercice précédent.")
    if not lower and penalty.sme_lower and table.small_mid_caps:
        note += " " + table.small_mid_caps
    return Cap(penalty_id, penalty, value, "exact", rule, note)


def caps(ids: set[str], client: Client, table: PenaltyTable) -> dict[str, Cap]:
    """The caps of the penalties ``ids`` (those a client's findings and duties name)."""
    return {pid: cap(pid, table.penalties[pid], client, table)
            for pid in sorted(ids) if pid in table.penalties}
