"""A final build is complete: every gap in the document (texts, assessments, the report year's
numbers in tables and indicators, examples) is found and listed, and values not available are
written as such, on small data folders written by the tests."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from vbgen.build import DraftError, Options, build, check
from vbgen.commands.nyttar import yaml_rt
from vbgen.compose import luckor
from vbgen.model import doc

from .conftest import SAMPLE, replace_text, run_cli, without_examples, word_document, words_of
from .test_disposition import compose, make_folder, problems
from .test_tabeller import cell_texts, table_yaml

YEARS = """\
- {kolumn: verksamhet, rubrik: Verksamhet}
- {kolumn: "2023", typ: heltal, grupp: Besök}
- {kolumn: "2024", typ: heltal, grupp: Besök}
"""


def listed(gaps: list[luckor.GapEntry]) -> list[tuple[str, str]]:
    return [(g.vad, g.plats) for g in gaps]


def only_table(document: doc.Document) -> doc.Table:
    """The report's one table, before the draft's list of gaps."""
    return next(b for b in document.blocks if isinstance(b, doc.Table))


def paragraphs(document: doc.Document) -> list[str]:
    """The text of each paragraph, before the draft's list of gaps."""
    out = []
    for b in document.blocks:
        if isinstance(b, doc.Heading) and b.id == "luckor-att-fylla":
            break
        if isinstance(b, doc.Paragraph):
            out.append(doc.plain(b.children))
    return out


# --- Table cells of the report year ------------------------------------------------------------


def test_an_empty_cell_of_the_report_year_is_a_gap_naming_file_row_and_column(tmp_path):
    folder = make_folder(tmp_path, table_yaml(YEARS), {
        "t.csv": "verksamhet;2023;2024\nBibliotek;10;\nMuseet;;7\n"})
    report, document = compose(folder, tmp_path)
    # Only the column of the report year needs its cells; last year's may be empty.
    assert cell_texts(only_table(document)) == [["Bibliotek", "10", "[Saknas]"],
                                                ["Museet", "-", "7"]]
    assert listed(luckor.find_gaps(document)) == [
        ("Bibliotek: Besök 2024", "t.csv, rad 2, kolumn 2024")]
    assert luckor.find_gaps(document)[0].avsnitt == "Avsnitt"


def test_kravs_declares_which_columns_need_every_cell(tmp_path):
    columns = """\
    - {kolumn: verksamhet, rubrik: Verksamhet}
    - {kolumn: antal, rubrik: Antal, typ: heltal, kravs: ja}
    - {kolumn: "2024", typ: heltal, kravs: nej}
    """
    folder = make_folder(tmp_path, table_yaml(columns), {
        "t.csv": "verksamhet;antal;2024\nBibliotek;;\n"})
    assert listed(luckor.find_gaps(compose(folder, tmp_path)[1])) == [
        ("Bibliotek: Antal", "t.csv, rad 2, kolumn antal")]


def test_a_table_without_rows_and_a_chart_without_values_are_gaps(tmp_path):
    body = table_yaml(YEARS, block="diagram: {tabell: t, titel: Besök, serier: ['2024']}")
    folder = make_folder(tmp_path, body + "  - rubrik: Tabell\n    block:\n      - tabell: t\n",
                         {"t.csv": "verksamhet;2023;2024\n"})
    gaps = luckor.find_gaps(compose(folder, tmp_path)[1])
    assert listed(gaps) == [('värden till diagrammet "Besök"', "t.csv"),
                            ('rader i tabellen "Tabellen"', "t.csv")]


def test_a_gap_in_a_cell_shows_in_the_word_file_and_in_the_draft_list(tmp_path):
    folder = make_folder(tmp_path, table_yaml(YEARS), {
        "t.csv": "verksamhet;2023;2024\nBibliotek;10;\n"})
    paths = build(folder, Options(tmp_path / "ut", formats=("docx",)))
    word = word_document(paths[0])
    assert word.tables[0].rows[-1].cells[2].text == "[Saknas]"
    assert [words_of(c.text) for c in word.tables[-1].rows[1].cells] == [
        "Avsnitt", "Bibliotek: Besök 2024", "t.csv, rad 2, kolumn 2024"]
    with pytest.raises(DraftError) as refused:
        build(folder, Options(tmp_path / "slutlig", formats=("docx",), slutlig=True))
    assert "    Bibliotek: Besök 2024 (t.csv, rad 2, kolumn 2024)" in str(refused.value)


