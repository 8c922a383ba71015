"""Synthetic clients: each branch's witness makes it fire; the full and empty clients."""

from __future__ import annotations

from pathlib import Path

from engine.rules.base import load_rulebase
from engine.rules.schema import FACT_SCHEMA
from engine.rules.witness import _client, _satisfy, synthetic_clients

RULES = Path(__file__).resolve().parents[2] / "rules"


def test_every_branch_of_the_shipped_rules_fires_on_its_witness() -> None:
    """The witnesses exercise every condition: each one fires its own branch."""
    base = load_rulebase(RULES)
    producers: dict[str, list] = {}  # type: ignore[type-arg]
    for branch in base.compiled.branches.values():
        for spec in branch.rule.spec.then.asserts:
            producers.setdefault(str(spec["name"]), []).append((branch, dict(spec)))
    missed = []
    for branch in base.compiled.branches.values():
        client = _client(full=False)
        _satisfy(branch, client, producers, set())
        if branch.name not in {f.name for f in base.evaluate(client, "witness")}:
            missed.append(branch.name)
    assert missed == []


def test_full_and_empty_clients() -> None:
    clients = synthetic_clients(load_rulebase(RULES).compiled)
    full, empty = clients[0], clients[1]
    use_case = next(f for f in full if f["type"] == "use_case")
    assert use_case["system"]["capabilities"] == list(
        FACT_SCHEMA["use_case.system.capabilities"].values)
    assert "system" not in next(f for f in empty if f["type"] == "use_case")
    assert len({repr(c) for c in clients}) == len(clients)  # each client once
