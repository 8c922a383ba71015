"""The wording loader: texts read against a schema, placeholders filled, every problem of a text
file reported in lint's format (``file:line: key: message``), and the code's misuse refused."""

from __future__ import annotations

import doctest
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.documents import texts as texts_module
from engine.documents.read import document_text
from engine.documents.texts import MAPPING, Texts, lines, read_texts, text
from engine.errors import InternalError
from engine.profile.validate import load_profile
from engine.run.pipeline import assess_profile, prepare, render_client

ROOT = Path(__file__).resolve().parents[2]
LINT_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<key>\S+): (?P<message>.+)$")
SCHEMA = {
    "doc.title": text(),
    "doc.verdict": text("count", "total"),
    "doc.points": lines(),
    "doc.terms": MAPPING,
    "labels.tier.high": text(),
    "labels.tier.minimal": text(),
}
GOOD = """\
title: Rapport
verdict: "{count} réponse(s) « non » sur {total}"
points:
  - premier point
  - second point
terms:
  Fournisseur: Organisme qui développe un système d'IA.
  Déployeur: Organisme qui l'utilise.
"""
LABELS = "tier:\n  high: Haut risque\n  minimal: Risque minimal\n"


def _folder(tmp_path: Path, doc: str = GOOD, labels: str = LABELS) -> Path:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "doc.yaml").write_text(doc, encoding="utf-8")
    (folder / "labels.yaml").write_text(labels, encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[str]:
    _, issues = read_texts(folder, SCHEMA)
    shown = [str(i) for i in issues]
    assert all(LINT_LINE.match(i) for i in shown), shown
    return shown


class TestReading:
    def test_clean_folder_gives_every_kind(self, tmp_path: Path) -> None:
        texts, issues = read_texts(_folder(tmp_path), SCHEMA)
        assert issues == []
        assert texts.text("doc.title") == "Rapport"
        assert texts.text("doc.verdict", count="2", total="7") == "2 réponse(s) « non » sur 7"
        assert texts.lines("doc.points") == ["premier point", "second point"]
        assert list(texts.mapping("doc.terms")) == ["Fournisseur", "Déployeur"]  # file order
        assert [p.name for p in texts.files] == ["doc.yaml", "labels.yaml"]

    def test_a_placeholder_may_be_left_out_and_values_are_not_reparsed(self, tmp_path: Path
                                                                       ) -> None:
        texts, _ = read_texts(_folder(tmp_path, GOOD.replace("sur {total}", "en tout")), SCHEMA)
        assert texts.text("doc.verdict", count="{total}", total="7") == (
            "{total} réponse(s) « non » en tout")

    def test_shipped_texts_are_clean(self) -> None:
        from engine.documents.text_keys import check_texts

        assert [str(i) for i in check_texts(ROOT / "rules")[1]] == []

    def test_doctests(self) -> None:
        result = doctest.testmod(texts_module)
        assert result.attempted > 0
        assert result.failed == 0


class TestProblems:
    def test_unknown_placeholder_names_file_line_key_and_suggestion(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path, GOOD.replace("{total}", "{totl}"))
        assert _problems(folder) == [
            f"{folder / 'doc.yaml'}:2: doc.verdict: unknown placeholder {{totl}} (the code "
            "fills {count}, {total}). Did you mean 'total'?"]

    def test_placeholder_in_a_text_that_takes_none(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path, GOOD.replace("title: Rapport", "title: Rapport {client}"))
        assert _problems(folder) == [f"{folder / 'doc.yaml'}:1: doc.title: unknown placeholder "
                                     "{client} (the code fills none)."]

    @pytest.mark.parametrize(("edit", "line", "message"), [
        (("title: Rapport", "title: Rapport {"), 1, "doc.title: stray '{'"),
        (("title: Rapport", "title: Rapport {Client}"), 1,
         "doc.title: '{Client}' is not a placeholder name"),
        (("title: Rapport", "title: 12"), 1, "doc.title: give a text (quote it"),
        (("title: Rapport", "title: ''"), 1, "doc.title: the text is empty"),
        (("title: Rapport", 'title: "a\\u202eb"'), 1, "doc.title: character U+202E"),
        (("  - second point\n", ""), 3, None),  # one point is still a list: no problem
        (("points:\n  - premier point\n  - second point", "points: un seul"), 3,
         "doc.points: give a list of texts"),
        (("  Déployeur: Organisme qui l'utilise.", "  Déployeur: 3"), 8,
         "doc.terms: 'Déployeur': give a printable text"),
    ])
    def test_malformed_texts(self, tmp_path: Path, edit: tuple[str, str], line: int,
                             message: str | None) -> None:
        folder = _folder(tmp_path, GOOD.replace(*edit))
        problems = _problems(folder)
        if message is None:
            assert problems == []
            return
        assert len(problems) == 1, problems
        assert problems[0].startswith(f"{folder / 'doc.yaml'}:{line}: {message}"), problems

    def test_missing_key_is_reported_at_its_parent(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path, labels="tier:\n  high: Haut risque\n")
        assert _problems(folder) == [f"{folder / 'labels.yaml'}:1: labels.tier.minimal: missing: "
                                     "the documents need this text"]

    def test_key_nobody_reads_has_a_suggestion(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path, labels=LABELS + "  minimall: Risque minimal\n")
        assert _problems(folder) == [
            f"{folder / 'labels.yaml'}:4: labels.tier.minimall: no code reads this key; remove "
            "it or check its spelling. Did you mean 'labels.tier.minimal'?"]

    def test_unknown_file_and_missing_file(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path)
        (folder / "labels.yaml").rename(folder / "label.yaml")
        problems = _problems(folder)
        assert f"{folder / 'label.yaml'}:1: label.tier: no code reads this key" in problems[0]
        assert problems[1] == (f"{folder / 'labels.yaml'}:1: labels: file missing: the "
                               "documents need 2 text(s) from it (labels.tier.high...)")

    def test_subtree_written_as_a_text(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path, labels="tier: Haut risque\n")
        assert _problems(folder) == [f"{folder / 'labels.yaml'}:1: labels.tier: give "
                                     "'name: text' lines under this key"]

    def test_yaml_syntax_error_has_no_key_and_stops_nothing_else(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path, labels="tier: [unclosed\n")
        problems = _problems(folder)
        assert len(problems) == 1
        assert LINT_LINE.match(problems[0])["key"] == "-"  # type: ignore[index]
        assert "labels.yaml" in problems[0]


class TestCodeMisuse:
    def _texts(self, tmp_path: Path) -> Texts:
        texts, issues = read_texts(_folder(tmp_path), SCHEMA)
        assert issues == []
        return texts

    def test_undeclared_key(self, tmp_path: Path) -> None:
        with pytest.raises(InternalError, match=r"reads text 'doc\.subtitle'"):
            self._texts(tmp_path).text("doc.subtitle")

    def test_wrong_kind(self, tmp_path: Path) -> None:
        with pytest.raises(InternalError, match="declares lines there"):
            self._texts(tmp_path).text("doc.points")

    def test_other_placeholders_than_declared(self, tmp_path: Path) -> None:
        with pytest.raises(InternalError, match="filled with"):
            self._texts(tmp_path).text("doc.verdict", count="1")


class TestAcceptance:
    """Issue 11, acceptance 5: a checklist question is reworded in one YAML file, no Python, and
    ``iapme rules lint`` catches a misspelt placeholder in it with file and line."""

    QUESTION = "  q4: L'outil respecte-t-il le RGPD et s'intègre-t-il à mes logiciels existants ?"

    def _report_yaml(self, tmp_path: Path, copy_rules: Any, new: str) -> tuple[Path, Path, int]:
        rules = copy_rules(tmp_path)
        path = rules / "texts" / "report.yaml"
        content = path.read_text(encoding="utf-8")
        assert self.QUESTION in content
        line = content.splitlines().index(self.QUESTION) + 1
        path.write_text(content.replace(self.QUESTION, new), encoding="utf-8")
        return rules, path, line

    def test_rewording_a_question_changes_the_report(self, tmp_path: Path, copy_rules: Any
                                                     ) -> None:
        rules, _, _ = self._report_yaml(tmp_path, copy_rules, (
            "  q4: « {use_case} » respecte-t-il le RGPD et s'intègre-t-il à {vendor} ?"))
        toolkit = prepare(rules, ROOT / "doc_templates")
        profile = load_profile(ROOT / "inputs" / "plomberie-martin.yaml")
        assessment = assess_profile(profile, toolkit.rulebase, profile.assessment.date)
        report = document_text(render_client(assessment, toolkit)["rapport-audit.docx"])
        title = profile.use_cases[0].title
        report = report.replace("\u2019", "'").replace("\u00a0", " ")  # typesetting undone
        assert f"« {title} » respecte-t-il le RGPD et s'intègre-t-il à " in report
        assert "L'outil respecte-t-il le RGPD" not in report

    def test_lint_catches_a_misspelt_placeholder_with_file_and_line(
            self, tmp_path: Path, copy_rules: Any) -> None:
        rules, path, line = self._report_yaml(tmp_path, copy_rules, (
            "  q4: « {use_cas} » respecte-t-il le RGPD ?"))
        result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(rules)])
        assert result.exit_code == 1
        assert result.output.splitlines() == [
            f"{path}:{line}: report.anti_failure.q4: unknown placeholder {{use_cas}} (the code "
            "fills {use_case}, {vendor}). Did you mean 'use_case'?",
            f"1 problem(s) in {rules}",
        ]
