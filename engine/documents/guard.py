"""Run a program so that it dies with the run that started it, even by ``kill -9``.

``python -m engine.documents.guard FD PROGRAM [ARG...]``: the run starts this guard in a new
session (its own process group), handing it the read end ``FD`` of a pipe whose write end only
the run holds. The guard starts the program in its own group and waits for whichever comes
first: the program ends (the guard exits with its code), or the pipe reports end of file (the
run has ended, however it ended), and then the guard kills its whole group, the program and
every process it forked (LibreOffice's ``oosplash`` and ``soffice.bin``), itself included.

Why:
    LibreOffice runs in its own group so a timeout can kill all of it without killing the run;
    but then neither Ctrl-C nor ``kill -9`` of the run's group reaches it, and an orphaned
    LibreOffice would keep converting copies of clients' documents. ``PR_SET_PDEATHSIG`` does
    not help: it reaches only the direct child, not the processes LibreOffice forks.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Sequence

POLL_S = 0.2  # where pidfd_open is missing (not Linux): how often the program is checked


def guard(pipe_fd: int, command: Sequence[str]) -> int:
    """Run ``command``; kill the process group as soon as ``pipe_fd`` reports end of file."""
    program = subprocess.Popen(command)  # its stdin and stdout: the guard's
    pidfd = -1
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(program.pid)
        except OSError:
            pidfd = -1
    watched = [pipe_fd] + ([pidfd] if pidfd >= 0 else [])
    while program.poll() is None:
        ready, _, _ = select.select(watched, [], [], None if pidfd >= 0 else POLL_S)
        if pipe_fd in ready and not os.read(pipe_fd, 1):  # the run is gone
            os.killpg(0, signal.SIGKILL)
    code = program.returncode
    return code if code >= 0 else 128 - code


def main(argv: Sequence[str]) -> int:
    if len(argv) < 3 or not argv[1].isdigit():
        print("usage: python -m engine.documents.guard FD PROGRAM [ARG...]", file=sys.stderr)
        return 2
    return guard(int(argv[1]), argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
