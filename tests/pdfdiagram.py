"""A chart read back from its PDF drawing, as a reader sees it.

The numbers on the value axis and the grid lines they stand at, how far each bar and line
reaches by those numbers, the legend in reading order. Used on a chart's own PDF and on the
charts placed in a report's PDF (each a form, whose text is text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pikepdf

from vbgen.resources import styles_dir

#: A number as a chart shows it: "1 750", "−2,5".
NUMBER = re.compile(r"^−?\d{1,3}(?:\u00a0\d{3})*(?:,\d+)?$")
#: How far (pt) a label's middle may lie from its grid line: glyph boxes are not centred on
#: the digits.
NEAR = 3.0


def swedish_number(text: str) -> float | None:
    """The value of a number written the Swedish way, or None if ``text`` is none."""
    if not NUMBER.match(text):
        return None
    return float(text.replace("\u00a0", "").replace(",", ".").replace("−", "-"))


def rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255


def _is(colour: object, wanted: tuple[float, float, float]) -> bool:
    """Whether a colour as pdfplumber gives it (grey as one number) is ``wanted``."""
    if isinstance(colour, int | float) or (isinstance(colour, tuple | list)
                                           and len(colour) == 1):
        grey = float(colour if isinstance(colour, int | float) else colour[0])
        colour = (grey, grey, grey)
    return (isinstance(colour, tuple | list) and len(colour) == 3
            and all(abs(float(a) - b) < 0.01 for a, b in zip(colour, wanted, strict=True)))


#: The built-in chart style.
STYLE = styles_dir() / "diagram.mplstyle"


def style_colour(style: Path, key: str) -> tuple[float, float, float]:
    """A colour of the chart style ``style`` (``grid.color``, ``axes.edgecolor``)."""
    text = style.read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(key)}:\s*#?([0-9A-Fa-f]{{6}})", text, re.MULTILINE)
    assert found, f"{style.name} anger inte {key}"
    return rgb(found.group(1))


@dataclass
class Axis:
    """The value axis: its labels from the lowest value up, and where each label's grid line
    is (pt, growing with the value)."""

    upright: bool
    labels: list[str]
    values: list[float]
    positions: list[float]

    def at(self, value: float) -> float:
        """Where ``value`` lies, by the map from the outermost labels to their lines."""
        (v0, p0), (v1, p1) = self._ends()
        return p0 + (value - v0) * (p1 - p0) / (v1 - v0)

    def value(self, position: float) -> float:
        """The value at ``position``, by the same map."""
        (v0, p0), (v1, p1) = self._ends()
        return v0 + (position - p0) * (v1 - v0) / (p1 - p0)

    def _ends(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return (self.values[0], self.positions[0]), (self.values[-1], self.positions[-1])


@dataclass
class ReadChart:
    axis: Axis
    #: The legend's names in reading order (row by row, left to right).
    legend: list[str]
    #: The value where each bar ends, by colour index, in the order drawn.
    bars: dict[int, list[float]] = field(default_factory=dict)
    #: The value where each bar starts (nearer zero).
    bar_starts: list[float] = field(default_factory=list)
    #: The value of each point of each line, by colour index, left to right.
    lines: dict[int, list[float]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_chart(page: pdfplumber.page.Page, colours: list[str],
               patterns: dict[str, tuple[float, float, float]], style: Path = STYLE
               ) -> ReadChart:
    """Read the chart drawn on ``page`` (or a crop of a page holding only the chart) with the
    chart style ``style``, whose hatch ``patterns`` (see :func:`pattern_colours`) fill with a
    colour each."""
    words = [w for w in page.extract_words(keep_blank_chars=True, use_text_flow=False)
             if w["upright"]]
    grid, edge = style_colour(style, "grid.color"), style_colour(style, "axes.edgecolor")
    lines = [ln for ln in page.lines if _is(ln.get("stroking_color"), grid)]
    assert lines, "diagrammet har inga stödlinjer"
    # The plot area is inside its frame: the long lines in the axes' colour.
    frame = [ln for ln in page.lines if _is(ln.get("stroking_color"), edge)
             and max(ln["x1"] - ln["x0"], ln["bottom"] - ln["top"]) > 8]  # not a tick mark
    plot = (min(ln["x0"] for ln in frame), min(ln["top"] for ln in frame),
            max(ln["x1"] for ln in frame), max(ln["bottom"] for ln in frame))
    upright = all(abs(ln["top"] - ln["bottom"]) < 0.5 for ln in lines)
    problems: list[str] = []
    found: list[tuple[float, str]] = []
    for ln in lines:
        if upright:
            y = ln["top"]
            near = [w for w in words if 0 <= ln["x0"] - w["x1"] < 15
                    and abs((w["top"] + w["bottom"]) / 2 - y) < NEAR]
            position = -y
        else:
            x = ln["x0"]
            near = [w for w in words if abs((w["x0"] + w["x1"]) / 2 - x) < NEAR
                    and 0 <= w["top"] - ln["bottom"] < 15]
            position = x
        numbers = [w["text"] for w in near if swedish_number(w["text"]) is not None]
        if len(numbers) != 1:
            problems.append(f"stödlinjen vid {position:.1f} har etiketterna {numbers}")
            continue
        found.append((position, numbers[0]))
    found.sort()
    axis = Axis(upright, [t for _, t in found], [swedish_number(t) or 0.0 for _, t in found],
                [p for p, _ in found])
    shapes = _shapes(page, patterns)
    chart = ReadChart(axis, _legend(shapes, words, colours, plot), problems=problems)
    if len(found) < 2:
        problems.append(f"färre än två siffror på värdeaxeln: {axis.labels}")
        return chart
    wanted = [rgb(c) for c in colours]
    for r, colour in shapes:
        index = next((i for i, c in enumerate(wanted) if _is(colour, c)), None)
        if index is None or not r.get("fill") or not _inside(r, plot):
            continue
        ends = (-r["top"], -r["bottom"]) if upright else (r["x0"], r["x1"])
        zero = axis.at(0)
        start, end = sorted(ends, key=lambda e: abs(e - zero))
        chart.bars.setdefault(index, []).append(axis.value(end))
        chart.bar_starts.append(axis.value(start))
    points: dict[int, list[tuple[float, float]]] = {}
    for c, colour in shapes:
        index = next((i for i, w in enumerate(wanted) if _is(colour, w)), None)
        # A line broken by a gap is drawn in parts; a lone point has no line, only a marker.
        if index is not None and not c.get("fill") and _inside(c, plot) and len(c["pts"]) > 1:
            points.setdefault(index, []).extend(c["pts"])
    for index, found_points in points.items():
        chart.lines[index] = [axis.value(-y) for _, y in sorted(found_points)]
    return chart


def _inside(obj: dict, plot: tuple[float, float, float, float]) -> bool:
    """Whether ``obj`` lies in the plot area (not in the legend below it)."""
    x0, top, x1, bottom = plot
    return (x0 - 0.5 <= obj["x0"] and obj["x1"] <= x1 + 0.5
            and top - 0.5 <= obj["top"] and obj["bottom"] <= bottom + 0.5)


def _shapes(page: pdfplumber.page.Page, patterns: dict[str, tuple[float, float, float]]
            ) -> list[tuple[dict, object]]:
    """Every filled rectangle with its fill (a hatch pattern's colour for a pattern), and
    every stroked line with its stroke."""
    rects = [(r, r.get("non_stroking_color")) for r in page.rects if r.get("fill")]
    return [(r, patterns.get(c, c) if isinstance(c, str) else c) for r, c in rects] + \
        [(c, c.get("stroking_color")) for c in page.curves + page.lines if not c.get("fill")]


def pattern_colours(resources: pikepdf.Dictionary) -> dict[str, tuple[float, float, float]]:
    """The colour each hatch pattern in ``resources`` paints under its hatch, by name."""
    found = {}
    for name, pattern in resources.get("/Pattern", {}).items():
        fill = re.search(rb"([\d.]+) ([\d.]+) ([\d.]+) rg", pattern.read_bytes())
        if fill:
            found[name.lstrip("/")] = (float(fill[1]), float(fill[2]), float(fill[3]))
    return found


def _legend(shapes: list[tuple[dict, object]], words: list[dict], colours: list[str],
            plot: tuple[float, float, float, float]) -> list[str]:
    """The names after the legend's samples (a line or a bar in a series colour outside the
    plot), in reading order."""
    wanted = [rgb(c) for c in colours]
    samples = [obj for obj, colour in shapes if any(_is(colour, c) for c in wanted)
               and not _inside(obj, plot) and obj["x1"] - obj["x0"] > 5]
    names: list[tuple[float, float, str]] = []
    for s in samples:
        middle = (s["top"] + s["bottom"]) / 2
        after = [w for w in words if 0 <= w["x0"] - s["x1"] < 10
                 and abs((w["top"] + w["bottom"]) / 2 - middle) < NEAR]
        if after:
            names.append((round(middle), s["x0"], min(after, key=lambda w: w["x0"])["text"]))
    return [name for _, _, name in sorted(names)]


# --- Charts placed in a report's PDF ---------------------------------------------------------


def _multiply(a: list[float], b: list[float]) -> list[float]:
    """The product of two PDF matrices [a b c d e f], ``a`` applied first."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


