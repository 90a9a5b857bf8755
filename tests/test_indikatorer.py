"""Indicators placed on their own, ranks as values, and the styles of a kommun profile."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from vbgen.build import CACHE, Options, compose_all
from vbgen.model import doc

from .conftest import CHART_CACHE, PROFILE, replace_text, run_cli


def _compose(folder: Path, out: Path) -> doc.Document:
    if CHART_CACHE.is_dir():
        shutil.copytree(CHART_CACHE, out / CACHE, dirs_exist_ok=True)
    return compose_all(folder, Options(out))[1]["verksamhetsberattelse"]


def _tables(document: doc.Document, caption: str) -> list[doc.Table]:
    return [b for b in document.blocks if isinstance(b, doc.Table) and b.caption == caption]


def test_indicator_table_placed_on_its_own_with_its_caption(kultur, tmp_path):
    replace_text(kultur / "vb.yaml", "      - malrapport\n",
                 "      - malrapport: {indikatorer: nej}\n"
                 "      - indikatorer: {mal: M2.1, rubrik: Biblioteken i siffror}\n")
    document = _compose(kultur, tmp_path / "ut")
    assert not [b for b in document.blocks
                if isinstance(b, doc.Table) and b.caption.startswith("Indikatorer för")]
    (table,) = _tables(document, "Biblioteken i siffror")
    names = [doc.plain(r.cells[0].children) for r in table.body]
    assert names[0] == "Fysiska besök på folkbiblioteken, antal per invånare"
    header = [doc.plain(c.children) for c in table.head[0].cells]
    assert header == ["Indikatorer", "2019", "2020", "2021", "2022", "2023", "Etappmål 2023",
                      "Målvärde 2026"]


def test_indicator_block_names_an_unknown_goal(kultur):
    replace_text(kultur / "vb.yaml", "      - malrapport\n",
                 "      - malrapport\n      - indikatorer: {mal: M9}\n")
    result = run_cli("validate", str(kultur))
    assert result.exit_code == 1
    assert 'fält "disposition[6].block[2].indikatorer.mal": okänt mål "M9"; kända id: M1, ' \
           in result.output


def test_a_rank_is_an_indicator_value(kultur, tmp_path):
    path = kultur / "indikatorer.csv"
    replace_text(path, "Egen statistik, biblioteken;;",
                 "Egen statistik, biblioteken;;\n"
                 "M2.1;Placering bland länets kommuner, biblioteksindex;;7/26;9/26;-;6/26;4/26;;;"
                 "hög;Kolada;;")
    document = _compose(kultur, tmp_path / "ut")
    rows = [r for t in _tables(document, "Indikatorer för delmålet") for r in t.body
            if doc.plain(r.cells[0].children).startswith("Placering")]
    assert [doc.plain(c.children) for c in rows[0].cells[1:6]] == [
        "7/26", "9/26", "-", "6/26", "4/26"]


def test_kommun_profile_brings_its_styles(kultur, tmp_path):
    styles = kultur.parent / PROFILE.name / "stilar"
    document = _compose(kultur, tmp_path / "ut")
    title = next(b for b in document.blocks if isinstance(b, doc.TitlePage))
    # The profile's own logotype: the SVG for the PDF, with its PNG beside it for Word.
    assert title.logo == str((styles / "logotyp.svg").resolve())
    assert title.logo_alt == "Norrviks kommuns logotyp"
    (styles / "logotyp.svg").unlink()
    (styles / "logotyp.png").unlink()
    Image.new("RGB", (300, 100), (0, 90, 110)).save(styles / "logotyp.png")
    document = _compose(kultur, tmp_path / "ut2")
    title = next(b for b in document.blocks if isinstance(b, doc.TitlePage))
    assert title.logo == str((styles / "logotyp.png").resolve())


def test_a_malvarde_keeps_its_comparator(kultur, tmp_path):
    replace_text(kultur / "indikatorer.csv", "≥ rikssnittet;76;", "≥ rikssnittet;≥ 76;")
    document = _compose(kultur, tmp_path / "ut")
    row = next(r for t in _tables(document, "Indikatorer för delmålet") for r in t.body
               if doc.plain(r.cells[0].children).startswith("Nöjd Medborgar-Index"))
    assert doc.plain(row.cells[-1].children) == "≥\u00a076"


@pytest.mark.parametrize(("name", "definite", "plural"), [
    ("Nämndmål", "nämndmålet", "nämndmål"), ("Målområde", "målområdet", "målområden"),
    ("Åtagande", "åtagandet", "åtaganden"), ("Strategi", "strategin", "strategier"),
    ("Inriktning", "inriktningen", "inriktningar"), ("Aktivitet", "aktiviteten", "aktiviteter"),
    ("Fokusområde", "fokusområdet", "fokusområden"), ("Insats", "insatsen", "insatser"),
])
def test_level_names_in_sentences(name, definite, plural):
    from vbgen.model.report import GoalLevel

    level = GoalLevel(namn=name)
    assert (level.bestamd_form, level.plural_form) == (definite, plural)


def test_a_broken_profile_gives_no_errors_from_the_declared_tables(kultur):
    replace_text(kultur.parent / PROFILE.name / "kommun.yaml", "kommun: Norrviks kommun",
                 "kommun: Norrviks kommun\nfargr: blå")
    result = run_cli("validate", str(kultur))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Ett fel hittades i data:",
        f'  ../norrviks-kommun/kommun.yaml, rad {_line(kultur, "fargr")}, fält "fargr": '
        "okänt fält; kontrollera stavningen mot docs/dataformat.md"]


def _line(kultur: Path, needle: str) -> int:
    from .conftest import line_of

    return line_of(kultur.parent / PROFILE.name / "kommun.yaml", needle)


def _kon_rows(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "indikatorer.csv"
    return path, path.read_text(encoding="utf-8").splitlines()


def test_rows_by_kon_need_a_total_row(kultur: Path) -> None:
    path, lines = _kon_rows(kultur)
    total = next(i for i, ln in enumerate(lines) if ln.startswith("M1.2;") and ln.endswith(";T"))
    path.write_text("\n".join(lines[:total] + lines[total + 1:]) + "\n", encoding="utf-8")
    result = run_cli("validate", str(kultur))
    assert result.exit_code == 1
    assert (f'indikatorer.csv, rad {total}, kolumn "kön": indikatorn "Besök på fritidsgårdarna, '
            'antal" har rader per kön men ingen för totalt; lägg till en rad med kön T (bara '
            "den räknas i målets indikatorer)") in result.output


def test_rows_by_kon_stand_together_and_once_each(kultur: Path) -> None:
    path, lines = _kon_rows(kultur)
    women = next(i for i, ln in enumerate(lines) if ln.startswith("M1.2;") and ln.endswith(";K"))
    other = next(i for i, ln in enumerate(lines) if i > 0 and not ln.endswith((";K", ";M", ";T")))
    moved = lines[:women] + [lines[women], lines[other]] + [
        ln for i, ln in enumerate(lines) if i > women and i != other]
    moved.append(lines[women])  # and a second row for women at the end
    path.write_text("\n".join(moved) + "\n", encoding="utf-8")
    result = run_cli("validate", str(kultur))
    assert result.exit_code == 1
    assert (f'indikatorer.csv, rad {women + 1}, kolumn "kön": raderna för indikatorn "Besök på '
            'fritidsgårdarna, antal" ska stå direkt efter varandra (K, M och T), men en annan '
            "rad står emellan") in result.output
    assert (f'indikatorer.csv, rad {len(moved)}, kolumn "kön": indikatorn "Besök på '
            f'fritidsgårdarna, antal" har redan en rad för kvinnor (K) (rad {women + 1})'
            ) in result.output


# --- The sentence under each indicator table, from the rows it shows ---------------------------

#: One goal per case; each row: value of the year, etappmål, comparator (in the etappmål).
CASES = {
    "G0": [("10", "")],                                   # no etappmål: no sentence
    "G1": [("10", "8")],                                  # one, reached
    "G2": [("10", "8"), ("5", "8")],                      # two, one reached
    "GA": [("10", "8"), ("9", "8"), ("12", "8")],         # all reached
    "GT": [("10", "≥ riktvärdet"), ("10", "8")],          # an etappmål in words
    "GC": [("10", "≤ 8"), ("7", "≤ 8")],                  # comparator: lower is the target
    "GM": [("", "8"), ("10", "8"), ("3", "8")],           # a missing value
}


def test_each_goal_with_etappmal_gets_a_sentence_that_agrees_with_its_table(tmp_path):
    from .test_disposition import make_folder

    goals = "".join(f"  - {{id: {g}, namn: Mål {g}, maluppfyllelse: Uppfyllt}}\n" for g in CASES)
    rows = "".join(f"{g};Indikator {i} för {g};{value};{target}\n"
                   for g, items in CASES.items() for i, (value, target) in enumerate(items))
    kon = ("G2;Besök, antal;4;3\nG2;Besök, antal;4;3\nG2;Besök, antal;8;6\n")
    folder = make_folder(tmp_path, "malnivaer: [Mål]\nmal:\n" + goals + """\
