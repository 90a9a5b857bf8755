"""Create the default Word reference document, ``styles/referens.docx``.

Run once to (re)create the default; editors then change styles in Word and save. Running it
again overwrites their changes, so it refuses to when the file exists unless ``--force``.
``python scripts/make_reference_docx.py --force MAPP`` makes it for a kommun's own styles
folder, from that folder's rapport.css.

The font, colours and heading sizes come from the ``:root`` rule of ``styles/rapport.css``
(read by :mod:`vbgen.writers.stil`), so the Word file and the PDF share one declaration.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from vbgen.writers import stil

BUILT_IN = Path(__file__).resolve().parent.parent / "styles"
#: The styles folder to read rapport.css from and write referens.docx to: the first
#: argument that is not an option (a kommun's own folder, as given to --stilar), or styles/.
_FOLDERS = [a for a in sys.argv[1:] if not a.startswith("--")]
STYLES = Path(_FOLDERS[0]) if _FOLDERS else BUILT_IN
#: The identity: the built-in values, overridden by those of the folder's own rapport.css.
IDENTITY = stil.tokens(BUILT_IN / "rapport.css") | (
    stil.tokens(STYLES / "rapport.css") if (STYLES / "rapport.css").is_file() else {})


def _rgb(name: str) -> RGBColor:
    return RGBColor.from_string(IDENTITY[name].lstrip("#").upper())


def _hex(name: str) -> str:
    return IDENTITY[name].lstrip("#").upper()


ACCENT = _rgb("accent")
TEXT = _rgb("text")
#: Body text font: set on Normal (and as the document default); every other style except the
#: headings and the title inherits it, so changing Normal in Word changes all body text.
#: Arial has the same character widths as the PDF's Liberation Sans.
FONT = stil.first_family(IDENTITY["typsnitt-word"])
#: Heading font: set on Title and Heading 1-6.
HEADING_FONT = FONT
BODY_PT = stil.points(IDENTITY["brodtext-storlek"])
TABLE_PT = stil.points(IDENTITY["tabelltext-storlek"])
HEADING_PT = {n: stil.points(IDENTITY[f"rubrik-{n}"]) for n in (1, 2, 3, 4)} | {5: BODY_PT,
                                                                               6: BODY_PT}
#: Page width less the left and right margins below.
TEXT_WIDTH = Cm(21.0 - 2.5 - 2.2)
OUT = STYLES / "referens.docx"

TABLE_STYLE = f"""
<w:style {nsdecls('w')} w:type="table" w:customStyle="1" w:styleId="VbgenTabell">
  <w:name w:val="Vbgen tabell"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:pPr><w:spacing w:before="20" w:after="20"/></w:pPr>
  <w:rPr><w:sz w:val="{round(TABLE_PT * 2)}"/></w:rPr>
  <w:tblPr>
    <w:tblBorders>
      <w:bottom w:val="single" w:sz="4" w:space="0" w:color="{_hex('linje')}"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="{_hex('linje')}"/>
    </w:tblBorders>
    <w:tblCellMar><w:left w:w="70" w:type="dxa"/><w:right w:w="70" w:type="dxa"/></w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{_hex('accent')}"/></w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="band2Horz">
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{_hex('zebra')}"/></w:tcPr>
  </w:tblStylePr>
</w:style>
"""


def _paragraph_style(d: docx.document.Document, name: str, base: str = "Normal",
                     size: float | None = None, bold: bool = False, italic: bool = False,
                     color: RGBColor | None = None, builtin: bool = False,
                     font: str | None = None) -> None:
    """A paragraph style; ``builtin`` for Word's own styles, named as Word names them inside
    the file ("toc 1"), so that Word uses them for its table of contents and footnotes."""
    try:
        style = d.styles[name]
    except KeyError:
        style = d.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH, builtin=builtin)
    style.base_style = d.styles[base]
    style.font.name = font  # None: the font of the base style
    if size:
        style.font.size = Pt(size)
    style.font.bold = bold or None
    style.font.italic = italic or None
    if color is not None:
        style.font.color.rgb = color


def _field(paragraph, instr: str, cached: str) -> None:
    def run(xml: str) -> None:
        paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}>{xml}</w:r>"))

    run('<w:fldChar w:fldCharType="begin"/>')
    run(f'<w:instrText xml:space="preserve"> {instr} </w:instrText>')
    run('<w:fldChar w:fldCharType="separate"/>')
    run(f"<w:t>{cached}</w:t>")
    run('<w:fldChar w:fldCharType="end"/>')


def _clean(d: docx.document.Document) -> None:
    """Leave out python-docx's template leftovers: preview picture, custom XML, Mac Word."""
    from vbgen.writers.docx import clean_package

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


