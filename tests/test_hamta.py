"""The Word round trip: texts edited in a draft DOCX, saved by LibreOffice, taken back into
the data with ``vbgen hamta`` and built again with changed numbers."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from vbgen.build import Options, build
from vbgen.cli import main
from vbgen.commands.hamta import field_text, set_field
from vbgen.model.utkast import GENERATED_PREFIX
from vbgen.readers.docx import read_draft

from .conftest import replace_text, run_cli

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
REPORT = "verksamhetsberattelse-socialnamnden-2024-utkast"


def q(name: str) -> str:
    return f"{{{W}}}{name}"


class Draft:
    """A built draft DOCX opened for editing as Word or LibreOffice would store the edits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as z:
            self.files = {n: z.read(n) for n in z.namelist()}
        self.doc = etree.fromstring(self.files["word/document.xml"])
        self.notes = etree.fromstring(self.files["word/footnotes.xml"])
        styles = etree.fromstring(self.files["word/styles.xml"])
        self.style_ids = {s.find(q("name")).get(q("val")): s.get(q("styleId"))
                          for s in styles.iter(q("style")) if s.find(q("name")) is not None}

    def controls(self, tag: str) -> list[etree._Element]:
        return [s for s in self.doc.iter(q("sdt"))
                if s.find("w:sdtPr/w:tag", NS).get(q("val")) == tag]

    def paragraph_of(self, sdt: etree._Element) -> etree._Element:
        """The paragraph an inline control stands in, or a block control's first."""
        inside = sdt.find(f"{q('sdtContent')}/{q('p')}")
        return inside if inside is not None else next(
            a for a in sdt.iterancestors() if a.tag == q("p"))

    def paragraphs(self, tag: str) -> list[etree._Element]:
        """The paragraphs of a text: inside its block controls (or holding its inline ones)."""
        out: list[etree._Element] = []
        for sdt in self.controls(tag):
            inside = sdt.findall(f"{q('sdtContent')}/{q('p')}")
            for p in inside or [self.paragraph_of(sdt)]:
                if p not in out:
                    out.append(p)
        return out

    def set_text(self, tag: str, text: str) -> None:
        """Replace the text of the first paragraph of a text."""
        p = self.paragraphs(tag)[0]
        for child in list(p):
            if child.tag != q("pPr"):
                p.remove(child)
        p.append(self.run(text))

    @staticmethod
    def t(text: str) -> etree._Element:
        el = etree.Element(q("t"))
        el.text = text
        el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return el

    def run(self, text: str, bold: bool = False) -> etree._Element:
        r = etree.Element(q("r"))
        if bold:
            etree.SubElement(etree.SubElement(r, q("rPr")), q("b"))
        r.append(self.t(text))
        return r

    def append_runs(self, tag: str, *runs: etree._Element) -> None:
        """Runs at the end of the first paragraph of a text."""
        p = self.paragraphs(tag)[0]
        for r in runs:
            p.append(r)

    def add_footnote(self, tag: str, text: str) -> None:
        fid = str(max(int(f.get(q("id"))) for f in self.notes.iter(q("footnote"))) + 1)
        note = etree.SubElement(self.notes, q("footnote"), {q("id"): fid})
        note.append(etree.fromstring(
            f'<w:p xmlns:w="{W}"><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve">'
            f" {text}</w:t></w:r></w:p>"))
        ref = etree.fromstring(f'<w:r xmlns:w="{W}"><w:footnoteReference w:id="{fid}"/></w:r>')
        self.append_runs(tag, ref)

    def _renumber_footnotes(self) -> None:
        """Number the footnotes in the order of their marks, as Word saves them; a note
        whose mark was deleted goes with it."""
        notes = {f.get(q("id")): f for f in self.notes.iter(q("footnote"))}
        for fid, note in notes.items():
            if int(fid) > 0:
                self.notes.remove(note)
        for n, ref in enumerate(self.doc.iter(q("footnoteReference")), start=1):
            note = notes[ref.get(q("id"))]
            self.notes.append(note)
            note.set(q("id"), str(n))
            ref.set(q("id"), str(n))

    def add_list(self, tag: str, items: list[str]) -> None:
        """Bullet paragraphs after a text's last paragraph, inside its control, as Word
        makes them when Enter is pressed at the text's end and bullets are chosen."""
        last = self.paragraphs(tag)[-1]
        style = self.style_ids["List Bullet"]
        for item in reversed(items):
            last.addnext(etree.fromstring(
                f'<w:p xmlns:w="{W}"><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
                f"<w:r><w:t>{item}</w:t></w:r></w:p>"))

    def add_after(self, tag: str, text: str) -> None:
        """A paragraph without a control right after a text."""
        last = self.controls(tag)[-1]
        last.addnext(etree.fromstring(f'<w:p xmlns:w="{W}"><w:r><w:t>{text}</w:t></w:r></w:p>'))

    def add_before_heading_of(self, tag: str, text: str) -> None:
        """A paragraph typed outside every control: between a text's heading and the text."""
        self.controls(tag)[0].addprevious(etree.fromstring(
            f'<w:p xmlns:w="{W}"><w:r><w:t>{text}</w:t></w:r></w:p>'))

    def save(self, path: Path) -> None:
        self._renumber_footnotes()
        self.files["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True,
                                                         encoding="UTF-8", standalone=True)
        self.files["word/footnotes.xml"] = etree.tostring(self.notes, xml_declaration=True,
                                                          encoding="UTF-8", standalone=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.files.items():
                z.writestr(name, data)


def libreoffice_save(path: Path, out: Path) -> Path:
    """Open the file in LibreOffice and save it again as DOCX, as a user would."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed; scripts/test.sh installs it")
    version = subprocess.run([SOFFICE, "--version"], capture_output=True, text=True,
                             timeout=60).stdout
    found = re.search(r"(\d+)\.(\d+)", version)
    if found and (int(found.group(1)), int(found.group(2))) < (7, 5):
        pytest.skip(f"LibreOffice {found.group(0)} drops the names of content controls; "
                    "7.5 or later is needed (scripts/test.sh installs it as root)")
    out.mkdir(exist_ok=True)
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{out / 'profil'}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    return out / path.name


def body_text(path: Path) -> str:
    """Every word of a DOCX's body, content controls included."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
        notes = etree.fromstring(z.read("word/footnotes.xml"))
    return " ".join("".join(t.text or "" for t in p.iter(q("t")))
                    for part in (root, notes) for p in part.iter(q("p")))


@pytest.fixture
def drafted(sample_copy: Path, tmp_path: Path, warm_charts: Callable[[Path], None]
            ) -> tuple[Path, Path]:
    """A copy of the sample and its report draft, built into ``ut``."""
    warm_charts(tmp_path / "ut")
    build(sample_copy, Options(tmp_path / "ut", documents=("verksamhetsberattelse",)))
    return sample_copy, tmp_path / "ut" / f"{REPORT}.docx"


def test_an_unedited_draft_has_nothing_to_take(drafted):
    data, docx = drafted
    draft = read_draft(docx)
    assert len(draft.texts) > 40
    assert draft.edited() == {} and draft.outside == [] and draft.locked_edits == []
    result = run_cli("hamta", str(docx), str(data), "--ja")
    assert result.exit_code == 0, result.output
    assert "Inget att skriva" in result.output


def test_edits_saved_by_libreoffice_flow_back_and_survive_new_numbers(drafted, tmp_path):
    data, docx = drafted
    yaml_before = (data / "vb.yaml").read_text(encoding="utf-8")
    motivering = "vb.yaml:mal[1].under[1].under[1].motivering"
    d = Draft(docx)
    # Two analyses rewritten, a bold word and a footnote in one, a list added to the other.
    d.set_text("text/n1-analys.md", "Fler barn och familjer nåddes tidigt i år. ")
    d.append_runs("text/n1-analys.md", d.run("viktigt", bold=True))
    d.add_footnote("text/n1-analys.md", "Enligt enhetens egen räkning.")
    d.append_runs("text/n1-analys.md", d.run(" är att insatserna når fram."))
    d.set_text("text/n2-analys.md", "Analysen är omskriven i Word.")
    d.add_list("text/n2-analys.md", ["Första punkten", "Andra punkten"])
    d.set_text(motivering, "Motiveringen är ändrad i utkastet.")
    d.add_after("text/n3-analys.md", "Ett nytt sista stycke i analysen.")
    d.add_before_heading_of("text/n5-analys.md", "En mening skriven utanför textfälten.")
    # Edited on both sides: in the draft, and in the data after the draft was built.
    d.set_text("text/n4-analys.md", "Utkastets version av analysen.")
    replace_text(data / "text" / "n4-analys.md", "", "Datas nya första mening. ")
    d.save(tmp_path / "redigerad.docx")
    saved = libreoffice_save(tmp_path / "redigerad.docx", tmp_path / "sparad")

    result = run_cli("hamta", str(saved), str(data), "--ja")

    assert result.exit_code == 1, result.output  # the conflict is not written
    out = result.output
    assert "Ändrade texter (4):" in out
    assert "text/n1-analys.md" in out and "vb.yaml, fält mal[1].under[1].under[1].motivering" \
        in out
    assert re.search(r"Ändrade både i utkastet och i data.*\n.*n4-analys\.md", out)
    assert "Utkastets version av analysen." in out and "Datas nya första mening." in out
    assert "Text utanför textfälten, tas inte med (1):" in out
    assert ("  under rubriken \u201dAnalys\u201d: "
            "\u201dEn mening skriven utanför textfälten.\u201d") in out
    assert "Stycken utan textfält räknas till texten de följer (1):" in out
    assert (data / "text" / "n3-analys.md").read_text(encoding="utf-8").rstrip().endswith(
        "Ett nytt sista stycke i analysen.")
    assert "En mening skriven utanför textfälten." not in "".join(
        p.read_text(encoding="utf-8") for p in (data / "text").glob("*.md"))
    n1 = (data / "text" / "n1-analys.md").read_text(encoding="utf-8")
    assert n1.startswith("Fler barn och familjer nåddes tidigt i år. **viktigt**[^1] är att "
                         "insatserna når fram.")
    assert "[^1]: Enligt enhetens egen räkning." in n1
    n2 = (data / "text" / "n2-analys.md").read_text(encoding="utf-8")
    assert "Analysen är omskriven i Word." in n2 and "- Första punkten\n- Andra punkten" in n2
    assert (data / "text" / "n4-analys.md").read_text(encoding="utf-8").startswith(
        "Datas nya första mening.")
    yaml_after = (data / "vb.yaml").read_text(encoding="utf-8")
    comments = [ln for ln in yaml_before.splitlines() if ln.lstrip().startswith("#")]
    assert comments and all(c in yaml_after.splitlines() for c in comments)
    assert field_text(yaml_after, motivering.removeprefix("vb.yaml:")).strip() == \
        "Motiveringen är ändrad i utkastet."
    old = field_text(yaml_before, motivering.removeprefix("vb.yaml:"))
    removed = set(yaml_before.splitlines()) - set(yaml_after.splitlines())
    assert removed and all("motivering:" in ln or ln.strip() in old for ln in removed), removed

    # New numbers arrive, and the draft is built again: both the edits and the numbers.
    replace_text(data / "indikatorer.csv", ";1 137;1 931;2 212;", ";1 137;1 931;2 345;")
    paths = build(data, Options(tmp_path / "ny", documents=("verksamhetsberattelse",)))
    new_docx = next(p for p in paths if p.suffix == ".docx")
    new_pdf = next(p for p in paths if p.suffix == ".pdf")
    words = re.sub(r"[\s\u00a0\u202f]+", " ", body_text(new_docx))
    pdf_words = re.sub(r"[\s\u00a0\u202f]+", " ", " ".join(page.extract_text() or ""
                                              for page in PdfReader(new_pdf).pages))
    for text in ("Fler barn och familjer nåddes tidigt i år.", "Analysen är omskriven i Word.",
                 "Första punkten", "Motiveringen är ändrad i utkastet.",
                 "Enligt enhetens egen räkning.", "2 345"):
        assert text in words, text
        assert text in pdf_words, text
    assert "2 212" not in pdf_words

    # Taking the same draft again finds nothing new to write.
    again = run_cli("hamta", str(saved), str(data), "--ja")
    assert "Inget att skriva: data har redan de övriga texterna som ändrats i utkastet." \
        in again.output


def test_an_edit_of_a_generated_part_is_reported_and_not_taken(drafted, tmp_path):
    data, docx = drafted
    d = Draft(docx)
    locked = next(s for s in d.doc.iter(q("sdt"))
                  if s.find("w:sdtPr/w:tag", NS).get(q("val")).startswith(GENERATED_PREFIX)
                  and "".join(t.text or "" for t in s.iter(q("t"))).startswith("Mål"))
    for t in locked.iter(q("t")):
        t.text = "Ändrad rubrik"
        break
    d.save(tmp_path / "redigerad.docx")
    result = run_cli("hamta", str(tmp_path / "redigerad.docx"), str(data), "--ja")
    assert result.exit_code == 0, result.output
    assert "Ändringar i delar som vbgen skapar, tas inte med (1)" in result.output
    assert "Ändrad rubrik" in result.output
    assert "före första rubriken" not in result.output  # its place is the heading above it


def test_unaccepted_changes_are_not_taken(drafted, tmp_path):
    data, docx = drafted
    d = Draft(docx)
    content = d.paragraphs("text/n1-analys.md")[0]
    ins = etree.SubElement(content, q("ins"), {q("id"): "900", q("author"): "Kim"})
    ins.append(d.run(" Inte godkänd mening."))
    d.save(tmp_path / "redigerad.docx")
    before = (data / "text" / "n1-analys.md").read_text(encoding="utf-8")
    result = run_cli("hamta", str(tmp_path / "redigerad.docx"), str(data), "--ja")
    assert result.exit_code == 0, result.output
    assert "1 spårade ändringar som inte godkänts" in result.output
    assert (data / "text" / "n1-analys.md").read_text(encoding="utf-8") == before


def test_a_file_that_is_no_draft_is_refused(drafted, tmp_path):
    data, _ = drafted
    (final,) = build(data, Options(tmp_path / "slutlig", slutlig=True, formats=("docx",),
                                   documents=("verksamhetsberattelse",)))
    result = run_cli("hamta", str(final), str(data), "--ja")
    assert result.exit_code == 1
    assert f"{final.name}: filen är inget utkast från vbgen" in result.output
    plain = tmp_path / "inte.docx"
    plain.write_bytes(b"inte en zip")
    result = run_cli("hamta", str(plain), str(data), "--ja")
    assert result.exit_code == 1
    assert "inte.docx: filen går inte att läsa som ett Word-dokument (.docx)" in result.output


def test_set_field_changes_only_the_field(tmp_path):
    source = ("# Kommentar överst\nnamnd: Nämnden  # efter värdet\nmal:\n  - id: m1\n"
              "    analys: Gammal text\n      som fortsätter.\n    # kommentar efter\n"
              "    motivering: Kvar\nsist: 1\n")
    out = set_field(source, "mal[1].analys", "Ny text.\n\nMed två stycken.")
    assert out == ("# Kommentar överst\nnamnd: Nämnden  # efter värdet\nmal:\n  - id: m1\n"
                   "    analys: |-\n      Ny text.\n\n      Med två stycken.\n"
                   "    # kommentar efter\n    motivering: Kvar\nsist: 1\n")
    commented = set_field("a: 1\nanalys: gammal  # kommentar\n# under\nb: 2\n", "analys", "Ny.")
    assert commented == "a: 1\nanalys: |-  # kommentar\n  Ny.\n# under\nb: 2\n"
    windows = set_field(source.replace("\n", "\r\n"), "mal[1].analys", "Ny.\n\nTvå.")
    assert windows.count("\r\n") == windows.count("\n")
    added = set_field(source, "mal[1].genomfort_arbete", "Nytt fält.")
    assert field_text(added, "mal[1].genomfort_arbete") == "Nytt fält."
    assert field_text(added, "mal[1].motivering") == "Kvar"


def test_a_draft_that_lost_its_controls_is_refused(drafted, tmp_path):
    data, docx = drafted
    d = Draft(docx)
    for sdt in list(d.doc.iter(q("sdt"))):
        tag = sdt.find("w:sdtPr/w:tag", NS)
        tag.getparent().remove(tag)
    d.save(tmp_path / "utan-namn.docx")
    result = run_cli("hamta", str(tmp_path / "utan-namn.docx"), str(data), "--ja")
    assert result.exit_code == 1
    assert "utan-namn.docx: utkastet har inga textfält kvar" in result.output


def test_links_lists_and_headings_in_a_text_come_back_as_written(kultur, tmp_path):
    text = ("Läs mer på [kommunens webbplats](<https://www.norrvik.se/kultur>).\n\n"
            "### Året i korthet\n\n"
            "1. Första\n2. Andra\n   - under en punkt\n\n"
            "En rad  \nmed en radbrytning och *kursiv* text.")
    (kultur / "text" / "m1-analys.md").write_text(text + "\n", encoding="utf-8")
    (docx,) = build(kultur, Options(tmp_path / "ut", formats=("docx",)))
    draft = read_draft(docx)
    assert draft.texts["text/m1-analys.md"] == text.replace("  \n", "\\\n")
    assert draft.edited() == {}
    with zipfile.ZipFile(docx) as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert 'Target="https://www.norrvik.se/kultur" TargetMode="External"' in rels


def test_libreoffice_makes_a_pdf_of_a_draft(drafted, tmp_path):
    """A draft with its controls (footnotes and heading bookmarks among them) opens and
    prints in LibreOffice, as the final version does."""
    _, docx = drafted
    saved = libreoffice_save(docx, tmp_path / "sparad")  # checks the version, as above
    out = tmp_path / "pdf"
    subprocess.run([SOFFICE or "soffice", f"-env:UserInstallation=file://{tmp_path / 'p'}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(out), str(saved)],
                   check=True, capture_output=True, timeout=300)
    text = " ".join(page.extract_text() or "" for page in PdfReader(out / f"{REPORT}.pdf").pages)
    text = re.sub(r"\s+", " ", text)
    assert "Införandet av GVI" in text and "Group Violence Intervention" in text
    assert "Sammanfattning" in text and "Utkast" in text


LINE = st.text(alphabet="abcåäö XYZ019.,:;!?#-*_'\"[]{}|>&%", min_size=1, max_size=40).map(
    str.strip).filter(bool)
VALUE = st.one_of(
    st.from_regex(r"[a-zåäö][a-zåäö ]{0,20}[a-zåäö]", fullmatch=True),
    LINE.map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'),
    st.lists(LINE, min_size=1, max_size=3).map(lambda ls: "|\n" + "".join(f"  {ln}\n"
                                                                           for ln in ls)),
)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.tuples(VALUE, st.booleans()), min_size=1, max_size=5),
       pick=st.integers(0, 4),
       new=st.lists(st.one_of(LINE, st.just("")), min_size=1, max_size=4).map("\n".join))
