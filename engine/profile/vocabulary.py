"""The profile's closed vocabularies (SPEC §2 and §2.1): every enumeration is a ``Literal``,
whose French labels are ``profile.values.<name>.<code>`` in ``rules/texts/profile.yaml``."""

from __future__ import annotations

from typing import Literal

from pydantic import StrictBool

Sector = Literal["artisan", "ecommerce", "cabinet_liberal", "other"]
Hosting = Literal[
    "france", "eu_eea", "adequacy_country", "us_dpf", "other_third_country", "unknown"
]
Training = StrictBool | Literal["opt_out_available", "unknown"]
Certification = Literal["iso27001", "hds", "secnumcloud", "soc2", "iso42001"]
Function = Literal[
    "customer_service", "marketing_sales", "hr", "accounting_finance", "operations", "legal",
    "management", "other",
]
Family = Literal["generative", "decisional"]
Stage = Literal["idea", "test", "pilot", "production"]
Role = Literal["deployer", "provider"]
Capability = Literal[
    "conversational_agent", "content_generation", "emotion_recognition", "sentiment_analysis",
    "biometric_identification", "biometric_verification", "biometric_categorisation",
    "facial_image_scraping", "scoring_people", "ranking_people", "predicting_behaviour",
    "monitoring_people", "recommendation", "document_extraction", "classification",
    "forecasting", "translation", "summarisation", "search",
]
Purpose = Literal[
    "recruitment", "job_ad_targeting", "work_relationship_decisions", "task_allocation",
    "worker_monitoring", "creditworthiness", "fraud_detection", "insurance_life_health_pricing",
    "insurance_other_pricing", "public_benefits_eligibility", "emergency_triage",
    "education_admission", "learning_assessment", "education_level_assignment",
    "exam_proctoring", "critical_infrastructure_safety", "law_enforcement", "migration_border",
    "justice_assistance", "election_influence", "social_scoring", "crime_risk_prediction",
    "access_control", "customer_support", "marketing_content", "product_descriptions",
    "drafting", "meeting_summaries", "invoice_processing", "bookkeeping", "bank_reconciliation",
    "sales_forecasting", "stock_optimisation", "lead_scoring", "product_recommendation",
    "appointment_scheduling", "quote_generation", "legal_research", "translation",
    "quality_inspection", "internal_knowledge", "other",
]
AffectedPerson = Literal[
    "employees", "job_candidates", "students", "customers", "patients", "general_public",
    "business_contacts", "children", "vulnerable_persons", "none",
]
InferredAttribute = Literal[
    "race_ethnicity", "political_opinions", "trade_union_membership", "religion_beliefs",
    "sex_life_orientation", "health", "age", "sex",
]
Art63Condition = Literal[
    "none", "narrow_procedural_task", "improves_completed_human_activity",
    "detects_patterns_without_replacing_review", "preparatory_task",
]
Media = Literal["text", "image", "audio", "video"]
DataCategory = Literal[
    "identity", "contact", "financial", "health", "biometric", "hr", "candidate", "location",
    "minors", "criminal", "behavioural",
    # v2: the other special categories of GDPR Art. 9(1)
    "racial_ethnic_origin", "political_opinions", "religious_beliefs", "trade_union", "genetic",
    "sex_life_orientation",
]
# GDPR Art. 9(1) special categories among DataCategory (biometric only when used to identify).
SPECIAL_CATEGORIES = ("health", "genetic", "racial_ethnic_origin", "political_opinions",
                      "religious_beliefs", "trade_union", "sex_life_orientation")
GdprRole = Literal["controller", "processor", "joint_controller"]
Civility = Literal["madame", "monsieur"]
NameArticle = Literal["le", "la", "les", "l'"]  # the article a company name takes
AnnexISection = Literal["a", "b"]
VISUAL_MEDIA = ("image", "audio", "video")
DataQuality = Literal["good", "fair", "poor"]
Complexity = Literal["low", "medium", "high"]
