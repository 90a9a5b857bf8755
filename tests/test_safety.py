"""Hostile and unlucky input: nothing is read or written outside the given folders, no wrong
number slips through with exit 0, and no failure shows a traceback."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from vbgen.load import load

from .conftest import line_of, replace_text, run_cli, word_document

REPORT = ("verksamhetsberattelse",)
SECRET = "hemlig-rad-som-inte-far-synas"


def _docx_text(path: Path) -> str:
    d = word_document(path)
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def _build_docx(data: Path, out: Path, *extra: str):
    return run_cli("build", str(data), "--ut", str(out), "--format", "docx",
                   "--dokument", "verksamhetsberattelse", *extra)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the data folder that must never reach a report."""
    path = tmp_path / "utanfor" / "hemlig.md"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


# --- Reading only inside the data folder ------------------------------------------------------


@pytest.mark.parametrize("how", ["absolute", "dotdot"])
def test_text_file_outside_the_folder_is_refused(sample_copy, tmp_path, secret, how):
    rel = str(secret) if how == "absolute" else f"../utanfor/{secret.name}"
    replace_text(sample_copy / "vb.yaml", "{fil: text/sammanfattning.md}", f"{{fil: {rel}}}")
    result = _build_docx(sample_copy, tmp_path / "ut")
    assert result.exit_code == 1
    line = line_of(sample_copy / "vb.yaml", f"text: {{fil: {rel}}}")
    assert (f'vb.yaml, rad {line}, fält "disposition[3].block[2].text": filen "{rel}" ligger '
            "utanför datamappen") in result.output
    assert SECRET not in result.output
    assert not (tmp_path / "ut").exists()


def test_text_file_that_links_outside_is_refused(sample_copy, tmp_path, secret):
    target = sample_copy / "text" / "sammanfattning.md"
    target.unlink()
    target.symlink_to(secret)
    result = _build_docx(sample_copy, tmp_path / "ut")
    assert result.exit_code == 1
    line = line_of(sample_copy / "vb.yaml", "text: {fil: text/sammanfattning.md}")
    assert (f'vb.yaml, rad {line}, fält "disposition[3].block[2].text": filen '
            '"text/sammanfattning.md" ligger utanför datamappen') in result.output
    assert not (tmp_path / "ut").exists()


def test_chart_file_outside_the_folder_is_refused(sample_copy, secret):
    secret.write_text("år;värde\n2024;1\n", encoding="utf-8")
    replace_text(sample_copy / "vb.yaml", "fil: serier/sjukfranvaro_total.csv",
                 f"fil: {secret}")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    line = line_of(sample_copy / "vb.yaml", f"fil: {secret}")
    assert (f'vb.yaml, rad {line}, fält "diagram[1].fil": filen "{secret}" ligger utanför '
            "datamappen") in result.output


def test_table_that_links_outside_is_refused(sample_copy, secret):
    (sample_copy / "risker.csv").unlink()
    (sample_copy / "risker.csv").symlink_to(secret)
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert 'fält "tabeller[11].fil": filen "risker.csv" ligger utanför datamappen' \
        in result.output
    assert SECRET not in result.output


def test_template_that_links_outside_is_refused(sample_copy, tmp_path, secret):
    own = tmp_path / "mallar" / "block"
    own.mkdir(parents=True)
    (own / "malsammanfattning.j2").symlink_to(secret)
    result = _build_docx(sample_copy, tmp_path / "ut", "--mallar", str(tmp_path / "mallar"))
    assert result.exit_code == 1
    assert "block/malsammanfattning.j2 är en länk ut ur mallmappen" in result.output
    assert SECRET not in result.output


# --- Writing only inside the output folder ----------------------------------------------------


