"""The intake commands as library functions (``iapme init``, ``schema``, ``questionnaire``,
``answers import``); ``engine.cli`` only parses options and prints what these return.

From first contact to answered questions: ``init`` starts a profile from the model, the
assessment says what is still open, ``questionnaire`` asks it of the SME in French, ``answers
import`` merges the answers back into the profile, which is assessed again.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.common.atomic import atomic_write
from engine.documents.context import REPLY_DAYS
from engine.documents.text_keys import load_texts
from engine.errors import AnswersError, InternalError, Issue, Location, OutputError, UserError
from engine.intake.answers import Answer, decode, read_filled, to_changes
from engine.intake.merge import Change, merge
from engine.intake.questions import open_questions
from engine.intake.reference import profile_reference
from engine.intake.rows import question_rows
from engine.intake.schema import SCHEMA_FILE, schema_text
from engine.intake.skeleton import Start, schema_reference, skeleton_text, write_new
from engine.intake.words import ProfileWords
from engine.intake.workbook import Identity, questionnaire_xlsx
from engine.profile.validate import load_profile, profile_from_doc
from engine.profile.yamlio import format_key_path, load_yaml_text
from engine.rules.base import RuleBase, load_rulebase

QUESTIONNAIRE_FILE = "questionnaire.xlsx"


def schema_document(rules_dir: Path, fmt: str = "json") -> str:
    """The JSON Schema of a profile (``json``), or ``docs/profile.md`` (``markdown``)."""
    texts = load_texts(rules_dir)
    return schema_text(texts) if fmt == "json" else profile_reference(rules_dir, texts)


def write_text(path: Path, text: str) -> None:
    """Write a generated file atomically (its folder created)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.at(str(path.parent), f"cannot create the folder: {exc.strerror}"
                             ) from None
    atomic_write(path, text.encode("utf-8"))


@dataclass(frozen=True)
class Created:
    path: Path
    schema_ref: str
    schema_found: bool


def init_profile(path: Path, start: Start, rules_dir: Path, schema: str | None = None
                 ) -> Created:
    """Write a new profile skeleton at ``path``; never overwrites.

    The modeline points to ``schema`` when given (a path or a URL, written as is), else to
    ``schema/profile.schema.json`` of the current folder, relative to the new file.
    """
    words = ProfileWords(load_texts(rules_dir))
    shipped = Path(SCHEMA_FILE)
    reference = schema if schema is not None else schema_reference(path, shipped)
    write_new(path, skeleton_text(words, start, reference))
    return Created(path, reference, schema is not None or shipped.is_file())


# --- iapme questionnaire ---------------------------------------------------------------------


@dataclass
class QuestionnaireReport:
    written: list[tuple[Path, int]] = field(default_factory=list)  # (file, questions)
    nothing_open: list[str] = field(default_factory=list)          # client ids
    failed: list[UserError] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def questionnaire_for(path: Path, rulebase: RuleBase, as_of: dt.date | None,
                      today: dt.date) -> tuple[str, bytes | None, int]:
    """(client id, the workbook or None when nothing is open, the number of questions)."""
    from engine.run.pipeline import assess_profile, resolve_as_of

    profile = load_profile(path, display_path=str(path),
                           register_ids=rulebase.register.vendors)
    day = resolve_as_of(profile, as_of, today)
    assessment = assess_profile(profile, rulebase, day)
    questions = open_questions(assessment)
    if not questions:
        return profile.client_id, None, 0
    texts = rulebase.texts
    consultant = profile.assessment.consultant
    identity = Identity(profile.client_id, profile.client.name, str(path), day,
                        consultant.name if consultant else None,
                        consultant.firm if consultant else None,
                        day + dt.timedelta(days=REPLY_DAYS))
    rows = question_rows(texts, assessment.profile, questions)
    return profile.client_id, questionnaire_xlsx(texts, identity, rows, len(questions)), len(
        questions)


def _unimported(questionnaire: Path, profile: Path, rulebase: RuleBase) -> bool:
    """Whether ``questionnaire`` holds answers its profile does not have yet (not imported)."""
    try:
        filled = read_filled(questionnaire, rulebase.texts)
    except AnswersError:
        return False  # not one of ours (or unreadable): nothing of value to keep
    if not any(str(a.answer or "").strip() for a in filled.answers):
        return False
    try:
        decoded = decode(filled, ProfileWords(rulebase.texts))
        data = load_yaml_text(profile.read_text(encoding="utf-8"), str(profile)).data
    except UserError:
        return True  # answers we cannot read yet: keep them for the consultant
    ids = [u.get("id") for u in data.get("use_cases") or [] if isinstance(u, dict)]
    index = {str(uc): i for i, uc in enumerate(ids)}
    if any(uc is not None and uc not in index for uc, _, _, _ in decoded.answers):
        return True
    return any(_current(data, change.path) is None for change, _ in to_changes(decoded, index))


