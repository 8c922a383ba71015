"""Tests of the batch through ``iapme run``: reproducible, skipping, protecting, kill-safe."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import ModuleType

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx")


def _synthetic() -> ModuleType:
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench" / "synthetic.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("profiles")
    _synthetic().write_profiles(folder, 12, seed=5)
    return folder


def _run(out: Path, *paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    args = ["run", *map(str, paths), "--out", str(out), "--rules", str(ROOT / "rules"),
            "--templates", str(ROOT / "doc_templates"), *extra]
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output


def _digests(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def _line(output: str) -> str:
    return next(line for line in output.splitlines() if " written, " in line).split(" -> ")[0]


class TestReproducible:
    def test_two_runs_give_identical_files(self, tmp_path: Path, profiles: Path) -> None:
        """Acceptance 2: same inputs and --as-of, same sha256 for every file (jobs 1 and 2)."""
        code, output = _run(tmp_path / "a", profiles, extra=("--as-of", "2026-11-26",
                                                             "--jobs", "2"))
        assert code == 0, output
        assert _line(output) == "12 written, 0 unchanged, 0 failed, 0 protected"
        extra = ("--as-of", "2026-11-26", "--jobs", "1")
        assert _run(tmp_path / "b", profiles, extra=extra)[0] == 0
        first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
        # documents, assessment.json, working file, summaries, index, manifest
        assert len(first) == 12 * 5 + 4
        assert first == second

    def test_summary_has_one_row_per_client(self, tmp_path: Path, profiles: Path) -> None:
        assert _run(tmp_path, profiles)[0] == 0
        lines = (tmp_path / "summary.csv").read_text(encoding="utf-8").splitlines()
        assert len(lines) == 13
        sheet = openpyxl.load_workbook(tmp_path / "summary.xlsx").active
        assert sheet.max_row == 13
        manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
        entry = manifest["files"]["client-00000/rapport-audit.docx"]
        assert set(entry["inputs"]) == {"profile", "rules", "templates", "as_of", "engine",
                                        "documents", "logic", "cited"}
        assert entry["sha256"].startswith("sha256:")


class TestRerun:
    def test_unchanged_clients_are_skipped_without_loading_rules(self, tmp_path: Path,
                                                                 profiles: Path) -> None:
        assert _run(tmp_path, profiles)[0] == 0
        before = _digests(tmp_path)
        mtimes = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
        code, output = _run(tmp_path, profiles)
        assert (code, _line(output)) == (0, "0 written, 12 unchanged, 0 failed, 0 protected")
        assert _digests(tmp_path) == before
        assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == mtimes
        script = ("import datetime, sys, pathlib; "
                  "from engine.run.batch import run_batch; "
                  "from engine.run.options import BatchOptions;"
                  f"r = run_batch(BatchOptions([pathlib.Path({str(profiles)!r})], "
                  f"pathlib.Path({str(tmp_path)!r}), pathlib.Path({str(ROOT / 'rules')!r}), "
                  f"pathlib.Path({str(ROOT / 'doc_templates')!r}), None, datetime.date.today()));"
                  "print(len(r.unchanged), 'engine.run.pipeline' in sys.modules)")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=True)
        assert done.stdout.split() == ["12", "False"]  # no rule, template or chart was loaded

    def test_changes_are_rebuilt(self, tmp_path: Path, profiles: Path) -> None:
        folder = tmp_path / "in"
        shutil.copytree(profiles, folder)
        assert _run(tmp_path / "out", folder)[0] == 0
        changed = folder / "client-00003.yaml"
        text = changed.read_text(encoding="utf-8")
        changed.write_text(re.sub(r"(?m)^  name: .*$", "  name: Nouveau Nom", text, count=1),
                           encoding="utf-8")
        (tmp_path / "out" / "client-00005" / "brief-dsi.docx").unlink()
        output = _run(tmp_path / "out", folder)[1]
        assert _line(output) == "2 written, 10 unchanged, 0 failed, 0 protected"
        assert "Nouveau Nom" in (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8")
        output = _run(tmp_path / "out", folder, extra=("--as-of", "2027-03-01"))[1]
        assert _line(output) == "12 written, 0 unchanged, 0 failed, 0 protected"

    def test_hand_edit_survives_and_force_replaces_it(self, tmp_path: Path,
                                                      profiles: Path) -> None:
        """Acceptance 3."""
        assert _run(tmp_path, profiles)[0] == 0
        report = tmp_path / "client-00002" / "rapport-audit.docx"
        original = report.read_bytes()
        report.write_bytes(original + b"edited")
        for extra in ((), ("--as-of", "2027-01-04")):  # unchanged, then rebuilt
            code, output = _run(tmp_path, profiles, extra=extra)
            assert code == 0
            assert f"protected: {report} was edited by hand" in output
            assert _line(output).endswith("1 protected")
            assert report.read_bytes() == original + b"edited"
        code, output = _run(tmp_path, profiles, extra=("--as-of", "2027-01-04", "--force"))
        assert (code, "edited by hand" in output) == (0, False)
        assert not report.read_bytes().endswith(b"edited")
        assert _line(_run(tmp_path, profiles, extra=("--as-of", "2027-01-04"))[1]) == (
            "0 written, 12 unchanged, 0 failed, 0 protected")

    def test_damaged_manifest_is_reported_not_fatal(self, tmp_path: Path,
                                                    profiles: Path) -> None:
        assert _run(tmp_path, profiles)[0] == 0
        (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
        code, output = _run(tmp_path, profiles)
        assert code == 0
        assert "manifest.json is unreadable" in output
        assert "Traceback" not in output
        assert _line(_run(tmp_path, profiles)[1]).startswith("0 written, 12 unchanged")


def test_duplicate_client_ids(tmp_path: Path, profiles: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(profiles / "client-00001.yaml", folder / "a.yaml")
    shutil.copy(profiles / "client-00001.yaml", folder / "b.yaml")
    code, output = _run(tmp_path / "out", folder)
    assert code == 1
    assert "client id 'client-00001' is already used by" in output
    assert _line(output) == "1 written, 0 unchanged, 1 failed, 0 protected"


def _check_output_tree(out: Path) -> None:
    """Every file opens: .docx with python-docx, JSON parses, the workbook loads."""
    for path in out.rglob("*"):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix == ".docx":
            assert zipfile.ZipFile(path).testzip() is None, path
            docx.Document(str(path))
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xlsx":
            openpyxl.load_workbook(path)


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_no_damage(tmp_path: Path) -> None:
    """Acceptance 4: SIGKILL mid-run; no truncated file; the next run completes identically."""
    folder = tmp_path / "in"
    _synthetic().write_profiles(folder, 40, seed=11)
    command = [sys.executable, "-m", "engine", "run", str(folder), "--out", str(tmp_path / "out"),
               "--rules", str(ROOT / "rules"), "--templates", str(ROOT / "doc_templates"),
               "--as-of", "2026-11-26", "--jobs", "2"]
    clean = [*command[:6], str(tmp_path / "clean"), *command[7:]]
    subprocess.run(clean, check=True, capture_output=True, cwd=ROOT)
    out = tmp_path / "out"
    for wait_for in (0, 3, 15, 30):  # kill at start-up, then once that many clients exist
        proc = subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while wait_for and time.monotonic() < deadline and proc.poll() is None:
            if sum(1 for _ in out.glob("*/rapport-audit.docx")) >= wait_for:
                break
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers
        assert proc.wait() == -signal.SIGKILL, "the run ended before it could be killed"
        _check_output_tree(out)
        if wait_for == 15:  # and a deliverable deleted meanwhile: rebuilt, not reported
            (out / "client-00000" / "charte-ia.docx").unlink()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "edited by hand" not in done.stdout + done.stderr
    _check_output_tree(out)
    assert list(out.rglob("*.part")) == []
    assert _digests(out) == _digests(tmp_path / "clean")


def test_client_id_pattern_matches_the_profile_schema() -> None:
    from engine.profile.model import CLIENT_ID_PATTERN
    from engine.run.manifest import CLIENT_ID

    assert f"^{CLIENT_ID.pattern}$" == CLIENT_ID_PATTERN


def test_tampered_manifest_records_are_rebuilt_not_trusted(tmp_path: Path,
                                                           profiles: Path) -> None:
    assert _run(tmp_path, profiles)[0] == 0
    path = tmp_path / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["clients"]["client-00000"]["files"] = ["../../escape.docx"]
    data["clients"]["client-00001"]["summary"]["use_cases"] = {"not": "a number"}
    data["clients"]["../evil"] = data["clients"].pop("client-00002")
    path.write_text(json.dumps(data), encoding="utf-8")
    code, output = _run(tmp_path, profiles)
    assert (code, _line(output)) == (0, "0 written, 12 unchanged, 0 failed, 0 protected")
    repaired = json.loads(path.read_text(encoding="utf-8"))["clients"]
    assert repaired["client-00000"]["files"] == sorted(["assessment.json", "dossier-travail.xlsx",
                                                        *DOCS])
    assert isinstance(repaired["client-00001"]["summary"]["use_cases"], int)
    assert "client-00002" in repaired
    assert not (tmp_path.parent / "escape.docx").exists()


def test_progress_counts_every_profile(tmp_path: Path, profiles: Path) -> None:
    """The progress callback sees 1..N, for skipped clients as for processed ones."""
    import datetime as dt

    from engine.run.batch import run_batch
    from engine.run.options import BatchOptions

    options = BatchOptions([profiles], tmp_path, ROOT / "rules", ROOT / "doc_templates", None,
                           dt.date(2026, 11, 26), jobs=2)
    for _ in range(2):
        calls: list[tuple[int, int]] = []
        run_batch(options, lambda done, total: calls.append((done, total)))  # noqa: B023
        assert calls == [(n, 12) for n in range(1, 13)]
    code, output = _run(tmp_path, profiles)
    assert (code, output.count("\n")) == (0, 1)  # no progress bar when not on a terminal


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_pdf_beside_each_document(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("plomberie-martin.yaml", "vigie-retail.yaml"):
        shutil.copy(ROOT / "inputs" / name, folder / name)
    assert _run(tmp_path / "out", folder, extra=("--pdf",))[0] == 0
    pdfs = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.pdf"))
    assert [str(p) for p in pdfs] == [f"{client}/{doc[:-5]}.pdf"
                                      for client in ("plomberie-martin", "vigie-retail")
                                      for doc in sorted(DOCS)]
    (tmp_path / "out" / "vigie-retail" / "charte-ia.pdf").unlink()
    assert _run(tmp_path / "out", folder, extra=("--pdf",))[0] == 0  # unchanged, PDF missing
    assert (tmp_path / "out" / "vigie-retail" / "charte-ia.pdf").read_bytes().startswith(b"%PDF")
