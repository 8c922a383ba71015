"""``iapme answers import``: French answers back to values; an invalid answer exits 1 naming the
sheet, row, question and allowed answers, with the profile untouched. The reading and decoding
of the rows (engine.intake.answers) are also tried directly: sizes, numbers, dates, lists."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from engine.cli import main
from engine.documents.text_keys import load_texts
from engine.errors import AnswersError
from engine.intake.answers import MAX_BYTES, MAX_UNPACKED, Answer, Filled, decode, read_filled
from engine.intake.words import ProfileWords
from tests.intake.fill import fill, rows, sensible

HOME_OF = ("engine.intake.answers", "engine.intake.words")

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "profiles" / "intake-undetermined.yaml"
RULES = str(ROOT / "rules")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--rules", RULES])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    """(the profile, its blank questionnaire)."""
    profile = tmp_path / "dupain.yaml"
    shutil.copy(FIXTURE, profile)
    code, output = _run("questionnaire", str(profile), "--out", str(tmp_path / "out"))
    assert code == 0, output
    return profile, tmp_path / "out" / "boulangerie-dupain" / "questionnaire.xlsx"


def _import(xlsx: Path, profile: Path, *extra: str) -> tuple[int, str]:
    return _run("answers", "import", str(xlsx), "--profile", str(profile), *extra)


class TestInvalidAnswers:
    def test_refused_with_sheet_row_question_and_allowed_answers(
            self, setup: tuple[Path, Path]) -> None:
        profile, xlsx = setup
        before = profile.read_bytes()
        table = rows(xlsx)
        training = next(r for r in table if r["key"] == "client.staff_ai_training")
        option = next(r for r in table if r["value"] == "emotion_recognition")

        def bad(key: str, value: str) -> str | None:
            if key == "client.staff_ai_training":
                return "Peut-être"
            if value == "emotion_recognition":
                return "Plutôt oui"
            return sensible(key, value)

        fill(xlsx, bad)
        code, output = _import(xlsx, profile)
        assert code == 1
        assert (f"sheet 'Questions', row {training['row']}: « Les salariés qui utilisent des "
                "outils d'IA ont-ils reçu une formation") in output
        assert ("'Peut-être' is not an allowed answer; answer « Oui » / « Non » / « Je ne sais "
                "pas »") in output
        assert f"row {option['row']}: « Que fait l'outil ?" in output
        assert "Déduire les émotions ou les intentions des personnes »: 'Plutôt oui'" in output
        assert "2 answer(s) cannot be read; nothing was changed" in output
        assert profile.read_bytes() == before

    def test_a_choice_outside_its_list(self, setup: tuple[Path, Path]) -> None:
        profile, xlsx = setup
        fill(xlsx, lambda k, v: "Fournisseur" if k.endswith(".role") else sensible(k, v))
        code, output = _import(xlsx, profile)
        assert code == 1
        assert "'Fournisseur' is not an allowed answer; answer « Déployeur : nous" in output

    def test_an_answer_that_would_make_the_profile_invalid(self, tmp_path: Path) -> None:
        """A director's title without his name: the row is named, nothing is written."""
        profile = tmp_path / "p.yaml"
        profile.write_text(FIXTURE.read_text(encoding="utf-8").replace(
            '  director: {name: "Paul Dupain"}    # title and civility to ask\n', ""),
            encoding="utf-8")
        before = profile.read_bytes()
        _run("questionnaire", str(profile), "--out", str(tmp_path / "out"))
        xlsx = tmp_path / "out" / "boulangerie-dupain" / "questionnaire.xlsx"
        fill(xlsx, lambda k, v: None if k == "client.director.name" else sensible(k, v))
        code, output = _import(xlsx, profile)
        assert code == 1
        assert "the answers would make" in output
        assert "nothing was changed" in output
        assert "« Qui signe les documents pour l'entreprise ?" in output
        assert "this key is required but missing" in output
        assert profile.read_bytes() == before

    def test_a_questionnaire_for_another_client(self, setup: tuple[Path, Path]) -> None:
        _, xlsx = setup
        other = ROOT / "inputs" / "plomberie-martin.yaml"
        code, output = _import(xlsx, other)
        assert code == 1
        assert ("this questionnaire is for client 'boulangerie-dupain', but "
                f"{other} is the profile of 'plomberie-martin'") in output

    def test_a_workbook_that_is_not_a_questionnaire(self, tmp_path: Path) -> None:
        book = Workbook()
        book.active.title = "Feuil1"
        book.save(tmp_path / "x.xlsx")
        code, output = _run("answers", "import", str(tmp_path / "x.xlsx"))
        assert code == 1
        assert "no sheet 'Questions': this is not a questionnaire written by iapme" in output
        (tmp_path / "y.xlsx").write_bytes(b"not a zip")
        code, output = _run("answers", "import", str(tmp_path / "y.xlsx"))
        assert code == 1
        assert "not an Excel workbook (.xlsx)" in output


