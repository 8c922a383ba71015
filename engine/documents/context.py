"""Stage 7: assessment -> the template context, the single contract with the .docx templates.

Every value is ready to print: French text, French dates, numbers and euros (Babel), no
``None`` (absent values become "à compléter" or are left out of lists). ``docs/templates.md``
documents each name; ``iapme templates check`` verifies templates use only these names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from engine.assessment.assess import (
    ANTI_FAILURE_ITEMS,
    SCALE_UP_ITEMS,
    Assessment,
    UseCaseAssessment,
)
from engine.assessment.findings import Finding
from engine.common.digest import short
from engine.documents.chart.matrix import MatrixPoint, priority_matrix_png
from engine.documents.formatting import (
    date_fr,
    date_short_fr,
    euros,
    list_fr,
    months_fr,
    number_fr,
    percent_fr,
)
from engine.documents.glossary import GLOSSARY, SECTOR_LABELS, SECTOR_LINES
from engine.documents.render import Image
from engine.profile.model import Vendor
from engine.profile.register import FactSource

TODO = "à compléter"
TODO_CELL = "À compléter"
TIER_LABELS = {
    "unacceptable": "Risque inacceptable (pratique interdite)",
    "high": "Haut risque",
    "limited": "Risque limité (transparence)",
    "minimal": "Risque minimal",
    "undetermined": "À compléter (classification incomplète)",
    "out_of_scope": "Hors champ du règlement sur l'IA (pas un système d'IA)",
}
LIGHTS = {"unacceptable": "Rouge", "high": "Orange", "limited": "Jaune", "minimal": "Vert",
          "undetermined": "Gris", "out_of_scope": "Blanc"}
CIVILITY = {"madame": "Madame", "monsieur": "Monsieur"}
PRIORITY_LABELS = {"do_first": "À faire en priorité", "plan_later": "À planifier plus tard",
                   "test_if_time": "À tester si temps disponible",
                   "avoid": "À éviter pour l'instant"}
STAGE_LABELS = {"idea": "Idée", "test": "Test", "pilot": "Pilote", "production": "En production"}
STATUS_LABELS = {"met": "En place", "not_met": "Non en place", "unknown": "À vérifier"}
SCALE_LABELS = {"met": "Oui", "not_met": "Non", "unknown": "À vérifier"}
HOSTING_LABELS = {
    "france": "France", "eu_eea": "Union européenne / EEE",
    "adequacy_country": "Pays reconnu adéquat par la Commission",
    "us_dpf": "États-Unis (Data Privacy Framework)",
    "other_third_country": "Pays tiers sans adéquation", "unknown": TODO_CELL,
}
SEVERITY_LABELS = {"blocker": "Bloquant", "warning": "À traiter", "info": "Pour information"}
REPLY_DAYS = 14
_REF_FR = ((re.compile(r"^GDPR Art\. "), "RGPD, art. "), (re.compile(r"^Arts?\. "), "art. "),
           (re.compile(r"^Annex "), "annexe "), (re.compile(r"^Recital "), "considérant "),
           (re.compile(r"^Guide annex "), "guide, annexe "), (re.compile(r"^Guide "), "guide, § "))
_TRI: dict[object, str] = {True: "Oui", False: "Non", "unknown": TODO_CELL}
_TRAINING: dict[object, str] = {True: "Non : l'éditeur entraîne ses modèles sur nos données",
                                False: "Oui", "opt_out_available": "Désactivable (opt-out)",
                                "unknown": TODO_CELL}


def reference_fr(reference: str) -> str:
    """Render a canonical reference in French: ``Annex III 4(a)`` -> ``annexe III 4(a)``.

    >>> reference_fr("GDPR Art. 28"), reference_fr("Recital 44"), reference_fr("Art. 5(1)(f)")
    ('RGPD, art. 28', 'considérant 44', 'art. 5(1)(f)')
    """
    text = reference
    for pattern, french in _REF_FR:
        text = pattern.sub(french, text)
    text = text.replace(" and ", " et ").replace("last subparagraph", "dernier alinéa")
    text = text.replace("first subparagraph", "premier alinéa")
    return text.replace("second subparagraph", "second alinéa").replace(
        "Regulation (EU)", "règlement (UE)").replace("Digital Omnibus", "Omnibus numérique")


def refs_fr(references: tuple[str, ...] | list[str]) -> str:
    return "; ".join(reference_fr(r) for r in references)


def _because(finding: Finding) -> str:
    """The profile facts behind a finding, readable: ``use_cases[0].system.purposes = ...``."""
    parts = []
    for path, value in finding.because.items():
        if path.startswith("déduit:"):
            detail = f" ({value})" if isinstance(value, str) else ""
            parts.append(f"conclusion intermédiaire « {path.removeprefix('déduit:')} »{detail}")
            continue
        if isinstance(value, bool):
            shown = "oui" if value else "non"
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value) or "aucun"
        elif value is None:
            shown = "non renseigné"
        elif isinstance(value, (int, float)):
            shown = number_fr(value)
        else:
            shown = str(value)
        parts.append(f"{path} = {shown}")
    return " ; ".join(parts)


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "message": f.message,
        "advice": f.advice or "",
        "severity": SEVERITY_LABELS[f.severity],
        "rule": f.rule_id,
        "references": refs_fr(f.provenance.references),
        "facts": _because(f),
        "source": f"{f.provenance.file}, ligne {f.provenance.line}",
    }


def _use_case(u: UseCaseAssessment, assessment: Assessment) -> dict[str, Any]:
    vendor = assessment.profile.vendor(u.use_case.vendor)
    roi = u.roi
    reasons = [_finding(f) for f in u.findings
               if f.kind in ("ai_act", "ai_act_note", "ai_act_exclusion", "missing_answer")
               and (u.tier != "unacceptable" or _prohibition_reason(f))]
    obligations = [{
        "text": o.text,
        "reference": reference_fr(o.reference),
        "date": date_fr(o.applies_from),
        "state": "En vigueur" if o.in_force else f"À partir du {date_fr(o.applies_from)}",
        "in_force": o.in_force,
        "bearer": _bearer(o.bearer, u, vendor is not None),
        "status": STATUS_LABELS[o.status],
    } for o in u.obligations]
    tier_text = TIER_LABELS[u.tier]
    if u.tier == "undetermined" and u.tier_floor:
        tier_text += f" ; au moins : {TIER_LABELS[u.tier_floor].lower()}"
    return {
        "id": u.use_case.id,
        "title": u.use_case.title,
        "stage": STAGE_LABELS[u.use_case.stage],
        "vendor": vendor.label if vendor else "Développement interne",
        "tier": tier_text,
        "tier_code": u.tier,
        "light": LIGHTS[u.tier],
        "references": refs_fr(u.references) or "—",
        "reasons": reasons,
        "obligations": obligations,
        "missing": [f"use_cases[{u.use_case.id}].{m}" for m in u.missing],
        "gdpr": [_finding(f) for f in u.findings if f.kind == "gdpr"],
        "avoid": [_finding(f) for f in u.findings
                  if f.kind in ("avoid_ai", "test_small", "budget")],
        "errors": [_finding(f) for f in u.findings if f.kind in ("frequent_error", "pilot")],
        "roi": {
            "measurable": roi.measurable,
            "annual_cost": euros(roi.annual_cost),
            "annual_gain": euros(roi.annual_gain),
            "one_off_cost": euros(roi.one_off_cost),
            "roi_percent": percent_fr(roi.roi_percent) if roi.roi_percent is not None else TODO,
            "payback": months_fr(roi.payback_months) if roi.payback_months is not None else (
                "non atteint" if roi.measurable else TODO),
        },
        "priority": ("Exclu : pratique interdite" if u.tier == "unacceptable" else
                     PRIORITY_LABELS.get(u.priority or "", TODO)),
        "prohibited": u.tier == "unacceptable",
        "anti_failure": [{"question": q, "answer": "Non" if u.anti_failure[k] == "no" else "Oui"}
                         for k, q in ANTI_FAILURE_ITEMS.items()],
        "anti_failure_no": u.anti_failure_no,
        "anti_failure_verdict": (
            "Plus de 3 réponses « non » : attendre ou ajuster le projet avant de le lancer."
            if u.anti_failure_verdict == "wait" else
            f"{u.anti_failure_no} réponse(s) « non » sur 7 : le projet peut être lancé."),
        "scale_up": [{"criterion": label, "status": SCALE_LABELS[u.scale_up[k]]}
                     for k, label in SCALE_UP_ITEMS.items()],
        "scale_up_ready": u.scale_up_ready,
    }


def _bearer(bearer: str, u: UseCaseAssessment, has_vendor: bool) -> str:
    """Who owes a duty, in words: the company itself when it is the provider (never an
    « éditeur » for a system built without one)."""
    if bearer != "provider":
        return "Entreprise (déployeur)"
    if u.use_case.role == "provider":
        return "Entreprise (fournisseur)"
    return "Fournisseur (éditeur)" if has_vendor else "Fournisseur"


def _person(person: Any, fallback: str) -> str:
    """``Madame Sarah Benali`` when the civility is known, else the name, else ``fallback``."""
    if person is None:
        return fallback
    civility = CIVILITY.get(getattr(person, "civility", None) or "")
    return f"{civility} {person.name}" if civility else person.name


def _greeting(person: Any) -> str:
    """The brief's salutation: ``Madame,`` / ``Monsieur,`` with a civility, else ``Bonjour
    <name>,``, else ``Madame, Monsieur,``."""
    if person is None:
        return "Madame, Monsieur,"
    civility = CIVILITY.get(person.civility or "")
    return f"{civility}," if civility else f"Bonjour {person.name},"


def _vendor(vendor: Vendor, assessment: Assessment) -> dict[str, Any]:
    findings = assessment.vendor_findings(vendor.id)
    users = [u.title for u in assessment.profile.use_cases if u.vendor == vendor.id]
    checks = [
        ("dpa_signed", "Accord de traitement des données (DPA) signé",
         _TRI.get(vendor.dpa_signed, TODO_CELL)),
        ("hosting", "Hébergement des données",
         HOSTING_LABELS.get(vendor.hosting or "unknown", TODO_CELL)),
        ("deletion_on_request", "Suppression des données sur demande",
         _TRI.get(vendor.deletion_on_request, TODO_CELL)),
        ("trains_on_customer_data", "Aucun entraînement sur nos données",
         _TRAINING.get(vendor.trains_on_customer_data, TODO_CELL)),
        ("subprocessors_listed", "Liste des sous-traitants communiquée",
         _TRI.get(vendor.subprocessors_listed, TODO_CELL)),
        ("certifications", "Certifications",
         ", ".join(c.upper() for c in vendor.certifications or []) or "Aucune"),
    ]
    sources = assessment.vendor_sources.get(vendor.id, {})
    return {
        "id": vendor.id,
        "name": vendor.label,
        "country": vendor.country or TODO_CELL,
        "use_cases": list_fr(users) if users else "aucun cas d'usage",
        "integration": list_fr(_integrations(assessment, vendor.id)),
        "checks": [{"label": label, "value": value, "source": _source(sources.get(key))}
                   for key, label, value in checks],
        "from_register": vendor.register_id is not None,
        "stop": vendor.id in assessment.stopped_vendors,
        "gaps": [_finding(f) for f in findings if f.severity != "info"],
        "notes": [_finding(f) for f in findings if f.severity == "info"],
        "compliant": not any(f.severity == "blocker" for f in findings),
        "alternatives": [{
            "name": entry.name,
            "hosting": HOSTING_LABELS[entry.facts.hosting.value] if entry.facts.hosting else "",
            "certifications": ", ".join(c.upper() for c in (
                entry.facts.certifications.value if entry.facts.certifications else [])),
            "target": entry.target_users or "",
        } for entry in assessment.alternatives(vendor.id)],
    }


def _integrations(assessment: Assessment, vendor_id: str | None = None) -> list[str]:
    """Software the client's tools must work with (guide annex 4 d), each named once."""
    names: dict[str, None] = {}
    for u in assessment.profile.use_cases:
        if vendor_id is None or u.vendor == vendor_id:
            names.update(dict.fromkeys(u.integrates_with or []))
    return list(names)


