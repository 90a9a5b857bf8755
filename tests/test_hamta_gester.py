"""Editing a draft as a person does, in LibreOffice: each test makes one gesture with
LibreOffice's own commands (type, Enter, bullets, bold, a footnote, a heading style, typing
into a locked heading or a table's cell), saves the draft as DOCX and takes it back with
``vbgen hamta``; the data then holds exactly the intended Markdown, and a new draft built
from it carries the edit."""

from __future__ import annotations

import shutil
import zipfile
from copy import deepcopy
from pathlib import Path

import pytest
from lxml import etree

from vbgen.build import Options, build
from vbgen.readers.docx import read_draft
from vbgen.writers import typografi

from .conftest import KULTUR, copy_kultur, run_cli
from .libreoffice import Step

# Each test builds a Word draft and edits it.
pytestmark = pytest.mark.langsam

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
    # Read back without the typography the writer set, which the data's own en dashes are
    # given back from, as vbgen hamta writes a text (typografi.restore).
    return typografi.restore(again.texts[name], (data / name).read_text(encoding="utf-8"))


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
    # The reference document's bullet lists define every level as bullets, so an indented
    # item is a bullet inside the item above, as LibreOffice shows it.
    expected = original(draft, name).rstrip("\n") + "\n  - ett nytt magasin\n"
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


def test_words_made_a_link_are_a_link(office, draft, tmp_path):
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("markera", "Deltagandet i föreningsidrotten"),
        ("lank", "https://www.norrvik.se/idrott")])
    assert code == 0, out
    expected = original(draft).replace(
        "Deltagandet i föreningsidrotten",
        "[Deltagandet i föreningsidrotten](<https://www.norrvik.se/idrott>)")
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


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_typing_into_a_locked_heading_is_reported_and_not_taken(office, draft, tmp_path):
    heading = "Delmål: Energianvändningen i nämndens anläggningar minskar"
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("efter", heading), ("skriv", " och kostnaderna")])
    assert code == 0, out
    assert snapshot(data) == snapshot(draft[0] / "kulturnamnden-2023")
    assert ("Ändringar i delar som vbgen skapar, tas inte med (1); ändra i data i stället:\n"
            "  rubriken: \u201d… nämndens anläggningar minskar\u201d \u2192 "
            "\u201d… nämndens anläggningar minskar och kostnaderna\u201d\n") in out
    assert "Inget att skriva: ingen text i utkastet har ändrats." in out


def test_a_number_typed_into_a_table_cell_names_its_data_cell(office, draft, tmp_path):
    data, out, code = edit_and_take(office, draft, tmp_path, [
        ("markera", "37\u00a0955"), ("skriv", "38\u00a0100")])
    assert code == 0, out
    assert snapshot(data) == snapshot(draft[0] / "kulturnamnden-2023")
    assert ("  tabellen \u201dDrift per verksamhet 2023, tkr\u201d, raden \u201dBibliotek\u201d, "
            "kolumnen \u201dUtfall 2023\u201d: \u201d37 955\u201d \u2192 \u201d38 100\u201d\n"
            "    talet står i drift.csv, rad 3, kolumn utfall_2023\n") in out


# --- The same gestures as Word saves them ----------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def q(name: str) -> str:
    return f"{{{W}}}{name}"


