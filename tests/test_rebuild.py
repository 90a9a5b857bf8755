"""Rebuilds: nothing is redone when nothing changed, and the quicker ways give the same files."""

import io
import json
import shutil
import subprocess
import sys

import pikepdf
import pytest

from vbgen.model import doc
from vbgen.resources import styles_dir
from vbgen.writers import pdf as pdf_writer

from .conftest import run_cli, word_document

REPORT = "verksamhetsberattelse"


def _build_cli(data, out, *extra):
    return run_cli("build", str(data), "--ut", str(out), "--dokument", REPORT, *extra)


def _state(out):
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir() if p.is_file()}


def test_nothing_changed_is_said_and_nothing_written(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    first = _build_cli(sample_copy, out, "--format", "docx")
    assert first.exit_code == 0 and "Skrev" in first.output
    before = _state(out)
    again = _build_cli(sample_copy, out, "--format", "docx")
    assert again.exit_code == 0
    assert "Skrev" not in again.output
    assert "Inget har ändrats sedan förra bygget" in again.output
    assert _state(out) == before


def test_another_folder_into_the_same_output_is_built(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    _build_cli(sample_copy, out, "--format", "docx")
    twin = tmp_path / "tvilling"
    shutil.copytree(sample_copy, twin)
    result = _build_cli(twin, out, "--format", "docx")
    assert "Inget har ändrats" not in result.output


def test_an_edited_text_is_built_again(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    _build_cli(sample_copy, out, "--format", "docx")
    with (sample_copy / "text" / "sammanfattning.md").open("a", encoding="utf-8") as fh:
        fh.write("\nEn alldeles ny mening om året.\n")
    result = _build_cli(sample_copy, out, "--format", "docx")
    assert "Skrev" in result.output and "Inget har ändrats" not in result.output

    text = "\n".join(p.text for p in word_document(next(out.glob("*.docx"))).paragraphs)
    assert "En alldeles ny mening om året." in text


def test_other_options_a_removed_file_or_a_changed_style_build_again(sample_copy, tmp_path,
                                                                      warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    _build_cli(sample_copy, out, "--format", "docx")
    # Another format is another build.
    assert "Skrev" in _build_cli(sample_copy, out, "--format", "pdf").output
    assert "Inget har ändrats" in _build_cli(sample_copy, out, "--format", "pdf").output
    next(out.glob("*.pdf")).unlink()
    assert "Skrev" in _build_cli(sample_copy, out, "--format", "pdf").output
    styles = tmp_path / "stilar"
    styles.mkdir()
    (styles / "diagram.mplstyle").write_text(
        (styles_dir() / "diagram.mplstyle").read_text(encoding="utf-8"), encoding="utf-8")
    assert "Skrev" in _build_cli(sample_copy, out, "--format", "pdf", "--stilar",
                                 str(styles)).output
    with (styles / "diagram.mplstyle").open("a", encoding="utf-8") as fh:
        fh.write("# en kommentar\n")
    assert "Skrev" in _build_cli(sample_copy, out, "--format", "pdf", "--stilar",
                                 str(styles)).output


def test_notes_are_repeated_when_nothing_changed(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    args = ("build", str(sample_copy), "--ut", str(out), "--format", "docx")
    first = run_cli(*args)
    notes = [line for line in first.output.splitlines() if line.startswith("Obs: ")]
    assert len(notes) == 2  # two goals assessed otherwise than their indicators suggest
    again = run_cli(*args)
    assert [line for line in again.output.splitlines() if line.startswith("Obs: ")] == notes
    assert "Inget har ändrats" in again.output


def _in_fresh_python(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _raw_tagged_pdf() -> bytes:
    """What WeasyPrint writes for a small document with a running header, before repairs."""
    from weasyprint import CSS, HTML

    document = doc.Document(title="Prov", header="Sidhuvud", blocks=[
        doc.Heading(1, [doc.Text("Rubrik")], id="rubrik"),
        *[doc.Paragraph([doc.Text(f"Stycke {i} " * 40)]) for i in range(40)],
        doc.Table("Tabell", [doc.Row([doc.Cell([doc.Text("A")]), doc.Cell([doc.Text("B")])])],
                  [doc.Row([doc.Cell([doc.Text("1")], header=True),
                            doc.Cell([doc.Text("2")])])])])
    return HTML(string=pdf_writer.to_html(document)).write_pdf(
        stylesheets=[CSS(filename=str(styles_dir() / "rapport.css"))],
        pdf_variant="pdf/ua-1")


@pytest.mark.langsam
def test_artifacts_by_byte_edit_equal_those_by_parsing():
    raw = _raw_tagged_pdf()
    pages = {}
    for fast in (True, False):
        with pikepdf.open(io.BytesIO(raw)) as pdf:
            changed = pdf_writer._artifact_margins(pdf, pdf_writer._structure(pdf), fast)
            pages[fast] = [[([str(o) for o in operands], str(op))
                            for operands, op in pikepdf.parse_content_stream(page)]
                           for page in pdf.pages]
            assert changed == len(pdf.pages) > 1
    assert pages[True] == pages[False]
    assert any(ops[0] == ["/Artifact", str(pikepdf.Dictionary(Type=pikepdf.Name.Pagination))]
               for page in pages[True] for ops in page)


def _document_xml(path):
    import zipfile

    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml")


@pytest.mark.langsam
def test_a_word_file_written_while_the_pdf_is_laid_out_reads_as_one_written_after(
        sample_copy, tmp_path, warm_charts):
    """After an edit the Word file is written from the last build's page numbers, in a
    process of its own while the PDF is laid out, and its contents numbered again where the
    PDF's pages moved: it must read as the Word file of a first build, written after."""
    from lxml import etree

    from vbgen.writers.docxpages import _contents_links

    out = tmp_path / "ut"
    warm_charts(out)
    assert _build_cli(sample_copy, out).exit_code == 0
    before = _document_xml(next(out.glob("*.docx")))
    # Long enough to move the chapters after it a page on.
    with (sample_copy / "text" / "sammanfattning.md").open("a", encoding="utf-8") as fh:
        fh.write("\n" + "Ett nytt stycke om året som går. " * 120 + "\n")
    assert _build_cli(sample_copy, out).exit_code == 0
    edited = _document_xml(next(out.glob("*.docx")))
    first = tmp_path / "forsta"
    warm_charts(first)
    assert _build_cli(sample_copy, first).exit_code == 0
    assert edited == _document_xml(next(first.glob("*.docx")))

    def numbers(xml):
        return ["".join(link.itertext()) for link in _contents_links(etree.fromstring(xml))]

    assert numbers(edited) != numbers(before)  # the pages moved: numbered again
