"""The IT brief's context (``brief`` in the template contract, ``docs/templates.md``).

The brief follows the stage: tools already in use (pilot, production) are to be checked now,
the data flowing already; tools planned (idea, test) before any putting into service. It keeps
apart what the vendor is asked (the action plan's actions owned by the vendor, per tool), what
the IT provider is asked to do itself, and what the client does on its side (direction, HR),
so no task of the client, nor of the consulting firm, is put to the vendor. Every vendor is
asked for the AI contract clauses (``brief.clauses``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.assessment.actions import Action
from engine.assessment.assess import Assessment, UseCaseAssessment
from engine.documents.formatting import date_fr, list_fr
from engine.documents.verdict import action_entry
from engine.documents.wording import Wording


def _item(u: UseCaseAssessment, assessment: Assessment, wording: Wording) -> str:
    vendor = assessment.profile.vendor(u.use_case.vendor)
    stage = wording.texts.text(f"labels.stage_in_sentence.{u.use_case.stage}")
    title = f"\u00ab\u00a0{u.use_case.title}\u00a0\u00bb"
    tool = vendor.label if vendor else title
    return wording.texts.text("brief.intro.item", tool=tool, use=title, stage=stage)


def brief_context(vendors: list[dict[str, Any]], assessment: Assessment, wording: Wording,
                  reply_by: dt.date) -> dict[str, Any]:
    """The brief: its introduction, the tools to check, who is asked what."""
    texts = wording.texts
    kept = [v for v in vendors if not v["stop"]]
    ids = {v["id"] for v in kept}
    live = [u for u in assessment.use_cases
            if u.use_case.vendor in ids and not (u.decision and u.decision.status == "stop")]
    running = [u for u in live if u.running]
    planned = [u for u in live if not u.running]
    intro = []
    if running:
        intro.append(texts.text("brief.intro.running", tools=list_fr(
            [_item(u, assessment, wording) for u in running])))
    if planned:
        intro.append(texts.text("brief.intro.planned", tools=list_fr(
            [_item(u, assessment, wording) for u in planned])))
    if not intro:
        intro.append(texts.text("brief.intro.none"))
    concerned = {u.use_case.id for u in live}
    questions: dict[str, list[dict[str, Any]]] = {v: [] for v in ids}
    it_tasks: list[dict[str, Any]] = []
    own: list[dict[str, Any]] = []
    for a in assessment.actions:
        if a.topic == "stop":
            continue
        if a.owner == "vendor":
            for vendor in a.vendors:
                if vendor in questions:
                    questions[vendor].append(action_entry(a, wording))
        elif _concerns(a, concerned, ids):
            (it_tasks if a.owner == "it_provider" else own).append(action_entry(a, wording))
    for v in kept:
        v["questions"] = questions[v["id"]]
    date = date_fr(reply_by)
    which = ("all_running" if running and not planned else "urgent" if running else "normal")
    reply = texts.text(f"brief.reply.{which}", date=date)
    return {
        "tools": list_fr([v["name"] for v in kept]),
        "vendors": kept,
        "intro": intro,
        "it_tasks": it_tasks,
        "own_actions": own,
        "clauses": texts.lines("brief.clauses") if kept else [],
        "reply": reply,
    }


def _concerns(a: Action, use_cases: set[str], vendors: set[str]) -> bool:
    """An action about one of the brief's tools (or the whole company, as the training)."""
    return bool(set(a.use_cases) & use_cases or set(a.vendors) & vendors)
