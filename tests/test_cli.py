"""``iapme templates check`` and the run's refusal of broken templates or texts, as seen."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _template_set(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the shipped templates where the charter's ``old`` text becomes ``new``."""
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "doc_templates", folder)
    charter = folder / "charte-ia.docx"
    with zipfile.ZipFile(charter) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    xml = parts["word/document.xml"].decode("utf-8")
    assert old in xml
    parts["word/document.xml"] = xml.replace(old, new, 1).encode("utf-8")
    with zipfile.ZipFile(charter, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return folder


def test_shipped_templates_pass() -> None:
    result = CliRunner().invoke(main, ["templates", "check", "--templates",
                                       str(ROOT / "doc_templates")])
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output


def test_undeclared_variable_is_reported_with_template_and_paragraph(tmp_path: Path) -> None:
    folder = _template_set(tmp_path, "{{ as_of }}", "{{ as_off }}")
    result = CliRunner().invoke(main, ["templates", "check", "--templates", str(folder)])
    assert result.exit_code == 1
    assert "charte-ia.docx" in result.output
    assert "as_off" in result.output
    assert "as_of" in result.output  # the did-you-mean
    assert "Date d" in result.output  # the paragraph it is in


def test_syntax_error_is_reported(tmp_path: Path) -> None:
    folder = _template_set(tmp_path, "{{ sector_line }}", "{{ sector_line }")
    result = CliRunner().invoke(main, ["templates", "check", "--templates", str(folder)])
    assert result.exit_code == 1
    assert "charte-ia.docx" in result.output
    assert "Traceback" not in result.output


def test_run_refuses_broken_templates_before_writing(tmp_path: Path) -> None:
    folder = _template_set(tmp_path, "{{ as_of }}", "{{ as_off }}")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(ROOT / "inputs"), "--out", str(out),
                                       "--templates", str(folder), "--jobs", "1"])
    assert result.exit_code == 1
    assert "charte-ia.docx" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_templates_check_reads_the_texts_of_rules(tmp_path: Path) -> None:
    """The sample context is built from --rules' texts; broken texts are reported, not a crash."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    labels = rules / "texts" / "labels.yaml"
    labels.write_text(labels.read_text(encoding="utf-8").replace("  high: Haut risque\n", ""),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["templates", "check", "--templates",
                                       str(ROOT / "doc_templates"), "--rules", str(rules)])
    assert result.exit_code == 1
    assert f"{labels}:" in result.output
    assert "labels.tier.high: missing: the documents need this text" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [("templates", "snapshot", "--check"), ("templates", "check"),
                                  ("vendors", "list"), ("vendors", "show", "mistral"),
                                  ("validate", "inputs")])
def test_without_folder_options_the_shipped_folders_serve(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    """From a folder with no rules/ nor doc_templates/, commands use the shipped ones."""
    (tmp_path / "inputs").mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output, result.output
    assert "NoneType" not in result.output, result.output
