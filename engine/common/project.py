"""Where the rules (with the vendor register) and the templates come from.

In order: ``--rules DIR`` / ``--templates DIR``; else the project file ``iapme.toml`` in the
current folder (paths relative to it); else ``rules/`` and ``doc_templates/`` of the current
folder when they exist; else the copies shipped with iapme (package data of the installed
package, or the checkout's folders in an editable install). So ``iapme run`` works from any
folder after installing, and a firm keeps its own folders and names them once::

    # iapme.toml
    rules = "referentiel/rules"        # the firm's rule base (its vendor register inside)
    templates = "modeles-cabinet"      # the firm's branded templates

Every folder chosen must exist: a wrong path is a located error, never a silent fallback.
"""

from __future__ import annotations

import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

from engine.common.text import shown
from engine.common.validation import unknown_key
from engine.errors import RuleError, TemplateError, UserError

PROJECT_FILE = "iapme.toml"
MAX_PROJECT_BYTES = 64_000
KEYS = ("rules", "templates")
_PACKAGE = Path(__file__).resolve().parents[1]  # engine/
_SHIPPED = {"rules": ("shipped_rules", "rules"), "templates": ("shipped_templates",
                                                               "doc_templates")}


@dataclass(frozen=True)
class Folders:
    """The rule folder and the template folder a command works with."""

    rules: Path
    templates: Path


def shipped(kind: str) -> Path | None:
    """The folder of ``kind`` ('rules' or 'templates') shipped with iapme, if any.

    An installed wheel holds it as package data (``engine/shipped_rules``); an editable
    install finds it in the checkout beside ``engine/``.
    """
    packaged, checkout = _SHIPPED[kind]
    for candidate in (_PACKAGE / packaged, _PACKAGE.parent / checkout):
        if candidate.is_dir():
            return candidate
    return None


def folder_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a folder ('not found', 'is a file'...), or None."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "not found"
    except OSError as exc:
        return f"cannot be opened: {exc.strerror}"
    return None if stat.S_ISDIR(info.st_mode) else "is not a folder"


def resolve_folders(cwd: Path, rules: Path | None = None, templates: Path | None = None
                    ) -> Folders:
    """Both folders a command uses (see :func:`resolve`)."""
    return Folders(resolve("rules", cwd, rules), resolve("templates", cwd, templates))


def resolve(kind: str, cwd: Path, option: Path | None = None) -> Path:
    """The ``kind`` ('rules' or 'templates') folder: ``option``, else the project file's,
    else the current folder's, else the shipped one (see the module docstring).

    Raises:
        UserError: ``iapme.toml`` is invalid (file, line, key); RuleError / TemplateError:
            the folder chosen cannot be read.
    """
    local = cwd / _SHIPPED[kind][1]
    path = option or load_project(cwd).get(kind) or (local if local.is_dir() else shipped(kind))
    error_cls = RuleError if kind == "rules" else TemplateError
    if path is None:
        raise error_cls.at(str(local), f"no {kind} folder: give --{kind} DIR, or name it in "
                                       f"{PROJECT_FILE} (this installation of iapme has no "
                                       f"shipped {kind})")
    problem = folder_problem(path)
    if problem is not None:
        what = "rules folder" if kind == "rules" else "template folder"
        raise error_cls.at(str(path), f"{what} {problem}")
    return path


def load_project(cwd: Path) -> dict[str, Path]:
    """The folders ``cwd/iapme.toml`` names (absent file: none), relative to its folder."""
    path = cwd / PROJECT_FILE
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PROJECT_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UserError.at(str(path), f"cannot read the project file: {exc.strerror}") from None
    if len(raw) > MAX_PROJECT_BYTES:
        raise UserError.at(str(path), f"the project file is larger than {MAX_PROJECT_BYTES:,} "
                                      "bytes; it only names folders")
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise UserError.at(str(path), "not valid UTF-8; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r" \(at line ([0-9]+), column ([0-9]+)\)$", str(exc))
        line, column = (int(where.group(1)), int(where.group(2))) if where else (None, None)
        reason = str(exc)[: where.start()] if where else str(exc)
        raise UserError.at(str(path), f"invalid TOML: {reason}", line=line,
                           column=column) from None
    folders: dict[str, Path] = {}
    for key, value in data.items():
        line = _line_of(text, key)
        if key not in KEYS:
            raise UserError.at(str(path), unknown_key(key, KEYS, listed=True), line=line,
                               key_path=shown(key))
        if not isinstance(value, str) or not value.strip():
            raise UserError.at(str(path), "expected a folder path between quotes, e.g. "
                                          f'{key} = "my-{key}"', line=line, key_path=key)
        folders[key] = path.parent / value
    return folders


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.split("=", 1)[0].strip().strip('"') == key:
            return number
    return None
