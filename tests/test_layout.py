"""The typeset page, checked on every page of every built sample document.

What a reader sees as broken layout, measured from the PDF's own glyph and box positions
(pdfplumber): text outside the text area set by ``@page`` in the stylesheet, glyphs drawn on
top of each other, text running across a table cell's edge, a page with nothing but header
and footer, a table row cut by a page break, and a chart whose numbers misstate its figures
or that does not say where they come from.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import docx
import pdfplumber
import pikepdf
import pytest
from docx.oxml.ns import qn

from vbgen.build import Options, build
from vbgen.resources import styles_dir
from vbgen.writers.charts import PALETTE, Chart

from .conftest import KULTUR, SAMPLE, copy_kultur
from .pdfdiagram import placed_charts, read_chart
from .test_charts import check_axis, check_marks

DOCUMENTS = ["verksamhetsberattelse", "tjanstskrivelse"]
CM = 72 / 2.54
#: How far (pt) a glyph may reach past an edge: anti-aliasing and font side bearings.
SLACK = 0.8
FOOTER = re.compile(r"^Sida \d+ \(\d+\)$")


def _margins() -> tuple[float, float, float, float]:
    """The page margins (top, right, bottom, left) in pt, from the stylesheet's ``@page``."""
    css = (styles_dir() / "rapport.css").read_text(encoding="utf-8")
    page = re.search(r"@page\s*\{[^}]*?margin:\s*([^;]+);", css)
    assert page, "rapport.css har ingen marginal i @page"
    values = [float(v.removesuffix("cm")) * CM for v in page.group(1).split()]
    assert len(values) == 4
    return values[0], values[1], values[2], values[3]


def _colour(name: str) -> tuple[float, float, float]:
    css = (styles_dir() / "rapport.css").read_text(encoding="utf-8")
    found = re.search(rf"--{name}:\s*#([0-9a-fA-F]{{6}})", css)
    assert found, f"--{name} saknas i rapport.css"
    h = found.group(1)
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


class Page:
    """What the checks need of one page: its words, glyphs and table cell boxes."""

    def __init__(self, number: int, page: pdfplumber.page.Page,
                 cell_colours: list[tuple[float, float, float]]) -> None:
        self.number = number
        self.width, self.height = float(page.width), float(page.height)
        self.words = page.extract_words(use_text_flow=False, keep_blank_chars=False)
        # Each glyph keeps its place in the content stream: neighbours there are one run of
        # text, which kerning may legitimately draw slightly overlapping.
        self.chars = [dict(c, order=i) for i, c in enumerate(page.chars) if c["text"].strip()]
        self.images = len(page.images) + len(page.curves) + len(page.rects)

        def is_cell(r) -> bool:  # type: ignore[no-untyped-def]
            fill = r.get("non_stroking_color")
            return (r.get("fill") and isinstance(fill, tuple | list) and len(fill) == 3
                    and any(all(abs(a - b) < 0.01 for a, b in zip(fill, c, strict=True))
                            for c in cell_colours))
        self.cells = [r for r in page.rects if is_cell(r)]


def _pages(path: Path) -> list[Page]:
    colours = [_colour("accent"), _colour("zebra")]
    with pdfplumber.open(path) as pdf:
        return [Page(i, p, colours) for i, p in enumerate(pdf.pages, start=1)]


@pytest.fixture(scope="module")
def layout(built_all: list[Path]) -> dict[str, list[Page]]:
    """The pages of each built sample PDF, by document name."""
    pdfs = {p.name.split("-")[0]: p for p in built_all if p.suffix == ".pdf"}
    assert set(pdfs) == set(DOCUMENTS)
    return {name: _pages(path) for name, path in pdfs.items()}


