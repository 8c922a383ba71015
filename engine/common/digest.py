"""Content digests (``sha256:<hex>``) of bytes, of a set of files, of a folder tree.

Why:
    The manifest, the rule base, the template set and the PDF writer all fingerprint their
    inputs; one implementation keeps the same bytes giving the same digest everywhere.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from engine.common.files import UnsafeFileError, open_regular

PREFIX = "sha256:"
MAX_FILE_BYTES = 256 * 2**20
"""The largest existing file :func:`file_sha256` reads (none of ours comes near)."""


def sha256(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``.

    >>> sha256(b"")[:15]
    'sha256:e3b0c442'
    """
    return PREFIX + hashlib.sha256(data).hexdigest()


def file_sha256(path: Path | str, *, dir_fd: int | None = None,
                max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """The ``sha256:`` of the regular file ``path`` (a link is not followed), or None when
    nothing is there. Read in chunks: the memory stays flat.

    Raises:
        UnsafeFileError: ``path`` is a link, a folder, a pipe, a device or larger than
            ``max_bytes`` (:mod:`engine.common.files`).
        OSError: it cannot be read.
    """
    try:
        fd, _ = open_regular(path, max_bytes, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    sha = hashlib.sha256()
    try:
        total = 0
        while chunk := os.read(fd, 1 << 20):
            total += len(chunk)
            if total > max_bytes:
                break
            sha.update(chunk)
    finally:
        os.close(fd)
    if total > max_bytes:
        raise UnsafeFileError(path, "large", "the file is larger than the limit")
    return PREFIX + sha.hexdigest()


def short(digest: str, length: int = 12) -> str:
    """The first ``length`` hex digits of a ``sha256:`` digest.

    >>> short("sha256:0123456789abcdef", 4)
    '0123'
    """
    return digest.removeprefix(PREFIX)[:length]


def digest_files(files: Iterable[Path], root: Path) -> str:
    """``sha256:`` over the names (relative to ``root``) and bytes of ``files``, sorted."""
    sha = hashlib.sha256()
    for path in sorted(files):
        sha.update(path.relative_to(root).as_posix().encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")
    return PREFIX + sha.hexdigest()


def tree_digest(root: Path, pattern: str = "**/*") -> str:
    """``sha256:`` over the visible files under ``root`` matching ``pattern`` (names, bytes).

    Hidden files and folders (a name starting with ``.``) are left out: editors' backups and
    lock files must not make a tree look changed.
    """
    files = [path for path in root.glob(pattern)
             if path.is_file() and not any(part.startswith(".")
                                           for part in path.relative_to(root).parts)]
    return digest_files(files, root)
