"""From an undetermined profile to a decided one, on real files and through the command line:
questionnaire -> filled by openpyxl -> imported -> assessed (issue 16, acceptance 1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.intake.fill import fill, rows, sensible

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "profiles" / "intake-undetermined.yaml"
RULES = str(ROOT / "rules")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def _assess(profile: Path) -> dict[str, object]:
    code, output = _run("assess", str(profile), "--json", "--rules", RULES)
    assert code == 0, output
    data: dict[str, object] = json.loads(output)
    return data


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    target = tmp_path / "inputs" / FIXTURE.name
    target.parent.mkdir()
    shutil.copy(FIXTURE, target)
    return target


class TestRoundTrip:
    def test_undetermined_profile_is_decided_after_one_questionnaire(
            self, profile: Path, tmp_path: Path) -> None:
        """Every tier undetermined before, decided after one questionnaire; the follow-up
        questions the answers raise (a high-risk tool: who provides it, public body...) change
        duties only and make a second, short questionnaire; then nothing is left open."""
        before = _assess(profile)
        tiers = {u["id"]: u["ai_act"]["tier"] for u in before["use_cases"]}  # type: ignore[index, union-attr]
        assert tiers == {"chatbot": "undetermined", "cv": "undetermined"}
        out = tmp_path / "out"
        xlsx = out / "boulangerie-dupain" / "questionnaire.xlsx"
        for round_, left in ((1, "3 question(s) still open"), (2, "0 question(s) still open")):
            code, output = _run("questionnaire", str(profile), "--out", str(out), "--rules",
                                RULES)  # the answers of round 1 are imported: no --force
            assert code == 0, output
            assert f"wrote {xlsx}" in output
            fill(xlsx, sensible)
            code, output = _run("answers", "import", str(xlsx), "--profile", str(profile),
                                "--rules", RULES)
            assert code == 0, output
            assert left in output, (round_, output)
            after = _assess(profile)
            tiers = {u["id"]: u["ai_act"]["tier"] for u in after["use_cases"]}  # type: ignore[index, union-attr]
            assert tiers == {"chatbot": "limited", "cv": "high"}
        assert after["to_complete"] == []
        code, output = _run("questionnaire", str(profile), "--out", str(out), "--rules", RULES)
        assert "no open question" in output

    def test_the_import_lands_in_place_and_keeps_comments_and_order(
            self, profile: Path, tmp_path: Path) -> None:
        original = profile.read_text(encoding="utf-8")
        out = tmp_path / "out"
        _run("questionnaire", str(profile), "--out", str(out), "--rules", RULES)
        xlsx = out / "boulangerie-dupain" / "questionnaire.xlsx"
        fill(xlsx, sensible)
        code, output = _run("answers", "import", str(xlsx), "--profile", str(profile),
                            "--rules", RULES)
        assert code == 0, output
        merged = profile.read_text(encoding="utf-8")
        kept = [line for line in original.splitlines() if line.strip()]
        remaining = iter(merged.splitlines())
        # every original line is still there, in the same order (the answers are additions or
        # fill empty keys; this fixture has no empty key, so each line is kept verbatim)
        assert all(any(line == other for other in remaining) for line in kept)
        assert "      purposes: [customer_support]   # known from the first call" in merged
        assert "  city: Nantes                       # the shop; a second one opens" in merged
        assert '  director: {name: "Paul Dupain"}    # title and civility to ask' in merged
        assert "      capabilities: [conversational_agent]" in merged
        assert "  staff_ai_training: true" in merged
        assert '  ai_champion: "Julie Petit"' in merged
        # the diff printed is the change made
        assert "+      capabilities: [conversational_agent]" in output
        assert "-" + kept[0] not in output

    def test_the_default_profile_is_the_one_the_questionnaire_was_made_from(
            self, profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        code, output = _run("questionnaire", "inputs", "--rules", RULES)
        assert code == 0, output
        xlsx = Path("outputs/boulangerie-dupain/questionnaire.xlsx")
        fill(xlsx, sensible)
        code, output = _run("answers", "import", str(xlsx), "--rules", RULES)
        assert code == 0, output
        assert "merged into inputs/intake-undetermined.yaml (written)" in output

    def test_dry_run_writes_nothing_and_prints_the_diff(self, profile: Path,
                                                         tmp_path: Path) -> None:
        original = profile.read_bytes()
        out = tmp_path / "out"
        _run("questionnaire", str(profile), "--out", str(out), "--rules", RULES)
        xlsx = out / "boulangerie-dupain" / "questionnaire.xlsx"
        fill(xlsx, sensible)
        code, output = _run("answers", "import", str(xlsx), "--profile", str(profile),
                            "--dry-run", "--rules", RULES)
        assert code == 0, output
        assert "+  staff_ai_training: true" in output
        assert "dry run, nothing written" in output
        assert profile.read_bytes() == original

    def test_dont_know_leaves_the_keys_unanswered(self, profile: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        _run("questionnaire", str(profile), "--out", str(out), "--rules", RULES)
        xlsx = out / "boulangerie-dupain" / "questionnaire.xlsx"

        def unsure(key: str, value: str) -> str | None:
            if key == "client.staff_ai_training" or key.endswith(".capabilities"):
                return "Je ne sais pas"
            return sensible(key, value)

        fill(xlsx, unsure)
        code, output = _run("answers", "import", str(xlsx), "--profile", str(profile),
                            "--rules", RULES)
        assert code == 0, output
        merged = profile.read_text(encoding="utf-8")
        assert "staff_ai_training" not in merged
        assert "use_cases[chatbot].system.capabilities: one answer is « Je ne sais pas »" in output
        after = _assess(profile)
        assert "client.staff_ai_training" in after["to_complete"]  # type: ignore[operator]
        chatbot = after["use_cases"][0]  # type: ignore[index]
        assert "system.capabilities" in chatbot["ai_act"]["missing_answers"]

    def test_answers_not_yet_imported_are_never_overwritten(self, profile: Path,
                                                            tmp_path: Path) -> None:
        out = tmp_path / "out"
        _run("questionnaire", str(profile), "--out", str(out), "--rules", RULES)
        xlsx = out / "boulangerie-dupain" / "questionnaire.xlsx"
        fill(xlsx, sensible)
        filled = xlsx.read_bytes()
        code, output = _run("questionnaire", str(profile), "--out", str(out), "--rules", RULES)
        assert code == 1
        assert "holds answers not yet in the profile: import them first" in output
        assert xlsx.read_bytes() == filled
        code, output = _run("questionnaire", str(profile), "--out", str(out), "--rules", RULES,
                            "--force")
        assert code == 0, output
        assert xlsx.read_bytes() != filled

    def test_questions_are_asked_only_while_open(self, profile: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        _run("questionnaire", str(profile), "--out", str(out), "--rules", RULES)
        keys = {r["key"] for r in rows(out / "boulangerie-dupain" / "questionnaire.xlsx")}
        assert "use_cases[chatbot].system.capabilities" in keys
        assert "use_cases[cv].system.capabilities" not in keys  # answered in the profile
        assert "client.director" not in keys  # named; its title is optional
