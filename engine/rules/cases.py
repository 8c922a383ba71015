"""``iapme rules test``: YAML test cases kept beside the rules (``rules/tests/*.yaml``).

Each case gives a profile fragment and what must come out. Defaults fill the rest: built-in
ones (a client ``test-client`` of 10 employees in sector ``other``; each use case titled "Cas de
test", function ``other``, stage ``pilot``), then the file's optional ``defaults:`` (a ``client``
mapping and a ``use_case`` mapping whose ``system``, ``controls``, ``data``, ``process``, ``roi``
and ``pilot`` blocks merge key by key with the case's; ``null`` in a case unsets a default
answer). A ``vendors:`` list is a plain profile list::

    defaults:
      use_case: {role: deployer, system: {biometric_data: false, profiling: false, ...}}
    cases:
      - id: high-risk.cv-ranking                    # unique, names the pytest item
        name: "Tri de CV : haut risque, annexe III 4(a)"
        covers: ["§8.13", "Annex III 4(a)"]          # REFERENCE rows / provisions this case is for
        as_of: "2026-11-26"                           # legal date (default 2026-11-26)
        profile:
          use_cases:
            - id: cv
              system: {capabilities: [ranking_people], purposes: [recruitment], ...}
        expect:
          tiers: {cv: high}                 # unacceptable|high|limited|minimal|undetermined
          tier_floor: {cv: limited}                   # the tier reached so far when undetermined
          references: {cv: ["Annex III 4(a)"]}        # must be among the use case's references
          not_references: {cv: ["Art. 5(1)(f)"]}      # must not be
          missing_answers: {cv: [system.profiling]}   # exactly these unanswered keys ([] = none)
          to_complete: {cv: [system.general_purpose_tool]}  # exactly these "to complete" keys
          exclusions: {cv: ["Annex III 5(b)"]}        # among the provisions ruled out
          penalties: {ai_act_operator: {cap_eur: 126000, bound: exact}}  # the caps at stake
          fire: [ai-act.annex-iii.4a.recruitment]     # rules that must fire (any subject)
          not_fire: [ai-act.art6-3a.narrow-procedural-task]   # rules that must not fire
          findings:                                   # findings that must exist, field by field
            - {rule: gdpr.art22.automated-decision, subject: cv, severity: blocker, kind: gdpr}
          obligations:                                # obligations that must exist, field by field
            cv: [{reference: "Art. 26(2)", applies_from: "2027-12-02", in_force: false,
                  bearer: deployer, status: unknown, rule: ai-act.art26.deployer-annex-iii}]
          no_obligations: {cv: ["Art. 27"]}           # obligation references that must be absent
          priority: {cv: do_first}                    # do_first|plan_later|test_if_time|avoid|none
          quadrant: {cv: do_first}                    # the guide's matrix, whatever the decision
          decision: {cv: {status: regularise_now, due: immediately, deadline: "2026-11-26",
                          reasons: [gdpr.dpia.overdue]}}  # reasons: among the decision's
          anti_failure: {cv: {verdict: wait, no: [q1, q2, q3, q4]}}   # "no" answers, exactly
                                                      # (and yes: [...], unknown: [...])
          scale_up: {cv: {ready: false, criteria: {c2: met, c4: unknown}}}

The report lists every failure as ``file:line: case name: what differs`` (a rule that did not
fire is told with the fields its condition tests that the case leaves unanswered, read from the
condition tree), then the rules that no case exercises (a rule is exercised when it gives a
finding or an obligation in some case), and ends with ``N passed, N failed``. An unknown key in
``expect`` or an unknown use-case id fails the case, so a typo never passes silently. ``covers``
is free text collected for the test suite, which checks that every REFERENCE §8 row and every
Art. 5, Annex III, Art. 6(3) and Art. 50 provision has a case.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.assessment.assess import Assessment, Obligation, UseCaseAssessment
from engine.assessment.facts import to_facts
from engine.assessment.findings import Finding
from engine.common.suggest import hint
from engine.errors import RuleError, UserError
from engine.profile.validate import profile_from_doc
from engine.profile.yamlio import YamlDoc, load_yaml
from engine.rules.base import RuleBase, load_rulebase
from engine.rules.conditions import leaves
from engine.rules.schema import field_value
from engine.rules.timeline import Timeline
from engine.run.pipeline import assess_profile

DEFAULT_CLIENT = {"id": "test-client", "name": "Client test", "sector": "other", "employees": 10}
DEFAULT_USE_CASE = {"title": "Cas de test", "function": "other", "stage": "pilot"}
DEFAULT_AS_OF = "2026-11-26"
CASE_KEYS = ("id", "name", "covers", "as_of", "profile", "expect")
FILE_KEYS = ("defaults", "cases")
NESTED = ("system", "controls", "data", "process", "roi", "pilot")
OBLIGATION_KEYS = ("reference", "applies_from", "in_force", "bearer", "status", "rule", "text",
                   "penalty")
FINDING_KEYS = ("rule", "subject", "severity", "kind", "tier", "penalty")


@dataclass
class RuleTestReport:
    passed: int = 0
    failed: int = 0                                           # cases with at least one failure
    failures: list[str] = field(default_factory=list)         # one line per thing that differs
    unexercised: list[str] = field(default_factory=list)
    covered: dict[str, list[str]] = field(default_factory=dict)  # provision -> case names

    def lines(self) -> list[str]:
        out = [f"FAIL {f}" for f in self.failures]
        if self.unexercised:
            out.append(f"rules no case exercises ({len(self.unexercised)}):")
            out.extend(f"  {rule}" for rule in self.unexercised)
        out.append(f"{self.passed} passed, {self.failed} failed")
        return out


def _profile(fragment: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The case's profile, filled from the built-in defaults and the file's ``defaults:``."""
    data = copy.deepcopy(fragment)
    base_client = defaults.get("client") or {}
    base_use_case = defaults.get("use_case") or {}
    data["client"] = {**DEFAULT_CLIENT, **base_client, **(data.get("client") or {})}
    use_cases = []
    for use_case in data.get("use_cases") or []:
        merged = {**DEFAULT_USE_CASE, **copy.deepcopy(base_use_case), **use_case}
        for key in NESTED:  # one level deeper: a case overrides single answers, null unsets one
            if isinstance(base_use_case.get(key), dict) and isinstance(use_case.get(key), dict):
                merged[key] = {**copy.deepcopy(base_use_case[key]), **use_case[key]}
        use_cases.append(merged)
    data["use_cases"] = use_cases
    return data


