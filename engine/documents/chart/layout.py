"""Label layout for the priority matrix (:mod:`.matrix`), in pixels, origin bottom-left.

Pure geometry, no matplotlib: truncating labels, fanning out points that coincide, and a greedy
placement of labels that keeps them off each other, off the markers and off the divide lines.

Why:
    Kept apart from the drawing so it can be tested on its own and so :mod:`.matrix` stays
    short. Every step is deterministic (ties broken by index), as byte-identical PNGs need.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["Align", "Box", "place_labels", "spread_offsets", "truncate"]

Align = Literal["left", "center", "right"]
Rect = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle in pixels."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlap(self, other: Box) -> float:
        """Area shared with ``other``."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return w * h if w > 0 and h > 0 else 0.0


def truncate(label: str, limit: int = 28) -> str:
    """Collapse whitespace; cut at ``limit`` characters, at a word boundary when one is near,
    without leaving a dangling short word ("de", "et", "la") before the ellipsis.

    >>> truncate("Relances de devis de la semaine par courriel")
    'Relances de devis…'
    >>> truncate("Analyse automatique des motifs des appels clients")
    'Analyse automatique des…'
    >>> truncate("Anticonstitutionnellementissimement long")
    'Anticonstitutionnellementis…'
    >>> truncate("Chatbot  WhatsApp")
    'Chatbot WhatsApp'
    """
    text = " ".join(label.split()) or "(sans titre)"
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.rfind(" ") >= int(limit * 0.6):
        words = cut[: cut.rfind(" ")].split(" ")
        while len(words) > 1 and len(words[-1]) <= 2 and len(" ".join(words[:-1])) >= limit // 2:
            words.pop()
        cut = " ".join(words)
    return cut.rstrip(" ,;:-–/(") + "…"


def spread_offsets(columns: list[str], ys: list[float], gap: float = 0.2) -> list[float]:
    """Horizontal offsets fanning out the points of one column whose ROI (y) nearly coincide."""
    offsets = [0.0] * len(ys)
    for column in dict.fromkeys(columns):  # each column once, in order of appearance
        clusters: list[list[int]] = []
        for i in sorted((i for i, c in enumerate(columns) if c == column), key=lambda i: ys[i]):
            if clusters and ys[i] - ys[clusters[-1][-1]] < gap:
                clusters[-1].append(i)
            else:
                clusters.append([i])
        for cluster in (c for c in clusters if len(c) > 1):
            for k, i in enumerate(cluster):
                offsets[i] = -0.34 + 0.68 * k / (len(cluster) - 1)
    return offsets


def place_labels(
    anchors: list[tuple[float, float]],
    sizes: list[tuple[float, float]],
    frame: Box,
    obstacles: list[Box],
    n_soft: int,
    radius: float,
) -> list[tuple[float, float, Align, bool]]:
    """Greedy placement, top to bottom: each label takes the candidate spot that overlaps least
    other labels, markers and the frame's edge, then the first ``n_soft`` obstacles (quadrant
    titles, by area) and crosses the others (the divide lines, a fixed cost) least; the nearest
    spot wins a tie, and far spots (with a leader line) cost extra.

    Returns per point the text anchor (x, y, horizontal alignment; vertically centred) and
    whether a leader line is needed (the label was pushed away from its point).
    """
    markers = [(x - radius, y - radius, x + radius, y + radius) for x, y in anchors]
    soft = [(r.x0, r.y0, r.x1, r.y1) for r in obstacles[:n_soft]]
    hard = [(r.x0, r.y0, r.x1, r.y1) for r in obstacles[n_soft:]]
    placed: list[Rect] = []
    result: list[tuple[float, float, Align, bool]] = [(0.0, 0.0, "left", False)] * len(anchors)
    gap = radius + 3.0

    def overlaps(x0: float, y0: float, x1: float, y1: float, boxes: Iterable[Rect]) -> list[float]:
        """``Box.overlap`` of (x0, y0, x1, y1) with each of ``boxes``, inlined for speed."""
        areas = []
        for b0, c0, b1, c1 in boxes:
            w = (x1 if x1 < b1 else b1) - (x0 if x0 > b0 else b0)
            h = (y1 if y1 < c1 else c1) - (y0 if y0 > c0 else c0)
            areas.append(w * h if w > 0 and h > 0 else 0.0)
        return areas

    for i in sorted(range(len(anchors)), key=lambda i: (-anchors[i][1], anchors[i][0], i)):
        (ax, ay), (w, h) = anchors[i], sizes[i]
        others = markers[:i] + markers[i + 1 :]
        up = h + 1.0
        sides: tuple[tuple[float, Align], ...] = ((gap, "left"), (-gap, "right"))
        spots = [(dx, dy * up, ha) for dy in (0.0, 0.8, -0.8) for dx, ha in sides]
        spots += [(0.0, radius + up / 2, "center"), (0.0, -radius - up / 2, "center")]
        spots += [(dx * 1.8, dy * up, ha) for dy in (1.8, -1.8, 2.8, -2.8) for dx, ha in sides]
        best, chosen = math.inf, (frame.x0, frame.y0, frame.x1, frame.y1)
        for k, (dx, dy, ha) in enumerate(spots):
            x0 = ax + dx - {"left": 0.0, "right": w, "center": w / 2}[ha]
            x1, y0, y1 = x0 + w, ay + dy - h / 2, ay + dy + h / 2
            inside = overlaps(x0, y0, x1, y1, [(frame.x0, frame.y0, frame.x1, frame.y1)])[0]
            cost = 3.0 * (w * h - inside) + 0.5 * k + (10.0 if k >= 8 else 0.0)
            cost += sum(overlaps(x0, y0, x1, y1, placed))
            cost += sum(overlaps(x0, y0, x1, y1, others))
            cost += 0.3 * sum(overlaps(x0, y0, x1, y1, soft))
            cost += 40.0 * sum(a > 0 for a in overlaps(x0, y0, x1, y1, hard))
            if cost < best:
                best, chosen, result[i] = cost, (x0, y0, x1, y1), (ax + dx, ay + dy, ha, k >= 8)
        placed.append(chosen)
    return result