@pytest.mark.langsam
def test_set_field_keeps_every_other_field_and_comment(values, pick, new):
    lines = ["# överst"]
    for i, (value, commented) in enumerate(values):
        note = "  # not" if commented and not value.startswith("|") else ""
        lines.append(f"k{i}: {value.rstrip()}{note}")
        lines.append(f"# efter k{i}")
    source = "\n".join(lines) + "\n"
    key = f"k{pick % len(values)}"
    new = new.strip("\n")
    out = set_field(source, key, new)
    assert field_text(out, key).rstrip("\n") == new
    for i in range(len(values)):
        if f"k{i}" != key:
            assert field_text(out, f"k{i}") == field_text(source, f"k{i}")
    assert all(c in out.splitlines() for c in lines if c.startswith("#"))


def test_a_draft_with_a_control_inside_each_paragraph_reads_the_same(drafted, tmp_path):
    """A draft built before texts stood in controls around their paragraphs has a control
    inside each paragraph (and Word keeps such a control when Enter is pressed at a
    paragraph's end): it reads the same."""
    _, docx = drafted
    d = Draft(docx)
    name = "text/n1-analys.md"
    for block in d.controls(name):
        paragraphs = block.findall(f"{q('sdtContent')}/{q('p')}")
        for p in paragraphs:  # the block's paragraphs in its place, each with its control
            block.addprevious(p)
            inline = etree.fromstring(
                f'<w:sdt xmlns:w="{W}"><w:sdtPr><w:alias w:val="Analys"/>'
                f'<w:tag w:val="{name}"/></w:sdtPr><w:sdtContent/></w:sdt>')
            for child in [c for c in p if c.tag != q("pPr")]:
                inline.find(q("sdtContent")).append(child)
            p.append(inline)
        block.getparent().remove(block)
    d.save(tmp_path / "inline.docx")
    draft = read_draft(tmp_path / "inline.docx")
    assert len(d.controls(name)) > 1
    assert draft.edited() == {} and draft.outside == [] and draft.joined == []


