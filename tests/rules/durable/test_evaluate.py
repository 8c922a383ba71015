"""Tests of durable.evaluate: the fast action loop fires exactly what durable's Host fires."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from engine.assessment.facts import to_facts
from engine.errors import InternalError
from engine.profile.validate import load_profile
from engine.rules.base import RuleBase, load_rulebase
from engine.rules.durable.evaluate import Match, evaluate, evaluate_reference
from engine.rules.durable.reads import project
from engine.run.pipeline import assess_profile

ROOT = Path(__file__).resolve().parents[3]
PROFILES = sorted((ROOT / "inputs").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "data" / "profiles").glob("*.yaml"))
AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def rulebase() -> RuleBase:
    return load_rulebase(ROOT / "rules")


@functools.cache
def _reads() -> dict[str, Any]:
    return load_rulebase(ROOT / "rules").compiled.reads


def _key(matches: list[Match]) -> list[tuple[str, dict[str, Any]]]:
    """Firings and the facts they bound, as the rules read them, without the ``sid``.

    The reference path sends whole facts, the fast one only the fields some rule reads
    (durable.reads): equal keys mean the same firings, in the same order, on the same values.
    """
    reads = _reads()
    return [(m.name, {alias: {k: v for k, v in (
        project(fact, reads[fact["type"]]) if fact.get("type") in reads else fact).items()
        if k != "sid"} for alias, fact in m.facts.items()}) for m in matches]


class TestSameFiringsAsDurableHost:
    @pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
    @pytest.mark.parametrize("as_of", [AS_OF, dt.date(2025, 6, 1)], ids=str)
    def test_sample_profiles(self, rulebase: RuleBase, path: Path, as_of: dt.date) -> None:
        """Same rules fire, in the same order, on the same facts, as through durable's Host."""
        facts = to_facts(load_profile(path), as_of)
        fast = evaluate(rulebase.compiled, facts, sid=path.stem)
        reference = evaluate_reference(rulebase.compiled, facts, sid=path.stem)
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
            fast = evaluate(rulebase.compiled, facts, sid=path.stem)
            assert _key(fast) == _key(evaluate_reference(rulebase.compiled, facts, sid=path.stem))

    def test_derived_facts_chain(self, rulebase: RuleBase) -> None:
        """Rules fed by facts that other rules derive fire too (forward chaining)."""
        facts = to_facts(load_profile(ROOT / "tests" / "data" / "profiles" / "dupont.yaml"),
                         AS_OF)
        fired = {m.name for m in evaluate(rulebase.compiled, facts, sid="chain")}
        compiled = rulebase.compiled
        chained = {name for name in fired if any(
            alias.startswith("d") for alias in compiled.index[name].aliases)}
        assert chained, "a rule joining a derived fact fired"


class TestState:
    def test_many_clients_stay_under_the_sid_limit(self, rulebase: RuleBase) -> None:
        """1,100 clients (more than durable's 1,024 live sids) in one process, all alike."""
        facts = to_facts(load_profile(PROFILES[0]), AS_OF)
        first = [m.name for m in evaluate(rulebase.compiled, facts, sid="repeat-0")]
        for n in range(1, 1100):
            matches = evaluate(rulebase.compiled, facts, sid=f"repeat-{n}")
        assert [m.name for m in matches] == first

    def test_clients_do_not_leak_into_each_other(self, rulebase: RuleBase) -> None:
        """The live state is reused: after any client, the next one sees only its own facts."""
        facts = {p.stem: to_facts(load_profile(p), AS_OF) for p in PROFILES}
        alone = {name: _key(evaluate_reference(rulebase.compiled, f, sid=name))
                 for name, f in facts.items()}
        for order in (sorted(facts), sorted(facts, reverse=True)):
            for name in order:
                assert _key(evaluate(rulebase.compiled, facts[name], sid=name)) == alone[name]

    def test_live_state_is_renewed(self, rulebase: RuleBase,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
        """The live state is deleted and made anew every few evaluations, with no change."""
        import engine.rules.durable.evaluate as evaluate_module

        monkeypatch.setattr(evaluate_module, "_RECYCLE_AFTER", 3)
        facts = to_facts(load_profile(PROFILES[0]), AS_OF)
        first = _key(evaluate(rulebase.compiled, facts, sid="renew"))
        for _ in range(10):
            assert _key(evaluate(rulebase.compiled, facts, sid="renew")) == first

    def test_same_sid_twice_starts_fresh(self, rulebase: RuleBase) -> None:
        facts = to_facts(load_profile(PROFILES[0]), AS_OF)
        once = _key(evaluate(rulebase.compiled, facts, sid="again"))
        assert _key(evaluate(rulebase.compiled, facts, sid="again")) == once

    def test_facts_no_rule_wants(self, rulebase: RuleBase) -> None:
        """A client whose facts match nothing: no firing, and no crash freeing its state."""
        assert evaluate(rulebase.compiled, [{"type": "nothing", "x": 1}], sid="empty") == []
        assert evaluate(rulebase.compiled, [], sid="empty") == []

    def test_duplicate_fact_is_an_internal_error(self, rulebase: RuleBase) -> None:
        client = to_facts(load_profile(PROFILES[0]), AS_OF)[0]
        with pytest.raises(InternalError, match="duplicate fact"):
            evaluate(rulebase.compiled, [client, dict(client)], sid="dup")
        assert evaluate(rulebase.compiled, [client], sid="dup")  # the state was freed


def test_assessment_is_deterministic(rulebase: RuleBase) -> None:
    """Two assessments of one profile give the same findings in the same order."""
    profile = load_profile(PROFILES[-1])
    first = assess_profile(profile, rulebase, AS_OF)
    second = assess_profile(profile, rulebase, AS_OF)
    assert [(f.rule_id, f.subject, f.because) for f in first.findings] == [
        (f.rule_id, f.subject, f.because) for f in second.findings]


def test_action_messages_resolve_to_the_facts_sent() -> None:
    """Bindings quote the facts verbatim: they resolve to the dicts sent, else JSON decodes."""
    from engine.rules.durable.evaluate import _Messages

    messages = _Messages()
    client, vendor = {"type": "client", "cid": "c:x"}, {"type": "vendor", "vid": "v:y", "n": 2}
    text_c, text_v = messages.encode(client), messages.encode(vendor)
    name, bound = messages.decode('{"r#0":{"c":' + text_c + ',"v":' + text_v + "}}")
    assert name == "r#0"
    assert bound["c"] is client
    assert bound["v"] is vendor
    name, bound = messages.decode('{"r#1":{"c":{"type":"other","z":[1,{"a":"}"}]}}}')
    assert (name, bound) == ("r#1", {"c": {"type": "other", "z": [1, {"a": "}"}]}})
