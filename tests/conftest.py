"""Shared pytest options (``--update-golden`` rewrites the golden document texts) and fixtures:
scratch rule bases, the samples rendered once a session."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from engine.assessment.assess import Assessment
    from engine.run.pipeline import Toolkit

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


SAMPLES = Path(__file__).resolve().parent.parent / "inputs"
HIDDEN_CLIENT = Path(__file__).resolve().parent / "data" / "profiles" / "hidden-client.yaml"


@dataclass(frozen=True)
class SampleRender:
    """One sample client assessed at its profile's date and rendered (every client file)."""

    assessment: Assessment
    files: dict[str, bytes]


@dataclass(frozen=True)
class SampleRenders:
    toolkit: Toolkit
    clients: dict[str, SampleRender]  # by profile stem: the samples and the hidden client


@pytest.fixture(scope="session")
def sample_renders() -> SampleRenders:
    """The five samples of inputs/ and tests/data/profiles/hidden-client.yaml, rendered once
    for the whole session (the documents' and the working file's tests read them)."""
    from engine.profile.validate import load_profile
    from engine.run.pipeline import assess_profile, prepare, render_client

    toolkit = prepare(RULES, RULES.parent / "doc_templates")
    clients = {}
    for path in [*sorted(SAMPLES.glob("*.yaml")), HIDDEN_CLIENT]:
        profile = load_profile(path)
        assert profile.assessment.date is not None
        assessment = assess_profile(profile, toolkit.rulebase, profile.assessment.date)
        clients[path.stem] = SampleRender(assessment, render_client(assessment, toolkit))
    return SampleRenders(toolkit, clients)
