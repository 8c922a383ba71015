"""Findings from neutral firings: grouping, merged provenance, order of the engine ignored.

Findings: messages filled from the profile, fact values in the words of the texts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import subprocess
import sys
from pathlib import Path

from engine.assessment.facts import to_facts
from engine.assessment.findings import DERIVED, FactWords, build_findings
from engine.documents.text_keys import load_texts
from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.rules.firings import DerivedFact, Firing
from engine.run.pipeline import assess_profile

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 26)
WORDS = FactWords.of(load_texts(ROOT / "rules"))


def _firings(name: str) -> tuple[list[Firing], object]:
    base = load_rulebase(ROOT / "rules")
    profile = load_profile(ROOT / "inputs" / f"{name}.yaml")
    return base.evaluate(to_facts(profile, AS_OF), sid=name), profile


def _shown(findings: list) -> list:  # type: ignore[type-arg]
    return [(f.rule_id, f.subject, list(f.because.items()), f.message) for f in findings]


def test_the_rule_engines_order_does_not_show() -> None:
    """Firings in any order give the same findings, ``because`` in the same key order."""
    firings, profile = _firings("recrutis-interim")
    first = _shown(build_findings(firings, profile, WORDS))  # type: ignore[arg-type]
    rng = random.Random(3)
    for _ in range(5):
        shuffled = list(firings)
        rng.shuffle(shuffled)
        assert _shown(build_findings(shuffled, profile, WORDS)) == first  # type: ignore[arg-type]


def test_several_derived_facts_of_one_name_are_all_shown() -> None:
    firings, profile = _firings("recrutis-interim")
    chained = next(f for f in firings if f.derived)
    other = DerivedFact(chained.derived[0].name, chained.derived[0].subject, (("point", "9"),))
    extra = chained._replace(derived=(other,))
    finding = next(f for f in build_findings([chained, extra], profile, WORDS)  # type: ignore[arg-type]
                   if f.rule_id == chained.branch.rule.spec.id)
    shown = finding.because[f"déduit:{other.name}"]
    assert "point=9" in shown
    assert chained.derived[0].describe() in shown


def test_count_fields_are_counted_from_the_list() -> None:
    """A rule reading ``vendor.stale_facts_n`` shows the number of stale facts."""
    firings, profile = _firings("recrutis-interim")
    firing = firings[0]
    vendor = {"type": "vendor", "vid": "x", "stale_facts": ["a", "b"]}
    branch = firing.branch
    fake = dataclasses.replace(branch, kinds=("vendor",), fields=(("vendor", "stale_facts_n"),),
                               subject="vendor")
    (finding,) = build_findings([Firing(fake, {"vendor": vendor})], profile, WORDS)  # type: ignore[arg-type]
    assert finding.because == {"vendors[x].stale_facts_n": 2}


def test_findings_know_nothing_of_durable() -> None:
    code = ("import sys, engine.assessment.findings; "
            "print(any(m.startswith('durable') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.strip() == "False"


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
