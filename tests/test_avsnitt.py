"""Årets händelser, effektivisering, personal, intern kontroll, uppföljning and sources.

Read back from the built DOCX (python-docx and its XML) and PDF (pypdf text and outline).
"""

import re

import docx
import pypdf
import pytest
from docx.oxml.ns import qn
from lxml import etree

from vbgen.build import Options, compose_all
from vbgen.compose.luckor import find_all
from vbgen.model import doc

from .conftest import line_of, replace_text, run_cli, words_of

NB = "\u00a0"
MINUS = "\u2212"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

#: Every heading of these sections and its level, in both formats.
HEADINGS = {
    "Årets händelser": 1,
    "Effektiviseringsarbete": 1,
    "Fortsätta omställningen till lättillgänglig och kunskapsbaserad socialtjänst": 2,
    "Kostnadsdrivande placeringar": 2,
    "Undvika konsultkostnader": 2,
    "Allmän sparsamhet": 2,
    "Väsentliga personalförhållanden": 1,
    "Antal anställda": 2,
    "Personalomsättning": 2,
    "Sjukfrånvaro": 2,
    "Medarbetarundersökning": 2,
    "Personalförsörjning (särskilt bristyrkesgrupper)": 2,
    "Kompetensutveckling (inklusive chefsutveckling)": 2,
    "Intern kontroll": 1,
    "Sammanfattande bedömning av nämndens interna kontroll": 2,
    "Kommunövergripande kontroller": 3,
    "Socialnämndens internkontrollarbete": 3,
    "Åtgärder för att minska identifierade risker": 2,
    "Åtgärder utifrån rekommendation från revision eller annan extern granskning": 2,
    "Plan för uppföljning och insyn": 1,
    "Planerad uppföljning": 2,
    "Sammanfattning av resultat för tillsyn och uppföljning av utförare som tillämpas inom "
    "lagen om valfrihetssystem (LOV)": 3,
    "Familjerådgivning": 4,
    "Sammanfattning av resultat för tillsyn och uppföljning av utförare med ramavtal som "
    "tillämpas inom lagen om offentlig upphandling (LOU)": 3,
    "Fördjupad uppföljning av direktupphandlade verksamheter enligt lagen om offentlig "
    "upphandling (LOU)": 3,
    "Källförteckning": 1,
}

ORDER = ["Nämndens mål och resultat", "Årets händelser", "Effektiviseringsarbete", "Ekonomi",
         "Väsentliga personalförhållanden", "Intern kontroll", "Plan för uppföljning och insyn",
         "Källförteckning"]


@pytest.fixture(scope="module")
def document(built):
    return docx.Document(str(built["docx"]))


@pytest.fixture(scope="module")
def pdf(built):
    return pypdf.PdfReader(str(built["pdf"]))


@pytest.fixture(scope="module")
def pdf_text(report_pages):
    """The PDF's text with every run of white space made one space."""
    return " ".join("\n".join(report_pages).replace(NB, " ").split())


def _headings(document) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for p in document.paragraphs:
        if p.style.name.startswith(("Heading ", "Rubrik ")):  # also those kept out of the TOC
            out.setdefault(words_of(p.text), []).append(int(p.style.name.split()[1]))
    return out


def _outline(pdf) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.setdefault(item.title, []).append(level)

    walk(pdf.outline, 1)
    return out


def _table(document, first_header: str) -> list[list[str]]:
    for t in document.tables:
        if t.rows[0].cells[0].text == first_header:
            return [[words_of(c.text) for c in row.cells] for row in t.rows]
    raise AssertionError(f"ingen tabell börjar med {first_header!r}")


def _paragraph_text(document) -> str:
    # Not str.split(): it would also split at the no-break spaces the figures carry.
    return re.sub(r"[ \t\n]+", " ", " ".join(words_of(p.text) for p in document.paragraphs))


# --- Headings -----------------------------------------------------------------------------


def test_headings_have_their_level_in_docx(document):
    found = _headings(document)
    for text, level in HEADINGS.items():
        assert level in found.get(text, []), f"{text!r} saknas som Heading {level}"