# --- Values not available ----------------------------------------------------------------------


def test_a_value_not_available_shows_dots_and_its_reason_and_is_no_gap(tmp_path):
    folder = make_folder(tmp_path, table_yaml(YEARS), {
        "t.csv": "verksamhet;2023;2024\nBibliotek;10;.. Räknaren var trasig hela året\n"})
    document = compose(folder, tmp_path)[1]
    table = only_table(document)
    assert cell_texts(table) == [["Bibliotek", "10", ".."]]
    assert doc.plain(table.notes[0].children) == (
        ".. Uppgift saknas. Räknaren var trasig hela året.")
    everything = luckor.find_all(document)
    assert luckor.gaps_of(everything) == []
    assert [(g.vad, g.skal, g.plats) for g in luckor.unavailable_of(everything)] == [
        ("Bibliotek: Besök 2024", "Räknaren var trasig hela året", "t.csv, rad 2, kolumn 2024")]
    paths = build(folder, Options(tmp_path / "ut", formats=("docx",), slutlig=True))
    assert word_document(paths[0]).tables[0].rows[-1].cells[2].text == ".."


def test_dots_without_a_reason_need_a_note_that_gives_it(tmp_path):
    folder = make_folder(tmp_path, table_yaml(YEARS), {
        "t.csv": "verksamhet;2023;2024\nBibliotek;10;..\n"})
    assert problems(folder) == [
        't.csv, rad 2, kolumn "2024": skriv skälet till att värdet saknas efter "..", till '
        'exempel ".. Statistiken publiceras i april", eller i en not som börjar med ".." under '
        'noter för tabellen "t" i vb.yaml']
    replace_text(folder / "vb.yaml", "    kolumner:",
                 '    noter: [".. Uppgiften publiceras i april."]\n    kolumner:')
    table = only_table(compose(folder, tmp_path)[1])
    assert cell_texts(table) == [["Bibliotek", "10", ".."]]
    assert [doc.plain(n.children) for n in table.notes] == [".. Uppgiften publiceras i april.",
                                                            "Källa: Testsystemet"]


def test_dots_in_an_excel_cell_are_read_the_same_way(tmp_path):
    folder = make_folder(tmp_path, table_yaml(YEARS, fil="t.xlsx"))
    wb = Workbook()
    for row in (["verksamhet", "2023", "2024"], ["Bibliotek", 10, ".. Stängt för ombyggnad"]):
        wb.active.append(row)
    wb.save(folder / "t.xlsx")
    assert cell_texts(only_table(compose(folder, tmp_path)[1])) == [["Bibliotek", "10", ".."]]


def test_a_text_marked_not_available_in_vb_yaml_shows_its_reason(tmp_path):
    body = """\
    malnivaer: [Mål]
    mal:
      - id: M1
        namn: Första målet
        maluppfyllelse: Uppfyllt
        motivering: Alla indikatorer nådde sina etappmål.
        analys: {saknas: "Målet analyseras från 2025, när mätningen har börjat."}
        genomfort_arbete: Arbetet gick enligt planen.
      - id: M2
        namn: Andra målet
        maluppfyllelse: {saknas: Målet bedöms från 2025.}
        motivering: Mätningen har inte börjat.
        analys: Se motiveringen.
        genomfort_arbete: En enkät har tagits fram.
    disposition:
      - rubrik: Mål
        block: [malsammanfattning, {malrapport: {indikatorer: nej}}, malbedomning]
    """
    folder = make_folder(tmp_path, body)
    document = compose(folder, tmp_path)[1]
    assert luckor.find_gaps(document) == []
    # The summary counts the goal marked as not assessed as such, not as one still to assess.
    assert "Av nämndens två mål är ett uppfyllt. Ett mål bedöms inte." in paragraphs(document)
    assert "Målet analyseras från 2025, när mätningen har börjat." in paragraphs(document)
    assert "Målet bedöms från 2025." in paragraphs(document)
    # The goal table shows the reason where the assessment would stand.
    assert cell_texts(only_table(document))[1] == ["Andra målet", "Målet bedöms från 2025."]
    assert [(g.vad, g.plats) for g in luckor.unavailable_of(luckor.find_all(document))] == [
        ("analys", "vb.yaml, fält mal[1].analys"),
        ("måluppfyllelse", "vb.yaml, fält mal[2].maluppfyllelse")]


