"""Zip archives: deterministic when we write them, bounded when we read them.

Why:
    ``zipfile`` stamps the current time and the platform into every entry, so two saves of the
    same content differ. Documents (.docx) and workbooks (.xlsx) are zip archives; written
    through here, equal content gives equal bytes (SPEC §3). A template is a zip someone
    else made: a 1.6 MB file may inflate to gigabytes, so :func:`read_zip` checks the declared
    sizes and ratios before it inflates anything (:class:`ZipLimits`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class ZipLimits:
    """What an archive given to us (a template, a document to convert) may hold.

    Sizes are the uncompressed ones; ``ratio`` applies to entries over ``ratio_from`` bytes
    (a few kilobytes of XML legitimately compress a lot; a "zip bomb" does not stop there).
    """

    entries: int = 1000
    entry_bytes: int = 32 * 2**20
    total_bytes: int = 64 * 2**20
    ratio: int = 100
    ratio_from: int = 2**20


class ZipRefusedError(ValueError):
    """An archive over a :class:`ZipLimits`, damaged, or ambiguous; the message says which."""


def read_zip(source: bytes | Path, limits: ZipLimits = ZipLimits()) -> dict[str, bytes]:
    """Every entry of a zip archive, read within ``limits``; nothing is inflated before the
    declared sizes are checked, and no entry inflates beyond its declared size.

    Raises:
        ZipRefusedError: not a zip archive, damaged (bad CRC), encrypted, duplicate names, or over
            a limit (the message names the entry and the limit).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) \
                as archive:
            infos = archive.infolist()
            _check_directory(infos, limits)
            entries = {}
            for info in infos:
                with archive.open(info) as stream:
                    entries[info.filename] = stream.read(info.file_size + 1)
                if len(entries[info.filename]) != info.file_size:
                    raise ZipRefusedError(f"the entry {info.filename} is damaged (wrong size)")
            return entries
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError,
            RuntimeError) as exc:
        raise ZipRefusedError(f"damaged zip archive ({exc})") from None


def _check_directory(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(infos) > limits.entries:
        raise ZipRefusedError(f"it holds {len(infos):,} entries; the limit is "
                              f"{limits.entries:,}")
    names: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if name in names:
            raise ZipRefusedError(f"the entry {name} appears twice")
        names.add(name)
        if info.flag_bits & 0x1:
            raise ZipRefusedError(f"the entry {name} is encrypted")
        if info.file_size > limits.entry_bytes:
            raise ZipRefusedError(f"the entry {name} inflates to {info.file_size:,} bytes; the "
                                  f"limit is {limits.entry_bytes:,}")
        if info.file_size > limits.ratio_from and \
                info.file_size > limits.ratio * max(info.compress_size, 1):
            times = info.file_size // max(info.compress_size, 1)
            raise ZipRefusedError(f"the entry {name} inflates {times:,} times its stored size "
                                  f"(a zip bomb?); the limit is {limits.ratio}")
        total += info.file_size
        if total > limits.total_bytes:
            raise ZipRefusedError(f"its entries inflate to more than {limits.total_bytes:,} "
                                  "bytes in all (the limit)")
