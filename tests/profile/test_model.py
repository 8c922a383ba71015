"""The profile model keeps the user's numbers as written."""

from __future__ import annotations

import math

from engine.profile.model import Roi


def test_numbers_are_kept_exactly() -> None:
    roi = Roi(hourly_cost=40.555, subscription_per_month=0.00001, hours_saved_per_week=19)
    assert roi.hourly_cost == 40.555
    assert roi.subscription_per_month == 1e-05
    assert isinstance(roi.hours_saved_per_week, float)


def test_minus_zero_is_zero() -> None:
    roi = Roi(hourly_cost=-0.0)
    assert roi.hourly_cost == 0.0
    assert math.copysign(1.0, roi.hourly_cost) == 1.0
