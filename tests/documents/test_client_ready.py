"""Client-ready documents (issue 14): what a signed document may not show, read from the
generated .docx of every sample profile and of a client whose name takes an article.

These tests read the documents' text only (python-docx), never the context: they hold whatever
the templates and the texts become.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.documents.render import document_text
from engine.profile.validate import load_profile, profile_from_doc
from engine.profile.yamlio import load_yaml_text
from engine.run.pipeline import DOCUMENTS, assess_profile, prepare, render_client

ROOT = Path(__file__).resolve().parents[2]
PROFILES = sorted((ROOT / "inputs").glob("*.yaml"))

ARTICLE_CLIENT = """
client:
  id: atelier-etoile
  name: Atelier Étoile
  name_article: "l'"
  sector: artisan
  sector_label: Ébénisterie d'art
  employees: 4
  city: Annecy
  it_contact: {name: Inès Roux, organisation: Alpes Info}
assessment: {date: 2026-11-26}
vendors: [{id: devis, name: Obvio, country: US, dpa_signed: false}]
use_cases:
  - {id: devis, title: Devis assistés, function: marketing_sales, stage: test, vendor: devis,
     system: {ai_system: true, generated_media: [text]}}
"""

URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
FORBIDDEN = {
    "straight apostrophe": re.compile("'"),
    "plain space before : ; ? !": re.compile(r" [:;?!]"),
    "plain space inside « »": re.compile(r"« | »"),
    "(s) instead of agreement": re.compile(r"\((?:s|e|es|x)\)"),
    "... instead of …": re.compile(r"\.\.\."),
    "no elision before a vowel": re.compile(
        r"(?<![\w’-])(?:[dD]e|[lL][ea]|[qQ]ue|[nN]e|[sS]e) (?!(?:oui|onze)\b)"
        r"[aeiouéèêàâîôûAEIOUÉÈÊÀÂÎÔÛ]"),
    "rule id": re.compile(r"\b(?:ai-act|gdpr|guide|labour|client|vendor)\.[a-z0-9-]+\.\S"),
    "snake_case code": re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b"),
    "key path": re.compile(r"\b\w+\[[^\]]*\]\.\w"),
    "file name": re.compile(r"\b[\w/-]+\.(?:ya?ml|json|py)\b"),
    "digest": re.compile(r"\b[0-9a-f]{12,}\b|sha256"),
    "English code of a country or certification": re.compile(
        r"Pays\s*:\s*[A-Z]{2}\b|\bISO27001\b|\bSOC2\b"),
}


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, str]]:
    toolkit = prepare(ROOT / "rules", ROOT / "doc_templates")
    profiles = [load_profile(path) for path in PROFILES]
    profiles.append(profile_from_doc(load_yaml_text(ARTICLE_CLIENT, "<article>"),
                                     default_id="atelier-etoile"))
    out = {}
    for profile in profiles:
        assert profile.assessment.date is not None
        files = render_client(assess_profile(profile, toolkit.rulebase, profile.assessment.date),
                              toolkit)
        out[profile.client_id] = {name: document_text(files[name]) for name in DOCUMENTS}
    return out


@pytest.mark.parametrize("rule", list(FORBIDDEN))
def test_no_document_shows(documents: dict[str, dict[str, str]], rule: str) -> None:
    found = []
    for client, docs in sorted(documents.items()):
        for name, text in docs.items():
            for line in text.splitlines():
                clean = URL.sub("", line)
                for match in FORBIDDEN[rule].finditer(clean):
                    around = clean[max(0, match.start() - 40):match.end() + 20]
                    found.append(f"{client}/{name}: …{around}…")
    assert not found, f"{len(found)} × {rule}:\n" + "\n".join(found[:15])


def test_letters_open_and_close_the_french_way(documents: dict[str, dict[str, str]]) -> None:
    for client, docs in documents.items():
        lines = [line.strip() for line in docs["brief-dsi.docx"].splitlines()]
        assert {"Madame,", "Monsieur,", "Madame, Monsieur,"} & set(lines), client
        assert not any(line.startswith("Bonjour") for line in lines), client
        assert any(line.startswith("Nous vous prions d’agréer") for line in lines), client
    assert "Madame, Monsieur," in documents["atelier-etoile"]["brief-dsi.docx"]


def test_names_take_their_article(documents: dict[str, dict[str, str]]) -> None:
    report = documents["atelier-etoile"]["rapport-audit.docx"]
    assert "de l’Atelier Étoile" in report
    assert "de Atelier" not in report
    assert "d’Atelier" not in report
    assert "Ébénisterie d’art" in report  # client.sector_label on the cover
    assert "États-Unis" in report


def test_no_plain_space_between_a_number_and_its_unit(
        documents: dict[str, dict[str, str]]) -> None:
    unit = re.compile(r"\d (?:%|€|mois|jours?|semaines?|minutes?|heures?)(?!\w)")
    bad = [f"{c}/{n}: {m.group()}" for c, docs in documents.items() for n, t in docs.items()
           for m in unit.finditer(t)]
    assert not bad, bad[:10]
