"""The shipped rule base lints clean, its YAML cases pass and cover the law, and lint catches typos.

``iapme rules lint`` and ``iapme rules test`` run here, so they run in ``.ci/run`` (pytest).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.rules.cases import run_rule_tests
from engine.rules.lint import VOCABULARIES, lint_rules, load_neutral, vocabulary_reads
from engine.rules.schema import FACT_SCHEMA
from engine.rules.spec import load_rules

RULES = Path(__file__).resolve().parents[2] / "rules"
LINT_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<rule>\S+): (?P<message>.+)$")

# REFERENCE §8, one entry per row, in order (the cases name them in `covers`).
SECTION_8_ROWS = [f"§8.{n}" for n in range(1, 18)]
# Every Art. 5, Annex III, Art. 6(3) and Art. 50 provision of REFERENCE §1-§3.
PROVISIONS = [
    *(f"Art. 5(1)({p})" for p in ("a", "b", "c", "d", "e", "f", "g", "h", "ba", "bb")),
    "Art. 6(1)", "Annex I",
    *(f"Annex III {p}" for p in ("1(a)", "1(b)", "1(c)", "2", "3(a)", "3(b)", "3(c)", "3(d)",
                                 "4(a)", "4(b)", "5(a)", "5(b)", "5(c)", "5(d)", "6", "7",
                                 "8(a)", "8(b)")),
    *(f"Art. 6(3)({p})" for p in ("a", "b", "c", "d")), "Art. 6(3), last subparagraph",
    "Art. 25(1)(c)",
    "Art. 50(1)", "Art. 50(2)", "Art. 50(3)", "Art. 50(4), first subparagraph",
    "Art. 50(4), second subparagraph",
]




BAD_FIELD_RULE = (
    "  - id: test.bad-field\n"
    "    title: Règle fautive\n"
    "    subject: use_case\n"
    "    references: [\"Art. 5\"]\n"
    "    when: {field: use_case.system.capabilitis, contains: translation}\n"
    "    then: {finding: {kind: ai_act_note, severity: info, message: Test}}\n"
)


# --- the shipped rule base ---------------------------------------------------------------------


def test_shipped_rules_lint_clean() -> None:
    """Every rule file compiles, cites a reference, names only known fields and values."""
    assert [str(i) for i in lint_rules(RULES)] == []


def test_rules_lint_command_exits_zero() -> None:
    result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output


def test_rule_cases_pass_and_exercise_every_rule() -> None:
    """The compliance officers' YAML cases all pass and no rule is left unexercised."""
    report = run_rule_tests(RULES)
    assert report.failures == []
    assert report.failed == 0
    assert report.unexercised == []
    assert report.passed >= 100


