"""The goal tree (``mal`` and ``malnivaer``) and indicators, on small data folders written by
the tests: levels, assessments, goal tables, indicator tables and the suggested assessment."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent

import pytest

from vbgen.compose import luckor
from vbgen.derive.goals import derive, suggested_level
from vbgen.model import doc

from .conftest import line_of, run_cli
from .test_disposition import compose, make_folder, problems

NB = "\u00a0"

#: Custom level names, top down, with their plural where the derived one would be wrong.
LEVELS = [{"namn": "Inriktning", "plural": "inriktningar"},
          {"namn": "Strategiskt mål", "bestamd": "det strategiska målet",
           "plural": "strategiska mål"},
          {"namn": "Fokusområde"},
          {"namn": "Åtagande", "bestamd": "åtagandet", "plural": "åtaganden"}]

OUTLINE = """\
disposition:
  - rubrik: Sammanfattning
    block: [malsammanfattning, malbedomning]
  - rubrik: Mål och resultat
    block: [malrapport]
  - rubrik: Källor
    block: [kallforteckning]
"""


def tree(levels: int, assess_at: int) -> str:
    """Two chains of goals ``levels`` deep; the goals at ``assess_at`` are assessed."""
    def goal(path: str, depth: int, i: int) -> str:
        text = f"- id: G{path}\n  namn: Mål {path}\n"
        if depth == assess_at:
            text += f"  maluppfyllelse: {['Uppfyllt', 'Delvis uppfyllt'][i]}\n"
        if depth < levels:
            text += "  under:\n" + indent(goal(f"{path}.1", depth + 1, i), "    ")
        return text

    names = ", ".join("{" + ", ".join(f"{k}: {v}" for k, v in lv.items()) + "}"
                      for lv in LEVELS[4 - levels:])
    return f"malnivaer: [{names}]\nmal:\n" + indent(goal("1", 1, 0) + goal("2", 1, 1), "  ")


def texts(document: doc.Document) -> list[str]:
    return [doc.plain(b.children) for b in document.blocks if isinstance(b, doc.Paragraph)]


def table(document: doc.Document, caption: str) -> doc.Table:
    return next(b for b in document.blocks if isinstance(b, doc.Table) and b.caption == caption)


def grid(t: doc.Table) -> list[list[str]]:
    return [[doc.plain(c.children) for c in row.cells] for row in t.head + t.body]


# --- Levels ------------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [1, 2, 3, 4])
def test_trees_of_one_to_four_levels_with_their_own_names(tmp_path: Path, levels: int) -> None:
    folder = make_folder(tmp_path, tree(levels, levels) + OUTLINE)
    report, document = compose(folder, tmp_path)
    names = [lv["namn"] for lv in LEVELS[4 - levels:]]
    assert report.assessed_level == levels
    # malrapport: a heading per goal, "level name: goal name", one level deeper per level.
    goal_headings = [(h.level, doc.plain(h.children)) for h in document.headings()
                     if ": Mål " in doc.plain(h.children)]
    expected = []
    for top in ("1", "2"):
        path = top
        for depth in range(1, levels + 1):
            expected.append((depth + 1, f"{names[depth - 1]}: Mål {path}"))
            path += ".1"
    assert goal_headings == expected
    # malbedomning: a column per level and the assessment.
    t = table(document, "Målbedömning 2024")
    assert grid(t)[0] == [*names, "Måluppfyllelse"]
    assert grid(t)[1:] == [[f"Mål {p}" for p in ("1", "1.1", "1.1.1", "1.1.1.1")[:levels]]
                           + [f"●{NB}Uppfyllt"],
                           [f"Mål {p}" for p in ("2", "2.1", "2.1.1", "2.1.1.1")[:levels]]
                           + [f"◑{NB}Delvis uppfyllt"]]
    # malsammanfattning counts the assessed level with its name in the plural.
    assert ("Av nämndens två åtaganden är ett uppfyllt och ett delvis uppfyllt."
            in texts(document))


def test_assessment_on_an_upper_level(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, tree(3, 1) + OUTLINE)
    report, document = compose(folder, tmp_path)
    assert report.assessed_level == 1
    assert [g.id for g in report.assessed_goals()] == ["G1", "G2"]
    assert grid(table(document, "Målbedömning 2024")) == [
        ["Strategiskt mål", "Måluppfyllelse"], ["Mål 1", f"●{NB}Uppfyllt"],
        ["Mål 2", f"◑{NB}Delvis uppfyllt"]]
    assert ("Av nämndens två strategiska mål är ett uppfyllt och ett delvis uppfyllt."
            in texts(document))
    # Only the assessed goals get the assessment's headings in malrapport.
    found = [doc.plain(h.children) for h in document.headings()]
    first = found.index("Strategiskt mål: Mål 1")
    assert found[first + 1:first + 6] == ["Måluppfyllelse", "Motivering", "Analys",
                                          "Genomfört arbete", "Fokusområde: Mål 1.1"]
    below = found.index("Fokusområde: Mål 1.1")
    assert found[below + 1] == "Åtagande: Mål 1.1.1"


def test_bedomningsniva_names_the_assessed_level(tmp_path: Path) -> None:
    body = tree(2, 1).replace("mal:\n", "bedomningsniva: Åtagande\nmal:\n", 1)
    report, document = compose(make_folder(tmp_path, body + OUTLINE), tmp_path)
    assert report.assessed_level == 2
    assert grid(table(document, "Målbedömning 2024"))[0] == ["Fokusområde", "Åtagande",
                                                             "Måluppfyllelse"]


def test_counts_sentence_when_no_goal_is_assessed_yet(tmp_path: Path) -> None:
    body = tree(2, 1).replace("mal:\n", "bedomningsniva: Åtagande\nmal:\n", 1)
    _, document = compose(make_folder(tmp_path, body + OUTLINE), tmp_path)
    assert texts(document)[0] == "Två åtaganden saknar ännu bedömning."


def test_counts_sentence_with_some_goals_not_assessed(tmp_path: Path) -> None:
    body = tree(1, 1).replace("    maluppfyllelse: Delvis uppfyllt\n", "")
    _, document = compose(make_folder(tmp_path, body + OUTLINE), tmp_path)
    assert texts(document)[0] == ("Av nämndens två åtaganden är ett uppfyllt. Ett åtagande "
                                  "saknar ännu bedömning.")


def test_unknown_bedomningsniva_is_an_error(tmp_path: Path) -> None:
    body = tree(2, 2).replace("mal:\n", "bedomningsniva: Delmål\nmal:\n", 1)
    folder = make_folder(tmp_path, body)
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(folder / "vb.yaml", "bedomningsniva")}, fält '
        '"bedomningsniva": okänd nivå "Delmål"; malnivaer har "Fokusområde", "Åtagande"']


def test_goal_tables_show_the_levels_named_in_nivaer(tmp_path: Path) -> None:
    outline = dedent("""\
        disposition:
          - rubrik: Tabeller
            block:
              - malbedomning: {nivaer: [Åtagande]}
              - kallforteckning: {nivaer: [Strategiskt mål, Åtagande]}
        """)
    folder = make_folder(tmp_path, tree(3, 3) + outline, {"indikatorer.csv": dedent("""\
        mål;indikator;2024;källa;kolada_id
        G1.1.1;Första indikatorn;1;Enkät;U1
        G1.1.1;Andra indikatorn;2;Register;
        G2.1;Tredje indikatorn;3;SCB;
        """)})
    _, document = compose(folder, tmp_path)
    assert grid(table(document, "Målbedömning 2024")) == [
        ["Åtagande", "Måluppfyllelse"], ["Mål 1.1.1", f"●{NB}Uppfyllt"],
        ["Mål 2.1.1", f"◑{NB}Delvis uppfyllt"]]
    sources = table(document, "Källor för indikatorerna")
    assert grid(sources) == [
        ["Strategiskt mål", "Åtagande", "Indikatorer", "Källa/Kolada-ID"],
        ["Mål 1", "Mål 1.1.1", "Första indikatorn", "Enkät (Kolada U1)"],
        ["Andra indikatorn", "Register"],
        ["Mål 2", "", "Tredje indikatorn", "SCB"]]
    assert [c.rowspan for c in sources.body[0].cells] == [2, 2, 1, 1]


def test_unknown_level_in_nivaer_is_an_error(tmp_path: Path) -> None:
    outline = dedent("""\
        disposition:
          - rubrik: Tabeller
            block:
              - malbedomning: {nivaer: [Nämndmål]}
        """)
    folder = make_folder(tmp_path, tree(2, 2) + outline)
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(folder / "vb.yaml", "{nivaer:")}, fält '
        '"disposition[1].block[1].malbedomning.nivaer": okänd nivå "Nämndmål"; malnivaer har '
        '"Fokusområde", "Åtagande"']


# --- Indicators --------------------------------------------------------------------------------

INDICATOR_TREE = """\
malvarde_ar: 2026
malnivaer: [Mål, Delmål]
mal:
  - id: M1
    namn: Första målet
    maluppfyllelse: Uppfyllt
    under:
      - {id: M1.1, namn: Första delmålet}
      - {id: M1.2, namn: Andra delmålet}
  - id: M2
    namn: Andra målet
    maluppfyllelse: Delvis uppfyllt
    under:
      - {id: M2.1, namn: Tredje delmålet}