@pytest.mark.parametrize("chart_id", ["../../../../rymt", "/tmp/vbgen-rymt"])
def test_chart_id_cannot_write_outside_the_output_folder(sample_copy, tmp_path, warm_charts,
                                                         chart_id):
    replace_text(sample_copy / "vb.yaml", "id: sjukfranvaro_total", f'id: "{chart_id}"')
    replace_text(sample_copy / "vb.yaml", "- diagram: sjukfranvaro_total",
                 f'- diagram: "{chart_id}"')
    out = tmp_path / "a" / "b" / "ut"
    warm_charts(out)
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(out)}
    result = _build_docx(sample_copy, out)
    assert result.exit_code == 0, result.output
    after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(out)}
    assert after == before
    assert not Path("/tmp/vbgen-rymt").exists()
    images = list((out / ".vbgen-cache").iterdir())
    assert all(p.parent == out / ".vbgen-cache" and not p.name.startswith(".") for p in images)


def test_chart_id_from_a_template_cannot_write_outside(sample_copy, tmp_path, warm_charts):
    _own_template(sample_copy, tmp_path,
                  '{{ diagram_av("../../../../../rymt2", "T", ["a", "b"], {"s": [1, 2]}) }}')
    out = tmp_path / "ut"
    warm_charts(out)
    result = _build_docx(sample_copy, out, "--mallar", str(tmp_path / "mallar"))
    assert result.exit_code == 0, result.output
    assert not [p for p in tmp_path.parent.rglob("rymt2*") if not p.is_relative_to(out)]
    assert [p for p in (out / ".vbgen-cache").iterdir() if p.name.startswith("rymt2-")]


def test_namnd_name_with_a_slash_gives_a_safe_file_name(sample_copy, tmp_path, warm_charts):
    replace_text(sample_copy / "vb.yaml", "namnd: Socialnämnden", "namnd: Social/../nämnden")
    out = tmp_path / "ut"
    warm_charts(out)
    assert run_cli("validate", str(sample_copy)).exit_code == 0
    result = _build_docx(sample_copy, out)
    assert result.exit_code == 0, result.output
    assert (out / "verksamhetsberattelse-social-namnden-2024-utkast.docx").is_file()


# --- Wrong numbers never pass with exit 0 -----------------------------------------------------


def _table_to_xlsx(csv_path: Path, formats: dict[str, str] | None = None,
                   scale: dict[str, float] | None = None) -> Path:
    """Save a CSV table of the sample as a real Excel file, optionally with number formats."""
    from vbgen.fmt import parse_number

    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig")), delimiter=";"))
    wb = Workbook()
    ws = wb.active
    ws.append(rows[0])
    for r, row in enumerate(rows[1:], start=2):
        for c, value in enumerate(row, start=1):
            name = rows[0][c - 1]
            cell = ws.cell(row=r, column=c)
            try:
                number = parse_number(value)
            except ValueError:
                number = None
            if number is not None and name in (formats or {}):
                cell.value = number * (scale or {}).get(name, 1)
                cell.number_format = formats[name]
            else:
                cell.value = value
    target = csv_path.with_suffix(".xlsx")
    wb.save(target)
    csv_path.unlink()
    main = csv_path.parent / "vb.yaml"
    main.write_text(main.read_text(encoding="utf-8").replace(f"fil: {csv_path.name}",
                                                             f"fil: {target.name}"),
                    encoding="utf-8")
    return target


def _values(report, table: str, column: str) -> list:
    return [r.cells[column].value for r in report.tabelldata[table].rows]


def test_excel_percent_cells_are_read_as_shown(sample_copy):
    before = load(sample_copy)
    _table_to_xlsx(sample_copy / "sjukfranvaro.csv",
                   {"totalt 2024": "0.0%", "kort 2024": "0.0 %"},
                   {"totalt 2024": 0.01, "kort 2024": 0.01})
    after = load(sample_copy)
    for column in ("totalt", "kort", "totalt_forandring"):
        assert _values(after, "sjukfranvaro", column) == pytest.approx(
            _values(before, "sjukfranvaro", column))
    assert all(v > 1 for v in _values(after, "sjukfranvaro", "totalt"))


