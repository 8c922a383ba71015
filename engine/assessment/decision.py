"""Stage 6b: the one decision on each use case (SPEC v2 §3 ``decision``), from its findings,
its vendor's findings, its obligations and its stage, by the precedence of
``rules/decision.yaml``.

The table lists the statuses strongest first, each with a test from a closed vocabulary:

* ``prohibited``: the tier is ``unacceptable`` (a practice of Art. 5); the reasons are the
  prohibitions, the deadline the date the ban applies (now when it already does);
* ``blocked_running``: something blocks (below) and the use case already runs (one of
  ``running_stages``): the duty is overdue (REFERENCE §6.14), to regularise at once;
* ``blocked``: something blocks, the use case does not run yet: to fix before it is launched;
* ``undetermined``: the tier is ``undetermined`` (an answer the classification needs is
  missing); the reasons are the open questions;
* ``conditions``: some condition is open (below); the deadline is the soonest of theirs;
* ``always``: nothing else holds.

What blocks, in force at the assessment date: a finding about the use case or about its vendor
of a ``blocking`` kind and severity (a finding that carries obligations is in force when one of
them is), and, with ``blocking.duties_not_met``, a duty the company owes, in force and answered
"not in place", except the references ``blocking.except`` lists. What makes a condition: a
finding of a ``conditions`` kind and severity that does not block, and every duty the company
or its vendor owes that is not established as in place (future duties give their date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.rules.types import (
    DECISION_STATUSES,
    DecisionStatus,
    Due,
    Kind,
    Severity,
)

if TYPE_CHECKING:
    from engine.assessment.assess import Obligation, UseCaseAssessment
    from engine.assessment.findings import Finding

DECISION_FILE = "decision.yaml"
Test = Literal["prohibited", "blocked_running", "blocked", "undetermined", "conditions",
               "always"]
Stage = Literal["idea", "test", "pilot", "production"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    status: DecisionStatus
    test: Test


class Blocking(_Strict):
    severities: list[Severity] = ["blocker"]
    kinds: list[Kind] = ["ai_act", "ai_act_note", "gdpr", "governance"]
    duties_not_met: bool = True  # a duty in force answered "not in place" blocks too...
    except_: list[Annotated[str, Field(min_length=2)]] = Field(  # ...but these references
        default=["Art. 4"], alias="except")


class Conditions(_Strict):
    severities: list[Severity] = ["blocker", "warning"]
    kinds: list[Kind] = ["ai_act", "ai_act_note", "gdpr", "governance", "avoid_ai",
                         "test_small", "budget", "pilot", "frequent_error"]
    duties: bool = True  # duties not established as in place are conditions
    # the guide's good practice: a condition without a legal deadline
    good_practice: list[Kind] = ["avoid_ai", "test_small", "budget", "pilot", "frequent_error"]


_DEFAULT_PRECEDENCE = [
    Step(status="stop", test="prohibited"),
    Step(status="regularise_now", test="blocked_running"),
    Step(status="fix_before_launch", test="blocked"),
    Step(status="to_complete", test="undetermined"),
    Step(status="proceed_with_conditions", test="conditions"),
    Step(status="proceed", test="always"),
]


class DecisionTable(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    running_stages: list[Stage] = ["pilot", "production"]
    precedence: list[Step] = _DEFAULT_PRECEDENCE
    blocking: Blocking = Blocking()
    conditions: Conditions = Conditions()
    # the decisions that keep the priority of the guide's matrix (guide 5.2); any other one
    # is a blocked use case, never "do first"
    ranked: list[DecisionStatus] = ["proceed_with_conditions", "proceed"]

    @model_validator(mode="after")
    def _complete(self) -> DecisionTable:
        statuses = [step.status for step in self.precedence]
        for status in DECISION_STATUSES:
            if statuses.count(status) != 1:
                raise ValueError(f"precedence: give the status {status} exactly once "
                                 f"(found {statuses.count(status)})")
        if not self.precedence or self.precedence[-1].test != "always":
            raise ValueError("precedence: the last status must have the test 'always'")
        return self


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a use case has its decision: a finding's rule, or a duty not in place."""

    rule: str
    title: str                    # the rule's title, or the duty's text (French)
    references: tuple[str, ...]
    vendor: str | None = None     # the vendor id, for a finding about the use case's vendor
    due: Due = "immediately"
    deadline: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    status: DecisionStatus
    reasons: tuple[Reason, ...]
    due: Due
    deadline: dt.date | None      # the date it is due (the assessment date when immediate)

    @property
    def rule_ids(self) -> list[str]:
        return list(dict.fromkeys(r.rule for r in self.reasons))


def in_force(finding: Finding, as_of: dt.date) -> bool:
    """A finding binds now unless every obligation it carries applies from a later date."""
    return not finding.obligations or any(as_of >= o.applies_from for o in finding.obligations)


def owed_by_company(o: Obligation, u: UseCaseAssessment) -> bool:
    """The company's own duty (not its vendor's, which it can only check)."""
    return (o.bearer == "deployer" or u.use_case.role == "provider"
            or u.use_case.vendor is None)


