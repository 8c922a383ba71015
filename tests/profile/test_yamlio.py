"""Tests of engine.profile.yamlio, the safe YAML loader with source positions.

Every hostile input in ``tests/bad_inputs/yaml/`` must give the chosen ``UserError`` subclass
with a ``file:line:column: key.path: message`` text, never a traceback. Each test runs with
both PyYAML back ends (libyaml when installed, and the pure-Python one).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import Location, ProfileError, RuleError, UserError
from engine.profile import yamlio
from engine.profile.yamlio import format_key_path, load_yaml, load_yaml_text

BAD = Path(__file__).resolve().parents[1] / "bad_inputs" / "yaml"

_BACKENDS = [pytest.param(yamlio._PyLoader, id="pure-python")]
if hasattr(yamlio, "_CLoader"):
    _BACKENDS.append(pytest.param(yamlio._CLoader, id="libyaml"))


@pytest.fixture(autouse=True, params=_BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test with each PyYAML composer."""
    monkeypatch.setattr(yamlio, "_LOADER", request.param)


def load(text: str, **kwargs: Any) -> Any:
    return load_yaml_text(text, "t.yaml", **kwargs).data


def error_of(text: str, **kwargs: Any) -> str:
    with pytest.raises(UserError) as info:
        load_yaml_text(text, "t.yaml", **kwargs)
    return str(info.value)


# (fixture file, "line:column" or None for a whole-file error, message fragments)
HOSTILE = [
    ("bomb.yaml", "7:1", ["f[1]", "too many nodes after alias expansion", "200,000"]),
    ("duplicate_key.yaml", "4:3", ["client.name", "duplicate key 'name'", "line 2", "line 4"]),
    ("python_tag.yaml", "2:9", ["client.name", "'!!python/object/apply:os.system'"]),
    ("local_tag.yaml", "1:9", ["client", "'!custom' is not allowed"]),
    ("non_utf8.yaml", "2:12", ["not valid UTF-8", "0xE9", "save the file as UTF-8"]),
    ("utf16.yaml", None, ["UTF-16", "save it as UTF-8"]),
    ("binary.yaml", None, ["binary file, not YAML"]),
    ("empty.yaml", None, ["the file is empty"]),
    ("comments_only.yaml", None, ["the file is empty"]),
    ("deep.yaml", "51:101", ["level0.level1.", "level49:", "more than 50 levels"]),
    ("multi_doc.yaml", "3:1", ["more than one YAML document"]),
    ("merge_key.yaml", "4:3", ["client.<<", "merge keys", "write the keys out"]),
    ("tab_indent.yaml", "2:1", ["invalid YAML", "cannot start any token", "not tabs"]),
    ("control_char.yaml", "2:13", ["special character #x0007 is not allowed"]),
    ("recursive_alias.yaml", "2:3", ["node.child", "contains it"]),
    ("top_level_list.yaml", "1:1", ["top level", "a list"]),
    ("syntax_error.yaml", "2:15", ["invalid YAML: mapping values are not allowed"]),
    ("non_scalar_key.yaml", "2:5", ["client", "key must be a simple name, not a list"]),
]


class TestHostileFiles:
    """Each hostile fixture gives the caller's error class with file, position and reason."""

    @pytest.mark.parametrize(("name", "where", "fragments"), HOSTILE, ids=[h[0] for h in HOSTILE])
    def test_fixture_is_rejected_clearly(
        self, name: str, where: str | None, fragments: list[str]
    ) -> None:
        with pytest.raises(RuleError) as info:
            load_yaml(BAD / name, display_path=name, error_cls=RuleError)
        text = str(info.value)
        assert len(info.value.issues) == 1
        assert text.startswith(f"{name}:{where}:" if where else f"{name}: ")
        for fragment in fragments:
            assert fragment in text

    def test_every_fixture_is_covered(self) -> None:
        """A new fixture file must be added to the table above."""
        assert sorted(p.name for p in BAD.iterdir()) == sorted(h[0] for h in HOSTILE)

    def test_bomb_fails_fast(self) -> None:
        """Nine levels of nine aliases (387 million strings) fail at once, not after minutes
        (the bound is loose: the test must not depend on how busy the machine is)."""
        start = time.perf_counter()
        with pytest.raises(ProfileError, match="too many nodes"):
            load_yaml(BAD / "bomb.yaml")
        assert time.perf_counter() - start < 10

    def test_default_display_path_is_the_path(self) -> None:
        with pytest.raises(ProfileError) as info:
            load_yaml(BAD / "duplicate_key.yaml")
        assert info.value.issues[0].location.file == str(BAD / "duplicate_key.yaml")


