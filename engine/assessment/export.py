"""The ``assessment.json`` document (SPEC §3, and ``iapme assess --json``): everything the
documents were made from, in machine values (codes, ISO dates, plain numbers).

Beyond SPEC §3: per use case the decision's ``due`` (``immediately``, ``on_date``,
``before_launch``, ``none``), the guide matrix's ``quadrant`` (``priority`` is null when the
decision blocks the use case), the ROI's parts and whether extra revenue was counted, the
checklist answers in three values; the ROI's ``status`` (``computed``, ``no_cost``,
``to_complete``: ``roi_percent`` is then null) and the inputs it lacks (``missing``); at the top
level ``actions``, ``deadlines`` (each with ``binds``: it concerns the client) and
``next_deadline`` (the soonest deadline after ``as_of`` that binds the client, or null: the one
summary.csv/xlsx and index.html show).
"""

from __future__ import annotations

from typing import Any

from engine.assessment.actions import Action
from engine.assessment.assess import Assessment, UseCaseAssessment
from engine.assessment.deadlines import Deadline, binds, next_deadline
from engine.assessment.findings import Finding
from engine.assessment.penalties import Cap

_ANSWER = {"met": "yes", "not_met": "no", "unknown": "unknown"}


def assessment_document(assessment: Assessment) -> dict[str, Any]:
    """The SPEC §3 ``assessment.json`` document (plus the extensions above)."""
    return {
        "client": _client_json(assessment),
        "as_of": assessment.as_of.isoformat(),
        "rules_digest": assessment.rules_digest,
        "worst_tier": assessment.worst_tier,
        "to_complete": assessment.to_complete,
        "use_cases": [_use_case_json(u) for u in assessment.use_cases],
        "vendors": [_vendor_json(assessment, v.id) for v in assessment.profile.vendors],
        "actions": [_action_json(a) for a in assessment.actions],
        "deadlines": [_deadline_json(d) for d in assessment.deadlines],
        "next_deadline": _next_json(next_deadline(assessment.deadlines, assessment.as_of)),
        "findings": [_finding_json(f) for f in assessment.findings],
        "penalties": {pid: _cap_json(c) for pid, c in assessment.penalties.items()},
    }


def _action_json(a: Action) -> dict[str, Any]:
    return {"text": a.text, "topic": a.topic, "owner": a.owner, "due": a.due,
            "deadline": a.deadline.isoformat() if a.deadline else None,
            "use_cases": a.use_cases, "vendors": a.vendors, "references": a.references,
            "rules": a.rules, "blocking": a.blocking}


def _deadline_json(d: Deadline) -> dict[str, Any]:
    return {"date": d.date.isoformat(), "kind": d.kind, "reference": d.reference,
            "text": d.text, "in_force": d.in_force, "use_cases": d.use_cases,
            "binds": binds(d)}


def _next_json(d: Deadline | None) -> dict[str, Any] | None:
    return None if d is None else {"date": d.date.isoformat(), "kind": d.kind,
                                   "reference": d.reference, "text": d.text}


def _decision_json(u: UseCaseAssessment) -> dict[str, Any] | None:
    d = u.decision
    if d is None:
        return None
    return {"status": d.status, "reasons": d.rule_ids,
            "deadline": d.deadline.isoformat() if d.deadline else None, "due": d.due}

def _client_json(assessment: Assessment) -> dict[str, Any]:
    """The client as the assessment read it (v2 keys included where answered)."""
    client = assessment.profile.client
    out: dict[str, Any] = {"id": client.id, "name": client.name, "sector": client.sector}
    for key in ("sector_label", "employees", "annual_turnover_eur", "works_council",
                "public_body", "public_service"):
        value = getattr(client, key)
        if value is not None:
            out[key] = value
    for key in ("director", "it_contact"):
        person = getattr(client, key)
        if person is not None:
            out[key] = person.model_dump(exclude_none=True, mode="json")
    return out