disposition:
  - rubrik: Mål
    block: [malrapport]
""", {"indikatorer.csv": "mål;indikator;2024;etappmål;kön\n"
      + "".join(f"{r};\n" for r in rows.splitlines())
      + "".join(f"{r};{k}\n" for r, k in zip(kon.splitlines(), "KMT", strict=True))})
    document = compose_all(folder, Options(tmp_path / "ut"))[1]["verksamhetsberattelse"]
    sentences: dict[str, str] = {}
    goal = ""
    for b in document.blocks:
        if isinstance(b, doc.Heading) and doc.plain(b.children).startswith("Mål: Mål "):
            goal = doc.plain(b.children).removeprefix("Mål: Mål ")
        elif isinstance(b, doc.Paragraph) and "etappmål" in doc.plain(b.children):
            sentences[goal] = doc.plain(b.children)
    assert sentences == {
        "G1": "Indikatorn med etappmål når årets etappmål.",
        # The kön rows count once, by the total (8 against 6: reached).
        "G2": "Två av tre indikatorer med etappmål når årets etappmål.",
        "GA": "Alla tre indikatorerna med etappmål når årets etappmål.",
        "GT": "Av två indikatorer med etappmål når en årets etappmål och en har ett etappmål "
              "angivet i ord.",
        "GC": "En av två indikatorer med etappmål når årets etappmål.",
        "GM": "Av tre indikatorer med etappmål når en årets etappmål, en når det inte och en "
              "saknar årets värde.",
    }


def test_indicator_marks_are_explained_under_each_table_that_uses_them(sample_copy, tmp_path):
    document = compose_all(sample_copy, Options(tmp_path / "ut"), draw=False)[1][
        "verksamhetsberattelse"]
    tables = [b for b in document.blocks if isinstance(b, doc.Table)
              and b.head and doc.plain(b.head[0].cells[0].children) == "Indikatorer"]
    explained = 0
    for table in tables:
        used = {doc.plain(r.cells[0].children).rsplit(" ", 1)[-1] for r in table.body}
        notes = [doc.plain(n.children) for n in table.notes]
        for mark in ("*", "**", "***"):
            lines = [n for n in notes if n.split(" ", 1)[0] == mark]
            assert len(lines) == (mark in used), (table.caption, mark, notes)
            explained += len(lines)
    assert explained >= 3
    replace_text(sample_copy / "vb.yaml", '  "**": Manuellt förd statistik; ett besök kan vara '
                 "räknat mer än en gång.\n", "")
    document = compose_all(sample_copy, Options(tmp_path / "ut2"), draw=False)[1][
        "verksamhetsberattelse"]
    notes = [doc.plain(n.children) for b in document.blocks if isinstance(b, doc.Table)
             and b.head and doc.plain(b.head[0].cells[0].children) == "Indikatorer"
             for n in b.notes]
    assert not [n for n in notes if n.startswith("** ")]  # what the data does not explain


def test_the_assessment_symbols_have_a_legend_where_they_first_stand(sample_copy, tmp_path):
    document = compose_all(sample_copy, Options(tmp_path / "ut"), draw=False)[1][
        "verksamhetsberattelse"]
    first = next(b for b in document.blocks if isinstance(b, doc.Table)
                 and any("●" in doc.plain(c.children) for r in b.body for c in r.cells))
    assert first.caption == "Målbedömning 2024"
    legend = [n for n in first.notes if doc.plain(n.children).startswith("Teckenförklaring")]
    assert [doc.plain(n.children) for n in legend] == [
        # Each symbol held to its text by a no-break space.
        "Teckenförklaring: ●\u00a0I mycket hög grad uppfyllt, ◕\u00a0i hög grad uppfyllt, "
        "◑\u00a0delvis uppfyllt, ○\u00a0ej uppfyllt."]
    spans = [n for n in legend[0].children if isinstance(n, doc.Span)]
    assert [s.role for s in spans] == ["niva-1", "niva-2", "niva-3", "niva-4"]  # in colour


def test_an_indicators_row_shows_its_numbers_with_the_same_decimals(kultur, tmp_path):
    """The row whose values are 0,8 … −1 and targets 0 shows "−1,0" and "0,0", as its
    other numbers have one decimal."""
    document = _compose(kultur, tmp_path / "ut")
    row = next(r for t in _tables(document, "Indikatorer för delmålet") for r in t.body
               if doc.plain(r.cells[0].children).startswith("Budgetavvikelse"))
    assert [doc.plain(c.children) for c in row.cells[1:]] == [
        "0,8", "2,9", "1,6", "\u22120,4", "\u22121,0", "0,0", "0,0"]
