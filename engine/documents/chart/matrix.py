"""The guide's ROI / complexity priority matrix (guide 5.2) drawn as a PNG for the audit report.

x: complexity (low, medium, high; "medium" sits mid-axis but on the *low* side of the divide,
as in the guide's two-column matrix). y: estimated ROI in percent, linear from −100 % to 100 %,
logarithmic above, clipped to [−100 %, 10 000 %] (clipped points are triangles). The line at
``high_roi_threshold`` splits high ROI from low ROI. A point is coloured by the priority the
engine gave it, which may differ from its quadrant (a legal blocker turns a quick win into
"avoid"); a footnote then says so. A use case its decision blocks (to stop, regularise, fix or
complete) is drawn as a grey square, with a footnote: its place holds only once it is
unblocked. Every word drawn comes from :class:`MatrixLabels` (the report's ``chart`` texts in
``rules/texts/report.yaml``).

Why:
    Same inputs must give byte-identical files (SPEC §3): object API only (``Figure`` on an Agg
    canvas, no pyplot); matplotlib's default style inside ``rc_context`` (no user matplotlibrc);
    the DejaVu Sans files shipped with matplotlib, by path; a fixed layout; a deterministic label
    placement; a PNG written here without text chunks (no ``Software``, no date).
    Speed: text dominates matplotlib's drawing time, so the static layer (quadrants, axes,
    titles) is drawn once per distinct layout and cached as pixels, with its PNG stream already
    deflated band by band; each call draws its markers, leader lines and labels with Pillow
    (same DejaVu Sans, antialiased; markers and lines supersampled) on a copy, and deflates
    only the bands that changed (about 6 ms against 45 ms with matplotlib and Pillow's PNG
    encoder). Every call takes that path, so cache hits and misses give the same bytes.
    ``rc_context`` touches global state: one thread at a time (the batch uses processes).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, get_font
from matplotlib.text import Text
from PIL import Image, ImageDraw, ImageFont

from engine.documents.chart.layout import Box, place_labels, spread_offsets, truncate
from engine.documents.chart.png import Layer, bands, encode_png
from engine.documents.formatting import percent_fr

__all__ = ["Complexity", "MatrixLabels", "MatrixPoint", "Priority", "priority_matrix_png"]

Complexity = Literal["low", "medium", "high"]
Priority = Literal["do_first", "plan_later", "test_if_time", "avoid"]

_COMPLEXITY_X = {"low": 0.5, "medium": 1.5, "high": 2.5}
_DIVIDE_X, _X_MAX = 2.0, 3.0  # low and medium form the guide's "faible" column
_LINEAR_LIMIT = 100.0  # ROI % up to which the y axis is linear
_BAND = 0.42  # y units kept free above and below the data for the quadrant titles
_QUADRANTS: tuple[tuple[Priority, bool, bool, str, str], ...] = (
    # priority, upper half, right column, point colour, tint
    ("do_first", True, False, "#2e7d32", "#e5f3e6"),
    ("plan_later", True, True, "#c47f00", "#fdf1d8"),
    ("test_if_time", False, False, "#54718f", "#e7edf3"),
    ("avoid", False, True, "#c62828", "#fbe4e4"),
)
_COLOUR = {q[0]: q[3] for q in _QUADRANTS}
_BLOCKED_COLOUR = "#6b6b6b"
_SIZE_IN, _DPI = (16 / 2.54, 9 / 2.54), 150
_PX_PER_PT = _DPI / 72
_MARKER_PX, _MARKER_EDGE_PX = 5.5 * _PX_PER_PT, 0.7 * _PX_PER_PT  # matplotlib's ms=5.5, mew=0.7
_LEADER_PX, _LEADER_COLOUR = 0.5 * _PX_PER_PT, "#8a8a8a"
_LABEL_PT, _LABEL_COLOUR = 6.5, "#1f1f1f"
_NOTE_XY, _NOTE_LINE_PX = (0.01, 0.012), 15.0  # figure fraction of the last baseline; step
_SUPERSAMPLE = 4  # markers and leader lines are drawn 4x larger, then box-filtered down
_TEXT_SUPERSAMPLE = 2  # text likewise at 2x: no uneven hinted spacing, a quarter of 4x's cost
_AXES_RECT = (0.125, 0.16, 0.855, 0.72)  # left, bottom, width, height (figure fraction)
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True, slots=True)
class MatrixLabels:
    """Every word the matrix draws: title, quadrant titles, ticks, axes, notes.

    Hashable, so the static layer drawn with them is cached per set of labels.
    """

    title: str
    do_first: str       # the four quadrant titles, by priority
    plan_later: str
    test_if_time: str
    avoid: str
    low: str            # the three complexity ticks
    medium: str
    high: str
    x_axis: str
    y_axis: str
    empty: str          # shown when no use case is costed
    scale_note: str     # always printed under the chart
    clipped_note: str   # added when a point is off the scale
    colour_note: str    # added when a point's colour differs from its quadrant
    blocked_note: str = ""  # added when a point is blocked by its decision

    def quadrant(self, priority: Priority) -> str:
        return str(getattr(self, priority))


@dataclass(frozen=True, slots=True)
class MatrixPoint:
    """One costed use case on the matrix."""

    label: str
    roi_percent: float
    complexity: Complexity
    priority: Priority
    blocked: bool = False  # its decision blocks it: drawn as a grey square

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValueError("MatrixPoint.label must be a non-empty string")
        if isinstance(self.roi_percent, bool) or not isinstance(self.roi_percent, int | float):
            raise TypeError(f"MatrixPoint.roi_percent must be a number: {self.roi_percent!r}")
        if not math.isfinite(self.roi_percent):
            raise ValueError(f"MatrixPoint.roi_percent must be finite: {self.roi_percent!r}")
        if self.complexity not in _COMPLEXITY_X:
            raise ValueError(f"MatrixPoint.complexity must be one of {sorted(_COMPLEXITY_X)}")
        if self.priority not in _COLOUR:
            raise ValueError(f"MatrixPoint.priority must be one of {sorted(_COLOUR)}")


def priority_matrix_png(
    points: Sequence[MatrixPoint],
    labels: MatrixLabels,
    *,
    high_roi_threshold: float = 100.0,
) -> bytes:
    """Draw the priority matrix; return PNG bytes (16 × 9 cm at 150 dpi, 944 × 531 px, RGB).

    ``high_roi_threshold`` (ROI in percent, in ]−100, 10 000]) is where high ROI begins; a
    point exactly on it is high. Identical arguments give identical bytes. An empty ``points``
    gives the bare matrix with ``labels.empty``.
    """
    if not -_LINEAR_LIMIT < high_roi_threshold <= 100 * _LINEAR_LIMIT:  # NaN fails too
        raise ValueError(f"high_roi_threshold must be in ]-100, 10000]: {high_roi_threshold!r}")
    pts = tuple(points)
    for point in pts:
        if not isinstance(point, MatrixPoint):
            raise TypeError(f"expected MatrixPoint, got {type(point).__name__}")
    return _matrix_png(pts, labels, float(high_roi_threshold))


@functools.lru_cache(maxsize=64)  # clients with the same costed use cases share their chart
def _matrix_png(pts: tuple[MatrixPoint, ...], labels: MatrixLabels, high_roi_threshold: float
                ) -> bytes:
    data_top = 3.0 if any(p.roi_percent > 10 * _LINEAR_LIMIT for p in pts) else 2.0
    data_top = max(data_top, _roi_to_y(high_roi_threshold) + 0.5)
    note = labels.scale_note
    if any(not -_LINEAR_LIMIT <= p.roi_percent <= 100 * _LINEAR_LIMIT for p in pts):
        note += " " + labels.clipped_note
    if any(_quadrant(p, high_roi_threshold) != p.priority for p in pts if not p.blocked):
        note += "\n" + labels.colour_note
    if labels.blocked_note and any(p.blocked for p in pts):
        note += "\n" + labels.blocked_note
    layer = _static_layer(labels, float(high_roi_threshold), data_top, not pts)
    image = Image.frombytes("RGB", layer.size, layer.rgb)
    _draw_note(image, note)  # with Pillow: 4 notes would otherwise mean 4 static layers
    if pts:
        _draw_points(image, list(pts), (-1.0 - _BAND, data_top + _BAND),
                     _roi_to_y(high_roi_threshold))
    return encode_png(image, layer, _DPI)


def _roi_to_y(roi: float) -> float:
    """Clip to [−100 %, 10 000 %]; linear up to 100 % (1 unit per 100 %), then 1 per decade."""
    roi = min(max(roi, -_LINEAR_LIMIT), 100 * _LINEAR_LIMIT)
    return roi / _LINEAR_LIMIT if roi <= _LINEAR_LIMIT else 1.0 + math.log10(roi / _LINEAR_LIMIT)


def _quadrant(point: MatrixPoint, threshold: float) -> str:
    upper, right = point.roi_percent >= threshold, point.complexity == "high"
    return next(q[0] for q in _QUADRANTS if (q[1], q[2]) == (upper, right))


def _text(target: Figure | Axes, x: float, y: float, s: str, size: float, **style: Any) -> Text:
    """``target.text`` in bundled DejaVu Sans (``bold=True`` for bold); ``$`` is not mathtext."""
    font = _font(size, style.pop("bold", False))
    style.setdefault("color", "#1f1f1f")
    return target.text(x, y, s, fontproperties=font, parse_math=False, **style)


@functools.lru_cache(maxsize=64)
def _font(size: float, bold: bool = False) -> FontProperties:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return FontProperties(fname=_FONT_DIR / name, size=size)


def _drawable(text: str, bold: bool = False) -> str:
    """Drop characters DejaVu Sans has no glyph for (emoji, CJK): no tofu boxes, no warnings.

    >>> _drawable("Chatbot 🤖 Ω €")
    'Chatbot  Ω €'
    """
    face = get_font(_FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"))
    return "".join(c for c in text if c.isspace() or face.get_char_index(ord(c)))


def _layer(fig: Figure) -> Layer:
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()  # type: ignore[no-untyped-call]
    size = canvas.get_width_height()
    buffer = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    rgb = Image.frombuffer("RGBA", size, buffer).convert("RGB").tobytes()
    return Layer(size, rgb, tuple(bands(rgb, 3 * size[0])))


@functools.lru_cache(maxsize=16)
def _static_layer(labels: MatrixLabels, threshold: float, data_top: float, empty: bool) -> Layer:
    """Quadrants, axes, ticks and titles, as RGB pixels (opaque white figure)."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        y_lo, y_hi = -1.0 - _BAND, data_top + _BAND
        fig = Figure(figsize=_SIZE_IN, dpi=_DPI, facecolor="white")
        FigureCanvasAgg(fig)
        ax = fig.add_axes(_AXES_RECT, xlim=(0.0, _X_MAX), ylim=(y_lo, y_hi))
        y_thr = _roi_to_y(threshold)
        for priority, upper, right, colour, tint in _QUADRANTS:
            x0, x1 = (_DIVIDE_X, _X_MAX) if right else (0.0, _DIVIDE_X)
            b0, b1 = (y_thr, y_hi) if upper else (y_lo, y_thr)
            ax.fill_between([x0, x1], b0, b1, facecolor=tint, edgecolor="none", zorder=0)
            y_text, va = (y_hi - 0.06, "top") if upper else (y_lo + 0.06, "bottom")
            _text(ax, x0 + 0.04, y_text, labels.quadrant(priority), 7.5, bold=True, color=colour,
                  va=va)
        ax.axhline(y_thr, color="#6b6b6b", linewidth=0.9, zorder=1)
        ax.axvline(_DIVIDE_X, color="#6b6b6b", linewidth=0.9, zorder=1)
        tick_font = _font(7.0)
        ax.set_xticks(
            list(_COMPLEXITY_X.values()),
            [labels.low, labels.medium, labels.high],
            fontproperties=tick_font,
            va="baseline",
        )  # baseline: a capital with an accent must not lift its word
        ticks = sorted({-100.0, 0.0, 100.0, 1000.0, threshold} | ({1e4} if data_top > 2 else set()))
        ax.set_yticks(
            [_roi_to_y(t) for t in ticks], [percent_fr(t) for t in ticks], fontproperties=tick_font
        )
        ax.tick_params(length=2.5, width=0.6, pad=2, colors="#333333")
        ax.tick_params(axis="x", pad=8)
        ax.grid(axis="y", color="white", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlabel(labels.x_axis, fontproperties=tick_font, labelpad=2)
        ax.set_ylabel(labels.y_axis, fontproperties=tick_font, labelpad=2)
        _text(
            fig,
            _AXES_RECT[0],
            0.955,
            _drawable(labels.title, bold=True),
            10.0,
            bold=True,
            va="top",
            color="#222222",
        )
        if empty:
            box = {"boxstyle": "round,pad=0.5", "facecolor": "white", "edgecolor": "#999"}
            middle = (_X_MAX / 2, (y_lo + y_hi) / 2)
            _text(ax, *middle, labels.empty, 11.0, ha="center", va="center", bbox=box, zorder=5)
        return _layer(fig)


@functools.cache
def _pil_font(size_pt: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_FONT_DIR / "DejaVuSans.ttf"), size_pt * _PX_PER_PT)