def test_rules_test_command_prints_counts() -> None:
    result = CliRunner().invoke(main, ["rules", "test", "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert re.fullmatch(r"\d+ passed, 0 failed", lines[-1])
    assert "rules no case exercises" not in result.output


def test_every_reference_row_and_provision_has_a_case() -> None:
    """Acceptance 1: §8 rows and the Art. 5 / Annex III / Art. 6(3) / Art. 50 provisions."""
    covered = run_rule_tests(RULES).covered
    missing = [p for p in SECTION_8_ROWS + PROVISIONS if p not in covered]
    assert missing == []


def test_every_rule_cites_a_reference() -> None:
    rules, _ = load_rules(RULES)
    assert rules
    assert [r.spec.id for r in rules if not r.spec.references] == []


def test_article_5_prohibitions_are_obligations_dated_by_their_application() -> None:
    """SPEC v2 §3: every prohibition is an obligation of the use case, applying from 2 Feb 2025
    (the Omnibus additions from 2 Dec 2026), borne by the company's role, with the fine of
    Art. 99(3); the tier rule itself is never cut off by a validity date (a practice banned
    from a later date is unacceptable before the ban too)."""
    rules, _ = load_rules(RULES)
    prohibitions = [r.spec for r in rules if r.spec.then.finding
                    and r.spec.then.finding.kind == "ai_act"
                    and r.spec.then.finding.tier == "unacceptable"]
    assert len(prohibitions) == 9
    for spec in prohibitions:
        omnibus = any(r in ("Art. 5(1)(ba)", "Art. 5(1)(bb)") for r in spec.references)
        expected = "2026-12-02" if omnibus else "2025-02-02"
        assert spec.valid_from is None, spec.id
        assert spec.valid_until is None, spec.id
        point = spec.references[0]
        assert point.startswith("Art. 5(1)("), spec.id
        [obligation] = spec.then.obligations
        assert (obligation.reference, obligation.applies_from.isoformat(), obligation.bearer,
                obligation.status, obligation.penalty) == (
            point, expected, "company", "not_met", "ai_act_prohibition"), spec.id


def test_vocabularies_are_read_or_neutral() -> None:
    """Acceptance 2: each value of the four vocabularies is read by a rule or listed neutral."""
    rules, _ = load_rules(RULES)
    reads = vocabulary_reads(rules)
    _, neutral, problems = load_neutral(RULES)
    assert problems == []
    for vocabulary, field in VOCABULARIES.items():
        for value in FACT_SCHEMA[field].values:
            read = str(value) in reads[vocabulary]
            listed = str(value) in neutral.get(vocabulary, {})
            assert read != listed, (vocabulary, value, read, listed)


def test_no_raw_code_in_messages() -> None:
    """Messages are French sentences: no placeholder prints an enumeration code."""
    for path in sorted(RULES.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert "{use_case.stage}" not in text, path
        assert "{use_case.system.art_6_3_condition}" not in text, path


# --- lint ----------------------------------------------------------------------------------------


def test_misspelt_field_is_reported_with_file_line_and_suggestion(
    tmp_path: Path, copy_rules: Any, write_rule: Any,
) -> None:
    """Acceptance 4: file, line, rule id and the right name, as ``file:line: rule id: message``."""
    rules = copy_rules(tmp_path)
    write_rule(rules, BAD_FIELD_RULE)
    issues = [str(i) for i in lint_rules(rules)]
    assert len(issues) == 1
    match = LINT_LINE.match(issues[0])
    assert match, issues[0]
    assert match["file"].endswith("99-bad.yaml")
    assert match["line"] == "6"
    assert match["rule"] == "test.bad-field"
    assert "use_case.system.capabilities" in match["message"]
    result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(rules)])
    assert result.exit_code == 1
    assert "99-bad.yaml:6: test.bad-field: unknown field" in result.output


# --- refusing a rule base that does not lint ------------------------------------------------------


def test_run_refuses_a_rule_base_that_does_not_lint(
    tmp_path: Path, copy_rules: Any, write_rule: Any,
) -> None:
    """Acceptance 4: ``iapme run`` exits 1 and writes nothing."""
    rules = copy_rules(tmp_path)
    write_rule(rules, BAD_FIELD_RULE)
    out = tmp_path / "out"
    profile = tmp_path / "inputs" / "client.yaml"
    profile.parent.mkdir()
    profile.write_text(RECRUITMENT_PROFILE, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(profile), "--out", str(out), "--rules",
                                       str(rules), "--jobs", "1"])
    assert result.exit_code == 1
    assert "99-bad.yaml:6: test.bad-field: unknown field" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # not even the output folder


# --- acceptance 3: dates of the Art. 26 obligations ----------------------------------------------

RECRUITMENT_PROFILE = """\
client: {id: cabinet-rh, name: "Cabinet RH", sector: other, employees: 20, staff_ai_training: true}
use_cases:
  - id: tri-cv
    title: "Tri des CV"
    function: hr
    stage: pilot
    role: deployer
    system:
      capabilities: [ranking_people]
      purposes: [recruitment]
      affected_persons: [job_candidates]
      inferred_attributes: []
      biometric_data: false
      profiling: true
      automated_decision: false
      art_6_3_condition: none
      manipulative_techniques: false
      exploits_vulnerabilities: false
      generated_media: []
      safety_component_regulated_product: false
    data: {personal_data: true, categories: [identity, candidate]}
"""


