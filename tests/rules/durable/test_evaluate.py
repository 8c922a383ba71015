"""Tests of durable.evaluate: the fast action loop fires exactly what durable's Host fires."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from engine.assessment.facts import to_facts
from engine.errors import InternalError
from engine.profile.validate import load_profile
from engine.rules.base import RuleBase, load_rulebase
from engine.rules.firings import Firing
from engine.run.pipeline import assess_profile

ROOT = Path(__file__).resolve().parents[3]
PROFILES = sorted((ROOT / "inputs").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "data" / "profiles").glob("*.yaml"))
AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def rulebase() -> RuleBase:
    return load_rulebase(ROOT / "rules")


def _key(firings: list[Firing]) -> list[Any]:
    """Firings as comparable values: the branch, the ids of the facts bound, derived facts.

    Both paths return the neutral facts they were given (the fast one sends only the fields
    some rule reads, the reference one whole facts): equal keys mean the same firings, in the
    same order, on the same facts.
    """
    return [f.key() for f in firings]


def evaluate(rulebase: RuleBase, facts: list[dict[str, Any]], sid: str) -> list[Firing]:
    return rulebase.engine.evaluate(facts, sid)


def evaluate_reference(rulebase: RuleBase, facts: list[dict[str, Any]], sid: str
                       ) -> list[Firing]:
    return rulebase.engine.evaluate_reference(facts, sid)


class TestSameFiringsAsDurableHost:
    @pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
    @pytest.mark.parametrize("as_of", [AS_OF, dt.date(2025, 6, 1)], ids=str)
    def test_sample_profiles(self, rulebase: RuleBase, path: Path, as_of: dt.date) -> None:
        """Same rules fire, in the same order, on the same facts, as through durable's Host."""
        facts = to_facts(load_profile(path), as_of)
        fast = evaluate(rulebase, facts, sid=path.stem)
        reference = evaluate_reference(rulebase, facts, sid=path.stem)
        assert fast, "the sample profiles all fire rules"
        assert _key(fast) == _key(reference)

    def test_synthetic_profiles(self, rulebase: RuleBase, tmp_path: Path) -> None:
        """Also on 60 varied synthetic clients (every tier, vendors, pilots, gaps)."""
        spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench" / "synthetic.py")
        assert spec is not None
        assert spec.loader is not None
        synthetic = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(synthetic)
        for path in synthetic.write_profiles(tmp_path, 60, seed=7):
            facts = to_facts(load_profile(path), AS_OF)
            fast = evaluate(rulebase, facts, sid=path.stem)
            assert _key(fast) == _key(evaluate_reference(rulebase, facts, sid=path.stem))

    def test_derived_facts_chain(self, rulebase: RuleBase) -> None:
        """Rules fed by facts that other rules derive fire too (forward chaining)."""
        facts = to_facts(load_profile(ROOT / "tests" / "data" / "profiles" / "dupont.yaml"),
                         AS_OF)
        chained = [f for f in evaluate(rulebase, facts, sid="chain") if f.derived]
        assert chained, "a rule joining a derived fact fired"
        assert all(f.derived[0].subject == f.facts[f.branch.subject]["uid"] for f in chained)


class TestState:
    def test_many_clients_stay_under_the_sid_limit(self, rulebase: RuleBase) -> None:
        """1,100 clients (more than durable's 1,024 live sids) in one process, all alike."""
        facts = to_facts(load_profile(PROFILES[0]), AS_OF)
        first = [m.name for m in evaluate(rulebase, facts, sid="repeat-0")]
        for n in range(1, 1100):
            matches = evaluate(rulebase, facts, sid=f"repeat-{n}")
        assert [m.name for m in matches] == first

    def test_clients_do_not_leak_into_each_other(self, rulebase: RuleBase) -> None:
        """The live state is reused: after any client, the next one sees only its own facts."""
        facts = {p.stem: to_facts(load_profile(p), AS_OF) for p in PROFILES}
        alone = {name: _key(evaluate_reference(rulebase, f, sid=name))
                 for name, f in facts.items()}
        for order in (sorted(facts), sorted(facts, reverse=True)):
            for name in order:
                assert _key(evaluate(rulebase, facts[name], sid=name)) == alone[name]

    def test_live_state_is_renewed(self, rulebase: RuleBase,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
        """The live state is deleted and made anew every few evaluations, with no change."""
        import engine.rules.durable.evaluate as evaluate_module

        monkeypatch.setattr(evaluate_module, "_RECYCLE_AFTER", 3)
        facts = to_facts(load_profile(PROFILES[0]), AS_OF)
        first = _key(evaluate(rulebase, facts, sid="renew"))
        for _ in range(10):
            assert _key(evaluate(rulebase, facts, sid="renew")) == first

    def test_same_sid_twice_starts_fresh(self, rulebase: RuleBase) -> None:
        facts = to_facts(load_profile(PROFILES[0]), AS_OF)
        once = _key(evaluate(rulebase, facts, sid="again"))
        assert _key(evaluate(rulebase, facts, sid="again")) == once

    def test_facts_no_rule_wants(self, rulebase: RuleBase) -> None:
        """A client whose facts match nothing: no firing, and no crash freeing its state."""
        assert evaluate(rulebase, [{"type": "nothing", "x": 1}], sid="empty") == []
        assert evaluate(rulebase, [], sid="empty") == []

    def test_duplicate_fact_is_an_internal_error(self, rulebase: RuleBase) -> None:
        client = to_facts(load_profile(PROFILES[0]), AS_OF)[0]
        with pytest.raises(InternalError, match="duplicate fact"):
            evaluate(rulebase, [client, dict(client)], sid="dup")
        assert evaluate(rulebase, [client], sid="dup")  # the state was freed


def test_assessment_is_deterministic(rulebase: RuleBase) -> None:
    """Two assessments of one profile give the same findings in the same order."""
    profile = load_profile(PROFILES[-1])
    first = assess_profile(profile, rulebase, AS_OF)
    second = assess_profile(profile, rulebase, AS_OF)
    assert [(f.rule_id, f.subject, f.because) for f in first.findings] == [
        (f.rule_id, f.subject, f.because) for f in second.findings]
