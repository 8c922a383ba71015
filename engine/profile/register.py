"""The shared vendor register: AI vendors assessed once, reused for every client (guide annex 2).

``rules/vendors/register.yaml`` is kept by compliance officers beside the rules. Every fact has
its value, its source, the date it was checked and whether it was verified. A profile names a
register vendor with ``register_id: <id>`` and may override any field for that client; the
documents say which facts come from the register and which from the client. Facts checked
longer ago than ``stale_after_days`` at the assessment date are flagged "to re-verify".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.assessment.facts import VendorOrigin
from engine.common.validation import issues_from, item_name
from engine.documents.formatting import date_fr
from engine.documents.texts import Texts
from engine.errors import Issue, RuleError
from engine.profile.model import Certification, Hosting, Identifier, Profile, Text, Tri, Vendor
from engine.profile.yamlio import YamlDoc, load_yaml

REGISTER_FILE = Path("vendors") / "register.yaml"
Category = Literal[
    "customer_service", "marketing_sales", "accounting_finance", "productivity", "legal",
    "hr", "document_processing", "design", "operations",
]
# Profile vendor fields a register fact may fill, in the order the documents show them.
FACT_FIELDS = ("hosting", "trains_on_customer_data", "deletion_on_request",
               "subprocessors_listed", "certifications")
DEFAULT_STALE_AFTER_DAYS = 365


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Fact(_Strict):
    source: Text
    checked_on: dt.date
    verified: bool = False


class HostingFact(_Fact):
    value: Hosting


class TriFact(_Fact):
    value: Tri


class TrainingFact(_Fact):
    value: bool | Literal["opt_out_available", "unknown"]


class CertificationsFact(_Fact):
    value: list[Certification]


class RegisterFacts(_Strict):
    hosting: HostingFact | None = None
    dpa_available: TriFact | None = None
    trains_on_customer_data: TrainingFact | None = None
    deletion_on_request: TriFact | None = None
    subprocessors_listed: TriFact | None = None
    certifications: CertificationsFact | None = None


class RegisterVendor(_Strict):
    id: Identifier
    name: Text
    categories: Annotated[list[Category], Field(min_length=1)]
    target_users: Text | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    website: Text | None = None
    facts: RegisterFacts = RegisterFacts()


class RegisterSettings(_Strict):
    stale_after_days: Annotated[int, Field(ge=1, le=3650)] = DEFAULT_STALE_AFTER_DAYS


class RegisterFile(_Strict):
    settings: RegisterSettings = RegisterSettings()
    vendors: list[RegisterVendor] = []


@dataclass(frozen=True)
class FactSource:
    """Where one vendor fact of one client comes from."""

    origin: Literal["register", "client"]
    source: str = ""
    checked_on: dt.date | None = None
    verified: bool = True


@dataclass
class Register:
    settings: RegisterSettings = field(default_factory=RegisterSettings)
    vendors: dict[str, RegisterVendor] = field(default_factory=dict)
    path: str = ""

    def get(self, vendor_id: str) -> RegisterVendor | None:
        return self.vendors.get(vendor_id)


def check_register(rules_dir: Path) -> tuple[Register, list[Issue]]:
    """Load ``rules_dir/vendors/register.yaml`` (an absent file is an empty register)."""
    path = rules_dir / REGISTER_FILE
    if not path.is_file():
        return Register(), []
    try:
        doc = load_yaml(path, display_path=str(path), error_cls=RuleError)
    except RuleError as exc:
        return Register(path=str(path)), list(exc.issues)
    try:
        parsed = RegisterFile.model_validate(doc.data)
    except ValidationError as exc:
        return Register(path=str(path)), _issues(exc, doc)
    register = Register(parsed.settings, {}, str(path))
    issues = []
    for index, vendor in enumerate(parsed.vendors):
        if vendor.id in register.vendors:
            issues.append(Issue(doc.locate(("vendors", index, "id")),
                                f"vendor {vendor.id}: duplicate id in the register"))
        register.vendors[vendor.id] = vendor
    return register, issues


def load_register(rules_dir: Path) -> Register:
    register, issues = check_register(rules_dir)
    if issues:
        raise RuleError.of(issues, summary="the vendor register has errors:")
    return register


def _issues(exc: ValidationError, doc: YamlDoc) -> list[Issue]:
    names = [*RegisterVendor.model_fields, *RegisterFacts.model_fields,
             *HostingFact.model_fields, *RegisterSettings.model_fields]
    return issues_from(exc, doc.locate, known=names,
                       prefix=item_name(doc.data, "vendors", "vendor"),
                       missing=" (every register fact needs a source and a date)")


def resolve(profile: Profile, register: Register) -> tuple[Profile, dict[str, dict[str,
                                                                                  FactSource]]]:
    """Fill each ``register:`` vendor from the register; the client's own values win.

    Returns the resolved profile and, per vendor, where each fact came from.
    """
    vendors: list[Vendor] = []
    sources: dict[str, dict[str, FactSource]] = {}
    for vendor in profile.vendors:
        mine = {"name": FactSource("client")}
        entry = register.get(vendor.register_id) if vendor.register_id else None
        values: dict[str, Any] = {}
        if entry is not None:
            values = {"name": entry.name, "country": entry.country}
            for name in FACT_FIELDS:
                fact = getattr(entry.facts, name)
                if fact is not None:
                    values[name] = fact.value
                    mine[name] = FactSource("register", fact.source, fact.checked_on,
                                            fact.verified)
            if entry.facts.dpa_available is not None:
                fact = entry.facts.dpa_available
                mine["dpa_available"] = FactSource("register", fact.source, fact.checked_on,
                                                   fact.verified)
        own = vendor.model_dump(exclude_none=True)
        for name in own:
            if name not in ("id", "register_id"):
                mine[name] = FactSource("client")
        vendors.append(vendor.model_copy(update={**values, **own}) if values else vendor)
        sources[vendor.id] = mine
    if all(new is old for new, old in zip(vendors, profile.vendors, strict=True)):
        return profile, sources  # no register vendor: nothing to fill in
    return profile.model_copy(update={"vendors": vendors}), sources


def _fact_label(name: str, texts: Texts) -> str:
    """A register fact's name as the documents print it (``facts.register.fact.<name>``)."""
    key = f"facts.register.fact.{name}"
    return texts.text(key) if key in texts.schema else name