def _covered(reference: str, findings: Iterable[Finding]) -> bool:
    """A duty whose article a blocking finding already cites (no reason twice)."""
    parts = [p.strip() for p in reference.replace(" and ", ",").split(",")]
    head = reference.split(" and ")[0]
    for f in findings:
        for cited in f.provenance.references:
            for ref in (head, *parts):
                short, long = sorted((ref, cited), key=len)
                if long.startswith(short) and (len(long) == len(short)
                                               or not long[len(short)].isdigit()):
                    return True
    return False


def _finding_reason(f: Finding, vendor: str | None, due: Due, deadline: dt.date | None
                    ) -> Reason:
    return Reason(f.rule_id, f.provenance.rule_title, f.provenance.references, vendor, due,
                  deadline)


def _duty_reason(o: Obligation, due: Due, deadline: dt.date | None) -> Reason:
    return Reason(o.rule_id, o.text, (o.reference,), None, due, deadline)


def decide(u: UseCaseAssessment, vendor_findings: list[Finding], table: DecisionTable,
           as_of: dt.date) -> Decision:
    """The decision on one use case (``vendor_findings``: those about its vendor)."""
    running = u.use_case.stage in table.running_stages
    now: Due = "immediately" if running else "before_launch"
    vendor = u.use_case.vendor
    mine = [(f, None) for f in u.findings] + [(f, vendor) for f in vendor_findings]
    block = table.blocking
    blocking = [(f, v) for f, v in mine if f.severity in block.severities
                and f.kind in block.kinds and in_force(f, as_of)]
    block_reasons = [_finding_reason(f, v, now, as_of if running else None)
                     for f, v in blocking]
    if block.duties_not_met:
        found = [f for f, _ in blocking]
        block_reasons += [
            _duty_reason(o, now, as_of if running else None) for o in u.obligations
            if o.in_force and o.status == "not_met" and owed_by_company(o, u)
            and o.reference not in block.except_ and not o.reference.startswith("Art. 5(")
            and not _covered(o.reference, found)]
    for step in table.precedence:
        test = step.test
        if test == "prohibited" and u.tier == "unacceptable":
            return _stop(u, as_of)
        if test == "blocked_running" and running and block_reasons:
            return Decision(step.status, tuple(_unique(block_reasons)), "immediately", as_of)
        if test == "blocked" and not running and block_reasons:
            return Decision(step.status, tuple(_unique(block_reasons)), "before_launch", None)
        if test == "undetermined" and u.tier == "undetermined":
            reasons = [_finding_reason(f, None, now, None) for f in u.findings
                       if f.spec and f.spec.kind == "missing_answer" and f.spec.field in u.missing]
            return Decision(step.status, tuple(_unique(reasons)), now,
                            as_of if running else None)
        if test == "conditions":
            reasons = _conditions(u, mine, table, as_of, now, running)
            if reasons:
                return _soonest(step.status, reasons, as_of)
        if test == "always":
            return Decision(step.status, (), "none", None)
    raise AssertionError("the precedence ends with 'always'")  # checked by the table


def _stop(u: UseCaseAssessment, as_of: dt.date) -> Decision:
    bans = [f for f in u.findings if f.spec and f.spec.tier == "unacceptable"]
    dates = [o.applies_from for f in bans for o in f.obligations]
    start = min(dates) if dates else as_of
    due: Due = "immediately" if start <= as_of else "on_date"
    reasons = [_finding_reason(f, None, due, max(start, as_of)) for f in bans]
    return Decision("stop", tuple(_unique(reasons)), due, max(start, as_of))


def _conditions(u: UseCaseAssessment, mine: list[tuple[Finding, str | None]],
                table: DecisionTable, as_of: dt.date, now: Due, running: bool) -> list[Reason]:
    cond = table.conditions
    reasons: list[Reason] = []
    for f, vendor in mine:
        if f.severity not in cond.severities or f.kind not in cond.kinds:
            continue
        future = [o.applies_from for o in f.obligations if o.applies_from > as_of]
        if f.kind in cond.good_practice:
            reasons.append(_finding_reason(f, vendor, "none", None))
        elif in_force(f, as_of):
            reasons.append(_finding_reason(f, vendor, now, as_of if running else None))
        else:
            reasons.append(_finding_reason(f, vendor, "on_date", min(future)))
    if cond.duties:
        for o in u.obligations:
            if o.status == "met":
                continue
            if o.in_force:
                reasons.append(_duty_reason(o, now, as_of if running else None))
            else:
                reasons.append(_duty_reason(o, "on_date", o.applies_from))
    return _unique(reasons)


def _soonest(status: DecisionStatus, reasons: list[Reason], as_of: dt.date) -> Decision:
    """Conditions are due at the soonest of theirs: now, before launch, or on a date."""
    dues = {r.due for r in reasons}
    dates = [r.deadline for r in reasons if r.due == "on_date" and r.deadline]
    if "immediately" in dues:
        return Decision(status, tuple(reasons), "immediately", as_of)
    if "before_launch" in dues:
        return Decision(status, tuple(reasons), "before_launch", min(dates, default=None))
    if "on_date" in dues:
        return Decision(status, tuple(reasons), "on_date", min(dates, default=None))
    return Decision(status, tuple(reasons), "none", None)


def _unique(reasons: list[Reason]) -> list[Reason]:
    """One reason per rule and vendor, in order."""
    seen: set[tuple[str, str | None]] = set()
    out = []
    for r in reasons:
        if (r.rule, r.vendor) not in seen:
            seen.add((r.rule, r.vendor))
            out.append(r)
    return out
