"""``summary.xlsx``: the portfolio in French, one row per client of the output folder.

Sheet "Portefeuille": the client, its sector, tier and decisions in words (``rules/texts``),
real dates, amounts as numbers, the most binding decision coloured, the next deadline, a link
to the client's audit report; frozen header and filters. Sheet "Échéances": every dated
obligation of every client, soonest first. Reproducible byte for byte (fixed dates, normalised
zip); text a spreadsheet would run as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.common.xlsx import Cell, Sheet, Style, workbook_bytes
from engine.portfolio.text_keys import DEADLINE_COLUMNS, DECISIONS, SUMMARY_COLUMNS

if TYPE_CHECKING:
    from engine.documents.texts import Texts

# Decision -> (fill, font colour): red to stop, orange to regularise, amber to fix, grey to
# complete, light green under conditions, green to go.
DECISION_COLOURS = {
    "stop": ("C00000", "FFFFFF"), "regularise_now": ("E46C0A", "FFFFFF"),
    "fix_before_launch": ("FFC000", "000000"), "to_complete": ("BFBFBF", "000000"),
    "proceed_with_conditions": ("C5E0B4", "000000"), "proceed": ("548235", "FFFFFF"),
}
WIDTHS = {"client": 30, "sector": 16, "as_of": 12, "use_cases": 9, "worst_tier": 24,
          "decision": 24, "decisions": 30, "blockers": 10, "actions_now": 10, "gdpr_gaps": 9,
          "next_deadline": 12, "next_deadline_text": 50, "annual_gain": 13, "annual_cost": 13,
          "roi": 9, "scale_up": 12, "report": 18}
DEADLINE_WIDTHS = {"client": 30, "date": 13, "reference": 18, "text": 70, "use_cases": 36,
                   "in_force": 11}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EURO = '#,##0.00\\ "€"'


@dataclass(frozen=True)
class PortfolioClient:
    """One client of the output folder, as its manifest record has it."""

    row: dict[str, Any]                              # engine.run.summary.summary_row
    deadlines: list[list[Any]] = field(default_factory=list)  # engine.run.summary.deadline_rows
    documents: tuple[str, ...] = ()                  # its files, relative to the folder

    @property
    def report(self) -> str | None:
        found = [d for d in self.documents if d.endswith("/rapport-audit.docx")]
        return found[0] if found else None


def reference_cell(texts: Texts) -> Callable[[str], str]:
    """A canonical reference in French, capitalised for a cell of its own: ``Art. 26(2)`` ->
    ``Art. 26(2)``, ``GDPR Art. 30`` -> ``RGPD, art. 30``."""
    from engine.documents.wording import Wording

    words = Wording(texts)

    def french(reference: str) -> str:
        text = words.reference(reference)
        return text[:1].upper() + text[1:]
    return french


def inert(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def iso_date(text: Any) -> dt.date | None:
    """A row's ISO date text as a date; None for an empty or malformed one."""
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def decision_label(code: Any, texts: Texts) -> str:
    return texts.text(f"portfolio.decision.{code}" if code in DECISIONS else
                      "portfolio.decision.none")


def tier_label(code: Any, texts: Texts) -> str:
    return _label(texts, "labels.tier", code)


def decision_counts(row: dict[str, Any], texts: Texts) -> list[tuple[str, int]]:
    """``[(decision, count)]`` of the client's use cases, the most binding first."""
    return [(d, int(row.get(f"decision_{d}") or 0)) for d in DECISIONS
            if int(row.get(f"decision_{d}") or 0)]


def _values(client: PortfolioClient, texts: Texts, french: Callable[[str], str]
            ) -> dict[str, Any]:
    row = client.row
    counts = decision_counts(row, texts)
    deadline = iso_date(row.get("next_deadline"))
    reference = french(str(row.get("next_deadline_reference") or ""))
    return {
        "client": row.get("client_name", row.get("client_id", "")),
        "sector": row.get("sector_label") or _label(texts, "labels.sector", row.get("sector")),
        "as_of": iso_date(row.get("as_of")),
        "use_cases": row.get("use_cases"),
        "worst_tier": _label(texts, "labels.tier", row.get("worst_tier")),
        "decision": decision_label(row.get("decision"), texts),
        "decisions": "\n".join(texts.text("portfolio.summary.decision_count", count=str(n),
                                          decision=decision_label(d, texts)) for d, n in counts),
        "blockers": row.get("blockers"),
        "actions_now": row.get("actions_now"),
        "gdpr_gaps": row.get("gdpr_gaps"),
        "next_deadline": deadline,
        "next_deadline_text": (f"{reference} – {row.get('next_deadline_text', '')}"
                               if deadline else texts.text("portfolio.summary.none")),
        "annual_gain": row.get("annual_gain_eur"),
        "annual_cost": row.get("annual_cost_eur"),
        "roi": row.get("roi_percent"),
        "scale_up": row.get("scale_up_ready"),
        "report": texts.text("portfolio.summary.report_link") if client.report else "",
    }


