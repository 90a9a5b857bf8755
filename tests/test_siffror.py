"""The editors' own figures checked: numbers typed in the texts against the figures the report
shows, in validate and at the end of a draft. (Years left from vbgen ny are checked by the
year list in test_init.py.)"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from vbgen.build import Options, compose_all
from vbgen.checks import siffror
from vbgen.model import doc

from .conftest import line_of, run_cli
from .test_disposition import make_folder

BODY = """\
tabeller:
  - id: drift
    fil: drift.csv
    rubrik: Drift, tkr
    kalla: Ekonomisystemet
    kolumner:
      - {kolumn: verksamhet, rubrik: Verksamhet}
      - {kolumn: utfall, rubrik: Utfall, typ: belopp}
      - {kolumn: andel, rubrik: Andel, typ: procent}
  - id: besok
    fil: besok.csv
    rubrik: Besök per anläggning
    kalla: Besöksräknaren
    kolumner:
      - {kolumn: anläggning, id: anlaggning}
      - {kolumn: antal, rubrik: Antal besök, typ: heltal}
disposition:
  - rubrik: Ekonomi
    text: {fil: text/ekonomi.md}
    block:
      - tabell: drift
      - tabell: besok
"""
FILES = {"drift.csv": "verksamhet;utfall;andel\nBibliotek;546 893;0,94\nTotalt;600 000;1,0\n",
         "besok.csv": "anläggning;antal\nBadet;12 352\n"}
TEXT = """\
Utfallet blev 546,9 miljoner kronor, 0,9 procent av budgeten, och badet hade ungefär
12 400 besök.

Bibliotekets utfall var 546,4 miljoner kronor enligt en äldre uppgift.

Nämnden fick 20 miljoner kronor extra. Cirka [tal: drift | Totalt | utfall | mnkr] totalt.

Arbetet började 2021 och följdes upp 2022 och 2023.
"""


def folder_with(tmp_path: Path, text: str = TEXT) -> Path:
    return make_folder(tmp_path, BODY, {**FILES, "text/ekonomi.md": text})


def findings(folder: Path, tmp_path: Path) -> list[str]:
    found: list[siffror.Finding] = []
    compose_all(folder, Options(tmp_path / "ut"), findings=found)
    return [str(f) for f in found]


def test_a_near_miss_names_both_figures_and_where_each_stands(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    md = folder / "text" / "ekonomi.md"
    assert findings(folder, tmp_path) == [
        # 546,9 (in mnkr, from 546 893 tkr), 0,9 procent and about 12 400 besök are shown;
        # 546,4 is a near miss, 20 miljoner kronor is found nowhere.
        f"text/ekonomi.md, rad {line_of(md, '546,4')}: 546,4 miljoner kronor står i texten, "
        'men tabellen "Drift, tkr", raden "Bibliotek", kolumnen "Utfall" visar 546\u00a0893',
        f"text/ekonomi.md, rad {line_of(md, '20 miljoner')}: 20 miljoner kronor finns inte "
        "bland rapportens siffror"]


def test_validate_shows_them_and_a_draft_lists_them_without_stopping(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    result = run_cli("validate", str(folder))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Siffror i texterna att kontrollera (1):" in lines
    assert ("Siffror i texterna som inte finns bland rapportens siffror, för kännedom (1):"
            in lines)
    _, documents, _ = compose_all(folder, Options(tmp_path / "ut"))
    blocks = documents["verksamhetsberattelse"].blocks
    heading = next(i for i, b in enumerate(blocks) if isinstance(b, doc.Heading)
                   and doc.plain(b.children) == siffror.LIST_HEADING)
    table = blocks[heading + 2]
    assert isinstance(table, doc.Table)
    assert [[doc.plain(c.children) for c in r.cells] for r in table.body] == [
        ["Nästan som i data", "546,4 miljoner kronor", "text/ekonomi.md, rad 4",
         '546\u00a0893 (tabellen "Drift, tkr", raden "Bibliotek", kolumnen "Utfall")'],
        ["Finns inte i data", "20 miljoner kronor", "text/ekonomi.md, rad 6", ""]]
    # A final build is not refused for them, and has no such list.
    _, final, _ = compose_all(folder, Options(tmp_path / "slutlig", slutlig=True))
    assert not [b for b in final["verksamhetsberattelse"].blocks
                if isinstance(b, doc.Heading) and doc.plain(b.children) == siffror.LIST_HEADING]


def test_figures_in_text_read_units_and_rounding() -> None:
    found = siffror.figures_in("4,5 miljoner kronor, 4 487 tkr, 0,9 % och 12 400 besök under "
                               "2023, −3,6 procentenheter", "t", nouns={"besök"})
    assert [(f.value, f.scale, f.kind, f.precision, f.text) for f in found] == [
        (Decimal("4.5"), Decimal(10) ** 6, "belopp", Decimal("0.1"), "4,5 miljoner kronor"),
        (Decimal(4487), Decimal(1000), "belopp", Decimal(1), "4 487 tkr"),
        (Decimal("0.9"), Decimal(1), "procent", Decimal("0.1"), "0,9 %"),
        (Decimal(12400), Decimal(1), "tal", Decimal(100), "12 400"),
        (Decimal("-3.6"), Decimal(1), "tal", Decimal("0.1"), "−3,6 procentenheter")]
