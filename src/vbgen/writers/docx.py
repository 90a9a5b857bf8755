"""DOCX writer: the document model into a Word file built on a reference document.

Like Pandoc, the writer assigns style *names* only; fonts, colours, margins, header and
footer come from ``styles/referens.docx``, which an editor restyles in Word. The style names
used are listed in ``STYLES`` and in ``docs/stilar.md``.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from .. import doc

#: Every style the writer uses, by role. The reference document must define them.
STYLES = {
    "title": "Title",
    "subtitle": "Subtitle",
    "heading": "Heading {level}",
    "body": "Normal",
    "bullet": "List Bullet",
    "number": "List Number",
    "caption": "Caption",
    "toc_heading": "TOC Heading",
    "toc": "TOC {level}",
    "table": "Vbgen tabell",
    "table_text": "Tabelltext",
    "table_note": "Tabellnot",
    "gap": "Lucka",
    "figure_caption": "Bildtext",
    "footnote_text": "Footnote Text",
    "footnote_ref": "Footnote Reference",
}

_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
          "center": WD_ALIGN_PARAGRAPH.CENTER}
_FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_HEADER_MARK = "[sidhuvud]"


class _Footnotes:
    """Word's own footnotes part, which python-docx does not provide."""

    def __init__(self, document: DocxDocument) -> None:
        self.part = self._find_or_create(document)
        # Parsed with python-docx's parser so paragraphs inside are full CT_P objects.
        self.root = parse_xml(self.part.blob)
        ids = [int(f.get(qn("w:id"))) for f in self.root.findall(qn("w:footnote"))]
        self.next_id = max([0, *ids]) + 1

    @staticmethod
    def _find_or_create(document: DocxDocument) -> Part:
        for rel in document.part.rels.values():
            if rel.reltype == RT.FOOTNOTES:
                return rel.target_part
        xml = (
            f'<w:footnotes xmlns:w="{_W}">'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0"/>'
            "</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>"
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
            '<w:spacing w:after="0"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
            "</w:footnote></w:footnotes>"
        ).encode()
        part = Part(PackURI("/word/footnotes.xml"), _FOOTNOTES_CT, xml, document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)
        return part

    def add(self, inlines: list[doc.Inline], writer: DocxWriter) -> int:
        fid = self.next_id
        self.next_id += 1
        note = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{fid}"><w:p><w:pPr><w:pStyle w:val="'
            f'{writer.style_id(STYLES["footnote_text"])}"/></w:pPr>'
            f'<w:r><w:rPr><w:rStyle w:val="{writer.style_id(STYLES["footnote_ref"])}"/>'
            '</w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>'
            "</w:p></w:footnote>")
        self.root.append(note)
        paragraph = DocxParagraph(note[0], None)
        writer.inlines(paragraph, inlines)
        return fid

    def save(self) -> None:
        self.part._blob = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                         standalone=True)


