"""``undetermined`` exactly when an unanswered key could still change the tier (SPEC v2 §2.1).

For many profiles (every YAML rule case, and variants of them with answered AI Act keys
removed), the possible answers of every unanswered AI Act key of a use case are enumerated: every
value of a boolean or closed enumeration, and for lists the empty list and representative values
(each value on its own, the values the rules test among them, and a few pairs). The tier the
engine gives is checked against those completions:

* ``undetermined``: some two completions give different tiers;
* any other tier: every completion gives that very tier.

Completions are all listed when they are few (up to :data:`FULL_PRODUCT`), searched otherwise (a
use case with every key unanswered has billions): a few base completions (all "nothing to
report", then seeded random ones), each with every single key set to each of its candidate
values, plus seeded random joint completions. A completion the profile validation refuses
(answers that contradict each other) is skipped.

Keys with a documented default are not unanswered: ``system.ai_system`` (absent: an AI system),
``system.emotions_inferred_of`` (absent: every affected person), ``system.on_market_since``
(absent: not on the market before 2 Aug 2026, a date of duties only).

``IAPME_UNDETERMINED_VARIANTS`` (default 100) sets how many generated variants are checked and
``IAPME_UNDETERMINED_SEED`` the seed; a larger run explores more (used while writing the rules).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from engine.profile.model import Profile, System, UseCase, allowed_values, unwrap
from engine.profile.validate import profile_from_doc
from engine.profile.yamlio import YamlDoc
from engine.rules.base import RuleBase, load_rulebase
from engine.rules.cases import DEFAULT_AS_OF, RuleCase, _profile, load_cases
from engine.rules.timeline import load_timeline
from engine.run.pipeline import assess_profile

RULES = Path(__file__).resolve().parents[2] / "rules"
DEFAULTED = frozenset({"ai_system", "emotions_inferred_of", "on_market_since"})
VARIANTS = int(os.environ.get("IAPME_UNDETERMINED_VARIANTS", "100"))
SEED = int(os.environ.get("IAPME_UNDETERMINED_SEED", "12"))
RANDOM_JOINT = 24
RANDOM_BASES = 3
REPAIRS = 30  # an invalid completion: redraw the other keys this many times to make it valid
FULL_PRODUCT = 4000  # fewer completions than this: all of them are tried
# List values worth trying together (each value is also tried alone).
PAIRS: dict[str, list[list[str]]] = {
    "affected_persons": [["customers", "employees"], ["business_contacts", "customers"]],
    "capabilities": [["emotion_recognition", "monitoring_people"],
                     ["conversational_agent", "ranking_people"]],
    "purposes": [["recruitment", "fraud_detection"], ["creditworthiness", "fraud_detection"]],
    "generated_media": [["text", "image"]],
    "inferred_attributes": [["age", "health"], ["race_ethnicity", "health"]],
}


def _keys() -> dict[str, list[Any]]:
    """Every AI Act key of a use case the tier may turn on, with its candidate answers."""
    keys: dict[str, list[Any]] = {}
    for name, info in System.model_fields.items():
        if name in DEFAULTED:
            continue
        members = unwrap(info.annotation)
        lists = [m for m in members if typing.get_origin(m) is list]
        if lists:
            items = allowed_values(typing.get_args(lists[0])[0]) or []
            keys[f"system.{name}"] = [[], *([v] for v in items), *PAIRS.get(name, [])]
        elif dt.date in members:
            continue
        else:
            keys[f"system.{name}"] = list(allowed_values(info.annotation) or [])
    # Only asked of a safety component: left open is an answer too (refused otherwise).
    keys["system.annex_i_section"].insert(0, None)
    keys["role"] = list(allowed_values(UseCase.model_fields["role"].annotation) or [])
    return keys


KEYS = _keys()
QUIET: dict[str, Any] = {  # the "nothing to report" answer of each key
    **{key: False for key, values in KEYS.items() if values and values[0] in (True, False)},
    **{key: [] for key, values in KEYS.items() if values and values[0] == []},
    "system.art_6_3_condition": "narrow_procedural_task",
    "system.annex_i_section": None,  # meaningful only with a safety component: left open
    "role": "deployer",
}


@dataclass(frozen=True)
class Subject:
    """One use case of one profile, at one legal date."""

    name: str
    profile: Profile
    index: int
    as_of: dt.date


def _get(use_case: UseCase, key: str) -> Any:
    if key == "role":
        return use_case.role
    return getattr(use_case.system, key.removeprefix("system."))


def _with(profile: Profile, index: int, answers: dict[str, Any]) -> Profile | None:
    """``profile`` with these answers (None: unset) in use case ``index``, or None if invalid."""
    use_case = profile.use_cases[index]
    system = use_case.system.model_dump(exclude_none=True)
    role = use_case.role
    for key, value in answers.items():
        if key == "role":
            role = value
        elif value is None:
            system.pop(key.removeprefix("system."), None)
        else:
            system[key.removeprefix("system.")] = value
    try:
        new_system = System.model_validate(system)
    except ValidationError:
        return None
    new_case = use_case.model_copy(update={"system": new_system, "role": role})
    cases = list(profile.use_cases)
    cases[index] = new_case
    return profile.model_copy(update={"use_cases": cases})


class Oracle:
    """Tiers of use cases, computed once per distinct profile."""

    def __init__(self, rulebase: RuleBase) -> None:
        self.rulebase = rulebase
        self.seen: dict[tuple[str, str, int], str] = {}

    def tier(self, profile: Profile, index: int, as_of: dt.date) -> str:
        key = (profile.model_dump_json(), as_of.isoformat(), index)
        if key not in self.seen:
            result = assess_profile(profile, self.rulebase, as_of)
            self.seen[key] = result.use_cases[index].tier
        return self.seen[key]


def _completions(subject: Subject, rng: random.Random) -> list[dict[str, Any]]:
    use_case = subject.profile.use_cases[subject.index]
    open_keys = [k for k in KEYS if _get(use_case, k) is None]
    if not open_keys:
        return []
    size = 1
    for key in open_keys:
        size *= len(KEYS[key])
    if size <= FULL_PRODUCT:
        return [dict(zip(open_keys, values, strict=True))
                for values in itertools.product(*(KEYS[k] for k in open_keys))]
    bases = [{k: QUIET[k] for k in open_keys}]
    bases += [{k: rng.choice(KEYS[k]) for k in open_keys} for _ in range(RANDOM_BASES)]
    out: list[dict[str, Any]] = []
    for base in bases:
        out.append(base)
        for key in open_keys:
            out.extend({**base, key: value} for value in KEYS[key] if value != base[key])
    out += [{k: rng.choice(KEYS[k]) for k in open_keys} for _ in range(RANDOM_JOINT)]
    return out


def _valid(subject: Subject, answers: dict[str, Any], rng: random.Random) -> Profile | None:
    """The completed profile; when the answers contradict each other, the same answer for the
    key that was varied with the other keys redrawn (so that ``sexual_deepfakes: true`` is tried
    with a medium that allows it)."""
    completed = _with(subject.profile, subject.index, answers)
    keys = list(answers)
    for _ in range(REPAIRS if completed is None else 0):
        kept = rng.choice(keys)
        trial = {k: (v if k == kept else rng.choice(KEYS[k])) for k, v in answers.items()}
        completed = _with(subject.profile, subject.index, trial)
        if completed is not None:
            break
    return completed


def check(subject: Subject, oracle: Oracle, rng: random.Random) -> str | None:
    """What is wrong with the subject's tier, or None."""
    tier = oracle.tier(subject.profile, subject.index, subject.as_of)
    seen: dict[str, dict[str, Any]] = {}
    for answers in _completions(subject, rng):
        completed = _valid(subject, answers, rng)
        if completed is None:
            continue
        got = oracle.tier(completed, subject.index, subject.as_of)
        seen.setdefault(got, answers)
        if tier != "undetermined" and got != tier:
            return (f"{subject.name}: tier {tier}, but answering {_short(answers)} gives {got}")
        if tier == "undetermined" and len(seen) > 1:
            return None
    if tier == "undetermined":
        if not seen:
            return None  # no valid completion: nothing to compare
        return f"{subject.name}: undetermined, but every completion found gives {next(iter(seen))}"
    return None


