"""Messages a user sees (issue 15, findings 16 and 17): every OS error a located line, never a
traceback; counts, sizes and names that say what they mean."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES, TEMPLATES = ROOT / "rules", ROOT / "doc_templates"
GOOD = ROOT / "tests" / "data" / "profiles" / "dupont.yaml"
SAMPLE = ROOT / "inputs" / "plomberie-martin.yaml"


def iapme(*args: object) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    return result


def errors(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


LONG = Path("/tmp") / ("x" * 6000)  # longer than any path the system accepts (ENAMETOOLONG)


class TestOsErrors:
    """Finding 16: a 6 KB path in any command is one located line, exit 1."""

    @pytest.mark.parametrize("args", [
        ("run", LONG, "--rules", RULES, "--templates", TEMPLATES, "--out", "{out}"),
        ("run", GOOD, "--out", LONG, "--rules", RULES, "--templates", TEMPLATES),
        ("run", GOOD, "--rules", LONG, "--out", "{out}"),
        ("run", GOOD, "--templates", LONG, "--out", "{out}"),
        ("validate", LONG),
        ("assess", LONG, "--rules", RULES),
        ("assess", GOOD, "--rules", LONG),
        ("rules", "lint", "--rules", LONG),
        ("rules", "test", "--rules", LONG),
        ("templates", "check", "--templates", LONG),
        ("vendors", "list", "--rules", LONG),
        ("vendors", "show", "brevo", "--rules", LONG),
    ], ids=lambda args: " ".join(str(a)[:12] for a in args[:3]))
    def test_a_path_too_long(self, tmp_path: Path, args: tuple[object, ...]) -> None:
        result = iapme(*(str(a).replace("{out}", str(tmp_path / "out")) for a in args))
        assert result.exit_code == 1, result.output
        (line,) = errors(result)
        assert line.startswith(f"error: {LONG}: "), line[:80]
        assert "File name too long" in line


class TestCountsAndSizes:
    """Finding 17, the counts and sizes."""

    def test_validate_a_missing_path(self) -> None:
        result = iapme("validate", "/nonexistent", "--rules", RULES)
        assert result.exit_code == 1
        assert errors(result) == ["error: /nonexistent: no such file or folder"]
        assert result.output.endswith("0 valid, 1 invalid\n")

    def test_just_over_the_size_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "big.yaml"
        text = GOOD.read_text(encoding="utf-8")
        path.write_text(text + "#" * (1_000_100 - len(text.encode("utf-8")) - 1) + "\n",
                        encoding="utf-8")
        assert path.stat().st_size == 1_000_100
        result = iapme("validate", path, "--rules", RULES)
        assert errors(result) == [f"error: {path}: the file is 1,000,100 bytes; the limit is "
                                  "1,000,000 bytes (1.0 MB)"]

    @pytest.mark.parametrize("command", [("vendors", "show", "brevo"), ("vendors", "list"),
                                         ("validate", str(GOOD))])
    def test_a_missing_rules_folder(self, tmp_path: Path, command: tuple[str, ...]) -> None:
        missing = tmp_path / "nowhere"
        result = iapme(*command, "--rules", missing)
        assert result.exit_code == 1
        assert errors(result) == [f"error: {missing}: rules folder not found"]


class TestProfileFiles:
    """Finding 17, the profile files a run finds."""

    def test_upper_case_suffix_is_a_profile(self, tmp_path: Path) -> None:
        folder = tmp_path / "in"
        folder.mkdir()
        shutil.copy(SAMPLE, folder / "CLIENT.YAML")
        shutil.copy(GOOD, folder / "Dupont.Yml")
        result = iapme("validate", folder, "--rules", RULES)
        assert result.output.endswith("2 valid, 0 invalid\n"), result.output
        result = iapme("run", folder, "--out", tmp_path / "out", "--rules", RULES, "--templates",
                       TEMPLATES, "--jobs", 1)
        assert result.exit_code == 0, result.output
        assert (tmp_path / "out" / "plomberie-martin" / "charte-ia.docx").is_file()

    def test_the_same_file_named_twice_is_read_once(self, tmp_path: Path) -> None:
        folder = tmp_path / "in"
        folder.mkdir()
        shutil.copy(GOOD, folder / "dupont.yaml")
        (tmp_path / "lien.yaml").symlink_to(folder / "dupont.yaml")
        result = iapme("run", folder / "dupont.yaml", folder, tmp_path / "lien.yaml",
                       folder / "dupont.yaml", "--out", tmp_path / "out", "--rules", RULES,
                       "--templates", TEMPLATES, "--jobs", 1)
        assert result.exit_code == 0, result.output
        assert "1 written, 0 unchanged, 0 failed" in result.output
        result = iapme("validate", folder, folder / "dupont.yaml", "--rules", RULES)
        assert result.output.endswith("1 valid, 0 invalid\n")


class TestLookalikes:
    """Finding 17: a Cyrillic letter that prints like a Latin one is named."""

    def test_unknown_key_with_a_cyrillic_letter(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_text(GOOD.read_text(encoding="utf-8").replace("  sector:", "  \u0455ector:"),
                        encoding="utf-8")
        result = iapme("validate", path, "--rules", RULES)
        line = next(x for x in errors(result) if "unknown key" in x)
        assert ("unknown key '\u0455ector' (U+0455 CYRILLIC SMALL LETTER DZE at position 1 is "
                "not a Latin letter)") in line

    def test_value_with_a_cyrillic_letter(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_text(GOOD.read_text(encoding="utf-8").replace("sector: other",
                                                                 "sector: \u043everther"),
                        encoding="utf-8")
        result = iapme("validate", path, "--rules", RULES)
        assert any("U+043E CYRILLIC SMALL LETTER O at position 1" in x for x in errors(result))


def _charter_with(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    charter = folder / "charte-ia.docx"
    with zipfile.ZipFile(charter) as source:
        entries = {i.filename: source.read(i) for i in source.infolist()}
    xml = entries["word/document.xml"].decode("utf-8")
    entries["word/document.xml"] = xml.replace("{{ as_of }}", text, 1).encode("utf-8")
    with zipfile.ZipFile(charter, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            target.writestr(name, data)
    return folder


class TestMapAttribute:
    """Finding 17: ``|map(attribute=...)`` never prints 'Undefined' or a generator."""

    @pytest.mark.parametrize(("text", "fragment"), [
        ("{{ use_cases|map(attribute='titre')|list }}", "has no attribute 'titre'"),
        ("{{ use_cases|map(attribute='titre')|join(', ') }}", "has no attribute 'titre'"),
        ("{{ use_cases|map(attribute='title') }}", "must be joined or listed"),
    ], ids=["list", "join", "generator"])
    def test_refused_not_printed(self, tmp_path: Path, text: str, fragment: str) -> None:
        templates = _charter_with(tmp_path, text)
        out = tmp_path / "out"
        result = iapme("run", GOOD, "--out", out, "--rules", RULES, "--templates", templates,
                       "--jobs", 1)
        assert result.exit_code == 1, result.output
        (line,) = errors(result)
        assert line.startswith(f"error: {templates / 'charte-ia.docx'}: body: "), line
        assert fragment in line
        assert not (out / "dupont" / "charte-ia.docx").exists()


def test_output_piped_into_a_reader_that_stops(tmp_path: Path) -> None:
    """``iapme vendors list | head -1``: the reader closes the pipe; no error, no traceback."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "engine", "vendors", "list", "--rules",
                             str(RULES)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()  # before the first line is written
    _, stderr = proc.communicate(timeout=60)
    assert stderr == b"", stderr
