"""The context's list entries: one per use case (``use_cases[]``) and per vendor (``vendors[]``).

Part of the template contract of :mod:`engine.documents.context`; each name is documented in
``docs/templates.md``. The French comes from ``rules/texts/`` through :class:`Wording`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.assessment.assess import (
    ANTI_FAILURE_ITEMS,
    ANTI_FAILURE_MAX_NO,
    SCALE_UP_ITEMS,
    Assessment,
    UseCaseAssessment,
)
from engine.assessment.decision import in_force
from engine.assessment.findings import Finding
from engine.documents.because import key_label
from engine.documents.formatting import country_fr, date_fr, date_short_fr, list_fr
from engine.documents.roi_text import roi_entry
from engine.documents.text_keys import VENDOR_CHECKS
from engine.documents.verdict import decision_entry, decision_label, state
from engine.documents.wording import Wording
from engine.profile.model import Vendor
from engine.profile.register import FactSource

_TRAINING = {True: "trains", False: "does_not_train", "opt_out_available": "opt_out_available"}


def _bearer(bearer: str, u: UseCaseAssessment, has_vendor: bool) -> str:
    """Which bearer label a duty takes: the company itself when it is the provider, and never
    a vendor (the French "editeur") for a system built without one."""
    if bearer != "provider":
        return "deployer"
    if u.use_case.role == "provider":
        return "company_provider"
    return "provider" if has_vendor else "provider_in_house"


def use_case_entry(u: UseCaseAssessment, assessment: Assessment, wording: Wording
                   ) -> dict[str, Any]:
    """Everything the report prints about one use case."""
    texts, label = wording.texts, wording.label
    vendor = assessment.profile.vendor(u.use_case.vendor)
    vendor_name = vendor.label if vendor else texts.text("labels.in_house")
    reasons = [wording.finding(f) for f in u.findings
               if f.kind in ("ai_act", "ai_act_note", "ai_act_exclusion", "missing_answer")
               and (u.tier != "unacceptable" or _prohibition_reason(f))]
    obligations = [{
        "text": o.text,
        "reference": wording.reference(o.reference),
        "date": date_fr(o.applies_from),
        "state": texts.text("labels.obligation.in_force") if o.in_force else texts.text(
            "labels.obligation.applies_from", date=date_fr(o.applies_from)),
        "in_force": o.in_force,
        "bearer": label("obligation.bearer", _bearer(o.bearer, u, vendor is not None)),
        "status": label("obligation.status", o.status),
    } for o in u.obligations]
    tier_text = label("tier", u.tier)
    if u.tier == "undetermined" and u.tier_floor:
        tier_text = texts.text("labels.tier_with_floor", tier=tier_text,
                               floor=label("tier", u.tier_floor).lower())
    quoted = {"use_case": u.use_case.title, "vendor": vendor_name}
    prohibited = u.tier == "unacceptable"
    decision = decision_entry(u, assessment, wording)
    status = u.decision.status if u.decision else "proceed"
    if not u.ranked:
        priority = texts.text(f"labels.priority_blocked.{status}")
    else:
        priority = label("priority", u.priority) if u.priority else wording.todo
    return {
        "id": u.use_case.id,
        "title": u.use_case.title,
        "stage": label("stage", u.use_case.stage),
        "vendor": vendor_name,
        "tier": tier_text,
        "tier_code": u.tier,
        "light": label("decision_light", status),
        "decision": decision,
        "references": wording.references(u.references) or texts.text("labels.no_reference"),
        "reasons": reasons,
        "obligations": obligations,
        "missing": [key_label(texts, m) for m in u.missing],
        "gdpr": [wording.finding(f) for f in u.findings if f.kind == "gdpr"],
        "avoid": [wording.finding(f) for f in u.findings
                  if f.kind in ("avoid_ai", "test_small", "budget")],
        "errors": [wording.finding(f) for f in u.findings
                   if f.kind in ("frequent_error", "pilot")],
        # the company's organisation around the tool (staff information, works council...)
        "organisation": [] if prohibited else [wording.finding(f) for f in u.findings
                                               if f.kind == "governance"],
        "roi": roi_entry(u, wording),
        "priority": priority,
        "prohibited": prohibited,
        "obligations_note": texts.text("report.prohibited.obligations") if prohibited else "",
        "follow_up": texts.text("report.prohibited.follow_up") if prohibited else "",
        "anti_failure": [{"question": texts.text(f"report.anti_failure.{k}", **quoted),
                          "answer": _answer_of(k, u, wording)} for k in ANTI_FAILURE_ITEMS],
        "anti_failure_no": u.anti_failure_no,
        "anti_failure_unknown": u.anti_failure_unknown,
        "anti_failure_verdict": _checklist_verdict(u, wording),
        "scale_up": [{"criterion": texts.text(f"report.scale_up.{k}", **quoted),
                      "status": label("scale_up_status", u.scale_up[k])}
                     for k in SCALE_UP_ITEMS],
        "scale_up_ready": u.scale_up_ready,
        "scale_up_verdict": (
            texts.text("report.scale_up.verdict_blocked", decision=decision["label"])
            if not u.ranked else texts.text("report.scale_up.verdict_ready"
                                            if u.scale_up_ready
                                            else "report.scale_up.verdict_not_ready")),
    }


_ANSWERS = {"met": "yes", "not_met": "no", "unknown": "unknown"}


def _answer_of(item: str, u: UseCaseAssessment, wording: Wording) -> str:
    """Yes, no or to be checked, in the texts' words; the indicator (q5) and plan B (q7) quoted."""
    answer = wording.label("answer", _ANSWERS[u.anti_failure[item]])
    detail = {"q5": u.use_case.roi.success_indicator,
              "q7": u.use_case.pilot.plan_b if u.use_case.pilot else None}.get(item)
    if detail and u.anti_failure[item] == "met":
        return f"{answer} : \u00ab\u00a0{detail}\u00a0\u00bb"
    return answer


