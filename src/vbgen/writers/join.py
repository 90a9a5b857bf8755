"""Join the PDFs of chapters laid out apart into the PDF the whole document gives.

Each chapter's PDF is tagged like a whole document (see :mod:`vbgen.writers.layout`). Joined,
they become one: the pages in order, one structure tree whose document element holds every
chapter's elements in order, the parent tree numbered as WeasyPrint numbers it (the pages
first, then the link annotations), the outline built from every chapter's bookmarks with
WeasyPrint's rules for levels, the named destinations of every heading, and each font once,
cut from its file with the glyphs of all chapters (:mod:`vbgen.writers.subset`).
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from . import subset
from .layout import Bookmark


@dataclass
class Part:
    """A chapter's PDF and what the join needs to know of it."""

    pdf: bytes
    #: Its own anchors: the named destinations it keeps.
    anchors: set[str]
    #: The bookmarks of each of its pages.
    bookmarks: list[list[Bookmark]]
    #: For each font (its name in the PDF), the digest of the file it was cut from.
    fonts: dict[str, str]


def join(parts: list[Part], font_file: Callable[[str], bytes | None]) -> pikepdf.Pdf:
    """One PDF of ``parts``, in order; ``font_file`` gives a font file by its digest."""
    pdfs = [pikepdf.open(io.BytesIO(part.pdf)) for part in parts]
    base = pdfs[0]
    root = base.Root.StructTreeRoot
    document = _kids(root)[0]
    pages: list[pikepdf.Object] = []
    annotations: list[tuple[pikepdf.Object, pikepdf.Object | None]] = []
    elements: list[pikepdf.Object] = []
    dests: list[tuple[str, pikepdf.Object]] = []
    for n, (pdf, part) in enumerate(zip(pdfs, parts, strict=True)):

        def own(obj: pikepdf.Object, pdf: pikepdf.Pdf = pdf, n: int = n) -> pikepdf.Object:
            if n == 0:
                return obj
            return base.copy_foreign(obj if obj.is_indirect else pdf.make_indirect(obj))

        tree = pdf.Root.StructTreeRoot
        nums = tree.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        top = _kids(_kids(tree)[0])
        for element in top:
            del element["/P"]  # else copying it would copy the chapter's whole tree
        count = len(pdf.pages)
        if n:
            with warnings.catch_warnings():
                # The named destinations are joined below, from every chapter.
                warnings.simplefilter("ignore")
                base.pages.extend(pdf.pages)
        copied = base.pages[len(base.pages) - count:]
        by_parent = {int(a.StructParent): a for page in copied
                     for a in page.obj.get("/Annots", []) if "/StructParent" in a}
        pages.extend(own(parents[i]) for i in range(count))
        annotations.extend((own(parents[k]), by_parent.get(k))
                           for k in sorted(k for k in parents if k >= count))
        elements.extend(own(element) for element in top)
        names = pdf.Root.get("/Names")
        if names is not None and "/Dests" in names:
            dests.extend((str(name), own(dest))
                         for name, dest in pikepdf.NameTree(names.Dests).items()
                         if str(name) in part.anchors)
    for element in elements:
        element.P = document
    document.K = Array(elements)
    numbers = Array()
    for i, (page, marked) in enumerate(zip(base.pages, pages, strict=True)):
        page.obj.StructParents = i
        numbers.extend(_array(i, marked))
    for i, (element, annotation) in enumerate(annotations, start=len(pages)):
        numbers.extend(_array(i, element))
        if annotation is not None:
            annotation.StructParent = i
    root.ParentTree = base.make_indirect(Dictionary(Nums=numbers))
    if "/Names" not in base.Root:
        base.Root.Names = Dictionary()
    base.Root.Names.Dests = base.make_indirect(Dictionary(Names=Array(
        [x for name, dest in sorted(dests, key=lambda d: d[0]) for x in (String(name), dest)])))
    _outline(base, [marks for part in parts for marks in part.bookmarks])
    fonts = {name: digest for part in parts for name, digest in part.fonts.items()}
    _join_fonts(base, fonts, font_file)
    return base


def _array(*items: object) -> Array:
    """A PDF array of ``items`` (numbers become PDF numbers)."""
    return Array(items)


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


# --- The outline --------------------------------------------------------------------------------


_Tree = list[tuple[str, tuple[int, float, float], list[Any], str]]


def bookmark_tree(pages: list[list[Bookmark]]) -> _Tree:
    """The bookmarks of ``pages`` as a tree, levels nested as WeasyPrint nests them (a jump
    from level 1 to 3 makes one step)."""
    root: _Tree = []
    skipped: list[int] = []
    last_by_depth = [root]
    previous = 0
    for number, marks in enumerate(pages):
        for level, label, x, y, state in marks:
            if level > previous:
                skipped.append(level - previous - 1)
            else:
                temp = level
                while temp < previous:
                    temp += 1 + skipped.pop()
                if temp > previous:
                    skipped.append(temp - previous - 1)
            previous = level
            depth = level - sum(skipped)
            children: _Tree = []
            last_by_depth[depth - 1].append((label, (number, x, y), children, state))
            del last_by_depth[depth:]
            last_by_depth.append(children)
    return root


