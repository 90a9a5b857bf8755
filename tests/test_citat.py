"""The figure-citing mark ``[tal: tabell | rad | kolumn | val]``: what it shows, the errors
at the mark's own file and line, a missing value as a gap, and the way back to Markdown."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbgen import fmt, sprak
from vbgen.build import DraftError, Options, compose_all
from vbgen.compose import citat, luckor
from vbgen.load import load
from vbgen.model import doc
from vbgen.writers import markdown

from .conftest import line_of, replace_text
from .test_disposition import compose, make_folder, problems

NB = "\u00a0"
MINUS = "\u2212"

TABLES = """\
tabeller:
  - id: drift
    fil: drift.csv
    rubrik: Drift, tkr
    kalla: Ekonomisystemet
    noter: ["Avvikelsen är [tal: drift | Summa | avvikelse | mnkr, belopp]."]
    kolumner:
      - {kolumn: verksamhet, rubrik: Verksamhet}
      - {kolumn: budget, typ: belopp}
      - {kolumn: utfall, typ: belopp}
      - {id: avvikelse, typ: belopp, berakning: {skillnad: [budget, utfall]}}
      - {id: andel, typ: procent, visas: nej, berakning: {andel: [avvikelse, budget]}}
      - {kolumn: kommentar, visas: nej}
      - {kolumn: radtyp, visas: nej}
  - id: besok
    fil: besok.csv
    rubrik: Besök
    kalla: Besöksräknaren
    nyckel: plats
    kolumner:
      - {kolumn: kod}
      - {kolumn: plats}
      - {kolumn: antal, typ: heltal}
"""
FILES = {
    "drift.csv": """\
        verksamhet;budget;utfall;kommentar;radtyp
        Bibliotek;38 600;37 955,4;;
        **Kulturskola**^[Med musikskolan.];31 200;31 240;;
        Fritid  och   idrott;12 000;12 000;Se [tal: besok | Badet | antal];
        Summa;81 800;81 195,4;;summa
        """,
    "besok.csv": "kod;plats;antal\nB1;Badet;4\nB2;Hallen;11 920\n",
}


def folder_with(tmp_path: Path, text: str, extra: str = "") -> Path:
    body = TABLES + extra + """\
disposition:
  - rubrik: Avsnitt
    text: {fil: text/avsnitt.md}
    block:
      - tabell: drift
      - tabell: besok
