"""What a declared table can show besides its rows as they are, on small data folders: some
of its rows under a caption of their own, a row of changes, a cell composed of several
columns, a repeated value merged into one cell, a goal's name from its id, the rounding note,
a one-line group of a sum, the change of amounts written with a minus sign and a chart in
another unit."""

from __future__ import annotations

import re
from pathlib import Path

from vbgen import fmt
from vbgen.compose.tabellvy import ROUNDING_NOTES
from vbgen.derive.goals import table_chart
from vbgen.load import load
from vbgen.model import doc
from vbgen.model.report import TableChart

from .conftest import line_of
from .test_disposition import compose, make_folder, problems
from .test_tabeller import MINUS, NB, cell_texts, only_table, table_yaml

HISTORY = """\
- {kolumn: verksamhet, rubrik: Verksamhet (tkr)}
- {kolumn: "2022", id: ar2022, rubrik: jan–dec 2022, typ: belopp}
- {kolumn: "2023", id: ar2023, rubrik: jan–dec 2023, typ: belopp}
- {kolumn: "2024", id: ar2024, rubrik: jan–dec 2024, typ: belopp}
"""
HISTORY_CSV = """\
verksamhet;2022;2023;2024
Bibliotek;1 740,4;1 296,5;1 259
Bad;-3 990;-1 162;1 083
"""


def texts(row: doc.Row) -> list[str]:
    return [doc.plain(c.children) for c in row.cells]


def notes(table: doc.Table) -> list[str]:
    return [doc.plain(n.children) for n in table.notes]


def test_a_block_shows_some_rows_under_its_own_caption_with_a_row_of_changes(
        tmp_path: Path) -> None:
    block = ('tabell: {tabell: t, rader: [Bibliotek], rubrik: "Bibliotek: tre år, tkr", '
             "forandringsrad: {rubrik: Procentuell förändring, decimaler: 0}}")
    folder = make_folder(tmp_path, table_yaml(HISTORY, block=block), {"t.csv": HISTORY_CSV})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert table.caption == "Bibliotek: tre år, tkr"
    assert cell_texts(table) == [
        ["Bibliotek", f"1{NB}740", f"1{NB}297", f"1{NB}259"],
        ["Procentuell förändring", "", f"{MINUS}26{NB}%", f"{MINUS}3{NB}%"]]
    assert notes(table) == ["Källa: Testsystemet"]


def test_a_change_from_a_negative_base_is_a_dash_with_its_note(tmp_path: Path) -> None:
    block = ("tabell: {tabell: t, rader: [Bad], "
             "forandringsrad: {rubrik: Procentuell förändring}}")
    folder = make_folder(tmp_path, table_yaml(HISTORY, block=block), {"t.csv": HISTORY_CSV})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert table.caption == "Tabellen"  # the table's own caption
    assert cell_texts(table)[1] == ["Procentuell förändring", "", fmt.NOT_MEANINGFUL,
                                    fmt.NOT_MEANINGFUL]
    assert notes(table) == [fmt.NOT_MEANINGFUL_NOTE, "Källa: Testsystemet"]


def test_a_row_the_block_names_must_exist(tmp_path: Path) -> None:
    block = "tabell: {tabell: t, rader: [Bibliotk]}"
    folder = make_folder(tmp_path, table_yaml(HISTORY, block=block), {"t.csv": HISTORY_CSV})
    line = line_of(folder / "vb.yaml", "rader:")
    assert problems(folder) == [
        f'vb.yaml, rad {line}, fält "disposition[1].block[1].tabell.rader": raden "Bibliotk" '
        'finns inte i tabellen "t" (kolumnen "verksamhet"); närmast: "Bibliotek"']


def test_a_composed_column_puts_columns_on_lines_of_one_cell(tmp_path: Path) -> None:
    columns = """\
    - {kolumn: risk, rubrik: Risk}
    - {kolumn: åtgärd, id: atgard, visas: nej}
    - {kolumn: status, visas: nej}
    - {kolumn: kommentar, visas: nej}
    - id: cell
      rubrik: Riskåtgärd
      sammansatt: |
        {atgard}

        **Status**
        {status}

        {kommentar}
    """
    csv = ("risk;åtgärd;status;kommentar\nFukt;Flytta arkivet.;Klart;Arkivet är flyttat.\n"
           "Avtal;Kartlägga behoven.;Pågår;\n")
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": csv})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    first = table.body[0].cells[1].children
    assert [type(i).__name__ for i in first] == [
        "Text", "LineBreak", "LineBreak", "Strong", "LineBreak", "Text", "LineBreak",
        "LineBreak", "Text"]
    assert doc.plain(first) == "Flytta arkivet.\n\nStatus\nKlart\n\nArkivet är flyttat."
    # A line whose columns are all empty is left out, and the blank line before it.
    assert doc.plain(table.body[1].cells[1].children) == "Kartlägga behoven.\n\nStatus\nPågår"