def _dated(expect: dict[str, Any], timeline: Timeline) -> dict[str, Any]:
    """``expect`` with the obligations' ``applies_from`` names of the timeline resolved
    (``applies_from: annex_iii_duties``). Raises DateError (a ValueError) on an unknown name."""
    block = expect.get("obligations")
    if not isinstance(block, dict):
        return expect
    resolved = {}
    for uc, wants in block.items():
        if isinstance(wants, list):
            wants = [{**w, "applies_from": timeline.resolve(w["applies_from"]).isoformat()}
                     if isinstance(w, dict) and "applies_from" in w else w for w in wants]
        resolved[uc] = wants
    return {**expect, "obligations": resolved}


def _obligation_value(o: Obligation, key: str) -> Any:
    if key == "rule":
        return o.rule_id
    if key == "applies_from":
        return o.applies_from.isoformat()
    return getattr(o, key)


def _finding_value(f: Finding, key: str) -> Any:
    if key == "rule":
        return f.rule_id
    if key in ("tier", "penalty"):
        return getattr(f.spec, key) if f.spec else None
    return getattr(f, key)


def _matches(item: Any, want: dict[str, Any], value: Callable[[Any, str], Any]) -> bool:
    return all(value(item, key) == wanted for key, wanted in want.items())


class _Checker:
    """Compares one case's expectations with the assessment; collects what differs."""

    def __init__(self, result: Assessment) -> None:
        self.result = result
        self.by_id: dict[str, UseCaseAssessment] = {u.use_case.id: u for u in result.use_cases}
        self.problems: list[str] = []
        self.fired = {f.rule_id for f in result.findings}
        self.fired |= {o.rule_id for u in result.use_cases for o in u.obligations}

    def use_case(self, uc: str) -> UseCaseAssessment | None:
        found = self.by_id.get(uc)
        if found is None:
            self.problems.append(f"no use case '{uc}' in the profile.{hint(uc, self.by_id)}")
        return found

    def per_use_case(self, expect: dict[str, Any], key: str) -> list[tuple[str, UseCaseAssessment,
                                                                             Any]]:
        block = expect.get(key, {})
        if not isinstance(block, dict):
            self.problems.append(f"expect.{key} maps use-case ids to expectations")
            return []
        out = []
        for uc, wanted in block.items():
            found = self.use_case(str(uc))
            if found is not None:
                out.append((str(uc), found, wanted))
        return out

    def run(self, expect: dict[str, Any]) -> list[str]:
        for uc, u, tier in self.per_use_case(expect, "tiers"):
            if u.tier != tier:
                self.problems.append(f"{uc}: tier {u.tier}, expected {tier}")
        for uc, u, floor in self.per_use_case(expect, "tier_floor"):
            if u.tier_floor != floor:
                self.problems.append(f"{uc}: tier floor {u.tier_floor}, expected {floor}")
        for uc, u, refs in self.per_use_case(expect, "references"):
            missing = [r for r in refs if r not in u.references]
            if missing:
                self.problems.append(f"{uc}: missing references {missing} (has {u.references})")
        for uc, u, refs in self.per_use_case(expect, "not_references"):
            present = [r for r in refs if r in u.references]
            if present:
                self.problems.append(f"{uc}: unexpected references {present}")
        for uc, u, keys in self.per_use_case(expect, "missing_answers"):
            if sorted(u.missing) != sorted(keys):
                self.problems.append(f"{uc}: missing answers {u.missing}, expected {keys}")
        for uc, u, keys in self.per_use_case(expect, "to_complete"):
            if sorted(u.to_complete) != sorted(keys):
                self.problems.append(f"{uc}: to complete {u.to_complete}, expected {keys}")
        for uc, u, refs in self.per_use_case(expect, "exclusions"):
            ruled_out = [r for f in u.exclusions for r in f.provenance.references]
            missing = [r for r in refs if r not in ruled_out]
            if missing:
                self.problems.append(f"{uc}: missing exclusions {missing} (has {ruled_out})")
        self._penalties(expect.get("penalties", {}))
        self.problems += [f"rule {r} did not fire" for r in expect.get("fire", [])
                          if r not in self.fired]
        self.problems += [f"rule {r} fired" for r in expect.get("not_fire", []) if r in self.fired]
        self._findings(expect.get("findings", []))
        self._obligations(expect)
        for key in ("priority", "quadrant"):
            for uc, u, priority in self.per_use_case(expect, key):
                got = getattr(u, key) or "none"
                if got != (priority or "none"):
                    self.problems.append(f"{uc}: {key} {got}, expected {priority}")
        for uc, u, want in self.per_use_case(expect, "decision"):
            self._decision(uc, u, want)
        for uc, u, want in self.per_use_case(expect, "anti_failure"):
            self._anti_failure(uc, u, want)
        for uc, u, want in self.per_use_case(expect, "scale_up"):
            self._scale_up(uc, u, want)
        return self.problems

    def _findings(self, wanted: list[dict[str, Any]]) -> None:
        for want in wanted:
            unknown = [k for k in want if k not in FINDING_KEYS]
            if unknown:
                self.problems.append(f"unknown finding key(s) {unknown}; use {FINDING_KEYS}")
                continue
            if not any(_matches(f, want, _finding_value) for f in self.result.findings):
                self.problems.append(f"no finding matching {want}")

    def _penalties(self, wanted: Any) -> None:
        if not isinstance(wanted, dict):
            self.problems.append("expect.penalties maps penalty ids to {cap_eur, bound, rule}")
            return
        for pid, want in wanted.items():
            cap = self.result.penalties.get(str(pid))
            if cap is None:
                self.problems.append(f"no penalty '{pid}' at stake (has "
                                     f"{sorted(self.result.penalties)})")
                continue
            for key, value in (want or {}).items():
                if getattr(cap, str(key), None) != value:
                    self.problems.append(f"penalty {pid}: {key} {getattr(cap, str(key), None)}"
                                         f", expected {value}")

    def _obligations(self, expect: dict[str, Any]) -> None:
        for uc, u, wanted in self.per_use_case(expect, "obligations"):
            for want in wanted:
                unknown = [k for k in want if k not in OBLIGATION_KEYS]
                if unknown:
                    self.problems.append(f"unknown obligation key(s) {unknown}")
                elif not any(_matches(o, want, _obligation_value) for o in u.obligations):
                    have = sorted({o.reference for o in u.obligations})
                    self.problems.append(f"{uc}: no obligation matching {want} (has {have})")
        for uc, u, refs in self.per_use_case(expect, "no_obligations"):
            present = sorted({o.reference for o in u.obligations if o.reference in refs})
            if present:
                self.problems.append(f"{uc}: unexpected obligations {present}")

    def _anti_failure(self, uc: str, u: UseCaseAssessment, want: dict[str, Any]) -> None:
        if "verdict" in want and u.anti_failure_verdict != want["verdict"]:
            self.problems.append(
                f"{uc}: anti-failure verdict {u.anti_failure_verdict}, expected {want['verdict']}")
        for key, status in (("no", "not_met"), ("yes", "met"), ("unknown", "unknown")):
            if key in want:
                got = sorted(k for k, v in u.anti_failure.items() if v == status)
                if got != sorted(want[key]):
                    self.problems.append(f"{uc}: anti-failure '{key}' answers {got}, expected "
                                         f"{sorted(want[key])}")

    def _decision(self, uc: str, u: UseCaseAssessment, want: Any) -> None:
        d = u.decision
        if not isinstance(want, dict) or d is None:
            self.problems.append(f"{uc}: expect.decision maps a use case to {{status, due, "
                                 "deadline, reasons}}")
            return
        unknown = [k for k in want if k not in ("status", "due", "deadline", "reasons")]
        if unknown:
            self.problems.append(f"{uc}: unknown decision key(s) {unknown}")
        if "status" in want and d.status != want["status"]:
            self.problems.append(f"{uc}: decision {d.status} (reasons {d.rule_ids}), expected "
                                 f"{want['status']}")
        if "due" in want and d.due != want["due"]:
            self.problems.append(f"{uc}: decision due {d.due}, expected {want['due']}")
        if "deadline" in want:
            got = d.deadline.isoformat() if d.deadline else None
            if got != want["deadline"]:
                self.problems.append(f"{uc}: decision deadline {got}, expected "
                                     f"{want['deadline']}")
        missing = [r for r in want.get("reasons", []) if r not in d.rule_ids]
        if missing:
            self.problems.append(f"{uc}: decision reasons lack {missing} (has {d.rule_ids})")

    def _scale_up(self, uc: str, u: UseCaseAssessment, want: dict[str, Any]) -> None:
        if "ready" in want and u.scale_up_ready != want["ready"]:
            self.problems.append(f"{uc}: scale-up ready {u.scale_up_ready}, expected "
                                 f"{want['ready']}")
        for item, status in (want.get("criteria") or {}).items():
            if u.scale_up.get(item) != status:
                self.problems.append(f"{uc}: scale-up {item} {u.scale_up.get(item)}, expected "
                                     f"{status}")


