"""The Word styles made from the identity: the reference document, and each build's restyling.

The identity (typsnitt, färger, storlekar) is declared once, in the ``:root`` rule of the
styles folder's ``rapport.css`` (:mod:`vbgen.stil`). :func:`make` builds a whole reference
document from it (``vbgen stil``, ``scripts/make_reference_docx.py``); :func:`restyle` sets
the same values on an existing reference document's styles, which every build does, so that
a colour changed in the style sheet changes the Word file too, while what an editor set in
Word that the identity does not declare (spacing, margins, header) stays.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from . import stil

#: Page width less the left and right margins (cm), as in rapport.css.
TEXT_WIDTH_CM = 21.0 - 2.5 - 2.2
#: Line heights as rapport.css sets them, as a multiple of the text size.
LINE_HEIGHT = {"text": 1.45, "tabell": 1.3, "rubrik": 1.25}
#: The style of a draft's mark on the title page: a band in the colour ``--utkast``.
DRAFT_STYLE = "Utkastmärke"
#: The bullet of each list level, repeated below the third: Word and LibreOffice read an
#: indented item by its level's format, so a level without one comes back numbered.
BULLETS = ("•", "–", "▪")


#: What follows a paragraph's shading (``w:shd``) in its properties, in the schema's order.
AFTER_SHADING = ("w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                 "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                 "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                 "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                 "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                 "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


#: What follows a run's letter spacing (``w:spacing``) in its properties, in the schema's order.
AFTER_LETTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u",
                        "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl",
                        "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish",
                        "w:oMath")


def _rgb(tokens: dict[str, str], name: str) -> RGBColor:
    return RGBColor.from_string(_hex(tokens, name))


def _hex(tokens: dict[str, str], name: str) -> str:
    return tokens[name].lstrip("#").upper()


def word_font(tokens: dict[str, str], name: str = "brodtext") -> str:
    """The font family the Word file names for ``--brodtext`` or ``--rubriker``."""
    return stil.first_family(tokens[name])


def _table_style(tokens: dict[str, str]) -> str:
    size = round(stil.points(tokens["tabelltext-storlek"]) * 2)
    return f"""
<w:style {nsdecls('w')} w:type="table" w:customStyle="1" w:styleId="VbgenTabell">
  <w:name w:val="Vbgen tabell"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:pPr><w:spacing w:before="20" w:after="20"/></w:pPr>
  <w:rPr><w:sz w:val="{size}"/></w:rPr>
  <w:tblPr>
    <w:tblBorders>
      <w:bottom w:val="single" w:sz="4" w:space="0" w:color="{_hex(tokens, 'linje')}"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="{_hex(tokens, 'linje')}"/>
    </w:tblBorders>
    <w:tblCellMar><w:left w:w="70" w:type="dxa"/><w:right w:w="70" w:type="dxa"/></w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{_hex(tokens, 'accent')}"/></w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="band2Horz">
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{_hex(tokens, 'zebra')}"/></w:tcPr>
  </w:tblStylePr>
