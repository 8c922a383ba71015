"""The consultant's working file (dossier-travail.xlsx): every finding of assessment.json with
its rule, file:line, facts and references; frozen header, filters; identical bytes each time."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from engine.run.layout import ASSESSMENT_FILE, CLIENT_FILES, WORKING_FILE
from engine.run.pipeline import render_client
from tests.conftest import SampleRenders

ROOT = Path(__file__).resolve().parents[2]
PROFILES = sorted((ROOT / "inputs").glob("*.yaml"))


@pytest.fixture(scope="module")
def outputs(sample_renders: SampleRenders) -> dict[str, dict[str, bytes]]:
    return {p.stem: sample_renders.clients[p.stem].files for p in PROFILES}


def _facts(cell: str | None) -> dict[str, object]:
    if not cell:
        return {}
    pairs = (line.split(" = ", 1) for line in cell.split("\n"))
    return {path: json.loads(value) for path, value in pairs}


def test_every_finding_with_its_trace(outputs: dict[str, dict[str, bytes]]) -> None:
    assert WORKING_FILE in CLIENT_FILES
    for client in (p.stem for p in PROFILES):
        files = outputs[client]
        data = json.loads(files[ASSESSMENT_FILE])
        sheet = openpyxl.load_workbook(io.BytesIO(files[WORKING_FILE])).active
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref
        header, *rows = list(sheet.iter_rows(values_only=True))
        col = {name: i for i, name in enumerate(header)}
        assert len(rows) == len(data["findings"]) > 0, client
        for row, finding in zip(rows, data["findings"], strict=True):
            assert row[col["Règle"]] == finding["rule"]
            assert f"{row[col['Fichier']]}:{row[col['Ligne']]}" == finding["source"]
            assert _facts(row[col["Faits retenus"]]) == finding["because"], finding["rule"]
            assert (row[col["Références"]] or "") == "; ".join(finding["references"])
            assert row[col["Identifiant"]] == finding["subject"]
            assert row[col["Référentiel"]] == data.get("rules_applied_digest",
                                                       data["rules_digest"])
            assert row[col["Point de droit"]]


def test_same_bytes_every_time(sample_renders: SampleRenders) -> None:
    for client in (p.stem for p in PROFILES):
        sample = sample_renders.clients[client]
        again = render_client(sample.assessment, sample_renders.toolkit)
        assert again[WORKING_FILE] == sample.files[WORKING_FILE]
