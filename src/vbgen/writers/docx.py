"""DOCX writer: the document model into a Word file built on a reference document.

Like Pandoc, the writer assigns style *names* only; fonts, colours, margins, header and
footer come from ``styles/referens.docx``, which an editor restyles in Word. The style names
used are listed in ``STYLES`` and in ``docs/stilar.md``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.simpletypes import ST_Merge
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from ..errors import StyleError
from ..model import doc
from ..model.utkast import (
    CITATION_PREFIX,
    CITATION_TITLE,
    GENERATED_PREFIX,
    LOCKED_TITLE,
    MAX_NAME,
    Locked,
    Manifest,
    control_text,
    shown_text,
    shown_text_line,
    table_grid,
    text_digest,
)
from ..paths import MAX_UNPACKED_BYTES, zip_too_large
from ..resources import styles_dir
from . import docxfonts, docxpages, markdown, referens, spans, stil, typografi
from .widths import (
    CELL_PADDING_PT,
    LINE_PT,
    ROW_PADDING_PT,
    SMALL_TABLE_FONT_PT,
    TEXT_HEIGHT_PT,
    column_widths,
    measure_with,
    row_heights,
    table_font_pt,
)

#: Every style the writer uses, by role, by Word's internal (English) name; Word shows the
#: built-in ones in its own language ("toc 1" is "Innehåll 1" in Swedish Word). The reference
#: document must define them.
STYLES = {
    "title": "Title",
    "subtitle": "Subtitle",
    "heading": "Heading {level}",
    "heading_untoc": "Rubrik {level} utanför innehåll",
    "body": "Normal",
    "bullet": "List Bullet",
    "number": "List Number",
    "caption": "Caption",
    "toc_heading": "TOC Heading",
    "toc": "toc {level}",
    "table": "Vbgen tabell",
    "table_text": "Tabelltext",
    "table_note": "Tabellnot",
    "gap": "Lucka",
    "letterhead": "Brevhuvud",
    "figure_caption": "Bildtext",
    "footnote_text": "footnote text",
    "footnote_ref": "footnote reference",
    "draft": referens.DRAFT_STYLE,
}

#: Children of w:tblPr in the order the OOXML schema requires; Word reports a file with them
#: out of order as damaged.
_TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
                "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
                "tblPrChange"]

#: The bits of w:tblLook's w:val, by the attribute each stands for.
_LOOK_BITS = {"firstRow": 0x20, "lastRow": 0x40, "firstColumn": 0x80, "lastColumn": 0x100,
              "noHBand": 0x200, "noVBand": 0x400}
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
          "center": WD_ALIGN_PARAGRAPH.CENTER}
_FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_HEADER_MARK = "[sidhuvud]"
#: The application properties of a built file: the program, and no stale statistics.
_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>vbgen</Application><DocSecurity>0</DocSecurity>'
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>")


#: A text python-docx would write as one w:t: no tab, line break or carriage return.
_PLAIN_RUN = re.compile(r"[^\t\n\r]+")
_W_R, _W_RPR, _W_B, _W_I, _W_T, _W_PPR, _W_PSTYLE, _W_VAL = (
    qn(f"w:{tag}") for tag in ("r", "rPr", "b", "i", "t", "pPr", "pStyle", "val"))
_W_JC, _W_KEEPNEXT, _W_CANTSPLIT, _W_TBLHEADER = (
    qn(f"w:{tag}") for tag in ("jc", "keepNext", "cantSplit", "tblHeader"))
#: A cell's alignment as Word writes it (w:jc).
_JC = {"left": "left", "right": "right", "center": "center"}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

class _Footnotes:
    """Word's own footnotes part, which python-docx does not provide."""

    def __init__(self, document: DocxDocument, line: str) -> None:
        self.part = self._find_or_create(document)
        # Parsed with python-docx's parser so paragraphs inside are full CT_P objects.
        self.root = parse_xml(self.part.blob)
        ids = [int(f.get(qn("w:id"))) for f in self.root.findall(qn("w:footnote"))]
        self.next_id = max([0, *ids]) + 1
        self._separators(line)

    def _separators(self, line: str) -> None:
        """The line over the footnotes in ``line`` (``--linje``, as the PDF's), close over
        them: a paragraph of its own height, not a line of body text."""
        for note in self.root.findall(qn("w:footnote")):
            if note.get(qn("w:type")) not in ("separator", "continuationSeparator"):
                continue
            for p in note.findall(qn("w:p")):
                spacing = p.get_or_add_pPr().get_or_add_spacing()
                for key, value in (("before", "0"), ("after", "0"), ("line", "120"),
                                   ("lineRule", "exact")):
                    spacing.set(qn(f"w:{key}"), value)
                for r in p.findall(qn("w:r")):
                    r.get_or_add_rPr().get_or_add_color().set(qn("w:val"), line)

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
            # The number before the note stands on the line, as the PDF's ::footnote-marker.
            '<w:vertAlign w:val="baseline"/></w:rPr><w:footnoteRef/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r>'
            "</w:p></w:footnote>")
        self.root.append(note)
        # The footnote lies outside python-docx's stories; only runs are added to it, which
        # need no story part.
        paragraph = DocxParagraph(note[0], None)  # type: ignore[arg-type]
        writer.inlines(paragraph, inlines)
        return fid

    def save(self) -> None:
        self.part._blob = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                         standalone=True)


