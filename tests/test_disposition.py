"""The outline (``disposition``) on small data folders written by the tests.

Also home of the helpers the tests of the general format share: :func:`make_folder` writes a
minimal data folder, :func:`compose` builds its report in memory, :func:`problems` lists
the errors loading it gives.
"""

from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import pypdf
import pytest
from docx.oxml.ns import qn

from vbgen.build import Options, build, compose_all
from vbgen.errors import DataError
from vbgen.load import load
from vbgen.model import doc
from vbgen.model.report import Report

from .conftest import line_of, word_document

#: The fields every main file needs, with a three-step scale.
HEAD = """\
kommun: Testby kommun
namnd: Testnämnden
ar: 2024
forvaltning: Testförvaltningen
skala:
  - {text: Uppfyllt, symbol: "●"}
  - {text: Delvis uppfyllt, symbol: "◑"}
  - {text: Ej uppfyllt, symbol: "○"}
"""
#: A one-level goal tree, added when a test's main file has none.
TREE = """\
malnivaer: [Mål]
mal:
  - {id: M1, namn: Första målet, maluppfyllelse: Uppfyllt}
"""
#: The sources of the goal tables, added (last, so that no line moves) when a test's main
#: file has none.
SOURCES = """\
kallor: {malbedomning: Målsystemet, uppdrag: Målsystemet}
"""
#: A one-section outline, added when a test's main file has none.
OUTLINE = """\
disposition:
  - rubrik: Avsnitt
"""


def make_folder(root: Path, body: str = "", files: dict[str, str] | None = None,
                head: str = HEAD, name: str = "data") -> Path:
    """Write ``root/name`` with vb.yaml (``head`` + ``body``, plus a goal tree, an outline and
    the goal tables' sources unless ``body`` has them) and ``files`` (path: text); return the
    folder."""
    folder = root / name
    folder.mkdir(parents=True)
    text = head + dedent(body)
    if head and not re.search(r"^mal:", text, re.MULTILINE):
        text += TREE
    if head and not re.search(r"^disposition:", text, re.MULTILINE):
        text += OUTLINE
    if head and not re.search(r"^kallor:", text, re.MULTILINE):
        text += SOURCES
    (folder / "vb.yaml").write_text(text, encoding="utf-8")
    for rel, content in (files or {}).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(content), encoding="utf-8")
    return folder


def compose(folder: Path, out: Path, templates: Path | None = None
            ) -> tuple[Report, doc.Document]:
    """The report and its verksamhetsberättelse, composed in memory."""
    report, documents, _ = compose_all(
        folder, Options(out / "ut", templates=templates, documents=("verksamhetsberattelse",)))
    return report, documents["verksamhetsberattelse"]


def problems(folder: Path) -> list[str]:
    """Every problem loading ``folder`` gives, as the user reads it."""
    with pytest.raises(DataError) as caught:
        load(folder)
    return [str(p) for p in caught.value.problems]


def headings(document: doc.Document) -> list[tuple[int, str]]:
    return [(h.level, doc.plain(h.children)) for h in document.headings()]


def block_kinds(document: doc.Document) -> list[str]:
    """Each block as a short label: its kind and its first words."""
    out = []
    for b in document.blocks:
        if isinstance(b, doc.Heading | doc.Paragraph):
            out.append(f"{type(b).__name__}:{doc.plain(b.children)}")
        elif isinstance(b, doc.Table):
            out.append(f"Table:{b.caption}")
        else:
            out.append(type(b).__name__)
    return out


# --- The outline ------------------------------------------------------------------------------

TABLE = """\
tabeller:
  - id: siffror
    fil: siffror.csv
    rubrik: Siffrorna
    kalla: Testsystemet
    kolumner:
      - {kolumn: namn, rubrik: Namn}
      - {kolumn: antal, rubrik: Antal, typ: heltal}
diagram:
  - {id: kurvan, titel: Kurvan, fil: kurva.csv, kalla: Egen räkning}
"""
TABLE_FILES = {"siffror.csv": "namn;antal\nA;1\nB;2\n",
               "kurva.csv": "år;antal\n2023;4\n2024;5\n"}

