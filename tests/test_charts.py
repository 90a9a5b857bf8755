import math
import re
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbgen.compose.templates import chart_globals
from vbgen.errors import TemplateError
from vbgen.resources import styles_dir
from vbgen.writers.charts import (
    FONT_COPY,
    KINDS,
    PALETTE,
    Chart,
    ChartRenderer,
    Series,
    _draw,
    _legend_rows,
    _upright_labels,
    alt_text,
    rounder_dots,
    value_scale,
)
from vbgen.writers.widths import text_width

from .conftest import run_cli
from .pdfdiagram import ReadChart, pattern_colours, read_chart, swedish_number
from .test_disposition import compose, make_folder

NB = "\u00a0"
MINUS = "\u2212"

CHART = Chart(
    id="sjuk", typ="linje", titel="Sjukfrånvaro per månad, R12",
    kategorier=["jan", "feb", "mar"], kalla="Heroma", enhet="%", kategorinamn="Månad",
    decimaler=1,
    serier=[Series("2023", [7.4, 7.3, 7.2]), Series("2024", [6.9, 6.8, None])],
)


def chart_files(folder: Path) -> list[Path]:
    """The files in ``folder`` but the chart font's copy that the charts are drawn with."""
    return [p for p in folder.iterdir() if not p.name.startswith(FONT_COPY)]


def test_alt_text_names_subject_range_highest_and_latest():
    alt = alt_text(CHART)
    assert alt.startswith("Linjediagram: Sjukfrånvaro per månad, R12.")
    assert "Visar 2023 och 2024 per månad, från jan till mar." in alt
    assert f"Högsta värdet är 7,4{NB}% (2023, jan)." in alt
    assert f"Senaste värden: 2023 7,2{NB}% (mar); 2024 6,8{NB}% (feb)." in alt
    assert alt.endswith("Källa: Heroma.")


def test_render_writes_png_once(tmp_path):
    renderer = ChartRenderer(tmp_path, styles_dir() / "diagram.mplstyle")
    first = renderer.render(CHART)
    assert first.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = renderer.render(CHART)
    assert again.path == first.path
    assert renderer.drawn == ["sjuk"]  # the second call used the cached image


def test_bar_chart_renders(tmp_path):
    bars = Chart(id="kost", typ="grupperad_stapel", titel="Nettokostnad per insats",
                 kategorier=["HVB", "Familjehem"], enhet="tkr",
                 serier=[Series("2023", [61800, 133600]), Series("2024", [56700, 135700])])
    image = ChartRenderer(tmp_path).render(bars)
    assert image.path.stat().st_size > 1000
    assert f"135{NB}700 tkr (2024, Familjehem)" in image.alt


@pytest.mark.parametrize(("low", "high", "labels"), [
    (47, 65, ["45", "50", "55", "60", "65"]),  # not 48, 50, 53, ... 2,5 apart and rounded
    (1.3, 3.8, ["1,0", "1,5", "2,0", "2,5", "3,0", "3,5", "4,0"]),
    (0, 1817, ["0", "500", f"1{NB}000", f"1{NB}500", f"2{NB}000"]),
    (-1400, 1500, [f"{MINUS}1{NB}500", f"{MINUS}1{NB}000", f"{MINUS}500", "0", "500",
                   f"1{NB}000", f"1{NB}500"]),
    (0.0012, 0.0031, ["0,0010", "0,0015", "0,0020", "0,0025", "0,0030", "0,0035"]),
    (118, 118, ["105", "110", "115", "120", "125", "130"]),  # one value: a range around it
    (0, 0, ["0,0", "0,2", "0,4", "0,6", "0,8", "1,0"]),
])
def test_value_axis_labels_are_their_ticks_values_in_swedish(low, high, labels):
    assert value_scale(low, high, 6).labels == labels


#: A figure as data has it: up to a trillion, with up to six decimals.
FIGURES = st.decimals(-10**12, 10**12, places=6).map(float)


