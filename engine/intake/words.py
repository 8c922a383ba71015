"""The profile vocabulary in French, from ``rules/texts/profile.yaml``: labels of keys and
values, the questionnaire's questions, and French answers read back as profile values.

Why:
    The same words are written into the questionnaire and read back from it, so one class
    does both directions: what the director picked in a drop-down always maps back.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from engine.documents.texts import Texts
from engine.intake.keys import UNKNOWN, Key
from engine.intake.text_keys import QUESTION_KEYS, profile_key, value_key

_SPACES = re.compile(r"\s+")


def normalise(answer: str) -> str:
    """An answer as typed, compared loosely: case, accents' forms, apostrophes, spaces.

    >>> normalise("  Je ne sais  PAS. ")
    'je ne sais pas'
    >>> normalise("L’outil") == normalise("l'outil")
    True
    """
    text = unicodedata.normalize("NFC", answer).replace("\u2019", "'").replace("\u00a0", " ")
    return _SPACES.sub(" ", text).strip().rstrip(".").strip().casefold()


class ProfileWords:
    """Labels and questions of the profile keys, in the words of the texts."""

    def __init__(self, texts: Texts) -> None:
        self.texts = texts
        self.yes = texts.text("profile.answers.yes")
        self.no = texts.text("profile.answers.no")
        self.unknown = texts.text("profile.answers.unknown")
        self.dont_know = texts.text("profile.answers.dont_know")
        self.no_champion = texts.text("profile.answers.no_champion")

    def label(self, key: Key) -> str:
        return self.texts.text(profile_key(key.path, "label"))

    def help(self, key: Key) -> str:
        return self.texts.text(profile_key(key.path, "help"))

    def question(self, key: Key) -> str:
        """What the questionnaire asks (the label when the key has no question of its own)."""
        if key.path in QUESTION_KEYS:
            return self.texts.text(profile_key(key.path, "question"))
        return self.label(key)

    def why(self, key: Key) -> str:
        if key.path in QUESTION_KEYS:
            return self.texts.text(profile_key(key.path, "why"))
        return self.help(key)

    def value(self, key: Key, value: Any) -> str:
        """The French label of one allowed value of ``key`` (true, false, unknown, a code)."""
        if value is True:
            return self.yes
        if value is False:
            return self.no
        if value == UNKNOWN and key.vocabulary in (None, "training"):
            return self.unknown
        assert key.vocabulary is not None, (key.path, value)
        return self.texts.text(value_key(key.vocabulary, str(value)))

    def offered(self, key: Key) -> list[tuple[Any, str]]:
        """The answers a questionnaire offers for a one-choice key (``unknown`` left out: the
        director's "I don't know" leaves the key unanswered instead)."""
        values = [v for v in key.values if not (v == UNKNOWN and True in key.values)]
        return [(v, self.value(key, v)) for v in values]

    def parse_choice(self, key: Key, answer: str) -> tuple[bool, Any]:
        """``(True, value)`` for an offered answer (its label or its code), ``(False, None)``
        for "I don't know"; ValueError for anything else."""
        wanted = normalise(answer)
        if wanted == normalise(self.dont_know):
            return False, None
        for value, label in self.offered(key):
            if wanted in (normalise(label), normalise(str(value)).replace("_", " "),
                          normalise(str(value))):
                return True, value
        raise ValueError(answer)

    def parse_yes_no(self, answer: str | bool) -> bool | None:
        """Oui -> True, Non -> False, Je ne sais pas -> None (a spreadsheet's TRUE/FALSE and the
        codes true/false too); ValueError for anything else."""
        if isinstance(answer, bool):
            return answer
        wanted = normalise(answer)
        table = {normalise(self.yes): True, normalise(self.no): False,
                 normalise(self.dont_know): None, "true": True, "false": False}
        if wanted not in table:
            raise ValueError(answer)
        return table[wanted]
