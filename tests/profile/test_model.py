"""The profile model keeps the user's numbers as written."""

from __future__ import annotations

import math

from engine.profile import model
from engine.profile.fields import MAX_AMOUNT, allowed_values
from engine.profile.model import Roi
from engine.profile.use_case import UseCase
from engine.profile.vocabulary import Sector

HOME_OF = ("engine.profile.fields", "engine.profile.use_case", "engine.profile.vocabulary")


def test_numbers_are_kept_exactly() -> None:
    roi = Roi(hourly_cost=40.555, subscription_per_month=0.00001, hours_saved_per_week=19)
    assert roi.hourly_cost == 40.555
    assert roi.subscription_per_month == 1e-05
    assert isinstance(roi.hours_saved_per_week, float)


def test_minus_zero_is_zero() -> None:
    roi = Roi(hourly_cost=-0.0)
    assert roi.hourly_cost == 0.0
    assert math.copysign(1.0, roi.hourly_cost) == 1.0


def test_the_split_model_keeps_its_names_and_its_pieces() -> None:
    """engine.profile.model was split (types, vocabularies, the use case): what other modules
    import from it is the same object as in its new home."""
    assert model.UseCase is UseCase
    assert model.Sector is Sector
    assert model.allowed_values is allowed_values
    assert allowed_values(model.Client.model_fields["sector"].annotation) == [
        "artisan", "ecommerce", "cabinet_liberal", "other"]
    assert Roi(hourly_cost=-0.0).hourly_cost == 0.0  # the field types' validators still run
    assert MAX_AMOUNT == 1e12
    for name in model.__all__:
        assert hasattr(model, name), name
