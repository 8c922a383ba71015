"""Facts are plain: ids as written, lists without counts, the user's numbers exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.assessment.facts import to_facts
from engine.profile.validate import load_profile

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 26)


def _walk(value: object, path: str = "") -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [item for key, inner in value.items() for item in _walk(inner, f"{path}.{key}")]
    return [(path, value)]


def test_facts_carry_no_rule_engine_encoding() -> None:
    facts = to_facts(load_profile(ROOT / "inputs" / "recrutis-interim.yaml"), AS_OF)
    client, *rest = facts
    assert client["type"] == "client"
    assert client["cid"] == "recrutis-interim"
    use_case = next(f for f in rest if f["type"] == "use_case")
    profile = load_profile(ROOT / "inputs" / "recrutis-interim.yaml")
    assert use_case["uid"] == profile.use_cases[0].id
    assert use_case.get("vendor") == profile.use_cases[0].vendor
    for fact in facts:
        for path, value in _walk(fact):
            assert not path.endswith("_n") or path == ".used_by_n", path  # no list counts
            assert not (isinstance(value, str) and value.startswith(("uc:", "v:", "c:"))), path


def test_numbers_are_the_users_exactly() -> None:
    """The profile's tiny numbers reach the rules as written (durable's parser is the
    adapter's business)."""
    profile = load_profile(ROOT / "tests" / "bad_inputs" / "profiles" / "accepted" /
                           "tiny_numbers.yaml")
    (_, use_case) = to_facts(profile, AS_OF)
    assert use_case["roi"]["hourly_cost"] == 1e-05
    assert use_case["process"]["runs_per_week"] == 1e-300
    assert use_case["roi"]["annual_cost"] == 0  # money counts from the cent
    assert "budget_share_percent" not in use_case["roi"]  # a budget of 1e-05 EUR is none
