"""The portfolio views of an output folder: summary.csv/xlsx and index.html cover every client
of the folder (issue 17, acceptance 2); the page is static, French and links every document,
checked in headless Chromium; a rule edit re-renders only the clients it touches."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.documents.text_keys import load_texts
from engine.portfolio.page import index_html
from engine.portfolio.text_keys import DECISIONS
from engine.portfolio.workbook import DECISION_COLOURS, PortfolioClient
from engine.rules.types import DECISION_STATUSES

HOME_OF = ("engine.portfolio.page", "engine.portfolio.text_keys", "engine.portfolio.workbook")

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "inputs"


def _run(*args: str) -> Any:
    result = CliRunner().invoke(main, ["run", "--jobs", "1", "--as-of", "2026-11-26", *args])
    assert result.exit_code == 0, result.output
    return result


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.sources: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name == "href" and value:
                self.links.append(value)
            if name == "src" and value:
                self.sources.append(value)


def test_two_runs_of_single_clients_give_a_portfolio_with_both(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(str(INPUTS / "recrutis-interim.yaml"), "--out", str(out))
    _run(str(INPUTS / "plomberie-martin.yaml"), "--out", str(out))
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8"))))
    assert [r["client_id"] for r in rows] == ["plomberie-martin", "recrutis-interim"]
    recrutis = rows[1]
    assert recrutis["next_deadline"] > recrutis["as_of"]  # as assessment.json's deadlines
    assert recrutis["next_deadline_reference"]
    book = openpyxl.load_workbook(out / "summary.xlsx")
    names = [r[0].value for r in book["Portefeuille"].iter_rows(min_row=2)]
    assert names == ["Plomberie & Chauffage Martin", "Recrutis Intérim"]
    deadlines = [[c.value for c in r] for r in book["Échéances"].iter_rows(min_row=2)]
    assert {r[0] for r in deadlines} == set(names)
    days = [r[1] for r in deadlines]
    assert days == sorted(days)
    assert any(r[2] == "Art. 26(2)" and r[5] == "À venir" for r in deadlines)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Plomberie &amp; Chauffage Martin" in page
    assert "Recrutis Intérim" in page


def test_the_page_is_static_french_and_links_every_document(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(str(INPUTS), "--out", str(out))
    page = (out / "index.html").read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(page)
    assert '<html lang="fr">' in page
    assert "script" not in parser.tags
    assert parser.sources == []
    assert not [link for link in parser.links if re.match(r"[a-z]+:", link)]
    for client in ("cabinet-fiscaconseil", "cosmea-nature", "plomberie-martin",
                   "recrutis-interim", "vigie-retail"):
        for name in ("rapport-audit.docx", "charte-ia.docx", "brief-dsi.docx",
                     "assessment.json"):
            assert f"{client}/{name}" in parser.links
    assert all((out / link).is_file() for link in parser.links)
    assert page.count("<svg") == 2
    for code in ("cabinet_liberal", "unacceptable", "out_of_scope", "Annex III", "GDPR"):
        assert code not in page
    _each_client_row_says_its_sector_and_its_own_next_deadline(out, page)


def _each_client_row_says_its_sector_and_its_own_next_deadline(out: Path, page: str) -> None:
    """The row of a client: its own sector wording, and the next deadline that binds it (as
    assessment.json's next_deadline, in summary.csv and summary.xlsx too), never a transition
    of the law that starts none of its duties (Plomberie Martin, Vigie Retail: none at all)."""
    from engine.documents.formatting import date_short_fr

    csv_rows = {r["client_id"]: r for r in csv.DictReader(io.StringIO(
        (out / "summary.csv").read_text(encoding="utf-8")))}
    sheet = openpyxl.load_workbook(out / "summary.xlsx").worksheets[0]
    header = [c.value for c in sheet[1]]
    xlsx = {r[0]: dict(zip(header, r, strict=True))
            for r in sheet.iter_rows(min_row=2, values_only=True)}
    for path in sorted(INPUTS.glob("*.yaml")):
        data = json.loads((out / path.stem / "assessment.json").read_text(encoding="utf-8"))
        name, label = data["client"]["name"], data["client"]["sector_label"]
        (row,) = [r for r in page.split("<tr>") if f"<strong>{html.escape(name)}</strong>" in r]
        assert f'<div class="small">{html.escape(label)}</div>' in row
        coming = data["next_deadline"]
        binding = sorted(d["date"] for d in data["deadlines"]
                         if d["date"] > data["as_of"] and d["binds"])
        assert (coming["date"] if coming else None) == (binding[0] if binding else None)
        assert csv_rows[path.stem]["next_deadline"] == (coming["date"] if coming else "")
        cells = xlsx[name]
        assert label in cells.values()  # the client's own wording of its sector, as on the page
        dated = [v for v in cells.values() if isinstance(v, dt.datetime)]
        if coming is None:
            assert "Aucune échéance à venir" in row
            assert len(dated) == 1  # the assessment date only
            continue
        day = dt.date.fromisoformat(coming["date"])
        assert f"<strong>{html.escape(date_short_fr(day))}</strong>" in row
        assert dt.datetime.combine(day, dt.time()) in dated
    assert csv_rows["plomberie-martin"]["next_deadline"] == ""
    assert csv_rows["vigie-retail"]["next_deadline"] == ""


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_the_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(str(INPUTS), "--out", str(out))
    shot = tmp_path / "page.png"
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,1600"]
    dom = subprocess.run([*command, "--dump-dom", (out / "index.html").as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "Portefeuille des clients" in dom
    assert "Recrutis Intérim" in dom
    subprocess.run([*command, f"--screenshot={shot}", (out / "index.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # something was drawn, not a blank page


def test_a_rule_edit_renders_again_only_the_clients_it_touches(tmp_path: Path,
                                                               copy_rules: Any) -> None:
    import engine.run.workers

    rules = copy_rules(tmp_path)
    out = tmp_path / "out"
    _run(str(INPUTS), "--out", str(out), "--rules", str(rules))
    engine.run.workers._TOOLKIT = engine.run.workers._RULEBASE = None  # read the rules again
    before = {p: p.read_bytes() for p in out.glob("*/*.docx")}
    mtimes = {p: p.stat().st_mtime_ns for p in before}
    path = rules / "ai_act" / "02-high-risk.yaml"
    text = path.read_text(encoding="utf-8")
    old = 'message: "Annexe III, point 4(a) : recrutement'
    assert old in text
    path.write_text(text.replace(old, 'message: "Annexe III, point 4(a) : le recrutement'),
                    encoding="utf-8")
    _run(str(INPUTS), "--out", str(out), "--rules", str(rules))
    engine.run.workers._TOOLKIT = engine.run.workers._RULEBASE = None
    changed = sorted(str(p.relative_to(out)) for p in before if p.read_bytes() != before[p])
    assert changed == ["recrutis-interim/rapport-audit.docx"]
    touched = sorted(str(p.relative_to(out)) for p in before
                     if p.stat().st_mtime_ns != mtimes[p])
    assert all(name.startswith("recrutis-interim/") for name in touched)
    # every file as a run from scratch writes it (assessment.json records the new rules)
    fresh = tmp_path / "fresh"
    _run(str(INPUTS), "--out", str(fresh), "--rules", str(rules))
    written = sorted(p.relative_to(out) for p in out.glob("*/*") if p.is_file())
    assert len(written) == 25  # three documents, assessment.json, dossier-travail.xlsx
    for name in written:
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    # a second edit: the clients it cannot change are not even assessed again (retagged)
    engine.run.workers._TOOLKIT = engine.run.workers._RULEBASE = None
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("le recrutement ou sélection", "la sélection"),
                    encoding="utf-8")
    again = _run(str(INPUTS), "--out", str(out), "--rules", str(rules))
    engine.run.workers._TOOLKIT = engine.run.workers._RULEBASE = None
    assert "5 written" in again.output
    vigie = json.loads((out / "vigie-retail" / "assessment.json").read_text(encoding="utf-8"))
    assert vigie["rules_digest"] != json.loads(
        (fresh / "vigie-retail" / "assessment.json").read_text(encoding="utf-8"))["rules_digest"]


def test_decisions_colours_and_an_empty_portfolio() -> None:
    assert set(DECISIONS) == set(DECISION_STATUSES) == set(DECISION_COLOURS)
    page = index_html([], load_texts(ROOT / "rules"), None).decode("utf-8")
    assert "Aucun client dans ce dossier." in page
    client = PortfolioClient({"client_id": "x"}, [], ("x/assessment.json",
                                                      "x/rapport-audit.docx"))
    assert client.report == "x/rapport-audit.docx"



def test_the_views_read_every_portfolio_text(tmp_path: Path) -> None:
    """Every key of rules/texts/portfolio.yaml is read by the workbook, the page, the
    calendar or the impact workbook (lint already refuses a missing or unknown key)."""
    import datetime as dt

    from engine.documents.texts import Texts
    from engine.portfolio.deadlines import Entry, ics_bytes
    from engine.portfolio.impact import KINDS, Change, ClientImpact, ImpactReport
    from engine.portfolio.impact_view import impact_xlsx
    from engine.portfolio.text_keys import PORTFOLIO_TEXTS
    from engine.portfolio.workbook import portfolio_xlsx

    class Recording(Texts):
        read: set[str]

        def _check(self, key: str, kind: Any, values: Any) -> None:
            self.read.add(key)
            super()._check(key, kind, values)

    base = load_texts(ROOT / "rules")
    texts = Recording(base.schema, base.files, base._texts, base._lines, base._mappings)
    object.__setattr__(texts, "read", set())
    rows = [{"client_id": "c", "client_name": "C", "sector": "artisan", "as_of": "2026-11-26",
             "worst_tier": "high", "decision": status, f"decision_{status}": 1,
             "next_deadline": "2027-12-02", "next_deadline_reference": "Art. 26(2)",
             "next_deadline_text": "Contrôle"} for status in DECISIONS]
    clients = [PortfolioClient(r, [["2027-12-02", "Art. 26(2)", "Contrôle", "U", 0],
                                   ["2018-05-25", "GDPR Art. 30", "Registre", "U", 1]],
                               ("c/rapport-audit.docx", "c/rapport-audit.pdf",
                                "c/assessment.json")) for r in rows]
    portfolio_xlsx([*clients, PortfolioClient({**rows[0], "next_deadline": ""})], texts)
    index_html(clients, texts, "summary.xlsx")
    index_html([PortfolioClient({**rows[0], "decision": "", "decision_stop": 0})], texts, None)
    index_html([], texts, None)
    entry = Entry("c", "C", dt.date(2027, 12, 2), "Art. 26(2)", "Contrôle", ("U",), False,
                  dt.date(2026, 11, 26))
    ics_bytes([entry], texts)
    changes = [Change(kind, "u", "Art. 26(2)", "2027-12-02", "2028-06-01", "x")
               for kind in KINDS if kind.startswith(("obligation", "blocker"))]
    changes += [Change(kind, "u", "", "high", "minimal") for kind in
                ("tier", "client_added", "client_removed")]
    changes.append(Change("decision", "u", "", "stop", "proceed"))
    impact_xlsx(ImpactReport([ClientImpact("c", "C", "high", "high", changes,
                                           ["c/rapport-audit.docx"])]), texts)
    assert sorted(set(PORTFOLIO_TEXTS) - texts.read) == []


def test_the_sector_is_the_clients_wording_else_the_french_label_never_a_code() -> None:
    from engine.portfolio.page import sector_text

    texts = load_texts(ROOT / "rules")
    assert sector_text({"sector": "other", "sector_label": "Négoce de vins"}, texts) == (
        "Négoce de vins")
    assert sector_text({"sector": "cabinet_liberal", "sector_label": ""}, texts) == (
        texts.text("labels.sector.cabinet_liberal"))
    assert sector_text({"sector": "cabinet_liberal"}, texts) != "cabinet_liberal"
    assert sector_text({"sector": "not_a_sector"}, texts) == ""
