"""Safe YAML loading that never changes a value silently and remembers where each key is.

PyYAML composes the node tree (with marks); we build the values: only ``true``/``false``,
``null``/``~``/empty and plain decimal numbers are converted, any other plain scalar (``NO``,
``012``, ``2025-01-31``...) stays its exact source text for the schema to judge.

Why:
    Profiles are written by consultants, sometimes hostile: every failure (size, encoding, syntax,
    tags, alias bombs, depth) must be a :class:`UserError` reading ``file:line:column: key.path:
    message``, never a traceback, a silently changed value or a memory blow-up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.common.files import UnsafeFileError, read_regular
from engine.common.text import YAML_NON_PRINTABLE
from engine.errors import Location, ProfileError, UserError

MAX_BYTES_DEFAULT = 1_000_000
MAX_DEPTH_DEFAULT = 50
MAX_NODES_DEFAULT = 200_000

KeyPath = tuple[str | int, ...]

_STD = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ = (
    _STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq")
)
_SCALAR_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL})
_PLAIN = "plain scalar"  # tag of untagged plain scalars; has a space, so no file can write it
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a line break
# PyYAML's Reader.NON_PRINTABLE; it also catches lone surrogates.
_TOO_DEEP = "nesting is too deep (more than {} levels of lists and mappings); flatten it"


class _PyLoader(yaml.SafeLoader):
    """Its one implicit resolver tags every untagged plain scalar ``_PLAIN``: no YAML 1.1 guess."""

    yaml_implicit_resolvers = {None: [(_PLAIN, re.compile(""))]}  # noqa: RUF012

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """What PyYAML's resolver answers with the one resolver above, without its lookups
        (it runs for every node): untagged plain scalars ``_PLAIN``, other scalars strings."""
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else self.DEFAULT_SCALAR_TAG
        return yaml.resolver.BaseResolver.resolve(self, kind, value, implicit)  # type: ignore[no-untyped-call]


_LOADER: type[yaml.SafeLoader | yaml.CSafeLoader] = _PyLoader
if yaml.__with_libyaml__:  # pragma: no branch

    class _CLoader(yaml.CSafeLoader):
        yaml_implicit_resolvers = _PyLoader.yaml_implicit_resolvers

        resolve = _PyLoader.resolve  # libyaml's loader calls the Python resolver too

    _LOADER = _CLoader


def format_key_path(key_path: Sequence[str | int]) -> str:
    """Dotted form of a key path: ``("use_cases", 0, "id")`` -> ``"use_cases[0].id"``."""
    text = ""
    for part in key_path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """A loaded YAML file: plain data plus the 1-based (line, column) of each key and item."""

    path: str
    data: Any
    positions: Mapping[KeyPath, tuple[int, int]]
    # Where each value starts (a mapping value or a list item), when it is not an alias.
    value_positions: Mapping[KeyPath, tuple[int, int]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def locate(self, key_path: Sequence[str | int]) -> Location:
        """Where ``key_path`` is, or its nearest known ancestor (the full path is kept)."""
        wanted = tuple(key_path)
        for end in range(len(wanted), -1, -1):
            found = self.positions.get(wanted[:end])
            if found is not None:
                return Location(self.path, *found, format_key_path(wanted) or None)
        return Location(self.path, None, None, format_key_path(wanted) or None)

    def locate_value(self, key_path: Sequence[str | int]) -> Location:
        """Where the value of ``key_path`` starts; else :meth:`locate` (its key or an ancestor)."""
        wanted = tuple(key_path)
        found = self.value_positions.get(wanted)
        if found is not None:
            return Location(self.path, *found, format_key_path(wanted) or None)
        return self.locate(wanted)


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]``."""
    breaks = list(_BREAK_RE.finditer(text, 0, index))
    return len(breaks) + 1, index - (breaks[-1].end() if breaks else 0) + 1


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode | SequenceNode):
        return "a mapping" if isinstance(node, MappingNode) else "a list"
    return f"a text value ({str(node.value)[:40]!r})" if node.value else "an empty value"


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    return [_copy(item) for item in value] if isinstance(value, list) else value


