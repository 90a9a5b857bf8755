"""The Ekonomi section and the appendix of external volumes, read back from DOCX and PDF."""

import csv
import re
from pathlib import Path
from statistics import mean

import docx
import pytest
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from vbgen.load import load

from .conftest import SAMPLE, line_of, replace_text, run_cli

NB = "\u00a0"
MINUS = "\u2212"
BILAGA = "Bilaga 2. Externa volymer per den sista december 2024 socialnämnden"

#: Every chart of the section in order: a subject from its title and a figure from its data.
CHARTS = [
    ("Nettokostnad per verksamhet 2024, budget och utfall",
     "Högsta värdet är 310,8 mnkr (Budget helår, Barn & ungdomsvård)"),
    ("Placerade barn och unga per månad, egen och extern regi",
     "Högsta värdet är 199 placeringar (Totalt 2023, feb)"),
    ("Placerade barn och unga per placeringsform", "Högsta värdet är 61,0 placerade"),
    ("Nettokostnad per insats inom barn- och ungdomsvården",
     "Högsta värdet är 135,7 mnkr (2024, Familjehemsvård)"),
    ("Placerade i familjehem per månad mot volymbudget",
     "Volymbudget 2024 118 placerade (dec)"),
    ("Antal samtal i familjerådgivningen", f"1{NB}817 samtal (Samtal, 2024)"),
    ("Externt placerade vuxna inom beroendevården", "2024 65 placerade (dec)"),
    ("Nettokostnad per insats inom vård för vuxna med missbruksproblem",
     "Högsta värdet är 47,8 mnkr"),
    ("Externt placerade vuxna i skyddat boende", "2024 14,5 placerade (dec)"),
    ("Externt placerade barn i skyddat boende", "Volymbudget 2024 9,0 placerade (dec)"),
    ("Externa placeringar i särskilt boende inom socialpsykiatrin", "2024 29 placerade (dec)"),
    ("Nettokostnad per insats inom socialpsykiatrin",
     "Högsta värdet är 44,6 mnkr (2024, Särskilt boende)"),
]


# --- Reading the Word file in document order ---------------------------------------------


@pytest.fixture(scope="module")
def document(built):
    return docx.Document(str(built["docx"]))


def _blocks(document):
    """Paragraphs and tables in the order they appear."""
    for el in document.element.body.iterchildren():
        if el.tag == qn("w:p"):
            yield Paragraph(el, document)
        elif el.tag == qn("w:tbl"):
            yield Table(el, document)


def _section(document, heading: str) -> list:
    """The blocks after the Heading 1 ``heading`` up to the next Heading 1."""
    out, inside = [], False
    for b in _blocks(document):
        if isinstance(b, Paragraph) and b.style.name == "Heading 1":
            if inside:
                break
            inside = _words(b.text) == heading
            continue
        if inside:
            out.append(b)
    assert out, f"avsnittet {heading!r} saknas"
    return out


@pytest.fixture(scope="module")
def ekonomi(document):
    return _section(document, "Ekonomi")


def _words(text: str) -> str:
    """``text`` with the no-break spaces the report's typography sets between words as
    spaces; those inside a number or before its unit stay."""
    return re.sub(r"(?<=[^\W\d])\u00a0|\u00a0(?=[^\W\d])", " ", text)


def _rows(table: Table) -> list[list[str]]:
    return [[_words(c.text) for c in row.cells] for row in table.rows]


def _tables(blocks, first_header: str) -> list[list[list[str]]]:
    return [_rows(b) for b in blocks if isinstance(b, Table)
            and b.rows[0].cells[0].text == first_header]


def _headings(blocks, level: int) -> list[str]:
    return [_words(b.text) for b in blocks if isinstance(b, Paragraph)
            and b.style.name == f"Heading {level}"]


def _text(blocks) -> str:
    return " ".join(_words(b.text) for b in blocks if isinstance(b, Paragraph))


# --- Structure ------------------------------------------------------------------------------