def _draw_note(image: Image.Image, note: str) -> None:
    """The footnote, bottom left, last baseline where matplotlib put it (5.5 pt, grey)."""
    top, strip = _note_strip(note, image.size)
    image.paste(strip, (0, top))


@functools.lru_cache(maxsize=8)
def _note_strip(note: str, size: tuple[int, int]) -> tuple[int, Image.Image]:
    """The rows holding the note, drawn once on white (the figure is white there)."""
    width, height = size
    lines = note.split("\n")
    baseline = height * (1 - _NOTE_XY[1])
    ascent = _pil_font(5.5 * _TEXT_SUPERSAMPLE).getmetrics()[0] / _TEXT_SUPERSAMPLE
    top = math.floor(baseline - _NOTE_LINE_PX * (len(lines) - 1) - ascent) - 2
    strip = Image.new("RGB", (width, height - top), "white")
    for k, line in enumerate(lines):
        y = baseline - top - _NOTE_LINE_PX * (len(lines) - 1 - k)
        _smooth_text(strip, (width * _NOTE_XY[0], y), line, 5.5, "#555555", "ls")
    return top, strip


def _smooth_text(
    image: Image.Image, xy: tuple[float, float], text: str, size_pt: float, colour: str, anchor: str
) -> None:
    """Text drawn 2x larger and box-filtered down: unhinted, evenly spaced glyphs at any
    fractional position, as matplotlib's Agg text (Pillow's hinted small sizes look uneven)."""
    font = _pil_font(size_pt * _TEXT_SUPERSAMPLE)
    left, top, right, bottom = font.getbbox(text, anchor=anchor)
    x, y = xy
    k = _TEXT_SUPERSAMPLE
    box = (x + left / k, y + top / k, x + right / k, y + bottom / k)
    _smooth(image, box, colour,
            lambda d, f: d.text(f(x, y), text, font=font, fill=255, anchor=anchor),
            _TEXT_SUPERSAMPLE)  # fmt: skip


