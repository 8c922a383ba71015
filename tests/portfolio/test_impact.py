"""``iapme impact``: the portfolio evaluated with two rule bases (issue 17, acceptance 1)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from engine.cli import main
from engine.portfolio.cli import COMMANDS
from engine.portfolio.commands import impact_command
from engine.portfolio.evaluate import evaluate_with
from engine.portfolio.impact import ImpactOptions, compare
from engine.portfolio.impact_view import REWORK
from engine.portfolio.snapshot import ClientView, UseCaseView

HOME_OF = ("engine.portfolio.cli", "engine.portfolio.commands", "engine.portfolio.evaluate",
           "engine.portfolio.impact_view", "engine.portfolio.snapshot")

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "inputs"


def _move(rules: Path, name: str, day: str) -> None:
    path = rules / "timeline.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"(  {name}:\n    date: )\S+", rf"\g<1>{day}", text),
                    encoding="utf-8")


def _impact(*args: str) -> Any:
    return CliRunner().invoke(main, ["impact", *args], catch_exceptions=False)


def test_moving_the_annex_iii_date_names_the_high_risk_client_and_its_art_26_duties(
        tmp_path: Path, copy_rules: Any) -> None:
    rules = copy_rules(tmp_path)
    _move(rules, "annex_iii_duties", "2028-06-01")
    book = tmp_path / "impact.xlsx"
    result = _impact("--baseline", str(ROOT / "rules"), "--rules", str(rules), str(INPUTS),
                     "--exit-code", "--xlsx", str(book), "--jobs", "1")
    assert result.exit_code == 3, result.output
    assert "Recrutis Intérim (recrutis-interim)" in result.output
    moved = [line for line in result.output.splitlines() if "obligation moved" in line]
    assert any("Art. 26(2)" in line and "2027-12-02 -> 2028-06-01" in line for line in moved)
    assert "1 of 5 client(s) changed" in result.output
    sheet = openpyxl.load_workbook(book).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Client", "Cas d'usage ou fournisseur", "Changement"]
    assert any(r[0] == "Recrutis Intérim" and r[2] == "Date d'application modifiée"
               and r[3] == "Art. 26(2)" and r[4] == "02/12/2027" and r[5] == "01/06/2028"
               for r in rows[1:])
    assert sheet.freeze_panes == "A2"


def test_identical_rules_exit_0(tmp_path: Path, copy_rules: Any) -> None:
    rules = copy_rules(tmp_path)
    result = _impact("--baseline", str(ROOT / "rules"), "--rules", str(rules), str(INPUTS),
                     "--exit-code", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert "0 of 5 client(s) changed" in result.output


def test_a_git_revision_as_baseline_and_a_hand_edited_report_to_rework(
        tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "rules", repo / "rules")
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "rules")
    out = tmp_path / "out"
    ran = CliRunner().invoke(main, ["run", str(INPUTS / "recrutis-interim.yaml"), "--out",
                                    str(out), "--rules", str(repo / "rules"), "--jobs", "1"])
    assert ran.exit_code == 0, ran.output
    report = out / "recrutis-interim" / "rapport-audit.docx"
    report.write_bytes(report.read_bytes() + b"edited")
    _move(repo / "rules", "annex_iii_duties", "2028-06-01")
    result = _impact("--baseline", "HEAD", "--rules", str(repo / "rules"), "--out", str(out),
                     str(INPUTS / "recrutis-interim.yaml"), "--exit-code", "--jobs", "1")
    assert result.exit_code == 3, result.output
    assert f"recrutis-interim/rapport-audit.docx: edited by hand, {REWORK}" in result.output
    assert "charte-ia.docx" not in result.output
    # the run keeps the edited report, and says it is to rework
    import engine.run.workers

    engine.run.workers._TOOLKIT = engine.run.workers._RULEBASE = None  # read the rules again
    again = CliRunner().invoke(main, ["run", str(INPUTS / "recrutis-interim.yaml"), "--out",
                                      str(out), "--rules", str(repo / "rules"), "--jobs", "1"])
    engine.run.workers._TOOLKIT = engine.run.workers._RULEBASE = None
    assert again.exit_code == 0, again.output
    assert "rapport-audit.docx was edited by hand and its client's assessment changed: " \
        "à reprendre à la main" in again.output


def test_an_unknown_baseline_is_a_located_error(tmp_path: Path) -> None:
    result = _impact("--baseline", "no-such-ref", str(INPUTS))
    assert result.exit_code == 1
    assert "no-such-ref: --baseline is neither a folder nor a git revision" in result.output


def test_compare_names_moves_rewordings_and_decisions() -> None:
    import datetime as dt

    day, later = dt.date(2027, 12, 2), dt.date(2028, 6, 1)
    before = ClientView("c", "Client", "c.yaml", dt.date(2026, 11, 26), "high",
                        {"u": UseCaseView("u", "U", "high", "proceed_with_conditions")},
                        {("u", "Art. 26(2)", "Contrôle humain"): (day, False),
                         ("u", "Art. 50(2)", "Marquer avant le 2 août 2026"): (day, False),
                         ("u", "Art. 4", "Former"): (day, True)},
                        {("u", "rule.a"): "Bloquant"})
    after = ClientView("c", "Client", "c.yaml", dt.date(2026, 11, 26), "high",
                       {"u": UseCaseView("u", "U", "high", "fix_before_launch")},
                       {("u", "Art. 26(2)", "Contrôle humain"): (later, False),
                        ("u", "Art. 50(2)", "Marquer avant le 1er juin 2028"): (later, False),
                        ("u", "Art. 27", "AIPD"): (later, False)}, {})
    kinds = {(c.kind, c.reference) for c in compare(before, after)}
    assert kinds == {("decision", ""), ("obligation_moved", "Art. 26(2)"),
                     ("obligation_moved", "Art. 50(2)"), ("obligation_removed", "Art. 4"),
                     ("obligation_added", "Art. 27"), ("blocker_removed", "rule.a")}
    assert compare(before, before) == []


def test_the_library_api_and_one_read_per_profile(tmp_path: Path, copy_rules: Any) -> None:
    import datetime as dt

    from engine.rules.base import load_rulebase

    assert {c.name for c in COMMANDS} == {"impact", "deadlines"}
    rules = copy_rules(tmp_path)
    _move(rules, "annex_iii_duties", "2028-06-01")
    report, lines = impact_command(ImpactOptions(
        [INPUTS], rules, str(ROOT / "rules"), tmp_path / "none", dt.date(2026, 11, 26),
        dt.date(2026, 11, 26)), None)
    assert [c.client_id for c in report.clients] == ["recrutis-interim"]
    assert lines[-1].startswith("1 of 5 client(s) changed")
    old, new = evaluate_with([load_rulebase(ROOT / "rules"), load_rulebase(rules)],
                             [INPUTS / "recrutis-interim.yaml"], None, dt.date(2026, 11, 26))
    assert old.views[0].obligations != new.views[0].obligations