"""
    return make_folder(tmp_path, body, {**FILES, "text/avsnitt.md": text})


def shown(tmp_path: Path, *marks: str) -> list[str]:
    """The text each mark shows, one paragraph each."""
    folder = folder_with(tmp_path, "\n\n".join(marks) + "\n")
    _, document = compose(folder, tmp_path)
    paragraphs = [b for b in document.blocks if isinstance(b, doc.Paragraph)]
    return [doc.plain(p.children) for p in paragraphs[:len(marks)]]


def test_a_mark_shows_the_figure_as_its_table_does(tmp_path: Path) -> None:
    assert shown(tmp_path,
                 "[tal: drift | Summa | avvikelse]",
                 "[tal: drift | Bibliotek | utfall]",
                 "[tal: drift | Summa | andel]",
                 "[tal: besok | Hallen | antal]",
                 "[tal: drift | Bibliotek | verksamhet]") == [
        "605", f"37{NB}955", f"0,7{NB}%", f"11{NB}920", "Bibliotek"]


def test_options_give_units_for_prose_the_absolute_value_and_decimals(tmp_path: Path) -> None:
    assert shown(tmp_path,
                 "[tal: drift | Summa | utfall | mnkr]",
                 "[tal: drift | Summa | utfall | mnkr, decimaler: 2]",
                 "[tal: drift | Summa | utfall | tkr]",
                 "[tal: drift | Summa | utfall | kr]",
                 "[tal: drift | Kulturskola | avvikelse | tusen, belopp]",
                 "[tal: drift | Kulturskola | avvikelse | belopp]",
                 "[tal: drift | Kulturskola | avvikelse]",
                 "[tal: drift | Summa | andel | procent]",
                 "[tal: drift | Summa | andel | procentenheter, decimaler: 2]",
                 "[tal: besok | Badet | antal | talord]",
                 "[tal: besok | Badet | antal | talord: ett]") == [
        "81,2 miljoner kronor", "81,20 miljoner kronor", f"81{NB}195 tkr",
        f"81{NB}195{NB}400 kronor", "40 tusen kronor", "40", f"{MINUS}40", "0,7 procent",
        "0,74 procentenheter", "fyra", "fyra"]


def test_a_word_is_chosen_by_the_sign_of_the_figure_as_shown(tmp_path: Path) -> None:
    words = "ord: överskott/underskott/i nivå med budget"
    assert shown(tmp_path,
                 f"[tal: drift | Summa | avvikelse | {words}]",
                 f"[tal: drift | Kulturskola | avvikelse | {words}]",
                 f"[tal: drift | Fritid och idrott | avvikelse | {words}]",
                 # −40 tkr is −0,04 miljoner kronor, shown as 0,0: zero.
                 f"[tal: drift | Kulturskola | avvikelse | mnkr, {words}]",
                 "[tal: drift | Kulturskola | avvikelse | mnkr, ord: mer/mindre]",
                 "[tal: drift | Bibliotek | avvikelse | mnkr, ord: mer, än väntat/mindre]") == [
        "överskott", "underskott", "i nivå med budget", "i nivå med budget", "mer",
        "mer, än väntat"]


def test_the_row_is_matched_by_its_shown_text_with_spaces_evened_out(tmp_path: Path) -> None:
    # "**Kulturskola**^[…]" in the file reads "Kulturskola"; "Fritid  och   idrott" has its
    # spaces evened out, and so has the mark.
    assert shown(tmp_path, "[tal: drift | Kulturskola | budget]",
                 "[tal: drift |  Fritid och\tidrott | budget]") == [f"31{NB}200", f"12{NB}000"]


def test_marks_in_a_tables_notes_and_text_cells_are_cited_too(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "Text.\n")
    _, document = compose(folder, tmp_path)
    table = next(b for b in document.blocks if isinstance(b, doc.Table))
    assert doc.plain(table.notes[0].children) == "Avvikelsen är 0,6 miljoner kronor."
    assert table.notes[0].children[1] == doc.Span(
        [doc.Text("0,6 miljoner kronor")], role="tal",
        mark="[tal: drift | Summa | avvikelse | mnkr, belopp]")


def test_the_cited_figure_is_a_span_that_carries_its_mark_and_goes_back_as_it(
        tmp_path: Path) -> None:
    text = "Resultatet blev **[tal: drift | Summa | avvikelse | mnkr]** bättre än budget.\n"
    folder = folder_with(tmp_path, text)
    _, document = compose(folder, tmp_path)
    paragraph = next(b for b in document.blocks if isinstance(b, doc.Paragraph))
    assert doc.plain(paragraph.children) == \
        "Resultatet blev 0,6 miljoner kronor bättre än budget."
    strong = paragraph.children[1]
    assert isinstance(strong, doc.Strong) and strong.children == [doc.Span(
        [doc.Text("0,6 miljoner kronor")], role="tal",
        mark="[tal: drift | Summa | avvikelse | mnkr]")]
    assert paragraph.source == "text/avsnitt.md"
    assert markdown.to_markdown([paragraph]) == text.strip()


def test_indicators_are_cited_by_name_or_kolada_id_and_year(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "\n\n".join([
        "[tal: indikator | Besök, antal, kvinnor | 2024]",
        "[tal: indikator | U09800 | 2023]",
        "[tal: indikator | U09800 | etappmal]",
        "[tal: indikator | Rang | 2024]"]) + "\n")
    (folder / "indikatorer.csv").write_text(
        "mål;indikator;2023;2024;etappmål;kolada_id;kön\n"
        "M1;Besök, antal;10;12;;;K\nM1;Besök, antal;20;25;;;M\nM1;Besök, antal;30;37;;;T\n"
        "M1;Elever (%);17,25;17,9;≥ 18;U09800;\n"
        "M1;Rang;5/15;4/15;;;\n", encoding="utf-8")
    _, document = compose(folder, tmp_path)
    paragraphs = [doc.plain(b.children) for b in document.blocks
                  if isinstance(b, doc.Paragraph)][:4]
    # The row shows two decimals throughout, as its most precise value needs.
    assert paragraphs == ["12", "17,25", f"≥{NB}18,00", "4/15"]


# --- Errors, at the mark's own file and line ------------------------------------------------


def test_errors_name_the_marks_file_and_line_and_the_nearest_names(tmp_path: Path) -> None:
    text = ("Först.\n\n"
            "Avvikelsen är [tal: drif | Summa | avvikelse].\n\n"
            "Raden [tal: drift | Sumam | avvikelse] och kolumnen "
            "[tal: drift | Summa | avvikelsen].\n"
            "Ett val [tal: drift | Summa | avvikelse | miljoner] och en enhet "
            "[tal: drift | Summa | andel | mnkr].\n"
            "Fel form [tal: drift | Summa].\n")
    folder = folder_with(tmp_path, text)
    md = folder / "text" / "avsnitt.md"
    assert problems(folder) == [
        f'text/avsnitt.md, rad {line_of(md, "drif |")}: tabellen "drif" finns inte under '
        'tabeller; närmast: "drift"',
        f'text/avsnitt.md, rad {line_of(md, "Sumam")}: raden "Sumam" finns inte i tabellen '
        '"drift" (kolumnen "verksamhet"); närmast: "Summa"',
        f'text/avsnitt.md, rad {line_of(md, "Sumam")}: kolumnen "avvikelsen" finns inte i '
        'tabellen "drift"; närmast: "avvikelse"',
        f'text/avsnitt.md, rad {line_of(md, "miljoner")}: okänt val "miljoner"; välj bland '
        f"{citat.OPTIONS}",
        f'text/avsnitt.md, rad {line_of(md, "miljoner")}: mnkr gäller belopp, men kolumnen '
        "är av typen procent",
        f"text/avsnitt.md, rad {line_of(md, 'Fel form')}: markeringen [tal: drift | Summa] "
        f"kan inte läsas; skriv {citat.FORM}"]


def test_errors_in_vb_yaml_a_note_and_a_cell_name_their_place(tmp_path: Path) -> None:
    body = TABLES.replace("| mnkr, belopp]", "| mnkr, belopp, talord]") + """\
