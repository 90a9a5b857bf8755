"""Lay out one chapter with WeasyPrint, number its pages and write it as a tagged PDF.

This is the work of a layout process (:mod:`vbgen.writers.workers`); how a document is cut
into chapters is in :mod:`vbgen.writers.chapters`, and how the chapters' PDFs are joined in
:mod:`vbgen.writers.join`.

A chapter is laid out first (:func:`lay`), which tells how many pages it has and where its
headings stand, and kept; its pages are numbered later (:func:`write`), once the pages of the
chapters before it are known. WeasyPrint lays out the page margins (running header and
footer) after the pages' content, from the page counters it kept for each page; a chapter's
margins are left out when it is laid out and laid out when it is numbered, with its first
page number and the document's number of pages, which nothing else on the page depends on.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Bookmarks of one page: (level, label, x, y, state), in PDF units from the bottom left.
Bookmark = tuple[int, str, float, float, str]


@dataclass(frozen=True)
class Job:
    """A chapter to lay out."""

    html: str
    stylesheet: Path
    base_url: Path
    #: The folders the engine may read (style folders, chart images).
    readable: tuple[Path, ...]
    #: Style added to the style sheet: the hidden copies, the first page's number.
    css: str
    #: The anchors on the page of link targets after the chapter's own pages.
    targets: tuple[str, ...] = ()
    #: What the chapter is called: its first heading.
    title: str = ""


@dataclass
class Facts:
    """What laying a chapter out tells: all that its numbering and the join need."""

    pages: int
    #: The page (from 0, in the chapter) of each anchor.
    anchors: dict[str, int]
    bookmarks: list[list[Bookmark]]
    #: Footnotes called in the chapter.
    footnotes: int
    #: The break before the chapter's first box and after its last.
    break_before: str
    break_after: str
    #: Footnotes carried past the chapter's last line, onto a page of their own.
    overflow: bool
    #: Link targets that found no page (a style that hides them).
    lost: list[str] = field(default_factory=list)
    #: Addresses the engine was refused (see ``writers.pdf.refused_error``).
    refused: list[str] = field(default_factory=list)
    #: What the style sheet has that WeasyPrint ignores, as the user is told it.
    warnings: list[str] = field(default_factory=list)
    #: The first row beside a merged cell on each page a table continues on, by its mark
    #: ("table.row", :data:`~vbgen.writers.pdf.ROW_MARK`).
    continued: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Numbering:
    """Where a chapter stands in the whole document."""

    #: Added to each page counter of the chapter: its first page number less one, if it was
    #: laid out from page 1.
    shift: int
    #: The number of pages of the whole document.
    total: int


@dataclass
class Laid:
    """A chapter laid out and kept for numbering."""

    document: Any
    context: Any
    pages: int
    targets: tuple[str, ...]
    title: str = ""


class _Engine:
    """What a process keeps between chapters: the parsed style sheets, each with its fonts."""

    def __init__(self) -> None:
        self.sheets: dict[tuple[str, str], tuple[Any, list[str], list[str], Any]] = {}

    def sheet(self, path: Path, readable: tuple[Path, ...]
              ) -> tuple[Any, list[str], list[str], Any]:
        """The style sheet at ``path``, parsed once, the addresses it was refused, what
        WeasyPrint ignores in it, and the fonts' configuration it is laid out with.

        Each style sheet has a configuration of its own: in one shared by several (a
        process that lays out with more than one, as a preview's or a test's), a family
        that two of them declare from different files would be laid out with either.
        """
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        from . import stilvarningar
        from .pdf import _gated_fetcher

        key = (str(path), hashlib.sha256(path.read_bytes()).hexdigest())
        if key not in self.sheets:
            refused: list[str] = []
            fetcher = _gated_fetcher([*readable, path.parent], refused)
            fonts = FontConfiguration()
            _MADE.append((os.getpid(), fonts))
            with stilvarningar.kept() as messages:
                css = CSS(filename=str(path), font_config=fonts, url_fetcher=fetcher)
            self.sheets[key] = (css, refused, stilvarningar.told(path, messages), fonts)
        return self.sheets[key]


_local = threading.local()
#: The fonts' configurations made in a process, by the process that made them: each keeps
#: the style sheet's fonts in a folder of its own, which is that process's to remove.
_MADE: list[tuple[int, Any]] = []


def release() -> None:
    """Remove the folders of the fonts' configurations this process made.

    WeasyPrint removes a configuration's folder when the configuration is collected, which
    happens neither in a process that ends at once, as a worker does, nor, without an
    error, while the interpreter shuts down. A copy of this process shares the
    configurations it was copied with, so it must have ended before they are released.
    """
    for pid, fonts in _MADE:
        folder = getattr(fonts, "_folder", None)
        if pid == os.getpid() and folder:
            shutil.rmtree(folder, ignore_errors=True)
            fonts._folder = None
    _MADE[:] = [(pid, fonts) for pid, fonts in _MADE if pid != os.getpid()]


atexit.register(release)


#: How many new objects between collections of the youngest generation (Python's default is
#: 700): laying a chapter out makes millions of short-lived objects, and each collection
#: looks at all that are alive; a third of the layout went to it.
_COLLECT_AFTER = 50_000


def _engine() -> _Engine:
    if getattr(_local, "engine", None) is None:
        import gc

        _capture_context()
        _local.engine = _Engine()
        # What is loaded now (WeasyPrint, the fonts) stays for the life of the process: the
        # collector need not look at it again.
        gc.freeze()
        gc.set_threshold(_COLLECT_AFTER, *gc.get_threshold()[1:])
    return _local.engine


def _capture_context() -> None:
    """Keep the layout context of each document WeasyPrint lays out in this thread (the
    page counters of every page are in it, which numbering needs), and leave a chapter's
    page margins to be laid out when it is numbered."""
    import weasyprint.document as wd
    import weasyprint.layout as wl

    if getattr(wd.layout_document, "vbgen", False):
        return
    original, margins = wd.layout_document, wl.make_margin_boxes

    def layout_document(html: Any, root_box: Any, context: Any, *args: Any, **kwargs: Any
                        ) -> Any:
        _local.context = context
        return original(html, root_box, context, *args, **kwargs)

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        if getattr(_local, "numbered_later", False):
            return iter(())
        return margins(context, page, state)

    layout_document.vbgen = True  # type: ignore[attr-defined]
    wd.layout_document = layout_document
    wl.make_margin_boxes = make_margin_boxes


#: A page with what a report has in most of its chapters: laid out once ahead of the first
#: chapter, it loads the fonts and fills their caches in the process that copies itself.
_SAMPLE = ('<html lang="sv-SE"><body data-sidhuvud="Nämnd – Rapport"><h1>Rubrik</h1>'
           '<h2>Avsnitt</h2><p>Text med <strong>fet</strong>, <em>kursiv</em> och '
           '<strong><em>båda</em></strong>.<span class="fotnot">En fotnot.</span></p>'
           '<table><caption>Tabell</caption><thead><tr><th>År</th><th class="right">Tal</th>'
           '</tr></thead><tbody><tr><th scope="row">2024</th><td class="right">−3,6 %</td>'
           "</tr></tbody></table></body></html>")


def warm(stylesheet: Path | None = None) -> None:
    """Load WeasyPrint and the fonts' configuration, ahead of the first chapter; with a
    ``stylesheet``, also read it and lay a sample page out with it."""
    engine = _engine()
    if stylesheet is None or not stylesheet.is_file():
        from weasyprint.text.fonts import FontConfiguration

        FontConfiguration()  # fontconfig and Pango loaded, for the processes that copy this
        return
    from weasyprint import HTML

    from .pdf import _OPTIONS

    sheet, _, _, fonts = engine.sheet(stylesheet, ())
    HTML(string=_SAMPLE).render(stylesheets=[sheet], font_config=fonts, **_OPTIONS)


def lay(job: Job) -> tuple[Laid, Facts]:
    """Lay ``job`` out in pages; return the chapter kept for :func:`write` and its facts."""
    from weasyprint import CSS, HTML

    from .pdf import _OPTIONS, _gated_fetcher

    engine = _engine()
    sheet, refused_by_sheet, warnings, fonts = engine.sheet(job.stylesheet, job.readable)
    refused = list(refused_by_sheet)
    fetcher = _gated_fetcher([*job.readable, job.stylesheet.parent], refused)
    extra = CSS(string=job.css, font_config=fonts)
    html = HTML(string=job.html, base_url=str(job.base_url), url_fetcher=fetcher)
    _local.context = None
    _local.numbered_later = True
    try:
        document = html.render(stylesheets=[sheet, extra], font_config=fonts,
                               **_OPTIONS)
    finally:
        _local.numbered_later = False
    context = _local.context
    pages = len(document.pages)
    if job.targets:
        pages = min((i for i, page in enumerate(document.pages)
                     for anchor in page.anchors if anchor in job.targets), default=pages)
    own = document.pages[:pages]
    facts = Facts(
        pages=pages,
        anchors={a: i for i, page in enumerate(own) for a in page.anchors},
        bookmarks=[_bookmarks(page) for page in own],
        footnotes=_footnotes(own),
        break_before=_edge_break(own, first=True),
        break_after=_edge_break(own, first=False),
        overflow=bool(own) and _only_footnotes(own[-1]),
        lost=[t for t in job.targets
              if not any(t in page.anchors for page in document.pages[pages:])],
        refused=refused, warnings=warnings, continued=_continued_rows(own))
    return Laid(document, context, pages, job.targets, job.title), facts


def write(laid: Laid, numbering: Numbering, ids: str, headings: dict[str, str],
          charts: list[Path]) -> tuple[bytes, dict[str, str]]:
    """Number ``laid``'s pages and write them as a tagged PDF, repaired as a whole document
    is (:func:`~vbgen.writers.pdf.finish_tagging`).

    Table header ids are prefixed with ``ids``, which keeps them apart from those of other
    chapters. Returns the PDF and, for each font (by its name in the PDF), the digest of
    the font file it was cut from.
    """
    from weasyprint.text.fonts import get_hb_object_data

    from .pdf import _OPTIONS, finish_tagging

    pages = _numbered(laid, numbering)
    for page in pages[-1:]:
        # The links to other chapters lead to the page of targets, which is left out; the
        # joined document has the targets themselves.
        for anchor in laid.targets:
            page.anchors.setdefault(anchor, (0, 0, 0, 0))
    document = laid.document.copy(pages)
    data = document.write_pdf(finisher=_prefix_ids(ids), **_OPTIONS)
    fonts = {}
    for font in document.fonts.values():
        original = get_hb_object_data(font.hb_face)
        if original:
            fonts[font.hash] = hashlib.sha256(original).hexdigest()
    return finish_tagging(data, headings, charts), fonts


def _numbered(laid: Laid, numbering: Numbering) -> list[Any]:
    """The chapter's own pages with their margins laid out for ``numbering`` (they were
    left out when it was laid out)."""
    from weasyprint.layout.background import layout_box_backgrounds
    from weasyprint.layout.page import make_margin_boxes

    context = laid.context
    own = laid.document.pages[:laid.pages]
    for i, page in enumerate(own):
        box = page._page_box
        quotes, counters, scopes, groups = context.page_maker[i + 1][3]
        counters = {**counters, "pages": [numbering.total],
                    "page": [value + numbering.shift for value in counters.get("page", [])]}
        context.current_page = i + 1
        margins = list(make_margin_boxes(context, box, (quotes, counters, scopes, groups)))
        for margin in margins:
            layout_box_backgrounds(box, margin, context.get_image_from_uri)
        box.children = (*box.children, *margins)
    return own


def _prefix_ids(prefix: str) -> Any:
    """A finisher that makes the ids of table header cells begin with ``prefix``.

    WeasyPrint names them after the number of the table's object in the file, which two
    chapters may share; a cell's list of headers holds the same string objects, so it
    follows.
    """
    def finisher(_document: Any, pdf: Any) -> None:
        import pydyf

        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and obj.get("S") == "/TH" and "ID" in obj:
                obj["ID"].string = prefix + str(obj["ID"].string)

    return finisher


def _bookmarks(page: Any) -> list[Bookmark]:
    """The page's bookmarks, placed as WeasyPrint places them in the PDF."""
    scale = 0.75  # PDF points per CSS pixel
    return [(level, label, x * scale, (page.height - y) * scale, state)
            for level, label, (x, y), state in page.bookmarks]