class TestScalars:
    """Only true/false, null and plain decimal numbers are converted; the rest stays text."""

    @pytest.mark.parametrize(
        "text",
        [
            "NO",
            "no",
            "yes",
            "Yes",
            "on",
            "off",
            "y",
            "n",
            "2025-01-31",
            "2025-01-31T10:00:00",
            "012",
            "0x1F",
            "0o17",
            "0b101",
            "1_000",
            "1:20",
            ".nan",
            ".inf",
            "-.inf",
            "1,5",
            "+.5",
            "5.",
            ".5",
            "01.5",
            "1e",
            "Null!",
            "true1",
            "=",
            "<<x",
        ],
    )
    def test_yaml_1_1_values_stay_strings(self, text: str) -> None:
        assert load(f"v: {text}\n") == {"v": text}

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("true", True),
            ("True", True),
            ("TRUE", True),
            ("false", False),
            ("False", False),
            ("null", None),
            ("Null", None),
            ("~", None),
            ("", None),
            ("0", 0),
            ("-0", 0),
            ("+5", 5),
            ("1234", 1234),
            ("12.5", 12.5),
            ("-0.5", -0.5),
            ("1e3", 1000.0),
            ("1.5e-3", 0.0015),
            ("1E+2", 100.0),
        ],
    )
    def test_plain_values_that_are_converted(self, text: str, value: object) -> None:
        result = load(f"v: {text}\n")["v"]
        assert result == value
        assert type(result) is type(value)

    @pytest.mark.parametrize("text", ["'true'", '"12"', "'~'", "''", '"NO"', "!!str 1"])
    def test_quoted_values_are_always_text(self, text: str) -> None:
        assert isinstance(load(f"v: {text}\n")["v"], str)

    def test_keys_are_the_source_text(self) -> None:
        data = load("NO: a\n1: b\ntrue: c\n~: d\n2025-01-31: e\n'q': f\n")
        assert list(data) == ["NO", "1", "true", "~", "2025-01-31", "q"]

    def test_same_key_written_two_ways_is_a_duplicate(self) -> None:
        assert "duplicate key '1' (first at line 1, again at line 2)" in error_of("1: a\n'1': b\n")

    def test_numbers_too_big_are_errors(self) -> None:
        assert "t.yaml:1:4: v: the number '1e999' is too large" in error_of("v: 1e999\n")
        assert "too many digits" in error_of("v: " + "9" * 5000 + "\n")

    def test_multiline_plain_text_is_folded_as_yaml_says(self) -> None:
        assert load("v: one\n  two\n") == {"v": "one two"}


class TestTags:
    """Only the standard scalar, map and seq tags are accepted, and they never guess."""

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("!!str true", "true"),
            ("!!str 012", "012"),
            ('!!int "12"', 12),
            ("!!int -3", -3),
            ("!!float 3", 3.0),
            ("!!float '1.5'", 1.5),
            ("!!bool 'TRUE'", True),
            ("!!null ''", None),
            ("!!null ~", None),
            ("!!map {a: 1}", {"a": 1}),
            ("!!seq [1]", [1]),
            ("!<tag:yaml.org,2002:str> 5", "5"),
        ],
    )
    def test_standard_tags(self, text: str, value: object) -> None:
        result = load(f"v: {text}\n")["v"]
        assert result == value
        assert type(result) is type(value)

    @pytest.mark.parametrize(
        ("text", "fragment"),
        [
            ("!!int 0x1F", "'!!int' needs a whole number in digits, not '0x1F'"),
            ("!!int 1.5", "'!!int' needs a whole number"),
            ("!!float .nan", "'!!float' needs a number in digits, not '.nan'"),
            ("!!bool yes", "'!!bool' needs true or false, not 'yes'"),
            ("!!null none", "'!!null' needs null"),
            ("!!map x", "the tag '!!map' cannot be used on a text value ('x')"),
            ("!!str [a]", "the tag '!!str' cannot be used on a list"),
            ("!!binary aGVsbG8=", "the tag '!!binary' is not allowed"),
            ("!!timestamp 2025-01-31", "the tag '!!timestamp' is not allowed"),
            ("!!set {a, b}", "the tag '!!set' is not allowed"),
            ("!!omap [a: 1]", "the tag '!!omap' is not allowed"),
            ("!!python/name:os.system x", "'!!python/name:os.system' is not allowed"),
            ("!!python/object/apply:os.system [ls]", "'!!python/object/apply:os.system'"),
            ("!foo x", "the tag '!foo' is not allowed"),
        ],
    )
    def test_bad_tags_are_errors_at_the_value(self, text: str, fragment: str) -> None:
        message = error_of(f"client:\n  v: {text}\n")
        assert message.startswith("t.yaml:2:6: client.v: ")
        assert fragment in message

    def test_tag_on_a_key_is_checked(self) -> None:
        assert "'!!python/name:os.system' is not allowed" in error_of(
            "!!python/name:os.system : 1\n"
        )
        assert load("!!int 1: a\n") == {"1": "a"}

    def test_quoted_merge_key_is_an_ordinary_key(self) -> None:
        assert load("'<<': a\n") == {"<<": "a"}


