"""The questionnaire: its questions come from the assessment, ordered by what decides a tier;
the workbook is for a non-specialist (French, drop-downs, only the answers editable, printable,
no codes outside the hidden columns) and the same inputs give the same bytes."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from engine.cli import main
from engine.documents.pdf import find_soffice
from engine.intake.commands import questionnaire_for
from engine.intake.questions import COMPANY, DECIDES_TIER, DUTIES_ONLY, open_questions
from engine.intake.workbook import FORMAT, META
from engine.profile.validate import load_profile, profile_from_doc
from engine.profile.yamlio import load_yaml_text
from engine.rules.base import RuleBase, load_rulebase
from engine.run.pipeline import assess_profile
from tests.intake.fill import rows

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "profiles" / "intake-undetermined.yaml"
DAY = dt.date(2026, 11, 26)
CODE = r"[a-z]+_[a-z_]+|use_cases\["  # what a code looks like (capabilities, key paths)
HOME_OF = ("engine.intake.commands", "engine.intake.questions", "engine.intake.workbook")


@pytest.fixture(scope="module")
def rulebase() -> RuleBase:
    return load_rulebase(ROOT / "rules")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory, rulebase: RuleBase) -> Path:
    _, data, _ = questionnaire_for(FIXTURE, rulebase, None, DAY)
    assert data is not None
    path = tmp_path_factory.mktemp("q") / "questionnaire.xlsx"
    path.write_bytes(data)
    return path


class TestQuestions:
    def test_what_decides_a_tier_comes_first(self, rulebase: RuleBase) -> None:
        profile = load_profile(FIXTURE)
        questions = open_questions(assess_profile(profile, rulebase, DAY))
        groups = [q.group for q in questions]
        assert groups == sorted(groups)
        assert groups[0] == DECIDES_TIER
        assert groups[-1] == COMPANY
        tier_deciding = [q for q in questions if q.group == DECIDES_TIER]
        reaches = ["unacceptable", "high", "limited"]
        assert [reaches.index(q.reach or "limited") for q in tier_deciding] == sorted(
            reaches.index(q.reach or "limited") for q in tier_deciding)
        assert tier_deciding[0].target == "use_cases[chatbot].system.capabilities"
        company = [q.target for q in questions if q.group == COMPANY]
        assert company == ["client.ai_champion", "client.staff_ai_training",
                           "client.works_council"]

    def test_only_what_is_open_each_key_once(self, rulebase: RuleBase) -> None:
        profile = load_profile(FIXTURE)
        questions = open_questions(assess_profile(profile, rulebase, DAY))
        targets = [q.target for q in questions]
        assert len(targets) == len(set(targets))
        assert not any(t.startswith("use_cases[cv].system.capabilities") for t in targets)
        assert "use_cases[cv].system.art_6_3_condition" in targets

    def test_an_almost_empty_profile_is_asked_about_the_company(self,
                                                                rulebase: RuleBase) -> None:
        """Issue 16: name, sector, city and headcount no longer pass as 'no blocker'."""
        profile = profile_from_doc(load_yaml_text(
            "client: {name: Boulangerie, sector: artisan, city: Nantes, employees: 8}\n",
            "empty.yaml"), default_id="empty")
        questions = open_questions(assess_profile(profile, rulebase, DAY))
        assert [q.target for q in questions] == [
            "client.director", "client.ai_champion", "client.staff_ai_training",
            "client.works_council"]

    def test_a_client_key_asked_by_several_use_cases_is_asked_once(
            self, rulebase: RuleBase) -> None:
        text = FIXTURE.read_text(encoding="utf-8").replace(
            "  - id: cv\n", "  - id: cv\n    vendor: botshop\n").replace(
            "      affected_persons: [job_candidates]\n",
            "      affected_persons: [job_candidates]\n      art_6_3_condition: none\n"
            "      profiling: true\n")
        text += text[text.index("  - id: cv"):].replace("id: cv", "id: cv2")
        profile = profile_from_doc(load_yaml_text(text, "x.yaml"), default_id="x")
        questions = open_questions(assess_profile(profile, rulebase, DAY))
        publics = [q for q in questions if q.target == "client.public_body"]
        assert len(publics) == 1
        assert publics[0].use_case is None
        assert publics[0].group == DUTIES_ONLY or publics[0].group == COMPANY


class TestWorkbook:
    def test_sheets_columns_and_hidden_keys(self, workbook: Path) -> None:
        book = load_workbook(workbook)
        assert book.sheetnames == ["Mode d'emploi", "Questions", "Listes"]
        assert book["Listes"].sheet_state == "hidden"
        identity = {book["Listes"].cell(i, 1).value: book["Listes"].cell(i, 2).value
                    for i in range(1, len(META) + 1)}  # what answers import checks first
        assert identity == {"format": FORMAT, "client_id": "boulangerie-dupain",
                            "profile": str(FIXTURE), "as_of": "2026-11-26"}
        sheet = book["Questions"]
        header = [c.value for c in sheet[1]]
        assert header == ["N°", "Outil ou usage concerné", "Question",
                          "Pourquoi c’est important", "Réponses possibles", "Réponse", "Clé",
                          "Valeur"]
        assert sheet.column_dimensions["G"].hidden
        assert sheet.column_dimensions["H"].hidden
        assert not any(sheet.column_dimensions[c].hidden for c in "ABCDEF")

    def test_the_instructions_name_the_client_the_date_and_whom_to_send_it_to(
            self, workbook: Path) -> None:
        text = "\n".join(str(c.value) for c in load_workbook(workbook)["Mode d'emploi"]["A"]
                         if c.value)
        assert "Entreprise : Boulangerie Dupain" in text
        assert ("Préparé le 26 novembre 2026 par Claire Moreau (Cabinet Conseil Numérique "
                "Lyon)") in text
        assert "renvoyer ce fichier complété à Claire Moreau avant le 10 décembre 2026" in text
        assert "Je ne sais pas" in text

    def test_one_row_per_question_the_use_case_named(self, workbook: Path) -> None:
        table = rows(workbook)
        first = table[0]
        assert first["number"] == "1"
        sheet = load_workbook(workbook)["Questions"]
        assert sheet.cell(2, 2).value == "Chatbot de commande de gâteaux (BotShop)"
        options = [r for r in table if r["key"] == first["key"] and r["value"]]
        assert {r["value"] for r in options} >= {"conversational_agent", "emotion_recognition"}
        assert all(r["possible"] == "Oui ou Non" for r in options)
        company = [r for r in table if r["key"] == "client.staff_ai_training"]
        assert sheet.cell(company[0]["row"], 2).value == "Votre entreprise"  # type: ignore[arg-type]

    def test_no_code_outside_the_hidden_columns(self, workbook: Path) -> None:
        import re

        book = load_workbook(workbook)
        for name in ("Mode d'emploi", "Questions"):
            for row in book[name].iter_rows(max_col=6):
                for cell in row:
                    text = str(cell.value or "")
                    assert not re.search(CODE, text), (name, cell.coordinate, text)

    def test_drop_downs_and_only_the_answer_column_editable(self, workbook: Path) -> None:
        sheet = load_workbook(workbook)["Questions"]
        assert sheet.protection.sheet
        assert not sheet.protection.password
        lists = load_workbook(workbook)["Listes"]
        formulas = {dv.formula1: dv for dv in sheet.data_validations.dataValidation}
        yes_no = next(f for f in formulas if f.endswith("$D$1:$D$3"))
        assert [lists.cell(i, 4).value for i in (1, 2, 3)] == ["Oui", "Non", "Je ne sais pas"]
        assert formulas[yes_no].type == "list"
        assert formulas[yes_no].showErrorMessage
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if cell.column != 6:
                    assert cell.protection.locked, cell.coordinate
        answers = [sheet.cell(r, 6) for r in range(2, sheet.max_row + 1)]
        assert any(not c.protection.locked for c in answers)
        assert all(c.protection.locked for c in answers if c.value == "—")  # headings
        covered = {str(c) for dv in formulas.values() for rng in dv.sqref.ranges
                   for c in [rng.coord]}
        assert covered  # every open answer cell has a list or free text (names, dates)

    def test_printable(self, workbook: Path) -> None:
        sheet = load_workbook(workbook)["Questions"]
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes == "A2"
        assert all(c.alignment.wrap_text for c in sheet[2][:6])

    def test_same_inputs_same_bytes(self, rulebase: RuleBase, workbook: Path) -> None:
        _, again, _ = questionnaire_for(FIXTURE, rulebase, None, DAY)
        assert again == workbook.read_bytes()

    def test_a_title_that_looks_like_a_formula_stays_text(self, rulebase: RuleBase,
                                                          tmp_path: Path) -> None:
        path = tmp_path / "x.yaml"
        path.write_text(FIXTURE.read_text(encoding="utf-8").replace(
            '"Chatbot de commande de gâteaux"', '"=HYPERLINK(\\"http://x\\")"'), encoding="utf-8")
        _, data, _ = questionnaire_for(path, rulebase, None, DAY)
        assert data is not None
        (tmp_path / "q.xlsx").write_bytes(data)
        cell = load_workbook(tmp_path / "q.xlsx")["Questions"].cell(2, 2)
        assert cell.data_type == "s"
        assert str(cell.value).startswith("=HYPERLINK")


class TestCommand:
    def test_profiles_without_open_questions_get_no_questionnaire(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(main, ["questionnaire", str(ROOT / "inputs"), "--out",
                                           str(tmp_path), "--rules", str(ROOT / "rules")])
        assert result.exit_code == 0, result.output
        written = sorted(p.parent.name for p in tmp_path.rglob("questionnaire.xlsx"))
        # vigie-retail's only open question is about a prohibited practice, which must stop
        assert written == []
        assert "plomberie-martin: no open question, no questionnaire" in result.output
        assert "vigie-retail: no open question, no questionnaire" in result.output

    def test_a_bad_profile_fails_and_the_others_are_written(self, tmp_path: Path) -> None:
        folder = tmp_path / "in"
        folder.mkdir()
        shutil.copy(FIXTURE, folder / "a.yaml")
        (folder / "b.yaml").write_text("client: {name: X, sector: bakery, employees: 1}\n",
                                       encoding="utf-8")
        result = CliRunner().invoke(main, ["questionnaire", str(folder), "--out",
                                           str(tmp_path / "out"), "--rules", str(ROOT / "rules")])
        assert result.exit_code == 1
        assert "b.yaml:1:27: client.sector: 'bakery' is not an allowed value" in result.output
        assert (tmp_path / "out" / "boulangerie-dupain" / "questionnaire.xlsx").is_file()
        assert "Traceback" not in result.output


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_libreoffice_converts_the_questionnaire(workbook: Path, tmp_path: Path) -> None:
    """Acceptance 3's check, automated: LibreOffice (Calc) opens it and prints it to PDF,
    the instructions on page 1, the questions landscape after it, the hidden sheet not printed."""
    soffice = find_soffice()
    assert soffice is not None
    profile = tmp_path / "lo_profile"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(workbook)],
        capture_output=True, text=True, timeout=300, check=False)
    pdf = tmp_path / "questionnaire.pdf"
    assert pdf.is_file(), done.stdout + done.stderr  # needs libreoffice-calc (see .ci/run)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Questionnaire sur vos usages de l'intelligence artificielle" in text
        assert "Pourquoi c’est important" in text
        assert "use_cases[" not in text
        assert "Listes" not in text


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_a_questionnaire_saved_again_by_libreoffice_is_imported(tmp_path: Path) -> None:
    """The director fills and saves it in LibreOffice Calc (not Excel): the sheets, hidden
    columns and lists survive, and the answers come back."""
    from tests.intake.fill import fill, sensible

    profile = tmp_path / "p.yaml"
    shutil.copy(FIXTURE, profile)
    runner = CliRunner()
    result = runner.invoke(main, ["questionnaire", str(profile), "--out", str(tmp_path / "out"),
                                  "--rules", str(ROOT / "rules")])
    assert result.exit_code == 0, result.output
    filled = fill(tmp_path / "out" / "boulangerie-dupain" / "questionnaire.xlsx", sensible,
                  tmp_path / "filled.xlsx")
    soffice = find_soffice()
    assert soffice is not None
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo_profile'}",
                    "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
                    str(tmp_path / "saved"), str(filled)],
                   capture_output=True, timeout=300, check=False)
    saved = tmp_path / "saved" / "filled.xlsx"
    assert saved.is_file()
    result = runner.invoke(main, ["answers", "import", str(saved), "--profile", str(profile),
                                  "--rules", str(ROOT / "rules")])
    assert result.exit_code == 0, result.output
    assert "  staff_ai_training: true" in profile.read_text(encoding="utf-8")
