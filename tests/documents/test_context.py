"""The template context: conclusions are computed here, worded by rules/texts/, and printed as
they are by the templates (which only place and format them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from engine.documents.context import build_context
from engine.documents.text_keys import CHARTER_CLAUSES, load_texts
from engine.documents.texts import Texts
from engine.profile.validate import load_profile, profile_from_doc
from engine.profile.yamlio import load_yaml_text
from engine.rules.base import RuleBase, load_rulebase
from engine.run.pipeline import assess_profile

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def rulebase() -> RuleBase:
    return load_rulebase(ROOT / "rules")


def _context(rulebase: RuleBase, client: str, texts: Texts | None = None) -> dict[str, Any]:
    profile = load_profile(ROOT / "inputs" / f"{client}.yaml")
    assessment = assess_profile(profile, rulebase, AS_OF)
    return build_context(assessment, texts or rulebase.texts, with_chart=False)


def _values(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [v for item in node.values() for v in _values(item)]
    if isinstance(node, list):
        return [v for item in node for v in _values(item)]
    return [node]


class TestProhibitedPractice:
    """vigie-retail analyses its call-centre staff's emotions (AI Act art. 5(1)(f))."""

    def test_summary_alert_and_blockers_sentence(self, rulebase: RuleBase) -> None:
        summary = _context(rulebase, "vigie-retail")["summary"]
        assert summary["prohibited_alert"] == {
            "lead": "Priorité absolue :",
            "text": "au moins un usage relève d'une pratique interdite par l'article 5 du "
                    "règlement sur l'IA. Il doit être arrêté sans attendre, quel que soit son "
                    "intérêt économique.",
        }
        assert summary["blockers_text"] == (
            f"{summary['blockers']} points bloquants fondent ces décisions : ils sont "
            "détaillés dans la section de l'usage concerné et repris dans le plan d'action.")
        assert summary["decisions_text"] == (
            "Décision sur chaque usage : 1 à arrêter et 1 à régulariser sans délai.")

    def test_use_case_notes_only_on_the_prohibited_one(self, rulebase: RuleBase) -> None:
        emotions, chatbot = _context(rulebase, "vigie-retail")["use_cases"]
        assert emotions["prohibited"]
        assert emotions["obligations_note"].startswith("Pratique interdite : ce cas d'usage doit")
        assert emotions["follow_up"].startswith("Cet usage relève d'une pratique interdite")
        assert (chatbot["obligations_note"], chatbot["follow_up"]) == ("", "")

    def test_vendor_conclusions(self, rulebase: RuleBase) -> None:
        emotisense, crisp = _context(rulebase, "vigie-retail")["vendors"]
        assert emotisense["stop"]
        assert emotisense["conclusion"] == (
            "Conclusion : cet outil ne sert qu'à une pratique interdite (article 5 du règlement "
            "européen sur l'IA) ; il doit être désactivé.")
        assert crisp["conclusion"] == (
            "Conclusion : des points bloquants sont à régler sans délai avec ce fournisseur, "
            "qui reçoit déjà des données.")

    def test_charter_clauses_that_apply_are_worded_the_others_empty(self, rulebase: RuleBase
                                                                    ) -> None:
        charter = _context(rulebase, "vigie-retail")["charter"]
        assert set(charter["clauses"]) == set(CHARTER_CLAUSES)
        prohibited = charter["clauses"]["prohibited"]
        assert prohibited["lead"] == "Pratiques interdites."
        assert len(prohibited["points"]) == 4
        assert prohibited["closing"].startswith("Tout usage relevant de ces pratiques")
        for name, clause in charter["clauses"].items():
            assert set(clause) == {"lead", "text", "points", "closing"}
            assert bool(clause["text"]) == charter[name], name  # worded exactly when it applies
        assert charter["clauses"]["human_review"] == {"lead": "", "text": "", "points": [],
                                                       "closing": ""}