def main() -> int:
    if OUT.exists() and "--force" not in sys.argv:
        print(f"{OUT} finns redan; lägg till --force för att skriva över den.")
        return 1
    d = docx.Document()

    # Document language and default font for every style.
    rpr = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    rpr.append(parse_xml(
        f'<w:lang {nsdecls("w")} w:val="sv-SE" w:eastAsia="sv-SE" w:bidi="ar-SA"/>'))
    fonts = rpr.find(qn("w:rFonts"))
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for key in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{key}"), FONT)

    normal = d.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.font.color.rgb = TEXT
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15

    for level, size in HEADING_PT.items():
        h = d.styles[f"Heading {level}"]
        h.font.name = HEADING_FONT
        h.font.size = Pt(size)
        h.font.bold = True
        h.font.italic = level == 6
        h.font.color.rgb = ACCENT
        h.paragraph_format.keep_with_next = True
        h.paragraph_format.space_before = Pt(18 if level == 1 else 10)
        h.paragraph_format.space_after = Pt(4)
        h.paragraph_format.page_break_before = level == 1
        # Out of the table of contents by style: the same look, and in Word's navigation
        # pane, but not a built-in heading style, which is what the contents are made of.
        _paragraph_style(d, f"Rubrik {level} utanför innehåll", base=f"Heading {level}")

    # The cover as in the PDF: the title a third down the page, in the accent colour.
    _paragraph_style(d, "Title", size=stil.points(IDENTITY["titel"]), bold=True, color=ACCENT,
                     font=HEADING_FONT)
    title = d.styles["Title"]
    title.paragraph_format.space_before = Cm(5.5)
    title.paragraph_format.space_after = Pt(12)
    for tag in ("w:pBdr",):  # the template's rule under the title
        for el in title.element.pPr.findall(qn(tag)):
            title.element.pPr.remove(el)
    _paragraph_style(d, "Subtitle", size=16, color=TEXT)
    d.styles["Subtitle"].font.italic = None
    for el in d.styles["Subtitle"].element.rPr.findall(qn("w:spacing")):
        d.styles["Subtitle"].element.rPr.remove(el)  # the template's letter spacing
    d.styles["Subtitle"].paragraph_format.space_after = Pt(3)
    _paragraph_style(d, "Caption", size=9, bold=True, color=ACCENT)
    _paragraph_style(d, "TOC Heading", base="Heading 1")
    d.styles["TOC Heading"].paragraph_format.page_break_before = True
    for level, size in ((1, 10), (2, 9.5), (3, 9)):
        _paragraph_style(d, f"toc {level}", size=size, builtin=True)
        toc = d.styles[f"toc {level}"].paragraph_format
        toc.left_indent = Cm(0.6 * (level - 1))
        toc.space_after = Pt(3)
        # Page numbers at the right margin, joined to the heading by a dotted line.
        toc.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    _paragraph_style(d, "footnote text", size=8, builtin=True)
    _paragraph_style(d, "Tabelltext", size=8.5)
    d.styles["Tabelltext"].paragraph_format.space_after = Pt(0)
    _paragraph_style(d, "Tabellnot", size=8, italic=True)
    _paragraph_style(d, "Lucka", bold=True, color=RGBColor(0xAA, 0x33, 0x33))
    _paragraph_style(d, "Bildtext", size=8.5)
    _paragraph_style(d, "Brevhuvud", size=9)  # the tjänsteskrivelse's letterhead lines
    d.styles["Brevhuvud"].paragraph_format.space_after = Pt(8)
    for name in ("List Bullet", "List Number"):
        d.styles[name].font.name = None

    # Måluppfyllelsens symboler: nivåns färg och lite större, som i PDF:en.
    levels = [IDENTITY[f"niva-{n}"] for n in range(1, 10) if f"niva-{n}" in IDENTITY]
    for n, colour in enumerate(levels, start=1):
        level = d.styles.add_style(f"Måluppfyllelse {n}", WD_STYLE_TYPE.CHARACTER)
        level.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())
        level.font.size = Pt(round(TABLE_PT * 1.5 * 2) / 2)
    ref = d.styles.add_style("footnote reference", WD_STYLE_TYPE.CHARACTER, builtin=True)
    ref.font.superscript = True
    d.styles.element.append(parse_xml(TABLE_STYLE))

    # Theme fonts win over named ones in Word, so the template's theme references go.
    for fonts in d.styles.element.iter(qn("w:rFonts")):
        for key in [k for k in fonts.attrib if k.lower().endswith("theme")]:
            del fonts.attrib[key]
        if not len(fonts.attrib):
            fonts.getparent().remove(fonts)

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
    OUT.parent.mkdir(exist_ok=True)
    d.save(OUT)
    print(f"skrev {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