@pytest.mark.parametrize(("as_of", "in_force"), [("2026-11-26", False), ("2028-01-01", True)])
def test_recruitment_art_26_obligations_follow_the_assessment_date(
        tmp_path: Path, as_of: str, in_force: bool) -> None:
    profile = tmp_path / "cabinet-rh.yaml"
    profile.write_text(RECRUITMENT_PROFILE, encoding="utf-8")
    result = CliRunner().invoke(main, ["assess", str(profile), "--json", "--as-of", as_of,
                                       "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["as_of"] == as_of
    (use_case,) = data["use_cases"]
    assert use_case["ai_act"]["tier"] == "high"
    art26 = [o for o in use_case["ai_act"]["obligations"] if o["reference"].startswith("Art. 26")]
    assert {o["reference"] for o in art26} >= {"Art. 26(1)", "Art. 26(2)", "Art. 26(5)",
                                                "Art. 26(6)", "Art. 26(11)"}
    assert all(o["applies_from"] == "2027-12-02" for o in art26)
    assert all(o["in_force"] is in_force for o in art26)
    art4 = [o for o in use_case["ai_act"]["obligations"] if o["reference"] == "Art. 4"]
    assert art4
    assert art4[0]["in_force"] is True


# --- the rule test runner itself ---------------------------------------------------------------


def test_rule_test_runner_reports_a_wrong_expectation(tmp_path: Path, copy_rules: Any) -> None:
    rules = copy_rules(tmp_path)
    for path in (rules / "tests").glob("*.yaml"):
        path.unlink()
    (rules / "tests" / "bad.yaml").write_text(
        "cases:\n"
        "  - name: Mauvaise attente\n"
        "    profile:\n"
        "      use_cases:\n"
        "        - id: x\n"
        "          system: {capabilities: [summarisation]}\n"
        "    expect:\n"
        "      tiers: {x: minimal}\n"
        "      tierz: {x: high}\n",
        encoding="utf-8")
    report = run_rule_tests(rules)
    assert report.passed == 0
    assert report.failed == 1
    text = "\n".join(report.failures)
    assert "bad.yaml:2: Mauvaise attente: x: tier undetermined, expected minimal" in text
    assert "unknown expectation 'tierz'. Did you mean 'tiers'?" in text
    assert report.unexercised


def test_in_house_rules_never_speak_of_an_editeur() -> None:
    """Issue 12, point 11: a system built without an outside vendor has no « éditeur »."""
    rules, _ = load_rules(RULES)
    in_house = [r.spec for r in rules
                if {"field": "use_case.has_vendor", "eq": False} in r.spec.when.get("all", [])]
    assert len(in_house) >= 2
    for spec in in_house:
        finding = spec.then.finding
        texts = [finding.message, finding.advice or ""] if finding else []
        texts += [o.text for o in spec.then.obligations]
        assert not any("éditeur" in t for t in texts), spec.id


def test_deep_fakes_are_defined_as_in_article_3_60() -> None:
    """Issue 12, point 13: persons, objects, places, entities or events."""
    rules, _ = load_rules(RULES)
    wanted = ("ai-act.art50-4.deepfake", "ai-act.art50-4.deepfake-artistic", "question.deepfake")
    texts = [r.spec.then.finding.message for r in rules
             if r.spec.then.finding and r.spec.id in wanted]
    assert len(texts) == 3
    for text in texts:
        assert all(word in text for word in ("personnes", "objets", "lieux", "entités",
                                             "événements")), text


def test_secondary_labour_sources_say_so() -> None:
    """REFERENCE §6.13 is secondary: each Code du travail finding says it in words."""
    rules, _ = load_rules(RULES)
    labour = [r.spec for r in rules if r.spec.id.startswith(("labour.recruitment",
                                                             "labour.monitoring"))]
    assert len(labour) == 7  # four duties, three of them overdue once the tool runs
    for spec in labour:
        assert spec.then.finding is not None
        assert "sources secondaires" in spec.then.finding.message, spec.id
