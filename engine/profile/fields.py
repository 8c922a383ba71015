"""The profile's field types: bounds, strict scalars, checked text and dates (SPEC §2).

Numbers are strict and finite (``true`` or ``"8"`` is not a number) and kept exactly as
written; text is bounded and free of control and direction-override characters; a date is
only ``YYYY-MM-DD`` text, within :data:`MIN_DATE` and :data:`MAX_DATE`. The models
(:mod:`engine.profile.model`) are built from these types and the closed vocabularies
(:mod:`engine.profile.vocabulary`).
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
)

from engine.common.text import forbidden_at

_T = TypeVar("_T")

MAX_TEXT = 500
MAX_LONG_TEXT = 4000
MAX_ITEMS = 200
MAX_AMOUNT = 1e12
MAX_HOURS = 10_000.0
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
CLIENT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
IDENTIFIER_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Not a name: yes/no words (a champion's absence is written false).
_NO_NAMES = frozenset({"yes", "no", "none", "true", "false", "oui", "non", "aucun", "aucune",
                       "personne", "n/a", "-"})


def _check_chars(value: str) -> str:
    bad = forbidden_at(value)
    if bad:
        code, position = bad
        raise ValueError(
            f"contains the invisible control character {code} at position {position}; "
            "remove it (control and text-direction characters are not allowed)"
        )
    return value.strip()


def _clean_text(value: str) -> str:
    value = _check_chars(value)
    if not value:
        raise ValueError("is blank; write a value or remove the key")
    return value


def _strict_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` text (quoted or not) is a date: never a number of seconds."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a date of the calendar") from None
    return value  # anything else fails the strict date check with a "date_type" error


def _unsigned_zero(value: float) -> float:
    """``-0`` is 0: a number is kept as written, but never prints as ``-0.0``."""
    return value + 0.0


def _date_in_range(value: dt.date) -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(
            f"the date {value.isoformat()} is out of range; write a date between "
            f"{MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}"
        )
    return value


Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_clean_text)]
LongText = Annotated[str, Field(max_length=MAX_LONG_TEXT), AfterValidator(_check_chars)]
Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]
ClientId = Annotated[str, Field(pattern=CLIENT_ID_PATTERN)]
# Numbers are strict: ``true`` or ``"8"`` is not a number (YAML 1.1 and quoting surprises), and
# kept exactly as written: documents round what they print (engine.documents.formatting).
Amount = Annotated[float, Strict(), Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False),
                   AfterValidator(_unsigned_zero)]
Hours = Annotated[float, Strict(), Field(ge=0, le=MAX_HOURS, allow_inf_nan=False),
                  AfterValidator(_unsigned_zero)]
Rate = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False), AfterValidator(_unsigned_zero)]
Count = Annotated[int, Strict(), Field(ge=0, le=10_000_000)]
Date = Annotated[
    dt.date, BeforeValidator(_strict_date), Strict(), AfterValidator(_date_in_range)
]
Tri = StrictBool | Literal["unknown"]


def _unique(items: list[_T]) -> list[_T]:
    seen: set[_T] = set()
    for item in items:
        if item in seen:
            shown = str(item) if len(str(item)) <= 60 else str(item)[:59] + "…"
            raise ValueError(f"'{shown}' is listed twice; list each value once")
        seen.add(item)
    return items


class Model(BaseModel):
    """Base of every profile model: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


# --- introspection used by the validator's messages and the fact schema -----------------


def unwrap(annotation: Any) -> list[Any]:
    """Flatten Annotated / Optional / Union into the list of member types."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(unwrap(arg))
        return out
    return [annotation]


def allowed_values(annotation: Any) -> list[Any] | None:
    """The closed set of values an annotation accepts, or None when it is open (text, numbers)."""
    values: list[Any] = []
    for member in unwrap(annotation):
        if member is type(None):
            continue
        if typing.get_origin(member) is typing.Literal:
            values.extend(typing.get_args(member))
        elif member is bool:
            values.extend([True, False])
        else:
            return None
    return values
