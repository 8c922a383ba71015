"""The impact report shown: the consultant's terminal table (codes and ids allowed) and the
workbook (``--xlsx``, French from ``rules/texts/portfolio.yaml``)."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from engine.common.text import printable
from engine.common.zipio import normalise_zip
from engine.portfolio.impact import Change, ImpactReport

if TYPE_CHECKING:
    from engine.documents.texts import Texts

KIND_WORDS = {
    "tier": "tier", "decision": "decision", "obligation_added": "obligation added",
    "obligation_removed": "obligation removed", "obligation_moved": "obligation moved",
    "obligation_reworded": "obligation reworded", "blocker_added": "blocker added",
    "blocker_removed": "blocker removed", "client_added": "client added",
    "client_removed": "client removed",
}
REWORK = "à reprendre à la main"


def _clip(text: str, width: int) -> str:
    text = printable(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def _arrow(change: Change) -> str:
    if change.before and change.after:
        return f"{change.before} -> {change.after}"
    return change.after or change.before


def impact_lines(report: ImpactReport) -> list[str]:
    """The terminal table: one block per client that changes, one line per change."""
    lines: list[str] = []
    for client in report.clients:
        tier = client.tier_after if client.tier_before == client.tier_after else \
            f"{client.tier_before or '-'} -> {client.tier_after or '-'}"
        lines.append(f"{printable(client.name)} ({client.client_id}): worst tier {tier}, "
                     f"{len(client.changes)} change(s)")
        for c in client.changes:
            what = KIND_WORDS[c.kind]
            lines.append(f"  {_clip(c.use_case or '-', 22):<22} {what:<20} "
                         f"{_clip(c.reference, 24):<24} {_clip(_arrow(c), 26):<26} "
                         f"{_clip(c.text, 60)}".rstrip())
        for name in client.rework:
            lines.append(f"  {name}: edited by hand, {REWORK}")
    total = len(report.clients) + report.unchanged
    lines.append(f"{len(report.clients)} of {total} client(s) changed against the baseline "
                 f"{printable(report.baseline)}")
    return lines


def impact_xlsx(report: ImpactReport, texts: Texts) -> bytes:
    """The impact as a workbook: one row per change, French headers and words."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from engine.portfolio.workbook import reference_cell

    french = reference_cell(texts)
    book = Workbook()
    sheet = book.active
    sheet.title = texts.text("portfolio.impact.sheet")
    columns = ("client", "use_case", "change", "reference", "before", "after", "text",
               "rework")
    widths = (30, 34, 24, 22, 20, 20, 70, 34)
    sheet.append([texts.text(f"portfolio.impact.column.{c}") for c in columns])
    for client in report.clients:
        titles = client.titles
        for c in client.changes:
            sheet.append([
                client.name, titles.get(c.use_case, c.use_case),
                texts.text(f"portfolio.impact.kind.{c.kind}"),
                french(c.reference) if c.kind.startswith("obligation") else c.reference,
                _word(c.kind, c.before, texts), _word(c.kind, c.after, texts), c.text,
                ", ".join(client.rework) and texts.text(
                    "portfolio.impact.rework", files=", ".join(client.rework)),
            ])
    header = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E79")
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = header, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, sheet.max_row)}"
    return _save(book)


def _word(kind: str, value: str, texts: Texts) -> str:
    """A tier or decision code in French; dates and other values as they are."""
    if not value:
        return ""
    from engine.portfolio.workbook import decision_label, tier_label

    if kind in ("tier", "client_added", "client_removed"):
        return tier_label(value, texts)
    if kind == "decision":
        return decision_label(value, texts)
    if kind.startswith("obligation"):
        import datetime as dt

        from engine.documents.formatting import date_short_fr

        return date_short_fr(dt.date.fromisoformat(value))
    return value


def _save(book: object) -> bytes:
    import datetime as dt

    from openpyxl.writer.excel import ExcelWriter

    fixed = dt.datetime(2000, 1, 1)
    props = book.properties  # type: ignore[attr-defined]
    props.created = props.modified = fixed
    props.creator = props.lastModifiedBy = "iapme"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return normalise_zip(buffer.getvalue())
