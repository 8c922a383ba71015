"""Stage 2: YAML document -> validated :class:`~engine.profile.model.Profile`.

Pydantic's errors are rewritten for consultants: each names the file, line, column and key
path, says what is wrong in plain words and what would be right (allowed values, did-you-mean).
All problems of a file are reported in one pass. A problem in a value points at the value; an
unknown key points at the key; a missing key at its parent.

Why:
    Profiles come from clients, sometimes hostile. A message must never replay what it quotes
    as-is: terminal escape sequences, text-direction overrides and huge values are shown
    escaped and shortened, so an error listing cannot be forged or flooded.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.common.suggest import did_you_mean, hint
from engine.common.text import lookalikes, printable, shown
from engine.common.validation import unknown_key
from engine.errors import Issue, Location, ProfileError
from engine.profile.model import (
    CLIENT_ID_PATTERN,
    MAX_DATE,
    MIN_DATE,
    Profile,
    UseCase,
    Vendor,
    allowed_values,
    unwrap,
)
from engine.profile.yamlio import YamlDoc, load_yaml, load_yaml_bytes, read_file

CLIENT_ID = re.compile(CLIENT_ID_PATTERN)
# Names Windows reserves for devices: a folder with such a name cannot be created or opened.
RESERVED_IDS = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
MAX_MESSAGE = 1000
MAX_KEY_PATH = 200
_NUMBER_TEXT = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?(?:[eE][-+]?[0-9]+)?")
_NOT_FINITE = {"nan", "inf", "infinity"}
_YES_NO = {"yes", "no", "on", "off", "y", "n", "oui", "non"}


def read_profile(path: Path, *, display_path: str | None = None) -> bytes:
    """The bytes of a profile file, read once (type and size checked on the opened file).

    Raises:
        ProfileError: not a regular file, too large, unreadable.
    """
    try:
        return read_file(path, display_path=display_path, error_cls=ProfileError)
    except ProfileError as exc:
        raise ProfileError.of([safe_issue(i) for i in exc.issues], exc.summary) from None


def load_profile(path: Path, *, display_path: str | None = None,
                 register_ids: Collection[str] | None = None,
                 data: bytes | None = None) -> Profile:
    """Read, validate and cross-check one profile file.

    Args:
        register_ids: the vendor register's ids, to check ``vendors[].register_id`` (None: skip).
        data: the file's bytes when the caller has read them (:func:`read_profile`), so that
            the bytes it fingerprints are the bytes validated; None: read ``path``.

    Raises:
        ProfileError: with every problem found, each at its file:line:column: key.path.
    """
    shown_path = display_path if display_path is not None else str(path)
    try:
        raw = read_profile(path, display_path=shown_path) if data is None else data
        doc = load_yaml_bytes(raw, shown_path, error_cls=ProfileError)
        return profile_from_doc(doc, default_id=path.stem, register_ids=register_ids)
    except ProfileError as exc:
        raise ProfileError.of([safe_issue(i) for i in exc.issues], exc.summary) from None


def client_id_location(path: Path, *, display_path: str | None = None) -> Location:
    """Where a valid profile sets its client id (``client.id``, else the ``client`` key).

    For messages about two files with the same id; any problem gives the bare file.
    """
    shown = display_path if display_path is not None else str(path)
    try:
        doc = load_yaml(path, display_path=shown, error_cls=ProfileError)
    except ProfileError:
        return Location(shown)
    client = doc.data.get("client")
    if isinstance(client, dict) and "id" in client:
        return doc.locate_value(("client", "id"))
    return doc.locate(("client",))


def profile_from_doc(doc: YamlDoc, *, default_id: str,
                     register_ids: Collection[str] | None = None) -> Profile:
    """Validate an already loaded YAML document (see :func:`load_profile`)."""
    try:
        profile = Profile.model_validate(doc.data)
    except ValidationError as exc:
        raise ProfileError.of(_issues_from(exc, doc)) from None
    issues = _cross_check(profile, doc, register_ids)
    if issues:
        raise ProfileError.of(issues)
    if profile.client.id is None:
        client_id = default_id.lower()
        if not CLIENT_ID.fullmatch(client_id) or client_id in RESERVED_IDS:
            raise ProfileError.of([Issue(doc.locate(("client",)), (
                f"the file name '{shown(default_id)}' cannot serve as client id; add client.id: "
                "a lower-case id of letters, digits and '-' (e.g. 'plomberie-martin')"))])
        client = profile.client.model_copy(update={"id": client_id})
        profile = profile.model_copy(update={"client": client})
    return profile


# --- safe display of user text ------------------------------------------------------------


def safe_issue(issue: Issue) -> Issue:
    """``issue`` with its file, key path and message safe to print on a terminal."""
    where = issue.location
    key_path = shown(where.key_path, MAX_KEY_PATH) if where.key_path else where.key_path
    location = Location(printable(where.file), where.line, where.column, key_path)
    return Issue(location, shown(issue.message, MAX_MESSAGE))


def describe(value: Any) -> str:
    """What a YAML value is, in a few words: ``true``, ``12``, ``'abc'``, ``a list``..."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return f"'{shown(value)}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a block of 'key: value' lines"
    return type(value).__name__  # pragma: no cover - YAML gives only the types above


