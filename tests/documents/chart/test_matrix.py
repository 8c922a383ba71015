"""Priority matrix PNG: format, byte-identical output, empty case, accents, label layout."""

from __future__ import annotations

import doctest
import hashlib
import io
import math
import struct
import warnings
import zlib
from dataclasses import replace
from pathlib import Path

import matplotlib
import pytest
from PIL import Image

from engine.documents.chart import matrix as chart
from engine.documents.chart import png as chart_png
from engine.documents.chart.matrix import MatrixPoint, priority_matrix_png
from engine.documents.context import matrix_labels
from engine.documents.text_keys import load_texts

HOME_OF = ("engine.documents.chart.png",)

ROOT = Path(__file__).resolve().parents[3]
LABELS = matrix_labels(load_texts(ROOT / "rules"))

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

POINTS = [
    MatrixPoint("Chatbot WhatsApp de prise de rendez-vous", 5852.0, "low", "do_first"),
    MatrixPoint("Génération de devis à partir de photos", 830.0, "medium", "do_first"),
    MatrixPoint("Tri et classement automatique des CV", 450.0, "medium", "avoid"),
    MatrixPoint("Analyse des émotions des téléconseillers", -60.0, "high", "avoid"),
    MatrixPoint("Recommandations de produits personnalisées", 35.0, "high", "avoid"),
    MatrixPoint("Prévision de trésorerie", 150.0, "high", "plan_later"),
    MatrixPoint("Posts LinkedIn occasionnels", 40.0, "low", "test_if_time"),
]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunk_types(png: bytes) -> list[bytes]:
    """The chunk types of a PNG file, in order."""
    types, pos = [], len(PNG_SIGNATURE)
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        types.append(png[pos + 4 : pos + 8])
        pos += 12 + length
    return types


def test_doctests_pass() -> None:
    for module in (chart,):
        result = doctest.testmod(module)
        assert result.attempted > 0
        assert result.failed == 0


def test_png_signature_size_and_no_metadata() -> None:
    png = priority_matrix_png(POINTS, LABELS)
    assert png.startswith(PNG_SIGNATURE)
    types = chunk_types(png)
    assert set(types) == {b"IHDR", b"pHYs", b"IDAT", b"IEND"}  # no tEXt: no Software, no date
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (944, 531)  # 16 x 9 cm at 150 dpi
        assert image.mode == "RGB"
        assert round(image.info["dpi"][0]) == 150


def test_identical_input_gives_identical_bytes() -> None:
    first = priority_matrix_png(POINTS, LABELS)
    second = priority_matrix_png(list(POINTS), LABELS)
    assert sha(first) == sha(second)


def test_cache_hit_and_miss_give_identical_bytes() -> None:
    warm = priority_matrix_png(POINTS, replace(LABELS, title="Matrice ROI / complexité — test"))
    chart._static_layer.cache_clear()
    cold = priority_matrix_png(POINTS, replace(LABELS, title="Matrice ROI / complexité — test"))
    assert sha(warm) == sha(cold)


def test_global_rcparams_do_not_leak_in() -> None:
    reference = priority_matrix_png(POINTS[:3], LABELS)
    chart._static_layer.cache_clear()
    with matplotlib.rc_context(
        {"font.size": 30, "axes.facecolor": "black", "lines.markersize": 40}
    ):
        assert sha(priority_matrix_png(POINTS[:3], LABELS)) == sha(reference)
    assert matplotlib.rcParams["font.size"] != 30  # our own rc_context restored the state


def test_different_inputs_give_different_images() -> None:
    base = priority_matrix_png(POINTS, LABELS)
    assert sha(priority_matrix_png(POINTS[:-1], LABELS)) != sha(base)
    assert sha(priority_matrix_png(POINTS, LABELS, high_roi_threshold=200.0)) != sha(base)
    assert sha(priority_matrix_png(POINTS, replace(LABELS, title="Autre titre"))) != sha(base)


def test_empty_points_draw_the_bare_matrix() -> None:
    empty = priority_matrix_png([], LABELS)
    assert empty.startswith(PNG_SIGNATURE)
    assert sha(empty) == sha(priority_matrix_png((), LABELS))
    assert sha(empty) != sha(priority_matrix_png(POINTS[:1], LABELS))
    with Image.open(io.BytesIO(empty)) as image:
        assert image.size == (944, 531)


