"""The texts the intake stage reads from ``rules/texts/`` (``profile.yaml``,
``questionnaire.yaml``), declared from the model so that every key and value has its French.

Merged into :data:`engine.documents.text_keys.SCHEMA`, so ``iapme rules lint`` reports a key or a
value of the profile without its label, a text no key has, and an unknown placeholder.
"""

from __future__ import annotations

import typing

from engine.documents.texts import MAPPING, TextSpec, lines, text
from engine.intake.keys import VOCABULARIES, all_keys

# Keys the questionnaire can ask: each has a ``question`` and a ``why``.
QUESTION_KEYS: frozenset[str] = frozenset(
    {k.path for k in all_keys()
     if k.path.startswith("use_cases.system.") and k.path != "use_cases.system.ai_system"}
    | {"use_cases.role", "client.director", "client.director.name", "client.director.title",
       "client.director.civility", "client.ai_champion", "client.staff_ai_training",
       "client.works_council", "client.public_body", "client.public_service"})
ANSWERS = ("yes", "no", "unknown", "dont_know", "no_champion")


def profile_key(path: str, part: str) -> str:
    """``profile_key("client.name", "label")`` -> ``profile.keys.client.name.label``."""
    return f"profile.keys.{path}.{part}"


def value_key(vocabulary: str, code: str) -> str:
    return f"profile.values.{vocabulary}.{code}"


def _profile() -> dict[str, TextSpec]:
    out: dict[str, TextSpec] = {f"profile.answers.{a}": text() for a in ANSWERS}
    out.update({f"profile.schema.{part}": text() for part in ("title", "description")})
    out["profile.skeleton.header"] = lines()
    out.update({f"profile.skeleton.{part}": text() for part in (
        "replace", "use_case_title", "one_of", "list_of", "vendors", "block", "name_or_false",
        "date")})
    for key in all_keys():
        parts = ("label", "help", "question", "why") if key.path in QUESTION_KEYS else (
            "label", "help")
        out.update({profile_key(key.path, part): text() for part in parts})
    for name, literal in VOCABULARIES.items():
        out.update({value_key(name, code): text() for code in typing.get_args(literal)})
    return out


Q = "questionnaire."
QUESTIONNAIRE: dict[str, TextSpec] = {
    **{f"{Q}sheets.{s}": text() for s in ("instructions", "questions", "lists")},
    f"{Q}title": text(),
    f"{Q}client": text("client"),
    f"{Q}prepared.firm": text("date", "name", "firm"),
    f"{Q}prepared.consultant": text("date", "name"),
    f"{Q}prepared.nobody": text("date"),
    **{f"{Q}headings.{h}": text() for h in ("why", "how", "send")},
    f"{Q}intro": lines("count", "sheet"),
    f"{Q}how": lines("sheet", "subject", "answer"),
    f"{Q}send.consultant": text("name", "date"),
    f"{Q}send.nobody": text("date"),
    f"{Q}send.later": text(),
    **{f"{Q}columns.{c}": text() for c in ("number", "subject", "question", "why", "answers",
                                          "answer", "key", "value")},
    f"{Q}company": text(),
    f"{Q}option": text("value"),
    f"{Q}references": text("references"),
    f"{Q}reference_prefixes": MAPPING,
    **{f"{Q}answers.{a}": text() for a in ("yes_no", "choose", "each_line", "line", "text",
                                          "number", "date", "not_here")},
    f"{Q}answers.name_or_none": text("none"),
    f"{Q}validation.title": text(),
    f"{Q}validation.message": text(),
    f"{Q}footer": text("client", "date", "page", "pages"),
}

INTAKE_TEXTS: dict[str, TextSpec] = {**_profile(), **QUESTIONNAIRE}
