"""Template snapshots: the committed text picture of each .docx master, kept in step with it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from click.testing import CliRunner
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, RGBColor

from engine.cli import main
from engine.documents.snapshot import (
    snapshot_path,
    snapshot_problems,
    template_snapshot,
    write_snapshots,
)
from engine.run.pipeline import DOCUMENTS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "doc_templates"


def test_committed_snapshots_match_the_templates() -> None:
    """A template edited in Word without refreshing its snapshot fails here.

    Refresh with ``iapme templates snapshot`` and review the snapshot's diff in the commit.
    """
    assert snapshot_problems([TEMPLATES / name for name in DOCUMENTS]) == []


def _template(path: Path) -> Path:
    document = docx.Document()
    document.sections[0].footer.paragraphs[0].text = "{{ client.name }} – pied de page"
    document.add_heading("Charte – {{ client.name }}", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("Objet : ").bold = True
    paragraph.add_run("{{ brief.intro }}")
    paragraph.add_run(" fin").italic = True
    document.add_paragraph("{%p if charter.tools %}")
    centred = document.add_paragraph("{{ chart }}")
    centred.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Terme", "Définition"
    table.rows[1].cells[0].text = "{%tr for t in glossary %}"
    annex = document.add_section(WD_SECTION.NEW_PAGE)
    annex.orientation = WD_ORIENT.LANDSCAPE
    annex.page_width, annex.page_height = Cm(29.7), Cm(21.0)
    document.add_paragraph("Annexe", style="List Bullet")
    document.save(str(path))
    return path


class TestSnapshotText:
    def test_paragraphs_styles_tags_tables_sections_and_footers(self, tmp_path: Path) -> None:
        lines = template_snapshot(_template(tmp_path / "t.docx")).splitlines()
        assert lines[0] == "# t.docx"
        assert lines[1].startswith("== section 1: portrait, 21.59 x 27.94 cm")
        assert "-- header: none" in lines
        assert "  [Footer] {{ client.name }} – pied de page" in lines
        assert "[Heading 1] Charte – {{ client.name }}" in lines
        assert "[Normal] **Objet : **{{ brief.intro }}// fin//" in lines
        assert "[Normal] {%p if charter.tools %}" in lines
        assert "[Normal, center] {{ chart }}" in lines
        assert "table: 2 column(s), 2 row(s)" in lines
        assert "  row: [Normal] Terme | [Normal] Définition" in lines
        assert "  row: [Normal] {%tr for t in glossary %} | [Normal]" in lines
        assert any(line.startswith("== section 2: landscape, 29.7 x 21.0 cm") for line in lines)
        assert lines.index("[List Bullet] Annexe") > lines.index("table: 2 column(s), 2 row(s)")
        assert "== paragraph styles" in lines
        assert lines[-1].startswith("== parts digest sha256:")

    def test_same_file_same_snapshot_and_metadata_is_ignored(self, tmp_path: Path) -> None:
        path = _template(tmp_path / "t.docx")
        first = template_snapshot(path)
        document = docx.Document(str(path))
        document.core_properties.title = "Autre titre"
        document.save(str(path))
        assert template_snapshot(path) == first

    def test_a_change_the_text_cannot_show_still_changes_the_digest(self, tmp_path: Path) -> None:
        path = _template(tmp_path / "t.docx")
        first = template_snapshot(path).splitlines()
        document = docx.Document(str(path))
        document.paragraphs[1].runs[1].font.color.rgb = RGBColor(0xFF, 0, 0)
        document.save(str(path))
        second = template_snapshot(path).splitlines()
        assert first[:-1] == second[:-1]
        assert first[-1] != second[-1]


class TestRefresh:
    def test_stale_snapshot_is_reported_then_refreshed(self, tmp_path: Path) -> None:
        path = _template(tmp_path / "t.docx")
        assert snapshot_problems([path]) == [
            f"{snapshot_path(path)}: missing; run iapme templates snapshot"]
        assert write_snapshots([path]) == [tmp_path / "snapshots" / "t.txt"]
        assert snapshot_problems([path]) == []
        assert write_snapshots([path]) == []  # nothing to rewrite
        document = docx.Document(str(path))
        document.add_paragraph("Nouvelle phrase")
        document.save(str(path))
        (problem,) = snapshot_problems([path])
        assert "out of date with t.docx" in problem

    def test_cli_writes_then_checks(self, tmp_path: Path) -> None:
        for name in DOCUMENTS:
            (tmp_path / name).write_bytes((TEMPLATES / name).read_bytes())
        runner = CliRunner()
        check = ["templates", "snapshot", "--templates", str(tmp_path), "--check"]
        assert runner.invoke(main, check).exit_code == 1
        written = runner.invoke(main, ["templates", "snapshot", "--templates", str(tmp_path)])
        assert written.exit_code == 0
        assert f"wrote {tmp_path / 'snapshots' / 'charte-ia.txt'}" in written.output
        for name in DOCUMENTS:
            shipped = snapshot_path(TEMPLATES / name).read_text(encoding="utf-8")
            assert snapshot_path(tmp_path / name).read_text(encoding="utf-8") == shipped
        assert runner.invoke(main, check).output == f"0 snapshot(s) out of date in {tmp_path}\n"

    def test_cli_names_a_missing_template(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(main, ["templates", "snapshot", "--templates", str(tmp_path)])
        assert result.exit_code == 1
        assert "charte-ia.docx: template file not found" in result.output


def test_templates_are_zip_files_without_the_generator_comment() -> None:
    """The masters no longer claim to be generated by a script."""
    for name in DOCUMENTS:
        with zipfile.ZipFile(TEMPLATES / name) as archive:
            assert b"make_templates" not in archive.read("docProps/core.xml")