def test_a_composed_column_names_columns_before_it(tmp_path: Path) -> None:
    columns = "- {id: cell, sammansatt: \"{a} och {b}\"}\n- {kolumn: a}\n"
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": "a\nx\n"})
    found = problems(folder)
    assert len(found) == 1
    assert found[0].endswith('fält "tabeller[1]": kolumnen "cell" räknar med "b", som inte '
                             "finns bland kolumnerna")
    columns = "- {id: cell, sammansatt: \"{a}!\"}\n- {kolumn: a}\n"
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": "a\nx\n"}, name="efter")
    line = line_of(folder / "vb.yaml", "sammansatt")
    assert problems(folder) == [
        f'vb.yaml, rad {line}, fält "tabeller[1].kolumner[1].sammansatt": kolumnen "cell" i '
        'tabellen "t" räknar med "a", som står efter den i kolumner; en beräknad kolumn räknar '
        "bara med kolumner före den, så flytta den efter dem"]


VOLUMES = """\
- {kolumn: verksamhet, rubrik: Verksamhet, sammanfoga: ja}
- {kolumn: insats, rubrik: Insats}
- {kolumn: antal, rubrik: Antal, typ: heltal}
- {kolumn: radtyp, visas: nej}
"""
VOLUMES_CSV = """\
verksamhet;insats;antal;radtyp
Barn;HVB;27;
Barn;Jourhem;2;
Vuxna;Stödboende;45;
Barn;Familjehem;3;
Summa;;77;summa
"""


def test_a_repeated_value_is_one_cell_spanning_its_rows(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, table_yaml(VOLUMES), {"t.csv": VOLUMES_CSV})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert [(texts(r), [c.rowspan for c in r.cells]) for r in table.body] == [
        (["Barn", "HVB", "27"], [2, 1, 1]),
        (["Jourhem", "2"], [1, 1]),
        (["Vuxna", "Stödboende", "45"], [1, 1, 1]),
        (["Barn", "Familjehem", "3"], [1, 1, 1]),  # not after the other Barn rows
        (["Summa", "77"], [1, 1])]
    # The total row's label stands over the empty text cell after it.
    assert [c.colspan for c in table.body[-1].cells] == [2, 1]


def test_a_goal_column_shows_the_goals_name(tmp_path: Path) -> None:
    columns = "- {kolumn: bidrag}\n- {kolumn: mål, id: mal, rubrik: Mål, typ: mal}\n"
    folder = make_folder(tmp_path, table_yaml(columns),
                         {"t.csv": "bidrag;mål\nStöd;M1\nÖvrigt;\n"})
    _, document = compose(folder, tmp_path)
    assert cell_texts(only_table(document)) == [["Stöd", "Första målet"], ["Övrigt", "-"]]
    bad = make_folder(tmp_path, table_yaml(columns), {"t.csv": "bidrag;mål\nStöd;M9\n"},
                      name="okant")
    assert problems(bad) == ['t.csv, rad 2, kolumn "mål": okänt mål "M9"; kända id: M1']


RESULT = """\
- {kolumn: post, rubrik: Post}
- {kolumn: budget, rubrik: Budget, typ: belopp}
- {kolumn: utfall, rubrik: Utfall, typ: belopp}
- {id: avvikelse, rubrik: Avvikelse, typ: belopp, berakning: {skillnad: [utfall, budget]}}
- {kolumn: radtyp, visas: nej}
"""
RESULT_CSV = """\
post;budget;utfall;radtyp
Intäkter;41 974;49 339;delsumma
Personal;-304 032;-297 706;
Köp;-187 927,45;-191 278,6;
Kostnader;-491 959,45;-488 984,6;delsumma
Resultat;-449 985,45;-439 645,6;summa
"""


def test_a_group_of_one_line_counts_in_the_sum_and_rounding_is_noted(tmp_path: Path
                                                                       ) -> None:
    folder = make_folder(tmp_path, table_yaml(RESULT), {"t.csv": RESULT_CSV})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    # Köp: −191 278,6 − (−187 927,45) is −3 351,15, shown −3 351, though the rounded
    # amounts give −3 352; the table says why.
    assert cell_texts(table)[2] == ["Köp", f"{MINUS}187{NB}927", f"{MINUS}191{NB}279",
                                    f"{MINUS}3{NB}351"]
    assert notes(table) == [ROUNDING_NOTES[0], "Källa: Testsystemet"]
    assert [r.role for r in table.body] == ["summa", "", "", "summa", "summa"]


