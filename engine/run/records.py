"""What a manifest record may hold, and how the files it names are read back.

A manifest is a file in the user's folder: anything may be in it. A record this tool could
not have written (an odd client id, a path leading elsewhere, nested values) is dropped on
load, so nothing in it can lead a run outside the output folder or make it crash when it
writes the manifest back. The files a record names are read with the checks of
:mod:`engine.common.files`: neither the client folder nor the file may be a link.
"""

from __future__ import annotations

import errno
import re
import stat
from pathlib import Path
from typing import Any

from engine.common.digest import file_sha256
from engine.common.files import lstat_or_none, read_regular, refusal

CLIENT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")  # profile.CLIENT_ID_PATTERN (no pydantic here)


def plain_name(name: object) -> bool:
    """A file name inside a client folder (a damaged manifest must not lead elsewhere)."""
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name \
        and "\\" not in name


def disk_sha256(out: Path, key: str) -> str | None:
    """The digest of the file ``key`` under ``out``, or None when it is missing; neither the
    client folder nor the file may be a link (see :func:`engine.common.digest.file_sha256`).

    Raises:
        UnsafeFileError: a link, a folder, a pipe... in the file's place, or in the folder's.
    """
    folder, _, _ = key.rpartition("/")
    if folder:
        info = lstat_or_none(out / folder)
        if info is None:
            return None
        if not stat.S_ISDIR(info.st_mode):
            raise refusal(out / folder, info.st_mode)
    return file_sha256(out / key)


def disk_bytes(out: Path, key: str, max_bytes: int) -> bytes:
    """The bytes of the file ``key`` under ``out``, with the checks of :func:`disk_sha256`."""
    folder, _, _ = key.rpartition("/")
    info = lstat_or_none(out / folder) if folder else None
    if folder and (info is None or not stat.S_ISDIR(info.st_mode)):
        raise FileNotFoundError(errno.ENOENT, "the client folder is missing", str(out / folder))
    return read_regular(out / key, max_bytes)


def file_key(key: object) -> bool:
    """A manifest file key: ``name`` or ``client-id/name`` (never a path elsewhere)."""
    if not isinstance(key, str):
        return False
    folder, _, name = key.rpartition("/")
    return plain_name(name) and ((folder == "" and "/" not in key)
                                 or CLIENT_ID.fullmatch(folder) is not None)


def _plain_map(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def file_entry(entry: object) -> dict[str, Any] | None:
    """A file entry as this tool writes it (``sha256``, ``inputs``), or None."""
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str) \
            or not _plain_map(entry.get("inputs")):
        return None
    return {"sha256": entry["sha256"], "inputs": dict(entry["inputs"])}


def client_record(client_id: object, record: object) -> dict[str, Any] | None:
    """A client record as this tool writes it (odd ids, paths, nested values: None).

    ``source`` and ``inputs`` are required; ``profile_date``, ``files``, ``summary``,
    ``deadlines`` and ``fired`` are kept when well formed; anything else is dropped.
    """
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id) \
            or not isinstance(record, dict) or not isinstance(record.get("source"), str) \
            or not _plain_map(record.get("inputs")):
        return None
    clean: dict[str, Any] = {"source": record["source"], "inputs": dict(record["inputs"])}
    files, row, date = record.get("files"), record.get("summary"), record.get("profile_date")
    if "profile_date" in record:
        if not (date is None or isinstance(date, str)):
            return None
        clean["profile_date"] = date
    if "files" in record:
        if not (isinstance(files, list) and all(plain_name(n) for n in files)):
            return None
        clean["files"] = list(files)
    if "summary" in record:
        if not (isinstance(row, dict) and all(isinstance(k, str) and isinstance(
                v, str | int | float) for k, v in row.items())):
            return None
        clean["summary"] = dict(row)
    if "fired" in record:
        fired = record["fired"]
        if not (isinstance(fired, list) and all(isinstance(r, str) for r in fired)):
            return None
        clean["fired"] = list(fired)
    if "deadlines" in record:
        if not _deadline_rows(record["deadlines"]):
            return None
        clean["deadlines"] = [list(d) for d in record["deadlines"]]
    return clean


def _deadline_rows(value: object) -> bool:
    """``[[date, reference, text, use cases, in force], ...]`` (see engine.run.summary)."""
    return isinstance(value, list) and all(
        isinstance(d, list) and len(d) == 5 and all(isinstance(v, str) for v in d[:4])
        and d[4] in (0, 1) and not isinstance(d[4], bool) for d in value)
