"""The rule program on durable: dependency order, the split under the budget, and acceptance 4
of issue 11 (a rule base four times the shipped one lints, runs, and fires as its parts alone)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from engine.assessment.facts import to_facts
from engine.profile.validate import load_profile
from engine.rules.base import RuleBase, load_rulebase
from engine.rules.compiler import compile_rules
from engine.rules.durable.capacity import BUDGET, usage_of
from engine.rules.durable.evaluate import DurableRules
from engine.rules.durable.program import ANCHOR_BODY, build, dependency_order
from engine.rules.lint import lint_rules
from engine.rules.spec import load_rules

ROOT = Path(__file__).resolve().parents[3]
AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def rulebase() -> RuleBase:
    return load_rulebase(ROOT / "rules")


def _profiles(tmp_path: Path, n: int) -> list[Path]:
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench" / "synthetic.py")
    assert spec is not None
    assert spec.loader is not None
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    paths: list[Path] = synthetic.write_profiles(tmp_path, n, seed=11)
    return sorted((ROOT / "inputs").glob("*.yaml")) + paths


class TestOrder:
    def test_asserting_rules_come_before_the_rules_that_require(self, rulebase: RuleBase) -> None:
        order = [r for group in dependency_order(rulebase.compiled.compiled) for r in group]
        assert len(order) == len(rulebase.compiled.compiled)
        position = {r.rule.spec.id: n for n, r in enumerate(order)}
        for rule in order:
            for branch in rule.branches:
                for derived in branch.derived:
                    producers = [r for r in order if any(
                        a.get("name") == derived.name for a in r.rule.spec.then.asserts)]
                    assert all(position[p.rule.spec.id] < position[rule.rule.spec.id]
                               for p in producers), (rule.rule.spec.id, derived.name)

    def test_rules_that_need_each_other_stay_together(self, tmp_path: Path,
                                                      copy_rules: Any, write_rule: Any) -> None:
        """A cycle of derived facts (a needs b's fact, b needs a's) is one group."""
        rules = copy_rules(tmp_path)
        write_rule(rules, "".join(
            f"  - id: test.cycle-{me}\n    title: Cycle {me}\n    subject: use_case\n"
            f"    references: [\"Art. 5\"]\n    when: {{derived: fact_{other}}}\n"
            f"    then: {{assert: [{{name: fact_{me}}}]}}\n"
            for me, other in (("a", "b"), ("b", "a"))))
        loaded, _ = load_rules(rules)
        compiled, issues = compile_rules(loaded)
        assert issues == []
        groups = dependency_order(compiled.compiled)
        cycle = [g for g in groups if any(r.rule.spec.id.startswith("test.cycle") for r in g)]
        assert [sorted(r.rule.spec.id for r in g) for g in cycle] == [
            ["test.cycle-a", "test.cycle-b"]]


class TestSplit:
    def test_every_ruleset_is_within_the_budget(self, rulebase: RuleBase) -> None:
        parts = rulebase.engine.parts
        assert len(parts) > 1  # the shipped rules already pass too many tests at once for one
        for part in parts:
            assert not part.usage.over(BUDGET), (part.index, part.usage)
        names = [r.name for p in parts for r in p.rules]
        assert len(names) == len(set(names))  # each durable rule once
        # every rule is there: as its branches, or expanded finer when a pattern was too wide
        assert {n.partition("#")[0] for n in names} == {r.spec.id for r in rulebase.rules}
        coarse = set(rulebase.compiled.branches)
        finer = {n.partition("#")[0] for n in names if n not in coarse}
        assert "ai-act.annex-iii.1c.emotion-recognition" in finer  # 24 expressions in one

    def test_the_shipped_rules_in_one_ruleset_would_be_past_durables_limit(
            self, rulebase: RuleBase) -> None:
        """Why the split: a use case answering every value of every list fails in one ruleset."""
        bodies = [r.body for p in rulebase.engine.parts for r in p.rules]
        assert usage_of([ANCHOR_BODY, *bodies]).pending > 64

    def test_a_client_answering_every_value_is_assessed(self, rulebase: RuleBase) -> None:
        """The full synthetic client (every list holds its whole vocabulary) evaluates; in one
        ruleset it failed with error 303."""
        from engine.rules.witness import synthetic_clients

        full = synthetic_clients(rulebase.compiled)[0]
        assert rulebase.evaluate(full, sid="full")

    def test_same_firings_in_one_ruleset_and_in_several(self, rulebase: RuleBase,
                                                       tmp_path: Path) -> None:
        """Split finely (a small budget) or coarsely, the firings are the same."""
        fine = DurableRules(rulebase.compiled, build(rulebase.compiled, dataclasses.replace(
            BUDGET, pending=16)))
        assert len(fine.parts) > len(rulebase.engine.parts)
        for path in _profiles(tmp_path, 20):
            facts = to_facts(load_profile(path), AS_OF)
            assert sorted(f.key() for f in fine.evaluate(facts, "fine")) == sorted(
                f.key() for f in rulebase.evaluate(facts, "coarse")), path.name


def _plain(key: Any) -> Any:
    """A firing key of a copy as the shipped rules would give it (suffixes removed)."""
    name, ids, derived = key
    return (re.sub(r"\.c\d+(#\d+)$", r"\1", name), ids,
            tuple(d._replace(name=re.sub(r"_c\d+$", "", d.name)) for d in derived))


class TestFourTimesTheRuleBase:
    """Acceptance 4: four times today's rule base lints, runs and fires as its parts alone."""

    def test_it_lints_with_the_run_time_probe(self, quadruple_rules: Path) -> None:
        assert [str(i) for i in lint_rules(quadruple_rules, probe=True)] == []

    def test_it_runs_and_gives_the_firings_of_its_parts(self, quadruple_rules: Path,
                                                        rulebase: RuleBase,
                                                        tmp_path: Path) -> None:
        big = load_rulebase(quadruple_rules)
        assert len(big.rules) == 4 * len(rulebase.rules)
        assert len(big.engine.parts) > len(rulebase.engine.parts)
        for path in _profiles(tmp_path, 20):
            facts = to_facts(load_profile(path), AS_OF)
            alone = sorted(f.key() for f in rulebase.evaluate(facts, "alone"))
            copies: dict[str, list[Any]] = {}
            for firing in big.evaluate(facts, "big"):
                copy = re.search(r"\.(c\d+)#", firing.name)
                copies.setdefault(copy.group(1) if copy else "", []).append(
                    _plain(firing.key()))
            assert sorted(copies) == ["", "c2", "c3", "c4"]
            for name, keys in copies.items():
                assert sorted(keys) == alone, (path.name, name)


