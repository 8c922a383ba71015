"""Tests of engine.documents.pdf: inputs checked, PDFs counted, nothing partial left behind; and
of the guard LibreOffice runs behind (engine.documents.guard), with ordinary programs."""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.documents.guard import guard, main
from engine.documents.pdf import convert_to_pdf, find_soffice
from engine.documents.render import PreparedTemplate, make_environment
from engine.errors import OutputError, ToolMissingError
from tests.documents.sample import SAMPLE_PROPS, build_sample_template, sample_context

HOME_OF = ("engine.documents.guard",)

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


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent to reap it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
class TestGuard:
    """LibreOffice's guard: the program's exit code passes through; when the run is gone (its
    end of the pipe closed, however it ended), the program and what it forked are killed."""

    def test_the_programs_exit_code(self) -> None:
        read, write = os.pipe()  # the write end stays open: the run is alive
        try:
            assert guard(read, [sys.executable, "-c", "raise SystemExit(3)"]) == 3
            assert guard(read, [sys.executable, "-c", "import os, signal; "
                                "os.kill(os.getpid(), signal.SIGTERM)"]) == 128 + signal.SIGTERM
        finally:
            os.close(read)
            os.close(write)

    def test_usage(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["guard", "soffice"]) == 2
        assert main(["guard", "x", "soffice"]) == 2
        assert "usage: python -m engine.documents.guard FD PROGRAM" in capsys.readouterr().err

    def test_the_program_and_its_children_die_with_the_run(self, tmp_path: Path) -> None:
        pids = tmp_path / "pids"
        program = (
            "import os, subprocess, sys, time\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
            f"open({str(pids) + '.tmp'!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
            f"os.replace({str(pids) + '.tmp'!r}, {str(pids)!r})\n"
            "time.sleep(120)\n")
        read, write = os.pipe()
        started = subprocess.Popen(  # as engine.documents.pdf starts it: a group of its own
            [sys.executable, "-m", "engine.documents.guard", str(read), sys.executable, "-c",
             program], pass_fds=(read,), start_new_session=True)
        os.close(read)
        try:
            deadline = time.monotonic() + 60
            while not pids.exists():
                assert time.monotonic() < deadline, "the program did not start"
                assert started.poll() is None
                time.sleep(0.05)
            forked = [int(pid) for pid in pids.read_text(encoding="utf-8").split()]
            assert all(_alive(pid) for pid in forked)
            os.close(write)  # the run is gone
            write = -1
            assert started.wait(timeout=30) == -signal.SIGKILL
            deadline = time.monotonic() + 10
            while any(_alive(pid) for pid in forked):
                assert time.monotonic() < deadline, "a process outlived the guard"
                time.sleep(0.05)
        finally:
            if write >= 0:
                os.close(write)
            if started.poll() is None:
                os.killpg(started.pid, signal.SIGKILL)
                started.wait()
