"""Stage 6: findings -> the assessment of one client (tiers, obligations, checklists, JSON).

The rules decide; this module only gathers. A use case's tier is the most severe tier any rule
gave it (REFERENCE §0: the tier is the most severe that applies), ``unacceptable`` as soon as a
prohibited practice is established, ``out_of_scope`` when it is no AI system (Art. 3(1)), and
``minimal`` when no rule classified it higher and every question is answered. A question (a
``missing_answer`` finding) says how far an answer could take the tier in its context (its
``tier``): the use case is ``undetermined`` only when some open question could take it above the
tier already reached (SPEC v2 §2.1); the other open questions change duties only and are listed
as "to complete" (``to_complete``). Provisions a rule considered and ruled out
(``ai_act_exclusion``) are kept apart from the references of the verdict (``exclusions``).

Then, per use case, the decision (:mod:`engine.assessment.decision`) from its findings, its
vendor's and its duties; the guide's priority is kept only for the decisions the table ranks
(a blocked use case is never "do first"; the matrix position stays in ``quadrant``). For the
client: the action plan (:mod:`engine.assessment.actions`) and its dated obligations
(:mod:`engine.assessment.deadlines`). The JSON document is :mod:`engine.assessment.export`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from engine.assessment.decision import Decision, decide
from engine.assessment.findings import Finding
from engine.assessment.penalties import Cap, PenaltyTable, caps
from engine.assessment.policy import Policy
from engine.assessment.roi import RoiFigures, compute_roi
from engine.profile.model import Profile, UseCase
from engine.profile.register import (
    FactSource,
    Register,
    RegisterVendor,
    alternatives,
    categories_of,
)
from engine.rules.types import TIER_ORDER, Priority, RuleTier, Status, Tier

if TYPE_CHECKING:
    from engine.assessment.actions import Action
    from engine.assessment.deadlines import Deadline

TIERS: tuple[Tier, ...] = (*TIER_ORDER, "undetermined")  # every tier a use case can get
PRIORITY_ORDER = ("do_first", "test_if_time", "plan_later", "avoid")
# The guide's checklists, by item id (the rules' ``item:``); their wording is in
# rules/texts/report.yaml (``report.anti_failure.q1``...).
ANTI_FAILURE_ITEMS = ("q1", "q2", "q3", "q4", "q5", "q6", "q7")  # guide 6.3
SCALE_UP_ITEMS = ("c1", "c2", "c3", "c4", "c5")  # guide 5.5
ANTI_FAILURE_MAX_NO = 3  # guide 6.3: more than 3 "no" -> wait or adjust


@dataclass(frozen=True)
class Obligation:
    text: str
    reference: str
    applies_from: dt.date
    in_force: bool
    bearer: Literal["deployer", "provider"]
    status: Status
    rule_id: str
    penalty: str | None = None  # an id of rules/penalties.yaml
    rule_title: str = ""        # the title of the rule that gives it (French)


@dataclass
class UseCaseAssessment:
    use_case: UseCase
    tier: Tier
    tier_floor: RuleTier | None
    references: list[str]
    obligations: list[Obligation]
    missing: list[str]
    roi: RoiFigures
    quadrant: Priority | None         # the guide's matrix (5.2), whatever the decision
    anti_failure: dict[str, Status]   # q1..q7 -> met (yes) | not_met (no) | unknown
    scale_up: dict[str, Status]       # c1..c5 -> met | not_met | unknown
    findings: list[Finding] = field(default_factory=list)
    exclusions: list[Finding] = field(default_factory=list)  # provisions ruled out
    to_complete: list[str] = field(default_factory=list)     # open keys that change duties only
    decision: Decision | None = None
    ranked: bool = True               # the decision keeps the matrix's priority
    running: bool = False             # already in use (the decision table's running stages)

    @property
    def priority(self) -> Priority | None:
        """The guide's priority, only when the decision lets the use case go ahead."""
        return self.quadrant if self.ranked else None

    @property
    def anti_failure_no(self) -> int:
        return sum(1 for v in self.anti_failure.values() if v == "not_met")

    @property
    def anti_failure_unknown(self) -> int:
        return sum(1 for v in self.anti_failure.values() if v == "unknown")

    @property
    def anti_failure_verdict(self) -> str:
        """``wait`` above 3 "no" (guide 6.3), ``verify`` while some answer is unknown, else
        ``go``."""
        if self.anti_failure_no > ANTI_FAILURE_MAX_NO:
            return "wait"
        return "verify" if self.anti_failure_unknown else "go"

    @property
    def scale_up_ready(self) -> bool:
        return all(v == "met" for v in self.scale_up.values())


