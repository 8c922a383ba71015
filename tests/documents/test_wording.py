"""The context's French: labels, references, fact lines and findings, worded by rules/texts/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from engine.documents.text_keys import load_texts
from engine.documents.wording import Wording
from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.run.pipeline import assess_profile

ROOT = Path(__file__).resolve().parents[2]
WORDING = Wording(load_texts(ROOT / "rules"))


class TestReferences:
    def test_canonical_references_in_french(self) -> None:
        reference = WORDING.reference
        assert reference("GDPR Art. 28") == "RGPD, art. 28"
        assert reference("Recital 44") == "considérant 44"
        assert reference("Art. 5(1)(f)") == "art. 5(1)(f)"
        assert reference("Arts. 9 and 10") == "art. 9 et 10"
        assert reference("Annex III 4(a)") == "annexe III 4(a)"
        assert reference("Guide annex 4") == "guide, annexe 4"
        assert reference("Guide 5.3") == "guide, § 5.3"
        assert reference("Art. 50(1), last subparagraph") == "art. 50(1), dernier alinéa"
        assert reference("Regulation (EU) 2024/1689") == "règlement (UE) 2024/1689"
        assert WORDING.references(["Art. 4", "Recital 20"]) == "art. 4; considérant 20"

    def test_only_the_first_matching_prefix_applies(self, tmp_path: Path, copy_rules: Any
                                                    ) -> None:
        rules = copy_rules(tmp_path)
        facts = rules / "texts" / "facts.yaml"
        facts.write_text(facts.read_text(encoding="utf-8").replace(
            '"Art. ": "art. "', '"Art. ": "Annex "'), encoding="utf-8")
        assert Wording(load_texts(rules)).reference("Art. 4") == "Annex 4"


def test_fact_lines_use_the_words_of_the_texts(tmp_path: Path, copy_rules: Any) -> None:
    """The "Faits :" line of a finding prints yes/no and derived facts as facts.yaml says."""
    rules = copy_rules(tmp_path)
    facts = rules / "texts" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace('"yes": oui', '"yes": OUI')
                     .replace("conclusion intermédiaire « {name} » ({detail})",
                              "déduit : {name} ({detail})"), encoding="utf-8")
    base = load_rulebase(rules)
    profile = load_profile(ROOT / "inputs" / "vigie-retail.yaml")
    result = assess_profile(profile, base, dt.date(2026, 11, 26))
    wording = Wording(base.texts)
    lines = [wording.finding(f)["facts"] for f in result.findings]
    assert any("Données biométriques : OUI" in line for line in lines), lines
    assert not any("use_cases[" in line or "conclusion interm" in line for line in lines), lines
    emotion = next(f for f in result.findings if f.rule_id == "ai-act.art5.1f.emotion-workplace")
    shown = wording.finding(emotion)
    assert shown["severity"] == "Bloquant"
    assert shown["references"] == "art. 5(1)(f); art. 3(39); considérant 44"
    assert shown["source"].endswith(", ligne " + str(emotion.provenance.line))
