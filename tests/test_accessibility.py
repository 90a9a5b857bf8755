"""Accessibility of the built documents: tagged PDF/UA-1 and a Word file that stands up.

Beside the sample report (the session fixture ``built``), a small document with one chart,
a row-header cell and a footnote is built here, so that exact structure can be asserted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from docx.oxml.ns import qn
from lxml import etree

from vbgen.build import Options, build
from vbgen.model import doc
from vbgen.resources import styles_dir
from vbgen.writers.charts import Chart, ChartRenderer, Series
from vbgen.writers.docx import write_docx
from vbgen.writers.pdf import _structure, write_pdf

from .conftest import SECTIONS, word_document

# Each test lays a PDF out or reads the built sample.
pytestmark = pytest.mark.langsam

HEADER = "Socialnämnden – Verksamhetsberättelse 2024"

#: Checker findings that are WeasyPrint limits, documented in docs/stilar.md: rule -> why.
#: Empty: any finding fails the test. Add an entry only together with the documentation.
ALLOWED_OUTLOUD: dict[str, str] = {
    "ORD-001": "WeasyPrint paints images after the page's text; the tag tree order is right",
}
ALLOWED_PDFUA: dict[str, str] = {}


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(built):
    with pikepdf.open(built["pdf"]) as document:
        yield document


@pytest.fixture(scope="module")
def word(built):
    return word_document(built["docx"])


def _headings(word, style: str) -> list[str]:
    return [p.text for p in word.paragraphs if p.style.name == style]


CHART = Chart(id="sjuk", typ="linje", titel="Sjukfrånvaro per månad", kategorier=["jan", "feb"],
              enhet="%", decimaler=1, kalla="Heroma",
              serier=[Series("2023", [7.4, 7.3]), Series("2024", [6.9, 6.8])])


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small document with a chart, a row header and a footnote, as PDF and DOCX."""
    folder = tmp_path_factory.mktemp("small")
    image = ChartRenderer(folder, styles_dir() / "diagram.mplstyle").render(CHART)
    table = doc.Table(
        caption="Personal",
        head=[doc.Row([doc.Cell([doc.Text("Mått")]), doc.Cell([doc.Text("2024")], "right")])],
        body=[doc.Row([doc.Cell([doc.Text("Sjukfrånvaro")], header=True),
                       doc.Cell([doc.Text("6,8")], "right")])])
    document = doc.Document(
        title="Liten rapport", lang="sv-SE", author="Testnämnden", subject="Ett prov",
        header="Testnämnden – Liten rapport",
        blocks=[
            doc.TitlePage("Liten rapport", ["Testnämnden"]),
            doc.TableOfContents("Innehållsförteckning"),
            doc.Heading(1, [doc.Text("Personal")], id="personal"),
            doc.Paragraph([doc.Text("Sjukfrånvaron minskade."),
                           doc.Footnote([doc.Text("Källa: Heroma.")])]),
            doc.Figure(str(image.path), image.alt, [doc.Text(CHART.titel)]),
            doc.Heading(2, [doc.Text("Tabell")], id="tabell"),
            table,
        ])
    pdf_path = folder / "liten.pdf"
    pdf_path.write_bytes(write_pdf(document, styles_dir() / "rapport.css", folder))
    docx_path = folder / "liten.docx"
    docx_path.write_bytes(write_docx(document, styles_dir() / "referens.docx"))
    return {"pdf": pdf_path, "docx": docx_path, "alt": image.alt}


# --- PDF: identification and metadata ----------------------------------------------------------


def test_pdf_declares_pdf_ua_1_and_is_marked(pdf):
    with pdf.open_metadata() as meta:
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == "Verksamhetsberättelse 2024 Socialnämnden"
    assert pdf.Root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in pdf.Root


def test_pdf_language_title_author_subject(pdf):
    assert str(pdf.Root.Lang) == "sv-SE"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    assert str(pdf.docinfo.Title) == "Verksamhetsberättelse 2024 Socialnämnden"
    assert str(pdf.docinfo.Author) == "Socialförvaltningen, Huddinge kommun"
    assert str(pdf.docinfo.Subject).startswith("Socialnämndens verksamhetsberättelse för 2024")