DEEP = TABLE + """\
disposition:
  - innehall
  - rubrik: Ett
    text: Första texten.
    avsnitt:
      - rubrik: Ett ett
        avsnitt:
          - rubrik: Ett ett ett
            avsnitt:
              - rubrik: Ett ett ett ett
                text: Djupast.
      - rubrik: Ny sida
        ny_sida: ja
        text: Börjar på en ny sida.
  - rubrik: Två
    block:
      - text: Blockets text.
      - tabell: siffror
      - text: Efter tabellen.
      - sidbrytning
      - text: Efter sidbrytningen.
  - rubrik: Dold i innehållet
    i_innehall: nej
    text: Står inte i innehållsförteckningen.
"""
DEEP_HEADINGS = [(1, "Ett"), (2, "Ett ett"), (3, "Ett ett ett"), (4, "Ett ett ett ett"),
                 (2, "Ny sida"), (1, "Två"), (1, "Dold i innehållet")]


def test_sections_follow_the_outline_with_heading_levels_by_depth(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, DEEP, TABLE_FILES)
    _, document = compose(folder, tmp_path)
    assert headings(document) == DEEP_HEADINGS
    kinds = block_kinds(document)
    assert kinds[0] == "TableOfContents"
    two = kinds.index("Heading:Två")
    assert kinds[two:two + 6] == ["Heading:Två", "Paragraph:Blockets text.", "Table:Siffrorna",
                                  "Paragraph:Efter tabellen.", "PageBreak",
                                  "Paragraph:Efter sidbrytningen."]


def test_ny_sida_breaks_the_page_before_a_subsection_only_where_asked(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, DEEP, TABLE_FILES)
    _, document = compose(folder, tmp_path)
    kinds = block_kinds(document)
    assert kinds[kinds.index("Heading:Ny sida") - 1] == "PageBreak"
    assert kinds[kinds.index("Heading:Ett ett") - 1] != "PageBreak"


def test_i_innehall_nej_keeps_a_heading_out_of_the_table_of_contents(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, DEEP, TABLE_FILES)
    _, document = compose(folder, tmp_path)
    toc = {doc.plain(h.children): h.toc for h in document.headings()}
    assert toc["Dold i innehållet"] is False
    assert toc["Två"] is True and toc["Ett ett"] is True


@pytest.fixture(scope="module")
def deep_built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The deep outline built as DOCX and PDF, once for this module."""
    root = tmp_path_factory.mktemp("djup")
    folder = make_folder(root, DEEP, TABLE_FILES)
    paths = build(folder, Options(root / "ut", documents=("verksamhetsberattelse",)))
    return {p.suffix.lstrip("."): p for p in paths}


def test_docx_headings_have_the_heading_style_of_their_depth(deep_built: dict[str, Path]
                                                             ) -> None:
    document = word_document(deep_built["docx"])
    found = [(int(p.style.name.split()[1]), p.text) for p in document.paragraphs
             if p.style.name.startswith(("Heading ", "Rubrik "))]
    assert found == DEEP_HEADINGS
    # A heading kept out of the contents has a heading style of its own, not an override.
    hidden = [p for p in document.paragraphs if p.text == "Dold i innehållet"][0]
    assert hidden.style.name == "Rubrik 1 utanför innehåll"
    shown = [p for p in document.paragraphs if p.text == "Två"][0]
    assert shown.style.name == "Heading 1"
    assert shown._p.pPr.find(qn("w:outlineLvl")) is None


def _outline(reader: pypdf.PdfReader) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, item.title))

    walk(reader.outline, 1)
    return out


def test_pdf_bookmarks_nest_by_depth(deep_built: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(str(deep_built["pdf"]))
    outline = [(lv, t) for lv, t in _outline(reader) if t != "Innehållsförteckning"]
    assert outline == DEEP_HEADINGS


def test_pdf_table_of_contents_and_page_breaks(deep_built: dict[str, Path]) -> None:
    pages = [p.extract_text() for p in pypdf.PdfReader(str(deep_built["pdf"])).pages]
    # The default depth 2 lists heading levels 1 and 2, but not those kept out.
    toc = [line.split(" .")[0] for line in pages[0].splitlines() if " ..." in line]
    assert toc == ["Ett", "Ett ett", "Ny sida", "Två"]
    # ny_sida: ja on a level-2 section; a level-1 section always starts a page.
    page_of = {text: next(i for i, p in enumerate(pages) if text in p)
               for text in ("Djupast.", "Börjar på en ny sida.", "Blockets text.",
                            "Efter tabellen.", "Efter sidbrytningen.")}
    assert page_of["Börjar på en ny sida."] == page_of["Djupast."] + 1
    assert page_of["Efter tabellen."] == page_of["Blockets text."]
    assert page_of["Efter sidbrytningen."] == page_of["Blockets text."] + 1


def test_title_page_block_and_bare_block_names(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, """\
        disposition:
          - titelsida
          - block:
              - innehall: {titel: Innehåll, djup: 1}
          - rubrik: Ett
        """)
    _, document = compose(folder, tmp_path)
    title, toc = document.blocks[0], document.blocks[1]
    assert isinstance(title, doc.TitlePage)
    assert title.title == "Verksamhetsberättelse 2024"
    assert title.lines == ["Testnämnden", "Testby kommun"]
    assert title.draft == "Utkast"  # a draft says so, as a band across the cover
    assert isinstance(toc, doc.TableOfContents)
    assert (toc.title, toc.depth) == ("Innehåll", 1)


# --- Marks in texts ----------------------------------------------------------------------------

MARKS = TABLE + """\
disposition:
  - rubrik: Ekonomi
    text: {fil: text/ekonomi.md}
    block:
      - text: |
          Blocket före.

          [diagram: kurvan]

          Blocket efter.
