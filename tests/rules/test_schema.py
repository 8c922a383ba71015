"""The rule vocabulary: fields with kinds and values; count fields derived from lists."""

from __future__ import annotations

from engine.rules.schema import COUNT_FIELDS, FACT_SCHEMA, field_value


def test_every_list_has_a_count_and_counts_name_their_list() -> None:
    for name, spec in FACT_SCHEMA.items():
        kind, _, path = name.partition(".")
        if spec.kind == "list":
            assert COUNT_FIELDS[kind][f"{path}_n"] == path
        if spec.count_of is not None:
            assert FACT_SCHEMA[f"{kind}.{spec.count_of}"].kind == "list"
            assert spec.kind == "number"
    assert COUNT_FIELDS["vendor"]["stale_facts_n"] == "stale_facts"
    assert "vendor.used_by_n" in FACT_SCHEMA  # a computed number, not a count field
    assert "used_by_n" not in COUNT_FIELDS["vendor"]


def test_field_value_counts_lists_and_reads_nested_fields() -> None:
    fact = {"stale_facts": ["a", "b"], "roi": {"annual_cost": 12.5}}
    assert field_value(fact, "vendor", "stale_facts_n") == 2
    assert field_value(fact, "vendor", "unverified_facts_n") is None  # unanswered, not 0
    assert field_value(fact, "use_case", "roi.annual_cost") == 12.5
    assert field_value(fact, "use_case", "roi.missing") is None


def test_closed_vocabularies_come_from_the_profile_model() -> None:
    assert "emotion_recognition" in FACT_SCHEMA["use_case.system.capabilities"].values
    assert FACT_SCHEMA["use_case.stage"].profile_path == "use_cases[].stage"
    assert FACT_SCHEMA["client.as_of"].kind == "date"
