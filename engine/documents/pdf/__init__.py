"""Convert rendered .docx files to PDF with LibreOffice, safely and in parallel.

Inputs are checked before LibreOffice sees them, every PDF is checked before it is returned
(LibreOffice's exit code and replies are not trusted), and LibreOffice's clock stamps are
replaced so the same .docx always gives the same PDF bytes (:mod:`.checks`). Either every PDF
of a call is returned, or none and an :class:`OutputError`.

Where a Python with LibreOffice's ``uno`` module is found (Debian's ``python3-uno``, or the
one bundled with LibreOffice), each worker's LibreOffice is started once and fed documents
through UNO (:mod:`.pool`, :mod:`.bridge`); elsewhere, one ``soffice --convert-to`` call per
worker (:mod:`.oneshot`). Either way LibreOffice runs behind :mod:`engine.documents.guard`, in
its own process group, killed on a timeout, on Ctrl-C and when the run is killed; its work
folder (copies of the documents, its profile, its temporary files) is a hidden folder beside
the outputs, never in /tmp.
"""

from __future__ import annotations

import datetime
import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from engine.common.atomic import atomic_write, work_dir_name
from engine.documents.pdf.checks import (
    DOCUMENT_LIMITS,
    document_issue,
    read_document,
    stable,
)
from engine.documents.pdf.oneshot import convert_oneshot
from engine.documents.pdf.pool import PdfPool
from engine.errors import Issue, Location, OutputError, ToolMissingError

__all__ = ["DOCUMENT_LIMITS", "MISSING_MESSAGE", "PdfPool", "convert_documents",
           "convert_documents_oneshot", "convert_to_pdf", "document_issue", "find_soffice",
           "find_uno_python", "open_pool"]

MISSING_MESSAGE = (
    "LibreOffice is not installed: apt-get install libreoffice-writer-nogui, or run without --pdf"
)
_MAC_SOFFICE = "/Applications/LibreOffice.app/Contents/MacOS/soffice"
DOCUMENT_TIMEOUT_S = 300.0


