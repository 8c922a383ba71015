"""``iapme rules lint`` in detail: one line per problem, ``file:line: rule id: message``, sorted and
each once, with a did-you-mean for misspelt fields, operators, values and derived facts; the
vocabulary-coverage check; and ``load_rulebase`` refusing what does not lint.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from engine.errors import RuleError
from engine.rules.base import load_rulebase
from engine.rules.lint import lint_rules
from engine.rules.spec import load_rules

RULES = Path(__file__).resolve().parents[2] / "rules"
LINT_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<rule>\S+): (?P<message>.+)$")




def _lint(rules: Path) -> list[str]:
    issues = [str(i) for i in lint_rules(rules)]
    assert all(LINT_LINE.match(i) for i in issues), issues
    return issues


def test_lint_reports_operators_values_duplicates_and_references(
    tmp_path: Path, copy_rules: Any, write_rule: Any,
) -> None:
    rules = copy_rules(tmp_path)
    write_rule(rules, (
        "  - id: test.bad-operator\n"
        "    title: Opérateur fautif\n"
        "    subject: use_case\n"
        "    references: [\"Art. 5\"]\n"
        "    when: {field: use_case.system.purposes, contain: recruitment}\n"
        "    then: {finding: {kind: ai_act_note, severity: info, message: Test}}\n"
        "  - id: test.bad-value\n"
        "    title: Valeur fautive\n"
        "    subject: use_case\n"
        "    references: [\"Art. 5\"]\n"
        "    when: {field: use_case.system.purposes, contains: recrutment}\n"
        "    then: {finding: {kind: ai_act_note, severity: info, message: Test}}\n"
        "  - id: ai-act.art4.ai-literacy\n"
        "    title: Doublon sans référence\n"
        "    subject: use_case\n"
        "    when: {field: use_case.stage, eq: pilot}\n"
        "    then: {finding: {kind: ai_act_note, severity: info, message: \"{use_case.stage}\"}}\n"
    ))
    issues = [str(i) for i in lint_rules(rules)]
    assert all(LINT_LINE.match(i) for i in issues), issues
    assert issues == sorted(issues, key=lambda i: (i.split(":")[0], int(i.split(":")[1]), i))
    assert len(issues) == len(set(issues))
    text = "\n".join(issues)
    assert "99-bad.yaml:6: test.bad-operator: unknown operator 'contain'. Did you mean " \
           "'contains'?" in text
    assert "99-bad.yaml:12: test.bad-value: 'recrutment' is not a value" in text
    assert "Did you mean 'recruitment'?" in text
    assert "99-bad.yaml:14: ai-act.art4.ai-literacy: duplicate id (first defined at " in text
    assert "99-bad.yaml:14: ai-act.art4.ai-literacy: no legal reference" in text
    assert "would print a raw code" in text


def test_lint_reports_unknown_derived_fact(
    tmp_path: Path, copy_rules: Any, write_rule: Any,
) -> None:
    rules = copy_rules(tmp_path)
    write_rule(rules, (
        "  - id: test.bad-derived\n"
        "    title: Fait déduit fautif\n"
        "    subject: use_case\n"
        "    references: [\"Art. 6(2)\"]\n"
        "    when: {derived: anex_iii}\n"
        "    then: {finding: {kind: ai_act_note, severity: info, message: Test}}\n"
    ))
    issues = [str(i) for i in lint_rules(rules)]
    assert issues == [f"{rules / 'extra' / '99-bad.yaml'}:6: test.bad-derived: no rule asserts "
                      "the derived fact 'anex_iii'. Did you mean 'annex_iii'?"]


def test_lint_reports_unread_and_wrongly_neutral_vocabulary(
    tmp_path: Path, copy_rules: Any,
) -> None:
    """A value neither read nor neutral, and a neutral value a rule reads, are both errors."""
    rules = copy_rules(tmp_path)
    neutral = rules / "vocabulary" / "neutral.yaml"
    text = neutral.read_text(encoding="utf-8")
    text = re.sub(r"\n    search: .*", "", text)  # capability 'search' no longer listed
    text = text.replace(
        "  purposes:\n",
        "  purposes:\n    recruitment: \"Listed by mistake: a rule reads it.\"\n"
        "    bokkeeping: \"Misspelt value.\"\n", 1)
    neutral.write_text(text, encoding="utf-8")
    issues = [str(i) for i in lint_rules(rules)]
    assert all(LINT_LINE.match(i) for i in issues), issues
    joined = "\n".join(issues)
    assert "vocabulary.capabilities: 'search' is neither read by a rule nor listed as neutral" \
        in joined
    assert "vocabulary.purposes: 'recruitment' is listed as neutral but rule " in joined
    assert "'bokkeeping' is not a value of purposes. Did you mean 'bookkeeping'?" in joined
    assert len(issues) == 3


def test_vocabulary_file_is_not_a_rule_file(tmp_path: Path) -> None:
    rules, issues = load_rules(RULES)
    assert issues == []
    assert not any("vocabulary" in r.file or "/tests/" in r.file for r in rules)



def test_load_rulebase_refuses_a_rule_without_reference(
    tmp_path: Path, copy_rules: Any, write_rule: Any,
) -> None:
    rules = copy_rules(tmp_path)
    write_rule(rules, (
        "  - id: test.no-reference\n"
        "    title: Règle sans référence\n"
        "    subject: use_case\n"
        "    when: {field: use_case.stage, eq: pilot}\n"
        "    then: {finding: {kind: ai_act_note, severity: info, message: Test}}\n"
    ))
    with pytest.raises(RuleError) as caught:
        load_rulebase(rules)
    assert "test.no-reference: no legal reference" in str(caught.value)


def test_yaml_syntax_error_has_no_rule_id(tmp_path: Path, copy_rules: Any, write_rule: Any) -> None:
    rules = copy_rules(tmp_path)
    path = write_rule(rules, "  - id: x\n    title: [unclosed\n")
    issues = _lint(rules)
    assert len(issues) == 1
    assert issues[0].startswith(f"{path}:")
    assert LINT_LINE.match(issues[0])["rule"] == "-"  # type: ignore[index]


def test_format_errors_name_the_key(tmp_path: Path, copy_rules: Any, write_rule: Any) -> None:
    rules = copy_rules(tmp_path)
    write_rule(rules, (
        "  - id: test.format\n"
        "    title: Format fautif\n"
        "    subject: use_case\n"
        "    references: [\"Art. 5\"]\n"
        "    valid_from: \"2027-01-01\"\n"
        "    when: {field: use_case.stage, eq: pilot}\n"
        "    then:\n"
        "      finding: {kind: ai_act_note, severity: blocking, message: Test}\n"
    ))
    issues = _lint(rules)
    assert len(issues) == 1
    assert ":9: test.format: severity: " in issues[0]
    assert "'blocker'" in issues[0]


def test_dates_placeholders_and_obligation_texts(
    tmp_path: Path, copy_rules: Any, write_rule: Any,
) -> None:
    rules = copy_rules(tmp_path)
    write_rule(rules, (
        "  - id: test.dates\n"
        "    title: Dates à l'envers\n"
        "    subject: use_case\n"
        "    references: [\"Art. 5\"]\n"
        "    valid_from: \"2027-01-01\"\n"
        "    valid_until: \"2026-01-01\"\n"
        "    when: {field: use_case.stage, eq: pilot}\n"
        "    then:\n"
        "      finding: {kind: ai_act_note, severity: info, message: \"{use_case.titel}\"}\n"
        "      obligations:\n"
        "        - {text: \"Pour {use_case.title}\", reference: \"Art. 4\", "
        "applies_from: \"2025-02-02\", bearer: deployer}\n"
    ))
    text = "\n".join(_lint(rules))
    assert ":6: test.dates: valid_from 2027-01-01 is after valid_until 2026-01-01" in text
    assert "unknown placeholder {use_case.titel}. Did you mean 'use_case.title'?" in text
    assert "an obligation text is printed as written: no {placeholders}" in text


def test_neutral_file_missing_reports_every_unread_value(tmp_path: Path, copy_rules: Any) -> None:
    rules = copy_rules(tmp_path)
    (rules / "vocabulary" / "neutral.yaml").unlink()
    issues = _lint(rules)
    assert issues
    assert all("vocabulary/neutral.yaml:1: vocabulary." in i for i in issues)
    assert any("'content_generation' is neither read by a rule nor listed as neutral" in i
               for i in issues)


def test_lint_checks_ai_act_scope_penalties_and_questions(
    tmp_path: Path, copy_rules: Any, write_rule: Any,
) -> None:
    """v2: an AI Act rule tests ai_system first (Art. 3(1)); a penalty id exists in
    penalties.yaml; a question names its key and carries a reachable tier; tiers only where
    they mean something."""
    rules = copy_rules(tmp_path)
    write_rule(rules, (
        "  - id: test.no-scope\n"
        "    title: Sans champ d'application\n"
        "    subject: use_case\n"
        "    references: [\"Art. 50(1)\"]\n"
        "    when: {field: use_case.system.capabilities, contains: conversational_agent}\n"
        "    then: {finding: {kind: ai_act, tier: limited, severity: info, message: Test,"
        " penalty: ai_act_operatr}}\n"
        "  - id: test.question\n"
        "    title: Question sans clé\n"
        "    subject: use_case\n"
        "    references: [\"Art. 5\"]\n"
        "    when:\n"
        "      all:\n"
        "        - {field: use_case.system.ai_system, eq: true}\n"
        "        - {field: use_case.system.profiling, missing: true}\n"
        "    then: {finding: {kind: missing_answer, tier: minimal, severity: info,"
        " message: Test}}\n"
        "  - id: test.client\n"
        "    title: Client sans champ\n"
        "    subject: client\n"
        "    references: [\"Art. 4\"]\n"
        "    when: {field: client.n_use_cases, gte: 1}\n"
        "    then: {finding: {kind: gdpr, tier: high, severity: info, message: Test}}\n"
    ), folder="ai_act")
    text = "\n".join(_lint(rules))
    assert "test.no-scope: an AI Act rule applies to AI systems only (Art. 3(1))" in text
    assert "test.no-scope: penalty 'ai_act_operatr' is not defined in penalties.yaml. " \
           "Did you mean 'ai_act_operator'?" in text
    assert "test.question: a missing_answer finding names the unanswered key" in text
    assert "test.question: a missing_answer's tier is the most severe tier" in text
    assert "test.client: an AI Act client rule applies when the client has AI systems" in text
    assert "test.client: only ai_act (the tier given) and missing_answer" in text


def test_lint_reports_a_broken_penalty_table(tmp_path: Path, copy_rules: Any) -> None:
    rules = copy_rules(tmp_path)
    table = rules / "penalties.yaml"
    table.write_text(table.read_text(encoding="utf-8").replace(
        "turnover_percent: 7", "turnover_percent: seven"), encoding="utf-8")
    text = "\n".join(_lint(rules))
    assert "penalties.yaml" in text
    assert "turnover_percent" in text


def test_lint_checks_neutral_profile_keys(tmp_path: Path, copy_rules: Any) -> None:
    """Every closed or numeric profile key is read by a rule or listed as neutral, with a real
    key path; a listed key a rule reads is out of date."""
    rules = copy_rules(tmp_path)
    neutral = rules / "vocabulary" / "neutral.yaml"
    text = neutral.read_text(encoding="utf-8")
    text = text.replace("  use_cases[].function:", "  use_cases[].fonction:")
    text += "  client.works_council: \"Listed by mistake: the CSE rules read it.\"\n"
    neutral.write_text(text, encoding="utf-8")
    issues = "\n".join(_lint(rules))
    assert "keys: 'use_cases[].fonction' is not a profile key" in issues
    assert "keys: profile key 'use_cases[].function' is neither read by a rule nor listed" \
        in issues
    assert "keys: 'client.works_council' is listed as neutral but a rule reads it" in issues
