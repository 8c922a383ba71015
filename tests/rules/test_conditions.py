"""The condition tree: typed nodes parsed from ``when:`` with key paths; NNF and DNF."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from engine.rules.conditions import (
    MAX_BRANCHES,
    OPS,
    All,
    ConditionError,
    Derived,
    FieldRef,
    Leaf,
    Not,
    branches,
    dnf,
    leaves,
    nnf,
    parse,
    walk,
)
from engine.rules.conditions import Any as AnyOf

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
CAPS = "use_case.system.capabilities"


def _error(when: Any, subject: str = "use_case") -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        parse(when, subject)  # type: ignore[arg-type]
    return caught.value


class TestParse:
    def test_nodes_and_key_paths(self) -> None:
        tree = parse({"all": [{"field": CAPS, "contains": "translation"},
                              {"not": {"derived": "annex_iii", "where": {"point": "4(a)"}}}]},
                     "use_case")
        assert isinstance(tree, All)
        leaf, negation = tree.items
        assert leaf == Leaf("use_case", "system.capabilities", "contains", "translation")
        assert leaf.at == ("when", "all", 0)
        assert isinstance(negation, Not)
        assert negation.item == Derived("annex_iii", (("point", "4(a)"),))
        assert negation.item.at == ("when", "all", 1, "not")

    def test_lists_become_tuples_and_field_references_typed(self) -> None:
        leaf = parse({"field": CAPS, "contains_any": ["translation", "search"]}, "use_case")
        assert isinstance(leaf, Leaf)
        assert leaf.value == ("translation", "search")
        compare = parse({"field": "use_case.roi.annual_gain",
                         "gt": {"field": "use_case.roi.annual_cost", "times": 2}}, "use_case")
        assert isinstance(compare, Leaf)
        assert compare.value == FieldRef("roi.annual_cost", 2.0)

    @pytest.mark.parametrize(("when", "path", "fragment"), [
        ({"field": CAPS, "contain": "x"}, ("when", "contain"), "Did you mean 'contains'?"),
        ({"field": "use_case.system.capabilitis", "contains": "translation"},
         ("when", "field"), "Did you mean 'use_case.system.capabilities'?"),
        ({"all": [{"field": CAPS, "contains": "translaton"}]}, ("when", "all", 0, "contains"),
         "Did you mean 'translation'?"),
        ({"any": []}, ("when", "any"), "non-empty list"),
        ({"field": CAPS, "eq": "translation"}, ("when", "eq"), "use contains"),
        ({"field": "use_case.stage", "gt": 3}, ("when", "gt"), "numbers and dates only"),
        ({"field": "use_case.roi.annual_gain", "gt": {"field": "client.employees"}},
         ("when", "gt"), "same fact only"),
        ({"allx": []}, ("when", "allx"), "unknown operator"),
    ])
    def test_errors_name_the_key_path(self, when: Any, path: tuple[Any, ...],
                                      fragment: str) -> None:
        error = _error(when)
        assert error.path == path
        assert fragment in error.message

    def test_a_rule_reads_only_what_its_subject_may(self) -> None:
        assert "a vendor rule cannot read use_case" in _error(
            {"field": CAPS, "contains": "translation"}, "vendor").message


class TestNormalForms:
    def test_nnf_pushes_negations_to_the_tests(self) -> None:
        tree = parse({"not": {"any": [{"field": "use_case.stage", "eq": "pilot"},
                                      {"field": CAPS, "contains": "search"}]}}, "use_case")
        normal = nnf(tree)
        assert isinstance(normal, All)
        assert [leaf.negated for leaf in leaves(normal)] == [True, True]
        assert not any(isinstance(n, Not) for n in walk(normal))

    def test_not_of_a_derived_fact_is_refused_where_written(self) -> None:
        tree = parse({"all": [{"field": "use_case.stage", "eq": "pilot"},
                              {"not": {"derived": "high_risk"}}]}, "use_case")
        with pytest.raises(ConditionError) as caught:
            nnf(tree)
        assert caught.value.path == ("when", "all", 1, "not")

    def test_dnf_keeps_one_fact_groups_whole_and_expands_mixed_ones(self) -> None:
        one_fact = parse({"any": [{"field": "use_case.stage", "eq": "pilot"},
                                  {"field": CAPS, "contains": "search"}]}, "use_case")
        assert len(dnf(nnf(one_fact))) == 1  # one durable expression ($or)
        mixed = parse({"all": [{"any": [{"field": "use_case.stage", "eq": "pilot"},
                                        {"derived": "annex_iii"}]},
                               {"any": [{"field": "vendor.dpa_signed", "eq": True},
                                        {"field": CAPS, "contains": "search"}]}]}, "use_case")
        found = dnf(nnf(mixed))
        assert len(found) == 4
        assert [len(b.derived) for b in found] == [0, 0, 1, 1]
        assert isinstance(found[0].atoms[0], Leaf)

    def test_too_many_branches(self) -> None:
        wide = {"all": [{"any": [{"field": "use_case.stage", "eq": "pilot"},
                                 {"derived": f"d{i}"}]} for i in range(7)]}
        with pytest.raises(ConditionError, match=f"more than {MAX_BRANCHES} alternatives"):
            branches(wide, "use_case")

    def test_any_node_is_the_yaml_any(self) -> None:
        tree = parse({"any": [{"derived": "a"}, {"derived": "b"}]}, "use_case")
        assert isinstance(tree, AnyOf)


def test_every_operator_is_documented_for_compliance_officers() -> None:
    """docs/rules.md §3 lists every operator the tree knows."""
    table = DOCS.read_text(encoding="utf-8").split("## 3.", 1)[1].split("## 4.", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", table))
    assert set(OPS) <= documented, set(OPS) - documented