</w:style>
"""


def _style(d: DocxDocument, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH,
           builtin: bool = False):
    try:
        return d.styles[name]
    except KeyError:
        return d.styles.add_style(name, kind, builtin=builtin)


def _paragraph_style(d: DocxDocument, name: str, base: str = "Normal",
                     size: float | None = None, bold: bool = False, italic: bool = False,
                     color: RGBColor | None = None, builtin: bool = False,
                     font: str | None = None) -> None:
    """A paragraph style; ``builtin`` for Word's own styles, named as Word names them inside
    the file ("toc 1"), so that Word uses them for its table of contents and footnotes."""
    style = _style(d, name, builtin=builtin)
    style.base_style = d.styles[base]
    style.font.name = font  # None: the font of the base style
    if size:
        style.font.size = Pt(size)
    style.font.bold = bold or None
    style.font.italic = italic or None
    if color is not None:
        style.font.color.rgb = color


def _line_height(style, points: float) -> None:
    """At least ``points`` between lines, as CSS's line-height: a taller picture or symbol
    makes its line taller rather than being cut."""
    style.paragraph_format.line_spacing = Pt(points)
    style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST


def restyle(d: DocxDocument, tokens: dict[str, str]) -> None:
    """Set what the identity declares on the document's styles: fonts, colours, sizes, the
    table look, the måluppfyllelse levels, the draft's mark and the bullets of every level.
    Styles the identity needs and the document lacks are added."""
    font, heading_font = word_font(tokens), word_font(tokens, "rubriker")
    accent, text = _rgb(tokens, "accent"), _rgb(tokens, "text")
    body_pt = stil.points(tokens["brodtext-storlek"])
    table_pt = stil.points(tokens["tabelltext-storlek"])
    rpr = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for key in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{key}"), font)

    normal = d.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(body_pt)
    normal.font.color.rgb = text
    # The PDF's line heights (rapport.css: 1.45 for text, 1.3 in tables, 1.25 in headings),
    # so that the pages break alike and the contents' page numbers hold in both formats.
    _line_height(normal, body_pt * LINE_HEIGHT["text"])
    sizes = {n: stil.points(tokens[f"rubrik-{n}"]) for n in (1, 2, 3, 4)} | {5: body_pt,
                                                                            6: body_pt}
    for level, size in sizes.items():
        h = d.styles[f"Heading {level}"]
        h.font.name = heading_font
        h.font.size = Pt(size)
        h.font.bold = True
        h.font.italic = level == 6
        h.font.color.rgb = accent
        _line_height(h, size * LINE_HEIGHT["rubrik"])
        h.paragraph_format.space_before = Pt(0 if level == 1 else round(size * 1.2))
        h.paragraph_format.space_after = Pt(round(size * 0.4))
    title = _style(d, "Title")
    title.font.name = heading_font
    title.font.size = Pt(stil.points(tokens["titel"]))
    # As far down as in the PDF: below the logotype, or the top of the page.
    title.paragraph_format.space_before = Pt(stil.points(tokens["titel-avstand"]))
    title.font.color.rgb = accent
    _style(d, "Subtitle").font.color.rgb = text
    _style(d, "Caption").font.color.rgb = accent
    _paragraph_style(d, "Tabelltext", size=table_pt)
    _line_height(d.styles["Tabelltext"], table_pt * LINE_HEIGHT["tabell"])
    _footnotes(d, tokens)
    # The draft's band on the title page, as the PDF's (.titelsida .utkast).
    _paragraph_style(d, DRAFT_STYLE, size=20, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF),
                     font=heading_font)
    band = d.styles[DRAFT_STYLE]
    band.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    band.paragraph_format.space_before = Cm(2)  # .titelsida .utkast { margin-top }
    ppr = band.element.get_or_add_pPr()
    for el in ppr.findall(qn("w:pBdr")) + ppr.findall(qn("w:shd")):
        ppr.remove(el)
    # The band's padding (0.3em) as borders of its own colour, 6 pt from the text: the
    # shading fills up to them. In their place among the paragraph's properties: Word reads
    # them in the schema's order.
    colour = _hex(tokens, "utkast")
    edge = f'w:val="single" w:sz="4" w:space="6" w:color="{colour}"'
    ppr.insert_element_before(
        parse_xml(f'<w:pBdr {nsdecls("w")}><w:top {edge}/><w:bottom {edge}/></w:pBdr>'),
        "w:shd", *AFTER_SHADING)
    ppr.insert_element_before(
        parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{colour}"/>'),
        *AFTER_SHADING)
    # The letters 0.12em apart, as in the PDF: 2.4 pt at 20 pt, in twentieths of a point.
    rpr = band.element.get_or_add_rPr()
    for el in rpr.findall(qn("w:spacing")):
        rpr.remove(el)
    rpr.insert_element_before(parse_xml(f'<w:spacing {nsdecls("w")} w:val="48"/>'),
                              *AFTER_LETTER_SPACING)

    for n, colour in enumerate(stil.level_colours_of(tokens), start=1):
        level = _style(d, f"Måluppfyllelse {n}", WD_STYLE_TYPE.CHARACTER)
        level.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())
        # The symbols at least the x-height of the text beside them, as in the PDF.
        level.font.size = Pt(round(table_pt * 1.5 * 2) / 2)
    for old in d.styles.element.findall(qn("w:style")):
        if old.get(qn("w:styleId")) == "VbgenTabell":
            d.styles.element.remove(old)
    d.styles.element.append(parse_xml(_table_style(tokens)))

    # Theme fonts win over named ones in Word, so the template's theme references go.
    for theme in d.styles.element.iter(qn("w:rFonts")):
        for key in [k for k in theme.attrib if k.lower().endswith("theme")]:
            del theme.attrib[key]
        if not len(theme.attrib):
            theme.getparent().remove(theme)
    _bullets_at_every_level(d)


def _footnotes(d: DocxDocument, tokens: dict[str, str]) -> None:
    """The footnotes as the PDF's (rapport.css, ``.fotnot`` and ``::footnote-call``): in
    the body font at ``--fotnot-storlek`` in the text colour, the PDF's line height and no
    space between notes, and the call raised (superscript)."""
    size = stil.points(tokens["fotnot-storlek"])
    _paragraph_style(d, "footnote text", size=size, color=_rgb(tokens, "text"), builtin=True)
    text = d.styles["footnote text"]
    _line_height(text, size * LINE_HEIGHT["text"])
    text.paragraph_format.space_before = text.paragraph_format.space_after = Pt(0)
    text.paragraph_format.first_line_indent = text.paragraph_format.left_indent = None
    call = _style(d, "footnote reference", WD_STYLE_TYPE.CHARACTER, builtin=True)
    call.font.superscript = True


def _bullets_at_every_level(d: DocxDocument) -> None:
    """Give each list definition all nine levels in its own kind (bullet or number)."""
    try:
        numbering = d.part.numbering_part.element
    except NotImplementedError:  # a reference document without lists
        return
    for definition in numbering.findall(qn("w:abstractNum")):
        levels = definition.findall(qn("w:lvl"))
        if not levels:
            continue
        first = levels[0].find(qn("w:numFmt"))
        bullet = first is not None and first.get(qn("w:val")) == "bullet"
        if bullet:
            # Word's template draws its bullet from the Symbol font (U+F0B7), which a
            # computer may lack; the identity's own font has "•".
            for lvl in levels:
                text, n = lvl.find(qn("w:lvlText")), int(lvl.get(qn("w:ilvl")))
                if text is not None:
                    text.set(qn("w:val"), BULLETS[n % len(BULLETS)])
                for rpr in lvl.findall(qn("w:rPr")):
                    lvl.remove(rpr)
        have = {lvl.get(qn("w:ilvl")) for lvl in levels}
        for n in range(9):
            if str(n) in have:
                continue
            fmt = ('w:val="bullet"/><w:lvlText w:val="' + BULLETS[n % len(BULLETS)] + '"/>'
                   if bullet else f'w:val="decimal"/><w:lvlText w:val="%{n + 1}."/>')
            indent = 360 * (n + 1) + 360
            definition.append(parse_xml(
                f'<w:lvl {nsdecls("w")} w:ilvl="{n}"><w:start w:val="1"/><w:numFmt {fmt}'
                f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{indent}" w:hanging="360"/>'
                "</w:pPr></w:lvl>"))


def _field(paragraph, instr: str, cached: str) -> None:
    def run(xml: str) -> None:
        paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}>{xml}</w:r>"))

    run('<w:fldChar w:fldCharType="begin"/>')
    run(f'<w:instrText xml:space="preserve"> {instr} </w:instrText>')
    run('<w:fldChar w:fldCharType="separate"/>')
    run(f"<w:t>{cached}</w:t>")
    run('<w:fldChar w:fldCharType="end"/>')


def _clean(d: DocxDocument) -> None:
    """Leave out python-docx's template leftovers: preview picture, custom XML, Mac Word."""
    from .docx import clean_package

    cp = d.core_properties
    cp.author = cp.last_modified_by = "vbgen"
    cp.keywords = cp.comments = cp.category = ""
    cp.revision = 1
    cp.created = cp.modified = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    clean_package(d)  # the writer's own clean-up, so the reference and built files agree
    settings = d.settings.element
    for name in ("savePreviewPicture", "proofState", "rsids", "attachedTemplate"):
        for el in settings.findall(qn(f"w:{name}")):
            settings.remove(el)
    for el in settings.iter(qn("w:compatSetting")):
        if el.get(qn("w:name")) == "compatibilityMode":
            el.set(qn("w:val"), "15")
    for el in settings.findall(qn("w:themeFontLang")):
        el.set(qn("w:val"), "sv-SE")
    assert all(r.reltype != RT.THUMBNAIL for r in d.part.package.rels.values())


