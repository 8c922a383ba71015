"""Shared pytest options: ``--update-golden`` rewrites the golden document texts."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parent.parent / "rules"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from the current documents instead of comparing")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def _copy_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    return rules


def _write_rule(rules: Path, body: str, name: str = "99-bad.yaml", folder: str = "extra") -> Path:
    """A rule file under ``folder`` (not ``ai_act/``, whose rules must test ai_system first)."""
    path = rules / folder / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("rules:\n" + body, encoding="utf-8")
    return path


@pytest.fixture
def copy_rules() -> Callable[[Path], Path]:
    """``copy_rules(tmp_path)``: a scratch copy of the shipped rule base, to break on purpose."""
    return _copy_rules


@pytest.fixture
def write_rule() -> Callable[..., Path]:
    """``write_rule(rules, body, name, folder)``: add a rule file (``rules:`` + body)."""
    return _write_rule