def _cap_json(c: Cap) -> dict[str, Any]:
    return {
        "law": c.penalty.law, "reference": c.penalty.reference, "breach": c.penalty.breach,
        "amount_eur": c.penalty.amount_eur, "turnover_percent": c.penalty.turnover_percent,
        "rule": c.rule, "cap_eur": c.cap_eur, "bound": c.bound, "note": c.note,
    }


def _use_case_json(u: UseCaseAssessment) -> dict[str, Any]:
    roi = u.roi
    return {
        "id": u.use_case.id,
        "title": u.use_case.title,
        "stage": u.use_case.stage,
        "vendor": u.use_case.vendor,
        "role": u.use_case.role or "deployer",
        "system": u.use_case.system.model_dump(exclude_none=True, mode="json"),
        "data": u.use_case.data.model_dump(exclude_none=True, mode="json"),
        "ai_act": {
            "tier": u.tier,
            "tier_floor": u.tier_floor,
            "references": u.references,
            "exclusions": [{"rule": f.rule_id, "references": list(f.provenance.references),
                            "message": f.message} for f in u.exclusions],
            "missing_answers": u.missing,
            "to_complete": u.to_complete,
            "obligations": [{
                "text": o.text, "reference": o.reference,
                "applies_from": o.applies_from.isoformat(), "in_force": o.in_force,
                "bearer": o.bearer, "status": o.status, "rule": o.rule_id,
                "penalty": o.penalty,
            } for o in u.obligations],
        },
        "roi": {
            "measurable": roi.measurable,
            "status": roi.status,
            "missing": list(roi.missing),
            "annual_gain": roi.annual_gain,
            "annual_cost": roi.annual_cost,
            "one_off_cost": roi.one_off_cost,
            "roi_percent": roi.roi_percent,
            "payback_months": roi.payback_months,
            "gross_margin_rate": u.use_case.roi.gross_margin_rate,
            "time_gain": roi.time_gain,
            "error_gain": roi.error_gain,
            "extra_revenue": roi.extra_revenue,
            "revenue_gain": roi.revenue_gain,
            "extra_revenue_counted": roi.revenue_counted,
        },
        "priority": u.priority,
        "quadrant": u.quadrant,
        "decision": _decision_json(u),
        "anti_failure": {"answers": {k: _ANSWER[v] for k, v in u.anti_failure.items()},
                         "no_count": u.anti_failure_no,
                         "unknown_count": u.anti_failure_unknown,
                         "verdict": u.anti_failure_verdict},
        "scale_up": {"criteria": u.scale_up, "ready": u.scale_up_ready},
    }


def _vendor_json(assessment: Assessment, vendor_id: str) -> dict[str, Any]:
    vendor = assessment.profile.vendor(vendor_id)
    assert vendor is not None
    sources = assessment.vendor_sources.get(vendor_id, {})
    return {
        "id": vendor.id,
        "name": vendor.label,
        "register_id": vendor.register_id,
        "hosting": vendor.hosting,
        "access_from_third_country": vendor.access_from_third_country,
        "sources": {name: {"origin": s.origin, "source": s.source or None,
                           "checked_on": s.checked_on.isoformat() if s.checked_on else None,
                           "verified": s.verified}
                    for name, s in sorted(sources.items())},
        "gdpr_gaps": [f.rule_id for f in assessment.vendor_findings(vendor_id)
                      if f.kind == "gdpr" and f.severity != "info"],
        "alternatives": [e.id for e in assessment.alternatives(vendor_id)],
        "prohibited_use_only": vendor_id in assessment.stopped_vendors,
    }


def _finding_json(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule_id,
        "kind": f.kind,
        "severity": f.severity,
        "subject": f.subject,
        "subject_kind": f.subject_kind,
        "message": f.message,
        "references": list(f.provenance.references),
        "because": f.because,
        "source": f"{f.provenance.file}:{f.provenance.line}",
    }
    if f.advice:
        out["advice"] = f.advice
    if f.spec and f.spec.tier:
        out["tier"] = f.spec.tier
    if f.spec and f.spec.penalty:
        out["penalty"] = f.spec.penalty
    return out
