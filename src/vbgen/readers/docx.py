"""Read a Word draft built by vbgen: each text of the data, as Markdown, from its content
controls, and what the draft holds that cannot go back into the data.

Word's paragraphs, runs, lists, footnotes, links and tracked changes are read into
document blocks (:mod:`vbgen.model.doc`) and written as canonical Markdown
(:mod:`vbgen.writers.markdown`), the same way the draft's record (:mod:`vbgen.model.utkast`) was
made when it was built, so that a text counts as edited exactly when its Markdown changed.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import DataError, Problem
from ..model import doc
from ..model.utkast import (
    CITATION_PREFIX,
    GENERATED_PREFIX,
    Locked,
    Manifest,
    ManifestError,
    cell_edits,
    control_text,
    shown_key,
    shown_text,
    table_grid,
    text_digest,
    word_changes,
)
from ..paths import Refused, open_file, zip_too_large
from ..writers import markdown, typografi

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_NS = {"w": _W}
#: A heading's paragraph style: Word's "heading 3", vbgen's "Rubrik 3 utanför innehåll".
_HEADING = re.compile(r"(?:heading|rubrik) (\d)", re.IGNORECASE)
#: Paragraph styles of a table of contents (Word's names, LibreOffice's own).
_CONTENTS_STYLES = ("toc ", "toc heading", "contents ", "contents heading", "innehåll")


def _q(name: str) -> str:
    return f"{{{_W}}}{name}"


@dataclass
class Finding:
    """Something in the draft that is not taken back, and where it is."""

    where: str
    words: str


@dataclass
class LockedEdit:
    """An edit of a part vbgen generated: where it is, what it showed and what it shows
    now (the changed words with a few around them), and for a table's cell its caption,
    row and column."""

    where: str
    old: str
    new: str
    table: str = ""
    row: str = ""
    column: str = ""
    #: Rows or columns were added to the table or taken away: no cell to name.
    reshaped: bool = False


@dataclass
class Draft:
    """What a draft holds: the Markdown of each text, and what cannot be taken back."""

    manifest: Manifest
    #: The draft's file name, as messages name it.
    name: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    outside: list[Finding] = field(default_factory=list)
    #: Paragraphs without a control taken into the text they follow (where: its title).
    joined: list[Finding] = field(default_factory=list)
    locked_edits: list[LockedEdit] = field(default_factory=list)
    #: Controls whose name the record lacks (where: the name; words: its first).
    unknown: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    tracked_changes: int = 0
    comments: int = 0

    def edited(self) -> dict[str, str]:
        """The texts whose Markdown differs from what the draft showed when built."""
        return {name: md for name, md in self.texts.items()
                if name in self.manifest.texts
                and text_digest(md) != self.manifest.texts[name][3]}


@dataclass
class _Item:
    kind: str  # "text", "locked", "outside" or "unknown" (a control the record lacks)
    tag: str
    block: doc.Block | None = None
    list_level: int = 0
    ordered: bool = False
    text: str = ""
    heading: str = ""
    is_heading: bool = False
    #: What in the paragraph cannot be read as text (an entity, an image), if anything.
    unreadable: str = ""
    #: A locked part's element, to read what it shows now.
    element: Any = None


#: The parts of a draft that are read; the others (images, headers, settings) never are.
DRAFT_PARTS = ("word/document.xml", "word/styles.xml", "word/numbering.xml",
               "word/footnotes.xml", "word/comments.xml", "word/_rels/document.xml.rels")
CUSTOM_XML = re.compile(r"customXml/item\d+\.xml")
#: The most the parts read may unpack to: a draft of a thousand pages and more. At the limit
#: a draft is read in well under a minute and 1 GB of memory (docs/prestanda.md).
MAX_DRAFT_BYTES = 10 * 1024 * 1024


class _Reader:
    def __init__(self, path: Path) -> None:
        shown = path.name
        try:
            with open_file(path) as fh, zipfile.ZipFile(fh) as z:
                infos = [i for i in z.infolist()
                         if i.filename in DRAFT_PARTS or CUSTOM_XML.fullmatch(i.filename)]
                if zip_too_large(fh) or sum(i.file_size for i in infos) > MAX_DRAFT_BYTES:
                    raise DataError([Problem(shown, "filen är för stor för att vara ett utkast "
                                                    "(texten packas upp till mer än "
                                                    f"{MAX_DRAFT_BYTES // 1024 // 1024} MB)")])
                self.parts = {i.filename: z.read(i) for i in infos}
        except Refused as exc:
            raise DataError([Problem(str(path), f"filen {exc}")]) from None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise DataError([Problem(shown, "filen går inte att läsa som ett Word-dokument "
                                            "(.docx)")]) from None
        self.shown = shown
        # Entities are never expanded (nor fetched): one left in a text is reported.
        self.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                      huge_tree=False)
        if "word/document.xml" not in self.parts:
            raise DataError([Problem(shown, "filen saknar dokumentets text "
                                            "(word/document.xml)")])
        self.body = self._xml("word/document.xml").find(_q("body"))
        if self.body is None:
            raise DataError([Problem(shown, "filen saknar dokumentets text "
                                            "(word/document.xml)")])
        manifest = self._manifest()
        if manifest is None:
            raise DataError([Problem(shown, "filen är inget utkast från vbgen: uppgifterna om "
                                            "vad utkastet byggdes av saknas. Hämta från ett "
                                            "utkast som vbgen byggt (utan --slutlig) och som "
                                            "sparats i Word eller LibreOffice.")])
        self.manifest = manifest
        self.styles = self._styles()
        self.numbering = self._numbering()
        self.notes = self._footnotes()
        self.links = self._links()
        self.tracked = 0
        #: The text elements (w:t) read, or left for a tracked change; see _unreadable.
        self.taken: set[Any] = set()
        self.reason = ""

    def _xml(self, name: str) -> Any:
        try:
            return etree.fromstring(self.parts[name], self.parser)
        except etree.XMLSyntaxError as exc:
            raise DataError([Problem(self.shown, f"delen {name} kan inte läsas som XML "
                                                 f"(rad {exc.lineno}: {exc.msg})")]) from None

    def _manifest(self) -> Manifest | None:
        found: list[Manifest] = []
        for name in sorted(n for n in self.parts if CUSTOM_XML.fullmatch(n)):
            try:
                manifest = Manifest.from_xml(self.parts[name])
            except ManifestError as exc:
                raise DataError([Problem(self.shown, f"uppgifterna om vad utkastet byggdes av "
                                         f"({name}) har inte den form vbgen skriver: {exc}. "
                                         "Hämta från ett utkast som vbgen byggt.")]) from None
            if manifest is not None:
                found.append(manifest)
        if len(found) > 1:
            raise DataError([Problem(self.shown, "utkastet har flera uppgifter om vad det "
                                                 "byggdes av; hämta från ett utkast som vbgen "
                                                 "byggt")])
        return found[0] if found else None

    def _styles(self) -> dict[str, str]:
        if "word/styles.xml" not in self.parts:
            return {}
        root = self._xml("word/styles.xml")
        out = {}
        for s in root.iter(_q("style")):
            name = s.find(_q("name"))
            out[s.get(_q("styleId"), "")] = name.get(_q("val"), "") if name is not None else ""
        return out

    def _numbering(self) -> dict[tuple[str, str], bool]:
        """Whether each list (numId) at each level (ilvl) is numbered rather than bulleted."""
        if "word/numbering.xml" not in self.parts:
            return {}
        root = self._xml("word/numbering.xml")
        abstract: dict[str, dict[str, bool]] = {}
        for a in root.iter(_q("abstractNum")):
            levels = {}
            for lvl in a.iter(_q("lvl")):
                fmt = lvl.find(_q("numFmt"))
                kind = fmt.get(_q("val"), "bullet") if fmt is not None else "bullet"
                levels[lvl.get(_q("ilvl"), "0")] = kind not in ("bullet", "none")
            abstract[a.get(_q("abstractNumId"), "")] = levels
        out = {}
        for num in root.iter(_q("num")):
            ref = num.find(_q("abstractNumId"))
            levels = abstract.get(ref.get(_q("val"), "") if ref is not None else "", {})
            for ilvl, ordered in levels.items():
                out[(num.get(_q("numId"), ""), ilvl)] = ordered
        return out

    def _footnotes(self) -> dict[str, Any]:
        if "word/footnotes.xml" not in self.parts:
            return {}
        root = self._xml("word/footnotes.xml")
        return {f.get(_q("id"), ""): f for f in root.iter(_q("footnote"))}

    def _links(self) -> dict[str, str]:
        rels = self.parts.get("word/_rels/document.xml.rels")
        if not rels:
            return {}
        root = self._xml("word/_rels/document.xml.rels")
        return {r.get("Id", ""): r.get("Target", "") for r in root
                if r.get("TargetMode") == "External"}

    # --- paragraphs --------------------------------------------------------------------

    def style_name(self, p: Any) -> str:
        ps = p.find("w:pPr/w:pStyle", _NS)
        return self.styles.get(ps.get(_q("val"), ""), "") if ps is not None else ""

    def inlines(self, el: Any) -> list[doc.Inline]:
        out: list[doc.Inline] = []
        for child in el:
            tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if tag == "r":
                out.extend(self._run(child))
            elif tag in ("sdt",):
                content = child.find(_q("sdtContent"))
                cited = self._citation(child, content)
                if cited is not None:
                    out.append(cited)
                elif content is not None:
                    out.extend(self.inlines(content))
            elif tag in ("hyperlink", "smartTag", "customXml", "fldSimple", "sdtContent",
                         "dir", "bdo"):
                inner = self.inlines(child)
                target = self.links.get(child.get(f"{{{_R}}}id", ""))
                if tag == "hyperlink" and target and doc.plain(inner).strip():
                    out.append(doc.Link(inner, target))
                else:
                    out.extend(inner)
            elif tag in ("ins", "moveTo"):
                self.tracked += 1  # not accepted: not taken
                self.taken.update(child.iter(_q("t")))
            elif tag in ("del", "moveFrom"):
                self.tracked += 1  # not accepted: the text is still there
                for r in child.iter(_q("r")):
                    out.extend(self._run(r, deleted=True))
        return out

    def _citation(self, sdt: Any, content: Any) -> doc.Span | None:
        """A figure cited from the data, read back as the mark its control stands for:
        whatever figure the draft shows there, the text goes back with the mark."""
        mark = self.manifest.citations.get(_tag_of(sdt)) if self.manifest else None
        if not mark:
            return None
        shown = control_text(content) if content is not None else ""
        if content is not None:
            # What the control shows is read: it goes back as the mark.
            self.taken.update(content.iter(_q("t")))
        return doc.Span([doc.Text(shown)], role="tal", mark=mark)

    def _run(self, r: Any, deleted: bool = False) -> list[doc.Inline]:
        rpr = r.find(_q("rPr"))
        if rpr is not None and rpr.find(_q("rPrChange")) is not None:
            self.tracked += 1
        bold = _on(rpr, "b")
        italic = _on(rpr, "i")
        out: list[doc.Inline] = []
        for c in r:
            tag = etree.QName(c).localname
            if tag == "t" or (deleted and tag == "delText"):
                self.taken.add(c)
                # What the typography set is not the author's edit (typografi.undo).
                out.append(doc.Text(typografi.undo(c.text or "")))
            elif tag == "tab":
                out.append(doc.Text(" "))
            elif tag == "br" and c.get(_q("type")) in (None, "textWrapping"):
                out.append(doc.LineBreak())
            elif tag == "footnoteReference":
                note = self.notes.get(c.get(_q("id"), ""))
                if note is not None:
                    inner: list[doc.Inline] = []
                    for p in note.iter(_q("p")):
                        inner.extend(self.inlines(p))
                        self._unreadable(p)
                    out.append(doc.Footnote(_trim(inner)))
        if italic:
            out = [doc.Emph(out)] if out else out
        if bold:
            out = [doc.Strong(out)] if out else out
        return out

    def paragraph(self, p: Any, tag: str) -> _Item:
        if p.find("w:pPr/w:rPr/w:ins", _NS) is not None:
            self.tracked += 1
        name = self.style_name(p)
        self.reason = ""
        inl = markdown.merge(_trim(self.inlines(p)))
        self._unreadable(p)
        item = self._paragraph_item(p, tag, name, inl)
        item.unreadable = self.reason
        return item

    def _unreadable(self, p: Any) -> None:
        """Note in ``reason`` the first thing in ``p`` that was not read as text: an XML
        entity (never expanded), an image or object, a symbol, a formula, or text in a
        place the reader does not know (a text box)."""
        for node in p.iter():
            if self.reason:
                return
            if isinstance(node, etree._Entity):
                self.reason = f"en XML-entitet ({node.text})"
            elif not isinstance(node.tag, str):
                continue
            elif node.tag in (_q("drawing"), _q("pict"), _q("object")):
                self.reason = "en bild eller ett inbäddat objekt"
            elif node.tag == _q("sym"):
                self.reason = "ett infogat symboltecken"
            elif etree.QName(node).namespace == _MATH:
                self.reason = "en formel"
            elif node.tag == _q("t") and node not in self.taken:
                self.reason = "text på ett ställe som vbgen inte läser (en textruta?)"

    def _paragraph_item(self, p: Any, tag: str, name: str, inl: list[doc.Inline]) -> _Item:
        heading = _HEADING.match(name)
        if heading:
            return _Item("text", tag, doc.Heading(int(heading.group(1)), inl), is_heading=True)
        num = p.find("w:pPr/w:numPr", _NS)
        listed = re.match(r"list (bullet|number|paragraph)(?: (\d))?", name, re.IGNORECASE) or \
            re.match(r"(punktlista|numrerad lista|liststycke)(?: (\d))?", name, re.IGNORECASE)
        if num is not None or listed:
            level = int(listed.group(2)) - 1 if listed and listed.group(2) else 0
            ordered = bool(listed and listed.group(1).lower() in ("number", "numrerad lista"))
            if num is not None:
                ilvl = num.find(_q("ilvl"))
                numid = num.find(_q("numId"))
                lv = ilvl.get(_q("val"), "0") if ilvl is not None else str(level)
                if numid is not None and numid.get(_q("val")) == "0":
                    return _Item("text", tag, doc.Paragraph(inl))  # numbering switched off
                key = (numid.get(_q("val"), "") if numid is not None else "", lv)
                if key in self.numbering:
                    ordered = self.numbering[key]
                level = max(level, int(lv))
            return _Item("text", tag, doc.Paragraph(inl), list_level=level + 1,
                         ordered=ordered)
        return _Item("text", tag, doc.Paragraph(inl))

    # --- the body ----------------------------------------------------------------------

    def items(self) -> Iterator[_Item]:
        """Every paragraph, table and control of the body in order, each with the heading
        it stands under (a generated heading or one in a text)."""
        heading = ""
        for item in self._walk(self.body, ""):
            item.heading = heading
            if item.is_heading:
                # A generated heading names the place as built, even when it was edited.
                heading = self.manifest.shown_heading(item.tag, item.text) \
                    if item.kind == "locked" else item.text
            yield item

    def _walk(self, parent: Any, tag: str) -> Iterator[_Item]:
        for el in parent:
            if not isinstance(el.tag, str):
                continue
            name = etree.QName(el).localname
            if name == "p":
                yield from self._para(el, tag)
            elif name == "tbl":
                found = tag or _locked_tag(el)
                if found.startswith(GENERATED_PREFIX):
                    yield _Item("locked", found, text=control_text(el), element=el)
                elif control_text(el):
                    yield _Item("outside", "", text=control_text(el))
            elif name == "sdt":
                inner = _tag_of(el)
                content = el.find(_q("sdtContent"))
                if content is not None:
                    if inner.startswith(GENERATED_PREFIX):
                        yield _Item("locked", inner, text=control_text(content),
                                    element=content)
                    else:
                        yield from self._walk(content, inner or tag)
            elif name in ("ins", "moveTo"):
                self.tracked += 1
            elif name in ("customXml", "smartTag"):
                yield from self._walk(el, tag)

    def _para(self, p: Any, tag: str) -> Iterator[_Item]:
        if tag.startswith(GENERATED_PREFIX):
            yield _Item("locked", tag, text=control_text(p), element=p)
            return
        # A cited figure's control names no text: the paragraph's own controls do.
        inner = [t for s in p.iter(_q("sdt")) if not (t := _tag_of(s)).startswith(CITATION_PREFIX)]
        locked = [t for t in inner if t.startswith(GENERATED_PREFIX)]
        if locked:
            yield _Item("locked", locked[0], text=control_text(p), element=p,
                        is_heading=bool(_HEADING.match(self.style_name(p))))
            return
        named = next((t for t in inner if t), "") or tag
        if not named and self.style_name(p).lower().startswith(_CONTENTS_STYLES):
            return  # the table of contents, a field Word and LibreOffice fill in
        item = self.paragraph(p, named)
        if not named:
            item.kind = "outside"
        elif named not in self.manifest.texts:
            item.kind = "unknown"
        block = item.block
        item.text = doc.plain(block.children) if isinstance(block, doc.Paragraph
                                                            | doc.Heading) else ""
        if item.text.strip() or item.kind != "outside":
            yield item


def _on(rpr: Any, name: str) -> bool:
    if rpr is None:
        return False
    el = rpr.find(_q(name))
    return el is not None and el.get(_q("val"), "true") not in ("0", "false", "off")


def _tag_of(sdt: Any) -> str:
    t = sdt.find("w:sdtPr/w:tag", _NS)
    return t.get(_q("val"), "") if t is not None else ""


def _locked_tag(el: Any) -> str:
    """The name of the first locked control inside ``el``: LibreOffice keeps a table's
    control as one in its first cell."""
    return next((t for sdt in el.iter(_q("sdt"))
                 if (t := _tag_of(sdt)).startswith(GENERATED_PREFIX)), "")


def _trim(inl: list[doc.Inline]) -> list[doc.Inline]:
    while inl and isinstance(inl[0], doc.Text) and not inl[0].text.strip():
        inl = inl[1:]
    while inl and isinstance(inl[-1], doc.Text) and not inl[-1].text.strip():
        inl = inl[:-1]
    return inl


def _lists(items: list[_Item]) -> list[doc.Block]:
    """The blocks of a text, list paragraphs gathered into (nested) lists."""
    out: list[doc.Block] = []
    stack: list[doc.ListBlock] = []
    for item in items:
        assert item.block is not None
        if not item.list_level:
            stack = []
            out.append(item.block)
            continue
        level = item.list_level
        while len(stack) > level:
            stack.pop()
        if stack and len(stack) == level and stack[-1].ordered != item.ordered:
            stack.pop()
        while len(stack) < level:
            new = doc.ListBlock([], ordered=item.ordered)
            if stack:
                if not stack[-1].items:
                    stack[-1].items.append([])
                stack[-1].items[-1].append(new)
            else:
                out.append(new)
            stack.append(new)
        stack[-1].items.append([item.block])
    return out


def read_draft(path: Path) -> Draft:
    """Read a Word draft built by vbgen: its texts as Markdown and what it cannot take."""
    reader = _Reader(path)
    manifest = reader.manifest
    items = list(reader.items())
    if manifest.texts and not any(it.kind == "text" and it.tag in manifest.texts
                                  for it in items):
        raise DataError([Problem(path.name, "utkastet har inga textfält kvar: det har sparats "
                                 "i ett program som tar bort innehållskontrollernas namn (till "
                                 "exempel LibreOffice 7.4 eller äldre). Spara utkastet i Word "
                                 "eller i en nyare LibreOffice och hämta igen.")])
    draft = Draft(manifest, path.name)
    # Which text each item belongs to: its control, or for a paragraph typed between two
    # paragraphs of the same text, that text.
    owners = [it.tag if it.kind == "text" else
              (part.source if it.kind == "locked" and (part := manifest.locked.get(it.tag))
               else "")
              for it in items]
    # A paragraph without a control right after a paragraph of a text belongs to that text:
    # one typed right after a text's control, or left when an editor dropped a control.
    last_owner = ""
    unknown: set[str] = set()
    for i, it in enumerate(items):
        if it.kind == "unknown" and it.tag not in unknown:
            unknown.add(it.tag)
            draft.unknown.append(Finding(shown_key(it.tag), _first_words(it.text)))
        if it.kind != "outside":
            last_owner = owners[i]
            continue
        if last_owner and last_owner in manifest.texts:
            owners[i] = last_owner
            it.kind = "text"
            draft.joined.append(Finding(manifest.texts[last_owner][0], _first_words(it.text)))
        else:
            draft.outside.append(Finding(_where(it.heading), _first_words(it.text)))
    for it in items:
        part = manifest.locked.get(it.tag) if it.kind == "locked" else None
        if part is not None and text_digest(it.text) != part.digest:
            draft.locked_edits += _locked_edits(it, part)
    by_owner: dict[str, list[_Item]] = {}
    for it, owner in zip(items, owners, strict=True):
        by_owner.setdefault(owner, []).append(it)
    problems: list[Problem] = []
    for name, (title, level, _, _) in manifest.texts.items():
        mine = by_owner.get(name, [])
        if not mine:
            draft.missing.append(title)
            continue
        # A mark ("[tabell: id]") stays where its table or chart stands.
        parts: list[doc.Block] = []
        run: list[_Item] = []
        for it in mine:
            if it.kind == "text":
                if it.unreadable:
                    problems.append(_unreadable(path.name, title, name, run, it))
                run.append(it)
                continue
            parts.extend(_lists(run))
            run = []
            parts.append(doc.Figure("", "", mark=manifest.locked[it.tag].mark))
        parts.extend(_lists(run))
        draft.texts[name] = markdown.to_markdown(parts, level)
    if problems:
        raise DataError(problems)
    draft.tracked_changes = reader.tracked
    draft.comments = sum(1 for _ in reader.body.iter(_q("commentRangeStart")))
    if "word/comments.xml" in reader.parts:
        root = reader._xml("word/comments.xml")
        draft.comments = max(draft.comments, sum(1 for _ in root.iter(_q("comment"))))
    return draft


def _locked_edits(it: _Item, part: Locked) -> list[LockedEdit]:
    """What an edit of the generated part ``it`` changed: each changed cell of a table,
    or each changed run of words of a heading or paragraph, old beside new."""
    tables = [] if it.element is None else (
        [it.element] if it.element.tag == _q("tbl") else list(it.element.iter(_q("tbl"))))
    if part.rows and tables:
        where = (f"tabellen \u201d{part.caption}\u201d" if part.caption
                 else f"en tabell {_where(it.heading)}")
        cells = cell_edits(part, *table_grid(tables[0]))
        if cells is None:
            return [LockedEdit(where, "", "", part.caption, reshaped=True)]
        return [LockedEdit(where, c.old, c.new, part.caption, c.row, c.column)
                for c in cells]
    where = "rubriken" if it.is_heading else _where(it.heading)
    new = shown_text(it.element) if it.element is not None else it.text
    if not part.shown:  # a record made before parts kept their text
        return [LockedEdit(where, "", _first_words(new))]
    changes = word_changes(part.shown, new) or [(part.shown, new)]
    return [LockedEdit(where, old, changed) for old, changed in changes]


def _unreadable(shown: str, title: str, name: str, before: list[_Item], it: _Item
                ) -> Problem:
    """The error for a paragraph of a text that holds what cannot be read as text."""
    words = f" (\u201d{_first_words(it.text)}\u201d)" if it.text.strip() else ""
    return Problem(shown, f"texten \u201d{title}\u201d ({shown_key(name)}), stycke "
                          f"{len(before) + 1}{words}: stycket har {it.unreadable}, som inte kan "
                          "läsas som text. Inget hämtades; ta bort det ur stycket eller skriv "
                          "det som vanlig text, spara utkastet och hämta igen.")


def _where(heading: str) -> str:
    return f"under rubriken \u201d{heading}\u201d" if heading else "före första rubriken"


def _first_words(text: str, n: int = 8) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")
