"""Pydantic validation errors as located, plain-words issues: one translation for every YAML
file the engine reads (rule files, the vendor register, the penalty table).

The profile has a richer translation of its own (:mod:`engine.profile.validate`: grouped
errors, expected types and choices per field), built on :func:`unknown_key` from here
so that an unknown key reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from engine.common.suggest import hint
from engine.common.text import lookalikes, shown
from engine.errors import Issue, Location

Path_ = tuple[str | int, ...]
_BRANCHES = {"bool", "str", "int", "float", "list", "dict"}


def plain_loc(error: ErrorDetails) -> Path_:
    """The key path of ``error`` without pydantic's union-branch markers (``bool``,
    ``literal['x']``, ``function-after[...]``...)."""
    return tuple(p for p in error["loc"] if isinstance(p, int) or (
        isinstance(p, str) and "[" not in p and p not in _BRANCHES))


def unknown_key(key: str, known: Iterable[str], *, listed: bool = False) -> str:
    """``unknown key 'x'`` with its look-alike characters named, a did-you-mean among ``known``
    and, when ``listed``, the keys allowed there."""
    names = list(known)
    text = f"unknown key '{shown(key)}'{lookalikes(key)}.{hint(key, names)}"
    return text + (f" Allowed keys here: {', '.join(names)}." if listed and names else "")


def key_message(error: ErrorDetails, loc: Path_, known: Iterable[str],
                missing: str = "") -> str | None:
    """The message for an unknown key (see :func:`unknown_key`) or a missing one; ``None`` for
    any other error."""
    if error["type"] == "extra_forbidden" and loc:
        return unknown_key(str(loc[-1]), known)
    if error["type"] == "missing" and loc:
        return f"'{shown(str(loc[-1]))}' is required{missing}"
    return None


def plain_message(error: ErrorDetails, loc: Path_, known: Iterable[str] = (),
                  missing: str = "") -> str:
    """What is wrong, in plain words: :func:`key_message`, else pydantic's own sentence."""
    message = key_message(error, loc, known, missing)
    if message is not None:
        return message
    text = str(error["msg"]).removeprefix("Value error, ")  # a validator's own sentence
    return text[:1].lower() + text[1:]


def issues_from(exc: ValidationError, locate: Callable[[Path_], Location], *,
                known: Iterable[str] = (), prefix: str | Callable[[Path_], str] = "",
                missing: str = "", base: Path_ = ()) -> list[Issue]:
    """One located issue per pydantic error of ``exc``.

    ``locate`` maps a key path of the YAML document to its position; ``base`` is prepended to
    every path (the model validated one item of a list); ``prefix`` (a text, or a function of
    the path) names the item an error belongs to ("rule x: ", "vendor y: ").
    """
    names = list(known)
    out = []
    for error in exc.errors(include_url=False):
        loc = plain_loc(error)
        message = plain_message(error, loc, names, missing)
        path = (*base, *loc)
        named = prefix if isinstance(prefix, str) else prefix(path)
        out.append(Issue(locate(path), named + message))
    return out


def item_name(doc_data: Any, list_key: str, noun: str) -> Callable[[Path_], str]:
    """A ``prefix`` for :func:`issues_from` naming the list item a path falls in by its id:
    ``("vendors", 2, "facts")`` -> ``"vendor mistral: "``."""

    def name(loc: Path_) -> str:
        if len(loc) < 2 or loc[0] != list_key or not isinstance(loc[1], int):
            return ""
        items = doc_data.get(list_key) if isinstance(doc_data, dict) else None
        if not isinstance(items, list) or loc[1] >= len(items):
            return ""
        item = items[loc[1]]
        ident = item.get("id") if isinstance(item, dict) else None
        return f"{noun} {ident if ident is not None else f'#{loc[1] + 1}'}: "

    return name