def test_pdf_pages_are_a4_portrait(pdf):
    for page in pdf.pages:
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        assert (round(x1 - x0), round(y1 - y0)) == (595, 842)


def test_pdf_fonts_are_the_shipped_liberation_sans_and_embedded(pdf):
    names = set()
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            names.add(str(font.BaseFont).split("+")[1])
    assert names == {"Liberation-Sans", "Liberation-Sans-Bold", "Liberation-Sans-Italic"}


# --- PDF: navigation --------------------------------------------------------------------------


def test_bookmarks_for_every_heading_1_and_2(pdf, word):
    with pdf.open_outline() as outline:
        top = [item.title for item in outline.root]
        second = [child.title for item in outline.root for child in item.children]
        everything = []
        todo = list(outline.root)
        while todo:
            item = todo.pop()
            everything.append(item.title)
            todo.extend(item.children)
    assert [t.replace("\u00a0", " ") for t in top] == ["Innehållsförteckning", *SECTIONS]
    # Every heading 2, in the contents or not (bookmarks are navigation, like Word's pane).
    assert second == [p.text for p in word.paragraphs
                      if p.style.name in ("Heading 2", "Rubrik 2 utanför innehåll")]
    assert len(second) > 10
    # Sub-headings under each nämndmål are not bookmarks; the title page is not either.
    assert "Motivering" not in everything and "Måluppfyllelse" not in everything
    assert "Verksamhetsberättelse 2024" not in everything


def test_toc_lists_page_numbers(report_pages):
    text = report_pages[1]
    lines = [" ".join(line.replace(".", " ").split()) for line in text.splitlines()]
    assert any(line.startswith("Sammanfattning") and line.endswith(" 3") for line in lines)
    assert any(line.startswith("Källförteckning") and line[-1].isdigit() for line in lines)


def test_links_are_described_and_printable(pdf):
    links = [a for page in pdf.pages for a in page.get("/Annots", [])
             if a.get("/Subtype") == "/Link"]
    assert len(links) >= 15
    for link in links:
        assert int(link.F) & 4
        assert str(link.Contents).startswith("Gå till ")
    assert "Gå till Ekonomi" in {str(link.Contents) for link in links}


# --- PDF: page furniture ----------------------------------------------------------------------


def test_header_and_footer_on_every_page_but_the_title_page(report_pages):
    pages = report_pages
    assert "Sida" not in pages[0] and HEADER not in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        assert HEADER in text
        assert f"Sida {number} ({len(pages)})" in text


def _marked(page) -> list[tuple[str, dict]]:
    out = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC":
            out.append((str(operands[0]), dict(operands[1])))
    return out


def test_header_and_footer_are_pagination_artifacts(pdf):
    reachable = _structure(pdf)
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    for i in range(0, len(nums), 2):
        owners = nums[i + 1]
        if isinstance(owners, pikepdf.Array):
            for owner in owners:
                assert owner is None or owner.objgen in reachable
    assert not [m for m in _marked(pdf.pages[0]) if m[0] == "/Artifact"
                and m[1].get("/Type") == "/Pagination"]
    for page in pdf.pages[1:]:
        pagination = [m for m in _marked(page) if m[0] == "/Artifact"
                      and m[1].get("/Type") == "/Pagination"]
        assert len(pagination) >= 2  # the running header and the page number


