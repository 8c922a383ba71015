"""The facts behind a finding and the missing answers, as the client reads them.

A finding's provenance names profile facts by their path (``use_cases[0].system.purposes =
recruitment``): right for the consultant's working file and ``assessment.json``, never for a
document the client receives. Here each fact reads with the French label of its key and of its
values, both from ``rules/texts/profile.yaml`` (the purposes key and its recruitment value,
by their French labels). Conclusions the rules drew on the way (derived facts) and counts
computed by the engine (``vendors[x].used_by_n``) are left to the working file.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, get_args

from engine.assessment.findings import DERIVED, FactWords
from engine.documents.formatting import date_fr, list_fr, number_fr
from engine.documents.texts import Texts
from engine.intake.keys import UNKNOWN, VOCABULARIES, Key, by_path, key_for
from engine.intake.text_keys import profile_key, value_key

_INDEX = re.compile(r"\[[^\]]*\]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def fact_key(path: str) -> Key | None:
    """The profile key of a fact path: ``use_cases[0].system.purposes`` ->
    ``use_cases.system.purposes``; ``None`` for what is not a profile key."""
    return by_path().get(_INDEX.sub("", path))


def key_label(texts: Texts, field: str) -> str:
    """The French label of a key a rule names (``system.generated_media``), else ``field``."""
    key = key_for(field) or fact_key(field)
    return texts.text(profile_key(key.path, "label")) if key else field


def value_label(texts: Texts, words: FactWords, key: Key, value: Any) -> str:
    """A fact's value in French: the label of a code, yes/no, a date, a number, a list."""
    if isinstance(value, list):
        return list_fr([value_label(texts, words, key, v) for v in value]) or words.empty_list
    if isinstance(value, str) and key.vocabulary and value in get_args(
            VOCABULARIES[key.vocabulary]):
        # a drop-down label may explain itself after a colon: only the part before it
        return texts.text(value_key(key.vocabulary, value)).split(" : ")[0]
    if value == UNKNOWN:
        return words.unknown
    if isinstance(value, str) and _DATE.fullmatch(value):
        return date_fr(dt.date.fromisoformat(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_fr(value)
    return words.show(value)


def facts_text(texts: Texts, words: FactWords, because: dict[str, Any]) -> str:
    """The client's own answers behind a finding: ``<key label> : <value label> ; ...``."""
    parts = []
    for path, value in because.items():
        if path.startswith(DERIVED):
            continue
        key = fact_key(path)
        if key is None:
            continue
        label = texts.text(profile_key(key.path, "label"))
        parts.append(texts.text("facts.answer", question=label,
                                answer=value_label(texts, words, key, value)))
    return " ; ".join(dict.fromkeys(parts))
