"""What a Word draft carries so that its texts can be taken back into the data.

A draft's texts are in content controls (``w:sdt``) named with each text's place in the
data; what the draft was built from is stored in the file as a custom XML part
(:class:`Manifest`), which Word and LibreOffice keep when they save it. The DOCX writer
writes both; :mod:`vbgen.commands.hamta` reads them.
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
    """The visible text of a part of a Word document, spaces normalised: what the digest
    of a locked part is made of."""
    parts = [t.text or "" for t in element.iter(f"{_W}t")]
    return _SPACE.sub(" ", "".join(parts)).strip()


def shown_text(element: Any) -> str:
    """The text of a part of a Word document as a message shows it: its paragraphs and
    cells apart, spaces normalised, without control characters."""
    paragraphs = list(element.iter(f"{_W}p")) or [element]
    return shown_text_line(" ".join(control_text(p) for p in paragraphs))


def shown_text_line(text: str) -> str:
    """``text`` on one line: spaces normalised, without control characters."""
    return _CONTROL.sub("", _SPACE.sub(" ", text)).strip()


def table_grid(table: Any) -> tuple[int, list[list[str]]]:
    """A Word table (``w:tbl``) as its header rows' count and a grid of the text of each
    cell, a cell spanning columns repeated in each and one merged from above empty: the
    same shape for the table as built and as edited, so that cells compare by place."""
    rows: list[list[str]] = []
    head = 0
    for tr in table.iterchildren(f"{_W}tr"):
        if tr.find(f"{_W}trPr/{_W}tblHeader") is not None and head == len(rows):
            head += 1
        row: list[str] = []
        for tc in tr.iter(f"{_W}tc"):
            if next((a for a in tc.iterancestors(f"{_W}tr")), None) is not tr:
                continue  # a cell of a table inside this one
            span = tc.find(f"{_W}tcPr/{_W}gridSpan")
            merged = tc.find(f"{_W}tcPr/{_W}vMerge")
            text = "" if merged is not None and merged.get(f"{_W}val") in (None, "continue") \
                else shown_text(tc)[:MAX_NAME]
            count = span.get(f"{_W}val", "1") if span is not None else "1"
            row += [text] * (int(count) if count.isdigit() and 0 < int(count) < 64 else 1)
        rows.append(row)
    return head, rows


def _column_label(head: list[list[str]], column: int) -> str:
    """What the header rows call a column: each distinct heading above it, top down."""
    out: list[str] = []
    for row in head:
        if column < len(row) and row[column] and row[column] not in out:
            out.append(row[column])
    return " ".join(out)


class ManifestError(ValueError):
    """A draft's record is vbgen's but not in the shape vbgen writes; the message says how."""


#: The longest name or title a record may hold.
MAX_NAME = 2000
_DIGEST = re.compile(r"[0-9a-f]{16}")
#: The attributes of a record's text and locked part.
_TEXT = ("namn", "titel", "niva", "data", "utkast")
_LOCKED = ("namn", "kontroll", "text", "markering", "visat", "tabell", "huvud")
_LOCKED_OPTIONAL = ("text", "markering", "visat", "tabell", "huvud")
#: The most rows and cells a record's table may hold: more than any table vbgen builds.
MAX_ROWS, MAX_CELLS = 100_000, 1_000_000
_CITED = ("namn", "markering")
#: A cited figure's mark as the record holds it: one line, "[tal: …]".
_CITATION_MARK = re.compile(r"\[tal:[^\]\n\r]*\]")
#: Characters no name or title holds: a line break would break the messages that show it.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def shown_key(name: str, limit: int = 80) -> str:
    """A name from a draft as a message shows it: control characters written out (a line
    break as \\n), and cut after ``limit`` characters."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], name)
    return text if len(text) <= limit else text[:limit] + "…"


def _attributes(el: Any, what: str, names: tuple[str, ...],
                optional: tuple[str, ...] = ()) -> dict[str, str]:
    """The attributes ``names`` of ``el``: each of them there (unless ``optional``), no
    other, of a sane length and without control characters."""
    given = dict(el.attrib)
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ManifestError(f"{what} har ett okänt attribut ({shown_key(unknown[0])})")
    missing = [n for n in names if n not in given and n not in optional]
    if missing:
        raise ManifestError(f"{what} saknar attributet {missing[0]}")
    for value in given.values():
        if len(value) > MAX_NAME or _CONTROL.search(value):
            raise ManifestError(f"{what} har ett namn eller en titel med styrtecken (som en "
                                f"radbrytning) eller över {MAX_NAME} tecken: "
                                f'"{shown_key(value)}"')
    return given