def test_headings_have_their_level_in_pdf(pdf, pdf_text):
    found = _outline(pdf)
    for text, level in HEADINGS.items():
        assert level in found.get(text, []), f"{text!r} saknas på nivå {level} i PDF:en"
        assert text in pdf_text


def test_sections_in_the_order_of_the_report(document):
    h1 = [words_of(p.text) for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h for h in h1 if h in ORDER] == ORDER


# --- Väsentliga personalförhållanden ------------------------------------------------------


def test_antal_anstallda_with_computed_difference(document):
    assert _table(document, "Personal") == [
        ["Personal", "December 2023", "December 2024", "Skillnad"],
        ["Antal anställda", "389", "391", "2"],
    ]


def test_personal_sentences(document):
    text = _paragraph_text(document)
    assert ("Av de 391 anställda är 380 tillsvidareanställda och 11 visstidsanställda. "
            f"Andelen kvinnor är 81{NB}% och andelen män 19{NB}%.") in text
    assert f"371 av 391 medarbetare (94,9{NB}%) arbetar heltid." in text
    assert (f"Personalomsättningen är 11,9{NB}%, en ökning med 2,7 procentenheter jämfört med "
            "föregående år.") in text


def test_sjukfranvaro_table_and_sentences(document):
    rows = _table(document, "Grupp")
    assert rows[1] == ["Grupp", "2023", "2024", "Förändring", "2023", "2024", "Förändring"]
    assert rows[2:] == [
        ["Samtliga", "7,2", "6,6", f"{MINUS}0,6", "2,7", "2,3", f"{MINUS}0,4"],
        ["Kvinnor", "7,1", "6,9", f"{MINUS}0,2", "2,6", "2,3", f"{MINUS}0,3"],
        ["Män", "7,5", "5,7", f"{MINUS}1,8", "2,7", "2,1", f"{MINUS}0,6"],
    ]
    text = _paragraph_text(document)
    assert ("(R12) till och med november 2024, är 6,6 procent, en minskning med 0,6 "
            "procentenheter jämfört med samma period föregående år.") in text
    assert "Den korta sjukfrånvaron, dag 1–14, är 2,3 procent, en minskning med 0,4" in text
    assert ("För män är den totala sjukfrånvaron 5,7 procent (en minskning med 1,8 "
            "procentenheter) och den korta 2,1 procent") in text


def test_hme_table_compares_namnd_and_kommun(document):
    rows = _table(document, "Index")
    assert rows[0] == ["Index", "Socialnämnden", "Huddinge kommun"]
    assert rows[1] == ["Engagemang", "75", "69"]
    assert rows[-1] == ["HME/Total", "82", "79"]
    assert len(rows) == 11
    total = next(t for t in document.tables if t.rows[0].cells[0].text == "Index").rows[-1]
    assert all(r.bold for r in total.cells[0].paragraphs[0].runs)


def test_sick_leave_charts_with_alt_text(document, pdf_text):
    alts = [s._inline.docPr.get("descr") for s in document.inline_shapes]
    total = next(a for a in alts if "Sjukfrånvaro totalt per månad och R12" in a)
    assert f"Per månad 2024 8,4{NB}% (nov); R12 2024 6,6{NB}% (nov)" in total
    kort = next(a for a in alts if "Kort sjukfrånvaro, dag 1–14" in a)
    assert f"2024 2,4{NB}% (nov)" in kort
    mellan = next(a for a in alts if "Sjukfrånvaro dag 15–90" in a)
    assert f"2024 3,0{NB}% (nov)" in mellan
    assert "Diagram: Sjukfrånvaro totalt per månad och R12 (%). Källa: Heroma." in pdf_text


def test_kompetensutveckling_is_a_real_list(document):
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs)
                 if p.text == "Kompetensutveckling (inklusive chefsutveckling)"
                 and p.style.name == "Heading 2")
    bullets = [words_of(p.text) for p in paragraphs[start:start + 12]
               if p.style.name == "List Bullet"]
    assert "information om den kommande socialtjänstlagen" in bullets
    assert len(bullets) == 7


