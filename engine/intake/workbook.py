"""``questionnaire.xlsx``: the instructions sheet, the questions sheet, the hidden lists sheet.

Only the answer column can be edited: the sheets are protected without a password (a
consultant who needs to change them uses Review > Unprotect sheet), the workbook's structure
too (sheets cannot be renamed, unhidden or deleted). Answers are offered as drop-downs whose
lists live in the hidden sheet, with the questionnaire's identity (client id, profile file,
date) that ``iapme answers import`` reads back. Printable: landscape A4, fitted to the page
width, the header row repeated on every page. Same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from dataclasses import dataclass
from typing import Any

from engine.common.zipio import normalise_zip
from engine.documents.texts import Texts
from engine.intake.rows import Row

FORMAT = "iapme-questionnaire/1"
META = ("format", "client_id", "profile", "as_of")  # rows 1.. of the lists sheet, column A/B
FONT = "Arial"
COLUMNS = ("number", "subject", "question", "why", "answers", "answer", "key", "value")
WIDTHS = (4, 18, 42, 40, 26, 20, 30, 20)
ANSWER_COLUMN = COLUMNS.index("answer") + 1
KEY_COLUMN = COLUMNS.index("key") + 1
VALUE_COLUMN = COLUMNS.index("value") + 1
FIRST_LIST_COLUMN = 4
LINE_POINTS = 12.75  # one line of 10-point text
# LibreOffice clips, rather than shrinks, a single column wider than a portrait A4 page.
INTRO_WIDTH = 80
HEADER = "1F4E79"
ANSWER_FILL = "FFF2CC"
HEADING_FILL = "EDF2F9"


@dataclass(frozen=True)
class Identity:
    """What the questionnaire is about (kept in its hidden sheet)."""

    client_id: str
    client_name: str
    profile: str            # the profile file, as given on the command line
    as_of: dt.date
    consultant: str | None  # who to send it back to
    firm: str | None
    reply_by: dt.date


def _text(cell: Any, value: str) -> None:
    """A text cell, never a formula (a use-case title may start with '=')."""
    cell.value = value
    cell.data_type = "s"


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column of ``width`` (a rough, generous estimate)."""
    per_line = max(1.0, width * 1.4)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _instructions(sheet: Any, texts: Texts, identity: Identity, count: int) -> None:
    from openpyxl.styles import Alignment, Font

    t = texts.text
    sheet.column_dimensions["A"].width = INTRO_WIDTH
    wrap = Alignment(wrap_text=True, vertical="top")
    questions_sheet = t("questionnaire.sheets.questions")
    if identity.consultant and identity.firm:
        prepared = t("questionnaire.prepared.firm", date=_date(identity.as_of),
                     name=identity.consultant, firm=identity.firm)
    elif identity.consultant:
        prepared = t("questionnaire.prepared.consultant", date=_date(identity.as_of),
                     name=identity.consultant)
    else:
        prepared = t("questionnaire.prepared.nobody", date=_date(identity.as_of))
    send = (t("questionnaire.send.consultant", name=identity.consultant,
              date=_date(identity.reply_by)) if identity.consultant
            else t("questionnaire.send.nobody", date=_date(identity.reply_by)))
    columns = {c: t(f"questionnaire.columns.{c}") for c in ("subject", "answer")}
    how = texts.lines("questionnaire.how", sheet=questions_sheet, subject=columns["subject"],
                      answer=columns["answer"])
    blocks: list[tuple[str, str]] = [
        ("title", t("questionnaire.title")),
        ("strong", t("questionnaire.client", client=identity.client_name)),
        ("plain", prepared), ("gap", ""),
        ("heading", t("questionnaire.headings.why")),
        *(("plain", line) for line in texts.lines("questionnaire.intro", count=str(count),
                                                  sheet=questions_sheet)),
        ("gap", ""), ("heading", t("questionnaire.headings.how")),
        *(("plain", f"{n}. {line}") for n, line in enumerate(how, 1)),
        ("gap", ""), ("heading", t("questionnaire.headings.send")),
        ("strong", send), ("plain", t("questionnaire.send.later")),
    ]
    fonts = {"title": Font(name=FONT, size=16, bold=True, color=HEADER),
             "heading": Font(name=FONT, size=12, bold=True, color=HEADER),
             "strong": Font(name=FONT, size=11, bold=True),
             "plain": Font(name=FONT, size=11), "gap": Font(name=FONT, size=11)}
    for row, (style, value) in enumerate(blocks, 1):
        cell = sheet.cell(row=row, column=1)
        _text(cell, value)
        cell.font, cell.alignment = fonts[style], wrap
        size = 16 if style == "title" else 12
        sheet.row_dimensions[row].height = max(
            LINE_POINTS, _lines(value, INTRO_WIDTH * 10 / 11) * size * 1.3 + 3)
    _page(sheet, texts, identity, landscape=False)
    sheet.protection.sheet = True