class DocxWriter(doc.Visitor[None]):
    """Walk a :class:`~vbgen.model.doc.Document` and build the Word file."""

    def __init__(self, document: doc.Document, reference: Path,
                 built: dt.datetime | None = None, pages: dict[str, int] | None = None,
                 controls: bool | None = None, stylesheet: Path | None = None,
                 overrides: dict[str, str] | None = None) -> None:
        self.document = document
        #: Content controls around the data's texts and the generated parts: in a draft.
        self.controls = document.status == "Utkast" if controls is None else controls
        if zip_too_large(reference):
            raise StyleError(f"{reference}: filen packas upp till mer än "
                             f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB och är inget "
                             "referensdokument vbgen öppnar")
        #: The page of each heading id in the typeset PDF, for the contents' page numbers.
        self.pages = pages or {}
        self.leads_in = document.leads_in()
        self._first_heading = next(iter(document.headings()), None)
        #: When the file is built: its created and modified time.
        self.built = built or dt.datetime.now(dt.UTC)
        try:
            self.d = docx.Document(str(reference))
        except Exception:  # python-docx raises several kinds for a file that is not a docx
            raise StyleError(f"{reference}: filen går inte att läsa som ett Word-dokument "
                             "(.docx)") from None
        _drop_external_relationships(self.d)
        # The Word styles follow the identity the style sheet declares, like the PDF.
        own = stylesheet or reference.parent / "rapport.css"
        built_in = styles_dir() / "rapport.css"
        self.tokens = stil.identity(own, built_in) | (overrides or {})
        self.faces = stil.font_faces(own if own.is_file() else built_in)
        referens.restyle(self.d, self.tokens)
        measure_with(own if own.is_file() else built_in)
        self._style_ids: dict[str, str] = {}
        #: The runs of each figure cited from the data, and its mark, for the draft's controls.
        self.cited: list[tuple[list[etree._Element], str]] = []
        self._check_styles(reference)
        self._clear_body()
        self.footnotes = _Footnotes(self.d, self.tokens["linje"].lstrip("#").upper())
        # Each heading gets a hidden bookmark, the kind Word's own table of contents links to.
        self.bookmarks = {id(h): f"_Toc{n:08d}"
                          for n, h in enumerate(document.headings(), start=1)}

    def _check_styles(self, reference: Path) -> None:
        """Name every style the document needs that the reference document lacks."""
        levels = {h.level for h in self.document.headings()}
        needed = [n for n in STYLES.values() if "{level}" not in n and n != STYLES["letterhead"]]
        # Headings kept out of the contents need a style of their own only down to the
        # contents' depth; deeper ones are out of it by their level.
        depth = max((b.depth for b in self.document.blocks
                     if isinstance(b, doc.TableOfContents)), default=0)
        self.untoc_levels = {h.level for h in self.document.headings(depth) if not h.toc}
        # Optional: a reference document made before these styles existed still works.
        self.untoc_styles = set()
        for n in self.untoc_levels:
            try:
                self.style(STYLES["heading_untoc"].format(level=n))
                self.untoc_styles.add(n)
            except KeyError:
                pass
        needed += [STYLES["heading"].format(level=n) for n in sorted(levels)]
        needed += [STYLES["toc"].format(level=n) for n in sorted(levels) if n <= 3]
        missing = []
        for name in needed:
            try:
                self.style(name)
            except KeyError:
                missing.append(f'"{name}"')
        if missing:
            raise StyleError(
                f"{reference}: formatmallarna {', '.join(missing)} saknas i "
                "referensdokumentet. Utgå från styles/referens.docx och ändra mallarna i "
                "stället för att ta bort dem (se docs/stilar.md).")

    def _clear_body(self) -> None:
        body = self.d.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)

    def style(self, name: str):
        """A style of the reference document, also under an older capitalised name."""
        older = name.upper() if name.startswith("toc ") else name.title()
        for candidate in (name, older):
            try:
                return self.d.styles[candidate]
            except KeyError:
                pass
        raise KeyError(f"formatmallen {name!r} saknas i referensdokumentet")

    def style_id(self, name: str) -> str:
        # Cached: python-docx's own lookup by name walks every style each time.
        if name not in self._style_ids:
            self._style_ids[name] = self.style(name).style_id
        return self._style_ids[name]

    def set_style(self, p: DocxParagraph, name: str) -> None:
        """Give ``p`` the paragraph style ``name``, by its id."""
        if p._p.pPr is None:  # a new paragraph: its properties come first
            ppr = p._p.makeelement(_W_PPR)
            etree.SubElement(ppr, _W_PSTYLE).set(_W_VAL, self.style_id(name))
            p._p.insert(0, ppr)
        else:
            p._p.pPr.style = self.style_id(name)

    def new_paragraph(self, name: str, text: str = "") -> DocxParagraph:
        """A new body paragraph in the style ``name``."""
        p = self.d.add_paragraph(text)
        self.set_style(p, name)
        return p

    def paragraph(self, role: str, level: int = 0) -> DocxParagraph:
        """A new body paragraph in the style for ``role``."""
        return self.new_paragraph(STYLES[role].format(level=level))

    # --- inlines ---------------------------------------------------------------------

    def inlines(self, p: DocxParagraph, nodes: list[doc.Inline], bold: bool = False,
                italic: bool = False, cell: bool = False) -> None:
        """Add ``nodes`` to ``p``, set by the typography's rules (a table cell's as a cell)."""
        self._inlines(p, typografi.inlines(nodes, cell), bold, italic)

    def _inlines(self, p: DocxParagraph, nodes: list[doc.Inline], bold: bool = False,
                 italic: bool = False) -> None:
        for n in nodes:
            self.visit(n, p, bold, italic)

    def visit_text(self, n: doc.Text, p: DocxParagraph, bold: bool, italic: bool) -> None:
        if _PLAIN_RUN.fullmatch(n.text):
            # Most runs: built as the element it becomes, in a fraction of python-docx's
            # time, which reads the text character by character for tabs and breaks.
            r = p._p.makeelement(_W_R)
            if bold or italic:
                rpr = etree.SubElement(r, _W_RPR)
                if bold:
                    etree.SubElement(rpr, _W_B)
                if italic:
                    etree.SubElement(rpr, _W_I)
            t = etree.SubElement(r, _W_T)
            t.text = n.text
            if n.text != n.text.strip():
                t.set(_XML_SPACE, "preserve")
            p._p.append(r)
            return
        run = p.add_run(n.text)
        run.bold = bold or None
        run.italic = italic or None

    def visit_strong(self, n: doc.Strong, p: DocxParagraph, bold: bool, italic: bool) -> None:
        self._inlines(p, n.children, True, italic)

    def visit_emph(self, n: doc.Emph, p: DocxParagraph, bold: bool, italic: bool) -> None:
        self._inlines(p, n.children, bold, True)

    def visit_span(self, n: doc.Span, p: DocxParagraph, bold: bool, italic: bool) -> None:
        start, first = len(p.runs), len(p._p)
        self._inlines(p, n.children, bold, italic)
        style = self._span_style(n.role)
        for run in p.runs[start:] if style else []:
            run._r.get_or_add_rPr().style = style
        if n.mark:
            self.cited.append((list(p._p)[first:], n.mark))

    def visit_linebreak(self, n: doc.LineBreak, p: DocxParagraph, bold: bool,
                        italic: bool) -> None:
        p.add_run().add_break()

    def visit_link(self, n: doc.Link, p: DocxParagraph, bold: bool, italic: bool) -> None:
        self._link(p, n, bold, italic)

    def visit_gap(self, n: doc.Gap, p: DocxParagraph, bold: bool, italic: bool) -> None:
        # A gap stands out in bold, as the paragraph style Lucka does.
        self._inlines(p, [doc.Text(n.text)], bold or n.slag == doc.GAP, italic)

    def visit_footnote(self, n: doc.Footnote, p: DocxParagraph, bold: bool,
                       italic: bool) -> None:
        fid = self.footnotes.add(n.children, self)
        p._p.append(parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="'
            f'{self.style_id(STYLES["footnote_ref"])}"/></w:rPr>'
            f'<w:footnoteReference w:id="{fid}"/></w:r>'))

    def _link(self, p: DocxParagraph, link: doc.Link, bold: bool, italic: bool) -> None:
        """A hyperlink: its runs inside a w:hyperlink to an external relationship."""
        rid = p.part.relate_to(link.href, RT.HYPERLINK, is_external=True)
        start = len(p._p)
        self._inlines(p, link.children, bold, italic)
        runs = list(p._p)[start:]
        hyperlink = parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}" w:history="1"/>')
        p._p.append(hyperlink)
        try:
            style = self.style_id("Hyperlink")
        except KeyError:
            style = None
        for r in runs:
            hyperlink.append(r)
            if style and r.tag == qn("w:r"):
                r.get_or_add_rPr().style = style

    def _span_style(self, role: str) -> str | None:
        """The character style for a span's role ("niva-1" → "Måluppfyllelse 1"), if the
        reference document has it."""
        if not role.startswith("niva-"):
            return None
        try:
            return self.style_id(f"Måluppfyllelse {role.removeprefix('niva-')}")
        except KeyError:
            return None

    # --- blocks ----------------------------------------------------------------------

    def write(self) -> bytes:
        body = self.d.element.body
        controls = Controls(self.document, self.cited) if self.controls else None
        for b in self.document.blocks:
            before = len(body) - 1  # the last child is the section properties
            self.visit(b)
            if controls is not None:
                controls.wrap(b, list(body)[before:len(body) - 1])
        if controls is not None:
            controls.cite_in_footnotes()
            controls.close_blocks(body)
        self.footnotes.save()
        if not any(isinstance(b, doc.TitlePage) for b in self.document.blocks):
            # Only a title page hides the header: without one, page 1 shows it too.
            for section in self.d.sections:
                section.different_first_page_header_footer = False
        self._header_text()
        self._properties()
        body_font = referens.word_font(self.tokens)
        docxfonts.embed(self.d, self.faces,
                        {body_font: stil.first_family(self.tokens["typsnitt-word"])})
        if controls is not None:
            controls.save(self.d, self.built)
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
        cp.keywords = ""
        cp.category = ""
        # Word shows it as the file's Status: "Utkast" until the final build.
        cp.content_status = self.document.status
        cp.last_modified_by = "vbgen"
        cp.revision = 1
        now = self.built.replace(microsecond=0, tzinfo=None)
        cp.created = now
        cp.modified = now
        printed = cp._element.find(qn("cp:lastPrinted"))
        if printed is not None:
            cp._element.remove(printed)
        clean_package(self.d)
        self._settings()

    def _settings(self) -> None:
        """Word 2013+ layout, Swedish number settings, and the fields updated on opening."""
        settings = self.d.settings.element
        for name in ("savePreviewPicture", "proofState", "rsids", "attachedTemplate",
                     "updateFields", "docVars"):
            for el in settings.findall(qn(f"w:{name}")):
                settings.remove(el)
        compat = settings.find(qn("w:compat"))
        if compat is None:
            compat = parse_xml(f'<w:compat {nsdecls("w")}/>')
            settings.append(compat)
        for el in compat.findall(qn("w:useFELayout")):
            compat.remove(el)
        modes = [c for c in compat.findall(qn("w:compatSetting"))
                 if c.get(qn("w:name")) == "compatibilityMode"]
        mode = modes[0] if modes else parse_xml(
            f'<w:compatSetting {nsdecls("w")} w:name="compatibilityMode" '
            'w:uri="http://schemas.microsoft.com/office/word"/>')
        if not modes:
            compat.insert(0, mode)
        mode.set(qn("w:val"), "15")
        # The table of contents and the page count are fields: Word fills in their page
        # numbers when the file is opened (it asks first), LibreOffice on loading.
        compat.addprevious(parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>'))
        for el in settings.findall(qn("w:themeFontLang")):
            el.set(qn("w:val"), self.document.lang)
        for name, value in (("decimalSymbol", ","), ("listSeparator", ";")):
            el = settings.find(qn(f"w:{name}"))
            if el is not None:
                el.set(qn("w:val"), value)

    def visit_titlepage(self, tp: doc.TitlePage) -> None:
        cover: list[DocxParagraph] = []
        if tp.logo:
            cover.append(self.new_paragraph(STYLES["body"]))
            shape = cover[0].add_run().add_picture(
                word_image(tp.logo), width=Pt(stil.points(self.tokens["logotyp-bredd"])))
            shape._inline.docPr.set("descr", tp.logo_alt)
        cover.append(self.new_paragraph(STYLES["title"], tp.title))
        for line in tp.lines:
            cover.append(self.new_paragraph(STYLES["subtitle"], typografi.apply(line)))
        if tp.draft:
            cover.append(self.new_paragraph(STYLES["draft"], tp.draft))
        width = stil.points(self.tokens["titelsida-falt"])
        if width > 0:
            self._cover_field(cover[0], width, stil.points(self.tokens["titelsida-falt-hojd"]))
            for p in cover:  # as far from the field as it is wide, as in the PDF
                p.paragraph_format.left_indent = Pt(2 * width)

    def _cover_field(self, p: DocxParagraph, width: float, height: float) -> None:
        """The title page's field of the accent colour along the left edge of the text,
        ``width`` × ``height`` pt: a picture of that colour behind the text, anchored at
        the margins' corner, marked as decoration (nothing for a screen reader to say)."""
        import numpy as np

        from . import png

        pixel = np.array([[RGBColor.from_string(self.tokens["accent"].lstrip("#"))]],
                         np.uint8)
        inline = p.add_run().add_picture(io.BytesIO(png.encode(pixel, 72)),
                                         width=Pt(width), height=Pt(height))._inline
        inline.docPr.set("name", "Färgfält")
        inline.docPr.set("descr", "")
        inline.docPr.append(parse_xml(
            f'<a:extLst {nsdecls("a")}><a:ext uri="{{C183D7F6-B498-43B3-948B-1728B52AA6E4}}">'
            '<adec:decorative xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/'
            'decorative" val="1"/></a:ext></a:extLst>'))
        anchor = parse_xml(
            f'<wp:anchor {nsdecls("wp")} distT="0" distB="0" distL="0" distR="0" '
            'simplePos="0" relativeHeight="0" behindDoc="1" locked="1" layoutInCell="1" '
            'allowOverlap="1"><wp:simplePos x="0" y="0"/>'
            '<wp:positionH relativeFrom="margin"><wp:posOffset>0</wp:posOffset></wp:positionH>'
            '<wp:positionV relativeFrom="margin"><wp:posOffset>0</wp:posOffset></wp:positionV>'
            f'<wp:extent cx="{inline.extent.cx}" cy="{inline.extent.cy}"/>'
            '<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/></wp:anchor>')
        # The picture's name, frame and graphic move over, in the order an anchor has them.
        anchor.extend([child for child in inline if etree.QName(child).localname in
                       ("docPr", "cNvGraphicFramePr", "graphic")])
        inline.getparent().replace(inline, anchor)

    def visit_tableofcontents(self, toc: doc.TableOfContents) -> None:
        self.paragraph("toc_heading").add_run(toc.title)
        entries: list[doc.Heading | None] = [*docxpages.entries(self.document, toc.depth)]
        # A TOC field whose result is already filled in: each entry links to its heading's
        # bookmark, so the list is readable and clickable as opened. The page numbers are
        # the PDF's when it is built in the same run (the same font widths and margins);
        # Word updates them to its own layout when the file is opened (updateFields).
        first = True
        for h in entries or [None]:
            p = self.paragraph("toc", level=h.level if h else 1)
            if first:
                self._fld(p, "begin")
                p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve">'
                                      f' TOC \\o "1-{toc.depth}" \\h \\z </w:instrText></w:r>'))
                self._fld(p, "separate")
                first = False
            if h is None:
                continue
            text = _attr(doc.plain(typografi.inlines(
                [i for i in h.children if not isinstance(i, doc.Footnote)])))
            number = docxpages.number_runs(self.pages.get(h.id))
            p._p.append(parse_xml(
                f'<w:hyperlink {nsdecls("w")} w:anchor="{self.bookmarks[id(h)]}" '
                f'w:history="1"><w:r><w:t xml:space="preserve">{text}</w:t></w:r>{number}'
                "</w:hyperlink>"))
        end = self.d.add_paragraph()
        self._fld(end, "end")

    @staticmethod
    def _fld(p: DocxParagraph, kind: str) -> None:
        p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="{kind}"/></w:r>'))

    def visit_heading(self, h: doc.Heading) -> None:
        level = min(h.level, 6)
        opens = level == 1 and h is self._first_heading and not any(
            isinstance(b, doc.TitlePage | doc.TableOfContents | doc.PageBreak)
            for b in self.document.blocks[:self.document.blocks.index(h)])
        if not h.toc and level in self.untoc_styles:
            # A style of its own keeps it out of the table of contents: the same look as
            # the heading, and visible as such in Word's style pane.
            p = self.paragraph("heading_untoc", level=level)
        else:
            p = self.paragraph("heading", level=level)
            if not h.toc and level in self.untoc_levels:
                # An older reference document without that style: outline level
                # "body text" keeps it out of Word's table of contents on update.
                p._p.get_or_add_pPr().append(
                    parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="9"/>'))
        if opens:
            # The document's first heading after a letterhead: no page of its own.
            p.paragraph_format.page_break_before = False
        name = self.bookmarks.get(id(h))
        number = len(self.d.element.body)
        if name:
            p._p.append(parse_xml(
                f'<w:bookmarkStart {nsdecls("w")} w:id="{number}" w:name="{name}"/>'))
        self.inlines(p, h.children)
        if name:
            p._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{number}"/>'))

    def visit_paragraph(self, para: doc.Paragraph) -> None:
        style = STYLES["gap"] if para.role == "lucka" else STYLES["body"]
        if "brevhuvud" in para.role.split():
            try:  # a letterhead line: its own style, when the reference document has it
                style = self.style(STYLES["letterhead"]).name
            except KeyError:
                pass
        p = self.new_paragraph(style)
        if id(para) in self.leads_in:
            p.paragraph_format.keep_with_next = True  # "nedan": on the page of what follows
        self.inlines(p, para.children)

    def visit_listblock(self, lst: doc.ListBlock, depth: int = 1) -> None:
        style = STYLES["number"] if lst.ordered else STYLES["bullet"]
        # A nested list takes the next level's style: "List Bullet 2", "List Bullet 3".
        if depth > 1:
            style = f"{style} {min(depth, 3)}"
        for n, item in enumerate(lst.items):
            for i, b in enumerate(item):
                if isinstance(b, doc.Paragraph):
                    p = self.new_paragraph(style if i == 0 else STYLES["body"])
                    if lst.ordered and depth == 1 and n == 0 and i == 0:
                        self._restart_numbering(p)
                    self.inlines(p, b.children)
                elif isinstance(b, doc.ListBlock):
                    self.visit_listblock(b, depth + 1)

    def visit_table(self, t: doc.Table) -> None:
        if t.caption_inlines():
            cap = self.new_paragraph(STYLES["caption"])
            self.inlines(cap, t.caption_inlines())
            cap.paragraph_format.keep_with_next = True
        rows = t.head + _cut_spans(t)
        places = _placements(rows)
        ncols = max((c + cell.colspan for (_, c), (cell, _) in places.items()), default=1)
        table = self.d.add_table(rows=len(rows), cols=ncols)
        table._tbl.tblPr.style = self.style_id(STYLES["table"])
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        self._table_properties(table, t)
        for i, tr in enumerate(table._tbl.tr_lst):
            trPr = tr.get_or_add_trPr()
            trPr.append(trPr.makeelement(_W_CANTSPLIT))
            if i < len(t.head):
                trPr.append(trPr.makeelement(_W_TBLHEADER))
        widths = [Pt(w) for w in column_widths(t)]
        small = table_font_pt(t) == SMALL_TABLE_FONT_PT  # a wide table declared "liten"
        for i, col in enumerate(table.columns):
            if i < len(widths):
                col.width = widths[i]  # the grid, read by LibreOffice
        # Fill the plain grid first and merge spans after: python-docx looks a cell up by
        # walking the whole table, too slow to do for every cell.
        grid = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
        for row_cells in grid:
            for i, cell in enumerate(row_cells):
                if i < len(widths):
                    cell.width = widths[i]  # each cell, read by Word
        for (r, c), (cell_model, role) in places.items():
            p = grid[r][c].paragraphs[0]
            self.set_style(p, STYLES["table_text"])
            # Its properties are only the style so far: the alignment goes last, in order.
            etree.SubElement(p._p.pPr, _W_JC).set(_W_VAL, _JC[cell_model.align])
            head = r < len(t.head)
            self.inlines(p, cell_model.children, bold=role == "summa" or head, cell=not head)
            if small:
                for run in p.runs:
                    run.font.size = Pt(SMALL_TABLE_FONT_PT)
            if head:
                # At the foot of the head row, as the PDF's th (vertical-align: bottom).
                grid[r][c].vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM
                # White on the head row's fill, as the table style says; written out too,
                # because LibreOffice does not apply a table style's text colour.
                for run in p.runs:
                    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        # A short table stays on one page: every row but the last keeps with the next. A
        # longer one may break, but its caption and head keep with its first two rows, and
        # the rows beside a merged cell stay together (as tbody.grupp in the PDF), so that
        # no row stands on a new page without its merged cell.
        kept = set(range(len(grid) - 1)) if len(t.body) <= doc.SHORT_TABLE_ROWS else set(
            range(min(len(t.head) + 1, len(grid) - 1)))
        for (r, _), (cell_model, _) in places.items():
            kept.update(range(r, r + cell_model.rowspan - 1))
        for r in sorted(kept):
            for cell in grid[r]:
                for para in cell._tc.p_lst:
                    ppr = para.get_or_add_pPr()
                    if ppr.find(_W_KEEPNEXT) is None:
                        # Right after the style, where it belongs among the properties.
                        ppr.insert(1 if ppr.pStyle is not None else 0,
                                   ppr.makeelement(_W_KEEPNEXT))
        for (r, c), (cell_model, _) in places.items():
            if cell_model.colspan == 1 and cell_model.rowspan > 1:
                # Marked directly: python-docx's merge recurses once per row, too deep for a
                # cell that spans thousands of rows.
                for k in range(cell_model.rowspan):
                    grid[r + k][c]._tc.vMerge = ST_Merge.RESTART if k == 0 else \
                        ST_Merge.CONTINUE
            elif cell_model.colspan > 1 or cell_model.rowspan > 1:
                grid[r][c].merge(grid[r + cell_model.rowspan - 1][c + cell_model.colspan - 1])
        for k, note in enumerate(t.notes):
            p = self.new_paragraph(STYLES["table_note"])
            self.inlines(p, note.children)
            _note_spacing(p, first=k == 0, last=k == len(t.notes) - 1)
        if not t.notes:
            # An empty paragraph keeps two following tables from merging in Word.
            spacer = self.new_paragraph(STYLES["body"])
            spacer.paragraph_format.space_after = 0

    def _table_properties(self, table: DocxTable, t: doc.Table) -> None:
        tblPr = table._tbl.tblPr
        look = tblPr.find(qn("w:tblLook"))
        if look is None:
            look = parse_xml(f"<w:tblLook {nsdecls('w')}/>")
            tblPr.append(look)
        # A table without a header row (a card) has its labels in the first column instead.
        labels = not t.head and any(row.cells and row.cells[0].header for row in t.body)
        flags = {"firstRow": bool(t.head), "lastRow": False, "firstColumn": labels,
                 "lastColumn": False, "noHBand": False, "noVBand": True}
        for key, on in flags.items():
            look.set(qn(f"w:{key}"), "1" if on else "0")
        # The older bit field says the same, or Word follows it over the attributes: a card's
        # first row drawn as a header row.
        bits = sum(bit for key, bit in _LOOK_BITS.items() if flags[key])
        look.set(qn("w:val"), f"{bits:04X}")
        # Title and description for assistive technology (Word 2010 and later).
        tblPr.append(parse_xml(f'<w:tblCaption {nsdecls("w")} w:val="{_attr(t.caption)}"/>'))
        width = parse_xml(f'<w:tblW {nsdecls("w")} w:w="5000" w:type="pct"/>')
        old = tblPr.find(qn("w:tblW"))
        if old is not None:
            tblPr.remove(old)
        tblPr.insert(1, width)
        # The column widths are decided from the content (vbgen.writers.widths); Word keeps them.
        tblPr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
        # The cell padding those widths count on, written out: LibreOffice does not take it
        # from the table style and would wrap the numbers. Above and below the text as in
        # the PDF (td in rapport.css), so that a row is as high in both formats and the
        # pages hold as much; less the point of the borders Word adds to a row's height,
        # where the PDF's collapsed borders share it with the rows beside.
        pad = round(CELL_PADDING_PT / 2 * 20)
        pad_v = round((ROW_PADDING_PT - 1) / 2 * 20)
        tblPr.append(parse_xml(
            f'<w:tblCellMar {nsdecls("w")}><w:top w:w="{pad_v}" w:type="dxa"/>'
            f'<w:left w:w="{pad}" w:type="dxa"/><w:bottom w:w="{pad_v}" w:type="dxa"/>'
            f'<w:right w:w="{pad}" w:type="dxa"/></w:tblCellMar>'))
        _schema_order(tblPr, _TBLPR_ORDER)

    def visit_figure(self, f: doc.Figure) -> None:
        p = self.new_paragraph(STYLES["body"])
        p.paragraph_format.keep_with_next = bool(f.caption)
        run = p.add_run()
        shape = run.add_picture(word_image(f.path), width=Cm(min(f.width_cm, 16.0)))
        docpr = shape._inline.docPr
        docpr.set("descr", f.alt)
        docpr.set("title", doc.plain(f.caption)[:250] if f.caption else "")
        if f.caption:
            cap = self.new_paragraph(STYLES["figure_caption"])
            self.inlines(cap, f.caption)

    def visit_pagebreak(self, brk: doc.PageBreak) -> None:
        blocks = self.document.blocks
        after = blocks[blocks.index(brk) + 1] if brk is not blocks[-1] else None
        if isinstance(after, doc.Heading) and after.level == 1:
            return  # Heading 1 starts its own page; a second break would leave it empty
        self.d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _restart_numbering(self, p: DocxParagraph) -> None:
        """Number a list from 1: without this, every numbered list continues the last."""
        ppr = self.d.styles[STYLES["number"]].element.pPr
        if ppr is None or ppr.numPr is None or ppr.numPr.numId is None:
            return  # the reference document's list style has no numbering to restart
        numbering = self.d.part.numbering_part.element
        abstract = numbering.num_having_numId(ppr.numPr.numId.val).abstractNumId.val
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        p._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = num.numId


def clean_package(document: DocxDocument) -> None:
    """Drop what a reference document carries over from the program that saved it last.

    A preview picture of the reference, its custom XML and its application statistics
    ("Microsoft Macintosh Word", page and word counts) say nothing true of a built file.
    """
    package = document.part.package
    for owner in (package, document.part):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype in (RT.THUMBNAIL, RT.CUSTOM_XML):
                owner.rels.pop(rid)
                owner.rels._target_parts_by_rId.pop(rid, None)
    for rel in package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _APP_XML.encode("utf-8")


#: A table note's size (pt), and the room (em of it) the PDF's p.not (rapport.css) leaves
#: after the table and after each note: a table's margin of 1em less the note's −0.6em, and
#: its own bottom margin, which a following note's −0.6em takes back in part.
NOTE_PT, NOTE_AFTER_TABLE_PT, NOTE_BETWEEN_PT, NOTE_AFTER_PT = 8.0, 3.7, 3.2, 8.0


def _note_spacing(p: DocxParagraph, first: bool, last: bool) -> None:
    """Space a table's note as the PDF does, so that a page holds as much in both formats
    and the contents' page numbers, taken from the PDF, hold in Word too."""
    f = p.paragraph_format
    f.line_spacing = Pt(referens.LINE_HEIGHT["text"] * NOTE_PT)
    f.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    f.space_before = Pt(NOTE_AFTER_TABLE_PT if first else 0)
    f.space_after = Pt(NOTE_AFTER_PT if last else NOTE_BETWEEN_PT)


def _cut_spans(t: doc.Table) -> list[doc.Row]:
    """The table's body with each merged cell too high for a page cut into parts that fit,
    each part repeating the value (:mod:`vbgen.writers.spans`): where Word breaks its pages
    is unknown here, so a part is kept on one page and what a page holds is estimated."""
    if all(c.rowspan == 1 for row in t.body for c in row.cells):
        return t.body
    # Room for the caption, the repeated header rows and a little to spare.
    room = 0.85 * TEXT_HEIGHT_PT - sum(row_heights(t, t.head)) - 2 * LINE_PT
    return spans.cut(t.body, spans.past_a_page(t.body, row_heights(t, t.body), room))


def _placements(rows: list[doc.Row]) -> dict[tuple[int, int], tuple[doc.Cell, str]]:
    """Where each cell starts in the grid, skipping places taken by spans from above."""
    return {(r, c): (cell, row.role)
            for r, (row, placed) in enumerate(zip(rows, spans.columns(rows), strict=True))
            for c, cell in placed}


def _schema_order(parent, order: list[str]) -> None:
    """Put the children of ``parent`` in the schema's order (a stable sort by local name)."""
    rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
    children = list(parent)
    for child in children:
        parent.remove(child)
    for child in sorted(children, key=lambda c: rank.get(c.tag, len(order))):
        parent.append(child)


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def _drop_external_relationships(d: DocxDocument) -> None:
    """Remove every link of the reference document to something outside it.

    An attached template at an http address or a ``file://`` target would otherwise be
    copied into every report, and Word would fetch it when the report is opened.
    """
    r_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    for part in d.part.package.iter_parts():
        external = {rid for rid, rel in part.rels.items() if rel.is_external}
        if not external:
            continue
        element = getattr(part, "_element", None)
        if element is not None:
            # The elements that point at a dropped link go too, or Word finds the file damaged.
            for el in list(element.iter()):
                if any(k.startswith(r_ns) and v in external for k, v in el.attrib.items()):
                    parent = el.getparent()
                    if parent is not None:
                        parent.remove(el)
        for rid in external:
            del part.rels[rid]
    package_rels = d.part.package.rels
    for rid in [rid for rid, rel in package_rels.items() if rel.is_external]:
        del package_rels[rid]


def word_image(path: str) -> str:
    """The image Word shows for ``path``: the PNG beside an SVG (``logotyp.svg`` and
    ``logotyp.png``), since Word needs a picture it can draw everywhere."""
    return str(Path(path).with_suffix(".png")) if path.endswith(".svg") else path


def write_docx(document: doc.Document, reference: Path,
               built: dt.datetime | None = None, pages: dict[str, int] | None = None,
               controls: bool | None = None, stylesheet: Path | None = None,
               overrides: dict[str, str] | None = None) -> bytes:
    """Build the Word file for ``document`` on ``reference`` and return its bytes.

    ``built`` is the time the file is created and modified at, now when not given;
    ``pages`` the page of each heading id, shown in the table of contents; ``controls``
    whether the texts are in content controls (by default in a draft); ``stylesheet`` the
    ``rapport.css`` whose identity the styles and embedded fonts follow (by default the one
    beside ``reference``, else the built-in one).
    """
    return DocxWriter(document, reference, built, pages, controls, stylesheet,
                      overrides).write()


class Controls:
    """The content controls of a Word draft.

    A data text's paragraphs stand in block-level controls around them, named (tagged) with
    the text's place in the data and titled for the writer, of the document-part kind
    (``w:docPartObj``): Enter makes a new paragraph inside the text in both Word and
    LibreOffice, which keeps such a control around the paragraphs it holds, where it turns
    any other block-level control into an inline one on its first paragraph (in which Enter
    makes a line break). A block ends after a paragraph that holds a cited figure's inline
    control: LibreOffice keeps a block only up to such a paragraph. Generated paragraphs
    are in locked inline controls, generated tables in locked controls around them. What
    the draft was built from is stored in the file (:class:`vbgen.model.utkast.Manifest`), so
    that ``vbgen hamta`` can tell what was edited. See docs/word.md.
    """

    def __init__(self, document: doc.Document,
                 cited: list[tuple[list[etree._Element], str]] | None = None) -> None:
        self.document = document
        self.manifest = Manifest()
        self.text_blocks: dict[str, list[doc.Block]] = {}
        self.next_id = 1
        #: The figures cited from the data not yet in a control of their own: the writer's
        #: list, which it adds to as it writes.
        self.cited = cited if cited is not None else []

    def wrap(self, block: doc.Block, elements: list) -> None:
        if isinstance(block, doc.TableOfContents | doc.PageBreak):
            return  # a field spanning paragraphs, or nothing to see
        source = self.document.sources.get(getattr(block, "source", ""))
        if source is not None and isinstance(block, doc.Paragraph | doc.Heading
                                             | doc.ListBlock):
            name = block.source
            self.text_blocks.setdefault(name, []).append(block)
            for el in elements:
                if el.tag == qn("w:p"):
                    self._cite(el)
                    self._block(el, name, source.title)
            return
        mark = _mark_of(block)
        if source is not None and mark[1]:
            self.text_blocks.setdefault(mark[0], []).append(block)
        for el in elements:
            if el.tag == qn("w:tbl"):
                tag = self._locked()
                sdt = _sdt_element(tag, LOCKED_TITLE, "sdtContentLocked", self._id())
                el.addprevious(sdt)
                sdt.find(qn("w:sdtContent")).append(el)
                head, rows = table_grid(el)
                caption = block.caption if isinstance(block, doc.Table) else ""
                self.manifest.locked[tag] = Locked(
                    text_digest(control_text(el)), *mark, caption=_shown(caption), head=head,
                    rows=rows)
                mark = ("", "")  # the caption and notes around it stand for nothing
            elif el.tag == qn("w:p") and (el.findall(".//" + qn("w:t"))
                                          or el.findall(".//" + qn("w:drawing"))):
                tag = self._locked()
                self._inline(el, tag, LOCKED_TITLE, "sdtContentLocked")
                self.manifest.locked[tag] = Locked(text_digest(control_text(el)), *mark,
                                                   shown=_shown(shown_text(el)))
                mark = ("", "")

    def _locked(self) -> str:
        return f"{GENERATED_PREFIX}{self.next_id}"

    def _id(self) -> int:
        self.next_id += 1
        return 100000 + self.next_id

    def _block(self, p, tag: str, title: str) -> None:
        """Put paragraph ``p`` of the text ``tag`` in the text's block control right before
        it, or in a new one when there is none or the one there is closed."""
        before = p.getprevious()
        if before is not None and before.tag == qn("w:sdt") and before.get(_OPEN) == tag:
            content = before.find(qn("w:sdtContent"))
        else:
            sdt = _sdt_element(tag, title, "sdtLocked", self._id(), TEXT_PART)
            p.addprevious(sdt)
            content = sdt.find(qn("w:sdtContent"))
            sdt.set(_OPEN, tag)
        content.append(p)
        sdt = content.getparent()
        if p.find(".//" + qn("w:sdt")) is not None:
            del sdt.attrib[_OPEN]  # LibreOffice keeps a block only up to such a paragraph

    def close_blocks(self, body) -> None:
        """Drop the marks of the blocks still open: none belongs in the file."""
        for sdt in body.iterchildren(qn("w:sdt")):
            sdt.attrib.pop(_OPEN, None)

    def _inline(self, p, tag: str, title: str, lock: str) -> None:
        """Wrap the content of paragraph ``p`` in controls inside it.

        Bookmarks and footnote marks stay between controls: LibreOffice cannot export a
        PDF of a control with one inside. A paragraph with a footnote has a control on
        each side of its mark, both with the same name.
        """
        wrapped = False
        group: list = []
        for child in [c for c in p if c.tag != qn("w:pPr")] + [None]:
            if child is None or _outside_controls(child):
                if any(c.tag != qn("w:proofErr") for c in group):
                    sdt = _sdt_element(tag, title, lock, self._id())
                    group[0].addprevious(sdt)
                    content = sdt.find(qn("w:sdtContent"))
                    for c in group:
                        content.append(c)
                    wrapped = True
                group = []
            else:
                group.append(child)
        if not wrapped:  # nothing to wrap but marks: an empty control keeps the name
            p.append(_sdt_element(tag, title, lock, self._id()))

    def _cite(self, p) -> None:
        """Put each figure cited in paragraph ``p`` (of a data text) in a locked control
        that stands for its mark, so that the text is read back with the mark, not with the
        figure: next year the text shows next year's figure."""
        for runs, mark in [c for c in self.cited if c[0] and _within(c[0][0], p)]:
            self.cited.remove((runs, mark))
            sdt = _sdt_element(self.manifest.citation_name(mark), CITATION_TITLE,
                               "sdtContentLocked", self._id())
            runs[0].addprevious(sdt)
            content = sdt.find(qn("w:sdtContent"))
            for r in runs:
                content.append(r)

    def cite_in_footnotes(self) -> None:
        """Put the figures cited in the footnotes of the data's texts in their controls; a
        figure in a generated part, already inside a locked control, stays as it is."""
        for runs, _ in list(self.cited):
            if runs and not any(a.tag == qn("w:sdt") for a in runs[0].iterancestors()):
                self._cite(runs[0].getparent())

    def save(self, d: DocxDocument, built: dt.datetime) -> None:
        for name, blocks in self.text_blocks.items():
            source = self.document.sources[name]
            # As a draft reads back: without what the typography set (typografi.undo).
            built_text = typografi.undo(markdown.to_markdown(blocks, source.heading_level))
            self.manifest.texts[name] = (source.title, source.heading_level, source.digest,
                                         text_digest(built_text))
        self.manifest.built = built.replace(microsecond=0, tzinfo=None).isoformat()
        self.manifest.origin = self.document.origin
        self.manifest.attach(d)


def _outside_controls(el) -> bool:
    """Whether ``el`` stays between a text's controls: a bookmark, a footnote mark, or the
    control of a cited figure."""
    if el.tag == qn("w:sdt"):
        tag = el.find("w:sdtPr/w:tag", {"w": _W})
        return tag is not None and tag.get(qn("w:val"), "").startswith(CITATION_PREFIX)
    return el.tag in (qn("w:bookmarkStart"), qn("w:bookmarkEnd")) or (
        el.tag == qn("w:r") and el.find(qn("w:footnoteReference")) is not None)


def _shown(text: str) -> str:
    """A text as the draft's record holds it: one line, at most its longest name."""
    return shown_text_line(text)[:MAX_NAME]


def _within(el, ancestor) -> bool:
    return el is ancestor or any(a is ancestor for a in el.iterancestors())


def _mark_of(block: doc.Block) -> tuple[str, str]:
    if isinstance(block, doc.Table | doc.Figure) and block.mark:
        return block.source, block.mark
    return "", ""


#: The kind of a text's block control: a document part of vbgen's own gallery, which
#: LibreOffice keeps around the paragraphs it holds (see :class:`Controls`).
TEXT_PART = ('<w:docPartObj><w:docPartGallery w:val="vbgen"/>'
             '<w:docPartCategory w:val="text"/></w:docPartObj>')
#: Marks a text's block control that the text's next paragraph may join while writing.
_OPEN = "{urn:vbgen:skrivs}oppen"


def _sdt_element(tag: str, title: str, lock: str, number: int, kind: str = ""):
    return parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="{_attr(title[:250])}"/>'
        f'<w:tag w:val="{_attr(tag)}"/><w:id w:val="{number}"/><w:lock w:val="{lock}"/>'
        f"{kind}</w:sdtPr><w:sdtContent/></w:sdt>")