EXPECT_KEYS = ("tiers", "tier_floor", "references", "not_references", "missing_answers",
               "to_complete", "exclusions", "penalties", "fire", "not_fire", "findings",
               "obligations", "no_obligations", "priority", "quadrant", "decision",
               "anti_failure", "scale_up")


def _check(case: dict[str, Any], doc: YamlDoc, defaults: dict[str, Any], rulebase: RuleBase,
           fired_all: set[str]) -> list[str]:
    problems: list[str] = []
    problems += [f"unknown case key '{k}'.{hint(str(k), CASE_KEYS)}" for k in case
                 if k not in CASE_KEYS]
    expect = case.get("expect", {})
    if not isinstance(expect, dict):
        expect = {}
        problems.append("'expect' is a mapping")
    problems += [f"unknown expectation '{k}'.{hint(str(k), EXPECT_KEYS)}" for k in expect
                 if k not in EXPECT_KEYS]
    profile_doc = YamlDoc(doc.path, _profile(case.get("profile") or {}, defaults), doc.positions)
    profile = profile_from_doc(profile_doc, default_id="test-client")
    as_of = rulebase.timeline.resolve(case.get("as_of", DEFAULT_AS_OF))
    expect = _dated(expect, rulebase.timeline)
    result = assess_profile(profile, rulebase, as_of)
    checker = _Checker(result)
    fired_all |= checker.fired
    known = {rule.spec.id for rule in rulebase.rules}
    for key in ("fire", "not_fire"):
        problems += [f"{key}: no rule has the id '{r}'.{hint(str(r), known)}"
                     for r in expect.get(key, []) if r not in known]
    found = checker.run(expect)
    if any(p.endswith(" did not fire") for p in found):
        facts = to_facts(result.profile, as_of)
        found = [p + _unanswered(p.split()[1], rulebase, facts) if p.endswith(" did not fire")
                 else p for p in found]
    return problems + found


