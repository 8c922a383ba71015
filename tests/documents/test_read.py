"""Tests of engine.documents.read: a .docx read back as text in document order (headers, body
with tables and content controls, footers), as the golden tests compare it."""

from __future__ import annotations

import io

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm

from engine.documents.read import document_images, document_text
from tests.documents.sample import sample_png


def _docx(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_headers_body_tables_and_footers_in_order() -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "En-tête"
    document.sections[0].footer.paragraphs[0].text = "Pied de page"
    document.add_paragraph("Avant le tableau")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("Outil", "Niveau"), ("BotShop", "limité")), strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    table.cell(1, 1).add_paragraph("art. 50")  # a second paragraph in a cell
    paragraph = document.add_paragraph("Ligne 1")
    paragraph.add_run().add_break()
    paragraph.add_run("Ligne 2")
    assert document_text(_docx(document)).split("\n") == [
        "En-tête", "Avant le tableau", "Outil | Niveau", "BotShop | limité", "art. 50",
        "Ligne 1", "Ligne 2", "Pied de page"]


def test_content_controls_are_opened() -> None:
    document = docx.Document()
    document.add_paragraph("Avant")
    document.element.body.insert(1, parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>Dans le contrôle</w:t></w:r>"
        "</w:p></w:sdtContent></w:sdt>"))
    assert document_text(_docx(document)).split("\n")[:2] == ["Avant", "Dans le contrôle"]


def test_pictures_are_counted_in_body_and_header() -> None:
    document = docx.Document()
    assert document_images(_docx(document)) == 0
    document.add_picture(io.BytesIO(sample_png()), width=Mm(20))
    document.add_picture(io.BytesIO(sample_png()), width=Mm(20))
    document.sections[0].header.paragraphs[0].add_run().add_picture(
        io.BytesIO(sample_png()), width=Mm(10))
    assert document_images(_docx(document)) == 3
