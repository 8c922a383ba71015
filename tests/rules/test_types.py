"""The closed vocabularies, typed once: kinds, severities, tiers."""

from __future__ import annotations

import typing

import pytest
from pydantic import ValidationError

from engine.rules.spec import FindingSpec
from engine.rules.types import KINDS, TIER_ORDER, Kind, RuleTier, Severity, Tier


def test_tier_covers_what_rules_and_the_assessment_say() -> None:
    assert set(typing.get_args(RuleTier)) == set(TIER_ORDER)
    assert {"undetermined", "out_of_scope"} <= set(typing.get_args(Tier))
    assert set(typing.get_args(RuleTier)) < set(typing.get_args(Tier))


def test_kinds_and_severities() -> None:
    assert typing.get_args(Kind) == KINDS
    assert typing.get_args(Severity) == ("blocker", "warning", "info")


def test_a_rule_cannot_conclude_undetermined() -> None:
    """"undetermined" is the assessment's conclusion when answers are missing, never a rule's."""
    with pytest.raises(ValidationError):
        FindingSpec(kind="ai_act", severity="info", message="Test", tier="undetermined")
