"""``iapme run --pdf`` (issue 15, findings 3 and 11): PDFs never older than their document,
converted under the output folder's lock, and LibreOffice never outlives the run.

Real LibreOffice, real processes, real signals; which documents need a new PDF
(engine.run.pdfs.stale_documents) is also tried without LibreOffice, on a real output folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.common.digest import sha256
from engine.documents.pdf import find_soffice
from engine.errors import OutputError
from engine.run.manifest import Manifest
from engine.run.outputs import locked
from engine.run.pdfs import pdf_inputs, stale_documents
from tests.polling import libreoffice_processes, wait_for

HOME_OF = ("engine.run.pdfs",)
needs_libreoffice = pytest.mark.skipif(find_soffice() is None,
                                       reason="LibreOffice not installed")
ROOT = Path(__file__).resolve().parents[2]
RULES, TEMPLATES = ROOT / "rules", ROOT / "doc_templates"
GOOD = ROOT / "tests" / "data" / "profiles" / "dupont.yaml"
DOCS = ("charte-ia", "brief-dsi", "rapport-audit")


def _run(out: Path, as_of: str, *extra: str) -> str:
    args = ["run", str(GOOD), "--out", str(out), "--rules", str(RULES), "--templates",
            str(TEMPLATES), "--jobs", "1", "--as-of", as_of, *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.output


def _command(out: Path, *paths: Path) -> list[str]:
    return [sys.executable, "-m", "engine", "run", *map(str, paths), "--out", str(out),
            "--rules", str(RULES), "--templates", str(TEMPLATES), "--jobs", "1",
            "--as-of", "2026-11-26", "--pdf"]


def _libreoffice_of(out: Path) -> list[int]:
    """Processes running LibreOffice for this test: its profile lives under the test's own
    folder (the output folder, or the test's private $TMPDIR), never another run's."""
    return libreoffice_processes(out.parent)


@contextlib.contextmanager
def _converting(out: Path, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A run with --pdf in its own process group, yielded once LibreOffice is converting."""
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    paths = []
    for n in range(3):
        path = folder / f"c{n}.yaml"
        path.write_text(GOOD.read_text(encoding="utf-8").replace(
            "client:\n", f"client:\n  id: client-{n}\n", 1), encoding="utf-8")
        paths.append(path)
    proc = subprocess.Popen(_command(out, *paths), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_interruptible, env=_private_tmp(tmp_path))
    try:
        wait_for(lambda: _libreoffice_of(out) or proc.poll() is not None)
        assert proc.poll() is None, "the run ended before LibreOffice started"
        yield proc
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        for pid in _libreoffice_of(out):  # never leave one behind, even when a test fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _interruptible() -> None:
    """Ctrl-C as in a terminal, even when the tests run as a background job (which starts
    with SIGINT ignored, and Python keeps it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _private_tmp(tmp_path: Path) -> dict[str, str]:
    """The environment with a temporary folder of this test's own (other runs share /tmp)."""
    folder = tmp_path / "tmp"
    folder.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(folder)}


def _tmp_files(tmp_path: Path) -> list[Path]:
    """What the run left in its temporary folder (copies of documents, profiles...)."""
    return sorted((tmp_path / "tmp").rglob("*"))


@pytest.mark.libreoffice
@needs_libreoffice
def test_a_pdf_follows_its_document(tmp_path: Path) -> None:
    """Finding 3: a run without --pdf rewrites the documents (new --as-of); the next --pdf
    run converts them again, giving the PDFs a fresh run at that date gives."""
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    _run(out, "2026-11-26", "--pdf")
    first = (out / "dupont" / "charte-ia.pdf").read_bytes()
    _run(out, "2027-02-01")
    _run(out, "2027-02-01", "--pdf")
    _run(fresh, "2027-02-01", "--pdf")
    for name in DOCS:
        assert (out / "dupont" / f"{name}.pdf").read_bytes() == (
            fresh / "dupont" / f"{name}.pdf").read_bytes(), name
    assert (out / "dupont" / "charte-ia.pdf").read_bytes() != first
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name in DOCS:
        entry = manifest["files"][f"dupont/{name}.pdf"]
        docx = (out / "dupont" / f"{name}.docx").read_bytes()
        assert entry["inputs"] == {"docx": sha256(docx), "as_of": "2027-02-01"}
        assert entry["sha256"] == sha256((out / "dupont" / f"{name}.pdf").read_bytes())
    mtime = (out / "dupont" / "charte-ia.pdf").stat().st_mtime_ns
    _run(out, "2027-02-01", "--pdf")  # nothing changed: nothing converted
    assert (out / "dupont" / "charte-ia.pdf").stat().st_mtime_ns == mtime


