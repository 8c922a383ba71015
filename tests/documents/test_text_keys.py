"""The schema of the deliverables' texts: it follows the code's enumerations, the shipped files
match it, and the code reads every key it declares (no text nobody uses)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any, get_args

import pytest

from engine.assessment.assess import ANTI_FAILURE_ITEMS, SCALE_UP_ITEMS
from engine.assessment.roi import ROI_INPUTS
from engine.documents.context import build_context
from engine.documents.entries import _source
from engine.documents.text_keys import (
    DECISIONS,
    DISCLOSURE_POINTS,
    REGISTER_FACTS,
    RUN_STATES,
    SCHEMA,
    TIERS,
    check_texts,
    load_texts,
)
from engine.documents.texts import Kind, Texts
from engine.documents.wording import Wording
from engine.errors import RuleError
from engine.intake.text_keys import INTAKE_TEXTS
from engine.profile.model import Hosting, Stage
from engine.profile.register import FactSource, origins, stale_facts
from engine.profile.validate import load_profile, profile_from_doc
from engine.profile.yamlio import YamlDoc, load_yaml_text
from engine.rules.cases import _profile, load_cases
from engine.run.pipeline import Toolkit, assess_profile, prepare, render_client

ROOT = Path(__file__).resolve().parents[2]
from engine.portfolio.text_keys import PORTFOLIO_TEXTS  # noqa: E402

HIDDEN = ROOT / "tests" / "data" / "profiles" / "hidden-client.yaml"


class _Recording(Texts):
    """Real texts that remember which keys the code read."""

    read: set[str]

    def _check(self, key: str, kind: Kind, values: Any) -> None:
        self.read.add(key)
        super()._check(key, kind, values)


def _recording(texts: Texts) -> _Recording:
    recorder = _Recording(texts.schema, texts.files, texts._texts, texts._lines,
                          texts._mappings)
    object.__setattr__(recorder, "read", set())
    return recorder


class TestSchema:
    def test_label_families_follow_the_code_enumerations(self) -> None:
        for tier in ("unacceptable", "high", "limited", "minimal", "undetermined"):
            assert f"labels.tier.{tier}" in SCHEMA
        for status in DECISIONS:
            assert f"labels.decision_light.{status}" in SCHEMA
        assert set(TIERS) == {k.rpartition(".")[2] for k in SCHEMA if k.startswith("labels.tier.")}
        for hosting in get_args(Hosting):
            assert (f"labels.hosting.{hosting}" in SCHEMA) == (hosting != "unknown")
        for stage in get_args(Stage):
            assert f"labels.stage.{stage}" in SCHEMA
        for item in (*ANTI_FAILURE_ITEMS, *SCALE_UP_ITEMS):
            key = f"report.{'anti_failure' if item.startswith('q') else 'scale_up'}.{item}"
            assert SCHEMA[key].placeholders == {"use_case", "vendor"}

    def test_every_key_is_under_a_file_name(self) -> None:
        stems = {p.stem for p in (ROOT / "rules" / "texts").glob("*.yaml")}
        assert {key.partition(".")[0] for key in SCHEMA} == stems

    def test_shipped_texts_lint_clean(self) -> None:
        texts, issues = check_texts(ROOT / "rules")
        assert [str(i) for i in issues] == []
        assert texts.text("labels.tier.high") == "Haut risque"

    def test_load_texts_refuses_broken_texts(self, tmp_path: Path, copy_rules: Any) -> None:
        rules = copy_rules(tmp_path)
        labels = rules / "texts" / "labels.yaml"
        labels.write_text(labels.read_text(encoding="utf-8").replace("  high: Haut risque\n", ""),
                          encoding="utf-8")
        with pytest.raises(RuleError, match=r"labels\.tier\.high: missing"):
            load_texts(rules)


@pytest.fixture(scope="module")
def toolkit() -> Toolkit:
    return prepare(ROOT / "rules", ROOT / "doc_templates")


def test_the_code_reads_every_declared_key(toolkit: Toolkit) -> None:
    """Sample profiles, every rule test case, and the rare paths called directly."""
    texts = _recording(toolkit.rulebase.texts)
    base = toolkit.rulebase
    kit = Toolkit(dataclasses.replace(base, texts=texts), toolkit.templates,
                  toolkit.templates_digest, toolkit.templates_dir)
    for path in [*sorted((ROOT / "inputs").glob("*.yaml")), HIDDEN]:
        profile = load_profile(path)
        render_client(assess_profile(profile, kit.rulebase, dt.date(2026, 11, 26)), kit)
    for case in load_cases(ROOT / "rules"):
        doc = YamlDoc(case.doc.path, _profile(case.data.get("profile") or {}, case.defaults),
                      case.doc.positions)
        profile = profile_from_doc(doc, default_id="test-client")
        as_of = kit.rulebase.timeline.resolve(case.data.get("as_of", "2026-11-26"))
        build_context(assess_profile(profile, kit.rulebase, as_of), texts, with_chart=False)
    client = ("client: {id: c, name: C, sector: other, employees: 1, staff_ai_training: true, "
              "works_council: false, ai_champion: Julie, director: {name: D}}\n")
    lonely = profile_from_doc(load_yaml_text(
        client + "vendors: [{id: v, name: V}]\nuse_cases: []\n", "<lonely>"), default_id="c")
    quiet = profile_from_doc(load_yaml_text(client + "use_cases: []\n", "<quiet>"),
                             default_id="c")
    sectors = [profile_from_doc(load_yaml_text(  # each sector's label; a contact's bare name
        f"client: {{id: c, name: C, sector: {sector}, employees: 1, "
        "it_contact: {name: Marc Durand}}\nuse_cases: []\n", "<sector>"), default_id="c")
        for sector in ("artisan", "ecommerce", "cabinet_liberal")]
    for profile in (lonely, quiet, *sectors):  # a vendor no use case relies on; nothing to do
        build_context(assess_profile(profile, kit.rulebase, dt.date(2026, 11, 26)), texts,
                      with_chart=False)
    old = {name: FactSource("register", "x", dt.date(2020, 1, 1), False)
           for name in REGISTER_FACTS}
    assert len(stale_facts(old, dt.date(2026, 1, 1), 365, texts)) == len(REGISTER_FACTS)
    origins(lonely, {"v": old}, base.register, dt.date(2026, 1, 1), texts)
    wording = Wording(texts)
    assert _source(FactSource("register", "x", dt.date(2026, 1, 2), True), wording) == (
        "Documentation de l'éditeur, vérifiée le 02/01/2026")
    assert _source(FactSource("register", "x", None, False), wording) == (
        "Documentation de l'éditeur, à confirmer (relevé : date inconnue)")
    # A decision is worded for a tool in use or not, whatever the precedence of
    # rules/decision.yaml; the default table never gives some pairs (a running use case is
    # never "fix before launch"): word them all, as decision_label does.
    for status in DECISIONS:
        for state in RUN_STATES:
            texts.text(f"labels.decision.{status}.{state}")
            texts.text(f"report.decision.{status}.{state}")
        texts.text(f"labels.decision_light.{status}")
        texts.text(f"report.summary.decision_count.{status}", count="1")
    # an idea with every checklist answer known; a vendor blocked before any launch
    texts.text("report.anti_failure.verdict.go.planned", count="0", unknown="0", total="7",
               max="3")
    texts.text("report.vendor_conclusion.blocked_planned")
    # a commitment due before a dated launch, or without a legal deadline: no sample has one
    texts.text("charter.due.before_launch_dated", date="1er mars 2027")
    texts.text("charter.due.none")
    # what an ROI to complete may lack: the samples lack the margin rate only
    for key in ROI_INPUTS:
        texts.text(f"labels.roi.missing.{key}")
    # Art. 50 points the company owes, met or not; no sample provides its own chatbot.
    for point in DISCLOSURE_POINTS:
        texts.text(f"charter.disclosure_point.{point}.in_place", tools="x")
        texts.text(f"charter.disclosure_point.{point}.to_do", tools="x", date="y")
    # The intake stage's texts (profile vocabulary, questionnaire): tests/intake checks them;
    # the portfolio views' (summary.xlsx, index.html, the .ics): tests/portfolio/test_views.
    assert sorted(set(SCHEMA) - set(INTAKE_TEXTS) - set(PORTFOLIO_TEXTS) - texts.read) == []