def test_a_mark_without_a_reason_is_an_error(tmp_path):
    folder = make_folder(tmp_path, "malnivaer: [Mål]\nmal:\n"
                                   "  - {id: M1, namn: Mål, analys: {saknas: ''}}\n")
    assert problems(folder) == [
        'vb.yaml, rad 11, fält "mal[1].analys": skriv skälet till att värdet saknas: '
        '{saknas: "Mätningen görs från 2025."}']


# --- Sources under tables ----------------------------------------------------------------------


def test_a_table_without_a_source_is_a_gap_that_validate_counts_and_a_final_refuses(tmp_path):
    folder = make_folder(tmp_path, table_yaml(YEARS, "    kalla:\n"), {
        "t.csv": "verksamhet;2023;2024\nBibliotek;10;12\n"})
    _, document = compose(folder, tmp_path)
    assert [doc.plain(n.children) for n in only_table(document).notes] == [
        'Källa: [Saknas: källa för tabellen "Tabellen"]']
    assert listed(luckor.find_gaps(document)) == [
        ('källa för tabellen "Tabellen"', "vb.yaml, fält tabeller[0].kalla")]
    result = run_cli("validate", str(folder))
    assert result.exit_code == 0
    assert "Utkastet har 1 lucka att fylla" in result.output
    assert '    källa för tabellen "Tabellen" (vb.yaml, fält tabeller[0].kalla)' in result.output
    with pytest.raises(DraftError):
        build(folder, Options(tmp_path / "slutlig", formats=("docx",), slutlig=True))


def test_the_goal_tables_and_cards_take_their_sources_from_the_data(tmp_path):
    """Målbedömning and uppdrag from kallor, cards from their table's kalla; each missing
    one a gap naming its field."""
    body = """\
        kallor: {uppdrag: Uppföljningssystemet}
        tabeller:
          - id: t
            fil: t.csv
            rubrik: Risker
            kolumner:
              - {kolumn: risk, rubrik: Risk}
              - {kolumn: niva, rubrik: Nivå, typ: heltal}
        disposition:
          - rubrik: Mål
            block: [malbedomning, uppdrag, kort: {tabell: t}]
        """
    folder = make_folder(tmp_path, body, {
        "t.csv": "risk;niva\nBrand;4\nLäcka;2\n",
        "uppdrag.csv": "mål;status;uppdrag\nM1;Klart;Utred öppettiderna\n"})
    _, document = compose(folder, tmp_path)
    notes = {t.caption: [doc.plain(n.children) for n in t.notes] for t in document.blocks
             if isinstance(t, doc.Table) and t.notes}
    assert notes["Målbedömning 2024"][-1] == \
        "Källa: [Saknas: källa för tabellen Målbedömning 2024]"
    assert notes["Uppdrag"] == ["Källa: Uppföljningssystemet"]
    assert "Brand" not in notes  # under the last card only
    assert notes["Läcka"] == ['Källa: [Saknas: källa för tabellen "Risker"]']
    assert listed(luckor.find_gaps(document)) == [
        ("källa för tabellen Målbedömning 2024", "vb.yaml, fält kallor.malbedomning"),
        ('källa för tabellen "Risker"', "vb.yaml, fält tabeller[0].kalla")]


# --- Indicators --------------------------------------------------------------------------------

INDICATORS = """\
mål;indikator;2023;2024;etappmål;etappmål föregående år;målvärde
M1;Besök per invånare;4,1;;;4;5
M1;Nöjda besökare (%);80;.. Enkäten görs vartannat år;;;90
"""


