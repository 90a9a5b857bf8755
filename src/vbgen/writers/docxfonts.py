"""The identity's fonts embedded in a Word file, so that it looks the same on any computer.

Word and LibreOffice use a font embedded in the file when the computer lacks it. Each font
is subset to the characters the document shows and the Swedish alphabet with its
punctuation (so that an editor can still type in a draft), and stored obfuscated as the
format requires (ECMA-376 part 1, 17.8.1). The font table also names a fallback with the
same character widths (``--typsnitt-word``, Arial for Liberation Sans) for a program that
does not read embedded fonts.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

_FONT_CT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
#: Always kept in a subset: printable ASCII, Latin-1 and the punctuation and symbols a
#: Swedish report uses (dashes, quotes, no-break spaces, minus, the assessment symbols).
_ALWAYS = ({*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2010, 0x2027), 0x202F,
            0x2212, 0x2022, 0x2026, 0x20AC, 0x25CF, 0x25D1, 0x25D5, 0x25CB, 0x25AA})
#: The embedding elements of a font in the font table, by (bold, italic).
_KINDS = {(False, False): "embedRegular", (True, False): "embedBold",
          (False, True): "embedItalic", (True, True): "embedBoldItalic"}
#: Children of w:font in schema order.
_FONT_ORDER = ["altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig",
               "embedRegular", "embedBold", "embedItalic", "embedBoldItalic"]


def subset(path: Path, characters: set[int]) -> bytes:
    """The TrueType font at ``path`` with only the glyphs of ``characters``."""
    from . import subset as hb_subset

    cut = hb_subset.by_characters(path.read_bytes(), characters | _ALWAYS)
    if cut is not None:
        return cut
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    options = ft_subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = ["*"]
    options.drop_tables += ["FFTM"]  # FontForge's timestamps, which fontTools cannot subset
    with TTFont(str(path)) as font:
        subsetter = ft_subset.Subsetter(options)
        subsetter.populate(unicodes=characters | _ALWAYS)
        subsetter.subset(font)
        buf = io.BytesIO()
        font.save(buf)
    return buf.getvalue()


def obfuscate(data: bytes, key: str) -> bytes:
    """XOR the font's first 32 bytes with the GUID ``key``'s bytes, read right to left."""
    guid = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ guid[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def _shown_characters(d: DocxDocument) -> set[int]:
    parts = [d.part, *(rel.target_part for rel in d.part.rels.values()
                       if not rel.is_external and rel.target_part.partname.endswith(".xml"))]
    found: set[int] = set()
    for part in parts:
        element = getattr(part, "element", None)
        root = element if element is not None else etree.fromstring(part.blob)
        for t in root.iter(qn("w:t")):
            found.update(map(ord, t.text or ""))
    return found


def embed(d: DocxDocument, faces: dict[str, dict[tuple[bool, bool], Path]],
          fallbacks: dict[str, str]) -> None:
    """Embed each family of ``faces`` (as :func:`vbgen.stil.font_faces` gives them) that
    has TrueType files, subset to what ``d`` shows; ``fallbacks`` names a family's
    metric-compatible fallback."""
    table_rel = next((r for r in d.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if table_rel is None:
        return
    table_part = table_rel.target_part
    root = etree.fromstring(table_part.blob)
    characters = _shown_characters(d)
    number = 0
    for family, files in faces.items():
        files = {k: p for k, p in files.items() if p.suffix.lower() == ".ttf" and p.is_file()}
        if not files:
            continue
        font = next((f for f in root.findall(qn("w:font")) if f.get(qn("w:name")) == family),
                    None)
        if font is None:
            font = parse_xml(f'<w:font {nsdecls("w")} w:name="{family}"/>')
            root.append(font)
        for child in list(font):
            if etree.QName(child).localname.startswith("embed") or (
                    etree.QName(child).localname == "altName"):
                font.remove(child)
        if family in fallbacks:
            font.append(parse_xml(f'<w:altName {nsdecls("w")} w:val="{fallbacks[family]}"/>'))
        for kind, path in sorted(files.items()):
            number += 1
            key = "{" + str(uuid.uuid4()).upper() + "}"
            part = Part(PackURI(f"/word/fonts/font{number}.odttf"), _FONT_CT,
                        obfuscate(subset(path, characters), key), d.part.package)
            rid = table_part.relate_to(part, RT.FONT)
            font.append(parse_xml(
                f'<w:{_KINDS[kind]} {nsdecls("w", "r")} r:id="{rid}" w:fontKey="{key}" '
                'w:subsetted="1"/>'))
        order = {name: n for n, name in enumerate(_FONT_ORDER)}
        font[:] = sorted(font, key=lambda el: order.get(etree.QName(el).localname, 99))
    if number:
        table_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                          standalone=True)
        _settings(d)


def _settings(d: DocxDocument) -> None:
    """Tell Word the file carries its fonts, subset, in the settings' schema order."""
    settings = d.settings.element
    for name in ("embedTrueTypeFonts", "saveSubsetFonts"):
        for el in settings.findall(qn(f"w:{name}")):
            settings.remove(el)
    before = [qn(f"w:{n}") for n in ("writeProtection", "view", "zoom",
                                     "removePersonalInformation", "removeDateAndTime",
                                     "doNotDisplayPageBoundaries", "displayBackgroundShape",
                                     "printPostScriptOverText", "printFractionalCharacterWidth",
                                     "printFormsData")]
    at = 0
    for n, child in enumerate(settings):
        if child.tag in before:
            at = n + 1
    settings.insert(at, parse_xml(f'<w:embedTrueTypeFonts {nsdecls("w")}/>'))
    settings.insert(at + 1, parse_xml(f'<w:saveSubsetFonts {nsdecls("w")}/>'))