def test_excel_date_cells_are_read_as_dates(sample_copy):
    import datetime

    _table_to_xlsx(sample_copy / "revision.csv")
    from openpyxl import load_workbook

    wb = load_workbook(sample_copy / "revision.xlsx")
    ws = wb.active
    column = [c.value for c in ws[1]].index("kommentar") + 1
    ws.cell(row=2, column=column).value = datetime.datetime(2024, 3, 1)
    ws.cell(row=2, column=column).number_format = "yyyy-mm-dd"
    wb.save(sample_copy / "revision.xlsx")
    assert _values(load(sample_copy), "revision", "kommentar")[0] == "2024-03-01"


def test_duplicate_key_in_yaml_is_an_error(sample_copy):
    replace_text(sample_copy / "vb.yaml", "namnd: Socialnämnden\n",
                 "namnd: Socialnämnden\nkommun: Fel kommun\n")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    first = line_of(sample_copy / "vb.yaml", "kommun: Huddinge kommun")
    second = line_of(sample_copy / "vb.yaml", "kommun: Fel kommun")
    assert (f'vb.yaml, rad {second}, fält "kommun": fältet står två gånger (rad {first} och '
            f"rad {second}); ta bort det ena") in result.output


def test_unclosed_quote_in_csv_is_an_error(sample_copy):
    path = sample_copy / "drift.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Barn & ungdomsvård", '"Barn & ungdomsvård')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert "inga fel" not in result.output
    assert f"drift.csv, rad 3: ett citattecken (\") i raden stängs inte förrän rad {len(lines)}" \
        in result.output


def test_column_name_without_swedish_letters_is_an_error(sample_copy):
    replace_text(sample_copy / "indikatorer.csv", "etappmål", "Etappmal")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert ('indikatorer.csv, rad 1, kolumn "etappmal": okänd kolumn; menar du "etappmål"?'
            in result.output)


def test_column_name_with_a_typo_is_an_error(sample_copy):
    replace_text(sample_copy / "indikatorer.csv", "målvärde", "malvärd")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert 'indikatorer.csv, rad 1, kolumn "malvärd": okänd kolumn; menar du "målvärde"?' \
        in result.output


@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity", "1e300",
                                   "12345678901234567890123456789012"])
def test_numbers_out_of_range_fail_validate_like_build(sample_copy, tmp_path, value):
    path = sample_copy / "drift.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(";")
    cells[3] = value
    lines[1] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for result in (run_cli("validate", str(sample_copy)),
                   _build_docx(sample_copy, tmp_path / "ut")):
        assert result.exit_code == 1
        assert (f'drift.csv, rad 2, kolumn "utfall 2023": talet ligger utanför det vbgen tar emot '
                f"(ett ändligt tal mellan −1 000 000 000 000 och 1 000 000 000 000), fick "
                f'"{value}"') in result.output


@pytest.mark.parametrize("value", [".nan", ".inf", "1e300", "99999999999999999999999999"])
def test_yaml_numbers_out_of_range(sample_copy, value):
    replace_text(sample_copy / "vb.yaml", "balanserat_resultat: 9412",
                 f"balanserat_resultat: {value}")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    line = line_of(sample_copy / "vb.yaml", f"balanserat_resultat: {value}")
    assert (f'vb.yaml, rad {line}, fält "tjanstskrivelse.resultatoverforing.balanserat_resultat": '
            "talet ligger utanför") in result.output


def test_chart_values_out_of_range(sample_copy):
    path = sample_copy / "serier" / "sjukfranvaro_total.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(";")
    cells[1] = "nan"
    lines[1] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert "sjukfranvaro_total.csv, rad 2" in result.output
    assert "talet ligger utanför" in result.output


