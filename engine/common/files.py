"""Read files safely: never block on a pipe, never read a device or a huge file, and, in the
folders we write, never follow a link.

Why:
    A path may hold anything: a named pipe would block a reader forever, ``/dev/zero`` never
    ends, a link in the output folder would make us read (or write) elsewhere. The checks run
    on the opened file (``fstat`` of the descriptor), so the file cannot be swapped between
    the check and the read. A refusal is an :class:`UnsafeFileError`, an ``OSError`` whose
    ``strerror`` says in plain words what the path holds, so every caller that turns OS errors
    into located messages handles it already.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnsafeFileError(OSError):
    """A path that is not a regular file (``kind`` says what it is) or is too large."""

    def __init__(self, path: Path | str, kind: str, reason: str) -> None:
        super().__init__(errno.EINVAL, reason, str(path))
        self.kind = kind


def kind_of(mode: int) -> str:
    """What a file mode is, in words: ``a folder``, ``a named pipe``, ``a regular file``..."""
    return next((name for test, name in _KINDS if test(mode)), "a regular file")


def size_text(size: int) -> str:
    """A size for people: ``2.0 MB``; exact bytes where rounding would hide a difference.

    >>> size_text(2_000_000), size_text(512)
    ('2.0 MB', '512 bytes')
    """
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def over_limit(size: int, limit: int) -> str:
    """``the file is X; the limit is Y``, exact in bytes when both round to the same text.

    >>> over_limit(1_000_100, 1_000_000)
    'the file is 1,000,100 bytes; the limit is 1,000,000 bytes (1.0 MB)'
    """
    shown, most = size_text(size), size_text(limit)
    if shown == most:
        return f"the file is {size:,} bytes; the limit is {limit:,} bytes ({most})"
    return f"the file is {shown}; the limit is {most}"


def refusal(path: Path | str, mode: int) -> UnsafeFileError:
    kind = kind_of(mode)
    return UnsafeFileError(path, kind, f"is {kind}, not a regular file")


def open_regular(path: Path | str, max_bytes: int, *, follow_links: bool = False,
                 dir_fd: int | None = None) -> tuple[int, int]:
    """Open ``path`` for reading; return ``(fd, size)``. The caller closes ``fd``.

    Raises:
        FileNotFoundError: nothing there.
        UnsafeFileError: a link (unless ``follow_links``), a folder, a pipe, a device, a socket,
            or a file larger than ``max_bytes``.
        OSError: any other reason it cannot be opened.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):  # link, socket, folder
            try:
                info = os.stat(path, dir_fd=dir_fd, follow_symlinks=follow_links)
            except OSError:
                raise exc from None
            raise refusal(path, info.st_mode) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refusal(path, info.st_mode)
        if info.st_size > max_bytes:
            raise UnsafeFileError(path, "large", over_limit(info.st_size, max_bytes))
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def read_regular(path: Path | str, max_bytes: int, *, follow_links: bool = False,
                 dir_fd: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (see :func:`open_regular`).

    The read stops at ``max_bytes + 1``: a file that grew meanwhile is refused, not read on.
    """
    fd, _ = open_regular(path, max_bytes, follow_links=follow_links, dir_fd=dir_fd)
    try:
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > max_bytes:
        raise UnsafeFileError(path, "large", f"the file is larger than the limit of "
                                             f"{size_text(max_bytes)}")
    return b"".join(chunks)


def lstat_or_none(path: Path | str, *, dir_fd: int | None = None) -> os.stat_result | None:
    """``lstat`` of ``path``, or None when nothing is there."""
    try:
        return os.stat(path, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