def _label(texts: Texts, prefix: str, code: Any) -> str:
    """The French label of a code; a code without one (a manifest edited by hand) as it is."""
    key = f"{prefix}.{code}"
    return texts.text(key) if key in texts.schema else str(code or "")


_HEADER = Style(bold=True, color="FFFFFF", fill="1F4E79", wrap=True, vertical="center")
_TOP = Style(wrap=True, vertical="top")
_DATE = Style(wrap=True, vertical="top", number_format="DD/MM/YYYY")
_EURO = Style(wrap=True, vertical="top", number_format=EURO)
_LINK = Style(wrap=True, vertical="top", color="0563C1", underline=True)
_DECISION = {code: Style(bold=True, color=font, fill=fill, wrap=True, vertical="top")
             for code, (fill, font) in DECISION_COLOURS.items()}


def portfolio_xlsx(clients: Sequence[PortfolioClient], texts: Texts) -> bytes:
    """The two sheets, reproducible byte for byte."""
    french = reference_cell(texts)
    rows = [[Cell(texts.text(f"portfolio.summary.column.{c}"), _HEADER)
             for c in SUMMARY_COLUMNS]]
    for client in clients:
        values = _values(client, texts, french)
        rows.append([_summary_cell(column, inert(values[column]) if values[column] != ""
                                   else None, client) for column in SUMMARY_COLUMNS])
    dates = [[Cell(texts.text(f"portfolio.summary.deadline_column.{c}"), _HEADER)
              for c in DEADLINE_COLUMNS]]
    for name, row in _deadlines(clients):
        line = [inert(name), iso_date(row[0]), inert(french(str(row[1]))), inert(row[2]),
                inert(row[3]), texts.text("portfolio.summary.in_force" if row[4] else
                                          "portfolio.summary.coming")]
        dates.append([Cell(v, _DATE if i == 1 else _TOP) for i, v in enumerate(line)])
    sheets = [_sheet(texts.text("portfolio.summary.sheet"), rows,
                     [WIDTHS[c] for c in SUMMARY_COLUMNS]),
              _sheet(texts.text("portfolio.summary.deadlines_sheet"), dates,
                     [DEADLINE_WIDTHS[c] for c in DEADLINE_COLUMNS])]
    return workbook_bytes(sheets)


def _summary_cell(column: str, value: Any, client: PortfolioClient) -> Cell:
    if column in ("as_of", "next_deadline") and value is not None:
        return Cell(value, _DATE)
    if column in ("annual_gain", "annual_cost"):
        return Cell(value, _EURO)
    if column == "decision" and client.row.get("decision") in DECISION_COLOURS:
        return Cell(value, _DECISION[client.row["decision"]])
    if column == "report" and client.report:
        return Cell(value, _LINK, link=client.report)
    return Cell(value, _TOP)


def _deadlines(clients: Sequence[PortfolioClient]) -> list[tuple[str, list[Any]]]:
    """Every client's dated obligations, soonest first, then by client."""
    from engine.assessment.assess import natural_key

    rows = [(str(c.row.get("client_name", "")), d) for c in clients for d in c.deadlines]
    return sorted(rows, key=lambda r: (str(r[1][0]), r[0], natural_key(str(r[1][1]))))


def _sheet(name: str, rows: list[list[Cell]], widths: list[int]) -> Sheet:
    """A sheet with its header set (frozen with the first column, filters, 45 points high,
    printed landscape one page wide with the header on every page) and row heights for the
    wrapped text (spreadsheets do not grow rows written by a library): the most lines any
    cell of the row needs at its column's width, 15 points a line."""
    heights: dict[int, float] = {1: 45}
    for number, row in enumerate(rows[1:], start=2):
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            if isinstance(cell.value, str):
                per_line = max(1, int(width * 1.15) - 2)  # proportional type: narrower
                needed = sum(max(1, -(-len(part) // per_line))
                             for part in cell.value.split("\n"))
                lines = max(lines, needed)
        heights[number] = 15 * lines + 2
    return Sheet(name, rows, widths=widths, heights=heights, freeze="B2", autofilter=True,
                 landscape_fit_width=True)
