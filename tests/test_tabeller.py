"""Declared tables (``tabeller``): reading, Swedish formatting, derived columns, totals,
errors, cards and charts drawn from a table, on small data folders written by the tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from textwrap import dedent, indent

import pytest
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from vbgen import fmt
from vbgen.build import Options, build
from vbgen.compose.tabellvy import view
from vbgen.derive.goals import table_chart
from vbgen.fmt import NOT_MEANINGFUL_NOTE
from vbgen.load import load
from vbgen.model import doc
from vbgen.model.report import COLUMN_TYPES, Column, TableChart
from vbgen.readers.tables import cell_value

from .conftest import line_of, word_document
from .test_disposition import compose, make_folder, problems

NB = "\u00a0"
MINUS = "\u2212"


def table_yaml(columns: str, extra: str = "", fil: str = "t.csv", block: str = "tabell: t"
               ) -> str:
    """A main file body with one declared table ``t`` shown in one section, with a source
    unless ``extra`` gives one."""
    if "kalla:" not in extra:
        extra += "    kalla: Testsystemet\n"
    return dedent(f"""\
        tabeller:
          - id: t
            fil: {fil}
            rubrik: Tabellen
        """) + extra + "    kolumner:\n" + indent(dedent(columns), "      ") + dedent(f"""\
        disposition:
          - rubrik: Avsnitt
            block:
              - {block}
        """)


def cell_texts(table: doc.Table) -> list[list[str]]:
    return [[doc.plain(c.children) for c in row.cells] for row in table.body]


def only_table(document: doc.Document) -> doc.Table:
    found = [b for b in document.blocks if isinstance(b, doc.Table)]
    assert len(found) == 1
    return found[0]


# --- Column types and Swedish formatting -------------------------------------------------------

TYPES = """\
- {kolumn: namn, rubrik: Namn}
- {kolumn: antal, rubrik: Antal, typ: heltal}
- {kolumn: kvot, rubrik: Kvot, typ: tal}
- {kolumn: kvot2, rubrik: Kvot två decimaler, typ: tal, decimaler: 2}
- {kolumn: belopp, rubrik: Belopp, typ: belopp}
- {kolumn: andel, rubrik: Andel, typ: procent}
- {kolumn: rang, rubrik: Placering, typ: rang}
- {kolumn: datum, rubrik: Datum, typ: datum}
"""
TYPES_CSV = """\
namn;antal;kvot;kvot2;belopp;andel;rang;datum
Ett;1 234;3,14159;−3,14159;12 345,4;4,25;19/26;2024-05-03
Två;-;;7;−1234567;0,05;1 / 290;2023-12-31
"""


def test_each_column_type_is_read_and_formatted_the_swedish_way(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml(TYPES), {"t.csv": TYPES_CSV})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert table.caption == "Tabellen"
    assert [doc.plain(c.children) for c in table.head[0].cells] == [
        "Namn", "Antal", "Kvot", "Kvot två decimaler", "Belopp", "Andel", "Placering", "Datum"]
    assert cell_texts(table) == [
        ["Ett", f"1{NB}234", "3,14", f"{MINUS}3,14", f"12{NB}345", f"4,3{NB}%", "19/26",
         "3 maj 2024"],
        ["Två", "-", "-", "7,00", f"{MINUS}1{NB}234{NB}567", f"0,1{NB}%", "1/290",
         "31 december 2023"]]
    aligns = [c.align for c in table.body[0].cells]
    assert aligns == ["left", "right", "right", "right", "right", "right", "right", "left"]


def test_tkr_shown_as_mnkr_with_the_tables_and_the_columns_decimals(tmp_path: Path) -> None:
    columns = """\
    - {kolumn: post, rubrik: Post}
    - {kolumn: a, typ: belopp}
    - {kolumn: b, typ: belopp, decimaler: 2}
    - {kolumn: c, typ: belopp, decimaler: 0}
    """
    folder = make_folder(tmp_path, table_yaml(columns, "    enhet: tkr\n    visa: mnkr\n"),
                         {"t.csv": "post;a;b;c\nX;1 234 567;1 234 567;−2 500\n"})
    _, document = compose(folder, tmp_path)
    assert cell_texts(only_table(document)) == [
        ["X", f"1{NB}234,6", f"1{NB}234,57", f"{MINUS}3"]]


def test_kr_shown_as_tkr_and_table_decimals_default(tmp_path: Path) -> None:
    columns = """\
    - {kolumn: post}
    - {kolumn: belopp, typ: belopp}
    - {kolumn: tal, typ: tal}
    """
    extra = "    enhet: kr\n    visa: tkr\n    decimaler: 2\n"
    folder = make_folder(tmp_path, table_yaml(columns, extra),
                         {"t.csv": "post;belopp;tal\nX;1 500 000;2\n"})
    _, document = compose(folder, tmp_path)
    assert cell_texts(only_table(document)) == [["X", f"1{NB}500,00", "2,00"]]


def test_note_marks_follow_the_number_and_text_cells_are_inline_markdown(tmp_path: Path
                                                                         ) -> None:
    columns = """\
    - {kolumn: text, rubrik: Text}
    - {kolumn: antal, rubrik: Antal, typ: heltal}
    """
    csv = 'text;antal\n"**Fet** och *kursiv*^[Fotnoten.]";2 174 *\nVanlig;12 **\n'
    extra = "    noter: ['* Preliminär siffra.', '** Uppskattad.']\n"
    folder = make_folder(tmp_path, table_yaml(columns, extra), {"t.csv": csv})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert cell_texts(table) == [["Fet och kursiv", f"2{NB}174{NB}*"],
                                 ["Vanlig", f"12{NB}**"]]
    first = table.body[0].cells[0].children
    assert [type(i).__name__ for i in first] == ["Strong", "Text", "Emph", "Footnote"]
    assert doc.plain(first[3].children) == "Fotnoten."
    assert [doc.plain(n.children) for n in table.notes] == ["* Preliminär siffra.",
                                                            "** Uppskattad.",
                                                            "Källa: Testsystemet"]


def test_a_note_starting_with_its_mark_is_shown_as_written(tmp_path: Path) -> None:
    extra = "    noter: ['* Preliminär siffra.']\n"
    folder = make_folder(tmp_path, table_yaml("- {kolumn: antal, typ: heltal}\n", extra),
                         {"t.csv": "antal\n2 174 *\n"})
    _, document = compose(folder, tmp_path)
    assert [doc.plain(n.children) for n in only_table(document).notes] == [
        "* Preliminär siffra.", "Källa: Testsystemet"]


def test_kalla_is_the_last_note(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml("- {kolumn: a}\n",
                                              "    kalla: Ekonomisystemet\n"
                                              "    noter: [Första noten.]\n"),
                         {"t.csv": "a\nx\n"})
    _, document = compose(folder, tmp_path)
    assert [doc.plain(n.children) for n in only_table(document).notes] == [
        "Första noten.", "Källa: Ekonomisystemet"]


# --- Grouped headers ---------------------------------------------------------------------------

GROUPED = """\
- {kolumn: post, rubrik: Post}
- {kolumn: "2023", typ: belopp, grupp: Utfall}
- {kolumn: "2024", typ: belopp, grupp: Utfall}
- {kolumn: budget, rubrik: Budget, typ: belopp}
- {id: avvikelse, rubrik: Avvikelse, typ: belopp, grupp: Jämförelse,
   berakning: {skillnad: [budget, "2024"]}}
