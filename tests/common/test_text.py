"""Tests of engine.common.text: what a text value may hold, and how messages quote user text
(escaped, shortened) so that a hostile profile cannot drive the terminal or hide a character."""

from __future__ import annotations

import pytest

from engine.common.text import (
    SHOWN_CHARS,
    YAML_NON_PRINTABLE,
    forbidden_at,
    lookalikes,
    printable,
    shown,
    xml_safe,
)

FRENCH = "Société Générale d'Œuvres — « déjà » 12\u00a0000\u202f€ 🙂"


class TestPrintable:
    @pytest.mark.parametrize(("raw", "escaped"), [
        ("a\x1b[31mb", "a\\x1b[31mb"),           # a terminal escape
        ("line\nbreak\ttab", "line\\x0abreak\\x09tab"),
        ("del\x7f c1\x85\x9b", "del\\x7f c1\\x85\\x9b"),
        ("evil\u202egpj.exe", "evil\\u202egpj.exe"),  # right-to-left override
        ("\u2066isolate\u2069", "\\u2066isolate\\u2069"),
        ("lone \ud800", "lone \\ud800"),
        ("non\ufffe", "non\\ufffe"),
    ])
    def test_controls_and_marks_are_escaped(self, raw: str, escaped: str) -> None:
        assert printable(raw) == escaped

    def test_french_and_emoji_are_kept(self) -> None:
        assert printable(FRENCH) == FRENCH

    def test_the_escape_is_itself_printable(self) -> None:
        assert printable(printable("\x1b\u202e")) == printable("\x1b\u202e")


class TestShown:
    def test_short_text_is_only_escaped(self) -> None:
        assert shown("a\x1bb") == "a\\x1bb"

    def test_long_text_is_cut_to_the_limit_with_an_ellipsis(self) -> None:
        text = shown("x" * 500)
        assert len(text) == SHOWN_CHARS
        assert text.endswith("…")

    def test_the_cut_comes_after_the_escaping(self) -> None:
        """Forty escapes are 160 characters once written out: the quote still fits the limit."""
        assert len(shown("\x1b" * 40)) == SHOWN_CHARS
        assert shown("ab", limit=2) == "ab"
        assert shown("abc", limit=2) == "a…"


class TestXmlSafe:
    def test_removes_what_xml_cannot_hold(self) -> None:
        assert xml_safe("a\x00b\x0bc\x1fd\ud800e\uffff") == "abcde"

    def test_keeps_what_xml_holds(self) -> None:
        """Tabs and line breaks are XML; bidi marks are too (forbidden in values, not here)."""
        kept = "a\tb\nc\rd\u202e" + FRENCH
        assert xml_safe(kept) == kept


class TestForbidden:
    def test_allowed_text(self) -> None:
        assert forbidden_at(FRENCH + "\t\n\r") is None

    @pytest.mark.parametrize(("text", "found"), [
        ("\x00", ("U+0000", 1)),
        ("ok\x08", ("U+0008", 3)),
        ("a\x7f", ("U+007F", 2)),
        ("ab\u200fc", ("U+200F", 3)),
        ("a\ud83d", ("U+D83D", 2)),
        ("a\u202eb\x00", ("U+202E", 2)),  # the first one
    ])
    def test_first_forbidden_character_and_position(self, text: str, found: tuple[str, int]
                                                    ) -> None:
        assert forbidden_at(text) == found


class TestLookalikes:
    def test_latin_text_has_none(self) -> None:
        assert lookalikes("client") == ""
        assert lookalikes("société générale Œuvre") == ""

    def test_one_cyrillic_letter(self) -> None:
        assert lookalikes("\u0441lient") == (
            " (U+0441 CYRILLIC SMALL LETTER ES at position 1 is not a Latin letter)")

    def test_several_and_the_rest_counted(self) -> None:
        note = lookalikes("\u0430\u0435\u043e\u0440\u0441", limit=2)  # five Cyrillic letters
        assert note.startswith(" (U+0430 CYRILLIC SMALL LETTER A at position 1, U+0435 ")
        assert note.endswith(" and 3 more are not a Latin letter)")

    def test_two_are(self) -> None:
        assert lookalikes("\u0391\u0392").endswith("at position 2 are not a Latin letter)")


def test_yaml_printable_set() -> None:
    assert YAML_NON_PRINTABLE.search(FRENCH) is None
    found = YAML_NON_PRINTABLE.search("a\x1bb")
    assert found is not None
    assert found.start() == 1
    assert YAML_NON_PRINTABLE.search("\ufffe") is not None