@pytest.mark.libreoffice
@needs_libreoffice
def test_the_pdf_phase_holds_the_lock(tmp_path: Path) -> None:
    """Finding 3: while LibreOffice converts, a second run on the folder is refused."""
    out = tmp_path / "out"
    with _converting(out, tmp_path) as proc:
        with pytest.raises(OutputError, match="another iapme run"), locked(out):
            pass
        assert proc.wait(timeout=300) == 0, proc.stderr.read() if proc.stderr else ""
    assert len(list(out.glob("*/*.pdf"))) == 9


@pytest.mark.libreoffice
@needs_libreoffice
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_libreoffice_dies_with_the_run(tmp_path: Path, sig: signal.Signals) -> None:
    """Finding 11: kill -9 or Ctrl-C during --pdf: no LibreOffice left running, no copies of
    the documents in the temporary folder ($TMPDIR); what is left in the output folder is
    hidden and the next run removes it."""
    out = tmp_path / "out"
    with _converting(out, tmp_path) as proc:
        os.killpg(proc.pid, sig)
        _, stderr = proc.communicate(timeout=60)
        if sig == signal.SIGINT:
            assert stderr.strip().endswith("Aborted!"), stderr
            assert "Traceback" not in stderr
        wait_for(lambda: not _libreoffice_of(out), timeout=10)
    assert _tmp_files(tmp_path) == []
    if sig == signal.SIGINT:
        assert not list(out.glob(".iapme-work-*"))
    done = subprocess.run(_command(out, tmp_path / "in"), capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert not list(out.glob(".iapme-work-*"))
    assert not list(out.rglob("*.part"))
    assert len(list(out.glob("*/*.pdf"))) == 9


AS_OF = dt.date(2026, 11, 26)


class TestStaleDocuments:
    """A PDF is converted again when it is missing or changed, or when its document is not the
    bytes it was made from; the date stamped into it counts too. No LibreOffice needed."""

    @pytest.fixture
    def out(self, tmp_path: Path) -> Path:
        folder = tmp_path / "out" / "dupont"
        folder.mkdir(parents=True)
        (folder / "charte-ia.docx").write_bytes(b"charte v1")
        (folder / "charte-ia.pdf").write_bytes(b"%PDF- v1")
        (folder / "brief-dsi.docx").write_bytes(b"brief v1")
        return tmp_path / "out"

    def _manifest(self, out: Path, *, as_of: str = "2026-11-26") -> Manifest:
        return Manifest(
            files={"dupont/charte-ia.pdf": {
                "sha256": sha256((out / "dupont" / "charte-ia.pdf").read_bytes()),
                "inputs": pdf_inputs(b"charte v1", AS_OF)}},
            clients={"dupont": {"source": "dupont.yaml", "inputs": {},
                                "files": ["charte-ia.docx", "brief-dsi.docx", "../x.docx",
                                          "assessment.json"],
                                "summary": {"as_of": as_of}}})

    def _stale(self, out: Path, manifest: Manifest) -> list[tuple[str, str, bytes]]:
        todo = stale_documents(out, manifest, ["dupont", "unknown-client"])
        assert set(todo) <= {AS_OF}
        return todo.get(AS_OF, [])

    def test_only_the_document_without_its_pdf(self, out: Path) -> None:
        assert self._stale(out, self._manifest(out)) == [("dupont", "brief-dsi.docx",
                                                          b"brief v1")]

    def test_a_document_rewritten_since_its_pdf(self, out: Path) -> None:
        manifest = self._manifest(out)
        (out / "dupont" / "charte-ia.docx").write_bytes(b"charte v2")
        assert ("dupont", "charte-ia.docx", b"charte v2") in self._stale(out, manifest)

    def test_a_pdf_edited_or_removed(self, out: Path) -> None:
        manifest = self._manifest(out)
        (out / "dupont" / "charte-ia.pdf").write_bytes(b"%PDF- edited")
        assert sorted(n for _, n, _ in self._stale(out, manifest)) == ["brief-dsi.docx",
                                                                       "charte-ia.docx"]
        (out / "dupont" / "charte-ia.pdf").unlink()
        assert len(self._stale(out, manifest)) == 2

    def test_another_date_stamped(self, out: Path) -> None:
        todo = stale_documents(out, self._manifest(out, as_of="2027-02-01"), ["dupont"])
        assert sorted(n for _, n, _ in todo[dt.date(2027, 2, 1)]) == ["brief-dsi.docx",
                                                                      "charte-ia.docx"]

    def test_a_client_folder_that_became_a_link_is_left_alone(self, out: Path,
                                                              tmp_path: Path) -> None:
        manifest = self._manifest(out)
        (out / "dupont").rename(tmp_path / "elsewhere")
        (out / "dupont").symlink_to(tmp_path / "elsewhere")
        assert self._stale(out, manifest) == []  # the run reports the client

    def test_a_record_without_a_date_is_skipped(self, out: Path) -> None:
        assert stale_documents(out, self._manifest(out, as_of="?"), ["dupont"]) == {}
