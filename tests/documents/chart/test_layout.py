"""Label layout of the priority matrix: truncation, fanned-out points, non-overlapping labels."""

from __future__ import annotations

import doctest

import pytest

from engine.documents.chart import layout as chart_layout
from engine.documents.chart.layout import Box, place_labels, spread_offsets, truncate


def test_doctests_pass() -> None:
    result = doctest.testmod(chart_layout)
    assert result.attempted > 0
    assert result.failed == 0


def test_truncate_keeps_accented_words_whole() -> None:
    assert truncate("Génération de devis à partir de photos") == "Génération de devis…"
    assert truncate("Analyse automatique des émotions des téléconseillers") == (
        "Analyse automatique des…")


def test_truncate() -> None:
    assert truncate("Chatbot de prise de rendez-vous") == "Chatbot de prise…"
    assert truncate("Court") == "Court"
    assert len(truncate("x" * 80)) == 28
    assert truncate("   ") == "(sans titre)"


def test_spread_offsets_fan_out_only_coinciding_points() -> None:
    offsets = spread_offsets(["low", "low", "low", "high"], [1.0, 1.05, 2.0, 1.0])
    assert offsets[0] == pytest.approx(-0.34)
    assert offsets[1] == pytest.approx(0.34)
    assert offsets[2] == 0.0
    assert offsets[3] == 0.0


def test_place_labels_avoids_overlaps_when_there_is_room() -> None:
    frame = Box(0, 0, 900, 500)
    anchors = [(300.0, 250.0), (300.0, 262.0), (300.0, 238.0), (320.0, 250.0)]
    sizes = [(120.0, 14.0)] * len(anchors)
    places = place_labels(anchors, sizes, frame, [], 0, 4.0)
    boxes = []
    for (x, y, ha, _leader), (w, h) in zip(places, sizes, strict=True):
        x0 = x if ha == "left" else x - w if ha == "right" else x - w / 2
        boxes.append(Box(x0, y - h / 2, x0 + w, y + h / 2))
    for i, a in enumerate(boxes):
        assert frame.overlap(a) == pytest.approx(120.0 * 14.0)  # inside the frame
        for b in boxes[i + 1 :]:
            assert a.overlap(b) == 0.0


def test_place_labels_is_deterministic() -> None:
    anchors = [(100.0 + 7 * i, 200.0 + (i % 3) * 5) for i in range(10)]
    sizes = [(90.0, 14.0)] * 10
    frame = Box(0, 0, 600, 400)
    first = place_labels(anchors, sizes, frame, [], 0, 4.0)
    assert place_labels(anchors, sizes, frame, [], 0, 4.0) == first