def _locked(el: Any, n: int, a: dict[str, str]) -> Locked:
    """A locked part of the record, its table's rows and cells read as strictly as the rest:
    only ``rad`` elements holding only ``cell`` elements, each with text and nothing else."""
    part = Locked(a["kontroll"], a.get("text", ""), a.get("markering", ""),
                  a.get("visat", ""), a.get("tabell", ""))
    if "huvud" in a:
        if not (a["huvud"].isascii() and a["huvud"].isdigit() and len(a["huvud"]) < 4):
            raise ManifestError(f"del {n} har ett antal rubrikrader som inte är ett tal")
        part.head = int(a["huvud"])
    if len(el) and "tabell" not in a:
        raise ManifestError(f"del {n} har text eller element inuti")
    cells = 0
    for tr in el:
        if not isinstance(tr.tag, str) or tr.tag != f"{{{DRAFT_NS}}}rad" or tr.attrib \
                or (tr.text or "").strip() or (tr.tail or "").strip():
            raise ManifestError(f"del {n} har något annat än tabellrader inuti")
        row: list[str] = []
        for td in tr:
            if not isinstance(td.tag, str) or td.tag != f"{{{DRAFT_NS}}}cell" or td.attrib \
                    or len(td) or (td.tail or "").strip():
                raise ManifestError(f"del {n} har en tabellrad med något annat än celler")
            text = td.text or ""
            if len(text) > MAX_NAME or _CONTROL.search(text):
                raise ManifestError(f"del {n} har en cell med styrtecken eller över "
                                    f"{MAX_NAME} tecken")
            row.append(text)
        cells += len(row)
        part.rows.append(row)
        if len(part.rows) > MAX_ROWS or cells > MAX_CELLS:
            raise ManifestError(f"del {n} har fler rader eller celler än en tabell har")
    if part.head > len(part.rows):
        raise ManifestError(f"del {n} har fler rubrikrader än rader")
    return part


@dataclass
class Locked:
    """A part of a draft that vbgen generated, as the record holds it."""

    #: The digest of its text (:func:`control_text`), to see whether it was edited.
    digest: str
    #: The text whose mark ("[tabell: id]") placed it there, and the mark.
    source: str = ""
    mark: str = ""
    #: Its text as built (:func:`shown_text`), to show what an edit changed.
    shown: str = ""
    #: A table's caption, its header rows' count and its cells (:func:`table_grid`).
    caption: str = ""
    head: int = 0
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class CellEdit:
    """A cell of a generated table that was edited in a draft."""

    row: str
    column: str
    old: str
    new: str


def cell_edits(part: Locked, head: int, rows: list[list[str]]) -> list[CellEdit] | None:
    """The cells of a generated table that differ from ``part`` as built; None when rows or
    columns were added or taken away, so that cells no longer match by place."""
    if head != part.head or len(rows) != len(part.rows) or any(
            len(a) != len(b) for a, b in zip(rows, part.rows, strict=True)):
        return None
    out: list[CellEdit] = []
    for r, (new_row, old_row) in enumerate(zip(rows, part.rows, strict=True)):
        for c, (new, old) in enumerate(zip(new_row, old_row, strict=True)):
            if new == old:
                continue
            label = old_row[0] if c else ""
            edit = CellEdit(label if r >= part.head else "", _column_label(
                part.rows[:part.head], c), old, new)
            if edit not in out:  # a cell spanning columns is one edit
                out.append(edit)
    return out


def word_changes(old: str, new: str, context: int = 3) -> list[tuple[str, str]]:
    """Where ``new`` differs from ``old``, word by word: each change as the old and the new
    words with up to ``context`` words around them ("…" where words are left out)."""
    import difflib

    a, b = old.split(), new.split()
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = max(0, i1 - context)
        before = a[start:i1]
        after = a[i2:i2 + context]
        lead = "… " if start > 0 else ""
        trail = " …" if i2 + context < len(a) else ""
        out.append((lead + " ".join(before + a[i1:i2] + after) + trail,
                    lead + " ".join(before + b[j1:j2] + after) + trail))
    return out


