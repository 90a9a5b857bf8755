"""Charts: one function per chart kind, each returning the image and its alt text.

The look comes from ``styles/diagram.mplstyle`` (fonts, sizes, grid) and the palette below;
tick labels are formatted by :mod:`vbgen.fmt`. Meaning is never carried by colour alone:
lines differ in marker and dash, bars in hatching. The same PNG goes into DOCX and PDF.
Images are cached by content, so an unchanged chart is not drawn again.
"""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

from . import fmt, parallel
from .resources import styles_dir

#: Colours with at least 4,5:1 contrast against white, told apart also by marker and hatch.
PALETTE = ["#00566b", "#b35900", "#5c3c92", "#2e6b30", "#a3193b", "#4d4d4d"]
MARKERS = ["o", "s", "^", "D", "v", "P"]
DASHES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1))]
HATCHES = ["", "//", "..", "xx", "\\\\", "--"]
KINDS = ("linje", "stapel", "grupperad_stapel", "liggande_stapel")
#: The kinds as an error message lists them.
KINDS_LISTED = ", ".join(f'"{k}"' for k in KINDS)
_VERSION = "5"  # bump when drawing code changes, to invalidate cached images


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


@dataclass
class ChartRenderer:
    """Draws charts into ``cache_dir``; reuses an image whose content has not changed.

    With ``defer``, :meth:`render` only names the image (its path and alt text do not depend
    on drawing it) and :meth:`draw_pending` later draws all new ones at once, on two cores.
    """

    cache_dir: Path
    style: Path | None = None
    drawn: list[str] = field(default_factory=list)
    defer: bool = False
    pending: dict[Path, Chart] = field(default_factory=dict)

    def render(self, chart: Chart) -> RenderedChart:
        style_text = self.style.read_text(encoding="utf-8") if self.style else ""
        key = hashlib.sha256(json.dumps([_VERSION, style_text, asdict(chart)],
                                        sort_keys=True, default=str).encode()).hexdigest()[:20]
        path = self.cache_dir / f"{chart.id}-{key}.png"
        if not path.exists():
            self.pending[path] = chart
            if not self.defer:
                self.draw_pending()
        return RenderedChart(path, alt_text(chart))

    def draw_pending(self) -> None:
        """Draw every chart named since the last call whose image is not cached."""
        todo = list(self.pending.items())
        self.pending.clear()
        if not todo:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        # Every other chart to each core: neighbours are often of the same size.
        shares = [share for share in (todo[0::2], todo[1::2]) if share]
        _load_matplotlib(self.style)  # once, before the second process is forked off
        parallel.run_split([partial(_draw_all, share, self.style) for share in shares])
        self.drawn.extend(chart.id for _, chart in todo)


