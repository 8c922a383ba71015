"""Content digests (``sha256:<hex>``) of bytes, of a set of files, of a folder tree.

Why:
    The manifest, the rule base, the template set and the PDF writer all fingerprint their
    inputs; one implementation keeps the same bytes giving the same digest everywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

PREFIX = "sha256:"


def sha256(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``.

    >>> sha256(b"")[:15]
    'sha256:e3b0c442'
    """
    return PREFIX + hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    """The ``sha256:`` of ``path``'s bytes, or None when there is no such file."""
    try:
        return sha256(path.read_bytes())
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


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