class TestPositions:
    """Positions are 1-based (line, column) of each key and each list item."""

    TEXT = (
        "client:\n"
        "  name: Boulangerie\n"
        "use_cases:\n"
        "  - id: uc1\n"
        "    system:\n"
        "      capabilities: [chat, ocr]\n"
        "  - id: uc2\n"
    )

    def test_nested_keys_and_list_items(self) -> None:
        positions = load_yaml_text(self.TEXT, "p.yaml").positions
        assert positions[()] == (1, 1)
        assert positions[("client",)] == (1, 1)
        assert positions[("client", "name")] == (2, 3)
        assert positions[("use_cases",)] == (3, 1)
        assert positions[("use_cases", 0)] == (4, 5)
        assert positions[("use_cases", 0, "id")] == (4, 5)
        assert positions[("use_cases", 0, "system", "capabilities")] == (6, 7)
        assert positions[("use_cases", 0, "system", "capabilities", 1)] == (6, 28)
        assert positions[("use_cases", 1, "id")] == (7, 5)

    def test_locate_known_and_missing_keys(self) -> None:
        doc = load_yaml_text(self.TEXT, "p.yaml")
        assert doc.locate(["client", "name"]) == Location("p.yaml", 2, 3, "client.name")
        missing = doc.locate(("use_cases", 0, "system", "vendor", "name"))
        assert missing == Location("p.yaml", 5, 5, "use_cases[0].system.vendor.name")
        assert str(doc.locate(["nowhere"])) == "p.yaml:1:1: nowhere"
        assert doc.locate([]) == Location("p.yaml", 1, 1, None)

    def test_positions_count_characters_and_all_line_breaks(self) -> None:
        positions = load_yaml_text("é: [x, 😀, y]\r\nb: 1\rc: 2\n", "p.yaml").positions
        assert positions[("é", 2)] == (1, 11)
        assert positions[("b",)] == (2, 1)
        assert positions[("c",)] == (3, 1)

    def test_document_start_is_the_first_key(self) -> None:
        assert load_yaml_text("# header\n\n  a: 1\n", "p.yaml").positions[()] == (3, 3)

    def test_positions_are_read_only(self) -> None:
        doc = load_yaml_text("a: 1\n", "p.yaml")
        with pytest.raises(TypeError):
            doc.positions[("b",)] = (1, 1)  # type: ignore[index]

    @pytest.mark.parametrize(
        ("path", "dotted"),
        [
            ((), ""),
            (("a",), "a"),
            (("use_cases", 0, "id"), "use_cases[0].id"),
            ((0, "a"), "[0].a"),
            (("m", 1, 2), "m[1][2]"),
        ],
    )
    def test_format_key_path(self, path: tuple[str | int, ...], dotted: str) -> None:
        assert format_key_path(path) == dotted


