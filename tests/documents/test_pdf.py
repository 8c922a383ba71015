"""Tests of engine.documents.pdf: inputs checked, PDFs counted, nothing partial left behind."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.documents.pdf import convert_to_pdf, find_soffice
from engine.documents.render import PreparedTemplate, make_environment
from engine.errors import OutputError, ToolMissingError
from tests.documents.sample import SAMPLE_PROPS, build_sample_template, sample_context

needs_libreoffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")


def _render(tmp_path: Path, paths: list[Path]) -> list[Path]:
    prepared = PreparedTemplate.load(build_sample_template(tmp_path / "t.docx"), make_environment())
    for index, path in enumerate(paths):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            prepared.render(sample_context(client_name=f"Client {index}"), SAMPLE_PROPS)
        )
    return paths


class TestInputs:
    def test_garbage_docx_is_refused(self, tmp_path: Path) -> None:
        """LibreOffice would turn garbage into a PDF with exit code 0: refuse it first."""
        (good,) = _render(tmp_path, [tmp_path / "a" / "charte-ia.docx"])
        garbage = tmp_path / "a" / "brief-dsi.docx"
        garbage.write_bytes(b"PK\x03\x04 this is not really a zip")
        with pytest.raises(OutputError) as info:
            convert_to_pdf([good, garbage], None)
        assert [i.location.file for i in info.value.issues] == [str(garbage)]
        assert "not a valid Word .docx" in str(info.value)
        assert not list(tmp_path.rglob("*.pdf"))

    def test_missing_input(self, tmp_path: Path) -> None:
        with pytest.raises(OutputError, match="file not found"):
            convert_to_pdf([tmp_path / "absent.docx"], None)

    def test_same_pdf_name_twice_in_one_folder(self, tmp_path: Path) -> None:
        paths = _render(
            tmp_path, [tmp_path / "a" / "charte-ia.docx", tmp_path / "b" / "charte-ia.docx"]
        )
        with pytest.raises(OutputError, match="would overwrite the PDF"):
            convert_to_pdf(paths, tmp_path / "pdf")

    def test_nothing_to_do(self, tmp_path: Path) -> None:
        assert convert_to_pdf([], tmp_path) == []

    def test_libreoffice_missing(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """With no soffice on PATH the error says how to install it or run without --pdf."""
        (path,) = _render(tmp_path, [tmp_path / "charte-ia.docx"])
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
        if find_soffice() is not None:  # e.g. the macOS application bundle
            pytest.skip("LibreOffice found outside PATH")
        with pytest.raises(ToolMissingError, match="apt-get install libreoffice-writer-nogui"):
            convert_to_pdf([path], None)


@pytest.mark.libreoffice
@needs_libreoffice
class TestConversion:
    def test_three_documents_two_workers(self, tmp_path: Path) -> None:
        """Same file names in different client folders do not collide; each PDF is real."""
        paths = _render(
            tmp_path,
            [
                tmp_path / "c1" / "charte-ia.docx",
                tmp_path / "c1" / "brief-dsi.docx",
                tmp_path / "c2" / "charte-ia.docx",
            ],
        )
        pdfs = convert_to_pdf(paths, None, workers=2)
        assert pdfs == [p.with_suffix(".pdf") for p in paths]
        for pdf in pdfs:
            assert pdf.read_bytes().startswith(b"%PDF-")
        assert sorted(p.name for p in tmp_path.rglob("*") if p.name.startswith(".")) == []
        if shutil.which("pdftotext"):
            text = subprocess.run(
                ["pdftotext", str(pdfs[2]), "-"], capture_output=True, text=True, check=True
            ).stdout
            assert "Rapport pour Client 2" in text

    def test_into_out_dir(self, tmp_path: Path) -> None:
        paths = _render(tmp_path, [tmp_path / "x" / "rapport.docx"])
        (pdf,) = convert_to_pdf(paths, tmp_path / "pdf", workers=4)
        assert pdf == tmp_path / "pdf" / "rapport.pdf"
        assert pdf.read_bytes().startswith(b"%PDF-")

    def test_timeout_leaves_no_pdf(self, tmp_path: Path) -> None:
        paths = _render(tmp_path, [tmp_path / "charte-ia.docx"])
        with pytest.raises(OutputError, match="no PDF"):
            convert_to_pdf(paths, None, timeout_s=0.05)
        assert not list(tmp_path.rglob("*.pdf"))

    def test_same_pdf_bytes_with_a_fixed_date(self, tmp_path: Path) -> None:
        """LibreOffice stamps the clock (date, /ID, /DocChecksum); with ``created`` two
        conversions are identical."""
        paths = _render(tmp_path, [tmp_path / "a" / "charte-ia.docx"])
        (tmp_path / "b").mkdir()
        copy = tmp_path / "b" / "charte-ia.docx"
        copy.write_bytes(paths[0].read_bytes())
        day = datetime.date(2026, 11, 26)
        first, second = convert_to_pdf([paths[0], copy], None, created=day)
        assert first.read_bytes() == second.read_bytes()
        assert b"/CreationDate(D:20261126000000Z')" in first.read_bytes()
        if shutil.which("pdfinfo"):
            info = subprocess.run(
                ["pdfinfo", str(first)], capture_output=True, text=True, check=True
            ).stdout
            assert "Pages:" in info
