"""The built Word file, read back with python-docx."""

import zipfile

import pytest
from docx.oxml.ns import qn

from .conftest import SECTIONS, word_document

NB = "\u00a0"
MINUS = "\u2212"



@pytest.fixture(scope="module")
def document(built):
    return word_document(built["docx"])


def _table(document, first_header: str):
    for t in document.tables:
        if t.rows[0].cells[0].text == first_header:
            return [[c.text for c in row.cells] for row in t.rows]
    raise AssertionError(f"ingen tabell börjar med {first_header!r}")


def test_each_section_is_a_heading_1(document):
    h1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h.replace(NB, " ") for h in h1] == SECTIONS
    assert any(f"december{NB}2024" in h for h in h1)  # a date kept on one line


def test_title_page(document):
    title = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert title == ["Verksamhetsberättelse 2024"]
    subtitles = [p.text for p in document.paragraphs if p.style.name == "Subtitle"]
    # Written as the tjänsteskrivelse's letterhead writes them for the same ärende.
    assert subtitles == ["Socialnämnden", "Huddinge kommun", "Diarienummer: SN 2025/123",
                         f"Datum: 11{NB}februari{NB}2025"]


def test_goal_tree_headings(document):
    h2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    # The data's spaced hyphen is set as an en dash that never starts a line.
    assert f"Målområde: En hållbar naturkommun{NB}– ekologisk hållbarhet" in h2
    h4 = [p.text for p in document.paragraphs if p.style.name == "Heading 4"]
    assert len([h for h in h4 if h.startswith("Nämndmål: ")]) == 7
    h5 = [p.text for p in document.paragraphs if p.style.name == "Heading 5"]
    for part in ("Måluppfyllelse", "Motivering", "Analys", "Genomfört arbete"):
        assert h5.count(part) == 7


def test_resultatrakning_figures(document):
    rows = _table(document, "Resultaträkning")
    # A header wraps between its words (never hyphenated); a short body cell does not.
    assert rows[0] == ["Resultaträkning", "Budget helår", "Utfall helår", "Avvikelse helår",
                       "Utfall föregående år"]
    assert [r[0] for r in rows if r[0].startswith("Årets")] == [f"Årets{NB}resultat"]
    by_post = {r[0].replace(NB, " "): r[1:] for r in rows[1:]}
    assert by_post["Årets resultat"] == [f"{MINUS}501{NB}534", f"{MINUS}497{NB}046",
                                         f"4{NB}487", f"{MINUS}466{NB}299"]
    assert by_post["Köp av verksamhet"][2] == f"{MINUS}3{NB}351"
    assert by_post["Bidrag kostnader"][2] == "930"


def test_drift_figures_with_percent(document):
    rows = _table(document, "Verksamhet")
    by_name = {r[0].replace(NB, " "): r[1:] for r in rows[1:]}
    assert by_name["Årets resultat"] == [f"501{NB}534", f"497{NB}046", f"4{NB}487",
                                         f"0,9{NB}%", f"466{NB}299"]
    assert by_name["Barn & ungdomsvård"][2] == f"6{NB}647"


def test_indicator_table(document):
    rows = _table(document, "Indikatorer")
    assert rows[0] == ["Indikatorer", "2022", "2023", "2024", "Etappmål 2024", "Målvärde 2030"]
    visits = next(r for r in rows if r[0].startswith("Antal besök inom socialpsykiatrins"))
    assert visits[1:] == ["470", f"1{NB}894", f"3{NB}351", f"1{NB}200", f"1{NB}500"]


def test_missing_indicator_value_is_a_dash(document):
    for t in document.tables:
        for row in t.rows:
            if row.cells[0].text.startswith("Fordon med förnyelsebara"):
                # An empty value has one mark in every table: the en dash; the row's
                # numbers show one decimal each, as its most precise does.
                assert [c.text for c in row.cells[1:]] == ["47,4", "71,4", "80,0", "89,0", "–"]
                return
    raise AssertionError("fordonsindikatorn saknas")


def test_malbedomning_table_shows_symbol_and_text(document):
    rows = _table(document, "Målområde")
    assert len(rows) == 8
    assert rows[1][3] == f"●{NB}I mycket hög grad{NB}uppfyllt"  # never its last word alone
    assert rows[5][3] == f"◑{NB}Delvis{NB}uppfyllt"


def test_header_rows_repeat_and_rows_do_not_split(document):
    for t in document.tables:
        first = t.rows[0]._tr.trPr
        assert first is not None and first.find(qn("w:tblHeader")) is not None
        for row in t.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None


def test_generated_summary_sentence(document):
    texts = [p.text for p in document.paragraphs]
    assert ("Av nämndens sju nämndmål är två i mycket hög grad uppfyllda, ett i hög grad "
            "uppfyllt och fyra delvis uppfyllda.") in " ".join(texts)
    assert any("4,5 miljoner kronor" in t and "0,9 %".replace(" ", NB) in t for t in texts)


def test_core_properties(document):
    cp = document.core_properties
    assert cp.title == "Verksamhetsberättelse 2024 Socialnämnden"
    assert cp.author == "Socialförvaltningen, Huddinge kommun"
    assert cp.language == "sv-SE"


def test_footnotes_are_word_footnotes(document):
    refs = document.element.body.findall(".//" + qn("w:footnoteReference"))
    assert len(refs) >= 4