def test_an_indicator_needs_its_value_and_the_etappmal_it_had_last_year(tmp_path):
    body = "disposition:\n  - rubrik: Mål\n    block: [malrapport]\n"
    folder = make_folder(tmp_path, body, {"indikatorer.csv": INDICATORS})
    document = compose(folder, tmp_path)[1]
    table = next(b for b in document.blocks if isinstance(b, doc.Table))
    # The emptied etappmål keeps its column, with the gap where last year had one.
    assert doc.plain(table.head[0].cells[-2].children) == "Etappmål 2024"
    assert cell_texts(table) == [["Besök per invånare", "4,1", "[Saknas]", "[Saknas]", "5,0"],
                                 ["Nöjda besökare (%)", "80", "..", "-", "90"]]
    # Neither indicator names its source: each is a gap where the table says "Källa:".
    assert [doc.plain(n.children) for n in table.notes] == [
        ".. Uppgift saknas. Enkäten görs vartannat år.",
        "Källa: [Saknas: källa för indikatorn Besök per invånare]; "
        "[Saknas: källa för indikatorn Nöjda besökare (%)]"]
    assert [g for g in listed(luckor.find_gaps(document)) if "indikatorer" in g[1]] == [
        ("Besök per invånare: 2024", "indikatorer.csv, rad 2, kolumn 2024"),
        ("Besök per invånare: etappmål 2024", "indikatorer.csv, rad 2, kolumn etappmål"),
        ("källa för indikatorn Besök per invånare", "indikatorer.csv, rad 2, kolumn källa"),
        ("källa för indikatorn Nöjda besökare (%)", "indikatorer.csv, rad 3, kolumn källa")]


# --- Examples ----------------------------------------------------------------------------------


def test_the_sample_as_shipped_is_refused_a_final_build_for_its_examples_alone(tmp_path):
    _, found_all = check(SAMPLE)
    assert sorted(listed(luckor.gaps_of(found_all))) == sorted([
        ('"Anna Exempel", ett exempel att byta ut',
         "vb.yaml, fält tjanstskrivelse.underskrift.namn"),
        ('"Erik Exempel", ett exempel att byta ut',
         "vb.yaml, fält tjanstskrivelse.handlaggare.namn"),
        ('"08-535 000 00", ett exempel att byta ut',
         "vb.yaml, fält tjanstskrivelse.handlaggare.telefon"),
        ('"erik.exempel@huddinge.se", ett exempel att byta ut',
         "vb.yaml, fält tjanstskrivelse.handlaggare.epost")])
    result = run_cli("build", str(SAMPLE), "--ut", str(tmp_path), "--slutlig")
    assert result.exit_code == 1
    assert result.output.startswith("Den slutliga versionen byggs inte: data har 4 luckor")
    # With the values replaced, as a user does, nothing is missing.
    copy = without_examples(shutil.copytree(SAMPLE, tmp_path / "data"))
    assert luckor.gaps_of(check(copy)[1]) == []


def test_an_example_shows_as_its_value_in_a_draft_wherever_it_stands(tmp_path):
    folder = make_folder(tmp_path, "", head=(
        "kommun: {exempel: Exempelby kommun}\nnamnd: Testnämnden\nar: 2024\n"
        "forvaltning: Testförvaltningen\nskala: [{text: Uppfyllt}]\n"))
    replace_text(folder / "vb.yaml", "  - rubrik: Avsnitt",
                 "  - titelsida\n  - rubrik: Avsnitt\n    text: Om Exempelby.")
    document = compose(folder, tmp_path)[1]
    # In the title page and the document's properties, shown as it is, and listed once.
    assert document.author == "Testförvaltningen, Exempelby kommun"
    assert listed(luckor.find_gaps(document)) == [
        ('"Exempelby kommun", ett exempel att byta ut', "vb.yaml, fält kommun")]


