"""Fixtures of the adapter's tests: the shipped rule base copied four times, renamed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.rules.spec import load_rules, rule_files

RULES = Path(__file__).resolve().parents[3] / "rules"
COPIES = 4


def copy_suffix(copy: int) -> str:
    """The suffix of copy ``copy`` (0 is the original): ids get ``.c2``, derived facts ``_c2``."""
    return "" if copy == 0 else f"c{copy + 1}"


def make_copies(target: Path, copies: int = COPIES) -> Path:
    """The shipped rules and ``copies - 1`` copies of every rule file, ids and derived facts
    renamed, so each copy is the shipped rule base again and no copy sees another's facts."""
    shutil.copytree(RULES, target)
    rules, _ = load_rules(RULES)
    derived = sorted({str(a["name"]) for r in rules for a in r.spec.then.asserts})
    names = re.compile(r"(\{name: |derived: )(" + "|".join(map(re.escape, derived)) + r")\b")
    for path in rule_files(RULES):
        text = path.read_text(encoding="utf-8")
        for copy in range(1, copies):
            suffix = copy_suffix(copy)
            renamed = re.sub(r"^(\s*- id: )(\S+)", rf"\g<1>\g<2>.{suffix}", text, flags=re.M)
            renamed = names.sub(rf"\g<1>\g<2>_{suffix}", renamed)
            out = target / path.relative_to(RULES)
            out.with_name(f"{out.stem}.{suffix}.yaml").write_text(renamed, encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def quadruple_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A rule base four times the shipped one (the shipped rules and three renamed copies)."""
    return make_copies(tmp_path_factory.mktemp("quadruple") / "rules")
