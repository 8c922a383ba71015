"""Return on investment with the guide's formula (guide 2.1) and pilot figures (guide 5.4).

``ROI (%) = (Gains - Costs) / Costs x 100`` over the first year. Costs are the subscription
for twelve months plus the one-off costs (set-up and training hours at the loaded hourly cost,
integration). Gains are the hours saved, the errors avoided and the margin on the extra revenue,
over a year of :data:`WORKING_WEEKS_PER_YEAR` weeks. Extra revenue is not a gain: only its gross
margin is, at ``roi.gross_margin_rate``; without that rate the extra revenue is left out of the
gains (the report says so). Absent figures count as zero; whether the ROI can be measured at all
is a fact the rules read (guide 2.4: an ROI that cannot be measured).

An ROI that cannot be measured has no percentage (never the -100 % of a cost without gain):
its ``status`` is ``to_complete`` and ``missing`` names what the profile must give (a profile
key under ``roi``, or ``gain`` / ``cost`` when no figure of that side is given at all). A
measured gain at no cost at all has no percentage either (``no_cost``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from engine.profile.model import Pilot, Roi

RoiStatus = Literal["computed", "no_cost", "to_complete"]
RoiInput = Literal["gain", "cost", "hourly_cost", "cost_per_error", "gross_margin_rate"]
ROI_INPUTS: tuple[RoiInput, ...] = ("gain", "cost", "hourly_cost", "cost_per_error",
                                    "gross_margin_rate")

WORKING_WEEKS_PER_YEAR = 47  # 52 weeks less 5 weeks of paid leave (France)


@dataclass(frozen=True, slots=True)
class RoiFigures:
    """First-year figures of one use case, in euros (rounded to the cent)."""

    measurable: bool
    one_off_cost: float
    annual_cost: float
    annual_gain: float
    first_test_cost: float
    roi_percent: float | None
    payback_months: float | None
    time_gain: float = 0.0          # hours saved x hourly cost x working weeks
    error_gain: float = 0.0         # errors avoided x cost of an error x 12
    extra_revenue: float = 0.0      # extra revenue over a year (not a gain in itself)
    revenue_gain: float = 0.0       # its gross margin, counted only with a margin rate
    revenue_counted: bool = False   # the extra revenue entered the gains (a rate was given)
    status: RoiStatus = "computed"
    missing: tuple[RoiInput, ...] = ()  # what the profile must give to measure it


@functools.lru_cache(maxsize=1024)  # the facts and the assessment both need a use case's figures
def compute_roi(roi: Roi) -> RoiFigures:
    """Apply the guide 2.1 formula to a use case's ``roi`` block.

    >>> r = compute_roi(Roi(subscription_per_month=19, setup_hours=2, training_hours=1,
    ...                     hourly_cost=40, hours_saved_per_week=6))
    >>> r.annual_cost, r.annual_gain, r.roi_percent, r.payback_months
    (348.0, 11280.0, 3141.4, 0.1)
    >>> r = compute_roi(Roi(subscription_per_month=100, hourly_cost=40,
    ...                     extra_revenue_per_month=1000, gross_margin_rate=0.3))
    >>> r.annual_gain, r.revenue_gain, r.revenue_counted
    (3600.0, 3600.0, True)
    >>> r = compute_roi(Roi(subscription_per_month=100, extra_revenue_per_month=1000))
    >>> r.annual_gain, r.roi_percent, r.status, r.missing
    (0.0, None, 'to_complete', ('gross_margin_rate',))
    """
    hourly = roi.hourly_cost or 0.0
    one_off = ((roi.setup_hours or 0.0) + (roi.training_hours or 0.0)) * hourly + (
        roi.integration_cost or 0.0
    )
    subscription = roi.subscription_per_month or 0.0
    annual_cost = subscription * 12 + one_off
    time_gain = (roi.hours_saved_per_week or 0.0) * hourly * WORKING_WEEKS_PER_YEAR
    error_gain = (roi.errors_avoided_per_month or 0.0) * (roi.cost_per_error or 0.0) * 12
    extra_revenue = (roi.extra_revenue_per_month or 0.0) * 12
    counted = roi.gross_margin_rate is not None
    revenue_gain = extra_revenue * (roi.gross_margin_rate or 0.0)
    annual_gain = time_gain + error_gain + revenue_gain
    # Money counts from the cent: the profile keeps the user's numbers exactly, and a cost of
    # 1e-300 EUR must not make the ROI astronomical (nor a gain of 1e-300 make it measurable).
    one_off_cost, cost, gain = round(one_off, 2), round(annual_cost, 2), round(annual_gain, 2)
    costed = roi.subscription_per_month is not None or one_off_cost > 0
    measurable = gain > 0 and costed
    roi_percent = (annual_gain - annual_cost) / annual_cost * 100 if (
        measurable and cost > 0) else None
    status: RoiStatus = ("computed" if roi_percent is not None
                         else "no_cost" if measurable else "to_complete")
    monthly_net = annual_gain / 12 - subscription
    payback: float | None
    if round(monthly_net, 2) <= 0:
        payback = None
    elif one_off_cost == 0:
        payback = 0.0
    else:
        payback = one_off / monthly_net
    return RoiFigures(
        measurable=measurable,
        one_off_cost=one_off_cost,
        annual_cost=cost,
        annual_gain=gain,
        first_test_cost=round(subscription + one_off, 2),
        roi_percent=None if roi_percent is None else round(roi_percent, 1),
        payback_months=None if payback is None else round(payback, 1),
        time_gain=round(time_gain, 2),
        error_gain=round(error_gain, 2),
        extra_revenue=round(extra_revenue, 2),
        revenue_gain=round(revenue_gain, 2),
        revenue_counted=counted and extra_revenue > 0,
        status=status,
        missing=() if measurable else _missing(roi, gain > 0, costed),
    )


def _missing(roi: Roi, gained: bool, costed: bool) -> tuple[RoiInput, ...]:
    """What an ROI that cannot be measured lacks: a gain figure's other half (the hourly
    cost of the hours saved, the cost of an error, the margin rate of the extra revenue), or
    a whole side (``gain``, ``cost``) when none of its figures is given."""
    out: list[RoiInput] = []
    if not gained:
        if (roi.hours_saved_per_week or 0) > 0 and not roi.hourly_cost:
            out.append("hourly_cost")
        if (roi.errors_avoided_per_month or 0) > 0 and not roi.cost_per_error:
            out.append("cost_per_error")
        if (roi.extra_revenue_per_month or 0) > 0 and roi.gross_margin_rate is None:
            out.append("gross_margin_rate")
        if not out:
            out.append("gain")
    if not costed:
        out.append("cost")
    return tuple(sorted(out, key=ROI_INPUTS.index))


@dataclass(frozen=True, slots=True)
class PilotFigures:
    """What the pilot dashboard (guide 5.4) says, for the scale-up and stop rules."""

    weeks: int
    positive_streak: int  # trailing consecutive weeks where time saved exceeded time spent
    first_two_weeks_net_h: float | None  # hours saved minus spent over weeks 1-2
    total_net_h: float


def pilot_figures(pilot: Pilot) -> PilotFigures:
    """Summarise the weekly pilot table.

    >>> from engine.profile.model import PilotWeek
    >>> p = Pilot(weeks=[PilotWeek(week=1, time_spent_h=2, time_saved_h=3),
    ...                  PilotWeek(week=2, time_spent_h=1, time_saved_h=5)])
    >>> pilot_figures(p)
    PilotFigures(weeks=2, positive_streak=2, first_two_weeks_net_h=5.0, total_net_h=5.0)
    """
    streak = 0
    for week in reversed(pilot.weeks):
        if week.time_saved_h > week.time_spent_h:
            streak += 1
        else:
            break
    early = [w for w in pilot.weeks if w.week <= 2]
    first_two = (
        round(sum(w.time_saved_h - w.time_spent_h for w in early), 2) if len(early) == 2 else None
    )
    total = round(sum(w.time_saved_h - w.time_spent_h for w in pilot.weeks), 2)
    return PilotFigures(len(pilot.weeks), streak, first_two, total)
