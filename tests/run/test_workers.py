"""Tests of engine.run.workers: one client's bytes, in this process or in worker processes; and
of what they are asked and report (engine.run.options)."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

from engine.errors import ProfileError
from engine.run.options import BatchOptions, BatchReport
from engine.run.workers import Result, process, results

ROOT = Path(__file__).resolve().parents[2]
RULES, TEMPLATES = ROOT / "rules", ROOT / "doc_templates"
TODAY = dt.date(2026, 11, 26)
COMMON = {"rules": "sha256:r", "templates": "sha256:t", "engine": "sha256:e"}
HOME_OF = ("engine.run.options",)


def test_a_valid_profile_gives_its_files_and_record() -> None:
    path = ROOT / "inputs" / "plomberie-martin.yaml"
    result = process(path, RULES, TEMPLATES, None, TODAY, COMMON)
    assert result.error is None
    assert result.client_id == "plomberie-martin"
    assert result.files is not None
    assert sorted(result.files) == ["assessment.json", "brief-dsi.docx", "charte-ia.docx",
                                    "dossier-travail.xlsx", "rapport-audit.docx"]
    assert result.record is not None
    assert result.record["source"] == "plomberie-martin.yaml"
    assert result.record["inputs"]["as_of"] == result.record["profile_date"] == "2026-11-26"
    assert result.record["summary"]["client_id"] == "plomberie-martin"


def test_a_bad_profile_is_a_result_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("client:\n  name: X\n  sectr: artisan\n  employees: 3\n", encoding="utf-8")
    result = process(path, RULES, TEMPLATES, None, TODAY, COMMON)
    assert result.files is None
    assert isinstance(result.error, ProfileError)
    assert "sectr" in str(result.error)


def test_a_failure_survives_the_trip_between_processes(tmp_path: Path) -> None:
    """User errors do not pickle (their args are the message): results carry plain data."""
    result = process(tmp_path / "missing.yaml", RULES, TEMPLATES, None, TODAY, COMMON)
    copy = pickle.loads(pickle.dumps(result))
    assert isinstance(copy, Result)
    assert isinstance(copy.error, ProfileError)
    assert str(copy.error) == str(result.error)


def test_workers_return_results_in_input_order(tmp_path: Path) -> None:
    for index in range(3):
        for sample in sorted((ROOT / "inputs").glob("*.yaml")):
            shutil.copy(sample, tmp_path / f"{index}-{sample.name}")
    paths = sorted(tmp_path.glob("*.yaml"))
    options = BatchOptions(paths, tmp_path / "out", RULES, TEMPLATES, None, TODAY, jobs=2)
    got = list(results(options, paths, COMMON))
    assert [r.path for r in got] == paths
    assert all(r.files for r in got)


def test_the_options_load_without_the_batch() -> None:
    """A worker process reads its options without importing the batch that starts it."""
    done = subprocess.run([sys.executable, "-c", "import sys, engine.run.options; "
                           "print(sorted(m for m in sys.modules if m.startswith('engine.run')))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    loaded = done.stdout.strip()
    assert "'engine.run.options'" in loaded
    assert "engine.run.batch" not in loaded
    assert "engine.run.workers" not in loaded


def test_the_exit_code_is_one_when_a_client_failed() -> None:
    report = BatchReport(unchanged=["a"], protected=["a/charte-ia.docx"], warnings=["w"])
    assert report.exit_code == 0  # protected files and warnings are not failures
    report.failed.append(ProfileError.at("b.yaml", "invalid"))
    assert report.exit_code == 1
