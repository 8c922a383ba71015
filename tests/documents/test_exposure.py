"""Context data prepared for the report's "Périmètre et limites" and "Sanctions encourues"."""

from __future__ import annotations

from pathlib import Path

from engine.documents.context import build_context
from engine.documents.formatting import NBSP
from engine.profile.validate import load_profile
from engine.run.pipeline import assess_profile, prepare

ROOT = Path(__file__).resolve().parents[2]


def test_limits_and_sanctions_of_a_prohibited_practice() -> None:
    toolkit = prepare(ROOT / "rules", ROOT / "doc_templates")
    profile = load_profile(ROOT / "inputs" / "vigie-retail.yaml")
    assert profile.assessment.date is not None
    assessment = assess_profile(profile, toolkit.rulebase, profile.assessment.date)
    context = build_context(assessment, toolkit.rulebase.texts, with_chart=False)
    limits, sanctions = context["limits"], context["sanctions"]
    assert "Vigie Retail au 26 novembre 2026" in limits["declared"]
    assert any("Omnibus" in point for point in limits["open_points"])
    assert len(limits["open_points"]) == len(set(limits["open_points"]))
    prohibition = next(i for i in sanctions["items"] if i["reference"] == "art. 99(3)")
    assert prohibition["cap"] == f"378{NBSP}000{NBSP}€"  # SME: the lower of 35 M€ and 7 %
    assert any("5(1)(f)" in gap for gap in prohibition["gaps"])
    assert sanctions["intro"]