def _unanswered(rule_id: str, rulebase: RuleBase, facts: list[dict[str, Any]]) -> str:
    """What a rule's condition tests that the case leaves unanswered (a test on an unanswered
    field is false), as a hint when the rule did not fire."""
    rule = next((r for r in rulebase.compiled.compiled if r.rule.spec.id == rule_id), None)
    if rule is None:
        return ""
    unanswered = [leaf.field for leaf in leaves(rule.condition) if leaf.op != "missing"
                  and all(field_value(f, leaf.kind, leaf.path) is None
                          for f in facts if f.get("type") == leaf.kind)]
    if not unanswered:
        return ""
    return f" (it tests {', '.join(dict.fromkeys(unanswered))}, unanswered in this case)"


@dataclass(frozen=True)
class RuleCase:
    """One YAML case, where it was written, and the file's defaults."""

    id: str
    name: str
    file: str
    line: int
    data: Any
    doc: YamlDoc
    defaults: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def load_cases(rules_dir: Path) -> list[RuleCase]:
    """Every case of ``rules_dir/tests``, in file order.

    Raises:
        RuleError: a test file is not a ``cases:`` list (with optional ``defaults:``), or two
            cases share an id.
    """
    out: list[RuleCase] = []
    seen: dict[str, RuleCase] = {}
    for path in sorted((rules_dir / "tests").glob("*.y*ml")):
        doc = load_yaml(path, display_path=str(path), error_cls=RuleError)
        data = doc.data if isinstance(doc.data, dict) else {}
        cases, defaults = data.get("cases"), data.get("defaults") or {}
        extra = [str(k) for k in data if k not in FILE_KEYS]
        if not isinstance(cases, list) or extra or not isinstance(defaults, dict):
            raise RuleError.at(str(path), (
                "a rule test file holds a 'cases:' list and optionally 'defaults:' "
                "{client: ..., use_case: ...}" + (f" (unknown key {extra[0]!r})" if extra else "")))
        for index, case in enumerate(cases):
            where = doc.locate(("cases", index))
            ident = case.get("id") if isinstance(case, dict) else None
            if not isinstance(ident, str) or not ident:
                ident = f"{path.stem}.case-{index + 1}"
            name = case.get("name", ident) if isinstance(case, dict) else ident
            found = RuleCase(ident, str(name), where.file, where.line or 1, case, doc, defaults)
            if ident in seen:
                raise RuleError.at(found.file, (
                    f"case id '{ident}' is used twice (first at {seen[ident].where})"),
                    line=found.line)
            seen[ident] = found
            out.append(found)
    return out


