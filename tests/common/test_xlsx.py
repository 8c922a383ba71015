"""The small .xlsx writer: typed cells, styles, freeze, filters and links as openpyxl reads
them back; hostile text never makes an invalid file; the same bytes every time."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from engine.common.xlsx import Cell, Sheet, Style, column_letter, workbook_bytes

BOLD = Style(bold=True, color="FFFFFF", fill="1F3864", wrap=True, vertical="center")
DATE = Style(number_format="DD/MM/YYYY")
HOSTILE = "a\x00b\x1b<c>&\"d' ]]> \ufffe\ud800 =SUM(A1) é"


def _book() -> bytes:
    rows = [
        [Cell("Nom", BOLD), Cell("Nombre", BOLD), Cell("Date", BOLD), Cell("Lien", BOLD)],
        [Cell(HOSTILE), Cell(42), Cell(dt.date(2026, 8, 2), DATE),
         Cell("rapport", Style(color="0563C1", underline=True), link="c/rapport-audit.docx")],
        [Cell("  espaces  "), Cell(1.5), Cell(None), Cell(True)],
        [Cell(""), Cell(float("nan")), Cell(dt.date(1900, 3, 1), DATE), Cell(False)],
    ]
    return workbook_bytes([Sheet("Feuille 'un'", rows, widths=[30, 9.5, 12, 10], freeze="B2",
                                 autofilter=True, heights={1: 45}, landscape_fit_width=True),
                           Sheet("Deux", [[Cell("x")]], freeze="A2")],
                          title="Titre & <client>", created=dt.date(2026, 11, 26))


def test_values_and_layout_read_back() -> None:
    book = openpyxl.load_workbook(io.BytesIO(_book()))
    assert book.sheetnames == ["Feuille 'un'", "Deux"]
    sheet = book.worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Nom", "Nombre", "Date", "Lien"]
    assert values[1][0] == "ab<c>&\"d' ]]> \ufffe =SUM(A1) é".replace("\ufffe", "")
    assert values[1][1:3] == [42, dt.datetime(2026, 8, 2)]
    assert values[2] == ["  espaces  ", 1.5, None, True]
    assert values[3] == [None, None, dt.datetime(1900, 3, 1), False]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:D4"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.column_dimensions["B"].width == 9.5
    assert sheet.row_dimensions[1].height == 45
    header = sheet["A1"]
    assert header.font.b
    assert header.fill.fgColor.rgb == "FF1F3864"
    assert header.alignment.wrap_text
    assert header.alignment.vertical == "center"
    assert sheet["C2"].number_format == "DD/MM/YYYY"
    assert sheet["D2"].hyperlink.target == "c/rapport-audit.docx"
    assert sheet["D2"].font.u == "single"
    assert book.worksheets[1].freeze_panes == "A2"
    assert book.properties.title == "Titre & <client>"
    assert book.properties.created == dt.datetime(2026, 11, 26)


def test_same_bytes_every_time() -> None:
    assert _book() == _book()


def test_column_letters() -> None:
    assert [column_letter(i) for i in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_it(tmp_path: Path) -> None:
    (tmp_path / "book.xlsx").write_bytes(_book())
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
                    "--outdir", str(tmp_path), str(tmp_path / "book.xlsx")],
                   capture_output=True, timeout=180, check=True)
    text = (tmp_path / "book.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "Nom,Nombre,Date,Lien"
    assert "42" in text
    assert "02/08/2026" in text
