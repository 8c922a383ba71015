"""The batch: every profile validated, assessed, rendered and written; one bad profile or one
obstructed client folder never stops the others.

A client whose profile bytes, rules, templates, engine code and as-of date match the manifest,
and whose files are intact, is skipped without being parsed. The others go to ``--jobs``
worker processes, each holding the compiled rules and templates (prepared once, in the parent,
inherited by fork); workers return bytes and the parent alone writes them
(:class:`engine.run.outputs.Writer`: atomic, journaled, hand edits kept). Everything happens
under the output folder's lock: the documents, the PDFs (:mod:`engine.run.pdfs`), the
summaries and the manifest.

A client id belongs to one profile file (its name is recorded in the manifest): another file
giving the same id is refused, in one run as across runs, unless ``--force`` (the new file then
takes the id over). The summaries list every client of the output folder, from the manifest,
not only this run's.

Why:
    The heavy modules (rules, templates, matplotlib) are imported only when a client needs
    work, so re-running a thousand unchanged clients takes about a second.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.common.digest import sha256
from engine.errors import Issue, ObstructedError, ProfileError, ToolMissingError, UserError
from engine.run.layout import (
    ASSESSMENT_FILE,
    CLIENT_FILES,
    DOCUMENT_FILES,
    SUMMARY_FILES,
    WORKING_FILE,
)
from engine.run.manifest import MANIFEST, Manifest, edited_files, input_digests, is_current
from engine.run.options import BatchOptions, BatchReport
from engine.run.outputs import Writer, clean_partials, ensure_out_dir, locked
from engine.run.records import disk_sha256
from engine.run.retag import only_rules_changed, retagged
from engine.run.summary import summary_csv

MAX_PROFILE_FILES = 100_000
PROFILE_SUFFIXES = (".yaml", ".yml")  # any case: CLIENT.YAML is a profile too


def find_profiles(paths: Sequence[Path]) -> tuple[list[Path], list[UserError]]:
    """Expand folders into their ``*.yaml``/``*.yml`` files (any case), each file once even
    when named twice; report paths that do not exist or cannot be read."""
    found: list[Path] = []
    errors: list[UserError] = []
    seen: set[tuple[int, int] | str] = set()
    for path in paths:
        try:
            if path.is_dir():
                candidates = sorted(p for p in path.iterdir() if not p.name.startswith(".")
                                    and p.suffix.lower() in PROFILE_SUFFIXES)
            elif path.exists() or path.is_symlink():
                candidates = [path]
            else:
                errors.append(ProfileError.at(str(path), "no such file or folder"))
                continue
        except OSError as exc:
            errors.append(ProfileError.at(str(path), f"cannot read: {exc.strerror}"))
            continue
        for candidate in candidates:
            try:
                info = candidate.stat()
                identity: tuple[int, int] | str = (info.st_dev, info.st_ino)
            except OSError:
                identity = str(candidate.absolute())
            if identity not in seen:
                seen.add(identity)
                found.append(candidate)
    return found[:MAX_PROFILE_FILES], errors


class _Run:
    """One ``iapme run``: classification, processing, writing, PDFs, summaries."""

    def __init__(self, options: BatchOptions, progress: Callable[[int, int], None] | None):
        self.options, self.progress = options, progress
        self.report = BatchReport()
        self.manifest = Manifest.load(options.out)
        self.report.warnings += self.manifest.warnings
        self.writer = Writer(options.out, self.manifest, force=options.force)
        self.seen: dict[str, Path] = {}
        self.done = 0
        self.total = 0
        self.common = input_digests(options.rules, options.templates)
        self.reuse: dict[Path, tuple[str, tuple[str, ...]]] = {}
        self.candidates: list[tuple[Path, str, dict[str, Any]]] = []  # see retag()

    def _tick(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)

    def _claim(self, client_id: str, path: Path) -> bool:
        """Give ``client_id`` to ``path`` unless another file of this run or the profile
        the output folder knows for it already has it (``--force`` lets ``path`` take it)."""
        first = self.seen.setdefault(client_id, path)
        owner = self.manifest.clients.get(client_id, {}).get("source")
        if first is path and (owner in (None, path.name) or self.options.force):
            return True
        from engine.profile.validate import client_id_location

        here = client_id_location(path, display_path=str(path))
        if first is not path:
            there = client_id_location(first, display_path=str(first))
            line = f" (line {there.line})" if there.line else ""
            message = (f"client id '{client_id}' is already used by {first}{line}; give each "
                       "client its own id (this file was not processed)")
        else:
            self.seen.pop(client_id)
            message = (f"client id '{client_id}' already belongs to the profile {owner} in "
                       f"{self.options.out} (its documents are there); give this client its own "
                       f"id, or run with --force if this file now replaces {owner}")
        self.report.failed.append(ProfileError([Issue(here, message)]))
        return False

    def classify(self, paths: list[Path]) -> list[Path]:
        """Record unchanged clients; return the profiles that need work."""
        from engine.profile.validate import read_profile

        index = self.manifest.by_source()
        todo: list[Path] = []
        retag: list[tuple[Path, str, dict[str, Any]]] = []  # see retag()
        for path in paths:
            try:  # never a FIFO, a device or a huge file, even to fingerprint it
                digest = sha256(read_profile(path, display_path=str(path)))
            except UserError as exc:
                self.report.failed.append(exc)
                self._tick()
                continue
            client_id = index.get((path.name, digest))
            record = self.manifest.clients.get(client_id) if client_id else None
            if client_id is None or not is_current(client_id, record, digest, self.common,
                                                   self.options.as_of, self.options.today):
                if record is not None and client_id is not None and not self.options.force \
                        and only_rules_changed(record, self.common, self._as_of(record)):
                    retag.append((path, client_id, record))
                    continue
                todo.append(path)  # read again, once, by its worker: those bytes are recorded
                if record is not None and not self.options.force:
                    self._offer_reuse(path, client_id, record)
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
            self._tick()
        self.candidates = retag
        return todo

    def _as_of(self, record: dict[str, Any]) -> str:
        """The legal date the client is assessed at now (as :func:`is_current` reads it)."""
        if self.options.as_of:
            return self.options.as_of.isoformat()
        return str(record.get("profile_date") or self.options.today.isoformat())

    def retag(self) -> list[Path]:
        """Clients whose only change is the rules: those the edit cannot change get their
        assessment.json's rules digest rewritten (engine.run.retag); return the others,
        which need work. Run after the leftovers of a killed run are cleaned."""
        candidates, self.candidates = self.candidates, []
        if not candidates:
            return []
        from engine.run.workers import rulebase as current_rules

        rulebase = current_rules(self.options.rules)
        todo = []
        for path, client_id, record in candidates:
            keys = [f"{client_id}/{name}" for name in record.get("files", [])]
            edited, stale = edited_files(self.manifest, self.options.out, keys)
            found = None if stale else retagged(self.options.out, self.manifest, client_id,
                                                record, rulebase, self.common)
            if found is None:
                todo.append(path)
                self._offer_reuse(path, client_id, record)
                continue
            self._tick()
            if not self._claim(client_id, path):
                continue
            data, new_record = found
            try:
                write = self.writer.add(client_id, {ASSESSMENT_FILE: data},
                                        new_record["inputs"], new_record)
            except ObstructedError as exc:
                self.report.failed.append(exc)
                continue
            self.report.protected += edited + write.protected
            (self.report.written.append(write) if write.written
             else self.report.unchanged.append(client_id))
        return todo

    def _offer_reuse(self, path: Path, client_id: str | None, record: dict[str, Any]) -> None:
        """Same profile, other rules (or date): if its documents are intact, the worker may
        keep them when the new assessment gives the same documents key."""
        key, files = record["inputs"].get("documents"), record.get("files")
        if not isinstance(key, str) or not isinstance(files, list) or client_id is None:
            return
        documents = tuple(n for n in files if n in DOCUMENT_FILES or n == WORKING_FILE)
        keys = [f"{client_id}/{name}" for name in documents]
        edited, stale = edited_files(self.manifest, self.options.out, keys)
        if documents and not edited and not stale:
            self.reuse[path] = (key, documents)

    def process(self, todo: list[Path]) -> None:
        from engine.run.workers import results

        for result in results(self.options, todo, self.common, self.reuse):
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
            try:
                write = self.writer.add(client_id, files, record["inputs"], record)
            except ObstructedError as exc:
                self.report.failed.append(exc)
                continue
            self.report.protected += write.protected
            if write.protected and f"{client_id}/{ASSESSMENT_FILE}" in write.written:
                self.report.rework += [k for k in write.protected
                                       if k.rpartition("/")[2] in DOCUMENT_FILES]
            if write.written:
                self.report.written.append(write)
            else:
                self.report.unchanged.append(client_id)

    def pdfs(self) -> None:
        """PDFs of this run's clients, converted again wherever their document changed."""
        from engine.run.pdfs import write_pdfs

        self.writer.flush()
        clients = [cid for cid in self.seen if cid in self.manifest.clients]
        self.report.failed += write_pdfs(self.options.out, self.manifest, self.writer, clients,
                                          workers=self.options.jobs)

    def summaries(self) -> None:
        """Rebuild summary.csv/xlsx and index.html from the manifest: every client of the
        output folder (:mod:`engine.portfolio`), in French from the rules' texts."""
        from engine.run.summary import portfolio_clients, portfolio_digest

        self.writer.flush()
        out = self.options.out
        clients = portfolio_clients(self.manifest, lambda cid: _is_folder(out / cid))
        inputs = {"portfolio": portfolio_digest(clients, self.options.rules)}
        if all(self.manifest.files.get(name, {}).get("inputs") == inputs
               and _digest(out, name) == self.manifest.recorded(name) for name in SUMMARY_FILES):
            return  # same clients as last time, files intact: do not rebuild the views
        from engine.documents.text_keys import load_texts
        from engine.portfolio.page import index_html
        from engine.portfolio.workbook import portfolio_xlsx

        texts = load_texts(self.options.rules)
        files = {"summary.csv": summary_csv([c.row for c in clients]),
                 "summary.xlsx": portfolio_xlsx(clients, texts),
                 "index.html": index_html(clients, texts, "summary.xlsx")}
        try:
            self.report.protected += self.writer.add("", files, inputs).protected
        except ObstructedError as exc:
            self.report.failed.append(exc)

    def output_names(self) -> set[str]:
        """Every file name this tool writes in the output folder (for its temporary files)."""
        recorded = {key.rpartition("/")[2] for key in self.manifest.files}
        return recorded | CLIENT_FILES | set(SUMMARY_FILES) | {MANIFEST}


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _digest(out: Path, key: str) -> str | None:
    try:
        return disk_sha256(out, key)
    except OSError:
        return None