def test_an_example_of_a_markdown_text_is_a_gap_before_the_text(tmp_path):
    body = ("texter:\n  inledning: {exempel: Skriv en sammanfattning här.}\n"
            "disposition:\n  - rubrik: Sammanfattning\n    block:\n"
            "      - mall: egen.j2\n")
    folder = make_folder(tmp_path, body)
    templates = tmp_path / "mallar"
    templates.mkdir()
    (templates / "egen.j2").write_text(
        '{{ vb.texter.inledning | md(falt="texter.inledning") }}', encoding="utf-8")
    document = compose(folder, tmp_path, templates)[1]
    assert paragraphs(document)[-2:] == ["[Saknas: en egen text i stället för exemplet]",
                                         "Skriv en sammanfattning här."]


def test_an_example_must_be_a_text_of_a_text_field(tmp_path):
    folder = make_folder(tmp_path, "", head=(
        "kommun: Testby kommun\nnamnd: Testnämnden\nar: {exempel: 2024}\n"
        "forvaltning: Testförvaltningen\nskala: [{text: Uppfyllt}]\n"))
    assert problems(folder)[0] == (
        'vb.yaml, rad 3, fält "ar": ett exempel är en text: {exempel: Erik Exempel}, '
        '{exempel: "08-123 456 78"}')


# --- Numbers read as written -------------------------------------------------------------------


def test_a_dot_in_a_number_is_an_error_with_both_readings(tmp_path):
    folder = make_folder(tmp_path, table_yaml(YEARS), {
        "t.csv": "verksamhet;2023;2024\nBibliotek;11 920;12.400\nMuseet;18.6;19\n"})
    hint = ("; skriver filen decimaler med punkt, ange decimaltecken: punkt för tabellen i "
            "vb.yaml")
    assert problems(folder) == [
        't.csv, rad 2, kolumn "2024": talet "12.400" har punkt, men tabellen skriver decimaler '
        "med komma: menar du 12 400 eller 12,4?" + hint,
        't.csv, rad 3, kolumn "2023": talet "18.6" har punkt, men tabellen skriver decimaler med '
        "komma: menar du 18,6?" + hint]


def test_a_table_can_declare_a_decimal_point(tmp_path):
    columns = "- {kolumn: namn}\n- {kolumn: kvot, typ: tal, decimaler: 1}\n"
    folder = make_folder(tmp_path, table_yaml(columns, "    decimaltecken: punkt\n"), {
        "t.csv": "namn,kvot\nEtt,18.6\nTvå,\"1,5\"\n"})
    assert problems(folder) == [
        't.csv, rad 3, kolumn "kvot": talet "1,5" har komma, men tabellen skriver decimaler med '
        "punkt: menar du 1.5?"]
    (folder / "t.csv").write_text("namn,kvot\nEtt,18.6\n", encoding="utf-8")
    assert cell_texts(only_table(compose(folder, tmp_path)[1])) == [["Ett", "18,6"]]


def test_excel_numbers_are_numbers_and_excel_texts_are_read_as_written(tmp_path):
    columns = "- {kolumn: namn}\n- {kolumn: kvot, typ: tal, decimaler: 2}\n"
    for mark in ("komma", "punkt"):
        folder = make_folder(tmp_path, table_yaml(columns, f"    decimaltecken: {mark}\n",
                                                  fil="t.xlsx"), name=mark)
        wb = Workbook()
        for row in (["namn", "kvot"], ["Ett", 18.25]):
            wb.active.append(row)
        wb.save(folder / "t.xlsx")
        assert cell_texts(only_table(compose(folder, tmp_path / mark)[1])) == [["Ett", "18,25"]]
    wb.active.append(["Två", "12.400"])  # a number stored as text, in another locale's way
    wb.save(folder / "t.xlsx")
    replace_text(folder / "vb.yaml", "decimaltecken: punkt", "decimaltecken: komma")
    assert problems(folder) == [
        't.xlsx, rad 3, kolumn "kvot": talet "12.400" har punkt, men tabellen skriver decimaler '
        "med komma: menar du 12 400 eller 12,4?; skriver filen decimaler med punkt, ange "
        "decimaltecken: punkt för tabellen i vb.yaml"]