def _extra_rules(count: int, when: str) -> str:
    return "".join(
        f"  - id: test.extra-{n}\n    title: Règle ajoutée {n}\n    subject: use_case\n"
        f"    references: [\"Art. 5\"]\n    when: {when}\n"
        f"    then: {{finding: {{kind: ai_act_note, severity: info, message: Test {n}}}}}\n"
        for n in range(count))


CAPABILITIES = ["emotion_recognition", "sentiment_analysis", "biometric_identification",
                "biometric_verification", "biometric_categorisation", "scoring_people",
                "ranking_people", "predicting_behaviour"]


@pytest.mark.parametrize(("count", "when"), [
    # the issue's findings: 42 such rules gave error 303, 50 made create_ruleset hang
    (60, "{any: [" + ", ".join(f"{{field: use_case.system.capabilities, contains: {c}}}"
                               for c in CAPABILITIES) + "]}"),
    # 300 one-condition rules gave error 108 for every client
    (300, "{field: use_case.stage, in: [idea, test, pilot, production]}"),
], ids=["8-way-any", "one-condition"])
def test_the_issues_rule_bases_now_lint_and_run(tmp_path: Path, copy_rules: Any,
                                               write_rule: Any, count: int, when: str) -> None:
    """The rule bases that broke durable in issue 11 are split and evaluate every client."""
    rules = copy_rules(tmp_path)
    write_rule(rules, _extra_rules(count, when))
    assert [str(i) for i in lint_rules(rules, probe=True)] == []
    big = load_rulebase(rules)
    profile = load_profile(ROOT / "inputs" / "vigie-retail.yaml")
    facts = to_facts(profile, AS_OF)
    fired = {f.name for f in big.evaluate(facts, "issue")}
    assert sum(name.startswith("test.extra-") for name in fired) > 0
