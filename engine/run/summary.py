"""The firm's portfolio view: one row per client in ``summary.csv`` and ``summary.xlsx``.

Columns (issue 5): sector, use cases, worst tier, blockers, GDPR gaps, ROI, scale-up readiness,
with the client's id, name and assessment date, the tier counts and the ROI's two sides; then
(issue 13) the same decisions, action plan and calendar as ``assessment.json``: the use cases
per decision, each use case's decision code, the actions (all, due now, blocking) and the next
dated obligation. The CSV
keeps machine values (codes, plain numbers, ``""`` when unknown) for scripts; the workbook has
the same values under French headers, a styled and frozen header row, an auto-filter and column
widths. Both are byte-identical for identical rows (fixed dates, normalised zip). Text that a
spreadsheet would run as a formula is written with a leading apostrophe in both.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import TYPE_CHECKING, Any

from engine.common.zipio import normalise_zip
from engine.rules.types import DECISION_STATUSES

if TYPE_CHECKING:
    from engine.assessment.assess import Assessment

COLUMNS = (  # field, French header, width in characters
    ("client_id", "Identifiant", 24),
    ("client_name", "Client", 34),
    ("sector", "Secteur", 16),
    ("as_of", "Date d'évaluation", 14),
    ("use_cases", "Cas d'usage", 10),
    ("worst_tier", "Risque le plus élevé (AI Act)", 16),
    ("prohibited", "Pratiques interdites", 11),
    ("high_risk", "Haut risque", 10),
    ("undetermined", "Classification à compléter", 13),
    ("blockers", "Points bloquants", 10),
    ("gdpr_gaps", "Écarts RGPD", 10),
    ("annual_gain_eur", "Gain annuel (€)", 13),
    ("annual_cost_eur", "Coût annuel (€)", 13),
    ("roi_percent", "ROI (%)", 10),
    ("scale_up_ready", "Cas prêts à passer à l'échelle", 13),
    # the decision on each use case (assessment.json ``use_cases[].decision``), counted...
    ("decision_stop", "À arrêter", 10),
    ("decision_regularise_now", "À régulariser sans délai", 12),
    ("decision_fix_before_launch", "À corriger avant mise en service", 13),
    ("decision_to_complete", "Analyse à compléter", 11),
    ("decision_proceed_with_conditions", "Possibles sous conditions", 12),
    ("decision_proceed", "Possibles en l'état", 10),
    # ... and listed, ``id=status`` in the profile's order
    ("decisions", "Décision par cas d'usage (codes)", 40),
    # the action plan (``actions``) and the calendar (``deadlines``)
    ("actions", "Actions du plan", 10),
    ("actions_now", "Actions sans délai", 10),
    ("actions_blocking", "Actions bloquantes", 10),
    ("next_deadline", "Prochaine échéance", 14),
)
SUMMARY_FIELDS = [name for name, _, _ in COLUMNS]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with text a spreadsheet would run as a formula (``=HYPERLINK(...)``,
    ``+cmd|...``, ``@SUM(...)``) prefixed with an apostrophe (OWASP: CSV injection)."""
    return {k: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            for k, v in row.items()}


def summary_row(assessment: Assessment) -> dict[str, Any]:
    """The portfolio line of one client (machine-readable values, not French formatting)."""
    client = assessment.profile.client
    use_cases = assessment.use_cases
    gain = sum(u.roi.annual_gain for u in use_cases)
    cost = sum(u.roi.annual_cost for u in use_cases)
    return {
        "client_id": assessment.profile.client_id,
        "client_name": client.name,
        "sector": client.sector,
        "as_of": assessment.as_of.isoformat(),
        "use_cases": len(use_cases),
        "worst_tier": assessment.worst_tier,
        "prohibited": sum(1 for u in use_cases if u.tier == "unacceptable"),
        "high_risk": sum(1 for u in use_cases if u.tier == "high"),
        "undetermined": sum(1 for u in use_cases if u.tier == "undetermined"),
        "blockers": sum(1 for f in assessment.findings if f.severity == "blocker"),
        "gdpr_gaps": sum(1 for f in assessment.findings
                         if f.kind == "gdpr" and f.severity != "info"),
        "annual_gain_eur": round(gain, 2),
        "annual_cost_eur": round(cost, 2),
        "roi_percent": round((gain - cost) / cost * 100, 1) if cost > 0 else "",
        "scale_up_ready": sum(1 for u in use_cases if u.scale_up_ready),
        **{f"decision_{status}": sum(1 for u in use_cases
                                     if u.decision and u.decision.status == status)
           for status in DECISION_STATUSES},
        "decisions": "; ".join(f"{u.use_case.id}={u.decision.status}" for u in use_cases
                               if u.decision),
        "actions": len(assessment.actions),
        "actions_now": sum(1 for a in assessment.actions if a.due == "immediately"),
        "actions_blocking": sum(1 for a in assessment.actions if a.blocking),
        "next_deadline": min((d.date.isoformat() for d in assessment.deadlines
                              if d.date > assessment.as_of), default=""),
    }


def summary_csv(rows: list[dict[str, Any]]) -> bytes:
    """The rows as UTF-8 CSV with a header line, in the given order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_FIELDS, lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(_inert(row) for row in rows)
    return buffer.getvalue().encode("utf-8")


def summary_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The same rows as an Excel workbook, reproducible byte for byte."""
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    sheet = book.active
    sheet.title = "Portefeuille"
    sheet.append([header for _, header, _ in COLUMNS])
    for row in map(_inert, rows):
        sheet.append([row.get(name, "") for name in SUMMARY_FIELDS])
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E79")
    wrap = Alignment(wrap_text=True, vertical="center")
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[1].height = 45
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, len(rows) + 1)}"
    fixed = dt.datetime(2000, 1, 1)
    book.properties.created = book.properties.modified = fixed
    book.properties.creator = book.properties.lastModifiedBy = "iapme"
    buffer = io.BytesIO()
    # ExcelWriter, not book.save(): save() stamps the current time as the modification date.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return normalise_zip(buffer.getvalue())


