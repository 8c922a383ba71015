"""The assessment's typed tiers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.rules.types import Tier
from engine.run.pipeline import assess_profile

ROOT = Path(__file__).resolve().parents[2]


def test_tiers_are_values_of_the_tier_type() -> None:
    import typing

    tiers = set(typing.get_args(Tier))
    base = load_rulebase(ROOT / "rules")
    for path in sorted((ROOT / "inputs").glob("*.yaml")):
        result = assess_profile(load_profile(path), base, dt.date(2026, 11, 26))
        assert result.worst_tier in tiers
        assert all(u.tier in tiers for u in result.use_cases)