def test_section_headings_follow_the_reference(ekonomi):
    assert _headings(ekonomi, 2) == ["Resultaträkning", "Drift per verksamhet",
                                     "Särskilda satsningar", "Extern finansiering",
                                     "Investeringar"]
    h3 = _headings(ekonomi, 3)
    drift = ["Nämnd- & styrelseverksamhet", "Barn- och ungdomsvård",
             "Familjerätt och familjerådgivning", "Vård för vuxna med missbruksproblem",
             "Ekonomiskt bistånd", "Övriga insatser till vuxna",
             "Insatser till personer med funktionsnedsättning",
             "Ensamkommande barn och ungdomar"]
    start = h3.index(drift[0])
    assert h3[start:start + len(drift)] == drift
    assert h3[0] == ("Förändringar i resultatet mot prognosen i delårsrapporten per "
                     "augusti 2024")
    assert h3[-2:] == ["Nämndens investeringar", "Nämndens lokalprojekt"]
    assert "Uppdrag Psykisk hälsa 2024" in h3
    assert "Förebyggande arbete mot hedersrelaterat våld och förtryck" in h3


def test_insats_subsections_are_heading_4(ekonomi):
    h4 = _headings(ekonomi, 4)
    assert h4 == ["Hem för vård eller boende, HVB", "Familjehemsvård",
                  "Individuellt behovsprövade öppna insatser", "Öppna insatser",
                  "Institutionsvård", "Familjehemsvård",
                  "Öppna insatser, biståndsbedömda som avser boende",
                  "Öppna insatser, individuellt behovsprövade"]


# --- Resultaträkning and prognos ------------------------------------------------------------


def test_generated_sentences_per_post(ekonomi):
    text = _text(ekonomi)
    assert (f"Verksamhetens intäkter. Utfallet är 49,3 miljoner kronor, 7,4 miljoner kronor "
            f"mer än budgeterat och 22,4{NB}% mindre än 2023.") in text
    assert (f"Köp av verksamhet. Utfallet är 191,3 miljoner kronor, 3,4 miljoner kronor mer "
            f"än budgeterat och 7,5{NB}% mer än 2023.") in text
    assert (f"Verksamhetens kostnader. Utfallet är 546,4 miljoner kronor, 2,9 miljoner kronor "
            f"mer än budgeterat och 3,1{NB}% mer än 2023.") in text
    # Posts without a comment in resultatrakning.csv get no paragraph of their own.
    assert "Lokaler. Utfallet" not in text


def test_prognos_sentence(ekonomi):
    assert ("Resultatet blev 5,4 miljoner kronor sämre än prognosen i delårsrapporten per "
            "augusti 2024. Prognosen var då ett överskott mot budget på 9,9 miljoner "
            "kronor.") in _text(ekonomi)


# --- Drift per verksamhet -------------------------------------------------------------------


def test_three_year_tables(ekonomi):
    tables = {t[1][0]: t for t in _tables(ekonomi, "Verksamhet (tkr)")}
    assert len(tables) == 8
    bou = tables["Barn & ungdomsvård"]
    assert bou[0] == ["Verksamhet (tkr)", "jan–dec 2022", "jan–dec 2023", "jan–dec 2024"]
    assert bou[1:] == [["Barn & ungdomsvård", f"256{NB}611", f"299{NB}437", f"304{NB}133"],
                       ["Procentuell förändring", "", f"17{NB}%", f"2{NB}%"]]
    assert tables["Nämnd- & styrelseverksamhet"][2] == [
        "Procentuell förändring", "", f"{MINUS}26{NB}%", f"{MINUS}3{NB}%"]
    assert tables["Vård för vuxna med missbruksproblem"][2][2:] == [f"{MINUS}10{NB}%",
                                                                    f"20{NB}%"]
    # Change is measured against the absolute value: a net income turning into a net cost
    # is an increase.
    assert tables["Flyktingmottagande"][1:] == [
        ["Flyktingmottagande", f"{MINUS}3{NB}990", f"{MINUS}1{NB}162", f"1{NB}083"],
        # Changes from a negative net cost mean nothing as percentages: an en dash instead.
        ["Procentuell förändring", "", "\u2013", "\u2013"]]
    assert "Förändringen i procent redovisas inte när jämförelsevärdet är noll eller " \
        "negativt." in _text(ekonomi)


