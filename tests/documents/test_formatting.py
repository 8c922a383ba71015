"""French formats: exact strings, no-break spaces, signs, rounding and refused input."""

from __future__ import annotations

import doctest
import math
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.documents import formatting
from engine.documents.formatting import (
    MINUS,
    NBSP,
    date_fr,
    date_short_fr,
    euros,
    hours_fr,
    list_fr,
    months_fr,
    number_fr,
    percent_fr,
)


def plain(text: str) -> str:
    """Show no-break spaces as ordinary ones, to write expectations legibly."""
    return text.replace(NBSP, " ")


def test_doctests_pass() -> None:
    result = doctest.testmod(formatting, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 20
    assert result.failed == 0


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 26), "26 novembre 2026"),
        (date(2026, 12, 1), "1er décembre 2026"),
        (date(2027, 2, 2), "2 février 2027"),
        (date(2027, 8, 1), "1er août 2027"),
        (datetime(2027, 12, 2, 15, 30), "2 décembre 2027"),
    ],
)
def test_date_fr(day: date, expected: str) -> None:
    assert date_fr(day) == expected


def test_date_short_fr() -> None:
    assert date_short_fr(date(2026, 11, 26)) == "26/11/2026"
    assert date_short_fr(date(2027, 1, 5)) == "05/01/2027"


@pytest.mark.parametrize("bad", ["2026-11-26", None, 20261126])
def test_dates_refuse_non_dates(bad: object) -> None:
    with pytest.raises(TypeError):
        date_fr(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        date_short_fr(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "cents", "expected"),
    [
        (1500, None, "1 500 €"),
        (1500.0, None, "1 500 €"),
        (Decimal("1500.00"), None, "1 500 €"),
        (1234.5, None, "1 234,50 €"),
        (0.1 + 0.2, None, "0,30 €"),
        (1499.999, None, "1 500 €"),
        (0, None, "0 €"),
        (19, True, "19,00 €"),
        (1234.56, False, "1 235 €"),
        (2.5, False, "3 €"),
        (1_250_000, None, "1 250 000 €"),
        (-1500, None, MINUS + "1 500 €"),
        (-0.004, None, "0 €"),
        (-0.4, False, "0 €"),
    ],
)
def test_euros(amount: float | int | Decimal, cents: bool | None, expected: str) -> None:
    assert plain(euros(amount, cents=cents)) == expected


def test_spaces_are_no_break_and_never_narrow() -> None:
    text = euros(1234567.5) + percent_fr(1234.5) + hours_fr(1500) + months_fr(12)
    assert "\u202f" not in text
    assert " " not in text
    assert euros(1500) == f"1{NBSP}500{NBSP}€"
    assert percent_fr(12.5) == f"12,5{NBSP}%"
    assert hours_fr(6) == f"6{NBSP}h"


@pytest.mark.parametrize(
    ("value", "max_decimals", "expected"),
    [
        (12.5, 1, "12,5"),
        (12.0, 1, "12"),
        (12.46, 1, "12,5"),
        (0.25, 1, "0,3"),
        (0.35, 1, "0,4"),
        (2.675, 2, "2,68"),
        (12500, 1, "12 500"),
        (12.5, 0, "13"),
        (-3.25, 1, MINUS + "3,3"),
        (-0.04, 1, "0"),
    ],
)
def test_number_fr(value: float, max_decimals: int, expected: str) -> None:
    assert plain(number_fr(value, max_decimals=max_decimals)) == expected


def test_percent_hours_months() -> None:
    assert plain(percent_fr(12.5)) == "12,5 %"
    assert plain(percent_fr(300.0)) == "300 %"
    assert plain(percent_fr(33.333, decimals=0)) == "33 %"
    assert plain(percent_fr(-45.0)) == MINUS + "45 %"
    assert plain(hours_fr(2.5)) == "2,5 h"
    assert plain(hours_fr(0.5)) == "0,5 h"
    assert plain(months_fr(3.21)) == "3,2 mois"
    assert plain(months_fr(1)) == "1 mois"


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("Infinity")]
)
@pytest.mark.parametrize("func", [euros, number_fr, percent_fr, hours_fr, months_fr])
def test_non_finite_input_is_refused(func: object, bad: float | Decimal) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        func(bad)  # type: ignore[operator]


@pytest.mark.parametrize("bad", [None, True, "12", [1]])
def test_non_numbers_are_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        euros(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        number_fr(bad)  # type: ignore[arg-type]


def test_negative_decimals_are_refused() -> None:
    with pytest.raises(ValueError, match="decimals"):
        number_fr(1.5, max_decimals=-1)


def test_absurdly_large_number_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="too large"):
        euros(1e300)


def test_list_fr() -> None:
    assert list_fr(["a", "b", "c"]) == "a, b et c"
    assert list_fr(["Meya.ai", "Brevo"]) == "Meya.ai et Brevo"
    assert list_fr(iter(["x"])) == "x"
    assert list_fr([]) == ""
    assert list_fr(["oui", "non", "à compléter"], style="or") == "oui, non ou à compléter"
    with pytest.raises(TypeError):
        list_fr(["a", None])  # type: ignore[list-item]


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_never_prints_junk(value: float) -> None:
    for text in (euros(value), number_fr(value), percent_fr(value), hours_fr(value)):
        lowered = text.lower()
        assert "nan" not in lowered
        assert "inf" not in lowered
        assert "none" not in lowered
        assert "e+" not in lowered
        assert "-" not in text  # the minus sign is U+2212, never a hyphen
        assert "." not in text  # French decimal comma, no dot grouping


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2))
def test_euros_round_trip(value: Decimal) -> None:
    text = euros(value, cents=True).replace(NBSP, "").replace("€", "").replace(MINUS, "-")
    assert Decimal(text.replace(",", ".")) == value
