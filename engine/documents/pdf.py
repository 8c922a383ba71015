"""Convert rendered .docx files to PDF with LibreOffice, safely and in parallel.

LibreOffice returns 0 even when it lost a PDF (two processes sharing a profile lost half of
them) or converted a garbage input (dependencies.md, "LibreOffice 7.4.7"). So: inputs are checked
first; each worker process gets its own fresh profile and its own folders; every expected PDF
is counted and checked (``%PDF`` header, ``%%EOF`` trailer) before any is returned or moved
into place. Either every PDF is written, or none and an :class:`OutputError`.

LibreOffice runs behind :mod:`engine.documents.guard`, in its own process group, killed on a
timeout, on Ctrl-C and when the run is killed; its work folder (copies of the documents, its
profile, its temporary files) is a hidden folder beside the outputs, never in /tmp.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from engine.common.atomic import atomic_write, work_dir_name
from engine.common.files import read_regular
from engine.common.zipio import ZipLimits, ZipRefusedError, read_zip
from engine.errors import Issue, Location, OutputError, ToolMissingError

MISSING_MESSAGE = (
    "LibreOffice is not installed: apt-get install libreoffice-writer-nogui, or run without --pdf"
)
_MAC_SOFFICE = "/Applications/LibreOffice.app/Contents/MacOS/soffice"
# What differs between two conversions of the same file (LibreOffice 7.4): the clock, the
# document /ID and LibreOffice's own /DocChecksum (both derived from the clock).
_CREATION_DATE = re.compile(rb"/CreationDate\(D:\d{14}[^)]{0,8}\)")
_DOCUMENT_ID = re.compile(rb"/ID \[ ?<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})> ?\]")
_DOC_CHECKSUM = re.compile(rb"/DocChecksum /([0-9A-Fa-f]{32})")
DOCUMENT_LIMITS = ZipLimits(entries=2000, entry_bytes=128 * 2**20, total_bytes=256 * 2**20)
"""What a .docx given to LibreOffice may hold (ours stay far below; a hand-placed bomb not)."""


def find_soffice() -> str | None:
    """The LibreOffice program to call, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return _MAC_SOFFICE if Path(_MAC_SOFFICE).is_file() else None


def document_issue(name: str, data: bytes | None) -> Issue | None:
    """Why ``data`` is not a .docx LibreOffice should be given (None: it is one)."""
    if data is None:
        return Issue(Location(name), "file not found; not converted")
    try:
        entries = read_zip(data, DOCUMENT_LIMITS)
    except ZipRefusedError:
        entries = {}
    if "word/document.xml" not in entries:
        return Issue(Location(name), "is not a valid Word .docx file; not converted")
    return None


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


def _chunks(count: int, workers: int) -> list[range]:
    """``range(count)`` split into at most ``workers`` contiguous, balanced chunks."""
    n = max(1, min(workers, count))
    bounds = [count * i // n for i in range(n + 1)]
    return [range(bounds[i], bounds[i + 1]) for i in range(n) if bounds[i] < bounds[i + 1]]


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
            handle.seek(max(0, path.stat().st_size - 1024))
            tail = handle.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def _start(soffice: str, batch: list[Path], folder: Path, pipe: int) -> subprocess.Popen[bytes]:
    """LibreOffice on ``batch``, behind :mod:`engine.documents.guard` (dies with the run).

    Its profile, its output and its temporary files all stay in ``folder``.
    """
    (folder / "out").mkdir(parents=True)
    (folder / "tmp").mkdir()
    command = [
        soffice, "--headless", "--norestore", "--nolockcheck",
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(folder / "out"),
        *(str(p) for p in batch),
    ]  # fmt: skip
    env = {**os.environ, "TMPDIR": str(folder / "tmp"), "TMP": str(folder / "tmp")}
    with (folder / "log.txt").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "engine.documents.guard", str(pipe), *command],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            pass_fds=(pipe,), start_new_session=True,  # its own group: killed as one
        )


def _run_workers(
    soffice: str, batches: list[list[Path]], work: Path, deadline: float
) -> tuple[list[str], bool]:
    """One LibreOffice call per batch, all at once, each with its own profile and outdir.

    Every process is killed when this returns or raises (a timeout, Ctrl-C); if this
    process is killed instead, the guards see their pipe close and kill LibreOffice.
    Returns the tail of each call's output (for error messages) and whether one timed out.
    """
    procs: list[subprocess.Popen[bytes]] = []
    pipe, keep = os.pipe()  # the guards hold the read end; only this process the write end
    timed_out = False
    try:
        for index, batch in enumerate(batches):
            procs.append(_start(soffice, batch, work / f"worker{index}", pipe))
        os.close(pipe)
        pipe = -1
        for proc in procs:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
                break
    finally:
        for proc in procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for fd in (pipe, keep):
            if fd >= 0:
                os.close(fd)
    tails = []
    for index, proc in enumerate(procs):
        text = (work / f"worker{index}" / "log.txt").read_text("utf-8", "replace")
        state = "timed out" if timed_out and proc.returncode < 0 else f"exit {proc.returncode}"
        tails.append(f"{state}: {text.strip()[-300:]}")
    return tails, timed_out