def _stopped_uses(assessment: Assessment) -> list[dict[str, str]]:
    """Each prohibited use case (AI Act art. 5): the tool, the use and the prohibition."""
    out = []
    for u in assessment.use_cases:
        if u.tier != "unacceptable":
            continue
        vendor = assessment.profile.vendor(u.use_case.vendor)
        references = dict.fromkeys(r for f in u.findings if f.spec and f.spec.tier == "unacceptable"
                                   for r in f.provenance.references)
        out.append({"tool": vendor.label if vendor else "outil développé en interne",
                    "use": u.use_case.title, "references": refs_fr(list(references))})
    return out


def _prohibition_reason(finding: Finding) -> bool:
    """For a prohibited use case, only what establishes or frames the prohibition is shown."""
    spec = finding.spec
    return spec is not None and (spec.tier == "unacceptable" or finding.severity == "blocker")


def _source(origin: FactSource | None) -> str:
    """Where a vendor fact comes from, as the documents say it."""
    if origin is None:
        return "Non renseigné"
    if origin.origin == "client":
        return "Client"
    checked = date_short_fr(origin.checked_on) if origin.checked_on else "date inconnue"
    state = "vérifié" if origin.verified else "non vérifié"
    return f"Registre ({state}, {checked})"


def _subject_name(finding: Finding, assessment: Assessment) -> str:
    """What a finding is about, as the client knows it (use-case title, vendor name)."""
    profile = assessment.profile
    if finding.subject_kind == "use_case":
        return next((u.title for u in profile.use_cases if u.id == finding.subject),
                    finding.subject)
    if finding.subject_kind == "vendor":
        vendor = profile.vendor(finding.subject)
        return vendor.label if vendor else finding.subject
    return profile.client.name