@dataclass
class Assessment:
    profile: Profile
    as_of: dt.date
    rules_digest: str
    use_cases: list[UseCaseAssessment]
    findings: list[Finding]
    vendor_sources: dict[str, dict[str, FactSource]] = field(default_factory=dict)
    register: Register | None = None
    penalties: dict[str, Cap] = field(default_factory=dict)  # the fines the findings name
    actions: list[Action] = field(default_factory=list)      # the deduplicated action plan
    deadlines: list[Deadline] = field(default_factory=list)  # dated obligations, sorted
    policy: Policy = field(default_factory=Policy)
    to_complete: list[str] = field(default_factory=list)  # open questions on the client itself
    # digest of the rules that gave this client a finding or a duty (what its documents cite)
    rules_applied: str = ""

    def alternatives(self, vendor_id: str) -> list[RegisterVendor]:
        """Register vendors to propose when this vendor fails a GDPR check (guide 3.3)."""
        vendor = self.profile.vendor(vendor_id)
        failing = any(f.kind == "gdpr" and f.severity == "blocker"
                      for f in self.vendor_findings(vendor_id))
        if (vendor is None or self.register is None or not failing
                or vendor_id in self.stopped_vendors):  # never a substitute for a banned use
            return []
        return alternatives(vendor, self.register,
                            categories_of(vendor, self.profile, self.register))

    @functools.cached_property
    def prohibited_use_cases(self) -> frozenset[str]:
        """Ids of the use cases that are prohibited practices (AI Act art. 5): to stop."""
        return frozenset(u.use_case.id for u in self.use_cases if u.tier == "unacceptable")

    @functools.cached_property
    def stopped_vendors(self) -> frozenset[str]:
        """Vendors used only for prohibited practices: to switch off, not to deploy."""
        tiers: dict[str, set[str]] = {}
        for u in self.use_cases:
            if u.use_case.vendor:
                tiers.setdefault(u.use_case.vendor, set()).add(u.tier)
        return frozenset(vendor for vendor, found in tiers.items() if found == {"unacceptable"})

    def vendor_findings(self, vendor_id: str) -> list[Finding]:
        return [f for f in self.findings if f.subject_kind == "vendor" and f.subject == vendor_id]

    def client_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.subject_kind == "client"]

    @property
    def worst_tier(self) -> Tier:
        tiers = [u.tier for u in self.use_cases]
        if "unacceptable" in tiers:
            return "unacceptable"
        if "undetermined" in tiers:
            return "undetermined"
        known = [t for t in tiers if t in TIER_ORDER]
        return max(known, key=TIER_ORDER.index) if known else "minimal"


@functools.lru_cache(maxsize=4096)  # references and their keys repeat across clients
def natural_key(text: str) -> tuple[Any, ...]:
    """Sort "Art. 26(2)" before "Art. 26(11)".

    >>> sorted(["Art. 26(11)", "Art. 26(2)"], key=natural_key)
    ['Art. 26(2)', 'Art. 26(11)']
    """
    return tuple(int(part) if part.isdigit() else part
                 for part in re.split(r"(\d+)", text))


def _status(control: str | None, use_case: UseCase, profile: Profile,
            default: Status | None = None) -> Status:
    if control is None:
        return default or "unknown"
    if control == "staff_ai_training":
        value: Any = profile.client.staff_ai_training
    else:
        value = getattr(use_case.controls, control)
    if not isinstance(value, bool):
        return "unknown"
    return "met" if value else "not_met"


def assess(profile: Profile, findings: list[Finding], as_of: dt.date,
           rules_digest: str, penalties: PenaltyTable | None = None,
           policy: Policy | None = None) -> Assessment:
    """Gather one client's findings into its assessment (``penalties``: the table of fines;
    ``policy``: the decision, action and calendar tables, their defaults when absent)."""
    from engine.assessment.actions import action_plan
    from engine.assessment.deadlines import deadlines

    policy = policy or Policy()
    by_use_case: dict[str, list[Finding]] = {u.id: [] for u in profile.use_cases}
    by_vendor: dict[str, list[Finding]] = {}
    for f in findings:
        if f.subject_kind == "use_case" and f.subject in by_use_case:
            by_use_case[f.subject].append(f)
        elif f.subject_kind == "vendor":
            by_vendor.setdefault(f.subject, []).append(f)
    results = [_use_case(profile, u, by_use_case[u.id], as_of) for u in profile.use_cases]
    table = policy.decision
    for u in results:
        u.decision = decide(u, by_vendor.get(u.use_case.vendor or "", []), table, as_of)
        u.ranked = u.decision.status in table.ranked
        u.running = u.use_case.stage in table.running_stages
    result = Assessment(profile, as_of, rules_digest, results, findings, policy=policy)
    result.to_complete = sorted({f.spec.field for f in findings if f.subject_kind == "client"
                                 and f.spec and f.spec.kind == "missing_answer" and f.spec.field})
    if penalties is not None:
        named = {f.spec.penalty for f in findings if f.spec and f.spec.penalty}
        named |= {o.penalty for u in results for o in u.obligations if o.penalty}
        result.penalties = caps({n for n in named if n}, profile.client, penalties)
    result.actions = action_plan(result, policy.actions)
    result.deadlines = deadlines(result, policy.calendar)
    return result


