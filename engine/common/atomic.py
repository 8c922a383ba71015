"""Atomic file writes: readers see the old file or the new one, never half of one.

Why:
    A crash, a full disk or a kill must never leave a truncated deliverable (SPEC §3). The
    bytes go to a hidden temporary file in the same folder, are flushed to disk, then renamed
    over the target (a rename is atomic within a file system).
"""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path

from engine.errors import OutputError

_SERIAL = itertools.count()


def part_file(path: Path) -> tuple[int, Path]:
    """Open a new hidden temporary file beside ``path`` (``.<name>.<pid>-<n>.part``)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{next(_SERIAL)}.part")
    return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), tmp


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write less)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    Raises:
        OutputError: the file cannot be written (full disk, read-only folder...); the old
            file, if any, is left as it was.
    """
    try:
        fd, tmp = part_file(path)
    except OSError as exc:
        raise OutputError.at(str(path), f"cannot write: {exc.strerror}") from None
    try:
        write_all(fd, data)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        tmp.replace(path)
    except BaseException as exc:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise OutputError.at(str(path), f"cannot write: {exc.strerror}") from None
        raise