def test_vertical_tab_in_a_text_becomes_a_line_break(sample_copy, tmp_path, warm_charts):
    with (sample_copy / "text" / "sammanfattning.md").open("a", encoding="utf-8") as fh:
        fh.write("\nFörsta raden\vandra raden\n")
    replace_text(sample_copy / "risker.csv", "kan förstöras av", "kan förstöras\vav")
    replace_text(sample_copy / "vb.yaml", "kommun: Huddinge kommun", 'kommun: "Huddinge\\vkommun"')
    assert run_cli("validate", str(sample_copy)).exit_code == 0
    out = tmp_path / "ut"
    warm_charts(out)
    result = _build_docx(sample_copy, out)
    assert result.exit_code == 0, result.output
    text = _docx_text(out / "verksamhetsberattelse-socialnamnden-2024-utkast.docx")
    assert "Första raden" in text and "andra raden" in text and "förstöras" in text
    with zipfile.ZipFile(out / "verksamhetsberattelse-socialnamnden-2024-utkast.docx") as z:
        assert b"\x0b" not in z.read("word/document.xml")


def test_thousands_of_indicator_rows_build(sample_copy, tmp_path, warm_charts):
    path = sample_copy / "indikatorer.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # More rows than Python's recursion limit, in one cell spanning them all.
    path.write_text("\n".join([lines[0]] + [lines[1]] * 1100 + lines[2:]) + "\n",
                    encoding="utf-8")
    out = tmp_path / "ut"
    warm_charts(out)
    assert run_cli("validate", str(sample_copy)).exit_code == 0
    result = _build_docx(sample_copy, out)
    assert result.exit_code == 0, result.output
    d = word_document(out / "verksamhetsberattelse-socialnamnden-2024-utkast.docx")
    assert max(len(t.rows) for t in d.tables) > 1100


def test_oversized_table_is_refused(sample_copy):
    path = sample_copy / "risker.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(("x" * 1023 + "\n") * 21 * 1024)
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert "risker.csv: filen är för stor (21 MB; högst 20 MB)" in result.output


# --- Misleading messages ----------------------------------------------------------------------


def test_utf16_csv_is_named_as_such(sample_copy):
    path = sample_copy / "risker.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert result.output == ("Ett fel hittades i data:\n  risker.csv: filen är sparad som "
                             "UTF-16 (Unicode-text); spara den som UTF-8 (i Excel: CSV UTF-8) "
                             "och försök igen\n")


def test_tab_separated_csv_is_read(sample_copy):
    before = load(sample_copy)
    path = sample_copy / "risker.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    assert _values(load(sample_copy), "risker", "riskatgard") == _values(before, "risker",
                                                                         "riskatgard")


def test_missing_drift_is_named(sample_copy):
    (sample_copy / "drift.csv").unlink()
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    main = sample_copy / "vb.yaml"
    first, second = (line_of(main, "  - id: drift") + 1, line_of(main, "  - id: drift_tre_ar") + 1)
    # Once for each declaration of the file, and nothing about what cites it.
    assert result.output == (
        f'2 fel hittades i data:\n  vb.yaml, rad {first}, fält "tabeller[2].fil": filen '
        f'"drift.csv" finns inte i mappen\n  vb.yaml, rad {second}, fält "tabeller[3].fil": '
        'filen "drift.csv" finns inte i mappen\n')


def test_data_on_the_second_sheet_is_named(sample_copy):
    xlsx = _table_to_xlsx(sample_copy / "risker.csv")
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    wb.active.title = "Data"
    wb.create_sheet("Tom", 0)
    wb.save(xlsx)
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert ('risker.xlsx: första bladet ("Tom") är tomt men bladet "Data" har data; vbgen läser '
            "bara det första bladet, så flytta det först") in result.output
    assert "risker.csv" not in result.output