def find_soffice() -> str | None:
    """The LibreOffice program to call, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return _MAC_SOFFICE if Path(_MAC_SOFFICE).is_file() else None


@functools.cache
def find_uno_python(soffice: str) -> str | None:
    """A Python interpreter that imports LibreOffice's ``uno`` module, or None.

    Tried in order: iapme's own interpreter, the one bundled beside ``soffice`` (LibreOffice's
    own packages for macOS and Windows), the system's ``python3`` (Debian's ``python3-uno``).
    """
    program = Path(os.path.realpath(soffice)).parent
    candidates = [sys.executable, str(program / "python"), str(program / "python.exe"),
                  "/usr/bin/python3"]
    for candidate in dict.fromkeys(candidates):
        if not os.access(candidate, os.X_OK):
            continue
        try:
            done = subprocess.run([candidate, "-I", "-c", "import uno"], capture_output=True,
                                  stdin=subprocess.DEVNULL, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return candidate
    return None


def _soffice() -> str:
    soffice = find_soffice()
    if soffice is None:
        raise ToolMissingError.at("soffice", MISSING_MESSAGE)
    return soffice


def open_pool(work_parent: Path, *, workers: int = 2,
              timeout_s: float = DOCUMENT_TIMEOUT_S) -> PdfPool | None:
    """A :class:`PdfPool` working in a hidden folder of ``work_parent``, not yet entered;
    None when no Python with LibreOffice's ``uno`` module is found.

    Raises:
        ToolMissingError: LibreOffice is not installed.
    """
    soffice = _soffice()
    python = find_uno_python(soffice)
    if python is None:
        return None
    return PdfPool(soffice, python, work_parent, workers=workers, timeout_s=timeout_s)


def convert_documents(
    documents: Sequence[tuple[str, bytes]],
    work_parent: Path,
    *,
    workers: int = 2,
    timeout_s: float = DOCUMENT_TIMEOUT_S,
    created: datetime.date | None = None,
    pool: PdfPool | None = None,
) -> list[bytes]:
    """The PDF of each .docx (a name for messages, its bytes), in the given order.

    Through ``pool`` when given (its LibreOffice processes stay up for the next call), else
    through a pool of ``workers`` made for this call, else (no UNO) one LibreOffice call per
    worker. LibreOffice works in a hidden folder made in ``work_parent`` (the output folder,
    never /tmp) and removed afterwards; a killed run leaves it for the next run to remove.
    ``timeout_s`` is the longest one document may take (LibreOffice is then killed and the
    document tried once more on a fresh one; without UNO, the whole call's limit).
    With ``created``, the PDF's creation date becomes that day and its /ID a digest of the
    content, so the same .docx always gives the same PDF bytes (LibreOffice stamps the clock).

    Raises:
        OutputError: an input is not a .docx, or a PDF was not produced (no PDF is returned).
        ToolMissingError: LibreOffice is not installed (checked after the inputs).
    """
    if not documents:
        return []
    bad = [issue for name, data in documents if (issue := document_issue(name, data))]
    if bad:
        raise OutputError.of(bad)
    if pool is not None:
        return pool.convert(documents, created)
    made = open_pool(work_parent, workers=workers, timeout_s=timeout_s)
    if made is None:
        return convert_documents_oneshot(documents, work_parent, workers=workers,
                                         timeout_s=timeout_s, created=created)
    with made:
        return made.convert(documents, created)


def convert_documents_oneshot(
    documents: Sequence[tuple[str, bytes]],
    work_parent: Path,
    *,
    workers: int = 2,
    timeout_s: float = 600,
    created: datetime.date | None = None,
) -> list[bytes]:
    """As :func:`convert_documents`, through one ``soffice --convert-to`` call per worker
    (the path before the persistent LibreOffice; kept where UNO is missing, and as the
    benchmark's baseline). ``timeout_s`` bounds the whole call."""
    if not documents:
        return []
    bad = [issue for name, data in documents if (issue := document_issue(name, data))]
    if bad:
        raise OutputError.of(bad)
    soffice = _soffice()
    work = work_parent / work_dir_name()
    try:
        work.mkdir()
        # Copies under unique names: two clients' charte-ia.docx must not meet in one outdir.
        inputs = work / "in"
        inputs.mkdir()
        staged = [inputs / f"doc{i:05d}.docx" for i in range(len(documents))]
        for (_, data), copy in zip(documents, staged, strict=True):
            copy.write_bytes(data)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise OutputError.at(str(work), f"cannot write: {exc.strerror}") from None
    try:
        produced, logs = convert_oneshot(soffice, staged, work, workers, timeout_s)
        missing = [documents[i][0] for i in range(len(staged)) if i not in produced]
        if missing:
            raise OutputError.of(
                (Issue(Location(name), "LibreOffice produced no PDF") for name in missing),
                summary=f"PDF conversion failed, no PDF written (LibreOffice: {'; '.join(logs)})",
            )
        return [stable(produced[i].read_bytes(), created) for i in range(len(staged))]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _destinations(docx_paths: Sequence[Path], out_dir: Path | None) -> list[Path]:
    targets = [(out_dir or p.parent) / (p.stem + ".pdf") for p in docx_paths]
    seen: dict[Path, Path] = {}
    issues = []
    for source, target in zip(docx_paths, targets, strict=True):
        if target in seen:
            issues.append(
                Issue(Location(str(source)), f"would overwrite the PDF of {seen[target]}")
            )
        seen.setdefault(target, source)
    if issues:
        raise OutputError.of(issues)
    return targets


def convert_to_pdf(
    docx_paths: Sequence[Path],
    out_dir: Path | None,
    *,
    workers: int = 2,
    timeout_s: float = DOCUMENT_TIMEOUT_S,
    created: datetime.date | None = None,
) -> list[Path]:
    """Convert each .docx to a PDF named after it, in ``out_dir`` (None: next to the .docx).

    LibreOffice works in a hidden folder beside the first PDF (see :func:`convert_documents`).
    Returns the PDF paths, in the order of ``docx_paths``.

    Raises:
        OutputError: an input is not a .docx, two inputs would give the same PDF, or a PDF
            was not produced (nothing is written then).
        ToolMissingError: LibreOffice is not installed (checked after the inputs).
    """
    if not docx_paths:
        return []
    documents = [(str(path), read_document(path)) for path in docx_paths]
    bad = [issue for name, data in documents if (issue := document_issue(name, data))]
    if bad:
        raise OutputError.of(bad)
    targets = _destinations(docx_paths, out_dir)
    targets[0].parent.mkdir(parents=True, exist_ok=True)
    pdfs = convert_documents([(n, d or b"") for n, d in documents], targets[0].parent,
                             workers=workers, timeout_s=timeout_s, created=created)
    for target, pdf in zip(targets, pdfs, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, pdf)
    return targets