def _reach(tier: str | None) -> int:
    """A tier's rank; no tier reached yet ranks as minimal."""
    return TIER_ORDER.index(tier or "minimal")


def _use_case(profile: Profile, use_case: UseCase, mine: list[Finding],
              as_of: dt.date) -> UseCaseAssessment:
    tiers: list[RuleTier] = []
    questions: dict[str, RuleTier | None] = {}  # open key -> the worst tier an answer could give
    references: list[str] = []
    exclusions: list[Finding] = []
    priorities: list[Priority] = []
    anti: dict[str, Status] = dict.fromkeys(ANTI_FAILURE_ITEMS, "unknown")
    scale: dict[str, Status] = dict.fromkeys(SCALE_UP_ITEMS, "unknown")
    for f in mine:
        spec = f.spec
        if f.kind in ("ai_act", "ai_act_note") and not f.rule_id.startswith("question."):
            references.extend(r for r in f.provenance.references if r not in references)
        if spec is None:
            continue
        if spec.kind == "ai_act_exclusion":
            exclusions.append(f)
        elif spec.kind == "ai_act" and spec.tier:
            tiers.append(spec.tier)
        elif spec.kind == "missing_answer" and spec.field:
            known = questions.get(spec.field)
            if spec.field not in questions or _reach(spec.tier) > _reach(known):
                questions[spec.field] = spec.tier
        elif spec.kind == "anti_failure" and spec.item in anti and anti[spec.item] != "not_met":
            anti[spec.item] = spec.status or "not_met"  # "no" wins: the most cautious answer
        elif (spec.kind == "scale_up" and spec.item in scale and spec.status
              and scale[spec.item] != "not_met"):  # the most cautious status wins
            scale[spec.item] = spec.status
        if spec.priority:
            priorities.append(spec.priority)
    top = max(tiers, key=TIER_ORDER.index) if tiers else None
    # An open question counts only if some answer could take the tier above the one reached.
    missing = {key for key, reach in questions.items()
               if reach is not None and _reach(reach) > _reach(top)}
    tier: Tier
    floor: RuleTier | None
    if missing:
        tier, floor = "undetermined", top
    else:
        tier, floor = top or "minimal", None
    role = use_case.role or "deployer"
    # A prohibited practice in force has no compliance path (REFERENCE §7): it is stopped, so
    # only the prohibition and the duties of every tier (Art. 4) are listed. Before the ban
    # applies (Art. 5(1)(ba)/(bb) before 2 Dec 2026) the other duties still bind.
    banned = {id(ob) for f in mine if f.spec and f.spec.tier == "unacceptable"
              for ob in f.obligations}
    stopped = any(id(ob) in banned and as_of >= ob.applies_from
                  for f in mine for ob in f.obligations)
    obligations: dict[tuple[str, str], Obligation] = {}
    for f in mine:
        for ob in f.obligations:
            if stopped and ob.reference != "Art. 4" and id(ob) not in banned:
                continue
            key = (ob.reference, ob.text)
            if key not in obligations:
                obligations[key] = Obligation(
                    ob.text, ob.reference, ob.applies_from, as_of >= ob.applies_from,
                    role if ob.bearer == "company" else ob.bearer,
                    _status(ob.control, use_case, profile, ob.status), f.rule_id, ob.penalty,
                    f.provenance.rule_title)
    priority = max(priorities, key=PRIORITY_ORDER.index) if priorities else None
    return UseCaseAssessment(
        use_case=use_case, tier=tier, tier_floor=floor, references=references,
        obligations=sorted(obligations.values(),
                           key=lambda o: (o.applies_from, natural_key(o.reference))),
        missing=sorted(missing), roi=compute_roi(use_case.roi), quadrant=priority,
        anti_failure=anti, scale_up=scale, findings=mine, exclusions=exclusions,
        to_complete=sorted(set(questions) - missing))


def to_json(assessment: Assessment) -> dict[str, Any]:
    """The SPEC §3 ``assessment.json`` document (:mod:`engine.assessment.export`)."""
    from engine.assessment.export import assessment_document

    return assessment_document(assessment)
