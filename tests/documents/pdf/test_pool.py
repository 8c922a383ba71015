"""The persistent LibreOffice pool (issue 18): restarted when it dies or passes its budget,
the same bytes whatever LibreOffice converted before, nothing left running.

Real LibreOffice (through its UNO bridge), real processes, real signals; only the LibreOffice
processes whose profile lives under this test's own folder are looked at or killed (other
runs use LibreOffice on the same machine).
"""

from __future__ import annotations

import datetime
import os
import signal
import threading
from pathlib import Path

import pytest

from engine.documents.pdf import PdfPool, convert_documents_oneshot, find_soffice, open_pool
from engine.documents.pdf.bridge import main as bridge_main
from engine.documents.pdf.oneshot import convert_oneshot
from engine.documents.render import PreparedTemplate, make_environment
from engine.errors import OutputError
from tests.documents.sample import SAMPLE_PROPS, build_sample_template, sample_context
from tests.polling import libreoffice_processes, wait_for

HOME_OF = ("engine.documents.pdf.bridge", "engine.documents.pdf.oneshot")
DAY = datetime.date(2026, 11, 26)


def _documents(tmp_path: Path, count: int) -> list[tuple[str, bytes]]:
    prepared = PreparedTemplate.load(build_sample_template(tmp_path / "t.docx"),
                                     make_environment())
    return [(f"c{i}/charte-ia.docx",
             prepared.render(sample_context(n_rows=3 + i % 4, client_name=f"Client {i}"),
                             SAMPLE_PROPS)) for i in range(count)]


def _pool(folder: Path, **options: int) -> PdfPool:
    folder.mkdir(exist_ok=True)
    pool = open_pool(folder, workers=options.pop("workers", 2))
    if pool is None:
        pytest.skip("no Python with LibreOffice's uno module (apt-get install python3-uno)")
    for name, value in options.items():
        setattr(pool, name, value)
    return pool


def _processes(folder: Path, program: str = "soffice.bin") -> list[int]:
    """The ``program`` processes whose LibreOffice profile is under ``folder``."""
    return libreoffice_processes(folder, program)


def test_the_bridge_refuses_bad_usage_and_a_python_without_uno(capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    """The bridge is run by LibreOffice's Python; under another it says why and exits 3 (the
    pool then counts a LibreOffice that could not start)."""
    assert bridge_main(["bridge.py"]) == 2
    assert "usage" in capsys.readouterr().err
    try:
        import uno  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        assert bridge_main(["bridge.py", "soffice", "file:///nowhere", "pipe"]) == 3
        assert "python3-uno" in capsys.readouterr().err


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_the_old_path_converts_a_batch_and_counts_its_pdfs(tmp_path: Path) -> None:
    """One ``soffice --convert-to`` per worker (where UNO is missing): every PDF found."""
    documents = _documents(tmp_path, 3)
    staged = []
    for index, (_, data) in enumerate(documents):
        path = tmp_path / "in" / f"doc{index}.docx"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        staged.append(path)
    produced, _ = convert_oneshot(find_soffice() or "soffice", staged, tmp_path / "work", 2, 600)
    assert sorted(produced) == [0, 1, 2]


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_a_libreoffice_killed_mid_batch_is_replaced(tmp_path: Path) -> None:
    """kill -9 of a LibreOffice while it converts: a new one takes over, every PDF comes
    back, each the bytes an undisturbed conversion gives."""
    documents = _documents(tmp_path, 12)
    work = tmp_path / "out"
    results: list[list[bytes]] = []
    with _pool(work, workers=1) as pool:
        thread = threading.Thread(target=lambda: results.append(pool.convert(documents, DAY)))
        thread.start()
        wait_for(lambda: any(o.converted >= 2 for o in pool.offices))
        (victim,) = _processes(work)
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=600)
        assert pool.started >= 2
        assert victim not in _processes(work)
    (pdfs,) = results
    assert len(pdfs) == len(documents)
    assert all(pdf.startswith(b"%PDF-") for pdf in pdfs)
    with _pool(tmp_path / "again", workers=1) as pool:
        assert pool.convert(documents, DAY) == pdfs
    assert _processes(tmp_path) == []
    assert not list(work.iterdir())  # the work folder is gone


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_replaced_after_its_budget_and_same_bytes_as_a_fresh_one(tmp_path: Path) -> None:
    """The same document gives the same PDF bytes from a fresh LibreOffice, from one that
    converted others before, from a replacement, and through the old one-call path."""
    documents = _documents(tmp_path, 3)
    with _pool(tmp_path / "out", workers=1, budget=2) as pool:
        first = pool.convert(documents, DAY)
        second = pool.convert(documents[::-1], DAY)
        assert pool.started >= 3  # 6 conversions, at most 2 each
    assert second[::-1] == first
    old = convert_documents_oneshot(documents, tmp_path / "out", workers=1, created=DAY)
    assert old == first


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_documents_that_keep_timing_out_give_no_pdf_and_are_named(tmp_path: Path) -> None:
    """Documents LibreOffice cannot finish in time (each tried twice, on a fresh LibreOffice
    each time): no PDF at all (none half-delivered), an error naming them, and no LibreOffice
    left running."""
    documents = _documents(tmp_path, 2)
    with _pool(tmp_path / "out", workers=1) as pool:
        pool.timeout_s = 0.01
        with pytest.raises(OutputError, match="no PDF") as info:
            pool.convert(documents, DAY)
    assert {i.location.file for i in info.value.issues} == {"c0/charte-ia.docx",
                                                             "c1/charte-ia.docx"}
    assert _processes(tmp_path) == []


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_closing_kills_every_libreoffice(tmp_path: Path) -> None:
    """Closing the pool (Ctrl-C raises through it) leaves no LibreOffice, even one that was
    still starting."""
    pool = _pool(tmp_path / "out", workers=2)
    with pool:
        pool.convert(_documents(tmp_path, 2), DAY)
        pool._start()  # a third, still starting
        assert len(_processes(tmp_path, "python3") + _processes(tmp_path)) >= 2
    wait_for(lambda: not _processes(tmp_path), timeout=10)
    assert pool.offices == []
