"""Charts: each drawn from its figures, with its alt text.

The look comes from ``styles/diagram.mplstyle`` (fonts, sizes, grid) and the colours from
the ``--diagram-N`` properties of ``styles/rapport.css`` (:mod:`vbgen.writers.stil`); numbers are
formatted by :mod:`vbgen.fmt`. vbgen lays each chart out itself, so that it never
misstates: the value axis from :func:`value_scale` (round steps, each label its tick's
exact value, every figure inside the labelled range), bars from zero, the legend in the
series' order. Meaning is never carried by colour alone: lines differ in marker and dash,
bars in hatching. Each chart is drawn from one figure as PDF (vector, put into the PDF as
it is) and SVG (vector, for the preview); its PNG, for the Word file, is the PDF rendered by
PDFium, so that Word shows the same drawing as the PDF. Images are cached by
content, so an unchanged chart is not drawn again; a build draws new ones in two
processes at once (:meth:`vbgen.writers.workers.Pool.drawing`: the first loads matplotlib,
the second is a copy of it), started as soon as it knows it will draw.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import tempfile
import textwrap
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import fmt
from ..paths import safe_name
from ..resources import styles_dir
from . import stil

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from PIL import ImageFont

    from .workers import Pool, Ticket

#: Colours with at least 4,5:1 contrast against white, told apart also by marker and hatch;
#: the built-in stylesheet's ``--diagram-N``.
PALETTE = stil.palette(styles_dir() / "rapport.css") or ["#00566b", "#b35900", "#5c3c92"]
MARKERS = ["o", "s", "^", "D", "v", "P"]
DASHES: list[Any] = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1))]
HATCHES = ["", "//", "..", "xx", "\\\\", "--"]
KINDS = ("linje", "stapel", "grupperad_stapel", "liggande_stapel")
#: The kinds as an error message lists them.
KINDS_LISTED = ", ".join(f'"{k}"' for k in KINDS)
_VERSION = "13"  # bump when drawing code changes, to invalidate cached images
#: The files of one chart, by the document format that shows it: PDF for the PDF, PNG for
#: the Word file; SVG (for the preview) is drawn only where asked for.
FORMATS = {"pdf": ".pdf", "docx": ".png"}
#: Every file a chart can be drawn as.
EVERY_FILE = (".svg", ".pdf", ".png")


@dataclass(frozen=True)
class Series:
    namn: str
    values: list[float | None]


@dataclass(frozen=True)
class Chart:
    """What a chart shows; built by the loader from a ``diagram`` entry and its table."""

    id: str
    typ: str
    titel: str
    kategorier: list[str]
    serier: list[Series]
    kalla: str = ""
    enhet: str = ""
    kategorinamn: str = ""
    decimaler: int | None = None
    source_file: str = ""

    @property
    def horizontal(self) -> bool:
        """Bars lie along the categories, which then need not be a time line."""
        return self.typ == "liggande_stapel"


@dataclass(frozen=True)
class RenderedChart:
    path: Path
    alt: str
    #: The same chart as SVG; as PDF beside it, with the same name.
    vector: Path | None = None


@dataclass
class ChartRenderer:
    """Draws charts into ``cache_dir``; reuses an image whose content has not changed."""

    cache_dir: Path
    style: Path | None = None
    drawn: list[str] = field(default_factory=list)
    #: The series colours, in order; the built-in stylesheet's when empty.
    palette: list[str] = field(default_factory=list)
    #: Where new images are drawn, if not into the cache: a build's own folder, so that
    #: a build that fails leaves the cache as it was.
    staging: Path | None = None
    #: Processes that draw new charts beside this one (0: drawn here, one after another);
    #: call :meth:`finish` before the images are read.
    workers: int = 0
    #: The files drawn of each chart (see :data:`FORMATS`): a build draws only those its
    #: documents show.
    formats: tuple[str, ...] = EVERY_FILE
    #: The processes that draw: started at the first chart to draw, unless given (see
    #: :func:`drawing_pool`); stopped by :meth:`finish`.
    pool: Pool | None = field(default=None, repr=False)
    _pending: dict[Path, Ticket] = field(default_factory=dict, repr=False)

    def render(self, chart: Chart) -> RenderedChart:
        style_text = self.style.read_text(encoding="utf-8") if self.style else ""
        colours = self.palette or PALETTE
        key = hashlib.sha256(json.dumps([_VERSION, style_text, colours, asdict(chart)],
                                        sort_keys=True, default=str).encode()).hexdigest()[:20]
        # The id comes from data: only a safe part of it goes into the file name.
        name = f"{safe_name(chart.id, 'diagram', 40)}-{key}.png"
        path = self.cache_dir / name
        if not _complete(path, self.formats):
            folder = self.staging or self.cache_dir
            path = folder / name
        vector = path.with_suffix(".svg")
        if not _complete(path, self.formats) and path not in self._pending:
            folder.mkdir(parents=True, exist_ok=True)
            pool = self._executor()
            job = (chart, path, self.style, colours, self.formats)
            if pool is None:
                draw_atomic(*job)
            else:
                self._pending[path] = pool.draw(str(path), *job)
            self.drawn.append(chart.id)
        return RenderedChart(path, alt_text(chart), vector)

    def _executor(self) -> Pool | None:
        """The processes that draw charts, started at the first chart to draw; None to
        draw here."""
        if self.pool is None and self.workers > 0:
            self.pool = drawing_pool(self.workers)
        return self.pool

    def finish(self, check: bool = True) -> None:
        """Wait until every chart is drawn; raise the first error from drawing one, if
        ``check`` (without it, after another error, charts not yet begun are not drawn)."""
        pending, self._pending = self._pending, {}
        try:
            if check and self.pool is not None:
                self.pool.wait(list(pending.values()))
        finally:
            if self.pool is not None:
                self.pool.close()
                self.pool = None


#: What drawing a chart imports, imported beforehand by a process that will draw.
DRAWING_MODULES = ("matplotlib.figure", "matplotlib.backends.backend_pdf",
                   "matplotlib.collections", "matplotlib.lines", "matplotlib.patches",
                   "fontTools.subset", "PIL.ImageFont", "pypdfium2")


def prepare_drawing(folder: Path | None = None) -> None:
    """Import what drawing a chart needs and read matplotlib's list of fonts: half a second
    that a process started early spends while its parent fills in the templates.

    Given the ``folder`` charts will be drawn in, also draw a sample chart there (then
    remove it), so that what a first chart loads besides (the number formats, the parts of
    the PDF writer, the chart font's copy) is loaded once, before the process is copied.
    """
    import importlib

    for module in DRAWING_MODULES:
        importlib.import_module(module)
    _add_fonts(None)
    if folder is not None:
        sample = Chart(id="prov", typ="grupperad_stapel", titel="", kategorier=["2023", "2024"],
                       serier=[Series("a", [1.5, -2.0]), Series("b", [3.0, 4.0])], enhet="%")
        path = folder / ".provdiagram.png"
        try:
            _draw(sample, path, styles_dir() / "diagram.mplstyle", PALETTE, (".pdf", ".png"))
        finally:
            for suffix in (".pdf", ".png"):
                path.with_suffix(suffix).unlink(missing_ok=True)


def drawing_pool(workers: int, folder: Path | None = None) -> Pool | None:
    """``workers`` processes to draw charts, started now, the first loading what drawing
    needs at once (see :func:`prepare_drawing`, with the ``folder`` charts will be drawn in)
    and the others copies of it: for a build that will draw charts, so that they are ready
    when the templates ask for the first chart. None where this process may not be copied
    (see :func:`vbgen.writers.workers.may_fork`): the charts are drawn here."""
    from .workers import Pool, may_fork

    return Pool.drawing(workers, folder) if workers > 0 and may_fork() else None


def _complete(path: Path, formats: tuple[str, ...]) -> bool:
    return all(path.with_suffix(suffix).is_file() for suffix in formats)


def draw_atomic(chart: Chart, path: Path, style: Path | None, colours: list[str],
                 formats: tuple[str, ...]) -> None:
    """Draw ``chart`` as the files ``formats`` at ``path`` (PNG) and beside it (same name);
    each appears whole or not at all."""
    fd, name_tmp = tempfile.mkstemp(prefix=".", suffix=".png", dir=path.parent)
    os.close(fd)
    tmp = Path(name_tmp)
    try:
        _draw(chart, tmp, style, colours, formats)
        for suffix in formats:
            tmp.with_suffix(suffix).replace(path.with_suffix(suffix))
    finally:
        for suffix in EVERY_FILE:
            tmp.with_suffix(suffix).unlink(missing_ok=True)


def _value(v: float | None, chart: Chart) -> str:
    text = fmt.number(v, chart.decimaler)
    if v is None:
        return text
    if chart.enhet == "%":
        return f"{text}{fmt.NBSP}%"
    return f"{text} {chart.enhet}".rstrip()


KIND_NAMES = {"linje": "Linjediagram", "stapel": "Stapeldiagram",
              "grupperad_stapel": "Stapeldiagram", "liggande_stapel": "Liggande stapeldiagram"}


def alt_text(chart: Chart) -> str:
    """Describe the chart for someone who cannot see it: subject, range, highest, latest."""
    names = fmt.join_list([s.namn for s in chart.serier])
    per = f" per {chart.kategorinamn.lower()}" if chart.kategorinamn else ""
    parts = [f"{KIND_NAMES.get(chart.typ, 'Diagram')}: {chart.titel}.",
             f"Visar {names}{per}, från {chart.kategorier[0]} till {chart.kategorier[-1]}."]
    points = [(v, s.namn, chart.kategorier[i]) for s in chart.serier
              for i, v in enumerate(s.values) if v is not None]
    if points:
        top = max(points, key=lambda p: p[0])
        parts.append(f"Högsta värdet är {_value(top[0], chart)} ({top[1]}, {top[2]}).")
        if chart.horizontal:
            # Its categories are not a time line, so there is no "latest" to speak of.
            low = min(points, key=lambda p: p[0])
            parts.append(f"Lägsta värdet är {_value(low[0], chart)} ({low[1]}, {low[2]}).")
        else:
            parts.append(_latest(chart))
    if chart.kalla:
        parts.append(f"Källa: {chart.kalla}.")
    return " ".join(parts)


def _latest(chart: Chart) -> str:
    latest = []
    for s in chart.serier:
        last = next(((v, chart.kategorier[i]) for i, v in reversed(list(enumerate(s.values)))
                     if v is not None), None)
        if last:
            latest.append(f"{s.namn} {_value(last[0], chart)} ({last[1]})")
    return "Senaste värden: " + "; ".join(latest) + "."


# --- The value axis --------------------------------------------------------------------------

#: The steps between a value axis's ticks, times a power of ten. Not 2,5: its labels would
#: need a decimal that the values beside them do not (47,5; 50,0; 52,5).
STEPS = (1, 2, 5)


@dataclass(frozen=True)
class Scale:
    """The ticks of a value axis, lowest first and evenly spaced, and the decimals that show
    each tick's value exactly."""

    ticks: tuple[float, ...]
    decimals: int

    @property
    def labels(self) -> list[str]:
        return [fmt.number(t, self.decimals) for t in self.ticks]


def value_scale(low: float, high: float, most: int) -> Scale:
    """Ticks a round step apart (1, 2 or 5 times a power of ten) from at or below ``low`` to
    at or above ``high``: the smallest such step that needs at most ``most`` steps."""
    lo, hi = sorted((Decimal(repr(float(low))), Decimal(repr(float(high)))))
    if lo == hi:
        # One value: a range a tenth of its size around it, or from nothing up to 1.
        lo, hi = (lo - abs(lo) / 10, hi + abs(hi) / 10) if lo else (lo, Decimal(1))
    exponent = ((hi - lo) / max(1, most)).adjusted()
    while True:
        for m in STEPS:
            step = Decimal(m).scaleb(exponent)
            first = int((lo / step).to_integral_value(ROUND_FLOOR))
            last = int((hi / step).to_integral_value(ROUND_CEILING))
            if last - first <= most:
                return Scale(tuple(float(n * step) for n in range(first, last + 1)),
                             max(0, -exponent))
        exponent += 1


# --- Drawing ---------------------------------------------------------------------------------
#
# A chart is drawn with a few plain artists placed in points, its own arithmetic deciding
# where each goes: the value axis from value_scale, the labels and the legend measured in the
# chart's font. matplotlib's axes, with their tick machinery and a layout pass to find the
# frame, took most of the time and chose ticks whose labels did not show their values.

#: The chart's width (pt), as placed at the full text width: its text is then printed at the
#: sizes in diagram.mplstyle, no smaller than the tables' text.
WIDTH = 16.0 / 2.54 * 72
#: The height (pt) of an upright chart's plot area.
PLOT_HEIGHT = 150.0
#: The room (pt) of one bar of a lying chart, with its share of the gap between bars.
BAR = 18.7
#: Between an axis and its labels, and around the drawing (pt).
GAP = 4.0
#: Between the outermost ticks and the ends of the axis (pt), so that no marker is cut.
PAD = 6.0
#: The most steps on an upright value axis, and on a lying one where its labels fit.
MOST_STEPS = 6
MOST_STEPS_ACROSS = 8
#: The resolution of the PNG for the Word file.
DPI = 200


def _upright_labels(categories: list[str], size: float, slot: float,
                    width: Callable[[str, float], float]) -> list[str] | None:
    """Category labels wrapped to fit under their bars, each ``slot`` pt wide, or None when
    they cannot fit."""
    labels = []
    for k in categories:
        chars = len(k)
        label = k
        while width(label, size) > slot * 0.8:  # a gap between neighbours
            chars -= 1
            if chars < 4:
                return None
            label = textwrap.fill(k, chars, break_long_words=False)
        if label.count("\n") >= 3:
            return None
        labels.append(label)
    return labels


def _legend_rows(widths: list[float], room: float, spacing: float) -> list[list[int]]:
    """The legend's entries (by index) in rows, in series order: each row filled from the
    left as far as ``room`` allows, as words fill lines."""
    rows: list[list[int]] = []
    used = 0.0
    for i, w in enumerate(widths):
        if rows and used + spacing + w <= room:
            rows[-1].append(i)
            used += spacing + w
        else:
            rows.append([i])
            used = w
    return rows


class _Canvas:
    """A figure drawn in points from a chosen origin; it takes the size of what is drawn,
    at least the full width."""

    def __init__(self, font: Path) -> None:
        from matplotlib.figure import Figure
        from matplotlib.transforms import Affine2D

        self.figure = Figure(dpi=DPI)
        self.shift = Affine2D()
        self.transform = self.shift + Affine2D().scale(1 / 72) + self.figure.dpi_scale_trans
        self._fonts: dict[float, FontProperties] = {}
        self._font = font
        self._widths = _font_widths(font)
        self.box = [math.inf, math.inf, -math.inf, -math.inf]

    def font(self, size: float) -> FontProperties:
        from matplotlib.font_manager import FontProperties

        if size not in self._fonts:
            self._fonts[size] = FontProperties(fname=self._font, size=size)
        return self._fonts[size]

    def width(self, text: str, size: float) -> float:
        """The width (pt) of ``text``'s longest line at ``size`` pt."""
        return max(self._widths.getlength(line) for line in text.split("\n")) * size / 1000

    def height(self, text: str, size: float) -> float:
        """The height (pt) of ``text``'s lines at ``size`` pt, as matplotlib spaces them."""
        return size * (1.2 * text.count("\n") + 1.2)

    def cover(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """Make room for the area from (x0, y0) to (x1, y1)."""
        box = self.box
        box[:] = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]

    def text(self, x: float, y: float, text: str, size: float, colour: Any,
             ha: str = "center", va: str = "center", rotation: float = 0) -> None:
        w, h = self.width(text, size), self.height(text, size)
        if rotation == 90:  # reads upwards; its foot (va) faces right
            right = x if va == "bottom" else x + h
            self.cover(right - h, y - w / 2, right, y + w / 2)
        elif rotation:  # 45 degrees, hanging down to the left of (x, y)
            reach = (w + h) * math.sqrt(0.5)
            self.cover(x - reach, y - reach, x, y)
        else:
            left = {"left": x, "right": x - w}.get(ha, x - w / 2)
            bottom = {"top": y - h, "bottom": y}.get(va, y - h / 2)
            self.cover(left, bottom, left + w, bottom + h)
        self.figure.text(x, y, text, transform=self.transform, fontproperties=self.font(size),
                         color=colour, ha=ha, va=va, rotation=rotation,
                         rotation_mode="anchor", parse_math=False)

    def add(self, artist: Artist) -> None:
        artist.set_transform(self.transform)
        self.figure.add_artist(artist)

    def finish(self) -> None:
        """Size the figure to what is drawn, the full width at least, with a margin."""
        x0, y0, x1, y1 = self.box
        x0, x1 = min(x0 - GAP, 0.0), max(x1 + GAP, WIDTH)
        y0, y1 = y0 - GAP, y1 + GAP
        self.shift.translate(-x0, -y0)
        self.figure.set_size_inches((x1 - x0) / 72, (y1 - y0) / 72)


class _Drawing:
    """One chart drawn on a canvas: the plot area, its value axis and what stands around it."""

    def __init__(self, chart: Chart, colours: list[str], font: Path) -> None:
        import matplotlib
        from matplotlib.font_manager import FontProperties

        rc = matplotlib.rcParams
        self.chart = chart
        self.colours = colours
        self.canvas = _Canvas(font)

        def size(given: Any) -> float:
            return float(FontProperties(size=given).get_size_in_points())

        self.tick_size = size(rc["ytick.labelsize"])  # the values
        self.category_size = size(rc["xtick.labelsize"])
        self.label_size = size(rc["axes.labelsize"])
        self.legend_size = size(rc["legend.fontsize"])
        self.ink: Any = rc["text.color"]
        self.edge: Any = rc["axes.edgecolor"]
        self.edge_width = float(rc["axes.linewidth"])
        self.tick = float(rc["ytick.major.size"])
        self.grid = bool(rc["axes.grid"])
        self.grid_colour: Any = rc["grid.color"]
        self.grid_width = float(rc["grid.linewidth"])
        self.spines = {"left": bool(rc["axes.spines.left"]),
                       "bottom": bool(rc["axes.spines.bottom"]),
                       "top": bool(rc["axes.spines.top"]),
                       "right": bool(rc["axes.spines.right"])}
        self.bars = chart.typ != "linje"
        values = [v for s in chart.serier for v in s.values if v is not None]
        low, high = min(values, default=0.0), max(values, default=0.0)
        if self.bars:  # bars start at zero
            low, high = min(low, 0.0), max(high, 0.0)
        self.low, self.high = low, high
        self.bar_labels = (self.bars and len(chart.serier) == 1
                           and len(chart.kategorier) <= 8)

    # --- Layout ---

    def draw(self) -> Figure:
        """Lay the chart out and draw it; return the figure."""
        if self.chart.horizontal or not self._upright():
            # Named along a side: the bars lie down, so that every name has room.
            self._lying()
        self._legend(self.canvas.box[1] - 2 * GAP)
        self.canvas.finish()
        return self.canvas.figure

    def _value_labels_width(self, scale: Scale) -> float:
        return max(self.canvas.width(label, self.tick_size) for label in scale.labels)

    def _bar_label(self, v: float) -> str:
        """A bar's value, with the chart's decimals, or else with those it has (up to six)."""
        decimals = self.chart.decimaler
        if decimals is None:
            decimals = next(d for d in range(7) if d == 6 or round(v, d) == v)
        return fmt.number(v, decimals)

    def _pads(self, scale: Scale, across: bool) -> tuple[float, float]:
        """Room (pt) below the lowest and above the highest tick: none where bars start
        from that tick, room for the bars' labels where they reach past it."""
        if not self.bars:
            return PAD, PAD
        if self.bar_labels:
            reach = max((self.canvas.width(self._bar_label(v), self.tick_size)
                         for s in self.chart.serier for v in s.values if v is not None),
                        default=0.0) if across else self.tick_size * 1.2
            beyond = reach + GAP
        else:
            beyond = PAD
        return (0.0 if scale.ticks[0] == 0 else beyond,
                0.0 if scale.ticks[-1] == 0 else beyond)

    @staticmethod
    def _position(scale: Scale, start: float, length: float, pads: tuple[float, float]
                  ) -> Callable[[float], float]:
        """Where a value lies along an axis from ``start`` of ``length`` pt."""
        t0, t1 = scale.ticks[0], scale.ticks[-1]
        inner = length - pads[0] - pads[1]
        return lambda v: start + pads[0] + (v - t0) / (t1 - t0) * inner

    def _upright(self) -> bool:
        """Categories along the bottom, values up the left side; False, with nothing drawn,
        when the names of bars do not fit under them."""
        chart, canvas = self.chart, self.canvas
        scale = value_scale(self.low, self.high, MOST_STEPS)
        # The margin, the unit (turned upwards), the labels, the tick marks.
        left = GAP + self._value_labels_width(scale) + 2 + self.tick
        if chart.enhet:
            left += self.label_size * 1.2 + GAP
        width = WIDTH - GAP - left
        slot = width / max(1, len(chart.kategorier))
        labels = _upright_labels(chart.kategorier, self.category_size, slot, canvas.width)
        if labels is None and self.bars:
            return False
        y = self._position(scale, 0.0, PLOT_HEIGHT, self._pads(scale, False))
        self._frame(left, 0.0, width, PLOT_HEIGHT)
        self._value_axis(scale, [(left, y(t), left + width, y(t)) for t in scale.ticks],
                         across=False)
        for t, label in zip(scale.ticks, scale.labels, strict=True):
            canvas.text(left - self.tick - 2, y(t), label, self.tick_size, self.ink,
                        ha="right", va="center_baseline")
        if chart.enhet:
            right = left - self.tick - 2 - self._value_labels_width(scale) - GAP
            canvas.text(right, PLOT_HEIGHT / 2, chart.enhet, self.label_size, self.ink,
                        va="bottom", rotation=90)
        centres = [left + (i + 0.5) * slot for i in range(len(chart.kategorier))]
        for x, label in zip(centres, labels or chart.kategorier, strict=True):
            if labels is None:  # only when even wrapping does not help
                canvas.text(x + 2, -GAP, textwrap.fill(label, 28), self.category_size,
                            self.ink, ha="right", va="top", rotation=45)
            else:
                canvas.text(x, -GAP, label, self.category_size, self.ink, va="top")
        if self.bars:
            self._bar_series(centres, slot, y, upright=True)
            if scale.ticks[0] < 0:
                self._zero_line((left, y(0), left + width, y(0)))
        else:
            self._line_series(centres, y)
        return True

    def _lying(self) -> None:
        """Categories down the left side, values along the bottom."""
        chart, canvas = self.chart, self.canvas
        labels = [textwrap.fill(k, 28) for k in chart.kategorier]
        left = GAP + max((canvas.width(label, self.category_size) for label in labels),
                         default=0.0) + GAP
        for most in range(MOST_STEPS_ACROSS, 0, -1):
            scale = value_scale(self.low, self.high, most)
            widest = self._value_labels_width(scale)
            width = WIDTH - GAP - widest / 2 - left
            pads = self._pads(scale, True)
            if (width - sum(pads)) / max(1, len(scale.ticks) - 1) >= widest + 2 * GAP:
                break
        n = len(chart.serier)
        slot = max(BAR * n, max((canvas.height(label, self.category_size) for label in labels),
                                default=0.0) + GAP)
        height = slot * len(chart.kategorier)
        x = self._position(scale, left, width, pads)
        self._frame(left, 0.0, width, height)
        self._value_axis(scale, [(x(t), 0.0, x(t), height) for t in scale.ticks], across=True)
        for t, label in zip(scale.ticks, scale.labels, strict=True):
            canvas.text(x(t), -self.tick - 2, label, self.tick_size, self.ink, va="top")
        if chart.enhet:
            canvas.text(left + width / 2, -self.tick - 2 - self.tick_size * 1.2 - GAP,
                        chart.enhet, self.label_size, self.ink, va="top")
        # The first category on top, as in the table it comes from.
        centres = [height - (i + 0.5) * slot for i in range(len(chart.kategorier))]
        for yc, label in zip(centres, labels, strict=True):
            canvas.text(left - GAP, yc, label, self.category_size, self.ink, ha="right")
        self._bar_series(centres, slot, x, upright=False)
        if scale.ticks[0] < 0:
            self._zero_line((x(0), 0.0, x(0), height))

    # --- Parts ---

    def _frame(self, x: float, y: float, width: float, height: float) -> None:
        """The plot area's edges that the style draws (matplotlib's spines)."""
        from matplotlib.collections import LineCollection

        corners = {"left": ((x, y), (x, y + height)), "bottom": ((x, y), (x + width, y)),
                   "top": ((x, y + height), (x + width, y + height)),
                   "right": ((x + width, y), (x + width, y + height))}
        edges = [corners[side] for side, shown in self.spines.items() if shown]
        self.canvas.add(LineCollection(edges, colors=self.edge, linewidths=self.edge_width,
                                       capstyle="projecting", zorder=2.5))
        self.canvas.cover(x, y, x + width, y + height)

    def _value_axis(self, scale: Scale, lines: list[tuple[float, float, float, float]],
                    across: bool) -> None:
        """A grid line (if the style has them) and a tick mark at every labelled value."""
        from matplotlib.collections import LineCollection

        if self.grid:
            self.canvas.add(LineCollection([((x0, y0), (x1, y1)) for x0, y0, x1, y1 in lines],
                                           colors=self.grid_colour,
                                           linewidths=self.grid_width, zorder=0.5))
        marks = [((x0, y0 - self.tick), (x0, y0)) if across else ((x0 - self.tick, y0),
                                                                   (x0, y0))
                 for x0, y0, _, _ in lines]
        self.canvas.add(LineCollection(marks, colors=self.edge, linewidths=self.edge_width,
                                       zorder=2.5))

    def _zero_line(self, line: tuple[float, float, float, float]) -> None:
        from matplotlib.lines import Line2D

        x0, y0, x1, y1 = line
        self.canvas.add(Line2D([x0, x1], [y0, y1], color="#333333", linewidth=0.8, zorder=2))

    def _bar_series(self, centres: list[float], slot: float, at: Callable[[float], float],
                    upright: bool) -> None:
        """Each series' bars as one shape, so that its hatch is laid once; the values written
        on a few single bars."""
        from matplotlib.patches import PathPatch
        from matplotlib.path import Path as Shape

        n = len(self.chart.serier)
        thickness = 0.8 * slot / n
        zero = at(0)
        for j, s in enumerate(self.chart.serier):
            # The first series left of, or above, the others.
            offset = (j - (n - 1) / 2) * thickness * (1 if upright else -1)
            corners = []
            for c, v in zip(centres, s.values, strict=True):
                if v is None:
                    continue
                a, b = c + offset - thickness * 0.475, c + offset + thickness * 0.475
                end = at(v)
                box = [(a, zero), (b, zero), (b, end), (a, end)]
                corners.append([p if upright else p[::-1] for p in box])
                if self.bar_labels:
                    self._write_value(c + offset, end, v, upright)
            if not corners:
                continue
            codes = [Shape.MOVETO, Shape.LINETO, Shape.LINETO, Shape.LINETO, Shape.CLOSEPOLY]
            shape = Shape([p for box in corners for p in (*box, box[0])], codes * len(corners))
            self.canvas.add(PathPatch(shape, facecolor=self.colours[j % len(self.colours)],
                                      hatch=HATCHES[j % 6] or None, edgecolor="white",
                                      linewidth=0.5, zorder=1))

    def _write_value(self, centre: float, end: float, v: float, upright: bool) -> None:
        """A bar's value beside its end, outside the bar."""
        label = self._bar_label(v)
        if upright:
            self.canvas.text(centre, end + (2 if v >= 0 else -2), label, self.tick_size,
                             self.ink, va="bottom" if v >= 0 else "top")
        else:
            self.canvas.text(end + (3 if v >= 0 else -3), centre, label, self.tick_size,
                             self.ink, ha="left" if v >= 0 else "right")

    def _line_series(self, centres: list[float], at: Callable[[float], float]) -> None:
        from matplotlib.lines import Line2D

        for j, s in enumerate(self.chart.serier):
            self.canvas.add(Line2D(centres, [math.nan if v is None else at(v) for v in s.values],
                                   color=self.colours[j % len(self.colours)],
                                   marker=MARKERS[j % 6], linestyle=DASHES[j % 6],
                                   markersize=4, linewidth=1.6, zorder=3))

    def _legend(self, top: float) -> None:
        """The series' names under the chart, in series order, row by row, each after a
        sample of its line or bar; none for a single series (the caption names it)."""
        from matplotlib.lines import Line2D
        from matplotlib.patches import Rectangle

        chart, canvas, size = self.chart, self.canvas, self.legend_size
        if len(chart.serier) < 2:
            return
        sample = 2.0 * size if not self.bars else 1.4 * size
        widths = [sample + 0.5 * size + canvas.width(s.namn, size) for s in chart.serier]
        spacing = 1.5 * size
        rows = _legend_rows(widths, WIDTH - 2 * GAP, spacing)
        height = 1.5 * size
        for r, row in enumerate(rows):
            y = top - (r + 0.5) * height
            x = (WIDTH - sum(widths[i] for i in row) - spacing * (len(row) - 1)) / 2
            for i in row:
                colour = self.colours[i % len(self.colours)]
                if self.bars:
                    canvas.add(Rectangle((x, y - 0.35 * size), sample, 0.7 * size,
                                         facecolor=colour, hatch=HATCHES[i % 6] or None,
                                         edgecolor="white", linewidth=0.5))
                else:
                    canvas.add(Line2D([x, x + sample / 2, x + sample], [y, y, y], color=colour,
                                      marker=MARKERS[i % 6], markevery=[1],
                                      linestyle=DASHES[i % 6], markersize=4, linewidth=1.6))
                canvas.text(x + sample + 0.5 * size, y, chart.serier[i].namn, size, self.ink,
                            ha="left")
                x += widths[i] + spacing


def _add_fonts(style: Path | None) -> None:
    """Make the font files in ``fonts/`` beside the chart style known to matplotlib."""
    from matplotlib import font_manager

    for folder in {p / "fonts" for p in (style.parent if style else None, styles_dir()) if p}:
        for font in sorted(folder.glob("*.[ot]tf")):
            if str(font) not in _FONTS_ADDED:
                font_manager.fontManager.addfont(str(font))
                _FONTS_ADDED.add(str(font))


_FONTS_ADDED: set[str] = set()


@functools.cache
def _font_widths(font: Path) -> ImageFont.FreeTypeFont:
    """``font`` at 1 000 pt, to measure text with: as matplotlib lays text out (kerning
    included), in a fraction of its time."""
    from PIL import ImageFont

    return ImageFont.truetype(str(font), 1000)


#: Tables of a font that only a layout engine reads; a PDF names its glyphs itself.
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF")
#: How the name of the chart font's copy beside the charts begins (see :func:`chart_font`).
FONT_COPY = ".diagramtypsnitt-"


#: The characters of the chart font's small copy: Latin letters, with the signs and spaces
#: of vbgen's numbers. Embedding a subset of a font in a chart's PDF reads the whole font
#: it is cut from: from this copy of a few hundred glyphs in two thirds of the time.
SMALL_REPERTOIRE = frozenset(chr(c) for c in (*range(0x20, 0x7F), *range(0xA0, 0x250),
                                               *range(0x2000, 0x2070), 0x20AC, 0x2122,
                                               0x2212))


def chart_font(folder: Path, text: str = "") -> Path:
    """The font of the chart style in effect, as a copy in ``folder`` without its layout
    tables, which only a layout engine reads: embedding a subset of the font in each
    chart's PDF then takes a fraction of the time. Where ``text`` (what the chart writes)
    has no character outside :data:`SMALL_REPERTOIRE` and HarfBuzz can cut fonts, the copy
    has only those characters' glyphs. Either copy keeps the font's kerning (its ``kern``
    table, which matplotlib reads) and hinting: a chart looks the same in both."""
    from matplotlib import font_manager

    from . import subset

    original = Path(font_manager.findfont(font_manager.FontProperties()))
    small = set(text) <= SMALL_REPERTOIRE and subset.available()
    stat = original.stat()
    copy = folder / f"{FONT_COPY}{_digest(original, stat.st_size, stat.st_mtime_ns, small)}" \
                    f"{original.suffix}"
    if not copy.is_file():
        fd, name = tempfile.mkstemp(prefix=".", suffix=original.suffix, dir=folder)
        os.close(fd)
        if not (small and _small_copy(original, Path(name))):
            _whole_copy(original, Path(name))
        Path(name).replace(copy)
    return copy


def _whole_copy(original: Path, copy: Path) -> None:
    from fontTools.ttLib import TTFont

    # The same bytes every time: no new "modified" date in the copy.
    with TTFont(original, lazy=True, recalcTimestamp=False) as font:
        for tag in LAYOUT_TABLES:
            if tag in font:
                del font[tag]
        font.save(copy)


def _small_copy(original: Path, copy: Path) -> bool:
    """Write the copy of ``original`` with the glyphs of :data:`SMALL_REPERTOIRE`, cut by
    HarfBuzz with hinting and glyph names, and the kerning between them from the font's
    ``kern`` table (which HarfBuzz leaves out); False if HarfBuzz could not cut it."""
    import io

    from fontTools.ttLib import TTFont

    from . import subset

    cut = subset.by_characters(original.read_bytes(), {ord(c) for c in SMALL_REPERTOIRE},
                               hinting=True, glyph_names=True,
                               drop=tuple(t.encode() for t in LAYOUT_TABLES))
    if cut is None:
        return False
    with TTFont(io.BytesIO(cut), recalcTimestamp=False) as font, \
            TTFont(original, lazy=True) as whole:
        if "kern" in whole:
            kern = whole["kern"]
            kept = set(font.getGlyphOrder())
            for table in kern.kernTables:
                if hasattr(table, "kernTable"):
                    table.kernTable = {pair: value for pair, value in table.kernTable.items()
                                       if pair[0] in kept and pair[1] in kept}
            font["kern"] = kern
        font.save(copy)
    return True


@functools.cache
def _digest(font: Path, size: int, mtime: int, small: bool) -> str:
    """A name for the copy of ``font`` (of this size and time) that :func:`chart_font` makes."""
    # A copy made otherwise has another name.
    recipe = " ".join([*LAYOUT_TABLES, *(["small", "1"] if small else [])]).encode()
    return hashlib.sha256(recipe + font.read_bytes()).hexdigest()[:16]


def _characters(chart: Chart) -> str:
    """What ``chart`` writes besides its numbers (whose characters are all Latin)."""
    return "".join([*chart.kategorier, *(s.namn for s in chart.serier), chart.enhet])


@functools.cache
def _style_params(style: Path, size: int, mtime: int) -> Any:
    """The settings in ``style`` (of this size and time), read once in a process."""
    from matplotlib import rc_params_from_file

    return rc_params_from_file(style, use_default_template=False)


def _draw(chart: Chart, path: Path, style: Path | None, colours: list[str],
          formats: tuple[str, ...] = EVERY_FILE) -> None:
    """Draw ``chart`` as PNG at ``path`` and as SVG and PDF beside it (same name), those of
    them in ``formats``; the PNG is the PDF rendered (see :func:`_save_png`), so the PDF is
    drawn for it too."""
    import matplotlib

    matplotlib.use("Agg")
    _add_fonts(style)
    params: Any = {}
    if style:
        stat = style.stat()
        params = {**_style_params(style, stat.st_size, stat.st_mtime_ns)}
    # Text in a PDF as text in the embedded font (a subset), which PDF/UA maps to Unicode.
    params["pdf.fonttype"] = 42
    drawing = path.with_suffix(".pdf")
    with matplotlib.rc_context(params):
        figure = _Drawing(chart, colours, chart_font(path.parent, _characters(chart))).draw()
        if ".svg" in formats:
            figure.savefig(path.with_suffix(".svg"), format="svg",
                           metadata={"Date": None, "Creator": None})
        if ".pdf" in formats or ".png" in formats:
            figure.savefig(drawing, format="pdf",
                           metadata={"Creator": None, "Producer": None, "CreationDate": None})
            size = (int(figure.bbox.width * DPI / figure.dpi),
                    int(figure.bbox.height * DPI / figure.dpi))
            opaque = _opaque(figure)
    if ".png" in formats:
        _save_png(drawing, path, size, opaque)
    if ".svg" in formats:
        svg = path.with_suffix(".svg")
        svg.write_text(rounder_dots(svg.read_text(encoding="utf-8")), encoding="utf-8")


def _opaque(figure: Figure) -> bool:
    """Whether the figure, saved with the settings in effect, covers itself with a
    background without transparency."""
    import matplotlib
    from matplotlib.colors import to_rgba

    face = matplotlib.rcParams["savefig.facecolor"]
    if isinstance(face, str) and face == "auto":
        face = figure.get_facecolor()
    return not matplotlib.rcParams["savefig.transparent"] and to_rgba(face)[3] == 1


#: PDFium may not be called from two threads at once (a preview draws in its own threads).
_RENDERING = threading.Lock()


def _save_png(drawing: Path, path: Path, size: tuple[int, int], opaque: bool) -> None:
    """Write the chart's PDF ``drawing`` as PNG at ``path``, rendered by PDFium at :data:`DPI`
    and packed by :mod:`vbgen.writers.png`: the Word file shows the same drawing as the PDF,
    for a fraction of what drawing the figure once more would take. The PNG is ``size``
    pixels, as matplotlib would have drawn it, with an alpha channel unless the chart's
    background is ``opaque``."""
    import pypdfium2

    from . import png

    with _RENDERING:
        document = pypdfium2.PdfDocument(drawing)
        try:
            bitmap = document[0].render(scale=DPI / 72, rev_byteorder=True, may_draw_forms=False,
                                        fill_color=(255, 255, 255, 255 if opaque else 0))
            pixels = bitmap.to_numpy()
        finally:
            document.close()
    # PDFium rounds a page's size in pixels up, matplotlib down.
    png.write(path, pixels[:size[1], :size[0]], DPI)


_NUMBER = r"(-?[\d.]+)"
#: A circle as matplotlib writes one: a move and eight cubic curves, closed.
_CIRCLE = re.compile(rf"M {_NUMBER} {_NUMBER} \n((?:C(?: -?[\d.]+){{6}} \n){{8}})z")
_PATTERN = re.compile(r"<pattern\b.*?</pattern>", re.DOTALL)
#: How far a cubic curve's control points lie along the tangent for a quarter circle.
_KAPPA = 0.5522847498


def _four_curves(m: re.Match[str]) -> str:
    ends = [tuple(map(float, line.split()[5:7])) for line in m.group(3).splitlines()]
    cx = sum(x for x, _ in ends) / len(ends)
    cy = sum(y for _, y in ends) / len(ends)
    r = max(math.hypot(x - cx, y - cy) for x, y in ends)
    k = r * _KAPPA

    def p(x: float, y: float) -> str:
        return f"{round(cx + x, 6) + 0.0:g} {round(cy + y, 6) + 0.0:g}"

    return (f"M {p(r, 0)} C {p(r, k)} {p(k, r)} {p(0, r)} C {p(-k, r)} {p(-r, k)} {p(-r, 0)} "
            f"C {p(-r, -k)} {p(-k, -r)} {p(0, -r)} C {p(k, -r)} {p(r, -k)} {p(r, 0)} z")


def rounder_dots(svg: str) -> str:
    """``svg`` with the dots of its hatch patterns drawn with four curves instead of eight.

    Dots of a hatch are a fraction of a point wide, where four curves are as round; the PDF
    engine draws a pattern once for every shape it fills, and the dots are most of its work.
    """
    return _PATTERN.sub(lambda m: _CIRCLE.sub(_four_curves, m.group(0)), svg)
