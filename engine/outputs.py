"""Stage 8: write a client's files into ``outputs/`` safely, and keep ``manifest.json``.

Writes are atomic (temporary file in the same folder, fsync, ``os.replace``): a crash or a kill
never leaves a truncated file. The manifest records each file's sha256 and what it was made
from; a deliverable whose bytes no longer match was edited by hand and is not overwritten
without ``force``; a client whose inputs, rules, templates and date did not change is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import OutputError

MANIFEST = "manifest.json"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def clean_partials(folder: Path) -> None:
    """Remove temporary files a killed run may have left (they never replaced a real file)."""
    if not folder.is_dir():
        return
    for path in folder.rglob(".*.part"):
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


@dataclass
class Manifest:
    """``manifest.json``: per written file, its sha256 and the digests it was made from."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path) -> Manifest:
        path = out / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = data.get("files", {}) if isinstance(data, dict) else {}
            return cls(files if isinstance(files, dict) else {})
        except (OSError, ValueError):
            return cls()

    def save(self, out: Path) -> None:
        data = {"version": 1, "files": dict(sorted(self.files.items()))}
        atomic_write(out / MANIFEST, (json.dumps(data, indent=2, ensure_ascii=False) + "\n")
                     .encode("utf-8"))


@dataclass
class ClientWrite:
    """What happened to one client's files."""

    client_id: str
    written: list[str] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)
    unchanged: bool = False


def is_unchanged(manifest: Manifest, out: Path, client_id: str, names: list[str],
                 inputs: dict[str, str]) -> bool:
    """True when every file exists as recorded and was made from the same inputs."""
    for name in names:
        key = f"{client_id}/{name}"
        entry = manifest.files.get(key)
        path = out / client_id / name
        if entry is None or entry.get("inputs") != inputs or not path.is_file():
            return False
        if sha256(path.read_bytes()) != entry.get("sha256"):
            return False
    return True


def write_client(out: Path, client_id: str, files: dict[str, bytes], inputs: dict[str, str],
                 manifest: Manifest, *, force: bool) -> ClientWrite:
    """Write one client's files atomically, sparing hand-edited ones unless ``force``."""
    folder = out / client_id
    if folder.is_symlink():
        raise OutputError.at(str(folder), "the client folder is a symbolic link; remove it")
    folder.mkdir(exist_ok=True)
    result = ClientWrite(client_id)
    for name, data in files.items():
        key = f"{client_id}/{name}"
        path = folder / name
        recorded = manifest.files.get(key, {}).get("sha256")
        if path.exists() and not force:
            current = sha256(path.read_bytes())
            if current != recorded and current != sha256(data):
                result.protected.append(key)
                continue
        atomic_write(path, data)
        manifest.files[key] = {"sha256": sha256(data), "inputs": inputs}
        result.written.append(key)
    return result
