"""Stage 6c: the action plan (SPEC v2 §3 ``actions``), deduplicated across use cases and vendors.

Sources, for one client: each decision to stop; each use case with questions the classification
needs; each finding to deal with (blocker or warning, not a checklist answer); each duty not
established as in place (a prohibition is the stop action, and nothing else is asked of a
prohibited use). ``rules/actions.yaml`` groups sources by topic: every source of a topic makes
one action, which names the use cases and tools it concerns (``{tools}``), so the DPIA of two
tools is one action, and the training of the staff one action whatever rule asked for it. A
source no topic takes makes its own action: a vendor's finding its advice (which names the
vendor), a use case's finding or duty its advice or text after the tools it concerns.

Deadline (``due``): ``immediately`` for a duty in force while the tool already runs (or a
prohibition in force), ``before_launch`` for one the tool does not run yet, ``on_date`` the
``applies_from`` date of a duty not yet in force; ``none`` for the guide's good practice
(``no_legal_deadline``). An action is due at the soonest of its sources. Owner: the topic's,
else the rule's (``rule_owners``), else by subject: the vendor (``vendor``) for its findings
and for the checks of its own duties, the direction otherwise.

Every document states an action's deadline as the plan has it: the charter's commitments take
theirs from the matching actions (:func:`due_of`), never a date of their own.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from engine.rules.types import Due

if TYPE_CHECKING:
    from engine.assessment.assess import Assessment, Obligation, UseCaseAssessment
    from engine.assessment.findings import Finding

ACTIONS_FILE = "actions.yaml"
Owner = Literal["direction", "hr", "it_provider", "vendor"]
OWNERS: tuple[Owner, ...] = ("direction", "hr", "it_provider", "vendor")
SPECIAL_TOPICS = ("stop", "complete_answers")  # the code's own sources
CHECKLIST_KINDS = frozenset({"anti_failure", "scale_up", "priority", "missing_answer"})
Text = Annotated[str, Field(min_length=3, max_length=1000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Topic(_Strict):
    text: Text                      # French; may name {tools}
    owner: Owner = "direction"
    rules: list[str] = []           # the rules whose findings and duties it takes
    references: list[str] = []      # and the duties with these references
    date_from_duties: bool = False  # only its duties set the date (a classification does not)

    @field_validator("text")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            names = {n for _, n, _, _ in string.Formatter().parse(value) if n is not None}
        except ValueError as exc:
            raise ValueError(f"{exc}; write the placeholder as {{tools}}") from None
        unknown = sorted(names - {"tools"})
        if unknown:
            raise ValueError(f"unknown placeholder {{{unknown[0]}}} (a topic may use {{tools}})")
        return value


def _default_topics() -> dict[str, Topic]:
    return {"stop": Topic(text="Arreter {tools}"),
            "complete_answers": Topic(text="Completer les reponses pour {tools}")}


class ActionTable(_Strict):
    topics: dict[str, Topic] = Field(default_factory=_default_topics)
    rule_owners: dict[str, Owner] = {}
    informative: list[str] = []               # findings that never make an action themselves
    no_legal_deadline: list[str] = ["guide."]  # rule-id prefixes of the guide's good practice
    report_first: Annotated[int, Field(ge=1, le=100)] = 10  # actions the report lists first

    @field_validator("topics")
    @classmethod
    def _special(cls, topics: dict[str, Topic]) -> dict[str, Topic]:
        missing = [t for t in SPECIAL_TOPICS if t not in topics]
        if missing:
            raise ValueError(f"give the topic '{missing[0]}' (the engine fills it itself)")
        return topics


@dataclass
class Action:
    """One thing to do, self-contained: what, for which tools, by when, by whom."""

    topic: str                      # the topic, or the rule id of a source no topic takes
    text: str
    owner: Owner
    due: Due
    deadline: dt.date | None
    use_cases: list[str] = field(default_factory=list)
    vendors: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    blocking: bool = False          # a blocking point, or a prohibition, is behind it

    def sort_key(self, order: dict[str, int]) -> tuple[object, ...]:
        """Now first, then by date (before launch at the latest date it has), then before a
        launch, then the good practice; blocking points first."""
        rank = (0 if self.due == "immediately" else 1 if self.deadline
                else 2 if self.due == "before_launch" else 3)
        return (rank, self.deadline or dt.date.max, not self.blocking,
                order.get(self.topic, len(order)), self.text)


@dataclass
class _Source:
    key: str
    topic: Topic | None
    text: str                       # the action's own text when no topic takes it
    owner: Owner
    due: Due
    deadline: dt.date | None
    use_cases: list[UseCaseAssessment]
    vendor: str | None
    references: tuple[str, ...]
    rule: str
    blocking: bool
    kind: Literal["use_case", "vendor", "client", "duty", "special"]


def _lower_first(text: str) -> str:
    """The first letter lowered after a colon (a verb); a name (``CVRank``) is left as it is."""
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() \
        else text


def tool_label(u: UseCaseAssessment, assessment: Assessment) -> str:
    """``« Tri des CV » (CVRank Pro)``: the use case, and its vendor's tool when it has one."""
    vendor = assessment.profile.vendor(u.use_case.vendor)
    title = f"\u00ab\u00a0{u.use_case.title}\u00a0\u00bb"
    return f"{title} ({vendor.label})" if vendor else title


