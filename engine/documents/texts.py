"""The wording of the deliverables, read from ``rules/texts/*.yaml``.

A compliance officer edits the YAML; the code only names what it needs. Each file is a tree of
mappings and the key of a text is the file's name plus its path: ``anti_failure: {q4: ...}`` in
``report.yaml`` is ``report.anti_failure.q4``. A text may hold named placeholders
(``{tool}``, ``{count}``) that the code fills; which ones, for which key, is declared in a
schema (:data:`engine.documents.text_keys.SCHEMA`), so :func:`read_texts` can report, before
any client is rendered, each placeholder the code does not supply, each key the code needs
that is missing and each key nobody reads, with its file and line.

Three kinds of entries:

* ``text``: one string (placeholders allowed);
* ``lines``: a list of strings, e.g. the points of a charter clause (placeholders allowed);
* ``mapping``: free keys to strings, kept in file order, e.g. the glossary (no placeholders).

A placeholder holding a number may also choose a word's form: ``{count|point bloquant|points
bloquants}`` prints the first form for 0 and 1 (the French rule), the second otherwise; it
counts as a use of ``{count}``. No "(s)" in a document.

Why:
    French that reaches a document is data a compliance officer can change without Python.
    The code states its needs once (the schema), so lint, not a client's run, finds a
    misspelt placeholder or a forgotten label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from engine.common.suggest import hint
from engine.common.text import forbidden_at
from engine.errors import InternalError, Issue, Location, RuleError
from engine.profile.yamlio import YamlDoc, load_yaml

TEXTS_DIR = Path("texts")
NO_KEY = "-"
Kind = Literal["text", "lines", "mapping"]
Pieces = tuple[tuple[str, str], ...]  # (literal text, placeholder name or "")

_BRACED = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class TextSpec:
    """What the code reads under one key: its kind and the placeholders it fills."""

    kind: Kind = "text"
    placeholders: frozenset[str] = frozenset()


def text(*placeholders: str) -> TextSpec:
    """A one-string entry the code fills with ``placeholders``."""
    return TextSpec("text", frozenset(placeholders))


def lines(*placeholders: str) -> TextSpec:
    """A list-of-strings entry, each string filled with ``placeholders``."""
    return TextSpec("lines", frozenset(placeholders))


MAPPING = TextSpec("mapping")


@dataclass(frozen=True)
class Texts:
    """The loaded wording; read it with :meth:`text`, :meth:`lines` and :meth:`mapping`.

    Raises:
        InternalError: from every accessor, when the code asks for a key its schema does not
            declare or fills other placeholders than declared (a bug, never the user's).
    """

    schema: Mapping[str, TextSpec]
    files: tuple[Path, ...] = ()
    _texts: Mapping[str, Pieces] = field(default_factory=dict)
    _lines: Mapping[str, tuple[Pieces, ...]] = field(default_factory=dict)
    _mappings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def text(self, key: str, **values: str) -> str:
        """The text of ``key`` with its placeholders filled from ``values``."""
        self._check(key, "text", values)
        return _fill(self._texts[key], values)

    def lines(self, key: str, **values: str) -> list[str]:
        """The strings of a ``lines`` entry, each filled from ``values``."""
        self._check(key, "lines", values)
        return [_fill(pieces, values) for pieces in self._lines[key]]

    def mapping(self, key: str) -> Mapping[str, str]:
        """The pairs of a ``mapping`` entry, in file order."""
        self._check(key, "mapping", {})
        return self._mappings[key]

    def _check(self, key: str, kind: Kind, values: Mapping[str, str]) -> None:
        spec = self.schema.get(key)
        if spec is None or spec.kind != kind:
            raise InternalError(f"texts: the code reads {kind} '{key}' but the schema "
                                f"declares {spec.kind if spec else 'nothing'} there")
        if set(values) != spec.placeholders:
            raise InternalError(f"texts: '{key}' is filled with {sorted(values)}, the schema "
                                f"declares {sorted(spec.placeholders)}")


def _fill(pieces: Pieces, values: Mapping[str, str]) -> str:
    if len(pieces) == 1 and not pieces[0][1]:
        return pieces[0][0]
    return "".join(literal + (_value(name, values) if name else "") for literal, name in pieces)


def _value(name: str, values: Mapping[str, str]) -> str:
    """A placeholder's value, or for ``count|form|forms`` the form its number takes."""
    if "|" not in name:
        return values[name]
    base, singular, plural = name.split("|")
    number = values[base].replace("\u00a0", "").replace("\u202f", "").replace(",", ".")
    try:
        return singular if abs(float(number)) < 2 else plural
    except ValueError:
        return plural


def placeholder_name(name: str) -> str:
    """The placeholder a braced name fills: ``count`` for ``count|form|forms``."""
    return name.partition("|")[0]


def split_placeholders(value: str) -> tuple[Pieces, list[str]]:
    """A text cut into (literal, placeholder) pieces, and the problems of its braces.

    >>> split_placeholders("{count} sur {total}")[0]
    (('', 'count'), (' sur ', 'total'), ('', ''))
    >>> split_placeholders("{Count} et {")[1]
    ["'{Count}' is not a placeholder name (lower-case letters, digits, _)", "stray '{'"]
    """
    pieces: list[tuple[str, str]] = []
    problems: list[str] = []
    pos = 0
    for match in _BRACED.finditer(value):
        name = match.group(1)
        if "|" in name and (name.count("|") != 2 or not all(name.split("|")[1:])):
            problems.append(f"'{match.group(0)}': a plural choice is "
                            "{name|singular|plural}, both forms given")
        elif not _NAME.fullmatch(placeholder_name(name)):
            problems.append(f"'{match.group(0)}' is not a placeholder name "
                            "(lower-case letters, digits, _)")
        pieces.append((value[pos:match.start()], name))
        pos = match.end()
    pieces.append((value[pos:], ""))
    for literal, _ in pieces:
        problems += [f"stray '{c}'" for c in "{}" if c in literal]
    return tuple(pieces), problems


# --- reading and checking -----------------------------------------------------------------------


def issue(location: Location, key: str, message: str) -> Issue:
    """A texts problem in ``iapme rules lint``'s format: ``file:line: key: message``."""
    return Issue(Location(location.file, location.line or 1), f"{key}: {message}")


class _Reader:
    """Walks the text files against the schema, collecting entries and problems."""

    def __init__(self, schema: Mapping[str, TextSpec],
                 dates: Callable[[str], str] | None = None) -> None:
        self.schema = schema
        self.dates = dates  # fills {date.name} (rules/timeline.yaml); raises ValueError
        self.texts: dict[str, Pieces] = {}
        self.lines: dict[str, tuple[Pieces, ...]] = {}
        self.mappings: dict[str, Mapping[str, str]] = {}
        self.issues: list[Issue] = []
        self.seen: set[str] = set()  # keys found (well formed or not), and broken subtrees

    def walk(self, doc: YamlDoc, node: Any, path: tuple[str, ...], key: str) -> None:
        spec = self.schema.get(key)
        if spec is None:
            if any(k.startswith(key + ".") for k in self.schema):
                if not isinstance(node, dict):
                    self.problem(doc, path, key, "give 'name: text' lines under this key")
                    self.seen.update(k for k in self.schema if k.startswith(key + "."))
                    return
                for name, child in node.items():
                    self.walk(doc, child, (*path, name), f"{key}.{name}")
                return
            known = [k for k in self.schema if k.rpartition(".")[0] == key.rpartition(".")[0]]
            self.issues.append(issue(doc.locate(path), key, (
                "no code reads this key; remove it or check its spelling."
                + hint(key, known or self.schema))))
            return
        self.seen.add(key)
        if spec.kind == "mapping":
            self.mapping(doc, node, path, key)
        elif spec.kind == "lines":
            if not isinstance(node, list) or not node:
                self.problem(doc, path, key, "give a list of texts ('- ...' lines)")
                return
            parsed = [self.text(doc, item, (*path, i), key, spec) for i, item in enumerate(node)]
            self.lines[key] = tuple(p for p in parsed if p is not None)
        else:
            pieces = self.text(doc, node, path, key, spec)
            if pieces is not None:
                self.texts[key] = pieces

    def text(self, doc: YamlDoc, value: Any, path: tuple[str | int, ...], key: str,
             spec: TextSpec) -> Pieces | None:
        if not isinstance(value, str):
            self.problem(doc, path, key, "give a text (quote it if it looks like a number, "
                                         "true/false or null)")
            return None
        if not value.strip():
            self.problem(doc, path, key, "the text is empty")
            return None
        bad = forbidden_at(value)
        if bad is not None:
            self.problem(doc, path, key, f"character {bad[0]} at position {bad[1]} cannot be "
                                         "printed in a document; remove it")
            return None
        if self.dates is not None and "{date." in value:
            try:
                value = self.dates(value)
            except ValueError as exc:
                self.problem(doc, path, key, f"{{date.…}}: {exc}")
                return None
        pieces, problems = split_placeholders(value)
        for message in problems:
            self.problem(doc, path, key, message)
        for name in dict.fromkeys(placeholder_name(n) for _, n in pieces
                                  if n and _NAME.fullmatch(placeholder_name(n))):
            if name not in spec.placeholders:
                given = ", ".join(f"{{{p}}}" for p in sorted(spec.placeholders)) or "none"
                self.problem(doc, path, key, f"unknown placeholder {{{name}}} (the code fills "
                                             f"{given}).{hint(name, spec.placeholders)}")
        return None if problems else pieces

    def mapping(self, doc: YamlDoc, node: Any, path: tuple[str, ...], key: str) -> None:
        if not isinstance(node, dict) or not node:
            self.problem(doc, path, key, "give 'name: text' lines")
            return
        for name, value in node.items():
            if not isinstance(value, str) or not value.strip() or forbidden_at(value):
                self.problem(doc, (*path, name), key, f"'{name}': give a printable text")
        values = {k: v for k, v in node.items() if isinstance(v, str)}
        if self.dates is not None:
            for name, value in values.items():
                try:
                    values[name] = self.dates(value)
                except ValueError as exc:
                    self.problem(doc, (*path, name), key, f"{{date.…}}: {exc}")
        self.mappings[key] = values

    def problem(self, doc: YamlDoc, path: tuple[str | int, ...], key: str, message: str) -> None:
        self.issues.append(issue(doc.locate_value(path), key, message))


def read_texts(directory: Path, schema: Mapping[str, TextSpec],
               dates: Callable[[str], str] | None = None) -> tuple[Texts, list[Issue]]:
    """Read every ``*.yaml`` of ``directory`` against ``schema``; return texts and problems.

    ``dates`` fills the ``{date.name}`` of a text with the date in French (the rules'
    timeline). The texts are complete only when there is no problem.
    """
    reader = _Reader(schema, dates)
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    loaded: dict[str, YamlDoc] = {}
    for path in files:
        try:
            doc = load_yaml(path, display_path=str(path), error_cls=RuleError)
        except RuleError as exc:
            reader.issues += [issue(i.location, NO_KEY, i.message) for i in exc.issues]
            loaded[path.stem] = YamlDoc(str(path), None, {})
            continue
        loaded[path.stem] = doc
        for name, node in doc.data.items():
            reader.walk(doc, node, (name,), f"{path.stem}.{name}")
    absent: dict[str, list[str]] = {}
    for key in schema:
        stem, _, rest = key.partition(".")
        if key in reader.seen or (stem in loaded and loaded[stem].data is None):
            continue  # found, or in a file that did not load (already reported)
        if stem in loaded:
            where = loaded[stem].locate(tuple(rest.split(".")))
            reader.issues.append(issue(where, key, "missing: the documents need this text"))
        else:
            absent.setdefault(stem, []).append(key)
    for stem, keys in absent.items():
        where = Location(str(directory / f"{stem}.yaml"))
        reader.issues.append(issue(where, stem, (
            f"file missing: the documents need {len(keys)} text(s) from it ({keys[0]}...)")))
    texts = Texts(schema, tuple(files), reader.texts, reader.lines, reader.mappings)
    return texts, reader.issues