@settings(max_examples=300, deadline=None)
@given(FIGURES, FIGURES, st.integers(2, 8))
def test_value_axis_is_round_even_and_holds_every_value(a, b, most):
    scale = value_scale(a, b, most)
    ticks, labels = scale.ticks, scale.labels
    low, high = min(a, b), max(a, b)
    assert ticks[0] <= low and high <= ticks[-1]
    assert 2 <= len(ticks) <= most + 1
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert min(abs(mantissa - m) for m in (1, 2, 5)) < 1e-6
    assert all(abs((t1 - t0) - step) <= step * 1e-6 for t0, t1 in zip(ticks, ticks[1:],
                                                                       strict=False))
    # Each label is its tick's value, with no decimal more than one of them needs.
    assert [swedish_number(label) for label in labels] == pytest.approx(list(ticks),
                                                                         rel=1e-9, abs=1e-12)
    decimals = {len(label.partition(",")[2]) for label in labels}
    assert len(decimals) == 1
    assert decimals == {0} or any(not label.endswith("0") for label in labels)


def test_legend_fills_rows_in_series_order():
    assert _legend_rows([100, 100, 100, 100], 330, 10) == [[0, 1, 2], [3]]
    assert _legend_rows([300, 50, 50], 330, 10) == [[0], [1, 2]]
    assert _legend_rows([400], 330, 10) == [[0]]  # too wide still gets its own row


def test_horizontal_bars_speak_of_lowest_not_latest(tmp_path):
    bars = Chart(id="drift", typ="liggande_stapel", titel="Nettokostnad per verksamhet",
                 kategorier=["Barn och unga", "Familjerätt", "Flyktingmottagande"], enhet="mnkr",
                 decimaler=1, serier=[Series("Budget", [310.8, 11.1, -1.4]),
                                      Series("Utfall", [304.1, 11.0, -2.0])])
    image = ChartRenderer(tmp_path, styles_dir() / "diagram.mplstyle").render(bars)
    assert image.path.stat().st_size > 1000
    assert image.alt.startswith("Liggande stapeldiagram: Nettokostnad per verksamhet.")
    assert "Högsta värdet är 310,8 mnkr (Budget, Barn och unga)." in image.alt
    assert f"Lägsta värdet är {MINUS}2,0 mnkr (Utfall, Flyktingmottagande)." in image.alt
    assert "Senaste" not in image.alt


def test_chart_from_a_templates_figures(tmp_path):
    functions = chart_globals({}, ChartRenderer(tmp_path))
    html = functions["diagram_av"]("kost", "Kostnad", ["A", "B"], {"2024": [1.0, 2.5]},
                                   typ="stapel", enhet="mnkr", kalla="Tabellen ovan",
                                   decimaler=1)
    assert 'alt="Stapeldiagram: Kostnad. Visar 2024, från A till B.' in html
    assert "<figcaption>Diagram: Kostnad. Källa: Tabellen ovan.</figcaption>" in html


SOURCES = """\
tabeller:
  - id: besok
    fil: besok.csv
    rubrik: Besök per verksamhet
    kolumner:
      - {kolumn: verksamhet, rubrik: Verksamhet}
      - {kolumn: antal, rubrik: Antal, typ: heltal}
diagram:
  - {id: kurvan, titel: Kurvan, fil: kurva.csv}
disposition:
  - rubrik: Siffror
    block:
      - diagram: kurvan
      - diagram: {tabell: besok, serier: [antal], titel: Besöken}
"""
SOURCE_FILES = {"besok.csv": "verksamhet;antal\nBibliotek;120\nSimhall;80\n",
                "kurva.csv": "år;antal\n2023;4\n2024;5\n"}


