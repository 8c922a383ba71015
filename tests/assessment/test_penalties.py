"""Tests of engine.assessment.penalties: the caps of rules/penalties.yaml for one client (AI Act
Art. 99, GDPR Art. 83): the higher of the fixed amount and the percentage of turnover, the lower
for an SME under Art. 99(6), a bound when the turnover is unknown, fixed by national law where
the Act says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.assessment.penalties import Cap, PenaltyTable, caps, is_sme, load_penalties
from engine.profile.model import Client

RULES = Path(__file__).resolve().parents[2] / "rules"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def table() -> PenaltyTable:
    loaded, issues = load_penalties(RULES)
    assert issues == []
    return loaded


def _client(employees: int, turnover: float | None) -> Client:
    return Client(name="Plomberie Martin", sector="artisan", employees=employees,
                  annual_turnover_eur=turnover)


def _caps(table: PenaltyTable, employees: int, turnover: float | None) -> dict[str, Cap]:
    return caps(set(table.penalties), _client(employees, turnover), table)


class TestSmeOrNot:
    @pytest.mark.parametrize(("employees", "turnover", "sme"), [
        (12, 1_800_000.0, True),
        (249, 50_000_000.0, True),      # the thresholds themselves are an SME
        (250, 1_800_000.0, False),      # one more person
        (12, 50_000_001.0, False),      # one more euro
        (12, None, True),               # turnover unknown: the headcount decides
        (400, None, False),
    ])
    def test_the_tables_sme_test(self, table: PenaltyTable, employees: int,
                                 turnover: float | None, sme: bool) -> None:
        assert is_sme(_client(employees, turnover), table) is sme

    def test_no_sme_test_in_the_table(self) -> None:
        assert is_sme(_client(12, 1.0), PenaltyTable()) is None


class TestCaps:
    def test_an_sme_gets_the_lower_of_the_two_under_the_ai_act(self, table: PenaltyTable
                                                               ) -> None:
        found = _caps(table, 12, 2_000_000.0)
        prohibition = found["ai_act_prohibition"]  # 35 M€ or 7 %: 140 000 €
        assert (prohibition.cap_eur, prohibition.bound, prohibition.rule) == (
            140_000.0, "exact", "lower")
        assert found["ai_act_operator"].cap_eur == 60_000.0       # 3 % of 2 M€, not 15 M€
        assert found["ai_act_information"].cap_eur == 20_000.0    # 1 %, not 7.5 M€
        assert "PME" in prohibition.note
        assert f"soit 140{NBSP}000{NBSP}€" in prohibition.note

    def test_the_gdpr_has_no_sme_rule(self, table: PenaltyTable) -> None:
        found = _caps(table, 12, 2_000_000.0)
        assert (found["gdpr_83_5"].cap_eur, found["gdpr_83_5"].rule) == (20_000_000.0, "higher")
        assert found["gdpr_83_4"].cap_eur == 10_000_000.0
        assert "sans règle propre aux PME" in found["gdpr_83_4"].note

    def test_a_large_company_gets_the_higher_of_the_two(self, table: PenaltyTable) -> None:
        found = _caps(table, 400, 2_000_000_000.0)
        assert {k: c.cap_eur for k, c in found.items()} == {
            "ai_act_prohibition": 140_000_000.0,   # 7 % of 2 bn€ over 35 M€
            "ai_act_operator": 60_000_000.0,
            "ai_act_information": 20_000_000.0,
            "gdpr_83_4": 40_000_000.0,
            "gdpr_83_5": 80_000_000.0,
            "ai_act_national": None,
        }
        assert {c.rule for c in found.values()} == {"higher"}

    def test_a_large_company_with_a_small_turnover_gets_the_fixed_amount(
            self, table: PenaltyTable) -> None:
        found = _caps(table, 400, 2_000_000.0)
        assert found["ai_act_prohibition"].cap_eur == 35_000_000.0
        assert "ne remplit pas les critères de PME" in found["ai_act_prohibition"].note
        assert table.small_mid_caps is not None
        assert found["ai_act_prohibition"].note.endswith(table.small_mid_caps)
        assert table.small_mid_caps not in found["gdpr_83_5"].note  # an AI Act matter only

    def test_unknown_turnover_bounds_the_cap(self, table: PenaltyTable) -> None:
        sme, large = _caps(table, 12, None), _caps(table, 400, None)
        assert (sme["ai_act_operator"].cap_eur, sme["ai_act_operator"].bound) == (
            15_000_000.0, "at_most")
        assert (large["ai_act_operator"].cap_eur, large["ai_act_operator"].bound) == (
            15_000_000.0, "at_least")
        assert sme["gdpr_83_4"].bound == "at_least"  # the GDPR's is higher-of for an SME too
        assert "au plus 15" in sme["ai_act_operator"].note
        assert "au moins 15" in large["ai_act_operator"].note

    def test_a_penalty_set_by_national_law_has_no_amount(self, table: PenaltyTable) -> None:
        national = _caps(table, 12, 2_000_000.0)["ai_act_national"]
        assert (national.cap_eur, national.bound) == (None, "national")
        assert national.note == table.penalties["ai_act_national"].note

    def test_only_the_ids_asked_and_known(self, table: PenaltyTable) -> None:
        found = caps({"gdpr_83_5", "not_in_the_table"}, _client(12, 2_000_000.0), table)
        assert list(found) == ["gdpr_83_5"]


class TestTheTable:
    def test_no_file_is_an_empty_table(self, tmp_path: Path) -> None:
        assert load_penalties(tmp_path) == (PenaltyTable(), [])

    def test_a_fixed_amount_without_percentage(self, tmp_path: Path) -> None:
        (tmp_path / "penalties.yaml").write_text(
            "penalties:\n  fixe:\n    law: gdpr\n    reference: Art. 1\n"
            "    breach: Une amende fixe\n    amount_eur: 5000\n", encoding="utf-8")
        table, issues = load_penalties(tmp_path)
        assert issues == []
        fixed = caps({"fixe"}, _client(400, 1e9), table)["fixe"]
        assert (fixed.cap_eur, fixed.bound) == (5000.0, "exact")

    def test_a_note_with_a_placeholder_the_code_does_not_fill(self, tmp_path: Path) -> None:
        text = (RULES / "penalties.yaml").read_text(encoding="utf-8")
        text = text.replace('fixed: "Plafond de {amount}."', 'fixed: "Plafond de {montant}."')
        (tmp_path / "penalties.yaml").write_text(text, encoding="utf-8")
        table, issues = load_penalties(tmp_path)
        assert table == PenaltyTable()
        assert len(issues) == 1
        assert "notes.fixed: unknown placeholder {montant} (this note may use: {amount})" in (
            issues[0].message)
        assert issues[0].location.file == str(tmp_path / "penalties.yaml")