def _checklist_verdict(u: UseCaseAssessment, wording: Wording) -> str:
    """The guide's verdict for the stage; when the decision blocks, it says so too."""
    texts = wording.texts
    verdict = texts.text(f"report.anti_failure.verdict.{u.anti_failure_verdict}.{state(u)}",
                         count=str(u.anti_failure_no), unknown=str(u.anti_failure_unknown),
                         total=str(len(ANTI_FAILURE_ITEMS)), max=str(ANTI_FAILURE_MAX_NO))
    if not u.ranked:
        verdict += " " + texts.text("report.anti_failure.verdict_blocked",
                                    decision=decision_label(wording, u))
    return verdict


def _prohibition_reason(finding: Finding) -> bool:
    """For a prohibited use case, only what establishes or frames the prohibition is shown."""
    spec = finding.spec
    return spec is not None and (spec.tier == "unacceptable" or finding.severity == "blocker")


def vendor_entry(vendor: Vendor, assessment: Assessment, wording: Wording) -> dict[str, Any]:
    """Everything the brief and the report print about one vendor."""
    texts = wording.texts
    findings = assessment.vendor_findings(vendor.id)
    users = [f"{u.title} ({texts.text(f'labels.stage_in_sentence.{u.stage}')})"
             for u in assessment.profile.use_cases if u.vendor == vendor.id]
    values = {
        "dpa_signed": _answer(vendor.dpa_signed, wording),
        "hosting": _hosting(vendor.hosting, wording),
        "deletion_on_request": _answer(vendor.deletion_on_request, wording),
        "trains_on_customer_data": (
            wording.label("training", _TRAINING[vendor.trains_on_customer_data])
            if vendor.trains_on_customer_data in _TRAINING else wording.todo_cell),
        "subprocessors_listed": _answer(vendor.subprocessors_listed, wording),
        "certifications": (_certifications(vendor.certifications or [], wording)
                           or texts.text("labels.no_certification")),
    }
    sources = assessment.vendor_sources.get(vendor.id, {})
    stop = vendor.id in assessment.stopped_vendors
    blocking = [f for f in findings if f.severity == "blocker" and in_force(f, assessment.as_of)]
    compliant = not blocking
    gaps = [f for f in findings if f.severity != "info"]
    running = any(u.running for u in assessment.use_cases if u.use_case.vendor == vendor.id)
    conclusion = ("stop" if stop else
                  ("blocked_running" if running else "blocked_planned") if blocking else
                  "open" if gaps else "clean")
    return {
        "id": vendor.id,
        "name": vendor.label,
        "country": country_fr(vendor.country) if vendor.country else wording.todo_cell,
        "use_cases": list_fr(users) if users else texts.text("labels.no_use_case"),
        "integration": list_fr(integrations(assessment, vendor.id)),
        "checks": [{"label": wording.label("vendor_check", key), "value": values[key],
                    "source": _source(sources.get(key), wording)} for key in VENDOR_CHECKS],
        "from_register": vendor.register_id is not None,
        "stop": stop,
        "gaps": [wording.finding(f) for f in findings if f.severity != "info"],
        "notes": [wording.finding(f) for f in findings if f.severity == "info"],
        "compliant": compliant,
        "conclusion": (texts.text("report.vendor_conclusion.open", count=str(len(gaps)))
                       if conclusion == "open" else
                       texts.text(f"report.vendor_conclusion.{conclusion}")),
        "questions": [],  # filled by the brief: what the vendor is asked (action plan)
        "alternatives": [{
            "name": entry.name,
            "hosting": _hosting(entry.facts.hosting.value, wording) if entry.facts.hosting else "",
            "certifications": _certifications(
                entry.facts.certifications.value if entry.facts.certifications else [], wording),
            "target": entry.target_users or "",
        } for entry in assessment.alternatives(vendor.id)],
    }