disposition:
  - rubrik: Avsnitt
    text: |
      Först en rad.
      Sedan [tal: besok | Badet | antall].
    block:
      - tabell: drift
      - tabell: besok
"""
    files = {**FILES, "drift.csv": FILES["drift.csv"].replace("Badet |", "Baden |")}
    folder = make_folder(tmp_path, body, files)
    vb = folder / "vb.yaml"
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(vb, "Sedan [tal")}, fält "disposition[1].text": kolumnen '
        '"antall" finns inte i tabellen "besok"; närmast: "antal"',
        f'vb.yaml, rad {line_of(vb, "noter:")}, fält "tabeller[1].noter[1]": talord gäller '
        "hela tal, men talet visas som 0,6",
        'drift.csv, rad 4, kolumn "kommentar": raden "Baden" finns inte i tabellen "besok" '
        '(kolumnen "plats"); närmast: "Badet"']


def test_a_row_named_twice_is_an_error(tmp_path: Path) -> None:
    files = {**FILES, "besok.csv": "kod;plats;antal\nB1;Badet;4\nB2;Badet;5\n"}
    body = TABLES + "disposition:\n  - rubrik: A\n    text: \"[tal: besok | Badet | antal]\"\n"
    folder = make_folder(tmp_path, body, files)
    assert problems(folder)[0].endswith(
        'raden "Badet" står flera gånger i tabellen "besok" (besok.csv, rad 2 och 3); ge '
        "raderna olika namn")


# --- A missing value --------------------------------------------------------------------------


def test_a_missing_value_is_a_gap_node_in_the_span_and_a_final_build_is_refused(
        tmp_path: Path) -> None:
    text = "Nettokostnaden blev [tal: besok | Badet | antal].\n"
    folder = folder_with(tmp_path, text)
    (folder / "besok.csv").write_text("kod;plats;antal\nB1;Badet;\n", encoding="utf-8")
    _, document = compose(folder, tmp_path)
    paragraph = next(b for b in document.blocks if isinstance(b, doc.Paragraph))
    assert doc.plain(paragraph.children) == "Nettokostnaden blev [Saknas: B1: antal]."
    # The gap stands inside the cited figure's span, so the mark goes back as written.
    assert paragraph.children[1] == doc.Span(
        [doc.Gap("B1: antal", "besok.csv, rad 2, kolumn antal")], role="tal",
        mark="[tal: besok | Badet | antal]")
    assert markdown.to_markdown([paragraph]) == text.strip()
    found = luckor.find_all(document)
    assert [(g.vad, g.plats, g.slag) for g in found] == [
        ("B1: antal", "besok.csv, rad 2, kolumn antal", doc.GAP)]
    with pytest.raises(DraftError) as refused:
        compose_all(folder, Options(tmp_path / "ut", slutlig=True,
                                    documents=("verksamhetsberattelse",)))
    assert "    B1: antal (besok.csv, rad 2, kolumn antal)" in str(refused.value)


def test_a_cited_figure_of_a_required_cell_is_one_gap_with_the_cells(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "Besöken: [tal: besok | Badet | antal].\n")
    replace_text(folder / "vb.yaml", "{kolumn: antal, typ: heltal}",
                 "{kolumn: antal, typ: heltal, kravs: ja}")
    (folder / "besok.csv").write_text("kod;plats;antal\nB1;Badet;\n", encoding="utf-8")
    _, document = compose(folder, tmp_path)
    assert [(g.vad, g.plats) for g in luckor.find_all(document)] == [
        ("B1: antal", "besok.csv, rad 2, kolumn antal")]


def test_a_value_not_available_is_cited_as_dots_and_listed_with_its_reason(
        tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "Besöken: [tal: besok | Badet | antal]\n")
    (folder / "besok.csv").write_text("kod;plats;antal\nB1;Badet;.. Räknaren var trasig\n",
                                      encoding="utf-8")
    _, document = compose(folder, tmp_path)
    paragraph = next(b for b in document.blocks if isinstance(b, doc.Paragraph))
    assert doc.plain(paragraph.children) == "Besöken: .."
    found = luckor.find_all(document)
    assert luckor.gaps_of(found) == []
    assert [(g.vad, g.skal) for g in luckor.unavailable_of(found)] == [
        ("B1: antal", "Räknaren var trasig")]
    compose_all(folder, Options(tmp_path / "ut", slutlig=True,
                                documents=("verksamhetsberattelse",)))


def test_an_indicators_missing_or_unavailable_value_is_cited_as_its_tables_cell(
        tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "[tal: indikator | Besök, antal | 2024]\n\n"
                                   "[tal: indikator | Elever | 2024]\n")
    (folder / "indikatorer.csv").write_text(
        "mål;indikator;2023;2024;källa\nM1;Besök, antal;10;;Räknaren\n"
        "M1;Elever;5;.. Mäts från 2025;Skolan\n",
        encoding="utf-8")
    _, document = compose(folder, tmp_path)
    paragraphs = [doc.plain(b.children) for b in document.blocks
                  if isinstance(b, doc.Paragraph)][:2]
    assert paragraphs == ["[Saknas: Besök, antal: 2024]", ".."]
    found = luckor.find_all(document)
    assert [(g.vad, g.plats) for g in luckor.gaps_of(found)] == [
        ("Besök, antal: 2024", "indikatorer.csv, rad 2, kolumn 2024")]
    assert [(g.vad, g.skal) for g in luckor.unavailable_of(found)] == [
        ("Elever: 2024", "Mäts från 2025")]


# --- Templates --------------------------------------------------------------------------------


def test_a_template_cites_a_figure_by_reference(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "Text.\n")
    templates = tmp_path / "mallar" / "block"
    templates.mkdir(parents=True)
    (templates / "tabell.j2").write_text(
        '<p>Utfallet: {{ tal("drift | Summa | utfall | mnkr") }}.</p>\n', encoding="utf-8")
    _, document = compose(folder, tmp_path, tmp_path / "mallar")
    texts = [doc.plain(b.children) for b in document.blocks if isinstance(b, doc.Paragraph)]
    assert "Utfallet: 81,2 miljoner kronor." in texts


# --- The word never contradicts the figure ----------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(value=st.decimals(min_value=-10**7, max_value=10**7, places=2, allow_nan=False),
       decimals=st.integers(min_value=0, max_value=2))
@pytest.mark.langsam
def test_the_word_agrees_with_the_figure_shown_beside_it(value: Decimal, decimals: int) -> None:
    text = fmt.number(value, decimals)
    word = sprak.by_sign(fmt.shown(value, decimals), ("plus", "minus", "noll"))
    digits = text.replace(MINUS, "").replace(NB, "").replace(",", "")
    if set(digits) == {"0"}:
        assert word == "noll" and not text.startswith(MINUS)
    else:
        assert word == ("minus" if text.startswith(MINUS) else "plus")


def test_load_checks_the_kultur_sample_marks(kultur: Path) -> None:
    load(kultur)  # the sample's marks all name something


def test_a_key_column_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    body = TABLES.replace("nyckel: plats", "nyckel: namn") + \
        "disposition:\n  - rubrik: A\n    block: [{tabell: besok}, {tabell: drift}]\n"
    folder = make_folder(tmp_path, body, FILES)
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(folder / "vb.yaml", "- id: besok")}, fält "tabeller[2]": '
        'nyckel: kolumnen "namn" finns inte bland kolumnerna; kolumnerna är kod, plats, antal']


# --- The cited figure is the figure the table shows --------------------------------------------


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.decimals(min_value=-10**9, max_value=10**9, places=3,
                                   allow_nan=False), min_size=1, max_size=5),
       unit=st.sampled_from(["kr", "tkr", "mnkr"]), shown=st.sampled_from(["kr", "tkr", "mnkr"]),
       decimals=st.one_of(st.none(), st.integers(min_value=0, max_value=3)))
@pytest.mark.langsam
def test_a_cited_figure_reads_as_its_cell(values, unit, shown, decimals) -> None:
    from types import SimpleNamespace

    from vbgen.compose.tabellvy import view
    from vbgen.model.report import TableDecl
    from vbgen.readers.tables import read_table

    decl = TableDecl.model_validate({
        "id": "t", "fil": "t.csv", "rubrik": "T", "enhet": unit, "visa": shown,
        "decimaler": decimals,
        "kolumner": [{"kolumn": "namn"}, {"kolumn": "belopp", "typ": "belopp"}]})
    rows = [(i + 2, {"namn": f"Rad {i}", "belopp": str(v).replace(".", ",")})
            for i, v in enumerate(values)]
    problems: list = []
    table = read_table(decl, "t.csv", ["namn", "belopp"], rows, problems)
    assert problems == []
    report = SimpleNamespace(tabelldata={"t": table})
    cells = [doc_row.cells[1].text for doc_row in view(table).body]
    for i, cell in enumerate(cells):
        assert citat.cite(report, f"[tal: t | Rad {i} | belopp]").text == cell
        # In miljoner kronor from the same unrounded value as fmt shows any amount.
        kronor = Decimal(str(values[i])) * {"kr": 1, "tkr": 1000, "mnkr": 10**6}[unit]
        assert citat.cite(report, f"[tal: t | Rad {i} | belopp | mnkr]").text == \
            f"{fmt.number(kronor / 10**6, 1)} miljoner kronor"
