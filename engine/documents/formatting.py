"""French formats for the deliverables (dates, euros, numbers, percentages, durations, lists).

Every function is pure and goes through Babel's ``fr_FR`` locale data, then applies two house
rules that make the text safe to drop into Word documents and charts:

* **No-break spaces.** Babel (CLDR) groups thousands with U+202F NARROW NO-BREAK SPACE, which
  several Office fonts do not render. Every space inside a formatted value (thousands separator,
  before ``€``, ``%``, ``h``, ``mois``) is U+00A0 NO-BREAK SPACE instead, so ``1 500 €`` never
  breaks across lines and always renders.
* **Minus sign.** Negative values start with U+2212 MINUS SIGN (``−1 500 €``), the typographic
  minus that matplotlib also uses on chart axes, never a hyphen. A value that rounds to zero is
  printed without a sign (``0 €``, never ``−0 €``).

Rounding is half-up on the decimal value as written (``0.25`` gives ``0,3``), the way a reader
expects, not banker's rounding. The text never contains ``None``, ``nan`` or ``inf``: NaN or
infinite input raises :class:`ValueError`, a non-number (``None``, ``True``, a string) raises
:class:`TypeError`.

Why:
    Report, charter, brief, CSV and chart must print the same figure the same way, and a French
    reader must see French conventions (``1 234,50 €``, ``12,5 %``, ``1er mars 2026``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

__all__ = [
    "MINUS",
    "NBSP",
    "country_fr",
    "date_fr",
    "date_short_fr",
    "euros",
    "hours_fr",
    "list_fr",
    "months_fr",
    "number_fr",
    "percent_fr",
]

NBSP = "\u00a0"
"""NO-BREAK SPACE, used for every space inside a formatted value."""

MINUS = "\u2212"
"""MINUS SIGN, the sign of negative values."""

_NNBSP = "\u202f"
_LOCALE = Locale.parse("fr_FR")

Number = float | int | Decimal


def _to_decimal(x: Number) -> Decimal:
    """Return ``x`` as a finite Decimal; reject booleans, non-numbers, NaN and infinities.

    A float goes through ``repr`` so that ``0.1`` is 0.1, not its binary expansion.
    """
    if isinstance(x, bool) or not isinstance(x, float | int | Decimal):
        raise TypeError(f"expected a number, got {type(x).__name__}: {x!r}")
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"cannot format a non-finite number: {x!r}")
        return Decimal(repr(x))
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise ValueError(f"cannot format a non-finite number: {x!r}")
        return x
    return Decimal(x)


def _round(value: Decimal, decimals: int) -> Decimal:
    """Round half-up to ``decimals`` places (``decimals`` >= 0)."""
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    try:
        return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the decimal context allows
        raise ValueError(f"number too large to format: {value!r}") from exc


def _digits(value: Decimal, min_decimals: int, max_decimals: int) -> str:
    """Group and punctuate an already rounded value the French way, with the house sign."""
    pattern = "#,##0"
    if max_decimals:
        pattern += "." + "0" * min_decimals + "#" * (max_decimals - min_decimals)
    text = format_decimal(abs(value), format=pattern, locale=_LOCALE)
    text = text.replace(_NNBSP, NBSP).replace(" ", NBSP)
    return MINUS + text if value < 0 else text


def _with_unit(x: Number, max_decimals: int, unit: str) -> str:
    """Round half-up to at most ``max_decimals`` decimals; append ``unit`` after a U+00A0."""
    text = _digits(_round(_to_decimal(x), max_decimals), 0, max_decimals)
    return f"{text}{NBSP}{unit}" if unit else text


def date_fr(d: date) -> str:
    """Long French date, with the ordinal ``1er`` for the first day of a month.

    >>> date_fr(date(2026, 11, 26))
    '26 novembre 2026'
    >>> date_fr(date(2026, 3, 1))
    '1er mars 2026'
    """
    if not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}: {d!r}")
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {format_date(d, 'MMMM y', locale=_LOCALE)}"


def date_short_fr(d: date) -> str:
    """Numeric French date ``JJ/MM/AAAA``.

    >>> date_short_fr(date(2026, 11, 26))
    '26/11/2026'
    >>> date_short_fr(date(2027, 1, 5))
    '05/01/2027'
    """
    if not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}: {d!r}")
    return format_date(d, "dd/MM/y", locale=_LOCALE)


def euros(x: Number, *, cents: bool | None = None) -> str:
    """An amount in euros: ``1 500 €``, ``1 234,50 €``, ``−80 €`` (spaces are U+00A0).

    ``cents=None`` (default) shows cents only when the amount, rounded to the cent, is not whole;
    ``True`` always shows them; ``False`` rounds to the whole euro.

    >>> euros(1500).replace(NBSP, " ")
    '1 500 €'
    >>> euros(1234.5).replace(NBSP, " ")
    '1 234,50 €'
    >>> euros(1499.999).replace(NBSP, " ")
    '1 500 €'
    >>> euros(19, cents=True).replace(NBSP, " ")
    '19,00 €'
    >>> euros(Decimal("1234.5"), cents=False).replace(NBSP, " ")
    '1 235 €'
    >>> euros(-1500).replace(NBSP, " ") == MINUS + "1 500 €"
    True
    """
    value = _to_decimal(x)
    if cents is False:
        shown, decimals = _round(value, 0), 0
    else:
        shown = _round(value, 2)
        decimals = 2 if cents or shown != shown.to_integral_value() else 0
        shown = _round(shown, decimals)
    return f"{_digits(shown, decimals, decimals)}{NBSP}€"


def number_fr(x: Number, max_decimals: int = 1) -> str:
    """A number with a decimal comma, at most ``max_decimals`` decimals, no trailing zeros.

    >>> number_fr(12.5)
    '12,5'
    >>> number_fr(12.0)
    '12'
    >>> number_fr(0.25)
    '0,3'
    >>> number_fr(12500).replace(NBSP, " ")
    '12 500'
    >>> number_fr(3.14159, max_decimals=2)
    '3,14'
    """
    return _with_unit(x, max_decimals, "")


def percent_fr(x: Number, decimals: int = 1) -> str:
    """A percentage given in percent (``12.5`` means 12,5 %), at most ``decimals`` decimals.

    >>> percent_fr(12.5).replace(NBSP, " ")
    '12,5 %'
    >>> percent_fr(300.0).replace(NBSP, " ")
    '300 %'
    >>> percent_fr(1234.56).replace(NBSP, " ")
    '1 234,6 %'
    """
    return _with_unit(x, decimals, "%")


def hours_fr(x: Number, max_decimals: int = 1) -> str:
    """A duration in hours.

    >>> hours_fr(6).replace(NBSP, " ")
    '6 h'
    >>> hours_fr(2.5).replace(NBSP, " ")
    '2,5 h'
    """
    return _with_unit(x, max_decimals, "h")


def months_fr(x: Number, max_decimals: int = 1) -> str:
    """A duration in months (``mois`` is the same in the singular and the plural).

    >>> months_fr(3.21).replace(NBSP, " ")
    '3,2 mois'
    >>> months_fr(1).replace(NBSP, " ")
    '1 mois'
    """
    return _with_unit(x, max_decimals, "mois")


def country_fr(code: str) -> str:
    """A country's French name from its ISO 3166 code (Babel's territories), else the code.

    >>> country_fr("US") == "\u00c9tats-Unis", country_fr("FR"), country_fr("XQ")
    (True, 'France', 'XQ')
    """
    name = _LOCALE.territories.get(code.upper())
    return name if isinstance(name, str) and name != _LOCALE.territories.get("ZZ") else code


def list_fr(items: Iterable[str], *, style: Literal["and", "or"] = "and") -> str:
    """Join words the French way: ``a, b et c`` (``style="or"``: ``a, b ou c``).

    >>> list_fr(["a", "b", "c"])
    'a, b et c'
    >>> list_fr(["a", "b"], style="or")
    'a ou b'
    >>> list_fr(["seul"])
    'seul'
    >>> list_fr([])
    ''
    """
    words = list(items)
    for word in words:
        if not isinstance(word, str):
            raise TypeError(f"expected strings, got {type(word).__name__}: {word!r}")
    if not words:
        return ""
    return format_list(words, style="standard" if style == "and" else "or", locale=_LOCALE)
