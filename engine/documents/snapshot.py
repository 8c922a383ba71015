"""A plain-text picture of a .docx template, so that a template change reads as a text diff.

The .docx files of ``doc_templates/`` are the masters, edited in Word or LibreOffice; beside
them, ``doc_templates/snapshots/<name>.txt`` holds :func:`template_snapshot` of each, refreshed
with ``iapme templates snapshot`` and committed with the template. The snapshot shows, in
document order: each section (orientation, page size, margins) with its headers and footers;
each paragraph on one line with its style, its alignment when not left, and its text with the
Jinja tags as typed (``**bold**``, ``//italic//``, fields such as ``[PAGE]``); each table row on
one line, cells separated by `` | ``; then the paragraph styles used; and last a digest of
every part of the file but its metadata, so that a change the text cannot show (a colour, a
border) still asks for a new snapshot.

Why:
    Reviewers cannot read a binary diff. A text snapshot turns "someone edited the charter in
    Word" into lines a reviewer can check, and the test that compares snapshot and template
    makes sure no template change skips that review.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn

SNAPSHOT_DIR = "snapshots"
_P, _TBL, _SDT, _R = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:r")
_MARKS = (("**", "b"), ("//", "i"))


def snapshot_path(template: Path) -> Path:
    """Where the snapshot of ``template`` is kept: ``<folder>/snapshots/<name>.txt``."""
    return template.parent / SNAPSHOT_DIR / (template.stem + ".txt")


def template_snapshot(path: Path) -> str:
    """The snapshot text of the template at ``path`` (ends with a newline)."""
    document = docx.Document(str(path))
    out = [f"# {path.name}"]
    sections = list(document.sections)
    out += _section(sections[0], 1)
    used: dict[str, Any] = {}
    number = 1
    for kind, element in _blocks(document.element.body):
        if kind == "p":
            out.append(_paragraph(element, document, used))
            if element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                number += 1
                out += _section(sections[number - 1], number)
        elif kind == "tbl":
            out += _table(element, document, used)
    out.append("== paragraph styles")
    for name in sorted(used):
        out.append(_style(used[name]))
    out.append(f"== parts digest {_digest(path)}")
    return "\n".join(out) + "\n"


def _blocks(container: Any) -> Iterator[tuple[str, Any]]:
    for child in container.iterchildren():
        if child.tag == _P:
            yield "p", child
        elif child.tag == _TBL:
            yield "tbl", child
        elif child.tag == _SDT:
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _blocks(content)


def _section(section: Any, number: int) -> list[str]:
    orientation = "landscape" if section.page_width > section.page_height else "portrait"
    cm = [round(v / 360000, 2) if v is not None else "?" for v in (
        section.page_width, section.page_height, section.top_margin, section.right_margin,
        section.bottom_margin, section.left_margin)]
    out = [f"== section {number}: {orientation}, {cm[0]} x {cm[1]} cm, margins "
           f"{cm[2]} {cm[3]} {cm[4]} {cm[5]} cm (top right bottom left)"
           + (", first page different" if section.different_first_page_header_footer else "")]
    for label in ("header", "first_page_header", "even_page_header", "footer",
                  "first_page_footer", "even_page_footer"):
        part = getattr(section, label)
        if part.is_linked_to_previous:
            if number == 1 and label in ("header", "footer"):
                out.append(f"-- {label.replace('_', ' ')}: none")
            continue
        out.append(f"-- {label.replace('_', ' ')}")
        for kind, element in _blocks(part._element):
            if kind == "p":
                out.append("  " + _paragraph(element, part, {}))
            else:
                out += ["  " + row for row in _table(element, part, {})]
    return out


def _paragraph(p: Any, owner: Any, used: dict[str, Any]) -> str:
    from docx.text.paragraph import Paragraph

    paragraph = Paragraph(p, owner)
    style = paragraph.style
    name = style.name if style is not None else "Normal"
    if style is not None:
        used[name] = style
    align = paragraph.alignment
    shown = f"[{name}{', ' + str(align).split('.')[-1].split(' ')[0].lower() if align else ''}]"
    if paragraph.paragraph_format.page_break_before:
        shown = "<page break before> " + shown
    text = _runs(p)
    return f"{shown} {text}" if text else shown


def _runs(p: Any) -> str:
    """The paragraph's runs with bold and italic marks, breaks and fields."""
    pieces: list[tuple[str, frozenset[str]]] = []
    field: list[str] | None = None  # the instruction of the field being read
    in_result = False
    for r in p.iter(_R):
        rpr = r.find(qn("w:rPr"))
        marks = frozenset(m for _, m in _MARKS if rpr is not None and _on(rpr.find(qn(f"w:{m}"))))
        for child in r.iterchildren():
            tag = child.tag
            if tag == qn("w:fldChar"):
                kind = child.get(qn("w:fldCharType"))
                if kind == "begin":
                    field, in_result = [], False
                elif kind == "separate":
                    in_result = True
                elif kind == "end" and field is not None:
                    pieces.append((f"[{' '.join(''.join(field).split())}]", marks))
                    field, in_result = None, False
            elif tag == qn("w:instrText") and field is not None:
                field.append(child.text or "")
            elif in_result:
                continue
            elif tag == qn("w:t"):
                pieces.append((child.text or "", marks))
            elif tag == qn("w:tab"):
                pieces.append(("<tab>", marks))
            elif tag == qn("w:br"):
                page = child.get(qn("w:type")) == "page"
                pieces.append(("<page break>" if page else "<br>", marks))
            elif tag == qn("w:drawing"):
                pieces.append(("<picture>", marks))
    return _marked(pieces)


