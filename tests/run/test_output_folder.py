"""The firm's output folder under attack (issue 15, findings 1, 2, 5-10).

Nothing lost, nothing stale, nothing written outside: a reused client id, a partial run, a
user's own hidden files, an interrupted run, links, named pipes, devices, deep JSON and
obstructed client folders. Every case drives ``iapme run`` on real files (a subprocess with a
timeout where the old code hung).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.cli import main
from engine.common.digest import sha256

ROOT = Path(__file__).resolve().parents[2]
RULES, TEMPLATES = ROOT / "rules", ROOT / "doc_templates"
GOOD = ROOT / "tests" / "data" / "profiles" / "dupont.yaml"
AS_OF = "2026-11-26"
DOCS = ("charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx")


def iapme(*args: object) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def run(out: Path, *paths: object, extra: tuple[str, ...] = ()) -> Result:
    return iapme("run", *paths, "--out", out, "--rules", RULES, "--templates", TEMPLATES,
                 "--jobs", 1, "--as-of", AS_OF, *extra)


def run_process(out: Path, *paths: object, timeout: float = 120
                ) -> subprocess.CompletedProcess[str]:
    """``iapme run`` in its own process, for cases that used to hang."""
    command = [sys.executable, "-m", "engine", "run", *map(str, paths), "--out", str(out),
               "--rules", str(RULES), "--templates", str(TEMPLATES), "--jobs", "1",
               "--as-of", AS_OF]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          cwd=out.parent, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def profile(folder: Path, name: str, client_id: str, client_name: str = "Dupont") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = GOOD.read_text(encoding="utf-8")
    text = text.replace("client:\n", f"client:\n  id: {client_id}\n", 1)
    text = re.sub(r"(?m)^  name: .*$", f'  name: "{client_name}"', text, count=1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def summary_ids(out: Path) -> list[str]:
    lines = (out / "summary.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split(",")[0] for line in lines]


def manifest(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


class TestClientIdentity:
    """Finding 1: one client id belongs to one profile file across runs."""

    def test_a_copied_profile_reusing_an_id_is_refused(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        original = profile(tmp_path / "a", "martin.yaml", "martin", "Martin SARL")
        assert run(out, original).exit_code == 0
        before = {name: (out / "martin" / name).read_bytes() for name in DOCS}
        copy = profile(tmp_path / "b", "nouveau-client.yaml", "martin", "Nouveau Client")
        result = run(out, copy)
        assert result.exit_code == 1
        assert (f"error: {copy}:2:7: client.id: client id 'martin' already belongs to the "
                f"profile martin.yaml in {out}") in result.output
        assert "--force" in result.output
        assert {name: (out / "martin" / name).read_bytes() for name in DOCS} == before
        assert manifest(out)["clients"]["martin"]["source"] == "martin.yaml"

    def test_force_accepts_the_new_profile(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        assert run(out, profile(tmp_path / "a", "martin.yaml", "martin")).exit_code == 0
        copy = profile(tmp_path / "b", "renamed.yaml", "martin", "Martin Renommé")
        result = run(out, copy, extra=("--force",))
        assert result.exit_code == 0, result.output
        assert manifest(out)["clients"]["martin"]["source"] == "renamed.yaml"
        assert "Martin Renommé" in (out / "summary.csv").read_text(encoding="utf-8")
        assert run(out, copy).exit_code == 0  # from now on it is this profile's id


class TestSummaries:
    """Finding 2: the portfolio view keeps every client of the folder."""

    def test_a_run_on_some_profiles_keeps_the_other_rows(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        paths = [profile(tmp_path / "in", f"c{n}.yaml", f"client-{n}") for n in range(3)]
        assert run(out, *paths).exit_code == 0
        assert summary_ids(out) == ["client-0", "client-1", "client-2"]
        result = run(out, paths[1], extra=("--as-of", "2027-02-01"))
        assert result.exit_code == 0, result.output
        assert summary_ids(out) == ["client-0", "client-1", "client-2"]
        rows = (out / "summary.csv").read_text(encoding="utf-8").splitlines()
        assert ",2027-02-01," in rows[2]
        assert ",2026-11-26," in rows[1]
        from openpyxl import load_workbook

        sheet = load_workbook(out / "summary.xlsx").active
        assert sheet.max_row == len(summary_ids(out)) + 1


class TestTemporaryFiles:
    """Finding 5: only this tool's own temporary files are ever removed."""

    def test_a_users_part_files_are_kept(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        assert run(out, GOOD).exit_code == 0
        mine = [out / ".notes.part", out / "dupont" / ".brouillon.part",
                out / "archives" / "2025" / ".charte-ia.docx.12-3.part",
                out / "dupont" / ".rapport.docx.part"]
        for path in mine:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("à garder", encoding="utf-8")
        ours = out / "dupont" / ".charte-ia.docx.4242-7.part"  # what a killed run leaves
        ours.write_bytes(b"half a document")
        assert run(out, GOOD).exit_code == 0
        assert all(path.read_text(encoding="utf-8") == "à garder" for path in mine)
        assert not ours.exists()


class TestInterruptedRun:
    """Finding 6: after a replayed journal the manifest is what a clean run writes."""

    def _killed_after_renames(self, out: Path, path: Path, as_of: str) -> None:
        """What ``kill -9`` between moving files into place and saving the manifest leaves:
        the files and the journal (made by the real writer, in a subprocess killed by
        SIGKILL right after its flush)."""
        script = f"""
import datetime, os, pathlib, signal
from engine.run import batch
from engine.run.options import BatchOptions
from engine.run.outputs import Writer
original = Writer.flush
def flush_then_die(self):
    original(self)
    if (pathlib.Path({str(out)!r}) / ".manifest.journal").exists():
        os.kill(os.getpid(), signal.SIGKILL)
Writer.flush = flush_then_die
batch.run_batch(BatchOptions([pathlib.Path({str(path)!r})], pathlib.Path({str(out)!r}),
                             pathlib.Path({str(RULES)!r}), pathlib.Path({str(TEMPLATES)!r}),
                             datetime.date.fromisoformat({as_of!r}), datetime.date(2026, 1, 1)))
"""
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=120, check=False)
        assert done.returncode == -9, done.stderr
        assert (out / ".manifest.journal").exists()

    def test_manifest_after_replay_equals_a_clean_runs(self, tmp_path: Path) -> None:
        out, clean = tmp_path / "out", tmp_path / "clean"
        for folder in (out, clean):
            assert run(folder, GOOD).exit_code == 0
        self._killed_after_renames(out, GOOD, "2027-03-01")
        assert run(clean, GOOD, extra=("--as-of", "2027-03-01")).exit_code == 0
        result = run(out, GOOD, extra=("--as-of", "2027-03-01"))
        assert result.exit_code == 0, result.output
        assert "0 written, 1 unchanged" in result.output
        assert (out / "manifest.json").read_bytes() == (clean / "manifest.json").read_bytes()

    def test_an_older_version_restored_on_purpose_is_protected(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        assert run(out, GOOD).exit_code == 0
        old = (out / "dupont" / "charte-ia.docx").read_bytes()
        self._killed_after_renames(out, GOOD, "2027-03-01")
        assert run(out, GOOD, extra=("--as-of", "2027-03-01")).exit_code == 0
        (out / "dupont" / "charte-ia.docx").write_bytes(old)  # the consultant restores it
        result = run(out, GOOD, extra=("--as-of", "2027-03-01"))
        assert result.exit_code == 0
        assert f"protected: {out / 'dupont' / 'charte-ia.docx'}" in result.output
        assert (out / "dupont" / "charte-ia.docx").read_bytes() == old


class TestLinksAndSpecialFiles:
    """Findings 7 and 8: bookkeeping and output files are never followed or blocked on."""

    def test_journal_that_is_a_link_is_refused_and_its_target_untouched(
            self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        out.mkdir()
        victim = tmp_path / "victim.txt"
        victim.write_text("précieux\n", encoding="utf-8")
        (out / ".manifest.journal").symlink_to(victim)
        result = run(out, GOOD)
        assert result.exit_code == 1
        assert (f"error: {out / '.manifest.journal'}: is a symbolic link, not a regular file"
                in result.output)
        assert victim.read_text(encoding="utf-8") == "précieux\n"
        assert (out / ".manifest.journal").is_symlink()
        assert not (out / "dupont").exists()

    @pytest.mark.parametrize("name", ["manifest.json", ".manifest.journal"])
    @pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
    def test_bookkeeping_file_that_is_not_a_file(self, tmp_path: Path, name: str,
                                                 kind: str) -> None:
        out = tmp_path / "out"
        out.mkdir()
        target = out / name
        if kind == "fifo":
            os.mkfifo(target)
        elif kind == "dev-zero":
            target.symlink_to("/dev/zero")
        else:
            target.mkdir()
        done = run_process(out, GOOD)
        assert done.returncode == 1, done.stderr
        what = {"fifo": "a named pipe", "dev-zero": "a symbolic link", "folder": "a folder"}
        assert f"error: {target}: is {what[kind]}, not a regular file" in done.stderr

    @pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
    def test_summary_or_deliverable_that_is_a_pipe_or_a_device(self, tmp_path: Path,
                                                               kind: str) -> None:
        """The run neither hangs nor reads without end. A pipe obstructs: the client (and the
        summary) are reported by path, the other clients are written. A link is not ours:
        kept as it is and reported as protected, never followed."""
        out = tmp_path / "out"
        (out / "dupont").mkdir(parents=True)
        targets = (out / "summary.csv", out / "dupont" / "charte-ia.docx")
        for target in targets:
            if kind == "fifo":
                os.mkfifo(target)
            else:
                target.symlink_to("/dev/zero")
        other = profile(tmp_path / "in", "autre.yaml", "autre")
        done = run_process(out, GOOD, other)
        assert (out / "autre" / "rapport-audit.docx").is_file()
        if kind == "fifo":
            assert done.returncode == 1, done.stderr
            for target in targets:
                assert (f"error: {target}: is a named pipe where iapme writes {target.name}; "
                        "move it away") in done.stderr
            assert not (out / "dupont" / "rapport-audit.docx").exists()
            assert (out / "summary.xlsx").exists() is False
        else:
            assert done.returncode == 0, done.stderr
            for target in targets:
                assert f"protected: {target} was edited by hand" in done.stderr
                assert str(target.readlink()) == "/dev/zero"
            assert (out / "dupont" / "rapport-audit.docx").is_file()


class TestDeepJson:
    """Finding 9: a deeply nested manifest or journal line is damage, not a traceback."""

    def test_deep_manifest(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        assert run(out, GOOD).exit_code == 0
        (out / "manifest.json").write_text('{"files": ' + "[" * 100_000 + "]" * 100_000 + "}",
                                           encoding="utf-8")
        result = run(out, GOOD)
        assert result.exit_code == 0, result.output
        assert "manifest.json is unreadable" in result.output
        assert run(out, GOOD).exit_code == 0

    def test_deep_journal_line(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        assert run(out, GOOD).exit_code == 0
        (out / ".manifest.journal").write_text(
            '{"client": "x", "record": ' + "[" * 100_000 + "]" * 100_000 + ', "files": {}}\n',
            encoding="utf-8")
        result = run(out, GOOD)
        assert result.exit_code == 0, result.output
        assert "0 written, 1 unchanged" in result.output

    def test_deep_record_inside_a_valid_manifest(self, tmp_path: Path) -> None:
        """Deep enough to load but not to be written back: such a record is not ours."""
        out = tmp_path / "out"
        assert run(out, GOOD).exit_code == 0
        data = manifest(out)
        deep = json.loads("[" * 900 + "]" * 900)
        data["clients"]["autre"] = {**data["clients"]["dupont"], "source": "autre.yaml",
                                    "summary": {"client_id": "autre", "extra": deep}}
        data["files"]["autre/charte-ia.docx"] = {"sha256": "sha256:0", "inputs": {"x": deep}}
        (out / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
        result = run(out, GOOD, extra=("--as-of", "2027-01-04"))
        assert result.exit_code == 0, result.output
        assert "autre" not in manifest(out)["clients"]
        assert "autre/charte-ia.docx" not in manifest(out)["files"]


class TestObstructedClientFolder:
    """Finding 10: one obstructed client is reported by its path; the others are written."""

    @pytest.mark.parametrize("obstacle", ["file", "link", "document-is-a-folder",
                                          "document-is-a-pipe"])
    def test_the_batch_goes_on(self, tmp_path: Path, obstacle: str) -> None:
        out = tmp_path / "out"
        out.mkdir()
        ids = [f"client-{n}" for n in range(3)]
        paths = [profile(tmp_path / "in", f"{cid}.yaml", cid) for cid in ids]
        culprit = out / "client-1"
        if obstacle == "file":
            culprit.write_text("garder", encoding="utf-8")
        elif obstacle == "link":
            (tmp_path / "elsewhere").mkdir()
            culprit.symlink_to(tmp_path / "elsewhere")
        else:
            culprit.mkdir()
            culprit = culprit / "brief-dsi.docx"
            if obstacle == "document-is-a-folder":
                culprit.mkdir()
            else:
                os.mkfifo(culprit)
        done = run_process(out, *paths)
        assert done.returncode == 1, done.stderr
        errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, done.stderr
        assert errors[0].startswith(f"error: {culprit}: "), errors
        assert "2 written, 0 unchanged, 1 failed" in done.stdout
        for cid in ("client-0", "client-2"):
            assert sorted(p.name for p in (out / cid).iterdir()) == sorted(
                [*DOCS, "assessment.json", "dossier-travail.xlsx"])
        assert summary_ids(out) == ["client-0", "client-2"]
        assert not list((tmp_path / "elsewhere").glob("*")) if obstacle == "link" else True


def test_profile_bytes_recorded_are_the_bytes_assessed(tmp_path: Path) -> None:
    """Finding 4: a profile saved while it is processed (a sync client, an editor): the
    digest in the manifest is the digest of the bytes the documents were made from."""
    import threading

    from engine.run.workers import process

    folder = tmp_path / "in"
    versions = [profile(folder, f"v{n}.yaml", "dupont", f"Version {n}").read_bytes()
                for n in range(2)]
    path = folder / "dupont.yaml"
    path.write_bytes(versions[0])
    stop = threading.Event()

    def keep_saving() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            tmp = folder / ".saving"
            tmp.write_bytes(versions[n % 2])
            tmp.replace(path)

    common = {"rules": "sha256:r", "templates": "sha256:t", "engine": "sha256:e"}
    saver = threading.Thread(target=keep_saving)
    saver.start()
    try:
        for _ in range(15):
            result = process(path, RULES, TEMPLATES, None, __import__("datetime").date(
                2026, 11, 26), common)
            assert result.record is not None, result.error
            name = result.record["summary"]["client_name"]
            version = versions[int(name.rsplit(" ", 1)[1])]
            assert result.record["inputs"]["profile"] == sha256(version)
    finally:
        stop.set()
        saver.join()
    shutil.rmtree(folder)
