"""Draft and final: gaps shown where they are and listed at the end, a final build refused
while any remain, and the state marked on the cover, on every page and in the properties."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from .conftest import copy_kultur, run_cli, word_document


@pytest.fixture(scope="module")
def next_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kultur sample carried into 2024 with vbgen ny: every text still to write."""
    root = tmp_path_factory.mktemp("nytt-ar")
    result = run_cli("init", str(root / "kultur-2024"), "--from", str(copy_kultur(root)))
    assert result.exit_code == 0, result.output
    return root / "kultur-2024"


def test_validate_lists_the_gaps_with_file_and_field(next_year):
    result = run_cli("validate", str(next_year))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Utkastet har "))
    assert lines[start].endswith("luckor att fylla innan den slutliga versionen kan byggas:")
    listed = lines[start + 1:]
    assert "  Mål och resultat › Mål: Fler barn och unga har en aktiv och meningsfull fritid:" \
        in listed
    assert "    analys (text/m1-analys.md)" in listed
    assert "    måluppfyllelse (vb.yaml, fält mal[1].maluppfyllelse)" in listed
    # A table placed only by its mark in a text init emptied still stands there, its
    # numbers of the new year listed, and the text without words is a gap.
    assert "    text i avsnittet Idrotts- och fritidsanläggningar (text/anlaggningar.md)" \
        in listed
    assert "    Stadsbiblioteket: Antal besök 2024 (besok.csv, rad 2, kolumn 2024)" in listed


def test_a_draft_shows_its_gaps_and_lists_them_at_the_end(next_year, tmp_path):
    result = run_cli("build", str(next_year), "--ut", str(tmp_path))
    assert result.exit_code == 0, result.output
    pdf = pypdf.PdfReader(str(next(tmp_path.glob("*.pdf"))))
    pages = [page.extract_text() for page in pdf.pages]
    # "Utkast" on every page: the cover, and the running header of the others.
    assert all("Utkast" in text for text in pages)
    assert any("[Saknas: analys]" in text for text in pages)
    # The list starts on a page of its own, the table cells' missing numbers with it.
    start = next(i for i, text in enumerate(pages) if "Luckor att fylla" in text)
    assert "risker.csv, rad 5, kolumn" in "".join(pages[start:])
    # Then the sentences with a year that last year's texts carried over.
    rest = "".join(pages[start:])
    assert "Årtal att se över" in rest and "indikatorerna för 2019–2023" in rest
    word = word_document(next(tmp_path.glob("*.docx")))
    assert word.core_properties.content_status == "Utkast"
    table = next(t for t in word.tables
                 if [c.text for c in t.rows[0].cells] == ["Avsnitt", "Saknas", "Fyll i"])
    assert ["analys", "text/m1-analys.md"] in [[c.text for c in r.cells][1:]
                                              for r in table.rows]


def test_a_final_build_is_refused_while_gaps_remain(next_year, tmp_path):
    result = run_cli("build", str(next_year), "--ut", str(tmp_path), "--slutlig")
    assert result.exit_code == 1
    assert result.output.startswith("Den slutliga versionen byggs inte: data har ")
    assert "    analys (text/m1-analys.md)" in result.output
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.docx"))


def test_a_complete_folder_builds_as_final(kultur, tmp_path):
    out = tmp_path / "ut"
    result = run_cli("build", str(kultur), "--ut", str(out), "--slutlig",
                     "--format", "docx")
    assert result.exit_code == 0, result.output
    word = word_document(next(out.glob("*.docx")))
    assert word.core_properties.content_status == "Slutlig"
    assert "Utkast" not in [p.text for p in word.paragraphs]
    assert "Luckor att fylla" not in [p.text for p in word.paragraphs]