@dataclass
class Manifest:
    """What a draft was built from: for each text, its title, the heading level of "###",
    the digest of the data's text and of the text as the draft shows it (canonical
    Markdown); for each locked control, the digest of its text and, when it stands for a
    mark in a text ("[tabell: id]"), that text and the mark, and what it showed: a
    paragraph's text, a table's caption and cells."""

    built: str = ""
    #: The nämnd and year of the data ("Socialnämnden 2024").
    origin: str = ""
    texts: dict[str, tuple[str, int, str, str]] = field(default_factory=dict)
    locked: dict[str, Locked] = field(default_factory=dict)
    #: The mark each cited figure's control stands for, by the control's name.
    citations: dict[str, str] = field(default_factory=dict)

    def to_xml(self) -> bytes:
        root = ET.Element("utkast", {"xmlns": DRAFT_NS, "byggt": self.built,
                                     "data": self.origin})
        for name, (title, level, data, shown) in self.texts.items():
            ET.SubElement(root, "text", {"namn": name, "titel": title, "niva": str(level),
                                         "data": data, "utkast": shown})
        for name, part in self.locked.items():
            attrs = {"namn": name, "kontroll": part.digest}
            if part.mark:
                attrs |= {"text": part.source, "markering": part.mark}
            if part.rows:
                attrs |= {"tabell": part.caption, "huvud": str(part.head)}
            elif part.shown:
                attrs["visat"] = part.shown
            el = ET.SubElement(root, "last", attrs)
            for row in part.rows:
                tr = ET.SubElement(el, "rad")
                for cell in row:
                    ET.SubElement(tr, "cell").text = cell
        for name, mark in self.citations.items():
            ET.SubElement(root, "tal", {"namn": name, "markering": mark})
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "utf-8")

    @classmethod
    def from_xml(cls, data: bytes) -> Manifest | None:
        """The record in ``data``; None when ``data`` is not vbgen's (another program's
        custom XML part). A part in vbgen's namespace is read strictly, as input from a
        stranger: anything but the shape :meth:`to_xml` writes is a :class:`ManifestError`.
        """
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=False)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            if DRAFT_NS.encode("utf-8") in data:
                raise ManifestError(f"den kan inte läsas som XML ({exc.msg})") from None
            return None
        if not isinstance(root.tag, str) or etree.QName(root).namespace != DRAFT_NS:
            return None
        if root.tag != f"{{{DRAFT_NS}}}utkast":
            raise ManifestError(f"elementet {etree.QName(root).localname} är inte utkast")
        if root.getroottree().docinfo.internalDTD is not None:
            raise ManifestError("den har en DOCTYPE-deklaration")
        top = _attributes(root, "utkast", ("byggt", "data"))
        m = cls(built=top["byggt"], origin=top["data"])
        if (root.text or "").strip():
            raise ManifestError("den har text utanför elementen")
        for n, el in enumerate(root, start=1):
            if not isinstance(el.tag, str):
                raise ManifestError(f"del {n} är inget element (en kommentar, en "
                                    "instruktion eller en entitet)")
            if (el.tail or "").strip() or (el.text or "").strip() or (
                    len(el) and el.tag != f"{{{DRAFT_NS}}}last"):
                raise ManifestError(f"del {n} har text eller element inuti")
            if el.tag == f"{{{DRAFT_NS}}}text":
                a = _attributes(el, f"text nr {n}", _TEXT)
                if a["namn"] in m.texts:
                    raise ManifestError(f'texten "{shown_key(a["namn"])}" står två gånger')
                if not (a["niva"].isascii() and a["niva"].isdigit()
                        and 1 <= int(a["niva"]) <= 9):
                    raise ManifestError(f"text nr {n} har en rubriknivå som inte är 1–9")
                if not (_DIGEST.fullmatch(a["data"]) and _DIGEST.fullmatch(a["utkast"])):
                    raise ManifestError(f"text nr {n} saknar kontrollsummor av rätt form")
                m.texts[a["namn"]] = (a["titel"], int(a["niva"]), a["data"], a["utkast"])
            elif el.tag == f"{{{DRAFT_NS}}}last":
                a = _attributes(el, f"del {n}", _LOCKED, optional=_LOCKED_OPTIONAL)
                if not a["namn"].startswith(GENERATED_PREFIX) or a["namn"] in m.locked:
                    raise ManifestError(f'delen "{shown_key(a["namn"])}" har fel namn eller '
                                        "står två gånger")
                if not _DIGEST.fullmatch(a["kontroll"]):
                    raise ManifestError(f"del {n} saknar en kontrollsumma av rätt form")
                m.locked[a["namn"]] = _locked(el, n, a)
            elif el.tag == f"{{{DRAFT_NS}}}tal":
                a = _attributes(el, f"del {n}", _CITED)
                if (not a["namn"].startswith(CITATION_PREFIX) or a["namn"] in m.citations
                        or not _CITATION_MARK.fullmatch(a["markering"])):
                    raise ManifestError(f'delen "{shown_key(a["namn"])}" har fel namn eller '
                                        "markering eller står två gånger")
                m.citations[a["namn"]] = a["markering"]
            else:
                raise ManifestError(f"del {n} är ett okänt element "
                                    f"({etree.QName(el).localname})")
        return m

    def shown_heading(self, name: str, text: str) -> str:
        """A generated heading's text as built, when the record has it, else ``text``."""
        part = self.locked.get(name)
        return part.shown if part is not None and part.shown else text

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
