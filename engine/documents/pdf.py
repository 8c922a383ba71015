"""Convert rendered .docx files to PDF with LibreOffice, safely and in parallel.

LibreOffice returns 0 even when it lost a PDF (two processes sharing a profile lost half of
them) or converted a garbage input (dependencies.md, "LibreOffice 7.4.7"). So: inputs are checked
first; each worker process gets its own fresh profile and its own folders; every expected PDF
is counted and checked (``%PDF`` header, ``%%EOF`` trailer) before any is moved into place, each
with an atomic rename. Either every PDF is written, or none and an :class:`OutputError`.
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
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from engine.common.atomic import atomic_write
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


def find_soffice() -> str | None:
    """The LibreOffice program to call, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return _MAC_SOFFICE if Path(_MAC_SOFFICE).is_file() else None


def _input_issue(path: Path) -> Issue | None:
    """Why ``path`` is not a .docx LibreOffice should be given, or None when it is one."""
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.testzip() is not None or "word/document.xml" not in archive.namelist():
                return Issue(Location(str(path)), "is not a valid Word .docx file; not converted")
    except FileNotFoundError:
        return Issue(Location(str(path)), "file not found; not converted")
    except (zipfile.BadZipFile, EOFError, OSError):
        return Issue(Location(str(path)), "is not a valid Word .docx file; not converted")
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


def _run_workers(
    soffice: str, batches: list[list[Path]], work: Path, deadline: float
) -> tuple[list[str], bool]:
    """One LibreOffice call per batch, all at once, each with its own profile and outdir.

    Returns the tail of each call's output (for error messages) and whether one timed out.
    """
    procs = []
    for index, batch in enumerate(batches):
        folder = work / f"worker{index}"
        (folder / "out").mkdir(parents=True)
        log = (folder / "log.txt").open("wb")
        command = [
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(folder / "out"),
            *(str(p) for p in batch),
        ]
        with log:
            procs.append(
                subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # soffice forks soffice.bin: kill the group
                )
            )
    timed_out = False
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    tails = []
    for index, proc in enumerate(procs):
        text = (work / f"worker{index}" / "log.txt").read_text("utf-8", "replace")
        state = "timed out" if timed_out and proc.returncode < 0 else f"exit {proc.returncode}"
        tails.append(f"{state}: {text.strip()[-300:]}")
    return tails, timed_out


def convert_to_pdf(
    docx_paths: Sequence[Path],
    out_dir: Path | None,
    *,
    workers: int = 2,
    timeout_s: float = 600,
    created: datetime.date | None = None,
) -> list[Path]:
    """Convert each .docx to a PDF named after it, in ``out_dir`` (None: next to the .docx).

    With ``created``, the PDF's creation date becomes that day and its /ID a digest of the
    content, so the same .docx always gives the same PDF bytes (LibreOffice stamps the clock).
    Returns the PDF paths, in the order of ``docx_paths``.

    Raises:
        OutputError: an input is not a .docx, two inputs would give the same PDF, or a PDF
            was not produced in ``timeout_s`` seconds (nothing is written then).
        ToolMissingError: LibreOffice is not installed (checked after the inputs).
    """
    if not docx_paths:
        return []
    bad = [issue for issue in map(_input_issue, docx_paths) if issue is not None]
    if bad:
        raise OutputError.of(bad)
    targets = _destinations(docx_paths, out_dir)
    soffice = find_soffice()
    if soffice is None:
        raise ToolMissingError.at("soffice", MISSING_MESSAGE)
    deadline = time.monotonic() + timeout_s
    with tempfile.TemporaryDirectory(prefix="iapme-pdf-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        # Copies under unique names: two clients' charte-ia.docx must not meet in one outdir.
        inputs = work / "in"
        inputs.mkdir()
        staged = [inputs / f"doc{i:05d}.docx" for i in range(len(docx_paths))]
        index_of = {path.stem: i for i, path in enumerate(staged)}
        for source, copy in zip(docx_paths, staged, strict=True):
            shutil.copyfile(source, copy)
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
        missing = [docx_paths[i] for i in range(len(staged)) if i not in produced]
        if missing:
            raise OutputError.of(
                (Issue(Location(str(p)), "LibreOffice produced no PDF") for p in missing),
                summary=f"PDF conversion failed, no PDF written (LibreOffice: {'; '.join(logs)})",
            )
        for index, target in enumerate(targets):
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, _stable(produced[index].read_bytes(), created))
    return targets


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