def _moot(finding: Finding, assessment: Assessment) -> bool:
    """Advice that would help carry on a prohibited practice (fix its GDPR, test it...)."""
    if finding.subject_kind == "vendor":
        return finding.subject in assessment.stopped_vendors
    # On a prohibited use case, all but the AI Act findings (the prohibition, what frames it).
    return (finding.subject_kind == "use_case"
            and finding.subject in assessment.prohibited_use_cases
            and finding.kind not in ("ai_act", "ai_act_note"))


def _next_steps(assessment: Assessment) -> list[str]:
    steps: list[str] = []
    advised: set[tuple[str, str]] = set()
    findings = [f for f in assessment.findings if not _moot(f, assessment)]
    for f in findings:
        if f.severity == "blocker" and f.advice and f.advice not in steps:
            steps.append(f.advice)
            advised.add((f.rule_id, f.subject))
    for vendor in assessment.profile.vendors:
        if vendor.id in assessment.stopped_vendors:
            steps.append(f"Désactiver {vendor.label} et ses accès, et demander à l'éditeur la "
                         "suppression ou la restitution des données déjà collectées (RGPD, "
                         "art. 28(3)(g)).")
    for u in assessment.use_cases:
        if u.missing:
            steps.append(f"Compléter les réponses manquantes pour « {u.use_case.title} » "
                         f"({', '.join(u.missing)}).")
        for o in u.obligations:
            step = f"{o.text} ({reference_fr(o.reference)})."
            if (o.in_force and o.status == "not_met" and len(steps) < 8 and step not in steps
                    and (o.rule_id, u.use_case.id) not in advised):
                steps.append(step)
                advised.add((o.rule_id, u.use_case.id))
    for f in findings:
        if (f.severity == "warning" and f.advice and f.advice not in steps and len(steps) < 8
                and (f.rule_id, f.subject) not in advised):
            steps.append(f.advice)
    return steps[:8] or ["Maintenir les bonnes pratiques actuelles et réévaluer dans six mois."]