@pytest.mark.parametrize("bad, message", [
    ("kommun: Huddinge: kommun", "ett kolon på fel ställe"),
    ('kommun: "Huddinge kommun', "indraget stämmer inte med raderna ovanför"),
    ('kommun: [Huddinge kommun', "en lista inom [ ] stängs inte"),
    ("kommun:\tHuddinge kommun\n\t", "tecknet kan inte inleda ett värde"),
])
def test_yaml_syntax_errors_are_in_swedish(sample_copy, bad, message):
    replace_text(sample_copy / "vb.yaml", "kommun: Huddinge kommun", bad)
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert f"kan inte läsas som YAML ({message}" in result.output
    assert "expected" not in result.output and "found" not in result.output


def test_nul_bytes_name_the_file_they_are_in(sample_copy):
    path = sample_copy / "text" / "sammanfattning.md"
    path.write_bytes(path.read_bytes() + b"\x00\x00")
    raw = (sample_copy / "uppdrag.csv").read_bytes()
    (sample_copy / "uppdrag.csv").write_bytes(raw[:40] + b"\x00" + raw[40:])
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert "text/sammanfattning.md: filen innehåller NUL-tecken" in result.output
    assert "uppdrag.csv: filen innehåller NUL-tecken" in result.output
    assert "vb.yaml" not in result.output


def test_yaml_alias_bomb_is_refused(sample_copy):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20))
    text = (sample_copy / "vb.yaml").read_text(encoding="utf-8")
    (sample_copy / "vb.yaml").write_text(bomb + text, encoding="utf-8")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert ("vb.yaml, rad 2: kan inte läsas som YAML (hänvisningen *a (ett YAML-alias) används "
            "inte i vb.yaml; skriv ut värdet där det behövs)") in result.output


def test_deeply_nested_yaml_is_refused(sample_copy):
    (sample_copy / "vb.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n",
                                         encoding="utf-8")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert "vb.yaml: kan inte läsas som YAML (för många nivåer inuti varandra)" in result.output


# --- The style folder reaches nothing outside -------------------------------------------------


def _own_template(sample_copy: Path, tmp_path: Path, template: str) -> Path:
    """A template of the user's own, placed in Sammanfattning with a mall block; returns the
    templates folder."""
    own = tmp_path / "mallar" / "egna"
    own.mkdir(parents=True)
    (own / "sammanfattning.j2").write_text(template, encoding="utf-8")
    replace_text(sample_copy / "vb.yaml", "      - malsammanfattning\n",
                 "      - mall: egna/sammanfattning.j2\n")
    return tmp_path / "mallar"


def test_sandbox_refusal_in_a_template_is_a_message(sample_copy, tmp_path):
    own = _own_template(sample_copy, tmp_path,
                        "<h1>Sammanfattning</h1>\n<p>{{ vb.namnd.__class__.__mro__ }}</p>\n")
    result = _build_docx(sample_copy, tmp_path / "ut", "--mallar", str(own))
    assert result.exit_code == 1
    assert result.output == ("Fel i mallarna: egna/sammanfattning.j2, rad 2: mallen försöker nå "
                             "attributet __class__, som mallar inte får använda (mallarna körs i "
                             "en skyddad miljö; se docs/redaktorer.md)\n")
    assert not (tmp_path / "ut").exists()


def _styles(tmp_path: Path) -> Path:
    styles = tmp_path / "stilar"
    styles.mkdir()
    return styles


def test_svg_saved_as_png_logo_is_refused(sample_copy, tmp_path):
    styles = _styles(tmp_path)
    (styles / "logotyp.png").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
        encoding="utf-8")
    result = _build_docx(sample_copy, tmp_path / "ut", "--stilar", str(styles))
    assert result.exit_code == 1
    assert result.output.startswith(f"Fel i stilarna: {styles / 'logotyp.png'}: filen är ingen "
                                    "PNG-bild")
    assert not (tmp_path / "ut").exists()


