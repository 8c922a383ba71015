"""Stage 2: YAML document -> validated :class:`~engine.profile.Profile`.

Pydantic's errors are rewritten for consultants: each names the file, line, column and key
path, says what is wrong in plain words and what would be right (allowed values, did-you-mean).
All problems of a file are reported in one pass.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.errors import Issue, ProfileError
from engine.profile import Profile, allowed_values, unwrap
from engine.suggest import did_you_mean, hint
from engine.yamlio import YamlDoc, load_yaml

CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# Names Windows reserves for devices: a folder with such a name cannot be created or opened.
RESERVED_IDS = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def load_profile(path: Path, *, display_path: str | None = None) -> Profile:
    """Read, validate and cross-check one profile file.

    Raises:
        ProfileError: with every problem found, each at its file:line:column: key.path.
    """
    doc = load_yaml(path, display_path=display_path, error_cls=ProfileError)
    return profile_from_doc(doc, default_id=path.stem)


def profile_from_doc(doc: YamlDoc, *, default_id: str) -> Profile:
    """Validate an already loaded YAML document (see :func:`load_profile`)."""
    try:
        profile = Profile.model_validate(doc.data)
    except ValidationError as exc:
        raise ProfileError.of(_issues_from(exc, doc)) from None
    issues = _cross_check(profile, doc)
    if issues:
        raise ProfileError.of(issues)
    if profile.client.id is None:
        client_id = default_id.lower()
        if not CLIENT_ID.match(client_id) or client_id in RESERVED_IDS:
            raise ProfileError.of([Issue(doc.locate(("client",)), (
                f"the file name '{default_id}' cannot serve as client id; add client.id: a "
                "lower-case id of letters, digits and '-' (e.g. 'plomberie-martin')"))])
        client = profile.client.model_copy(update={"id": client_id})
        profile = profile.model_copy(update={"client": client})
    return profile


def _cross_check(profile: Profile, doc: YamlDoc) -> list[Issue]:
    issues: list[Issue] = []
    cid = profile.client.id
    if cid is not None and (not CLIENT_ID.match(cid) or cid in RESERVED_IDS):
        issues.append(Issue(doc.locate(("client", "id")), (
            f"'{cid}' cannot be used as a folder name; use lower-case letters, digits and '-'")))
    for kind, items in (("vendors", profile.vendors), ("use_cases", profile.use_cases)):
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            if item.id in first:
                where = doc.locate((kind, first[item.id], "id"))
                issues.append(Issue(doc.locate((kind, index, "id")), (
                    f"duplicate id '{item.id}' (already used at line {where.line}); "
                    "give each entry its own id")))
            first.setdefault(item.id, index)
    vendor_ids = [v.id for v in profile.vendors]
    for index, use_case in enumerate(profile.use_cases):
        if use_case.vendor is not None and use_case.vendor not in vendor_ids:
            known = ", ".join(vendor_ids) or "none declared"
            issues.append(Issue(doc.locate(("use_cases", index, "vendor")), (
                f"vendor '{use_case.vendor}' is not declared under vendors (declared: {known})."
                + hint(use_case.vendor, vendor_ids))))
    return issues


# --- pydantic error rewriting -------------------------------------------------------------


def _issues_from(exc: ValidationError, doc: YamlDoc) -> list[Issue]:
    grouped: dict[tuple[str | int, ...], list[dict[str, Any]]] = {}
    for error in exc.errors(include_url=False):
        loc, annotation = _resolve(tuple(error["loc"]))
        grouped.setdefault(loc, []).append({**error, "_annotation": annotation})
    issues = []
    for loc, errors in grouped.items():
        issues.append(Issue(doc.locate(loc), _message(loc, errors)))
    return issues


def _resolve(loc: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], Any]:
    """Drop pydantic's union-branch markers from ``loc``; return the annotation reached."""
    annotation: Any = Profile
    kept: list[str | int] = []
    for part in loc:
        inner = unwrap(annotation)
        model = next((t for t in inner if isinstance(t, type) and issubclass(t, BaseModel)), None)
        seq = next((t for t in inner if typing.get_origin(t) is list), None)
        if isinstance(part, int) and seq is not None:
            annotation = typing.get_args(seq)[0]
        elif isinstance(part, str) and model is not None and part in model.model_fields:
            annotation = model.model_fields[part].annotation
        elif isinstance(part, str) and model is not None and "[" not in part and part.isidentifier():
            kept.append(part)  # an unknown key: keep it, the annotation is its parent's
            return tuple(kept), model
        else:
            continue  # a union-branch marker such as 'bool' or "literal['unknown']"
        kept.append(part)
    return tuple(kept), annotation


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _choices(values: Sequence[Any]) -> str:
    shown = [_show(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _message(loc: tuple[str | int, ...], errors: list[dict[str, Any]]) -> str:
    first = errors[0]
    kind = first["type"]
    value = first.get("input")
    annotation = first["_annotation"]
    if kind == "extra_forbidden":
        model = annotation
        names = list(model.model_fields) if isinstance(model, type) else []
        key = str(loc[-1])
        return (f"unknown key '{key}'.{hint(key, names)} Allowed keys here: {', '.join(names)}.")
    if kind == "missing":
        return "this key is required but missing"
    values = allowed_values(annotation)
    if values is not None and not any(e["type"].startswith(("value_error", "too_")) for e in errors):
        shown = _show(value) if isinstance(value, (str, bool, int, float)) else type(value).__name__
        text = f"'{shown}' is not an allowed value; write {_choices(values)}."
        if isinstance(value, str):
            guess = did_you_mean(value, [_show(v) for v in values])
            if guess:
                text += f" Did you mean '{guess}'?"
            if value.lower() in {"yes", "no", "on", "off", "y", "n", "oui", "non"}:
                text += " (yes/no/on/off are not read as booleans, to avoid YAML surprises)"
        return text
    messages = []
    for error in errors:
        msg = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "string_type" and isinstance(value, (int, float, bool)):
            msg = "expected text; put the value between quotes"
        elif error["type"] in {"float_type", "int_type", "float_parsing", "int_parsing"}:
            msg = f"expected a number, got '{_show(value)}'"
        elif error["type"] == "finite_number":
            msg = "expected a finite number (not NaN or infinity)"
        elif error["type"] in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
            msg = f"expected a date written YYYY-MM-DD, got '{_show(value)}'"
        messages.append(msg[0].lower() + msg[1:] if msg else msg)
    return "; ".join(dict.fromkeys(messages))
