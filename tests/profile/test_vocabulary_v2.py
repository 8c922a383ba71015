"""The SPEC v2 §2.1 keys: each validated (closed values, bounds, contradictions refused), absent
meaning unanswered (``ai_system``: absent means true), shown in ``assessment.json`` and, where
they print, in the documents."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine.documents.context import build_context
from engine.errors import ProfileError
from engine.profile.validate import profile_from_doc
from engine.profile.yamlio import load_yaml_text
from engine.rules.base import RuleBase, load_rulebase
from engine.run.pipeline import assess_profile, assessment_json

RULES = Path(__file__).resolve().parents[2] / "rules"

PROFILE = """\
client:
  id: agence
  name: "Agence Exemple"
  sector: other
  sector_label: "Travail temporaire et recrutement"
  employees: 62
  annual_turnover_eur: 4200000
  public_body: false
  public_service: false
  director: {name: "Nadia Lemaire", title: "Présidente", civility: madame}
  it_contact: {name: "Paul Martin", organisation: "Nord Systèmes", civility: monsieur}
vendors:
  - {id: outil, name: "Outil", hosting: eu_eea, dpa_signed: true, access_from_third_country: true}
use_cases:
  - id: bot
    title: "Assistant des enseignes"
    function: customer_service
    stage: production
    vendor: outil
    role: deployer
    system:
      capabilities: [conversational_agent, emotion_recognition]
      purposes: [customer_support]
      affected_persons: [customers, employees]
      emotions_inferred_of: [customers]
      biometric_data: true
      general_purpose_tool: false
      solely_profiling: false
      dataset_labelling_only: false
      based_on_behaviour_or_traits: false
      artistic_or_satirical: false
    data: {personal_data: true, categories: [identity, trade_union], gdpr_role: processor}
    roi: {gross_margin_rate: 0.35}
"""


def _profile(text: str = PROFILE) -> object:
    return profile_from_doc(load_yaml_text(text, "v2.yaml"), default_id="v2")


@pytest.fixture(scope="module")
def rulebase() -> RuleBase:
    return load_rulebase(RULES)


def test_every_v2_key_is_accepted_and_ai_system_defaults_to_true() -> None:
    profile = _profile()
    system = profile.use_cases[0].system  # type: ignore[attr-defined]
    assert system.ai_system is True
    assert system.emotions_inferred_of == ["customers"]
    assert profile.use_cases[0].data.gdpr_role == "processor"  # type: ignore[attr-defined]
    assert profile.vendors[0].access_from_third_country is True  # type: ignore[attr-defined]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("civility: madame", "civility: mme", "write madame or monsieur"),
    ("gdpr_role: processor", "gdpr_role: subcontractor",
     "controller, processor or joint_controller"),
    ("gross_margin_rate: 0.35", "gross_margin_rate: 1.5", "must be at most 1"),
    ("access_from_third_country: true", "access_from_third_country: maybe",
     "true, false or unknown"),
    ("categories: [identity, trade_union]", "categories: [identity, union]", "trade_union"),
    ("public_body: false", "public_body: no", "yes/no/on/off are not read as booleans"),
    ("based_on_behaviour_or_traits: false", "based_on_behaviour_or_traits: sometimes",
     "true or false"),
    ("biometric_data: true", "biometric_data: true\n      annex_i_section: c", "write a or b"),
])
def test_each_v2_key_is_validated(old: str, new: str, expected: str) -> None:
    with pytest.raises(ProfileError) as error:
        _profile(PROFILE.replace(old, new))
    assert expected in str(error.value)


@pytest.mark.parametrize(("extra", "expected"), [
    ("generated_media: [text]\n      deepfake: true", "deepfake is true but generated_media"),
    ("generated_media: [image]\n      public_interest_text: true", "public_interest_text is true"),
    ("profiling: false\n      solely_profiling: true", "solely_profiling is true but profiling"),
    ("safety_component_regulated_product: false\n      annex_i_section: b",
     "annex_i_section is given but safety_component_regulated_product is false"),
])
def test_contradictory_answers_are_refused(extra: str, expected: str) -> None:
    text = PROFILE.replace("      solely_profiling: false\n", "").replace(
        "      biometric_data: true\n", f"      biometric_data: true\n      {extra}\n")
    with pytest.raises(ProfileError) as error:
        _profile(text)
    assert expected in str(error.value)


def test_v2_keys_are_in_assessment_json(rulebase: RuleBase) -> None:
    result = assess_profile(_profile(), rulebase, dt.date(2026, 11, 26))  # type: ignore[arg-type]
    data = json.loads(assessment_json(result))
    client = data["client"]
    assert client["sector_label"] == "Travail temporaire et recrutement"
    assert (client["public_body"], client["public_service"]) == (False, False)
    assert client["director"]["civility"] == "madame"
    assert client["it_contact"]["civility"] == "monsieur"
    use_case = data["use_cases"][0]
    assert use_case["system"]["ai_system"] is True
    assert use_case["system"]["emotions_inferred_of"] == ["customers"]
    assert use_case["data"]["gdpr_role"] == "processor"
    assert use_case["roi"]["gross_margin_rate"] == 0.35
    # customers' emotions only: Annex III 1(c), not Art. 5(1)(f) (other questions left open)
    assert "Annex III 1(c)" in use_case["ai_act"]["references"]
    assert "Art. 5(1)(f)" not in use_case["ai_act"]["references"]
    assert use_case["ai_act"]["tier"] == "undetermined"
    assert {"exclusions", "to_complete", "missing_answers"} <= set(use_case["ai_act"])
    assert data["vendors"][0]["access_from_third_country"] is True
    caps = data["penalties"]
    assert caps["ai_act_operator"]["cap_eur"] == 126000.0  # SME: 3 % of 4.2 M€, the lower
    assert caps["gdpr_83_5"]["rule"] == "higher"
    rules = {f["rule"] for f in data["findings"]}
    assert {"gdpr.art28.company-processor", "gdpr.transfer.remote-access",
            "gdpr.art9.special-categories"} <= rules


def test_sector_label_and_civilities_print(rulebase: RuleBase) -> None:
    result = assess_profile(_profile(), rulebase, dt.date(2026, 11, 26))  # type: ignore[arg-type]
    client = build_context(result, rulebase.texts, with_chart=False)["client"]
    assert client["sector"] == "Travail temporaire et recrutement"
    assert client["it_contact_addressee"] == "Monsieur Paul Martin"
    assert client["it_contact_greeting"] == "Monsieur,"
    assert client["director_addressee"] == "Madame Nadia Lemaire"
    bare = _profile(PROFILE.replace(", civility: monsieur", ""))
    plain = build_context(assess_profile(bare, rulebase, dt.date(2026, 11, 26)),  # type: ignore[arg-type]
                          rulebase.texts, with_chart=False)["client"]
    assert plain["it_contact_greeting"] == "Madame, Monsieur,"
