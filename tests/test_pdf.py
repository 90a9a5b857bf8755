"""The built PDF, its text read back."""

import pytest

NB = "\u00a0"
MINUS = "\u2212"


@pytest.fixture(scope="module")
def text(report_pages):
    return "\n".join(report_pages)


def _norm(s: str) -> str:
    return s.replace(NB, " ")


def test_sections_present(text):
    for heading in ("Sammanfattning", "Målbedömning", "Nämndens mål och resultat", "Ekonomi",
                    "Intern kontroll", "Källförteckning", "Verksamhetsberättelse 2024"):
        assert heading in text


def test_figures_formatted_swedish(text):
    t = _norm(text)
    assert f"{MINUS}501 534" in t
    assert f"{MINUS}3 351" in t
    assert "4 487" in t
    assert "0,9 %" in t
    assert "3 351" in t


def test_same_summary_sentence_as_docx(text):
    t = " ".join(_norm(text).split())
    assert "Av nämndens sju nämndmål är två i mycket hög grad uppfyllda" in t


def test_page_footer(text):
    assert "Sida 2 (" in text


def test_page_numbers_from_the_layout_are_those_of_the_written_pdf(tmp_path):
    """The Word file's contents take the page numbers before the PDF is written."""
    from vbgen.model import doc
    from vbgen.resources import styles_dir
    from vbgen.writers.pdf import heading_pages, typeset

    blocks: list[doc.Block] = [doc.TableOfContents("Innehåll")]
    for n in range(1, 4):
        blocks.append(doc.Heading(1, [doc.Text(f"Kapitel {n}")], id=f"kapitel-{n}"))
        blocks.extend(doc.Paragraph([doc.Text("Text som fyller sidan. " * 40)])
                      for _ in range(8))
    laid = typeset(doc.Document(title="Prov", lang="sv-SE", blocks=blocks),
                   styles_dir() / "rapport.css", tmp_path)
    pages = laid.pages()
    assert pages["kapitel-1"] < pages["kapitel-2"] < pages["kapitel-3"]
    assert pages == heading_pages(laid.write())


def test_a_chart_goes_into_the_pdf_as_its_own_pdf_drawing(tmp_path):
    """WeasyPrint lays out a placeholder of the chart's size; the drawing replaces it."""
    import io

    import pikepdf

    from vbgen.errors import StyleError
    from vbgen.model import doc
    from vbgen.resources import styles_dir
    from vbgen.writers.charts import Chart, ChartRenderer, Series
    from vbgen.writers.pdf import typeset

    chart = Chart(id="sjuk", typ="stapel", titel="Sjukfrånvaro", kategorier=["2023", "2024"],
                  serier=[Series("Kvinnor", [7.5, 6.9]), Series("Män", [4.1, 3.8])])
    image = ChartRenderer(tmp_path / "bilder", styles_dir() / "diagram.mplstyle").render(chart)
    figure = doc.Figure(str(image.path), "Stapeldiagram: sjukfrånvaro.", [doc.Text("Diagram")],
                        vector=str(image.vector))
    document = doc.Document(title="Prov", lang="sv-SE", blocks=[figure])
    data = typeset(document, styles_dir() / "rapport.css", tmp_path,
                   readable=[tmp_path / "bilder"]).write()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        drawn = [x for page in pdf.pages for x in page.obj.Resources.XObject.values()]
        assert not [x for x in drawn if x.get("/Subtype") == "/Image"]  # no placeholder left
        with pikepdf.open(image.vector.with_suffix(".pdf")) as own:
            width = float(own.pages[0].mediabox[2])
        forms = [x for x in drawn if x.get("/Subtype") == "/Form"
                 and float(x.Matrix[0]) == pytest.approx(1 / width, rel=1e-3)]
        assert len(forms) == 1
        fonts = forms[0].Resources.Font.values()
        assert fonts and all("/ToUnicode" in f for f in fonts)  # its text reads as text
    (tmp_path / "ut.pdf").write_bytes(data)
    import subprocess

    text = subprocess.run(["pdftotext", str(tmp_path / "ut.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert "Kvinnor" in text and "Män" in text
    # A chart outside the folders the PDF may read is not read, as a placeholder or otherwise.
    with pytest.raises(StyleError):
        typeset(document, styles_dir() / "rapport.css", tmp_path,
                readable=[tmp_path / "annan"]).write()


def test_a_section_introduction_stays_with_its_figure_on_a_page(tmp_path):
    """A heading, its one paragraph and the chart after them are never cut between the
    paragraph and the chart: the heading and its introduction would stand alone at the
    page's foot."""
    import subprocess

    from PIL import Image

    from vbgen.model import doc
    from vbgen.resources import styles_dir
    from vbgen.writers.pdf import typeset

    Image.new("RGB", (800, 500), "white").save(tmp_path / "bild.png")
    figure = doc.Figure(str(tmp_path / "bild.png"), "En bild.", [doc.Text("Bilden")])
    intro = doc.Paragraph([doc.Text("Diagrammet visar årens tal.")])
    # Four paragraphs leave room for the heading and its paragraph, not for the chart.
    filler = [doc.Paragraph([doc.Text("Text som fyller sidan. " * 40)]) for _ in range(4)]
    document = doc.Document(title="Prov", lang="sv-SE", blocks=[
        doc.Heading(1, [doc.Text("Kapitel")], id="kapitel"), *filler,
        doc.Heading(2, [doc.Text("Årens tal")], id="tal"), intro, figure])
    assert document.leads_in() == {id(intro)}
    (tmp_path / "ut.pdf").write_bytes(typeset(document, styles_dir() / "rapport.css",
                                              tmp_path, readable=[tmp_path]).write())
    pages = subprocess.run(["pdftotext", str(tmp_path / "ut.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    with_intro = next(p for p in pages if "Diagrammet visar" in p)
    assert "Årens tal" in with_intro and "Bilden" in with_intro
    assert "Text som fyller" not in with_intro  # moved together to a page of their own
