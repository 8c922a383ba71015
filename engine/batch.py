"""The batch: every profile validated, assessed, rendered and written; one bad profile never
stops the others. Workers (``--jobs``) compute bytes; the parent alone writes, atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import Issue, Location, ProfileError, UserError
from engine.outputs import (
    ClientWrite,
    Manifest,
    atomic_write,
    clean_partials,
    ensure_out_dir,
    is_unchanged,
    write_client,
)
from engine.pipeline import (
    ASSESSMENT_FILE,
    DOCUMENTS,
    Toolkit,
    assess_profile,
    prepare,
    profile_digest,
    render_client,
    resolve_as_of,
)
from engine.summary import SUMMARY_FIELDS, summary_row, summary_xlsx
from engine.validate import load_profile

MAX_PROFILE_FILES = 100_000


@dataclass
class BatchOptions:
    paths: Sequence[Path]
    out: Path
    rules: Path
    templates: Path
    as_of: dt.date | None
    today: dt.date
    jobs: int = 1
    force: bool = False
    pdf: bool = False


@dataclass
class BatchReport:
    written: list[ClientWrite] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[UserError] = field(default_factory=list)

    @property
    def protected(self) -> list[str]:
        return [p for w in self.written for p in w.protected]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def find_profiles(paths: Sequence[Path]) -> tuple[list[Path], list[UserError]]:
    """Expand folders into their ``*.yaml``/``*.yml`` files; report paths that do not exist."""
    found: list[Path] = []
    errors: list[UserError] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")))
        elif path.exists():
            found.append(path)
        else:
            errors.append(ProfileError.at(str(path), "no such file or folder"))
    return found[:MAX_PROFILE_FILES], errors


_TOOLKIT: Toolkit | None = None


def _init_worker(rules: Path, templates: Path) -> None:
    global _TOOLKIT
    _TOOLKIT = prepare(rules, templates)


@dataclass
class _Result:
    path: Path
    client_id: str | None = None
    files: dict[str, bytes] | None = None
    row: dict[str, Any] | None = None
    inputs: dict[str, str] | None = None
    error: UserError | None = None


def _process(path: Path, as_of: dt.date | None, today: dt.date,
             skip: Callable[[str, dict[str, str]], bool] | None = None) -> _Result:
    toolkit = _TOOLKIT
    assert toolkit is not None
    try:
        raw = path.read_bytes()
        profile = load_profile(path, display_path=str(path))
        date = resolve_as_of(profile, as_of, today)
        inputs = {"profile": profile_digest(raw), "rules": toolkit.rulebase.digest,
                  "templates": toolkit.templates_digest, "as_of": date.isoformat()}
        assessment = assess_profile(profile, toolkit.rulebase, date)
        row = summary_row(assessment)
        if skip is not None and skip(profile.client_id, inputs):
            return _Result(path, profile.client_id, None, row, inputs)
        files = render_client(assessment, toolkit)
        return _Result(path, profile.client_id, files, row, inputs)
    except UserError as exc:
        return _Result(path, error=exc)
    except OSError as exc:
        return _Result(path, error=ProfileError.at(str(path), f"cannot read: {exc.strerror}"))


def _results(options: BatchOptions, files: list[Path],
             skip: Callable[[str, dict[str, str]], bool]) -> Iterator[_Result]:
    jobs = max(1, min(options.jobs, len(files)))
    if jobs == 1:
        _init_worker(options.rules, options.templates)
        for path in files:
            yield _process(path, options.as_of, options.today, skip)
        return
    with ProcessPoolExecutor(jobs, initializer=_init_worker,
                             initargs=(options.rules, options.templates)) as pool:
        chunk = max(1, min(64, len(files) // (jobs * 4)))
        yield from pool.map(_process, files, [options.as_of] * len(files),
                            [options.today] * len(files), chunksize=chunk)


def run_batch(options: BatchOptions, progress: Callable[[int, int], None] | None = None
              ) -> BatchReport:
    """Run every profile; the library entry point behind ``iapme run``."""
    prepare(options.rules, options.templates)  # refuse broken rules or templates up front
    ensure_out_dir(options.out)
    clean_partials(options.out)
    files, missing = find_profiles(options.paths)
    report = BatchReport(failed=list(missing))
    manifest = Manifest.load(options.out)
    names = [*DOCUMENTS, ASSESSMENT_FILE]

    def skip(client_id: str, inputs: dict[str, str]) -> bool:
        return not options.force and is_unchanged(manifest, options.out, client_id, names, inputs)

    seen: dict[str, Path] = {}
    rows: dict[str, dict[str, Any]] = {}
    for done, result in enumerate(_results(options, files, skip), start=1):
        if progress:
            progress(done, len(files))
        if result.error is not None:
            report.failed.append(result.error)
            continue
        assert result.client_id is not None and result.inputs is not None
        if result.client_id in seen:
            report.failed.append(ProfileError([Issue(
                Location(str(result.path), key_path="client.id"),
                f"client id '{result.client_id}' is already used by {seen[result.client_id]}; "
                "give each client its own id")]))
            continue
        seen[result.client_id] = result.path
        if result.row is not None:
            rows[result.client_id] = result.row
        if not options.force and is_unchanged(manifest, options.out, result.client_id, names,
                                              result.inputs):
            report.unchanged.append(result.client_id)
            continue
        if result.files is None:  # skipped in the worker, but a file changed since: render now
            result = _process(result.path, options.as_of, options.today)
            assert result.files is not None and result.client_id is not None
        write = write_client(options.out, result.client_id, result.files, result.inputs or {},
                             manifest, force=options.force)
        report.written.append(write)
        if len(report.written) % 200 == 0:
            manifest.save(options.out)
    manifest.save(options.out)
    _write_summaries(options.out, [rows[k] for k in sorted(rows)])
    if options.pdf:
        _write_pdfs(options.out, report)
    return report


def _write_summaries(out: Path, rows: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write(out / "summary.csv", buffer.getvalue().encode("utf-8"))
    atomic_write(out / "summary.xlsx", summary_xlsx(rows))


def _write_pdfs(out: Path, report: BatchReport) -> None:
    from engine.pdf import convert_to_pdf

    docs = [out / key for w in report.written for key in w.written if key.endswith(".docx")]
    if docs:
        convert_to_pdf(docs, out, workers=max(1, min(2, os.cpu_count() or 1)))
