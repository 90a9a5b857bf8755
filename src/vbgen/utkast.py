"""What a Word draft carries so that its texts can be taken back into the data.

A draft's texts are in content controls (``w:sdt``) named with each text's place in the
data; what the draft was built from is stored in the file as a custom XML part
(:class:`Manifest`), which Word and LibreOffice keep when they save it. The DOCX writer
writes both; :mod:`vbgen.hamta` reads them.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

#: The namespace of the stored record, and its version.
DRAFT_NS = "urn:vbgen:utkast:1"
#: The start of the name of a locked control around something vbgen generated.
GENERATED_PREFIX = "vbgen:"
#: The title Word shows for a locked control.
LOCKED_TITLE = "Skapas av vbgen – ändras i data"
#: The start of the name of a locked control around a figure cited in a text ("[tal: …]").
CITATION_PREFIX = "vbgen-tal:"
#: The title Word shows for a cited figure.
CITATION_TITLE = "Tal ur data – ändras i data"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SPACE = re.compile(r"\s+")


def text_digest(text: str | None) -> str:
    """A short digest of a text, to see later whether it changed."""
    return hashlib.sha256((text or "").strip().encode("utf-8")).hexdigest()[:16]


def control_text(element: Any) -> str:
    """The visible text of a part of a Word document, spaces normalised."""
    parts = [t.text or "" for t in element.iter(f"{_W}t")]
    return _SPACE.sub(" ", "".join(parts)).strip()


@dataclass
class Manifest:
    """What a draft was built from: for each text, its title, the heading level of "###",
    the digest of the data's text and of the text as the draft shows it (canonical
    Markdown); for each locked control, the digest of its text and, when it stands for a
    mark in a text ("[tabell: id]"), that text and the mark."""

    built: str = ""
    #: The nämnd and year of the data ("Socialnämnden 2024").
    origin: str = ""
    texts: dict[str, tuple[str, int, str, str]] = field(default_factory=dict)
    locked: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: The mark each cited figure's control stands for, by the control's name.
    citations: dict[str, str] = field(default_factory=dict)

    def to_xml(self) -> bytes:
        root = ET.Element("utkast", {"xmlns": DRAFT_NS, "byggt": self.built,
                                     "data": self.origin})
        for name, (title, level, data, shown) in self.texts.items():
            ET.SubElement(root, "text", {"namn": name, "titel": title, "niva": str(level),
                                         "data": data, "utkast": shown})
        for name, (digest, source, mark) in self.locked.items():
            attrs = {"namn": name, "kontroll": digest}
            if mark:
                attrs |= {"text": source, "markering": mark}
            ET.SubElement(root, "last", attrs)
        for name, mark in self.citations.items():
            ET.SubElement(root, "tal", {"namn": name, "markering": mark})
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "utf-8")

    @classmethod
    def from_xml(cls, data: bytes) -> Manifest | None:
        """The record in ``data``, or None when it is not one."""
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            return None
        if root.tag != f"{{{DRAFT_NS}}}utkast":
            return None
        m = cls(built=root.get("byggt", ""), origin=root.get("data", ""))
        for el in root.iter(f"{{{DRAFT_NS}}}text"):
            m.texts[el.get("namn", "")] = (el.get("titel", ""), int(el.get("niva", "4")),
                                           el.get("data", ""), el.get("utkast", ""))
        for el in root.iter(f"{{{DRAFT_NS}}}last"):
            m.locked[el.get("namn", "")] = (el.get("kontroll", ""), el.get("text", ""),
                                            el.get("markering", ""))
        for el in root.iter(f"{{{DRAFT_NS}}}tal"):
            m.citations[el.get("namn", "")] = el.get("markering", "")
        return m

    def citation_name(self, mark: str) -> str:
        """The name of the control around a figure cited with ``mark``, recorded here: short,
        as Word keeps a control's name, and the same for the same mark."""
        name = CITATION_PREFIX + hashlib.sha256(mark.encode("utf-8")).hexdigest()[:16]
        self.citations[name] = mark
        return name

    def attach(self, document: Any) -> None:
        """Store the record in a python-docx document as a custom XML part."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        package = document.part.package
        taken = {str(p.partname) for p in package.iter_parts()}
        n = 1
        while f"/customXml/item{n}.xml" in taken or f"/customXml/itemProps{n}.xml" in taken:
            n += 1
        item = Part(PackURI(f"/customXml/item{n}.xml"), "application/xml", self.to_xml(),
                    package)
        props = Part(
            PackURI(f"/customXml/itemProps{n}.xml"),
            "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
            ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
             '<ds:datastoreItem ds:itemID="{' + str(uuid.uuid5(uuid.NAMESPACE_URL, DRAFT_NS
                                                                 + self.built)).upper()
             + '}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
             "<ds:schemaRefs/>"
             "</ds:datastoreItem>").encode("utf-8"), package)
        item.relate_to(props, RT.CUSTOM_XML_PROPS)
        document.part.relate_to(item, RT.CUSTOM_XML)
