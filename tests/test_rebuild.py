"""Rebuilds: nothing is redone when nothing changed, and the quicker ways give the same files."""

import io
import json
import os
import subprocess
import sys
from functools import partial

import pikepdf
import pytest
from PIL import Image

from vbgen import doc, parallel
from vbgen.build import CACHE
from vbgen.charts import Chart, ChartRenderer, Series
from vbgen.resources import styles_dir
from vbgen.writers import pdf as pdf_writer

from .conftest import run_cli
from .test_memo import _drop_memo_block

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


def test_an_edited_text_is_built_again(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    _build_cli(sample_copy, out, "--format", "docx")
    with (sample_copy / "text" / "sammanfattning.md").open("a", encoding="utf-8") as fh:
        fh.write("\nEn alldeles ny mening om året.\n")
    result = _build_cli(sample_copy, out, "--format", "docx")
    assert "Skrev" in result.output and "Inget har ändrats" not in result.output
    import docx

    text = "\n".join(p.text for p in docx.Document(str(next(out.glob("*.docx")))).paragraphs)
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
    _drop_memo_block(sample_copy)
    out = tmp_path / "ut"
    warm_charts(out)
    args = ("build", str(sample_copy), "--ut", str(out), "--format", "docx")
    first = run_cli(*args)
    assert "Tjänsteskrivelsen byggdes inte" in first.output
    again = run_cli(*args)
    assert "Tjänsteskrivelsen byggdes inte" in again.output
    assert "Inget har ändrats" in again.output


def _in_fresh_python(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_docx_build_loads_no_pdf_or_chart_library(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    loaded = _in_fresh_python(
        "import json, sys\n"
        "from pathlib import Path\n"
        "from vbgen.build import Options, build\n"
        f"build(Path({str(sample_copy)!r}), Options(Path({str(out)!r}), formats=('docx',)))\n"
        "print(json.dumps({m: m in sys.modules for m in "
        "('weasyprint', 'pikepdf', 'matplotlib', 'docx')}))\n")
    assert loaded == {"weasyprint": False, "pikepdf": False, "matplotlib": False, "docx": True}


def test_nothing_changed_loads_neither_data_nor_writers(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    _build_cli(sample_copy, out, "--format", "docx")
    loaded = _in_fresh_python(
        "import json, sys\n"
        "from pathlib import Path\n"
        "from vbgen.build import Options, build\n"
        f"notes = []\n"
        f"paths = build(Path({str(sample_copy)!r}), Options(Path({str(out)!r}), "
        f"formats=('docx',), documents=({REPORT!r},)), notes)\n"
        "print(json.dumps({'written': len(paths), **{m: m in sys.modules for m in "
        "('yaml', 'pydantic', 'jinja2', 'docx', 'weasyprint', 'matplotlib')}}))\n")
    assert loaded == {"written": 0, "yaml": False, "pydantic": False, "jinja2": False,
                      "docx": False, "weasyprint": False, "matplotlib": False}


CHARTS = [Chart(id=f"d{i}", typ=typ, titel=f"Diagram {i}", kategorier=["2022", "2023", "2024"],
                serier=[Series("Antal", [1.0 + i, 2.5, None]), Series("Mål", [2.0, 2.0, 3.0])],
                enhet="st")
          for i, typ in enumerate(["linje", "stapel", "grupperad_stapel", "liggande_stapel"])]


def test_charts_drawn_together_are_the_images_drawn_one_by_one(tmp_path):
    style = styles_dir() / "diagram.mplstyle"
    one_by_one = ChartRenderer(tmp_path / "ett", style)
    serial = [one_by_one.render(c).path.read_bytes() for c in CHARTS]
    together = ChartRenderer(tmp_path / "alla", style, defer=True)
    paths = [together.render(c).path for c in CHARTS]
    assert not any(p.exists() for p in paths)
    together.draw_pending()
    assert [p.read_bytes() for p in paths] == serial
    assert sorted(together.drawn) == sorted(c.id for c in CHARTS)
    assert sorted(p.name for p in (tmp_path / "alla").iterdir()) == sorted(p.name for p in paths)


def _png_rows(path):
    data, pos, rows = path.read_bytes(), 8, []
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        if data[pos + 4:pos + 8] == b"IDAT":
            rows.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    return b"".join(rows)


def test_chart_images_go_into_the_pdf_as_drawn(built_all):
    rows = {_png_rows(p): p for p in (built_all[0].parent / CACHE).glob("*.png")}
    pdf_path = next(p for p in built_all if p.suffix == ".pdf" and p.name.startswith(REPORT))
    seen = set()
    with pikepdf.open(pdf_path) as pdf:
        for image in pdf.objects:
            if not (isinstance(image, pikepdf.Stream) and image.get("/Subtype") == "/Image"):
                continue
            png = rows.get(image.read_raw_bytes())
            assert png is not None, "en bild kodades om"
            pixels = pikepdf.PdfImage(image).as_pil_image()
            with Image.open(png) as drawn:
                assert drawn.mode == "RGB"
                assert pixels.tobytes() == drawn.tobytes()
            seen.add(png)
    assert len(seen) == 15


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


def test_an_rgb_png_is_not_encoded_again(tmp_path):
    # Stored with the least compression, which encoding it again would not keep.
    png = tmp_path / "bild.png"
    Image.radial_gradient("L").convert("RGB").resize((300, 200)).save(png, compress_level=1)
    document = doc.Document(title="Bild", blocks=[
        doc.Figure(str(png), "En bild", [doc.Text("Bildtext.")], 8.0)])
    data = pdf_writer.write_pdf(document, styles_dir() / "rapport.css", tmp_path)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        images = [o for o in pdf.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert [i.read_raw_bytes() for i in images] == [_png_rows(png)]
        with Image.open(png) as drawn:
            assert pikepdf.PdfImage(images[0]).as_pil_image().tobytes() == drawn.tobytes()


def test_worker_runs_one_job_and_reports_its_error():
    with parallel.Worker(lambda: None) as worker:
        assert bool(worker.pid) == parallel.can_fork()
        assert worker.submit(partial(sum, [1, 2, 3]))() == 6
        assert worker.pid == 0
    with parallel.Worker(lambda: None) as worker:
        with pytest.raises(ZeroDivisionError):
            worker.submit(partial(divmod, 1, 0))()
    with parallel.Worker(lambda: None) as unused:
        pass
    assert unused.pid == 0


def test_pdf_laid_out_by_the_worker_is_the_same_file(tmp_path):
    from vbgen.build import _pdf, _ready_for_pdf, compose_document
    from vbgen.derive import derive
    from vbgen.load import load

    from .conftest import SAMPLE

    report = load(SAMPLE)
    document = compose_document(report, derive(report), "tjanstskrivelse.j2",
                                ChartRenderer(tmp_path))
    job = partial(_pdf, document, styles_dir() / "rapport.css", SAMPLE)
    with parallel.Worker(_ready_for_pdf) as worker:
        assert worker.submit(job)() == job()


def test_a_failed_build_leaves_no_process_behind(sample_copy, tmp_path):
    from vbgen.build import Options, build
    from vbgen.errors import DataError

    (sample_copy / "vb.yaml").write_text("namnd: [\n", encoding="utf-8")
    with pytest.raises(DataError):
        build(sample_copy, Options(tmp_path / "ut"))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
