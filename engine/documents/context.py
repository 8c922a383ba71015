"""Stage 7: assessment -> the template context, the single contract with the .docx templates.

Every value is ready to print: French text worded by ``rules/texts/`` (labels, conclusions,
checklists), French dates, numbers and euros (Babel), no ``None`` (an unknown value is the
``labels.todo`` text, absent items are left out of lists). ``docs/templates.md`` documents each
name; ``iapme templates check`` verifies templates use only these names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.assessment.assess import Assessment
from engine.common.digest import short
from engine.documents.brief import brief_context
from engine.documents.chart.matrix import MatrixLabels, MatrixPoint, priority_matrix_png
from engine.documents.charter import charter_context
from engine.documents.entries import integrations, subject_name, use_case_entry, vendor_entry
from engine.documents.exposure import limits, sanctions
from engine.documents.formatting import date_fr, date_short_fr, list_fr
from engine.documents.render import Image
from engine.documents.roi_text import roi_method
from engine.documents.text_keys import TIERS
from engine.documents.texts import Texts
from engine.documents.verdict import (
    actions_context,
    blocking_points,
    deadlines_context,
    decisions_sentence,
)
from engine.documents.wording import Wording
from engine.profile.model import ItContact, Person

REPLY_DAYS = 14
# findings the report states as rows of a table (a checklist answer, a duty in the obligations
# table, the priority of the ROI section), not as paragraphs
STATED_IN_TABLES = ("anti_failure", "scale_up", "obligation", "priority")


def build_context(assessment: Assessment, texts: Texts, *, with_chart: bool = True
                  ) -> dict[str, Any]:
    """Everything the three templates print, for one client, in the words of ``texts``."""
    wording = Wording(texts)
    profile = assessment.profile
    client = profile.client
    as_of = assessment.as_of
    consultant = profile.assessment.consultant
    use_cases = [use_case_entry(u, assessment, wording) for u in assessment.use_cases]
    vendors = [vendor_entry(v, assessment, wording) for v in profile.vendors]
    label = wording.label
    actions = actions_context(assessment, wording)
    defaults = {k: texts.text(f"labels.client.{k}")
                for k in ("director", "director_title", "it_contact")}
    return {
        "client": {
            "name": client.name,
            "city": client.city or "",
            "sector": client.sector_label or label("sector", client.sector),
            "employees": str(client.employees),
            "director": client.director.name if client.director else defaults["director"],
            "director_title": (client.director.title if client.director else None)
            or defaults["director_title"],
            "it_contact": client.it_contact.name if client.it_contact else defaults[
                "it_contact"],
            # with the civility, for addresses and salutations ("Madame Sarah Benali")
            "it_contact_addressee": _addressee(texts, client.it_contact, defaults["it_contact"]),
            "director_addressee": _addressee(texts, client.director, defaults["director"]),
            "it_contact_greeting": _greeting(texts, client.it_contact),
            "it_contact_closing": closing(texts, client.it_contact),
            "it_organisation": (client.it_contact.organisation or "") if client.it_contact else "",
            "ai_champion": client.ai_champion or "",
            "works_council": bool(client.works_council),
        },
        "consultant": {"name": consultant.name if consultant else "",
                       "firm": (consultant.firm or "") if consultant else ""},
        "as_of": date_fr(as_of),
        "as_of_short": date_short_fr(as_of),
        "reply_by": date_fr(as_of + dt.timedelta(days=REPLY_DAYS)),
        "sector_line": texts.text(f"charter.sector_line.{client.sector}"),
        "integration_targets": list_fr(integrations(assessment)),
        "charter": charter_context(assessment, texts),
        "use_cases": use_cases,
        "vendors": vendors,
        "brief": _brief(vendors, assessment, wording),
        "summary": _summary(assessment, wording, label("tier", assessment.worst_tier)),
        "client_findings": [wording.finding(f) for f in assessment.client_findings()],
        "actions": actions,
        "next_steps": [a["line"] for a in actions["first"]],
        "deadlines": deadlines_context(assessment, wording),
        "roi_method": roi_method(texts),
        "limits": limits(assessment, wording),
        "sanctions": sanctions(assessment, wording),
        "glossary": [{"term": t, "definition": d}
                     for t, d in texts.mapping("glossary.terms").items()],
        "findings": [wording.finding(f) | {"subject": subject_name(f, assessment)}
                     for f in assessment.findings],
        "annex_findings": _annex_findings(assessment, wording, use_cases, vendors),
        # the rules this client's documents cite (a rule that does not apply to it leaves
        # them unchanged), else the whole rule base's
        "rules_digest": short(assessment.rules_applied or assessment.rules_digest),
        "chart": _chart(assessment, texts) if with_chart else "",
    }


def _brief(vendors: list[dict[str, Any]], assessment: Assessment, wording: Wording
           ) -> dict[str, Any]:
    """The IT brief (:mod:`engine.documents.brief`), with the tools to switch off."""
    reply_by = assessment.as_of + dt.timedelta(days=REPLY_DAYS)
    return {**brief_context(vendors, assessment, wording, reply_by),
            "stopped": _stopped_uses(assessment, wording)}


def _summary(assessment: Assessment, wording: Wording, worst_tier: str) -> dict[str, Any]:
    """Counts and the conclusions of the executive summary."""
    texts = wording.texts
    counts = {tier: sum(1 for u in assessment.use_cases if u.tier == tier) for tier in TIERS}
    blockers = blocking_points(assessment)
    alert = "report.summary.prohibited."
    questions = _open_questions(assessment)
    return {
        "use_cases": str(len(assessment.use_cases)),
        "worst_tier": worst_tier,
        "prohibited": counts["unacceptable"], "high": counts["high"],
        "limited": counts["limited"], "minimal": counts["minimal"],
        "undetermined": counts["undetermined"],
        "blockers": blockers,
        "blockers_text": (texts.text("report.summary.blockers", count=str(blockers)) if blockers
                          else texts.text("report.summary.no_blocker_open_questions",
                                          count=str(questions)) if questions
                          else texts.text("report.summary.no_blocker")),
        "prohibited_alert": {part: texts.text(alert + part) if counts["unacceptable"] else ""
                             for part in ("lead", "text")},
        "decisions_text": decisions_sentence(assessment, wording),
    }


def _open_questions(assessment: Assessment) -> int:
    """How many answers are still to complete: never a bare "no blocker" while some are."""
    keys = {("" if key.startswith("client.") else u.use_case.id, key)
            for u in assessment.use_cases for key in (*u.missing, *u.to_complete)}
    return len(keys | {("", key) for key in assessment.to_complete})


def _chart(assessment: Assessment, texts: Texts) -> Image:
    """The ROI / complexity matrix of the costed use cases (guide 5.2), 150 mm wide."""
    points = [MatrixPoint(u.use_case.title, u.roi.roi_percent, u.use_case.process.complexity,
                          u.quadrant, blocked=not u.ranked)
              for u in assessment.use_cases
              if u.roi.roi_percent is not None and u.use_case.process.complexity and u.quadrant
              and u.tier != "unacceptable"]  # a prohibited practice is not a project to rank
    return Image(priority_matrix_png(points, matrix_labels(texts)), 150.0)


def matrix_labels(texts: Texts) -> MatrixLabels:
    """The words of the priority matrix (``report.chart`` in ``rules/texts/report.yaml``)."""
    chart = "report.chart."
    return MatrixLabels(
        title=texts.text(chart + "title"),
        **{p: texts.text(f"{chart}quadrant.{p}")
           for p in ("do_first", "plan_later", "test_if_time", "avoid")},
        **{c: texts.text(f"{chart}complexity.{c}") for c in ("low", "medium", "high")},
        **{k: texts.text(chart + k) for k in ("x_axis", "y_axis", "empty", "scale_note",
                                              "clipped_note", "colour_note", "blocked_note")},
    )


def _annex_findings(assessment: Assessment, wording: Wording, use_cases: list[dict[str, Any]],
                    vendors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings the body of the report does not state (in no use-case, vendor or
    organisation section, nor as a row of its checklists, duties or priority): the annex holds
    only these, never a repetition of the body."""
    shown = {id(f) for u in use_cases
             for key in ("reasons", "gdpr", "avoid", "errors", "organisation") for f in u[key]}
    shown |= {id(f) for v in vendors for key in ("gaps", "notes") for f in v[key]}
    shown |= {id(wording.finding(f)) for f in assessment.client_findings()}
    return [wording.finding(f) | {"subject": subject_name(f, assessment)}
            for f in assessment.findings
            if f.kind not in STATED_IN_TABLES and id(wording.finding(f)) not in shown]


