"""Stage 8: write clients' files into ``outputs/`` safely (record: :mod:`.manifest`).

* Atomic: every file is written to a hidden ``.part`` file in its folder, flushed to disk, then
  renamed over the old one, so a crash or a kill leaves the old file or the new one, never half
  of one; the next run removes the ``.part`` files it left (exact names, nothing else).
* Never followed: each client folder is opened once, refusing a link, and every file in it is
  probed, created and renamed through that open folder; nothing in place of a file is followed
  or read without end (a link or an oversized file is someone's: kept; a folder, a pipe or a
  device in a file's place obstructs the client).
* Protected: ``manifest.json`` records each file's sha256 and what it was made from. A file whose
  bytes match neither that record nor the new content was edited by hand (or is not ours): it is
  kept unless ``force``, and reported.
* One client at a time: an obstructed client (its folder is a file or a link, a document's
  place holds a folder or a pipe, its folder is read-only) is reported in
  :attr:`ClientWrite.error` and the others go on; only a full disk stops the batch.
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
import errno
import fcntl
import os
import shutil
import stat
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.common.atomic import is_part_of, is_work_dir, part_file, write_all
from engine.common.digest import file_sha256, sha256
from engine.common.files import UnsafeFileError, lstat_or_none
from engine.errors import ObstructedError, OutputError
from engine.run import journal
from engine.run.journal import JournalEntry
from engine.run.manifest import Manifest
from engine.run.records import CLIENT_ID

BATCH_CLIENTS = 32
FULL_DISK = frozenset({errno.ENOSPC, errno.EDQUOT})  # stops the batch: no client would fit
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FOREIGN = "not ours"  # the digest of a link or an oversized file in a file's place


def clean_partials(out: Path, names: Collection[str] | None = None) -> None:
    """Remove what a killed run may have left, and only that: the temporary files
    ``.<name>.<pid>-<n>.part`` of the ``names`` this tool writes (None: any name), in ``out``
    and its client folders (links are not followed), and its hidden work folders in ``out``."""
    folders = [out]
    with contextlib.suppress(OSError), os.scandir(out) as entries:
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                continue
            if CLIENT_ID.fullmatch(entry.name):  # a client folder
                folders.append(out / entry.name)
            elif is_work_dir(entry.name):  # LibreOffice's, when --pdf was killed
                shutil.rmtree(out / entry.name, ignore_errors=True)
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False) and is_part_of(entry.name, names):
                    with contextlib.suppress(OSError):
                        (folder / entry.name).unlink()


def ensure_out_dir(out: Path) -> None:
    """Create the output folder; refuse a symlink or a folder we cannot write."""
    try:
        info = lstat_or_none(out)
    except OSError as exc:  # a path too long, a parent we may not enter...
        raise OutputError.at(str(out), f"cannot open the output folder: {exc.strerror}") from None
    if info is not None and stat.S_ISLNK(info.st_mode):
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
    try:
        fd = os.open(out, _DIR_FLAGS)
    except OSError as exc:
        raise OutputError.at(str(out), f"cannot open the output folder: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputError.at(str(out), "another iapme run is writing to this folder; "
                                           "wait for it to finish") from None
        yield
    finally:
        os.close(fd)


def open_folder(out: Path, folder: str) -> int:
    """Open (and create) ``out/folder`` ('' for ``out``) without following a link.

    Raises:
        ObstructedError: the folder is a link, a file, or cannot be created or opened.
        OutputError: the disk is full.
    """
    target = out / folder if folder else out
    what = "client folder" if folder else "output folder"
    try:
        if folder:
            with contextlib.suppress(FileExistsError):
                target.mkdir()
        return os.open(target, _DIR_FLAGS)
    except OSError as exc:
        info = lstat_or_none(target)
        if info is not None and stat.S_ISLNK(info.st_mode):
            message = f"the {what} is a symbolic link; remove it"
        elif info is not None and not stat.S_ISDIR(info.st_mode):
            message = "exists but is not a folder; move it away"
        else:
            message = f"cannot write: {exc.strerror}"
        if exc.errno in FULL_DISK:
            raise OutputError.at(str(target), message) from None
        raise ObstructedError.at(str(target), message) from None


@dataclass
class ClientWrite:
    """What happened to one client's files."""

    client_id: str
    written: list[str] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)


@dataclass
class _Part:
    fd: int  # -1 once closed
    tmp: str  # names in the client's folder
    name: str

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)


@dataclass
class _Staged:
    client_id: str
    folder: Path
    dir_fd: int
    record: dict[str, Any] | None
    parts: list[_Part] = field(default_factory=list)
    entries: dict[str, tuple[dict[str, Any], str | None]] = field(default_factory=dict)

    def drop(self, parts: list[_Part] | None = None) -> None:
        """Close and remove ``parts`` (default: all), then the folder when nothing is left."""
        for part in self.parts if parts is None else parts:
            with contextlib.suppress(OSError):
                part.close()
            with contextlib.suppress(OSError):
                os.unlink(part.tmp, dir_fd=self.dir_fd)
        self.close()

    def close(self) -> None:
        fd, self.dir_fd = self.dir_fd, -1
        if fd >= 0:
            os.close(fd)


