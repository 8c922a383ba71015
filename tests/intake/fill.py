"""Fill a questionnaire as a director would, with openpyxl (real files, no mocks)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

QUESTIONS = "Questions"
ANSWER, KEY, VALUE, POSSIBLE, QUESTION = 6, 7, 8, 5, 3


def rows(path: Path) -> list[dict[str, object]]:
    """Every row of the questions sheet: its number, key, value, possible answers, answer."""
    sheet = load_workbook(path)[QUESTIONS]
    return [{"row": r, "number": sheet.cell(r, 1).value, "question": sheet.cell(r, QUESTION).value,
             "possible": sheet.cell(r, POSSIBLE).value, "key": sheet.cell(r, KEY).value,
             "value": sheet.cell(r, VALUE).value, "answer": sheet.cell(r, ANSWER).value}
            for r in range(2, sheet.max_row + 1)]


def fill(path: Path, answer: Callable[[str, str], str | None], out: Path | None = None) -> Path:
    """Write ``answer(key, value)`` into each answer cell (None: leave it empty); save to
    ``out`` (default: in place). ``value`` is the option of a list's row, else ""."""
    book = load_workbook(path)
    sheet = book[QUESTIONS]
    for r in range(2, sheet.max_row + 1):
        key, value = sheet.cell(r, KEY).value, sheet.cell(r, VALUE).value or ""
        if not key or sheet.cell(r, ANSWER).protection.locked:
            continue
        given = answer(str(key), str(value))
        if given is not None:
            sheet.cell(r, ANSWER).value = given
    target = out or path
    book.save(target)
    return target


def sensible(key: str, value: str) -> str | None:
    """The answers of a small bakery: a customer chatbot that writes text, a CV tool that
    takes part in the choice of candidates; nothing prohibited, no profiling."""
    ticked = {"conversational_agent", "customer_support", "customers", "text"}
    if value:
        return "Oui" if value in ticked else None  # an empty row of a list counts as Non
    answers = {
        "role": "Déployeur : nous utilisons l'outil tel que l'éditeur le fournit",
        "art_6_3_condition": ("Aucune de ces descriptions (l'outil participe à l'évaluation ou "
                              "à la décision)"),
        "ai_champion": "Julie Petit",
        "staff_ai_training": "Oui",
        "title": "Gérant",
        "civility": "Monsieur",
        "name": "Paul Dupain",
    }
    return answers.get(key.rpartition(".")[2], "Non")