def test_a_chart_without_a_source_is_a_gap_that_says_where_to_fill_it(tmp_path):
    from vbgen.compose import luckor

    folder = make_folder(tmp_path, SOURCES, SOURCE_FILES)
    _, document = compose(folder, tmp_path)
    assert [(g.vad, g.plats) for g in luckor.find_gaps(document)] == [
        ('källa för diagrammet "Kurvan"', "vb.yaml, fält diagram[0].kalla"),
        ('källa för diagrammet "Besöken"', "vb.yaml, fält tabeller[0].kalla")]
    result = run_cli("validate", str(folder))
    assert 'källa för diagrammet "Kurvan" (vb.yaml, fält diagram[0].kalla)' in result.output
    final = run_cli("build", str(folder), "--ut", str(tmp_path / "ut"), "--slutlig")
    assert final.exit_code != 0 and 'källa för diagrammet "Besöken"' in final.output


def test_a_chart_of_a_tables_rows_has_the_tables_source(tmp_path):
    from vbgen.compose import luckor
    from vbgen.model import doc

    body = SOURCES.replace("    rubrik: Besök per verksamhet\n",
                           "    rubrik: Besök per verksamhet\n    kalla: Besöksräknare\n") \
        .replace("fil: kurva.csv}", "fil: kurva.csv, kalla: Kassasystemet}")
    _, document = compose(make_folder(tmp_path, body, SOURCE_FILES), tmp_path)
    assert [doc.plain(b.caption) for b in document.blocks if isinstance(b, doc.Figure)] == [
        "Diagram: Kurvan. Källa: Kassasystemet.", "Diagram: Besöken. Källa: Besöksräknare."]
    assert luckor.find_gaps(document) == []


def test_chart_from_figures_reports_a_template_mistake(tmp_path):
    functions = chart_globals({}, ChartRenderer(tmp_path))
    with pytest.raises(TemplateError, match=r'diagram_av\("kost"\): varje serie ska ha ett '
                                            r"värde per kategori \(2 st\)"):
        functions["diagram_av"]("kost", "Kostnad", ["A", "B"], {"2024": [1.0]})
    with pytest.raises(TemplateError, match='okänd diagramtyp "cirkel"'):
        functions["diagram_av"]("kost", "Kostnad", ["A"], {"2024": [1.0]}, typ="cirkel")
    with pytest.raises(TemplateError, match='diagrammet "saknas" finns inte i data'):
        functions["diagram"]("saknas")


def test_chart_is_drawn_as_pdf_and_svg_beside_the_png_for_word(tmp_path):
    image = ChartRenderer(tmp_path, styles_dir() / "diagram.mplstyle").render(CHART)
    assert image.vector is not None and image.vector.suffix == ".svg"
    assert b"<svg" in image.vector.read_bytes()[:1000]
    assert image.vector.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert image.path.read_bytes()[:4] == b"\x89PNG"


GROUPED = Chart(id="g", typ="grupperad_stapel", titel="Placerade", kategorier=["A", "B", "C"],
                enhet="placerade", serier=[Series(str(y), [10.0 + y % 7, 20.0, 5.0])
                                           for y in (2022, 2023, 2024)])


