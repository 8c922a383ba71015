"""The context's use-case and vendor entries, worded by rules/texts/labels.yaml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from engine.documents.entries import use_case_entry, vendor_entry
from engine.documents.wording import Wording
from engine.profile.validate import profile_from_doc
from engine.profile.yamlio import load_yaml_text
from engine.rules.base import load_rulebase
from engine.run.pipeline import assess_profile

ROOT = Path(__file__).resolve().parents[2]
PROFILE = """\
client: {id: c, name: C, sector: other, employees: 3}
vendors:
  - {id: a, name: Outil A, hosting: us_dpf, dpa_signed: true, deletion_on_request: unknown,
     trains_on_customer_data: opt_out_available, certifications: [iso27001, hds]}
  - {id: b, name: Outil B, trains_on_customer_data: true}
use_cases:
  - {id: u, title: Tri des factures, function: accounting_finance, stage: test, vendor: a}
  - {id: v, title: Notes internes, function: other, stage: idea}
"""


def _entries() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    base = load_rulebase(ROOT / "rules")
    profile = profile_from_doc(load_yaml_text(PROFILE, "<test>"), default_id="c")
    assessment = assess_profile(profile, base, dt.date(2026, 11, 26))
    wording = Wording(base.texts)
    return ([use_case_entry(u, assessment, wording) for u in assessment.use_cases],
            [vendor_entry(v, assessment, wording) for v in profile.vendors])


def test_vendor_checks_read_as_the_labels_say() -> None:
    _, (a, b) = _entries()
    rows = {c["label"]: c["value"] for c in a["checks"]}
    assert rows == {
        "Accord de traitement des données (DPA) signé": "Oui",
        "Hébergement des données": "États-Unis (Data Privacy Framework)",
        "Suppression des données sur demande": "À compléter",
        "Aucun entraînement sur nos données": "Désactivable (opt-out)",
        "Liste des sous-traitants communiquée": "À compléter",
        "Certifications": "ISO/IEC 27001, HDS (hébergeur de données de santé)",
    }
    assert [c["source"] for c in a["checks"]][:2] == ["Déclaration de l'entreprise"] * 2
    rows_b = {c["label"]: c["value"] for c in b["checks"]}
    assert rows_b["Aucun entraînement sur nos données"] == (
        "Non : l'éditeur entraîne ses modèles sur nos données")
    assert rows_b["Hébergement des données"] == "À compléter"
    assert rows_b["Certifications"] == "Aucune"
    assert b["use_cases"] == "aucun cas d'usage"
    assert b["country"] == "À compléter"


def test_use_case_labels_and_in_house_vendor() -> None:
    (u, v), _ = _entries()
    assert (u["stage"], u["vendor"]) == ("Test", "Outil A")
    assert (v["stage"], v["vendor"]) == ("Idée", "Développement interne")
    assert u["anti_failure"][0]["question"] == (
        "Ce processus est-il répétitif, structuré et bien défini ?")
    assert {k["status"] for k in u["scale_up"]} <= {"Oui", "Non", "À vérifier"}
