"""engine.run.retag: a client only a wording edit of rules it does not cite touches is not
assessed again (the whole path is exercised in tests/portfolio/test_views.py)."""

from __future__ import annotations

from engine.run.retag import only_rules_changed


def test_only_a_change_of_the_rules_is_retagged() -> None:
    common = {"rules": "new", "templates": "t", "engine": "e"}
    record = {"inputs": {"rules": "old", "templates": "t", "engine": "e", "as_of": "2026-11-26"}}
    assert only_rules_changed(record, common, "2026-11-26")
    assert not only_rules_changed(record, common, "2026-12-01")  # another legal date
    assert not only_rules_changed(record, {**common, "engine": "e2"}, "2026-11-26")
    assert not only_rules_changed(record, {**common, "rules": "old"}, "2026-11-26")