def test_a_draft_of_another_namnd_is_refused(drafted, kultur):
    _, docx = drafted
    result = run_cli("hamta", str(docx), str(kultur), "--ja")
    assert result.exit_code == 1
    assert ("vb.yaml: utkastet är byggt av data för Socialnämnden 2024, men mappen har "
            "Kultur- och fritidsnämnden 2023") in result.output


# --- Figures cited from the data ([tal: …]) -------------------------------------------------

CITED = ("Resultatet blev [tal: drift | Summa | avvikelse | mnkr] bättre än budget.\n\n"
         "[tal: drift | Summa | avvikelse | ord: Överskottet/Underskottet] förklaras av "
         "vakanser.^[Totalt [tal: drift | Summa | utfall | tkr] i utfall.]\n")


def test_a_cited_figure_comes_back_as_its_mark_after_libreoffice(tmp_path):
    from .test_citat import folder_with

    folder = folder_with(tmp_path, CITED)
    (docx,) = build(folder, Options(tmp_path / "ut", formats=("docx",),
                                    documents=("verksamhetsberattelse",)))
    d = Draft(docx)
    name = "text/avsnitt.md"
    cited = [s for s in d.doc.iter(q("sdt"))
             if s.find("w:sdtPr/w:tag", NS).get(q("val")).startswith("vbgen-tal:")]
    assert ["".join(t.text for t in s.iter(q("t"))) for s in cited] == [
        "0,6 miljoner kronor", "Överskottet"]
    # The figure's control stands in a paragraph of the text, inside the text's control.
    first = d.paragraph_of(cited[0])
    assert [s.find("w:sdtPr/w:tag", NS).get(q("val"))[:10] for s in first.iter(q("sdt"))] \
        == ["vbgen-tal:"]
    assert first in d.paragraphs(name)
    assert read_draft(docx).edited() == {}
    # The text is edited before and after the figure, and the figure itself typed over.
    runs = [c for c in first if c.tag == q("r")]
    runs[0].find(q("t")).text = "Resultatet blev "
    runs[1].find(q("t")).text = " mycket bättre än budget."
    cited[0].find(".//" + q("t")).text = "9,9 miljoner kronor"
    d.save(tmp_path / "redigerad.docx")
    saved = libreoffice_save(tmp_path / "redigerad.docx", tmp_path / "sparad")

    draft = read_draft(saved)

    assert draft.edited() == {name: (
        "Resultatet blev [tal: drift | Summa | avvikelse | mnkr] mycket bättre än budget.\n\n"
        "[tal: drift | Summa | avvikelse | ord: Överskottet/Underskottet] förklaras av "
        "vakanser.[^1]\n\n[^1]: Totalt [tal: drift | Summa | utfall | tkr] i utfall.")}
    result = run_cli("hamta", str(saved), str(folder), "--ja")
    assert result.exit_code == 0, result.output
    written = (folder / "text" / "avsnitt.md").read_text(encoding="utf-8")
    assert "[tal: drift | Summa | avvikelse | mnkr] mycket bättre" in written
    assert "9,9" not in written and "0,6 miljoner" not in written


