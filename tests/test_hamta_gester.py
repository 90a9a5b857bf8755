"""Editing a draft as a person does, in LibreOffice: each test makes one gesture with
LibreOffice's own commands (type, Enter, bullets, bold, a footnote, a heading style, typing
into a locked heading or a table's cell), saves the draft as DOCX and takes it back with
``vbgen hamta``; the data then holds exactly the intended Markdown, and a new draft built
from it carries the edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vbgen.build import Options, build
from vbgen.readers.docx import read_draft

from .conftest import copy_kultur, run_cli
from .libreoffice import Step

TEXT = "text/m1-analys.md"
#: The last words of the first paragraph of TEXT, and of its last one.
FIRST_END = "i Västby och Strandå är andelen elever lägre än i centralorten."
LAST_END = "som inte har kommit tillbaka till föreningarna."


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A folder holding the kultur sample and its profile, and the draft built from it."""
    root = tmp_path_factory.mktemp("gester")
    data = copy_kultur(root / "kommun")
    (docx,) = build(data, Options(root / "ut", formats=("docx",),
                                  documents=("verksamhetsberattelse",)))
    return root / "kommun", docx


def edit_and_take(office, draft: tuple[Path, Path], tmp_path: Path, steps: list[Step]
                  ) -> tuple[Path, str, int]:
    """Edit a copy of the draft in LibreOffice with ``steps`` and take it back into a copy
    of its data: the data folder, what hamta said and its exit code."""
    root = tmp_path / "kommun"
    shutil.copytree(draft[0], root)
    data = root / "kulturnamnden-2023"
    saved = office.edit(draft[1], tmp_path / "redigerad.docx", steps)
    result = run_cli("hamta", str(saved), str(data), "--ja")
    return data, result.output, result.exit_code


def text_of(data: Path, name: str = TEXT) -> str:
    return (data / name).read_text(encoding="utf-8")


def original(draft: tuple[Path, Path], name: str = TEXT) -> str:
    return (draft[0] / "kulturnamnden-2023" / name).read_text(encoding="utf-8")


def rebuilt(data: Path, tmp_path: Path, name: str = TEXT) -> str:
    """The text ``name`` as a draft built again from ``data`` shows it, unedited."""
    (docx,) = build(data, Options(tmp_path / "igen", formats=("docx",),
                                  documents=("verksamhetsberattelse",)))
    again = read_draft(docx)
    assert again.edited() == {}
    return again.texts[name]


def test_typing_in_a_text_is_taken_back(office, draft, tmp_path):
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("efter", "lägre än i centralorten"), ("skriv", ", men skillnaden minskar")])
    assert code == 0, out
    expected = original(draft).replace("lägre än i centralorten.",
                                       "lägre än i centralorten, men skillnaden minskar.")
    assert text_of(data) == expected
    assert rebuilt(data, tmp_path) == expected.rstrip("\n")


def test_enter_makes_a_paragraph_of_the_text(office, draft, tmp_path):
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("efter", FIRST_END), ("retur", ""), ("skriv", "Ett nytt stycke mitt i texten."),
        ("efter", LAST_END), ("retur", ""), ("skriv", "Ett nytt sista stycke.")])
    assert code == 0, out
    expected = original(draft).replace(FIRST_END, FIRST_END + "\n\nEtt nytt stycke mitt i "
                                       "texten.").rstrip("\n") + "\n\nEtt nytt sista stycke.\n"
    assert text_of(data) == expected
    assert "Stycken utan textfält" not in out and "utanför textfälten" not in out
    assert rebuilt(data, tmp_path) == expected.rstrip("\n")


def test_bullets_make_a_list(office, draft, tmp_path):
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("efter", LAST_END), ("retur", ""), ("skriv", "Två saker återstår:"),
        ("retur", ""), ("skriv", "fler lärare i piano"), ("punktlista", ""),
        ("retur", ""), ("skriv", "längre öppettider")])
    assert code == 0, out
    expected = original(draft).rstrip("\n") + ("\n\nTvå saker återstår:\n\n"
                                               "- fler lärare i piano\n- längre öppettider\n")
    assert text_of(data) == expected
    assert rebuilt(data, tmp_path) == expected.rstrip("\n")


def test_an_item_added_to_a_list_is_an_item(office, draft, tmp_path):
    name = "text/sammanfattning.md"
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("efter", "Hitta en långsiktig lösning för museets samlingar."), ("retur", ""),
        ("skriv", "Öka antalet besökare i Strandå.")])
    assert code == 0, out
    expected = original(draft, name).rstrip("\n") + "\n- Öka antalet besökare i Strandå.\n"
    assert text_of(data, name) == expected
    assert rebuilt(data, tmp_path, name) == expected.rstrip("\n")


def test_an_indented_item_is_a_nested_list(office, draft, tmp_path):
    name = "text/sammanfattning.md"
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("efter", "Hitta en långsiktig lösning för museets samlingar."), ("retur", ""),
        ("indrag", ""), ("skriv", "ett nytt magasin")])
    assert code == 0, out
    # The reference document's bullet list defines one level: LibreOffice numbers the next
    # level as "1.", and what it shows is what comes back.
    expected = original(draft, name).rstrip("\n") + "\n  1. ett nytt magasin\n"
    assert text_of(data, name) == expected
    assert rebuilt(data, tmp_path, name) == expected.rstrip("\n")


def test_a_numbered_list_is_numbered(office, draft, tmp_path):
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("efter", LAST_END), ("retur", ""), ("skriv", "Först kön"), ("numrerad", ""),
        ("retur", ""), ("skriv", "Sedan lärarna")])
    assert code == 0, out
    expected = original(draft).rstrip("\n") + "\n\n1. Först kön\n2. Sedan lärarna\n"
    assert text_of(data) == expected
    assert rebuilt(data, tmp_path) == expected.rstrip("\n")


def test_a_word_made_bold_is_strong(office, draft, tmp_path):
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("markera", "tjejkvällarna"), ("fetstil", "")])
    assert code == 0, out
    expected = original(draft).replace("tjejkvällarna", "**tjejkvällarna**")
    assert text_of(data) == expected
    assert rebuilt(data, tmp_path) == expected.rstrip("\n")


def test_a_footnote_is_a_note(office, draft, tmp_path):
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("efter", "under genomsnittet i länet."), ("fotnot", "Enligt länets statistik.")])
    assert code == 0, out
    expected = original(draft).replace("under genomsnittet i länet.",
                                       "under genomsnittet i länet.[^1]").rstrip("\n") \
        + "\n\n[^1]: Enligt länets statistik.\n"
    assert text_of(data) == expected
    assert rebuilt(data, tmp_path) == expected.rstrip("\n")


def test_a_heading_style_makes_a_subheading(office, draft, tmp_path):
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("efter", LAST_END), ("retur", ""), ("formatmall", "Heading 4"),
        ("skriv", "Föreningsidrotten"), ("retur", ""), ("formatmall", "Standard"),
        ("skriv", "Fler unga tränar igen.")])
    assert code == 0, out
    expected = original(draft).rstrip("\n") + ("\n\n### Föreningsidrotten\n\n"
                                               "Fler unga tränar igen.\n")
    assert text_of(data) == expected
    assert rebuilt(data, tmp_path) == expected.rstrip("\n")
