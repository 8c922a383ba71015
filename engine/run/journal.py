"""``.manifest.journal``: the lines a run appends before it moves files into place.

One JSON line per client written in a batch: the client id, its manifest record, and per file
the new entry and the digest of the file it replaces. :class:`engine.run.outputs.Writer`
appends (flushed to disk before any rename); :meth:`engine.run.manifest.Manifest.load` replays
what a killed run left, so the next run neither forgets what was written nor mistakes the
files being replaced for hand edits. The format lives here and only here.

The journal is opened without following a link and must be a regular file: a link planted
there would make the run append client records elsewhere (:func:`bookkeeping_error`).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.common.files import UnsafeFileError, read_regular, refusal
from engine.errors import OutputError

JOURNAL = ".manifest.journal"
MAX_BOOKKEEPING_BYTES = 256 * 2**20
"""The largest manifest or journal read (10,000 clients take about 20 MB)."""


@dataclass(frozen=True)
class JournalEntry:
    """One client's line: its record and, per file key, (new entry, digest replaced or None)."""

    client: str
    record: dict[str, Any]
    files: dict[str, tuple[dict[str, Any], str | None]]


def bookkeeping_error(path: Path, exc: OSError) -> OutputError:
    """The refusal of a manifest or journal that is not a plain file (or cannot be read)."""
    if isinstance(exc, UnsafeFileError):
        return OutputError.at(str(path), f"{exc.strerror}; iapme keeps its record of this "
                                         "folder there: move it away")
    return OutputError.at(str(path), f"cannot read or write: {exc.strerror}")


def encode(entry: JournalEntry) -> bytes:
    """The journal line of ``entry`` (UTF-8 JSON and a newline)."""
    files = {key: [new, old] for key, (new, old) in entry.files.items()}
    line = {"client": entry.client, "record": entry.record, "files": files}
    return json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n"


def append(out: Path, entries: Iterable[JournalEntry]) -> None:
    """Append ``entries`` to the journal of ``out`` and flush them to disk.

    Raises:
        OutputError: the journal is a link, a pipe, a folder... or cannot be written.
    """
    lines = b"".join(encode(entry) for entry in entries)
    path = out / JOURNAL
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        raise bookkeeping_error(path, _explained(path, exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise bookkeeping_error(path, refusal(path, info.st_mode))
        view = memoryview(lines)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        raise OutputError.at(str(path), f"cannot write: {exc.strerror}") from None
    finally:
        os.close(fd)


def _explained(path: Path, exc: OSError) -> OSError:
    """An open error on a link or a special file, said as what the path holds."""
    try:
        info = os.lstat(path)
    except OSError:
        return exc
    return exc if stat.S_ISREG(info.st_mode) else refusal(path, info.st_mode)


def replay(out: Path) -> Iterator[JournalEntry] | None:
    """The entries a killed run left in ``out``, or None when there is no journal.

    A line that does not parse (the last one of a killed run may be cut short; a line nested
    deeper than JSON can be read) is skipped.

    Raises:
        OutputError: the journal is a link, a pipe, a folder, too large, or unreadable.
    """
    path = out / JOURNAL
    try:
        lines = read_regular(path, MAX_BOOKKEEPING_BYTES).splitlines()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise bookkeeping_error(path, exc) from None
    return _entries(lines)


def _entries(lines: list[bytes]) -> Iterator[JournalEntry]:
    for line in lines:
        try:
            data = json.loads(line)
            client, record = str(data["client"]), data["record"]
            files = {str(key): (dict(new), old if isinstance(old, str) else None)
                     for key, (new, old) in data["files"].items()}
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            continue
        yield JournalEntry(client, record if isinstance(record, dict) else {}, files)


def remove(out: Path) -> None:
    """Delete the journal of ``out`` (its lines are now in manifest.json)."""
    try:
        (out / JOURNAL).unlink()
    except FileNotFoundError:
        return
