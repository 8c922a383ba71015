"""The intake stage's texts (rules/texts/profile.yaml, questionnaire.yaml): every question a rule
can ask has its French question, and the code reads every key it declares."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.intake.keys import all_keys, key_for
from engine.intake.questions import COMPANY, Question
from engine.intake.reference import profile_reference
from engine.intake.rows import question_rows
from engine.intake.schema import schema_text
from engine.intake.skeleton import Start, skeleton_text
from engine.intake.text_keys import INTAKE_TEXTS, QUESTION_KEYS
from engine.intake.words import ProfileWords
from engine.intake.workbook import Identity, questionnaire_xlsx
from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.rules.spec import load_rules
from tests.documents.test_text_keys import _recording

ROOT = Path(__file__).resolve().parents[2]
HOME_OF = ("engine.intake.rows", "engine.intake.text_keys")


def test_every_question_a_rule_asks_has_its_french_question() -> None:
    """A new missing_answer field needs its question and why in rules/texts/profile.yaml."""
    rules, _ = load_rules(ROOT / "rules")
    fields = {r.spec.then.finding.field for r in rules
              if r.spec.then.finding is not None and r.spec.then.finding.field}
    assert fields
    for field in sorted(fields):
        key = key_for(str(field))
        assert key is not None, field
        assert key.path in QUESTION_KEYS, field


def test_the_code_reads_every_intake_text() -> None:
    base = load_rulebase(ROOT / "rules")
    texts = _recording(base.texts)
    words = ProfileWords(texts)
    schema_text(texts)
    profile_reference(ROOT / "rules", texts)
    skeleton_text(words, Start("x", "X"), "../schema/profile.schema.json")
    profile = load_profile(ROOT / "tests" / "data" / "profiles" / "intake-undetermined.yaml")
    use_case = profile.use_cases[0]
    questions = [Question(k, None if k.path.startswith("client.") else use_case, ("Art. 4",),
                          COMPANY, None)
                 for k in all_keys() if (k.path in QUESTION_KEYS and k.depth <= 2)
                 or k.path == "client.employees"]  # a number: no rule asks one today
    rows = question_rows(texts, profile, questions)
    for consultant, firm in ((None, None), ("C", None), ("C", "F")):
        identity = Identity("x", "X", "x.yaml", dt.date(2026, 11, 26), consultant, firm,
                            dt.date(2026, 12, 10))
        questionnaire_xlsx(texts, identity, rows, len(questions))
    unread = sorted(set(INTAKE_TEXTS) - texts.read)
    assert unread == []
