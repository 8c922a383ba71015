"""Waiting on something outside the test: a condition polled until it holds, and the
LibreOffice processes a test started (found by their profile folder, never by name alone, so
another run's LibreOffice is never seen nor touched)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path


def wait_for(condition: Callable[[], object], timeout: float = 120, step: float = 0.02) -> None:
    """Poll ``condition`` every ``step`` seconds until it is true.

    Raises:
        AssertionError: still false after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError("timed out")


def libreoffice_processes(folder: Path, program: str | None = None) -> list[int]:
    """The processes whose LibreOffice profile (``-env:UserInstallation``) lies under
    ``folder``; only those running ``program`` (``soffice.bin``) when it is given."""
    marker = f"UserInstallation=file://{folder}/".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if program is not None and Path(argv[0].decode("utf-8", "replace")).name != program:
                continue
            if any(marker in a for a in argv):
                found.append(int(entry.name))
    return found