def test_oversized_logo_is_refused(sample_copy, tmp_path):
    from PIL import Image

    styles = _styles(tmp_path)
    Image.new("1", (9000, 6000)).save(styles / "logotyp.png")
    result = _build_docx(sample_copy, tmp_path / "ut", "--stilar", str(styles))
    assert result.exit_code == 1
    assert ("logotypen är 9000 × 6000 bildpunkter, mer än vbgen tar (högst 50 miljoner "
            "bildpunkter)") in result.output


def _reference_with_external_links(target: Path) -> None:
    """The built-in reference document with an attached template at an http address and a
    ``file://`` link in the settings."""
    from vbgen.resources import styles_dir

    with zipfile.ZipFile(styles_dir() / "referens.docx") as src, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/settings.xml":
                data = data.replace(
                    b"<w:zoom", b'<w:attachedTemplate r:id="rIdExt1"/><w:zoom', 1)
                if b'xmlns:r="' not in data:
                    data = data.replace(
                        b"<w:settings ", b'<w:settings xmlns:r="http://schemas.openxmlformats.'
                        b'org/officeDocument/2006/relationships" ', 1)
            dst.writestr(item, data)
        dst.writestr("word/_rels/settings.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rIdExt1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/attachedTemplate" Target="http://127.0.0.1:9/mall.dotx" '
            'TargetMode="External"/>'
            '<Relationship Id="rIdExt2" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/attachedTemplate" Target="file:///etc/passwd" '
            'TargetMode="External"/></Relationships>'))


def test_external_relationships_of_the_reference_are_dropped(sample_copy, tmp_path,
                                                             warm_charts):
    styles = _styles(tmp_path)
    _reference_with_external_links(styles / "referens.docx")
    with zipfile.ZipFile(styles / "referens.docx") as z:
        assert b"TargetMode=\"External\"" in z.read("word/_rels/settings.xml.rels")
    out = tmp_path / "ut"
    warm_charts(out)
    result = _build_docx(sample_copy, out, "--stilar", str(styles))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out / "verksamhetsberattelse-socialnamnden-2024-utkast.docx") as z:
        for name in z.namelist():
            data = z.read(name)
            assert b"External" not in data, name
            assert b"127.0.0.1" not in data and b"file:///" not in data, name
        assert b"attachedTemplate" not in z.read("word/settings.xml")
    word_document(out / "verksamhetsberattelse-socialnamnden-2024-utkast.docx")


@pytest.mark.langsam
def test_zip_bomb_reference_is_refused_before_opening(sample_copy, tmp_path):
    styles = _styles(tmp_path)
    with zipfile.ZipFile(styles / "referens.docx", "w", zipfile.ZIP_DEFLATED) as z, \
            z.open("word/document.xml", "w") as fh:
        chunk = b"\0" * (1 << 20)
        for _ in range(210):
            fh.write(chunk)
    assert (styles / "referens.docx").stat().st_size < 2 * 1024 * 1024
    result = _build_docx(sample_copy, tmp_path / "ut", "--stilar", str(styles))
    assert result.exit_code == 1
    assert result.output == (f"Fel i stilarna: {styles / 'referens.docx'}: filen packas upp "
                             "till mer än 200 MB och är inget referensdokument vbgen öppnar\n")


@pytest.fixture
def http_server():
    """A local web server that counts the requests it gets."""
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_stylesheet_cannot_fetch_from_the_network(sample_copy, tmp_path, http_server,
                                                  warm_charts):
    from vbgen.resources import styles_dir

    base, hits = http_server
    styles = _styles(tmp_path)
    css = (styles_dir() / "rapport.css").read_text(encoding="utf-8")
    shutil.copytree(styles_dir() / "fonts", styles / "fonts")
    (styles / "rapport.css").write_text(
        f'@import url("{base}/extra.css");\n{css}\n'
        f'h1 {{ background: url("{base}/bild.png") }}\n'
        'h2 { background: url("file:///etc/hostname") }\n', encoding="utf-8")
    out = tmp_path / "ut"
    warm_charts(out)
    result = run_cli("build", str(sample_copy), "--ut", str(out), "--format", "pdf",
                     "--dokument", "tjanstskrivelse", "--stilar", str(styles))
    assert hits == []
    assert result.exit_code == 1
    assert f"hänvisar till {base}/extra.css" in result.output
    assert "file:///etc/hostname" in result.output
    assert "vbgen hämtar ingenting från nätet" in result.output
    assert not list(out.glob("*.pdf"))


