"""Atomic file writes: readers see the old file or the new one, never half of one.

Why:
    A crash, a full disk or a kill must never leave a truncated deliverable (SPEC §3). The
    bytes go to a hidden temporary file in the same folder, are flushed to disk, then renamed
    over the target (a rename is atomic within a file system). The temporary file's name is
    exact (``.<name>.<pid>-<n>.part``) so that the next run removes its own leftovers and
    nothing else (:func:`is_part_of`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from collections.abc import Collection
from pathlib import Path

from engine.errors import OutputError

_SERIAL = itertools.count()
_PART = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)-(?P<serial>[0-9]+)\.part")
_WORK = re.compile(r"\.iapme-work-[0-9]+-[0-9]+")


def part_name(name: str) -> str:
    """The temporary name for ``name`` in this process (``.<name>.<pid>-<n>.part``)."""
    return f".{name}.{os.getpid()}-{next(_SERIAL)}.part"


def is_part_of(filename: str, names: Collection[str] | None = None) -> bool:
    """True when ``filename`` is a temporary file this tool makes for one of ``names``
    (None: for any name).

    >>> is_part_of(".a.docx.12-3.part", {"a.docx"}), is_part_of(".notes.part", {"notes"})
    (True, False)
    """
    match = _PART.fullmatch(filename)
    return match is not None and (names is None or match.group("name") in names)


def work_dir_name() -> str:
    """A hidden work folder's name for this process (``.iapme-work-<pid>-<n>``)."""
    return f".iapme-work-{os.getpid()}-{next(_SERIAL)}"


def is_work_dir(name: str) -> bool:
    """True when ``name`` is a work folder this tool makes (:func:`work_dir_name`)."""
    return _WORK.fullmatch(name) is not None


def part_file(path: Path, *, dir_fd: int | None = None) -> tuple[int, Path]:
    """Open a new hidden temporary file beside ``path``; with ``dir_fd``, ``path`` is a name
    in that folder. ``O_EXCL`` never follows a link planted under that name."""
    tmp = path.with_name(part_name(path.name))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW
    return os.open(tmp, flags, 0o644, dir_fd=dir_fd), tmp


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write less)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def atomic_write(path: Path, data: bytes, *, dir_fd: int | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    A link at ``path`` is replaced, never followed. With ``dir_fd``, ``path`` is a name in
    that open folder (which then cannot be swapped for a link meanwhile).

    Raises:
        OutputError: the file cannot be written (full disk, read-only folder...); the old
            file, if any, is left as it was.
    """
    try:
        fd, tmp = part_file(path, dir_fd=dir_fd)
    except OSError as exc:
        raise OutputError.at(str(path), f"cannot write: {exc.strerror}") from None
    try:
        write_all(fd, data)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException as exc:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        if isinstance(exc, OSError):
            raise OutputError.at(str(path), f"cannot write: {exc.strerror}") from None
        raise