disposition:
  - rubrik: Mål och resultat
    block: [malrapport]
  - rubrik: Källor
    block: [kallforteckning]
"""
INDICATORS = """\
mål;indikator;not;2020;2021;2022;2023;2024;etappmål;målvärde;riktning;källa;kolada_id;kön
M1.1;Nöjda besökare (%);*;80;81;82;84;86;≥ 85;90;hög;Enkät;U123;
M1.1;Väntetid, dagar;;14;13;12;12;12;10;5;låg;Systemet;;
M1.2;Utlån per invånare;;5;5,5;6;6,1;6,4;Öka;;hög;Biblioteksstatistik;;
M2.1;Andel aktiva (%);;40;41;42;43;44;≥ 50;;hög;Kolada;N1;K
M2.1;Andel aktiva (%);;30;31;32;33;34;≥ 50;;hög;Kolada;N1;M
M2.1;Andel aktiva (%);;35;36;37;38;39;≥ 30;;hög;Kolada;N1;T
"""


@pytest.fixture
def indicator_folder(tmp_path: Path) -> Path:
    return make_folder(tmp_path, INDICATOR_TREE, {"indikatorer.csv": INDICATORS})


def test_indicator_tables_show_every_year_and_the_targets(indicator_folder: Path,
                                                          tmp_path: Path) -> None:
    _, document = compose(indicator_folder, tmp_path)
    tables = [b for b in document.blocks if isinstance(b, doc.Table)
              and b.caption == "Indikatorer för delmålet"]
    assert len(tables) == 3
    head = ["Indikatorer", "2020", "2021", "2022", "2023", "2024", "Etappmål 2024",
            "Målvärde 2026"]
    assert [grid(t) for t in tables] == [
        [head,
         ["Nöjda besökare (%) *", "80", "81", "82", "84", "86", f"≥{NB}85", "90"],
         ["Väntetid, dagar", "14", "13", "12", "12", "12", "10", "5"]],
        [head, ["Utlån per invånare", "5,0", "5,5", "6,0", "6,1", "6,4", "Öka", "-"]],
        [head,
         ["Andel aktiva (%), kvinnor", "40", "41", "42", "43", "44", f"≥{NB}50", "-"],
         ["Andel aktiva (%), män", "30", "31", "32", "33", "34", f"≥{NB}50", "-"],
         ["Andel aktiva (%), totalt", "35", "36", "37", "38", "39", f"≥{NB}30", "-"]]]


def test_comparator_and_direction_decide_whether_an_etappmal_is_reached(
        indicator_folder: Path, tmp_path: Path) -> None:
    report, _ = compose(indicator_folder, tmp_path)
    fig = derive(report)
    reached = {(i.namn, i.kon): fig.indikatorer[id(i)].uppnatt
               for g in report.all_goals() for i in g.indikatorer}
    assert reached == {("Nöjda besökare (%)", ""): True,   # 86 ≥ 85
                       ("Väntetid, dagar", ""): False,     # 12, lower is better, target 10
                       ("Utlån per invånare", ""): None,   # a text etappmål is not judged
                       ("Andel aktiva (%)", "K"): False,
                       ("Andel aktiva (%)", "M"): False,
                       ("Andel aktiva (%)", "T"): True}
    # The suggestion counts the total row of an indicator by kön, not its K and M rows.
    suggested = {g.id: suggested_level(report, g, fig.indikatorer) for g in report.assessed_goals()}
    assert {k: v.text for k, v in suggested.items() if v} == {"M1": "Delvis uppfyllt",
                                                              "M2": "Uppfyllt"}


def test_kon_rows_in_the_source_list(indicator_folder: Path, tmp_path: Path) -> None:
    _, document = compose(indicator_folder, tmp_path)
    rows = grid(table(document, "Källor för indikatorerna"))
    assert rows[0] == ["Mål", "Delmål", "Indikatorer", "Källa/Kolada-ID"]
    assert rows[4:] == [["Andra målet", "Tredje delmålet", "Andel aktiva (%), kvinnor",
                         "Kolada (Kolada N1)"],
                        ["Andel aktiva (%), män", "Kolada (Kolada N1)"],
                        ["Andel aktiva (%), totalt", "Kolada (Kolada N1)"]]


def test_the_reached_sentence_agrees_with_indikator(indicator_folder: Path,
                                                    tmp_path: Path) -> None:
    _, document = compose(indicator_folder, tmp_path)
    assert "En av två indikatorer med etappmål når årets etappmål." in texts(document)


def test_validate_notes_assessments_the_indicators_do_not_suggest(indicator_folder: Path
                                                                  ) -> None:
    result = run_cli("validate", str(indicator_folder))
    assert result.exit_code == 0
    assert result.output.splitlines()[:3] == [
        f"{indicator_folder}: inga fel. Testnämnden 2024: 2 mål, 6 indikatorer.",
        'Obs: "Första målet" är bedömt som "Uppfyllt", men indikatorerna föreslår "Delvis '
        'uppfyllt" (se docs/dataformat.md om förslaget).',
        'Obs: "Andra målet" är bedömt som "Delvis uppfyllt", men indikatorerna föreslår '
        '"Uppfyllt" (se docs/dataformat.md om förslaget).']


def test_validate_has_no_note_when_the_assessment_follows_the_indicators(tmp_path: Path
                                                                         ) -> None:
    body = INDICATOR_TREE.replace("maluppfyllelse: Uppfyllt", "maluppfyllelse: Delvis uppfyllt"
                                  ).replace("    maluppfyllelse: Delvis uppfyllt\n    under:\n"
                                            "      - {id: M2.1",
                                            "    maluppfyllelse: Uppfyllt\n    under:\n"
                                            "      - {id: M2.1")
    folder = make_folder(tmp_path, body, {"indikatorer.csv": INDICATORS})
    result = run_cli("validate", str(folder))
    assert result.exit_code == 0
    assert not [line for line in result.output.splitlines() if line.startswith("Obs:")]


# --- Errors ------------------------------------------------------------------------------------


def test_unknown_goal_id_in_indikatorer_and_uppdrag_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "", {
        "indikatorer.csv": "mål;indikator;2024\nM1;Bra;1\nM9;Okänd;2\n",
        "uppdrag.csv": "mål;status;ursprung;uppdrag;kommentar\nX;Klart;;Gör något;\n"})
    assert problems(folder) == [
        'indikatorer.csv, rad 3, kolumn "mål": okänt mål "M9"; kända id: M1',
        'uppdrag.csv, rad 2, kolumn "mål": okänt mål "X"; kända id: M1']


def test_a_tree_deeper_than_malnivaer_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, dedent("""\
        malnivaer: [Mål]
        mal:
          - id: M1
            namn: Första målet
            under:
              - {id: M1.1, namn: För djupt}
        """))
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(folder / "vb.yaml", "För djupt")}, fält "mal[1].under[1]": '
        "målträdet har fler nivåer än malnivaer (1: Mål); lägg till nivåns namn i malnivaer"]


def test_more_than_four_levels_is_an_error_in_swedish(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "malnivaer: [A, B, C, D, E]\nmal:\n  - {namn: Mål}\n")
    [message] = problems(folder)
    assert message.startswith(f'vb.yaml, rad {line_of(folder / "vb.yaml", "malnivaer")}, '
                              'fält "malnivaer": ')
    assert "List should" not in message


def test_unknown_assessment_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "malnivaer: [Mål]\nmal:\n"
                                   "  - {id: M1, namn: Ett, maluppfyllelse: Klart}\n")
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(folder / "vb.yaml", "Klart")}, fält '
        '"mal[1].maluppfyllelse": okänd nivå "Klart"; skalan har "Uppfyllt", '
        '"Delvis uppfyllt", "Ej uppfyllt"']


def test_the_uppdrag_block_lists_every_uppdrag_of_the_tree(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, INDICATOR_TREE.replace("block: [kallforteckning]",
                                                          "block: [uppdrag]"), {
        "uppdrag.csv": "mål;status;ursprung;uppdrag;kommentar\n"
                       "M2.1;Pågår;;Andra uppdraget;\nM1;Klart;Budget 2024;Första uppdraget;"
                       "Klart i maj.\n"})
    _, document = compose(folder, tmp_path)
    last = [b for b in document.blocks
            if isinstance(b, doc.Table) and b.caption == "Uppdrag"][-1]
    assert grid(last) == [
        ["Status", "Nämndens uppdrag till förvaltningen", "Kommentar"],
        ["Klart", "Budget 2024\nFörsta uppdraget", "Klart i maj."],
        ["Pågår", "Andra uppdraget", ""]]


# --- Goal blocks that fit any nämnd: labels, parts, requirements, indicator tables ------------

STYLED = """\
skala:
  - {text: Mycket god, symbol: "●"}
  - {text: God, symbol: "◕"}
  - {text: Godtagbar, symbol: "◑"}
