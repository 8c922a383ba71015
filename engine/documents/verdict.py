"""The decision, the action plan and the calendar as the documents state them.

Part of the template contract of :mod:`engine.documents.context` (``docs/templates.md``): every
sentence comes from ``rules/texts/`` (``labels.decision``, ``report.decision``,
``report.actions``, ``labels.due``, ``labels.owner``...). A use case's decision is worded for a
tool already in use (``running``) or not yet (``planned``); its reasons name the rule's title,
its references in French and when it is due.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from engine.assessment.actions import Action
from engine.assessment.assess import Assessment, UseCaseAssessment
from engine.assessment.decision import Decision, Reason
from engine.documents.formatting import date_fr, list_fr
from engine.documents.wording import Wording
from engine.rules.types import DECISION_STATUSES, Due

SUMMARY_ACTIONS = 5  # the actions the management summary lists (the plan follows in full)


def state(u: UseCaseAssessment) -> str:
    """``running`` for a tool already in use (pilot, production), ``planned`` otherwise."""
    return "running" if u.running else "planned"


def due_label(wording: Wording, due: Due, deadline: dt.date | None) -> str:
    """The deadline in words (the texts'): none, by a date, before launch..."""
    texts = wording.texts
    if due == "on_date" and deadline is not None:
        return texts.text("labels.due.on_date", date=date_fr(deadline))
    if due == "before_launch" and deadline is not None:
        return texts.text("labels.due.before_launch_dated", date=date_fr(deadline))
    if due == "on_date":
        return texts.text("labels.due.none")
    return texts.text(f"labels.due.{due}")


def decision_label(wording: Wording, u: UseCaseAssessment) -> str:
    """The decision in a few words (the texts' label of its status)."""
    d = u.decision
    return wording.texts.text(f"labels.decision.{d.status}.{state(u)}") if d else ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() \
        else text


def reason_text(wording: Wording, r: Reason, assessment: Assessment, *, dated: bool) -> str:
    """One reason: the rule's title and references, the vendor's tool named; a condition
    (``dated``) also says when it is due."""
    texts = wording.texts
    refs = wording.references(list(r.references))
    vendor = assessment.profile.vendor(r.vendor) if r.vendor else None
    values = {"title": r.title, "references": refs}
    if dated:
        values["due"] = _lower_first(due_label(wording, r.due, r.deadline))
    key = "condition" if dated else "reason"
    if vendor is not None:
        values["title"] = _lower_first(r.title)
        return texts.text(f"report.decision.{key}_vendor", tool=vendor.label, **values)
    return texts.text(f"report.decision.{key}", **values)


def decision_entry(u: UseCaseAssessment, assessment: Assessment, wording: Wording
                   ) -> dict[str, Any]:
    """``u.decision``: status code, label, sentence, reasons heading and reasons, due."""
    d: Decision | None = u.decision
    texts = wording.texts
    if d is None:
        return {"status": "", "label": "", "sentence": "", "reasons_heading": "",
                "reasons": [], "due": texts.text("labels.no_reference"), "blocked": False}
    if d.status == "stop" and d.due == "on_date" and d.deadline:
        sentence = texts.text("report.decision.stop.dated", deadline=date_fr(d.deadline))
    else:
        sentence = texts.text(f"report.decision.{d.status}.{state(u)}")
    heading = ("reasons_missing" if d.status == "to_complete" else "reasons_conditions"
               if d.status in ("proceed_with_conditions", "proceed") else "reasons_blocking")
    return {
        "status": d.status,
        "label": decision_label(wording, u),
        "sentence": sentence,
        "reasons_heading": texts.text(f"report.decision.{heading}") if d.reasons else "",
        "reasons": [reason_text(wording, r, assessment,
                                dated=d.status in ("proceed_with_conditions", "proceed"))
                    for r in d.reasons],
        "due": (due_label(wording, d.due, d.deadline) if d.due != "none"
                else texts.text("labels.no_reference")),
        "blocked": not u.ranked,
    }


def blocking_points(assessment: Assessment) -> int:
    """The distinct blocking points behind the decisions that block (rule and subject)."""
    points = set()
    for u in assessment.use_cases:
        d = u.decision
        if d and d.status in ("stop", "regularise_now", "fix_before_launch"):
            points |= {(r.rule, r.vendor or u.use_case.id) for r in d.reasons}
    return len(points)


def decisions_sentence(assessment: Assessment, wording: Wording) -> str:
    """One sentence counting the use cases per decision ("1 to stop and 1 to regularise now")."""
    texts = wording.texts
    counts = Counter(u.decision.status for u in assessment.use_cases if u.decision)
    parts = [texts.text(f"report.summary.decision_count.{status}", count=str(counts[status]))
             for status in DECISION_STATUSES if counts[status]]
    return texts.text("report.summary.decisions", decisions=list_fr(parts)) if parts else ""


def action_entry(a: Action, wording: Wording, titles: dict[str, str] | None = None
                 ) -> dict[str, Any]:
    """One action as the report and the brief print it; ``titles``: the use cases' titles by
    id, for the use cases it concerns (else the whole company)."""
    texts = wording.texts
    owner = texts.text(f"labels.owner.{a.owner}")
    due = due_label(wording, a.due, a.deadline)
    named = [titles[i] for i in a.use_cases if i in titles] if titles else []
    return {
        "text": a.text,
        "owner": owner,
        "due": due,
        "due_lower": _lower_first(due),
        "use_cases": (list_fr([f"\u00ab\u00a0{t}\u00a0\u00bb" for t in named]) if named
                      else texts.text("report.actions.whole_company")),
        "references": wording.references(a.references),
        "blocking": a.blocking,
        "line": texts.text("report.actions.item", text=a.text, owner=owner,
                           due=_lower_first(due)),
    }


def actions_context(assessment: Assessment, wording: Wording) -> dict[str, Any]:
    """``actions``: the whole plan, the first ones for the next-steps section, the rest's note."""
    texts = wording.texts
    titles = {u.id: u.title for u in assessment.profile.use_cases}
    entries = [action_entry(a, wording, titles) for a in assessment.actions]
    if assessment.to_complete:  # the open questions on the company, by their French labels
        labels = [texts.text(f"profile.keys.{key}.label") for key in assessment.to_complete]
        text = texts.text("report.actions.client_questions", fields=list_fr(labels))
        owner = texts.text("labels.owner.direction")
        due = due_label(wording, "immediately", assessment.as_of)
        entries.insert(0, {
            "text": text, "owner": owner, "due": due, "due_lower": _lower_first(due),
            "use_cases": texts.text("report.actions.whole_company"),
            "references": "", "blocking": False,
            "line": texts.text("report.actions.item", text=text, owner=owner,
                               due=_lower_first(due))})
    first = assessment.policy.actions.report_first
    rest = len(entries) - first
    later = len(entries) - SUMMARY_ACTIONS
    return {
        "all": entries,
        "first": entries[:first],
        # the management summary: the first five, and where the others are (never a silent cap)
        "summary": entries[:SUMMARY_ACTIONS],
        "summary_more": (texts.text("report.actions.summary_more", count=str(later),
                                    total=str(len(entries))) if later > 0 else
                         texts.text("report.actions.summary_all") if entries else ""),
        "more": (texts.text("report.actions.more_one") if rest == 1 else
                 texts.text("report.actions.more", count=str(rest)) if rest > 1 else
                 texts.text("report.actions.all_here") if entries else ""),
        "none": "" if entries else texts.text("report.actions.none"),
    }


def deadlines_context(assessment: Assessment, wording: Wording) -> list[dict[str, str]]:
    """The consolidated timeline ("Échéancier"), by date: every dated obligation from the
    start of the assessment's year on (those already in force that year say so), the law's
    transitions each with the client's duties it starts; older duties are in force and stated
    in each use case's section."""
    from engine.assessment.deadlines import starts

    texts = wording.texts
    titles = {u.use_case.id: f"\u00ab\u00a0{u.use_case.title}\u00a0\u00bb"
              for u in assessment.use_cases}
    since = dt.date(assessment.as_of.year, 1, 1)
    future = [d for d in assessment.deadlines if d.date >= since]  # sorted by date
    folded = [t for t in future if t.kind == "transition"]
    out = []
    for d in future:
        if d.kind == "obligation" and any(
                t.date == d.date and any(starts(d.reference, r) for r in t.references)
                for t in folded):
            continue  # said by the transition of that day, which names its use cases
        tools = list_fr([titles[i] for i in d.use_cases if i in titles])
        concerns = (texts.text("report.deadlines.concerns", tools=tools) if tools else
                    texts.text("report.deadlines.concerns_none"))
        text = d.text if d.kind == "transition" else (
            f"{d.text} ({wording.reference(d.reference)}).")
        day = date_fr(d.date)
        out.append({"date": day if d.date > assessment.as_of else
                    texts.text("report.deadlines.in_force_since", date=day),
                    "text": text, "concerns": concerns})
    return out