def test_accents_and_typographic_characters_render_without_warnings() -> None:
    points = [
        MatrixPoint("Élevée : œuvre, été, ça, à, ô, ï, ù", 120.0, "high", "plan_later"),
        MatrixPoint("Devis à 1 500 € — l’été", 2500.0, "low", "do_first"),
        MatrixPoint("Prix en $ et 50 % de gain", 20.0, "low", "test_if_time"),  # no mathtext
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning
        labels = replace(LABELS, title="Matrice ROI / complexité — Cosméa")
        png = priority_matrix_png(points, labels)
    assert png.startswith(PNG_SIGNATURE)


def test_glyphs_missing_from_the_font_are_dropped_silently() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        point = MatrixPoint("Chatbot 🤖 漢字", 300.0, "low", "do_first")
        png = priority_matrix_png([point], LABELS)
    assert png.startswith(PNG_SIGNATURE)


def test_extreme_roi_values_are_clipped_not_refused() -> None:
    points = [
        MatrixPoint("Énorme", 1e9, "low", "do_first"),
        MatrixPoint("Perte", -500.0, "high", "avoid"),
        MatrixPoint("Pile au seuil", 100.0, "medium", "do_first"),
    ]
    assert priority_matrix_png(points, LABELS).startswith(PNG_SIGNATURE)


def test_many_coinciding_points() -> None:
    points = [MatrixPoint(f"Cas d’usage numéro {i}", 400.0, "low", "do_first") for i in range(12)]
    assert priority_matrix_png(points, LABELS).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"label": "", "roi_percent": 1.0, "complexity": "low", "priority": "avoid"}, ValueError),
        (
            {"label": "x", "roi_percent": math.nan, "complexity": "low", "priority": "avoid"},
            ValueError,
        ),
        (
            {"label": "x", "roi_percent": math.inf, "complexity": "low", "priority": "avoid"},
            ValueError,
        ),
        ({"label": "x", "roi_percent": True, "complexity": "low", "priority": "avoid"}, TypeError),
        (
            {"label": "x", "roi_percent": 1.0, "complexity": "faible", "priority": "avoid"},
            ValueError,
        ),
        ({"label": "x", "roi_percent": 1.0, "complexity": "low", "priority": "urgent"}, ValueError),
    ],
)
def test_matrix_point_validation(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        MatrixPoint(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("threshold", [math.nan, math.inf, -100.0, -250.0, 20000.0])
def test_bad_threshold_is_refused(threshold: float) -> None:
    with pytest.raises(ValueError, match="high_roi_threshold"):
        priority_matrix_png(POINTS, LABELS, high_roi_threshold=threshold)


def test_non_points_are_refused() -> None:
    with pytest.raises(TypeError):
        priority_matrix_png([("label", 10.0, "low", "avoid")], LABELS)  # type: ignore[list-item]


def test_png_stream_is_valid_and_matches_the_pixels() -> None:
    """Bands reused from the cached background must decode to the drawn pixels (adler32 too)."""
    png = priority_matrix_png(POINTS, LABELS)
    pos, idat = len(PNG_SIGNATURE), b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        if png[pos + 4 : pos + 8] == b"IDAT":
            idat += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    rows = zlib.decompress(idat)  # checks the combined adler32
    width, height = 944, 531
    assert len(rows) == height * (3 * width + 1)
    assert all(rows[i * (3 * width + 1)] == 0 for i in range(height))  # filter "none"
    stride = 3 * width + 1
    stride = 3 * width + 1
    pixels = b"".join(rows[i * stride + 1 : (i + 1) * stride] for i in range(height))
    with Image.open(io.BytesIO(png)) as image:
        assert image.tobytes() == pixels
    background = priority_matrix_png([], LABELS)
    assert sha(png) != sha(background)


def test_adler32_combine_matches_zlib() -> None:
    a, b = b"static layer rows" * 100, b"\x00\xff" * 777
    combined = chart_png.adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b))
    assert combined == zlib.adler32(a + b)