def build_context(assessment: Assessment, *, with_chart: bool = True) -> dict[str, Any]:
    """Everything the three templates print, for one client."""
    profile = assessment.profile
    client = profile.client
    as_of = assessment.as_of
    consultant = profile.assessment.consultant
    use_cases = [_use_case(u, assessment) for u in assessment.use_cases]
    points = [MatrixPoint(u.use_case.title, u.roi.roi_percent, u.use_case.process.complexity,
                          u.priority)
              for u in assessment.use_cases
              if u.roi.roi_percent is not None and u.use_case.process.complexity and u.priority
              and u.tier != "unacceptable"]  # a prohibited practice is not a project to rank
    counts = {tier: sum(1 for u in assessment.use_cases if u.tier == tier) for tier in LIGHTS}
    vendors = [_vendor(v, assessment) for v in profile.vendors]
    return {
        "client": {
            "name": client.name,
            "city": client.city or "",
            "sector": client.sector_label or SECTOR_LABELS[client.sector],
            "employees": str(client.employees),
            "director": client.director.name if client.director else "La direction",
            "director_title": (client.director.title or "Dirigeant") if client.director else
            "Dirigeant",
            "it_contact": client.it_contact.name if client.it_contact else "Madame, Monsieur",
            # v2: with the civility, for addresses and salutations ("Madame Sarah Benali")
            "it_contact_addressee": _person(client.it_contact, "Madame, Monsieur"),
            "director_addressee": _person(client.director, "La direction"),
            "it_contact_greeting": _greeting(client.it_contact),
            "it_organisation": (client.it_contact.organisation or "") if client.it_contact else "",
            "ai_champion": client.ai_champion or "",
            "works_council": bool(client.works_council),
        },
        "consultant": {"name": consultant.name if consultant else "",
                       "firm": (consultant.firm or "") if consultant else ""},
        "as_of": date_fr(as_of),
        "as_of_short": date_short_fr(as_of),
        "reply_by": date_fr(as_of + dt.timedelta(days=REPLY_DAYS)),
        "sector_line": SECTOR_LINES[client.sector],
        "integration_targets": list_fr(_integrations(assessment)),
        "charter": _charter(assessment),
        "use_cases": use_cases,
        "vendors": vendors,
        "brief": {
            "tools": list_fr([v["name"] for v in vendors if not v["stop"]]),
            "vendors": [v for v in vendors if not v["stop"]],
            "stopped": _stopped_uses(assessment),
        },
        "summary": {
            "use_cases": str(len(use_cases)),
            "worst_tier": TIER_LABELS[assessment.worst_tier],
            "prohibited": counts["unacceptable"], "high": counts["high"],
            "limited": counts["limited"], "minimal": counts["minimal"],
            "undetermined": counts["undetermined"],
            "blockers": sum(1 for f in assessment.findings if f.severity == "blocker"),
        },
        "client_findings": [_finding(f) for f in assessment.client_findings()],
        "next_steps": _next_steps(assessment),
        "glossary": [{"term": t, "definition": d} for t, d in GLOSSARY],
        "findings": [_finding(f) | {"subject": _subject_name(f, assessment)}
                     for f in assessment.findings],
        "rules_digest": short(assessment.rules_digest),
        "chart": Image(priority_matrix_png(points), 150.0) if with_chart else "",
    }


def _charter(assessment: Assessment) -> dict[str, Any]:
    findings = assessment.findings
    tiers = {u.tier for u in assessment.use_cases}
    kinds = {(f.rule_id.split(".")[0], f.kind) for f in findings}
    disclosure = any(o.reference.startswith("Art. 50") for u in assessment.use_cases
                     for o in u.obligations)
    tools = [v.label for v in assessment.profile.vendors
             if v.id not in assessment.stopped_vendors]
    return {
        "human_review": bool(tiers & {"high", "undetermined"}),
        "disclosure": disclosure,
        "no_public_ai": any(u.data.personal_data for u in assessment.profile.use_cases),
        "training": assessment.profile.client.staff_ai_training is not True,
        "works_council": bool(assessment.profile.client.works_council),
        "prohibited": "unacceptable" in tiers,
        "gdpr": any(k == "gdpr" for _, k in kinds),
        "tools": list_fr(tools) if tools else "",
    }
