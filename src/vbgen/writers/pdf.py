"""PDF writer: the document model as semantic HTML, typeset by WeasyPrint.

All look comes from ``styles/rapport.css``; this module only emits structure (headings,
tables with header cells, figures with alt text, footnotes) and metadata.

WeasyPrint writes a tagged PDF/UA-1 file; :func:`finish_tagging` then fills three gaps it
leaves (see docs/stilar.md): running headers and footers become artifacts, table header
cells get a scope, and links get a description and the print flag. :func:`typeset` lays a
document out chapter by chapter (:mod:`vbgen.writers.typeset`).
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Collection
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf

from ..errors import StyleError
from ..model import doc
from . import spans, typografi
from .widths import column_widths, measure_with

if TYPE_CHECKING:
    from .cache import LayoutCache
    from .typeset import Typeset
    from .workers import Pool


#: How a footnote begins in the HTML: WeasyPrint floats it to the foot of the page.
FOOTNOTE = '<span class="fotnot">'
#: The attribute of a table row beside a merged cell: "table.row", both numbered from 0.
ROW_MARK = "data-rad"


def _inlines(nodes: list[doc.Inline], cell: bool = False) -> str:
    """The HTML of ``nodes``, set by the typography's rules (a table cell's as a cell)."""
    return _markup(typografi.inlines(nodes, cell))


def _markup(nodes: list[doc.Inline]) -> str:
    return "".join(_HTML_INLINES.visit(n) for n in nodes)


class _HtmlInlines(doc.Visitor[str]):
    def visit_text(self, n: doc.Text) -> str:
        return escape(n.text, quote=False)

    def visit_strong(self, n: doc.Strong) -> str:
        return f"<strong>{_markup(n.children)}</strong>"

    def visit_emph(self, n: doc.Emph) -> str:
        return f"<em>{_markup(n.children)}</em>"

    def visit_linebreak(self, n: doc.LineBreak) -> str:
        return "<br>"

    def visit_footnote(self, n: doc.Footnote) -> str:
        return f"{FOOTNOTE}{_markup(n.children)}</span>"

    def visit_span(self, n: doc.Span) -> str:
        return f'<span class="{escape(n.role)}">{_markup(n.children)}</span>'

    def visit_link(self, n: doc.Link) -> str:
        return f'<a href="{escape(n.href)}">{_markup(n.children)}</a>'

    def visit_gap(self, n: doc.Gap) -> str:
        # A value not available is plain text, as the statistical convention has it.
        return (escape(n.text, quote=False) if n.slag == doc.UNAVAILABLE else
                f'<span class="{n.slag}">{escape(n.text, quote=False)}</span>')


_HTML_INLINES = _HtmlInlines()


class HtmlWriter(doc.Visitor[str]):
    """Turn a :class:`~vbgen.model.doc.Document` into one HTML page for print."""

    def __init__(self, document: doc.Document, leads_in: set[int] | None = None,
                 cuts: dict[int, set[int]] | None = None) -> None:
        self.document = document
        #: Paragraphs kept on the page of the figure or table they announce ("nedan").
        self.leads_in = document.leads_in() if leads_in is None else leads_in
        #: The body rows of each table (by its number in the document, from 0) where a
        #: page break cuts a merged cell, which then stands again at the top of the next
        #: page (:mod:`vbgen.writers.spans`).
        self.cuts = cuts or {}
        #: The tables written, in the order of their numbers.
        self.tables: list[doc.Table] = []

    def write(self) -> str:
        return self.page("\n".join(self.visit(b) for b in self.document.blocks))

    def page(self, body: str) -> str:
        """A page of HTML with the document's metadata around ``body``."""
        d = self.document
        meta = "".join(
            f'<meta name="{name}" content="{escape(value)}">\n'
            for name, value in (("author", d.author), ("description", d.subject))
            if value)
        return (
            f'<!DOCTYPE html>\n<html lang="{d.lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(d.title)}</title>\n{meta}</head>\n"
            f'<body class="{escape(d.typ)}" data-sidhuvud="{escape(d.header)}">\n'
            f"{body}\n</body>\n</html>\n"
        )

    def visit_heading(self, h: doc.Heading) -> str:
        cls = "" if h.toc else ' class="ej-toc"'
        return f'<h{h.level} id="{h.id}"{cls}>{_inlines(h.children)}</h{h.level}>'

    def visit_paragraph(self, p: doc.Paragraph) -> str:
        roles = [p.role] if p.role else []
        if id(p) in self.leads_in:
            roles.append("inledning")
        cls = f' class="{" ".join(roles)}"' if roles else ""
        return f"<p{cls}>{_inlines(p.children)}</p>"

    def visit_listblock(self, lst: doc.ListBlock) -> str:
        tag = "ol" if lst.ordered else "ul"
        items = []
        for item in lst.items:
            if len(item) == 1 and isinstance(item[0], doc.Paragraph):
                items.append(f"<li>{_inlines(item[0].children)}</li>")
            else:
                # The item's own text stays inline so the item gets a list body; only what
                # follows it (a nested list, more paragraphs) is written as blocks.
                first, rest = item[0], item[1:]
                lead = (_inlines(first.children) if isinstance(first, doc.Paragraph)
                        else self.visit(first))
                items.append("<li>" + lead + "".join(self.visit(b) for b in rest) + "</li>")
        return f"<{tag}>{''.join(items)}</{tag}>"

    def _row(self, row: doc.Row, head: bool, mark: str = "") -> str:
        cells = []
        for c in row.cells:
            tag = "th" if head or c.header else "td"
            attrs = ' scope="col"' if head else (' scope="row"' if c.header else "")
            if c.colspan > 1:
                attrs += f' colspan="{c.colspan}"'
            if c.rowspan > 1:
                attrs += f' rowspan="{c.rowspan}"'
            if c.align != "left":
                attrs += f' class="{c.align}"'
            cells.append(f"<{tag}{attrs}>{_inlines(c.children, cell=not head)}</{tag}>")
        cls = f' class="{row.role}"' if row.role else ""
        # The row's table and place, by which the layout tells a merged cell cut by a page.
        at = f' {ROW_MARK}="{mark}"' if mark else ""
        return f"<tr{cls}{at}>{''.join(cells)}</tr>"

    def visit_table(self, t: doc.Table) -> str:
        widths = column_widths(t)
        total = sum(widths) or 1.0
        cols = "<colgroup>" + "".join(
            f'<col style="width:{w / total * 100:.2f}%">' for w in widths) + "</colgroup>"
        head = "".join(self._row(r, True) for r in t.head)
        number = len(self.tables)
        self.tables.append(t)
        cuts = self.cuts.get(number, set())
        rows = spans.cut(t.body, cuts)
        groups = spans.span_groups(rows)
        if len(groups) < len(rows):
            # Rows joined by a spanning cell stay on one page: a span cut by a page break
            # leaves a table grid that assistive technology cannot read. Not the first group:
            # WeasyPrint lays out a table whose first group avoids breaks as if the page were
            # empty, and then cuts that group's rows instead of moving the table on. Nor a
            # group longer than a page, found cut and cut here: its parts stand where the
            # page breaks them.
            parts, start = [], 0
            for i, g in enumerate(groups):
                end = start + len(g)
                kept = i > 0 and start not in cuts and end not in cuts
                parts.append(('<tbody class="grupp">' if kept else "<tbody>") + "".join(
                    self._row(r, False, f"{number}.{k}")
                    for k, r in enumerate(g, start=start)) + "</tbody>")
                start = end
            body = "".join(parts)
        else:
            body = "<tbody>" + "".join(self._row(r, False) for r in t.body) + "</tbody>"
        notes = "".join(f'<p class="not">{_inlines(n.children)}</p>' for n in t.notes)
        classes = [t.role] if t.role else []
        if len(t.body) <= doc.SHORT_TABLE_ROWS:
            classes.append("kort")  # kept whole on one page (rapport.css)
        cls = f' class="{" ".join(classes)}"' if classes else ""
        shown = t.caption_inlines()
        caption = f"<caption>{_inlines(shown)}</caption>" if shown else ""
        table = (f"<table{cls}>{caption}{cols}"
                 f"{f'<thead>{head}</thead>' if head else ''}{body}</table>")
        return f'<div class="tabell">{table}{notes}</div>' if notes else table

    def image_src(self, path: str) -> str:
        """The address of an image file (a chart, the logotype) in the HTML."""
        return Path(path).resolve().as_uri()

    def visit_figure(self, f: doc.Figure) -> str:
        # Vector graphics when there are some: sharp at any zoom and in print.
        src = self.image_src(f.vector or f.path)
        cap = f"<figcaption>{_inlines(f.caption)}</figcaption>" if f.caption else ""
        return (f'<figure><img src="{src}" alt="{escape(f.alt)}" '
                f'style="width:{f.width_cm}cm">{cap}</figure>')

    def visit_pagebreak(self, _: doc.PageBreak) -> str:
        return '<div class="sidbrytning"></div>'

    def visit_tableofcontents(self, toc: doc.TableOfContents) -> str:
        items = []
        for h in self.document.headings(toc.depth):
            if h.toc:
                text = _inlines([i for i in h.children if not isinstance(i, doc.Footnote)])
                items.append(f'<li class="niva{h.level}"><a href="#{h.id}">{text}</a></li>')
        return (f'<nav class="innehall" aria-label="{escape(toc.title)}">'
                f'<h2 class="ej-toc innehall-rubrik">{escape(toc.title)}</h2>'
                f"<ol>{''.join(items)}</ol></nav>")

    def visit_titlepage(self, tp: doc.TitlePage) -> str:
        lines = "".join(f'<p class="titelrad">{escape(typografi.apply(line))}</p>'
                        for line in tp.lines)
        logo = (f'<img class="logotyp" src="{self.image_src(tp.logo)}" '
                f'alt="{escape(tp.logo_alt)}">' if tp.logo else "")
        draft = f'<p class="utkast">{escape(tp.draft)}</p>' if tp.draft else ""
        return (f'<section class="titelsida">{logo}<h1 class="titel">{escape(tp.title)}</h1>'
                f"{lines}{draft}</section>")