class WordDraft:
    """A draft edited as Word writes the edits (ECMA-376 Part 1, §17): a paragraph made by
    Enter is a new ``w:p`` after the one the cursor was in, inside the same block-level
    ``w:sdt``, with that paragraph's properties; a list item has ``w:numPr`` pointing to a
    ``w:num`` of numbering.xml; bold is a run of its own with ``w:b``; a footnote is a run
    with ``w:footnoteReference`` and a ``w:footnote`` in footnotes.xml."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as z:
            self.files = {n: z.read(n) for n in z.namelist()}
        self.doc = etree.fromstring(self.files["word/document.xml"])
        self.notes = etree.fromstring(self.files["word/footnotes.xml"])
        self.numbering = etree.fromstring(self.files["word/numbering.xml"])

    def paragraph(self, words: str) -> etree._Element:
        """The body's paragraph that holds ``words`` (not the table of contents' line)."""
        return next(p for p in self.doc.iter(q("p"))
                    if words in "".join(t.text or "" for t in p.iter(q("t")))
                    and p.find(f".//{q('hyperlink')}[@{q('anchor')}]") is None)

    @staticmethod
    def run(text: str, bold: bool = False) -> etree._Element:
        r = etree.Element(q("r"))
        if bold:
            rpr = etree.SubElement(r, q("rPr"))
            etree.SubElement(rpr, q("b"))
            etree.SubElement(rpr, q("bCs"))
        t = etree.SubElement(r, q("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return r

    def enter(self, after: etree._Element, text: str, style: str | None = None,
              num: str | None = None, level: int = 0) -> etree._Element:
        """Enter at the end of ``after``, then ``text`` typed (in ``style``, as an item of the
        list ``num`` at ``level``)."""
        p = etree.Element(q("p"))
        ppr = after.find(q("pPr"))
        ppr = deepcopy(ppr) if ppr is not None else etree.Element(q("pPr"))
        p.append(ppr)
        if style is not None:
            for old in ppr.findall(q("pStyle")):
                ppr.remove(old)
            ppr.insert(0, etree.fromstring(f'<w:pStyle xmlns:w="{W}" w:val="{style}"/>'))
        if num is not None:
            for old in ppr.findall(q("numPr")):
                ppr.remove(old)
            ppr.append(etree.fromstring(
                f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/>'
                "</w:numPr>"))
        p.append(self.run(text))
        after.addnext(p)
        return p

    def new_list(self, ordered: bool) -> str:
        """A list definition as Word adds one for its Bullets or Numbering button."""
        ids = [int(a.get(q("abstractNumId"))) for a in self.numbering.iter(q("abstractNum"))]
        nums = [int(n.get(q("numId"))) for n in self.numbering.iter(q("num"))]
        aid, nid = max(ids, default=0) + 1, max(nums, default=0) + 1
        levels = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="'
            f'{"decimal" if ordered else "bullet"}"/><w:lvlText w:val="'
            f'{f"%{i + 1}." if ordered else "•"}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{720 * (i + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
            for i in range(9))
        first_num = next(self.numbering.iter(q("num")), None)
        abstract = etree.fromstring(f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="{aid}">'
                                    f'<w:multiLevelType w:val="hybridMultilevel"/>{levels}'
                                    "</w:abstractNum>")
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.numbering.append(abstract)
        self.numbering.append(etree.fromstring(
            f'<w:num xmlns:w="{W}" w:numId="{nid}"><w:abstractNumId w:val="{aid}"/></w:num>'))
        return str(nid)

    def bold(self, words: str) -> None:
        """Select ``words`` inside one run and press Ctrl+B: the run split in three."""
        p = self.paragraph(words)
        r = next(r for r in p.iter(q("r")) if words in "".join(t.text or ""
                                                                for t in r.iter(q("t"))))
        text = r.find(q("t")).text or ""
        before, after = text.split(words, 1)
        r.find(q("t")).text = before
        r.addnext(self.run(after))
        r.addnext(self.run(words, bold=True))

    def footnote(self, words: str, text: str) -> None:
        """A footnote inserted right after ``words``."""
        p = self.paragraph(words)
        r = next(r for r in p.iter(q("r")) if words in "".join(t.text or ""
                                                                for t in r.iter(q("t"))))
        t = r.find(q("t"))
        before, after = (t.text or "").split(words, 1)
        t.text = before + words
        fid = str(max(int(f.get(q("id"))) for f in self.notes.iter(q("footnote"))) + 1)
        self.notes.append(etree.fromstring(
            f'<w:footnote xmlns:w="{W}" w:id="{fid}"><w:p><w:pPr><w:pStyle '
            'w:val="FootnoteText"/></w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/>'
            '</w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> '
            f"{text}</w:t></w:r></w:p></w:footnote>"))
        r.addnext(self.run(after))
        r.addnext(etree.fromstring(
            f'<w:r xmlns:w="{W}"><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            f'<w:footnoteReference w:id="{fid}"/></w:r>'))

    def save(self, path: Path) -> Path:
        for name, root in (("word/document.xml", self.doc), ("word/footnotes.xml", self.notes),
                           ("word/numbering.xml", self.numbering)):
            self.files[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                              standalone=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.files.items():
                z.writestr(name, data)
        return path


def word_edit(draft: tuple[Path, Path], tmp_path: Path, edit) -> dict[str, str]:
    """The texts edited when the draft is edited by ``edit`` (a WordDraft) as Word saves it,
    each given back the data's own characters where only the typography differs, as vbgen
    hamta writes it."""
    d = WordDraft(draft[1])
    edit(d)
    edited = read_draft(d.save(tmp_path / "word.docx")).edited()
    data = draft[0] / KULTUR.name
    return {name: typografi.restore(text, (data / name).read_text(encoding="utf-8"))
            for name, text in edited.items()}


def test_word_typing_enter_bullets_and_numbering_read_as_in_libreoffice(draft, tmp_path):
    def edit(d: WordDraft) -> None:
        first = d.paragraph(FIRST_END)
        d.enter(first, "Ett nytt stycke mitt i texten.")
        last = d.enter(d.paragraph(LAST_END), "Två saker återstår:")
        bullets = d.new_list(ordered=False)
        item = d.enter(last, "fler lärare i piano", "ListParagraph", bullets)
        item = d.enter(item, "längre öppettider", "ListParagraph", bullets)
        numbers = d.new_list(ordered=True)
        item = d.enter(item, "Först kön", "ListParagraph", numbers)
        d.enter(item, "Sedan lärarna", "ListParagraph", numbers)

    expected = original(draft).replace(FIRST_END, FIRST_END + "\n\nEtt nytt stycke mitt i "
                                       "texten.").rstrip("\n") + (
        "\n\nTvå saker återstår:\n\n- fler lärare i piano\n- längre öppettider\n\n"
        "1. Först kön\n2. Sedan lärarna")
    assert word_edit(draft, tmp_path, edit) == {TEXT: expected}


def test_word_list_items_added_and_indented_read_as_in_libreoffice(draft, tmp_path):
    name = "text/sammanfattning.md"

    def edit(d: WordDraft) -> None:
        last = d.paragraph("Hitta en långsiktig lösning för museets samlingar.")
        num = last.find(f"{q('pPr')}/{q('numPr')}/{q('numId')}")
        numid = num.get(q("val")) if num is not None else None
        item = d.enter(last, "Öka antalet besökare i Strandå.")
        d.enter(item, "ett nytt magasin", num=numid or d.new_list(False), level=1)

    expected = original(draft, name).rstrip("\n") + (
        "\n- Öka antalet besökare i Strandå.\n  - ett nytt magasin")
    assert word_edit(draft, tmp_path, edit) == {name: expected}


def test_word_bold_footnote_and_subheading_read_as_in_libreoffice(draft, tmp_path):
    def edit(d: WordDraft) -> None:
        d.bold("tjejkvällarna")
        d.footnote("under genomsnittet i länet.", "Enligt länets statistik.")
        heading = d.enter(d.paragraph(LAST_END), "Föreningsidrotten", "Heading4")
        d.enter(heading, "Fler unga tränar igen.", "Normal")

    expected = original(draft).replace("tjejkvällarna", "**tjejkvällarna**").replace(
        "under genomsnittet i länet.", "under genomsnittet i länet.[^1]").rstrip("\n") + (
        "\n\n### Föreningsidrotten\n\nFler unga tränar igen.\n\n"
        "[^1]: Enligt länets statistik.")
    assert word_edit(draft, tmp_path, edit) == {TEXT: expected}


def test_word_edits_of_a_heading_and_a_cell_are_reported(draft, tmp_path):
    """Word keeps a locked control's content; typed after it in the heading's paragraph, or
    in a cell once the lock is taken off, the edit is reported as in LibreOffice."""
    d = WordDraft(draft[1])
    heading = d.paragraph("Delmål: Energianvändningen i nämndens anläggningar minskar")
    heading.append(d.run(" och kostnaderna"))
    cell = next(t for t in d.doc.iter(q("t")) if t.text == "37\u00a0955")
    cell.text = "38\u00a0100"
    found = read_draft(d.save(tmp_path / "word.docx"))
    assert found.edited() == {}
    assert [(e.where, e.old, e.new, e.row, e.column) for e in found.locked_edits] == [
        ("rubriken", "… nämndens anläggningar minskar",
         "… nämndens anläggningar minskar och kostnaderna", "", ""),
        ("tabellen \u201dDrift per verksamhet 2023, tkr\u201d", "37 955", "38 100",
         "Bibliotek", "Utfall 2023")]