class _Builder:
    """Turns a composed node tree into plain Python values, recording key positions."""

    def __init__(self, file: str, error_cls: type[UserError], max_depth: int, max_nodes: int):
        self.file, self.error_cls = file, error_cls
        self.max_depth, self.max_nodes = max_depth, max_nodes
        self.positions: dict[KeyPath, tuple[int, int]] = {}
        self.value_positions: dict[KeyPath, tuple[int, int]] = {}
        self._valued: set[int] = set()  # id() of the value nodes whose start was recorded
        self.count = 0  # nodes built so far, every alias expansion included
        self._done: dict[int, tuple[int, int, Any]] = {}  # id(block) -> (nodes, height, value)
        self._open: set[int] = set()  # blocks being built: meeting one again means a loop

    def fail(self, message: str, path: KeyPath, node: Node | None = None) -> NoReturn:
        """Raise at ``node``'s mark, or else at the nearest known position of ``path``."""
        where = YamlDoc(self.file, None, self.positions).locate(path)
        line, column = _pos(node.start_mark) if node else (where.line, where.column)
        error = self.error_cls.at(
            self.file, message, line=line, column=column, key_path=where.key_path
        )
        raise error from None

    def mark(self, path: KeyPath, node: Node) -> KeyPath:
        """Record where ``node`` starts as the position of ``path``; return ``path``."""
        line, column = _pos(node.start_mark)
        if line is not None and column is not None:
            self.positions[path] = (line, column)
        return path

    def add(self, nodes: int, path: KeyPath) -> None:
        self.count += nodes
        if self.count > self.max_nodes:
            limit = f"more than {self.max_nodes:,}"
            fix = "repeat fewer blocks with aliases (*name) or split the file"
            self.fail(f"too many nodes after alias expansion ({limit}); {fix}", path)

    def build(self, node: Node, path: KeyPath, depth: int) -> Any:
        self.add(1, path)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        key, too_deep = id(node), _TOO_DEEP.format(self.max_depth)
        if key in self._open:
            self.fail("an alias (*name) points to a block that contains it; remove the loop", path)
        if key in self._done:  # an alias repeating a finished block: copy it, no rebuild
            nodes, height, value = self._done[key]
            self.add(nodes - 1, path)
            if depth + height - 1 > self.max_depth:
                self.fail(too_deep, path)
            return _copy(value)
        if depth > self.max_depth:
            self.fail(too_deep, path, node)
        if node.tag != (_MAP if isinstance(node, MappingNode) else _SEQ):
            self.bad_tag(node, path)
        self._open.add(key)
        start = self.count
        if isinstance(node, MappingNode):
            children = [item for _, item in node.value]
            value = self.mapping(node, path, depth)
        else:
            children = list(node.value)
            value = [
                self.item((*path, index), item, depth + 1) for index, item in enumerate(children)
            ]
        self._open.discard(key)
        height = 1 + max((self._done[id(c)][1] for c in children if id(c) in self._done), default=0)
        self._done[key] = (self.count - start + 1, height, value)
        return value

    def item(self, path: KeyPath, node: Node, depth: int) -> Any:
        if id(node) not in self._done and id(node) not in self._open:
            self.mark(path, node)  # an alias's mark is its anchor's: better use the parent's
            self.mark_value(path, node)
        return self.build(node, path, depth)

    def mark_value(self, path: KeyPath, node: Node) -> None:
        """Record where the value ``node`` starts, unless it is an alias (marked at its anchor)."""
        line, column = _pos(node.start_mark)
        if line is not None and column is not None and id(node) not in self._valued:
            self._valued.add(id(node))  # the anchor comes first: later meetings are aliases
            self.value_positions[path] = (line, column)

    def mapping(self, node: MappingNode, path: KeyPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                message = f"a key must be a simple name, not {_describe(key_node)}"
                self.fail(message + "; write 'name: value'", path, key_node)
            if key_node.tag != _PLAIN and key_node.tag not in _SCALAR_TAGS:
                self.bad_tag(key_node, path)
            name = self.text(key_node, path)
            here = (*path, name)
            if name == "<<" and key_node.tag == _PLAIN:
                self.fail("merge keys ('<<') are not supported; write the keys out", here, key_node)
            if name in result:
                first, again = self.positions[here][0], _pos(key_node.start_mark)[0]
                message = f"duplicate key {name!r} (first at line {first}, again at line {again})"
                self.fail(message + "; keep only one", here, key_node)
            self.add(1, self.mark(here, key_node))
            self.mark_value(here, value_node)
            result[name] = self.build(value_node, here, depth + 1)
        return result

    def bad_tag(self, node: Node, path: KeyPath) -> NoReturn:
        tag = _show_tag(node.tag)
        if node.tag in _SCALAR_TAGS | {_MAP, _SEQ}:
            self.fail(f"the tag '{tag}' cannot be used on {_describe(node)}; remove it", path, node)
        accepted = "only !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are accepted"
        self.fail(f"the tag '{tag}' is not allowed; remove it ({accepted})", path, node)

    def text(self, node: ScalarNode, path: KeyPath) -> str:
        """The scalar's text; an escape (``"\\x07"``, ``"\\ud800"``) must not give a character
        the file itself may not hold: it would reach the documents (invalid XML, a crash)."""
        text = str(node.value)
        if node.style == '"':
            bad = YAML_NON_PRINTABLE.search(text)
            if bad:
                code = f"#x{ord(bad.group()):04X}"
                message = f"the escape for special character {code} is not allowed; remove it"
                self.fail(message, path, node)
        return text

    def scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        text, tag = self.text(node, path), node.tag
        lowered = text.lower()
        plain = tag == _PLAIN and not node.style
        if tag in (_STR, _PLAIN) and not plain:
            return text
        if lowered in ("true", "false") and tag in (_PLAIN, _BOOL):
            return lowered == "true"
        if (text in ("", "~") or lowered == "null") and tag in (_PLAIN, _NULL):
            return None
        if _INT_RE.fullmatch(text) and tag in (_PLAIN, _INT, _FLOAT):
            return self.number(node, path, float if tag == _FLOAT else int)
        if _FLOAT_RE.fullmatch(text) and tag in (_PLAIN, _FLOAT):
            return self.number(node, path, float)
        if plain:
            return text
        wanted = {_INT: "a whole number in digits", _FLOAT: "a number in digits"}
        wanted |= {_BOOL: "true or false", _NULL: "null, ~ or nothing"}
        if tag in wanted:
            self.fail(f"'{_show_tag(tag)}' needs {wanted[tag]}, not {text!r}", path, node)
        return self.bad_tag(node, path)

    def number(self, node: ScalarNode, path: KeyPath, kind: type[int | float]) -> int | float:
        text = str(node.value)
        try:
            value = kind(text)
        except ValueError:  # more than 4300 digits: Python refuses to convert
            self.fail(f"the number {text[:20]}... has too many digits", path, node)
        if not math.isfinite(value):
            self.fail(f"the number {text!r} is too large", path, node)
        return value


def _pos(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    """1-based (line, column) of a PyYAML mark (0-based), or (None, None)."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def _fail(error_cls: type[UserError], file: str, message: str, mark: Any = None) -> NoReturn:
    """Raise ``error_cls`` at a PyYAML mark, a (line, column) pair, or the whole file."""
    line, column = mark if isinstance(mark, tuple) else _pos(mark)
    raise error_cls.at(file, message, line=line, column=column) from None


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    """Rephrase a PyYAML scanner/parser/composer error, keeping its problem and context."""
    problem = exc.problem or "unreadable YAML"
    if "found another document" in problem:
        return "the file holds more than one YAML document; keep a single one"
    if "maximum nesting depth" in problem:
        return "nesting is too deep for the YAML reader; flatten it"
    message = f"invalid YAML: {problem}"
    if exc.context:
        ctx, at = _pos(exc.context_mark), ""
        if ctx[0] is not None and ctx != _pos(exc.problem_mark):
            at = f" at line {ctx[0]}, column {ctx[1]}"
        message += f" ({exc.context}{at})"
    lines = _BREAK_RE.split(text)
    near = [m.line for m in (exc.problem_mark, exc.context_mark) if m and m.line < len(lines)]
    if any("\t" in lines[n][: len(lines[n]) - len(lines[n].lstrip(" \t"))] for n in near):
        message += "; use spaces, not tabs, to indent"
    return message


def load_yaml_text(
    text: str,
    display_path: str,
    *,
    error_cls: type[UserError] = ProfileError,
    max_depth: int = MAX_DEPTH_DEFAULT,
    max_nodes: int = MAX_NODES_DEFAULT,
) -> YamlDoc:
    """Load YAML text whose top level must be a mapping; every failure raises ``error_cls``."""
    file, text = display_path, text.removeprefix("\ufeff")
    if "\0" in text:
        _fail(error_cls, file, "binary file, not YAML (it contains NUL bytes)")
    bad = YAML_NON_PRINTABLE.search(text)
    if bad:
        message = f"special character #x{ord(bad.group()):04X} is not allowed in YAML; remove it"
        _fail(error_cls, file, message, _line_col(text, bad.start()))
    loader = None
    try:
        loader = _LOADER(text)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        _fail(error_cls, file, _syntax_message(exc, text), exc.problem_mark or exc.context_mark)
    except RecursionError:  # the pure-Python composer recurses once per nesting level
        mark = loader.get_mark() if isinstance(loader, yaml.SafeLoader) else None
        _fail(error_cls, file, "nesting is too deep for the YAML reader; flatten it", mark)
    except (yaml.YAMLError, UnicodeError) as exc:
        _fail(error_cls, file, f"invalid YAML: {exc}")
    finally:
        if loader is not None:
            loader.dispose()
    if root is None or (isinstance(root, ScalarNode) and root.tag == _PLAIN and not root.value):
        _fail(error_cls, file, "the file is empty; it must hold 'key: value' lines")
    builder = _Builder(file, error_cls, max_depth, max_nodes)
    builder.mark((), root)
    if not isinstance(root, MappingNode):
        found = _describe(root)
        builder.fail(f"the top level must be 'key: value' lines, but the file holds {found}", ())
    try:
        data = builder.build(root, (), 1)
    except RecursionError:  # only when the caller allows a huge max_depth
        builder.fail("nesting is too deep; flatten it", ())
    return YamlDoc(
        file, data, MappingProxyType(builder.positions), MappingProxyType(builder.value_positions)
    )


def read_file(
    path: Path,
    *,
    display_path: str | None = None,
    error_cls: type[UserError] = ProfileError,
    max_bytes: int = MAX_BYTES_DEFAULT,
) -> bytes:
    """The bytes of a YAML file, read once; type and size are checked on the opened file.

    A named pipe would block a reader forever, ``/dev/zero`` never ends, a huge file would
    fill the memory: each is refused without being read (links are followed: a profile may be
    a link to a shared folder).
    """
    file = display_path if display_path is not None else str(path)
    try:
        return read_regular(path, max_bytes, follow_links=True)
    except UnsafeFileError as exc:
        if exc.kind == "large":
            _fail(error_cls, file, exc.strerror or "the file is too large")
        kind = "a folder" if exc.kind == "a folder" else "a special file"
        _fail(error_cls, file, f"this is {kind}, not a regular file; give a YAML file")
    except OSError as exc:
        _fail(error_cls, file, f"cannot read the file: {exc.strerror or exc}")


def load_yaml_bytes(
    data: bytes,
    display_path: str,
    *,
    error_cls: type[UserError] = ProfileError,
    max_depth: int = MAX_DEPTH_DEFAULT,
    max_nodes: int = MAX_NODES_DEFAULT,
) -> YamlDoc:
    """Load the bytes of a YAML file (encoding checked first: UTF-8 only)."""
    file = display_path
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        _fail(error_cls, file, "the file is saved as UTF-16; save it as UTF-8")
    if b"\0" in data:
        _fail(error_cls, file, "binary file, not YAML (it contains NUL bytes)")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", "replace")
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02X}); save the file as UTF-8"
        _fail(error_cls, file, message, _line_col(before, len(before)))
    return load_yaml_text(text, file, error_cls=error_cls, max_depth=max_depth, max_nodes=max_nodes)


def load_yaml(
    path: Path,
    *,
    display_path: str | None = None,
    error_cls: type[UserError] = ProfileError,
    max_bytes: int = MAX_BYTES_DEFAULT,
    max_depth: int = MAX_DEPTH_DEFAULT,
    max_nodes: int = MAX_NODES_DEFAULT,
) -> YamlDoc:
    """Read and load a YAML file; its type, size and encoding are checked before parsing."""
    file = display_path if display_path is not None else str(path)
    data = read_file(path, display_path=file, error_cls=error_cls, max_bytes=max_bytes)
    return load_yaml_bytes(data, file, error_cls=error_cls, max_depth=max_depth,
                           max_nodes=max_nodes)
