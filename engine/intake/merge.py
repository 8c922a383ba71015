"""Answers merged into a profile's YAML text, every other byte kept: comments, key order,
quoting, indentation, flow or block style.

ruamel.yaml's round-trip loader gives where every key and block is (its line, column and
style); the merge then edits only the lines an answer needs: an empty key gets its value on its
own line (its comment kept), a missing key is inserted at the end of its block with the block's
indentation (inside the braces of a ``{...}`` block), a missing block is inserted whole. The
result is read back and must hold exactly the old data plus the answers.

Why:
    Dumping the round-trip tree rewrites what it cannot reproduce (a file's own indentation of
    lists, spacing before comments, the place of comments around an inserted key); editing the
    lines keeps the consultant's file as written, and the printed diff shows only the answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.errors import InternalError

Path = tuple[str | int, ...]  # keys and list indexes, e.g. ("use_cases", 0, "system", "x")
_NULL = re.compile(
    r"^(?P<lead>.*?:)(?P<value>[ \t]*(?:~|null|Null|NULL)?)(?P<rest>[ \t]*(?:#.*)?)$")


@dataclass(frozen=True)
class Change:
    """One answer: the value to write at ``path`` (a dict for a new block such as the director)."""

    path: Path
    value: Any


def scalar(value: Any) -> str:
    """A value as YAML text: ``true``, codes plain, other text double-quoted, lists in ``[...]``.

    >>> scalar(["recruitment", "drafting"]), scalar("Julie Petit"), scalar(False)
    ('[recruitment, drafting]', '"Julie Petit"', 'false')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if re.fullmatch(r"[a-z][a-z0-9_]*", text) and text not in ("true", "false", "null"):
        return text
    return json.dumps(text, ensure_ascii=False)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


class _Text:
    """The file's lines and the edits to make, applied bottom-up."""

    def __init__(self, text: str) -> None:
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.lines = text.split(self.newline)
        self.replaced: dict[int, str] = {}
        self.inserted: dict[int, list[list[str]]] = {}  # after line i (0-based): line groups

    def line(self, index: int) -> str:
        return self.replaced.get(index, self.lines[index])

    def replace(self, index: int, text: str) -> None:
        self.replaced[index] = text

    def insert_after(self, index: int, lines: list[str]) -> None:
        self.inserted.setdefault(index, []).append(lines)

    def result(self) -> str:
        """The edited text; blocks inserted after one line go deepest first (a key of an inner
        block before a key of the outer one)."""
        out: list[str] = []
        for index in range(len(self.lines)):
            out.append(self.line(index))
            for group in sorted(self.inserted.get(index, []), key=lambda g: -_indent(g[0])):
                out.extend(group)
        return self.newline.join(out)


def _last_line(node: Any, text: _Text, column: int) -> int:
    """The last line of a block whose keys are at ``column``: its last content line, or a
    comment right after it at the keys' indentation or deeper (a commented key of the block
    belongs to it; a comment further left introduces what follows the block)."""
    last = _max_line(node)
    index = last + 1
    while index < len(text.lines):
        line = text.lines[index]
        if line.strip():
            comment = line.lstrip().startswith("#")
            if _indent(line) < column or (not comment and _indent(line) == column):
                break
            last = index
        index += 1
    return last


def _max_line(node: Any) -> int:
    lines: list[int] = [int(node.lc.line)]
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            lines.append(int(node.lc.key(key)[0]))
            if isinstance(value, CommentedMap | CommentedSeq):
                lines.append(_max_line(value))
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            lines.append(int(node.lc.item(index)[0]))
            if isinstance(value, CommentedMap | CommentedSeq):
                lines.append(_max_line(value))
    return max(lines)