def to_html(document: doc.Document) -> str:
    """The HTML of the document, with each chart as its SVG."""
    return HtmlWriter(document).write()


#: The pixel of a chart's placeholder image: a marker byte and the chart's number.
_PLACEHOLDER = b"v"


class _PrintWriter(HtmlWriter):
    """The HTML the PDF is typeset from: a chart drawn also as PDF stands there as a
    placeholder of its size, which :func:`_place_charts` replaces by that drawing."""

    def __init__(self, document: doc.Document, readable: list[Path],
                 leads_in: set[int] | None = None,
                 cuts: dict[int, set[int]] | None = None) -> None:
        super().__init__(document, leads_in, cuts)
        self.readable = readable
        #: The charts' PDF files, by the number in their placeholder.
        self.charts: list[Path] = []

    def visit_figure(self, f: doc.Figure) -> str:
        from ..paths import inside_any

        drawn = Path(f.vector).with_suffix(".pdf") if f.vector else None
        if drawn is None or not drawn.is_file() or not inside_any(self.readable, drawn) \
                or len(self.charts) >= 1 << 16:
            return super().visit_figure(f)
        try:
            with pikepdf.open(drawn) as chart:
                x0, y0, x1, y1 = (float(v) for v in chart.pages[0].mediabox)
        except (pikepdf.PdfError, OSError, IndexError):
            return super().visit_figure(f)
        pixel = io.BytesIO()
        from PIL import Image

        Image.frombytes("RGB", (1, 1), _PLACEHOLDER + len(self.charts).to_bytes(2, "big")) \
            .save(pixel, "PNG")
        self.charts.append(drawn)
        src = "data:image/png;base64," + base64.b64encode(pixel.getvalue()).decode()
        height = f.width_cm * (y1 - y0) / (x1 - x0)
        cap = f"<figcaption>{_inlines(f.caption)}</figcaption>" if f.caption else ""
        return (f'<figure><img src="{src}" alt="{escape(f.alt)}" '
                f'style="width:{f.width_cm}cm;height:{height:.4f}cm">{cap}</figure>')