def test_a_cited_figure_that_is_a_gap_stays_its_mark_in_a_draft(tmp_path):
    from .test_citat import folder_with

    folder = folder_with(tmp_path, "Besöken blev [tal: besok | Badet | antal] i år.\n")
    (folder / "besok.csv").write_text("kod;plats;antal\nB1;Badet;\n", encoding="utf-8")
    (docx,) = build(folder, Options(tmp_path / "ut", formats=("docx",),
                                    documents=("verksamhetsberattelse",)))
    d = Draft(docx)
    cited = [s for s in d.doc.iter(q("sdt"))
             if s.find("w:sdtPr/w:tag", NS).get(q("val")).startswith("vbgen-tal:")]
    assert ["".join(t.text for t in s.iter(q("t"))) for s in cited] == ["[Saknas: B1: antal]"]
    assert read_draft(docx).edited() == {}


# --- Texts edited both in the draft and in the data ---------------------------------------


@pytest.fixture
def conflicting(kultur, tmp_path) -> tuple[Path, Path, str]:
    """The kultur sample, a draft of it whose first analysis was edited in Word, and the
    same text edited in the data since: the data folder, the draft and the text's name."""
    (docx,) = build(kultur, Options(tmp_path / "ut", formats=("docx",),
                                    documents=("verksamhetsberattelse",)))
    d = Draft(docx)
    name = "text/m1-analys.md"
    first = d.paragraphs(name)[0]
    t = next(first.iter(q("t")))
    t.text = t.text.replace("Kulturskolan har ökat", "Kulturskolan har vuxit")
    d.save(tmp_path / "redigerad.docx")
    replace_text(kultur / name, "Fritidsgårdarna hade", "Fritidsgårdarna fick")
    return kultur, tmp_path / "redigerad.docx", name


