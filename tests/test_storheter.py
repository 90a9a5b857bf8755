"""One quantity, one figure: a quantity declared under ``storheter`` is shown with the same
figure by every table that shows it, and the tjänsteskrivelse decides on the result as its
table shows it; on small data folders."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from vbgen.build import Options, compose_all
from vbgen.derive.goals import derive
from vbgen.load import load
from vbgen.model import doc

from .conftest import line_of
from .test_disposition import make_folder, problems

NB = "\u00a0"

#: Two tables that show the year's result: a resultaträkning in tkr and a drift table in mnkr.
TABLES = """\
tabeller:
  - id: rr
    fil: rr.csv
    rubrik: Resultaträkning, tkr
    kolumner:
      - {kolumn: post}
      - {kolumn: budget, typ: belopp}
      - {kolumn: utfall, typ: belopp}
      - {id: avvikelse, typ: belopp, berakning: {skillnad: [utfall, budget]}}
  - id: drift
    fil: drift.csv
    rubrik: Drift, mnkr
    visa: mnkr
    kolumner:
      - {kolumn: verksamhet}
      - {kolumn: budget, typ: belopp}
      - {kolumn: utfall, typ: belopp}
      - {id: avvikelse, typ: belopp, berakning: {skillnad: [budget, utfall]}}
      - {id: andel, typ: procent, berakning: {andel: [avvikelse, budget]}}
disposition:
  - rubrik: Ekonomi
    block:
      - tabell: rr
      - tabell: drift
"""
RR = "post;budget;utfall\nÅrets resultat;-501 533,6;-497 046,4\n"
DRIFT = "verksamhet;budget;utfall\nTotalt;501 533,3;497 045,6\n"


def folder_with(tmp_path: Path, storheter: str, rr: str = RR, drift: str = DRIFT,
                extra: str = "", name: str = "data") -> Path:
    return make_folder(tmp_path, TABLES + dedent(storheter) + extra,
                       {"rr.csv": rr, "drift.csv": drift}, name=name)


RESULT = """\
storheter:
  - namn: Årets resultat mot budget
    tal:
      - rr | Årets resultat | avvikelse
      - drift | Totalt | avvikelse | tkr
"""


def test_two_tables_showing_the_same_quantity_with_different_figures(tmp_path: Path) -> None:
    # 4 487,2 shown as 4 487 tkr, and 4 487,7 as 4 488 tkr: no exact figure shows as both.
    folder = folder_with(tmp_path, RESULT)
    line = line_of(folder / "vb.yaml", "drift | Totalt | avvikelse | tkr")
    assert problems(folder) == [
        f'vb.yaml, rad {line}, fält "storheter[1].tal[2]": storheten "Årets resultat mot '
        f'budget" visas med olika tal: "rr | Årets resultat | avvikelse" visar 4{NB}487, men '
        f'"drift | Totalt | avvikelse | tkr" visar 4{NB}488 tkr; rätta siffrorna så att '
        "tabellerna visar samma tal"]


def test_the_same_figure_in_another_unit_and_rounding_agrees(tmp_path: Path) -> None:
    fixed = "verksamhet;budget;utfall\nTotalt;501 533,6;497 046,4\n"
    folder = folder_with(tmp_path, RESULT, drift=fixed)
    load(folder)
    # 4 487 tkr and 4,5 mnkr (the drift table's own figure) may be the same figure.
    mnkr = RESULT.replace("drift | Totalt | avvikelse | tkr", "drift | Totalt | avvikelse")
    load(folder_with(tmp_path, mnkr, name="mnkr"))


def test_belopp_compares_figures_without_their_sign(tmp_path: Path) -> None:
    cost = """\
    storheter:
      - namn: Nettokostnad
        tal: ["rr | Årets resultat | utfall | belopp", "drift | Totalt | utfall | tkr"]
    """
    folder = folder_with(tmp_path, cost, drift="verksamhet;budget;utfall\nTotalt;501 533,6;"
                                               "497 046,4\n")
    load(folder)
    signed = cost.replace("utfall | belopp", "utfall")
    bad = folder_with(tmp_path, signed, drift="verksamhet;budget;utfall\nTotalt;501 533,6;"
                                              "497 046,4\n", name="tecken")
    [message] = problems(bad)
    assert f"visar {'−'}497{NB}046, men" in message


def test_a_quantity_of_another_kind_and_a_reference_that_names_nothing(tmp_path: Path
                                                                       ) -> None:
    mixed = """\
    storheter:
      - namn: Resultatet
        tal: ["rr | Årets resultat | avvikelse", "drift | Totalt | andel", "drift | Totlat | andel"]
    """
    folder = folder_with(tmp_path, mixed)
    vb = folder / "vb.yaml"
    line = line_of(vb, "- namn: Resultatet") + 1
    assert problems(folder) == [
        f'vb.yaml, rad {line}, fält "storheter[1].tal[2]": storheten "Resultatet": "drift | '
        'Totalt | andel" är ett tal som inte är ett belopp men "rr | Årets resultat | '
        'avvikelse" är ett belopp; en storhet är samma slags tal överallt',
        f'vb.yaml, rad {line}, fält "storheter[1].tal[3]": raden "Totlat" finns inte i tabellen '
        '"drift" (kolumnen "verksamhet"); närmast: "Totalt"']


MEMO = """\
tjanstskrivelse:
  datum: 2025-02-11
  diarienummer: TN 2025/1
  underskrift: {namn: Anna Andersson, titel: Direktör}
  resultatoverforing:
    resultat: rr | Årets resultat | avvikelse
    andel: 50
    balanserat_resultat: 9412