def _certifications(codes: Sequence[str], wording: Wording) -> str:
    """``ISO/IEC 27001, SOC 2``: the labels of ``labels.certification`` (a code it does not
    name prints in capitals)."""
    names = wording.texts.mapping("labels.certification")
    return ", ".join(names.get(c, c.upper()) for c in codes)


def _answer(value: object, wording: Wording) -> str:
    """A yes/no/unknown answer in a table cell."""
    if value is True or value is False:
        return wording.label("answer", "yes" if value else "no")
    return wording.todo_cell


def _hosting(hosting: str | None, wording: Wording) -> str:
    if hosting is None or hosting == "unknown":
        return wording.todo_cell
    return wording.label("hosting", hosting)


def integrations(assessment: Assessment, vendor_id: str | None = None) -> list[str]:
    """Software the client's tools must work with (guide annex 4 d), each named once."""
    names: dict[str, None] = {}
    for u in assessment.profile.use_cases:
        if vendor_id is None or u.vendor == vendor_id:
            names.update(dict.fromkeys(u.integrates_with or []))
    return list(names)


def _source(origin: FactSource | None, wording: Wording) -> str:
    """Where a vendor fact comes from, as the documents say it."""
    texts = wording.texts
    if origin is None:
        return texts.text("labels.fact_source.none")
    if origin.origin == "client":
        return texts.text("labels.fact_source.client")
    checked = (date_short_fr(origin.checked_on) if origin.checked_on
               else texts.text("labels.fact_source.unknown_date"))
    state = "verified" if origin.verified else "unverified"
    return texts.text(f"labels.fact_source.register_{state}", date=checked)


def subject_name(finding: Finding, assessment: Assessment) -> str:
    """What a finding is about, as the client knows it (use-case title, vendor name)."""
    profile = assessment.profile
    if finding.subject_kind == "use_case":
        return next((u.title for u in profile.use_cases if u.id == finding.subject),
                    finding.subject)
    if finding.subject_kind == "vendor":
        vendor = profile.vendor(finding.subject)
        return vendor.label if vendor else finding.subject
    return profile.client.name