def _place_charts(pdf: pikepdf.Pdf, charts: list[Path]) -> int:
    """Put each chart's PDF drawing where WeasyPrint drew its placeholder; return how many.

    WeasyPrint draws an image into a unit square scaled to its box, so the drawing goes in
    as a form scaled to a unit square. The page's marked content around it, and so the
    Figure that holds the alt text, stay as they are.
    """
    forms: dict[int, pikepdf.Object] = {}
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        images = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(images, pikepdf.Dictionary):
            continue
        for name in list(images.keys()):
            image = images[name]
            if not (isinstance(image, pikepdf.Stream) and image.get("/Subtype") == "/Image"
                    and image.get("/Width") == 1 and image.get("/Height") == 1):
                continue
            pixel = image.read_bytes()
            number = int.from_bytes(pixel[1:], "big")
            if len(pixel) != 3 or not pixel.startswith(_PLACEHOLDER) or number >= len(charts):
                continue
            if number not in forms:
                with pikepdf.open(charts[number]) as chart:
                    drawing = chart.pages[0]
                    x0, y0, x1, y1 = (float(v) for v in drawing.mediabox)
                    form = pdf.copy_foreign(drawing.as_form_xobject())
                # Written with more decimals than pikepdf gives a float.
                form.Matrix = pikepdf.Array([Decimal(f"{v:.10f}") for v in (
                    1 / (x1 - x0), 0, 0, 1 / (y1 - y0), -x0 / (x1 - x0), -y0 / (y1 - y0))])
                forms[number] = form
            images[name] = forms[number]
    return len(forms)


