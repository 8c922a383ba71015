"""The client profile: typed, validated model of SPEC §2.

Every model forbids unknown keys; every enumeration is a closed ``Literal``; booleans are
strict (``yes``/``no``/``1`` are rejected, never guessed); numbers are finite and bounded;
text is bounded and free of control and direction-override characters. An absent optional
key stays ``None``: for ``system`` and ``controls`` that means *unanswered*, never *false*.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    field_validator,
    model_validator,
)

from engine.common.text import forbidden_at

_T = TypeVar("_T")

MAX_TEXT = 500
MAX_LONG_TEXT = 4000
MAX_ITEMS = 200
MAX_AMOUNT = 1e12
MAX_HOURS = 10_000.0
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
CLIENT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
IDENTIFIER_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Not a name: yes/no words (a champion's absence is written false).
_NO_NAMES = frozenset({"yes", "no", "none", "true", "false", "oui", "non", "aucun", "aucune",
                       "personne", "n/a", "-"})


def _check_chars(value: str) -> str:
    bad = forbidden_at(value)
    if bad:
        code, position = bad
        raise ValueError(
            f"contains the invisible control character {code} at position {position}; "
            "remove it (control and text-direction characters are not allowed)"
        )
    return value.strip()


def _clean_text(value: str) -> str:
    value = _check_chars(value)
    if not value:
        raise ValueError("is blank; write a value or remove the key")
    return value


def _strict_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` text (quoted or not) is a date: never a number of seconds."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a date of the calendar") from None
    return value  # anything else fails the strict date check with a "date_type" error


def _unsigned_zero(value: float) -> float:
    """``-0`` is 0: a number is kept as written, but never prints as ``-0.0``."""
    return value + 0.0


def _date_in_range(value: dt.date) -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(
            f"the date {value.isoformat()} is out of range; write a date between "
            f"{MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}"
        )
    return value


Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_clean_text)]
LongText = Annotated[str, Field(max_length=MAX_LONG_TEXT), AfterValidator(_check_chars)]
Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]
ClientId = Annotated[str, Field(pattern=CLIENT_ID_PATTERN)]
# Numbers are strict: ``true`` or ``"8"`` is not a number (YAML 1.1 and quoting surprises), and
# kept exactly as written: documents round what they print (engine.documents.formatting).
Amount = Annotated[float, Strict(), Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False),
                   AfterValidator(_unsigned_zero)]
Hours = Annotated[float, Strict(), Field(ge=0, le=MAX_HOURS, allow_inf_nan=False),
                  AfterValidator(_unsigned_zero)]
Rate = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False), AfterValidator(_unsigned_zero)]
Count = Annotated[int, Strict(), Field(ge=0, le=10_000_000)]
Date = Annotated[
    dt.date, BeforeValidator(_strict_date), Strict(), AfterValidator(_date_in_range)
]
Tri = StrictBool | Literal["unknown"]

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


def _unique(items: list[_T]) -> list[_T]:
    seen: set[_T] = set()
    for item in items:
        if item in seen:
            shown = str(item) if len(str(item)) <= 60 else str(item)[:59] + "…"
            raise ValueError(f"'{shown}' is listed twice; list each value once")
        seen.add(item)
    return items


class Model(BaseModel):
    """Base of every profile model: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Person(Model):
    name: Text
    title: Text | None = None
    civility: Civility | None = None  # v2: for salutations (madame | monsieur)


class ItContact(Model):
    name: Text
    organisation: Text | None = None
    email: Text | None = None
    civility: Civility | None = None  # v2: for salutations (madame | monsieur)


class Client(Model):
    id: ClientId | None = None
    name: Text
    name_article: NameArticle | None = None  # "le" Cabinet X: "du Cabinet X", "au Cabinet X"
    sector: Sector
    sector_label: Text | None = None  # v2: printed on covers instead of the sector's label
    city: Text | None = None
    employees: Count
    annual_turnover_eur: Amount | None = None
    monthly_operating_budget_eur: Amount | None = None
    director: Person | None = None
    it_contact: ItContact | None = None
    # The AI champion's name (guide 5.3); false: none designated; absent: unanswered.
    ai_champion: Text | Literal[False] | None = None
    staff_ai_training: StrictBool | None = None
    works_council: StrictBool | None = None
    # v2: AI Act Art. 27(1): FRIA for any Annex III system (but point 2) of these deployers
    public_body: StrictBool | None = None      # body governed by public law
    public_service: StrictBool | None = None   # private entity providing public services

    @field_validator("ai_champion")
    @classmethod
    def _champion_named(cls, value: str | bool | None) -> str | bool | None:
        if isinstance(value, str) and value.lower() in _NO_NAMES:
            raise ValueError(f"'{value}' reads as an answer, not a name: write the champion's "
                             "name, or false if none is designated")
        return value