def run_case(case: RuleCase, rulebase: RuleBase, fired_all: set[str] | None = None
             ) -> list[str]:
    """What differs between the case's expectations and the assessment ([] = it passes)."""
    if not isinstance(case.data, dict):
        return ["a case is a mapping"]
    problems = [] if "id" in case.data else ["give the case an 'id:' (unique, lower-case)"]
    try:
        problems += _check(case.data, case.doc, case.defaults, rulebase,
                           fired_all if fired_all is not None else set())
    except UserError as exc:
        problems.append(f"invalid profile: {exc}")
    except ValueError as exc:  # a malformed as_of date
        problems.append(f"invalid case: {exc}")
    return problems


def run_rule_tests(rules_dir: Path) -> RuleTestReport:
    """Run every case of ``rules_dir/tests``; count passes and failures."""
    rulebase = load_rulebase(rules_dir)
    report = RuleTestReport()
    fired_all: set[str] = set()
    for case in load_cases(rules_dir):
        problems = run_case(case, rulebase, fired_all)
        if problems:
            report.failures.extend(f"{case.where}: {case.name}: {p}" for p in problems)
            report.failed += 1
        else:
            report.passed += 1
        covers = case.data.get("covers", []) if isinstance(case.data, dict) else []
        for provision in covers or []:
            report.covered.setdefault(str(provision), []).append(case.name)
    report.unexercised = sorted({r.spec.id for r in rulebase.rules} - fired_all)
    return report