def refused_error(what: str, refused: list[str], base: Path | None = None) -> StyleError:
    """The error for a style sheet (``what``) that refers to files vbgen does not read:
    files that are not there, named by their folder, or else what is elsewhere (the
    network, a file outside the style folders). ``base`` is where a relative reference
    starts."""
    missing: list[Path] = []
    elsewhere: list[str] = []
    for url in dict.fromkeys(refused):
        path = _local(url, base)
        if path is not None and not path.exists():
            missing.append(path)
        else:
            elsewhere.append(url)
    said = [_missing(missing)] if missing else []
    if elsewhere:
        said.append(f"{'Den hänvisar också' if missing else 'hänvisar'} till "
                    f"{', '.join(elsewhere)}, som vbgen inte hämtar: vbgen hämtar ingenting "
                    "från nätet och läser bara filer i stilmappen. Lägg filen i stilmappen "
                    "och hänvisa till den med en relativ sökväg.")
    return StyleError(f"{what} {' '.join(said)}")


def _local(url: str, base: Path | None) -> Path | None:
    """The file a reference names on this computer; None for one elsewhere."""
    from urllib.parse import unquote, urlsplit

    if url.startswith("file:"):
        return Path(unquote(urlsplit(url).path))
    if base is not None and not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE):
        return base / unquote(url.split("#")[0].split("?")[0])
    return None