class Consultant(Model):
    name: Text
    firm: Text | None = None


class Assessment(Model):
    date: Date | None = None
    consultant: Consultant | None = None


class Vendor(Model):
    """An AI vendor of this client; ``register_id: <id>`` takes its facts from the shared register,
    and every field written here overrides the register for this client only."""

    id: Identifier
    register_id: Identifier | None = None
    name: Text | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    hosting: Hosting | None = None
    dpa_signed: Tri | None = None
    trains_on_customer_data: Training | None = None
    deletion_on_request: Tri | None = None
    subprocessors_listed: Tri | None = None
    certifications: Annotated[list[Certification], AfterValidator(_unique)] | None = None
    # v2: staff or subprocessors outside the EEA can reach the data (a transfer, GDPR Art. 44)
    access_from_third_country: Tri | None = None

    @model_validator(mode="after")
    def _named(self) -> Vendor:
        if self.name is None and self.register_id is None:
            raise ValueError("give the vendor a name, or take it from the vendor register "
                             "with register_id: <id> (see iapme vendors list)")
        return self

    @property
    def label(self) -> str:
        """The name to print (the register fills it in before documents are made)."""
        return self.name or self.register_id or self.id


class System(Model):
    # Art. 3(1), v2: ABSENT MEANS TRUE. false = fixed rules written by people, nothing inferred:
    # the use case is out of the AI Act's scope (the GDPR still applies). First field: the facts
    # list it first, which keeps durable_rules' match stack shallow (AI Act rules test it first).
    ai_system: StrictBool = True
    capabilities: Annotated[list[Capability], AfterValidator(_unique)] | None = None
    purposes: Annotated[list[Purpose], AfterValidator(_unique)] | None = None
    affected_persons: Annotated[list[AffectedPerson], AfterValidator(_unique)] | None = None
    inferred_attributes: Annotated[list[InferredAttribute], AfterValidator(_unique)] | None = None
    biometric_data: StrictBool | None = None
    medical_or_safety_purpose: StrictBool | None = None
    profiling: StrictBool | None = None
    automated_decision: StrictBool | None = None
    art_6_3_condition: Art63Condition | None = None
    manipulative_techniques: StrictBool | None = None
    exploits_vulnerabilities: StrictBool | None = None
    generated_media: Annotated[list[Media], AfterValidator(_unique)] | None = None
    deepfake: StrictBool | None = None
    public_interest_text: StrictBool | None = None
    editorial_review: StrictBool | None = None
    safety_component_regulated_product: StrictBool | None = None
    sexual_deepfakes: StrictBool | None = None
    child_sexual_abuse_material: StrictBool | None = None
    on_market_since: Date | None = None
    # --- v2 (SPEC §2.1) ---
    general_purpose_tool: StrictBool | None = None        # Art. 25(1)(c)
    based_on_behaviour_or_traits: StrictBool | None = None  # Annex III 4(b), task allocation
    solely_profiling: StrictBool | None = None            # Art. 5(1)(d)
    # Whose emotions are inferred (Art. 5(1)(f)); absent = every one of affected_persons.
    emotions_inferred_of: Annotated[list[AffectedPerson], AfterValidator(_unique)] | None = None
    dataset_labelling_only: StrictBool | None = None      # Art. 5(1)(g) exception
    annex_i_section: AnnexISection | None = None          # Art. 2(2): section B products
    artistic_or_satirical: StrictBool | None = None       # Art. 50(4), lighter disclosure

    @model_validator(mode="after")
    def _consistent(self) -> System:
        """Answers that contradict each other (the rules would read both)."""
        media = self.generated_media
        if media is not None and not set(media) & set(VISUAL_MEDIA):
            for name in ("deepfake", "sexual_deepfakes", "child_sexual_abuse_material"):
                if getattr(self, name) is True:
                    raise ValueError(
                        f"{name} is true but generated_media lists no image, audio or video; "
                        "add the medium generated, or answer false")
        if media is not None and "text" not in media and self.public_interest_text is True:
            raise ValueError("public_interest_text is true but generated_media does not list "
                             "text; add text, or answer false")
        if self.solely_profiling is True and self.profiling is False:
            raise ValueError("solely_profiling is true but profiling is false: a risk assessment "
                             "based solely on profiling profiles people; answer profiling: true")
        if self.annex_i_section is not None and self.safety_component_regulated_product is False:
            raise ValueError("annex_i_section is given but safety_component_regulated_product "
                             "is false; remove annex_i_section, or answer true")
        return self