malnivaer:
  - namn: Mål
    etikett: ""
    delar: {maluppfyllelse: Bedömning, analys: "", indikatorer: Indikatorer}
    kravs: [maluppfyllelse, analys]
    indikatortabell: {samla: ja, totalt: nej, etappmal: rad}
  - namn: Delmål
    etikett: Delmål
    delar: {analys: Analys}
mal:
  - id: M1
    namn: Tryggare uppväxt
    maluppfyllelse: God
    under:
      - {id: M1.1, namn: Fler barn når stöd, analys: Delmålets analys.}
      - {id: M1.2, namn: Kortare köer}
  - id: M2
    namn: Hållbar ekonomi
    analys: Målets analys.
disposition:
  - rubrik: Sammanfattning
    block: [malsammanfattning]
  - rubrik: Mål och resultat
    block: [malrapport]
"""
STYLED_INDICATORS = """\
mål;indikator;2023;2024;etappmål;kön;källa
M1.1;Besök, antal;40;45;;K;Besöksräknaren
M1.1;Besök, antal;50;52;;M;Besöksräknaren
M1.1;Besök, antal;90;97;95;T;Besöksräknaren
M1.2;Kö, dagar;30;20;25;;Kösystemet
"""


def styled(tmp_path: Path, body: str = STYLED, indicators: str = STYLED_INDICATORS
           ) -> doc.Document:
    folder = make_folder(tmp_path, body, {"indikatorer.csv": indicators}, head=dedent("""\
        kommun: Testby kommun
        namnd: Testnämnden
        ar: 2024
        forvaltning: Testförvaltningen
        """))
    return compose(folder, tmp_path)[1]


def outline(document: doc.Document) -> list[str]:
    """Headings, paragraphs and table captions in order, the way a reader meets them."""
    out = []
    for b in document.blocks:
        if isinstance(b, doc.Heading):
            out.append(f"h{b.level} {doc.plain(b.children)}")
        elif isinstance(b, doc.Paragraph):
            out.append(doc.plain(b.children))
        elif isinstance(b, doc.Table):
            out.append(f"[{b.caption}]")
    # The draft's list of gaps at the end is not the report's.
    return out[:out.index("h1 Luckor att fylla")] if "h1 Luckor att fylla" in out else out


def test_a_level_gives_the_labels_headings_and_required_parts(tmp_path: Path) -> None:
    document = styled(tmp_path)
    assert outline(document) == [
        "h1 Sammanfattning",
        "Av nämndens två mål är ett gott. Ett mål saknar ännu bedömning.",
        "h1 Mål och resultat",
        # The goal's name alone, the verdict from mal under its own heading, the analysis
        # (required) as a gap without a heading, the indicators of its delmål in one table.
        "h2 Tryggare uppväxt", "h3 Bedömning", f"◕{NB}God", "[Saknas: analys]",
        "h3 Indikatorer", "[Indikatorer för målet]",
        "En av två indikatorer med etappmål når årets etappmål.",
        "h3 Delmål: Fler barn når stöd", "h4 Analys", "Delmålets analys.",
        "h3 Delmål: Kortare köer",
        "h2 Hållbar ekonomi", "h3 Bedömning", "[Saknas: måluppfyllelse]", "Målets analys."]
    t = table(document, "Indikatorer för målet")
    # Rows per kön only, no etappmål column: the etappmål are lines under the table.
    assert grid(t) == [["Indikatorer", "2023", "2024"],
                       ["Besök, antal, kvinnor", "40", "45"],
                       ["Besök, antal, män", "50", "52"],
                       ["Kö, dagar", "30", "20"]]
    # The indicators' sources last, each once.
    assert [doc.plain(n.children) for n in t.notes] == [
        "Etappmål 2024 för Besök, antal: 95", "Etappmål 2024 för Kö, dagar: 25",
        "Källa: Besöksräknaren; Kösystemet"]


def test_a_scale_of_adjectives_counts_with_the_levels_gender(tmp_path: Path) -> None:
    body = STYLED.replace("    maluppfyllelse: God\n", "    maluppfyllelse: Mycket god\n") \
        .replace("    analys: Målets analys.\n", "    analys: Målets analys.\n"
                 "    maluppfyllelse: Godtagbar\n")
    document = styled(tmp_path, body)
    assert "Av nämndens två mål är ett mycket gott och ett godtagbart." in outline(document)


def test_malrapport_shows_the_goals_named(tmp_path: Path) -> None:
    body = STYLED.replace("    block: [malrapport]\n", "    block: [{malrapport: {mal: [M2]}}]\n")
    headings = [h for h in outline(styled(tmp_path, body)) if h.startswith("h2")]
    assert headings == ["h2 Hållbar ekonomi"]


def test_unknown_parts_and_goals_are_errors(tmp_path: Path) -> None:
    body = STYLED.replace("kravs: [maluppfyllelse, analys]", "kravs: [maluppfyllelse, analyser]")
    body = body.replace("    block: [malrapport]\n", "    block: [{malrapport: {mal: [M9]}}]\n")
    folder = make_folder(tmp_path, body, {"indikatorer.csv": STYLED_INDICATORS},
                         head="kommun: K\nnamnd: N\nar: 2024\nforvaltning: F\n")
    vb = folder / "vb.yaml"
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(vb, "- namn: Mål")}, fält "malnivaer[1]": kravs: okänd del '
        '"analyser"; välj bland maluppfyllelse, motivering, analys, genomfort_arbete, '
        "indikatorer, uppdrag"]
    fixed = vb.read_text(encoding="utf-8").replace("analyser]", "analys]")
    vb.write_text(fixed, encoding="utf-8")
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(vb, "malrapport: {mal")}, fält '
        '"disposition[2].block[1].malrapport.mal": okänt mål "M9"; kända id: M1, M1.1, M1.2, M2']


def test_the_source_list_covers_the_tables_sources(tmp_path: Path) -> None:
    body = STYLED + "  - rubrik: Källor\n    text: \"[tabell: a]\"\n" \
        "    block: [{tabell: b}, kallforteckning]\n" + """\
