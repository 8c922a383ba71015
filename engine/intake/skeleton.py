"""``iapme init``: a new profile skeleton, every key present or commented with its French label
and allowed values, line 1 the JSON-Schema modeline of yaml-language-server.

A key written empty is unanswered (the assessment lists it "to complete" and the questionnaire
asks it); a block whose keys cannot all be empty (the director needs a name, a vendor an id) is
written empty with its keys commented below it, ready to uncomment. The skeleton validates.
"""

from __future__ import annotations

import contextlib
import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

from engine.common.atomic import part_file, write_all
from engine.errors import InternalError, OutputError, ProfileError
from engine.intake.keys import Key, children
from engine.intake.words import ProfileWords
from engine.profile.validate import profile_from_doc
from engine.profile.yamlio import load_yaml_text

WIDTH = 100
COMMENT_COLUMN = 36
LONG_LIST = 6  # more values than this: listed one a line above the key
MODELINE = "# yaml-language-server: $schema="


@dataclass(frozen=True)
class Start:
    """What the consultant knows when starting a client."""

    client_id: str
    name: str
    sector: str = "other"


def default_name(client_id: str) -> str:
    """A company name from its id, to be corrected: ``plomberie-martin`` -> ``Plomberie Martin``.

    >>> default_name("plomberie-martin")
    'Plomberie Martin'
    """
    return " ".join(part.capitalize() for part in client_id.split("-") if part)


class _Skeleton:
    def __init__(self, words: ProfileWords, start: Start) -> None:
        self.words = words
        self.texts = words.texts
        self.start = start
        self.lines: list[str] = []

    def comment(self, indent: int, text: str) -> None:
        for line in textwrap.wrap(text, WIDTH - indent - 2, break_on_hyphens=False):
            self.lines.append(f"{' ' * indent}# {line}")

    def choices(self, key: Key) -> str:
        """``au choix : a (A), b (B)`` for a key with closed values, else ""."""
        if key.kind in ("champion", "date"):
            return self.texts.text("profile.skeleton.name_or_false" if key.kind == "champion"
                                   else "profile.skeleton.date")
        if key.kind not in ("choice", "multi", "bool"):
            return ""
        if key.vocabulary is None:  # true | false (| unknown): the codes say it
            return " | ".join(_code(v) for v in key.values)
        values = ", ".join(
            f"{_code(v)} ({self.words.value(key, v)})"
            for v in key.values)
        word = self.texts.text("profile.skeleton.list_of" if key.kind == "multi"
                               else "profile.skeleton.one_of")
        return f"{word} {values}"

    def line(self, indent: int, key: Key, value: str, *, dash: bool = False,
             commented: bool = False, note: str = "") -> None:
        lead = " " * indent + ("# " if commented else "") + ("- " if dash else "")
        text = f"{lead}{key.name}:" + (f" {value}" if value else "")
        label = self.words.label(key) + (f" ({note})" if note else "")
        if len(key.values) > LONG_LIST:  # one value a line, to be read down
            word = "list_of" if key.kind == "multi" else "one_of"
            self.comment(indent, f"{label} ; {self.texts.text('profile.skeleton.' + word)}")
            for v in key.values:
                self.lines.append(f"{' ' * indent}#   {_code(v)} : {self.words.value(key, v)}")
            self.lines.append(text)
            return
        choices = self.choices(key)
        inline = f"{label} ; {choices}" if choices else label
        if len(text.ljust(COMMENT_COLUMN)) + 2 + len(inline) > WIDTH and choices:
            self.comment(indent, inline)
            self.lines.append(text)
            return
        self.lines.append(f"{text.ljust(COMMENT_COLUMN)} # {inline}")

    def value(self, key: Key, *, commented: bool) -> tuple[str, str]:
        """The value written for ``key`` and a note: the start facts, a required
        placeholder, the default, or nothing (unanswered)."""
        replace = self.texts.text("profile.skeleton.replace")
        given = {"client.id": self.start.client_id, "client.name": self.start.name,
                 "client.sector": self.start.sector}
        if key.path in given:
            return _scalar(given[key.path]), ""
        placeholders = {"client.employees": "0", "use_cases.id": "cas-1",
                        "use_cases.title": _scalar(self.texts.text(
                            "profile.skeleton.use_case_title")),
                        "use_cases.function": "other", "use_cases.stage": "idea",
                        "vendors.id": "editeur", "use_cases.system.ai_system": "true",
                        "use_cases.pilot.weeks.week": "1"}
        if key.path in placeholders:
            keep = key.path.endswith(("ai_system", "week"))
            return placeholders[key.path], "" if keep else replace
        if key.required and key.kind == "text":
            return '""', ""
        if key.required:
            return "0", ""
        return "", ""

    def block(self, section: str, indent: int, *, commented: bool = False) -> None:
        for i, key in enumerate(children(section)):
            dash = section in ("vendors", "use_cases", "use_cases.pilot.weeks") and i == 0
            here = indent - 2 if dash else indent
            if key.kind == "section" and _can_be_empty(key):
                self.line(here, key, "", dash=dash, commented=commented)
                self.block(key.path, indent + 2, commented=commented)
            elif key.kind in ("section", "sections"):
                self.line(here, key, "[]" if key.kind == "sections" and not commented else "",
                          dash=dash, commented=commented)
                if not commented:
                    self.comment(indent + 2, self.texts.text("profile.skeleton.block"))
                self.block(key.path, indent + (4 if key.kind == "sections" else 2),
                           commented=True)
            else:
                value, note = self.value(key, commented=commented)
                self.line(here, key, value, dash=dash, commented=commented, note=note)

    def build(self, schema_ref: str) -> str:
        self.lines.append(MODELINE + schema_ref)
        for paragraph in self.texts.lines("profile.skeleton.header"):
            self.comment(0, paragraph)
        for key in children(""):
            if key.path == "vendors":
                self.line(0, key, "[]")
                self.comment(2, self.texts.text("profile.skeleton.vendors"))
                self.block("vendors", 4, commented=True)
            elif key.path == "use_cases":
                self.line(0, key, "")
                self.block("use_cases", 4)
            else:
                self.line(0, key, "")
                self.block(key.path, 2)
        return "\n".join(self.lines) + "\n"