class _Planner:
    def __init__(self, assessment: Assessment, table: ActionTable) -> None:
        self.a, self.table = assessment, table
        self.as_of = assessment.as_of
        self.by_rule: dict[str, str] = {}
        self.by_reference: dict[str, str] = {}
        for name, topic in table.topics.items():
            self.by_rule.update(dict.fromkeys(topic.rules, name))
            self.by_reference.update(dict.fromkeys(topic.references, name))
        self.sources: list[_Source] = []

    def now(self, running: bool) -> tuple[Due, dt.date | None]:
        return ("immediately", self.as_of) if running else ("before_launch", None)

    def topic_of(self, rule: str, reference: str | None = None) -> str | None:
        """A duty goes by its reference first (Art. 26(9) is the DPIA), then by its rule."""
        by_reference = self.by_reference.get(reference) if reference else None
        return by_reference or self.by_rule.get(rule)

    def add(self, key: str, text: str, owner: Owner, due: tuple[Due, dt.date | None],
            users: list[UseCaseAssessment], vendor: str | None, refs: tuple[str, ...],
            rule: str, kind: Literal["use_case", "vendor", "client", "duty", "special"], *,
            blocking: bool = False, topic: str | None = None) -> None:
        if rule.startswith(tuple(self.table.no_legal_deadline)):
            due = ("none", None)
        owner = self.table.rule_owners.get(rule, owner)
        name = topic or self.topic_of(rule, refs[0] if kind == "duty" and refs else None)
        chosen = self.table.topics.get(name) if name else None
        if chosen is not None:
            key, owner = f"topic:{name}", chosen.owner
        self.sources.append(_Source(key, chosen, text, owner, due[0], due[1], users, vendor,
                                    refs, rule, blocking, kind))

    def finding(self, f: Finding, users: list[UseCaseAssessment], running: bool,
                vendor: str | None) -> None:
        from engine.assessment.decision import in_force

        if (f.severity == "info" or f.kind in CHECKLIST_KINDS
                or f.rule_id in self.table.informative):
            return
        if not f.advice and self.topic_of(f.rule_id) is None:
            return
        if in_force(f, self.as_of):
            due = self.now(running)
        else:
            due = ("on_date", min(o.applies_from for o in f.obligations
                                  if o.applies_from > self.as_of))
        blocking = f.severity == "blocker" and due[0] != "on_date"
        subject = f.subject_kind
        owner: Owner = "vendor" if subject == "vendor" else "direction"
        text = f.advice or f.message
        key = f"{f.rule_id}:{f.subject}" if subject == "vendor" else f"{f.rule_id}:{text}"
        self.add(key, text, owner, due, users, vendor, f.provenance.references, f.rule_id,
                 subject, blocking=blocking)

    def duty(self, o: Obligation, u: UseCaseAssessment) -> None:
        from engine.assessment.decision import owed_by_company

        if o.status == "met" or o.reference.startswith("Art. 5("):
            return
        due = self.now(u.running) if o.in_force else ("on_date", o.applies_from)
        owner: Owner = "direction" if owed_by_company(o, u) else "vendor"
        self.add(f"{o.reference}:{o.text}", o.text, owner, due, [u], u.use_case.vendor,
                 (o.reference,), o.rule_id, "duty")