def test_a_conflict_is_shown_word_by_word_and_not_written(conflicting):
    data, docx, name = conflicting
    before = (data / name).read_text(encoding="utf-8")
    result = run_cli("hamta", str(docx), str(data), "--ja")
    assert result.exit_code == 1
    assert ("Ändrade både i utkastet och i data sedan utkastet byggdes; skrivs inte (1):\n"
            "  Analys – Fler barn och unga har en aktiv och meningsfull fritid "
            "(text/m1-analys.md)\n"
            "    i data:     \u201dKulturskolan har ökat från 16,3 till …\u201d\n"
            "    i utkastet: \u201dKulturskolan har vuxit från 16,3 till …\u201d\n"
            "    i data:     \u201d… i centralorten. Fritidsgårdarna fick 33 230 besök …\u201d\n"
            "    i utkastet: \u201d… i centralorten. Fritidsgårdarna hade 33 230 besök …\u201d\n"
            ) in result.output
    assert ("1 text skrevs inte, eftersom den ändrats både i utkastet och i data; välj "
            "version med --behall utkast eller --behall data") in result.output
    assert (data / name).read_text(encoding="utf-8") == before


@pytest.mark.parametrize("how", [["--behall", "utkast"], ["--behall", "data"], "u", "d"])
def test_a_conflict_keeps_the_version_chosen(conflicting, how):
    data, docx, name = conflicting
    before = (data / name).read_text(encoding="utf-8")
    if isinstance(how, list):
        result = run_cli("hamta", str(docx), str(data), "--ja", *how)
    else:  # asked for the text, then whether to write
        result = CliRunner().invoke(main, ["hamta", str(docx), str(data)], input=f"{how}\nj\n")
    assert result.exit_code == 0, result.output
    after = (data / name).read_text(encoding="utf-8")
    if "utkast" in how or how == "u":
        assert "Ändrade på båda håll, utkastets version skrivs (1)" in result.output
        assert "Kulturskolan har vuxit" in after and "Fritidsgårdarna hade" in after
    else:
        assert "Ändrade på båda håll, datas version behålls (1)" in result.output
        assert after == before
