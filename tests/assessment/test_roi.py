"""ROI with exact numbers: money counts from the cent.

The guide's ROI formula (guide 2.1) and pilot figures (guide 5.4).
"""

from __future__ import annotations

import doctest

import pytest

from engine.assessment import roi as roi_module
from engine.assessment.roi import compute_roi
from engine.profile.model import Roi


def test_ordinary_figures_are_unchanged() -> None:
    figures = compute_roi(Roi(subscription_per_month=19, setup_hours=2, training_hours=1,
                              hourly_cost=40, hours_saved_per_week=6))
    assert (figures.annual_cost, figures.annual_gain, figures.roi_percent) == (348.0, 11280.0,
                                                                                3141.4)


def test_a_cost_below_a_cent_gives_no_astronomical_roi() -> None:
    figures = compute_roi(Roi(subscription_per_month=5e-324, hourly_cost=1e-05,
                              hours_saved_per_week=6, setup_hours=1))
    assert figures.annual_cost == 0.0
    assert figures.roi_percent is None
    assert figures.measurable is False  # the gain, 6 h x 1e-05 EUR x 47, is below a cent


def test_a_gain_below_a_cent_pays_nothing_back() -> None:
    figures = compute_roi(Roi(subscription_per_month=10, setup_hours=1, hourly_cost=50,
                              extra_revenue_per_month=1e-300))
    assert figures.payback_months is None
    assert figures.annual_gain == 0.0


def test_doctests_pass() -> None:
    result = doctest.testmod(roi_module)
    assert result.attempted > 0
    assert result.failed == 0


def test_no_gain_is_not_measurable_and_never_pays_back() -> None:
    """A cost without any gain entered is an ROI to complete, never a meaningless -100 %."""
    figures = compute_roi(Roi(subscription_per_month=20))
    assert not figures.measurable
    assert figures.roi_percent is None
    assert (figures.status, figures.missing) == ("to_complete", ("gain",))
    assert figures.payback_months is None


@pytest.mark.parametrize(("roi", "missing"), [
    (Roi(subscription_per_month=40, hours_saved_per_week=0, extra_revenue_per_month=1200),
     ("gross_margin_rate",)),
    (Roi(subscription_per_month=40, hours_saved_per_week=3), ("hourly_cost",)),
    (Roi(integration_cost=500, errors_avoided_per_month=4), ("cost_per_error",)),
    (Roi(hours_saved_per_week=0), ("gain", "cost")),
])
def test_what_an_roi_to_complete_lacks(roi: Roi, missing: tuple[str, ...]) -> None:
    figures = compute_roi(roi)
    assert (figures.status, figures.missing, figures.roi_percent) == (
        "to_complete", missing, None)


def test_a_measured_roi_lacks_nothing() -> None:
    figures = compute_roi(Roi(subscription_per_month=20, hourly_cost=30, hours_saved_per_week=1,
                              extra_revenue_per_month=100))  # the margin rate is only a note
    assert (figures.status, figures.missing) == ("computed", ())
    free = compute_roi(Roi(subscription_per_month=0, hourly_cost=30, hours_saved_per_week=1))
    assert (free.status, free.roi_percent, free.measurable) == ("no_cost", None, True)


def test_no_cost_at_all_has_no_roi_percent() -> None:
    figures = compute_roi(Roi(hours_saved_per_week=1, hourly_cost=30))
    assert not figures.measurable  # nothing spent is not a measured investment
    assert figures.roi_percent is None
    assert figures.payback_months == 0.0
