"""engine.common.jsontext: the same bytes as the standard library's indented JSON, always."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.common.jsontext import dumps_indented

LEAVES = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
          | st.sampled_from([1e-05, 1e16, 2**64, -(2**63), 0.1 + 0.2, -0.0, "é\u2028\x7f"]))
TREES = st.recursive(LEAVES, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)
                     | st.tuples(inner) | st.dictionaries(st.integers(), inner), max_leaves=25)


@settings(max_examples=200, deadline=None)
@given(TREES)
def test_same_bytes_as_the_standard_library(data: Any) -> None:
    expected = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    assert dumps_indented(data) == expected
