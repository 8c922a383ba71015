"""``manifest.json``: what was written, from what; and whether a client is still current.

Per file: its sha256 and the inputs it was made from (profile, rules and templates digests,
as-of date, engine code and library versions). Per client: the profile file name, those inputs,
the profile's own assessment date, its files and its summary row, so that an unchanged client
is skipped without its profile being parsed. A damaged manifest counts as absent (and is
reported); the journal a killed run left (``engine.run.outputs.Writer``) is replayed on load.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from engine.common.atomic import atomic_write
from engine.common.digest import sha256, tree_digest
from engine.common.files import UnsafeFileError, read_regular
from engine.run import journal
from engine.run.journal import MAX_BOOKKEEPING_BYTES, JournalEntry, bookkeeping_error
from engine.run.records import CLIENT_ID as CLIENT_ID  # re-exported: callers of the manifest
from engine.run.records import client_record, disk_sha256, file_entry, file_key
from engine.run.records import plain_name as plain_name

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2
ENGINE_DIR = Path(__file__).resolve().parents[1]
DEPENDENCIES = ("durable-rules", "docxtpl", "python-docx", "jinja2", "lxml", "matplotlib",
                "pillow", "openpyxl", "babel", "pydantic", "pyyaml")


@dataclass
class Manifest:
    """``manifest.json``: per written file its sha256 and inputs; per client what it came from.

    ``clients[id]`` holds ``source`` (profile file name), ``inputs`` (profile, rules and
    templates digests, as-of date, engine version), ``profile_date`` and the ``summary`` row,
    so an unchanged client is skipped without reading its profile.
    """

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    previous: dict[str, set[str]] = field(default_factory=dict)  # replayed from the journal
    warnings: list[str] = field(default_factory=list)
    changed: bool = False  # differs from manifest.json: save it

    @classmethod
    def load(cls, out: Path) -> Manifest:
        """Read the manifest and replay the journal; a damaged manifest counts as absent.

        Records this tool could not have written (odd ids, paths, nested values) are dropped.

        Raises:
            OutputError: manifest.json or the journal is a link, a pipe, a folder, too large
                or unreadable (never followed, never read without end).
        """
        manifest = cls()
        path = out / MANIFEST
        try:
            raw = read_regular(path, MAX_BOOKKEEPING_BYTES)
        except FileNotFoundError:
            raw = None
        except OSError as exc:
            raise bookkeeping_error(path, exc) from None
        try:
            if raw is not None:
                manifest._parse(raw)
        except (ValueError, RecursionError) as exc:
            manifest.files, manifest.clients, manifest.previous = {}, {}, {}
            manifest.changed = True
            reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
            manifest.warnings.append(
                f"{path} is unreadable ({reason}); treated as absent: every client is rebuilt "
                "and existing files that differ are kept as if edited by hand (use --force to "
                "replace them)")
        manifest._replay(out)
        manifest._settle(out)
        return manifest

    def _parse(self, raw: bytes) -> None:
        data = json.loads(raw)
        if not isinstance(data, dict) or not isinstance(data.get("files", {}), dict):
            raise ValueError("not a manifest object")
        for key, entry in data.get("files", {}).items():
            clean = file_entry(entry)
            if clean is None or not file_key(key):
                self.changed = True
                continue
            self.files[key] = clean
            previous = entry.get("previous")
            if isinstance(previous, list):
                self.previous[key] = {p for p in previous if isinstance(p, str)}
        clients = data.get("clients", {})
        for client_id, record in (clients.items() if isinstance(clients, dict) else ()):
            clean = client_record(client_id, record)
            if clean is None:
                self.changed = True
                continue
            self.clients[client_id] = clean

    def _replay(self, out: Path) -> None:
        entries = journal.replay(out)
        if entries is None:
            return
        self.changed = True
        for entry in entries:
            files = {key: (clean, old) for key, (new, old) in entry.files.items()
                     if file_key(key) and (clean := file_entry(new)) is not None}
            record = client_record(entry.client, entry.record) or {}
            self.absorb(JournalEntry(entry.client, record, files), replayed=True)

    def _settle(self, out: Path) -> None:
        """Keep a replaced digest as ours only while the file still holds it.

        Why:
            After a killed run, a file whose rename did happen holds its new bytes: the old
            digest is no longer ours, and an older version restored by hand later must be
            protected like any edit (a clean run would not know it either).
        """
        for key in sorted(self.previous):
            try:
                current = disk_sha256(out, key)
            except OSError:
                current = None
            if current not in self.previous[key]:
                del self.previous[key]
                self.changed = True

    def absorb(self, entry: JournalEntry, *, replayed: bool = False) -> None:
        """Record what a journal line says was written (now, or by a run that was killed).

        A replayed line's files may not have been moved into place: the digests they replaced
        stay known as ours (``previous``) until the files are written again.
        """
        self.changed = True
        for key, (new, old) in entry.files.items():
            if replayed and old is not None:
                self.previous.setdefault(key, set()).add(old)
            elif not replayed:
                self.previous.pop(key, None)  # the file on disk is now this one
            self.files[key] = new
        if entry.record:
            self.clients[entry.client] = entry.record

    def save(self, out: Path) -> None:
        """Write the manifest atomically (then the journal is no longer needed).

        A file a killed run journaled but may not have moved into place keeps the digests it
        may still have under ``previous`` until it is written again.
        """
        files = {key: {**entry, "previous": sorted(self.previous[key])}
                 if self.previous.get(key) else entry for key, entry in self.files.items()}
        data = {"version": MANIFEST_VERSION, "clients": dict(sorted(self.clients.items())),
                "files": dict(sorted(files.items()))}
        text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        atomic_write(out / MANIFEST, text.encode("utf-8"))
        journal.remove(out)

    def recorded(self, key: str) -> str | None:
        sha = self.files.get(key, {}).get("sha256")
        return sha if isinstance(sha, str) else None

    def is_ours(self, key: str, current: str) -> bool:
        """True when ``current`` is bytes this tool wrote (so it may be replaced)."""
        return current == self.recorded(key) or current in self.previous.get(key, ())

    def by_source(self) -> dict[tuple[str, str], str]:
        """(profile file name, profile digest) -> client id, for the clients recorded."""
        index = {}
        for client_id, record in self.clients.items():
            try:
                index[(record["source"], record["inputs"]["profile"])] = client_id
            except (KeyError, TypeError):
                continue
        return index


def edited_files(manifest: Manifest, out: Path, keys: list[str]) -> tuple[list[str], bool]:
    """(files edited by hand, whether any file must be written again).

    A file must be written again when it is missing, when it still holds bytes we wrote
    earlier (a run killed between journaling a file and moving it into place), or when its
    place is obstructed (the writer then reports it). A link or an oversized file in its place
    is not ours: it counts as edited by hand. Nothing is followed or read without end.
    """
    edited, stale = [], False
    for key in keys:
        try:
            current = disk_sha256(out, key)
        except UnsafeFileError as exc:
            if exc.filename == str(out / key) and exc.kind in ("a symbolic link", "large"):
                edited.append(key)
            else:
                stale = True
            continue
        except OSError:
            stale = True
            continue
        if current is None or (current != manifest.recorded(key)
                               and manifest.is_ours(key, current)):
            stale = True
        elif current != manifest.recorded(key):
            edited.append(key)
    return edited, stale


def input_digests(rules: Path, templates: Path) -> dict[str, str]:
    """What every client's files depend on besides its profile and date (cheap: no parsing).

    ``engine`` covers this package's code and the versions of the libraries that shape the
    bytes, so an upgrade rebuilds the clients instead of leaving stale files marked current.
    """
    versions = []
    for name in DEPENDENCIES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} absent")
    engine = tree_digest(ENGINE_DIR, "**/*.py") + ";" + ";".join(versions)
    return {"rules": tree_digest(rules),
            "templates": tree_digest(templates, "*.docx"),
            "engine": sha256(engine.encode())}


def is_current(client_id: str, record: object, digest: str, common: dict[str, str],
               as_of: dt.date | None, today: dt.date) -> bool:
    """True when ``record`` was made from these very inputs, as-of date included.

    ``as_of`` is the ``--as-of`` option; without it the date is the profile's own (recorded,
    since the profile bytes are the same) or today. A record that could not have been written
    by us (odd id, file names with a path, summary values that are not plain) is not trusted.
    """
    if not CLIENT_ID.fullmatch(client_id) or not isinstance(record, dict) or not isinstance(
            record.get("inputs"), dict):
        return False
    inputs, files, row = record["inputs"], record.get("files"), record.get("summary")
    expected = as_of.isoformat() if as_of else (record.get("profile_date") or today.isoformat())
    return (inputs.get("profile") == digest and inputs.get("as_of") == expected
            and all(inputs.get(k) == v for k, v in common.items())
            and isinstance(files, list) and all(plain_name(n) for n in files)
            and isinstance(row, dict) and isinstance(row.get("as_of"), str)
            and all(isinstance(v, str | int | float) for v in row.values()))
