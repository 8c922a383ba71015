"""A use case's ROI as the report prints it (``u.roi`` in the template contract).

Display rules (guide 2.1, for a finance reader): percentages to the unit; above 1 000 %, only
``plus de 1 000 %`` (the order of magnitude is all that means something) with the gain and the
cost beside it; a payback under a month is ``moins d'un mois``; the extra revenue counts for its
gross margin only, and when the margin rate is missing the report says it was left out; the
figures the ROI rests on are listed (the formula itself is printed once, ``roi_method``). An
ROI that cannot be measured is "to be completed" (``labels.todo_cell``), with the inputs it lacks
in its note, never a percentage.
"""

from __future__ import annotations

from typing import Any

from engine.assessment.assess import UseCaseAssessment
from engine.assessment.roi import WORKING_WEEKS_PER_YEAR
from engine.documents.formatting import (
    euros,
    hours_fr,
    list_fr,
    months_fr,
    number_fr,
    percent_fr,
)
from engine.documents.texts import Texts
from engine.documents.wording import Wording

ROI_DISPLAY_LIMIT = 1000.0  # percent: above it, "plus de 1 000 %"


def roi_percent_text(value: float | None, wording: Wording) -> str:
    """``466 %``, "more than 1,000 %" or "to be completed", in the texts' words (a table
    cell: ``labels.todo_cell``).

    A ROI is rounded to the unit; above :data:`ROI_DISPLAY_LIMIT` only the bound is shown.
    """
    if value is None:
        return wording.todo_cell
    if value > ROI_DISPLAY_LIMIT:
        return wording.texts.text("labels.roi.above", limit=percent_fr(ROI_DISPLAY_LIMIT, 0))
    return percent_fr(value, 0)


def payback_text(months: float | None, measurable: bool, wording: Wording) -> str:
    texts = wording.texts
    if months is None:
        return texts.text("labels.payback_not_reached") if measurable else wording.todo_cell
    if months < 1:
        return texts.text("labels.roi.payback_under_month")
    return months_fr(months)


def roi_entry(u: UseCaseAssessment, wording: Wording) -> dict[str, Any]:
    """The ROI table, its inputs and its notes."""
    texts = wording.texts
    roi, given = u.roi, u.use_case.roi
    notes = []
    if roi.status == "to_complete":
        notes.append(texts.text("report.roi_not_measurable", inputs=list_fr(
            [texts.text(f"labels.roi.missing.{key}") for key in roi.missing])))
    if roi.extra_revenue > 0:
        if roi.revenue_counted:
            notes.append(texts.text("report.roi.revenue_counted", amount=euros(roi.extra_revenue),
                                    rate=percent_fr((given.gross_margin_rate or 0) * 100, 0),
                                    gain=euros(roi.revenue_gain)))
        else:
            notes.append(texts.text("report.roi.revenue_not_counted",
                                    amount=euros(roi.extra_revenue)))
    if roi.roi_percent is not None and roi.roi_percent > ROI_DISPLAY_LIMIT:
        notes.append(texts.text("report.roi.above", gain=euros(roi.annual_gain),
                                cost=euros(roi.annual_cost)))
    return {
        "measurable": roi.measurable,
        "note": " ".join(notes),
        "notes": notes,
        "annual_cost": euros(roi.annual_cost),
        "annual_gain": euros(roi.annual_gain),
        "one_off_cost": euros(roi.one_off_cost),
        "roi_percent": roi_percent_text(roi.roi_percent, wording),
        "payback": payback_text(roi.payback_months, roi.measurable, wording),
        "inputs": _inputs(u, texts),
    }


def _inputs(u: UseCaseAssessment, texts: Texts) -> list[dict[str, str]]:
    """The figures the ROI rests on, those the profile gives."""
    r = u.use_case.roi
    rows: list[tuple[str, str]] = []
    if r.subscription_per_month is not None:
        rows.append(("subscription", euros(r.subscription_per_month)))
    if r.setup_hours or r.training_hours:
        rows.append(("setup", texts.text("labels.roi.setup_value",
                                         setup=hours_fr(r.setup_hours or 0),
                                         training=hours_fr(r.training_hours or 0))))
    if r.integration_cost:
        rows.append(("integration", euros(r.integration_cost)))
    if r.hours_saved_per_week is not None:
        rows.append(("hours_saved", hours_fr(r.hours_saved_per_week)))
    if r.hourly_cost is not None:
        rows.append(("hourly_cost", euros(r.hourly_cost)))
    if r.errors_avoided_per_month:
        rows.append(("errors", texts.text("labels.roi.errors_value",
                                          count=number_fr(r.errors_avoided_per_month),
                                          cost=euros(r.cost_per_error or 0))))
    if r.extra_revenue_per_month:
        rows.append(("extra_revenue", euros(r.extra_revenue_per_month)))
        rows.append(("margin", percent_fr(r.gross_margin_rate * 100, 0)
                     if r.gross_margin_rate is not None
                     else texts.text("labels.roi.margin_missing")))
    return [{"label": texts.text(f"labels.roi.input.{key}"), "value": value}
            for key, value in rows]


def roi_method(texts: Texts) -> str:
    """The formula and its conventions, printed once in the report."""
    return texts.text("report.roi.formula", weeks=str(WORKING_WEEKS_PER_YEAR))