@pytest.mark.parametrize("background", ["white", "none"])
@pytest.mark.parametrize("chart", [CHART, GROUPED], ids=["linje", "staplar"])
def test_png_is_the_charts_drawing_at_200_dpi(tmp_path, chart, background):
    """The Word file's image is the chart's PDF rendered at 200 dpi: as large as matplotlib
    draws the figure, the same picture but for where edges and hatch lines fall, each
    series in its exact colour; without an alpha channel unless the style's background
    lets the page show through."""
    import matplotlib
    import numpy as np
    from PIL import Image

    from vbgen.writers.charts import DPI, _Drawing, chart_font

    style = tmp_path / "diagram.mplstyle"
    style.write_text(re.sub(r"(?m)^(figure|savefig)\.facecolor: .*$",
                            rf"\1.facecolor: {background}",
                            (styles_dir() / "diagram.mplstyle").read_text(encoding="utf-8")),
                     encoding="utf-8")
    _draw(chart, tmp_path / "d.png", style, PALETTE, (".png",))
    with matplotlib.rc_context(matplotlib.rc_params_from_file(style, False)):
        figure = _Drawing(chart, PALETTE, chart_font(tmp_path)).draw()
        figure.savefig(tmp_path / "matplotlib.png", dpi=DPI)

    def seen(name: str) -> Image.Image:
        with Image.open(tmp_path / name) as opened:
            page = Image.new("RGBA", opened.size, "white")
            page.alpha_composite(opened.convert("RGBA"))
            return page.convert("RGB")

    with Image.open(tmp_path / "d.png") as opened:
        assert opened.mode == ("RGB" if background == "white" else "RGBA")
        assert [round(v) for v in opened.info["dpi"]] == [DPI, DPI]
        if background == "none":
            assert opened.getpixel((0, 0))[3] == 0
    drawn, by_matplotlib = seen("d.png"), seen("matplotlib.png")
    assert drawn.size == by_matplotlib.size
    # In blocks of 12 × 12 pixels, edges and hatch lines falling a pixel apart even out.
    blocks = [np.asarray(im.resize((im.width // 12, im.height // 12), Image.BOX), float)
              for im in (drawn, by_matplotlib)]
    assert np.abs(blocks[0] - blocks[1]).mean() < 5
    pixels = np.asarray(drawn).reshape(-1, 3)
    for colour in PALETTE[:len(chart.serier)]:
        rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        assert (pixels == rgb).all(axis=1).sum() > 500, colour


def test_each_hatched_series_is_one_path_in_the_svg(tmp_path):
    """A renderer fills each hatch once per series instead of once per bar."""
    grouped = Chart(id="g", typ="grupperad_stapel", titel="t", kategorier=["A", "B", "C"],
                    serier=[Series(str(y), [1.0, 2.0, 3.0]) for y in (2022, 2023, 2024)])
    svg = ChartRenderer(tmp_path, styles_dir() / "diagram.mplstyle").render(grouped) \
        .vector.read_text(encoding="utf-8")
    # Two hatched series (the first is plain), each one path, and one legend sample each.
    assert svg.count("fill: url(#h") == 4
    # The background, each series' three bars as one shape, each series' legend sample.
    assert len(re.findall(r'<g id="patch_\d+">', svg)) == 1 + 3 + 3


@pytest.mark.langsam
def test_charts_drawn_in_other_processes_are_the_same_and_complete_after_finish(tmp_path):
    import threading

    other = Chart(id="b", typ="stapel", titel="t", kategorier=["A", "B"],
                  serier=[Series("2024", [1.0, 2.0])])
    here = ChartRenderer(tmp_path / "här", styles_dir() / "diagram.mplstyle")
    apart = ChartRenderer(tmp_path / "isär", styles_dir() / "diagram.mplstyle", workers=2)
    images = [apart.render(CHART), apart.render(other), apart.render(CHART)]
    if threading.active_count() == 1:
        assert len(apart._pending) == 2  # drawn elsewhere, each once
    apart.finish()
    assert apart.drawn == ["sjuk", "b"] and apart.pool is None
    for image, chart in zip(images[:2], [CHART, other], strict=True):
        same = here.render(chart)
        assert image.path.read_bytes() == same.path.read_bytes()
        # matplotlib names the SVG's clip paths and patterns at random.
        ids = re.compile(r"\b([hmp])[0-9a-f]{10}\b")
        assert ids.sub(r"\1", image.vector.read_text(encoding="utf-8")) == \
            ids.sub(r"\1", same.vector.read_text(encoding="utf-8"))
    assert sorted(p.name for p in chart_files(tmp_path / "isär")) == sorted(
        image.path.with_suffix(suffix).name for image in images[:2]
        for suffix in (".png", ".svg", ".pdf"))  # no temporary file left


def test_only_the_files_asked_for_are_drawn_and_cached(tmp_path):
    pdf_only = ChartRenderer(tmp_path, styles_dir() / "diagram.mplstyle", formats=(".pdf",))
    image = pdf_only.render(CHART)
    assert [p.suffix for p in chart_files(tmp_path)] == [".pdf"]
    assert pdf_only.render(CHART) == image and pdf_only.drawn == ["sjuk"]  # cached
    both = ChartRenderer(tmp_path, styles_dir() / "diagram.mplstyle", formats=(".pdf", ".png"))
    both.render(CHART)  # the PNG is missing: drawn again
    assert both.drawn == ["sjuk"]
    assert sorted(p.suffix for p in chart_files(tmp_path)) == [".pdf", ".png"]


def test_an_error_drawing_in_another_process_is_raised_by_finish(tmp_path):
    renderer = ChartRenderer(tmp_path, palette=["ingen färg"], workers=2)
    renderer.render(CHART)
    with pytest.raises(ValueError):
        renderer.finish()
    assert renderer.pool is None and not list(tmp_path.glob("*.png"))


def test_hatch_dots_are_drawn_with_four_curves_at_the_same_place_and_size():
    from matplotlib.path import Path as MplPath

    circle = MplPath.unit_circle()
    assert len(circle.codes) == 26  # as matplotlib draws a dot: a move, eight curves, close
    curves = "".join(
        "C " + " ".join(f"{6 + 0.6 * x:g} {72 + 0.6 * y:g}" for x, y in circle.vertices[i:i + 3])
        + " \n" for i in range(1, 25, 3))
    dot = f"M {6 + 0.6 * circle.vertices[0][0]:g} {72 + 0.6 * circle.vertices[0][1]:g} \n{curves}z"
    svg = f'<pattern id="h1">\n<path d="{dot}"/>\n</pattern>\n<path d="{dot}"/>'
    rounder = rounder_dots(svg)
    inside, outside = rounder.split("</pattern>")
    assert outside == f'\n<path d="{dot}"/>'  # only the patterns' dots
    assert inside.count("C ") == 4
    numbers = [float(n) for n in re.findall(r"-?[\d.]+", inside.split('<path d="')[1])]
    ends = [v for i in (0, 6, 12, 18) for v in numbers[i:i + 2]]  # the start, three curve ends
    assert ends == pytest.approx([6.6, 72, 6, 72.6, 5.4, 72, 6, 71.4], abs=1e-3)


def test_colours_come_from_the_stylesheet(tmp_path):
    assert PALETTE[:2] == ["#00566b", "#b35900"]  # --diagram-1, --diagram-2 in rapport.css
    image = ChartRenderer(tmp_path, palette=["#123456", "#654321"]).render(CHART)
    svg = image.vector.read_text(encoding="utf-8")
    assert "#123456" in svg and "#654321" in svg and "#00566b" not in svg


def test_labels_wrap_or_bars_lie_down_instead_of_colliding():
    def width(text: str, size: float) -> float:
        return max(text_width(line, size=size) for line in text.split("\n"))

    plot = 420.0  # pt, about the plot's width in the full text width
    assert _upright_labels(["HVB", "Familjehem"], 8.5, plot / 2, width) == ["HVB", "Familjehem"]
    long = [f"Insatser till personer med funktionsnedsättning {i}" for i in range(12)]
    assert _upright_labels(long, 8.5, plot / 12, width) is None  # drawn lying instead
    four = ["Familjehem extern och behandlingsfamilj", "Jourhem", "Nätverkshem", "HVB"]
    assert _upright_labels(four, 8.5, plot / 4, width)[0] == \
        "Familjehem extern\noch\nbehandlingsfamilj"
    months = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    assert _upright_labels(months, 8.5, plot / 12, width) == months  # no rotation needed


def test_report_pdf_has_no_raster_charts(built):
    import pikepdf

    with pikepdf.open(built["pdf"]) as pdf:
        images = [name for page in pdf.pages
                  for name, obj in page.Resources.get("/XObject", {}).items()
                  if obj.get("/Subtype") == "/Image"]
    assert images == []


def test_chart_text_is_no_smaller_than_the_tables():
    from vbgen.writers import stil

    table_pt = stil.points(stil.tokens(styles_dir() / "rapport.css")["tabelltext-storlek"])
    style = dict(line.split(":", 1) for line in
                 (styles_dir() / "diagram.mplstyle").read_text(encoding="utf-8").splitlines()
                 if ":" in line and not line.startswith("#"))
    for key in ("font.size", "xtick.labelsize", "ytick.labelsize", "legend.fontsize",
                "axes.labelsize"):
        assert float(style[key]) >= table_pt, key


# --- Charts read back from their PDF drawing ---------------------------------------------------


def read_drawn(chart: Chart, folder: Path) -> ReadChart:
    """Draw ``chart`` as PDF, as a build does, and read it back."""
    path = folder / f"{chart.id}.png"
    _draw(chart, path, styles_dir() / "diagram.mplstyle", PALETTE, (".pdf",))
    with pikepdf.open(path.with_suffix(".pdf")) as drawing:
        patterns = pattern_colours(drawing.pages[0].Resources)
    with pdfplumber.open(path.with_suffix(".pdf")) as pdf:
        return read_chart(pdf.pages[0], PALETTE, patterns)


def check_axis(read: ReadChart, chart: Chart) -> None:
    """Every tick label is its tick's value: evenly spaced, standing where a linear map from
    value to place puts it, with the decimals the step needs; every value lies in the
    labelled range, and the legend names the series in their order."""
    axis = read.axis
    assert not read.problems
    assert len(axis.values) >= 2, axis.labels
    step = axis.values[1] - axis.values[0]
    assert step > 0
    for v0, v1 in zip(axis.values, axis.values[1:], strict=False):
        assert v1 - v0 == pytest.approx(step, rel=1e-6), axis.labels
    for value, position in zip(axis.values, axis.positions, strict=True):
        assert axis.at(value) == pytest.approx(position, abs=0.05), axis.labels
    decimals = {len(label.partition(",")[2]) for label in axis.labels}
    assert len(decimals) == 1 and (decimals == {0} or any(
        not label.endswith("0") for label in axis.labels)), axis.labels
    values = [v for s in chart.serier for v in s.values if v is not None]
    assert all(axis.values[0] <= v <= axis.values[-1] for v in values), axis.labels
    assert read.legend == ([s.namn for s in chart.serier] if len(chart.serier) > 1 else [])


def check_marks(read: ReadChart, chart: Chart) -> None:
    """Each bar and each line's point lies where its value does by the axis's labels; bars
    start at zero."""
    axis = read.axis
    # Half a point on the page, in the axis's values.
    close = 0.5 * abs((axis.values[-1] - axis.values[0]) / (axis.positions[-1]
                                                             - axis.positions[0]))
    for i, s in enumerate(chart.serier):
        if chart.typ == "linje":
            joined = [v for j, v in enumerate(s.values) if v is not None and any(
                0 <= k < len(s.values) and s.values[k] is not None for k in (j - 1, j + 1))]
            assert read.lines.get(i, []) == pytest.approx(joined, abs=close), s.namn
        else:
            # A bar shorter than a point may not be drawn at all.
            shown = [v for v in s.values if v is not None and abs(v) > 2 * close]
            drawn = [v for v in read.bars.get(i, []) if abs(v) > 2 * close]
            assert drawn == pytest.approx(shown, abs=close), s.namn
    if chart.typ != "linje":  # (a line's square markers are no bars)
        assert read.bar_starts == pytest.approx([0.0] * len(read.bar_starts), abs=close)


@st.composite
def charts(draw: st.DrawFn) -> Chart:
    """Charts over the ranges data has: tiny, huge, negative, mixed, constant, one point,
    decimals, gaps."""
    kind = draw(st.sampled_from(KINDS))
    count = draw(st.integers(1, 12 if kind == "linje" else 6))
    scale = draw(st.sampled_from([0.001, 0.1, 1.0, 100.0, 1e4, 1e6, 1e9]))
    shape = draw(st.sampled_from(["positiva", "negativa", "blandade", "samma"]))
    same = draw(st.integers(-999, 999))

    def figure() -> float | None:
        if draw(st.integers(0, 9)) == 0:
            return None  # a gap
        n = same if shape == "samma" else draw(st.integers(-999, 999))
        n = abs(n) if shape == "positiva" else -abs(n) if shape == "negativa" else n
        return float(f"{n * scale / 100:.12g}")

    names = ["Alfa", "Beta och gamma", "Delta", "Epsilon"]
    series = [Series(f"Serie {names[i]}", [figure() for _ in range(count)])
              for i in range(draw(st.integers(1, 4)))]
    return Chart(id="prov", typ=kind, titel="Prov", serier=series,
                 kategorier=[f"Kategori {chr(65 + i)}" for i in range(count)],
                 enhet=draw(st.sampled_from(["", "%", "tkr"])))


@pytest.mark.langsam
@settings(max_examples=25, deadline=None)
@given(charts())
def test_charts_read_back_from_their_pdf_never_misstate(tmp_path_factory, chart):
    read = read_drawn(chart, tmp_path_factory.mktemp("diagram"))
    check_axis(read, chart)
    check_marks(read, chart)
    assert read.axis.upright is not chart.horizontal


def test_a_long_category_name_lays_the_bars_down(tmp_path):
    chart = Chart(id="lang", typ="stapel", titel="t", kategorier=[
        f"Insatser till personer med funktionsnedsättning {i}" for i in range(6)],
        serier=[Series("2024", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])])
    read = read_drawn(chart, tmp_path)
    assert not read.axis.upright
    check_axis(read, chart)
    check_marks(read, chart)


def test_a_chart_is_as_wide_as_the_text_so_its_text_is_printed_at_its_size(tmp_path):
    """Placed at the full text width, a chart is not scaled: its text is as large as the
    chart style says, and no smaller than the tables' text."""
    from vbgen.writers import stil

    table_pt = stil.points(stil.tokens(styles_dir() / "rapport.css")["tabelltext-storlek"])
    for chart in (CHART, Chart(id="lang", typ="liggande_stapel", titel="t", enhet="tkr",
                               kategorier=["Insatser till personer med funktionsnedsättning"],
                               serier=[Series("2024", [-1500.0])])):
        _draw(chart, tmp_path / "d.png", styles_dir() / "diagram.mplstyle", PALETTE, (".pdf",))
        with pikepdf.open(tmp_path / "d.pdf") as pdf:
            page = pdf.pages[0]
            assert float(page.mediabox[2] - page.mediabox[0]) == pytest.approx(16 / 2.54 * 72)
            sizes = {float(operands[1]) for operands, op in pikepdf.parse_content_stream(page)
                     if str(op) == "Tf"}
        assert sizes == {8.5} and min(sizes) >= table_pt


def test_only_a_build_that_will_draw_starts_its_drawing_processes_early(tmp_path):
    """They load matplotlib while the templates are filled in; a build that draws nothing
    would only slow down."""
    from vbgen.build import _will_draw
    from vbgen.load import load

    from .conftest import KULTUR, SAMPLE, copy_kultur

    cache = tmp_path / "cache"
    assert _will_draw(load(SAMPLE), cache)  # charts declared under diagram
    kultur = copy_kultur(tmp_path / KULTUR.name)
    assert _will_draw(load(kultur), cache)  # a chart of a table's rows in the outline
    assert not _will_draw(load(make_folder(tmp_path, "")), cache)  # no chart
    cache.mkdir()
    (cache / "sjuk-0123.pdf").write_bytes(b"%PDF")
    assert not _will_draw(load(SAMPLE), cache)  # charts drawn before: most are kept


def test_the_chart_font_copy_is_the_font_without_its_layout_tables_and_the_same_every_time(
        tmp_path):
    """Charts drawn at another time embed the same font bytes: their PDFs stay the same."""
    import matplotlib
    from fontTools.ttLib import TTFont

    from vbgen.writers import subset
    from vbgen.writers.charts import LAYOUT_TABLES, SMALL_REPERTOIRE, _add_fonts, chart_font

    style = styles_dir() / "diagram.mplstyle"
    _add_fonts(style)
    original = TTFont(styles_dir() / "fonts" / "LiberationSans-Regular.ttf")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with matplotlib.rc_context(fname=str(style)):
        whole = chart_font(tmp_path / "a", "Ω")
        small = chart_font(tmp_path / "a", "Kvinnor och män")
        assert chart_font(tmp_path / "b", "Åsa").read_bytes() == small.read_bytes()
    font = TTFont(whole)
    assert not set(LAYOUT_TABLES) & set(font.keys())
    assert font["head"].modified == original["head"].modified
    assert font["kern"].kernTables[0].kernTable == original["kern"].kernTables[0].kernTable
    assert font.getBestCmap() == original.getBestCmap()
    if not subset.available():
        assert small == whole  # without HarfBuzz, every chart from the whole font
        return
    cut = TTFont(small)
    assert not set(LAYOUT_TABLES) & set(cut.keys())
    assert cut["head"].modified == original["head"].modified
    assert cut.getBestCmap() == {c: g for c, g in original.getBestCmap().items()
                                 if chr(c) in SMALL_REPERTOIRE}
    kept = set(cut.getGlyphOrder())
    assert cut["kern"].kernTables[0].kernTable == {
        pair: value for pair, value in original["kern"].kernTables[0].kernTable.items()
        if set(pair) <= kept}
    assert len(kept) < len(original.getGlyphOrder()) / 3


def test_a_chart_looks_the_same_from_either_copy_of_the_font(tmp_path, monkeypatch):
    """The small copy keeps the hinting and kerning of the Latin letters: a chart drawn from
    it is, pixel for pixel, the chart drawn from the whole font; one that writes a letter
    outside it is drawn from the whole font."""
    from fontTools.ttLib import TTFont
    from PIL import Image, ImageChops

    from vbgen.writers import charts, subset

    if not subset.available():
        pytest.skip("utan HarfBuzz ritas alla diagram ur hela typsnittet")
    chart = Chart(id="kern", typ="grupperad_stapel", titel="Prov",
                  kategorier=["AVTAL Tv", "Yta, Wå", "Öppen vård"], enhet="%",
                  serier=[Series("Förvaltning Väst", [7.4, -3.25, 11.0]),
                          Series("Åtgärd “Ja”", [6.9, 4.5, 2.0])])
    style = styles_dir() / "diagram.mplstyle"
    _draw(chart, tmp_path / "liten.png", style, PALETTE, (".png",))
    used = {p.name for p in tmp_path.iterdir() if p.name.startswith(FONT_COPY)}
    assert len(used) == 1
    whole = tmp_path / "hela"
    whole.mkdir()
    monkeypatch.setattr(charts, "SMALL_REPERTOIRE", frozenset())
    _draw(chart, whole / "hela.png", style, PALETTE, (".png",))
    assert {p.name for p in whole.iterdir() if p.name.startswith(FONT_COPY)} != used
    small, big = Image.open(tmp_path / "liten.png"), Image.open(whole / "hela.png")
    assert small.size == big.size
    assert ImageChops.difference(small.convert("RGB"), big.convert("RGB")).getbbox() is None
    monkeypatch.undo()
    other = tmp_path / "annat"
    other.mkdir()
    _draw(Chart(id="pil", typ="stapel", titel="Prov", kategorier=["a → b", "c"],
                serier=[Series("s", [1.0, 2.0])]), other / "pil.png", style, PALETTE, (".png",))
    (copy,) = [p for p in other.iterdir() if p.name.startswith(FONT_COPY)]
    assert copy.name not in used  # the whole font, which has the arrow
    assert 0x2192 in TTFont(copy).getBestCmap()