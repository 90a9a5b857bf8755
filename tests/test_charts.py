from vbgen.charts import Chart, ChartRenderer, Series, alt_text
from vbgen.resources import styles_dir

NB = "\u00a0"

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