def test_headings_are_never_last_on_a_page(pdf):
    """A heading is always followed on its page by what it introduces."""
    pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
    last: dict[int, str] = {}
    for elem in pdf.Root.StructTreeRoot.K[0].K:
        last[pages[elem.Pg.objgen]] = str(elem.S)
    assert len(last) == len(pdf.pages)
    stranded = {n + 1: tag for n, tag in last.items()
                if tag in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6") and n + 1 < len(pdf.pages)}
    assert stranded == {}


# --- PDF: tables and figures ------------------------------------------------------------------


def test_table_header_cells_have_scope(pdf):
    cells = [e for e in _structure(pdf).values() if e.S == "/TH"]
    assert len(cells) > 50
    for cell in cells:
        assert cell.A.Scope == "/Column"  # every header cell of the sample is in a thead


def test_row_header_cell_has_row_scope(small):
    with pikepdf.open(small["pdf"]) as pdf:
        scopes = sorted(str(e.A.Scope) for e in _structure(pdf).values() if e.S == "/TH")
    assert scopes == ["/Column", "/Column", "/Row"]


def test_every_figure_has_the_chart_alt_text(small):
    with pikepdf.open(small["pdf"]) as pdf:
        figures = [e for e in _structure(pdf).values() if e.S == "/Figure"]
        assert len(figures) == 1
        assert str(figures[0].Alt) == small["alt"]
    assert small["alt"].startswith("Linjediagram: Sjukfrånvaro per månad.")


# --- PDF: accessibility checkers --------------------------------------------------------------


def _outloud(path: Path) -> set[str]:
    from outloud import check

    result = check(str(path))
    assert result.error is None
    assert sum(run.status == "ran" for run in result.runs) > 30  # the checker really ran
    headings: set[str] = set()
    if path.with_suffix(".docx").exists():
        word = word_document(path.with_suffix(".docx"))
        headings = {p.text for p in word.paragraphs if p.style.name.startswith("Heading")}
    figures = _figure_boxes(path)
    return {f"{f.rule} ({f.severity}): {f.message}" for f in result.findings
            if f.rule not in ALLOWED_OUTLOUD and not _heading_at_top(f, headings)
            and not _chart_numbers(f, figures)}


def _heading_at_top(finding, headings: set[str]) -> bool:
    """PAG-001 takes a heading that happens to open three pages for a running header."""
    return finding.rule == "PAG-001" and finding.evidence in headings


def _figure_boxes(path: Path) -> dict[int, list[tuple[float, ...]]]:
    """The area of each Figure, by page number, in points from the page's lower left.

    WeasyPrint writes a Figure's BBox in CSS pixels measured from the top of the page.
    """
    boxes: dict[int, list[tuple[float, ...]]] = {}
    with pikepdf.open(path) as pdf:
        number = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
        height = float(pdf.pages[0].mediabox[3])
        for elem in _structure(pdf).values():
            attrs = elem.get("/A")
            if elem.S != "/Figure" or not isinstance(attrs, pikepdf.Dictionary) \
                    or "/BBox" not in attrs or "/Pg" not in elem:
                continue
            x0, top, x1, bottom = (float(v) * 0.75 for v in attrs.BBox)
            boxes.setdefault(number[elem.Pg.objgen], []).append(
                (x0, height - bottom, x1, height - top))
    return boxes


def _chart_numbers(finding, figures: dict[int, list[tuple[float, ...]]]) -> bool:
    """PAG-001 takes a chart's axis numbers at the top or foot of a page for page numbers.

    The chart's text is part of its Figure, which is read by its alt text; only a finding
    whose every number lies inside a Figure is this.
    """
    boxes = finding.boxes or []
    return (finding.rule == "PAG-001" and finding.message.startswith("page numbers")
            and len(boxes) == finding.count
            and all(any(x0 - 1 <= b["x0"] and b["x1"] <= x1 + 1
                        and y0 - 1 <= b["y0"] and b["y1"] <= y1 + 1
                        for x0, y0, x1, y1 in figures.get(b["page"], []))
                    for b in boxes))


def _pdfua(path: Path) -> set[str]:
    from pdfua import validate

    report = validate(str(path))
    return {f"{f.rule_id}: {f.message}" for f in report.findings
            if f.rule_id not in ALLOWED_PDFUA}


@pytest.mark.parametrize("checker", [_outloud, _pdfua])
def test_checkers_find_nothing_in_the_report(built, checker):
    assert checker(built["pdf"]) == set()


@pytest.mark.parametrize("checker", [_outloud, _pdfua])
def test_checkers_find_nothing_in_a_document_with_a_chart(small, checker):
    assert checker(small["pdf"]) == set()


def test_checker_notices_a_missing_alt_text(small, tmp_path):
    """The checker run above can fail: without the figure's alt text it reports it."""
    with pikepdf.open(small["pdf"]) as pdf:
        for elem in _structure(pdf).values():
            if elem.S == "/Figure":
                del elem.Alt
        broken = tmp_path / "utan-alt.pdf"
        pdf.save(broken)
    assert _outloud(broken) and _pdfua(broken)


# --- DOCX ---------------------------------------------------------------------------------------

_TBLPR = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
          "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
          "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange"]


