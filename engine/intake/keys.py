"""Every key of the profile, read from the validation model: its path, kind and allowed values.

One walk of :class:`~engine.profile.model.Profile` serves everything the intake stage builds
from the vocabulary: the French wording it needs (``rules/texts/profile.yaml``), the JSON
Schema, ``docs/profile.md``, the ``iapme init`` skeleton, the questionnaire and the import of
its answers. A key's *path* is dotted, list levels unnumbered (``use_cases.system.purposes``);
its *display* form marks them (``use_cases[].system.purposes``), as ``docs/rules.md`` does.

Why:
    The model is the one truth about the vocabulary; deriving the rest from it means a new key
    or value cannot reach the validator without its French label (lint says which is missing).
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from engine.profile import model as m

Kind = Literal["section", "sections", "bool", "choice", "multi", "texts", "text",
               "champion", "integer", "number", "date"]

# Named closed vocabularies: their values' labels are ``profile.values.<name>.<code>``.
VOCABULARIES: dict[str, Any] = {
    "sector": m.Sector, "hosting": m.Hosting, "training": Literal["opt_out_available"],
    "certification": m.Certification, "function": m.Function, "family": m.Family,
    "stage": m.Stage, "role": m.Role, "capability": m.Capability, "purpose": m.Purpose,
    "affected_person": m.AffectedPerson, "inferred_attribute": m.InferredAttribute,
    "art_6_3_condition": m.Art63Condition, "media": m.Media, "data_category": m.DataCategory,
    "gdpr_role": m.GdprRole, "civility": m.Civility, "annex_i_section": m.AnnexISection,
    "name_article": m.NameArticle,
    "data_quality": m.DataQuality, "complexity": m.Complexity,
}
UNKNOWN = "unknown"  # beside true/false: "not known", an answer of its own (controls, vendors)


@dataclass(frozen=True)
class Key:
    """One key of the profile."""

    path: str                     # use_cases.system.purposes
    kind: Kind
    model: type[BaseModel]        # the model the key belongs to
    name: str                     # its field name there
    required: bool
    values: tuple[Any, ...] = ()  # choice and multi: the allowed values, in model order
    vocabulary: str | None = None  # the named vocabulary of the string values, if any
    section: type[BaseModel] | None = None  # section(s): the model of the block

    @property
    def display(self) -> str:
        """``use_cases[].system.purposes``."""
        all_keys()  # fills _LIST_PATHS
        plain = out = ""
        for part in self.path.split("."):
            plain += ("." if plain else "") + part
            out += ("." if out else "") + part
            if plain in _LIST_PATHS:
                out += "[]"
        return out

    @property
    def depth(self) -> int:
        return self.path.count(".")


def _strings(values: list[Any]) -> tuple[str, ...]:
    return tuple(v for v in values if isinstance(v, str))


def vocabulary_of(values: tuple[Any, ...]) -> str | None:
    """The name of the vocabulary whose values are the strings of ``values`` (``unknown``
    beside true/false excluded), or None for plain yes/no(/unknown) keys."""
    strings = set(_strings(list(values)))
    if True in values:
        strings.discard(UNKNOWN)
    if not strings:
        return None
    for name, literal in VOCABULARIES.items():
        if set(typing.get_args(literal)) == strings:
            return name
    raise LookupError(f"no vocabulary name for the values {sorted(strings)}; add it to "
                      "engine.intake.keys.VOCABULARIES")


def _kind(info: FieldInfo) -> tuple[Kind, tuple[Any, ...], type[BaseModel] | None]:
    annotation = info.annotation
    members = [t for t in m.unwrap(annotation) if t is not type(None)]
    for member in members:
        if isinstance(member, type) and issubclass(member, BaseModel):
            return "section", (), member
        if typing.get_origin(member) is list:
            item = typing.get_args(member)[0]
            inner = [t for t in m.unwrap(item) if t is not type(None)]
            if inner and isinstance(inner[0], type) and issubclass(inner[0], BaseModel):
                return "sections", (), inner[0]
            values = m.allowed_values(item)
            return ("multi", tuple(values), None) if values else ("texts", (), None)
    values = m.allowed_values(annotation)
    if values is not None:
        return ("bool" if set(values) == {True, False} else "choice"), tuple(values), None
    if str in members and any(typing.get_origin(t) is Literal for t in members):
        return "champion", (), None  # a name, or false: none designated
    if dt.date in members:
        return "date", (), None
    if int in members:
        return "integer", (), None
    if float in members:
        return "number", (), None
    return "text", (), None


def _walk(model: type[BaseModel], prefix: str, out: list[Key]) -> None:
    for name, info in model.model_fields.items():
        kind, values, section = _kind(info)
        path = f"{prefix}{name}"
        vocabulary = vocabulary_of(values) if kind in ("choice", "multi") else None
        out.append(Key(path, kind, model, name, info.is_required(), values, vocabulary,
                       section))
        if section is not None:
            if kind == "sections":
                _LIST_PATHS.add(path)
            _walk(section, path + ".", out)


_LIST_PATHS: set[str] = set()


@functools.cache
def all_keys() -> tuple[Key, ...]:
    """Every key of the profile, in the model's order (a block before its keys)."""
    out: list[Key] = []
    _walk(m.Profile, "", out)
    return tuple(out)


@functools.cache
def by_path() -> dict[str, Key]:
    return {key.path: key for key in all_keys()}


def key_for(field: str) -> Key | None:
    """The key a rule's ``missing_answer`` field names: ``system.x`` and ``role`` are keys of
    a use case, ``client.x`` of the client."""
    table = by_path()
    return table.get(field) or table.get(f"use_cases.{field}")


def children(section: str) -> list[Key]:
    """The keys directly under ``section`` ("" for the top level)."""
    depth = section.count(".") + 1 if section else 0
    start = f"{section}." if section else ""
    return [k for k in all_keys() if k.path.startswith(start) and k.depth == depth]
