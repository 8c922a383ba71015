"""A filled questionnaire read back: each French answer mapped to a profile value.

Every row is checked before anything is merged; an answer that is not one of the row's
allowed answers is reported with its sheet, row, question and the answers allowed, all in one
pass. "Je ne sais pas" (or an empty cell) leaves the key unanswered. A question with several
possible values is answered when at least one of its rows is: a row left empty then counts as
"Non"; one "Je ne sais pas" among them leaves the whole list unanswered (a list is answered
whole or not at all).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.documents.texts import Texts
from engine.errors import AnswersError, Issue, Location
from engine.intake.keys import Key, by_path
from engine.intake.merge import Change
from engine.intake.words import ProfileWords, normalise
from engine.intake.workbook import ANSWER_COLUMN, FORMAT, KEY_COLUMN, META, VALUE_COLUMN

NUMBER_COLUMN, QUESTION_COLUMN = 1, 3
MAX_BYTES = 10_000_000       # a questionnaire is a few tens of kB
MAX_UNPACKED = 100_000_000
_TARGET = re.compile(r"^use_cases\[(?P<id>[^\]]+)\]\.(?P<rest>.+)$")
_NUMBER = re.compile(r"^[0-9][0-9 \u00a0\u202f]*(?:[.,][0-9]+)?$")
_FRENCH_DATE = re.compile(r"^(?P<d>[0-9]{1,2})/(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})$")


@dataclass(frozen=True)
class Answer:
    """One row of the filled sheet."""

    row: int
    target: str        # the hidden key path
    value: str         # the hidden value (a list's option), or ""
    question: str
    answer: Any        # the cell as read (None when empty)


@dataclass
class Filled:
    """A filled questionnaire: who it is for, and its rows."""

    path: str
    sheet: str
    identity: dict[str, str]
    answers: list[Answer] = field(default_factory=list)

    @property
    def client_id(self) -> str:
        return self.identity.get("client_id", "")


def read_filled(path: Path, texts: Texts) -> Filled:
    """Read the rows of a questionnaire made by ``iapme questionnaire``.

    Raises:
        AnswersError: not a workbook, or not one of our questionnaires.
    """
    from openpyxl import load_workbook

    shown = str(path)
    if not path.is_file():
        raise AnswersError.at(shown, "no such file")
    _check_size(path, shown)
    try:
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise AnswersError.at(shown, f"not an Excel workbook (.xlsx) this tool can read: {exc}"
                              ) from None
    names = {k: texts.text(f"questionnaire.sheets.{k}") for k in ("questions", "lists")}
    missing = [n for n in names.values() if n not in book.sheetnames]
    if missing:
        raise AnswersError.at(shown, (
            f"no sheet '{missing[0]}': this is not a questionnaire written by iapme "
            f"questionnaire, or its sheets were renamed (sheets: {', '.join(book.sheetnames)})"))
    lists = book[names["lists"]]
    identity = {str(lists.cell(row=i, column=1).value): str(lists.cell(row=i, column=2).value)
                for i in range(1, len(META) + 1)}
    if identity.get("format") != FORMAT:
        raise AnswersError.at(shown, f"sheet '{names['lists']}' does not identify an iapme "
                                     f"questionnaire (expected {FORMAT})")
    sheet = book[names["questions"]]
    filled = Filled(shown, names["questions"], identity)
    heading = ""
    for row in range(2, sheet.max_row + 1):
        target = sheet.cell(row=row, column=KEY_COLUMN).value
        question = str(sheet.cell(row=row, column=QUESTION_COLUMN).value or "").strip()
        value = sheet.cell(row=row, column=VALUE_COLUMN).value
        if sheet.cell(row=row, column=NUMBER_COLUMN).value not in (None, ""):
            heading, shown = question, question  # a question's first row
        else:
            shown = f"{heading} {question}"  # one of its values, or a key of its block
        if not target:
            continue
        filled.answers.append(Answer(row, str(target), str(value or ""), shown,
                                     sheet.cell(row=row, column=ANSWER_COLUMN).value))
    return filled


def _check_size(path: Path, shown: str) -> None:
    """Refuse a file too large for a questionnaire, or one that would unpack to much more (a
    filled questionnaire comes from outside: never let it fill the memory)."""
    if path.stat().st_size > MAX_BYTES:
        raise AnswersError.at(shown, f"the file is larger than {MAX_BYTES // 10**6} MB; this is "
                                     "not a questionnaire")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise AnswersError.at(shown, f"not an Excel workbook (.xlsx) this tool can read: {exc}"
                              ) from None
    if unpacked > MAX_UNPACKED:
        raise AnswersError.at(shown, "the workbook unpacks to more than "
                                     f"{MAX_UNPACKED // 10**6} MB; this is not a questionnaire")


def _split(target: str) -> tuple[str | None, str]:
    """``use_cases[tri-cv].system.x`` -> ("tri-cv", "use_cases.system.x")."""
    match = _TARGET.match(target)
    if match:
        return match["id"], f"use_cases.{match['rest']}"
    return None, target


class _Reader:
    def __init__(self, filled: Filled, words: ProfileWords) -> None:
        self.filled = filled
        self.words = words
        self.issues: list[Issue] = []

    def refuse(self, answer: Answer, allowed: str) -> None:
        shown = str(answer.answer).strip()
        self.issues.append(Issue(Location(self.filled.path), (
            f"sheet '{self.filled.sheet}', row {answer.row}: « {answer.question.strip()} »: "
            f"'{shown}' is not an allowed answer; answer {allowed}")))

    def choices(self, key: Key) -> str:
        labels = [label for _, label in self.words.offered(key)] + [self.words.dont_know]
        return " / ".join(f"« {label} »" for label in labels)

    def one(self, key: Key, answer: Answer) -> tuple[bool, Any]:
        """(answered, value) of a single row."""
        cell = answer.answer
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return False, None
        text = str(cell).strip()
        if normalise(text) == normalise(self.words.dont_know):
            return False, None
        try:
            return self._parse(key, cell, text)
        except ValueError:
            self.refuse(answer, self._allowed(key))
            return False, None

    def _allowed(self, key: Key) -> str:
        if key.kind in ("bool", "choice"):
            return self.choices(key)
        if key.kind == "champion":
            return f"a name, or « {self.words.no_champion} » / « {self.words.dont_know} »"
        if key.kind in ("integer", "number"):
            return "a number written in digits"
        return "a date written dd/mm/yyyy"

    def _parse(self, key: Key, cell: Any, text: str) -> tuple[bool, Any]:
        if key.kind == "bool":
            value = self.words.parse_yes_no(cell if isinstance(cell, bool) else text)
            return value is not None, value
        if key.kind == "choice" and isinstance(cell, bool) and cell in key.values:
            return True, cell
        if key.kind == "choice":
            return self.words.parse_choice(key, text)
        if key.kind == "champion":
            if normalise(text) == normalise(self.words.no_champion):
                return True, False
            return True, text
        if key.kind in ("integer", "number"):
            return True, _number(cell, text, whole=key.kind == "integer")
        if key.kind == "date":
            return True, _date(cell, text)
        return True, text

    def option(self, key: Key, answer: Answer) -> bool | None:
        """Oui -> True, Non or empty -> False (decided by the caller), JNSP -> None."""
        cell = answer.answer
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return False
        try:
            return self.words.parse_yes_no(cell if isinstance(cell, bool) else str(cell))
        except ValueError:
            self.refuse(answer, " / ".join(f"« {w} »" for w in (
                self.words.yes, self.words.no, self.words.dont_know)))
            return None


def _number(cell: Any, text: str, *, whole: bool) -> int | float:
    if isinstance(cell, bool):
        raise ValueError(text)
    if isinstance(cell, int | float):
        number: float = cell
    elif _NUMBER.match(text):
        number = float(re.sub(r"[ \u00a0\u202f]", "", text).replace(",", "."))
    else:
        raise ValueError(text)
    if whole:
        if not float(number).is_integer():
            raise ValueError(text)
        return int(number)
    return number


def _date(cell: Any, text: str) -> str:
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    match = _FRENCH_DATE.match(text)
    try:
        if match:
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(text) from None


@dataclass
class Decoded:
    """What the rows say: the answers (use case id or None, key path, value) and the rows of
    each (for messages), and the lists left open by a "Je ne sais pas"."""

    answers: list[tuple[str | None, str, Any, list[Answer]]] = field(default_factory=list)
    open_lists: list[str] = field(default_factory=list)


def decode(filled: Filled, words: ProfileWords) -> Decoded:
    """Map every row to a value; raise AnswersError listing every invalid answer."""
    reader = _Reader(filled, words)
    keys = by_path()
    groups: dict[str, list[Answer]] = {}
    for answer in filled.answers:
        groups.setdefault(answer.target, []).append(answer)
    out = Decoded()
    for target, rows in groups.items():
        use_case, path = _split(target)
        key = keys.get(path)
        if key is None:
            reader.issues.append(Issue(Location(filled.path), (
                f"sheet '{filled.sheet}', row {rows[0].row}: the hidden key '{target}' is not "
                "a profile key (the sheet was edited)")))
            continue
        options = [r for r in rows if r.value]
        if key.kind == "multi":
            ticks = {r.value: reader.option(key, r) for r in options}
            unknown = [r for r in options if r.value not in {str(v) for v in key.values}]
            for r in unknown:
                reader.issues.append(Issue(Location(filled.path), (
                    f"sheet '{filled.sheet}', row {r.row}: the hidden value '{r.value}' is not "
                    f"one of the values of {path} (the sheet was edited)")))
            given = [r for r in options if str(r.answer or "").strip()]
            if not given or unknown:
                continue
            if None in ticks.values():
                out.open_lists.append(target)
                continue
            ticked = [v for v in key.values if ticks.get(str(v))]
            out.answers.append((use_case, path, ticked, options))
        elif key.kind != "section":
            for row in rows:
                answered, single = reader.one(key, row)
                if answered:
                    out.answers.append((use_case, path, single, [row]))
    if reader.issues:
        raise AnswersError.of(reader.issues, summary=(
            f"{filled.path}: {len(reader.issues)} answer(s) cannot be read; nothing was "
            "changed:"))
    return out


def to_changes(decoded: Decoded, use_case_index: dict[str, int]) -> list[tuple[Change,
                                                                            list[Answer]]]:
    """The answers as changes of the profile's YAML (use cases found by their id)."""
    out: list[tuple[Change, list[Answer]]] = []
    for use_case, path, value, rows in decoded.answers:
        parts: list[str | int] = list(path.split("."))
        if use_case is not None:
            parts = ["use_cases", use_case_index[use_case], *parts[1:]]
        out.append((Change(tuple(parts), value), rows))
    return out
