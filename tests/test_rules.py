"""The shipped rule base lints clean, its YAML test cases pass, and lint catches typos."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from engine.lint import lint_rules
from engine.ruletests import run_rule_tests

RULES = Path(__file__).resolve().parent.parent / "rules"


def test_shipped_rules_lint_clean() -> None:
    """Every rule file compiles, cites a reference and names only known fields."""
    assert [str(i) for i in lint_rules(RULES)] == []


def test_rule_cases_pass() -> None:
    """The compliance officers' YAML cases all pass."""
    report = run_rule_tests(RULES)
    assert report.failures == []
    assert report.passed >= 10


def test_misspelt_field_is_reported_with_file_line_and_suggestion(tmp_path: Path) -> None:
    """A rule naming a field that does not exist fails lint with file, line and the right name."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    bad = rules / "ai_act" / "99-bad.yaml"
    bad.write_text(
        "rules:\n"
        "  - id: test.bad-field\n"
        "    title: Règle fautive\n"
        "    subject: use_case\n"
        "    references: [\"Art. 5\"]\n"
        "    when: {field: use_case.system.capabilitis, contains: translation}\n"
        "    then: {finding: {kind: ai_act_note, severity: info, message: Test}}\n",
        encoding="utf-8",
    )
    issues = [str(i) for i in lint_rules(rules)]
    assert len(issues) == 1
    assert "99-bad.yaml:6" in issues[0]
    assert "test.bad-field" in issues[0]
    assert "use_case.system.capabilities" in issues[0]
    result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(rules)])
    assert result.exit_code == 1


def test_rules_test_command_prints_counts() -> None:
    result = CliRunner().invoke(main, ["rules", "test", "--rules", str(RULES)])
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1].endswith("passed, 0 failed")
