"""The batch's compute side: one client's files as bytes, in this process or in ``--jobs`` workers.

The parent prepares the toolkit (compiled rules and templates) once and checks it before any
worker starts; workers are forked from it and inherit it (elsewhere, the initializer prepares
it). Work travels in small chunks through a bounded window, so results never pile up in memory
and come back in input order; workers collect garbage every ``GC_EVERY`` clients (matplotlib
figures and lxml trees are cyclic garbage) to keep their memory flat.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.common.digest import sha256
from engine.errors import InternalError, Issue, ProfileError, TemplateError, UserError
from engine.run.options import BatchOptions

if TYPE_CHECKING:
    from engine.rules.base import RuleBase
    from engine.run.pipeline import Toolkit

CHUNK = 4  # clients per task: small enough for a smooth progress bar
WINDOW = 3  # tasks in flight per worker
GC_EVERY = 50

_TOOLKIT: tuple[tuple[Path, Path], Toolkit] | None = None
_RULEBASE: tuple[Path, RuleBase] | None = None
Reuse = tuple[str, tuple[str, ...]]  # (documents key, file names) of intact documents
_DONE = 0


@dataclass
class Result:
    """One profile's outcome: its files and manifest record, or the reason it failed."""

    path: Path
    client_id: str | None = None
    files: dict[str, bytes] | None = None
    record: dict[str, Any] | None = None
    failure: tuple[type[UserError], list[Issue], str] | None = None  # picklable error

    @property
    def error(self) -> UserError | None:
        if self.failure is None:
            return None
        cls, issues, summary = self.failure
        return cls(issues, summary)


def toolkit(rules: Path, templates: Path) -> Toolkit:
    """The prepared rules and templates of this process (prepared on first use)."""
    global _TOOLKIT
    if _TOOLKIT is None or _TOOLKIT[0] != (rules, templates):
        from engine.run.pipeline import prepare

        _TOOLKIT = ((rules, templates), prepare(rules, templates, rulebase(rules)))
        # Kept for the whole process: the collections every GC_EVERY clients (and Python's
        # own) need not walk it again (and forked workers share its pages longer).
        gc.collect()
        gc.freeze()
    return _TOOLKIT[1]


def rulebase(rules: Path) -> RuleBase:
    """The rule base of this process (loaded on first use; the toolkit shares it)."""
    global _RULEBASE
    if _TOOLKIT is not None and _TOOLKIT[0][0] == rules:
        return _TOOLKIT[1].rulebase
    if _RULEBASE is None or _RULEBASE[0] != rules:
        from engine.rules.base import load_rulebase

        _RULEBASE = (rules, load_rulebase(rules))
    return _RULEBASE[1]


def _init_worker(parent: int, rules: Path, templates: Path) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent(parent)
    toolkit(rules, templates)


def _die_with_parent(parent: int) -> None:
    """Have Linux kill this worker when the parent dies (even by ``kill -9``).

    Otherwise an orphaned worker would wait forever and keep the output folder's lock.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: workers then exit when they find the parent's pipe closed
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def process(path: Path, rules: Path, templates: Path, as_of: dt.date | None, today: dt.date,
            common: dict[str, str], reuse: Reuse | None = None) -> Result:
    """Validate, assess and render one profile; never raises for a bad profile.

    ``reuse``: (documents key, file names) of a client whose documents are intact on disk
    (from the manifest): when the new assessment gives the same key, the documents are not
    rendered again, and only ``assessment.json`` is returned with the record.
    """
    from engine.profile.validate import load_profile, read_profile
    from engine.run.layout import ASSESSMENT_FILE
    from engine.run.pipeline import (
        assess_profile,
        assessment_data,
        documents_key,
        dump_json,
        render_client,
        resolve_as_of,
    )
    from engine.run.summary import deadline_rows, summary_row

    global _DONE
    kit = toolkit(rules, templates)
    try:
        raw = read_profile(path, display_path=str(path))  # the one read: parsed and digested
        profile = load_profile(path, display_path=str(path),
                               register_ids=kit.rulebase.register.vendors, data=raw)
        date = resolve_as_of(profile, as_of, today)
        assessment = assess_profile(profile, kit.rulebase, date)
        document = assessment_data(assessment)
        key = documents_key(assessment, document, kit, sha256(raw))
        data = dump_json(document)
        kept = reuse[1] if reuse is not None and reuse[0] == key else None
        files = {ASSESSMENT_FILE: data} if kept else render_client(assessment, kit, data)
        own_date = profile.assessment.date
        record = {
            "source": path.name,
            "inputs": {"profile": sha256(raw), **common, "as_of": date.isoformat(),
                       "documents": key, "logic": kit.rulebase.logic_digest,
                       "cited": assessment.rules_applied},
            "profile_date": own_date.isoformat() if own_date else None,
            "files": sorted({*files, *(kept or ())}),
            "summary": summary_row(assessment),
            "deadlines": deadline_rows(assessment),
            "fired": sorted({f.rule_id for f in assessment.findings}
                            | {o.rule_id for u in assessment.use_cases for o in u.obligations}),
        }
        return Result(path, profile.client_id, files, record)
    except TemplateError as exc:  # data-dependent (the templates passed their check)
        issues = [Issue(i.location, f"{i.message} (rendering the documents of {path})")
                  for i in exc.issues]
        return Result(path, failure=(type(exc), issues, exc.summary))
    except UserError as exc:
        return Result(path, failure=(type(exc), exc.issues, exc.summary))
    except OSError as exc:
        return _failed(path, f"cannot read: {exc.strerror}")
    except Exception as exc:  # a bug must not stop the other clients: report it as a failure
        return _failed(path, f"internal error, please report it: {type(exc).__name__}: {exc}")
    finally:
        _DONE += 1
        if _DONE % GC_EVERY == 0:
            gc.collect()


def _failed(path: Path, message: str) -> Result:
    error = ProfileError.at(str(path), message)
    return Result(path, failure=(ProfileError, error.issues, error.summary))


def _chunk(paths: list[Path], rules: Path, templates: Path, as_of: dt.date | None,
           today: dt.date, common: dict[str, str], reuse: dict[Path, Reuse]) -> list[Result]:
    return [process(p, rules, templates, as_of, today, common, reuse.get(p)) for p in paths]


def results(options: BatchOptions, paths: list[Path], common: dict[str, str],
            reuse: dict[Path, Reuse] | None = None) -> Iterator[Result]:
    """Every profile's result, in the order of ``paths`` (``reuse``: see :func:`process`)."""
    toolkit(options.rules, options.templates)  # check rules and templates before any work
    reuse = reuse or {}
    args = (options.rules, options.templates, options.as_of, options.today, common)
    jobs = max(1, min(options.jobs, (len(paths) + CHUNK - 1) // CHUNK))
    if jobs == 1:
        for path in paths:
            yield process(path, *args, reuse.get(path))
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                               initargs=(os.getpid(), options.rules, options.templates))
    try:
        window: deque[Future[list[Result]]] = deque()
        queue = deque(chunks)
        while queue or window:
            while queue and len(window) < jobs * WINDOW:
                part = queue.popleft()
                window.append(pool.submit(_chunk, part, *args,
                                          {p: reuse[p] for p in part if p in reuse}))
            yield from window.popleft().result()
    except BrokenProcessPool as exc:
        raise InternalError(f"a worker process died ({exc}); run again with --jobs 1 to "
                            "find the profile that crashes it") from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
