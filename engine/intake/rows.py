"""The rows of the questionnaire: each open question as the director reads it.

A yes/no or one-choice question is one row with a drop-down; a question with several possible
values (capabilities, purposes, affected persons...) is a heading row followed by one row per
value, each answered Oui or Non, so a director ticks what applies without typing codes; a block
(the director's name, title and civility) is a heading row and one row per key.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.assessment.assess import natural_key
from engine.documents.texts import Texts
from engine.intake.keys import Key, children
from engine.intake.questions import Question
from engine.intake.words import ProfileWords
from engine.profile.model import Profile

YES_NO = "yes_no"
CHAMPION = "champion"


@dataclass(frozen=True)
class Row:
    """One line of the questions sheet."""

    number: str                   # the question's number, on its first row only
    subject: str                  # the use case (and its tool), or the company
    question: str
    why: str
    answers: str                  # the "possible answers" column
    key: str                      # hidden: the key path the row answers ("" for a heading)
    value: str = ""               # hidden: the value an option row says yes or no to
    choices: tuple[str, ...] = ()  # the drop-down's answers (empty: free text, or a heading)
    strict: bool = True           # refuse an answer outside the drop-down
    heading: bool = False         # a question's heading: nothing to answer on this row


class RowMaker:
    """Turns questions into rows, in the words of the texts."""

    def __init__(self, texts: Texts, profile: Profile) -> None:
        self.texts = texts
        self.words = ProfileWords(texts)
        self.profile = profile
        self.prefixes = tuple(texts.mapping("questionnaire.reference_prefixes").items())
        self.replacements = tuple(texts.mapping("facts.references.words").items())
        self.yes_no = (self.words.yes, self.words.no, self.words.dont_know)

    def t(self, key: str, **values: str) -> str:
        return self.texts.text(f"questionnaire.{key}", **values)

    def reference(self, reference: str) -> str:
        """A canonical reference as a director reads it: the law named, in French."""
        text = reference
        for prefix, french in self.prefixes:
            if text.startswith(prefix):
                text = french + text[len(prefix):]
                break
        for word, french in self.replacements:
            text = text.replace(word, french)
        return text

    def why(self, key: Key, question: Question) -> str:
        references = sorted(set(question.references), key=natural_key)
        shown = "; ".join(self.reference(r) for r in references)
        text = self.words.why(key)
        return f"{text}\n{self.t('references', references=shown)}" if shown else text

    def subject(self, question: Question) -> str:
        use_case = question.use_case
        if use_case is None:
            return self.t("company")
        vendor = self.profile.vendor(use_case.vendor)
        return f"{use_case.title} ({vendor.label})" if vendor else use_case.title

    def choice_answers(self, key: Key) -> tuple[str, tuple[str, ...]]:
        labels = tuple(label for _, label in self.words.offered(key))
        shown = "\n".join(f"- {label}" for label in (*labels, self.words.dont_know))
        return f"{self.t('answers.choose')}\n{shown}", (*labels, self.words.dont_know)

    def rows(self, number: int, question: Question) -> list[Row]:
        key = question.key
        base = Head(str(number), self.subject(question), self.words.question(key),
                    self.why(key, question))
        target = question.target
        if key.kind == "multi":
            head = base.row(self.t("answers.each_line"), target, heading=True)
            return [head, *(Head("", "", self.t("option", value=self.words.value(key, value)),
                                 "").row(self.t("answers.line"), target, str(value),
                                         self.yes_no) for value in key.values)]
        if key.kind == "section":
            head = base.row("", target, heading=True)
            return [head, *(self._single(
                Head("", "", self.t("option", value=self.words.question(sub)), ""), sub,
                f"{target}.{sub.name}") for sub in children(key.path))]
        return [self._single(base, key, target)]

    def _single(self, base: Head, key: Key, target: str) -> Row:
        if key.kind == "bool":
            return base.row(self.t("answers.yes_no"), target, choices=self.yes_no)
        if key.kind == "choice":
            answers, choices = self.choice_answers(key)
            return base.row(answers, target, choices=choices)
        if key.kind == "champion":
            return base.row(self.t("answers.name_or_none", none=self.words.no_champion), target,
                            choices=(self.words.no_champion, self.words.dont_know),
                            strict=False)
        kind = {"integer": "number", "number": "number", "date": "date"}.get(key.kind, "text")
        return base.row(self.t(f"answers.{kind}"), target, choices=(self.words.dont_know,),
                        strict=False)


@dataclass(frozen=True)
class Head:
    """The first four columns of a row."""

    number: str
    subject: str
    question: str
    why: str

    def row(self, answers: str, key: str, value: str = "", choices: tuple[str, ...] = (), *,
            strict: bool = True, heading: bool = False) -> Row:
        return Row(self.number, self.subject, self.question, self.why, answers, key, value,
                   choices, strict, heading)


def question_rows(texts: Texts, profile: Profile, questions: list[Question]) -> list[Row]:
    """Every row of the questions sheet, numbered by question."""
    maker = RowMaker(texts, profile)
    return [row for number, q in enumerate(questions, 1) for row in maker.rows(number, q)]
