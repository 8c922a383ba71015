"""A persistent LibreOffice per worker, fed documents through its UNO API (issue 18).

Starting LibreOffice costs far more than converting a document with it, so each worker's
LibreOffice is started once (:mod:`engine.documents.pdf.bridge`, run by a Python that has
LibreOffice's ``uno`` module) and handed batches of documents. It is replaced when it dies,
when one document takes longer than the timeout (then killed), and after ``budget``
conversions (LibreOffice's memory only grows). A document whose conversion failed or killed
its LibreOffice is tried once more on a fresh one; every PDF is checked before it is used.

Each LibreOffice runs behind :mod:`engine.documents.guard` in its own process group, with its
profile, its temporary files and the copies of the documents in the hidden work folder:
:meth:`PdfPool.close` (also on Ctrl-C) kills them all, and a killed run's guards kill them too.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from engine.common.atomic import work_dir_name
from engine.documents.pdf.checks import is_pdf, stable
from engine.errors import Issue, Location, OutputError

BATCH = 4
"""Documents sent to a LibreOffice in one request (it answers each as soon as it is done)."""
BUDGET = 200
"""Conversions after which a LibreOffice is replaced by a fresh one."""
START_S = 120.0
"""How long a LibreOffice may take to start and accept connections."""
ATTEMPTS = 2
START_FAILURES = 3
"""LibreOffice failing to start this many times in a row stops the conversion."""
_BRIDGE = Path(__file__).with_name("bridge.py")


@dataclass
class _Office:
    """One LibreOffice behind its guard and bridge, and what it was asked to do."""

    proc: subprocess.Popen[bytes]
    folder: Path
    log: IO[bytes]
    pipe: str
    since: float = field(default_factory=time.monotonic)
    ready: bool = False
    buffer: bytes = b""
    outstanding: deque[int] = field(default_factory=deque)
    converted: int = 0

    @property
    def fd(self) -> int:
        assert self.proc.stdout is not None
        return self.proc.stdout.fileno()

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()
        # The socket LibreOffice listened on (it makes it in /tmp, whatever TMPDIR says, and
        # cannot remove it when killed); its name is this office's own.
        with contextlib.suppress(OSError, AttributeError):
            (Path("/tmp") / f"OSL_PIPE_{os.getuid()}_{self.pipe}").unlink(  # noqa: S108
                missing_ok=True)  # LibreOffice's fixed place, not a temporary file of ours

    def tail(self) -> str:
        text = (self.folder / "log.txt").read_text("utf-8", "replace").strip()
        return text[-300:] or f"exit {self.proc.returncode}"


class PdfPool:
    """Up to ``workers`` LibreOffice processes, started when first needed, for many calls
    of :meth:`convert`; use as a context manager (everything is killed and removed on exit).
    """

    def __init__(self, soffice: str, python: str, work_parent: Path, *, workers: int = 2,
                 timeout_s: float = 300, budget: int = BUDGET) -> None:
        self.soffice, self.python = soffice, python
        self.work = work_parent / work_dir_name()
        self.workers, self.timeout_s, self.budget = max(1, workers), timeout_s, max(1, budget)
        self.offices: list[_Office] = []
        self.started = 0
        self.start_failures = 0
        self._serial = 0
        self._read = self._write = -1
        self.logs: list[str] = []

    def __enter__(self) -> PdfPool:
        try:
            (self.work / "in").mkdir(parents=True)
        except OSError as exc:
            shutil.rmtree(self.work, ignore_errors=True)
            raise OutputError.at(str(self.work), f"cannot write: {exc.strerror}") from None
        # The guards hold the read end; only this process holds the write end: when it ends,
        # however it ends, the guards see end of file and kill their LibreOffice.
        self._read, self._write = os.pipe()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Kill every LibreOffice and remove the work folder."""
        while self.offices:
            self.offices.pop().kill()
        for fd in (self._read, self._write):
            if fd >= 0:
                os.close(fd)
        self._read = self._write = -1
        shutil.rmtree(self.work, ignore_errors=True)

    def convert(self, documents: Sequence[tuple[str, bytes]],
                created: datetime.date | None = None) -> list[bytes]:
        """The PDF of each (name for messages, .docx bytes), in order; all of them or an
        :class:`OutputError` naming the documents that got none."""
        try:
            staged = []
            for _, data in documents:
                self._serial += 1
                path = self.work / "in" / f"d{self._serial:07d}.docx"
                path.write_bytes(data)
                staged.append(path)
        except OSError as exc:
            raise OutputError.at(str(self.work), f"cannot write: {exc.strerror}") from None
        try:
            produced, failed = self._run(staged)
            if failed:
                raise OutputError.of(
                    (Issue(Location(documents[i][0]), f"LibreOffice produced no PDF ({why})")
                     for i, why in sorted(failed.items())),
                    summary="PDF conversion failed, no PDF written (LibreOffice: "
                            f"{'; '.join(self.logs[-2:]) or 'no output'})")
            return [stable(produced[i].read_bytes(), created) for i in range(len(staged))]
        finally:
            for path in staged:
                path.unlink(missing_ok=True)
                path.with_suffix(".pdf").unlink(missing_ok=True)

    def _run(self, staged: list[Path]) -> tuple[dict[int, Path], dict[int, str]]:
        pending = deque(range(len(staged)))
        tries = [0] * len(staged)
        produced: dict[int, Path] = {}
        failed: dict[int, str] = {}

        def charge(index: int, why: str) -> None:
            tries[index] += 1
            if tries[index] >= ATTEMPTS:
                failed[index] = why
            else:
                pending.appendleft(index)

        def lost(office: _Office, why: str) -> None:
            """``office`` died or was killed: its first document is charged, the others
            go back to the queue; it will be replaced."""
            office.kill()
            self.offices.remove(office)
            self.logs.append(f"{why}: {office.tail()}")
            shutil.rmtree(office.folder, ignore_errors=True)
            if not office.ready:
                self.start_failures += 1
            if office.outstanding:
                first = office.outstanding.popleft()
                pending.extendleft(reversed(office.outstanding))
                charge(first, why)

        while len(produced) + len(failed) < len(staged):
            if self.start_failures >= START_FAILURES:
                for index in pending:
                    failed[index] = "LibreOffice could not be started"
                pending.clear()
                break
            busy = sum(len(o.outstanding) for o in self.offices)
            while len(self.offices) < min(self.workers, len(pending) + busy):
                self._start()
            now = time.monotonic()
            for office in list(self.offices):
                if office.ready and not office.outstanding and pending:
                    if office.converted >= self.budget:
                        lost(office, "replaced after its conversion budget")
                        continue
                    room = min(BATCH, len(pending), self.budget - office.converted)
                    batch = [pending.popleft() for _ in range(room)]
                    office.outstanding.extend(batch)
                    office.since = now
                    line = json.dumps([[str(staged[i]), str(staged[i].with_suffix(".pdf"))]
                                       for i in batch]) + "\n"
                    try:
                        assert office.proc.stdin is not None
                        office.proc.stdin.write(line.encode())
                        office.proc.stdin.flush()
                    except OSError:
                        lost(office, "died")
            waiting = [o for o in self.offices if o.outstanding or not o.ready]
            if not waiting:
                continue
            limits = [o.since + (self.timeout_s if o.ready else START_S) for o in waiting]
            ready, _, _ = select.select([o.fd for o in waiting], [], [],
                                        max(0.0, min(limits) - time.monotonic()))
            for office in waiting:
                if office.fd in ready:
                    data = os.read(office.fd, 65536)
                    if not data:
                        lost(office, "died")
                        continue
                    office.buffer += data
                    *lines, office.buffer = office.buffer.split(b"\n")
                    for reply in lines:
                        self._reply(office, reply, staged, produced, charge)
                elif time.monotonic() > office.since + (
                        self.timeout_s if office.ready else START_S):
                    lost(office, "timed out")
        return produced, failed

    def _reply(self, office: _Office, line: bytes, staged: list[Path],
               produced: dict[int, Path], charge: Callable[[int, str], None]) -> None:
        office.since = time.monotonic()
        if line.strip() == b"ready":
            office.ready = True
            self.start_failures = 0
            return
        try:
            answer = json.loads(line)
        except ValueError:
            return  # not the bridge's (nothing else should write there)
        if not isinstance(answer, dict) or not office.outstanding:
            return
        index = office.outstanding.popleft()
        pdf = staged[index].with_suffix(".pdf")
        if "ok" in answer and is_pdf(pdf):
            produced[index] = pdf
            office.converted += 1
        else:
            charge(index, str(answer.get("error", "not a PDF"))[:200])

    def _start(self) -> None:
        self.started += 1
        folder = self.work / f"office{self.started}"
        (folder / "tmp").mkdir(parents=True)
        pipe_name = f"iapme-{os.getpid()}-{self.started}-{os.urandom(4).hex()}"
        env = {**os.environ, "TMPDIR": str(folder / "tmp"), "TMP": str(folder / "tmp")}
        log = (folder / "log.txt").open("wb")
        command = [sys.executable, "-m", "engine.documents.guard", str(self._read),
                   self.python, "-I", str(_BRIDGE), self.soffice, (folder / "profile").as_uri(),
                   pipe_name]
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=log, env=env, pass_fds=(self._read,),
                                start_new_session=True)  # its own group: killed as one
        self.offices.append(_Office(proc, folder, log, pipe_name))
