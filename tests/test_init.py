"""vbgen ny: a new year's folder from last year's, and the starting folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from vbgen.build import CACHE, Options, build, compose_all
from vbgen.checks import arskontroll
from vbgen.commands.tabellfil import read_grid
from vbgen.load import load
from vbgen.model import doc

from .conftest import CHART_CACHE, SAMPLE, line_of, replace_text, run_cli

# Each test makes a new year's folder from a copy of a sample.
pytestmark = pytest.mark.langsam


@pytest.fixture
def kultur_2024(kultur: Path, tmp_path: Path) -> tuple[Path, str]:
    """The kultur sample carried into 2024, one folder deeper, and what init printed."""
    new = tmp_path / "ny" / "kulturnamnden-2024"
    result = run_cli("init", str(new), "--from", str(kultur))
    assert result.exit_code == 0, result.output
    return new, result.output


def _compose(folder: Path, out: Path) -> dict[str, doc.Document]:
    if CHART_CACHE.is_dir():
        shutil.copytree(CHART_CACHE, out / CACHE, dirs_exist_ok=True)
    return compose_all(folder, Options(out))[1]


def _gaps(document: doc.Document) -> list[str]:
    """The gaps in the paragraphs: on their own, or in a sentence such as a goal's level."""
    texts = [doc.plain(b.children) for b in document.blocks if isinstance(b, doc.Paragraph)]
    return [t.strip() for t in texts if "[Saknas:" in t]


def _column(grid, name: str) -> list:
    i = grid.header.index(name)
    return [row[i] for row in grid.rows]


def test_indicator_years_move_on_and_etappmal_is_emptied(kultur, kultur_2024):
    new, _ = kultur_2024
    old, grid = read_grid(kultur / "indikatorer.csv"), read_grid(new / "indikatorer.csv")
    assert "2019" not in grid.header
    assert [h for h in grid.header if h.isdigit()] == ["2020", "2021", "2022", "2023", "2024"]
    for year in ("2020", "2023"):
        assert _column(grid, year) == _column(old, year)
    assert set(_column(grid, "2024")) == {""}
    assert set(_column(grid, "etappmål")) == {""}
    # Last year's etappmål is kept beside it: an indicator that had one needs one now.
    assert _column(grid, "etappmål föregående år") == _column(old, "etappmål")
    assert _column(grid, "målvärde") == _column(old, "målvärde")

    report = load(new)
    assert report.ar == 2024
    indicators = [i for g in report.all_goals() for i in g.indikatorer]
    assert indicators and all(i.values[2024] is None for i in indicators)
    assert all(i.etappmal is None for i in indicators)
    assert any(i.malvarde is not None for i in indicators)


def test_declared_year_tables_move_on_and_other_figures_are_emptied(kultur, kultur_2024):
    new, output = kultur_2024
    rr_old, rr = read_grid(kultur / "resultatrakning.csv"), read_grid(new / "resultatrakning.csv")
    assert rr.header == ["post", "2022", "2023", "2024", "radtyp"]
    assert _column(rr, "2023") == _column(rr_old, "2023")
    assert set(_column(rr, "2024")) == {""}
    assert _column(rr, "radtyp") == _column(rr_old, "radtyp")

    drift = read_grid(new / "drift.csv")
    assert drift.header == ["verksamhet", "budget_2024", "utfall_2024", "utfall_2023", "radtyp"]
    assert _column(drift, "utfall_2023") == _column(read_grid(kultur / "drift.csv"),
                                                    "utfall_2023")
    kolada = read_grid(new / "kolada.csv")
    assert set(_column(kolada, "norrvik")) == {""}
    assert _column(kolada, "nyckeltal") == _column(read_grid(kultur / "kolada.csv"), "nyckeltal")
    # A table of text only is kept as it was.
    assert (new / "evenemang.csv").read_bytes() == (kultur / "evenemang.csv").read_bytes()

    report = load(new)
    columns = {c.id: c for c in report.tabelldata["resultatrakning"].decl.kolumner}
    assert "2021" not in columns and "2024" in columns
    assert columns["forandring"].rubrik == "Förändring 2023–2024"
    assert columns["forandring"].berakning == {"skillnad": ["2024", "2023"]}
    assert report.tabelldata["drift"].decl.rubrik == "Drift per verksamhet 2024, tkr"
    # The chart drawn from the drift table names the moved columns.
    text = (new / "vb.yaml").read_text(encoding="utf-8")
    assert "serier: [budget_2024, utfall_2024]" in text.replace("\n", " ").replace(
        "[ ", "[").replace("  ", " ")
    assert 'Tabellen "drift" (drift.csv)' in output


