"""The PDFs through one ``soffice --convert-to`` call per worker (iapme before issue 18).

Used when no Python with LibreOffice's ``uno`` module is found, and as the benchmark's
baseline. Each call gets its own fresh profile and folders (two calls sharing a profile lost
half of their PDFs); every expected PDF is counted and checked; the missing ones get one retry.
LibreOffice runs behind :mod:`engine.documents.guard`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from engine.documents.pdf.checks import is_pdf


def _chunks(count: int, workers: int) -> list[range]:
    """``range(count)`` split into at most ``workers`` contiguous, balanced chunks."""
    n = max(1, min(workers, count))
    bounds = [count * i // n for i in range(n + 1)]
    return [range(bounds[i], bounds[i + 1]) for i in range(n) if bounds[i] < bounds[i + 1]]


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


def convert_oneshot(soffice: str, staged: list[Path], work: Path, workers: int,
                    timeout_s: float) -> tuple[dict[int, Path], list[str]]:
    """The PDF of each staged .docx that was produced within ``timeout_s`` in all, by index;
    and the tail of LibreOffice's output of the last attempt."""
    deadline = time.monotonic() + timeout_s
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
                if is_pdf(pdf):
                    produced[index_of[path.stem]] = pdf
    return produced, logs