def _code(value: object) -> str:
    """A value as written in YAML: ``true``, ``false``, a code."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _scalar(value: str) -> str:
    """A YAML scalar: identifiers plain, any other text double-quoted (JSON escapes)."""
    if value.replace("-", "").replace("_", "").isalnum() and value.isascii() and value.islower():
        return value
    return json.dumps(value, ensure_ascii=False)


def _can_be_empty(section: Key) -> bool:
    """A block whose keys may all be left empty (none required, no list of blocks)."""
    assert section.section is not None
    return all(not k.required and k.kind != "sections" for k in children(section.path))


def skeleton_text(words: ProfileWords, start: Start, schema_ref: str) -> str:
    """The skeleton of a new profile; it validates (else an InternalError: a bug)."""
    text = _Skeleton(words, start).build(schema_ref)
    try:
        profile_from_doc(load_yaml_text(text, "<skeleton>"), default_id=start.client_id)
    except ProfileError as exc:
        raise InternalError(f"the profile skeleton does not validate: {exc}") from None
    return text


def schema_reference(profile: Path, schema: Path) -> str:
    """The modeline's path: the schema relative to the profile's folder (yaml-language-server
    resolves a relative path against the file), in ``/`` form."""
    start = profile.resolve().parent
    return Path(os.path.relpath(schema.resolve(), start)).as_posix()


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, which must not exist; never overwrite, never half a file.

    Raises:
        OutputError: the file exists (or appears meanwhile) or cannot be written.
    """
    if path.exists() or path.is_symlink():
        raise OutputError.at(str(path), "the file already exists; init never overwrites a "
                                        "profile: choose another path or --id")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = part_file(path)
    except OSError as exc:
        raise OutputError.at(str(path), f"cannot write: {exc.strerror}") from None
    try:
        write_all(fd, text.encode("utf-8"))
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.link(tmp, path)  # fails if the path exists: never overwrites
    except FileExistsError:
        raise OutputError.at(str(path), "the file already exists; init never overwrites a "
                                        "profile") from None
    except OSError as exc:
        raise OutputError.at(str(path), f"cannot write: {exc.strerror}") from None
    finally:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()