def test_generated_sentence_per_verksamhet(ekonomi):
    text = _text(ekonomi)
    assert ("Utfallet för 2024 är 304,1 miljoner kronor, ett överskott mot budget på 6,6 "
            "miljoner kronor. Nettokostnaden är 4,7 miljoner kronor högre än 2023.") in text
    assert "Nettokostnaden är 38 tusen kronor lägre än 2023." in text
    assert "11,3 miljoner kronor, ett underskott mot budget på 0,2 miljoner kronor" in text


# --- Satsningar, extern finansiering, investeringar -----------------------------------------


def test_satsningar_table(ekonomi):
    (rows,) = _tables(ekonomi, "Satsning")
    assert rows == [["Satsning", "Budget", "Utfall"],
                    ["Omställning av socialtjänsten", f"20{NB}000", f"20{NB}000"]]


def test_extern_finansiering_table(ekonomi):
    (rows,) = _tables(ekonomi, "Sökt bidrag")
    assert rows[0] == ["Sökt bidrag", "Ansökt 2024", "Erhållet 2024", "Budgeterat 2024",
                       "Nämndmål"]
    assert rows[1] == ["Uppdrag psykisk hälsa 2024", f"2{NB}174{NB}*", "912", f"1{NB}418",
                       "Fler barn och vuxna tar del av förebyggande insatser i ett tidigt "
                       "skede."]
    bra = next(r for r in rows if r[0] == "Brottsförebyggande medel från BRÅ")
    assert bra[1:] == ["202", "202", f"0{NB}**", "Barn, ungdomar och familjer upplever en "
                       "förbättrad situation efter beviljat stöd från socialtjänsten"]
    assert len(rows) == 11
    assert rows[-1] == ["Summa", f"9{NB}123", f"7{NB}861", f"5{NB}579", ""]


def test_extern_finansiering_summa_row_is_bold(ekonomi):
    table = next(b for b in ekonomi if isinstance(b, Table)
                 and b.rows[0].cells[0].text == "Sökt bidrag")
    runs = [r for p in table.rows[-1].cells[1].paragraphs for r in p.runs]
    assert runs and all(r.bold for r in runs)


def test_notes_under_extern_finansiering(ekonomi):
    i = next(i for i, b in enumerate(ekonomi) if isinstance(b, Table)
             and b.rows[0].cells[0].text == "Sökt bidrag")
    notes = [b for b in ekonomi[i + 1:i + 3]]
    assert [n.style.name for n in notes] == ["Tabellnot", "Tabellnot"]
    assert notes[0].text.startswith("* Ansökan om 2,2 miljoner kronor")
    assert notes[1].text == ("** Beslutet om bidraget kom efter att nämndens budget för 2024 "
                             "hade fastställts.")
    assert ("Nämnden sökte 9,1 miljoner kronor i extern finansiering under 2024 och fick "
            "7,9 miljoner kronor. I budgeten för året fanns 5,6 miljoner kronor."
            ) in _text(ekonomi)


def test_investeringar_table(ekonomi):
    (rows,) = _tables(ekonomi, "Investeringar")
    assert rows == [["Investeringar", "Budget", "Utfall", "Avvikelse"],
                    ["Investeringar", "645", "0", "645"],
                    ["Besökskorridor", "155", "207", f"{MINUS}52"],
                    ["Summa investeringar", "800", "207", "593"]]
    assert ("Nämndens investeringsutgifter för 2024 är 0,2 miljoner kronor av en "
            "investeringsbudget på 0,8 miljoner kronor.") in _text(ekonomi)


# --- Charts ---------------------------------------------------------------------------------


def test_charts_in_the_section_with_alt_text(ekonomi):
    alts = [pr.get("descr") for b in ekonomi if isinstance(b, Paragraph)
            for pr in b._p.iter(qn("wp:docPr"))]
    assert len(alts) == len(CHARTS) == 12
    for alt, (subject, figure) in zip(alts, CHARTS, strict=True):
        assert subject in alt
        assert figure in alt