tabeller:
  - {id: a, fil: a.csv, rubrik: Tabell A, kalla: Ekonomisystemet, kolumner: [{kolumn: x}]}
  - {id: b, fil: b.csv, rubrik: Tabell B, kolumner: [{kolumn: x}]}
"""
    folder = make_folder(tmp_path, body, {"indikatorer.csv": STYLED_INDICATORS,
                                          "a.csv": "x\n1\n", "b.csv": "x\n2\n"},
                         head="kommun: K\nnamnd: N\nar: 2024\nforvaltning: F\n")
    document = compose(folder, tmp_path)[1]
    assert grid(table(document, "Källor för tabellerna")) == [
        ["Tabell", "Källa"], ["Tabell A", "Ekonomisystemet"]]
    off = folder / "vb.yaml"
    off.write_text(off.read_text(encoding="utf-8").replace(
        "kallforteckning]", "kallforteckning: {tabeller: nej}]"), encoding="utf-8")
    captions = [b.caption for b in compose(folder, tmp_path / "2")[1].blocks
                if isinstance(b, doc.Table)]
    assert "Källor för tabellerna" not in captions


def test_a_level_can_require_uppdrag(tmp_path: Path) -> None:
    body = STYLED.replace("kravs: [maluppfyllelse, analys]", "kravs: [uppdrag]") \
        .replace("delar: {maluppfyllelse: Bedömning, analys: \"\", indikatorer: Indikatorer}",
                 "delar: {uppdrag: Uppdrag}")
    found = outline(styled(tmp_path, body))
    start = found.index("h2 Hållbar ekonomi")
    assert found[start:start + 3] == ["h2 Hållbar ekonomi", "h3 Uppdrag", "[Saknas: uppdrag]"]


def test_etappmal_lines_under_a_table_show_a_gap_and_values_not_available_their_note(
        tmp_path: Path) -> None:
    document = styled(tmp_path, indicators="""\