# --- cross-checks pydantic cannot do --------------------------------------------------------


def _suggest_id(value: str) -> str:
    """A valid client id close to ``value``, or "" when none can be derived."""
    guess = re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-")[:63].strip("-")
    if CLIENT_ID.fullmatch(guess) and guess not in RESERVED_IDS and guess != value:
        return f" Did you mean '{guess}'?"
    return ""


def _cross_check(profile: Profile, doc: YamlDoc,
                 register_ids: Collection[str] | None) -> list[Issue]:
    issues: list[Issue] = []
    cid = profile.client.id
    if cid is not None and cid in RESERVED_IDS:
        issues.append(Issue(doc.locate_value(("client", "id")), (
            f"'{cid}' is a name Windows reserves for a device (con, prn, aux, nul, com0-9, "
            "lpt0-9): it cannot be a folder name; choose another client id")))
    groups: list[tuple[str, Sequence[Vendor | UseCase]]] = [
        ("vendors", profile.vendors), ("use_cases", profile.use_cases)]
    for kind, items in groups:
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            if item.id in first:
                where = doc.locate((kind, first[item.id], "id"))
                issues.append(Issue(doc.locate_value((kind, index, "id")), (
                    f"duplicate id '{item.id}' (already used at line {where.line}); "
                    "give each entry its own id")))
            first.setdefault(item.id, index)
    vendor_ids = [v.id for v in profile.vendors]
    if register_ids is not None:
        for index, vendor in enumerate(profile.vendors):
            if vendor.register_id is not None and vendor.register_id not in register_ids:
                issues.append(Issue(doc.locate_value(("vendors", index, "register_id")), (
                    f"'{vendor.register_id}' is not in the vendor register (see iapme vendors "
                    "list)." + hint(vendor.register_id, register_ids))))
    for index, use_case in enumerate(profile.use_cases):
        if use_case.vendor is not None and use_case.vendor not in vendor_ids:
            known = ", ".join(vendor_ids) or "none declared"
            issues.append(Issue(doc.locate_value(("use_cases", index, "vendor")), (
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
        on_key = errors[0]["type"] in {"extra_forbidden", "missing"}
        where = doc.locate(loc) if on_key else doc.locate_value(loc)
        issues.append(Issue(where, _message(loc, errors)))
    return issues


def _resolve(loc: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], Any]:
    """Drop pydantic's union-branch markers from ``loc``; return the annotation reached.

    A string that is not a field of the model reached is an unknown key when that model is the
    only type allowed there (whatever its spelling: 'first name', 'x[0]'...), and a union-branch
    marker ('bool', "literal['unknown']") when the place allows several types.
    """
    annotation: Any = Profile
    kept: list[str | int] = []
    for part in loc:
        inner = unwrap(annotation)
        members = [t for t in inner if t is not type(None)]
        model = next((t for t in inner if isinstance(t, type) and issubclass(t, BaseModel)), None)
        seq = next((t for t in inner if typing.get_origin(t) is list), None)
        if isinstance(part, int) and seq is not None:
            annotation = typing.get_args(seq)[0]
        elif isinstance(part, str) and model is not None and part in model.model_fields:
            annotation = model.model_fields[part].annotation
        elif isinstance(part, str) and model is not None and len(members) == 1:
            kept.append(part)  # an unknown key: keep it, the annotation is its parent's
            return tuple(kept), model
        else:
            continue  # a union-branch marker such as 'bool' or "literal['unknown']"
        kept.append(part)
    return tuple(kept), annotation


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return shown(str(value))


def _choices(values: Sequence[Any]) -> str:
    shown_values = [_show(v) for v in values]
    if len(shown_values) == 1:
        return shown_values[0]
    return ", ".join(shown_values[:-1]) + " or " + shown_values[-1]


def _number_message(value: Any, whole: bool) -> str:
    wanted = "a whole number" if whole else "a number"
    if isinstance(value, str) and value.strip().lower().lstrip("+-.") in _NOT_FINITE:
        return f"expected {wanted}, got {describe(value)}: NaN and infinity are not allowed"
    if isinstance(value, float) and whole:
        return f"expected a whole number, got {value!r}"
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        return f"expected {wanted}, got the text {describe(value)}; remove the quotes"
    return f"expected {wanted} written in digits, got {describe(value)}"


def _limit(error: dict[str, Any]) -> str:
    """The bound an error names (``ge``, ``le``, ``max_length``...), written for people."""
    context = error.get("ctx") or {}
    value = next((context[k] for k in ("ge", "gt", "le", "lt", "max_length") if k in context), 0)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def _one(error: dict[str, Any], loc: tuple[str | int, ...]) -> str:
    """The plain-words message of one pydantic error."""
    kind, value = error["type"], error.get("input")
    limit = _limit(error)
    if kind == "string_type":
        if isinstance(value, int | float | bool):
            return f"expected text, got {describe(value)}; put the value between quotes"
        return f"expected text, got {describe(value)}"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"expected a block of 'key: value' lines here, got {describe(value)}"
    if kind == "list_type":
        return f"expected a list (e.g. [a, b] or '- a' lines), got {describe(value)}"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _number_message(value, whole=True)
    if kind in {"float_type", "float_parsing"}:
        return _number_message(value, whole=False)
    if kind == "finite_number":
        return "expected a finite number (not NaN or infinity)"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"must be {limit} or more, not {describe(value)}"
    if kind in {"less_than_equal", "less_than"}:
        return f"must be at most {limit}, not {describe(value)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long ({len(str(value)):,} characters; at most {limit})"
    if kind == "too_long":
        count = f"{len(value):,}; " if isinstance(value, list) else ""
        return f"lists too many items ({count}at most {limit})"
    if kind == "string_pattern_mismatch":
        return _pattern_message(loc, str(value))
    if kind.startswith("date") or kind.startswith("datetime"):
        return (f"expected a date written YYYY-MM-DD between {MIN_DATE.isoformat()} and "
                f"{MAX_DATE.isoformat()}, got {describe(value)}")
    msg = str(error["msg"]).removeprefix("Value error, ")
    return msg[0].lower() + msg[1:] if msg else kind


def _pattern_message(loc: tuple[str | int, ...], value: str) -> str:
    field = loc[-1] if loc else ""
    if loc[:2] == ("client", "id"):
        return (f"'{shown(value)}' cannot be a client id: it names the client's folder, so use 1 "
                "to 63 lower-case letters, digits and '-', starting with a letter or a digit "
                "(no '/', '.', '_', spaces or capitals)." + _suggest_id(value))
    if field == "country":
        return f"'{shown(value)}' is not a country code; write two capital letters (FR, DE, US...)"
    return (f"'{shown(value)}' is not a valid id: use 1 to 63 lower-case letters, digits, '-' "
            "and '_', starting with a letter or a digit")


def _name_or_false(annotation: Any) -> bool:
    """A name or ``false`` (``client.ai_champion``: false when none is designated)."""
    members = unwrap(annotation)
    return str in members and any(typing.get_origin(t) is typing.Literal for t in members)


def _message(loc: tuple[str | int, ...], errors: list[dict[str, Any]]) -> str:
    first = errors[0]
    kind = first["type"]
    value = first.get("input")
    annotation = first["_annotation"]
    if kind == "extra_forbidden":
        model = annotation
        is_model = isinstance(model, type) and issubclass(model, BaseModel)
        names = list(model.model_fields) if is_model else []
        return unknown_key(str(loc[-1]), names, listed=True)
    if kind == "missing":
        return "this key is required but missing"
    if _name_or_false(annotation) and kind in {"string_type", "literal_error"}:
        return f"expected a name in quotes, or false when there is none, got {describe(value)}"
    values = allowed_values(annotation)
    constrained = any(e["type"].startswith(("value_error", "too_")) for e in errors)
    if values is not None and not constrained:
        note = lookalikes(value) if isinstance(value, str) else ""
        text = f"{describe(value)}{note} is not an allowed value; write {_choices(values)}."
        if isinstance(value, str) and True in values and value.lower() in ("true", "false"):
            return f"{describe(value)} is text, not {value.lower()}: remove the quotes"
        if isinstance(value, str):
            guess = did_you_mean(value, [_show(v) for v in values])
            if guess:
                text += f" Did you mean '{guess}'?"
            if value.lower() in _YES_NO:
                text += " (yes/no/on/off are not read as booleans, to avoid YAML surprises)"
        return text
    return "; ".join(dict.fromkeys(_one(error, loc) for error in errors))