def test_prose_and_assessments_are_emptied_and_shown_as_gaps(kultur, kultur_2024, tmp_path):
    new, output = kultur_2024
    report = load(new)
    for goal in report.assessed_goals():
        assert goal.maluppfyllelse is None and goal.motivering is None
        assert goal.analys == "" and goal.genomfort_arbete == ""
    assert (new / "text" / "m1-analys.md").read_text(encoding="utf-8") == ""
    assert (new / "text" / "arets-handelser.md").read_text(encoding="utf-8") == ""
    # The kommun profile's texts are not copied; they stay in the profile.
    assert not (new / "text" / "vision.md").exists()

    documents = _compose(new, tmp_path / "out")
    gaps = _gaps(documents["verksamhetsberattelse"])
    assert gaps.count("[Saknas: analys]") == 3
    assert gaps.count("[Saknas: måluppfyllelse]") == 3
    assert "[Saknas: text i avsnittet Årets viktigaste händelser]" in gaps
    assert "[Saknas: text i avsnittet Bibliotek]" in gaps
    count = int(output.split("Den nya mappen har ")[1].split()[0])
    assert count >= len(gaps) > 20


def test_uppdrag_that_are_done_are_dropped(kultur, kultur_2024):
    new, _ = kultur_2024
    old, grid = read_grid(kultur / "uppdrag.csv"), read_grid(new / "uppdrag.csv")
    assert "Klart" in _column(old, "status")
    assert _column(grid, "status") == [s for s in _column(old, "status") if s != "Klart"]
    assert set(_column(grid, "kommentar")) == {""}


