"""Assess a set of profiles with one or more rule bases, without rendering anything.

Each profile is read and validated once, assessed at its legal date (``--as-of``, else its
``assessment.date``, else today) with each rule base, and reduced to a :class:`ClientView`
per rule base. A bad profile is a failure of its own and the others go on. With ``jobs > 1``
the work is shared by forked worker processes that inherit the prepared rule bases (rules are
compiled once, in the parent).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import Issue, ProfileError, UserError
from engine.portfolio.snapshot import ClientView, client_view
from engine.rules.base import RuleBase

CHUNK = 25
_BASES: tuple[RuleBase, ...] = ()
Outcome = list[ClientView] | tuple[type[UserError], list[Issue], str]


@dataclass
class Evaluation:
    views: list[ClientView] = field(default_factory=list)
    failed: list[UserError] = field(default_factory=list)


def _one(path: Path, rulebases: Sequence[RuleBase], as_of: dt.date | None, today: dt.date
         ) -> Outcome:
    from engine.profile.validate import load_profile, read_profile
    from engine.run.pipeline import assess_profile, resolve_as_of

    try:
        raw = read_profile(path, display_path=str(path))
        profile = load_profile(path, display_path=str(path),
                               register_ids=rulebases[-1].register.vendors, data=raw)
        date = resolve_as_of(profile, as_of, today)
        return [client_view(assess_profile(profile, base, date), path.name)
                for base in rulebases]
    except UserError as exc:
        return (type(exc), exc.issues, exc.summary)
    except OSError as exc:
        error = ProfileError.at(str(path), f"cannot read: {exc.strerror}")
        return (ProfileError, error.issues, error.summary)


def _chunk(paths: list[Path], as_of: dt.date | None, today: dt.date) -> list[Outcome]:
    return [_one(p, _BASES, as_of, today) for p in paths]


def evaluate(paths: Sequence[Path], rulebase: RuleBase, as_of: dt.date | None,
             today: dt.date, jobs: int = 1) -> Evaluation:
    """Every profile of ``paths`` assessed with ``rulebase``, in the order given."""
    return evaluate_with([rulebase], paths, as_of, today, jobs)[0]


def evaluate_with(rulebases: Sequence[RuleBase], paths: Sequence[Path], as_of: dt.date | None,
                  today: dt.date, jobs: int = 1) -> list[Evaluation]:
    """Every profile of ``paths`` assessed with each of ``rulebases`` (profiles validated
    with the last one's vendor register): one :class:`Evaluation` per rule base. A profile
    that fails is a failure of each."""
    global _BASES
    outs = [Evaluation() for _ in rulebases]
    paths = list(paths)
    chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
    methods = multiprocessing.get_all_start_methods()
    if jobs <= 1 or len(chunks) <= 1 or "fork" not in methods:
        results = [_one(p, rulebases, as_of, today) for p in paths]
    else:
        _BASES = tuple(rulebases)
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(min(jobs, len(chunks)), mp_context=context) as pool:
                results = [r for part in pool.map(_chunk, chunks, [as_of] * len(chunks),
                                                   [today] * len(chunks)) for r in part]
        finally:
            _BASES = ()
    for result in results:
        if isinstance(result, list):
            for out, view in zip(outs, result, strict=True):
                out.views.append(view)
        else:
            cls, issues, summary = result
            for out in outs:
                out.failed.append(cls(issues, summary))
    return outs