def convert_documents(
    documents: Sequence[tuple[str, bytes]],
    work_parent: Path,
    *,
    workers: int = 2,
    timeout_s: float = 600,
    created: datetime.date | None = None,
) -> list[bytes]:
    """The PDF of each .docx (a name for messages, its bytes), in the given order.

    LibreOffice works in a hidden folder made in ``work_parent`` (the output folder, never
    /tmp) and removed afterwards; a killed run leaves it for the next run to remove.
    With ``created``, the PDF's creation date becomes that day and its /ID a digest of the
    content, so the same .docx always gives the same PDF bytes (LibreOffice stamps the clock).

    Raises:
        OutputError: an input is not a .docx, or a PDF was not produced in ``timeout_s``
            seconds (no PDF is returned then).
        ToolMissingError: LibreOffice is not installed (checked after the inputs).
    """
    if not documents:
        return []
    bad = [issue for name, data in documents if (issue := document_issue(name, data))]
    if bad:
        raise OutputError.of(bad)
    soffice = find_soffice()
    if soffice is None:
        raise ToolMissingError.at("soffice", MISSING_MESSAGE)
    deadline = time.monotonic() + timeout_s
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
        produced = _convert(soffice, staged, work, workers, deadline, documents)
        return [_stable(produced[i].read_bytes(), created) for i in range(len(staged))]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _convert(soffice: str, staged: list[Path], work: Path, workers: int, deadline: float,
             documents: Sequence[tuple[str, bytes]]) -> dict[int, Path]:
    index_of = {path.stem: i for i, path in enumerate(staged)}
    produced: dict[int, Path] = {}
    logs: list[str] = []
    timed_out = False
    for attempt in range(2):  # one retry for the few a fresh profile may drop
        todo = [i for i in range(len(staged)) if i not in produced]
        if not todo or timed_out:
            break
        n = workers if attempt == 0 else 1
        batches = [[staged[todo[j]] for j in chunk] for chunk in _chunks(len(todo), n)]
        attempt_dir = work / f"attempt{attempt}"
        logs, timed_out = _run_workers(soffice, batches, attempt_dir, deadline)
        for w, batch in enumerate(batches):
            for path in batch:
                pdf = attempt_dir / f"worker{w}" / "out" / (path.stem + ".pdf")
                if _is_pdf(pdf):
                    produced[index_of[path.stem]] = pdf
    missing = [documents[i][0] for i in range(len(staged)) if i not in produced]
    if missing:
        raise OutputError.of(
            (Issue(Location(name), "LibreOffice produced no PDF") for name in missing),
            summary=f"PDF conversion failed, no PDF written (LibreOffice: {'; '.join(logs)})",
        )
    return produced


def convert_to_pdf(
    docx_paths: Sequence[Path],
    out_dir: Path | None,
    *,
    workers: int = 2,
    timeout_s: float = 600,
    created: datetime.date | None = None,
) -> list[Path]:
    """Convert each .docx to a PDF named after it, in ``out_dir`` (None: next to the .docx).

    LibreOffice works in a hidden folder beside the first PDF (see :func:`convert_documents`).
    Returns the PDF paths, in the order of ``docx_paths``.

    Raises:
        OutputError: an input is not a .docx, two inputs would give the same PDF, or a PDF
            was not produced in ``timeout_s`` seconds (nothing is written then).
        ToolMissingError: LibreOffice is not installed (checked after the inputs).
    """
    if not docx_paths:
        return []
    documents = [(str(path), _read_document(path)) for path in docx_paths]
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


def _read_document(path: Path) -> bytes | None:
    try:
        return read_regular(path, DOCUMENT_LIMITS.total_bytes, follow_links=True)
    except FileNotFoundError:
        return None
    except OSError:
        return b""


def _stable(pdf: bytes, created: datetime.date | None) -> bytes:
    """``pdf`` with a fixed creation date, and /ID and /DocChecksum derived from its content.

    Both keep their byte length, so the cross-reference offsets stay valid. The PDF is left
    unchanged when ``created`` is None or the markers are not found exactly once.
    """
    dates = list(_CREATION_DATE.finditer(pdf))
    if created is None or len(dates) != 1 or len(_DOCUMENT_ID.findall(pdf)) != 1:
        return pdf
    old = dates[0]
    stamp = b"/CreationDate(D:" + created.strftime("%Y%m%d").encode() + b"000000Z')"
    if len(stamp) > len(old.group(0)):
        return pdf
    pdf = pdf[: old.start()] + stamp.ljust(len(old.group(0))) + pdf[old.end() :]
    content = _DOC_CHECKSUM.sub(b"", _DOCUMENT_ID.sub(b"", pdf))
    ident = hashlib.md5(content, usedforsecurity=False).hexdigest().upper().encode()

    def same_length(match: re.Match[bytes]) -> bytes:
        out = match.group(0)
        for group in range(1, (match.re.groups or 0) + 1):
            out = out.replace(match.group(group), ident)
        return out

    return _DOC_CHECKSUM.sub(same_length, _DOCUMENT_ID.sub(same_length, pdf))