def _where(page: Page, x: float, y: float) -> str:
    return f"sida {page.number}, x={x:.0f} y={y:.0f}"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_text_stays_in_the_text_area(layout, name):
    top, right, bottom, left = _margins()
    problems = []
    for page in layout[name]:
        header = [w for w in page.words if w["bottom"] <= top + SLACK]
        footer = [w for w in page.words if w["top"] >= page.height - bottom - SLACK]
        footer_text = " ".join(w["text"] for w in footer)
        if footer and not FOOTER.match(footer_text):
            problems.append(f"sida {page.number}: text i bottenmarginalen: {footer_text!r}")
        if header and max(w["top"] for w in header) - min(w["top"] for w in header) > 2:
            problems.append(f"sida {page.number}: mer än sidhuvudets rad i toppmarginalen")
        for w in page.words:
            if w["x0"] < left - SLACK or w["x1"] > page.width - right + SLACK:
                problems.append(f"{_where(page, w['x0'], w['top'])}: {w['text']!r} står "
                                "utanför satsytan")
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_glyphs_on_top_of_each_other(layout, name):
    problems = []
    for page in layout[name]:
        lines: dict[int, list[dict]] = defaultdict(list)
        for c in page.chars:
            lines[round(c["bottom"])].append(c)
        for chars in lines.values():
            chars.sort(key=lambda c: c["x0"])
            for a, b in zip(chars, chars[1:], strict=False):
                kerned = abs(a["order"] - b["order"]) == 1
                if a["x1"] - b["x0"] > SLACK and not kerned:
                    problems.append(f"{_where(page, b['x0'], b['top'])}: {a['text']!r} och "
                                    f"{b['text']!r} ligger på varandra")
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_text_across_a_cell_edge(layout, name):
    problems = []
    for page in layout[name]:
        for c in page.chars:
            mid = (c["top"] + c["bottom"]) / 2
            for r in page.cells:
                if not r["top"] <= mid <= r["bottom"]:
                    continue
                for edge in (r["x0"], r["x1"]):
                    if c["x0"] + SLACK < edge < c["x1"] - SLACK:
                        problems.append(f"{_where(page, c['x0'], c['top'])}: {c['text']!r} "
                                        "går över en tabellcells kant")
    assert not problems, "\n".join(sorted(set(problems))[:30])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_page_without_content(layout, name):
    top, _, bottom, _ = _margins()
    empty = [page.number for page in layout[name]
             if not page.images and not any(
                 top < w["top"] and w["bottom"] < page.height - bottom for w in page.words)]
    assert not empty, f"sidor med bara sidhuvud och sidfot: {empty}"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_heading_or_caption_ends_a_page(layout, name):
    """A heading or a table caption (bold, in the accent colour) always has text below it."""
    top, _, bottom, _ = _margins()
    accent = _colour("accent")
    problems = []
    for page in layout[name]:
        lines: dict[int, list[dict]] = defaultdict(list)
        for c in page.chars:
            if top < c["top"] and c["bottom"] < page.height - bottom and c["size"] >= 8.4:
                lines[round(c["bottom"])].append(c)  # the page's text, without footnotes
        if not lines or page.number == 1:
            continue
        last = lines[max(lines)]
        colour = last[0].get("non_stroking_color")
        if ("Bold" in last[0]["fontname"] and isinstance(colour, tuple | list)
                and len(colour) == 3
                and all(abs(a - b) < 0.01 for a, b in zip(colour, accent, strict=True))):
            text = "".join(c["text"] for c in sorted(last, key=lambda c: c["x0"]))
            problems.append(f"sida {page.number} slutar med rubriken {text!r}")
    assert not problems, "\n".join(problems)


# --- Table rows across pages -------------------------------------------------------------------