class TestAnswers:
    def test_a_list_with_one_dont_know_stays_unanswered(self, setup: tuple[Path, Path]) -> None:
        profile, xlsx = setup

        def unsure(key: str, value: str) -> str | None:
            return "Je ne sais pas" if value == "general_public" else sensible(key, value)

        fill(xlsx, unsure)
        code, output = _import(xlsx, profile)
        assert code == 0, output
        text = profile.read_text(encoding="utf-8")
        assert "affected_persons" not in text.split("  - id: cv")[0]
        assert "capabilities: [conversational_agent]" in text

    def test_every_row_of_a_list_answered_no_is_an_empty_list(
            self, setup: tuple[Path, Path]) -> None:
        profile, xlsx = setup
        fill(xlsx, lambda k, v: "Non" if k.endswith("generated_media") else sensible(k, v))
        code, output = _import(xlsx, profile)
        assert code == 0, output
        assert "      generated_media: []" in profile.read_text(encoding="utf-8")

    def test_answers_are_read_loosely_but_exactly(self, setup: tuple[Path, Path]) -> None:
        """Case, spaces and apostrophes do not matter; the words do."""
        profile, xlsx = setup

        def loose(key: str, value: str) -> str | None:
            if key == "client.works_council":
                return "  non "
            if key.endswith("cv].role") or key.endswith("chatbot].role"):
                return "déployeur : nous utilisons l’outil tel que l’éditeur le fournit"
            return sensible(key, value)

        fill(xlsx, loose)
        code, output = _import(xlsx, profile)
        assert code == 0, output
        text = profile.read_text(encoding="utf-8")
        assert "  works_council: false" in text
        assert "    role: deployer" in text

    def test_a_spreadsheet_true_or_false_reads_as_oui_or_non(
            self, setup: tuple[Path, Path]) -> None:
        profile, xlsx = setup
        book = load_workbook(xlsx)
        sheet = book["Questions"]
        for r in range(2, sheet.max_row + 1):
            if sheet.cell(r, 7).value == "client.staff_ai_training":
                sheet.cell(r, 6).value = False
        book.save(xlsx)
        code, output = _import(xlsx, profile)
        assert code == 0, output
        assert "  staff_ai_training: false" in profile.read_text(encoding="utf-8")

    def test_the_champion_none_designated(self, setup: tuple[Path, Path]) -> None:
        profile, xlsx = setup
        fill(xlsx, lambda k, v: "Aucun champion désigné" if k.endswith("ai_champion")
             else sensible(k, v))
        code, output = _import(xlsx, profile)
        assert code == 0, output
        assert "  ai_champion: false" in profile.read_text(encoding="utf-8")

    def test_an_answer_given_meanwhile_in_the_profile_is_kept(
            self, setup: tuple[Path, Path]) -> None:
        profile, xlsx = setup
        fill(xlsx, sensible)
        text = profile.read_text(encoding="utf-8")
        profile.write_text(text.replace("  employees: 12\n",
                                        "  employees: 12\n  staff_ai_training: false\n"),
                           encoding="utf-8")
        code, output = _import(xlsx, profile)
        assert code == 0, output
        assert "client.staff_ai_training is already answered" in output
        assert "  staff_ai_training: false" in profile.read_text(encoding="utf-8")

    def test_the_filled_file_saved_by_a_spreadsheet_is_read(self, setup: tuple[Path, Path],
                                                           tmp_path: Path) -> None:
        """openpyxl's save stands for the director's spreadsheet: sheets, hidden columns and
        lists survive."""
        profile, xlsx = setup
        copy = fill(xlsx, sensible, tmp_path / "renvoi.xlsx")
        assert load_workbook(copy)["Questions"].column_dimensions["G"].hidden
        code, output = _import(copy, profile)
        assert code == 0, output