def action_plan(assessment: Assessment, table: ActionTable) -> list[Action]:
    """Every action of one client, deduplicated and sorted (soonest, blocking first)."""
    plan = _Planner(assessment, table)
    stopped = assessment.stopped_vendors
    for u in assessment.use_cases:
        decision = u.decision
        if decision is not None and decision.status == "stop":
            refs = tuple(r for reason in decision.reasons for r in reason.references)
            plan.add("stop", "", "direction", (decision.due, decision.deadline), [u],
                     u.use_case.vendor, refs, decision.reasons[0].rule if decision.reasons
                     else "stop", "special", blocking=True, topic="stop")
            continue
        if u.missing:
            plan.add("complete_answers", "", "direction", plan.now(u.running), [u], None, (),
                     "complete_answers", "special", topic="complete_answers")
        advised: set[str] = set()
        for f in u.findings:
            duties = [o for o in u.obligations if o.rule_id == f.rule_id]
            if duties and all(o.status == "met" for o in duties):
                continue  # what the finding asks is in place
            if f.advice and plan.topic_of(f.rule_id) is None:
                advised.add(f.rule_id)  # its advice says it; its duties are not repeated
            plan.finding(f, [u], u.running, u.use_case.vendor)
        for o in u.obligations:
            if o.rule_id not in advised:
                plan.duty(o, u)
    live = [u for u in assessment.use_cases
            if not (u.decision and u.decision.status == "stop")]
    for vendor in assessment.profile.vendors:
        if vendor.id in stopped:
            continue
        users = [u for u in live if u.use_case.vendor == vendor.id]
        for f in assessment.vendor_findings(vendor.id):
            plan.finding(f, users, any(u.running for u in users), vendor.id)
    for f in assessment.client_findings():
        plan.finding(f, [], any(u.running for u in live), None)
    return _merge(plan, assessment, table)


def _merge(plan: _Planner, assessment: Assessment, table: ActionTable) -> list[Action]:
    from engine.documents.formatting import list_fr

    groups: dict[str, list[_Source]] = {}
    for source in plan.sources:
        groups.setdefault(source.key, []).append(source)
    actions = []
    for sources in groups.values():
        first = sources[0]
        users = list({id(u): u for s in sources for u in s.use_cases}.values())
        users.sort(key=assessment.use_cases.index)
        tools = list_fr([tool_label(u, assessment) for u in users])
        if first.topic is not None:
            text = first.topic.text.format(tools=tools)
        elif first.kind in ("use_case", "duty") and tools:
            text = f"{tools} : {_lower_first(first.text)}"
        else:  # a vendor's finding names the vendor, a client's is about the whole company
            text = first.text
        dated = [s for s in sources if s.kind == "duty"] if (
            first.topic and first.topic.date_from_duties) else []
        due, deadline = _soonest(dated or sources)
        vendors = [s.vendor for s in sources if s.vendor] + [
            u.use_case.vendor for u in users if u.use_case.vendor]
        actions.append(Action(
            topic=first.key.removeprefix("topic:") if first.topic else first.rule,
            text=text.rstrip(".") + ".", owner=first.owner, due=due, deadline=deadline,
            use_cases=[u.use_case.id for u in users],
            vendors=list(dict.fromkeys(vendors)),
            references=list(dict.fromkeys(r for s in sources for r in s.references)),
            rules=list(dict.fromkeys(s.rule for s in sources)),
            blocking=any(s.blocking for s in sources)))
    order = {name: i for i, name in enumerate(table.topics)}
    return sorted(actions, key=lambda a: a.sort_key(order))


def _soonest(sources: list[_Source]) -> tuple[Due, dt.date | None]:
    """Now beats a launch, which beats a date (kept as the latest one), then no deadline."""
    dues = {s.due for s in sources}
    dates = [s.deadline for s in sources if s.due == "on_date" and s.deadline]
    if "immediately" in dues:
        return "immediately", next(s.deadline for s in sources if s.due == "immediately")
    if "before_launch" in dues:
        return "before_launch", min(dates) if dates else None
    if "on_date" in dues:
        return "on_date", min(dates) if dates else None
    return "none", None


def due_of(actions: list[Action], use_cases: set[str], *, topics: tuple[str, ...] = (),
           references: tuple[str, ...] = (), rules: frozenset[str] = frozenset()
           ) -> tuple[Due, dt.date | None] | None:
    """The soonest deadline of the actions that concern one of ``use_cases`` (any, when it is
    empty) and are of one of ``topics``, cite a reference that starts with one of
    ``references`` or come from one of ``rules``; None when no action matches."""
    from engine.assessment.deadlines import starts

    found = [a for a in actions
             if (not use_cases or use_cases & set(a.use_cases))
             and (a.topic in topics or rules & set(a.rules)
                  or any(starts(r, p) for r in a.references for p in references))]
    if not found:
        return None
    rank = {"immediately": 0, "before_launch": 1, "on_date": 2, "none": 3}
    first = min(found, key=lambda a: (rank[a.due], a.deadline or dt.date.max))
    return first.due, first.deadline