def _draw_points(
    image: Image.Image,
    points: list[MatrixPoint],
    y_range: tuple[float, float],
    threshold_y_data: float,
) -> None:
    """Markers, leader lines and labels drawn with Pillow straight onto the static layer.

    Why:
        Text made most of matplotlib's per-chart time; Pillow draws the same DejaVu Sans
        glyphs (FreeType, antialiased) in a fraction of it. Positions are computed in figure
        pixels (origin bottom-left) exactly as the static layer's axes map data, then flipped.
    """
    width, height = image.size
    left, bottom, ax_w, ax_h = _AXES_RECT
    frame = Box(left * width, bottom * height, (left + ax_w) * width, (bottom + ax_h) * height)
    y_lo, y_span = y_range[0], y_range[1] - y_range[0]

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (
            frame.x0 + (frame.x1 - frame.x0) * x / _X_MAX,
            frame.y0 + (frame.y1 - frame.y0) * (y - y_lo) / y_span,
        )

    font = _pil_font(_LABEL_PT * _TEXT_SUPERSAMPLE)
    ascent, descent = (m / _TEXT_SUPERSAMPLE for m in font.getmetrics())
    ys = [_roi_to_y(p.roi_percent) for p in points]
    offsets = spread_offsets([p.complexity for p in points], ys)
    anchors = [
        to_px(_COMPLEXITY_X[p.complexity] + dx, y)
        for p, dx, y in zip(points, offsets, ys, strict=True)
    ]
    labels = [truncate(_drawable(p.label)) for p in points]
    sizes = [(font.getlength(label) / _TEXT_SUPERSAMPLE, ascent + descent) for label in labels]
    band = (frame.y1 - frame.y0) * _BAND / y_span
    reserved = [
        Box(frame.x0, frame.y1 - band, frame.x1, frame.y1),
        Box(frame.x0, frame.y0, frame.x1, frame.y0 + band),
    ]
    divide_x, threshold_y = to_px(_DIVIDE_X, threshold_y_data)
    rules = [
        Box(divide_x - 1, frame.y0, divide_x + 1, frame.y1),
        Box(frame.x0, threshold_y - 1, frame.x1, threshold_y + 1),
    ]
    places = place_labels(anchors, sizes, frame, reserved + rules, len(reserved), 4.0)
    for (x, y), (tx, ty, _ha, leader) in zip(anchors, places, strict=True):
        if leader:
            _line(image, (x, height - y), (tx, height - ty))
    for label, (tx, ty, ha, _leader) in zip(labels, places, strict=True):
        anchor = {"left": "lm", "right": "rm", "center": "mm"}[ha]
        _smooth_text(image, (tx, height - ty), label, _LABEL_PT, _LABEL_COLOUR, anchor)
    for point, (x, y) in zip(points, anchors, strict=True):
        marker = "^" if point.roi_percent > 1e4 else "v" if point.roi_percent < -100 else "o"
        if point.blocked:
            marker = "s"
        colour = _BLOCKED_COLOUR if point.blocked else _COLOUR[point.priority]
        _marker(image, (x, height - y), marker, colour)


