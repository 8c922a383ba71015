"""``iapme impact``: which clients a change of the rules touches, and how.

The portfolio is evaluated twice, with the baseline rule base (a folder, or a git revision of
the rules folder, extracted with ``git archive``) and with the current one; per client the
differences are listed: the tier and the decision of each use case, obligations added,
removed, moved to another date or reworded, blockers added or removed. A client whose
deliverables were edited by hand (their bytes differ from the output folder's manifest) and
whose assessment changes is flagged: its documents are "à reprendre à la main".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.assessment.assess import natural_key
from engine.documents.texts import TEXTS_DIR
from engine.errors import RuleError, UserError
from engine.portfolio.evaluate import evaluate_with
from engine.portfolio.snapshot import ClientView

TEXTS = TEXTS_DIR.name

KINDS = ("tier", "decision", "obligation_added", "obligation_removed", "obligation_moved",
         "obligation_reworded", "blocker_added", "blocker_removed", "client_added",
         "client_removed")


@dataclass(frozen=True)
class Change:
    kind: str            # one of KINDS
    use_case: str        # the use case (or vendor, for a blocker) id; '' for the client
    reference: str       # the obligation's reference, the blocker's rule id
    before: str
    after: str
    text: str = ""


@dataclass
class ClientImpact:
    client_id: str
    name: str
    tier_before: str
    tier_after: str
    changes: list[Change] = field(default_factory=list)
    rework: list[str] = field(default_factory=list)  # hand-edited files: "à reprendre à la main"
    titles: dict[str, str] = field(default_factory=dict)  # use case id -> title


@dataclass
class ImpactReport:
    clients: list[ClientImpact] = field(default_factory=list)   # the clients that change
    unchanged: int = 0
    failed: list[UserError] = field(default_factory=list)
    baseline: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.clients)


@dataclass(frozen=True)
class ImpactOptions:
    paths: Sequence[Path]
    rules: Path
    baseline: str
    out: Path
    as_of: dt.date | None
    today: dt.date
    jobs: int = 1


@contextlib.contextmanager
def baseline_rules(ref: str, rules_dir: Path) -> Iterator[Path]:
    """The baseline rule folder: ``ref`` itself when it is a folder, else the rules folder as
    it was at the git revision ``ref`` (extracted in a temporary folder).

    Raises:
        RuleError: ``ref`` is neither a folder nor a revision of the rules folder's repository.
    """
    folder = Path(ref)
    if folder.is_dir():
        with tempfile.TemporaryDirectory(prefix="iapme-baseline-") as tmp:
            copy = Path(tmp) / "rules"
            shutil.copytree(folder, copy, symlinks=True, ignore=_texts)
            yield _with_texts(copy, rules_dir)
        return
    where = rules_dir.resolve()
    try:
        top = Path(_git(where, "rev-parse", "--show-toplevel").decode().strip())
        _git(where, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except (OSError, subprocess.CalledProcessError):
        raise RuleError.at(ref, f"--baseline is neither a folder nor a git revision of the "
                                f"repository holding {rules_dir}") from None
    relative = where.relative_to(top.resolve()).as_posix()
    try:
        data = _git(top, "archive", "--format=tar", ref, "--", relative)
    except subprocess.CalledProcessError:
        raise RuleError.at(ref, f"the revision {ref} has no folder {relative}") from None
    with tempfile.TemporaryDirectory(prefix="iapme-baseline-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            archive.extractall(tmp, filter="data")
        copy = Path(tmp) / relative
        shutil.rmtree(copy / TEXTS, ignore_errors=True)
        yield _with_texts(copy, rules_dir)


def _texts(folder: str, names: list[str]) -> list[str]:
    return [TEXTS] if Path(folder).name != TEXTS and TEXTS in names else []


def _with_texts(copy: Path, rules_dir: Path) -> Path:
    """The baseline with the current wording (``texts/``): impact compares tiers, decisions,
    obligations and blockers, which the rules decide; an older rule folder lacks the texts
    this version of iapme reads."""
    if (rules_dir / TEXTS).is_dir():
        shutil.copytree(rules_dir / TEXTS, copy / TEXTS)
    return copy


def _git(cwd: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          timeout=120).stdout


def compare(before: ClientView | None, after: ClientView | None) -> list[Change]:
    """What differs between two views of one client (one may be missing)."""
    if before is None or after is None:
        kind = "client_added" if before is None else "client_removed"
        view = after or before
        assert view is not None
        return [Change(kind, "", "", "" if before is None else view.worst_tier,
                       "" if after is None else view.worst_tier)]
    out: list[Change] = []
    for uc_id in sorted(set(before.use_cases) | set(after.use_cases)):
        old, new = before.use_cases.get(uc_id), after.use_cases.get(uc_id)
        old_tier, new_tier = (old.tier if old else ""), (new.tier if new else "")
        if old_tier != new_tier:
            out.append(Change("tier", uc_id, "", old_tier, new_tier))
        old_status = (old.decision or "") if old else ""
        new_status = (new.decision or "") if new else ""
        if old_status != new_status:
            out.append(Change("decision", uc_id, "", old_status, new_status))
    out += sorted(_obligations(before, after),
                  key=lambda c: (c.use_case, natural_key(c.reference), c.kind, c.text))
    for key in sorted(set(before.blockers) | set(after.blockers)):
        if key not in after.blockers:
            out.append(Change("blocker_removed", key[0], key[1], "", "", before.blockers[key]))
        elif key not in before.blockers:
            out.append(Change("blocker_added", key[0], key[1], "", "", after.blockers[key]))
    return out


def _obligations(before: ClientView, after: ClientView) -> list[Change]:
    removed = {k: v for k, v in before.obligations.items() if k not in after.obligations}
    added = {k: v for k, v in after.obligations.items() if k not in before.obligations}
    out: list[Change] = []
    for key in sorted(set(before.obligations) & set(after.obligations)):
        (old, _), (new, _) = before.obligations[key], after.obligations[key]
        if old != new:
            out.append(Change("obligation_moved", key[0], key[1], old.isoformat(),
                              new.isoformat(), key[2]))
    # the same duty of the same use case whose text changed with it (a date in its words)
    pairs: dict[tuple[str, str], tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]]
    pairs = {}
    for key in removed:
        pairs.setdefault(key[:2], ([], []))[0].append(key)
    for key in added:
        pairs.setdefault(key[:2], ([], []))[1].append(key)
    for (uc_id, ref), (gone, new_keys) in sorted(pairs.items()):
        if len(gone) == 1 and len(new_keys) == 1:
            (old_day, _), (new_day, _) = removed[gone[0]], added[new_keys[0]]
            kind = "obligation_moved" if old_day != new_day else "obligation_reworded"
            out.append(Change(kind, uc_id, ref, old_day.isoformat(), new_day.isoformat(),
                              new_keys[0][2]))
            continue
        out += [Change("obligation_removed", uc_id, ref, removed[k][0].isoformat(), "", k[2])
                for k in gone]
        out += [Change("obligation_added", uc_id, ref, "", added[k][0].isoformat(), k[2])
                for k in new_keys]
    return out


def hand_edited(out: Path, client_ids: Sequence[str]) -> dict[str, list[str]]:
    """Per client of ``client_ids``, its files in ``out`` edited by hand (manifest check)."""
    from engine.run.manifest import Manifest, edited_files

    if not (out / "manifest.json").is_file():
        return {}
    manifest = Manifest.load(out)
    found: dict[str, list[str]] = {}
    for client_id in client_ids:
        record = manifest.clients.get(client_id)
        if not record or not isinstance(record.get("files"), list):
            continue
        keys = [f"{client_id}/{name}" for name in record["files"]]
        edited, _ = edited_files(manifest, out, keys)
        if edited:
            found[client_id] = sorted(edited)
    return found


def run_impact(options: ImpactOptions) -> ImpactReport:
    """Evaluate the portfolio with both rule bases and list what changes, client by client."""
    from engine.rules.base import load_rulebase
    from engine.run.batch import find_profiles

    paths, missing = find_profiles(options.paths)
    report = ImpactReport(failed=list(missing), baseline=options.baseline)
    current = load_rulebase(options.rules)
    with baseline_rules(options.baseline, options.rules) as folder:
        try:
            base = load_rulebase(folder)
        except RuleError as exc:
            raise RuleError(exc.issues, summary=f"the baseline rules ({options.baseline}) "
                                                "do not lint with this version of iapme:") from None
        old, new = evaluate_with([base, current], paths, options.as_of, options.today,
                                 options.jobs)
    report.failed += new.failed
    before = {v.client_id: v for v in old.views}
    after = {v.client_id: v for v in new.views}
    for client_id in sorted(set(before) | set(after)):
        changes = compare(before.get(client_id), after.get(client_id))
        if not changes:
            report.unchanged += 1
            continue
        view = after.get(client_id) or before[client_id]
        report.clients.append(ClientImpact(
            client_id, view.name,
            before[client_id].worst_tier if client_id in before else "",
            after[client_id].worst_tier if client_id in after else "", changes,
            titles={**{u.id: u.title for u in (before.get(client_id) or view).use_cases.values()},
                    **{u.id: u.title for u in view.use_cases.values()}}))
    edited = hand_edited(options.out, [c.client_id for c in report.clients])
    for client in report.clients:
        client.rework = edited.get(client.client_id, [])
    return report
