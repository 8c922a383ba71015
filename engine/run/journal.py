"""``.manifest.journal``: the lines a run appends before it moves files into place.

One JSON line per client written in a batch: the client id, its manifest record, and per file
the new entry and the digest of the file it replaces. :class:`engine.run.outputs.Writer`
appends (flushed to disk before any rename); :meth:`engine.run.manifest.Manifest.load` replays
what a killed run left, so the next run neither forgets what was written nor mistakes the
files being replaced for hand edits. The format lives here and only here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JOURNAL = ".manifest.journal"


@dataclass(frozen=True)
class JournalEntry:
    """One client's line: its record and, per file key, (new entry, digest replaced or None)."""

    client: str
    record: dict[str, Any]
    files: dict[str, tuple[dict[str, Any], str | None]]


def encode(entry: JournalEntry) -> bytes:
    """The journal line of ``entry`` (UTF-8 JSON and a newline)."""
    files = {key: [new, old] for key, (new, old) in entry.files.items()}
    line = {"client": entry.client, "record": entry.record, "files": files}
    return json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n"


def append(out: Path, entries: Iterable[JournalEntry]) -> None:
    """Append ``entries`` to the journal of ``out`` and flush them to disk."""
    lines = b"".join(encode(entry) for entry in entries)
    with open(out / JOURNAL, "ab") as journal:  # noqa: PTH123 (fsync needs the file object)
        journal.write(lines)
        journal.flush()
        os.fsync(journal.fileno())


def replay(out: Path) -> Iterator[JournalEntry] | None:
    """The entries a killed run left in ``out``, or None when there is no journal.

    A line that does not parse (the last one of a killed run may be cut short) is skipped.
    """
    try:
        lines = (out / JOURNAL).read_bytes().splitlines()
    except OSError:
        return None
    return _entries(lines)


def _entries(lines: list[bytes]) -> Iterator[JournalEntry]:
    for line in lines:
        try:
            data = json.loads(line)
            client, record = str(data["client"]), data["record"]
            files = {str(key): (dict(new), old if isinstance(old, str) else None)
                     for key, (new, old) in data["files"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        yield JournalEntry(client, record if isinstance(record, dict) else {}, files)


def remove(out: Path) -> None:
    """Delete the journal of ``out`` (its lines are now in manifest.json)."""
    try:
        (out / JOURNAL).unlink()
    except FileNotFoundError:
        return
