"""The client profile: typed, validated model of SPEC §2.

Every model forbids unknown keys; every enumeration is a closed ``Literal``; booleans are
strict (``yes``/``no``/``1`` are rejected, never guessed); numbers are finite and bounded;
text is bounded and free of control and direction-override characters. An absent optional
key stays ``None``: for ``system`` and ``controls`` that means *unanswered*, never *false*.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool, field_validator, model_validator

from engine.profile.fields import (
    _NO_NAMES,
    CLIENT_ID_PATTERN,
    IDENTIFIER_PATTERN,
    MAX_DATE,
    MAX_ITEMS,
    MIN_DATE,
    Amount,
    ClientId,
    Count,
    Date,
    Identifier,
    Model,
    Text,
    Tri,
    _unique,
    allowed_values,
    unwrap,
)
from engine.profile.use_case import Controls, Data, Pilot, PilotWeek, Process, Roi, System, UseCase
from engine.profile.vocabulary import (
    SPECIAL_CATEGORIES,
    AffectedPerson,
    AnnexISection,
    Art63Condition,
    Capability,
    Certification,
    Civility,
    Complexity,
    DataCategory,
    DataQuality,
    Family,
    Function,
    GdprRole,
    Hosting,
    InferredAttribute,
    Media,
    NameArticle,
    Purpose,
    Role,
    Sector,
    Stage,
    Training,
)

# What other modules import from here; the field types, the vocabularies and the use case's
# models live in engine.profile.fields, engine.profile.vocabulary and engine.profile.use_case.
__all__ = [
    "CLIENT_ID_PATTERN", "IDENTIFIER_PATTERN", "MAX_DATE", "MIN_DATE", "SPECIAL_CATEGORIES",
    "AffectedPerson", "AnnexISection", "Art63Condition", "Assessment", "Capability",
    "Certification", "Civility", "Client", "Complexity", "Consultant", "Controls", "Data",
    "DataCategory", "DataQuality", "Family", "Function", "GdprRole", "Hosting", "Identifier",
    "InferredAttribute", "ItContact", "Media", "Model", "NameArticle", "Person", "Pilot",
    "PilotWeek", "Process", "Profile", "Purpose", "Roi", "Role", "Sector", "Stage", "System",
    "Text", "Training", "Tri", "UseCase", "Vendor", "allowed_values", "unwrap",
]


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



class Profile(Model):
    """One client: the company, its vendors and its AI use cases (SPEC §2)."""

    client: Client
    assessment: Assessment = Assessment()
    # pydantic copies a default, so [] is never shared (ruff cannot see Model is pydantic)
    vendors: Annotated[list[Vendor], Field(max_length=MAX_ITEMS)] = []  # noqa: RUF012
    use_cases: Annotated[list[UseCase], Field(max_length=MAX_ITEMS)] = []  # noqa: RUF012

    @property
    def client_id(self) -> str:
        if self.client.id is None:  # set by the loader from the file name
            raise ValueError("client id not resolved")
        return self.client.id

    def vendor(self, vendor_id: str | None) -> Vendor | None:
        return next((v for v in self.vendors if v.id == vendor_id), None)