"""
MARKS_TEXT = """\
Före tabellen.

[tabell: siffror]

Mellan tabellen och diagrammet.

  [diagram: kurvan]

Efter diagrammet.
"""


def test_table_and_chart_marks_place_them_between_paragraphs(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, MARKS, {**TABLE_FILES, "text/ekonomi.md": MARKS_TEXT})
    _, document = compose(folder, tmp_path)
    assert block_kinds(document) == [
        "Heading:Ekonomi", "Paragraph:Före tabellen.", "Table:Siffrorna",
        "Paragraph:Mellan tabellen och diagrammet.", "Figure", "Paragraph:Efter diagrammet.",
        "Paragraph:Blocket före.", "Figure", "Paragraph:Blocket efter."]
    figure = document.blocks[4]
    assert isinstance(figure, doc.Figure)
    assert doc.plain(figure.caption) == "Diagram: Kurvan. Källa: Egen räkning."


def test_unknown_marks_are_errors_naming_the_line(tmp_path: Path) -> None:
    body = MARKS.replace("text: {fil: text/ekonomi.md}", "text: \"[tabell: saknas]\"") \
        .replace("[diagram: kurvan]", "[diagram: borta]")
    folder = make_folder(tmp_path, body, TABLE_FILES)
    vb = folder / "vb.yaml"
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(vb, "[tabell: saknas]")}, fält "disposition[1].text": '
        'tabellen "saknas" finns inte under tabeller; kända tabeller: siffror',
        f'vb.yaml, rad {line_of(vb, "[diagram: borta]")}, fält "disposition[1].block[1].text": '
        'diagrammet "borta" i texten finns inte under diagram; kända diagram: kurvan']


def test_a_mark_in_a_markdown_file_is_an_error_at_the_files_own_line(tmp_path: Path) -> None:
    text = MARKS_TEXT.replace("[tabell: siffror]", "[tabell: sifror]")
    folder = make_folder(tmp_path, MARKS, {**TABLE_FILES, "text/ekonomi.md": "\n\n" + text})
    line = line_of(folder / "text" / "ekonomi.md", "[tabell: sifror]")
    assert line == 5  # two blank lines first, which the text itself loses
    assert problems(folder) == [
        f'text/ekonomi.md, rad {line}: tabellen "sifror" finns inte under tabeller; kända '
        "tabeller: siffror"]


def test_unknown_block_kind_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, """\
        disposition:
          - rubrik: Ett
            block:
              - tabellen
        """)
    vb = folder / "vb.yaml"
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(vb, "- tabellen")}, fält "disposition[1].block[1]": '
        'okänt block "tabellen"; skriv ett av titelsida, innehall, sidbrytning, '
        "malsammanfattning, malbedomning, malrapport, kallforteckning, uppdrag eller ett "
        "block med värde"]


def test_a_missing_text_file_of_a_section_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, """\
        disposition:
          - rubrik: Ett
            text: {fil: text/saknas.md}
        """)
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(folder / "vb.yaml", "saknas.md")}, fält '
        '"disposition[1].text": filen "text/saknas.md" finns inte i mappen']


def test_a_missing_text_file_of_a_text_block_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, """\
        disposition:
          - rubrik: Ett
            block:
              - text: {fil: text/saknas.md}
        """)
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(folder / "vb.yaml", "saknas.md")}, fält '
        '"disposition[1].block[1].text": filen "text/saknas.md" finns inte i mappen']


def test_block_with_unknown_table_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, TABLE + dedent("""\
        disposition:
          - rubrik: Ett
            block:
              - tabell: siffrorna
        """), TABLE_FILES)
    vb = folder / "vb.yaml"
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(vb, "- tabell: siffrorna")}, fält '
        '"disposition[1].block[1].tabell": tabellen "siffrorna" finns inte under tabeller; '
        "kända tabeller: siffror"]


# --- Templates: the mall block and a block's own layout ----------------------------------------


def test_mall_block_renders_a_template_from_the_templates_folder(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, """\
        disposition:
          - rubrik: Eget
            block:
              - mall: egen.j2
        """)
    templates = tmp_path / "mallar"
    templates.mkdir()
    (templates / "egen.j2").write_text("<p>Egen mall för {{ vb.namnd }} {{ vb.ar }}.</p>\n",
                                       encoding="utf-8")
    _, document = compose(folder, tmp_path, templates)
    assert block_kinds(document) == ["Heading:Eget", "Paragraph:Egen mall för Testnämnden 2024."]


def test_a_block_layout_in_the_templates_folder_replaces_the_built_in_one(tmp_path: Path
                                                                          ) -> None:
    folder = make_folder(tmp_path, TABLE + dedent("""\
        disposition:
          - rubrik: Ett
            block:
              - tabell: siffror
              - text: Texten.
        """), TABLE_FILES)
    templates = tmp_path / "mallar"
    (templates / "block").mkdir(parents=True)
    (templates / "block" / "tabell.j2").write_text(
        "{% set t = tabell(b.varde) %}<p>{{ t.caption }}: {{ t.body | length }} rader.</p>\n",
        encoding="utf-8")
    _, document = compose(folder, tmp_path, templates)
    assert block_kinds(document) == ["Heading:Ett", "Paragraph:Siffrorna: 2 rader.",
                                     "Paragraph:Texten."]
    # Without the templates folder the built-in layout shows the table.
    _, document = compose(folder, tmp_path / "utan")
    assert "Table:Siffrorna" in block_kinds(document)


def test_a_mark_in_a_goal_text_places_its_table(kultur: Path, tmp_path: Path) -> None:
    analysis = kultur / "text" / "m1-analys.md"
    analysis.write_text(analysis.read_text(encoding="utf-8") + "\n[tabell: besok]\n\nEfter.\n",
                        encoding="utf-8")
    _, documents, _ = compose_all(kultur, Options(tmp_path / "ut"))
    blocks = documents["verksamhetsberattelse"].blocks
    table = next(b for b in blocks if isinstance(b, doc.Table) and b.mark == "[tabell: besok]")
    assert table.source == "text/m1-analys.md"
    after = blocks[blocks.index(table) + 1:]
    assert next(b for b in after if isinstance(b, doc.Paragraph)).children == [
        doc.Text("Efter.")]


def test_an_unknown_mark_in_a_goal_text_is_an_error(kultur: Path) -> None:
    analysis = kultur / "text" / "m1-analys.md"
    analysis.write_text("Text.\n\n[tabell: borta]\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        compose_all(kultur, Options(kultur / "ut"))
    assert [str(p) for p in caught.value.problems] == [
        'text/m1-analys.md, rad 3: '
        'tabellen "borta" finns inte under tabeller; kända tabeller: resultatrakning, drift, '
        "investeringar, besok, evenemang, foreningsbidrag, kolada, risker"]
