"""The report's scope and limits and the fines at stake (its sections "Perimetre et limites"
and "Sanctions encourues", and the exposure line of the management summary): context data,
worded by ``rules/texts/law.yaml`` (issue 14).

``limits``: what the assessment rests on (the client's answers on a date, the vendors'
documentation as read on dates, the law in force on the assessment date) and the points of law
still moving that this client's findings touch (REFERENCE §9), each said once.
``sanctions``: each fine at stake (AI Act Art. 99 with the SME lower-amount rule of Art. 99(6),
GDPR Art. 83), its cap for this client (``assessment.penalties``, from ``rules/penalties.yaml``)
and the gaps found that expose the client to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.assessment.assess import Assessment
from engine.assessment.penalties import Cap
from engine.documents.entries import subject_name
from engine.documents.formatting import date_fr, euros, list_fr
from engine.documents.texts import Texts
from engine.documents.wording import Wording

SME_RULE = "Art. 99(6)"  # the reference of the SME lower-amount rule (its open point)


def open_points(references: Iterable[str], texts: Texts) -> list[str]:
    """The notes of ``law.open_points`` whose reference beginning one of ``references`` has
    (``Art. 4`` for ``Art. 4``, not for ``Art. 40``), each once, in the file's order."""
    references = list(references)
    points = texts.mapping("law.open_points")
    return list(dict.fromkeys(
        note for prefix, note in points.items()
        if any(r.startswith(prefix) and not r[len(prefix):][:1].isdigit() for r in references)))


def limits(assessment: Assessment, wording: Wording) -> dict[str, Any]:
    """``limits.declared``, ``limits.register``, ``limits.legal_basis`` (str, ``""`` when it
    does not apply), ``limits.open_points`` (list of str)."""
    texts = wording.texts
    client = assessment.profile.client
    references = [r for f in assessment.findings for r in f.provenance.references]
    # the fines of "Sanctions encourues" are law too: their articles, and the SME test
    references += [c.penalty.reference for c in assessment.penalties.values()]
    if any(c.penalty.sme_lower for c in assessment.penalties.values()):
        references.append(SME_RULE)
    from_register = any(v.register_id for v in assessment.profile.vendors)
    consultant = assessment.profile.assessment.consultant
    return {
        "declared": texts.text("law.limits.declared", client=client.name,
                               date=date_fr(assessment.as_of)),
        "collected": texts.text("law.limits.collected", consultant=" – ".join(
            n for n in (consultant.name, consultant.firm) if n)) if consultant else "",
        "register": texts.text("law.limits.register") if from_register else "",
        "legal_basis": texts.text("law.limits.legal_basis", date=date_fr(assessment.as_of)),
        "open_points": open_points(references, texts),
    }


def _cap(cap: Cap, wording: Wording) -> str:
    texts = wording.texts
    if cap.cap_eur is None or cap.bound == "national":
        return texts.text("law.sanctions.cap.national")
    amount = euros(cap.cap_eur, cents=False)
    return texts.text(f"law.sanctions.cap.{cap.bound}", amount=amount)


def sanctions(assessment: Assessment, wording: Wording) -> dict[str, Any]:
    """``sanctions.items``: per fine at stake, ``breach``, ``reference``, ``cap``, ``note``
    (str) and ``gaps`` (list of str: the findings and the duties not met that name it)."""
    titles = {u.id: u.title for u in assessment.profile.use_cases}
    gaps: dict[str, dict[str, None]] = {}
    for f in assessment.findings:
        if f.spec and f.spec.penalty and f.severity != "info":
            line = wording.texts.text(
                "law.sanctions.gap", title=f.provenance.rule_title,
                subject=subject_name(f, assessment),
                references=wording.references(f.provenance.references))
            gaps.setdefault(f.spec.penalty, {})[line] = None
    for u in assessment.use_cases:
        for o in u.obligations:
            if o.penalty and o.in_force and o.status == "not_met":
                line = wording.texts.text("law.sanctions.duty", text=o.text,
                                          use_case=titles.get(u.use_case.id, u.use_case.id))
                gaps.setdefault(o.penalty, {})[line] = None
    items = [{
        "breach": cap.penalty.breach,
        "reference": wording.reference(cap.penalty.reference),
        "cap": _cap(cap, wording),
        "note": cap.note,
        "gaps": list(gaps.get(pid, {})),
    } for pid, cap in sorted(assessment.penalties.items(),
                             key=lambda item: (item[1].penalty.law, item[1].penalty.reference))]
    return {"items": items, "intro": wording.texts.text("law.sanctions.intro") if items
            else wording.texts.text("law.sanctions.none"),
            "exposure": _exposure(assessment, {pid for pid, lines in gaps.items() if lines},
                                  wording)}


def _exposure(assessment: Assessment, exposed: set[str], wording: Wording) -> str:
    """The management summary's one line: per law, the highest cap the gaps found expose the
    client to (a cap set by national law only when the law has no other)."""
    texts = wording.texts
    per_law: dict[str, Cap] = {}
    for pid in sorted(exposed):
        cap = assessment.penalties.get(pid)
        if cap is None:
            continue
        known = per_law.get(cap.penalty.law)
        if known is None or (cap.cap_eur or 0) > (known.cap_eur or 0):
            per_law[cap.penalty.law] = cap
    parts = [texts.text(f"law.sanctions.exposure_law.{law}", cap=(
        texts.text("law.sanctions.exposure_national") if per_law[law].cap_eur is None
        or per_law[law].bound == "national" else _cap(per_law[law], wording)))
        for law in ("ai_act", "gdpr") if law in per_law]
    if not parts:
        return texts.text("law.sanctions.exposure_none")
    return texts.text("law.sanctions.exposure", caps=list_fr(parts))