def test_chart_placed_where_the_text_says(ekonomi):
    """"Diagrammet ovan" follows the chart it speaks of."""
    i = next(i for i, b in enumerate(ekonomi) if isinstance(b, Paragraph)
             and b.text.startswith("Diagrammet ovan visar alla placeringar"))
    assert ekonomi[i - 1].style.name == "Bildtext"
    assert ekonomi[i - 1].text.startswith("Diagram: Placerade barn och unga per månad")


# --- Appendix -------------------------------------------------------------------------------


def test_appendix_of_external_volumes(document):
    blocks = _section(document, BILAGA)
    (rows,) = _tables(blocks, "Verksamhet")
    assert rows[0] == ["Verksamhet", "Insats", "31 dec 2023", "31 dec 2024", "Förändring"]
    assert rows[1] == ["Barn- och ungdomsvård", "HVB", "24", "27", "3"]
    assert rows[4] == ["Barn- och ungdomsvård", "Jourhem", "6", "2", f"{MINUS}4"]
    assert rows[-1][2:] == ["153", "189", "36"]
    table = next(b for b in blocks if isinstance(b, Table))
    # The verksamhet spans its insatser.
    assert table.rows[1].cells[0]._tc is table.rows[4].cells[0]._tc
    assert ("Den sista december 2024 var 189 placerade i extern regi, 36 fler än ett år "
            "tidigare.") in _text(blocks)


# --- The same in the PDF --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_text(report_pages):
    text = "\n".join(report_pages)
    return " ".join(text.replace(NB, " ").split())


def test_pdf_tables(pdf_text):
    for expected in (
        "Verksamhet (tkr) jan–dec 2022 jan–dec 2023 jan–dec 2024 Barn & ungdomsvård 256 611 "
        "299 437 304 133 Procentuell förändring 17 % 2 %",
        "Omställning av socialtjänsten 20 000 20 000",
        "Uppdrag psykisk hälsa 2024 2 174 * 912 1 418",
        "Summa 9 123 7 861 5 579",
        f"Besökskorridor 155 207 {MINUS}52 Summa investeringar 800 207 593",
        "** Beslutet om bidraget kom efter att nämndens budget för 2024 hade fastställts.",
        BILAGA,
    ):
        assert expected in pdf_text


def test_pdf_chart_captions(pdf_text):
    for subject, _ in CHARTS:
        assert f"Diagram: {subject}" in pdf_text


# --- Derived figures and the sample data ----------------------------------------------------


def test_prognos_difference():
    rr = load(SAMPLE).tabelldata["resultatrakning"]
    total = next(r for r in rr.rows if r.cells["post"].value == "Årets resultat")
    assert round(total.cells["mot_prognos"].value) == -5413
    assert total.cells["prognos_avvikelse"].value == pytest.approx(9900)