def _questions(sheet: Any, texts: Texts, identity: Identity, rows: list[Row],
               lists: dict[tuple[str, ...], str]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, name in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=index)
        _text(cell, texts.text(f"questionnaire.columns.{name}"))
        cell.font = Font(name=FONT, size=10, bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER)
        cell.alignment, cell.border = Alignment(wrap_text=True, vertical="center"), border
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[index - 1]
    sheet.row_dimensions[1].height = 30
    for name in ("key", "value"):
        sheet.column_dimensions[get_column_letter(COLUMNS.index(name) + 1)].hidden = True
    validations: dict[tuple[tuple[str, ...], bool], Any] = {}
    for offset, row in enumerate(rows, 2):
        values = (row.number, row.subject, row.question, row.why, row.answers,
                  texts.text("questionnaire.answers.not_here") if row.heading else "",
                  row.key, row.value)
        for index, value in enumerate(values, 1):
            cell = sheet.cell(row=offset, column=index)
            if value:
                _text(cell, value)
            bold = bool(row.number) and index in (1, COLUMNS.index("question") + 1)
            cell.font = Font(name=FONT, size=10, bold=bold)
            cell.alignment, cell.border = wrap, border
            if row.heading:
                cell.fill = PatternFill("solid", fgColor=HEADING_FILL)
        answer = sheet.cell(row=offset, column=ANSWER_COLUMN)
        if not row.heading:
            answer.protection = Protection(locked=False)
            answer.fill = PatternFill("solid", fgColor=ANSWER_FILL)
        if row.choices:
            slot = (row.choices, row.strict)
            if slot not in validations:
                column, size = lists[row.choices], len(row.choices)
                validation = DataValidation(
                    type="list", formula1=f"{_quoted_sheet(texts)}!${column}$1:${column}${size}",
                    allow_blank=True, showErrorMessage=row.strict, showDropDown=False,
                    errorTitle=texts.text("questionnaire.validation.title"),
                    error=texts.text("questionnaire.validation.message"))
                sheet.add_data_validation(validation)
                validations[slot] = validation
            validations[slot].add(answer.coordinate)
        height = max(_lines(str(v), WIDTHS[i]) for i, v in enumerate(values[:6]))
        sheet.row_dimensions[offset].height = max(LINE_POINTS + 2, height * LINE_POINTS + 3)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    _page(sheet, texts, identity, landscape=True)
    sheet.protection.sheet = True
    sheet.protection.formatRows = False  # a long answer may need a taller row


def _quoted_sheet(texts: Texts) -> str:
    name = texts.text("questionnaire.sheets.lists").replace("'", "''")
    return f"'{name}'"


def _lists(sheet: Any, identity: Identity, rows: list[Row]) -> dict[tuple[str, ...], str]:
    """Write the drop-down lists and the identity; return each list's column letter."""
    from openpyxl.utils import get_column_letter

    meta = (FORMAT, identity.client_id, identity.profile, identity.as_of.isoformat())
    for line, (name, value) in enumerate(zip(META, meta, strict=True), 1):
        _text(sheet.cell(row=line, column=1), name)
        _text(sheet.cell(row=line, column=2), value)
    columns: dict[tuple[str, ...], str] = {}
    for row in rows:
        if row.choices and row.choices not in columns:
            column = FIRST_LIST_COLUMN + len(columns)
            columns[row.choices] = get_column_letter(column)
            for offset, choice in enumerate(row.choices, 1):
                _text(sheet.cell(row=offset, column=column), choice)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
    return columns


def _date(day: dt.date) -> str:
    from engine.documents.formatting import date_fr

    return date_fr(day)


def _page(sheet: Any, texts: Texts, identity: Identity, *, landscape: bool) -> None:
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top, sheet.page_margins.bottom = 0.6, 0.7
    footer = texts.text("questionnaire.footer", client=identity.client_name.replace("&", "&&"),
                        date=_date(identity.as_of), page="&P", pages="&N")
    sheet.oddFooter.center.text = footer
    sheet.oddFooter.center.size = 8


def questionnaire_xlsx(texts: Texts, identity: Identity, rows: list[Row], count: int) -> bytes:
    """The workbook's bytes: reproducible (fixed dates, normalised zip)."""
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    intro = book.active
    intro.title = texts.text("questionnaire.sheets.instructions")
    questions = book.create_sheet(texts.text("questionnaire.sheets.questions"))
    hidden = book.create_sheet(texts.text("questionnaire.sheets.lists"))
    _instructions(intro, texts, identity, count)
    _questions(questions, texts, identity, rows, _lists(hidden, identity, rows))
    book.security = WorkbookProtection(lockStructure=True)
    stamp = dt.datetime.combine(identity.as_of, dt.time())
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = book.properties.lastModifiedBy = "iapme"
    book.properties.title = f"{texts.text('questionnaire.title')} – {identity.client_name}"
    book.properties.language = "fr-FR"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()  # save() would stamp the current time
    return normalise_zip(buffer.getvalue())
