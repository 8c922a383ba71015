"""Installed anywhere (issue 15, findings 18 and 19): the shipped rules, register and
templates are found from any folder; a firm's own folders through options or iapme.toml;
the README's install and test commands are the ones CI runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inputs" / "plomberie-martin.yaml"
REGISTER_PROFILE = """\
client: {id: registre, name: Registre SARL, sector: other, employees: 4}
vendors:
  - {id: brevo, register_id: brevo, dpa_signed: true}
use_cases:
  - {id: mails, title: Campagnes, function: marketing_sales, stage: idea, vendor: brevo}
"""


def iapme(cwd: Path, *args: object, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "engine", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, **(env or {})})
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder outside the repository, with one profile using the vendor register."""
    folder = tmp_path / "cabinet"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "plomberie-martin.yaml")
    (folder / "registre.yaml").write_text(REGISTER_PROFILE, encoding="utf-8")
    return folder


class TestShippedFolders:
    """Finding 18: from another folder, the shipped rules, register and templates are used."""

    def test_run_from_another_folder(self, elsewhere: Path) -> None:
        done = iapme(elsewhere, "run", ".", "--jobs", 1, "--as-of", "2026-11-26")
        assert done.returncode == 0, done.stderr
        assert "2 written, 0 unchanged, 0 failed" in done.stdout
        assert (elsewhere / "outputs" / "registre" / "brief-dsi.docx").is_file()

    @pytest.mark.parametrize("command", [
        ("validate", "registre.yaml"), ("assess", "registre.yaml"), ("rules", "lint"),
        ("rules", "test"), ("templates", "check"), ("vendors", "show", "brevo"),
    ])
    def test_every_command_from_another_folder(self, elsewhere: Path,
                                               command: tuple[str, ...]) -> None:
        done = iapme(elsewhere, *command)
        assert done.returncode == 0, done.stdout + done.stderr

    def test_installed_package_carries_its_folders(self, tmp_path: Path, elsewhere: Path
                                                   ) -> None:
        """What a wheel (pip install ., pipx install) holds: setup.py's build copies rules/
        and doc_templates/ into the package, and the engine finds them there."""
        wheels = tmp_path / "wheels"
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                        str(wheels), str(ROOT)], check=True, capture_output=True, timeout=600)
        shutil.rmtree(ROOT / "build", ignore_errors=True)
        (wheel,) = wheels.glob("iapme-*.whl")
        installed = tmp_path / "site"
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(installed)
        assert (installed / "engine" / "shipped_rules" / "vendors" / "register.yaml").is_file()
        assert sorted(p.name for p in (installed / "engine" / "shipped_templates").iterdir()) \
            == ["brief-dsi.docx", "charte-ia.docx", "rapport-audit.docx"]
        env = {"PYTHONPATH": str(installed)}
        probe = subprocess.run([sys.executable, "-c", "import engine; print(engine.__file__)"],
                               cwd=elsewhere, env={**os.environ, **env}, capture_output=True,
                               text=True, check=True)
        assert probe.stdout.startswith(str(installed)), probe.stdout
        done = iapme(elsewhere, "run", "registre.yaml", "--jobs", 1, env=env)
        assert done.returncode == 0, done.stderr


class TestFirmFolders:
    """A firm's own rules and templates: ./rules, options, or iapme.toml."""

    def _firm(self, base: Path) -> tuple[Path, Path]:
        rules, templates = base / "referentiel" / "regles", base / "modeles"
        shutil.copytree(ROOT / "rules", rules)
        shutil.copytree(ROOT / "doc_templates", templates)
        register = rules / "vendors" / "register.yaml"
        text = register.read_text(encoding="utf-8")
        block = text[text.index("  - id: brevo"):]
        block = block[:block.index("\n  - id:", 1) + 1] if "\n  - id:" in block[1:] else block
        register.write_text(text + block.replace("id: brevo", "id: outil-du-cabinet", 1),
                            encoding="utf-8")
        return rules, templates

    def test_project_file(self, elsewhere: Path) -> None:
        _, templates = self._firm(elsewhere)
        (elsewhere / "iapme.toml").write_text(
            '# dossiers du cabinet\nrules = "referentiel/regles"\ntemplates = "modeles"\n',
            encoding="utf-8")
        done = iapme(elsewhere, "vendors", "show", "outil-du-cabinet")
        assert done.returncode == 0, done.stderr
        sub = elsewhere / "sous-dossier"
        sub.mkdir()
        assert iapme(sub, "vendors", "show", "outil-du-cabinet").returncode == 1  # here only
        (templates / "charte-ia.docx").unlink()
        done = iapme(elsewhere, "templates", "check")
        assert done.returncode == 1
        assert f"{templates / 'charte-ia.docx'}: template 'charte-ia.docx' is missing" in (
            done.stderr)

    def test_options_and_local_folders(self, elsewhere: Path) -> None:
        rules, _ = self._firm(elsewhere / "ailleurs")
        assert iapme(elsewhere, "vendors", "show", "outil-du-cabinet", "--rules",
                     rules).returncode == 0
        shutil.copytree(rules, elsewhere / "rules")
        assert iapme(elsewhere, "vendors", "show", "outil-du-cabinet").returncode == 0

    @pytest.mark.parametrize(("text", "message"), [
        ('rule = "x"\n', "iapme.toml:1: rule: unknown key 'rule'. Did you mean 'rules'?"),
        ("rules = 3\n", "iapme.toml:1: rules: expected a folder path between quotes"),
        ("rules = \n", "iapme.toml:1:9: invalid TOML: Invalid value"),
        ('rules = "absent"\n', "absent: rules folder not found"),
    ])
    def test_a_wrong_project_file(self, elsewhere: Path, text: str, message: str) -> None:
        (elsewhere / "iapme.toml").write_text(text, encoding="utf-8")
        done = iapme(elsewhere, "vendors", "list")
        assert done.returncode == 1
        assert message in done.stderr, done.stderr


class TestCommands:
    """Finding 19 and acceptance 3: one install command for Python 3.11 to 3.14, the same in
    the README and in CI."""

    def _readme_commands(self) -> list[str]:
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        block = re.search(r"```sh\n(.*?)```", text, re.DOTALL)
        assert block is not None
        return [line for line in block.group(1).splitlines()
                if line and not line.startswith("#")]

    def test_ci_runs_the_readme_test_command(self) -> None:
        test = self._readme_commands()[1]
        assert "pytest" in test
        ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
        assert test in ci.splitlines()

    def test_durable_rules_builds_on_313(self) -> None:
        """durable_rules 2.0.28 calls PyEval_CallObject, removed in Python 3.13: both
        commands build it with the one-line macro that maps it to PyObject_CallObject."""
        for command in self._readme_commands()[:2]:
            assert "CPPFLAGS='-DPyEval_CallObject=PyObject_CallObject'" in command, command

    def test_supported_versions(self) -> None:
        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        assert project["project"]["requires-python"] == ">=3.11,<3.15"
        classifiers = project["project"]["classifiers"]
        for minor in (11, 12, 13, 14):
            assert f"Programming Language :: Python :: 3.{minor}" in classifiers