def _local(tag: str) -> str:
    return tag.split("}")[1]


def test_tables_have_caption_repeating_header_and_schema_order(word):
    assert len(word.tables) > 10
    for table in word.tables:
        tblPr = table._tbl.tblPr
        names = [_local(c.tag) for c in tblPr]
        assert names == sorted(names, key=_TBLPR.index)
        caption = tblPr.find(qn("w:tblCaption"))
        assert caption is not None and caption.get(qn("w:val"))
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_style_references_come_first(built):
    """Word calls a file damaged when w:rStyle or w:pStyle is not the first property."""
    document = word_document(built["docx"])
    roots = [document.element] + [etree.fromstring(rel.target_part.blob)
                                  for rel in document.part.rels.values()
                                  if rel.reltype.endswith("/footnotes")]
    assert len(roots) == 2
    count = 0
    for root in roots:
        for props, first in (("w:rPr", "w:rStyle"), ("w:pPr", "w:pStyle")):
            for el in root.iter(qn(props)):
                style = el.find(qn(first))
                if style is not None:
                    count += 1
                    assert el.index(style) == 0
    assert count > 100


def test_toc_is_filled_and_links_to_heading_bookmarks(word):
    body = word.element.body
    instr = [t.text for t in body.iter(qn("w:instrText"))]
    assert any(t.strip().startswith("TOC ") for t in instr)
    entries = [p for p in word.paragraphs if p.style.name.startswith("toc ")]
    # Every heading 1 and 2 meant for it, in order, already there when the file is opened;
    # those kept out (toc="nej") have a heading style of their own that the field skips,
    # and no outline level override that would hide them from Word's navigation pane.
    listed = [p.text for p in word.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    kept_out = [p.text for p in word.paragraphs
                if p.style.name in ("Rubrik 1 utanför innehåll", "Rubrik 2 utanför innehåll")]
    assert not list(body.iter(qn("w:outlineLvl")))
    assert kept_out == ["Målområden", "Personal", "Intern kontroll", "Förbättringsområden",
                        "Fortsätta omställningen till lättillgänglig och kunskapsbaserad "
                        "socialtjänst", "Kostnadsdrivande placeringar",
                        "Undvika konsultkostnader", "Allmän sparsamhet", "Antal anställda",
                        "Personalomsättning", "Sjukfrånvaro", "Medarbetarundersökning"]
    assert [p.text.rsplit("\t", 1)[0] for p in entries] == listed
    assert entries[0].text == "Sammanfattning\t3"  # with its page number in the PDF
    bookmarks = {}
    for p in word.paragraphs:
        start = p._p.find(qn("w:bookmarkStart"))
        if start is not None:
            bookmarks[start.get(qn("w:name"))] = p.text
    for p in entries:
        link = p._p.find(qn("w:hyperlink"))
        assert bookmarks[link.get(qn("w:anchor"))] == p.text.rsplit("\t", 1)[0]
    ids = [b.get(qn("w:id")) for b in body.iter(qn("w:bookmarkStart"))]
    assert len(ids) == len(set(ids))


def test_toc_styles_have_a_dotted_right_tab(word):
    for level in (1, 2):
        tabs = word.styles[f"toc {level}"].paragraph_format.tab_stops
        assert [(t.alignment, t.leader) for t in tabs] == [(2, 1)]  # right, dots


def test_footer_has_page_fields_and_header_the_report(word):
    section = word.sections[0]
    assert section.different_first_page_header_footer
    footer = section.footer._element
    instr = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    assert instr == ["PAGE", "NUMPAGES"]
    assert section.header.paragraphs[0].text == HEADER


def test_docx_language_and_properties(word):
    defaults = word.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "sv-SE"
    cp = word.core_properties
    assert cp.title == "Verksamhetsberättelse 2024 Socialnämnden"
    assert cp.subject.startswith("Socialnämndens verksamhetsberättelse för 2024")
    assert cp.author == "Socialförvaltningen, Huddinge kommun"


def test_docx_headings_have_unbroken_levels(word):
    previous = 0
    for p in word.paragraphs:
        if p.style.name.startswith(("Heading ", "Rubrik ")):  # "Rubrik 2 utanför innehåll"
            level = int(p.style.name.split()[1])
            assert level <= previous + 1, p.text
            previous = level


def test_every_picture_has_alt_text(small):
    document = word_document(small["docx"])
    pictures = list(document.element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"))
    assert len(pictures) == 1
    assert pictures[0].get("descr") == small["alt"]
    table = document.tables[0]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def _font(style) -> str | None:
    while style is not None:
        if style.font.name:
            return style.font.name
        style = style.base_style
    return None


def test_body_font_comes_from_the_style_sheet(sample_copy, tmp_path, warm_charts):
    warm_charts(tmp_path / "ut")
    styles = tmp_path / "stilar"
    shutil.copytree(styles_dir() / "fonts", styles / "fonts")
    shutil.copy(styles_dir() / "referens.docx", styles / "referens.docx")
    css = (styles_dir() / "rapport.css").read_text(encoding="utf-8")
    (styles / "rapport.css").write_text(css.replace(
        '--brodtext: "Liberation Sans", sans-serif;', '--brodtext: "Liberation Serif", serif;'),
        encoding="utf-8")
    (path,) = build(sample_copy, Options(tmp_path / "ut", formats=("docx",), styles=styles,
                                              documents=("verksamhetsberattelse",)))
    built = word_document(path)
    for name in ("Normal", "Tabelltext", "List Bullet", "Caption", "toc 1", "footnote text"):
        assert _font(built.styles[name]) == "Liberation Serif", name
    assert _font(built.styles["Heading 1"]) == "Liberation Sans"  # --rubriker
    body = [p for p in built.paragraphs if p.style.name == "Normal" and p.text]
    assert body and all(r.font.name is None for p in body for r in p.runs)



# --- The logotype on the title page -----------------------------------------------------------


def test_logotype_from_the_styles_folder_on_the_title_page(tmp_path, warm_charts):
    from PIL import Image

    from vbgen.build import CACHE, compose_document
    from vbgen.derive.goals import derive
    from vbgen.load import load
    from vbgen.stylechain import StyleChain

    from .conftest import SAMPLE

    styles = tmp_path / "stilar"
    styles.mkdir()
    assert StyleChain.of(styles).logo() is None  # vbgen ships no logotype of its own
    Image.new("RGB", (300, 100), (0, 90, 110)).save(styles / "logotyp.png")
    warm_charts(tmp_path)
    report = load(SAMPLE)
    document = compose_document(report, derive(report), "verksamhetsberattelse.j2",
                                ChartRenderer(tmp_path / CACHE,
                                              styles_dir() / "diagram.mplstyle"),
                                logo=StyleChain.of(styles).logo())
    title = document.blocks[0]
    assert isinstance(title, doc.TitlePage)
    assert (title.logo, title.logo_alt) == (str(styles / "logotyp.png"),
                                            "Huddinge kommuns logotyp")

    document.blocks = [title, doc.Heading(1, [doc.Text("Sammanfattning")], id="s"),
                       doc.Paragraph([doc.Text("Text.")])]
    word = word_document(write_docx(document, styles_dir() / "referens.docx"))
    assert [s._inline.docPr.get("descr") for s in word.inline_shapes] == [
        "Huddinge kommuns logotyp"]
    assert word.paragraphs[1].style.name == "Title"  # the logotype stands above the title
    path = tmp_path / "logo.pdf"
    path.write_bytes(write_pdf(document, styles_dir() / "rapport.css", tmp_path))
    with pikepdf.open(path) as pdf:
        figures = [str(e.Alt) for e in _structure(pdf).values() if e.S == "/Figure"]
    assert figures == ["Huddinge kommuns logotyp"]
    assert _outloud(path) == set() and _pdfua(path) == set()