def _on(element: Any) -> bool:
    return element is not None and element.get(qn("w:val")) not in ("0", "false", "off")


def _marked(pieces: list[tuple[str, frozenset[str]]]) -> str:
    """Join runs, merging neighbours of the same formatting: ``**Objet :** texte``."""
    merged: list[tuple[str, frozenset[str]]] = []
    for text, marks in pieces:
        if merged and merged[-1][1] == marks:
            merged[-1] = (merged[-1][0] + text, marks)
        elif text:
            merged.append((text, marks))
    out = []
    for text, marks in merged:
        for sign, mark in _MARKS:
            if mark in marks:
                text = f"{sign}{text}{sign}"
        out.append(text)
    return "".join(out)


def _table(tbl: Any, owner: Any, used: dict[str, Any]) -> list[str]:
    rows = tbl.findall(qn("w:tr"))
    columns = len(tbl.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}"))
    out = [f"table: {columns} column(s), {len(rows)} row(s)"]
    for row in rows:
        header = row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        cells = [" / ".join(_paragraph(p, owner, used) for p in tc.findall(_P))
                 for tc in row.findall(qn("w:tc"))]
        out.append(("  header row: " if header else "  row: ") + " | ".join(cells))
    return out


def _style(style: Any) -> str:
    font = style.font
    size = f"{font.size.pt:g} pt" if font.size is not None else "size inherited"
    flags = [flag for flag, on in (("bold", font.bold), ("italic", font.italic)) if on]
    colour = font.color.rgb if font.color is not None and font.color.type is not None else None
    base = style.base_style.name if style.base_style is not None else "-"
    parts = [f"based on {base}", f"font {font.name or 'inherited'}", size, *flags]
    if colour is not None:
        parts.append(f"colour #{colour}")
    return f"  {style.name}: " + ", ".join(parts)


def _digest(path: Path) -> str:
    """sha256 over every zip entry's name and bytes but the metadata (``docProps/``)."""
    sha = hashlib.sha256()
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if not name.startswith("docProps/"):
                sha.update(name.encode() + b"\0" + archive.read(name) + b"\0")
    return "sha256:" + sha.hexdigest()[:16]


def snapshot_problems(templates: list[Path]) -> list[str]:
    """Each template whose committed snapshot is missing or differs from the file."""
    out = []
    for template in templates:
        path = snapshot_path(template)
        if not path.is_file():
            out.append(f"{path}: missing; run iapme templates snapshot")
        elif path.read_text(encoding="utf-8") != template_snapshot(template):
            out.append(f"{path}: out of date with {template.name}; run iapme templates "
                       "snapshot and review the diff")
    return out


def write_snapshots(templates: list[Path]) -> list[Path]:
    """Write (or refresh) the snapshot of each template; return the files changed."""
    changed = []
    for template in templates:
        path = snapshot_path(template)
        text = template_snapshot(template)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
