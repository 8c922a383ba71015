"""A use case of the profile (SPEC §2 and §2.1): the AI system, the controls in place, the
data, the process, the ROI figures and the pilot. An absent ``system`` or ``controls`` key is
*unanswered*, never *false*."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, Strict, StrictBool, model_validator

from engine.profile.fields import (
    MAX_ITEMS,
    Amount,
    Count,
    Date,
    Hours,
    Identifier,
    LongText,
    Model,
    Rate,
    Text,
    Tri,
    _unique,
)
from engine.profile.vocabulary import (
    VISUAL_MEDIA,
    AffectedPerson,
    AnnexISection,
    Art63Condition,
    Capability,
    Complexity,
    DataCategory,
    DataQuality,
    Family,
    Function,
    GdprRole,
    InferredAttribute,
    Media,
    Purpose,
    Role,
    Stage,
)


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
    weeks: Annotated[list[PilotWeek], Field(max_length=MAX_ITEMS)] = []  # noqa: RUF012 (pydantic copies it)
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
