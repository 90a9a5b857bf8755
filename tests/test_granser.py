"""vbgen's input limits hold: data at a limit builds, one step beyond it gets a message that
names the limit; derived columns and the outline are checked where they are written.

The builds at the limits take minutes together and are marked slow (``pytest -m slow``);
``scripts/granser.py`` measures their time and memory for docs/prestanda.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vbgen.checks import MAX_PROSE_BYTES, MAX_TABLE_ROWS
from vbgen.load import load
from vbgen.model.report import markdown_fields
from vbgen.readers.docx import MAX_DRAFT_BYTES

from . import gransfall
from .conftest import line_of, replace_text, run_cli

# Builds data at vbgen's limits.
pytestmark = pytest.mark.langsam


def _validate(args: list[str]) -> tuple[int, str]:
    """``vbgen kontrollera`` (or for a draft, ``hamta``) of a case's folder."""
    if args[0] == "build":
        args = ["validate", args[1], *args[4:]]
    result = run_cli(*args)
    assert "Internt fel" not in result.output
    return result.exit_code, result.output


# --- One step beyond each limit ------------------------------------------------------------


def test_texts_beyond_their_limit_are_named(tmp_path):
    code, output = _validate(gransfall.texts(tmp_path, over=True))
    assert code == 1
    assert (f"vb.yaml: texterna är tillsammans {MAX_PROSE_BYTES // 1024} kB; en rapport kan ha "
            "högst 1024 kB text (ungefär 250 sidor). Störst är text/sammanfattning.md") in output


def test_texts_at_their_limit_load(tmp_path):
    args = gransfall.texts(tmp_path)
    report = load(args[1])
    assert sum(len(t.encode()) for _, t in markdown_fields(report) if t) == MAX_PROSE_BYTES


def test_table_rows_beyond_their_limit_are_named(tmp_path):
    code, output = _validate(gransfall.rows(tmp_path, over=True))
    assert code == 1
    assert (f"besok.csv: tabellerna har tillsammans {MAX_TABLE_ROWS + 1:,} rader; en rapport "
            .replace(",", "\u00a0")) in output
    assert "kan ha högst 2\u00a0000" in output


def test_an_outline_beyond_the_deepest_heading_is_named_at_its_line(tmp_path):
    args = gransfall.outline(tmp_path, over=True)
    code, output = _validate(args)
    assert code == 1
    line = line_of(Path(args[1]) / "vb.yaml", "rubrik: Nivå 7")
    assert (f"vb.yaml, rad {line}, fält \"disposition[1]" + ".avsnitt[1]" * 6 + "\": avsnittet "
            "ligger på nivå 7 i dispositionen, men rubrikerna går bara till nivå 6; lägg det "
            "högre upp") in output


def test_a_goal_report_too_deep_for_its_headings_is_named(kultur):
    main = kultur / "vb.yaml"
    replace_text(main, "  - rubrik: Mål och resultat\n",
                 "  - rubrik: Mål och resultat\n    avsnitt:\n      - rubrik: A\n        avsnitt:\n"
                 "          - rubrik: B\n            avsnitt:\n              - rubrik: C\n"
                 "                block: [malrapport]\n")
    code, output = _validate(["validate", str(kultur)])
    assert code == 1
    line = line_of(main, "block: [malrapport]")
    assert (f"vb.yaml, rad {line}, fält \"disposition[6].avsnitt[1].avsnitt[1].avsnitt[1]"
            ".block[1].malrapport\": blocket ger rubriker till nivå 7 (en nivå för varje "
            "målnivå och rubrikerna under varje mål), men rubrikerna går bara till nivå 6; "
            "lägg blocket i ett avsnitt på nivå 3 eller högre") in output


def test_a_logotype_beyond_the_pixel_limit_is_named_by_its_size(tmp_path):
    code, output = _validate(gransfall.logo(tmp_path, over=True))
    assert code == 1
    assert "logotyp.png: logotypen är 10000 × 5001 bildpunkter, mer än vbgen tar (högst " \
           "50 miljoner bildpunkter)" in output


def test_a_valid_logotype_of_400_million_pixels_is_too_large_not_no_image(kultur, tmp_path):
    styles = tmp_path / "stilar"
    styles.mkdir()
    gransfall.png(styles / "logotyp.png", 20_000, 20_000, gray=True)
    code, output = _validate(["validate", str(kultur), "--stilar", str(styles)])
    assert code == 1
    assert "logotypen är 20000 × 20000 bildpunkter, mer än vbgen tar" in output
    assert "ingen PNG-bild" not in output


def test_a_draft_beyond_its_limit_is_refused_before_it_is_read(tmp_path):
    code, output = _validate(gransfall.draft(tmp_path, over=True))
    assert code == 1
    assert (f"utkast.docx: filen är för stor för att vara ett utkast (texten packas upp till "
            f"mer än {MAX_DRAFT_BYTES // 1024 // 1024} MB)") in output


# --- At each limit: the whole build ---------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("case", list(gransfall.CASES))
def test_data_at_a_limit_builds(tmp_path, case):
    args = gransfall.CASES[case](tmp_path)
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    if args[0] == "build":
        assert {p.suffix for p in (tmp_path / "ut").glob("verksamhetsberattelse-*")} == \
            {".docx", ".pdf"}
    else:
        assert "Inget att skriva" in result.output
        assert "… och " in result.output  # the paragraphs outside the texts, cut short


# --- Derived columns --------------------------------------------------------------------------

DERIVED = 'berakning: {skillnad: ["2023", "2022"]}}'


@pytest.mark.parametrize("berakning, what", [
    ('berakning: {skillnad: ["2023", forandring]}}', "sig själv"),
    ('berakning: {skillnad: ["2023", andel]}}\n      - {id: andel, typ: procent, '
     'berakning: {andel: ["2023", forandring]}}', '"andel", som står efter den i kolumner'),
])
def test_a_derived_column_computes_only_from_columns_before_it(kultur, berakning, what):
    main = kultur / "vb.yaml"
    replace_text(main, DERIVED, berakning)
    code, output = _validate(["validate", str(kultur)])
    assert code == 1
    line = line_of(main, berakning[:30])
    assert (f'vb.yaml, rad {line}, fält "tabeller[1].kolumner[5].berakning": kolumnen '
            f'"forandring" i tabellen "resultatrakning" räknar med {what}; en beräknad kolumn '
            "räknar bara med kolumner före den, så flytta den efter dem") in output
