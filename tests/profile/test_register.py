"""The shared vendor register: loading, lint errors with file and line, staleness, alternatives."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from engine.assessment.assess import Assessment
from engine.cli import main
from engine.documents.render import document_text
from engine.documents.text_keys import load_texts
from engine.profile.register import (
    FactSource,
    alternatives,
    check_register,
    load_register,
    stale_facts,
)
from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.run.pipeline import assess_profile, prepare, render_client

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"


class TestRegisterFile:
    def test_seed_register_holds_the_guide_annex_vendors(self) -> None:
        register = load_register(RULES)
        assert len(register.vendors) == 10
        meya = register.vendors["meya"]
        assert meya.facts.hosting is not None
        assert meya.facts.hosting.value == "france"
        assert "annexe 2" in meya.facts.hosting.source
        assert meya.facts.hosting.verified is False

    def test_malformed_entry_is_reported_with_file_and_line(self, tmp_path: Path) -> None:
        rules = tmp_path / "rules"
        shutil.copytree(RULES, rules)
        path = rules / "vendors" / "register.yaml"
        path.write_text(path.read_text(encoding="utf-8") + (
            "  - id: broken\n"
            "    name: Cassé\n"
            "    categories: [marketing]\n"
            "    facts:\n"
            "      hosting: {value: france}\n"
            "      hostng: {value: france, source: x, checked_on: \"2025-01-01\"}\n"),
            encoding="utf-8")
        _, issues = check_register(rules)
        text = "\n".join(str(i) for i in issues)
        assert "register.yaml:" in text
        assert "vendor broken" in text
        assert "'marketing'" in text or "marketing" in text
        assert "source" in text
        assert "checked_on" in text
        assert "Did you mean 'hosting'?" in text

    def test_duplicate_id(self, tmp_path: Path) -> None:
        rules = tmp_path / "rules"
        shutil.copytree(RULES, rules)
        path = rules / "vendors" / "register.yaml"
        path.write_text(path.read_text(encoding="utf-8") + (
            "  - id: meya\n    name: Meya bis\n    categories: [customer_service]\n"),
            encoding="utf-8")
        _, issues = check_register(rules)
        assert any("vendor meya: duplicate id" in str(i) for i in issues)


class TestStaleness:
    def test_fact_older_than_the_limit_is_stale(self) -> None:
        sources = {"hosting": FactSource("register", "x", dt.date(2025, 1, 1), False),
                   "dpa_signed": FactSource("client")}
        texts = load_texts(RULES)
        assert stale_facts(sources, dt.date(2025, 6, 1), 365, texts) == []
        stale = stale_facts(sources, dt.date(2027, 1, 1), 365, texts)
        assert stale == ["hébergement (relevé le 1er janvier 2025)"]


class TestAlternatives:
    def test_eu_vendors_of_the_same_category_with_a_dpa(self) -> None:
        register = load_register(RULES)
        from engine.profile.model import Vendor

        jasper = Vendor(id="jasper", name="Jasper", hosting="other_third_country")
        names = [v.name for v in alternatives(jasper, register, ["marketing_sales"])]
        assert names == ["Brevo (ex-Sendinblue)"]


# --- the register in assessments and documents ------------------------------------------------

FRESH_REGISTER = """\
settings:
  stale_after_days: 365
vendors:
  - id: acme-bot
    name: "Acme Bot"
    categories: [customer_service]
    country: US
    facts:
      hosting: {value: other_third_country, ACME}
      deletion_on_request: {value: true, ACME}
      trains_on_customer_data: {value: false, ACME}
  - id: bot-fr
    name: "Bot Français"
    categories: [customer_service]
    country: FR
    facts:
      hosting: {value: france, source: "Audit 2026", checked_on: "2026-10-01", verified: true}
      dpa_available: {value: true, source: "Audit 2026", checked_on: "2026-10-01", verified: true}
  - id: bot-us
    name: "Bot Américain"
    categories: [customer_service]
    country: US
    facts:
      hosting: {value: us_dpf, source: "Audit 2026", checked_on: "2026-10-01", verified: true}
      dpa_available: {value: true, source: "Audit 2026", checked_on: "2026-10-01", verified: true}
"""

FRESH_REGISTER = FRESH_REGISTER.replace(
    "ACME", 'source: "Contrat Acme 2026", checked_on: "2026-10-01", verified: true')

PROFILE = """\
client: {{id: {id}, name: "Client {id}", sector: ecommerce, employees: 4}}
assessment: {{date: "2026-11-26"}}
vendors:
  - {vendor}
use_cases:
  - id: bot
    title: "Chatbot"
    function: customer_service
    stage: pilot
    vendor: acme
    role: deployer
    system: {{capabilities: [conversational_agent], purposes: [customer_support],
             affected_persons: [customers], biometric_data: false,
             manipulative_techniques: false, exploits_vulnerabilities: false,
             generated_media: [], safety_component_regulated_product: false}}
    data: {{personal_data: true, categories: [identity, contact]}}