def _outline(pdf: pikepdf.Pdf, pages: list[list[Bookmark]]) -> None:
    """Replace the outline by one of every page's bookmarks, as WeasyPrint writes it."""
    if "/Outlines" in pdf.Root:
        del pdf.Root["/Outlines"]
    tree = bookmark_tree(pages)
    if not tree:
        return
    refs = [page.obj for page in pdf.pages]

    def add(items: _Tree, parent: pikepdf.Object) -> tuple[list[pikepdf.Object], int]:
        count = len(items)
        made: list[pikepdf.Object] = []
        for label, (page, x, y), children, state in items:
            item = pdf.make_indirect(Dictionary(
                Title=String(label), Dest=_array(refs[page], Name.XYZ, x, y, 0)))
            kids, below = add(children, item)
            item.Count = -below if state == "closed" else below
            if state != "closed":
                count += below
            if made:
                item.Prev = made[-1]
                made[-1].Next = item
            if kids:
                item.First, item.Last = kids[0], kids[-1]
            item.Parent = parent
            made.append(item)
        return made, count

    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    made, count = add(tree, outlines)
    outlines.Count = count
    outlines.First, outlines.Last = made[0], made[-1]
    pdf.Root.Outlines = outlines


# --- Fonts --------------------------------------------------------------------------------------


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def _join_fonts(pdf: pikepdf.Pdf, digests: dict[str, str],
                font_file: Callable[[str], bytes | None]) -> None:
    """Make the chapters' copies of each font one font, cut with all their glyphs."""
    if not subset.available():
        return
    tables: list[pikepdf.Object] = []  # each chapter's table of fonts
    groups: dict[str, list[pikepdf.Object]] = {}
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, Dictionary) else None
        if not isinstance(fonts, Dictionary) or fonts.objgen in seen and fonts.is_indirect:
            continue
        seen.add(fonts.objgen)
        tables.append(fonts)
        for font in fonts.values():
            group = groups.setdefault(str(font.get("/BaseFont", "")), [])
            if all(f.objgen != font.objgen for f in group):
                group.append(font)
    joined: dict[tuple[int, int], pikepdf.Object] = {}
    for name, group in groups.items():
        one = _one_font(pdf, name, group, digests, font_file) if len(group) > 1 else None
        if one is not None:
            joined.update((font.objgen, one) for font in group)
    for fonts in tables:
        for key in list(fonts.keys()):
            one = joined.get(fonts[key].objgen)
            if one is not None:
                fonts[key] = one


def _one_font(pdf: pikepdf.Pdf, name: str, group: list[pikepdf.Object],
              digests: dict[str, str], font_file: Callable[[str], bytes | None]
              ) -> pikepdf.Object | None:
    """The fonts of ``group`` (one font, as cut for each chapter) as one, or None."""
    digest = digests.get(name.lstrip("/").split("+")[0])
    original = font_file(digest) if digest else None
    if original is None or any(f.get("/Encoding") != Name("/Identity-H")
                               or "/FontFile2" not in f.DescendantFonts[0].FontDescriptor
                               for f in group):
        return None  # a font with glyphs it lacks, or not TrueType: each chapter keeps its own
    widths: dict[int, object] = {}
    text: dict[bytes, bytes] = {}
    for font in group:
        widths.update((g, w) for g, w in _widths(font.DescendantFonts[0].W).items()
                      if g not in widths)
        for mapping in _BFCHAR.findall(font.ToUnicode.read_bytes()):
            for glyph, chars in _PAIR.findall(mapping):
                text.setdefault(glyph, chars)
    program = subset.subset(original, set(widths))
    if program is None:
        return None
    one = group[0]
    cid = one.DescendantFonts[0]
    descriptor = cid.FontDescriptor
    w = Array()
    for glyph in sorted(widths):
        if glyph - 1 not in widths:
            w.extend(_array(glyph, Array()))
        w[-1].append(widths[glyph])
    cid.W = w
    x0, y0, _, y1 = descriptor.FontBBox
    descriptor.FontBBox = _array(x0, y0, max(Decimal(str(v)) for v in widths.values()), y1)
    flags = int(descriptor.Flags) & ~1
    if len(widths) > 1 and len({str(v) for v in widths.values()}) == 1:
        flags |= 1  # fixed pitch
    descriptor.Flags = flags
    descriptor.FontFile2 = pdf.make_stream(program, Length1=len(program))
    one.ToUnicode = pdf.make_stream(_to_unicode(list(text.items())))
    return one


def _widths(w: pikepdf.Object) -> dict[int, object]:
    """Glyph widths from a CID font's W array: ``c [w …]`` and ``c_first c_last w``."""
    items = list(w)
    found: dict[int, object] = {}
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], Array):
            found.update((first + k, v) for k, v in enumerate(items[i + 1]))
            i += 2
        else:
            found.update((g, items[i + 2]) for g in range(first, int(items[i + 1]) + 1))
            i += 3
    return found


def _to_unicode(pairs: list[tuple[bytes, bytes]]) -> bytes:
    """A ToUnicode map of ``pairs`` (glyph, text in UTF-16, both hex), as WeasyPrint writes it."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0",
             b">> def", b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    for i in range(0, len(pairs), 100):
        batch = pairs[i:i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines.extend(b"<" + glyph + b"> <" + chars + b">" for glyph, chars in batch)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