"""


def memo_paragraphs(folder: Path, tmp_path: Path) -> list[str]:
    _, documents, _ = compose_all(folder, Options(tmp_path / "ut",
                                                  documents=("tjanstskrivelse",)))
    blocks = documents["tjanstskrivelse"].blocks
    items = [p for b in blocks if isinstance(b, doc.ListBlock) for i in b.items for p in i]
    return [doc.plain(p.children) for p in [*blocks, *items] if isinstance(p, doc.Paragraph)]


def test_the_memo_decides_on_the_result_as_its_table_shows_it(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "", extra=MEMO)
    report = load(folder)
    figures = derive(report)
    # The table shows 4 487 (from 4 487,2); half of that is 2 243,5, 2 244 in whole tkr.
    assert figures.arets_resultat == 4487
    assert figures.resultatoverforing is not None
    assert figures.resultatoverforing.belopp == 2244
    paragraphs = memo_paragraphs(folder, tmp_path)
    assert f"Årets resultat jämfört med budget är 4{NB}487 tkr." in " ".join(paragraphs)
    assert (f"Testnämnden begär hos kommunstyrelsen att 2{NB}244 tkr av årets resultat "
            "balanseras mot nämndens eget kapital och att det balanserade resultatet därefter "
            f"uppgår till 11{NB}656 tkr.") in paragraphs


@pytest.mark.parametrize(("reference", "message"), [
    ("drift | Totalt | andel", 'årets resultat ska vara ett belopp, men "drift | Totalt | '
                               'andel" är inget belopp'),
    ("rr | Årets resultat | avvikelsen", 'kolumnen "avvikelsen" finns inte i tabellen "rr"; '
                                         'närmast: "avvikelse"'),
])
def test_a_result_the_memo_cannot_decide_on(tmp_path: Path, reference: str, message: str
                                            ) -> None:
    memo = MEMO.replace("rr | Årets resultat | avvikelse", reference)
    folder = folder_with(tmp_path, "", extra=memo)
    line = line_of(folder / "vb.yaml", "resultat: ")
    assert problems(folder) == [
        f'vb.yaml, rad {line}, fält "tjanstskrivelse.resultatoverforing.resultat": {message}']
