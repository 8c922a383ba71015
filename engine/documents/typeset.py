"""The typesetting pass over a rendered document part (``word/document.xml``, headers, footers).

Each paragraph's text (the ``w:t`` of its runs, in order) goes through the French rules of
:mod:`engine.documents.typography` as one string (all paragraphs of a part at once, separated by
a line break no rule crosses), so a rule sees the template's wording and the client's data
together (``de `` typed in the template before ``{{ client.name }}``); the result
is cut back into the same runs, each keeping its formatting. Then ``1er`` / ``1re`` get their
ending in superscript (a run property, hence here and not in the plain-text rules). Only text
changes: the markup, fields (``w:instrText``) and everything else are left as they are.

Why:
    One place, used by every document, fixes the templates' own straight apostrophes and the
    spaces before punctuation as well as those of the data.
"""

from __future__ import annotations

import copy
import functools
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from engine.documents.typography import Rule, Rules, apply_edits

__all__ = ["Typesetter"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
W_P, W_R, W_T, W_RPR = (f"{{{_W}}}{n}" for n in ("p", "r", "t", "rPr"))
_BREAKS = frozenset(f"{{{_W}}}{n}" for n in ("tab", "br", "cr"))
_ORDINAL = re.compile(r"(?<![\w])(1)(er|re|ers|res)(?!\w)")
_AFTER_VERTALIGN = frozenset(f"{{{_W}}}{n}" for n in (
    "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath", "rPrChange"))
_PARSER = etree.XMLParser(resolve_entities=False, remove_blank_text=False, huge_tree=True)


@dataclass(frozen=True)
class Typesetter:
    """The typesetting of one client's documents (the articles of its names)."""

    rules: Rules = field(default_factory=Rules)

    def part(self, data: bytes) -> bytes:
        """One rendered part's XML bytes, typeset; the declaration is kept."""
        if b"<w:t" not in data:
            return data
        root = etree.fromstring(data, _PARSER)
        _typeset_text(_paragraphs(root), self.rules)
        if b"1er" in data or b"1re" in data:
            for t in list(root.iter(W_T)):
                text = t.text
                if text and ("1er" in text or "1re" in text) and _ORDINAL.search(text):
                    _superscript(t)
        head = data[: data.index(b"?>") + 2] if data.startswith(b"<?xml") else b""
        body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
        return head + (b"\n" if head and data[len(head):len(head) + 1] == b"\n" else b"") + body


def _paragraphs(root: etree._Element) -> list[list[etree._Element]]:
    """The text pieces (``w:t``) and breaks of each paragraph, in order (a paragraph nested
    in a text box is a paragraph of its own)."""
    groups: dict[etree._Element, list[etree._Element]] = {}
    for node in root.iter(W_T, *_BREAKS):
        run = node.getparent()  # the usual case: w:p / w:r / w:t, no search up the tree
        paragraph = run.getparent() if run is not None else None
        if paragraph is None or paragraph.tag != W_P:
            paragraph = next(node.iterancestors(W_P), None)
        if paragraph is not None:
            groups.setdefault(paragraph, []).append(node)
    return list(groups.values())


def _typeset_text(paragraphs: list[list[etree._Element]], rules: Rules) -> None:
    """Set the text of every paragraph (the rules never cross a paragraph's end, so each is
    set on its own, and the result of a paragraph already seen is reused: a master's fixed
    wording is the same for every client)."""
    for paragraph in paragraphs:
        pieces = tuple((node.text or "") if node.tag == W_T else "\n" for node in paragraph)
        values = _set_paragraph(pieces, _relevant(rules.articles, "".join(pieces)))
        if values is None:
            continue
        for node, value in zip(paragraph, values, strict=True):
            if node.tag == W_T and value != (node.text or ""):
                node.text = value
                if value != value.strip(" "):
                    node.set(_XML_SPACE, "preserve")


def _relevant(articles: Mapping[str, str], text: str) -> tuple[tuple[str, str], ...]:
    """The articles whose name may occur in ``text`` once the base rules have run (they only
    turn ``'`` into ``’`` and ``...`` into ``…``: compared with both undone); a paragraph that
    names no client is then set the same way for every client. A name holding a line break
    could cross a paragraph end: then every article counts."""
    if not articles:
        return ()
    plain = _undo_base(text)
    if any(_undo_base(name) in plain or "\n" in name for name in articles if name):
        return tuple(sorted(articles.items()))
    return ()


def _undo_base(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2026", "...")


@functools.lru_cache(maxsize=8192)  # a few MB; the masters' paragraphs stay in it
def _set_paragraph(pieces: tuple[str, ...], articles: tuple[tuple[str, str], ...]
                   ) -> tuple[str, ...] | None:
    """The new text of each piece of one paragraph (a break stays a line break), or None when
    the rules change nothing. The paragraph is followed by the line break that ends it in the
    part, as the rules saw it when the whole part was one string."""
    text = "".join(pieces) + "\n"
    cuts, pos = [], 0
    for piece in pieces:
        pos += len(piece)
        cuts.append(pos)
    new, moved = apply_edits(text, cuts, _compiled(articles))
    if new == text:
        return None
    bounds = [0, *moved]
    return tuple(new[start:end].replace("\n", "") for start, end in itertools.pairwise(bounds))


@functools.lru_cache(maxsize=256)
def _compiled(articles: tuple[tuple[str, str], ...]) -> tuple[Rule, ...]:
    return Rules(dict(articles)).rules()


def _superscript(t: etree._Element) -> None:
    """``1er`` -> ``1`` + superscript ``er``, splitting the run (same properties)."""
    run = t.getparent()
    if run is None or run.tag != W_R or [c.tag for c in run if c.tag != W_RPR] != [W_T]:
        return
    text, pieces, pos = t.text or "", [], 0
    for match in _ORDINAL.finditer(text):
        pieces += [(text[pos:match.start(2)], False), (match.group(2), True)]
        pos = match.end()
    pieces.append((text[pos:], False))
    parent, index = run.getparent(), run.getparent().index(run)
    parent.remove(run)
    for offset, (value, sup) in enumerate(p for p in pieces if p[0]):
        new = copy.deepcopy(run)
        new_t = new.find(W_T)
        new_t.text = value
        if value != value.strip(" "):
            new_t.set(_XML_SPACE, "preserve")
        if sup:
            props = new.find(W_RPR)
            if props is None:
                props = etree.Element(W_RPR)
                new.insert(0, props)
            for old in props.findall(f"{{{_W}}}vertAlign"):
                props.remove(old)
            align = etree.Element(f"{{{_W}}}vertAlign")
            align.set(f"{{{_W}}}val", "superscript")
            after = next((i for i, c in enumerate(props) if c.tag in _AFTER_VERTALIGN), None)
            props.insert(len(props) if after is None else after, align)
        parent.insert(index + offset, new)
