"""The guide's ROI formula (guide 2.1) and pilot figures (guide 5.4)."""

from __future__ import annotations

import doctest

from engine.assessment import roi as roi_module
from engine.assessment.roi import compute_roi
from engine.profile.model import Roi


def test_doctests_pass() -> None:
    result = doctest.testmod(roi_module)
    assert result.attempted > 0
    assert result.failed == 0


def test_no_gain_is_not_measurable_and_never_pays_back() -> None:
    figures = compute_roi(Roi(subscription_per_month=20))
    assert not figures.measurable
    assert figures.roi_percent == -100.0
    assert figures.payback_months is None


def test_no_cost_at_all_has_no_roi_percent() -> None:
    figures = compute_roi(Roi(hours_saved_per_week=1, hourly_cost=30))
    assert not figures.measurable  # nothing spent is not a measured investment
    assert figures.roi_percent is None
    assert figures.payback_months == 0.0