# --- Intern kontroll ------------------------------------------------------------------------


def test_risk_table_with_status_in_the_action_cell(document):
    rows = _table(document, "Mål / process")
    assert rows[0] == ["Mål / process", "Risk", "Risknivå", "Riskåtgärd"]
    arkiv = rows[1]
    assert arkiv[0] == "2.1. Informationsförvaltning"
    assert arkiv[2] == "12"
    assert arkiv[3].startswith("Flytta arkivet från Gymnasietorget 1")
    assert "\n\nStatus\nKlart\n\nFörvaltningens centrala stabsfunktioner" in arkiv[3]
    assert not any("statsbidrag" in r[0] for r in rows), "revisionen hör till en egen tabell"


def test_revision_table_with_diarienummer(document):
    rows = _table(document, "Revision/Granskning")
    assert rows[0] == ["Revision/Granskning", "Risk/bakgrund", "Riskåtgärd"]
    assert len(rows) == 2
    assert rows[1][0] == ("Revisionsrapport: Granskning av kommunens hantering av riktade "
                          "statsbidrag\n\nDiarienummer SN 2023/1892")
    assert rows[1][1].startswith("Kommunens revisorer gav KPMG i uppdrag")
    assert "Status\nKlart" in rows[1][2]


# --- Plan för uppföljning och insyn ---------------------------------------------------------


def test_lou_table_counts(document):
    rows = _table(document, "Ramavtal")
    assert rows[0] == ["Ramavtal", "1 januari 2024", "31 december 2024", "Resultat"]
    assert [(r[1], r[2]) for r in rows[1:]] == [
        ("16", "13"), ("20", "17"), ("39", "36"), ("26", "22"), ("20", "19"), ("10", "10"),
        ("33", "32"), ("53", "53"), ("20", "20"), ("38", "38"), ("275", "260")]
    assert rows[1][0] == "Avhopparverksamhet"
    text = _paragraph_text(document)
    assert "fanns 275 utförare vid årets början och 260 vid årets slut." in text


def test_lov_sentence(document):
    assert ("Inom familjerådgivning finns vid årets slut tolv utförare, varav elva privata och "
            "en i kommunens egen regi.") in _paragraph_text(document)


def test_reasons_are_a_nested_list(document):
    items = [(p.style.name, words_of(p.text)) for p in document.paragraphs
             if p.style.name.startswith("List Bullet")]
    i = items.index(("List Bullet", "Kommunen har sagt upp avtalet med en utförare därför"))
    assert items[i + 1] == ("List Bullet 2", "att det fanns brister i yrkesutövningen")
    assert [name for name, _ in items[i + 1:i + 7]] == ["List Bullet 2"] * 6


# --- Källförteckning ------------------------------------------------------------------------


def _spans(tbl, column: int) -> list[tuple[str, int]]:
    """Each cell of ``column`` with the number of rows it covers (w:vMerge)."""
    spans: list[tuple[str, int]] = []
    for tr in tbl.tr_lst[1:]:
        tc = tr.tc_lst[column]
        merge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
        if merge is not None and merge.get(qn("w:val")) in (None, "continue"):
            spans[-1] = (spans[-1][0], spans[-1][1] + 1)
        else:
            spans.append((words_of("".join(t.text or "" for t in tc.iter(qn("w:t")))), 1))
    return spans


def test_kallforteckning_shows_each_goal_once(document):
    table = next(t for t in document.tables
                 if t.rows[0].cells[0].text == "Kommunfullmäktigemål")
    assert [words_of(c.text) for c in table.rows[0].cells] == [
        "Kommunfullmäktigemål", "Nämndmål", "Indikatorer", "Källa/Kolada-ID"]
    kf = _spans(table._tbl, 0)
    assert kf == [("Huddinge är trivsamt och tryggt för alla invånare", 8),
                  ("Huddinges välfärd håller hög kvalitet", 10),
                  ("Minska klimatpåverkan", 1),
                  ("Huddinge kommun har en sund och uthållig ekonomi", 1),
                  ("Huddinge kommun är en attraktiv arbetsgivare", 3)]
    assert [n for _, n in _spans(table._tbl, 1)] == [3, 5, 6, 4, 1, 1, 3]
    assert len(table.rows) == 1 + 23