def test_comments_order_and_profile_link_are_kept(kultur, kultur_2024):
    new, output = kultur_2024
    old_text = (kultur / "vb.yaml").read_text(encoding="utf-8")
    text = (new / "vb.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == old_text.splitlines()[0]
    assert text.startswith("# Exempeldata för vbgen")
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert keys == [line.split(":")[0] for line in old_text.splitlines() if line[:1].isalpha()]
    assert "profil: ../../norrviks-kommun\n" in text
    assert load(new).kommun == "Norrviks kommun"
    # Years in kept texts are listed, not rewritten.
    assert "indikatorerna för 2019–2023" in text
    assert "disposition[6].text" in output


def test_the_namnds_own_styles_come_along_and_links_stay_behind(kultur, tmp_path):
    styles = kultur / "stilar"
    assert (styles / "identitet.css").is_file()  # the sample's own accent
    (styles / "fonts").mkdir()
    (styles / "fonts" / "LICENS.txt").write_text("Licens.", encoding="utf-8")
    (styles / "rapport-lank.css").symlink_to(kultur.parent / "norrviks-kommun" / "kommun.yaml")
    new = tmp_path / "ny" / "kulturnamnden-2024"
    result = run_cli("ny", str(new), "--fran", str(kultur))
    assert result.exit_code == 0, result.output
    assert "Nämndens egna stilar (stilar/) kopierades som de var." in result.output
    copied = sorted(p.relative_to(new / "stilar").as_posix()
                    for p in (new / "stilar").rglob("*") if p.is_file())
    assert copied == ["fonts/LICENS.txt", "identitet.css"]
    assert (new / "stilar" / "identitet.css").read_bytes() == \
        (styles / "identitet.css").read_bytes()
    assert run_cli("kontrollera", str(new)).exit_code == 0


def test_socialnamnden_moves_its_year_columns_on_and_validates_with_only_gaps(tmp_path):
    new = tmp_path / "socialnamnden-2025"
    result = run_cli("init", str(new), "--from", str(SAMPLE))
    assert result.exit_code == 0, result.output
    report = load(new)
    assert report.ar == 2025
    assert report.tjanstskrivelse is not None and report.tjanstskrivelse.samlad_bedomning is None
    # Last year's figures move one column on, this year's are empty.
    drift = read_grid(new / "drift.csv")
    assert drift.header[:5] == ["verksamhet", "budget 2025", "utfall 2025", "utfall 2024",
                                "utfall 2023"]
    old = read_grid(SAMPLE / "drift.csv")
    assert _column(drift, "utfall 2024") == _column(old, "utfall 2024")
    assert set(_column(drift, "utfall 2025")) == {""}
    anstallda = read_grid(new / "anstallda.csv")
    assert _column(anstallda, "december 2024") == ["391"]
    decl = next(t for t in report.tabeller if t.id == "drift_tre_ar")
    assert [c.rubrik for c in decl.kolumner if c.visas][1:] == [
        "jan–dec 2023", "jan–dec 2024", "jan–dec 2025"]
    # Texts with marks are emptied like any other; those in vb.yaml's outline are kept.
    assert (new / "text" / "ekonomi-inledning.md").read_text(encoding="utf-8") == ""
    assert "verksamhetsåret 2024" in result.output
    check = run_cli("validate", str(new))
    assert check.exit_code == 0, check.output
    assert "inga fel" in check.output
    assert "drift.csv, rad 2, kolumn utfall 2025" in check.output


def test_refuses_an_existing_folder(kultur, tmp_path):
    new = tmp_path / "finns"
    new.mkdir()
    for args in (["--from", str(kultur)], []):
        result = run_cli("init", str(new), *args)
        assert result.exit_code == 1
        assert "finns redan" in result.output
        assert list(new.iterdir()) == []


def test_refuses_a_broken_folder_and_files_outside_it(kultur, tmp_path):
    replace_text(kultur / "vb.yaml", "ar: 2023", "ar: tjugo")
    result = run_cli("init", str(tmp_path / "a"), "--from", str(kultur))
    assert result.exit_code == 1 and "rätta dem först" in result.output
    assert not (tmp_path / "a").exists()

    replace_text(kultur / "vb.yaml", "ar: tjugo", "ar: 2023")
    (tmp_path / "utanfor.md").write_text("Text.", encoding="utf-8")
    replace_text(kultur / "vb.yaml", "{fil: text/m1-analys.md}", "{fil: ../utanfor.md}")
    result = run_cli("init", str(tmp_path / "b"), "--from", str(kultur))
    assert result.exit_code == 1 and "utanför" in result.output
    assert not (tmp_path / "b").exists()


def test_the_starting_folder_builds_and_has_its_workbook(tmp_path):
    new = tmp_path / "start"
    result = run_cli("init", str(new), "--ar", "2025")
    assert result.exit_code == 0, result.output
    report = load(new)
    assert report.ar == 2025 and report.profil is None
    wb = load_workbook(new / "tabeller.xlsx", read_only=True)
    sheets = wb.sheetnames
    wb.close()
    assert sheets[0] == "Instruktioner"
    assert sheets[1:] == [t.flik for t in report.tabeller]
    assert {t.fil for t in report.tabeller} == {"tabeller.xlsx"}
    kinds = set()

    def walk(sections):
        for s in sections:
            kinds.update(b.typ for b in s.block)
            walk(s.avsnitt)

    walk(report.disposition)
    assert kinds >= {"titelsida", "innehall", "malsammanfattning", "malbedomning",
                     "malrapport", "indikatorer", "uppdrag", "text", "tabell", "diagram",
                     "kort", "sidbrytning", "kallforteckning"}
    assert "# Bedömningsskalan" in (new / "vb.yaml").read_text(encoding="utf-8")

    out = tmp_path / "out"
    if CHART_CACHE.is_dir():
        shutil.copytree(CHART_CACHE, out / CACHE)
    paths = build(new, Options(out))
    assert sorted(p.suffix for p in paths) == [".docx", ".pdf"]

    # And next year's folder from it, with the workbook's year columns moved on.
    nasta = tmp_path / "nasta"
    result = run_cli("init", str(nasta), "--from", str(new))
    assert result.exit_code == 0, result.output
    grid = read_grid(nasta / "tabeller.xlsx", "Besök")
    assert grid.header == ["verksamhet", "2025", "2026"]
    assert [row[1] for row in grid.rows] == [44900, 19750]
    assert load(nasta).ar == 2026


def test_indicators_in_excel_move_on_two_years(kultur, tmp_path):
    from openpyxl import Workbook

    grid = read_grid(kultur / "indikatorer.csv")
    wb = Workbook()
    wb.active.append(grid.header)
    for row in grid.rows:
        wb.active.append(row)
    wb.save(kultur / "indikatorer.xlsx")
    (kultur / "indikatorer.csv").unlink()

    new = tmp_path / "kulturnamnden-2025"
    result = run_cli("init", str(new), "--from", str(kultur), "--ar", "2025")
    assert result.exit_code == 0, result.output
    moved = read_grid(new / "indikatorer.xlsx")
    assert [h for h in moved.header if h.isdigit()] == ["2021", "2022", "2023", "2024", "2025"]
    assert _column(moved, "2023") == _column(grid, "2023")
    assert set(_column(moved, "2024")) == set(_column(moved, "2025")) == {None}
    report = load(new)
    assert report.ar == 2025
    assert report.tabelldata["resultatrakning"].decl.kolumner[1].kolumn == "2023"


def test_emptied_figure_columns_without_the_year_are_declared_required(kultur, kultur_2024):
    new, _ = kultur_2024
    text = (new / "vb.yaml").read_text(encoding="utf-8")
    assert "{kolumn: norrvik, rubrik: Norrvik, typ: tal, kolada: {varde: kommun}, kravs: ja}" \
        in text
    assert "{kolumn: sannolikhet, rubrik: Sannolikhet (1–4), typ: heltal, kravs: ja}" in text
    # A column named by the new year is required by its name; a text column never.
    assert '{kolumn: "2024", typ: belopp, grupp: Utfall}' in text
    assert "{kolumn: anläggning, id: anlaggning, rubrik: Anläggning}" in text


def test_every_sentence_with_a_year_is_listed_whole_until_changed_or_confirmed(
        kultur, kultur_2024):
    new, output = kultur_2024
    sentence = ("Under varje delmål visas indikatorerna för 2019–2023 med årets etappmål och "
                "målvärdet för 2026, och därefter nämndens uppdrag till förvaltningen.")
    line = line_of(new / "vb.yaml", "genomfört arbete. Under varje delmål visas")
    listed = f"  vb.yaml, rad {line}, disposition[6].text: {sentence}"
    assert listed in output.splitlines()
    assert ("  risker.csv, rad 5, kolumn bakgrund: Magasinet i källaren under Norrviks museum "
            "har ett ojämnt klimat, och mögel upptäcktes på några textilier 2022."
            in output.splitlines())
    # Shifted table declarations are not listed, nor sentences without last year's years.
    assert "Drift per verksamhet 2024" not in output
    entry = (f'  - fil: "vb.yaml"  # rad {line}, disposition[6].text\n'
             f'    mening: "{sentence}"\n    bekraftad: nej\n')
    assert entry in (new / "arskontroll.yaml").read_text(encoding="utf-8")

    result = run_cli("validate", str(new))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # Shown once, in the one list of years to review; the typed figures name no years.
    assert lines.count(listed) == 1
    assert "årtalet" not in result.output
    start = next(i for i, x in enumerate(lines) if x.startswith("Årtal att se över ("))
    count = int(lines[start].removeprefix("Årtal att se över (").split()[0])
    assert listed in lines[start + 1:start + 1 + count]
    # A draft ends with the same sentences, each where it stands.
    blocks = _compose(new, new.parent / "ut")["verksamhetsberattelse"].blocks
    heading = next(i for i, b in enumerate(blocks) if isinstance(b, doc.Heading)
                   and doc.plain(b.children) == arskontroll.LIST_HEADING)
    table = blocks[heading + 2]
    assert isinstance(table, doc.Table) and len(table.body) == count
    assert [f"vb.yaml, rad {line}, disposition[6].text", sentence] in [
        [doc.plain(c.children) for c in r.cells] for r in table.body]

    # Changed in its file, the sentence is no longer listed; a confirmed one neither.
    replace_text(new / "vb.yaml", "indikatorerna för 2019–2023", "indikatorerna för 2020–2024")
    review = new / "arskontroll.yaml"
    text = review.read_text(encoding="utf-8")
    at = text.index("Magasinet i källaren")
    review.write_text(text[:at] + text[at:].replace("bekraftad: nej", "bekraftad: ja", 1),
                      encoding="utf-8")
    result = run_cli("validate", str(new))
    assert result.exit_code == 0, result.output
    assert "Under varje delmål visas" not in result.output
    assert "Magasinet i källaren" not in result.output
    assert f"Årtal att se över ({count - 2} kvar från vbgen ny)" in result.output

    review.write_text(text.replace("bekraftad: nej", "bekraftad: kanske", 1), encoding="utf-8")
    result = run_cli("validate", str(new))
    assert result.exit_code == 1
    assert 'arskontroll.yaml, rad 8, fält "granska[1].bekraftad": förväntade ja eller nej, ' \
           'fick "kanske"' in result.output
