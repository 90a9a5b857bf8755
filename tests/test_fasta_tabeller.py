"""The built-in section templates and their tables with fixed names are gone: nothing in the
code names them any more, and a main file of the old form is told, field by field, what to
write instead; the goal tree's own files may be named by the main file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vbgen.errors import TemplateError
from vbgen.load import load
from vbgen.model.report import FIXED_FORM

from .conftest import line_of, run_cli
from .test_disposition import compose, make_folder, problems

SRC = Path(__file__).resolve().parents[1] / "src"

#: The names of the fixed tables, the classes and functions that read and checked them.
RETIRED = [
    "resultatrakning", "drift_historik", "sjukfranvaro", "hme", "revision", "lov", "ramavtal",
    "satsningar", "extern_finansiering", "investeringar", "externa_volymer", "antal_anstallda",
    "TableSpec", "TABLES", "EkonomiText", "InternKontrollText", "ResultatRad", "DriftRad",
    "DriftHistorikRad", "SatsningRad", "BidragRad", "InvesteringRad", "VolymRad",
    "SjukfranvaroRad", "HmeRad", "RevisionRad", "LovRad", "RamavtalRad", "Risk", "Personal",
    "Uppfoljning", "Prognos", "VerksamhetText", "ExternFinansieringText", "CHART_MARK",
    "result_sentence", "closing_sentence", "budget_result", "result_row", "check_totals",
    "_check_personal", "_check_ekonomi"]

#: Words of the list with another meaning in the code: python-docx's core property.
ALLOWED = {("vbgen/writers/docx.py", "revision"), ("vbgen/writers/referens.py", "revision")}


def test_no_code_names_a_fixed_table_or_what_read_it():
    words = re.compile(r"\b(" + "|".join(map(re.escape, RETIRED)) + r")\b")
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for word in words.findall(line):
                if (rel, word) not in ALLOWED:
                    found.append(f"{rel}:{number}: {word}")
    assert found == []


def test_no_template_of_the_old_form_is_shipped():
    templates = SRC.parent / "templates"
    assert not (templates / "avsnitt").exists()
    words = re.compile(r"\bvb\.(ekonomi|personal|intern_kontroll|uppfoljning|sammanfattning|"
                       r"resultatrakning|drift)\b")
    assert [p.name for p in templates.rglob("*.j2") if words.search(p.read_text("utf-8"))] == []


@pytest.mark.parametrize("field", ["sammanfattning", "ekonomi", "personal", "intern_kontroll",
                                   "uppfoljning"])
def test_a_field_of_the_old_form_says_what_to_write_instead(tmp_path, field):
    folder = make_folder(tmp_path, f"{field}:\n  text: Året som gått.\n")
    assert problems(folder) == [
        f'vb.yaml, rad 9, fält "{field}": fältet hör till den gamla formen: {FIXED_FORM}']
    assert "docs/dataformat.md#de-fasta-tabellerna-och-avsnittsmallarna" in FIXED_FORM


def test_a_section_template_of_the_old_form_says_what_to_write_instead(tmp_path):
    body = ("disposition:\n  - rubrik: Ekonomi\n    block:\n"
            "      - mall: avsnitt/ekonomi.j2\n")
    folder = make_folder(tmp_path, body)
    with pytest.raises(TemplateError) as caught:
        compose(folder, tmp_path)
    assert str(caught.value).endswith(f'mallen "avsnitt/ekonomi.j2" finns inte; {FIXED_FORM}')
    # Another template that is missing is only missing.
    body = body.replace("avsnitt/ekonomi.j2", "avsnitt/egen.j2")
    folder = make_folder(tmp_path, body, name="egen")
    with pytest.raises(TemplateError) as caught:
        compose(folder, tmp_path / "egen")
    assert str(caught.value).endswith('mallen "avsnitt/egen.j2" finns inte')


def test_the_memo_needs_the_figure_it_decides_on(tmp_path):
    body = """\
        tjanstskrivelse:
          datum: 2025-02-11
          diarienummer: TN 2025/1
          underskrift: {namn: Anna Exempel, titel: Förvaltningschef}
          resultatoverforing:
            andel: 100
            balanserat_resultat: 0
        """
    folder = make_folder(tmp_path, body)
    line = line_of(folder / "vb.yaml", "resultatoverforing:")
    assert problems(folder) == [
        f'vb.yaml, rad {line}, fält "tjanstskrivelse.resultatoverforing": årets resultat, som '
        "beslutet gäller, saknas: ange var en tabell visar det med resultat, till exempel "
        'resultat: "drift | Totalt | avvikelse" (se docs/dataformat.md#resultatöverföring)']


INDICATORS = "mål;indikator;2023;2024\nM1;Besök per invånare;4,1;4,3\n"
UPPDRAG = "mål;uppdrag;status\nM1;Bygg om biblioteket;Klart\n"


def test_the_goal_trees_files_may_be_named(tmp_path):
    body = ("indikatorer_fil: underlag/indikatorer 2024.xlsx\n"
            "uppdrag_fil: underlag/uppdrag.csv\n")
    folder = make_folder(tmp_path, body, {"underlag/uppdrag.csv": UPPDRAG,
                                          "indikatorer.csv": INDICATORS})
    # The file named is read, not the one with the default name.
    assert problems(folder) == [
        'vb.yaml, rad 9, fält "indikatorer_fil": filen "underlag/indikatorer 2024.xlsx" finns '
        "inte i mappen"]
    (folder / "vb.yaml").write_text((folder / "vb.yaml").read_text("utf-8").replace(
        "indikatorer 2024.xlsx", "indikatorer.csv"), encoding="utf-8")
    (folder / "indikatorer.csv").rename(folder / "underlag" / "indikatorer.csv")
    result = run_cli("validate", str(folder))
    assert result.exit_code == 0, result.output
    report = load(folder)
    assert [i.namn for i in report.mal[0].indikatorer] == ["Besök per invånare"]
    assert [u.text for u in report.all_uppdrag()] == ["Bygg om biblioteket"]


@pytest.mark.parametrize(("value", "message"), [
    ("../indikatorer.csv", "ligger utanför datamappen"),
    ("indikatorer.txt", "ska vara en .csv- eller .xlsx-fil"),
])
def test_a_goal_file_outside_the_folder_or_of_another_kind(tmp_path, value, message):
    folder = make_folder(tmp_path, f"indikatorer_fil: {value}\n",
                         {"indikatorer.txt": INDICATORS})
    found = problems(folder)
    assert len(found) == 1
    assert found[0].startswith(f'vb.yaml, rad 9, fält "indikatorer_fil": filen "{value}" '
                               f"{message}")