def _smooth(
    image: Image.Image,
    box: tuple[float, float, float, float],
    colour: str,
    shape: Any,
    factor: int = _SUPERSAMPLE,
) -> None:
    """Fill ``colour`` through an antialiased mask: ``shape(draw, to_local)`` draws it
    ``factor`` times larger."""
    x0, y0 = math.floor(box[0]) - 1, math.floor(box[1]) - 1
    w, h = math.ceil(box[2]) + 1 - x0, math.ceil(box[3]) + 1 - y0
    mask = Image.new("L", (w * factor, h * factor), 0)

    def local(x: float, y: float) -> tuple[float, float]:
        return ((x - x0) * factor, (y - y0) * factor)

    shape(ImageDraw.Draw(mask), local)
    image.paste(colour, (x0, y0, x0 + w, y0 + h), mask.reduce(factor))


def _line(image: Image.Image, start: tuple[float, float], end: tuple[float, float]) -> None:
    box = (min(start[0], end[0]), min(start[1], end[1]), max(start[0], end[0]),
           max(start[1], end[1]))  # fmt: skip
    thickness = round(_LEADER_PX * _SUPERSAMPLE)
    _smooth(image, box, _LEADER_COLOUR,
            lambda d, f: d.line([f(*start), f(*end)], fill=255, width=thickness))  # fmt: skip


