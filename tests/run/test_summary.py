"""Tests of engine.run.summary: the portfolio rows, summary.csv and summary.xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from engine.documents.text_keys import load_texts
from engine.portfolio.workbook import PortfolioClient, portfolio_xlsx
from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.run.pipeline import assess_profile
from engine.run.summary import SUMMARY_FIELDS, summary_csv, summary_row

ROOT = Path(__file__).resolve().parents[2]
TEXTS = load_texts(ROOT / "rules")


def summary_xlsx(rows: list[dict[str, Any]]) -> bytes:
    return portfolio_xlsx([PortfolioClient(r, [], (f"{r.get('client_id')}/rapport-audit.docx",))
                           for r in rows], TEXTS)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    rulebase = load_rulebase(ROOT / "rules")
    paths = [*sorted((ROOT / "inputs").glob("*.yaml")),
             ROOT / "tests" / "data" / "profiles" / "dupont.yaml"]
    return [summary_row(assess_profile(load_profile(p), rulebase, dt.date(2026, 11, 26)))
            for p in paths]


def test_columns_cover_the_portfolio_view() -> None:
    """Issue 5: sector, use cases, worst tier, blockers, GDPR gaps, ROI, scale-up readiness."""
    for column in ("sector", "use_cases", "worst_tier", "blockers", "gdpr_gaps", "roi_percent",
                   "scale_up_ready", "client_id", "client_name"):
        assert column in SUMMARY_FIELDS


def test_row_values(rows: list[dict[str, Any]]) -> None:
    dupont = next(r for r in rows if r["client_id"] == "dupont")
    assert dupont["client_name"] == "Dupont & Fils <SARL>"
    assert dupont["worst_tier"] == "unacceptable"
    assert (dupont["use_cases"], dupont["prohibited"], dupont["high_risk"]) == (2, 1, 1)
    assert dupont["blockers"] >= 1
    assert dupont["as_of"] == "2026-11-26"
    for row in rows:
        assert list(row) == SUMMARY_FIELDS
        assert row["roi_percent"] == "" or isinstance(row["roi_percent"], float)


def test_csv_has_a_header_and_one_line_per_client(rows: list[dict[str, Any]]) -> None:
    text = summary_csv(rows).decode("utf-8")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [r["client_id"] for r in parsed] == [r["client_id"] for r in rows]
    assert parsed[-1]["client_name"] == "Dupont & Fils <SARL>"
    assert text.splitlines()[0] == ",".join(SUMMARY_FIELDS)


def test_workbook_layout(rows: list[dict[str, Any]]) -> None:
    """French headers and values in a bold coloured frozen row, auto-filter, set widths, real
    dates, a link to each report, a second sheet of deadlines."""
    book = openpyxl.load_workbook(io.BytesIO(summary_xlsx(rows)))
    sheet = book["Portefeuille"]
    assert book.sheetnames == ["Portefeuille", "Échéances"]
    assert sheet.freeze_panes == "B2"
    assert sheet["A1"].value == "Client"
    assert sheet["B1"].value == "Secteur"
    assert sheet["A1"].font.b
    assert sheet["A1"].fill.fgColor.rgb.endswith("1F4E79")
    assert sheet.column_dimensions["A"].width == 30
    assert sheet.auto_filter.ref == f"A1:Q{len(rows) + 1}"
    dupont = next(line for line in sheet.iter_rows(min_row=2)
                  if line[0].value == "Dupont & Fils <SARL>")
    assert dupont[2].value == dt.datetime(2026, 11, 26)  # a real date
    assert dupont[4].value == "Risque inacceptable (pratique interdite)"
    assert dupont[16].hyperlink.target == "dupont/rapport-audit.docx"
    assert dupont[16].value == "Ouvrir le rapport"
    sectors = {line[1].value for line in sheet.iter_rows(min_row=2)}
    assert "cabinet_liberal" not in sectors
    # the client's own wording of its sector when it gives one, else the French label
    assert "Expertise comptable et conseil fiscal" in sectors  # Cabinet FiscaConseil
    assert "Autre secteur" in sectors  # a client without a sector_label


def test_workbook_bytes_are_reproducible(rows: list[dict[str, Any]]) -> None:
    """No clock in the file: fixed document dates and zip entry dates."""
    first = summary_xlsx(rows)
    assert summary_xlsx(rows) == first
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core
    assert str(dt.date.today().year) not in core


def test_empty_portfolio() -> None:
    assert summary_csv([]).decode().strip() == ",".join(SUMMARY_FIELDS)
    sheet = openpyxl.load_workbook(io.BytesIO(summary_xlsx([]))).active
    assert sheet.max_row == 1


def test_formulas_are_inert_in_both_files() -> None:
    """A client name a spreadsheet would run (CSV injection) is written as text."""
    row: dict[str, Any] = {"client_id": "x", "client_name": '=HYPERLINK("http://evil.example","go")',
           "sector": "+cmd|' /C calc'!A0", "roi_percent": -12.5}
    assert "'=HYPERLINK(" in summary_csv([row]).decode()
    sheet = openpyxl.load_workbook(io.BytesIO(summary_xlsx([row]))).active
    assert sheet["A2"].value == "'" + row["client_name"]
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "'" + row["sector"]
    assert sheet["O2"].value == -12.5  # numbers stay numbers


def test_the_decisions_actions_and_calendar_match_assessment_json() -> None:
    """Issue 13: the portfolio states the same decisions, plan and calendar as the JSON."""
    from engine.assessment.assess import to_json
    from engine.rules.base import load_rulebase

    rulebase = load_rulebase(ROOT / "rules")
    for path in sorted((ROOT / "inputs").glob("*.yaml")):
        assessment = assess_profile(load_profile(path), rulebase, dt.date(2026, 11, 26))
        row, data = summary_row(assessment), to_json(assessment)
        decisions = [(u["id"], u["decision"]["status"]) for u in data["use_cases"]]
        assert row["decisions"] == "; ".join(f"{i}={s}" for i, s in decisions)
        for status in ("stop", "regularise_now", "fix_before_launch", "to_complete",
                       "proceed_with_conditions", "proceed"):
            assert row[f"decision_{status}"] == sum(1 for _, s in decisions if s == status)
        assert row["actions"] == len(data["actions"])
        assert row["actions_now"] == sum(1 for a in data["actions"] if a["due"] == "immediately")
        assert row["actions_blocking"] == sum(1 for a in data["actions"] if a["blocking"])
        future = sorted(d["date"] for d in data["deadlines"]
                        if d["date"] > data["as_of"] and (d["kind"] == "obligation"
                                                          or d["use_cases"]))
        assert row["next_deadline"] == (future[0] if future else "")
        coming = data["next_deadline"]
        assert (row["next_deadline"], row["next_deadline_reference"]) == (
            (coming["date"], coming["reference"]) if coming else ("", ""))
        assert row["roi_to_complete"] == sum(1 for u in data["use_cases"]
                                             if u["roi"]["status"] == "to_complete")
    recrutis = summary_row(assess_profile(load_profile(ROOT / "inputs" / "recrutis-interim.yaml"),
                                          rulebase, dt.date(2026, 11, 26)))
    assert recrutis["decisions"] == "tri-cv=regularise_now; comptes-rendus=regularise_now"