def write_questionnaires(paths: Sequence[Path], out: Path, rules_dir: Path,
                         as_of: dt.date | None, today: dt.date, *, force: bool = False
                         ) -> QuestionnaireReport:
    """One questionnaire per profile with open questions: ``<out>/<client-id>/questionnaire.xlsx``.

    A questionnaire already there that holds answers is kept (import it first) unless
    ``force``; the other profiles are still processed.
    """
    from engine.run.batch import find_profiles
    from engine.run.outputs import ensure_out_dir

    rulebase = load_rulebase(rules_dir)
    files, errors = find_profiles(list(paths))
    report = QuestionnaireReport(failed=list(errors))
    seen: dict[str, Path] = {}
    for path in files:
        try:
            client_id, data, count = questionnaire_for(path, rulebase, as_of, today)
            if client_id in seen:
                raise OutputError.at(str(path), (
                    f"client id '{client_id}' is also the id of {seen[client_id]}; one "
                    "questionnaire per client"))
            seen[client_id] = path
            if data is None:
                report.nothing_open.append(client_id)
                continue
            ensure_out_dir(out)
            folder = out / client_id
            if folder.is_symlink():
                raise OutputError.at(str(folder), "the client folder is a symbolic link")
            folder.mkdir(exist_ok=True)
            target = folder / QUESTIONNAIRE_FILE
            if target.is_file() and not force and _unimported(target, path, rulebase):
                raise OutputError.at(str(target), (
                    "this questionnaire holds answers not yet in the profile: import them "
                    "first (iapme answers import), or use --force to replace it"))
            atomic_write(target, data)
            report.written.append((target, count))
        except UserError as exc:
            report.failed.append(exc)
    return report


# --- iapme answers import --------------------------------------------------------------------


@dataclass
class Imported:
    profile: Path
    diff: str
    merged: int                     # answers merged
    notes: list[str] = field(default_factory=list)
    still_open: int = 0             # questions open after the merge
    written: bool = False


def _current(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
        if data is None:
            return None
    return data


def _expected(data: Any, changes: list[Change]) -> Any:
    out = copy.deepcopy(data)
    for change in changes:
        node = out
        *parents, name = change.path
        for part in parents:
            if isinstance(node, dict):
                if node.get(part) is None:
                    node[part] = {}
                node = node[part]
            else:
                node = node[part]
        node[name] = change.value
    return out


def _row_issue(xlsx: str, sheet: str, rows: list[Answer], message: str) -> Issue:
    row = rows[0]
    return Issue(Location(xlsx), f"sheet '{sheet}', row {row.row}: « {row.question} »: {message}")


def import_answers(xlsx: Path, profile_path: Path | None, rules_dir: Path, today: dt.date,
                   *, dry_run: bool = False) -> Imported:
    """Merge a filled questionnaire into its profile (written only when every answer is valid
    and the merged profile validates).

    Raises:
        AnswersError: an answer is not allowed, the questionnaire is for another client, or
            the merged profile would not validate; nothing is written.
    """
    from engine.run.pipeline import assess_profile, resolve_as_of

    rulebase = load_rulebase(rules_dir)
    words = ProfileWords(rulebase.texts)
    filled = read_filled(xlsx, rulebase.texts)
    path = profile_path or Path(filled.identity.get("profile", ""))
    if not path.is_file():
        raise AnswersError.at(str(xlsx), (
            f"its profile {path} is not found; give it with --profile PATH"))
    ids = rulebase.register.vendors
    profile = load_profile(path, display_path=str(path), register_ids=ids)
    if profile.client_id != filled.client_id:
        raise AnswersError.at(str(xlsx), (
            f"this questionnaire is for client '{filled.client_id}', but {path} is the "
            f"profile of '{profile.client_id}'; give the right one with --profile"))
    decoded = decode(filled, words)
    index = {u.id: i for i, u in enumerate(profile.use_cases)}
    issues = [_row_issue(filled.path, filled.sheet, rows, (
        f"the use case '{uc}' is no longer in {path}; answer it by hand"))
        for uc, _, _, rows in decoded.answers if uc is not None and uc not in index]
    if issues:
        raise AnswersError.of(issues)
    text = path.read_text(encoding="utf-8")
    data = load_yaml_text(text, str(path)).data
    notes = [f"{target}: one answer is « {words.dont_know} », the list stays unanswered"
             for target in decoded.open_lists]
    kept: list[tuple[Change, list[Answer]]] = []
    for change, rows in to_changes(decoded, index):
        current = _current(data, change.path)
        if current is None:
            kept.append((change, rows))
        elif current != change.value:  # answered meanwhile: the profile's answer stands
            notes.append(f"row {rows[0].row}: {format_key_path(change.path)} is already "
                         f"answered in {path} ({current!r}, the questionnaire says "
                         f"{change.value!r}); the profile's answer is kept")
    changes = [c for c, _ in kept]
    new_text = merge(text, changes) if changes else text
    doc = load_yaml_text(new_text, str(path))
    try:
        merged = profile_from_doc(doc, default_id=path.stem, register_ids=ids)
    except UserError as exc:
        raise AnswersError.of(_explain(exc.issues, kept, filled.path, filled.sheet), summary=(
            f"{xlsx}: the answers would make {path} invalid; nothing was changed:")) from None
    if doc.data != _expected(data, changes):
        raise InternalError(f"merging the answers into {path} changed other values")
    diff = "".join(difflib.unified_diff(text.splitlines(keepends=True),
                                        new_text.splitlines(keepends=True),
                                        fromfile=str(path), tofile=str(path)))
    result = Imported(path, diff, len(changes), notes)
    if changes and not dry_run:
        atomic_write(path, new_text.encode("utf-8"))
        result.written = True
    day = resolve_as_of(merged, None, today)
    result.still_open = len(open_questions(assess_profile(merged, rulebase, day)))
    return result


def _explain(issues: list[Issue], kept: list[tuple[Change, list[Answer]]], xlsx: str,
             sheet: str) -> list[Issue]:
    """Profile errors told as the rows that caused them."""
    out = []
    for issue in issues:
        where = issue.location.key_path or ""
        block = where.rpartition(".")[0] or where  # a missing key: the rows of its block
        rows = next((r for c, r in kept if where.startswith(format_key_path(c.path))), None)
        rows = rows or next((r for c, r in kept if format_key_path(c.path).startswith(block)),
                            None)
        out.append(_row_issue(xlsx, sheet, rows, issue.message) if rows else issue)
    return out
