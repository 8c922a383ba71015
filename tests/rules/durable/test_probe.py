"""``iapme rules lint``'s run-time probe: the rules registered and run in a subprocess."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from engine.rules.base import load_rulebase
from engine.rules.durable.capacity import BUDGET, LIMITS
from engine.rules.durable.evaluate import DurableRules
from engine.rules.durable.probe import probe_rules
from engine.rules.durable.program import build

RULES = Path(__file__).resolve().parents[3] / "rules"


def test_the_shipped_rules_pass_the_probe() -> None:
    engine = load_rulebase(RULES).engine
    assert probe_rules(engine, RULES) == []


def test_lint_runs_the_probe() -> None:
    """The command line's lint registers and evaluates (0 problems on the shipped rules)."""
    result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output


def test_a_failure_at_run_time_names_the_rule() -> None:
    """Without the split (a budget past durable's limits), a client that answers every value
    fails with error 303: the probe names a rule, as the other lint lines do."""
    base = load_rulebase(RULES)
    reckless = dataclasses.replace(BUDGET, pending=10 * LIMITS.pending)
    engine = DurableRules(base.compiled, build(base.compiled, reckless))
    assert len(engine.parts) == 1
    (issue,) = probe_rules(engine, RULES)
    match = re.match(r"rule (\S+): durable_rules fails when this rule is added to ruleset 1 of "
                     r"1 \(evaluating a synthetic client\): .*error code: 303", issue.message)
    assert match, issue.message
    rule = next(r for r in base.rules if r.spec.id == match.group(1))
    assert issue.location.file == rule.file
    assert issue.location.line == rule.locate("when").line


def test_a_probe_that_does_not_answer_in_time_is_a_problem() -> None:
    """A child that does not answer in time fails lint (it would hang ``iapme run``)."""
    engine = load_rulebase(RULES).engine
    issues = probe_rules(engine, RULES, timeout=0.01)
    assert len(issues) == 1
    assert "no answer after" in issues[0].message
