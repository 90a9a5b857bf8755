"""The tjänsteskrivelse: built from the same data and figures as the verksamhetsberättelse."""

import re

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from vbgen.build import select_documents
from vbgen.compose.templates import environment
from vbgen.derive.goals import derive
from vbgen.load import load

from .conftest import SAMPLE, line_of, replace_text, run_cli, words_of

NB = "\u00a0"

SECTIONS = ["Förslag till beslut", "Sammanfattning", "Beskrivning av ärendet",
            "Förvaltningens synpunkter", "Ekonomiska konsekvenser", "Bilagor",
            "Beslutet ska skickas till"]
SUBSECTIONS = ["Socialnämndens ekonomiska bokslut 2024", "Resultatöverföring",
               "Effektiviseringsarbete", "Lokaler", "Väsentliga personalförhållanden",
               "Intern kontroll", "Uppdrag"]
DECISIONS = [
    "Socialnämnden godkänner förvaltningens förslag till verksamhetsberättelse 2024 och "
    "överlämnar den till kommunstyrelsen.",
    f"Socialnämnden begär hos kommunstyrelsen att 4{NB}487 tkr av årets resultat balanseras "
    f"mot nämndens eget kapital och att det balanserade resultatet därefter uppgår till "
    f"13{NB}899 tkr.",
    "Socialnämnden lägger redovisningen av den interna kontrollen 2024 till handlingarna.",
]
HEADER = "Socialnämnden · Tjänsteskrivelse · 2025-02-11 · Dnr SN 2025/123"


@pytest.fixture(scope="module")
def memo_docx(memo):
    return docx.Document(str(memo["docx"]))


@pytest.fixture(scope="module")
def report_docx(built):
    return docx.Document(str(built["docx"]))


@pytest.fixture(scope="module")
def memo_pages(memo):
    return [p.extract_text() for p in pypdf.PdfReader(str(memo["pdf"])).pages]


def _styled(document, style: str) -> list[str]:
    return [words_of(p.text) for p in document.paragraphs if p.style.name == style]


def _table(document, first_header: str) -> list[list[str]]:
    for t in document.tables:
        if t.rows[0].cells[0].text == first_header:
            return [[words_of(c.text) for c in row.cells] for row in t.rows]
    raise AssertionError(f"ingen tabell börjar med {first_header!r}")


def _flat(text: str) -> str:
    return " ".join(text.replace(NB, " ").split())


# --- The built memo -----------------------------------------------------------------------


def test_file_names(memo):
    assert memo["docx"].name == "tjanstskrivelse-socialnamnden-2024.docx"
    assert memo["pdf"].name == "tjanstskrivelse-socialnamnden-2024.pdf"


def test_headings(memo_docx):
    assert _styled(memo_docx, "Heading 1") == ["Verksamhetsberättelse 2024 för socialnämnden"]
    assert _styled(memo_docx, "Heading 2") == SECTIONS
    assert _styled(memo_docx, "Heading 3") == SUBSECTIONS


def test_no_title_page_and_no_table_of_contents(memo_docx):
    styles = {p.style.name for p in memo_docx.paragraphs}
    assert not styles & {"Title", "Subtitle", "TOC Heading", "TOC 1", "TOC 2"}


def test_attachment_2_is_the_reports_own_bilaga_2(memo_docx, report_docx):
    numbered = _styled(memo_docx, "List Number")
    bilaga = [h for h in _styled(report_docx, "Heading 1") if h.startswith("Bilaga ")]
    assert bilaga == [f"Bilaga 2. {numbered[4]}"]


def test_letterhead(memo_docx):
    head = [words_of(p.text) for p in memo_docx.paragraphs[:4]]
    assert head == [
        "Huddinge kommun\nSocialförvaltningen",
        "Tjänsteskrivelse\nDatum: 11 februari 2025\nDiarienummer: SN 2025/123\n"
        "Handläggare: Erik Exempel, Controller, 08-535 000 00, erik.exempel@huddinge.se",
        "Till Socialnämnden",
        "Verksamhetsberättelse 2024 för socialnämnden"]
    assert {p.style.name for p in memo_docx.paragraphs[:3]} == {"Brevhuvud"}
    # The heading after the letterhead stays on the first page.
    assert memo_docx.paragraphs[3].paragraph_format.page_break_before is False


def test_economic_consequences(memo_docx):
    texts = [words_of(p.text) for p in memo_docx.paragraphs]
    after = texts[texts.index("Ekonomiska konsekvenser") + 1]
    assert after == (f"Förslaget innebär att 4{NB}487 tkr av årets överskott balanseras mot "
                     f"nämndens eget kapital, som därefter uppgår till 13{NB}899 tkr.")


