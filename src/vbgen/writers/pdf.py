"""PDF writer: the document model as semantic HTML, typeset by WeasyPrint.

All look comes from ``styles/rapport.css``; this module only emits structure (headings,
tables with header cells, figures with alt text, footnotes) and metadata.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .. import doc


def _inlines(nodes: list[doc.Inline]) -> str:
    out: list[str] = []
    for n in nodes:
        if isinstance(n, doc.Text):
            out.append(escape(n.text, quote=False))
        elif isinstance(n, doc.Strong):
            out.append(f"<strong>{_inlines(n.children)}</strong>")
        elif isinstance(n, doc.Emph):
            out.append(f"<em>{_inlines(n.children)}</em>")
        elif isinstance(n, doc.LineBreak):
            out.append("<br>")
        elif isinstance(n, doc.Footnote):
            out.append(f'<span class="fotnot">{_inlines(n.children)}</span>')
    return "".join(out)


class HtmlWriter:
    """Turn a :class:`~vbgen.doc.Document` into one HTML page for print."""

    def __init__(self, document: doc.Document) -> None:
        self.document = document

    def write(self) -> str:
        d = self.document
        body = "\n".join(self.block(b) for b in d.blocks)
        meta = "".join(
            f'<meta name="{name}" content="{escape(value)}">\n'
            for name, value in (("author", d.author), ("description", d.subject))
            if value)
        return (
            f'<!DOCTYPE html>\n<html lang="{d.lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(d.title)}</title>\n{meta}</head>\n"
            f'<body class="{escape(d.typ)}" data-sidhuvud="{escape(d.header)}">\n'
            f'<div class="sidhuvud">{escape(d.header)}</div>\n{body}\n</body>\n</html>\n'
        )

    def block(self, b: doc.Block) -> str:
        method = getattr(self, "visit_" + type(b).__name__.lower())
        return method(b)

    def visit_heading(self, h: doc.Heading) -> str:
        cls = "" if h.toc else ' class="ej-toc"'
        return f'<h{h.level} id="{h.id}"{cls}>{_inlines(h.children)}</h{h.level}>'

    def visit_paragraph(self, p: doc.Paragraph) -> str:
        cls = f' class="{p.role}"' if p.role else ""
        return f"<p{cls}>{_inlines(p.children)}</p>"

    def visit_listblock(self, lst: doc.ListBlock) -> str:
        tag = "ol" if lst.ordered else "ul"
        items = []
        for item in lst.items:
            if len(item) == 1 and isinstance(item[0], doc.Paragraph):
                items.append(f"<li>{_inlines(item[0].children)}</li>")
            else:
                items.append("<li>" + "".join(self.block(b) for b in item) + "</li>")
        return f"<{tag}>{''.join(items)}</{tag}>"

    def _row(self, row: doc.Row, head: bool) -> str:
        cells = []
        for c in row.cells:
            tag = "th" if head or c.header else "td"
            attrs = ' scope="col"' if head else ""
            if c.colspan > 1:
                attrs += f' colspan="{c.colspan}"'
            if c.rowspan > 1:
                attrs += f' rowspan="{c.rowspan}"'
            if c.align != "left":
                attrs += f' class="{c.align}"'
            cells.append(f"<{tag}{attrs}>{_inlines(c.children)}</{tag}>")
        cls = f' class="{row.role}"' if row.role else ""
        return f"<tr{cls}>{''.join(cells)}</tr>"

    def visit_table(self, t: doc.Table) -> str:
        cols = ""
        if t.widths:
            total = sum(t.widths)
            cols = "<colgroup>" + "".join(
                f'<col style="width:{w / total * 100:.1f}%">' for w in t.widths) + "</colgroup>"
        head = "".join(self._row(r, True) for r in t.head)
        body = "".join(self._row(r, False) for r in t.body)
        notes = "".join(f'<p class="not">{_inlines(n.children)}</p>' for n in t.notes)
        cls = f' class="{t.role}"' if t.role else ""
        table = (f"<table{cls}><caption>{escape(t.caption)}</caption>{cols}"
                 f"<thead>{head}</thead><tbody>{body}</tbody></table>")
        return f'<div class="tabell">{table}{notes}</div>' if notes else table

    def visit_figure(self, f: doc.Figure) -> str:
        src = Path(f.path).resolve().as_uri()
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
        lines = "".join(f'<p class="titelrad">{escape(line)}</p>' for line in tp.lines)
        return (f'<section class="titelsida"><p class="titel" role="heading" aria-level="1">'
                f"{escape(tp.title)}</p>{lines}</section>")


def to_html(document: doc.Document) -> str:
    """The HTML the PDF is typeset from."""
    return HtmlWriter(document).write()


def write_pdf(document: doc.Document, stylesheet: Path, base_url: Path) -> bytes:
    """Typeset ``document`` as a tagged PDF and return its bytes."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    html = HTML(string=to_html(document), base_url=str(base_url))
    css = CSS(filename=str(stylesheet), font_config=fonts)
    return html.write_pdf(
        stylesheets=[css], font_config=fonts, pdf_variant="pdf/ua-1",
        pdf_identifier=None, uncompressed_pdf=False, custom_metadata=True,
    )
