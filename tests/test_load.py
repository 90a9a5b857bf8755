"""Real Swedish exports: Excel files, Windows-1252 CSV, comma or semicolon, decimal commas."""

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from vbgen.errors import DataError
from vbgen.fmt import NumberError, NumberText, number, parse_number
from vbgen.load import load


def _csv_to_xlsx(path: Path) -> Path:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    wb = Workbook()
    ws = wb.active
    for row in rows:
        # Excel stores numbers as numbers: write the numeric cells as floats.
        out = []
        for cell in row:
            try:
                out.append(parse_number(cell) if cell and cell[0] in "-0123456789" else cell)
            except ValueError:
                out.append(cell)
        ws.append(out)
    target = path.with_suffix(".xlsx")
    wb.save(target)
    path.unlink()
    return target


@pytest.mark.parametrize(("value", "expected"), [
    ("501 534", 501534), ("−3 351", -3351), ("-3\u00a0351", -3351), ("47,4", 47.4),
    ("0,9 %", 0.9), ("", None), ("-", None), ("1\u202f137", 1137),
])
def test_parse_number(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize("value", ["1.234,5", "abc", "1,2,3", "47.4", "12.400"])
def test_parse_number_rejects(value):
    with pytest.raises(ValueError):
        parse_number(value)


@pytest.mark.parametrize(("value", "message"), [
    ("12.400", 'talet "12.400" har punkt, men tabellen skriver decimaler med komma: menar du '
               "12 400 eller 12,4?"),
    ("18.6", 'talet "18.6" har punkt, men tabellen skriver decimaler med komma: menar du 18,6?'),
    ("1.250.000", 'talet "1.250.000" har punkt, men tabellen skriver decimaler med komma: '
                  "menar du 1 250 000?"),
    ("-0.50", 'talet "-0.50" har punkt, men tabellen skriver decimaler med komma: menar du '
              "-0,5?"),
    ("1.234,5", 'talet "1.234,5" har både punkt och komma; skriv det utan tusentalsavgränsare '
                "och med komma före decimalerna"),
])
def test_a_dot_in_a_swedish_number_gives_its_readings(value, message):
    with pytest.raises(NumberError) as caught:
        parse_number(value)
    assert str(caught.value) == message


def test_a_declared_decimal_point_reads_dots_and_refuses_commas():
    assert parse_number("18.6", ".") == 18.6
    assert parse_number("12 400.5", ".") == 12400.5
    with pytest.raises(NumberError, match="menar du 12 400 eller 12.4"):
        parse_number("12,400", ".")


def test_an_excel_number_is_read_whatever_the_decimal_mark():
    assert parse_number(NumberText(12.4)) == parse_number(NumberText(12.4), ".") == 12.4
    assert NumberText(0.066 * 100) == "6,6"
    assert NumberText(1_000_000) == "1000000"


def _cells(report, table: str, column: str) -> list:
    return [r.cells[column].value for r in report.tabelldata[table].rows]


def test_tables_as_excel_give_the_same_report(sample_copy):
    reference = load(sample_copy)
    for stem in ("indikatorer", "resultatrakning", "drift"):
        _csv_to_xlsx(sample_copy / f"{stem}.csv")
    main = sample_copy / "vb.yaml"
    main.write_text(main.read_text(encoding="utf-8").replace("fil: drift.csv", "fil: drift.xlsx")
                    .replace("fil: resultatrakning.csv", "fil: resultatrakning.xlsx"),
                    encoding="utf-8")
    report = load(sample_copy)
    for table, column in (("drift", "utfall"), ("drift_tre_ar", "tva_ar_sedan"),
                          ("resultatrakning", "budget"), ("resultatrakning", "avvikelse")):
        assert _cells(report, table, column) == _cells(reference, table, column)
    ind = [i.values for g in report.all_goals() for i in g.indikatorer]
    assert ind == [i.values for g in reference.all_goals() for i in g.indikatorer]


def test_excel_cell_error_names_sheet_row(sample_copy):
    xlsx = _csv_to_xlsx(sample_copy / "drift.csv")
    main = sample_copy / "vb.yaml"
    main.write_text(main.read_text(encoding="utf-8").replace("fil: drift.csv", "fil: drift.xlsx"),
                    encoding="utf-8")
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    wb.active["C3"] = "okänt"
    wb.save(xlsx)
    with pytest.raises(DataError) as exc:
        load(sample_copy)
    # Read by two declarations, the cell is named once.
    assert [str(p) for p in exc.value.problems] == [
        'drift.xlsx, rad 3, kolumn "utfall 2024": förväntade ett tal, fick "okänt"']


def test_both_csv_and_xlsx_is_an_error(sample_copy):
    wb = Workbook()
    wb.save(sample_copy / "indikatorer.xlsx")
    with pytest.raises(DataError) as exc:
        load(sample_copy)
    assert any("både indikatorer.csv och indikatorer.xlsx finns" in str(p)
               for p in exc.value.problems)


def test_windows_1252_and_comma_separated_csv(sample_copy):
    path = sample_copy / "uppdrag.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    with path.open("w", encoding="cp1252", newline="") as fh:
        csv.writer(fh, delimiter=",").writerows(rows)
    report = load(sample_copy)
    texts = [u.text for u in report.all_uppdrag()]
    assert texts == [r[3] for r in rows[1:]]
    assert any("å" in t or "ä" in t for t in texts)


def test_missing_required_column(sample_copy):
    path = sample_copy / "uppdrag.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status;", "tillstånd;", 1), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load(sample_copy)
    assert 'uppdrag.csv, rad 2, kolumn "status": kolumnen saknas i rubrikraden' in \
        [str(p) for p in exc.value.problems]


def test_empty_csv(sample_copy):
    (sample_copy / "risker.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load(sample_copy)
    assert "risker.csv: filen är tom; första raden ska vara kolumnnamnen" in \
        [str(p) for p in exc.value.problems]


@given(st.integers(-10**9, 10**9), st.integers(0, 4))
def test_a_swedish_number_reads_back_as_formatted(whole: int, decimals: int) -> None:
    value = whole / 10**decimals
    assert parse_number(number(value, decimals)) == pytest.approx(value)


@given(st.integers(0, 999), st.lists(st.integers(0, 999), min_size=1, max_size=3))
def test_a_dot_is_never_guessed(head: int, groups: list[int]) -> None:
    text = str(head) + "".join(f".{g:03d}" for g in groups)
    with pytest.raises(NumberError) as caught:
        parse_number(text)
    # One dot between groups of three may be either mark: both readings are given.
    thousands = number(float(text.replace(".", ""))).replace("\u00a0", " ")
    assert caught.value.kind == "tecken" and f"menar du {thousands}" in str(caught.value)
    if len(groups) == 1:
        assert " eller " in str(caught.value)
        # A table that declares a decimal point reads it as one.
        assert parse_number(text, ".") == pytest.approx(float(text))


@given(st.floats(-1e9, 1e9, allow_nan=False))
def test_an_excel_number_is_its_value(value: float) -> None:
    cell = NumberText(value)
    assert parse_number(cell) == parse_number(cell, ".") == round(value, 10)
    assert parse_number(str(cell)) == pytest.approx(round(value, 10))