def test_a_dot_is_an_error_in_every_file_numbers_are_read_from(tmp_path):
    indicators = "mål;indikator;2023;2024;etappmål\nM1;Besök;4.1;4,3;≥ 4.5\n"
    chart = "månad;antal\njan;1.250\n"
    columns = "- {kolumn: verksamhet}\n- {kolumn: budget, typ: belopp}\n"
    body = ("diagram:\n  - {id: d, titel: Besök, fil: d.csv}\n"
            + table_yaml(columns, "    tolerans: 2.125\n", fil="drift.csv"))
    folder = make_folder(tmp_path, body, {"indikatorer.csv": indicators, "d.csv": chart,
                                          "drift.csv": "verksamhet;budget\nA;1.5\n"})
    assert problems(folder) == [
        'vb.yaml, rad 15, fält "tabeller[1].tolerans": talet 2.125 läses som 2,125 men kan '
        "vara menat som 2 125; skriv 2125 (eller 2 125) för det ena, 2,125 för det andra",
        'indikatorer.csv, rad 2, kolumn "2023": talet "4.1" har punkt, men tabellen skriver '
        "decimaler med komma: menar du 4,1?",
        'indikatorer.csv, rad 2, kolumn "etappmål": talet "4.5" har punkt, men tabellen skriver '
        "decimaler med komma: menar du 4,5?",
        'd.csv, rad 2, kolumn "antal": talet "1.250" har punkt, men tabellen skriver decimaler '
        "med komma: menar du 1 250 eller 1,25?; skriver filen decimaler med punkt, ange "
        "decimaltecken: punkt för den i vb.yaml",
        'drift.csv, rad 2, kolumn "budget": talet "1.5" har punkt, men tabellen skriver '
        "decimaler med komma: menar du 1,5?; skriver filen decimaler med punkt, ange "
        "decimaltecken: punkt för tabellen i vb.yaml"]


# --- What a cell shows -------------------------------------------------------------------------


def test_a_rank_or_a_text_stays_in_a_numeric_column_by_its_row(tmp_path):
    columns = """\
    - {kolumn: nyckeltal}
    - {kolumn: norrvik, typ: procent}
    - {kolumn: radtyp, visas: nej}
    """
    folder = make_folder(tmp_path, table_yaml(columns), {
        "t.csv": "nyckeltal;norrvik;radtyp\nAndel;17,9;\nPlacering;19/26;rang\n"
                 "Kommentar;ej mätt;text\n"})
    table = only_table(compose(folder, tmp_path)[1])
    assert cell_texts(table) == [["Andel", f"17,9{chr(0xa0)}%"], ["Placering", "19/26"],
                                 ["Kommentar", "ej mätt"]]
    assert {row.cells[1].align for row in table.body} == {"right"}
    assert not any(row.role for row in table.body)
    replace_text(folder / "t.csv", "19/26", "nitton")
    assert problems(folder) == [
        't.csv, rad 3, kolumn "norrvik": förväntade en placering som "19/26", fick "nitton"']


def test_an_empty_cell_shows_the_declared_mark(tmp_path):
    columns = """\
    - {kolumn: namn}
    - {kolumn: a, typ: heltal}
    - {kolumn: b, typ: heltal, tom: "–"}
    - {kolumn: c}
    """
    csv_text = "namn;a;b;c\nEtt;;;\n"
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": csv_text})
    assert cell_texts(only_table(compose(folder, tmp_path)[1])) == [["Ett", "-", "–", "-"]]
    replace_text(folder / "vb.yaml", "    kolumner:", '    tom: ""\n    kolumner:')
    assert cell_texts(only_table(compose(folder, tmp_path / "2")[1])) == [["Ett", "", "–", ""]]


def test_a_total_that_does_not_add_up_is_told_with_the_files_decimals(tmp_path):
    columns = """\
    - {kolumn: post}
    - {kolumn: belopp, typ: belopp}
    - {kolumn: radtyp, visas: nej}
    """
    folder = make_folder(tmp_path, table_yaml(columns), {
        "t.csv": "post;belopp;radtyp\nA;100;\nB;40;\nSumma;144,2;summa\n"})
    assert problems(folder) == [
        't.csv, rad 4, kolumn "belopp": summan stämmer inte: raden anger 144,2 men raderna '
        "sedan förra summan blir 140,0"]


