"""A small PNG writer for the priority-matrix chart: unfiltered rows, zlib level 1, bands.

Kept apart from :mod:`.matrix` (what is drawn) because it is about bytes: the chart's static
layer is deflated once, band by band, and each chart reuses every band its points do not touch.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from PIL import Image

_BAND_ROWS = 32  # rows per independently deflated band of the PNG stream
_ADLER_BASE = 65521


@dataclass(frozen=True, slots=True)
class Layer:
    """The static layer's RGB pixels, and its PNG stream deflated band by band."""

    size: tuple[int, int]
    rgb: bytes
    bands: tuple[tuple[bytes, int, int], ...]  # (raw deflate segment, adler32, length)


def _band(rgb: bytes, stride: int) -> tuple[bytes, int, int]:
    """One band of unfiltered rows (filter byte 0), deflated at level 1 and fully flushed.

    A full flush ends byte-aligned with no reference to earlier data, so segments made
    separately concatenate into one valid deflate stream (as pigz does).
    """
    rows = b"".join(b"\0" + rgb[i : i + stride] for i in range(0, len(rgb), stride))
    deflate = zlib.compressobj(1, zlib.DEFLATED, -15)
    segment = deflate.compress(rows) + deflate.flush(zlib.Z_FULL_FLUSH)
    return segment, zlib.adler32(rows), len(rows)


def bands(rgb: bytes, stride: int) -> list[tuple[bytes, int, int]]:
    step = stride * _BAND_ROWS
    return [_band(rgb[i : i + step], stride) for i in range(0, len(rgb), step)]


def adler32_combine(first: int, second: int, second_length: int) -> int:
    """zlib's ``adler32_combine``: the checksum of A + B from those of A and B."""
    rem = second_length % _ADLER_BASE
    sum1 = first & 0xFFFF
    sum2 = (rem * sum1) % _ADLER_BASE
    sum1 += (second & 0xFFFF) + _ADLER_BASE - 1
    sum2 += (first >> 16) + (second >> 16) + _ADLER_BASE - rem
    return ((sum2 % _ADLER_BASE) << 16) | (sum1 % _ADLER_BASE)


def encode_png(image: Image.Image, layer: Layer, dpi: float) -> bytes:
    """PNG of an RGB image: unfiltered rows, zlib level 1; only IHDR, pHYs, IDAT, IEND.

    Why:
        Pillow's encoder (adaptive filtering, level 6) took about 14 ms per chart; a chart of
        flat colours compresses well without filters. Bands identical to the static layer's
        reuse its segments, so only the rows holding points are compressed per chart. The
        bytes depend on the pixels only: cache hits and misses give the same file.
    """
    width, height = image.size
    raw, stride = image.tobytes(), 3 * width
    step = stride * _BAND_ROWS
    segments, adler = [b"\x78\x01"], 1  # zlib header: deflate, 32 KiB window, fastest
    for k, i in enumerate(range(0, len(raw), step)):
        same = raw[i : i + step] == layer.rgb[i : i + step]
        segment, band_adler, length = layer.bands[k] if same else _band(raw[i : i + step], stride)
        segments.append(segment)
        adler = adler32_combine(adler, band_adler, length)
    segments += [b"\x03\x00", struct.pack(">I", adler)]  # empty final block, checksum
    ppm = int(dpi / 0.0254 + 0.5)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)),
            chunk(b"IDAT", b"".join(segments)),
            chunk(b"IEND", b""),
        )
    )
