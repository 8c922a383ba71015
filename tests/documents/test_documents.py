"""The deliverables of the sample profiles: golden text, French formats, no template leftovers.

Golden files hold the normalised text of each document (``tests/golden/<client>/<doc>.txt``);
run ``pytest tests/test_documents.py --update-golden`` after an intended change and review the
diff like any other code change.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.documents.render import document_images, document_text
from engine.profile.validate import load_profile
from engine.run.pipeline import DOCUMENTS, assess_profile, prepare, render_client
from tests.conftest import SampleRenders

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
PROFILES = sorted((ROOT / "inputs").glob("*.yaml"))


@pytest.fixture(scope="module")
def rendered(sample_renders: SampleRenders) -> dict[str, dict[str, bytes]]:
    """The files of the five samples (the session's renders, without the hidden client)."""
    samples = {path.stem for path in PROFILES}
    return {stem: render.files for stem, render in sample_renders.clients.items()
            if stem in samples}


def plain(data: bytes) -> str:
    """A document's text with the typesetting undone (’ -> ', no-break spaces -> spaces), for
    the tests that look for wording, not for typography (tests/documents/test_client_ready)."""
    text = document_text(data).replace("\u2019", "'")
    return re.sub("[\u00a0\u202f]", " ", text)


def normalise(text: str) -> str:
    """Fold whitespace and hide the rule-base digest, which changes with every rule edit."""
    text = re.sub(r"[ \t\u00a0\u202f]+", " ", text)
    text = re.sub(r"\b[0-9a-f]{12}\b", "<digest>", text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip()) + "\n"


def test_every_sample_profile_is_rendered(rendered: dict[str, dict[str, bytes]]) -> None:
    assert len(rendered) == len(PROFILES) >= 5
    for files in rendered.values():
        assert set(DOCUMENTS) <= set(files)


@pytest.mark.parametrize("doc", list(DOCUMENTS))
def test_golden_text(rendered: dict[str, dict[str, bytes]], doc: str,
                     update_golden: bool) -> None:
    """Each document's text equals its reviewed golden copy (all of them, not any of them)."""
    mismatched = []
    for client, files in sorted(rendered.items()):
        text = normalise(document_text(files[doc]))
        golden = GOLDEN / client / doc.replace(".docx", ".txt")
        if update_golden:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
            continue
        assert golden.is_file(), f"missing {golden}; run pytest --update-golden"
        if golden.read_text(encoding="utf-8") != text:
            mismatched.append(client)
    assert not mismatched, f"{doc} differs from tests/golden for {mismatched}"


def test_no_template_leftovers(rendered: dict[str, dict[str, bytes]]) -> None:
    """No Jinja, no None or nan, no empty bullet anywhere."""
    for client, files in rendered.items():
        for doc in DOCUMENTS:
            text = document_text(files[doc])
            assert "{{" not in text, (client, doc)
            assert "{%" not in text, (client, doc)
            assert not re.search(r"\b(None|nan|NaN|inf)\b", text), (client, doc)
            assert not re.search(r"^\s*[•\-–]\s*$", text, re.MULTILINE), (client, doc)


def test_french_formats(rendered: dict[str, dict[str, bytes]]) -> None:
    """Dates like '26 novembre 2026', amounts like '1 500 €', ROI percentages to the unit."""
    report = document_text(rendered["plomberie-martin"]["rapport-audit.docx"])
    assert "26 novembre 2026" in report
    assert re.search(r"\d{1,3}(\u00a0\d{3})+\u00a0€", report)
    assert re.search(r"\d+\u00a0%", report)
    assert not re.search(r"\d+,\d\u00a0%", report)  # a ROI is rounded to the unit
    assert not re.search(r"\d\.\d+\s?%", report)  # no English decimal point before a percent


def test_audit_report_carries_the_chart(rendered: dict[str, dict[str, bytes]]) -> None:
    for client, files in rendered.items():
        assert document_images(files["rapport-audit.docx"]) == 1, client
        assert document_images(files["charte-ia.docx"]) == 0, client


def test_tiers_named_in_the_report(rendered: dict[str, dict[str, bytes]]) -> None:
    """The traffic light summary names each use case's tier in French."""
    recrutis = plain(rendered["recrutis-interim"]["rapport-audit.docx"])
    assert "Haut risque" in recrutis
    assert "annexe III 4(a)" in recrutis
    vigie = plain(rendered["vigie-retail"]["rapport-audit.docx"])
    assert "Risque inacceptable (pratique interdite)" in vigie
    assert "art. 5(1)(f)" in vigie


def test_a_tool_used_only_for_a_prohibited_practice_is_switched_off(
        rendered: dict[str, dict[str, bytes]]) -> None:
    """Vigie's emotion tool (art. 5(1)(f)) is not offered for deployment, nor endorsed."""
    brief = plain(rendered["vigie-retail"]["brief-dsi.docx"])
    assert ("Les outils d'IA suivants sont déjà en service chez nous : Crisp pour "
            "« Chatbot d'accueil des clients des enseignes » (en production).") in brief
    assert "Usages à arrêter" in brief
    assert "EmotiSense Analytics : Analyse des émotions des téléconseillers" in brief
    assert "art. 5(1)(f)" in brief
    assert "Utilisé pour : Analyse des émotions" not in brief  # no GDPR checklist to deploy it
    charter = plain(rendered["vigie-retail"]["charte-ia.docx"])
    assert ("Outils d'IA utilisés à ce jour : Crisp pour « Chatbot d'accueil des clients "
            "des enseignes » (en production).") in charter
    assert "EmotiSense" not in charter
    report = plain(rendered["vigie-retail"]["rapport-audit.docx"])
    assert "ne sert qu'à une pratique interdite" in report
    # a prohibited practice is stopped, not improved: no GDPR fixes, ROI or roll-out advice
    assert "Suite à donner" in report
    assert "Exclu : pratique interdite" in report
    assert report.count("Checklist anti-échec") == 1  # the chatbot's only
    steps = report.split("Premières actions à engager")[1].split("Périmètre et limites")[0]
    assert ("Arrêter « Analyse des émotions des téléconseillers (webcam et voix) » "
            "(EmotiSense Analytics)") in steps
    assert "désactiver l'outil et ses accès" in steps
    assert "Faire signer à EmotiSense" not in steps
    assert "offre professionnelle" not in steps
    for client in ("plomberie-martin", "recrutis-interim", "cosmea-nature"):
        assert "Usages à arrêter" not in plain(rendered[client]["brief-dsi.docx"])


def test_a_tool_with_an_allowed_use_too_stays_in_the_brief(tmp_path: Path) -> None:
    """The prohibited use stops; the same tool's lawful use is still checked for deployment."""
    text = (ROOT / "inputs" / "vigie-retail.yaml").read_text(encoding="utf-8")
    text = text.replace("    vendor: crisp\n", "    vendor: emotisense\n")
    assert "vendor: crisp" not in text
    path = tmp_path / "vigie-mixed.yaml"
    path.write_text(text, encoding="utf-8")
    toolkit = prepare(ROOT / "rules", ROOT / "doc_templates")
    profile = load_profile(path)
    assert profile.assessment.date is not None
    files = render_client(assess_profile(profile, toolkit.rulebase, profile.assessment.date),
                          toolkit)
    brief = plain(files["brief-dsi.docx"])
    assert "Usages à arrêter" in brief
    assert ("déjà en service chez nous : EmotiSense Analytics pour « Chatbot d'accueil des "
            "clients des enseignes » (en production).") in brief
    assert ("Utilisé pour : Analyse des émotions des téléconseillers (webcam et voix) (à l'étude) "
            "et ") in brief


def test_assessment_json_marks_the_tool_to_switch_off() -> None:
    from engine.assessment.assess import to_json

    toolkit = prepare(ROOT / "rules", ROOT / "doc_templates")
    profile = load_profile(ROOT / "inputs" / "vigie-retail.yaml")
    assert profile.assessment.date is not None
    data = to_json(assess_profile(profile, toolkit.rulebase, profile.assessment.date))
    vendors = {v["id"]: v for v in data["vendors"]}
    assert vendors["emotisense"]["prohibited_use_only"] is True
    assert vendors["emotisense"]["alternatives"] == []  # never a substitute for a banned use
    assert vendors["crisp"]["prohibited_use_only"] is False