class TestAliases:
    """Aliases are expanded into independent copies, within the node budget."""

    def test_aliases_are_expanded_as_copies(self) -> None:
        doc = load_yaml_text("a: &x {k: [1, 2]}\nb: *x\nc: [*x]\n", "t.yaml")
        assert doc.data["b"] == doc.data["c"][0] == {"k": [1, 2]}
        assert doc.data["b"] is not doc.data["a"]
        assert doc.data["b"]["k"] is not doc.data["a"]["k"]
        assert doc.locate(["b", "k"]) == Location("t.yaml", 2, 1, "b.k")  # the alias's key
        assert doc.locate(["c", 0, "k"]).line == 3

    def test_node_budget_counts_every_expansion(self) -> None:
        text = "a: &x [1, 2, 3, 4]\nb: [*x, *x, *x]\n"
        assert load(text, max_nodes=100)["b"][2] == [1, 2, 3, 4]
        assert "t.yaml:2:1: b[2]: too many nodes" in error_of(text, max_nodes=20)

    def test_node_budget_applies_without_aliases(self) -> None:
        assert "too many nodes" in error_of("a: [" + "1, " * 50 + "]\n", max_nodes=40)

    def test_recursive_alias_in_a_list_is_an_error(self) -> None:
        assert "t.yaml:1:1: a[0]: an alias (*name) points to a block" in error_of("a: &a [*a]\n")

    def test_undefined_alias_is_a_syntax_error(self) -> None:
        assert error_of("a: *nothing\n").startswith(
            "t.yaml:1:4: invalid YAML: found undefined alias"
        )

    def test_alias_cannot_be_used_to_nest_too_deep(self) -> None:
        text = "a: &a " + "[" * 30 + "]" * 30 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n"
        assert "more than 50 levels" in error_of(text)


class TestLimits:
    """Size, depth and file type are checked before anything big is read or built."""

    def test_nesting_at_the_limit_is_fine(self) -> None:
        assert load("a: " + "[" * 49 + "]" * 49 + "\n") is not None
        assert "t.yaml:1:7: a[0][0][0]: nesting is too deep (more than 4 levels" in error_of(
            "a: [[[[[]]]]]\n", max_depth=4
        )

    @pytest.mark.parametrize("levels", [400, 600])
    def test_pathological_nesting_never_raises_recursion_error(self, levels: int) -> None:
        """600 levels overflow the pure-Python composer's recursion; we report, not crash."""
        assert "nesting is too deep" in error_of("a: " + "[" * levels + "]" * levels)

    @pytest.mark.skipif(not hasattr(yamlio, "_CLoader"), reason="libyaml is not installed")
    def test_libyaml_nesting_limit_is_reported(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """libyaml stops at 1000 levels itself. (Not run with the pure-Python scanner: it is
        quadratic on open brackets, so this case would only make the suite slow.)"""
        monkeypatch.setattr(yamlio, "_LOADER", yamlio._CLoader)
        message = error_of("a: " + "[" * 100_000)
        assert message.startswith("t.yaml:1:1003: nesting is too deep for the YAML reader")

    def test_huge_file_is_refused_with_its_size(self, tmp_path: Path) -> None:
        big = tmp_path / "big.yaml"
        big.write_bytes(b"key: value\n" * 290_910)  # 3.2 MB
        with pytest.raises(ProfileError) as info:
            load_yaml(big, display_path="big.yaml")
        assert str(info.value) == "big.yaml: the file is 3.2 MB; the limit is 1.0 MB"

    def test_sparse_huge_file_is_refused_before_reading(self, tmp_path: Path) -> None:
        sparse = tmp_path / "sparse.yaml"
        with sparse.open("wb") as handle:
            handle.truncate(10**10)
        start = time.perf_counter()
        with pytest.raises(ProfileError, match=r"the file is 10\.0 GB; the limit is 1\.0 MB"):
            load_yaml(sparse)
        assert time.perf_counter() - start < 10

    def test_limit_is_configurable(self, tmp_path: Path) -> None:
        small = tmp_path / "small.yaml"
        small.write_text("a: 1\nb: 2\n", encoding="utf-8")
        assert load_yaml(small, max_bytes=10).data == {"a": 1, "b": 2}
        with pytest.raises(ProfileError, match="is 10 bytes; the limit is 9 bytes"):
            load_yaml(small, max_bytes=9)

    @pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
    def test_read_is_bounded_when_stat_reports_no_size(self) -> None:
        with pytest.raises(ProfileError, match="larger than the limit of 10 bytes"):
            load_yaml(Path("/proc/self/status"), max_bytes=10)

    def test_folder_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ProfileError, match="this is a folder, not a regular file"):
            load_yaml(tmp_path)

    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
    def test_fifo_is_refused_without_blocking(self, tmp_path: Path) -> None:
        fifo = tmp_path / "pipe.yaml"
        os.mkfifo(fifo)
        with pytest.raises(ProfileError, match="a special file, not a regular file"):
            load_yaml(fifo)

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(
            ProfileError, match=r"missing\.yaml: cannot read the file: No such file"
        ):
            load_yaml(tmp_path / "missing.yaml", display_path="missing.yaml")


