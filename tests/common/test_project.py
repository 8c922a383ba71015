"""Tests of engine.common.project: which rules and templates folders a command uses (option,
then ``iapme.toml``, then the current folder's, then the shipped ones), and a wrong path is a
located error, never a silent fallback. The CLI's view of it is in tests/test_install.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.common.project import (
    MAX_PROJECT_BYTES,
    PROJECT_FILE,
    folder_problem,
    load_project,
    resolve,
    resolve_folders,
    shipped,
)
from engine.errors import RuleError, TemplateError, UserError

ROOT = Path(__file__).resolve().parents[2]


def _project(cwd: Path, text: str | bytes) -> Path:
    path = cwd / PROJECT_FILE
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def _error(cwd: Path) -> UserError:
    with pytest.raises(UserError) as caught:
        load_project(cwd)
    assert len(caught.value.issues) == 1
    return caught.value


class TestOrder:
    def test_shipped_folders_when_nothing_else(self, tmp_path: Path) -> None:
        folders = resolve_folders(tmp_path)
        assert folders.rules == shipped("rules")
        assert folders.templates == shipped("templates")
        assert (folders.rules / "penalties.yaml").is_file()  # the checkout's, in a dev install
        assert (folders.templates / "charte-ia.docx").is_file()

    def test_the_current_folder_before_the_shipped(self, tmp_path: Path) -> None:
        (tmp_path / "rules").mkdir()
        assert resolve("rules", tmp_path) == tmp_path / "rules"
        assert resolve("templates", tmp_path) == shipped("templates")

    def test_the_project_file_before_the_current_folder(self, tmp_path: Path) -> None:
        (tmp_path / "rules").mkdir()
        (tmp_path / "referentiel" / "regles").mkdir(parents=True)
        _project(tmp_path, '# dossiers du cabinet\nrules = "referentiel/regles"\n')
        assert resolve("rules", tmp_path) == tmp_path / "referentiel" / "regles"

    def test_the_option_before_everything(self, tmp_path: Path) -> None:
        (tmp_path / "mine").mkdir()
        _project(tmp_path, 'rules = "absent"\n')  # not even read
        assert resolve("rules", tmp_path, tmp_path / "mine") == tmp_path / "mine"

    def test_paths_are_relative_to_the_project_file(self, tmp_path: Path) -> None:
        _project(tmp_path, 'rules = "../regles"\ntemplates = "modeles"\n')
        assert load_project(tmp_path) == {"rules": tmp_path / "../regles",
                                          "templates": tmp_path / "modeles"}


class TestNoSilentFallback:
    def test_a_missing_folder_named_in_the_project_file(self, tmp_path: Path) -> None:
        (tmp_path / "rules").mkdir()  # there, but not the one asked for
        _project(tmp_path, 'rules = "absent"\n')
        with pytest.raises(RuleError) as caught:
            resolve("rules", tmp_path)
        assert str(caught.value) == f"{tmp_path / 'absent'}: rules folder not found"

    def test_an_option_naming_a_file(self, tmp_path: Path) -> None:
        (tmp_path / "charte-ia.docx").write_bytes(b"")
        with pytest.raises(TemplateError, match="template folder is not a folder"):
            resolve("templates", tmp_path, tmp_path / "charte-ia.docx")

    def test_folder_problem(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_bytes(b"")
        assert folder_problem(tmp_path) is None
        assert folder_problem(tmp_path / "absent") == "not found"
        assert folder_problem(tmp_path / "file") == "is not a folder"
        (tmp_path / "link").symlink_to(tmp_path)
        assert folder_problem(tmp_path / "link") is None  # a folder the user links to is fine


class TestProjectFile:
    def test_no_file_names_nothing(self, tmp_path: Path) -> None:
        assert load_project(tmp_path) == {}

    def test_an_unknown_key_is_located_with_a_suggestion(self, tmp_path: Path) -> None:
        path = _project(tmp_path, '# cabinet\n\ntemplate = "modeles"\n')
        assert str(_error(tmp_path)) == (
            f"{path}:3: template: unknown key 'template'. Did you mean 'templates'? "
            "Allowed keys here: rules, templates.")

    def test_a_value_that_is_not_a_path(self, tmp_path: Path) -> None:
        path = _project(tmp_path, 'rules = "regles"\ntemplates = ["a", "b"]\n')
        assert str(_error(tmp_path)) == (
            f'{path}:2: templates: expected a folder path between quotes, e.g. '
            'templates = "my-templates"')

    def test_an_empty_path(self, tmp_path: Path) -> None:
        _project(tmp_path, 'rules = "  "\n')
        assert "expected a folder path" in str(_error(tmp_path))

    def test_invalid_toml_gives_line_and_column(self, tmp_path: Path) -> None:
        _project(tmp_path, 'rules = "regles"\ntemplates = \n')
        issue = _error(tmp_path).issues[0]
        assert (issue.location.line, issue.location.column) == (2, 13)
        assert issue.message.startswith("invalid TOML: ")
        assert "(at line" not in issue.message  # the location is structured, not repeated

    def test_not_utf8(self, tmp_path: Path) -> None:
        _project(tmp_path, 'rules = "r\xe8gles"\n'.encode("latin-1"))
        assert _error(tmp_path).issues[0].message == "not valid UTF-8; save it as UTF-8"

    def test_too_large(self, tmp_path: Path) -> None:
        _project(tmp_path, "#" * (MAX_PROJECT_BYTES + 1))
        assert "larger than 64,000 bytes" in str(_error(tmp_path))
        _project(tmp_path, "#" * MAX_PROJECT_BYTES)
        assert load_project(tmp_path) == {}

    def test_a_folder_in_its_place(self, tmp_path: Path) -> None:
        (tmp_path / PROJECT_FILE).mkdir()
        assert "cannot read the project file" in str(_error(tmp_path))