def _shown(path: Path) -> str:
    """A path as the user gave it: from the folder vbgen runs in, where it is inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _missing(missing: list[Path]) -> str:
    """What a style sheet refers to that is not there: which folder is missing, or which
    files are missing from it."""
    from ..resources import styles_dir

    by_folder: dict[Path, list[str]] = {}
    for path in missing:
        by_folder.setdefault(path.parent, []).append(path.name)
    said = []
    for folder, names in by_folder.items():
        where = (f"mappen {_shown(folder)} finns inte" if not folder.is_dir()
                 else f"{'filen' if len(names) == 1 else 'filerna'} finns inte i "
                      f"{_shown(folder)}")
        said.append(f"{where} ({', '.join(names)})")
    fonts = all(path.suffix.lower() in (".ttf", ".otf", ".woff", ".woff2") for path in missing)
    remedy = (f"Kopiera typsnitten dit, till exempel vbgens egna från {styles_dir() / 'fonts'}, "
              "eller ändra src i reglerna @font-face" if fonts
              else "Lägg filerna där, eller ändra hänvisningarna")
    return (f"hänvisar till {'typsnitt' if fonts else 'filer'} som inte finns: "
            f"{'; '.join(said)}. {remedy}.")


def _gated_fetcher(readable: list[Path], refused: list[str]):
    """A URL fetcher for WeasyPrint that serves only files inside ``readable``.

    Everything else (http, https, ftp, a file elsewhere) is refused and noted in
    ``refused``: vbgen fetches nothing from the network and reads only its own folders.
    """
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    from ..paths import inside_any

    class GatedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path))
                if path.is_file() and inside_any(readable, path):
                    return super().fetch(url, headers)
            refused.append(url)
            raise ValueError(f"vbgen hämtar inte {url}")

    return GatedFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


#: How WeasyPrint lays out and writes every PDF: tagged PDF/UA-1, compressed, reproducible.
_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_identifier": None, "uncompressed_pdf": False,
            "custom_metadata": True}


def typeset(document: doc.Document, stylesheet: Path, base_url: Path,
            readable: list[Path] | None = None, *, apart: bool = True,
            pool: Pool | None = None, cache: LayoutCache | None = None,
            name: str = "", pages_only: bool = False, overrides: dict[str, str] | None = None,
            folders: tuple[Path, ...] = ()) -> Typeset:
    """Lay ``document`` out in pages; :meth:`Typeset.write` then writes the PDF.

    The document is laid out in chapters (unless not ``apart``), by the processes of
    ``pool`` (by default here), reusing the chapters of the last build in ``cache``, where
    the document goes by ``name``; see :mod:`vbgen.writers.typeset`. With ``pages_only`` the
    document is laid out for :meth:`Typeset.pages` alone. The tokens ``overrides`` (an
    ``identitet.css``'s) are set over the style sheet's, and the style ``folders`` they and
    the logotype come from are part of what a page is made of. The engine reads only
    files inside ``readable`` (the style sheet's folder and the document's images by
    default) and never the network.
    """
    from .typeset import Typeset

    measure_with(stylesheet)  # the tables' widths in the body font, as the Word file's
    if readable is None:
        readable = [Path(b.path).parent for b in document.blocks if isinstance(b, doc.Figure)]
        readable += [Path(b.logo).parent for b in document.blocks
                     if isinstance(b, doc.TitlePage) and b.logo]
    return Typeset(document, stylesheet, base_url, readable, pool, cache, apart, name,
                   pages_only, overrides or {}, folders)


def write_pdf(document: doc.Document, stylesheet: Path, base_url: Path,
              readable: list[Path] | None = None) -> bytes:
    """Typeset ``document`` as a tagged PDF and return its bytes (see :func:`typeset`)."""
    return typeset(document, stylesheet, base_url, readable).write()


def heading_pages(data: bytes) -> dict[str, int]:
    """The page number of every anchor (heading id) of a typeset PDF, from its named
    destinations."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        names = pdf.Root.get("/Names")
        if names is None or "/Dests" not in names:
            return {}
        numbers = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
        found = {}
        for name, dest in pikepdf.NameTree(names.Dests).items():
            target = dest[0] if isinstance(dest, pikepdf.Array) else dest.get("/D", [None])[0]
            if isinstance(target, pikepdf.Dictionary) and target.objgen in numbers:
                found[str(name)] = numbers[target.objgen]
        return found


# --- Tagging repairs --------------------------------------------------------------------------


def _kids(elem: pikepdf.Object) -> list[pikepdf.Object]:
    kids = elem.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _structure(pdf: pikepdf.Pdf) -> dict[tuple[int, int], pikepdf.Dictionary]:
    """Every structure element reachable from the structure tree root, by object id."""
    found: dict[tuple[int, int], pikepdf.Dictionary] = {}
    todo = _kids(pdf.Root.StructTreeRoot)
    while todo:
        elem = todo.pop()
        if not isinstance(elem, pikepdf.Dictionary) or "/S" not in elem:
            continue  # marked-content ids, object and marked-content references
        if elem.objgen in found:
            continue
        found[elem.objgen] = elem
        todo.extend(_kids(elem))
    return found


#: A marked-content sequence with an MCID as WeasyPrint writes it: ``/Span <</MCID 3>> BDC``.
_MARKED = re.compile(rb"/[^\s/<>\[\]()]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def _artifacts_in_bytes(data: bytes, orphans: set[int]) -> bytes | None:
    """``data`` with the marked content of ``orphans`` turned into artifacts, or None.

    Editing the bytes keeps every other operator as it is, and is much cheaper than parsing
    and writing the whole stream again. None when the stream is not plainly what WeasyPrint
    writes (an inline image could hold anything), or an orphan is not found exactly once.
    """
    if re.search(rb"(^|\s)BI\s", data):
        return None
    found: list[int] = []

    def mark(m: re.Match[bytes]) -> bytes:
        mcid = int(m.group(1))
        if mcid not in orphans:
            return m.group(0)
        found.append(mcid)
        return _ARTIFACT

    edited = _MARKED.sub(mark, data)
    return edited if sorted(found) == sorted(orphans) else None


def _artifacts_parsed(pdf: pikepdf.Pdf, page: pikepdf.Page, orphans: set[int]) -> bytes:
    """The page's content with the marked content of ``orphans`` turned into artifacts."""
    ops: list[tuple[Collection[pikepdf.Object], pikepdf.Operator]] = []
    for instruction in pikepdf.parse_content_stream(page):
        operands, operator = instruction.operands, instruction.operator
        if (str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
                and int(operands[1].get("/MCID", -1)) in orphans):
            ops.append(([pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)],
                        operator))
        else:
            ops.append((operands, operator))
    return pikepdf.unparse_content_stream(ops)


def _artifact_margins(pdf: pikepdf.Pdf, reachable: dict[tuple[int, int], pikepdf.Dictionary],
                      fast: bool = True) -> int:
    """Turn content that no reachable structure element owns into pagination artifacts.

    WeasyPrint marks the text of page-margin boxes (running header, page numbers) as content
    but leaves their structure elements out of the tree. PDF/UA-1 wants them as artifacts.
    Without ``fast`` every stream is parsed and written again (the reference the byte edit is
    tested against). Returns the number of pages changed.
    """
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    owners: dict[int, pikepdf.Object] = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    changed = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        table = owners.get(int(key)) if key is not None else None
        if not isinstance(table, pikepdf.Array):
            continue
        orphans = {mcid for mcid, ref in enumerate(table)
                   if isinstance(ref, pikepdf.Dictionary) and ref.objgen not in reachable}
        if not orphans:
            continue
        contents = page.obj.get("/Contents")
        edited = None
        if fast and isinstance(contents, pikepdf.Stream):
            edited = _artifacts_in_bytes(contents.read_bytes(), orphans)
        if edited is None:
            edited = _artifacts_parsed(pdf, page, orphans)
        page.obj.Contents = pdf.make_stream(edited)
        for mcid in orphans:
            table[mcid] = None
        changed += 1
    return changed


def _scope_headers(reachable: dict[tuple[int, int], pikepdf.Dictionary]) -> None:
    """Give every table header cell a scope: column in the table head, row elsewhere."""
    for elem in reachable.values():
        if elem.S != pikepdf.Name.TH:
            continue
        row = elem.get("/P")
        group = row.get("/P") if isinstance(row, pikepdf.Dictionary) else None
        in_head = isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/THead"
        scope = pikepdf.Name.Column if in_head else pikepdf.Name.Row
        attrs = elem.get("/A")
        if isinstance(attrs, pikepdf.Dictionary):
            attrs.Scope = scope
        else:
            elem.A = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=scope)


