"""Chapters laid out apart and joined give the PDF the whole document gives.

Each sample is laid out twice, in chapters (as a build does) and in one piece, and the two
PDFs are compared as a reader and assistive technology meet them: the text of every page,
the outline, the links, the named destinations, the structure tree (with the ids of table
header cells compared by what they point to), the fonts, and what the accessibility
checkers find. Then the cache: an edited text
lays out only its chapter, and the chapters after it only when its page count changes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from vbgen.build import CACHE, Options, compose_all
from vbgen.model import doc
from vbgen.resources import styles_dir
from vbgen.writers import chapters
from vbgen.writers.cache import LayoutCache
from vbgen.writers.pdf import typeset
from vbgen.writers.workers import Pool

from .conftest import CHART_CACHE, SAMPLE, copy_kultur
from .test_accessibility import _outloud, _pdfua

# --- What a reader meets in a PDF ---------------------------------------------------------


def _texts(data: bytes, tmp: Path) -> list[str]:
    path = tmp / "prov.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")


def _pages(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: i for i, page in enumerate(pdf.pages)}


def _outline(pdf: pikepdf.Pdf) -> list[Any]:
    pages = _pages(pdf)
    found = []

    def walk(item: pikepdf.Object, depth: int) -> None:
        while item is not None:
            dest = item.Dest
            found.append((depth, str(item.Title), int(item.Count), pages[dest[0].objgen],
                          [round(float(v), 2) for v in dest[2:4]]))
            walk(item.get("/First"), depth + 1)
            item = item.get("/Next")

    walk(pdf.Root.Outlines.get("/First"), 0)
    return found


def _links(pdf: pikepdf.Pdf) -> list[Any]:
    return [(i, [round(float(v), 2) for v in a.Rect], str(a.get("/Dest", "")),
             str(a.A.URI) if "/A" in a else "", str(a.get("/Contents", "")), int(a.F),
             int(a.StructParent))
            for i, page in enumerate(pdf.pages) for a in page.obj.get("/Annots", [])]


def _dests(pdf: pikepdf.Pdf) -> dict[str, Any]:
    pages = _pages(pdf)
    return {str(k): (pages[v[0].objgen], [round(float(x), 2) for x in v[2:4]])
            for k, v in pikepdf.NameTree(pdf.Root.Names.Dests).items()}


def _structure(pdf: pikepdf.Pdf) -> Any:
    """The structure tree as plain data; a header cell's id becomes its place in the tree,
    so that cells pointing at it compare alike."""
    pages = _pages(pdf)
    ids: dict[str, int] = {}

    def node(e: Any) -> Any:
        if isinstance(e, int):
            return e
        if e.get("/Type") == "/OBJR":
            return ("objr", pages[e.Pg.objgen], str(e.Obj.get("/Dest", "")))
        attributes = {}
        for key, value in (e.get("/A") or {}).items():
            if key == "/Headers":
                value = [ids.setdefault(str(h), len(ids)) for h in value]
            elif key == "/BBox":
                value = [round(float(x), 2) for x in value]
            attributes[key] = str(value)
        kids = e.get("/K")
        kids = [] if kids is None else list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        return (str(e.S), pages.get(e.Pg.objgen) if "/Pg" in e else None,
                str(e.get("/Alt", "")), ids.setdefault(str(e.ID), len(ids)) if "/ID" in e
                else None, attributes, [node(k) for k in kids])

    root = pdf.Root.StructTreeRoot
    nums = root.ParentTree.Nums
    parents = {}
    for i in range(0, len(nums), 2):
        value = nums[i + 1]
        parents[int(nums[i])] = ([str(x.S) if isinstance(x, pikepdf.Dictionary) else None
                                  for x in value] if isinstance(value, pikepdf.Array)
                                 else str(value.S))
    return (node(root.K[0] if isinstance(root.K, pikepdf.Array) else root.K), parents,
            [int(p.obj.StructParents) for p in pdf.pages])


def _fonts(pdf: pikepdf.Pdf) -> dict[str, Any]:
    found = {}
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            cid = font.DescendantFonts[0]
            found.setdefault(str(font.BaseFont), set()).add(
                (cid.FontDescriptor.FontFile2.read_bytes(), cid.W.unparse(),
                 font.ToUnicode.read_bytes()))
    return found


def assert_same_pdf(joined: bytes, whole: bytes, tmp: Path) -> None:
    assert _texts(joined, tmp) == _texts(whole, tmp)
    with pikepdf.open(io.BytesIO(joined)) as a, pikepdf.open(io.BytesIO(whole)) as b:
        assert len(a.pages) == len(b.pages)
        assert _outline(a) == _outline(b)
        assert _links(a) == _links(b)
        assert _dests(a) == _dests(b)
        assert _structure(a) == _structure(b)
        # Each font once, the very one a document laid out in one piece embeds.
        fonts = _fonts(a)
        assert fonts == _fonts(b)
        assert all(len(copies) == 1 for copies in fonts.values())


# --- The samples --------------------------------------------------------------------------


def _documents(folder: Path, out: Path) -> tuple[dict[str, doc.Document], Path, list[Path]]:
    if CHART_CACHE.is_dir():
        shutil.copytree(CHART_CACHE, out / CACHE)
    _, documents, styles = compose_all(folder, Options(out))
    return documents, styles.stylesheet, [*styles.folders, out / CACHE]


@pytest.mark.parametrize("sample", ["socialnamnden", "kulturnamnden"])
def test_chapters_joined_give_the_whole_document(sample: str, tmp_path: Path,
                                                 built_all: list[Path]) -> None:
    folder = SAMPLE if sample == "socialnamnden" else copy_kultur(tmp_path / "data")
    documents, css, readable = _documents(folder, tmp_path / "ut")
    document = documents["verksamhetsberattelse"]
    with Pool.start() as pool:
        laid = typeset(document, css, folder, readable, pool=pool)
        joined = laid.write()
    whole = typeset(document, css, folder, readable, apart=False).write()
    assert len(laid._chapters) > 8  # cut at the level-1 sections, short neighbours together
    assert_same_pdf(joined, whole, tmp_path)
    # The accessibility checkers find in the joined PDF what they find in the whole.
    paths = {}
    for name, data in (("hopfogad", joined), ("hel", whole)):
        paths[name] = tmp_path / f"{name}.pdf"
        paths[name].write_bytes(data)
    for checker in (_outloud, _pdfua):
        assert checker(paths["hopfogad"]) == checker(paths["hel"])


def test_a_short_document_is_laid_out_in_one_piece(tmp_path: Path,
                                                   built_all: list[Path]) -> None:
    documents, css, readable = _documents(SAMPLE, tmp_path / "ut")
    memo = documents["tjanstskrivelse"]
    laid = typeset(memo, css, SAMPLE, readable)
    data = laid.write()
    assert len(laid._chapters) == 1
    assert_same_pdf(data, typeset(memo, css, SAMPLE, readable, apart=False).write(), tmp_path)


# --- Small documents and other style sheets ------------------------------------------------


def _report() -> doc.Document:
    """A report long enough to be cut into chapters: a title page, the contents, and four
    chapters of seven paragraphs with footnotes and a heading 2 in each."""
    blocks: list[doc.Block] = [doc.TitlePage("Prov", ["Nämnden"]),
                               doc.TableOfContents("Innehåll")]
    for n in range(1, 5):
        blocks.append(doc.Heading(1, [doc.Text(f"Kapitel {n}")], id=f"kapitel-{n}"))
        for p in range(7):
            blocks.append(doc.Paragraph([doc.Text(f"Text {n}.{p} som fyller sidan. " * 40),
                                         doc.Footnote([doc.Text(f"Not {n}.{p}.")])]))
            if p == 2:
                blocks.append(doc.Heading(2, [doc.Text(f"Avsnitt {n}.{p}")],
                                          id=f"avsnitt-{n}-{p}"))
    return doc.Document(title="Prov", lang="sv-SE", header="Nämnden – Prov", blocks=blocks)


def _sheet(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "stilar"
    shutil.copytree(styles_dir(), folder)
    css = folder / "rapport.css"
    css.write_text(css.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return css


def test_a_chapter_that_does_not_begin_a_page_is_joined_to_the_one_before(
        tmp_path: Path) -> None:
    # The memo's style: its headings follow the text before them on the same page.
    css = _sheet(tmp_path, "h1 { break-before: auto }\n")
    document = _report()
    cache = LayoutCache()
    pool = _Counting()
    laid = typeset(document, css, tmp_path, [css.parent], pool=pool, cache=cache)
    data = laid.write()
    # The contents still begins a page of its own; the chapters follow it.
    assert [c.first for c in laid._chapters] == [0, 1]
    assert len(pool.laid) > 2  # first laid out apart, then found not to begin pages
    assert_same_pdf(data, typeset(document, css, tmp_path, [css.parent], apart=False).write(),
                    tmp_path)
    # What was found is kept: the next time, the document is not cut there at all.
    pool = _Counting()
    typeset(document, css, tmp_path, [css.parent], pool=pool, cache=cache).write()
    assert pool.laid == []


@pytest.mark.parametrize("extra", [
    "",  # the built-in style
    "h1 ~ p { text-indent: 2em }\np:first-child { color: #222 }\n",  # looks at neighbours
    "h2 { break-before: page }\n",  # more chapters than the outline has
])
def test_other_style_sheets_give_the_whole_document_too(tmp_path: Path, extra: str) -> None:
    css = _sheet(tmp_path, extra)
    document = _report()
    laid = typeset(document, css, tmp_path, [css.parent])
    joined = laid.write()
    assert len(laid._chapters) == 6  # title page, contents, four chapters
    assert_same_pdf(joined, typeset(document, css, tmp_path, [css.parent], apart=False).write(),
                    tmp_path)


@pytest.mark.parametrize("extra, why", [
    ("@page :first { margin-top: 4cm }", "@page :first"),
    ("@page :left { margin-left: 3cm }", "@page :left"),
    ("h2 { counter-increment: avsnitt }", "counter-increment"),
    ("h2 { string-set: avsnitt content() }", "string-set"),
    ("p::after { content: counter(page) }", "counter(page)"),
    ("aside { position: fixed }", "position: fixed"),
])
def test_a_style_that_ties_a_page_to_those_before_it_keeps_the_document_whole(
        tmp_path: Path, extra: str, why: str) -> None:
    base = (styles_dir() / "rapport.css").read_text(encoding="utf-8")
    tags = ["section", "nav", "h1", "h2", "p"]
    assert chapters.check(base, tags).whole == ""
    assert why in chapters.check(base + extra, tags).whole
    css = _sheet(tmp_path, extra)
    laid = typeset(_report(), css, tmp_path, [css.parent])
    assert len(laid._chapters) == 1


def test_what_the_style_sheet_looks_at_around_a_chapter() -> None:
    base = (styles_dir() / "rapport.css").read_text(encoding="utf-8")
    tags = ["h1", "h2", "p", "table", "div", "figure"]
    sheet = chapters.check(base, tags)
    # ".sidbrytning + h1": one element before; "tr:nth-child(even)" never meets a chapter's
    # edge; the footer shows the number of pages.
    assert (sheet.before, sheet.after, sheet.total) == (1, 0, True)
    assert chapters.check("h2 ~ p { color: red }", tags).before is None
    assert chapters.check("p + p + h1 { margin: 0 }", tags).before == 2
    assert chapters.check("p:last-child { margin: 0 }", tags).after == 1
    assert chapters.check("td:last-child, li + li { margin: 0 }", tags) == chapters.Sheet()
    assert chapters.check("@media print { h2:nth-child(2) { color: red } }", tags).before \
        is None


# --- The cache ------------------------------------------------------------------------------


class _Counting(Pool):
    """A pool (in this process) that notes which chapters it lays out."""

    def __init__(self) -> None:
        super().__init__(0)
        self.laid: list[str] = []

    def lay(self, key: str, *args: Any) -> Any:
        self.laid.append(key)
        return super().lay(key, *args)


def _laid_out(laid: Any, keys: list[str]) -> list[int]:
    """The chapters (by number) among the chapters laid out, ``keys``."""
    return sorted(n for n, c in enumerate(laid._chapters) if c.content in keys)


def test_an_edited_text_lays_out_only_its_chapter(tmp_path: Path) -> None:
    css = styles_dir() / "rapport.css"
    cache = LayoutCache()
    first = _report()
    typeset(first, css, tmp_path, [], cache=cache).write()

    edited = _report()
    paragraph = edited.blocks[edited.blocks.index(next(
        b for b in edited.blocks if isinstance(b, doc.Heading) and b.id == "kapitel-3")) + 1]
    assert isinstance(paragraph, doc.Paragraph)
    paragraph.children.insert(0, doc.Text("Ändrad. "))
    pool = _Counting()
    laid = typeset(edited, css, tmp_path, [], pool=pool, cache=cache)
    data = laid.write()
    assert _laid_out(laid, pool.laid) == [4]  # title page, contents, kapitel 1–4
    assert_same_pdf(data, typeset(edited, css, tmp_path, [], apart=False).write(), tmp_path)

    # A page more in chapter 3: the chapters after it move on, and the contents shows it.
    longer = _report()
    at = longer.blocks.index(next(b for b in longer.blocks
                                  if isinstance(b, doc.Heading) and b.id == "kapitel-4"))
    longer.blocks[at:at] = [doc.Paragraph([doc.Text("Mer text. " * 1200)])]
    laid = typeset(longer, css, tmp_path, [], cache=cache)
    data = laid.write()
    assert laid.pages()["kapitel-4"] > typeset(first, css, tmp_path, [], cache=cache
                                               ).pages()["kapitel-4"]
    assert_same_pdf(data, typeset(longer, css, tmp_path, [], apart=False).write(), tmp_path)


def test_a_record_that_is_not_what_vbgen_writes_is_not_used(tmp_path: Path) -> None:
    """The cache's record names files by what vbgen made them, never a path, and facts of
    the wrong kind count as none."""
    import json

    folder = tmp_path / "cache"
    folder.mkdir()
    (tmp_path / "vb.yaml").write_text("hemligt", encoding="utf-8")
    (folder / "kapitel.json").write_text(json.dumps({
        "facts": {"a": {"pages": "två", "anchors": {}, "bookmarks": [], "footnotes": 0,
                        "break_before": "page", "break_after": "auto", "overflow": False},
                  "b": ["inte", "en", "post"]},
        "pdfs": {"c": {"file": "../vb.yaml", "fonts": {}},
                 "d": {"file": "kapitel-" + "0" * 32 + ".pdf", "fonts": []}},
        "apart": ["inte", "en", "tabell"], "pages": 3}), encoding="utf-8")
    cache = LayoutCache(folder)
    assert cache.facts("a") is None and cache.facts("b") is None
    assert cache.pdf("c") is None and cache.pdf("d") is None
    assert cache.pages("verksamhetsberattelse") is None and cache.apart("e")