# --- A new year's folder, filled in ------------------------------------------------------------


def _cell(plats: str) -> tuple[str, int, str]:
    """A cell's file, row and column from a gap's place: "drift.csv, rad 3, kolumn x"."""
    m = re.fullmatch(r"(.+), rad (\d+), kolumn (.+)", plats)
    assert m, plats
    return m.group(1), int(m.group(2)), m.group(3)


def _fill_numbers(new: Path, old: Path, gaps: list[luckor.GapEntry]) -> None:
    """Fill each missing cell with last year's figure of the same row (column of last year,
    or the same column), as an economist copies the new figures in."""
    cells = [_cell(g.plats) for g in gaps if ", rad " in g.plats]
    for file in {c[0] for c in cells}:
        rows = list(csv.reader(io.StringIO((new / file).read_text(encoding="utf-8-sig")),
                               delimiter=";"))
        before = list(csv.reader(io.StringIO((old / file).read_text(encoding="utf-8-sig")),
                                 delimiter=";"))
        header = [h.lower() for h in rows[0]]
        for f, row, column in cells:
            if f != file:
                continue
            previous = column.replace("2024", "2023")
            source = [h.lower() for h in before[0]].index(
                previous if previous in [h.lower() for h in before[0]] else column)
            rows[row - 1][header.index(column)] = before[row - 1][source]
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
        (new / file).write_text(out.getvalue(), encoding="utf-8")


def _fill_texts(new: Path, old: Path, gaps: list[luckor.GapEntry]) -> None:
    """Write every missing text and assessment, as the förvaltning does: a text file with
    last year's tables and charts placed in it again."""
    y = yaml_rt()
    data = y.load((new / "vb.yaml").read_text(encoding="utf-8"))
    for g in gaps:
        if g.plats.startswith("text/"):
            marks = re.findall(r"^\[(?:tabell|diagram): [^\]]+\]$",
                               (old / g.plats).read_text(encoding="utf-8"), re.MULTILINE)
            (new / g.plats).write_text("\n\n".join(["Årets text.", *marks]) + "\n",
                                       encoding="utf-8")
        elif g.plats.startswith("vb.yaml, fält "):
            *path, key = re.findall(r"(\w+)(?:\[(\d+)\])?", g.plats.split("fält ")[1])
            node = data
            for name, index in path:
                node = node[name] if not index else node[name][int(index) - 1]
            node[key[0]] = "Uppfyllt" if key[0] == "maluppfyllelse" else "Årets text."
    with (new / "vb.yaml").open("w", encoding="utf-8") as f:
        y.dump(data, f)


def test_a_new_year_with_texts_but_no_numbers_is_refused_until_the_numbers_are_in(
        kultur, tmp_path):
    new = tmp_path / "kultur-2024"
    assert run_cli("init", str(new), "--from", str(kultur)).exit_code == 0
    _fill_texts(new, kultur, luckor.gaps_of(check(new)[1]))
    gaps = luckor.gaps_of(check(new)[1])
    assert gaps and all(", rad " in g.plats or g.vad.startswith("värden till") for g in gaps)

    result = run_cli("build", str(new), "--ut", str(tmp_path / "ut"), "--slutlig")
    assert result.exit_code == 1
    assert "    Bibliotek: Budget 2024 (drift.csv, rad 3, kolumn budget_2024)" in result.output
    assert ("    Stadsbiblioteket: Antal besök 2024 (besok.csv, rad 2, kolumn 2024)"
            in result.output)
    assert ("    Elever i kulturskolan, andel av invånare 6–15 år (%): 2024 (indikatorer.csv, "
            "rad 2, kolumn 2024)") in result.output
    assert "(kolada.csv, rad 2, kolumn norrvik)" in result.output

    _fill_numbers(new, kultur, gaps)
    result = run_cli("build", str(new), "--ut", str(tmp_path / "ut"), "--slutlig",
                     "--format", "docx")
    assert result.exit_code == 0, result.output