def run_batch(options: BatchOptions, progress: Callable[[int, int], None] | None = None
              ) -> BatchReport:
    """Run every profile; the library entry point behind ``iapme run``.

    Rules and templates are checked before anything is written (the output folder is not
    even created when they are broken); they are not loaded at all when every client is
    unchanged. With ``--pdf``, LibreOffice must be installed before anything starts.
    """
    files, missing = find_profiles(options.paths)
    if options.pdf:
        from engine.documents.pdf import MISSING_MESSAGE, find_soffice

        if find_soffice() is None:
            raise ToolMissingError.at("soffice", MISSING_MESSAGE)
    if files and not _is_folder(options.out):
        _check_toolkit(options)
    ensure_out_dir(options.out)
    with locked(options.out):
        run = _Run(options, progress)
        run.report.failed += missing
        run.total = len(files)
        todo = run.classify(files)
        if todo:
            _check_toolkit(options)
        elif run.candidates:  # only the rules changed: the templates are as recorded
            from engine.run.workers import rulebase

            rulebase(options.rules)
        clean_partials(options.out, run.output_names())
        try:
            todo += run.retag()
            if todo:
                run.process(todo)
            if options.pdf:
                run.pdfs()
            run.summaries()
            run.writer.flush()
        except BaseException:
            run.writer.discard()
            raise
        finally:
            run.report.failed += run.writer.failures
            if run.manifest.changed:
                run.manifest.save(options.out)
    return run.report


def _check_toolkit(options: BatchOptions) -> None:
    """Load rules and templates (kept for the workers); raise if either is broken."""
    from engine.run.workers import toolkit

    toolkit(options.rules, options.templates)