def _block_lines(key: str, value: Any, indent: int, step: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        out = [f"{pad}{key}:"]
        for name, item in value.items():
            out.extend(_block_lines(name, item, indent + step, step))
        return out
    return [f"{pad}{key}: {scalar(value)}"]


def _flow_end(text: _Text, line: int, column: int) -> tuple[int, int]:
    """Where the ``}`` closing the flow mapping opened at (line, column) is."""
    depth, quote = 0, ""
    index, col = line, column
    while index < len(text.lines):
        source = text.line(index)
        while col < len(source):
            char = source[col]
            if quote:
                if char == "\\" and quote == '"':
                    col += 1
                elif char == quote:
                    quote = ""
            elif char in "\"'":
                quote = char
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    return index, col
            elif char == "#" and col > 0 and source[col - 1] in " \t":
                break
            col += 1
        index, col = index + 1, 0
    raise InternalError("merge: unclosed flow mapping")


class Merger:
    """Apply :class:`Change` s to a profile's YAML text."""

    def __init__(self, text: str) -> None:
        self.bom = text.startswith("\ufeff")
        self.source = text.removeprefix("\ufeff")
        yaml = YAML(typ="rt")
        self.root = yaml.load(self.source)
        self.text = _Text(self.source)
        self.step = self._step()
        # (id of the deepest existing block, the missing key under it) -> (block, answers)
        self.pending: dict[tuple[int, str], tuple[Any, str, dict[str, Any]]] = {}

    def _step(self) -> int:
        """The file's indentation step for nested blocks (2 when nothing says otherwise)."""
        for key, value in self.root.items():
            if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
                first = next(iter(value))
                return max(1, int(value.lc.key(first)[1]) - int(self.root.lc.key(key)[1]))
        return 2

    def node(self, path: Path) -> Any:
        node = self.root
        for part in path:
            node = node[part]
        return node

    def apply(self, change: Change) -> None:
        """Note ``change``; answers under one missing block are written together."""
        *parents, name = change.path
        node: Any = self.root
        depth = 0
        for part in parents:  # the deepest block that exists
            child = node.get(part) if isinstance(node, CommentedMap) else node[part]
            if child is None:
                break
            node = child
            depth += 1
        missing = [str(p) for p in parents[depth:]]
        if not missing:
            self._put(node, str(name), change.value)
            return
        slot = (id(node), missing[0])
        _, _, tree = self.pending.setdefault(slot, (node, missing[0], {}))
        for part in missing[1:]:
            tree = tree.setdefault(part, {})
        tree[str(name)] = change.value

    def _put(self, node: Any, key: str, value: Any) -> None:
        if key in node and node[key] is None:
            self._set_null(node, key, value)
        elif key in node:
            raise InternalError(f"merge: '{key}' is already answered")
        elif node.fa.flow_style():
            self._flow_insert(node, key, value)
        else:
            self._block_insert(node, key, value)

    def _set_null(self, node: CommentedMap, key: str, value: Any) -> None:
        line, column = node.lc.key(key)
        source = self.text.line(line)
        match = _NULL.match(source)
        if node.fa.flow_style() or match is None or not match["lead"].strip().endswith(
                f"{key}:"):
            raise InternalError(f"merge: cannot place the answer for '{key}' (line {line + 1})")
        if isinstance(value, dict):
            self.text.replace(line, match["lead"] + " " * len(match["value"]) + match["rest"])
            for name, item in value.items():
                self.text.insert_after(line, _block_lines(name, item, column + self.step,
                                                          self.step))
            return
        head, comment = f"{match['lead']} {scalar(value)}", match["rest"].strip()
        if comment:
            head += " " * max(1, source.index(comment) - len(head)) + comment
        self.text.replace(line, head)

    def _block_insert(self, node: CommentedMap, key: str, value: Any) -> None:
        first = next(iter(node))
        column = node.lc.key(first)[1]
        last = _last_line(node, self.text, column)
        self.text.insert_after(last, _block_lines(key, value, column, self.step))

    def _flow_insert(self, node: CommentedMap, key: str, value: Any) -> None:
        line, col = _flow_end(self.text, node.lc.line, node.lc.col)
        source = self.text.line(line)
        before = source[:col].rstrip()
        separator = "" if before.endswith("{") else ", "
        self.text.replace(line, f"{before}{separator}{key}: {scalar(value)}{source[col:]}")

    def result(self) -> str:
        for node, key, tree in self.pending.values():
            self._put(node, key, tree)
        self.pending.clear()
        return ("\ufeff" if self.bom else "") + self.text.result()


def merge(text: str, changes: Sequence[Change]) -> str:
    """``text`` with every change applied (each path unanswered in ``text``)."""
    merger = Merger(text)
    for change in changes:
        merger.apply(change)
    return merger.result()
