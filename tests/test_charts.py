import re

import pytest

from vbgen.charts import (
    PALETTE,
    Chart,
    ChartRenderer,
    Series,
    _tick_formatter,
    _upright_labels,
    alt_text,
    join_hatched_bars,
    rounder_dots,
)
from vbgen.compose import chart_globals
from vbgen.errors import TemplateError
from vbgen.resources import styles_dir

NB = "\u00a0"
MINUS = "\u2212"

CHART = Chart(
    id="sjuk", typ="linje", titel="Sjukfrånvaro per månad, R12",
    kategorier=["jan", "feb", "mar"], kalla="Heroma", enhet="%", kategorinamn="Månad",
    decimaler=1,
    serier=[Series("2023", [7.4, 7.3, 7.2]), Series("2024", [6.9, 6.8, None])],
)


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


def test_tick_labels_are_swedish_with_the_decimals_they_need():
    ticks = _tick_formatter(1)
    assert ticks.format_ticks([0.0, 50.0, 100.0]) == ["0", "50", "100"]
    assert ticks.format_ticks([6.5, 7.0, 7.5]) == ["6,5", "7,0", "7,5"]
    assert ticks.format_ticks([-1500.0, 0.0, 1500.0]) == [f"{MINUS}1{NB}500", "0", f"1{NB}500"]


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


def test_each_hatched_series_is_one_path_in_the_svg(tmp_path):
    """An SVG renderer fills each hatch once per series instead of once per bar."""
    grouped = Chart(id="g", typ="grupperad_stapel", titel="t", kategorier=["A", "B", "C"],
                    serier=[Series(str(y), [1.0, 2.0, 3.0]) for y in (2022, 2023, 2024)])
    svg = ChartRenderer(tmp_path, styles_dir() / "diagram.mplstyle").render(grouped) \
        .vector.read_text(encoding="utf-8")
    # Two hatched series (the first is plain), each one path, and one legend patch each.
    assert svg.count("fill: url(#h") == 4
    assert svg.count("z M ") == 4  # three bars in each of the two joined paths


def test_joining_hatched_bars_keeps_every_bar_and_leaves_the_rest():
    bar = ('   <g id="patch_{n}">\n    <path d="M {x} 0 \nL {x} 5 \nz\n" clip-path="url(#p1)" '
           'style="fill: url(#h{h}); stroke: #ffffff"/>\n   </g>\n')
    line = '   <g id="line2d_1">\n    <path d="M 0 0 L 9 9"/>\n   </g>\n'
    svg = ("<svg>\n" + bar.format(n=1, x=1, h="a") + bar.format(n=2, x=2, h="a")
           + bar.format(n=3, x=3, h="b") + line + bar.format(n=4, x=4, h="b") + "</svg>\n")
    joined = join_hatched_bars(svg)
    assert joined.count("<path") == 4  # a+a joined; b, the line and the b after it kept apart
    assert 'd="M 1 0 \nL 1 5 \nz M 2 0 \nL 2 5 \nz"' in joined
    assert line in joined and joined.count("url(#hb)") == 2
    assert join_hatched_bars("<svg>plain</svg>") == "<svg>plain</svg>"


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
    assert apart.drawn == ["sjuk", "b"] and apart._pool is None
    for image, chart in zip(images[:2], [CHART, other], strict=True):
        same = here.render(chart)
        assert image.path.read_bytes() == same.path.read_bytes()
        # matplotlib names the SVG's clip paths and patterns at random.
        ids = re.compile(r"\b([hmp])[0-9a-f]{10}\b")
        assert ids.sub(r"\1", image.vector.read_text(encoding="utf-8")) == \
            ids.sub(r"\1", same.vector.read_text(encoding="utf-8"))
    assert sorted(p.name for p in (tmp_path / "isär").iterdir()) == sorted(
        image.path.with_suffix(suffix).name for image in images[:2]
        for suffix in (".png", ".svg", ".pdf"))  # no temporary file left


def test_only_the_files_asked_for_are_drawn_and_cached(tmp_path):
    pdf_only = ChartRenderer(tmp_path, styles_dir() / "diagram.mplstyle", formats=(".pdf",))
    image = pdf_only.render(CHART)
    assert [p.suffix for p in tmp_path.iterdir()] == [".pdf"]
    assert pdf_only.render(CHART) == image and pdf_only.drawn == ["sjuk"]  # cached
    both = ChartRenderer(tmp_path, styles_dir() / "diagram.mplstyle", formats=(".pdf", ".png"))
    both.render(CHART)  # the PNG is missing: drawn again
    assert both.drawn == ["sjuk"]
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".pdf", ".png"]


def test_an_error_drawing_in_another_process_is_raised_by_finish(tmp_path):
    renderer = ChartRenderer(tmp_path, palette=["ingen färg"], workers=2)
    renderer.render(CHART)
    with pytest.raises(ValueError):
        renderer.finish()
    assert renderer._pool is None and not list(tmp_path.glob("*.png"))


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
    short = Chart(id="a", typ="stapel", titel="t", kategorier=["HVB", "Familjehem"],
                  serier=[Series("2024", [1.0, 2.0])])
    assert _upright_labels(short, 8.5) == ["HVB", "Familjehem"]
    long = Chart(id="b", typ="stapel", titel="t",
                 kategorier=[f"Insatser till personer med funktionsnedsättning {i}"
                             for i in range(12)], serier=[Series("2024", [1.0] * 12)])
    assert _upright_labels(long, 8.5) is None  # drawn as horizontal bars instead
    months = Chart(id="c", typ="linje", titel="t", kategorier=["jan", "feb", "mar", "apr", "maj",
                   "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
                   serier=[Series("2024", [1.0] * 12)])
    assert _upright_labels(months, 8.5) == months.kategorier  # no rotation needed


def test_report_pdf_has_no_raster_charts(built):
    import pikepdf

    with pikepdf.open(built["pdf"]) as pdf:
        images = [name for page in pdf.pages
                  for name, obj in page.Resources.get("/XObject", {}).items()
                  if obj.get("/Subtype") == "/Image"]
    assert images == []


def test_chart_text_is_no_smaller_than_the_tables():
    from vbgen import stil

    table_pt = stil.points(stil.tokens(styles_dir() / "rapport.css")["tabelltext-storlek"])
    style = dict(line.split(":", 1) for line in
                 (styles_dir() / "diagram.mplstyle").read_text(encoding="utf-8").splitlines()
                 if ":" in line and not line.startswith("#"))
    for key in ("font.size", "xtick.labelsize", "ytick.labelsize", "legend.fontsize",
                "axes.labelsize"):
        assert float(style[key]) >= table_pt, key
