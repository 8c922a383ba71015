"""Tests of durable.reads: the fields each durable ruleset reads of each kind of fact."""

from __future__ import annotations

from pathlib import Path

from engine.rules.base import load_rulebase
from engine.rules.durable.reads import read_trees

ROOT = Path(__file__).resolve().parents[3]


def _trees(condition: dict[str, object]) -> dict[str, object]:
    return read_trees({"r#0": {"all": [condition]}})


def test_condition_paths_and_references() -> None:
    trees = _trees({"uc": {"$and": [
        {"type": "use_case"},
        {"vendor": {"v": "vid"}},
        {"$iany": {"system.purposes": {"$i": "recruitment"}}},
        {"$or": [{"$nex": {"pilot.weeks": 1}}, {"$gt": {"system.capabilities_n": 0}}]},
        {"$gt": {"roi.annual_cost": {"$mul": {"$l": {"$m": "roi.annual_gain"}, "$r": 0.5}}}},
    ]}})
    assert trees["use_case"] == {
        "type": True, "uid": True, "vendor": True,
        "system": {"purposes": True, "capabilities_n": True},
        "pilot": {"weeks": True},
        "roi": {"annual_cost": True, "annual_gain": True},
    }
    assert trees["vendor"] == {"type": True, "vid": True}  # the join reads the vendor's id


def test_a_whole_object_read_keeps_all_of_it() -> None:
    trees = _trees({"c": {"$and": [{"type": "client"}, {"roi": 1}, {"roi.x": 2}]}})
    assert trees["client"]["roi"] is True


def test_rule_base_reads_joins_not_dates() -> None:
    """The use case's vendor is read (joins); the legal date is not: actions check the dates."""
    parts = load_rulebase(ROOT / "rules").engine.parts
    assert any(p.reads.get("use_case", {}).get("vendor") is True for p in parts)
    assert not any("as_of" in p.reads.get("client", {}) for p in parts)
    for part in parts:
        assert set(part.reads) == part.kinds  # a ruleset is sent only the kinds it binds
