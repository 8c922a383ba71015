"""Tests of durable.reads: facts reach durable_rules with exactly the fields the rules read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.assessment.facts import to_facts
from engine.profile.validate import load_profile
from engine.rules.base import load_rulebase
from engine.rules.durable.reads import project, read_trees

ROOT = Path(__file__).resolve().parents[3]


def _trees(condition: dict[str, object]) -> dict[str, object]:
    return read_trees({"r#0": {"all": [condition]}}, [])


def test_condition_paths_and_references() -> None:
    trees = _trees({"uc": {"$and": [
        {"type": "use_case"},
        {"vendor": {"v": "vid"}},
        {"$iany": {"system.purposes": {"$i": "recruitment"}}},
        {"$or": [{"$nex": {"pilot.weeks": 1}}, {"$gt": {"system.capabilities_n": 0}}]},
        {"$gt": {"roi.annual_cost": {"$mul": {"$l": {"$m": "roi.annual_gain"}, "$r": 0.5}}}},
    ]}})
    assert trees["use_case"] == {
        "type": True, "uid": True, "index": True, "vendor": True,
        "system": {"purposes": True, "capabilities_n": True},
        "pilot": {"weeks": True},
        "roi": {"annual_cost": True, "annual_gain": True},
    }
    assert trees["vendor"] == {"type": True, "vid": True}  # the join reads the vendor's id


def test_a_whole_object_read_keeps_all_of_it() -> None:
    trees = _trees({"c": {"$and": [{"type": "client"}, {"roi": 1}, {"roi.x": 2}]}})
    assert trees["client"]["roi"] is True


def test_projection_keeps_the_fact_order_and_drops_the_rest() -> None:
    fact = {"type": "use_case", "uid": "uc:a", "title": "T", "system": {"b": 1, "a": 2, "c": 3},
            "index": 0, "unused": {"x": 1}}
    tree = {"type": True, "uid": True, "index": True, "system": {"a": True, "b": True}}
    projected = project(fact, tree)
    assert projected == {"type": "use_case", "uid": "uc:a", "system": {"b": 1, "a": 2},
                         "index": 0}
    assert list(projected) == ["type", "uid", "system", "index"]
    assert list(projected["system"]) == ["b", "a"]


def test_rule_base_reads_cover_messages_and_joins() -> None:
    """Every placeholder of every message, the date, ids and joins are kept."""
    compiled = load_rulebase(ROOT / "rules").compiled
    reads = compiled.reads
    assert reads["client"]["as_of"] is True  # valid_from / valid_until
    assert reads["use_case"]["vendor"] is True  # use case x vendor rules
    facts = to_facts(load_profile(ROOT / "inputs" / "recrutis-interim.yaml"), dt.date(2026, 11,
                                                                                        26))
    use_case = next(f for f in facts if f["type"] == "use_case")
    sent = project(use_case, reads["use_case"])
    assert len(str(sent)) < len(str(use_case))  # something is left out...
    assert sent["system"]["purposes"] == use_case["system"]["purposes"]  # ...not what is read