mål;indikator;2023;2024;etappmål;etappmål föregående år;kön;kolada_id
M1.1;Besök, antal;40;.. Räknaren var trasig;;;K;N1
M1.1;Besök, antal;50;52;;;M;N1
M1.1;Besök, antal;90;97;95;90;T;N1
M1.2;Kö, dagar;30;20;;28;;
""")
    t = table(document, "Indikatorer för målet")
    assert grid(t)[1] == ["Besök, antal, kvinnor", "40", ".."]
    # Kö, dagar had an etappmål last year: this year's is missing, a gap on its line.
    assert [doc.plain(n.children) for n in t.notes] == [
        "Etappmål 2024 för Besök, antal: 95", "Etappmål 2024 för Kö, dagar: [Saknas]",
        ".. Uppgift saknas. Räknaren var trasig.",
        # An indicator with a Kolada id only is from Kolada; one with neither is a gap.
        "Källa: Kolada; [Saknas: källa för indikatorn Kö, dagar]"]
    found = luckor.find_all(document)
    assert ("Kö, dagar: etappmål 2024", "indikatorer.csv, rad 5, kolumn etappmål") in [
        (g.vad, g.plats) for g in luckor.gaps_of(found)]
    assert [(g.vad, g.skal) for g in luckor.unavailable_of(found)] == [
        ("Besök, antal, kvinnor: 2024", "Räknaren var trasig")]