"""


def test_grouped_headers_span_their_columns_in_the_model(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml(GROUPED),
                         {"t.csv": "post;2023;2024;budget\nA;10;12;15\n"})
    _, document = compose(folder, tmp_path)
    head = only_table(document).head
    assert [(doc.plain(c.children), c.colspan, c.rowspan) for c in head[0].cells] == [
        ("Post", 1, 2), ("Utfall", 2, 1), ("Budget", 1, 2), ("Jämförelse", 1, 1)]
    assert [doc.plain(c.children) for c in head[1].cells] == ["2023", "2024", "Avvikelse"]
    assert cell_texts(only_table(document)) == [["A", "10", "12", "15", "3"]]


def test_grouped_headers_are_merged_cells_in_the_docx(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml(GROUPED),
                         {"t.csv": "post;2023;2024;budget\nA;10;12;15\n"})
    out = tmp_path / "ut"
    [path] = build(folder, Options(out, formats=("docx",), documents=("verksamhetsberattelse",)))
    table = word_document(path).tables[0]
    rows = table._tbl.findall(qn("w:tr"))

    def cells(tr):  # (text, gridSpan, vMerge) of each w:tc
        out = []
        for tc in tr.findall(qn("w:tc")):
            pr = tc.find(qn("w:tcPr"))
            span = pr.find(qn("w:gridSpan")) if pr is not None else None
            merge = pr.find(qn("w:vMerge")) if pr is not None else None
            out.append(("".join(t.text for t in tc.iter(qn("w:t"))),
                        int(span.get(qn("w:val"))) if span is not None else 1,
                        None if merge is None else (merge.get(qn("w:val")) or "continue")))
        return out

    assert cells(rows[0]) == [("Post", 1, "restart"), ("Utfall", 2, None),
                              ("Budget", 1, "restart"), ("Jämförelse", 1, None)]
    assert cells(rows[1]) == [("", 1, "continue"), ("2023", 1, None), ("2024", 1, None),
                              ("", 1, "continue"), ("Avvikelse", 1, None)]
    assert [c.text for c in table.rows[2].cells] == ["A", "10", "12", "15", "3"]


# --- Derived columns ---------------------------------------------------------------------------

DERIVED = """\
- {kolumn: post}
- {kolumn: gammal, typ: tal}
- {kolumn: ny, typ: tal}
- {id: skillnad, typ: tal, berakning: {skillnad: [ny, gammal]}}
- {id: forandring, berakning: {forandring: [gammal, ny]}}
- {id: andel, berakning: {andel: [ny, gammal]}}
- {id: summa, berakning: {summa: [gammal, ny, skillnad]}}
- {id: produkt, berakning: {produkt: [gammal, ny]}}
"""


def test_derived_columns_compute_from_the_rows_values(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml(DERIVED, "    decimaler: 1\n"),
                         {"t.csv": "post;gammal;ny\nA;200;250\nB;-;5\n"})
    _, document = compose(folder, tmp_path)
    assert cell_texts(only_table(document)) == [
        ["A", "200,0", "250,0", "50,0", f"25,0{NB}%", f"125,0{NB}%", "500,0",
         f"50{NB}000,0"],
        # summa adds the values there are; the others need all theirs.
        ["B", "-", "5,0", "-", "-", "-", "5,0", "-"]]


NONPOSITIVE = "post;gammal;ny\nNoll;0;250\nNegativ;−100;50\nPositiv;100;50\n"


def test_forandring_on_a_zero_or_negative_base_is_a_dash_with_a_note(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml(DERIVED, "    decimaler: 1\n"),
                         {"t.csv": NONPOSITIVE})
    report = load(folder)
    shown = view(report.tabelldata["t"])
    changes = [row.cells[4].text for row in shown.body]
    assert changes == ["\u2013", "\u2013", f"{MINUS}50,0{NB}%"]
    assert shown.notes == [NOT_MEANINGFUL_NOTE]


def test_a_table_with_forandring_on_a_zero_base_builds(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml(DERIVED, "    decimaler: 1\n"),
                         {"t.csv": NONPOSITIVE})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert [row[4] for row in cell_texts(table)] == ["\u2013", "\u2013", f"{MINUS}50,0{NB}%"]
    assert [doc.plain(n.children) for n in table.notes] == [
        NOT_MEANINGFUL_NOTE, "Källa: Testsystemet"]


@pytest.mark.parametrize(("calculation", "line"), [
    ("{skillnad: [a]}", "skillnad"), ("{produkt: []}", "produkt")])
def test_a_calculation_with_the_wrong_number_of_columns_is_an_error(
        tmp_path: Path, calculation: str, line: str) -> None:
    columns = f"- {{kolumn: a, typ: tal}}\n- {{id: b, berakning: {calculation}}}\n"
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": "a\n1\n"})
    [message] = problems(folder)
    assert message.startswith(f'vb.yaml, rad {line_of(folder / "vb.yaml", line)}, fält '
                              '"tabeller[1].kolumner[2]')


def test_errors_in_a_tables_declaration(tmp_path: Path) -> None:
    cases = {
        "id": (table_yaml("- {kolumn: a}\n").replace("id: t", "id: Tabell"),
               'fält "tabeller[1].id": har tecken som inte är tillåtna här (se '
               'docs/dataformat.md), fick "Tabell"'),
        "decimaler": (table_yaml("- {kolumn: a, typ: tal, decimaler: 9}\n"),
                      'fält "tabeller[1].kolumner[1].decimaler": är för stort (se '
                      'docs/dataformat.md), fick "9"'),
        "c]": (table_yaml("- {kolumn: a, typ: tal}\n- {id: b, berakning: {skillnad: [a, c]}}\n"),
               'fält "tabeller[1]": kolumnen "b" räknar med "c", som inte finns bland '
               "kolumnerna"),
        "kvot": (table_yaml("- {kolumn: a, typ: tal}\n- {id: b, berakning: {kvot: [a, a]}}\n"),
                 'fält "tabeller[1].kolumner[2]": berakning ska ha en av skillnad, forandring, '
                 "beloppsforandring, andel, summa, produkt"),
    }
    for i, (needle, (body, message)) in enumerate(cases.items()):
        folder = make_folder(tmp_path, body, {"t.csv": "a\n1\n"}, name=f"data{i}")
        line = line_of(folder / "vb.yaml", needle if needle != "c]" else "- id: t")
        assert problems(folder) == [f"vb.yaml, rad {line}, {message}"]


# --- Total rows --------------------------------------------------------------------------------

TOTALS = """\
- {kolumn: post}
- {kolumn: antal, typ: heltal}
- {kolumn: belopp, typ: belopp}
- {kolumn: radtyp, visas: nej}
"""
TOTALS_CSV = """\
post;antal;belopp;radtyp
A;1;100;
B;2;200;
Delsumma AB;3;300;delsumma
C;4;1 000;
Delsumma C;4;1 000;delsumma
Summa;7;1 300;summa
D;5;5;
Summa D;5;5;summa
"""


def test_total_rows_that_add_up_are_shown_bold(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml(TOTALS), {"t.csv": TOTALS_CSV})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert [row.role for row in table.body] == ["", "", "summa", "", "summa", "summa", "",
                                                "summa"]
    assert [doc.plain(c.children) for c in table.head[0].cells] == ["post", "antal", "belopp"]


def test_total_rows_within_the_tolerance_pass(tmp_path: Path) -> None:
    csv = TOTALS_CSV.replace("Summa;7;1 300;summa", "Summa;7;1 301;summa")
    folder = make_folder(tmp_path, table_yaml(TOTALS), {"t.csv": csv})
    assert load(folder).tabelldata["t"].rows[5].kind == "summa"


def test_total_rows_that_do_not_add_up_are_errors(tmp_path: Path) -> None:
    csv = (TOTALS_CSV.replace("Delsumma AB;3;300;delsumma", "Delsumma AB;5;300;delsumma")
           .replace("Summa;7;1 300;summa", "Summa;7;1 350;summa"))
    folder = make_folder(tmp_path, table_yaml(TOTALS), {"t.csv": csv})
    assert problems(folder) == [
        't.csv, rad 4, kolumn "antal": summan stämmer inte: raden anger 5 men raderna sedan '
        "förra summaraden blir 3",
        f't.csv, rad 7, kolumn "belopp": summan stämmer inte: raden anger 1{NB}350 men raderna '
        f"sedan förra summan blir 1{NB}300"]


def test_a_count_total_off_by_one_is_an_error(tmp_path: Path) -> None:
    csv = TOTALS_CSV.replace("Delsumma AB;3;300;delsumma", "Delsumma AB;4;300;delsumma")
    folder = make_folder(tmp_path, table_yaml(TOTALS), {"t.csv": csv})
    assert problems(folder) == [
        't.csv, rad 4, kolumn "antal": summan stämmer inte: raden anger 4 men raderna sedan '
        "förra summaraden blir 3"]


# --- Errors in a table's file -------------------------------------------------------------------


def test_a_column_in_the_file_but_not_declared_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml("- {kolumn: a}\n"),
                         {"t.csv": "a;Extra_Kolumn\nx;1\n"})
    assert problems(folder) == [
        't.csv, rad 1, kolumn "extra kolumn": kolumnen "extra kolumn" finns i filen men inte '
        'under kolumner för tabellen "t" i vb.yaml; lägg till den (med visas: nej om den inte '
        "ska visas) eller ta bort den ur filen"]


def test_a_declared_column_missing_from_the_file_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml("- {kolumn: a}\n- {kolumn: Budget 2024}\n"),
                         {"t.csv": "a\nx\n"})
    assert problems(folder) == [
        't.csv, rad 1, kolumn "Budget 2024": kolumnen saknas i rubrikraden (tabellen "t" i '
        "vb.yaml deklarerar den)"]


def test_the_header_of_a_file_without_rows_is_checked_too(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml("- {kolumn: a}\n- {kolumn: b, typ: tal}\n"),
                         {"t.csv": "a;c\n"})
    assert problems(folder) == [
        't.csv, rad 1, kolumn "c": kolumnen "c" finns i filen men inte under kolumner för '
        'tabellen "t" i vb.yaml; lägg till den (med visas: nej om den inte ska visas) eller '
        "ta bort den ur filen",
        't.csv, rad 1, kolumn "b": kolumnen saknas i rubrikraden (tabellen "t" i vb.yaml '
        "deklarerar den)"]


def test_bad_cell_values_are_errors_naming_row_and_column(tmp_path: Path) -> None:
    columns = """\
    - {kolumn: namn}
    - {kolumn: antal, typ: heltal}
    - {kolumn: kvot, typ: tal}
    - {kolumn: rang, typ: rang}
    - {kolumn: datum, typ: datum}
    - {kolumn: radtyp, visas: nej}
    """
    csv = ("namn;antal;kvot;rang;datum;radtyp\n"
           "A;1,5;abc;27/26;2024-13-01;\n"
           "B;2;1.234,5;0/3;3 maj 2024;total\n")
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": csv})
    assert problems(folder) == [
        't.csv, rad 2, kolumn "antal": förväntade ett heltal, fick "1,5"',
        't.csv, rad 2, kolumn "kvot": förväntade ett tal, fick "abc"',
        't.csv, rad 2, kolumn "rang": förväntade en placering som "19/26", fick "27/26"',
        't.csv, rad 2, kolumn "datum": förväntade ett datum som ÅÅÅÅ-MM-DD, fick "2024-13-01"',
        't.csv, rad 3, kolumn "radtyp": okänt värde "total"; lämna tomt eller skriv '
        '"delsumma", "summa", "resultat", "rang" eller "text"',
        't.csv, rad 3, kolumn "kvot": talet "1.234,5" har både punkt och komma; skriv det utan '
        "tusentalsavgränsare och med komma före decimalerna",
        't.csv, rad 3, kolumn "rang": förväntade en placering som "19/26", fick "0/3"',
        't.csv, rad 3, kolumn "datum": förväntade ett datum som ÅÅÅÅ-MM-DD, fick "3 maj 2024"']


def test_nan_and_inf_in_a_number_column_are_errors(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml("- {kolumn: a}\n- {kolumn: kvot, typ: tal}\n"),
                         {"t.csv": "a;kvot\nx;nan\ny;inf\n"})
    limit = ("talet ligger utanför det vbgen tar emot (ett ändligt tal mellan "
             "−1 000 000 000 000 och 1 000 000 000 000)")
    assert problems(folder) == [
        f't.csv, rad 2, kolumn "kvot": {limit}, fick "nan"',
        f't.csv, rad 3, kolumn "kvot": {limit}, fick "inf"']


def test_unknown_column_type_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml("- {kolumn: a, typ: valuta}\n"),
                         {"t.csv": "a\n1\n"})
    vb = folder / "vb.yaml"
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(vb, "typ: valuta")}, fält "tabeller[1].kolumner[1]": okänd '
        'kolumntyp "valuta"; välj text, heltal, tal, belopp, procent, rang, datum, mal']


def test_unknown_unit_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml("- {kolumn: a}\n", "    visa: miljarder\n"),
                         {"t.csv": "a\n1\n"})
    vb = folder / "vb.yaml"
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(vb, "- id: t")}, fält "tabeller[1]": okänd enhet '
        '"miljarder"; välj kr, tkr eller mnkr']


# --- Text tables, cards and charts from a table --------------------------------------------------


def test_a_table_of_text_only(tmp_path: Path) -> None:
    columns = "- {kolumn: fraga, rubrik: Fråga}\n- {kolumn: svar, rubrik: Svar}\n"
    folder = make_folder(tmp_path, table_yaml(columns),
                         {"t.csv": "fraga;svar\nVem?;*Nämnden*\nNär?;I maj\n"})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert cell_texts(table) == [["Vem?", "Nämnden"], ["När?", "I maj"]]
    assert {c.align for row in table.body for c in row.cells} == {"left"}


def test_a_text_cell_that_looks_like_a_list_item_is_shown_as_written(tmp_path: Path) -> None:
    columns = "- {kolumn: fraga, rubrik: Fråga}\n- {kolumn: svar, rubrik: Svar}\n"
    folder = make_folder(tmp_path, table_yaml(columns),
                         {"t.csv": "fraga;svar\nNär?;-\nVad?;- ett svar\n"})
    _, document = compose(folder, tmp_path)
    assert cell_texts(only_table(document)) == [["När?", "-"], ["Vad?", "- ett svar"]]


RISKS = """\
- {kolumn: risk, rubrik: Risk}
- {kolumn: atgard, rubrik: Åtgärd}
- {kolumn: sannolikhet, rubrik: Sannolikhet, typ: heltal}
- {kolumn: konsekvens, rubrik: Konsekvens, typ: heltal}
- {id: riskniva, rubrik: Risknivå, berakning: {produkt: [sannolikhet, konsekvens]}}
"""
RISKS_CSV = ("risk;atgard;sannolikhet;konsekvens\n"
             "Brand;**Övning** varje år;2;3\nLäcka;Kontroll;4;4\n")


def test_cards_one_per_row_with_a_produkt_column(tmp_path: Path) -> None:
    block = "kort: {tabell: t, titel: risk, falt: [riskniva, atgard]}"
    folder = make_folder(tmp_path, table_yaml(RISKS, block=block), {"t.csv": RISKS_CSV})
    _, document = compose(folder, tmp_path)
    cards = [b for b in document.blocks if isinstance(b, doc.Table)]
    assert [c.caption for c in cards] == ["Brand", "Läcka"]
    assert {c.role for c in cards} == {"kort"}
    assert [[[doc.plain(x.children) for x in row.cells] for row in c.body] for c in cards] == [
        [["Risknivå", "6"], ["Åtgärd", "Övning varje år"]],
        [["Risknivå", "16"], ["Åtgärd", "Kontroll"]]]
    assert isinstance(cards[0].body[1].cells[1].children[0], doc.Strong)


def test_cards_default_to_the_first_column_and_every_other_shown_column(tmp_path: Path
                                                                         ) -> None:
    folder = make_folder(tmp_path, table_yaml(RISKS, block="kort: {tabell: t}"),
                         {"t.csv": RISKS_CSV})
    _, document = compose(folder, tmp_path)
    first = next(b for b in document.blocks if isinstance(b, doc.Table))
    assert first.caption == "Brand"
    assert [doc.plain(row.cells[0].children) for row in first.body] == [
        "Åtgärd", "Sannolikhet", "Konsekvens", "Risknivå"]


def test_a_chart_drawn_from_a_table_shows_its_figures_in_the_shown_unit(tmp_path: Path
                                                                        ) -> None:
    columns = """\
    - {kolumn: verksamhet, rubrik: Verksamhet}
    - {kolumn: budget, rubrik: Budget, typ: belopp}
    - {kolumn: utfall, rubrik: Utfall, typ: belopp}
    - {kolumn: radtyp, visas: nej}
    """
    block = ('diagram: {tabell: t, typ: liggande_stapel, serier: [budget, utfall], '
             'titel: "Budget och utfall, mnkr", kalla: Ekonomisystemet}')
    csv = ("verksamhet;budget;utfall;radtyp\nBibliotek;12 500;13 100;\nBad;8 000;7 250;\n"
           "Summa;20 500;20 350;summa\n")
    folder = make_folder(tmp_path, table_yaml(columns, "    visa: mnkr\n", block=block),
                         {"t.csv": csv})
    _, document = compose(folder, tmp_path)
    [figure] = [b for b in document.blocks if isinstance(b, doc.Figure)]
    assert doc.plain(figure.caption) == ("Diagram: Budget och utfall, mnkr. "
                                         "Källa: Ekonomisystemet.")
    assert figure.alt.startswith("Liggande stapeldiagram: Budget och utfall, mnkr.")
    for shown in ("Budget", "Utfall", "Bibliotek", "Bad", "13,1", "7,25"):
        assert shown in figure.alt
    assert "Summa" not in figure.alt and "20,5" not in figure.alt
    assert Path(figure.path).is_file()


def test_a_chart_from_a_table_takes_its_categories_and_total_rows_as_told(tmp_path: Path
                                                                        ) -> None:
    columns = """\
    - {kolumn: kod}
    - {kolumn: verksamhet}
    - {kolumn: utfall, typ: belopp}
    - {kolumn: radtyp, visas: nej}
    """
    csv = "kod;verksamhet;utfall;radtyp\n1;Bibliotek;1 000;\n2;Bad;500;\n;Summa;1 500;summa\n"
    folder = make_folder(tmp_path, table_yaml(columns, "    visa: mnkr\n"), {"t.csv": csv})
    table = load(folder).tabelldata["t"]
    default = table_chart(table, TableChart(tabell="t", titel="T", serier=["utfall"]))
    assert default.kategorier == ["1", "2"]
    assert [(s.namn, s.values) for s in default.serier] == [("utfall", [1.0, 0.5])]
    chosen = table_chart(table, TableChart(tabell="t", titel="T", serier=["utfall"],
                                           kategorier="verksamhet", summarader=True))
    assert chosen.kategorier == ["Bibliotek", "Bad", "Summa"]
    assert chosen.serier[0].values == [1.0, 0.5, 1.5]


def test_a_chart_of_an_unknown_column_is_an_error(tmp_path: Path) -> None:
    block = "diagram: {tabell: t, serier: [utfall], titel: Diagram}"
    folder = make_folder(tmp_path, table_yaml("- {kolumn: a}\n- {kolumn: b, typ: tal}\n",
                                              block=block), {"t.csv": "a;b\nx;1\n"})
    vb = folder / "vb.yaml"
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(vb, "- diagram:")}, fält "disposition[1].block[1].diagram": '
        'kolumnen "utfall" finns inte i tabellen "t"; kolumnerna är a, b']


# --- Excel ---------------------------------------------------------------------------------------


def _workbook(path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Blad1"
    wb.active.append(["fel", "blad"])
    sheet = wb.create_sheet("Data")
    sheet.append(["post", "belopp", "andel"])
    sheet.append(["A", 1500, 12.5])
    sheet.append(["B", -250.25, None])
    wb.save(path)


def test_xlsx_table_read_from_the_sheet_named_by_flik(tmp_path: Path) -> None:
    columns = """\
    - {kolumn: post, rubrik: Post}
    - {kolumn: belopp, rubrik: Belopp, typ: belopp, decimaler: 1}
    - {kolumn: andel, rubrik: Andel, typ: procent}
    """
    folder = make_folder(tmp_path, table_yaml(columns, "    flik: Data\n", fil="t.xlsx"))
    _workbook(folder / "t.xlsx")
    _, document = compose(folder, tmp_path)
    assert cell_texts(only_table(document)) == [
        ["A", f"1{NB}500,0", f"12,5{NB}%"], ["B", f"{MINUS}250,3", "-"]]


def test_xlsx_unknown_sheet_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml("- {kolumn: post}\n", "    flik: Saknas\n",
                                              fil="t.xlsx"))
    _workbook(folder / "t.xlsx")
    assert problems(folder) == ['t.xlsx: bladet "Saknas" finns inte; bladen heter "Blad1", '
                                '"Data"']


def test_xlsx_date_cells_are_dates(tmp_path: Path) -> None:
    from datetime import date

    folder = make_folder(tmp_path, table_yaml("- {kolumn: dag, typ: datum}\n", fil="t.xlsx"))
    wb = Workbook()
    wb.active.append(["dag"])
    wb.active.append([date(2023, 6, 6)])
    wb.save(folder / "t.xlsx")
    _, document = compose(folder, tmp_path)
    assert cell_texts(only_table(document)) == [["6 juni 2023"]]


# --- Properties of cell_value -------------------------------------------------------------------

NUMERIC = {"heltal": 0, "tal": 2, "belopp": 0, "procent": 1}


@settings(max_examples=150, deadline=None, database=None)
@given(typ=st.sampled_from(sorted(NUMERIC)), units=st.integers(-10**12, 10**12),
       decimals=st.integers(0, 3), mark=st.sampled_from(["", "*", "**"]))
def test_a_formatted_number_reads_back_as_the_same_number(typ: str, units: int, decimals: int,
                                                          mark: str) -> None:
    decimals = 0 if typ == "heltal" else decimals
    value = Decimal(units).scaleb(-decimals)
    text = fmt.percent(value, decimals) if typ == "procent" else fmt.number(value, decimals)
    if mark:
        text += fmt.NBSP + mark
    read = cell_value(Column(kolumn="x", typ=typ), text)
    assert read.value == float(value)
    assert read.mark == mark


@settings(max_examples=100, deadline=None, database=None)
@given(st.integers(1, 5000), st.integers(0, 5000))
def test_a_rank_reads_back(place: int, more: int) -> None:
    assert cell_value(Column(kolumn="x", typ="rang"),
                      f"{place}/{place + more}").value == f"{place}/{place + more}"


@settings(max_examples=100, deadline=None, database=None)
@given(st.dates())
def test_a_date_reads_back(day: date) -> None:
    assert cell_value(Column(kolumn="x", typ="datum"), day.isoformat()).value == day


@settings(max_examples=300, deadline=None, database=None)
@given(typ=st.sampled_from(COLUMN_TYPES), raw=st.text())
def test_any_text_gives_a_value_or_a_swedish_value_error(typ: str, raw: str) -> None:
    try:
        value = cell_value(Column(kolumn="x", typ=typ), raw)
    except ValueError as exc:
        # Either it is no such value, or a number with the other decimal mark, and its readings.
        assert str(exc).startswith(("förväntade ", "talet "))
        assert f'fick "{raw}"' in str(exc) or f'"{raw.strip()}" har ' in str(exc)
    else:
        assert value.value is None or isinstance(value.value, str | float | date)


def test_a_mark_without_a_note_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml("- {kolumn: antal, typ: heltal}\n",
                                              "    noter: ['* Preliminär siffra.']\n"),
                         {"t.csv": "antal\n2 174 *\n12 **\n"})
    assert problems(folder) == [
        't.csv, rad 3, kolumn "antal": markeringen "**" har ingen förklaring; lägg till en '
        'not som börjar med "**" under noter för tabellen "t" i vb.yaml']


def test_a_table_without_a_file_in_a_main_file_with_errors_is_no_crash(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "tabeller:\n  - {id: t, rubrik: T, kolumner: [{kolumn: a}]}\n"
                                   "  - {id: u, fil: ., rubrik: U, kolumner: [{kolumn: a}]}\n")
    line = line_of(folder / "vb.yaml", "{id: t,")
    assert problems(folder)[0] == f'vb.yaml, rad {line}, fält "tabeller[1].fil": saknas men krävs'



# --- Captions, headers, result rows and declarations that cannot be right ----------------------


def test_a_footnote_in_a_caption_and_in_a_column_header(tmp_path: Path) -> None:
    body = table_yaml("- {kolumn: namn, rubrik: Namn}\n"
                      "- {kolumn: antal, rubrik: \"Antal^[Preliminärt.]\", typ: heltal}\n")
    body = body.replace("rubrik: Tabellen", "rubrik: \"Besök *i år*^[Räknat vid entrén.]\"")
    folder = make_folder(tmp_path, body, {"t.csv": "namn;antal\nA;3\n"})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert table.caption == "Besök i år"  # its name, without the footnote
    assert [type(i).__name__ for i in table.caption_inlines()] == ["Text", "Emph", "Footnote"]
    assert doc.plain(table.caption_inlines()[2].children) == "Räknat vid entrén."
    header = table.head[0].cells[1].children
    assert [type(i).__name__ for i in header] == ["Text", "Footnote"]
    out = tmp_path / "ut2"
    [path] = build(folder, Options(out, formats=("docx",), documents=("verksamhetsberattelse",)))
    d = word_document(path)
    caption = next(p for p in d.paragraphs if p.style.name == "Caption")
    assert caption.text == "Besök i år"
    assert len(caption._p.findall(".//" + qn("w:footnoteReference"))) == 1
    assert len(d.tables[0]._tbl.findall(".//" + qn("w:footnoteReference"))) == 1


def test_a_table_without_a_caption_keeps_a_name(tmp_path: Path) -> None:
    import pikepdf

    body = table_yaml("- {kolumn: namn, rubrik: Namn}\n- {kolumn: antal, typ: heltal}\n")
    body = body.replace("    rubrik: Tabellen\n", "")
    folder = make_folder(tmp_path, body, {"t.csv": "namn;antal\nA;3\n"})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert table.caption == "Tabell: Namn, antal" and table.caption_inlines() == []
    paths = build(folder, Options(tmp_path / "ut2", documents=("verksamhetsberattelse",)))
    docx_path = next(p for p in paths if p.suffix == ".docx")
    d = word_document(docx_path)
    assert not [p for p in d.paragraphs if p.style.name == "Caption"]
    name = d.tables[0]._tbl.tblPr.find(qn("w:tblCaption"))
    assert name.get(qn("w:val")) == "Tabell: Namn, antal"
    with pikepdf.open(next(p for p in paths if p.suffix == ".pdf")) as pdf:
        titles = []
        todo = [pdf.Root.StructTreeRoot]
        while todo:
            elem = todo.pop()
            if isinstance(elem, pikepdf.Dictionary):
                if elem.get("/S") == "/Table":
                    titles.append(str(elem.get("/T")))
                kids = elem.get("/K")
                todo.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
        assert titles == ["Tabell: Namn, antal"]


def test_a_result_row_looks_like_a_total_and_is_no_sum(tmp_path: Path) -> None:
    columns = "- {kolumn: post}\n- {kolumn: belopp, typ: belopp}\n- {kolumn: radtyp, visas: nej}\n"
    csv = ("post;belopp;radtyp\nIntäkter;100;\nKostnader;−300;\nNetto;−200;summa\n"
           "Kommunbidrag;250;\nÅrets resultat;50;resultat\nÖvrigt;5;\nSumma;255;summa\n")
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": csv})
    _, document = compose(folder, tmp_path)  # no sum error: 50 is not 250, nor 255 with it
    roles = [(doc.plain(r.cells[0].children), r.role) for r in only_table(document).body]
    assert roles == [("Intäkter", ""), ("Kostnader", ""), ("Netto", "summa"),
                     ("Kommunbidrag", ""), ("Årets resultat", "summa"), ("Övrigt", ""),
                     ("Summa", "summa")]


@pytest.mark.parametrize(("columns", "message"), [
    ("- {kolumn: namn}\n- {kolumn: a, typ: heltal}\n"
     "- {id: d, berakning: {skillnad: [a, namn]}}\n",
     'kolumnen "d" räknar med "namn", som är av typen text; en beräkning räknar med kolumner '
     "av typen heltal, tal, belopp eller procent"),
    ("- {kolumn: namn}\n- {kolumn: a, typ: heltal}\n- {kolumn: A, id: a2, typ: heltal}\n",
     'kolumnen "a" i filen står flera gånger under kolumner; deklarera den en gång (en '
     "beräknad kolumn får ett eget id och ingen kolumn)"),
])
def test_declarations_that_cannot_be_right_are_errors(tmp_path: Path, columns: str,
                                                       message: str) -> None:
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": "namn;a\nA;3\n"})
    line = line_of(folder / "vb.yaml", "- id: t")
    assert problems(folder) == [f'vb.yaml, rad {line}, fält "tabeller[1]": {message}']


def test_a_column_named_twice_in_the_file_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml("- {kolumn: namn}\n- {kolumn: a, typ: heltal}\n"),
                         {"t.csv": "namn;a;A\nX;1;2\n"})
    assert problems(folder) == [
        't.csv, rad 1, kolumn "a": kolumnen "a" står 2 gånger i rubrikraden; ge kolumnerna '
        "olika namn"]


def test_a_declared_table_nothing_shows_is_an_error(tmp_path: Path) -> None:
    body = table_yaml("- {kolumn: a}\n").replace("    block:\n      - tabell: t\n", "")
    folder = make_folder(tmp_path, body, {"t.csv": "a\nx\n"})
    line = line_of(folder / "vb.yaml", "- id: t")
    assert problems(folder) == [
        f'vb.yaml, rad {line}, fält "tabeller[1].id": tabellen "t" är deklarerad men visas '
        "inte; placera den med - tabell: t eller en rad [tabell: t] i en text, hämta tal ur "
        "den med [tal: t | …] eller ta bort den"]
    # Cited in a text, it is used.
    vb = folder / "vb.yaml"
    vb.write_text(vb.read_text(encoding="utf-8").replace(
        "- rubrik: Avsnitt\n", "- rubrik: Avsnitt\n    text: \"Det är [tal: t | x | a].\"\n"),
        encoding="utf-8")
    load(folder)


def test_a_columns_numbers_show_the_same_decimals(tmp_path: Path) -> None:
    """A column that declares its decimals shows them in every cell ("−1,0"); one that
    declares none shows as many as its most precise cell needs, so that it lines up."""
    columns = """\
    - {kolumn: namn}
    - {kolumn: a, typ: tal}
    - {kolumn: b, typ: tal, decimaler: 1}
    - {kolumn: c, typ: tal}
    """
    folder = make_folder(tmp_path, table_yaml(columns),
                         {"t.csv": "namn;a;b;c\nX;3,1;−1;2\nY;−1;0,94;3\nZ;0,25;7;4\n"})
    _, document = compose(folder, tmp_path)
    assert cell_texts(only_table(document)) == [
        ["X", "3,10", f"{MINUS}1,0", "2"], ["Y", f"{MINUS}1,00", "0,9", "3"],
        ["Z", "0,25", "7,0", "4"]]