@dataclass
class Placed:
    """A chart placed in a report's PDF: its page, its box (x0, top, x1, bottom, as
    pdfplumber measures) and its hatch patterns' colours."""

    page: int
    box: tuple[float, float, float, float]
    patterns: dict[str, tuple[float, float, float]]


def placed_charts(path: Path) -> list[Placed]:
    """Every form drawn on the pages of the PDF at ``path`` (the charts), in page order."""
    found = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            height = float(page.mediabox[3])
            forms = {str(k): v for k, v in page.Resources.get("/XObject", {}).items()
                     if v.get("/Subtype") == "/Form"}
            ctm = [1.0, 0, 0, 1.0, 0, 0]
            stack = []
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "q":
                    stack.append(ctm)
                elif str(op) == "Q":
                    ctm = stack.pop()
                elif str(op) == "cm":
                    ctm = _multiply([float(v) for v in operands], ctm)
                elif str(op) == "Do" and str(operands[0]) in forms:
                    matrix = [float(v) for v in forms[str(operands[0])].get(
                        "/Matrix", [1, 0, 0, 1, 0, 0])]
                    form = forms[str(operands[0])]
                    box = [float(v) for v in form.BBox]
                    m = _multiply(matrix, ctm)
                    xs = [box[0] * m[0] + m[4], box[2] * m[0] + m[4]]
                    ys = [box[1] * m[3] + m[5], box[3] * m[3] + m[5]]
                    found.append(Placed(number, (min(xs), height - max(ys), max(xs),
                                                 height - min(ys)),
                                        pattern_colours(form.get("/Resources", {}))))
    return found