@pytest.fixture(scope="module")
def words() -> ProfileWords:
    return ProfileWords(load_texts(ROOT / "rules"))


class TestReadAndDecode:
    """engine.intake.answers without the command around it."""

    def _decode(self, words: ProfileWords, *cells: tuple[str, str, Any]) -> list[Any]:
        filled = Filled("q.xlsx", "Questions", {"client_id": "dupain"}, [
            Answer(row, target, value, f"Question {row}", cell)
            for row, (target, value, cell) in enumerate(cells, start=2)])
        return [(use_case, path, value) for use_case, path, value, _ in
                decode(filled, words).answers]

    def test_too_large_is_refused_before_it_is_opened(self, tmp_path: Path) -> None:
        big = tmp_path / "big.xlsx"
        with big.open("wb") as handle:
            handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written
        with pytest.raises(AnswersError, match="larger than 10 MB; this is not a questionnaire"):
            read_filled(big, load_texts(ROOT / "rules"))

    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self, tmp_path: Path) -> None:
        bomb = tmp_path / "bomb.xlsx"
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive, \
                archive.open("xl/worksheets/sheet1.xml", "w") as stream:
            for _ in range(MAX_UNPACKED // 2**20 + 1):
                stream.write(bytes(2**20))
        assert bomb.stat().st_size < MAX_BYTES
        with pytest.raises(AnswersError, match="unpacks to more than 100 MB"):
            read_filled(bomb, load_texts(ROOT / "rules"))

    def test_numbers_and_dates_as_people_write_them(self, words: ProfileWords) -> None:
        assert self._decode(
            words,
            ("client.employees", "", "1 200"),
            ("client.annual_turnover_eur", "", "1\u202f500\u202f000,50"),
            ("client.monthly_operating_budget_eur", "", 3000),
            ("assessment.date", "", "26/11/2026"),
            ("use_cases[tri-cv].system.on_market_since", "", "2025-02-01"),
        ) == [(None, "client.employees", 1200), (None, "client.annual_turnover_eur", 1500000.5),
              (None, "client.monthly_operating_budget_eur", 3000),
              (None, "assessment.date", "2026-11-26"),
              ("tri-cv", "use_cases.system.on_market_since", "2025-02-01")]

    def test_every_unreadable_answer_at_once(self, words: ProfileWords) -> None:
        with pytest.raises(AnswersError) as caught:
            self._decode(words, ("client.employees", "", "12,5"),
                         ("assessment.date", "", "31/02/2026"),
                         ("client.works_council", "", "Peut-être"))
        messages = [i.message for i in caught.value.issues]
        assert len(messages) == 3
        assert messages[0].startswith("sheet 'Questions', row 2: « Question 2 »: '12,5' is not "
                                      "an allowed answer; answer a number written in digits")
        assert "answer a date written dd/mm/yyyy" in messages[1]
        assert "'Peut-être' is not an allowed answer; answer « Oui » / « Non »" in messages[2]
        assert "3 answer(s) cannot be read; nothing was changed" in caught.value.summary

    def test_a_list_is_answered_whole_or_not_at_all(self, words: ProfileWords) -> None:
        target = "use_cases[tri-cv].system.capabilities"
        assert self._decode(words, (target, "conversational_agent", "Oui"),
                            (target, "translation", None)) == [
            ("tri-cv", "use_cases.system.capabilities", ["conversational_agent"])]
        assert self._decode(words, (target, "conversational_agent", "Oui"),
                            (target, "translation", "Je ne sais pas")) == []
        assert self._decode(words, (target, "conversational_agent", None)) == []

    def test_an_edited_hidden_key_is_reported(self, words: ProfileWords) -> None:
        with pytest.raises(AnswersError, match=r"the hidden key 'client\.employes' is not a "
                                               r"profile key"):
            self._decode(words, ("client.employes", "", "12"))
