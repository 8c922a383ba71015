"""``rules/timeline.yaml``: legal dates by name. Rules, their messages and the rule test cases
refer to them; moving a date is one line; lint refuses an unknown name with a did-you-mean."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from engine.rules.base import load_rulebase
from engine.rules.lint import lint_rules
from engine.rules.timeline import load_timeline

RULES = Path(__file__).resolve().parents[2] / "rules"
REQUIRED = ("art5_prohibitions", "art4_literacy", "omnibus_prohibitions", "art50_transparency",
            "art50_2_legacy_grace_end", "annex_iii_duties", "annex_i_duties", "gdpr")


def _move(rules: Path, name: str, day: str) -> None:
    path = rules / "timeline.yaml"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"(  {name}:\n    date: )\S+")
    assert pattern.search(text), name
    path.write_text(pattern.sub(rf"\g<1>{day}", text), encoding="utf-8")


def test_the_shipped_timeline_names_the_dates_of_the_reference_with_source_and_status() -> None:
    timeline, issues = load_timeline(RULES)
    assert issues == []
    for name in REQUIRED:
        entry = timeline.dates[name]
        assert entry.source
        assert entry.status
    assert timeline.dates["annex_iii_duties"].date == dt.date(2027, 12, 2)
    assert timeline.dates["art86_explanation"].date == dt.date(2027, 12, 2)  # follows Annex III
    assert timeline.dates["art86_explanation"].status == "interpretation"
    assert timeline.resolve("omnibus_in_force - 1") == dt.date(2026, 7, 26)


def test_no_rule_file_writes_a_legal_date_of_the_timeline_literally() -> None:
    literal = re.compile(r'(applies_from|valid_from|valid_until): "?\d{4}-')
    for path in RULES.rglob("*.yaml"):
        if path.parts[-2] in ("vendors", "texts", "vocabulary") or path.name == "timeline.yaml":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not literal.search(line), f"{path}:{number}: {line.strip()[:80]}"


def test_moving_one_date_moves_rules_messages_and_cases(tmp_path: Path, copy_rules: Any) -> None:
    rules = copy_rules(tmp_path)
    _move(rules, "annex_iii_duties", "2028-06-01")
    base = load_rulebase(rules)
    rule = next(r for r in base.rules if r.spec.id == "ai-act.art6-2.annex-iii-high")
    assert rule.spec.then.finding is not None
    assert "1er juin 2028" in rule.spec.then.finding.message
    deployer = next(r for r in base.rules if r.spec.id == "ai-act.art26.deployer-annex-iii")
    assert {o.applies_from for o in deployer.spec.then.obligations} == {dt.date(2028, 6, 1)}
    art86 = next(r for r in base.rules if r.spec.id == "ai-act.art86.explanation")
    assert {o.applies_from for o in art86.spec.then.obligations} == {dt.date(2028, 6, 1)}
    assert base.digest != load_rulebase(RULES).digest


def test_lint_rejects_an_unknown_date_name_with_its_place_and_a_did_you_mean(
        tmp_path: Path, copy_rules: Any, write_rule: Any) -> None:
    rules = copy_rules(tmp_path)
    path = write_rule(rules, (
        "  - id: test.dated\n"
        "    title: Règle datée\n"
        "    subject: use_case\n"
        "    references: [\"GDPR Art. 35\"]\n"
        "    when: {field: use_case.data.personal_data, eq: true}\n"
        "    then:\n"
        "      finding: {kind: gdpr, severity: info, message: \"Depuis le {date.gdrp}, oui.\"}\n"
        "      obligations:\n"
        "        - {text: \"Faire\", reference: \"GDPR Art. 35\", applies_from: anex_iii_duties,"
        " bearer: deployer}\n"))
    issues = [str(i) for i in lint_rules(rules)]
    assert any(i.startswith(f"{path}:8: test.dated: ") and "unknown date name 'gdrp'" in i
               and "Did you mean 'gdpr'?" in i for i in issues), issues
    assert any(i.startswith(f"{path}:10: test.dated: ")
               and "unknown date name 'anex_iii_duties'" in i
               and "Did you mean 'annex_iii_duties'?" in i for i in issues), issues


def test_lint_checks_the_timeline_itself(tmp_path: Path, copy_rules: Any) -> None:
    rules = copy_rules(tmp_path)
    path = rules / "timeline.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    status: verified\n", "    status: verifed\n", 1)
    text += ("  loop_a:\n    date: loop_b\n    what: boucle\n    source: aucune\n"
             "    status: text\n  loop_b:\n    date: loop_a\n    what: boucle\n"
             "    source: aucune\n    status: text\n")
    path.write_text(text, encoding="utf-8")
    issues = "\n".join(str(i) for i in lint_rules(rules))
    assert "status 'verifed' is not one of" in issues
    assert "Did you mean 'verified'?" in issues
    assert "refers to itself" in issues


def test_texts_print_timeline_dates_too(tmp_path: Path, copy_rules: Any) -> None:
    rules = copy_rules(tmp_path)
    _move(rules, "annex_i_duties", "2029-01-01")
    glossary = load_rulebase(rules).texts.mapping("glossary.terms")
    assert "ou du 1er janvier 2029 (produits de l'annexe I)" in glossary["Haut risque"]
    path = rules / "texts" / "glossary.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "{date.annex_i_duties}", "{date.annex_one}"), encoding="utf-8")
    issues = "\n".join(str(i) for i in lint_rules(rules))
    assert "unknown date name 'annex_one'" in issues
