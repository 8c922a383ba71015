"""Stage 8: write clients' files into ``outputs/`` safely (record: :mod:`.manifest`).

* Atomic: every file is written to a hidden ``.part`` file in its folder, flushed to disk, then
  renamed over the old one, so a crash or a kill leaves the old file or the new one, never half
  of one; leftover ``.part`` files are removed by the next run.
* Protected: ``manifest.json`` records each file's sha256 and what it was made from. A file whose
  bytes match neither that record nor the new content was edited by hand (or is not ours): it is
  kept unless ``force``, and reported.
* Journaled: before a batch of files is renamed into place, a line per client is appended to
  ``.manifest.journal``; the next run replays it, so a run killed before saving the manifest
  neither forgets what it wrote nor mistakes the files it was replacing for hand edits.
* Locked: one run at a time per output folder (``flock`` on the folder, released even on
  ``kill -9``).

Why:
    fsync costs about 2 ms per file here; files are flushed in batches of clients (one journal
    fsync per batch), which keeps the guarantee at a fraction of the cost.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.common.atomic import part_file, write_all
from engine.common.digest import file_sha256, sha256
from engine.errors import OutputError
from engine.run import journal
from engine.run.journal import JournalEntry
from engine.run.manifest import Manifest

BATCH_CLIENTS = 32


def clean_partials(folder: Path) -> None:
    """Remove temporary files a killed run may have left (they never replaced a real file)."""
    if folder.is_dir():
        for path in folder.glob("**/.*.part"):
            with contextlib.suppress(OSError):
                path.unlink()


def ensure_out_dir(out: Path) -> None:
    """Create the output folder; refuse a symlink or a folder we cannot write."""
    if out.is_symlink():
        raise OutputError.at(str(out), "the output folder is a symbolic link; give a real folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.at(str(out), f"cannot create the output folder: {exc.strerror}") from None
    if not os.access(out, os.W_OK):
        raise OutputError.at(str(out), "the output folder is read-only")


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock (on the folder itself: no file is created)."""
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputError.at(str(out), "another iapme run is writing to this folder; "
                                           "wait for it to finish") from None
        yield
    finally:
        os.close(fd)


@dataclass
class ClientWrite:
    """What happened to one client's files."""

    client_id: str
    written: list[str] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)


@dataclass
class _Part:
    fd: int  # -1 once closed
    tmp: Path
    path: Path

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)


@dataclass
class _Staged:
    client_id: str
    record: dict[str, Any] | None
    parts: list[_Part]
    entries: dict[str, tuple[dict[str, Any], str | None]]  # key -> (entry, replaced sha)


class Writer:
    """Writes clients' files in batches: stage, flush, journal, rename; updates the manifest."""

    def __init__(self, out: Path, manifest: Manifest, *, force: bool,
                 batch: int = BATCH_CLIENTS) -> None:
        self.out, self.manifest, self.force, self.batch = out, manifest, force, batch
        self._pending: list[_Staged] = []

    def add(self, folder: str, files: dict[str, bytes], inputs: dict[str, str],
            record: dict[str, Any] | None = None) -> ClientWrite:
        """Stage ``files`` under ``out/folder`` ('' for the output folder itself)."""
        target = self.out / folder if folder else self.out
        if folder:
            if target.is_symlink():
                raise OutputError.at(str(target), "the client folder is a symbolic link; "
                                                  "remove it")
            try:
                target.mkdir(exist_ok=True)
            except FileExistsError:
                raise OutputError.at(str(target), "exists but is not a folder; move it "
                                                  "away") from None
            except OSError as exc:
                raise OutputError.at(str(target), f"cannot write: {exc.strerror}") from None
        result = ClientWrite(folder)
        staged = _Staged(folder, record, [], {})
        for name, data in files.items():
            key = f"{folder}/{name}" if folder else name
            path, new = target / name, sha256(data)
            current = file_sha256(path)
            entry = {"sha256": new, "inputs": inputs}
            if current == new:
                staged.entries[key] = (entry, None)
                continue
            if current is not None and not self.force and not self.manifest.is_ours(key, current):
                result.protected.append(key)
                continue
            try:
                part = _Part(*part_file(path), path)
                staged.parts.append(part)
                staged.entries[key] = (entry, current)
                write_all(part.fd, data)
            except OSError as exc:
                self._pending.append(staged)
                self.discard()
                raise OutputError.at(str(path), f"cannot write: {exc.strerror}") from None
            result.written.append(key)
        self._pending.append(staged)
        if len(self._pending) >= self.batch:
            self.flush()
        return result

    def flush(self) -> None:
        """Make the staged files durable, journal them, then move them into place."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        entries = [JournalEntry(s.client_id, s.record or {}, {
            key: (entry, old) for key, (entry, old) in s.entries.items()}) for s in pending]
        try:
            for staged in pending:
                for part in staged.parts:
                    os.fsync(part.fd)
                    part.close()
            journal.append(self.out, entries)
            for staged in pending:
                for part in staged.parts:
                    part.tmp.replace(part.path)
        except OSError as exc:
            self._pending = pending
            self.discard()
            raise OutputError.at(str(self.out), f"cannot write: {exc.strerror}") from None
        for entry in entries:
            self.manifest.absorb(entry)

    def discard(self) -> None:
        """Drop what is staged and not yet flushed (after an error or an interruption)."""
        pending, self._pending = self._pending, []
        for staged in pending:
            for part in staged.parts:
                with contextlib.suppress(OSError):
                    part.close()
                with contextlib.suppress(OSError):
                    part.tmp.unlink()
