"""Findings: messages filled from the profile, fact values in the words of the texts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.assessment.findings import DERIVED, FactWords
from engine.documents.text_keys import load_texts
from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.run.pipeline import assess_profile

ROOT = Path(__file__).resolve().parents[2]


class TestFactWords:
    WORDS = FactWords(yes="oui", no="non", unknown="non renseigné", empty_list="aucun")

    def test_values_as_a_french_sentence_prints_them(self) -> None:
        show = self.WORDS.show
        assert [show(True), show(False), show(None), show([]), show(["a", "b"])] == [
            "oui", "non", "non renseigné", "aucun", "a, b"]
        assert show(1234.5).replace("\u00a0", " ") == "1 234,5"
        assert show("texte") == "texte"

    def test_words_come_from_the_texts(self, tmp_path: Path, copy_rules: object) -> None:
        rules = copy_rules(tmp_path)  # type: ignore[operator]
        facts = rules / "texts" / "facts.yaml"
        facts.write_text(facts.read_text(encoding="utf-8").replace('"yes": oui', '"yes": OUI'),
                         encoding="utf-8")
        assert FactWords.of(load_texts(rules)).show(True) == "OUI"


def test_derived_facts_keep_their_prefix_in_because() -> None:
    """assessment.json names a derived fact ``déduit:<name>``, as before the texts moved."""
    profile = load_profile(ROOT / "inputs" / "vigie-retail.yaml")
    result = assess_profile(profile, load_rulebase(ROOT / "rules"), dt.date(2026, 11, 26))
    derived = {k for f in result.findings for k in f.because if k.startswith(DERIVED)}
    assert "déduit:annex_iii" in derived