def make(tokens: dict[str, str]) -> DocxDocument:
    """A whole reference document from the identity's ``tokens``."""
    d = docx.Document()
    rpr = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    rpr.append(parse_xml(
        f'<w:lang {nsdecls("w")} w:val="sv-SE" w:eastAsia="sv-SE" w:bidi="ar-SA"/>'))
    normal = d.styles["Normal"]
    normal.paragraph_format.space_after = Pt(6)
    for level in range(1, 7):
        h = d.styles[f"Heading {level}"]
        h.paragraph_format.keep_with_next = True
        h.paragraph_format.page_break_before = level == 1
        # Out of the table of contents by style: the same look, and in Word's navigation
        # pane, but not a built-in heading style, which is what the contents are made of.
        _paragraph_style(d, f"Rubrik {level} utanför innehåll", base=f"Heading {level}")

    # The cover as in the PDF (the title's size, colour and place: restyle).
    _paragraph_style(d, "Title", bold=True)
    title = d.styles["Title"]
    title.paragraph_format.space_after = Pt(12)
    for el in title.element.pPr.findall(qn("w:pBdr")):  # the template's rule under the title
        title.element.pPr.remove(el)
    _paragraph_style(d, "Subtitle", size=16)
    d.styles["Subtitle"].font.italic = None
    for el in d.styles["Subtitle"].element.rPr.findall(qn("w:spacing")):
        d.styles["Subtitle"].element.rPr.remove(el)  # the template's letter spacing
    d.styles["Subtitle"].paragraph_format.space_after = Pt(3)
    _paragraph_style(d, "Caption", size=9, bold=True)
    _paragraph_style(d, "TOC Heading", base="Heading 1")
    d.styles["TOC Heading"].paragraph_format.page_break_before = True
    for level, size in ((1, 10), (2, 9.5), (3, 9)):
        _paragraph_style(d, f"toc {level}", size=size, builtin=True)
        toc = d.styles[f"toc {level}"].paragraph_format
        toc.left_indent = Cm(0.6 * (level - 1))
        toc.space_after = Pt(3)
        # Page numbers at the right margin, joined to the heading by a dotted line.
        toc.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT,
                                   WD_TAB_LEADER.DOTS)
    _paragraph_style(d, "Tabelltext")
    d.styles["Tabelltext"].paragraph_format.space_after = Pt(0)
    _paragraph_style(d, "Tabellnot", size=8, italic=True)
    _paragraph_style(d, "Lucka", bold=True, color=RGBColor(0xAA, 0x33, 0x33))
    _paragraph_style(d, "Bildtext", size=8.5)
    _paragraph_style(d, "Brevhuvud", size=9)  # the tjänsteskrivelse's letterhead lines
    d.styles["Brevhuvud"].paragraph_format.space_after = Pt(8)
    for name in ("List Bullet", "List Number"):
        d.styles[name].font.name = None
    restyle(d, tokens)

    section = d.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.2)
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.text = "[sidhuvud]"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.style.font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Sida ")
    _field(footer, "PAGE", "1")
    footer.add_run(" (")
    _field(footer, "NUMPAGES", "1")
    footer.add_run(")")
    assert section.start_type == WD_SECTION.NEW_PAGE

    d.add_paragraph("Referensdokument för vbgen. Innehållet ersätts när rapporten byggs; "
                    "bara formatmallar, sidhuvud, sidfot och marginaler används.")
    _clean(d)
    d.core_properties.title = "vbgen referensdokument"
    d.core_properties.language = "sv-SE"
    return d


def write(styles: Path, built_in: Path) -> Path:
    """Write ``referens.docx`` in ``styles`` from its ``rapport.css`` over the built-in one."""
    out = styles / "referens.docx"
    make(stil.identity(styles / "rapport.css", built_in / "rapport.css")).save(str(out))
    return out
