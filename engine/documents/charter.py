"""The charter's context (``charter`` in the template contract, ``docs/templates.md``).

The director signs the charter: it may state as a fact only what the profile establishes. Each
sentence that depends on a fact (training, transparency, processor contracts, human review, the
CSE, automated decisions) is chosen from ``rules/texts/charter.yaml``: in the present when the
fact is established (``true``), as a commitment otherwise (an unknown answer is never taken
for yes), due when the action plan's matching action is due (now, by a date, before launch:
:meth:`_Charter.when`, worded by ``charter.due``), so the charter, the report and the brief give
one deadline per action. Tools are listed by stage: in use (test, pilot, production) or planned
(idea); a tool whose only use is a prohibited practice is never listed. Art. 50 is cited only
for the paragraphs that bind the company itself: a chatbot or a generator bought from a vendor
binds the vendor (Art. 50(1), (2)); the company's own duties are Art. 50(3) and (4), and (1)
and (2) when it provides the system.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.assessment.actions import due_of
from engine.assessment.assess import Assessment, UseCaseAssessment
from engine.assessment.decision import owed_by_company
from engine.documents.formatting import date_fr, list_fr
from engine.documents.text_keys import CHARTER_CLAUSES, CLAUSE_PLACEHOLDERS
from engine.documents.texts import Texts
from engine.rules.types import Due

# People who may deal with an AI system without knowing it (section 2, "Transparence").
PEOPLE = frozenset({"customers", "job_candidates", "employees", "general_public", "patients",
                    "students", "children", "vulnerable_persons"})
CSE_REFERENCES = ("Code du travail, art. L.2312-8", "Code du travail, art. L.2312-38")
POINT_REFERENCES = {"chatbot_provider": "Art. 50(1)", "marking_provider": "Art. 50(2)",
                    "emotion_information": "Art. 50(3)", "deepfake": "Art. 50(4)",
                    "public_interest_text": "Art. 50(4)"}


def _quoted(title: str) -> str:
    return f"\u00ab\u00a0{title}\u00a0\u00bb"


class _Charter:
    def __init__(self, assessment: Assessment, texts: Texts) -> None:
        self.a, self.texts = assessment, texts
        self.live = [u for u in assessment.use_cases
                     if not (u.decision and u.decision.status == "stop")]

    def when(self, uses: list[UseCaseAssessment], *, topics: tuple[str, ...] = (),
             references: tuple[str, ...] = (), rules: frozenset[str] = frozenset()) -> str:
        """The commitment's deadline in words: that of the matching actions of the plan; with
        none, now for tools in use (or for the whole company), before launch otherwise."""
        found = due_of(self.a.actions, {u.use_case.id for u in uses}, topics=topics,
                       references=references, rules=rules)
        in_use = not uses or any(u.use_case.stage != "idea" for u in uses)
        due: Due = "immediately" if in_use else "before_launch"
        deadline: dt.date | None = None
        if found is not None:
            due, deadline = found
        return charter_due(self.texts, due, deadline)

    def tool(self, u: UseCaseAssessment) -> str:
        vendor = self.a.profile.vendor(u.use_case.vendor)
        return vendor.label if vendor else _quoted(u.use_case.title)

    def item(self, u: UseCaseAssessment) -> str:
        """``CVRank Pro (« Tri des CV », en pilote)``; an in-house tool by its use alone."""
        stage = self.texts.text(f"labels.stage_in_sentence.{u.use_case.stage}")
        if u.use_case.vendor is None:
            return f"{_quoted(u.use_case.title)} ({stage})"
        return self.texts.text("charter.tools.item", tool=self.tool(u),
                               use=_quoted(u.use_case.title), stage=stage)

    def names(self, uses: list[UseCaseAssessment]) -> str:
        return list_fr(list(dict.fromkeys(self.tool(u) for u in uses)))

    def text(self, key: str, **values: str) -> str:
        return self.texts.text(f"charter.{key}", **values)

    def tools(self) -> dict[str, str]:
        in_use = [self.item(u) for u in self.live if u.use_case.stage != "idea"]
        planned = [self.item(u) for u in self.live if u.use_case.stage == "idea"]
        return {"tools_in_use": self.text("tools.in_use", tools=list_fr(in_use)) if in_use
                else "",
                "tools_planned": self.text("tools.planned", tools=list_fr(planned)) if planned
                else ""}

    def transparency(self) -> str:
        facing = [u for u in self.live if PEOPLE & set(u.use_case.system.affected_persons or [])]
        missing = [u for u in facing if u.use_case.controls.ai_disclosure is not True]
        running = [u for u in missing if u.running or u.use_case.stage == "test"]
        if running:
            return self.text("transparency.to_do", tools=self.names(running), date=self.when(
                running, references=("Art. 50", "GDPR Art. 13", "GDPR Art. 14")))
        if missing:
            return self.text("transparency.planned_only", tools=self.names(missing))
        return self.text("transparency.in_place")

    def chatbot(self) -> str:
        bots = [u for u in self.live if "conversational_agent" in (
            u.use_case.system.capabilities or []) and u.use_case.vendor
            and u.use_case.role != "provider"]
        if not bots:
            return ""
        if all(u.use_case.controls.ai_disclosure is True for u in bots):
            return self.text("chatbot.in_place", tools=self.names(bots))
        return self.text("chatbot.to_do", tools=self.names(bots),
                         date=self.when(bots, references=("Art. 50(1)",)))

    def disclosure_points(self) -> list[str]:
        points: dict[str, list[tuple[UseCaseAssessment, bool]]] = {}
        for u in self.live:
            for o in u.obligations:
                if not o.reference.startswith("Art. 50(") or not owed_by_company(o, u):
                    continue
                key = _point(o.reference, o.rule_id)
                if key:
                    points.setdefault(key, []).append((u, o.status == "met"))
        out = []
        for key in ("chatbot_provider", "marking_provider", "emotion_information", "deepfake",
                    "public_interest_text"):
            if key not in points:
                continue
            uses = list({id(u): u for u, _ in points[key]}.values())
            names = list_fr([_quoted(u.use_case.title) for u in uses])
            if all(met for _, met in points[key]):
                out.append(self.text(f"disclosure_point.{key}.in_place", tools=names))
            else:
                out.append(self.text(f"disclosure_point.{key}.to_do", tools=names,
                                     date=self.when(uses, references=(POINT_REFERENCES[key],))))
        return out

    def dpa(self) -> str:
        uses = [u for u in self.live if u.use_case.vendor and u.use_case.data.personal_data]
        if not uses:
            return self.text("dpa.none")
        signed = {v.id for v in self.a.profile.vendors if v.dpa_signed is True}
        lacking = [u for u in uses if u.use_case.vendor not in signed]
        in_use = [u for u in lacking if u.use_case.stage != "idea"]
        if in_use:
            return self.text("dpa.to_do", tools=self.names(in_use),
                             date=self.when(in_use, references=("GDPR Art. 28",)))
        if lacking:
            return self.text("dpa.to_do_planned", tools=self.names(lacking))
        return self.text("dpa.in_place")

    def training(self) -> str:
        if self.a.profile.client.staff_ai_training is True:
            return self.text("training.in_place")
        return self.text("training.to_do", date=self.when(self.live, topics=("train_staff",)))


def charter_due(texts: Texts, due: Due, deadline: dt.date | None) -> str:
    """A deadline of the plan as a commitment says it (now, by a date, before launch), in the
    words of ``charter.due``."""
    if due in ("on_date", "before_launch") and deadline is not None:
        key = "on_date" if due == "on_date" else "before_launch_dated"
        return texts.text(f"charter.due.{key}", date=date_fr(deadline))
    return texts.text("charter.due.none" if due == "on_date" else f"charter.due.{due}")


def _point(reference: str, rule_id: str) -> str | None:
    """Which Art. 50 paragraph a duty is, as the charter words it."""
    if reference.startswith("Art. 50(1)"):
        return "chatbot_provider"
    if reference.startswith("Art. 50(2)"):
        return "marking_provider"
    if reference.startswith("Art. 50(3)"):
        return "emotion_information"
    if reference.startswith("Art. 50(4)"):
        return "public_interest_text" if "public-interest" in rule_id else "deepfake"
    return None


def charter_context(assessment: Assessment, texts: Texts) -> dict[str, Any]:
    """Which clauses apply and every sentence of the charter that depends on facts."""
    c = _Charter(assessment, texts)
    values: dict[str, dict[str, str]] = {}
    flags = _flags(assessment, c, values)
    points = c.disclosure_points()
    flags["disclosure"] = bool(points)
    clauses = {}
    for clause, parts in CHARTER_CLAUSES.items():
        key, applies = f"charter.clauses.{clause}.", flags.get(clause, False)
        fill = values.get(clause, {}) if clause in CLAUSE_PLACEHOLDERS else {}
        clauses[clause] = {
            "lead": texts.text(key + "lead") if applies and "lead" in parts else "",
            "text": texts.text(key + "text", **fill) if applies and "text" in parts else "",
            "points": texts.lines(key + "points") if applies and "points" in parts else [],
            "closing": texts.text(key + "closing") if applies and "closing" in parts else "",
        }
    tools = [v.label for v in assessment.profile.vendors
             if v.id not in assessment.stopped_vendors
             and any(u.use_case.vendor == v.id for u in c.live)]
    return {
        **{k: bool(v) for k, v in flags.items() if k in CHARTER_CLAUSES},
        "tools": list_fr(tools) if tools else "",
        **c.tools(),
        "transparency": c.transparency(),
        "chatbot": c.chatbot(),
        "disclosure_points": points,
        "dpa": c.dpa(),
        "training_line": c.training(),
        "clauses": clauses,
    }


def _flags(assessment: Assessment, c: _Charter, values: dict[str, dict[str, str]]
           ) -> dict[str, bool]:
    """Which clauses apply; ``values`` gets the tools and date of those that name them."""
    live = c.live
    client = assessment.profile.client
    tiers = {u.tier for u in assessment.use_cases}
    gdpr = any(f.kind == "gdpr" and f.severity != "info" for u in live for f in u.findings) or any(
        f.kind == "gdpr" and f.severity != "info" for f in assessment.findings
        if f.subject_kind == "vendor" and f.subject not in assessment.stopped_vendors)
    overdue = [u for u in live if u.decision and u.decision.status == "regularise_now"
               and any(r.rule.startswith("gdpr.") for r in u.decision.reasons)]
    if overdue:
        rules = frozenset(r.rule for u in overdue if u.decision for r in u.decision.reasons)
        values["gdpr_overdue"] = {"tools": c.names(overdue), "date": c.when(overdue, rules=rules)}
    reviewed = [u for u in live if u.tier in ("high", "undetermined")]
    unreviewed = [u for u in reviewed if u.use_case.controls.human_oversight is not True]
    if unreviewed:
        values["human_review_to_do"] = {"tools": c.names(unreviewed), "date": c.when(
            unreviewed, topics=("high_risk_deployer",), references=("Art. 26(2)", "Art. 14"))}
    automated = [u for u in live if u.use_case.system.automated_decision is True]
    if automated:
        values["automated"] = {"tools": list_fr([_quoted(u.use_case.title) for u in automated]),
                               "date": c.when(automated, references=("GDPR Art. 22",))}
    cse = [u for u in live if u.running and any(
        o.reference in CSE_REFERENCES and o.status != "met" for o in u.obligations)]
    if cse:
        values["works_council_to_do"] = {"tools": c.names(cse)}
    council = bool(client.works_council)
    return {
        "prohibited": "unacceptable" in tiers,
        "no_public_ai": any(u.use_case.data.personal_data for u in live),
        "gdpr": gdpr and not overdue,
        "gdpr_overdue": gdpr and bool(overdue),
        "human_review": bool(reviewed) and not unreviewed,
        "human_review_to_do": bool(unreviewed),
        "automated": bool(automated),
        "works_council": council and not cse,
        "works_council_to_do": council and bool(cse),
        "training": client.staff_ai_training is not True,
    }