def _stopped_uses(assessment: Assessment, wording: Wording) -> list[dict[str, str]]:
    """Each prohibited use case (AI Act art. 5): the tool, the use and the prohibition."""
    out = []
    for u in assessment.use_cases:
        if u.tier != "unacceptable":
            continue
        vendor = assessment.profile.vendor(u.use_case.vendor)
        references = dict.fromkeys(r for f in u.findings if f.spec and f.spec.tier == "unacceptable"
                                   for r in f.provenance.references)
        out.append({"tool": vendor.label if vendor else wording.texts.text("labels.in_house_tool"),
                    "use": u.use_case.title, "references": wording.references(list(references))})
    return out


def _addressee(texts: Texts, person: Person | ItContact | None, fallback: str) -> str:
    """``Madame Sarah Benali`` when the civility is known, else the name, else ``fallback``."""
    if person is None:
        return fallback
    if person.civility is None:
        return person.name
    civility = texts.text(f"labels.civility.{person.civility}")
    return texts.text("labels.addressee", civility=civility, name=person.name)


def _greeting(texts: Texts, person: ItContact | None) -> str:
    """The brief's salutation: ``Madame,`` or ``Monsieur,`` with a civility, else
    ``Madame, Monsieur,`` (a French letter never opens on the bare name)."""
    if person is None or person.civility is None:
        return texts.text("labels.greeting.nobody")
    civility = texts.text(f"labels.civility.{person.civility}")
    return texts.text("labels.greeting.civility", civility=civility)


def closing(texts: Texts, person: ItContact | None) -> str:
    """The brief's closing formula, with the civility of its salutation."""
    civility = (texts.text(f"labels.civility.{person.civility}")
                if person is not None and person.civility is not None
                else texts.text("labels.closing_civility"))
    return texts.text("labels.closing", civility=civility)