"""
INLINE = ('{id: acme, name: "Acme Bot", country: US, hosting: other_third_country, '
          'deletion_on_request: true, trains_on_customer_data: false, dpa_signed: false}')
BY_REF = "{id: acme, register_id: acme-bot, dpa_signed: false}"


def _rules_with_register(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "vendors" / "register.yaml").write_text(FRESH_REGISTER, encoding="utf-8")
    return rules


def _assess(tmp_path: Path, rules: Path, name: str, vendor: str,
            as_of: dt.date | None = None) -> Assessment:
    path = tmp_path / f"{name}.yaml"
    path.write_text(PROFILE.format(id=name, vendor=vendor), encoding="utf-8")
    base = load_rulebase(rules)
    profile = load_profile(path, register_ids=base.register.vendors)
    return assess_profile(profile, base, as_of or dt.date(2026, 11, 26))


def _keys(assessment: Assessment) -> list[tuple[str, str, str]]:
    """Findings without the client's own name and id, which differ by construction."""
    return [(f.rule_id, "client" if f.subject_kind == "client" else f.subject,
             f.message.replace("Client by-ref", "Client X").replace("Client inline", "Client X"))
            for f in assessment.findings]


class TestRegisterInAssessments:
    def test_reference_gives_the_same_findings_as_inline_facts(self, tmp_path: Path) -> None:
        rules = _rules_with_register(tmp_path)
        inline = _assess(tmp_path, rules, "inline", INLINE)
        by_ref = _assess(tmp_path, rules, "by-ref", BY_REF)
        assert _keys(inline) == _keys(by_ref)
        assert [u.tier for u in inline.use_cases] == [u.tier for u in by_ref.use_cases]

    def test_override_changes_only_that_client(self, tmp_path: Path) -> None:
        rules = _rules_with_register(tmp_path)
        plain = _assess(tmp_path, rules, "plain", BY_REF)
        moved = _assess(tmp_path, rules, "moved",
                        "{id: acme, register_id: acme-bot, dpa_signed: true, hosting: france}")
        assert "gdpr.transfer.third-country" in {f.rule_id for f in plain.findings}
        assert "gdpr.transfer.third-country" not in {f.rule_id for f in moved.findings}
        assert moved.vendor_sources["acme"]["hosting"].origin == "client"
        assert plain.vendor_sources["acme"]["hosting"].origin == "register"

    def test_stale_fact_two_years_later(self, tmp_path: Path) -> None:
        rules = _rules_with_register(tmp_path)
        later = _assess(tmp_path, rules, "later", BY_REF, dt.date(2028, 10, 2))
        stale = [f for f in later.findings if f.rule_id == "gdpr.register.stale-facts"]
        assert len(stale) == 1
        assert "Acme Bot" in stale[0].message
        assert "hébergement (relevé le 1er octobre 2026)" in stale[0].message
        now = _assess(tmp_path, rules, "now", BY_REF)
        assert "gdpr.register.stale-facts" not in {f.rule_id for f in now.findings}

    def test_third_country_without_dpa_gets_eu_alternatives_in_documents(
            self, tmp_path: Path) -> None:
        rules = _rules_with_register(tmp_path)
        assessment = _assess(tmp_path, rules, "alt", BY_REF)
        assert [e.name for e in assessment.alternatives("acme")] == ["Bot Français"]
        toolkit = prepare(rules, ROOT / "doc_templates")
        files = render_client(assessment, toolkit)
        for doc in ("brief-dsi.docx", "rapport-audit.docx"):
            text = document_text(files[doc])
            assert "Alternatives françaises ou européennes" in text, doc
            assert "Bot Français" in text, doc
            assert "Bot Américain" not in text, doc
            assert "Documentation de l’éditeur, vérifiée le 01/10/2026" in text, doc
        data = json.loads(files["assessment.json"])
        assert data["vendors"][0]["alternatives"] == ["bot-fr"]
        assert data["vendors"][0]["sources"]["hosting"]["origin"] == "register"

    def test_unknown_register_id_is_a_located_error(self, tmp_path: Path) -> None:
        rules = _rules_with_register(tmp_path)
        path = tmp_path / "typo.yaml"
        path.write_text(PROFILE.format(id="typo", vendor="{id: acme, register_id: acme-bott}"),
                        encoding="utf-8")
        result = CliRunner().invoke(main, ["validate", str(path), "--rules", str(rules)])
        assert result.exit_code == 1
        assert "typo.yaml:4:" in result.output
        assert "vendors[0].register_id" in result.output
        assert "Did you mean 'acme-bot'?" in result.output


class TestVendorCommands:
    def test_list_and_show(self) -> None:
        listed = CliRunner().invoke(main, ["vendors", "list", "--rules", str(RULES)])
        assert listed.exit_code == 0
        assert "meya" in listed.output
        assert "Pennylane" in listed.output
        shown = CliRunner().invoke(main, ["vendors", "show", "brevo", "--rules", str(RULES)])
        assert shown.exit_code == 0
        assert "annexe 3" in shown.output
        missing = CliRunner().invoke(main, ["vendors", "show", "brevoo", "--rules", str(RULES)])
        assert missing.exit_code == 1
        assert "Did you mean 'brevo'?" in missing.output