class DocxWriter:
    """Walk a :class:`~vbgen.doc.Document` and build the Word file."""

    def __init__(self, document: doc.Document, reference: Path) -> None:
        self.document = document
        self.d = docx.Document(str(reference))
        self._clear_body()
        self.footnotes = _Footnotes(self.d)

    def _clear_body(self) -> None:
        body = self.d.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)

    def style_id(self, name: str) -> str:
        return self.d.styles[name].style_id

    # --- inlines ---------------------------------------------------------------------

    def inlines(self, p: DocxParagraph, nodes: list[doc.Inline], bold: bool = False,
                italic: bool = False) -> None:
        for n in nodes:
            if isinstance(n, doc.Text):
                run = p.add_run(n.text)
                run.bold = bold or None
                run.italic = italic or None
            elif isinstance(n, doc.Strong):
                self.inlines(p, n.children, True, italic)
            elif isinstance(n, doc.Emph):
                self.inlines(p, n.children, bold, True)
            elif isinstance(n, doc.LineBreak):
                p.add_run().add_break()
            elif isinstance(n, doc.Footnote):
                fid = self.footnotes.add(n.children, self)
                p._p.append(parse_xml(
                    f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="'
                    f'{self.style_id(STYLES["footnote_ref"])}"/></w:rPr>'
                    f'<w:footnoteReference w:id="{fid}"/></w:r>'))

    # --- blocks ----------------------------------------------------------------------

    def write(self) -> bytes:
        for b in self.document.blocks:
            getattr(self, "visit_" + type(b).__name__.lower())(b)
        self.footnotes.save()
        self._header_text()
        self._properties()
        buf = io.BytesIO()
        self.d.save(buf)
        return buf.getvalue()

    def _header_text(self) -> None:
        for section in self.d.sections:
            for p in section.header.paragraphs:
                if _HEADER_MARK in p.text:
                    for run in p.runs:
                        run.text = run.text.replace(_HEADER_MARK, self.document.header)

    def _properties(self) -> None:
        cp = self.d.core_properties
        cp.title = self.document.title
        cp.subject = self.document.subject
        cp.author = self.document.author
        cp.language = self.document.lang
        cp.comments = ""
        cp.last_modified_by = "vbgen"

    def visit_titlepage(self, tp: doc.TitlePage) -> None:
        self.d.add_paragraph(tp.title, style=STYLES["title"])
        for line in tp.lines:
            self.d.add_paragraph(line, style=STYLES["subtitle"])

    def visit_tableofcontents(self, toc: doc.TableOfContents) -> None:
        self.d.add_paragraph(toc.title, style=STYLES["toc_heading"])
        entries = [h for h in self.document.headings(toc.depth) if h.toc]
        # A TOC field whose result is already filled in: readable as opened, and Word can
        # refresh it (with page numbers) from the headings.
        first = True
        for h in entries or [doc.Heading(1, [doc.Text("")])]:
            p = self.d.add_paragraph(style=STYLES["toc"].format(level=h.level))
            if first:
                self._fld(p, "begin")
                p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve">'
                                      f' TOC \\o "1-{toc.depth}" \\h \\z \\u </w:instrText></w:r>'))
                self._fld(p, "separate")
                first = False
            p.add_run(doc.plain(h.children))
        end = self.d.add_paragraph()
        self._fld(end, "end")

    @staticmethod
    def _fld(p: DocxParagraph, kind: str) -> None:
        p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="{kind}"/></w:r>'))

    def visit_heading(self, h: doc.Heading) -> None:
        p = self.d.add_paragraph(style=STYLES["heading"].format(level=min(h.level, 6)))
        self.inlines(p, h.children)

    def visit_paragraph(self, para: doc.Paragraph) -> None:
        style = STYLES["gap"] if para.role == "lucka" else STYLES["body"]
        p = self.d.add_paragraph(style=style)
        self.inlines(p, para.children)

    def visit_listblock(self, lst: doc.ListBlock, depth: int = 1) -> None:
        style = STYLES["number"] if lst.ordered else STYLES["bullet"]
        # A nested list takes the next level's style: "List Bullet 2", "List Bullet 3".
        if depth > 1:
            style = f"{style} {min(depth, 3)}"
        for item in lst.items:
            for i, b in enumerate(item):
                if isinstance(b, doc.Paragraph):
                    p = self.d.add_paragraph(style=style if i == 0 else STYLES["body"])
                    self.inlines(p, b.children)
                elif isinstance(b, doc.ListBlock):
                    self.visit_listblock(b, depth + 1)

    def visit_table(self, t: doc.Table) -> None:
        cap = self.d.add_paragraph(t.caption, style=STYLES["caption"])
        cap.paragraph_format.keep_with_next = True
        rows = t.head + t.body
        places = _placements(rows)
        ncols = max((c + cell.colspan for (_, c), (cell, _) in places.items()), default=1)
        table = self.d.add_table(rows=len(rows), cols=ncols)
        table.style = self.d.styles[STYLES["table"]]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        self._table_properties(table, t)
        for i, row in enumerate(table.rows):
            trPr = row._tr.get_or_add_trPr()
            trPr.append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
            if i < len(t.head):
                trPr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
        for (r, c), (cell_model, role) in places.items():
            cell = table.cell(r, c)
            if cell_model.colspan > 1 or cell_model.rowspan > 1:
                cell = cell.merge(table.cell(r + cell_model.rowspan - 1,
                                             c + cell_model.colspan - 1))
            p = cell.paragraphs[0]
            p.style = self.d.styles[STYLES["table_text"]]
            p.alignment = _ALIGN[cell_model.align]
            self.inlines(p, cell_model.children, bold=role == "summa")
        if t.widths:
            total = sum(t.widths)
            usable = 16.3
            for i, col in enumerate(table.columns):
                if i < len(t.widths):
                    for cell in col.cells:
                        cell.width = Cm(usable * t.widths[i] / total)
        for note in t.notes:
            p = self.d.add_paragraph(style=STYLES["table_note"])
            self.inlines(p, note.children)
        if not t.notes:
            # An empty paragraph keeps two following tables from merging in Word.
            spacer = self.d.add_paragraph(style=STYLES["body"])
            spacer.paragraph_format.space_after = 0

    def _table_properties(self, table: DocxTable, t: doc.Table) -> None:
        tblPr = table._tbl.tblPr
        look = tblPr.find(qn("w:tblLook"))
        if look is None:
            look = parse_xml(f"<w:tblLook {nsdecls('w')}/>")
            tblPr.append(look)
        for key, val in (("firstRow", "1"), ("lastRow", "0"), ("firstColumn", "0"),
                         ("lastColumn", "0"), ("noHBand", "0"), ("noVBand", "1"),
                         ("val", "04A0")):
            look.set(qn(f"w:{key}"), val)
        # Title and description for assistive technology (Word 2010 and later).
        tblPr.append(parse_xml(f'<w:tblCaption {nsdecls("w")} w:val="{_attr(t.caption)}"/>'))
        width = parse_xml(f'<w:tblW {nsdecls("w")} w:w="5000" w:type="pct"/>')
        old = tblPr.find(qn("w:tblW"))
        if old is not None:
            tblPr.remove(old)
        tblPr.insert(1, width)

    def visit_figure(self, f: doc.Figure) -> None:
        p = self.d.add_paragraph(style=STYLES["body"])
        p.paragraph_format.keep_with_next = bool(f.caption)
        run = p.add_run()
        shape = run.add_picture(f.path, width=Cm(min(f.width_cm, 16.0)))
        docpr = shape._inline.docPr
        docpr.set("descr", f.alt)
        docpr.set("title", doc.plain(f.caption)[:250] if f.caption else "")
        if f.caption:
            cap = self.d.add_paragraph(style=STYLES["figure_caption"])
            self.inlines(cap, f.caption)

    def visit_pagebreak(self, _: doc.PageBreak) -> None:
        self.d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _placements(rows: list[doc.Row]) -> dict[tuple[int, int], tuple[doc.Cell, str]]:
    """Where each cell starts in the grid, skipping places taken by spans from above."""
    taken: set[tuple[int, int]] = set()
    out: dict[tuple[int, int], tuple[doc.Cell, str]] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row.cells:
            while (r, c) in taken:
                c += 1
            out[(r, c)] = (cell, row.role)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return out


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def write_docx(document: doc.Document, reference: Path) -> bytes:
    """Build the Word file for ``document`` on ``reference`` and return its bytes."""
    return DocxWriter(document, reference).write()