# --- Footnotes ------------------------------------------------------------------------------


def _footnote_texts(document) -> list[str]:
    part = next(r.target_part for r in document.part.rels.values()
                if r.reltype.endswith("/footnotes"))
    root = etree.fromstring(part.blob)
    return [" ".join("".join(n.itertext()).split()) for n in root.findall(f"{W}footnote")
            if int(n.get(f"{W}id")) > 0]


def test_at_least_eleven_real_footnotes_in_docx(document):
    refs = document.element.body.findall(".//" + qn("w:footnoteReference"))
    assert len(refs) >= 11
    texts = _footnote_texts(document)
    assert len(texts) == len(refs)
    for start in ("SSPF står för samverkan", "En call-in är ett möte",
                  "Custom notification, CN,", "Det operativa teamet ger",
                  "Individbaserad systematisk uppföljning innebär", "Friskfaktorer är en metod",
                  "FREDA-kortfrågor är ett intervjustöd", "Bostad först är en modell"):
        assert any(t.startswith(start) for t in texts), start


def test_every_footnote_is_in_the_pdf(document, pdf_text):
    texts = _footnote_texts(document)
    assert len(texts) >= 11
    for t in texts:
        assert t[:60] in pdf_text, t


# --- Gaps and bad input --------------------------------------------------------------------


def test_missing_figures_of_the_year_are_gaps_in_the_table_and_the_prose(sample_copy):
    path = sample_copy / "sjukfranvaro.csv"
    replace_text(path, "Samtliga;7,2;6,6;", "Samtliga;7,2;;")
    report, documents, _ = compose_all(sample_copy, Options(sample_copy.parent / "ut",
                                                            documents=("verksamhetsberattelse",)))
    document = documents["verksamhetsberattelse"]
    gaps = {(g.vad, g.plats) for g in find_all(document)}
    cell = ("Samtliga: Total sjukfrånvaro (%) 2024", "sjukfranvaro.csv, rad 2, kolumn totalt 2024")
    assert cell in gaps
    prose = next(b for b in document.blocks if isinstance(b, doc.Paragraph)
                 and doc.plain(b.children).startswith("Den totala sjukfrånvaron"))
    assert "[Saknas: Samtliga: Total sjukfrånvaro (%) 2024]" in doc.plain(prose.children)


def test_headcounts_that_do_not_add_up(sample_copy):
    replace_text(sample_copy / "anstallda.csv", ";391;380;", ";391;381;")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    line = line_of(sample_copy / "vb.yaml", "anstallda | Antal anställda | anstallningar")
    assert (f'vb.yaml, rad {line}, fält "storheter[8].tal[2]": storheten "Antal anställda" '
            f'visas med olika tal: "anstallda | Antal anställda | antal" visar 391, men '
            f'"anstallda | Antal anställda | anstallningar" visar 392; rätta siffrorna så att '
            "tabellerna visar samma tal") in result.output


def test_unknown_status_in_revision(sample_copy):
    replace_text(sample_copy / "revision.csv", ";Klart;", ";Färdigt;")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert ('revision.csv, rad 2, kolumn "status": okänt värde "Färdigt"; tillåtna värden: '
            '"Klart", "Pågår", "Ej klart i år"') in result.output


def test_count_that_is_not_a_whole_number(sample_copy):
    replace_text(sample_copy / "ramavtal.csv", "Skyddat boende;20;17;", "Skyddat boende;20;17,5;")
    result = run_cli("validate", str(sample_copy))
    line = line_of(sample_copy / "ramavtal.csv", "17,5")
    assert (f'ramavtal.csv, rad {line}, kolumn "vid årets slut": förväntade ett heltal, '
            'fick "17,5"') in result.output