class Writer:
    """Writes clients' files in batches: stage, flush, journal, rename; updates the manifest.

    ``failures`` collects the clients that could not be written (the batch reports them).
    """

    def __init__(self, out: Path, manifest: Manifest, *, force: bool,
                 batch: int = BATCH_CLIENTS) -> None:
        self.out, self.manifest, self.force, self.batch = out, manifest, force, batch
        self.failures: list[OutputError] = []
        self._pending: list[_Staged] = []

    def add(self, folder: str, files: dict[str, bytes], inputs: dict[str, str],
            record: dict[str, Any] | None = None, *, protect: bool = True) -> ClientWrite:
        """Stage ``files`` under ``out/folder`` ('' for the output folder itself).

        With ``protect=False`` a file that is not ours is replaced all the same (PDFs).

        Raises:
            ObstructedError: this client cannot be written (its folder is a link or a file,
                a folder or a pipe is where a file goes, the folder is read-only...); nothing
                of it is staged, the clients staged before are kept.
            OutputError: the disk is full (nothing more can be written for any client).
        """
        result = ClientWrite(folder)
        staged = _Staged(folder, self.out / folder if folder else self.out,
                         open_folder(self.out, folder), record)
        path = staged.folder
        try:
            for name, data in files.items():
                key, path = f"{folder}/{name}" if folder else name, staged.folder / name
                new, current = sha256(data), self._current(staged, name)
                entry = {"sha256": new, "inputs": inputs}
                if current == new:
                    staged.entries[key] = (entry, None)
                    continue
                if current is not None and protect and not self.force \
                        and not self.manifest.is_ours(key, current):
                    result.protected.append(key)
                    continue
                fd, tmp = part_file(Path(name), dir_fd=staged.dir_fd)
                part = _Part(fd, str(tmp), name)
                staged.parts.append(part)
                staged.entries[key] = (entry, None if current == _FOREIGN else current)
                write_all(part.fd, data)
                result.written.append(key)
        except OSError as exc:
            staged.drop()
            message = str(exc.strerror) if isinstance(exc, UnsafeFileError) else \
                f"cannot write: {exc.strerror}"
            if exc.errno in FULL_DISK:
                self.discard()
                raise OutputError.at(str(path), message) from None
            raise ObstructedError.at(str(path), message) from None
        except BaseException:
            staged.drop()
            raise
        self._pending.append(staged)
        if len(self._pending) >= self.batch:
            self.flush()
        return result

    @staticmethod
    def _current(staged: _Staged, name: str) -> str | None:
        """The digest of what ``name`` holds now; a link or an oversized file is not ours.

        Raises:
            UnsafeFileError: a folder, a pipe, a device or a socket is where the file goes.
        """
        try:
            return file_sha256(name, dir_fd=staged.dir_fd)
        except UnsafeFileError as exc:
            if exc.kind in ("a symbolic link", "large"):
                return _FOREIGN
            raise UnsafeFileError(staged.folder / name, exc.kind,
                             f"is {exc.kind} where iapme writes {name}; move it away") from None

    def flush(self) -> None:
        """Make the staged files durable, journal them, then move them into place.

        Raises:
            OutputError: they cannot be made durable or journaled (nothing is moved then).
        """
        pending, self._pending = self._pending, []
        if not pending:
            return
        entries = [JournalEntry(s.client_id, s.record or {}, dict(s.entries)) for s in pending]
        try:
            for staged in pending:
                for part in staged.parts:
                    os.fsync(part.fd)
                    part.close()
            journal.append(self.out, entries)
        except (OSError, OutputError) as exc:
            for staged in pending:
                staged.drop()
            if isinstance(exc, OutputError):
                raise
            raise OutputError.at(str(self.out), f"cannot write: {exc.strerror}") from None
        for staged, entry in zip(pending, entries, strict=True):
            self._move(staged, entry)

    def _move(self, staged: _Staged, entry: JournalEntry) -> None:
        """Rename a client's files into place; one that fails is reported, not fatal."""
        try:
            for index, part in enumerate(staged.parts):
                try:
                    os.replace(part.tmp, part.name, src_dir_fd=staged.dir_fd,
                               dst_dir_fd=staged.dir_fd)
                except OSError as exc:
                    staged.drop(staged.parts[index:])
                    self.failures.append(OutputError.at(
                        str(staged.folder / part.name), f"cannot write: {exc.strerror}"))
                    left = {p.name for p in staged.parts[index:]}
                    self.manifest.absorb(JournalEntry(entry.client, {}, {
                        k: v for k, v in entry.files.items() if k.rpartition("/")[2] not in left}))
                    return
        finally:
            staged.close()
        self.manifest.absorb(entry)

    def discard(self) -> None:
        """Drop what is staged and not yet flushed (after an error or an interruption)."""
        pending, self._pending = self._pending, []
        for staged in pending:
            staged.drop()
