"""French typesetting rules (engine.documents.typography) and the document pass (typeset)."""

from __future__ import annotations

import pytest

from engine.documents.because import fact_key
from engine.documents.typeset import Typesetter
from engine.documents.typography import NARROW_NBSP, NBSP, Rules, apply_edits, typeset

HOME_OF = ("engine.documents.typeset", "engine.documents.because")
N, T = NBSP, NARROW_NBSP


def test_fact_paths_name_profile_keys() -> None:
    key = fact_key("use_cases[0].system.purposes")
    assert key is not None
    assert key.path == "use_cases.system.purposes"
    assert fact_key("vendors[x].used_by_n") is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("l'outil", "l’outil"),
    ("Objet : test", f"Objet{N}: test"),
    ("Pourquoi ? Oui ! a ; b", f"Pourquoi{T}? Oui{T}! a{T}; b"),
    ("art. 5(1)(f); art. 3", f"art.{N}5(1)(f){T}; art.{N}3"),
    ("« Humeur »", f"«{N}Humeur{N}»"),
    ("«Humeur»", f"«{N}Humeur{N}»"),
    ("attendre...", "attendre…"),
    ("15 minutes, 12 % et 2 000 €", f"15{N}minutes, 12{N}% et 2{N}000{N}€"),
    ("1,5 %", f"1,5{N}%"),
    ("la direction de Axyus", "la direction d’Axyus"),
    ("auprès de Axyus", "auprès d’Axyus"),
    ("Le outil et la IA", "L’outil et l’IA"),
    ("si il faut", "s’il faut"),
    ("de haut risque", "de haut risque"),
    ("de les former", "de les former"),
    ("Île-de-France", "Île-de-France"),
    ("12:30", "12:30"),
    ("https://exemple.fr/l'a?b=1 ; x", f"https://exemple.fr/l'a?b=1{T}; x"),
    ("ecrire à jean.d'ici@exemple.fr : merci", f"ecrire à jean.d'ici@exemple.fr{N}: merci"),
])
def test_rules(raw: str, expected: str) -> None:
    assert typeset(raw) == expected
    assert typeset(expected) == expected  # idempotent


@pytest.mark.parametrize(("article", "raw", "expected"), [
    ("le", "la direction de Cabinet X", "la direction du Cabinet X"),
    ("le", "chez Cabinet X et à Cabinet X", "chez le Cabinet X et au Cabinet X"),
    ("la", "pour Société X", "pour la Société X"),
    ("l'", "de Atelier X", "de l’Atelier X"),
    ("les", "de Ateliers X", "des Ateliers X"),
    ("le", "Cabinet X", "Cabinet X"),
    ("le", "Pour Cabinet X,", "Pour le Cabinet X,"),
])
def test_name_articles(article: str, raw: str, expected: str) -> None:
    name = raw.rsplit(" ", 2)[-2] + " X"
    rules = Rules({name: article})
    assert typeset(raw, rules) == expected
    assert typeset(expected, rules) == expected


def test_run_boundaries_follow_the_edits() -> None:
    text, cuts = apply_edits("la direction de |Axyus".replace("|", ""), [16], Rules().rules())
    assert (text[:cuts[0]], text[cuts[0]:]) == ("la direction d’", "Axyus")


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_document_pass_across_runs_and_superscript() -> None:
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W}><w:body>'
           '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Utilisé pour </w:t></w:r>'
           '<w:r><w:t>: l\'outil de </w:t></w:r><w:r><w:t>Axyus, le 1er mars</w:t></w:r></w:p>'
           '</w:body></w:document>').encode()
    out = Typesetter().part(xml).decode()
    assert out.startswith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
    assert f"Utilisé pour{N}</w:t>" in out, out
    assert ">: l’outil d’</w:t>" in out
    assert '<w:vertAlign w:val="superscript"/></w:rPr><w:t>er</w:t>' in out
    assert Typesetter().part(out.encode()).decode() == out