def _load_matplotlib(style: Path | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure  # noqa: F401

    _add_fonts(style)


def _draw_all(charts: list[tuple[Path, Chart]], style: Path | None) -> None:
    for path, chart in charts:
        # Named by process, since another build may draw the same chart at the same time.
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.png")
        _draw(chart, tmp, style)
        _store_compactly(tmp)
        tmp.replace(path)


def _store_compactly(path: Path) -> None:
    """Compress the drawn image (saved uncompressed, to be encoded only once), and keep it
    as plain RGB when it has no transparency: the same pixels, and a PNG whose compressed
    rows a PDF can take as they are instead of decoding and encoding them again."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        opaque = image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255)
        final = image.convert("RGB") if opaque else image.copy()
        dpi = image.info.get("dpi")
    final.save(path, format="PNG", **({"dpi": dpi} if dpi else {}))


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


def _tick_formatter(most: int):  # type: ignore[no-untyped-def]
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


def _axes(chart: Chart, style: Path | None):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    horizontal = chart.horizontal
    # A horizontal chart grows with its categories so that every name has room.
    height = max(3.2, 0.8 + 0.22 * len(chart.kategorier) * len(chart.serier)) if horizontal \
        else 3.2
    with matplotlib.rc_context(fname=str(style)) if style else matplotlib.rc_context():
        figure = Figure(figsize=(6.4, height), dpi=200)
        ax = figure.add_subplot()
    values = ax.xaxis if horizontal else ax.yaxis
    values.set_major_formatter(_tick_formatter(chart.decimaler or 0))
    if chart.enhet:
        (ax.set_xlabel if horizontal else ax.set_ylabel)(chart.enhet)
    return figure, ax


def _line(chart: Chart, ax) -> None:  # type: ignore[no-untyped-def]
    x = list(range(len(chart.kategorier)))
    for i, s in enumerate(chart.serier):
        ax.plot(x, [float("nan") if v is None else v for v in s.values], label=s.namn,
                color=PALETTE[i % 6], marker=MARKERS[i % 6], linestyle=DASHES[i % 6],
                markersize=3.5, linewidth=1.6)
    ax.set_xticks(x, chart.kategorier)


def _bars(chart: Chart, ax) -> None:  # type: ignore[no-untyped-def]
    horizontal = chart.horizontal
    n = len(chart.serier)
    thickness = 0.8 / n
    draw = ax.barh if horizontal else ax.bar  # both take (position, value, thickness)
    for i, s in enumerate(chart.serier):
        places = [k + (i - (n - 1) / 2) * thickness for k in range(len(chart.kategorier))]
        draw(places, [0 if v is None else v for v in s.values], thickness * 0.95,
             label=s.namn, color=PALETTE[i % 6], hatch=HATCHES[i % 6], edgecolor="white",
             linewidth=0.5)
    # Long category names (insatser) are wrapped so that neighbouring labels do not overlap.
    labels = [textwrap.fill(k, 28 if horizontal else 18) for k in chart.kategorier]
    if not horizontal:
        ax.set_xticks(range(len(chart.kategorier)), labels)
        return
    ax.set_yticks(range(len(chart.kategorier)), labels)
    ax.invert_yaxis()  # the first category on top, as in the table it comes from
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.axvline(0, color="#333333", linewidth=0.8)


_DRAW: dict[str, Callable[..., None]] = {"linje": _line, "stapel": _bars,
                                          "grupperad_stapel": _bars,
                                          "liggande_stapel": _bars}


def _add_fonts(style: Path | None) -> None:
    """Make the font files in ``fonts/`` beside the chart style known to matplotlib."""
    from matplotlib import font_manager

    for folder in {p / "fonts" for p in (style.parent if style else None, styles_dir()) if p}:
        for font in sorted(folder.glob("*.[ot]tf")):
            if str(font) not in _FONTS_ADDED:
                font_manager.fontManager.addfont(str(font))
                _FONTS_ADDED.add(str(font))


_FONTS_ADDED: set[str] = set()


def _draw(chart: Chart, path: Path, style: Path | None) -> None:
    import matplotlib

    _add_fonts(style)
    with matplotlib.rc_context(fname=str(style)) if style else matplotlib.rc_context():
        figure, ax = _axes(chart, style)
        _DRAW[chart.typ](chart, ax)
        if len(chart.kategorier) > 8 and not chart.horizontal:
            for label in ax.get_xticklabels():
                label.set_rotation(45)
                label.set_ha("right")
        if len(chart.serier) > 1:
            # Below the axis labels, however many lines the (wrapped) labels take.
            if chart.horizontal:
                below = -0.45 / figure.get_figheight() - 0.05
            else:
                lines = max(t.get_text().count("\n") + 1 for t in ax.get_xticklabels())
                below = (-0.16 if len(chart.kategorier) <= 8 else -0.28) - 0.07 * (lines - 1)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, below),
                      ncol=min(3, len(chart.serier)), frameon=False)
        figure.savefig(path, format="png", metadata={"Software": None}, bbox_inches="tight",
                       pil_kwargs={"compress_level": 0})