class TestEncodingAndShape:
    """Bytes must be UTF-8 text holding exactly one document whose top level is a mapping."""

    def test_utf8_bom_is_accepted(self, tmp_path: Path) -> None:
        path = tmp_path / "bom.yaml"
        path.write_bytes(b"\xef\xbb\xbfname: Caf\xc3\xa9\n")
        doc = load_yaml(path)
        assert doc.data == {"name": "Café"}
        assert doc.positions[("name",)] == (1, 1)
        assert load("\ufeffa: 1\n") == {"a": 1}

    def test_utf16_big_endian_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "be.yaml"
        path.write_bytes(b"\xfe\xff" + "a: 1\n".encode("utf-16-be"))
        with pytest.raises(ProfileError, match="saved as UTF-16; save it as UTF-8"):
            load_yaml(path)

    def test_nul_in_text_is_binary(self) -> None:
        assert error_of("a: 1\0") == "t.yaml: binary file, not YAML (it contains NUL bytes)"

    @pytest.mark.parametrize(
        ("text", "code", "where"),
        [
            ("a: x\x07y\n", "#x0007", "1:5"),
            ("a: 1\nb: \x1b[31m\n", "#x001B", "2:4"),
            ("a: \x7f\n", "#x007F", "1:4"),
            ("a: \ud800\n", "#xD800", "1:4"),
            ("a: '\x9b'\n", "#x009B", "1:5"),
        ],
    )
    def test_special_characters(self, text: str, code: str, where: str) -> None:
        assert error_of(text).startswith(f"t.yaml:{where}: special character {code} is not allowed")

    @pytest.mark.parametrize(
        ("text", "found"),
        [
            ("- a\n", "a list"),
            ("hello\n", "a text value ('hello')"),
            ("12\n", "a text value ('12')"),
            ("'quoted'\n", "a text value ('quoted')"),
        ],
    )
    def test_top_level_must_be_a_mapping(self, text: str, found: str) -> None:
        assert (
            error_of(text)
            == f"t.yaml:1:1: the top level must be 'key: value' lines, but the file holds {found}"
        )

    @pytest.mark.parametrize("text", ["", "\n\n", "# only\n", "---\n", "--- \n...\n", "\ufeff"])
    def test_empty_documents(self, text: str) -> None:
        assert error_of(text) == "t.yaml: the file is empty; it must hold 'key: value' lines"

    def test_empty_mapping_is_allowed(self) -> None:
        assert load("{}\n") == {}

    def test_single_explicit_document_is_fine(self) -> None:
        assert load("---\na: 1\n...\n") == {"a": 1}

    def test_second_document_is_refused(self) -> None:
        assert error_of("a: 1\n---\n").startswith("t.yaml:2:1: the file holds more than one YAML")


class TestSyntaxErrors:
    """PyYAML syntax errors keep their problem, context and 1-based position."""

    def test_problem_and_position(self) -> None:
        message = error_of("a: 1\nb: [1, 2\n")
        assert message.startswith("t.yaml:3:1: invalid YAML: ")
        assert "while parsing a flow sequence at line 2, column 4" in message

    def test_tab_hint(self) -> None:
        assert error_of("a:\n  b: 1\n\tc: 2\n").endswith("use spaces, not tabs, to indent")

    def test_no_tab_hint_without_tabs(self) -> None:
        assert "tabs" not in error_of("a: b: c\n")


class TestNeverCrashes:
    """Whatever the input, only UserError subclasses come out."""

    YAMLISH = st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`?,.~<= \t\n\rab01yN")))

    @settings(
        max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(text=st.one_of(st.text(), YAMLISH))
    def test_arbitrary_text(self, text: str) -> None:
        outcome: object
        try:
            outcome = load_yaml_text(text, "f.yaml", error_cls=RuleError).data
        except RuleError as exc:
            outcome = exc.issues
        if not isinstance(outcome, dict):
            assert isinstance(outcome, list)
            assert outcome
            assert all(issue.location.file == "f.yaml" for issue in outcome)

    @settings(
        max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(data=st.binary(max_size=200))
    def test_arbitrary_bytes(self, data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
        path = tmp_path_factory.getbasetemp() / "fuzz.yaml"
        path.write_bytes(data)
        with contextlib.suppress(ProfileError):
            load_yaml(path)
