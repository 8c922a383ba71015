"""Which characters user text may hold, and how to quote user text safely in a message.

Why:
    Profiles, rules and templates come from people, some hostile. One place decides what a
    text value may contain (what Word's XML and UTF-8 can hold, without the invisible marks
    that reorder text), and how a message quotes user text on a terminal (escaped, shortened),
    so the profile validator, the YAML reader, the CLI and the document writer never differ.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_MARKS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Invisible marks and overrides that reorder text ("Trojan source" tricks)."""

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff" + BIDI_MARKS + "]"
)
"""Not allowed in a text value: characters XML 1.0 forbids (they would corrupt a .docx), lone
surrogates (no UTF-8 for them), non-characters and the direction marks and overrides."""

UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff" + BIDI_MARKS + "]"
)
"""What a message never prints raw: C0/C1 controls (terminal escapes), DEL, lone surrogates,
non-characters and the direction marks."""

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold at all (removed from document metadata)."""

YAML_NON_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""Characters outside YAML's printable set (YAML 1.1 c-printable)."""

SHOWN_CHARS = 60
"""The longest user text a message quotes."""


def printable(text: str) -> str:
    """``text`` with every control, bidi or invalid character written as an escape.

    >>> printable("a\\x1b[31mb\\u202e")
    'a\\\\x1b[31mb\\\\u202e'
    """

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return UNPRINTABLE.sub(escape, text)


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """User text as a message may quote it: escaped, and cut to ``limit`` characters.

    >>> shown("x" * 70, 10)
    'xxxxxxxxx…'
    """
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold.

    >>> xml_safe("a\\x00b")
    'ab'
    """
    return NOT_XML.sub("", text)


def forbidden_at(text: str) -> tuple[str, int] | None:
    """The first character a text value may not hold and its 1-based position, or None.

    >>> forbidden_at("ok"), forbidden_at("a\\u202eb")
    (None, ('U+202E', 2))
    """
    bad = FORBIDDEN.search(text)
    return None if bad is None else (f"U+{ord(bad.group()):04X}", bad.start() + 1)


def lookalikes(text: str, limit: int = 3) -> str:
    """A note naming the characters of ``text`` that are not Latin letters, digits or ASCII
    punctuation (a Cyrillic 'с' prints like a Latin 'c'), or "" when there are none.

    >>> lookalikes("\\u0441lient")
    ' (U+0441 CYRILLIC SMALL LETTER ES at position 1 is not a Latin letter)'
    >>> lookalikes("sector"), lookalikes("société")
    ('', '')
    """
    odd = [(i, c) for i, c in enumerate(text, start=1)
           if not c.isascii() and not unicodedata.name(c, "").startswith("LATIN ")]
    if not odd:
        return ""
    named = [f"U+{ord(c):04X} {unicodedata.name(c, 'UNNAMED CHARACTER')} at position {i}"
             for i, c in odd[:limit]]
    more = f" and {len(odd) - limit} more" if len(odd) > limit else ""
    verb = "is" if len(odd) == 1 else "are"
    return f" ({', '.join(named)}{more} {verb} not a Latin letter)"
