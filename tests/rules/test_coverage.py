"""Tests of engine.rules.coverage, on small rule folders of their own: an AI Act rule binds AI
systems only (Art. 3(1)), every fine a rule names is in penalties.yaml, and every profile key
is read by a rule or listed as neutral with its reason. ``iapme rules lint`` as a whole, on the
shipped rules, is tested in tests/rules/test_lint.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.assessment.penalties import load_penalties
from engine.errors import Issue
from engine.rules.coverage import key_checks, penalty_checks, scope_checks
from engine.rules.spec import LoadedRule, load_rules

RULES = Path(__file__).resolve().parents[2] / "rules"
FINDING = "{finding: {kind: ai_act, tier: limited, severity: info, message: Test%s}}"


def _rule(rule_id: str, when: str, *, subject: str = "use_case", penalty: str = "",
          then: str = "") -> str:
    then = then or FINDING % (f", penalty: {penalty}" if penalty else "")
    return (f"  - id: {rule_id}\n    title: Règle de test\n    subject: {subject}\n"
            f"    references: [\"Art. 50(1)\"]\n    when: {when}\n    then: {then}\n")


def _load(root: Path, files: dict[str, list[str]]) -> list[LoadedRule]:
    for name, rules in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("rules:\n" + "".join(rules), encoding="utf-8")
    rules, issues = load_rules(root)
    assert issues == []
    return rules


def _texts(issues: list[Issue]) -> list[str]:
    return [str(i) for i in issues]


AI_SYSTEM = "{field: use_case.system.ai_system, eq: true}"
CHATBOT = "{field: use_case.system.capabilities, contains: conversational_agent}"


class TestScope:
    def test_ai_act_rules_that_test_ai_system_first_or_chain(self, tmp_path: Path) -> None:
        rules = _load(tmp_path, {"ai_act/a.yaml": [
            _rule("t.first", f"{{all: [{AI_SYSTEM}, {CHATBOT}]}}"),
            _rule("t.alone", AI_SYSTEM),
            _rule("t.derived", "{derived: prohibited}"),
            _rule("t.derived-in-all", f"{{all: [{{derived: annex_iii}}, {CHATBOT}]}}"),
            _rule("t.client", "{field: client.n_ai_use_cases, gte: 1}", subject="client"),
        ]})
        assert scope_checks(rules) == []

    def test_ai_act_rules_that_do_not_say_they_bind_ai_systems(self, tmp_path: Path) -> None:
        rules = _load(tmp_path, {"ai_act/a.yaml": [
            _rule("t.none", CHATBOT),
            _rule("t.second", f"{{all: [{CHATBOT}, {AI_SYSTEM}]}}"),  # not first
            _rule("t.client", "{field: client.n_use_cases, gte: 1}", subject="client"),
        ]})
        texts = _texts(scope_checks(rules))
        assert len(texts) == 3
        assert texts[0].startswith(f"{tmp_path / 'ai_act/a.yaml'}:6: t.none: an AI Act rule "
                                   "applies to AI systems only (Art. 3(1))")
        assert "t.second: an AI Act rule applies to AI systems only" in texts[1]
        assert "t.client: an AI Act client rule applies when the client has AI systems: test " \
               "{field: client.n_ai_use_cases, gte: 1}" in texts[2]

    def test_rules_outside_ai_act_are_not_concerned(self, tmp_path: Path) -> None:
        rules = _load(tmp_path, {"gdpr/a.yaml": [_rule("t.gdpr", CHATBOT)],
                                 "ai_act_notes/b.yaml": [_rule("t.lookalike", CHATBOT)]})
        assert scope_checks(rules) == []


class TestPenalties:
    @pytest.fixture
    def table_rules(self, tmp_path: Path) -> tuple[Path, list[LoadedRule]]:
        obligation = ("{obligations: [{text: Informer les personnes, reference: \"Art. 50(1)\", "
                      "applies_from: 2026-08-02, bearer: deployer, penalty: ai_act_operater}]}")
        return tmp_path, _load(tmp_path, {"gdpr/a.yaml": [
            _rule("t.known", CHATBOT, penalty="gdpr_83_5"),
            _rule("t.finding", CHATBOT, penalty="gdpr_83_6"),
            _rule("t.obligation", CHATBOT, then=obligation),
        ]})

    def test_an_id_not_in_the_table_is_located_with_a_suggestion(
            self, table_rules: tuple[Path, list[LoadedRule]]) -> None:
        root, rules = table_rules
        table, issues = load_penalties(RULES)
        assert issues == []
        texts = _texts(penalty_checks(rules, table, complete=True))
        assert texts == [
            f"{root / 'gdpr/a.yaml'}:13: t.finding: penalty 'gdpr_83_6' is not defined in "
            "penalties.yaml. Did you mean 'gdpr_83_5'?",
            f"{root / 'gdpr/a.yaml'}:19: t.obligation: penalty 'ai_act_operater' is not "
            "defined in penalties.yaml. Did you mean 'ai_act_operator'?",
        ]

    def test_a_table_that_did_not_load_is_not_second_guessed(
            self, table_rules: tuple[Path, list[LoadedRule]]) -> None:
        _, rules = table_rules
        table, _ = load_penalties(RULES)
        assert penalty_checks(rules, table, complete=False) == []


class TestNeutralKeys:
    def _neutral(self, root: Path, keys: str) -> None:
        (root / "vocabulary").mkdir(parents=True, exist_ok=True)
        (root / "vocabulary" / "neutral.yaml").write_text(f"neutral: {{}}\nkeys:\n{keys}",
                                                         encoding="utf-8")

    def test_listed_keys_must_exist_have_a_reason_and_not_be_read(self, tmp_path: Path
                                                                  ) -> None:
        rules = _load(tmp_path, {"gdpr/a.yaml": [
            _rule("t.reads", "{field: client.works_council, eq: true}", subject="client")]})
        self._neutral(tmp_path, (
            '  client.sector: "Selects the sector adaptation; no legal consequence."\n'
            '  client.sectr: "A misspelt key, listed with a reason."\n'
            '  client.city: "short"\n'
            '  client.works_council: "Listed though the test rule reads it."\n'
            '  vendors[].country: "A key of every vendor, in the list syntax."\n'))
        texts = _texts(key_checks(tmp_path, rules, complete=False))
        neutral = tmp_path / "vocabulary" / "neutral.yaml"
        assert texts == [
            f"{neutral}:4: keys: 'client.sectr' is not a profile key (write it as "
            "client.sector, vendors[].country, use_cases[].roi.gross_margin_rate...)",
            f"{neutral}:5: keys: 'client.city': give the reason no rule reads it",
            f"{neutral}:6: keys: 'client.works_council' is listed as neutral but a rule reads "
            "it; remove it from this list",
        ]

    def test_a_key_neither_read_nor_listed(self, tmp_path: Path) -> None:
        rules = _load(tmp_path, {"gdpr/a.yaml": [
            _rule("t.reads", "{field: client.works_council, eq: true}", subject="client")]})
        self._neutral(tmp_path, '  client.sector: "Selects the sector adaptation only."\n')
        texts = _texts(key_checks(tmp_path, rules, complete=True))
        assert any("profile key 'client.employees' is neither read by a rule nor listed" in t
                   for t in texts)
        assert not any("'client.works_council'" in t for t in texts)  # read by t.reads
        assert not any("'client.sector'" in t for t in texts)         # listed

    def test_the_shipped_rules_read_or_list_every_key(self) -> None:
        rules, issues = load_rules(RULES)
        assert issues == []
        assert key_checks(RULES, rules, complete=True) == []

    def test_no_neutral_file_no_check(self, tmp_path: Path) -> None:
        rules = _load(tmp_path, {"gdpr/a.yaml": [_rule("t.x", CHATBOT)]})
        assert key_checks(tmp_path, rules, complete=True) == []

    def test_keys_that_are_not_a_mapping(self, tmp_path: Path) -> None:
        rules = _load(tmp_path, {"gdpr/a.yaml": [_rule("t.x", CHATBOT)]})
        (tmp_path / "vocabulary").mkdir()
        (tmp_path / "vocabulary" / "neutral.yaml").write_text("keys: [client.sector]\n",
                                                             encoding="utf-8")
        assert _texts(key_checks(tmp_path, rules, complete=True)) == [
            f"{tmp_path / 'vocabulary/neutral.yaml'}:1: keys: list the neutral profile keys as "
            "'key.path: reason'"]
