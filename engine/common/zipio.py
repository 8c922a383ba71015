"""Deterministic zip archives: fixed dates, attributes and entry order.

Why:
    ``zipfile`` stamps the current time and the platform into every entry, so two saves of the
    same content differ. Documents (.docx) and workbooks (.xlsx) are zip archives; written
    through here, equal content gives equal bytes (SPEC §3).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The date of every entry (the earliest a zip can hold)."""


def entry(name: str, *, stored: bool = False, mode: int = 0) -> zipfile.ZipInfo:
    """A ``ZipInfo`` with the fixed date, a fixed system, and ``mode`` as Unix permissions."""
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.create_system = 0  # the default depends on the platform: fix it
    info.external_attr = mode << 16 if mode else 0
    return info


def build_zip(entries: Iterable[tuple[str, bytes]], *, level: int = 6, mode: int = 0) -> bytes:
    """A zip of ``entries`` in the given order, deflated at ``level``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(entry(name, mode=mode), data, compresslevel=level)
    return buffer.getvalue()


def normalise_zip(data: bytes, *, mode: int = 0o644) -> bytes:
    """``data`` rewritten with fixed dates and attributes (the entries' order is kept)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return build_zip(((info.filename, source.read(info.filename))
                          for info in source.infolist()), level=-1, mode=mode)
