"""ROI as a finance reader accepts it: to the unit, "plus de 1 000 %", "moins d'un mois",
extra revenue counted for its gross margin only (and said so when it is not counted)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.assessment.assess import Assessment
from engine.documents.roi_text import payback_text, roi_entry, roi_method, roi_percent_text
from engine.documents.wording import Wording
from engine.profile.validate import load_profile
from engine.rules.base import RuleBase, load_rulebase
from engine.run.pipeline import assess_profile

ROOT = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def rulebase() -> RuleBase:
    return load_rulebase(ROOT / "rules")


@pytest.fixture(scope="module")
def wording(rulebase: RuleBase) -> Wording:
    return Wording(rulebase.texts)


def _assess(rulebase: RuleBase, path: Path) -> Assessment:
    return assess_profile(load_profile(path), rulebase, dt.date(2026, 11, 26))


@pytest.mark.parametrize(("value", "shown"), [
    (198.9, "199 %"), (17280.2, "plus de 1 000 %"), (1000.0, "1 000 %"), (-4.2, "−4 %"),
    (0.4, "0 %"),
])
def test_percent_to_the_unit_and_bounded(wording: Wording, value: float, shown: str) -> None:
    assert roi_percent_text(value, wording).replace(NBSP, " ") == shown


def test_percent_unknown_is_to_complete(wording: Wording) -> None:
    assert roi_percent_text(None, wording) == "À compléter"  # a table cell


@pytest.mark.parametrize(("months", "shown"), [
    (0.0, "moins d'un mois"), (0.4, "moins d'un mois"), (1.0, "1 mois"), (2.04, "2 mois"),
])
def test_payback_under_a_month(wording: Wording, months: float, shown: str) -> None:
    assert payback_text(months, True, wording).replace(NBSP, " ") == shown


def test_payback_never_reached_or_unknown(wording: Wording) -> None:
    assert payback_text(None, True, wording) == wording.texts.text("labels.payback_not_reached")
    assert payback_text(None, False, wording) == "À compléter"  # a table cell


def test_revenue_counted_at_its_gross_margin(rulebase: RuleBase, wording: Wording) -> None:
    """The hidden client's shop: 6 000 € a month at 35 % is 25 200 € of gain a year."""
    assessment = _assess(rulebase, ROOT / "tests" / "data" / "profiles" / "hidden-client.yaml")
    reco = assessment.use_cases[1]
    assert reco.roi.revenue_counted
    assert reco.roi.revenue_gain == pytest.approx(72000 * 0.35)
    entry = roi_entry(reco, wording)
    note = entry["note"].replace(NBSP, " ")
    assert "72 000 € par an" in note
    assert "marge brute (35 %), soit 25 200 € par an" in note
    inputs = {i["label"]: i["value"].replace(NBSP, " ") for i in entry["inputs"]}
    assert inputs["Chiffre d'affaires supplémentaire par mois"] == "6 000 €"
    assert inputs["Taux de marge brute"] == "35 %"


def test_revenue_without_margin_is_not_counted_and_said(rulebase: RuleBase,
                                                         wording: Wording) -> None:
    """Recrutis' CV pilot: 2 000 € a month of placements, no margin rate: not a gain."""
    cv = _assess(rulebase, ROOT / "inputs" / "recrutis-interim.yaml").use_cases[0]
    assert not cv.roi.revenue_counted
    assert cv.roi.annual_gain == pytest.approx(cv.roi.time_gain + cv.roi.error_gain)
    entry = roi_entry(cv, wording)
    assert "n'est pas compté dans les gains" in entry["note"]
    assert entry["roi_percent"].replace(NBSP, " ") == "199 %"
    assert "," not in entry["roi_percent"]


def test_above_the_bound_the_inputs_are_given(rulebase: RuleBase, wording: Wording) -> None:
    chatbot = _assess(rulebase, ROOT / "inputs" / "plomberie-martin.yaml").use_cases[0]
    assert chatbot.roi.roi_percent is not None
    assert chatbot.roi.roi_percent > 1000
    entry = roi_entry(chatbot, wording)
    assert entry["roi_percent"].replace(NBSP, " ") == "plus de 1 000 %"
    assert entry["annual_gain"] in entry["note"]
    assert entry["annual_cost"] in entry["note"]
    assert entry["payback"] == "moins d'un mois"


def test_the_formula_is_printed_once(rulebase: RuleBase) -> None:
    method = roi_method(rulebase.texts)
    assert "ROI = (gains − coûts) ÷ coûts × 100" in method
    assert "47 semaines" in method


def test_an_roi_without_its_gains_is_to_complete_never_minus_100(rulebase: RuleBase,
                                                                 wording: Wording) -> None:
    """Cosméa's recommendations: 13 888 € of costs, no hours saved, extra revenue without a
    margin rate: the ROI is "à compléter" and the note names the margin rate, in the report's
    entry, in assessment.json (null and a status) and in the portfolio row (left out of it)."""
    from engine.assessment.assess import to_json
    from engine.run.summary import summary_row

    assessment = _assess(rulebase, ROOT / "inputs" / "cosmea-nature.yaml")
    reco = next(u for u in assessment.use_cases if u.use_case.id == "recommandations-produits")
    entry = roi_entry(reco, wording)
    assert entry["roi_percent"] == "À compléter"
    assert entry["payback"] == "À compléter"
    assert "à compléter avec le taux de marge brute du chiffre d'affaires supplémentaire" in (
        entry["note"])
    assert "100" not in entry["roi_percent"]
    (data,) = [u for u in to_json(assessment)["use_cases"] if u["id"] == reco.use_case.id]
    assert data["roi"]["roi_percent"] is None
    assert (data["roi"]["status"], data["roi"]["missing"]) == ("to_complete",
                                                               ["gross_margin_rate"])
    row = summary_row(assessment)
    measured = [u.roi for u in assessment.use_cases if u.roi.status == "computed"]
    gain, cost = (sum(r.annual_gain for r in measured), sum(r.annual_cost for r in measured))
    assert row["roi_percent"] == round((gain - cost) / cost * 100, 1)
    assert row["roi_to_complete"] == 1
