"""Tests of the template checker: every template problem reported with file, part and paragraph;
and of how a template is read into Jinja sources first (engine.documents.parts)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from engine.documents.parts import paragraph_at, read_template
from engine.documents.render import make_environment
from engine.documents.templates import check_template, check_template_dir
from engine.errors import TemplateError
from tests.documents.sample import build_sample_template, sample_context

HOME_OF = ("engine.documents.parts",)


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


def _rezip(source: Path, target: Path, *, drop: str = "", add: tuple[str, bytes] | None = None
           ) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename != drop:
                new.writestr(info, old.read(info))
        if add is not None:
            new.writestr(*add)
    return target


class TestReadTemplate:
    """engine.documents.parts: body, headers and footers as the Jinja sources docxtpl would
    compile, one paragraph per line so that an error names its paragraph."""

    def test_body_header_and_footer_with_tags_split_across_runs_joined(self, tmp_path: Path
                                                                       ) -> None:
        document = docx.Document()
        paragraph = document.add_paragraph("Bonjour ")
        paragraph.add_run("{{ client").bold = True  # Word splits a tag where the format changes
        paragraph.add_run("_name }} !")
        document.add_paragraph("{% if show_notice %}Avis{% endif %}")
        document.sections[0].header.paragraphs[0].text = "Au {{ as_of }}"
        document.sections[0].footer.paragraphs[0].text = "Page"
        document.save(str(tmp_path / "t.docx"))
        source = read_template(tmp_path / "t.docx")
        assert source.issues == ()
        assert [(p.label, p.name) for p in source.parts] == [
            ("body", "word/document.xml"), ("header1", "word/header1.xml"),
            ("footer1", "word/footer1.xml")]
        body = source.parts[0]
        assert "{{ client_name }}" in body.source
        assert paragraph_at(body.source, 2) == "Bonjour {{ client_name }} !"
        assert paragraph_at(body.source, 3) == "{% if show_notice %}Avis{% endif %}"
        assert body.prefix.rstrip().endswith(">")
        assert "<w:body" not in body.prefix + body.suffix  # the body is the Jinja source only
        assert "{{ as_of }}" in source.parts[1].source

    def test_paragraph_at_falls_back_to_the_last_paragraph_with_text(self) -> None:
        source = "<w:body>\n<w:p><w:t>Premier</w:t></w:p>\n<w:p></w:p>\n<w:p/>"
        assert paragraph_at(source, 4) == "Premier"
        assert paragraph_at(source, 99) == "Premier"
        assert paragraph_at(source, None) == ""
        assert paragraph_at("<w:p><w:t>" + "mot " * 40 + "</w:t></w:p>", 1).endswith("…")

    def test_tags_in_footnotes_are_refused(self, tmp_path: Path) -> None:
        template = _rezip(_template(tmp_path / "a.docx", "Texte"), tmp_path / "b.docx",
                          add=("word/footnotes.xml", b"<w:footnotes xmlns:w='urn:w'><w:t>"
                                                     b"{{ client_name }}</w:t></w:footnotes>"))
        (issue,) = read_template(template).issues
        assert issue.location.key_path == "footnotes"
        assert "only supported in the body, headers and footers" in issue.message

    def test_a_zip_without_its_main_part(self, tmp_path: Path) -> None:
        template = _rezip(_template(tmp_path / "a.docx", "Texte"), tmp_path / "b.docx",
                          drop="word/document.xml")
        with pytest.raises(TemplateError, match="not a Word document"):
            read_template(template)
