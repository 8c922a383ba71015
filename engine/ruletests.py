"""``iapme rules test``: YAML test cases kept beside the rules (``rules/tests/*.yaml``).

Each case gives a profile fragment (defaults fill the rest) and what must come out::

    cases:
      - name: "Tri de CV : haut risque, annexe III 4(a)"
        as_of: "2026-11-26"
        profile:
          use_cases:
            - id: cv
              system: {capabilities: [ranking_people], purposes: [recruitment], ...}
        expect:
          tiers: {cv: high}
          references: {cv: ["Annex III 4(a)"]}        # must be among the use case's references
          fire: [ai-act.annex-iii.4a.recruitment]     # rules that must fire
          not_fire: [ai-act.art6-3.derogation]        # rules that must not fire
          obligations: {cv: [{reference: "Art. 26(2)", in_force: false}]}

The report ends with ``N passed, N failed`` and lists rules that no case exercises.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import RuleError, UserError
from engine.pipeline import assess_profile
from engine.rulebase import load_rulebase
from engine.validate import profile_from_doc
from engine.yamlio import YamlDoc, load_yaml

DEFAULT_CLIENT = {"id": "test-client", "name": "Client test", "sector": "other", "employees": 10}
DEFAULT_USE_CASE = {"title": "Cas de test", "function": "other", "stage": "pilot"}


@dataclass
class RuleTestReport:
    passed: int = 0
    failures: list[str] = field(default_factory=list)
    unexercised: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def lines(self) -> list[str]:
        out = [f"FAIL {f}" for f in self.failures]
        if self.unexercised:
            out.append(f"rules no case exercises ({len(self.unexercised)}):")
            out.extend(f"  {rule}" for rule in self.unexercised)
        out.append(f"{self.passed} passed, {self.failed} failed")
        return out


def _profile(fragment: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(fragment)
    data["client"] = {**DEFAULT_CLIENT, **data.get("client", {})}
    data["use_cases"] = [{**DEFAULT_USE_CASE, **uc} for uc in data.get("use_cases", [])]
    return data


def _check(case: dict[str, Any], doc: YamlDoc, index: int, rulebase: Any,
           fired_all: set[str]) -> list[str]:
    profile_doc = YamlDoc(doc.path, _profile(case.get("profile", {})), doc.positions)
    profile = profile_from_doc(profile_doc, default_id="test-client")
    as_of = dt.date.fromisoformat(str(case.get("as_of", "2026-11-26")))
    result = assess_profile(profile, rulebase, as_of)
    fired = {f.rule_id for f in result.findings}
    fired |= {o.rule_id for u in result.use_cases for o in u.obligations}
    fired_all |= fired
    expect = case.get("expect", {})
    by_id = {u.use_case.id: u for u in result.use_cases}
    problems = []
    for uc, tier in expect.get("tiers", {}).items():
        got = by_id[uc].tier if uc in by_id else "absent"
        if got != tier:
            problems.append(f"{uc}: tier {got}, expected {tier}")
    for uc, refs in expect.get("references", {}).items():
        missing = [r for r in refs if uc not in by_id or r not in by_id[uc].references]
        if missing:
            problems.append(f"{uc}: missing references {missing}")
    problems += [f"rule {r} did not fire" for r in expect.get("fire", []) if r not in fired]
    problems += [f"rule {r} fired" for r in expect.get("not_fire", []) if r in fired]
    for uc, wanted in expect.get("obligations", {}).items():
        have = by_id[uc].obligations if uc in by_id else []
        for want in wanted:
            ok = any(o.reference == want["reference"] and
                     ("in_force" not in want or o.in_force == want["in_force"]) and
                     ("status" not in want or o.status == want["status"]) for o in have)
            if not ok:
                problems.append(f"{uc}: no obligation matching {want}")
    where = doc.locate(("cases", index))
    return [f"{where.file}:{where.line}: {case.get('name', index)}: {p}" for p in problems]


def run_rule_tests(rules_dir: Path) -> RuleTestReport:
    """Run every case of ``rules_dir/tests``; count passes and failures."""
    rulebase = load_rulebase(rules_dir)
    report = RuleTestReport()
    fired_all: set[str] = set()
    for path in sorted((rules_dir / "tests").glob("*.y*ml")):
        doc = load_yaml(path, display_path=str(path), error_cls=RuleError)
        cases = doc.data.get("cases") if isinstance(doc.data, dict) else None
        if not isinstance(cases, list):
            raise RuleError.at(str(path), "a rule test file holds a 'cases:' list")
        for index, case in enumerate(cases):
            try:
                problems = _check(case, doc, index, rulebase, fired_all)
            except UserError as exc:
                where = doc.locate(("cases", index))
                problems = [f"{where.file}:{where.line}: {case.get('name', index)}: "
                            f"invalid profile: {exc}"]
            if problems:
                report.failures.extend(problems)
            else:
                report.passed += 1
    report.unexercised = sorted({r.spec.id for r in rulebase.rules} - fired_all)
    return report
