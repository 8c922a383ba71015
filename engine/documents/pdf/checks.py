"""What every PDF path shares: the inputs checked before LibreOffice sees them, every PDF
checked before it is used, and the clock stamps replaced so PDFs are byte-identical.

LibreOffice returns 0 even when it lost a PDF or converted a garbage input (dependencies.md,
"LibreOffice 7.4.7"), so neither its exit code nor its replies are trusted.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from pathlib import Path

from engine.common.files import read_regular
from engine.common.zipio import ZipLimits, ZipRefusedError, read_zip
from engine.errors import Issue, Location

# What differs between two conversions of the same file (LibreOffice 7.4): the clock, the
# document /ID and LibreOffice's own /DocChecksum (both derived from the clock).
_CREATION_DATE = re.compile(rb"/CreationDate\(D:\d{14}[^)]{0,8}\)")
_DOCUMENT_ID = re.compile(rb"/ID \[ ?<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})> ?\]")
_DOC_CHECKSUM = re.compile(rb"/DocChecksum /([0-9A-Fa-f]{32})")
DOCUMENT_LIMITS = ZipLimits(entries=2000, entry_bytes=128 * 2**20, total_bytes=256 * 2**20)
"""What a .docx given to LibreOffice may hold (ours stay far below; a hand-placed bomb not)."""


def document_issue(name: str, data: bytes | None) -> Issue | None:
    """Why ``data`` is not a .docx LibreOffice should be given (None: it is one)."""
    if data is None:
        return Issue(Location(name), "file not found; not converted")
    try:
        entries = read_zip(data, DOCUMENT_LIMITS)
    except ZipRefusedError:
        entries = {}
    if "word/document.xml" not in entries:
        return Issue(Location(name), "is not a valid Word .docx file; not converted")
    return None


def read_document(path: Path) -> bytes | None:
    """A .docx's bytes (None: missing; empty: unreadable, refused by :func:`document_issue`)."""
    try:
        return read_regular(path, DOCUMENT_LIMITS.total_bytes, follow_links=True)
    except FileNotFoundError:
        return None
    except OSError:
        return b""


def is_pdf(path: Path) -> bool:
    """``path`` is a complete PDF file (``%PDF-`` header, ``%%EOF`` trailer)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
            handle.seek(max(0, path.stat().st_size - 1024))
            tail = handle.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def stable(pdf: bytes, created: datetime.date | None) -> bytes:
    """``pdf`` with a fixed creation date, and /ID and /DocChecksum derived from its content.

    Both keep their byte length, so the cross-reference offsets stay valid. The PDF is left
    unchanged when ``created`` is None or the markers are not found exactly once.
    """
    dates = list(_CREATION_DATE.finditer(pdf))
    if created is None or len(dates) != 1 or len(_DOCUMENT_ID.findall(pdf)) != 1:
        return pdf
    old = dates[0]
    stamp = b"/CreationDate(D:" + created.strftime("%Y%m%d").encode() + b"000000Z')"
    if len(stamp) > len(old.group(0)):
        return pdf
    pdf = pdf[: old.start()] + stamp.ljust(len(old.group(0))) + pdf[old.end() :]
    content = _DOC_CHECKSUM.sub(b"", _DOCUMENT_ID.sub(b"", pdf))
    ident = hashlib.md5(content, usedforsecurity=False).hexdigest().upper().encode()

    def same_length(match: re.Match[bytes]) -> bytes:
        out = match.group(0)
        for group in range(1, (match.re.groups or 0) + 1):
            out = out.replace(match.group(group), ident)
        return out

    return _DOC_CHECKSUM.sub(same_length, _DOCUMENT_ID.sub(same_length, pdf))
