"""Read a rendered .docx back as text, for golden tests and output checks.

The text comes from python-docx, in document order: headers, then the body (paragraphs and
tables, content controls opened), then footers. One line per paragraph, one line per table row
with the cells joined by `` | ``; a line break inside a paragraph stays a newline.
"""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

_P, _TBL, _SDT = qn("w:p"), qn("w:tbl"), qn("w:sdt")
_TR, _TC, _SDT_CONTENT = qn("w:tr"), qn("w:tc"), qn("w:sdtContent")
_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"


def _lines(container: Any, parent: Any) -> list[str]:
    lines: list[str] = []
    for child in container.iterchildren():
        if child.tag == _P:
            lines.append(Paragraph(child, parent).text)
        elif child.tag == _TBL:
            for row in child.iterchildren(_TR):
                cells = ["\n".join(_lines(tc, parent)) for tc in row.iterchildren(_TC)]
                lines.append(" | ".join(cells))
        elif child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                lines.extend(_lines(content, parent))
    return lines


def _side_parts(document: Any, reltype: str) -> list[Any]:
    return [
        rel.target_part
        for rel in document.part.rels.values()
        if rel.reltype == reltype and not rel.is_external
    ]


def document_text(data: bytes) -> str:
    """Headers, body paragraphs and table rows, footers of a .docx, one line each."""
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for part in _side_parts(document, _HEADER):
        lines.extend(_lines(part.element, part))
    lines.extend(_lines(document.element.body, document.part))
    for part in _side_parts(document, _FOOTER):
        lines.extend(_lines(part.element, part))
    return "\n".join(lines)


def document_images(data: bytes) -> int:
    """Number of inline pictures in the body, headers and footers of a .docx."""
    document = docx.Document(io.BytesIO(data))
    parts = [document.part, *_side_parts(document, _HEADER), *_side_parts(document, _FOOTER)]
    return sum(len(part.element.xpath(".//wp:inline//pic:pic")) for part in parts)