def test_svg_in_the_styles_cannot_fetch(sample_copy, tmp_path, http_server, warm_charts):
    from vbgen.resources import styles_dir

    base, hits = http_server
    styles = _styles(tmp_path)
    shutil.copytree(styles_dir() / "fonts", styles / "fonts")  # the style sheet's fonts
    (styles / "mark.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="10" height="10"><image xlink:href="{base}/bild.png" width="10" height="10"/>'
        '<image xlink:href="file:///etc/hostname" width="10" height="10"/></svg>',
        encoding="utf-8")
    css = (styles_dir() / "rapport.css").read_text(encoding="utf-8")
    (styles / "rapport.css").write_text(css + '\nh1 { background: url("mark.svg") }\n',
                                        encoding="utf-8")
    out = tmp_path / "ut"
    warm_charts(out)
    result = run_cli("build", str(sample_copy), "--ut", str(out), "--format", "pdf",
                     "--dokument", "tjanstskrivelse", "--stilar", str(styles))
    assert hits == []
    assert result.exit_code == 1
    assert f"{base}/bild.png" in result.output


def test_style_file_that_links_outside_is_refused(sample_copy, tmp_path, secret):
    styles = _styles(tmp_path)
    (styles / "rapport.css").symlink_to(secret)
    result = run_cli("build", str(sample_copy), "--ut", str(tmp_path / "ut"), "--format", "pdf",
                     "--dokument", "tjanstskrivelse", "--stilar", str(styles))
    assert result.exit_code == 1
    assert result.output == (f"Fel i stilarna: {styles / 'rapport.css'}: filen är en länk ut ur "
                             "stilmappen; vbgen läser bara filer inuti stilmappen\n")


@pytest.mark.langsam
def test_template_cannot_show_a_file_as_an_image(sample_copy, tmp_path, secret):
    own = _own_template(sample_copy, tmp_path,
                        f'<h1>Sammanfattning</h1><figure src="{secret}" alt="x"/>')
    result = _build_docx(sample_copy, tmp_path / "ut", "--mallar", str(own))
    assert result.exit_code == 1
    assert result.output == (f'Fel i mallarna: mallen visar bilden "{secret}", som inte är ett '
                             "diagram eller logotypen; mallar kan bara visa diagram (diagram(), "
                             "diagram_av()) och logotypen\n")


def test_chart_with_too_many_categories(sample_copy):
    path = sample_copy / "serier" / "bou_placeringar.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text("\n".join([header] + [f"k{i};1;2;3;4" for i in range(1001)]) + "\n",
                    encoding="utf-8")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert ("bou_placeringar.csv: diagrammet har 1001 rader (kategorier); ett diagram av typen "
            "linje kan visa högst 1000") in result.output


def test_declared_table_outside_the_folder_is_refused(tmp_path, secret):
    from .conftest import ROOT

    for name in ("kulturnamnden-2023", "norrviks-kommun"):
        shutil.copytree(ROOT / "sample_data" / name, tmp_path / name)
    data = tmp_path / "kulturnamnden-2023"
    secret.write_text("post;2023\nx;1\n", encoding="utf-8")
    replace_text(data / "vb.yaml", "fil: resultatrakning.csv", f"fil: {secret}")
    result = run_cli("validate", str(data))
    assert result.exit_code == 1
    line = line_of(data / "vb.yaml", f"fil: {secret}")
    assert (f'vb.yaml, rad {line}, fält "tabeller[1].fil": filen "{secret}" ligger utanför '
            "datamappen") in result.output