class TestConclusions:
    def test_no_blocker_and_no_alert(self, rulebase: RuleBase) -> None:
        quiet = profile_from_doc(load_yaml_text(
            "client: {id: c, name: C, sector: other, employees: 1, staff_ai_training: true, "
            "works_council: false, ai_champion: Julie, director: {name: D}}\n"
            "use_cases: []\n", "<quiet>"), default_id="c")
        context = build_context(assess_profile(quiet, rulebase, AS_OF), rulebase.texts,
                                with_chart=False)
        assert context["summary"]["blockers_text"] == "Aucun point bloquant."
        assert context["summary"]["prohibited_alert"] == {"lead": "", "text": ""}
        assert context["brief"]["intro"] == [
            "Nous préparons l'intégration d'outils d'IA dans nos processus. Avant de retenir un "
            "éditeur, nous vous remercions de vérifier avec lui les exigences minimales "
            "ci-dessous."]

    def test_brief_intro_follows_the_stage(self, rulebase: RuleBase) -> None:
        """A tool in use is "déjà en service", to check now; an idea "avant toute mise en
        service"; a prohibited use is in neither list."""
        running, planned = _context(rulebase, "plomberie-martin")["brief"]["intro"]
        assert running.startswith("Les outils d'IA suivants sont déjà en service chez nous : "
                                  "Meya.ai pour «\xa0Chatbot WhatsApp de prise de rendez-vous\xa0» "
                                  "(en pilote).")
        assert "sans délai" in running
        assert planned.startswith("Nous envisageons de mettre en service : DevisOnline pour "
                                  "«\xa0Génération de devis à partir de photos\xa0» (à l'étude). "
                                  "Avant toute mise en service")
        (only,) = _context(rulebase, "vigie-retail")["brief"]["intro"]
        assert "Crisp" in only
        assert "EmotiSense" not in only

    def test_no_blocker_is_never_said_bare_while_answers_are_missing(
            self, rulebase: RuleBase) -> None:
        """Issue 16: name, sector, city and headcount used to pass as 'Aucun point bloquant'."""
        almost_empty = profile_from_doc(load_yaml_text(
            "client: {id: c, name: C, sector: artisan, city: Lyon, employees: 8}\n",
            "<empty>"), default_id="c")
        context = build_context(assess_profile(almost_empty, rulebase, AS_OF), rulebase.texts,
                                with_chart=False)
        assert context["summary"]["blockers_text"] == (
            "Aucun point bloquant relevé à ce stade, mais 4 réponses restent à compléter : "
            "cette conclusion est provisoire tant qu'elles manquent.")
        assert context["next_steps"][0] == (
            "Compléter les réponses manquantes sur l'entreprise : Champion IA, Dirigeant, "
            "Personnel formé à l'IA et Comité social et économique (CSE). Responsable : "
            "Direction. Échéance : sans délai.")
        assert len(context["client_findings"]) == 4


    def test_scale_up_verdict_follows_the_decision(self, rulebase: RuleBase) -> None:
        for client in ("plomberie-martin", "cosmea-nature", "cabinet-fiscaconseil"):
            for u in _context(rulebase, client)["use_cases"]:
                if u["decision"]["blocked"]:
                    assert u["scale_up_verdict"] == (
                        "L'usage ne peut pas être généralisé tant que la décision "
                        f"« {u['decision']['label']} » n'est pas levée.")
                else:
                    assert u["scale_up_verdict"] == (
                        "Tous les critères sont réunis : l'usage peut être généralisé."
                        if u["scale_up_ready"] else "Les critères ne sont pas encore tous "
                        "réunis : ne pas généraliser l'usage avant qu'ils le soient.")
                assert ("ne peut pas encore être mesuré" in u["roi"]["note"]) == (
                    not u["roi"]["measurable"])

    def test_anti_failure_verdict_counts(self, rulebase: RuleBase) -> None:
        """Oui / Non / À vérifier, counted; the verdict fits the stage and the decision."""
        for u in _context(rulebase, "plomberie-martin")["use_cases"]:
            answers = [q["answer"].split(" : ")[0] for q in u["anti_failure"]]
            assert set(answers) <= {"Oui", "Non", "À vérifier"}
            assert answers.count("Non") == u["anti_failure_no"]
            assert answers.count("À vérifier") == u["anti_failure_unknown"]
            verdict = u["anti_failure_verdict"]
            if u["stage"] in ("Pilote", "En production"):
                assert "lancé" not in verdict
                assert "lancer" not in verdict
            assert ("la décision sur cet usage reste" in verdict) == u["decision"]["blocked"]


def test_every_conclusion_is_worded_by_the_texts(tmp_path: Path, copy_rules: Any,
                                                 rulebase: RuleBase) -> None:
    """Rewording a conclusion in rules/texts/report.yaml changes the context, no Python."""
    rules = copy_rules(tmp_path)
    report = rules / "texts" / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "Conclusion : des points bloquants sont à régler sans délai avec ce fournisseur, qui "
        "reçoit déjà des données.", "Fournisseur à régulariser."),
        encoding="utf-8")
    context = _context(rulebase, "vigie-retail", load_texts(rules))
    assert context["vendors"][1]["conclusion"] == "Fournisseur à régulariser."


def test_no_none_anywhere(rulebase: RuleBase) -> None:
    for client in ("cabinet-fiscaconseil", "cosmea-nature", "plomberie-martin",
                   "recrutis-interim", "vigie-retail"):
        assert None not in _values(_context(rulebase, client)), client
