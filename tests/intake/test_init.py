"""``iapme init``: a skeleton with the schema modeline on line 1, every key present or commented
with its French label and allowed values; it validates; init never overwrites. Also the home of
engine.intake.cli, where init's options are checked and the intake commands are declared."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from engine.cli import main
from engine.intake.cli import COMMANDS
from engine.intake.keys import all_keys
from engine.intake.skeleton import default_name
from engine.profile.validate import load_profile
from engine.profile.yamlio import load_yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = str(ROOT / "rules")
HOME_OF = ("engine.intake.cli", "engine.intake.skeleton")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A consultant's folder: the shipped schema in schema/, profiles in inputs/."""
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "profile.schema.json").write_bytes(
        (ROOT / "schema" / "profile.schema.json").read_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", *args, "--rules", RULES])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


class TestInit:
    def test_default_path_and_modeline(self, project: Path) -> None:
        code, output = _init("--id", "plomberie-martin", "--name", "Plomberie & Chauffage Martin",
                             "--sector", "artisan")
        assert code == 0, output
        path = project / "inputs" / "plomberie-martin.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "# yaml-language-server: $schema=../schema/profile.schema.json"
        assert (path.parent / "../schema/profile.schema.json").resolve().is_file()
        profile = load_profile(path)
        assert profile.client.name == "Plomberie & Chauffage Martin"
        assert profile.client.sector == "artisan"
        assert profile.client.id == "plomberie-martin"

    def test_without_a_name_one_is_made_from_the_id(self, project: Path) -> None:
        assert _init("--id", "sarl-dupont-fils")[0] == 0
        profile = load_profile(project / "inputs" / "sarl-dupont-fils.yaml")
        assert profile.client.name == default_name("sarl-dupont-fils") == "Sarl Dupont Fils"

    def test_the_skeleton_validates_against_the_schema_too(self, project: Path) -> None:
        _init("inputs/dupont.yaml")
        schema = json.loads((project / "schema" / "profile.schema.json").read_text("utf-8"))
        data = load_yaml(project / "inputs" / "dupont.yaml").data
        assert list(Draft202012Validator(schema).iter_errors(data)) == []
        assert load_profile(project / "inputs" / "dupont.yaml").client.name == "Dupont"

    def test_every_key_is_present_or_commented_with_its_values_in_french(
            self, project: Path) -> None:
        _init("--id", "x")
        text = (project / "inputs" / "x.yaml").read_text(encoding="utf-8")
        for key in all_keys():
            assert re.search(rf"^\s*(# )?(- )?{key.name}:", text, re.MULTILINE), key.path
        assert "  staff_ai_training:                 # Personnel formé à l'IA ; true" in text
        assert "#   recruitment : Recruter (trier, filtrer ou évaluer des candidatures)" in text
        assert "sector: other" in text
        assert "(Autre secteur)" in text
        assert "    # name: \"\"" in text  # the director's block, commented below its key

    def test_a_relative_path_from_another_folder(self, project: Path) -> None:
        code, output = _init("clients/2027/acme.yaml")
        assert code == 0, output
        first = (project / "clients/2027/acme.yaml").read_text("utf-8").splitlines()[0]
        assert first.endswith("$schema=../../schema/profile.schema.json")

    def test_a_given_schema_reference_is_written_as_is(self, project: Path) -> None:
        url = "https://intranet.example/iapme/profile.schema.json"
        _init("--id", "acme", "--schema", url)
        first = (project / "inputs/acme.yaml").read_text("utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema={url}"

    def test_a_missing_schema_is_warned_about(self, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        code, output = _init("--id", "acme")
        assert code == 0
        assert "warning: ../schema/profile.schema.json does not exist yet" in output

    def test_never_overwrites(self, project: Path) -> None:
        assert _init("--id", "acme")[0] == 0
        path = project / "inputs" / "acme.yaml"
        path.write_text("# my edits\n", encoding="utf-8")
        code, output = _init("--id", "acme", "--name", "Other")
        assert code == 1
        assert "error: inputs/acme.yaml: the file already exists; init never overwrites" in output
        assert path.read_text(encoding="utf-8") == "# my edits\n"
        assert not list(path.parent.glob(".*.part"))

    @pytest.mark.parametrize(("args", "message"), [
        ((), "give the new profile's PATH or its --id"),
        (("--id", "Acme Corp"), "cannot be a client id"),
        (("--id", "con"), "cannot be a client id"),
        (("--id", "acme", "--sector", "bakery"), "'bakery' is not one of"),
    ])
    def test_usage_errors(self, project: Path, args: tuple[str, ...], message: str) -> None:
        code, output = _init(*args)
        assert code == 2
        assert message in output
        assert not (project / "inputs").exists()


def test_the_intake_commands_are_iapme_commands() -> None:
    """engine.intake.cli declares them; engine.cli registers every one (answers with its
    import subcommand)."""
    assert [c.name for c in COMMANDS] == ["init", "schema", "questionnaire", "answers"]
    assert all(main.commands[str(c.name)] is c for c in COMMANDS)
    answers = main.commands["answers"]
    assert isinstance(answers, click.Group)
    assert list(answers.commands) == ["import"]


@pytest.mark.parametrize("args", [("init", "--id", "abc"), ("schema", "--format", "markdown"),
                                  ("questionnaire", "inputs"), ("answers", "import", "x.xlsx")])
def test_without_rules_option_the_shipped_rules_serve(project: Path,
                                                       args: tuple[str, ...]) -> None:
    """From a folder with no rules/, every intake command finds the rules shipped with iapme."""
    (project / "inputs").mkdir()
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output, result.output
    assert "NoneType" not in result.output, result.output
