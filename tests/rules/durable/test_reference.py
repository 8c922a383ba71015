"""Tests of engine.rules.durable.reference: the plain Host path, the oracle of the fast action
loop (reached through ``evaluate_reference`` or called directly)."""

from __future__ import annotations

from pathlib import Path

from engine.rules.base import load_rulebase
from engine.rules.durable.reference import run_reference
from engine.rules.witness import synthetic_clients

RULES = Path(__file__).resolve().parents[3] / "rules"


def test_reference_and_fast_paths_agree_on_the_synthetic_clients() -> None:
    """Both paths forward derived facts across rulesets: same firings, in the same order."""
    base = load_rulebase(RULES)
    assert len(base.engine.parts) > 1
    clients = synthetic_clients(base.compiled)
    for number, client in enumerate(clients[:60]):
        fast = [f.key() for f in base.engine.evaluate(client, f"w{number}")]
        reference = [f.key() for f in base.engine.evaluate_reference(client, f"w{number}")]
        assert fast == reference, number


def test_reference_path_binds_the_neutral_facts_it_was_given() -> None:
    base = load_rulebase(RULES)
    client = synthetic_clients(base.compiled)[0]
    firings = run_reference(base.engine, client, "neutral")
    assert firings
    assert all(any(f.facts[f.branch.subject] is fact for fact in client) for f in firings)


def test_a_session_leaves_nothing_behind() -> None:
    """The same session id twice gives the same firings: each ruleset's state is deleted."""
    base = load_rulebase(RULES)
    client = synthetic_clients(base.compiled)[1]
    first = [f.key() for f in run_reference(base.engine, client, "again")]
    assert first
    assert [f.key() for f in run_reference(base.engine, client, "again")] == first
