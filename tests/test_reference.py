"""The sample report covers every part of the published report it is modelled on (004).

Each heading of 004's table of contents must be in both files, and the report must have at
least as many tables, charts and footnotes as 004.
"""

import re
import zipfile

import docx
import pikepdf
import pypdf
import pytest

from vbgen.writers.pdf import _structure
from vbgen.writers.typografi import undo

#: The table of contents of reference 004, in its order, without page numbers.
TOC_004 = [
    "Sammanfattning",
    "Målbedömning",
    "Nämndens mål och resultat",
    "Målområde: En trygg kommun där människor trivs och växer - social hållbarhet",
    "Målområde: En hållbar naturkommun - ekologisk hållbarhet",
    "Målområde: En ansvarsfull ekonomi i hela Huddinge - ekonomisk hållbarhet",
    "Årets händelser",
    "Effektiviseringsarbete",
    "Ekonomi",
    "Resultaträkning",
    "Drift per verksamhet",
    "Särskilda satsningar",
    "Extern finansiering",
    "Investeringar",
    "Väsentliga personalförhållanden",
    "Personalförsörjning (särskilt bristyrkesgrupper)",
    "Kompetensutveckling (inklusive chefsutveckling)",
    "Intern kontroll",
    "Sammanfattande bedömning av nämndens interna kontroll",
    "Åtgärder för att minska identifierade risker",
    "Åtgärder utifrån rekommendation från revision eller annan extern granskning",
    "Plan för uppföljning och insyn",
    "Planerad uppföljning",
    "Källförteckning",
    "Bilaga 2. Externa volymer per den sista december 2024 socialnämnden",
]
#: Counted in 004: tab-separated tables, "Diagrammet ..." sentences (some speak of two
#: charts), the sick leave charts of the personnel section, and footnote marks.
TABLES_004 = 29
CHARTS_004 = 15
FOOTNOTES_004 = 11


@pytest.fixture(scope="module")
def word(built):
    return docx.Document(str(built["docx"]))


@pytest.fixture(scope="module")
def pdf(built):
    with pikepdf.open(built["pdf"]) as document:
        yield document


def test_every_heading_of_the_reference_toc_is_a_heading_in_the_docx(word):
    # As the data wrote them: the report's typography (typografi) taken away.
    headings = [undo(p.text) for p in word.paragraphs if p.style.name.startswith("Heading ")]
    missing, at = [], 0
    for heading in TOC_004:  # in the reference's order
        if heading in headings[at:]:
            at = headings.index(heading, at) + 1
        else:
            missing.append(heading)
    assert missing == []


def test_every_heading_of_the_reference_toc_is_in_the_pdf(report_pages):
    text = " ".join(undo("\n".join(report_pages)).split())
    body = text[text.index("Sammanfattning", text.index("Innehållsförteckning") + 500):]
    assert [h for h in TOC_004 if h not in body] == []


def test_every_heading_of_the_reference_toc_is_a_pdf_bookmark(pdf):
    with pdf.open_outline() as outline:
        titles: list[str] = []
        todo = list(outline.root)
        while todo:
            item = todo.pop(0)
            titles.append(undo(item.title))
            todo[:0] = item.children
    assert [h for h in TOC_004 if h not in titles] == []


def test_at_least_as_many_tables_as_the_reference(word, pdf):
    assert len(word.tables) >= TABLES_004
    # WeasyPrint tags each page's part of a table that crosses pages as its own table.
    assert len([e for e in _structure(pdf).values() if e.S == "/Table"]) >= len(word.tables)


def test_at_least_as_many_charts_as_the_reference(word, pdf):
    alts = [s._inline.docPr.get("descr") for s in word.inline_shapes]
    assert len(alts) >= CHARTS_004
    assert all(re.search(r"\d", alt) for alt in alts)  # each names a figure from its data
    figures = [str(e.Alt) for e in _structure(pdf).values() if e.S == "/Figure"]
    assert sorted(figures) == sorted(alts)  # the same charts, with the same alt text


def test_footnotes_are_real_in_both_files(built):
    with zipfile.ZipFile(built["docx"]) as z:
        notes = re.findall(r'<w:footnote [^>]*w:id="(\d+)"', z.read("word/footnotes.xml").decode())
        body = z.read("word/document.xml").decode()
    own = [n for n in notes if int(n) > 0]  # ids below 1 are Word's separators
    assert len(own) >= FOOTNOTES_004
    assert len(re.findall(r"<w:footnoteReference ", body)) == len(own)
    # In the PDF each note stands at the foot of a page, in smaller type than the text.
    # WeasyPrint draws in CSS pixels from the top of the page: A4 is 1123 px high, the body
    # text is 13,3 px (10 pt).
    marks: list[tuple[float, float]] = []
    for page in pypdf.PdfReader(str(built["pdf"])).pages:
        def keep(text, _cm, tm, _font, size, found=marks):
            if re.fullmatch(r"\d+\. ?", text):
                found.append((tm[5], size))
        page.extract_text(visitor_text=keep)
    assert len([(y, size) for y, size in marks if y > 1123 / 2 and size < 13]) == len(own)
