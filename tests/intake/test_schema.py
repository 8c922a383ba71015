"""The JSON Schema and docs/profile.md: generated from the model and the texts, shipped, current;
every sample validates against the schema, a misspelt key does not (acceptance 2)."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from engine.cli import main
from engine.documents.text_keys import load_texts
from engine.intake.keys import VOCABULARIES, all_keys
from engine.intake.reference import profile_reference
from engine.intake.schema import profile_schema, schema_text
from engine.intake.words import ProfileWords
from engine.profile.yamlio import load_yaml, load_yaml_text

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema" / "profile.schema.json"
SAMPLES = sorted((ROOT / "inputs").glob("*.yaml"))
HOME_OF = ("engine.intake.keys", "engine.intake.reference")


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


class TestShippedFiles:
    def test_the_shipped_schema_is_the_generated_one(self) -> None:
        """Regenerate with: iapme schema --out schema/profile.schema.json"""
        assert SCHEMA.read_text(encoding="utf-8") == schema_text(load_texts(ROOT / "rules"))

    def test_docs_profile_md_is_current(self) -> None:
        """Regenerate with: iapme schema --format markdown --out docs/profile.md"""
        expected = profile_reference(ROOT / "rules", load_texts(ROOT / "rules"))
        assert (ROOT / "docs" / "profile.md").read_text(encoding="utf-8") == expected

    def test_the_command_prints_the_shipped_schema(self) -> None:
        result = CliRunner().invoke(main, ["schema", "--rules", str(ROOT / "rules")])
        assert result.exit_code == 0, result.output
        assert result.output == SCHEMA.read_text(encoding="utf-8")

    def test_the_command_writes_a_file(self, tmp_path: Path) -> None:
        out = tmp_path / "sub" / "profile.md"
        result = CliRunner().invoke(main, ["schema", "--format", "markdown", "--out", str(out),
                                           "--rules", str(ROOT / "rules")])
        assert result.exit_code == 0, result.output
        assert out.read_text(encoding="utf-8").startswith("# The profile vocabulary")


class TestValidation:
    @pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
    def test_every_sample_validates(self, validator: Draft202012Validator, sample: Path) -> None:
        errors = [e.message for e in validator.iter_errors(load_yaml(sample).data)]
        assert errors == []

    @pytest.mark.parametrize(("old", "new"), [
        ("  sector: artisan\n", "  sectr: artisan\n"),
        ("      profiling: false", "      profilng: false"),
        ("    hosting: france", "    hostng: france"),
    ])
    def test_a_misspelt_key_does_not(self, validator: Draft202012Validator, old: str,
                                     new: str) -> None:
        text = (ROOT / "inputs" / "plomberie-martin.yaml").read_text(encoding="utf-8")
        assert old in text
        data = load_yaml_text(text.replace(old, new, 1), "x.yaml").data
        messages = [e.message for e in validator.iter_errors(data)]
        assert any("Additional properties are not allowed" in m and new.split(":")[0].strip()
                   in m for m in messages), messages

    def test_a_wrong_value_does_not(self, validator: Draft202012Validator) -> None:
        text = (ROOT / "inputs" / "plomberie-martin.yaml").read_text(encoding="utf-8")
        data = load_yaml_text(text.replace("stage: pilot", "stage: pilote", 1), "x").data
        assert not validator.is_valid(data)

    def test_unanswered_keys_may_be_written_empty(self, validator: Draft202012Validator) -> None:
        data = load_yaml_text("client: {name: X, sector: other, employees: 1, city: ~, "
                              "ai_champion: false}\n", "x").data
        assert validator.is_valid(data)


class TestFrench:
    def test_every_key_has_a_french_title_and_description(self) -> None:
        texts = load_texts(ROOT / "rules")
        schema, words = profile_schema(texts), ProfileWords(texts)
        definitions: dict[str, Any] = schema["$defs"]
        for key in all_keys():
            owner = schema if key.model.__name__ == "Profile" else definitions[key.model.__name__]
            node = owner["properties"][key.name]
            assert node["title"] == words.label(key), key.path  # not pydantic's English
            assert node["description"] == words.help(key), key.path

    def test_values_have_french_labels_for_editors(self) -> None:
        schema = profile_schema(load_texts(ROOT / "rules"))
        stage = schema["$defs"]["UseCase"]["properties"]["stage"]
        assert stage["enum"] == ["idea", "test", "pilot", "production"]
        assert stage["enumDescriptions"] == ["Idée", "Test", "Pilote", "En production"]
        purposes = schema["$defs"]["System"]["properties"]["purposes"]["anyOf"][0]
        assert purposes["uniqueItems"] is True
        assert purposes["items"]["enumDescriptions"][0].startswith("Recruter")
        assert "default" not in schema["$defs"]["Client"]["properties"]["city"]

    def test_draft_2020_12(self) -> None:
        schema = profile_schema(load_texts(ROOT / "rules"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["additionalProperties"] is False


@pytest.fixture(scope="module")
def doc() -> str:
    return (ROOT / "docs" / "profile.md").read_text(encoding="utf-8")


class TestReference:
    def test_every_key_and_value_is_documented(self, doc: str) -> None:
        for key in all_keys():
            assert f"| `{key.name}`" in doc, key.path
        for name, literal in VOCABULARIES.items():
            for code in typing.get_args(literal):
                assert f"`{code}`" in doc, (name, code)

    def test_keys_say_what_they_feed(self, doc: str) -> None:
        row = next(line for line in doc.splitlines() if line.startswith("| `staff_ai_training`"))
        assert "art. 4" in row
        row = next(line for line in doc.splitlines() if line.startswith("| `sector_label`"))
        assert "Printed on the covers" in row  # no rule reads it: the reason is given

    def test_nothing_in_the_repository_points_outside_it(self) -> None:
        """No link to ../shared (or to the team's digests) in the docs, code or rules."""
        offending = []
        for path in [*ROOT.glob("*.md"), *(ROOT / "docs").rglob("*.md"),
                     *(ROOT / "engine").rglob("*.py"), *(ROOT / "rules").rglob("*.yaml")]:
            text = path.read_text(encoding="utf-8")
            if re.search(r"\.\./shared|legal/REFERENCE\.md|source/guide-ia-pme|SPEC\.md", text):
                offending.append(str(path.relative_to(ROOT)))
        assert offending == []