def test_numbered_decisions_with_computed_amount(memo_docx):
    numbered = _styled(memo_docx, "List Number")
    assert numbered[:3] == DECISIONS


def test_attachments_start_at_one_with_the_report(memo_docx):
    numbered = _styled(memo_docx, "List Number")
    assert numbered[3:] == [
        "Verksamhetsberättelse 2024 för socialnämnden",
        "Externa volymer per den sista december 2024 socialnämnden",
        "Uppföljning av uppdrag enligt lokalresursplanen 2024"]
    # Each numbered list has its own numbering, restarted at 1 (not 4, 5, 6).
    firsts = [p for p in memo_docx.paragraphs
              if p.style.name == "List Number" and words_of(p.text) in (DECISIONS[0], numbered[3])]
    ids = [p._p.pPr.numPr.numId.val for p in firsts]
    assert ids[0] != ids[1]
    numbering = memo_docx.part.numbering_part.element
    for num_id in ids:
        num = numbering.num_having_numId(num_id)
        start = num.find(qn("w:lvlOverride")).find(qn("w:startOverride"))
        assert start.get(qn("w:val")) == "1"


def test_malbedomning_rows_equal_the_reports(memo_docx, report_docx):
    memo_rows = _table(memo_docx, "Målområde")
    report_rows = _table(report_docx, "Målområde")
    assert memo_rows == report_rows
    assert len(memo_rows) == 8
    assert memo_rows[7][3] == "◑ Delvis uppfyllt"


def test_result_is_the_reports_avvikelse(memo_docx, report_docx):
    avvikelse = next(r[3] for r in _table(report_docx, "Resultaträkning")
                     if r[0] == "Årets resultat")
    assert avvikelse == f"4{NB}487"
    text = "\n".join(words_of(p.text) for p in memo_docx.paragraphs)
    assert f"Årets resultat jämfört med budget är {avvikelse} tkr." in text
    assert ("Nämnden redovisar ett överskott mot budget på 4,5 miljoner kronor, vilket är "
            f"0,9{NB}% av nettobudgeten.") in _flat_keep_nb(text)
    assert ("Socialnämnden redovisar ett överskott mot budget på 4,5 miljoner kronor, "
            f"vilket motsvarar 0,9{NB}% av nettobudgeten. Jämfört med föregående år har "
            "nettokostnaden ökat med 30,7 miljoner kronor, vilket motsvarar en ökning med "
            f"6,6{NB}%.") in _flat_keep_nb(text)


def test_the_decision_transfers_the_figure_the_report_shows(memo_docx, report_docx, memo_pages,
                                                             report_pages):
    # andel: 100 of the result, as the resultaträkning shows it: the same figure everywhere.
    avvikelse = next(r[3] for r in _table(report_docx, "Resultaträkning")
                     if r[0] == "Årets resultat")
    decision = f"begär hos kommunstyrelsen att {avvikelse} tkr av årets resultat balanseras"
    assert decision in "\n".join(words_of(p.text) for p in memo_docx.paragraphs)
    assert _flat(decision) in _flat("\n".join(memo_pages))
    report_text = _flat("\n".join(report_pages))
    assert re.search(r"Årets resultat [−\d ]+ [−\d ]+ " + _flat(avvikelse), report_text)


def _flat_keep_nb(text: str) -> str:
    return re.sub(r"[ \n\t]+", " ", text)


def test_summary_sentences(memo_docx):
    text = _flat_keep_nb("\n".join(words_of(p.text) for p in memo_docx.paragraphs))
    assert ("Förvaltningen bedömer att socialnämndens mål för 2024 sammantaget är i hög grad "
            "uppfyllda. "
            "Av nämndens sju nämndmål är två i mycket hög grad uppfyllda, ett i hög grad "
            "uppfyllt och fyra delvis uppfyllda.") in text
    assert ("Inom målområdet En trygg kommun där människor trivs och växer – social hållbarhet "
            "har nämnden fyra nämndmål, varav ett i mycket hög grad uppfyllt, ett i hög grad "
            "uppfyllt och två delvis uppfyllda.") in text
    assert ("Inom målområdet En hållbar naturkommun – ekologisk hållbarhet har nämnden ett "
            "nämndmål, som bedöms som delvis uppfyllt.") in text
    assert ("Verksamhetsberättelsen redovisar fem uppdrag, varav två med status \u201dKlart\u201d "
            "och tre med status \u201dEj klart i år\u201d.") in text


