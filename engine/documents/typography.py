"""French typesetting of plain text: apostrophes, no-break spaces, elisions, name articles.

One set of rules for every text that reaches a document; :mod:`engine.documents.typeset`
applies them to the text of each paragraph of a rendered document, template wording and client
data alike, and :func:`typeset` to a plain string. The rules are edits on the text (a span
replaced by a string); :func:`apply_edits` also moves the boundaries of the runs the text came
from, so a paragraph whose text is cut into Word runs keeps its formatting.

Rules, in order: typographic apostrophe (’) for ', "…" for "...", the article of a name that
takes one (``de`` + ``le Cabinet X`` -> ``du Cabinet X``), elision before a vowel
(``de Axyus`` -> ``d’Axyus``, ``si il`` -> ``s’il``), U+202F NARROW NO-BREAK SPACE before ; ? !,
U+00A0 NO-BREAK SPACE before : and inside « », between a number and its unit (``15 minutes``,
``12 %``, ``2 000 €``), between digit groups and after ``art.`` or ``§``. Web addresses and
e-mail addresses are left as they are; the decimal comma is never touched.

Why:
    The templates, the rule texts and the profiles are typed by different people on different
    keyboards: one pass at the end is the only way every page follows the same conventions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["NARROW_NBSP", "NBSP", "Edit", "Rule", "Rules", "apply_edits", "typeset"]

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
APOSTROPHE = "\u2019"

Edit = tuple[int, int, str]  # (start, end, replacement) on the text
Rule = Callable[[str], Iterable[Edit]]

# vowels with or without accents, and the ligatures oe and ae (no y, no h)
_VOWEL = "aeiouAEIOU" + "".join(
    c for c in map(chr, range(0xC0, 0x180)) if unicodedata.normalize("NFD", c)[0] in "aeiouAEIOU"
) + "\u0153\u00e6\u0152\u00c6"
_PROTECTED = re.compile(
    r"(?:https?://|www\.)[^\s<>«»\"]+"            # web addresses
    r"|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"               # e-mail addresses
)
# Words that elide before a vowel (not before h: "le haut risque" must stay as it is). The
# patterns start with a plain character class and the context is checked in Python: a
# look-behind tried at every position of a whole document is slow.
_ELIDING = re.compile(
    rf"\b([dlnsmtDLNSMT]e|[lL]a|[qQ]ue|[jJ]usque) +(?=[{_VOWEL}])(?!(?:oui|onze|ouate|uhlan)\b)"
)
_SI_IL = re.compile(r"\b([sS])i (?=ils?\b)")
_UNIT = re.compile(
    r"\d (?=(?:%|\u20ac|k\u20ac|M\u20ac|h|min|minutes?|heures?|jours?|semaines?|mois|ans?"
    r"|ann\u00e9es?|salari\u00e9s?|personnes?|Mo|Go|mm|cm|km|pt)(?!\w))"
)
_GROUPS = re.compile(r"\d (?=\d{3}(?!\d))")
_BEFORE_NUMBER = re.compile(r"(?<![\w-])(art\.|Art\.|arts\.|§|n°|p\.) (?=\d)")
_NO_BREAK = (NBSP, NARROW_NBSP)
_A = "\u00e0"  # the preposition a with a grave accent
_CONTRACT = {("de", "le"): "du", ("de", "les"): "des", (_A, "le"): "au", (_A, "les"): "aux"}
_WITH_ARTICLE = ("chez", "pour", "par", "avec", "sans", "selon", "envers", "contre")


def _edits(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> Rule:
    return lambda text: ((m.start(), m.end(), repl(m)) for m in pattern.finditer(text))


def _word_edits(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> Rule:
    """Like :func:`_edits`, for a word that must not follow an apostrophe or a hyphen
    (a place name with hyphens, a word after an elided one)."""
    return lambda text: ((m.start(), m.end(), repl(m)) for m in pattern.finditer(text)
                         if not m.start() or text[m.start() - 1] not in "’'-")


def _elide(match: re.Match[str]) -> str:
    word = match.group(1)
    return word[:-1] + APOSTROPHE


# Each space rule replaces only the space (or fills the empty place for one), never the
# punctuation itself, so the mark stays in its own run (its bold, its colour).
def _before_punctuation(text: str) -> Iterable[Edit]:
    """U+202F before ; ? ! and U+00A0 before : (in place of a space, or where none is)."""
    for match in re.finditer("[;?!:]", text):
        i = match.start()
        mark, prev = text[i], text[i - 1] if i else ""
        space = NBSP if mark == ":" else NARROW_NBSP
        after = text[i + 1: i + 2]
        if prev == " ":
            yield i - 1, i, space
        elif prev and (after == "" or after.isspace()) and (
                prev.isalpha() or prev in "»)]" or (mark != ":" and (prev.isalnum()
                                                                    or prev in "_%€"))):
            yield i, i, space


def _guillemets(text: str) -> Iterable[Edit]:
    """U+00A0 inside « » (in place of a space, or where none is)."""
    for match in re.finditer("[«»]", text):
        i = match.start()
        if text[i] == "«":
            after = text[i + 1: i + 2]
            if after == " ":
                yield i + 1, i + 2, NBSP
            elif after and not after.isspace() and after not in _NO_BREAK:
                yield i + 1, i + 1, NBSP
        elif i:
            prev = text[i - 1]
            if prev == " ":
                yield i - 1, i, NBSP
            elif not prev.isspace() and prev not in (*_NO_BREAK, "«"):
                yield i, i, NBSP


def _after_digit(pattern: re.Pattern[str]) -> Rule:
    """The space after the digit a ``pattern`` starts with, made a no-break space."""
    return lambda text: ((m.start() + 1, m.end(), NBSP) for m in pattern.finditer(text))


BASE_RULES: tuple[Rule, ...] = (
    lambda text: ((m.start(), m.end(), APOSTROPHE) for m in re.finditer("'", text)),
    lambda text: ((m.start(), m.end(), "…") for m in re.finditer(r"\.\.\.", text)),
)
SPACE_RULES: tuple[Rule, ...] = (
    _word_edits(_ELIDING, _elide),
    _word_edits(_SI_IL, lambda m: m.group(1) + APOSTROPHE),
    _before_punctuation,
    _guillemets,
    _after_digit(_UNIT),
    _after_digit(_GROUPS),
    _edits(_BEFORE_NUMBER, lambda m: m.group(1) + NBSP),
)


def _article_rule(name: str, article: str) -> Rule:
    """A preposition (de, a, chez...) before ``name``, with the name's article (``le``, ``la``,
    ``l’``, ``les``): ``de Cabinet X`` -> ``du Cabinet X``, ``chez Cabinet X`` -> ``chez le
    Cabinet X``. The name alone (a cover, a signature) is left as it is."""
    article = article.replace("'", APOSTROPHE)
    preps = "|".join(("de", "De", "d’", "D’", _A, _A.upper(), *_WITH_ARTICLE,
                      *(p.capitalize() for p in _WITH_ARTICLE)))
    pattern = re.compile(rf"\b({preps})(?: +|(?<=’))(?={re.escape(name)}(?!\w))")

    def repl(match: re.Match[str]) -> str:
        prep = match.group(1)
        low = prep.lower().replace("d’", "de")
        joined = _CONTRACT.get((low, article))
        if joined:
            word = joined.capitalize() if prep[0].isupper() else joined
            return word + " "
        base = "de" if low == "de" and prep[0].islower() else "De" if low == "de" else prep
        glue = "" if article.endswith(APOSTROPHE) else " "
        return f"{base} {article}{glue}"

    return _word_edits(pattern, repl)


@dataclass(frozen=True)
class Rules:
    """The rules for one client: the base rules and the articles of its names."""

    articles: Mapping[str, str] = field(default_factory=dict)

    def rules(self) -> tuple[Rule, ...]:
        named = tuple(_article_rule(name, article)
                      for name, article in sorted(self.articles.items()) if name and article)
        return BASE_RULES + named + SPACE_RULES


def _protected(text: str) -> list[tuple[int, int]]:
    if "@" not in text and "://" not in text and "www." not in text:
        return []  # the usual case, and the address pattern is slow to search
    return [m.span() for m in _PROTECTED.finditer(text)]


def apply_edits(text: str, cuts: list[int], rules: Iterable[Rule]) -> tuple[str, list[int]]:
    """``text`` after each rule in turn, and ``cuts`` (run boundaries, offsets into ``text``)
    moved with it. A cut inside a replaced span goes to the end of the replacement (the
    replacement belongs to the run the span started in)."""
    for rule in rules:
        guarded = _protected(text)
        edits = [e for e in rule(text)
                 if not any(s < e[1] and e[0] < t for s, t in guarded)
                 and text[e[0]:e[1]] != e[2]]
        if not edits:
            continue
        out, pos, shift = [], 0, 0
        moved = []
        ci = 0
        for start, end, repl in edits:
            if start < pos:
                continue  # overlapping matches of one rule: keep the first
            while ci < len(cuts) and cuts[ci] <= start:
                moved.append(cuts[ci] + shift)
                ci += 1
            while ci < len(cuts) and cuts[ci] < end:
                moved.append(start + shift + len(repl))
                ci += 1
            out += [text[pos:start], repl]
            shift += len(repl) - (end - start)
            pos = end
        moved += [c + shift for c in cuts[ci:]]
        out.append(text[pos:])
        text, cuts = "".join(out), moved
    return text, cuts


def typeset(text: str, rules: Rules | None = None) -> str:
    """``text`` set the French way.

    >>> typeset("Objet : l'outil de Axyus...") == "Objet\\u00a0: l’outil d’Axyus…"
    True
    >>> typeset("https://exemple.fr/a'b : 1,5 %") == "https://exemple.fr/a'b\\u00a0: 1,5\\u00a0%"
    True
    """
    return apply_edits(text, [], (rules or Rules()).rules())[0]