def _short(answers: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in answers.items())


TIMELINE = load_timeline(Path(__file__).resolve().parents[2] / "rules")[0]


def _case_profiles(cases: list[RuleCase]) -> list[tuple[str, Profile, dt.date]]:
    out = []
    for case in cases:
        data = case.data if isinstance(case.data, dict) else {}
        doc = YamlDoc(case.doc.path, _profile(data.get("profile") or {}, case.defaults),
                      case.doc.positions)
        try:
            profile = profile_from_doc(doc, default_id="test-client")
        except Exception:  # a broken case fails in test_cases.py, not here
            continue
        as_of = TIMELINE.resolve(data.get("as_of", DEFAULT_AS_OF))  # a date or its name
        out.append((case.id, profile, as_of))
    return out


def subjects(variants: int = VARIANTS, seed: int = SEED) -> list[Subject]:
    """The rule cases' use cases, and ``variants`` of them with one to three keys unset."""
    rng = random.Random(seed)
    base: list[Subject] = []
    for name, profile, as_of in _case_profiles(load_cases(RULES)):
        base.extend(Subject(f"{name}[{u.id}]", profile, i, as_of)
                    for i, u in enumerate(profile.use_cases))
    generated: list[Subject] = []
    pool = list(base)
    while pool and len(generated) < variants:
        subject = rng.choice(pool)
        use_case = subject.profile.use_cases[subject.index]
        answered = [k for k in KEYS if _get(use_case, k) is not None]
        if not answered:
            continue
        drop = rng.sample(answered, k=min(len(answered), rng.choice((1, 1, 2, 3))))
        profile = _with(subject.profile, subject.index, dict.fromkeys(drop))
        if profile is not None:
            generated.append(Subject(f"{subject.name} without {', '.join(drop)}", profile,
                                     subject.index, subject.as_of))
    return base + generated


@pytest.fixture(scope="module")
def oracle() -> Oracle:
    return Oracle(load_rulebase(RULES))


def test_undetermined_iff_an_answer_could_change_the_tier(oracle: Oracle) -> None:
    """Rule cases and their variants: undetermined exactly when a completion changes the tier."""
    rng = random.Random(SEED)
    problems = [p for s in subjects() if (p := check(s, oracle, rng)) is not None]
    assert problems == [], "\n".join(problems[:20])


def test_the_search_finds_what_a_wrong_tier_would_hide(oracle: Oracle) -> None:
    """The search is not vacuous: with every key unanswered, a completion changes the tier."""
    profile = _case_profiles(load_cases(RULES))[0][1]
    empty = _with(profile, 0, dict.fromkeys(KEYS))
    assert empty is not None
    subject = Subject("everything unanswered", empty, 0, dt.date(2026, 11, 26))
    assert oracle.tier(empty, 0, subject.as_of) == "undetermined"
    tiers = {oracle.tier(p, 0, subject.as_of) for answers in
             itertools.islice(_completions(subject, random.Random(1)), 400)
             if (p := _with(empty, 0, answers)) is not None}
    assert {"unacceptable", "minimal"} <= tiers