def _kids(elem) -> list:  # type: ignore[no-untyped-def]
    kids = elem.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _body_rows_in_tags(path: Path) -> int:
    """Rows in the table bodies of the PDF's tag tree.

    WeasyPrint tags a table once per page it is on; a row cut by a page break is then
    tagged twice, once in each part, so a split row shows as one row too many.
    """
    count = 0
    with pikepdf.open(path) as pdf:
        todo = _kids(pdf.Root.StructTreeRoot)
        while todo:
            elem = todo.pop()
            if not isinstance(elem, pikepdf.Dictionary) or "/S" not in elem:
                continue
            if elem.S == "/TBody":
                count += sum(1 for k in _kids(elem)
                             if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/TR")
            else:
                todo.extend(_kids(elem))
    return count


def _body_rows_in_word(path: Path) -> int:
    """Rows that are not header rows, in every table of the Word file of the same document."""
    body = docx.Document(str(path)).element.body
    return sum(1 for tr in body.iter(qn("w:tr"))
               if tr.find(qn("w:trPr")) is None
               or tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is None)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_table_row_split_across_pages(built_all, name):
    files = {p.suffix: p for p in built_all if p.name.startswith(name + "-")}
    in_pdf, in_word = _body_rows_in_tags(files[".pdf"]), _body_rows_in_word(files[".docx"])
    assert in_pdf == in_word, (f"{in_pdf - in_word} tabellrader delas mellan två sidor "
                               f"({in_pdf} radtaggar i PDF:en, {in_word} rader i tabellerna)")


def test_a_page_break_before_a_chapter_adds_no_empty_page(tmp_path):
    from vbgen.model import doc
    from vbgen.writers.docx import write_docx
    from vbgen.writers.pdf import write_pdf

    document = doc.Document("Prov", [
        doc.Heading(1, [doc.Text("Ett")], id="ett"), doc.Paragraph([doc.Text("Text.")]),
        doc.PageBreak(), doc.Heading(1, [doc.Text("Två")], id="tva"),
        doc.Paragraph([doc.Text("Mer text.")])])
    pdf = tmp_path / "prov.pdf"
    pdf.write_bytes(write_pdf(document, styles_dir() / "rapport.css", tmp_path))
    assert len(_pages(pdf)) == 2
    word = docx.Document(io.BytesIO(write_docx(document, styles_dir() / "referens.docx")))
    assert not list(word.element.body.iter(qn("w:br")))


def _table(role: str = "") -> object:
    from vbgen.model import doc

    def cell(text: str, align: str = "left") -> doc.Cell:
        return doc.Cell([doc.Text(text)], align=align)  # type: ignore[arg-type]

    head = [doc.Row([cell("Verksamhet"), cell("Utfall föregående år", "right")])]
    body = [doc.Row([cell("Insatser till personer med funktionsnedsättning (ej LSS/SFB)"),
                     cell("\u2212501\u00a0534", "right")])]
    return doc.Table("Prov", head, body, role=role)


def test_column_widths_fill_the_text_width_and_never_wrap_a_number():
    from vbgen.writers.widths import TEXT_WIDTH_CM, column_widths, text_width

    total = TEXT_WIDTH_CM / 2.54 * 72
    widths = column_widths(_table())  # type: ignore[arg-type]
    assert sum(widths) == pytest.approx(total)
    assert widths[1] > text_width("\u2212501\u00a0534") + 6  # the number and the padding
    assert widths[1] > text_width("föregående", bold=True)   # the longest header word
    small = column_widths(_table("liten"))  # type: ignore[arg-type]
    assert small[1] < widths[1]


def test_an_assessment_symbol_is_measured_at_its_size_with_the_word_after_it():
    """The symbol is set half again as large as its text and a no-break space holds the
    first word to it: a column is never narrower than both."""
    from vbgen.model import doc
    from vbgen.writers.widths import (
        CELL_PADDING_PT,
        SYMBOL_SCALE,
        TABLE_FONT_PT,
        column_widths,
        text_width,
    )

    cell = doc.Cell([doc.Span([doc.Text("●")], role="niva-1"),
                     doc.Text(" Delvis uppfyllt")])
    table = doc.Table("Prov", [doc.Row([doc.Cell([doc.Text("Mål")]),
                                        doc.Cell([doc.Text("Bedömning")])])],
                      [doc.Row([doc.Cell([doc.Text(" ".join(["ord"] * 60))]), cell])])
    together = (text_width("●", size=TABLE_FONT_PT * SYMBOL_SCALE)
                + text_width(" Delvis"))
    assert together > text_width("● Delvis") + 1  # the symbol's size counts
    assert column_widths(table)[1] >= together + CELL_PADDING_PT


# --- Charts ------------------------------------------------------------------------------------


def _shown_charts(folder: Path, out: Path) -> tuple[list[Chart], list[str], Path]:
    """The charts the verksamhetsberättelse of ``folder`` shows, in order, the colours they
    are drawn in and their chart style."""
    from vbgen import build as building
    from vbgen.writers import stil

    shown: list[Chart] = []

    class Recording(building._unrendered()):  # type: ignore[misc]
        def render(self, chart: Chart):  # type: ignore[no-untyped-def]
            shown.append(chart)
            return super().render(chart)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(building, "_unrendered", lambda: Recording)
        _, _, styles = building.compose_all(
            folder, Options(out, documents=("verksamhetsberattelse",)), draw=False)
    return (shown, stil.palette_of(styles.tokens()) or PALETTE,
            styles.file("diagram.mplstyle"))


@pytest.fixture(scope="module")
def sample_reports(built, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Each sample's data folder and its verksamhetsberättelse as PDF."""
    kultur = copy_kultur(tmp_path_factory.mktemp("kultur"))
    (pdf,) = build(kultur, Options(tmp_path_factory.mktemp("ut"), formats=("pdf",),
                                   documents=("verksamhetsberattelse",)))
    return {SAMPLE.name: (SAMPLE, built["pdf"]), KULTUR.name: (kultur, pdf)}


@pytest.mark.parametrize("sample", [SAMPLE.name, KULTUR.name])
def test_every_chart_states_its_figures_and_their_source(sample_reports, sample, tmp_path):
    """Read back from the PDF: each tick label is its value, evenly spaced and where its
    value lies; every figure within the labelled range, bars from zero, the legend in series
    order; and under each chart "Diagram: …. Källa: …"."""
    folder, pdf = sample_reports[sample]
    charts, colours, style = _shown_charts(folder, tmp_path)
    placed = placed_charts(pdf)
    assert len(placed) == len(charts) > 0
    with pdfplumber.open(pdf) as document:
        for chart, where in zip(charts, placed, strict=True):
            page = document.pages[where.page - 1]
            x0, top, x1, bottom = where.box
            read = read_chart(page.crop((x0 - 1, top - 1, x1 + 1, bottom + 1)), colours,
                              where.patterns, style)
            check_axis(read, chart)
            check_marks(read, chart)
            below = page.crop((x0, bottom, x1, min(page.height, bottom + 40)))
            caption = " ".join((below.extract_text() or "").split())
            assert chart.kalla, chart.titel
            assert caption.startswith(f"Diagram: {chart.titel}. Källa: {chart.kalla}."), \
                f"sida {where.page}: {caption!r}"


# --- Both samples, both formats: what a kommunikatör signs off ---------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
#: A font none of the samples uses: the only one LibreOffice may fall back to when it runs
#: without the document's fonts, so that a glyph set in it shows the font was missing.
FALLBACK = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
RENDERINGS = [f"{sample}-{kind}" for sample in ("social", "kultur")
              for kind in ("pdf", "word", "word-utan-typsnitt")]


class Rendering:
    """A sample report as a reader gets it, page by page, with the look its identity
    declares (the accent colour, the size of a chapter's heading)."""

    def __init__(self, pdf: Path, stylesheet: Path, identity: Path | None = None) -> None:
        from vbgen.stylechain import read_identity
        from vbgen.writers import stil

        tokens = stil.identity(stylesheet, styles_dir() / "rapport.css")
        if identity is not None:  # the nämnd's own values over the kommun's
            tokens |= {name: value for name, value, _ in read_identity(identity)}
        self.accent = tuple(int(tokens["accent"][i:i + 2], 16) / 255 for i in (1, 3, 5))
        self.chapter_size = stil.points(tokens["rubrik-1"])
        self.title_size = stil.points(tokens["titel"])
        self.logo_width = stil.points(tokens["logotyp-bredd"])
        #: The title page's field of the accent colour, as declared: width and height (pt).
        self.field = (stil.points(tokens["titelsida-falt"]),
                      stil.points(tokens["titelsida-falt-hojd"]))
        self.pdf = pdf
        with pdfplumber.open(pdf) as document:
            self.pages = [(p.extract_words(extra_attrs=["size", "non_stroking_color",
                                                        "fontname"]),
                           float(p.height), p.extract_text() or "") for p in document.pages]


def _office_pdf(docx_file: Path, out: Path, fonts: Path | None) -> Path:
    """The Word file laid out by LibreOffice: with the fonts of ``fonts`` installed and no
    others but the fallback, or (``None``) with only the fallback, so that what it shows
    comes from the fonts the file embeds."""
    out.mkdir(parents=True)
    (out / "fallback").mkdir()
    shutil.copy(FALLBACK, out / "fallback")
    dirs = "".join(f"<dir>{d}</dir>" for d in [out / "fallback", *([fonts] if fonts else [])])
    (out / "fonts.conf").write_text(
        f'<?xml version="1.0"?><fontconfig>{dirs}<cachedir>{out / "cache"}</cachedir>'
        "</fontconfig>", encoding="utf-8")
    env = dict(os.environ, FONTCONFIG_FILE=str(out / "fonts.conf"))
    subprocess.run([str(SOFFICE), f"-env:UserInstallation={(out / 'profil').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(out),
                    str(docx_file)], env=env, capture_output=True, timeout=300, check=True)
    return out / (docx_file.stem + ".pdf")


@pytest.fixture(scope="module")
def renderings(built, tmp_path_factory) -> dict[str, Rendering]:
    """Each sample's report as PDF and as Word laid out by LibreOffice, with and without
    the report's fonts installed."""
    if SOFFICE is None or not FALLBACK.is_file():
        pytest.skip("LibreOffice and DejaVu Sans Mono are needed; scripts/test.sh installs them")
    kultur = copy_kultur(tmp_path_factory.mktemp("kultur"))
    files = {p.suffix: p for p in build(kultur, Options(
        tmp_path_factory.mktemp("ut"), documents=("verksamhetsberattelse",)))}
    profile_styles = kultur.parent / "norrviks-kommun" / "stilar"
    samples = {"social": ({".pdf": built["pdf"], ".docx": built["docx"]}, styles_dir(), None),
               "kultur": (files, profile_styles, kultur / "stilar" / "identitet.css")}
    out: dict[str, Rendering] = {}
    for sample, (paths, styles, identity) in samples.items():
        sheet = styles / "rapport.css"
        work = tmp_path_factory.mktemp(sample)
        out[f"{sample}-pdf"] = Rendering(paths[".pdf"], sheet, identity)
        out[f"{sample}-word"] = Rendering(
            _office_pdf(paths[".docx"], work / "med", styles / "fonts"), sheet, identity)
        out[f"{sample}-word-utan-typsnitt"] = Rendering(
            _office_pdf(paths[".docx"], work / "utan", None), sheet, identity)
    return out


def _segments(words: list[dict]) -> list[list[dict]]:
    """The words of a page in runs along a line: a table cell's line, or a paragraph's."""
    lines: dict[int, list[dict]] = defaultdict(list)
    for w in words:
        lines[round(w["bottom"])].append(w)
    runs = []
    for line in lines.values():
        line.sort(key=lambda w: w["x0"])
        run = [line[0]]
        for w in line[1:]:
            if w["x0"] - run[-1]["x1"] > 0.9 * w["size"]:
                runs.append(run)
                run = []
            run.append(w)
        runs.append(run)
    return runs


def _next_line(run: list[dict], runs: list[list[dict]]) -> list[dict] | None:
    """The run on the line below ``run`` that starts or ends where it does (the next line
    of the same paragraph or cell)."""
    size = run[-1]["size"]
    for other in runs:
        gap = other[0]["top"] - run[-1]["bottom"]
        if -1 < gap < 0.45 * size and (abs(other[0]["x0"] - run[0]["x0"]) < 2
                                       or abs(other[-1]["x1"] - run[-1]["x1"]) < 2):
            return other
    return None


_UNIT_WORDS = {"%", "kr", "tkr", "mnkr", "mdkr", "st", "år", "procent", "kronor"}


@pytest.mark.parametrize("name", RENDERINGS)
def test_no_number_or_unit_broken_from_itself(renderings, name):
    """No number broken inside itself ("501 5 / 34"), no unit or % first on a line."""
    problems = []
    for n, (words, _, _) in enumerate(renderings[name].pages, start=1):
        runs = _segments(words)
        for run in runs:
            below = _next_line(run, runs)
            if below is None or not re.search(r"\d$", run[-1]["text"]):
                continue
            first = below[0]["text"]
            if re.fullmatch(r"\d{1,3}([,)%].*)?", first) and re.fullmatch(
                    r"[−-]?\d{1,3}", run[-1]["text"]):
                problems.append(f"sida {n}: talet {run[-1]['text']} / {first} är delat")
            elif first in _UNIT_WORDS:
                problems.append(f"sida {n}: {first!r} står först på raden efter "
                                f"{run[-1]['text']!r}")
    assert not problems, "\n".join(problems[:30])


#: The assessment symbols of the samples' scales.
SYMBOLS = set("●◕◑◔○")


@pytest.mark.parametrize("name", RENDERINGS)
def test_an_assessment_symbol_stands_beside_the_first_word_of_its_text(renderings, name):
    """On the symbol's line, right after it, stands its text: never alone on a line."""
    problems, seen = [], 0
    for n, (words, _, _) in enumerate(renderings[name].pages, start=1):
        for w in words:
            if w["text"] not in SYMBOLS:
                continue
            seen += 1
            if not any(0 <= o["x0"] - w["x1"] < w["size"] and o["top"] < w["bottom"]
                       and w["top"] < o["bottom"] for o in words if o is not w):
                problems.append(f"sida {n}: symbolen {w['text']} står utan sin text "
                                f"(x={w['x0']:.0f}, y={w['top']:.0f})")
    assert seen > 3
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", RENDERINGS)
def test_no_table_header_is_hyphenated(renderings, name):
    problems = []
    for n, (words, _, _) in enumerate(renderings[name].pages, start=1):
        for run in _segments(words):
            last = run[-1]
            colour = last.get("non_stroking_color")
            white = isinstance(colour, tuple | list) and all(c > 0.95 for c in colour)
            if white and re.search(r"\w-$", last["text"]):
                problems.append(f"sida {n}: rubrikcellen avstavas: {last['text']!r}")
    assert not problems, "\n".join(problems)


def _chapter_starts(rendering: Rendering) -> set[int]:
    return {n for n, (words, _, _) in enumerate(rendering.pages, start=1)
            if any(w["size"] >= rendering.chapter_size - 0.5 for w in words)}


@pytest.mark.parametrize("name", RENDERINGS)
def test_no_page_under_30_percent_full_but_a_chapters_last(renderings, name):
    rendering = renderings[name]
    top, _, bottom, _ = _margins()
    starts = _chapter_starts(rendering)
    thin = []
    for n, (words, height, _) in enumerate(rendering.pages, start=1):
        body = [w for w in words if top < w["top"] and w["bottom"] < height - bottom]
        if n == 1 or n == len(rendering.pages) or n + 1 in starts or not body:
            continue  # the cover, the last page, a chapter's last page
        full = (max(w["bottom"] for w in body) - top) / (height - top - bottom)
        if full < 0.3:
            thin.append(f"sida {n} är {full:.0%} full")
    assert not thin, "\n".join(thin)


@pytest.mark.parametrize("name", RENDERINGS)
def test_no_heading_at_a_pages_foot(renderings, name):
    rendering = renderings[name]
    top, _, bottom, _ = _margins()
    problems = []
    for n, (words, height, _) in enumerate(rendering.pages[1:], start=2):
        body = [w for w in words if top < w["top"] and w["bottom"] < height - bottom
                and w["size"] >= 8.4]  # the page's text, without footnotes
        if not body:
            continue
        last = max(body, key=lambda w: w["bottom"])
        colour = last.get("non_stroking_color")
        if ("Bold" in last["fontname"] and isinstance(colour, tuple | list) and len(colour) == 3
                and all(abs(a - b) < 0.01 for a, b in zip(colour, rendering.accent,
                                                          strict=True))):
            problems.append(f"sida {n} slutar med rubriken {last['text']!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", RENDERINGS)
def test_the_contents_page_numbers_are_the_pages(renderings, name):
    """Each line of the contents names the page its heading is on, in this rendering."""
    pages = [" ".join(text.replace("\u00a0", " ").split())
             for _, _, text in renderings[name].pages]
    entries = re.findall(r"^(.+?)[ .]*\.{3,}[ .]*(\d+)$", renderings[name].pages[1][2],
                         re.MULTILINE)
    assert len(entries) > 10
    wrong = []
    for title, number in entries:
        key = " ".join(title.replace("\u00a0", " ").split())[:30]
        if int(number) > len(pages) or key not in pages[int(number) - 1]:
            found = [n for n, text in enumerate(pages[2:], start=3) if key in text]
            wrong.append(f"{key!r}: sida {number} i innehållet, står på {found[:3]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", [r for r in RENDERINGS if r.endswith("utan-typsnitt")])
def test_the_word_file_brings_its_fonts(renderings, name):
    """Without the report's fonts on the computer, nothing is set in another font."""
    fallback = {w["text"] for words, _, _ in renderings[name].pages for w in words
                if "Mono" in w["fontname"]}
    assert not fallback, f"satt i ett ersättningstypsnitt: {sorted(fallback)[:20]}"


def title_page_field(pdf: Path, accent: tuple[int, int, int], at: Path) -> tuple[int, int]:
    """The field of the ``accent`` colour along the left of ``pdf``'s first page, as a
    reader sees it: its width and height in points (0, 0 where there is none)."""
    import numpy as np
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(at)], check=True)
    with Image.open(at.with_suffix(".png")) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    # At 72 dpi a pixel is a point: the columns of the colour taller than any text.
    left = pixels[:, :pixels.shape[1] // 3]
    runs = (np.abs(left - np.array(accent)).max(axis=2) <= 6).sum(axis=0)
    tall = runs[runs > 100]
    return len(tall), int(tall.max(initial=0))


@pytest.mark.parametrize("name", RENDERINGS)
def test_the_title_page_has_the_field_its_identity_declares(renderings, name, tmp_path):
    """The field along the title page's left edge, where the identity has one: as wide and
    as tall as declared, in the accent colour, in the PDF and in the Word file alike."""
    rendering = renderings[name]
    accent = tuple(round(c * 255) for c in rendering.accent)
    wide, high = title_page_field(rendering.pdf, accent, tmp_path / "titelsida")
    declared_wide, declared_high = rendering.field
    assert abs(wide - declared_wide) <= 2, f"fältet är {wide} pt brett, inte {declared_wide}"
    if declared_wide:
        assert abs(high - declared_high) <= 3, f"fältet är {high} pt högt, inte {declared_high}"


@pytest.mark.parametrize("name", [r for r in RENDERINGS if "-word" in r])
def test_the_title_page_reads_as_in_the_pdf(renderings, name):
    """The Word file's title page as the PDF's: the title as far down and as far in, the
    logotype as wide (the identity's --titel-avstand, --titelsida-falt, --logotyp-bredd)."""
    word = renderings[name]
    pdf = renderings[name.split("-")[0] + "-pdf"]

    def title(rendering: Rendering) -> dict:
        words = [w for w in rendering.pages[0][0] if w["size"] >= rendering.title_size - 1]
        assert words, "ingen titel på titelsidan"
        return min(words, key=lambda w: (round(w["top"]), w["x0"]))

    assert abs(title(word)["top"] - title(pdf)["top"]) <= 6
    assert abs(title(word)["x0"] - title(pdf)["x0"]) <= 3
    # A draft's band: as far down, its word as wide (the letters as far apart).
    band = [[w for w in r.pages[0][0] if w["text"] == "Utkast" and w["size"] > 15]
            for r in (word, pdf)]
    assert len(band[0]) == len(band[1]) == (1 if name.startswith("kultur") else 0)
    if band[0]:
        (in_word,), (in_pdf,) = band
        assert abs(in_word["top"] - in_pdf["top"]) <= 4
        assert abs((in_word["x1"] - in_word["x0"]) - (in_pdf["x1"] - in_pdf["x0"])) <= 3

    # The PDF draws an SVG logotype as paths; the Word file's is the widest picture (the
    # field is one too), as wide as the identity declares.
    with pdfplumber.open(word.pdf) as document:
        widths = [i["x1"] - i["x0"] for i in document.pages[0].images if i["width"] < 300]
    if name.startswith("kultur"):
        assert abs(max(widths) - word.logo_width) <= 1
    else:
        assert not widths  # the built-in styles have no logotype