def _footnotes(pages: list[Any]) -> int:
    return len({id(box.element) for page in pages for box in page._page_box.descendants()
                if (box.element_tag or "").endswith("::footnote-call")})


def _continued_rows(pages: list[Any]) -> list[str]:
    """The mark of the first marked table row on each page whose table had marked rows on
    a page before it: where a page break may have cut a merged cell."""
    from .pdf import ROW_MARK

    seen: set[str] = set()
    found = []
    for page in pages:
        here: set[str] = set()
        for box in page._page_box.descendants():
            element = box.element
            mark = element.get(ROW_MARK) if box.element_tag == "tr" and element is not None \
                else None
            if not mark:
                continue
            table = mark.partition(".")[0]
            if table in seen and table not in here:
                found.append(mark)
            here.add(table)
        seen |= here
    return found


def _edge_break(pages: list[Any], first: bool) -> str:
    """The break before the first top-level box of ``pages`` or after the last."""
    if not pages:
        return "auto"
    page = pages[0] if first else pages[-1]
    root = page._page_box.children[0]
    body = next(iter(root.children), None) if hasattr(root, "children") else None
    children = [c for c in getattr(body, "children", ()) if c.element is not None]
    if not children:
        return "auto"
    box = children[0] if first else children[-1]
    return str(box.style["break_before" if first else "break_after"])


def _only_footnotes(page: Any) -> bool:
    """Whether the page holds nothing but footnotes carried over from the page before."""
    return bool(page._page_box.page_type.blank)
