"""Tests of the template checker: every template problem reported with file, part and paragraph."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx

from engine.documents.render import make_environment
from engine.documents.templates import check_template, check_template_dir
from tests.documents.sample import build_sample_template, sample_context


def _template(path: Path, *paragraphs: str, header: str = "", footer: str = "") -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    document.save(str(path))
    return path


class TestCheckTemplate:
    def test_valid_template_has_no_issue(self, tmp_path: Path) -> None:
        path = build_sample_template(tmp_path / "ok.docx")
        assert check_template(path, sample_context(), make_environment()) == []

    def test_syntax_error_names_template_part_and_paragraph(self, tmp_path: Path) -> None:
        path = _template(tmp_path / "charte.docx", "Intro", "{%p if client.rgpd %}", "Fin")
        issues = check_template(path, {"client": {}}, make_environment())
        assert len(issues) == 1
        assert issues[0].location.file == str(path)
        assert issues[0].location.key_path == "body"
        assert "Jinja syntax error" in issues[0].message
        assert "{% if client.rgpd %}" in issues[0].message

    def test_unknown_filter_is_a_syntax_error(self, tmp_path: Path) -> None:
        path = _template(tmp_path / "t.docx", "{{ montant | euros }}")
        (issue,) = check_template(path, {"montant": 1}, make_environment())
        assert "No filter named 'euros'" in issue.message

    def test_undeclared_variable_with_paragraph_and_suggestion(self, tmp_path: Path) -> None:
        path = _template(
            tmp_path / "brief.docx", "Prestataire : {{ vendro_name }}", "{{ vendro_name }}"
        )
        (issue,) = check_template(path, {"vendor_name": "x"}, make_environment())
        assert str(issue) == (
            f"{path}: body: variable 'vendro_name' is used in «Prestataire : "
            "{{ vendro_name }}» (and 1 more) but the context does not provide it. "
            "Did you mean 'vendor_name'?"
        )

    def test_variables_of_header_and_footer(self, tmp_path: Path) -> None:
        path = _template(
            tmp_path / "t.docx", "corps", header="{{ logo_text }}", footer="{{ page }}"
        )
        issues = check_template(path, {}, make_environment())
        assert [(i.location.key_path, i.message.split("'")[1]) for i in issues] == [
            ("header1", "logo_text"),
            ("footer1", "page"),
        ]

    def test_loop_variables_and_globals_are_not_reported(self, tmp_path: Path) -> None:
        path = _template(
            tmp_path / "t.docx",
            "{%p for uc in cases %}",
            "{{ loop.index }} {{ uc.title }} {{ range(3) | list }}",
            "{%p endfor %}",
        )
        assert check_template(path, {"cases": []}, make_environment()) == []

    def test_no_variable_check_without_context(self, tmp_path: Path) -> None:
        path = _template(tmp_path / "t.docx", "{{ anything }}")
        assert check_template(path, None, make_environment()) == []

    def test_unsupported_feature(self, tmp_path: Path) -> None:
        path = _template(tmp_path / "t.docx", "{{p annexe }}")
        issues = check_template(path, {"annexe": 1}, make_environment())
        assert any("not supported" in i.message and "{{p annexe }}" in i.message for i in issues)


class TestCheckTemplateDir:
    NAMES = ("charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx")

    def test_all_good(self, tmp_path: Path) -> None:
        for name in self.NAMES:
            build_sample_template(tmp_path / name)
        assert check_template_dir(tmp_path, self.NAMES, sample_context()) == []

    def test_missing_and_garbage_files(self, tmp_path: Path) -> None:
        build_sample_template(tmp_path / "charte_ia.docx")  # misnamed
        (tmp_path / "brief-dsi.docx").write_text("not a zip")
        build_sample_template(tmp_path / "rapport-audit.docx", extra_body=("{{ oops",))
        messages = [str(i) for i in check_template_dir(tmp_path, self.NAMES, sample_context())]
        assert messages[0] == (
            f"{tmp_path / 'charte-ia.docx'}: template 'charte-ia.docx' is missing from "
            f"{tmp_path}. Did you mean 'charte_ia.docx'?"
        )
        assert messages[1] == (
            f"{tmp_path / 'brief-dsi.docx'}: is not a Word .docx file (not a zip archive); "
            "save it from Word as .docx"
        )
        assert messages[2].startswith(f"{tmp_path / 'rapport-audit.docx'}: body: Jinja syntax")
        assert len(messages) == 3

    def test_zip_that_is_not_word(self, tmp_path: Path) -> None:
        with zipfile.ZipFile(tmp_path / "charte-ia.docx", "w") as archive:
            archive.writestr("hello.txt", "hi")
        (issue,) = check_template_dir(tmp_path, ["charte-ia.docx"], None)
        assert "not a Word document" in issue.message

    def test_missing_folder(self, tmp_path: Path) -> None:
        (issue,) = check_template_dir(tmp_path / "nope", self.NAMES, None)
        assert issue.message == "template folder not found"

    def test_word_lock_files_are_not_suggested(self, tmp_path: Path) -> None:
        (tmp_path / "~$arte-ia.docx").write_bytes(b"lock")
        (issue,) = check_template_dir(tmp_path, ["charte-ia.docx"], None)
        assert "Did you mean" not in issue.message
