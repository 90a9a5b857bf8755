"""Charts: one function per chart kind, each returning the image and its alt text.

The look comes from ``styles/diagram.mplstyle`` (fonts, sizes, grid) and the colours from
the ``--diagram-N`` properties of ``styles/rapport.css`` (:mod:`vbgen.stil`); tick labels
are formatted by :mod:`vbgen.fmt`. Meaning is never carried by colour alone: lines differ in
marker and dash, bars in hatching. Each chart is drawn from one figure as PDF (vector, put
into the PDF as it is), SVG (vector, for the preview) and PNG (for the Word file). Images
are cached by content, so an unchanged chart is not drawn again; a build draws new ones in
two processes at once.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import re
import sys
import tempfile
import textwrap
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import fmt, stil
from .paths import safe_name
from .resources import styles_dir

#: Colours with at least 4,5:1 contrast against white, told apart also by marker and hatch;
#: the built-in stylesheet's ``--diagram-N``.
PALETTE = stil.palette(styles_dir() / "rapport.css") or ["#00566b", "#b35900", "#5c3c92"]
MARKERS = ["o", "s", "^", "D", "v", "P"]
DASHES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1))]
HATCHES = ["", "//", "..", "xx", "\\\\", "--"]
KINDS = ("linje", "stapel", "grupperad_stapel", "liggande_stapel")
#: The kinds as an error message lists them.
KINDS_LISTED = ", ".join(f'"{k}"' for k in KINDS)
_VERSION = "10"  # bump when drawing code changes, to invalidate cached images
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
    _pool: ProcessPoolExecutor | None = field(default=None, repr=False)
    _pending: dict[Path, Future[None]] = field(default_factory=dict, repr=False)

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
                _draw_atomic(*job)
            else:
                self._pending[path] = pool.submit(_draw_atomic, *job)
            self.drawn.append(chart.id)
        return RenderedChart(path, alt_text(chart), vector)

    def _executor(self) -> ProcessPoolExecutor | None:
        """The pool that draws charts, started at the first chart to draw; None to draw here."""
        if self._pool is None and self.workers > 0:
            self._pool = forked_pool(self.workers)
        return self._pool

    def finish(self, check: bool = True) -> None:
        """Wait until every chart is drawn; raise the first error from drawing one, if
        ``check`` (without it, after another error, charts not yet begun are not drawn)."""
        pending, self._pending = self._pending, {}
        try:
            for future in pending.values():
                if check:
                    future.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


def forked_pool(workers: int) -> ProcessPoolExecutor | None:
    """``workers`` copies of this process to hand work to, or None to do it here.

    A process is copied (forked, which is quick and needs nothing imported again) only on
    Linux, where that is safe with the libraries loaded, only while it runs no other thread,
    as a build does, and not when it is itself one of several building at once (a batch).
    """
    if workers > 0 and sys.platform == "linux" and threading.active_count() == 1 \
            and (os.cpu_count() or 1) > 1 and multiprocessing.parent_process() is None:
        return ProcessPoolExecutor(workers, multiprocessing.get_context("fork"))
    return None


def _complete(path: Path, formats: tuple[str, ...]) -> bool:
    return all(path.with_suffix(suffix).is_file() for suffix in formats)


def _draw_atomic(chart: Chart, path: Path, style: Path | None, colours: list[str],
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


# --- Drawing ---------------------------------------------------------------------------------


def _tick_formatter(most: int):
    """Swedish tick labels with as many decimals as the ticks need, and no more than ``most``."""
    from matplotlib.ticker import Formatter

    class SwedishTicks(Formatter):
        def format_ticks(self, values: list[float]) -> list[str]:
            shown = 0
            for v in values:
                while shown < most and round(v, shown) != round(v, most):
                    shown += 1
            return [fmt.number(v, shown) for v in values]

        def __call__(self, x: float, pos: int | None = None) -> str:
            return fmt.number(x, most)

    return SwedishTicks()


#: The chart's width (in), as placed at the full text width: its text is then printed at the
#: sizes in diagram.mplstyle, no smaller than the tables' text.
WIDTH_IN = 16.0 / 2.54
#: Room for the value axis, its labels and the margins beside the plot (in).
_AXIS_IN = 1.3


def _label_width(text: str, size: float) -> float:
    """Roughly how wide (in) ``text`` is at ``size`` pt: wide enough to avoid collisions."""
    from .widths import text_width

    return max(text_width(line, size=size) for line in text.split("\n")) / 72


def _upright_labels(chart: Chart, size: float) -> list[str] | None:
    """Category labels wrapped to fit under their bars, or None when they cannot fit."""
    slot = (WIDTH_IN - _AXIS_IN) / max(1, len(chart.kategorier))
    labels = []
    for k in chart.kategorier:
        chars = len(k)
        label = k
        while _label_width(label, size) > slot * 0.8:  # a gap between neighbours
            chars -= 1
            if chars < 4:
                return None
            label = textwrap.fill(k, chars, break_long_words=False)
        if label.count("\n") >= 3:
            return None
        labels.append(label)
    return labels


def _axes(chart: Chart, style: Path | None, horizontal: bool):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # A horizontal chart grows with its categories so that every name has room.
    height = max(3.0, 0.9 + 0.26 * len(chart.kategorier) * len(chart.serier)) if horizontal \
        else 3.0
    figure = Figure(figsize=(WIDTH_IN, height), dpi=200)
    ax = figure.add_subplot()
    values = ax.xaxis if horizontal else ax.yaxis
    values.set_major_formatter(_tick_formatter(chart.decimaler or 0))
    if chart.enhet:
        (ax.set_xlabel if horizontal else ax.set_ylabel)(chart.enhet)
    return figure, ax


def _line(chart: Chart, ax, colours: list[str], labels: list[str]) -> None:
    x = list(range(len(chart.kategorier)))
    for i, s in enumerate(chart.serier):
        ax.plot(x, [float("nan") if v is None else v for v in s.values], label=s.namn,
                color=colours[i % len(colours)], marker=MARKERS[i % 6],
                linestyle=DASHES[i % 6], markersize=4, linewidth=1.6)
    ax.set_xticks(x, labels)


def _bars(chart: Chart, ax, colours: list[str], labels: list[str],
          horizontal: bool) -> None:
    n = len(chart.serier)
    thickness = 0.8 / n
    draw = ax.barh if horizontal else ax.bar  # both take (position, value, thickness)
    for i, s in enumerate(chart.serier):
        places = [k + (i - (n - 1) / 2) * thickness for k in range(len(chart.kategorier))]
        bars = draw(places, [0 if v is None else v for v in s.values], thickness * 0.95,
                    label=s.namn, color=colours[i % len(colours)], hatch=HATCHES[i % 6],
                    edgecolor="white", linewidth=0.5)
        if n == 1 and len(chart.kategorier) <= 8:
            # A few single bars: their values written on them save looking them up.
            ax.bar_label(bars, labels=[fmt.number(v, chart.decimaler or 0) if v is not None
                                       else "" for v in s.values], padding=2)
    if not horizontal:
        ax.set_xticks(range(len(chart.kategorier)), labels)
        return
    ax.set_yticks(range(len(chart.kategorier)), labels)
    ax.invert_yaxis()  # the first category on top, as in the table it comes from
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.axvline(0, color="#333333", linewidth=0.8)


def _add_fonts(style: Path | None) -> None:
    """Make the font files in ``fonts/`` beside the chart style known to matplotlib."""
    from matplotlib import font_manager

    for folder in {p / "fonts" for p in (style.parent if style else None, styles_dir()) if p}:
        for font in sorted(folder.glob("*.[ot]tf")):
            if str(font) not in _FONTS_ADDED:
                font_manager.fontManager.addfont(str(font))
                _FONTS_ADDED.add(str(font))


_FONTS_ADDED: set[str] = set()


def _draw(chart: Chart, path: Path, style: Path | None, colours: list[str],
          formats: tuple[str, ...] = EVERY_FILE) -> None:
    """Draw ``chart`` as PNG at ``path`` and as SVG and PDF beside it (same name), those of
    them in ``formats``."""
    import matplotlib

    _add_fonts(style)
    with matplotlib.rc_context(fname=str(style)) if style else matplotlib.rc_context():
        size = float(matplotlib.rcParams["xtick.labelsize"]) \
            if not isinstance(matplotlib.rcParams["xtick.labelsize"], str) else 8.5
        horizontal = chart.horizontal
        upright = None if horizontal else _upright_labels(chart, size)
        if upright is None and chart.typ != "linje":
            horizontal = True  # the names do not fit under upright bars: lay the bars down
        labels = upright or [textwrap.fill(k, 28) for k in chart.kategorier]
        figure, ax = _axes(chart, style, horizontal)
        if chart.typ == "linje":
            _line(chart, ax, colours, labels)
            if upright is None:
                for label in ax.get_xticklabels():  # only when even wrapping does not help
                    label.set_rotation(45)
                    label.set_ha("right")
        else:
            _bars(chart, ax, colours, labels, horizontal)
        if len(chart.serier) > 1:
            # Below the axis labels, however many lines the (wrapped) labels take.
            if horizontal:
                below = -0.5 / figure.get_figheight() - 0.06
            else:
                lines = max(t.get_text().count("\n") + 1 for t in ax.get_xticklabels())
                below = -0.14 - 0.07 * (lines - 1)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, below),
                      ncol=min(3, len(chart.serier)), frameon=False)
        # The tight frame found once, for every file: "tight" would lay the figure out anew
        # for each.
        frame = figure.get_tightbbox().padded(matplotlib.rcParams["savefig.pad_inches"])
        if ".png" in formats:
            figure.savefig(path, format="png", metadata={"Software": None}, bbox_inches=frame)
        if ".svg" in formats:
            figure.savefig(path.with_suffix(".svg"), format="svg",
                           metadata={"Date": None, "Creator": None}, bbox_inches=frame)
        if ".pdf" in formats:
            # Text as text in the embedded font (a subset), which PDF/UA maps to Unicode.
            with matplotlib.rc_context({"pdf.fonttype": 42}):
                figure.savefig(path.with_suffix(".pdf"), format="pdf", bbox_inches=frame,
                               metadata={"Creator": None, "Producer": None,
                                         "CreationDate": None})
    if ".svg" in formats:
        svg = path.with_suffix(".svg")
        svg.write_text(join_hatched_bars(rounder_dots(svg.read_text(encoding="utf-8"))),
                       encoding="utf-8")


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


#: One hatched bar as matplotlib writes it in an SVG: a group holding one filled path.
_HATCHED_BAR = re.compile(
    r'(?P<indent>[ ]*)<g id="(?P<id>patch_\d+)">\n\s*<path d="(?P<d>[^"]*)" '
    r'(?P<paint>clip-path="[^"]*" style="fill: url\(#h[^"]*")/>\n\s*</g>\n')


def join_hatched_bars(svg: str) -> str:
    """``svg`` with each run of hatched bars painted alike joined into one path.

    The PDF engine fills a hatch pattern anew for every shape that uses it; one shape per
    series instead of one per bar draws the same picture in a fraction of the time. Bars of
    a series follow each other and do not overlap, so joining them changes nothing drawn.
    """
    out: list[str] = []
    run: list[re.Match[str]] = []
    end = 0

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0].group(0))
        elif run:
            first = run[0]
            d = " ".join(m.group("d").strip() for m in run)
            out.append(f'{first["indent"]}<g id="{first["id"]}">\n{first["indent"]} '
                       f'<path d="{d}" {first["paint"]}/>\n{first["indent"]}</g>\n')
        run.clear()

    for m in _HATCHED_BAR.finditer(svg):
        if run and (m.start() != end or m.group("paint") != run[0].group("paint")):
            flush()
        if not run:
            out.append(svg[end:m.start()])
        run.append(m)
        end = m.end()
    flush()
    out.append(svg[end:])
    return "".join(out)
