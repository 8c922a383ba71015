"""The YAML merge: only the answered lines change; comments, order, quoting and styles stay."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from engine.intake.merge import Change, merge
from engine.profile.yamlio import load_yaml_text

ROOT = Path(__file__).resolve().parents[2]

TEXT = """\
# A profile written by hand.
client:
  name: "Dupont & Fils"   # the trade name
  sector: other
  employees: 60
  city:                   # to ask
  director: {name: "Marie Dupont"}
vendors:
  - {id: ats, name: "ATS AI", hosting: us_dpf}
use_cases:
  - id: cv
    title: "Tri des CV"
    function: hr
    stage: pilot
    system:
      capabilities: [ranking_people]
      # purposes: asked next week
    data: {personal_data: true}
  # the next use case is planned for 2027
  - id: mails
    title: "Réponses aux courriels"
    function: customer_service
    stage: idea
"""


def _changed(old: str, new: str) -> list[str]:
    return [line for line in difflib.ndiff(old.splitlines(), new.splitlines())
            if line.startswith(("- ", "+ "))]


class TestMerge:
    def test_an_empty_key_gets_its_value_and_keeps_its_comment(self) -> None:
        new = merge(TEXT, [Change(("client", "city"), "Lyon")])
        assert _changed(TEXT, new) == ["-   city:                   # to ask",
                                       '+   city: "Lyon"            # to ask']

    def test_a_missing_key_goes_at_the_end_of_its_block(self) -> None:
        new = merge(TEXT, [Change(("use_cases", 0, "system", "purposes"), ["recruitment"])])
        lines = new.splitlines()
        at = lines.index("      purposes: [recruitment]")
        assert lines[at - 1] == "      # purposes: asked next week"  # after the block's comment
        assert lines[at + 1] == "    data: {personal_data: true}"
        assert _changed(TEXT, new) == ["+       purposes: [recruitment]"]

    def test_inside_braces(self) -> None:
        new = merge(TEXT, [Change(("client", "director", "title"), "Gérante"),
                           Change(("client", "director", "civility"), "madame"),
                           Change(("vendors", 0, "dpa_signed"), True),
                           Change(("use_cases", 0, "data", "large_scale"), False)])
        assert '  director: {name: "Marie Dupont", title: "Gérante", civility: madame}' in new
        assert '  - {id: ats, name: "ATS AI", hosting: us_dpf, dpa_signed: true}' in new
        assert "    data: {personal_data: true, large_scale: false}" in new
        assert len(_changed(TEXT, new)) == 6

    def test_a_missing_block_is_written_whole_before_the_next_item(self) -> None:
        new = merge(TEXT, [Change(("use_cases", 0, "system", "profiling"), True),
                           Change(("use_cases", 0, "role"), "deployer"),
                           Change(("use_cases", 1, "system", "capabilities"), []),
                           Change(("use_cases", 1, "system", "purposes"), ["drafting"]),
                           Change(("client", "staff_ai_training"), True)])
        assert new.endswith("    stage: idea\n    system:\n      capabilities: []\n"
                            "      purposes: [drafting]\n")
        lines = new.splitlines()
        above = lines[lines.index("      profiling: true") - 1]
        assert above == "      # purposes: asked next week"
        at = lines.index("    role: deployer")
        assert lines[at - 1] == "    data: {personal_data: true}"
        assert lines[at + 1] == "  # the next use case is planned for 2027"
        assert lines[lines.index("  staff_ai_training: true") + 1] == "vendors:"

    def test_an_inner_block_key_goes_before_an_outer_one(self) -> None:
        """Both go after the same line: the inner block's first, or it would change owner."""
        text = "use_cases:\n  - id: a\n    system:\n      capabilities: []\n"
        new = merge(text, [Change(("use_cases", 0, "role"), "deployer"),
                           Change(("use_cases", 0, "system", "profiling"), False)])
        assert new == text + "      profiling: false\n    role: deployer\n"

    def test_the_result_holds_the_old_data_and_the_answers(self) -> None:
        changes = [Change(("client", "city"), "Lyon"),
                   Change(("client", "director", "title"), "Gérante"),
                   Change(("use_cases", 1, "system", "purposes"), ["drafting"])]
        data = load_yaml_text(merge(TEXT, changes), "x").data
        assert data["client"]["city"] == "Lyon"
        assert data["client"]["director"] == {"name": "Marie Dupont", "title": "Gérante"}
        assert data["use_cases"][1]["system"] == {"purposes": ["drafting"]}
        assert data["vendors"] == [{"id": "ats", "name": "ATS AI", "hosting": "us_dpf"}]

    def test_an_empty_block_gets_its_keys_below_it(self) -> None:
        text = "client:\n  name: X\n  director:           # who signs\n    # name:\n"
        new = merge(text, [Change(("client", "director", "name"), "Paul")])
        assert new == ('client:\n  name: X\n  director:           # who signs\n'
                       '    name: "Paul"\n    # name:\n')

    @pytest.mark.parametrize("sample", sorted((ROOT / "inputs").glob("*.yaml")),
                             ids=lambda p: p.stem)
    def test_nothing_to_merge_changes_nothing(self, sample: Path) -> None:
        text = sample.read_text(encoding="utf-8")
        assert merge(text, []) == text

    def test_windows_line_ends_and_a_bom_are_kept(self) -> None:
        text = "\ufeff" + TEXT.replace("\n", "\r\n")
        new = merge(text, [Change(("client", "staff_ai_training"), False)])
        assert new.startswith("\ufeff# A profile")
        assert "\r\n  staff_ai_training: false\r\n" in new
        assert "\n" not in new.replace("\r\n", "")

    def test_text_is_quoted_codes_are_not(self) -> None:
        new = merge(TEXT, [Change(("client", "sector_label"), 'Boulangerie "Au pain"'),
                           Change(("use_cases", 0, "system", "generated_media"), ["text"])])
        assert '  sector_label: "Boulangerie \\"Au pain\\""' in new
        assert "      generated_media: [text]" in new
