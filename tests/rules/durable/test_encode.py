"""Tests of durable.encode: neutral facts become what durable reads, exactly."""

from __future__ import annotations

import json
from typing import Any

import durable_rules_engine as c
import orjson
import pytest

from engine.rules.durable.encode import Encoder, dumps, encode_whole, number


class TestNumbers:
    @pytest.mark.parametrize(("value", "text"), [
        (1e-05, "1.0e-05"), (5e-324, "5.0e-324"), (1e16, "1.0e+16"), (1.5e-07, "1.5e-07")])
    def test_floats_get_a_fraction_part_before_the_exponent(self, value: float,
                                                            text: str) -> None:
        assert orjson.dumps(number(value)).decode() == text
        assert float(text) == value  # the same number, exactly

    @pytest.mark.parametrize("value", [0.0, 0.5, 19.0, 1234.56, 0.0001])
    def test_ordinary_floats_are_left_alone(self, value: float) -> None:
        assert number(value) == value

    def test_durable_reads_tiny_and_huge_numbers_exactly(self) -> None:
        """Plain JSON ``1e-05`` is refused by durable (error 204); the encoded text is read and
        compared exactly: 1e-300 is more than 0 and less than 1e-299."""
        definition = {"r#0": {"all": [{"m": {"$and": [{"type": "t"}, {"$gt": {"x": 0}},
                                                     {"$lt": {"x": 1e-299}}]}}]}}
        handle = c.create_ruleset("encode_test_numbers", dumps(definition))
        with pytest.raises(c.error):
            c.assert_fact(handle, json.dumps({"type": "t", "sid": "a", "x": 1e-05}))
        fires = [dumps({"type": "t", "sid": "b", "x": 1e-300}),
                 dumps({"type": "t", "sid": "c", "x": 5e-324})]
        assert [c.assert_fact(handle, text)[0] for text in fires] == [0, 0]  # both stored
        assert c.assert_fact(handle, dumps({"type": "t", "sid": "d", "x": 1e-298}))[0] == 1


READS: list[dict[str, Any]] = [
    {"use_case": {"type": True, "uid": True, "vendor": True,
                  "system": {"capabilities_n": True, "purposes": True}}},
    {"use_case": {"type": True, "uid": True, "stage": True},
     "vendor": {"type": True, "vid": True}}]
FACT: dict[str, Any] = {
    "type": "use_case", "uid": "007", "vendor": "7", "stage": "pilot", "index": 0,
    "system": {"capabilities": [], "purposes": ["recruitment"], "profiling": True}}


class TestEncoder:
    def test_each_ruleset_gets_what_it_reads_with_ids_prefixed(self) -> None:
        first, second = Encoder(READS).encode(FACT, "s")
        assert first == {"type": "use_case", "uid": "uc:007", "vendor": "v:7",
                         "system": {"capabilities_n": 0, "purposes": ["recruitment"]},
                         "sid": "s"}
        assert second == {"type": "use_case", "uid": "uc:007", "stage": "pilot", "sid": "s"}
        assert FACT["uid"] == "007"  # the neutral fact is left as it was

    def test_type_and_id_come_first(self) -> None:
        first, _ = Encoder(READS).encode(FACT, "s")
        assert list(first)[:2] == ["type", "uid"]

    def test_a_kind_no_ruleset_binds_is_not_sent(self) -> None:
        assert Encoder(READS).encode({"type": "client", "cid": "x"}, "s") == [None, None]

    def test_whole_facts_keep_every_field_and_count_every_list(self) -> None:
        whole = encode_whole(FACT)
        assert whole["system"]["capabilities_n"] == 0
        assert whole["system"]["purposes_n"] == 1
        assert whole["index"] == 0
        assert (whole["uid"], whole["vendor"]) == ("uc:007", "v:7")