class Controls(Model):
    ai_disclosure: Tri | None = None
    output_marking: Tri | None = None
    human_oversight: Tri | None = None
    logs_kept: Tri | None = None
    workers_informed: Tri | None = None
    dpia_done: Tri | None = None


class Data(Model):
    personal_data: StrictBool | None = None
    categories: Annotated[list[DataCategory], AfterValidator(_unique)] | None = None
    large_scale: StrictBool | None = None
    # v2: the company's GDPR role for this processing (absent: treated as controller)
    gdpr_role: GdprRole | None = None


class Process(Model):
    runs_per_week: Annotated[Rate, Field(le=100_000)] | None = None
    rule_based: StrictBool | None = None
    stable: StrictBool | None = None
    data_quality: DataQuality | None = None
    human_central_to_value: StrictBool | None = None
    intended_users: Count | None = None
    replaces_a_job: StrictBool | None = None
    custom_model: StrictBool | None = None
    macro_forecasting: StrictBool | None = None
    complexity: Complexity | None = None


class Roi(Model):
    subscription_per_month: Amount | None = None
    setup_hours: Hours | None = None
    training_hours: Hours | None = None
    integration_cost: Amount | None = None
    hourly_cost: Amount | None = None
    hours_saved_per_week: Hours | None = None
    errors_avoided_per_month: Annotated[Rate, Field(le=1e7)] | None = None
    cost_per_error: Amount | None = None
    extra_revenue_per_month: Amount | None = None
    success_indicator: Text | None = None
    # v2: share of the extra revenue that is gain (0 to 1); read by the ROI of a later issue
    gross_margin_rate: Annotated[Rate, Field(le=1)] | None = None


class PilotWeek(Model):
    week: Annotated[int, Strict(), Field(ge=1, le=520)]
    time_spent_h: Hours
    time_saved_h: Hours
    problem: LongText | None = None
    action: LongText | None = None


class Pilot(Model):
    weeks: Annotated[list[PilotWeek], Field(max_length=MAX_ITEMS)] = []
    active_users: Count | None = None
    procedure_documented: StrictBool | None = None
    annual_budget_validated: StrictBool | None = None
    plan_b: LongText | None = None

    @model_validator(mode="after")
    def _weeks_in_order(self) -> Pilot:
        numbers = [w.week for w in self.weeks]
        if numbers != sorted(set(numbers)):
            raise ValueError("pilot weeks must be numbered in increasing order, each once")
        return self


class UseCase(Model):
    id: Identifier
    title: Text
    function: Function
    family: Family | None = None
    stage: Stage
    vendor: Identifier | None = None
    role: Role | None = None
    # Software the tool must work with (guide annex 4 d), e.g. [Pennylane, Outlook]; an extension
    # of SPEC §2, printed in the IT brief.
    integrates_with: Annotated[list[Text], Field(max_length=20), AfterValidator(_unique)] | None = (
        None)
    system: System = System()
    controls: Controls = Controls()
    data: Data = Data()
    process: Process = Process()
    roi: Roi = Roi()
    pilot: Pilot | None = None


class Profile(Model):
    """One client: the company, its vendors and its AI use cases (SPEC §2)."""

    client: Client
    assessment: Assessment = Assessment()
    vendors: Annotated[list[Vendor], Field(max_length=MAX_ITEMS)] = []
    use_cases: Annotated[list[UseCase], Field(max_length=MAX_ITEMS)] = []

    @property
    def client_id(self) -> str:
        if self.client.id is None:  # set by the loader from the file name
            raise ValueError("client id not resolved")
        return self.client.id

    def vendor(self, vendor_id: str | None) -> Vendor | None:
        return next((v for v in self.vendors if v.id == vendor_id), None)


# --- introspection used by the validator's messages and the fact schema -----------------


def unwrap(annotation: Any) -> list[Any]:
    """Flatten Annotated / Optional / Union into the list of member types."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(unwrap(arg))
        return out
    return [annotation]


def allowed_values(annotation: Any) -> list[Any] | None:
    """The closed set of values an annotation accepts, or None when it is open (text, numbers)."""
    values: list[Any] = []
    for member in unwrap(annotation):
        if member is type(None):
            continue
        if typing.get_origin(member) is typing.Literal:
            values.extend(typing.get_args(member))
        elif member is bool:
            values.extend([True, False])
        else:
            return None
    return values