def _series(name: str) -> dict[str, list[float | None]]:
    with open(SAMPLE / "serier" / name, encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    return {h: [float(r[i].replace(",", ".")) if r[i] else None for r in rows[1:]]
            for i, h in enumerate(rows[0]) if i}


def test_illustrative_series_agree_with_the_prose():
    bou = _series("bou_placeringar.csv")
    assert round(mean(bou["Totalt 2024"]), 1) == 191.2
    assert round((mean(bou["Totalt 2024"]) / mean(bou["Totalt 2023"]) - 1) * 100, 1) == -2.0
    assert round((bou["Totalt 2024"][11] / bou["Totalt 2024"][7] - 1) * 100, 1) == 6.0
    assert [a + b for a, b in zip(bou["Egen regi 2024"], bou["Extern regi 2024"],
                                  strict=True)] == bou["Totalt 2024"]
    fh = _series("bou_familjehem_budget.csv")
    over = [u > b for u, b in zip(fh["Placerade i familjehem 2024"], fh["Volymbudget 2024"],
                                  strict=True)]
    assert over == [False, False] + [True] * 10
    assert _series("familjeradgivning_samtal.csv")["Samtal"][1:] == [1672, 1817]
    vuxna, barn = _series("skyddat_boende_vuxna.csv"), _series("skyddat_boende_barn.csv")
    for year, expected in (("2022", 19.0), ("2023", 12.0), ("2024", 22.0)):
        total = mean(vuxna[year]) + mean(barn[f"Placerade barn {year}"])
        assert round(total, 1) == expected
    missbruk = _series("missbruk_placeringar.csv")
    assert round(mean(missbruk["2024"]) - mean(missbruk["2023"]), 1) == 9.5
    insats = _series("bou_nettokostnad_insats.csv")
    assert insats["2024"] == [56.7, 135.7, 78.2, 33.6]


# --- Bad input ------------------------------------------------------------------------------


def _validate(folder: Path) -> str:
    result = run_cli("validate", str(folder))
    assert result.exit_code == 1, result.output
    return result.output






def test_extern_finansiering_summa_that_does_not_add_up(sample_copy):
    path = sample_copy / "extern_finansiering.csv"
    replace_text(path, "Summa;9 123;", "Summa;9 223;")
    line = line_of(path, "Summa;")
    assert (f'extern_finansiering.csv, rad {line}, kolumn "ansökt 2024": summan stämmer inte: '
            f"raden anger 9{NB}223 men raderna sedan förra summan blir 9{NB}123"
            ) in _validate(sample_copy)


def test_investeringar_summa_that_does_not_add_up(sample_copy):
    path = sample_copy / "investeringar.csv"
    replace_text(path, "Besökskorridor;155;207", "Besökskorridor;155;270")
    assert ('investeringar.csv, rad 4, kolumn "utfall 2024": summan stämmer inte: raden anger '
            "207 men raderna sedan förra summan blir 270") in _validate(sample_copy)


def test_a_verksamhet_the_outline_shows_must_be_in_drift(sample_copy):
    path = sample_copy / "vb.yaml"
    replace_text(path, "rader: [Ekonomiskt bistånd]", "rader: [Ekonomiskt stöd]")
    line = line_of(path, "rader: [Ekonomiskt stöd]")
    assert (f'vb.yaml, rad {line}, fält "disposition[8].avsnitt[2].avsnitt[5].block[1].tabell.'
            'rader": raden "Ekonomiskt stöd" finns inte i tabellen "drift_tre_ar" (kolumnen '
            '"verksamhet"); närmast: "Ekonomiskt bistånd"') in _validate(sample_copy)


def test_unknown_chart_in_text(sample_copy):
    replace_text(sample_copy / "text" / "drift" / "familjeratt.md",
             "[diagram: familjeradgivning_samtal]", "[diagram: samtal]")
    # At the mark's own line in the text's own file.
    line = line_of(sample_copy / "text" / "drift" / "familjeratt.md", "[diagram: samtal]")
    assert (f'text/drift/familjeratt.md, rad {line}: diagrammet "samtal" i texten finns inte '
            "under diagram; kända diagram: sjukfranvaro_total, ") in _validate(sample_copy)


def test_unknown_goal_of_a_grant(sample_copy):
    path = sample_copy / "extern_finansiering.csv"
    replace_text(path, "1 185;N1;", "1 185;N8;")
    line = line_of(path, "Personligt ombud;")
    assert (f'extern_finansiering.csv, rad {line}, kolumn "nämndmål": okänt mål "N8"; '
            "kända id: N1, N2") in _validate(sample_copy)


def test_mark_without_a_note(sample_copy):
    path = sample_copy / "extern_finansiering.csv"
    replace_text(path, ";912;1 418;", ";912 ***;1 418;")
    line = line_of(path, "912 ***")
    assert (f'extern_finansiering.csv, rad {line}, kolumn "erhållet 2024": markeringen "***" '
            'har ingen förklaring; lägg till en not som börjar med "***" under noter för '
            'tabellen "extern_finansiering" i vb.yaml') in _validate(sample_copy)


def test_bad_number_with_mark(sample_copy):
    path = sample_copy / "extern_finansiering.csv"
    replace_text(path, "2 174 *", "2 174 x")
    line = line_of(path, "2 174 x")
    assert (f'extern_finansiering.csv, rad {line}, kolumn "ansökt 2024": förväntade ett tal, '
            'fick "2 174 x"') in _validate(sample_copy)
