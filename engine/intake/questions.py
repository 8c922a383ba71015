"""The questions still open for one client, taken from its assessment (never re-derived).

A question is a profile key some rule's ``missing_answer`` finding names: for a use case, the
keys that leave its tier undetermined (``missing``) and those that change duties only
(``to_complete``); for the company, the client-level questions (staff training, works council,
AI champion, director) and the client keys a use case's rule asks (``public_body``). Each key is
asked once, with the references of every rule that asked it.

Order: what decides a tier first (the questions whose answer could give the most severe tier
first: a prohibition before a high risk before a transparency duty), then the questions that
change duties only, then those on the company; within each, use cases in the profile's order
and keys in the vocabulary's order. A use case that is a prohibited practice in force is not
asked about: it must stop, and its duties are moot (the report says so).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.assessment.assess import Assessment, UseCaseAssessment
from engine.intake.keys import Key, all_keys, key_for
from engine.profile.model import UseCase
from engine.rules.types import TIER_ORDER

DECIDES_TIER, DUTIES_ONLY, COMPANY = 0, 1, 2


@dataclass(frozen=True)
class Question:
    """One open key of the profile, as the questionnaire asks it."""

    key: Key
    use_case: UseCase | None  # None: a question on the company
    references: tuple[str, ...]
    group: int                # DECIDES_TIER, DUTIES_ONLY or COMPANY
    reach: str | None         # the most severe tier an answer could give (None: duties only)

    @property
    def target(self) -> str:
        """The key path, the use case named by its id: ``use_cases[tri-cv].system.profiling``."""
        if self.use_case is None:
            return self.key.path
        return f"use_cases[{self.use_case.id}]" + self.key.path.removeprefix("use_cases")


def _rank(tier: str | None) -> int:
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else 0


def _stopped(u: UseCaseAssessment) -> bool:
    """A prohibited practice whose prohibition is in force (nothing left to ask about it)."""
    return u.tier == "unacceptable" and any(
        o.reference.startswith("Art. 5") and o.in_force for o in u.obligations)


def open_questions(assessment: Assessment) -> list[Question]:
    """Every open question of ``assessment``, in the order the questionnaire asks them."""
    order = {key.path: index for index, key in enumerate(all_keys())}
    found: dict[tuple[str, str], Question] = {}  # (use case id or "", key path) -> question

    def add(use_case: UseCase | None, field: str, references: tuple[str, ...],
            group: int, reach: str | None) -> None:
        key = key_for(field)
        if key is None:  # a rule asks a key the model lacks: lint refuses it; be safe
            return
        subject = None if key.path.startswith("client.") else use_case
        slot = ("" if subject is None else subject.id, key.path)
        group = COMPANY if subject is None else group
        known = found.get(slot)
        if known is not None:
            references = tuple(dict.fromkeys((*known.references, *references)))
            group = min(group, known.group)
            reach = max((reach, known.reach), key=_rank) if reach or known.reach else None
        found[slot] = Question(key, subject, references, group, reach)

    for u in assessment.use_cases:
        if _stopped(u):  # a prohibition in force: the use stops, its duties are moot
            continue
        for f in u.findings:
            spec = f.spec
            if spec is None or spec.kind != "missing_answer" or not spec.field:
                continue
            decides = spec.field in u.missing
            add(u.use_case, spec.field, f.provenance.references,
                DECIDES_TIER if decides else DUTIES_ONLY, spec.tier if decides else None)
    for f in assessment.client_findings():
        if f.spec is not None and f.spec.kind == "missing_answer" and f.spec.field:
            add(None, f.spec.field, f.provenance.references, COMPANY, None)
    index = {u.use_case.id: i for i, u in enumerate(assessment.use_cases)}
    return sorted(found.values(), key=lambda q: (
        q.group, -_rank(q.reach), index.get(q.use_case.id, -1) if q.use_case else -1,
        order[q.key.path]))
