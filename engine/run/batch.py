"""The batch: every profile validated, assessed, rendered and written; one bad profile never
stops the others.

A client whose profile bytes, rules, templates, engine code and as-of date match the manifest,
and whose files are intact, is skipped without being read (its summary row comes from the
manifest). The others go to ``--jobs`` worker processes, each holding the compiled rules and
templates (prepared once, in the parent, inherited by fork); workers return bytes and the
parent alone writes them (:class:`engine.run.outputs.Writer`: atomic, journaled, hand edits kept).

Why:
    The heavy modules (rules, templates, matplotlib) are imported only when a client needs
    work, so re-running a thousand unchanged clients takes about a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.common.digest import file_sha256, sha256
from engine.errors import Issue, ProfileError, UserError
from engine.profile.yamlio import check_file
from engine.run.manifest import Manifest, edited_files, input_digests, is_current, plain_name
from engine.run.options import BatchOptions, BatchReport
from engine.run.outputs import (
    Writer,
    clean_partials,
    ensure_out_dir,
    locked,
)
from engine.run.summary import summary_csv

MAX_PROFILE_FILES = 100_000
SUMMARY_FILES = ("summary.csv", "summary.xlsx")


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


class _Run:
    """One ``iapme run``: classification, processing, writing, summaries."""

    def __init__(self, options: BatchOptions, progress: Callable[[int, int], None] | None):
        self.options, self.progress = options, progress
        self.report = BatchReport()
        self.manifest = Manifest.load(options.out)
        self.report.warnings += self.manifest.warnings
        self.writer = Writer(options.out, self.manifest, force=options.force)
        self.rows: dict[str, dict[str, Any]] = {}
        self.seen: dict[str, Path] = {}
        self.done = 0
        self.total = 0
        self.common = input_digests(options.rules, options.templates)

    def _tick(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)

    def _claim(self, client_id: str, path: Path) -> bool:
        first = self.seen.setdefault(client_id, path)
        if first is not path:
            from engine.profile.validate import client_id_location

            here = client_id_location(path, display_path=str(path))
            there = client_id_location(first, display_path=str(first))
            line = f" (line {there.line})" if there.line else ""
            self.report.failed.append(ProfileError([Issue(here, (
                f"client id '{client_id}' is already used by {first}{line}; give each client "
                "its own id (this file was not processed)"))]))
        return first is path

    def classify(self, paths: list[Path]) -> list[Path]:
        """Record unchanged clients; return the profiles that need work."""
        common = self.common
        index = self.manifest.by_source()
        todo = []
        for path in paths:
            try:  # never read a FIFO, a device or a huge file, even to fingerprint it
                check_file(path, display_path=str(path))
            except UserError as exc:
                self.report.failed.append(exc)
                self._tick()
                continue
            try:
                digest = sha256(path.read_bytes())
            except OSError:
                todo.append(path)  # the worker reports why it cannot be read
                continue
            client_id = index.get((path.name, digest))
            record = self.manifest.clients.get(client_id) if client_id else None
            if client_id is None or not is_current(client_id, record, digest, common,
                                                   self.options.as_of, self.options.today):
                todo.append(path)
                continue
            assert record is not None
            keys = [f"{client_id}/{name}" for name in record["files"]]
            edited, stale = edited_files(self.manifest, self.options.out, keys)
            if stale or (edited and self.options.force):
                todo.append(path)
                continue
            if self._claim(client_id, path):
                self.report.unchanged.append(client_id)
                self.report.protected += edited
                self.rows[client_id] = record["summary"]
            self._tick()
        return todo

    def process(self, todo: list[Path]) -> None:
        from engine.run.workers import results

        for result in results(self.options, todo, self.common):
            self._tick()
            if result.error is not None:
                self.report.failed.append(result.error)
                continue
            client_id, files, record = result.client_id, result.files, result.record
            assert client_id is not None
            assert files is not None
            assert record is not None
            if not self._claim(client_id, result.path):
                continue
            write = self.writer.add(client_id, files, record["inputs"], record)
            self.rows[client_id] = record["summary"]
            self.report.protected += write.protected
            if write.written:
                self.report.written.append(write)
            else:
                self.report.unchanged.append(client_id)

    def summaries(self) -> None:
        rows = [self.rows[k] for k in sorted(self.rows)]
        csv_bytes = summary_csv(rows)
        inputs = {"rows": sha256(csv_bytes)}
        out = self.options.out
        if all(self.manifest.files.get(name, {}).get("inputs") == inputs
               and file_sha256(out / name) == self.manifest.recorded(name)
               for name in SUMMARY_FILES):
            return  # same rows as last time, files intact: do not rebuild the workbook
        from engine.run.summary import summary_xlsx

        files = {"summary.csv": csv_bytes, "summary.xlsx": summary_xlsx(rows)}
        self.report.protected += self.writer.add("", files, inputs).protected


def run_batch(options: BatchOptions, progress: Callable[[int, int], None] | None = None
              ) -> BatchReport:
    """Run every profile; the library entry point behind ``iapme run``.

    Rules and templates are checked before anything is written (the output folder is not
    even created when they are broken); they are not loaded at all when every client is
    unchanged.
    """
    files, missing = find_profiles(options.paths)
    if files and not options.out.is_dir():
        _check_toolkit(options)
    ensure_out_dir(options.out)
    with locked(options.out):
        run = _Run(options, progress)
        run.report.failed += missing
        run.total = len(files)
        todo = run.classify(files)
        if todo:
            _check_toolkit(options)
        clean_partials(options.out)
        try:
            if todo:
                run.process(todo)
            run.summaries()
            run.writer.flush()
        except BaseException:
            run.writer.discard()
            raise
        finally:
            if run.manifest.changed:
                run.manifest.save(options.out)
    if options.pdf:
        _write_pdfs(run)
    return run.report


def _check_toolkit(options: BatchOptions) -> None:
    """Load rules and templates (kept for the workers); raise if either is broken."""
    from engine.run.workers import toolkit

    toolkit(options.rules, options.templates)


def _write_pdfs(run: _Run) -> None:
    """PDFs beside the documents written now, and beside older ones that have none yet."""
    from engine.documents.pdf import convert_to_pdf

    out = run.options.out
    written = {key for w in run.report.written for key in w.written}
    by_date: dict[dt.date, list[Path]] = {}
    for client_id, row in sorted(run.rows.items()):
        names = run.manifest.clients.get(client_id, {}).get("files", [])
        for name in filter(plain_name, names):
            key, path = f"{client_id}/{name}", out / client_id / name
            if name.endswith(".docx") and (key in written or not path.with_suffix(".pdf").exists()):
                by_date.setdefault(dt.date.fromisoformat(row["as_of"]), []).append(path)
    for created, docs in sorted(by_date.items()):  # the PDF's date is the assessment date
        convert_to_pdf(docs, None, workers=2, created=created)