def test_a_sum_that_is_not_its_groups_is_still_an_error(tmp_path: Path) -> None:
    csv = RESULT_CSV.replace("-449 985,45", "-491 959,45")
    folder = make_folder(tmp_path, table_yaml(RESULT), {"t.csv": csv})
    assert problems(folder) == [
        f't.csv, rad 6, kolumn "budget": summan stämmer inte: raden anger {MINUS}491{NB}959,45 '
        f"men raderna sedan förra summan blir {MINUS}449{NB}985,45"]


def test_no_rounding_note_where_the_shown_figures_add_up(tmp_path: Path) -> None:
    csv = "post;budget;utfall;radtyp\nA;100;90;\nB;50;55;\nSumma;150;145;summa\n"
    folder = make_folder(tmp_path, table_yaml(RESULT), {"t.csv": csv})
    _, document = compose(folder, tmp_path)
    assert notes(only_table(document)) == ["Källa: Testsystemet"]


def test_the_change_of_amounts_written_with_a_minus_sign(tmp_path: Path) -> None:
    columns = """\
    - {kolumn: post}
    - {kolumn: fjol, typ: belopp}
    - {kolumn: i_ar, typ: belopp}
    - {id: forandring, decimaler: 1, berakning: {beloppsforandring: [fjol, i_ar]}}
    """
    csv = "post;fjol;i_ar\nPersonal;-291 239;-297 706\nIntäkter;63 622;49 339\nByte;-10;5\n"
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": csv})
    _, document = compose(folder, tmp_path)
    table = only_table(document)
    assert [r[-1] for r in cell_texts(table)] == [f"2,2{NB}%", f"{MINUS}22,4{NB}%",
                                                 fmt.NOT_MEANINGFUL]
    assert notes(table) == [fmt.NOT_MEANINGFUL_NOTE, "Källa: Testsystemet"]


def test_a_chart_from_a_table_in_another_unit(tmp_path: Path) -> None:
    columns = "- {kolumn: verksamhet}\n- {kolumn: utfall, typ: belopp}\n"
    folder = make_folder(tmp_path, table_yaml(columns),
                         {"t.csv": "verksamhet;utfall\nBibliotek;12 500\nBad;7 250\n"})
    table = load(folder).tabelldata["t"]
    chart = table_chart(table, TableChart(tabell="t", titel="T", serier=["utfall"],
                                          visa="mnkr"))
    assert chart.serier[0].values == [12.5, 7.25]
    bad = make_folder(tmp_path, table_yaml(
        columns, block="diagram: {tabell: t, titel: T, serier: [utfall], visa: mkr}"),
        {"t.csv": "verksamhet;utfall\nBad;1\n"}, name="okand")
    line = line_of(bad / "vb.yaml", "visa: mkr")
    assert problems(bad) == [
        f'vb.yaml, rad {line}, fält "disposition[1].block[1].diagram": okänd enhet "mkr"; '
        "välj kr, tkr eller mnkr"]


def test_a_text_column_takes_only_its_values(tmp_path: Path) -> None:
    columns = "- {kolumn: uppgift}\n- {kolumn: status, varden: [Klart, Pågår]}\n"
    folder = make_folder(tmp_path, table_yaml(columns),
                         {"t.csv": "uppgift;status\nA;Klart\nB;Färdigt\nC;\n"})
    assert problems(folder) == [
        't.csv, rad 3, kolumn "status": okänt värde "Färdigt"; tillåtna värden: "Klart", '
        '"Pågår"']


def test_a_table_not_shown_may_only_be_cited(tmp_path: Path) -> None:
    body = table_yaml("- {kolumn: namn}\n- {kolumn: antal, typ: heltal}\n",
                      extra="    visas: nej\n",
                      block='text: "Det finns [tal: t | Bad | antal] bad."')
    folder = make_folder(tmp_path, body, {"t.csv": "namn;antal\nBad;3\n"})
    _, document = compose(folder, tmp_path)
    assert not [b for b in document.blocks if isinstance(b, doc.Table)]
    assert "Det finns 3 bad." in [doc.plain(b.children) for b in document.blocks
                                   if isinstance(b, doc.Paragraph)]
    # Nothing cites it, and it is not shown: no error, as it says so itself.
    load(make_folder(tmp_path, table_yaml("- {kolumn: namn}\n", extra="    visas: nej\n",
                                          block="text: Inget"), {"t.csv": "namn\nBad\n"},
                     name="tyst"))


