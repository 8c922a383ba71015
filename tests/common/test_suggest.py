"""Tests of engine.common.suggest: the did-you-mean of every unknown key, value and field."""

from __future__ import annotations

import pytest

from engine.common.suggest import did_you_mean, hint

SECTORS = ["artisan", "ecommerce", "cabinet_liberal", "other"]


@pytest.mark.parametrize(("word", "best"), [
    ("artisn", "artisan"),          # a letter missing
    ("e-commerce", "ecommerce"),    # an extra character
    ("cabinet-liberal", "cabinet_liberal"),
    ("ARTISAN", "artisan"),         # case alone: the choice as it is spelt
    ("Other", "other"),
])
def test_the_closest_choice(word: str, best: str) -> None:
    assert did_you_mean(word, SECTORS) == best


@pytest.mark.parametrize("word", ["boulangerie", "x", ""])
def test_nothing_close_enough(word: str) -> None:
    assert did_you_mean(word, SECTORS) is None


def test_no_choices() -> None:
    assert did_you_mean("sector", []) is None
    assert hint("sector", iter(())) == ""


def test_any_iterable_and_duplicates() -> None:
    assert did_you_mean("sectr", (n for n in ["sector", "sector", "city"])) == "sector"


def test_hint_is_a_sentence_to_append() -> None:
    assert hint("artisn", SECTORS) == " Did you mean 'artisan'?"
    assert hint("boulangerie", SECTORS) == ""


def test_the_same_answer_whatever_the_order() -> None:
    """Ties are broken the same way every run (messages are compared as text)."""
    choices = ["use_case_b", "use_case_a"]
    assert did_you_mean("use_case_", choices) == did_you_mean("use_case_", choices[::-1])