def test_word_file_has_no_template_leftovers(document, built):
    cp = document.core_properties
    assert cp.created.year >= 2025 and cp.created == cp.modified
    assert cp.revision == 1
    with zipfile.ZipFile(built["docx"]) as z:
        names = set(z.namelist())
        app = z.read("docProps/app.xml").decode()
        settings = z.read("word/settings.xml").decode()
    assert not {n for n in names if "thumbnail" in n or n.startswith("customXml")}
    assert "Macintosh" not in app and "<Application>vbgen</Application>" in app
    assert 'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" ' \
        'w:val="15"' in settings
    assert '<w:updateFields w:val="true"/>' in settings


def test_contents_show_page_numbers(document):
    entries = [p.text for p in document.paragraphs if p.style.name.startswith("toc ")]
    assert entries[0] == "Sammanfattning\t3"
    numbers = [int(e.rsplit("\t", 1)[1]) for e in entries]
    assert numbers == sorted(numbers)


def test_a_draft_says_so_on_the_cover_in_the_header_and_in_its_status(sample_copy, tmp_path,
                                                                     warm_charts):
    from vbgen.build import Options, build

    warm_charts(tmp_path)
    paths = build(sample_copy, Options(tmp_path, formats=("docx",),
                                       documents=("verksamhetsberattelse",)))
    word = word_document(paths[0])
    # A band across the cover, in a style of its own, white on the identity's --utkast.
    band = [p for p in word.paragraphs if p.style.name == "Utkastmärke"]
    assert [p.text for p in band] == ["Utkast"]
    assert 'w:fill="A3193B"' in band[0].style.element.xml
    header = word.sections[0].header.paragraphs[0].text
    assert header == "Socialnämnden – Verksamhetsberättelse 2024 – Utkast"
    assert word.core_properties.content_status == "Utkast"


def test_a_final_build_has_no_draft_marks_and_says_so(document):
    assert "Utkast" not in [p.text for p in document.paragraphs]
    assert document.sections[0].header.paragraphs[0].text == (
        "Socialnämnden – Verksamhetsberättelse 2024")
    assert document.core_properties.content_status == "Slutlig"


def test_short_tables_keep_together_and_long_ones_may_break(document):
    short = long = 0
    for table in document.tables:
        heads = sum(1 for tr in table._tbl.tr_lst
                    if tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None)
        kept = [all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
                for row in table.rows]
        merged = any(tc.tcPr is not None and tc.tcPr.find(qn("w:vMerge")) is not None
                     for tc in table._tbl.iter(qn("w:tc")))
        if len(table.rows) - heads <= 8:
            short += 1
            assert all(kept[:-1])
        elif not merged:
            long += 1
            # The head keeps with the first row, and the table may break after it.
            assert kept[:heads + 1] == [True] * (heads + 1)
            assert not any(kept[heads + 1:])
    assert short and long


def test_contents_renumbered_in_a_written_file_are_as_if_written_anew() -> None:
    """When the PDF's pages turn out other than the last build's, a build sets the new
    numbers in the Word file it wrote, which must then read as one written with them."""
    import datetime as dt
    import io
    import zipfile

    from vbgen.model import doc
    from vbgen.resources import styles_dir
    from vbgen.writers.docx import write_docx
    from vbgen.writers.docxpages import renumber

    blocks: list[doc.Block] = [doc.TableOfContents("Innehåll", depth=2)]
    for n in range(1, 4):
        blocks += [doc.Heading(1, [doc.Text(f"Kapitel {n}")], id=f"k{n}"),
                   doc.Heading(2, [doc.Text(f"Avsnitt {n}")], id=f"a{n}"),
                   doc.Paragraph([doc.Text("Text.")])]
    document = doc.Document(title="Prov", lang="sv-SE", blocks=blocks)
    built = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    old = {"k1": 3, "a1": 3, "k2": 5, "a2": 6, "k3": 8, "a3": 8}
    new = {"k1": 3, "a1": 4, "k2": 7, "a2": 7, "k3": 12}  # a3 not known: no number

    def xml(data: bytes) -> str:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return package.read("word/document.xml").decode()

    reference = styles_dir() / "referens.docx"
    first = write_docx(document, reference, built, old)
    again = renumber(first, document, new)
    assert again is not None
    assert xml(again) == xml(write_docx(document, reference, built, new))
    assert xml(again) != xml(first)
    with zipfile.ZipFile(io.BytesIO(first)) as a, zipfile.ZipFile(io.BytesIO(again)) as b:
        assert a.namelist() == b.namelist()
        assert all(a.read(n) == b.read(n) for n in a.namelist() if n != "word/document.xml")
    # A file whose contents are not as vbgen writes them is written anew instead.
    assert renumber(first, doc.Document(title="Prov", lang="sv-SE", blocks=[
        doc.TableOfContents("Innehåll"), doc.Heading(1, [doc.Text("Annat")], id="x")]),
        new) is None


def test_every_property_stands_in_the_schemas_order(built_all, tmp_path):
    """Word asks to repair a file whose properties stand out of the schema's order; both
    samples' Word files, a draft with a title page's field among them, have none."""
    from docx.oxml.text.parfmt import CT_PPr

    from vbgen.build import Options, build

    from .conftest import copy_kultur
    from .ooxml import child_order, out_of_order

    assert child_order(CT_PPr)[:2] == ("w:pStyle", "w:keepNext")  # the check can see
    kultur = build(copy_kultur(tmp_path), Options(tmp_path / "ut",
                                                  documents=("verksamhetsberattelse",)))
    files = [p for p in [*built_all, *kultur] if p.suffix == ".docx"]
    assert len(files) == 3
    assert not {f.name: out_of_order(f) for f in files if out_of_order(f)}
    # The title page's field, an anchor written by hand, is among what was checked.
    with zipfile.ZipFile(files[-1]) as z:
        assert b"<wp:anchor" in z.read("word/document.xml")