def _marker(image: Image.Image, centre: tuple[float, float], marker: str, colour: str) -> None:
    """matplotlib's ``o``/``^``/``v`` marker: ``colour`` with a white edge centred on the path."""
    x, y = centre

    def shape(grow: float) -> Any:
        r = _MARKER_PX / 2 + grow

        def draw(d: ImageDraw.ImageDraw, f: Any) -> None:
            if marker == "o":
                (ax, ay), (bx, by) = f(x - r, y - r), f(x + r, y + r)
                d.ellipse((ax, ay, bx, by), fill=255)
            elif marker == "s":
                side = r * 0.9
                (ax, ay), (bx, by) = f(x - side, y - side), f(x + side, y + side)
                d.rectangle((ax, ay, bx, by), fill=255)
            else:
                tip = -1 if marker == "^" else 1  # image y grows downwards
                d.polygon([f(x, y + tip * r), f(x - r, y - tip * r), f(x + r, y - tip * r)],
                          fill=255)  # fmt: skip

        return draw

    outer = _MARKER_PX / 2 + _MARKER_EDGE_PX
    box = (x - outer, y - outer, x + outer, y + outer)
    _smooth(image, box, "white", shape(_MARKER_EDGE_PX / 2))
    _smooth(image, box, colour, shape(-_MARKER_EDGE_PX / 2))