def stale_facts(sources: dict[str, FactSource], as_of: dt.date, max_age_days: int,
                texts: Texts) -> list[str]:
    """French descriptions of the register facts checked more than ``max_age_days`` ago."""
    out = []
    for name, origin in sources.items():
        if (origin.origin == "register" and origin.checked_on is not None
                and (as_of - origin.checked_on).days > max_age_days):
            out.append(texts.text("facts.register.stale", fact=_fact_label(name, texts),
                                  date=date_fr(origin.checked_on)))
    return out


def origins(profile: Profile, sources: dict[str, dict[str, FactSource]], register: Register,
            as_of: dt.date, texts: Texts) -> dict[str, VendorOrigin]:
    """Per vendor, the register facts that are stale or unverified at ``as_of`` (rule input).

    Their descriptions are French (``rules/texts/facts.yaml``): rule messages quote them.
    """
    out = {}
    for vendor in profile.vendors:
        mine = sources.get(vendor.id, {})
        entry = register.get(vendor.register_id) if vendor.register_id else None
        dpa = entry.facts.dpa_available.value if entry and entry.facts.dpa_available else None
        unverified = tuple(texts.text("facts.register.unverified",
                                      fact=_fact_label(name, texts), source=origin.source)
                           for name, origin in mine.items()
                           if origin.origin == "register" and not origin.verified)
        out[vendor.id] = VendorOrigin(
            stale=tuple(stale_facts(mine, as_of, register.settings.stale_after_days, texts)),
            unverified=unverified, dpa_available=dpa)
    return out


def categories_of(vendor: Vendor, profile: Profile, register: Register) -> list[str]:
    """The register categories of a client's vendor, else those of the use cases it serves."""
    entry = register.get(vendor.register_id) if vendor.register_id else None
    if entry is not None:
        return list(entry.categories)
    by_function = {"customer_service": "customer_service", "marketing_sales": "marketing_sales",
                   "hr": "hr", "accounting_finance": "accounting_finance",
                   "operations": "operations", "legal": "legal", "management": "productivity",
                   "other": "productivity"}
    return sorted({by_function[u.function] for u in profile.use_cases if u.vendor == vendor.id})


def alternatives(vendor: Vendor, register: Register, categories: list[str]) -> list[
        RegisterVendor]:
    """Register vendors of the same categories, hosted in France or the EU, offering a DPA."""
    wanted = set(categories)
    found = []
    for entry in register.vendors.values():
        if entry.id in {vendor.id, vendor.register_id}:
            continue
        hosting = entry.facts.hosting.value if entry.facts.hosting else None
        dpa = entry.facts.dpa_available.value if entry.facts.dpa_available else None
        if wanted & set(entry.categories) and hosting in ("france", "eu_eea") and dpa is True:
            found.append(entry)
    return sorted(found, key=lambda e: (e.facts.hosting.value != "france"  # type: ignore[union-attr]
                                        , e.name))