def test_signature_and_recipients(memo_docx):
    texts = [words_of(p.text) for p in memo_docx.paragraphs]
    assert "Anna Exempel\nSocialdirektör" in texts
    after = texts[texts.index("Beslutet ska skickas till") + 1:]
    assert after == ["Kommunstyrelsen", "Kommunstyrelsens förvaltning, ekonomiavdelningen"]


def test_word_header_on_first_page_too(memo_docx, report_docx):
    section = memo_docx.sections[0]
    assert section.different_first_page_header_footer is False
    assert [words_of(p.text) for p in section.header.paragraphs] == [HEADER]
    # The report keeps its title page free of header and footer.
    assert report_docx.sections[0].different_first_page_header_footer is True


def test_pdf_header_and_page_numbers_on_every_page(memo_pages):
    total = len(memo_pages)
    assert total >= 2
    for number, text in enumerate(memo_pages, start=1):
        assert HEADER in text
        assert f"Sida {number} ({total})" in text


def test_pdf_content(memo_pages):
    text = _flat("\n".join(memo_pages))
    for heading in SECTIONS + SUBSECTIONS:
        assert heading in text
    for decision in DECISIONS:
        assert _flat(decision) in text
    assert "Målbedömning 2024" in text


def test_report_pdf_title_page_has_no_header(built):
    pages = pypdf.PdfReader(str(built["pdf"])).pages
    assert "Sida" not in pages[0].extract_text()
    assert "Socialnämnden – Verksamhetsberättelse 2024" in pages[1].extract_text()


# --- Figures and sentences for other data ------------------------------------------------


def _sentence(macro: str, report) -> str:
    env = environment()
    template = env.from_string(f'{{% from "_makron.j2" import {macro} with context %}}'
                               f"{{{{ {macro}() }}}}")
    return _flat_keep_nb(template.render(vb=report, fig=derive(report))).strip()


@pytest.fixture
def report():
    return load(SAMPLE)


def _policy(report, **changes):
    ts = report.tjanstskrivelse
    policy = ts.resultatoverforing.model_copy(update=changes)
    report.tjanstskrivelse = ts.model_copy(update={"resultatoverforing": policy})
    return report


def test_share_of_result_in_whole_tkr(report):
    fig = derive(_policy(report, andel=50))
    assert fig.resultatoverforing.belopp == 2244  # 50 % of 4 487,2 tkr, rounded half up
    assert fig.resultatoverforing.balanserat_efter == 9412 + 2244


def test_decision_for_a_deficit(report):
    _policy(report, andel=None, belopp=-2000.0, balanserat_resultat=6975.0)
    assert _sentence("resultatoverforing_beslut", report) == (
        f"Socialnämnden begär hos kommunstyrelsen att ett underskott om 2{NB}000 tkr av årets "
        "resultat balanseras mot nämndens eget kapital och att det balanserade resultatet "
        f"därefter uppgår till 4{NB}975 tkr.")


def test_decision_when_nothing_is_transferred(report):
    _policy(report, andel=0.0, balanserat_resultat=6975.0)
    assert _sentence("resultatoverforing_beslut", report) == (
        "Socialnämnden begär hos kommunstyrelsen att 0 kr av årets resultat balanseras mot "
        f"nämndens eget kapital och att det balanserade resultatet om 6{NB}975 tkr kvarstår.")


def test_malomrade_sentence_when_all_goals_share_a_level(report):
    for nm in report.mal[2].under[1].under:
        nm.maluppfyllelse = "I mycket hög grad uppfyllt"
    env = environment()
    template = env.from_string('{% from "_makron.j2" import malomrade_mening with context %}'
                               "{{ malomrade_mening(fig.malomraden[2]) }}")
    text = " ".join(template.render(vb=report, fig=derive(report)).split())
    assert text == ("Inom målområdet <i>En ansvarsfull ekonomi i hela Huddinge - ekonomisk "
                    "hållbarhet</i> har nämnden två nämndmål, som båda bedöms som i mycket "
                    "hög grad uppfyllda.")


def test_nämnd_name_in_running_text_can_be_given(report):
    report.tjanstskrivelse.namnd_i_text = "Socialnämnden i Huddinge"
    assert derive(report).namnd_i_text == "Socialnämnden i Huddinge"


# --- Choosing documents and bad input -----------------------------------------------------




def _drop_memo_block(folder):
    path = folder / "vb.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("\ntjanstskrivelse:")
    end = re.search(r"\n\S", text[start + 1:])  # the next top-level key, if any
    rest = text[start + 1 + end.start():] if end else ""
    path.write_text(text[:start] + rest, encoding="utf-8")






