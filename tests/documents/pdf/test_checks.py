"""engine.documents.pdf.checks: inputs refused before LibreOffice, PDFs checked, clock stamps
replaced (no LibreOffice needed)."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

from engine.documents.pdf.checks import document_issue, is_pdf, read_document, stable

DAY = datetime.date(2026, 11, 26)


def _pdf(clock: str, ident: str) -> bytes:
    """The shape of LibreOffice's trailer marks, with a clock and an id of its own."""
    return (b"%PDF-1.6\n1 0 obj <</CreationDate(D:" + clock.encode() + b"+01'00')>>\n"
            b"/DocChecksum /" + ident.encode() + b"\ntrailer <</ID [ <" + ident.encode()
            + b"> <" + ident.encode() + b"> ]>>\n%%EOF\n")


def test_two_conversions_at_different_times_give_the_same_bytes() -> None:
    first = stable(_pdf("20261202031501", "A" * 32), DAY)
    second = stable(_pdf("20261203101010", "B" * 32), DAY)
    assert first == second
    assert len(first) == len(_pdf("20261202031501", "A" * 32))  # offsets stay valid
    assert b"/CreationDate(D:20261126000000Z')" in first
    assert b"A" * 32 not in first


def test_left_alone_without_a_date_or_when_a_mark_is_not_found_once() -> None:
    pdf = _pdf("20261202031501", "A" * 32)
    assert stable(pdf, None) == pdf
    assert stable(pdf + pdf, DAY) == pdf + pdf


def test_a_pdf_is_checked_at_both_ends(tmp_path: Path) -> None:
    good, cut, missing = tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf"
    good.write_bytes(_pdf("20261202031501", "A" * 32))
    cut.write_bytes(_pdf("20261202031501", "A" * 32)[:40])
    assert is_pdf(good)
    assert not is_pdf(cut)
    assert not is_pdf(missing)


def test_only_a_word_document_is_given_to_libreoffice(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert document_issue("a.docx", buffer.getvalue()) is None
    issue = document_issue("b.docx", b"PK\x03\x04 garbage")
    assert issue is not None
    assert "not a valid Word" in issue.message
    missing = document_issue("c.docx", read_document(tmp_path / "c.docx"))
    assert missing is not None
    assert "not found" in missing.message
