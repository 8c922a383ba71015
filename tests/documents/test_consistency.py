"""Issue 13, acceptance 2: the three documents of each client say the same thing, and what the
profile says. Every sample and a hidden-style client (untrained team, no CSE, a CV pilot
without DPIA nor candidates' information, revenue-driven ROI) are rendered, read back as text
(python-docx) and compared statement by statement: training, the CSE, information of people,
stage, Art. 50 and the decision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.assessment.assess import Assessment, UseCaseAssessment
from engine.assessment.decision import owed_by_company
from engine.documents.brief import brief_context
from engine.documents.charter import charter_context
from engine.documents.render import document_text
from engine.documents.texts import Texts
from engine.documents.verdict import actions_context, due_label
from engine.documents.wording import Wording
from tests.conftest import SampleRenders

HOME_OF = ("engine.documents.brief", "engine.documents.charter", "engine.documents.verdict")
ROOT = Path(__file__).resolve().parents[2]
PROFILES = [*sorted((ROOT / "inputs").glob("*.yaml")),
            ROOT / "tests" / "data" / "profiles" / "hidden-client.yaml"]
NAMES = [p.stem for p in PROFILES]
RUNNING = ("pilot", "production")


@dataclass
class Client:
    assessment: Assessment
    texts: Texts
    charter: str
    brief: str
    report: str


def _flat(text: str) -> str:
    return text.replace("\u00a0", " ").replace("’", "'")


@pytest.fixture(scope="module")
def clients(sample_renders: SampleRenders) -> dict[str, Client]:
    out = {}
    for name, sample in sample_renders.clients.items():
        charter, brief, report = (_flat(document_text(sample.files[f"{d}.docx"]))
                                  for d in ("charte-ia", "brief-dsi", "rapport-audit"))
        out[name] = Client(sample.assessment, sample_renders.toolkit.rulebase.texts, charter,
                           brief, report)
    assert sorted(out) == sorted(NAMES)
    return out


def _live(a: Assessment) -> list[UseCaseAssessment]:
    return [u for u in a.use_cases if not (u.decision and u.decision.status == "stop")]


def _sentence(text: str, start: str) -> str:
    """The line of ``text`` that starts with ``start`` ("" if none)."""
    return next((line for line in text.splitlines() if line.startswith(start)), "")


@pytest.mark.parametrize("name", NAMES)
def test_training_is_stated_as_it_is(clients: dict[str, Client], name: str) -> None:
    c = clients[name]
    trained = c.assessment.profile.client.staff_ai_training is True
    assert ("Nos équipes sont formées" in c.charter) == trained
    assert ("Nos équipes seront formées " in c.charter) == (not trained)
    if not trained and _live(c.assessment):
        assert "Former les personnes qui utilisent" in c.report  # the plan says it too
        assert "Engagement de formation" in c.charter


@pytest.mark.parametrize("name", NAMES)
def test_the_cse_clause_is_as_it_is(clients: dict[str, Client], name: str) -> None:
    c = clients[name]
    council = bool(c.assessment.profile.client.works_council)
    not_consulted = [u for u in _live(c.assessment) if u.use_case.stage in RUNNING and any(
        o.reference.startswith("Code du travail, art. L.2312-") and o.status != "met"
        for o in u.obligations)]
    if not council:
        assert "CSE" not in c.charter
        assert "comité social et économique" not in c.charter
        return
    if not_consulted:
        assert "Le comité social et économique (CSE) est informé" not in c.charter
        assert "sera informé et consulté" in c.charter
        assert "Informer et consulter le CSE sur" in c.report
        for u in not_consulted:
            vendor = c.assessment.profile.vendor(u.use_case.vendor)
            assert vendor is not None
            assert vendor.label in _sentence(c.charter, "Dialogue social.")
    else:
        assert "Le comité social et économique (CSE) est informé et consulté" in c.charter


@pytest.mark.parametrize("name", NAMES)
def test_people_are_said_informed_only_when_they_are(clients: dict[str, Client],
                                                     name: str) -> None:
    c = clients[name]
    facing = [u for u in _live(c.assessment)
              if set(u.use_case.system.affected_persons or []) - {"none"}]
    uninformed = [u for u in facing if u.use_case.controls.ai_disclosure is not True
                  and u.use_case.stage != "idea"]
    transparency = _sentence(c.charter, "Lorsqu'un client")
    assert transparency
    if uninformed:
        assert "il en sera clairement informé" in transparency
        assert "il en est clairement informé" not in transparency
    candidates = [u for u in uninformed if "job_candidates" in
                  (u.use_case.system.affected_persons or [])]
    for u in candidates:
        assert "candidats clairement informés" not in c.charter
        assert _flat(f"Informer les candidats traités par « {u.use_case.title} »") in c.report


@pytest.mark.parametrize("name", NAMES)
def test_each_tool_is_named_at_its_stage(clients: dict[str, Client], name: str) -> None:
    c = clients[name]
    in_use = _sentence(c.charter, "Outils d'IA utilisés à ce jour")
    planned = _sentence(c.charter, "Outils d'IA envisagés")
    running_brief = next((line for line in c.brief.splitlines()
                          if "sont déjà en service chez nous" in line
                          or "est déjà en service chez nous" in line), "")
    planned_brief = _sentence(c.brief, "Nous envisageons")
    for u in _live(c.assessment):
        title = _flat(f"« {u.use_case.title} »")
        if u.use_case.stage == "idea":
            assert title in planned, u.use_case.id
            assert title not in in_use
        else:
            assert title in in_use, u.use_case.id
            assert title not in planned
        if u.use_case.vendor is None:
            continue
        if u.use_case.stage in RUNNING:
            assert title in running_brief, u.use_case.id
            assert title not in planned_brief
        else:
            assert title in planned_brief, u.use_case.id
            assert title not in running_brief
    if any(u.use_case.stage in RUNNING for u in _live(c.assessment)):
        # a tool in production is not "launched"
        assert "avant toute mise en service, nous vous remercions" not in running_brief


@pytest.mark.parametrize("name", NAMES)
def test_article_50_only_where_it_binds_the_company(clients: dict[str, Client],
                                                    name: str) -> None:
    c = clients[name]
    assert "Conformément à l'article 50" not in c.charter
    owed = {re.match(r"Art\. 50\((\d)\)", o.reference).group(1)  # type: ignore[union-attr]
            for u in _live(c.assessment) for o in u.obligations
            if re.match(r"Art\. 50\(\d\)", o.reference) and owed_by_company(o, u)}
    cited = set(re.findall(r"article 50\((\d)\)", c.charter))
    assert cited == owed


@pytest.mark.parametrize("name", NAMES)
def test_one_decision_everywhere(clients: dict[str, Client], name: str) -> None:
    c = clients[name]
    for u in c.assessment.use_cases:
        assert u.decision is not None
        status = u.decision.status
        state = "running" if u.use_case.stage in RUNNING else "planned"
        label = c.texts.text(f"labels.decision.{status}.{state}")
        title = _flat(u.use_case.title)
        row = next(line for line in c.report.splitlines() if line.startswith(f"{title} | "))
        assert label in row, row
        section = c.report.split(f"Cas d'usage : {title}")[1]
        assert f"Décision | {label}" in section.split("Pourquoi ce niveau")[0]
        blocked = status not in ("proceed", "proceed_with_conditions")
        if blocked:
            assert "À faire en priorité" not in row
            assert "le projet peut être lancé" not in section.split("Cas d'usage :")[0]
        vendor = c.assessment.profile.vendor(u.use_case.vendor)
        if status == "stop" and vendor is not None:
            assert "Usages à arrêter" in c.brief
            if vendor.id in c.assessment.stopped_vendors:
                assert vendor.label not in c.charter
        if status == "regularise_now":
            assert "Aucun point bloquant." not in c.report.split("Vue d'ensemble")[0]


def test_the_hidden_client_contexts(clients: dict[str, Client]) -> None:
    """The contexts the three documents are made from, called directly."""
    import datetime as dt

    c = clients["hidden-client"]
    wording = Wording(c.texts)
    charter = charter_context(c.assessment, c.texts)
    assert charter["training_line"].startswith("Nos équipes seront formées sans délai ")
    assert not charter["works_council"]
    assert not charter["works_council_to_do"]
    assert charter["disclosure_points"] == []
    brief = brief_context([], c.assessment, wording, dt.date(2026, 12, 10))
    assert brief["clauses"] == []  # no vendor kept, no clause to ask
    plan = actions_context(c.assessment, wording)
    assert len(plan["all"]) == len(c.assessment.actions)
    assert plan["first"][0]["due"] == "Sans délai"
    assert due_label(wording, "on_date", dt.date(2027, 12, 2)) == "D'ici le 2 décembre 2027"
    assert due_label(wording, "before_launch", None) == "Avant la mise en service"


CHARTER_DUES = re.compile(r"sans délai|d'ici le \d{1,2}(?:er)? \w+ \d{4}|avant la mise en service"
                          r"(?:, et au plus tard le \d{1,2}(?:er)? \w+ \d{4})?|dès que possible")


@pytest.mark.parametrize("name", NAMES)
def test_one_deadline_per_action_in_the_three_documents(clients: dict[str, Client],
                                                        name: str) -> None:
    """A charter commitment is due when its action is: training as the plan's training action,
    and every date the charter commits to is the deadline of an action that the report and the
    brief print with the same words; never a date of the charter's own (the assessment date
    plus 30 days, before issue 13's follow-up)."""
    import datetime as dt

    from engine.documents.charter import charter_due
    from engine.documents.formatting import date_fr

    c = clients[name]
    a = c.assessment
    wording = Wording(c.texts)
    assert _flat(date_fr(a.as_of + dt.timedelta(days=30))) not in c.charter
    plan = {a_.topic: a_ for a_ in a.actions}
    training = _sentence(c.charter, "Nos équipes seront formées ")
    if training and "train_staff" in plan:
        action = plan["train_staff"]
        said = _flat(charter_due(c.texts, action.due, action.deadline))
        assert training.startswith(f"Nos équipes seront formées {said} ")
        due = _flat(due_label(wording, action.due, action.deadline))
        assert f"Échéance : {due[:1].lower() + due[1:]}." in c.report
    dues = {_flat(charter_due(c.texts, x.due, x.deadline)) for x in a.actions}
    dues.add(_flat(charter_due(c.texts, "immediately", None)))  # now, for the tools in use
    dues.add(_flat(charter_due(c.texts, "before_launch", None)))
    for found in CHARTER_DUES.findall(c.charter):
        if found.startswith("d'ici le") or "au plus tard" in found:
            assert found in dues, found
    for entry in actions_context(a, wording)["all"]:
        if entry["text"] in c.brief:  # the brief lists the same action with the same due
            assert _flat(entry["due_lower"]) in c.brief
