"""Tests of durable.messages: action messages resolve to the neutral facts that were sent."""

from __future__ import annotations

from engine.rules.durable.messages import Messages, decode_fact
from engine.rules.firings import DerivedFact


def test_action_messages_resolve_to_the_facts_sent() -> None:
    """Bindings quote the facts verbatim: they resolve to the facts sent, else JSON decodes."""
    messages = Messages()
    client, vendor = {"type": "client", "cid": "x"}, {"type": "vendor", "vid": "y", "n": 2}
    text_c = messages.encode({"type": "client", "cid": "c:x"}, client)
    text_v = messages.encode({"type": "vendor", "vid": "v:y", "n": 2}, vendor)
    name, bound = messages.decode('{"r#0":{"c":' + text_c + ',"v":' + text_v + "}}")
    assert name == "r#0"
    assert bound.by_alias["c"] is client
    assert bound.by_kind["vendor"] is vendor
    name, bound = messages.decode('{"r#1":{"c":{"type":"other","z":[1,{"a":"}"}]}}}')
    assert (name, bound.by_alias) == ("r#1", {"c": {"type": "other", "z": [1, {"a": "}"}]}})


def test_a_fact_durable_gives_back_decodes_to_its_neutral_form() -> None:
    assert decode_fact({"type": "use_case", "uid": "uc:a", "vendor": "v:b", "sid": "s"}) == {
        "type": "use_case", "uid": "a", "vendor": "b"}
    assert decode_fact({"type": "derived", "name": "annex_iii", "point": "4(a)",
                        "subject": "uc:a", "sid": "s"}) == DerivedFact(
        "annex_iii", "a", (("point", "4(a)"),))
