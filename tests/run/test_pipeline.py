"""End to end: profiles in, three Word documents, assessment.json and summaries out."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.documents.render import document_text
from engine.profile.validate import load_profile
from engine.run.pipeline import DOCUMENTS, assess_profile, prepare, render_client

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data" / "profiles"
DOCS = ("charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx")


def _run(tmp_path: Path, *paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, str, Path]:
    out = tmp_path / "out"
    args = ["run", *map(str, paths), "--out", str(out), "--rules", str(ROOT / "rules"),
            "--templates", str(ROOT / "doc_templates"), "--jobs", "1", *extra]
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output, out


@pytest.fixture(scope="module")
def dupont(tmp_path_factory: pytest.TempPathFactory) -> Path:
    code, output, out = _run(tmp_path_factory.mktemp("dupont"), DATA / "dupont.yaml",
                             extra=("--as-of", "2026-11-26"))
    assert code == 0, output
    return out


def test_writes_every_file(dupont: Path) -> None:
    for name in (*DOCS, "assessment.json"):
        assert (dupont / "dupont" / name).is_file()
    assert (dupont / "summary.csv").read_text(encoding="utf-8").count("\n") == 2
    assert (dupont / "summary.xlsx").is_file()
    assert json.loads((dupont / "manifest.json").read_text())["files"]


def test_client_name_with_xml_characters_survives(dupont: Path) -> None:
    """'Dupont & Fils <SARL>' appears intact in all three documents."""
    for name in DOCS:
        text = document_text((dupont / "dupont" / name).read_bytes())
        assert "Dupont & Fils <SARL>" in text, name
        assert "{{" not in text, name
        assert "{%" not in text, name
        assert not re.search(r"\b(None|nan|NaN)\b", text), name


def test_assessment_json_has_tiers_and_references(dupont: Path) -> None:
    data = json.loads((dupont / "dupont" / "assessment.json").read_text(encoding="utf-8"))
    tiers = {u["id"]: u["ai_act"]["tier"] for u in data["use_cases"]}
    assert tiers == {"cv": "high", "emo": "unacceptable"}
    cv = next(u for u in data["use_cases"] if u["id"] == "cv")
    assert "Annex III 4(a)" in cv["ai_act"]["references"]
    assert data["rules_digest"].startswith("sha256:")


def test_same_inputs_give_identical_bytes(tmp_path: Path, dupont: Path) -> None:
    _, _, again = _run(tmp_path, DATA / "dupont.yaml", extra=("--as-of", "2026-11-26"))
    for name in (*DOCS, "assessment.json"):
        first = hashlib.sha256((dupont / "dupont" / name).read_bytes()).hexdigest()
        second = hashlib.sha256((again / "dupont" / name).read_bytes()).hexdigest()
        assert first == second, name


def test_bad_profiles_are_reported_and_good_ones_written(tmp_path: Path) -> None:
    """A misspelt key and an unknown value: named with line, column and a did-you-mean."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "dupont.yaml", folder / "good.yaml")
    (folder / "typo.yaml").write_text(
        "client:\n  name: X\n  sectr: artisan\n  employees: 3\n", encoding="utf-8")
    (folder / "enum.yaml").write_text(
        "client:\n  name: Y\n  sector: artisans\n  employees: 3\n", encoding="utf-8")
    code, output, out = _run(tmp_path, folder)
    assert code == 1
    assert "Traceback" not in output
    assert "typo.yaml:3:3: client.sectr: unknown key 'sectr'. Did you mean 'sector'?" in output
    assert "enum.yaml:3:11: client.sector: 'artisans' is not an allowed value" in output
    assert "Did you mean 'artisan'?" in output
    assert (out / "good" / "rapport-audit.docx").is_file()
    assert not (out / "typo").exists()


def test_rerun_skips_unchanged_and_protects_hand_edits(tmp_path: Path) -> None:
    code, _, out = _run(tmp_path, DATA / "dupont.yaml")
    assert code == 0
    code, output, _ = _run(tmp_path, DATA / "dupont.yaml")
    assert "0 written, 1 unchanged" in output
    charter = out / "dupont" / "charte-ia.docx"
    charter.write_bytes(charter.read_bytes() + b"edited")
    code, output, _ = _run(tmp_path, DATA / "dupont.yaml")
    assert "protected" in output
    assert charter.read_bytes().endswith(b"edited")
    code, output, _ = _run(tmp_path, DATA / "dupont.yaml", extra=("--force",))
    assert not charter.read_bytes().endswith(b"edited")


def test_document_properties_are_worded_by_the_texts(tmp_path: Path) -> None:
    """Each Word file's title, subject and keywords come from rules/texts/, not from Python."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    report = rules / "texts" / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "title: Rapport d'audit IA", "title: Audit IA"), encoding="utf-8")
    toolkit = prepare(rules, ROOT / "doc_templates")
    profile = load_profile(DATA / "dupont.yaml")
    files = render_client(assess_profile(profile, toolkit.rulebase, dt.date(2026, 11, 26)),
                          toolkit)
    titles = {name: docx.Document(io.BytesIO(files[name])).core_properties.title
              for name in DOCUMENTS}
    assert titles == {
        "charte-ia.docx": f"Charte d’usage de l’intelligence artificielle – {profile.client.name}",
        "brief-dsi.docx": f"Briefing pour le prestataire informatique – {profile.client.name}",
        "rapport-audit.docx": f"Audit IA – {profile.client.name}",
    }
    properties = docx.Document(io.BytesIO(files["charte-ia.docx"])).core_properties
    assert (properties.subject, properties.keywords) == ("Usage de l’IA", "AI Act, RGPD, IA")
