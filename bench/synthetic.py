"""Varied synthetic client profiles for the benchmark and the batch tests.

``profiles(n, seed)`` returns ``n`` valid profiles (SPEC §2) as YAML text, reproducibly: four
sectors, one to four use cases drawn from a catalogue covering every risk tier (prohibited
emotion recognition at work, Annex III recruitment and credit scoring, Art. 50 chatbots and
generated content, minimal back-office tools), vendors hosted in France, the EU, the US or
unknown, some answers left out (undetermined tiers, "à compléter"), pilots with weekly figures.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

SECTORS = ("artisan", "ecommerce", "cabinet_liberal", "other")
TOWNS = ("Lyon", "Nantes", "Lille", "Bordeaux", "Rennes", "Dijon", "Grenoble", "Tours", "Nîmes")
TRADES = ("Plomberie", "Boulangerie", "Cabinet", "Boutique", "Atelier", "Agence", "Menuiserie",
          "Pharmacie", "Librairie", "Garage", "Studio")
FAMILY_NAMES = ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Garnier",
                "Roux", "Fournier", "Giraud", "Müller & Fils", "L'Hôte")
# title, function, family, capabilities, purposes, affected persons, data categories, extra
CATALOGUE: tuple[tuple[str, str, str, list[str], list[str], list[str], list[str],
                       dict[str, Any]], ...] = (
    ("Chatbot de prise de rendez-vous", "customer_service", "generative",
     ["conversational_agent"], ["customer_support", "appointment_scheduling"], ["customers"],
     ["identity", "contact"], {"generated_media": ["text"]}),
    ("Tri des candidatures", "hr", "decisional", ["ranking_people", "document_extraction"],
     ["recruitment"], ["job_candidates"], ["candidate", "identity"], {}),
    ("Lecture automatique des factures", "accounting_finance", "decisional",
     ["document_extraction"], ["invoice_processing", "bookkeeping"], ["business_contacts"],
     ["financial"], {"art_6_3_condition": "narrow_procedural_task"}),
    ("Fiches produits rédigées par l'IA", "marketing_sales", "generative",
     ["content_generation"], ["product_descriptions", "marketing_content"], ["customers"], [],
     {"generated_media": ["text", "image"]}),
    ("Prévision des ventes et des stocks", "operations", "decisional", ["forecasting"],
     ["sales_forecasting", "stock_optimisation"], ["none"], [], {}),
    ("Analyse des émotions des conseillers", "customer_service", "decisional",
     ["emotion_recognition"], ["worker_monitoring"], ["employees"], ["biometric"],
     {"biometric_data": True}),
    ("Score de solvabilité des clients", "accounting_finance", "decisional", ["scoring_people"],
     ["creditworthiness"], ["customers"], ["financial", "identity"], {"profiling": True}),
    ("Comptes rendus de réunion", "management", "generative", ["summarisation"],
     ["meeting_summaries", "drafting"], ["employees"], ["identity"],
     {"generated_media": ["text"]}),
    ("Recherche juridique assistée", "legal", "generative", ["search", "summarisation"],
     ["legal_research"], ["none"], [], {"generated_media": ["text"]}),
    ("Contrôle qualité par vision", "operations", "decisional", ["classification"],
     ["quality_inspection"], ["none"], [], {}),
    ("Scoring des prospects", "marketing_sales", "decisional", ["scoring_people"],
     ["lead_scoring"], ["customers", "business_contacts"], ["identity", "behavioural"],
     {"profiling": True}),
    ("Vidéos publicitaires générées", "marketing_sales", "generative", ["content_generation"],
     ["marketing_content"], ["general_public"], [],
     {"generated_media": ["video", "audio"], "deepfake": True}),
)
VENDORS = (
    ("Meya.ai", "FR", "france"), ("Pennylane", "FR", "france"), ("Mistral AI", "FR", "eu_eea"),
    ("Microsoft 365 Copilot", "US", "eu_eea"), ("OpenAI", "US", "us_dpf"),
    ("Crisp", "FR", "eu_eea"), ("RecrutBot", "GB", "adequacy_country"),
    ("VisionWorks", "CN", "other_third_country"), ("DataNova", None, "unknown"),
)
TRI = (True, False, "unknown")
SYSTEM_FLAGS = ("medical_or_safety_purpose", "automated_decision", "manipulative_techniques",
                "exploits_vulnerabilities", "public_interest_text", "editorial_review",
                "safety_component_regulated_product", "sexual_deepfakes",
                "child_sexual_abuse_material")


def profiles(n: int, seed: int = 2026) -> list[tuple[str, str]]:
    """``n`` (file name, YAML text) pairs; the same ``seed`` gives the same texts."""
    rng = random.Random(seed)
    return [(f"client-{i:05d}.yaml", _yaml(_profile(rng, i))) for i in range(n)]


def write_profiles(folder: Path, n: int, seed: int = 2026) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in profiles(n, seed):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _yaml(data: dict[str, Any]) -> str:
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))


def _profile(rng: random.Random, index: int) -> dict[str, Any]:
    sector = SECTORS[index % len(SECTORS)]
    name = f"{rng.choice(TRADES)} {rng.choice(FAMILY_NAMES)} {index}"
    employees = rng.choice((2, 5, 8, 12, 25, 60, 140))
    client: dict[str, Any] = {
        "id": f"client-{index:05d}", "name": name, "sector": sector,
        "city": rng.choice(TOWNS), "employees": employees,
        "annual_turnover_eur": employees * rng.choice((60_000, 90_000, 120_000)),
        "monthly_operating_budget_eur": employees * rng.choice((4_000, 6_000, 9_000)),
        "director": {"name": f"Dominique {rng.choice(FAMILY_NAMES)}", "title": "Gérant"},
        "it_contact": {"name": "Marc Durand", "organisation": "Durand Informatique"},
        "staff_ai_training": rng.random() < 0.5,
        "works_council": employees >= 11 and rng.random() < 0.7,
    }
    if rng.random() < 0.6:
        client["ai_champion"] = "Julie Petit"
    count = rng.choice((1, 2, 2, 3, 3, 4))
    picks = rng.sample(range(len(CATALOGUE)), count)
    vendors = [_vendor(rng, v) for v in rng.sample(range(len(VENDORS)), min(count, 3))]
    use_cases = [_use_case(rng, CATALOGUE[p], j, vendors) for j, p in enumerate(picks)]
    return {
        "client": client,
        "assessment": {"date": f"2026-{rng.randint(9, 12):02d}-{rng.randint(1, 28):02d}",
                       "consultant": {"name": "Claire Moreau", "firm": "Conseil Numérique"}},
        "vendors": vendors,
        "use_cases": use_cases,
    }


def _vendor(rng: random.Random, index: int) -> dict[str, Any]:
    name, country, hosting = VENDORS[index]
    vendor: dict[str, Any] = {"id": f"v{index}", "name": name}
    if country:
        vendor["country"] = country
    vendor.update(hosting=hosting, dpa_signed=rng.choice(TRI),
                  trains_on_customer_data=rng.choice((*TRI, "opt_out_available")),
                  deletion_on_request=rng.choice(TRI), subprocessors_listed=rng.choice(TRI),
                  certifications=rng.sample(["iso27001", "hds", "soc2"], rng.randint(0, 2)))
    return vendor


def _use_case(rng: random.Random, entry: tuple[Any, ...], j: int,
              vendors: list[dict[str, Any]]) -> dict[str, Any]:
    title, function, family, capabilities, purposes, affected, categories, extra = entry
    system: dict[str, Any] = {
        "capabilities": capabilities, "purposes": purposes, "affected_persons": affected,
        "inferred_attributes": [], "biometric_data": False, "profiling": False,
        "art_6_3_condition": "none", "generated_media": [], "deepfake": False,
        **dict.fromkeys(SYSTEM_FLAGS, False), **extra,
    }
    for key in rng.sample(sorted(system), rng.choice((0, 0, 0, 1, 2))):
        del system[key]  # an unanswered question: the tier becomes undetermined
    stage = rng.choice(("idea", "test", "pilot", "production"))
    hours = rng.choice((1.0, 3.0, 6.0, 12.0, 20.0))
    use_case: dict[str, Any] = {
        "id": f"uc{j}", "title": title, "function": function, "family": family, "stage": stage,
        "vendor": rng.choice(vendors)["id"], "role": "deployer", "system": system,
        "controls": {k: rng.choice(TRI) for k in ("ai_disclosure", "output_marking",
                                                  "human_oversight", "logs_kept",
                                                  "workers_informed", "dpia_done")},
        "data": {"personal_data": bool(categories), "categories": categories,
                 "large_scale": rng.random() < 0.2},
        "process": {"runs_per_week": rng.choice((5, 20, 200, 3000)),
                    "rule_based": rng.random() < 0.7, "stable": rng.random() < 0.8,
                    "data_quality": rng.choice(("good", "fair", "poor")),
                    "human_central_to_value": rng.random() < 0.2,
                    "intended_users": rng.randint(1, 12), "replaces_a_job": rng.random() < 0.1,
                    "custom_model": rng.random() < 0.1, "macro_forecasting": False,
                    "complexity": rng.choice(("low", "medium", "high"))},
        "roi": {"subscription_per_month": rng.choice((0, 19, 49, 95, 300)),
                "setup_hours": rng.choice((1, 4, 10)), "training_hours": rng.choice((1, 2, 6)),
                "integration_cost": rng.choice((0, 500, 3000)), "hourly_cost": 40,
                "hours_saved_per_week": hours, "errors_avoided_per_month": rng.randint(0, 5),
                "cost_per_error": 50, "extra_revenue_per_month": rng.choice((0, 0, 400)),
                "success_indicator": "Temps gagné par semaine"},
    }
    if stage in ("pilot", "production") and rng.random() < 0.7:
        use_case["pilot"] = {
            "weeks": [{"week": w, "time_spent_h": round(rng.uniform(0.5, 4), 1),
                       "time_saved_h": round(rng.uniform(0, hours), 1),
                       "problem": "Réponses trop longues", "action": "Ajuster le modèle"}
                      for w in range(1, rng.randint(2, 6))],
            "active_users": rng.randint(1, 6), "procedure_documented": rng.random() < 0.5,
            "annual_budget_validated": rng.random() < 0.5,
            "plan_b": "Revenir au processus manuel",
        }
    return use_case