def _describe_links(pdf: pikepdf.Pdf, headings: dict[str, str]) -> None:
    """Links are printed, and say where they go in words rather than by an anchor id."""
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            annot.F = 4  # print flag
            dest = annot.get("/Dest")
            if isinstance(dest, pikepdf.String) and str(dest) in headings:
                annot.Contents = pikepdf.String(f"Gå till {headings[str(dest)]}")


def title_tables(pdf: pikepdf.Pdf, titles: list[str]) -> None:
    """Give each table shown without a caption its name, as the title (/T) of its structure
    element: ``titles`` holds, for every table in order, its name or "" when it has a
    caption. Left alone if the structure has another number of tables."""
    tables: list[pikepdf.Dictionary] = []

    def walk(elem: pikepdf.Object) -> None:
        if not isinstance(elem, pikepdf.Dictionary) or "/S" not in elem:
            return
        if elem.get("/S") == "/Table":
            tables.append(elem)
        for kid in _kids(elem):
            walk(kid)

    for kid in _kids(pdf.Root.StructTreeRoot):
        walk(kid)
    if len(tables) == len(titles):
        for elem, title in zip(tables, titles, strict=True):
            if title:
                elem.T = pikepdf.String(title)


def finish_tagging(data: bytes, headings: dict[str, str] | None = None,
                   charts: list[Path] | None = None,
                   table_titles: list[str] | None = None) -> bytes:
    """Repair what WeasyPrint leaves out of a tagged PDF; ``headings`` maps ids to titles.

    The placeholders of ``charts`` (see :class:`_PrintWriter`) get their drawings here too,
    and the tables shown without a caption their names (``table_titles``, see
    :func:`title_tables`).
    """
    with pikepdf.open(io.BytesIO(data)) as pdf:
        placed = _place_charts(pdf, charts) if charts else 0
        if "/StructTreeRoot" not in pdf.Root and not placed:
            return data
        if "/StructTreeRoot" in pdf.Root:
            reachable = _structure(pdf)
            _artifact_margins(pdf, reachable)
            _scope_headers(reachable)
            if table_titles and any(table_titles):
                title_tables(pdf, table_titles)
        _describe_links(pdf, headings or {})
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()