def test_only_the_memo_when_asked(sample_copy, tmp_path):
    out = tmp_path / "ut"
    result = run_cli("build", str(sample_copy), "--ut", str(out), "--dokument", "tjanstskrivelse",
                  "--format", "docx")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "tjanstskrivelse-socialnamnden-2024-utkast.docx"]


def test_unknown_document(sample_copy):
    result = run_cli("build", str(sample_copy), "--dokument", "arsredovisning")
    assert result.exit_code == 2
    assert ("okänt dokument arsredovisning; välj bland verksamhetsberattelse, tjanstskrivelse"
            in result.output)


def test_memo_left_out_without_its_data(sample_copy):
    _drop_memo_block(sample_copy)
    assert select_documents(load(sample_copy), None) == ["verksamhetsberattelse"]


def test_validate_says_nothing_of_a_memo_never_asked_for(sample_copy):
    _drop_memo_block(sample_copy)
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 0
    assert "inga fel" in result.output
    assert "jänsteskrivelse" not in result.output


def test_memo_asked_for_without_its_data(sample_copy, tmp_path):
    _drop_memo_block(sample_copy)
    out = tmp_path / "ut"
    result = run_cli("build", str(sample_copy), "--ut", str(out), "--dokument",
                  "verksamhetsberattelse,tjanstskrivelse")
    assert result.exit_code == 1
    assert ("vb.yaml: tjänsteskrivelsen kan inte byggas: fältet tjanstskrivelse saknas "
            "(se docs/dataformat.md)") in result.output
    assert not out.exists()


@pytest.mark.parametrize("policy, message", [
    ("andel: 100\n    belopp: 4000", "ange antingen andel (procent av årets resultat) eller "
                                     "belopp (tkr), inte båda och inte ingen"),
    ("andel: 150", "andel ska vara en procentsats 0–100, fick 150"),
])
def test_bad_transfer_policy(sample_copy, policy, message):
    vb = sample_copy / "vb.yaml"
    replace_text(vb, "andel: 100 ", policy + " ")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    line = line_of(vb, "resultatoverforing:")
    assert (f'vb.yaml, rad {line}, fält "tjanstskrivelse.resultatoverforing": {message}'
            in result.output)


@pytest.mark.parametrize("belopp, shown", [("5000", "5\u00a0000"),
                                           ("-1000", "\u22121\u00a0000")])
def test_transfer_larger_than_the_result_or_of_the_other_sign(sample_copy, belopp, shown):
    vb = sample_copy / "vb.yaml"
    replace_text(vb, "andel: 100 ", f"belopp: {belopp} ")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    line = line_of(vb, f"belopp: {belopp}")
    assert (f'vb.yaml, rad {line}, fält "tjanstskrivelse.resultatoverforing.belopp": beloppet '
            f"{shown} tkr går inte att föra över: årets resultat mot budget är 4\u00a0487 tkr "
            '(resultat: "resultatrakning | Årets resultat | avvikelse"), och beloppet ska ha '
            "samma tecken och vara högst så stort"
            ) in result.output


def test_bad_date(sample_copy):
    vb = sample_copy / "vb.yaml"
    replace_text(vb, "datum: 2025-02-11", "datum: 2025-02-30")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    line = line_of(vb, "datum: 2025-02-30")
    assert (f'vb.yaml, rad {line}: kan inte läsas som YAML ("2025-02-30" är inte ett giltigt '
            "datum)") in result.output


def test_date_in_words(sample_copy):
    vb = sample_copy / "vb.yaml"
    replace_text(vb, "datum: 2025-02-11", "datum: 11 februari 2025")
    result = run_cli("validate", str(sample_copy))
    line = line_of(vb, "datum: 11 februari")
    assert (f'vb.yaml, rad {line}, fält "tjanstskrivelse.datum": förväntade ett datum som '
            'ÅÅÅÅ-MM-DD, fick "11 februari 2025"') in result.output


def test_unknown_overall_assessment(sample_copy):
    vb = sample_copy / "vb.yaml"
    replace_text(vb, "samlad_bedomning: I hög grad uppfyllt", "samlad_bedomning: Godkänt")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    line = line_of(vb, "samlad_bedomning: Godkänt")
    assert (f'vb.yaml, rad {line}, fält "tjanstskrivelse.samlad_bedomning": okänd nivå '
            '"Godkänt"; skalan har "I mycket hög grad uppfyllt", "I hög grad uppfyllt", '
            '"Delvis uppfyllt", "Ej uppfyllt"') in result.output