def _long_groups() -> tuple[str, str]:
    """A table whose first merged cell spans more rows than a page holds."""
    columns = """\
    - {kolumn: verksamhet, rubrik: Verksamhet, sammanfoga: ja}
    - {kolumn: insats, rubrik: Insats}
    - {kolumn: antal, rubrik: Antal, typ: heltal}
    """
    rows = [f"Barn och unga;Insats {i};{i}" for i in range(1, 91)]
    rows += [f"Vuxna;Stöd {i};{i}" for i in range(1, 6)]
    return columns, "verksamhet;insats;antal\n" + "\n".join(rows) + "\n"


def test_a_merged_cell_cut_by_a_page_stands_again_on_the_next_page(tmp_path: Path) -> None:
    import pdfplumber

    from vbgen.build import Options, build

    columns, csv = _long_groups()
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": csv})
    (pdf,) = build(folder, Options(tmp_path / "ut", formats=("pdf",),
                                   documents=("verksamhetsberattelse",)))
    with pdfplumber.open(pdf) as document:
        pages = [p.extract_words() for p in document.pages]
    shown = [n for n, words in enumerate(pages) if any(w["text"] == "Insats" for w in words)]
    assert len(shown) >= 2, "tabellen ska gå över minst två sidor"
    for n in shown:
        words = pages[n]
        first = min((w for w in words if re.fullmatch(r"Insats|\d+", w["text"])
                     and w["top"] > min(v["top"] for v in words if v["text"] == "Verksamhet")),
                    key=lambda w: w["top"])
        # The value stands at the top of each page's part, on the line of its first row.
        value = [w for w in words if w["text"] == "Barn" and abs(w["top"] - first["top"]) < 2]
        assert value, f"sida {n + 1}: Barn och unga står inte bredvid sin första rad"
        text = " ".join(w["text"] for w in words)
        assert ("Barn och unga (forts.)" in text) == (n != shown[0])


def test_in_word_a_merged_cell_too_high_for_a_page_is_cut_into_parts_kept_on_a_page(
        tmp_path: Path) -> None:
    from docx.oxml.ns import qn

    from vbgen.build import Options, build

    from .conftest import word_document

    columns, csv = _long_groups()
    folder = make_folder(tmp_path, table_yaml(columns), {"t.csv": csv})
    (path,) = build(folder, Options(tmp_path / "ut", formats=("docx",),
                                    documents=("verksamhetsberattelse",)))
    table = word_document(path).tables[0]
    rows = table._tbl.tr_lst[1:]  # the body, below the header row
    starts = [i for i, tr in enumerate(rows)
              if (merge := tr.tc_lst[0].find(qn("w:tcPr")).find(qn("w:vMerge"))) is not None
              and merge.get(qn("w:val")) == "restart"]
    texts = [" ".join("".join(t.text or "" for t in rows[i].tc_lst[0].iter(qn("w:t"))).split())
             for i in starts]
    # 90 rows of Barn och unga do not fit on a page: two or more parts, each repeating it.
    assert texts[0] == "Barn och unga" and len(texts) >= 3
    assert set(texts[1:-1]) == {"Barn och unga (forts.)"} and texts[-1] == "Vuxna"
    # Each part's rows keep together, and the parts may break apart.
    def kept(tr) -> bool:  # noqa: ANN001
        return tr.find(f".//{qn('w:keepNext')}") is not None
    for start, end in zip(starts[:-1], starts[1:], strict=True):
        assert all(kept(rows[i]) for i in range(start, end - 1))
        assert not kept(rows[end - 1])


def test_cutting_spans_repeats_each_cut_cell_in_its_column() -> None:
    from vbgen.writers import spans

    def cell(text: str, rowspan: int = 1) -> doc.Cell:
        return doc.Cell([doc.Text(text)], rowspan=rowspan)

    rows = [doc.Row([cell("Område", 4), cell("Mål A", 2), cell("a1")]),
            doc.Row([cell("a2")]),
            doc.Row([cell("Mål B", 2), cell("b1")]),
            doc.Row([cell("b2")])]
    cut = spans.cut(rows, {1, 3})
    assert [[(doc.plain(c.children), c.rowspan) for c in r.cells] for r in cut] == [
        [("Område", 1), ("Mål A", 1), ("a1", 1)],
        [("Område (forts.)", 2), ("Mål A (forts.)", 1), ("a2", 1)],
        [("Mål B", 1), ("b1", 1)],
        [("Område (forts.)", 1), ("Mål B (forts.)", 1), ("b2", 1)]]
    assert spans.group_starts(cut) == {0, 1, 3}
    assert spans.past_a_page(rows, [10.0] * 4, 25.0) == {2}
