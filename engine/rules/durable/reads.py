"""What the durable rules read of each fact, to send durable nothing else.

durable_rules copies every fact a rule binds into each action message, and a use-case fact
carries ~75 fields of which the conditions read ~50: sending only the fields some durable
condition reads makes the facts shorter and the evaluation faster, with the same firings
(tested against whole facts through durable's own ``Host``). Findings read the neutral facts,
not these: messages and provenance see every field.

The read set is worked out from the durable definition itself (every property path a
condition names, ``$m`` same-fact references, join references such as
``{"vendor": {"v": "vid"}}``); the fact's type and its id are always kept.
"""

from __future__ import annotations

from typing import Any

# A read tree per fact kind: {"stage": True, "system": {"purposes": True, ...}}.
ReadTree = dict[str, Any]

_ALIAS_KIND = {"c": "client", "v": "vendor", "uc": "use_case"}
_ALWAYS = {"client": ("type", "cid"), "vendor": ("type", "vid"), "use_case": ("type", "uid")}
_ELEMENT_OPS = frozenset({"$iany", "$iall"})  # their inner tests read list elements ($i)


def read_trees(definition: dict[str, dict[str, Any]]) -> dict[str, ReadTree]:
    """Per fact kind (client, vendor, use_case), the fields any durable rule reads."""
    paths: dict[str, set[str]] = {kind: set(keep) for kind, keep in _ALWAYS.items()}
    for body in definition.values():
        for pattern in body["all"]:
            for alias, condition in pattern.items():
                kind = _ALIAS_KIND.get(alias)
                if kind is not None:  # derived facts are sent whole
                    _walk(condition, kind, paths)
    return {kind: _tree(found) for kind, found in paths.items()}


def _walk(expr: Any, kind: str, paths: dict[str, set[str]]) -> None:
    if isinstance(expr, list):
        for item in expr:
            _walk(item, kind, paths)
        return
    if not isinstance(expr, dict):
        return
    for key, value in expr.items():
        if key in ("$and", "$or"):
            _walk(value, kind, paths)
        elif key.startswith("$"):  # {"$gt": {path: value}}, {"$iany": {path: {"$i": ...}}}
            for path, operand in value.items():
                paths[kind].add(path)
                if key not in _ELEMENT_OPS:
                    _references(operand, kind, paths)
        else:  # {path: value}
            paths[kind].add(key)
            _references(value, kind, paths)


def _references(value: Any, kind: str, paths: dict[str, set[str]]) -> None:
    """Fields an operand points at: ``{"$m": field}`` (same fact), ``{alias: field}`` (join)."""
    if not isinstance(value, dict):
        return
    for key, inner in value.items():
        if key == "$m" and isinstance(inner, str):
            paths[kind].add(inner)
        elif key in _ALIAS_KIND and isinstance(inner, str):
            paths[_ALIAS_KIND[key]].add(inner)
        else:
            _references(inner, kind, paths)


def _tree(paths: set[str]) -> ReadTree:
    tree: ReadTree = {}
    for path in sorted(paths):
        *parents, last = path.split(".")
        node = tree
        for part in parents:
            child = node.get(part)
            if child is True:  # the whole parent is read already
                break
            node = node.setdefault(part, {})
        else:
            node[last] = True
    return tree
