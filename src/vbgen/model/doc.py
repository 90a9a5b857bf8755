"""The document model: what every writer consumes.

Templates render into this small tree of blocks and inlines; the DOCX and PDF writers each
walk it. Nothing here knows about a file format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar, cast

R = TypeVar("R")


class UnknownNode(TypeError):
    """A visitor met a node of the document model it has no method for."""


class Visitor(Generic[R]):
    """A walk over the document model, as docutils' and Sphinx's node visitors are:
    :meth:`visit` calls the method ``visit_<the node's class in lower case>`` with the node
    and any further arguments. Every writer and walker of the model is one, so that a node
    kind one of them does not know is an :class:`UnknownNode` error naming the node's class,
    never a node silently left out of a document."""

    def visit(self, node: Block | Inline, *args: Any) -> R:
        name = type(node).__name__
        method = getattr(self, f"visit_{name.lower()}", None)
        if method is None:
            raise UnknownNode(f"{type(self).__name__} cannot visit a {name} node: it has no "
                              f"visit_{name.lower()}")
        return cast(R, method(node, *args))


# --- Inlines ------------------------------------------------------------------------------


@dataclass
class Text:
    text: str


@dataclass
class Strong:
    children: list[Inline]


@dataclass
class Emph:
    children: list[Inline]


@dataclass
class LineBreak:
    pass


@dataclass
class Footnote:
    """A footnote; its mark is placed where it stands."""

    children: list[Inline]


@dataclass
class Span:
    """Text with a named role the writers map to a look, e.g. "niva-1" for the symbol of
    the highest måluppfyllelse level (its colour), or "tal" for a figure cited from the
    data, which carries the mark it stands for ("[tal: drift | Summa | avvikelse]")."""

    children: list[Inline]
    role: str = ""
    mark: str = ""


@dataclass
class Link:
    """A link to a web page or an e-mail address."""

    children: list[Inline]
    href: str


#: The kinds of :class:`Gap`: something to fill, an example value to replace, and a value
#: the data says is not available.
GAP, EXAMPLE, UNAVAILABLE = "lucka", "exempel", "utelamnad"


@dataclass
class Gap:
    """Something the data lacks where it would stand, shown so that a reader sees it.

    ``vad`` says what is missing and ``plats`` where to fill it ("text/m1-analys.md",
    "besok.csv, rad 3, kolumn 2024"). A gap (``slag`` "lucka") shows "[Saknas: vad]", or
    "[Saknas]" when ``kort`` (in a table's cell); an example value ("exempel") shows the
    value itself (``visas``), to be replaced before a final build; a value the data says is
    not available ("utelamnad") shows ".." in a cell, else its ``skal`` (the reason), and is
    no gap: it is listed, and a final build may have it.
    """

    vad: str
    plats: str = ""
    slag: str = GAP
    kort: bool = False
    visas: str = ""
    skal: str = ""

    @property
    def text(self) -> str:
        """What the document shows in its place."""
        if self.slag == EXAMPLE:
            return self.visas
        if self.slag == UNAVAILABLE:
            return ".." if self.kort else self.skal
        return "[Saknas]" if self.kort else f"[Saknas: {self.vad}]"


Inline = Text | Strong | Emph | LineBreak | Footnote | Span | Link | Gap


def plain(inlines: list[Inline]) -> str:
    """The text of ``inlines`` without marks or footnotes."""
    return "".join(_PLAIN.visit(node) for node in inlines)


class _Plain(Visitor[str]):
    def visit_text(self, node: Text) -> str:
        return node.text

    visit_gap = visit_text

    def visit_strong(self, node: Strong | Emph | Span | Link) -> str:
        return plain(node.children)

    visit_emph = visit_span = visit_link = visit_strong

    def visit_linebreak(self, node: LineBreak) -> str:
        return "\n"

    def visit_footnote(self, node: Footnote) -> str:
        return ""


_PLAIN = _Plain()


# --- Blocks -------------------------------------------------------------------------------


@dataclass
class Heading:
    level: int
    children: list[Inline]
    id: str = ""
    #: False for headings that should not appear in the table of contents.
    toc: bool = True
    #: The data text this block is part of (its name in a Word draft); "" when generated.
    source: str = ""


@dataclass
class Paragraph:
    children: list[Inline]
    #: A named role the writers map to a style: "", "ingress", "lucka", "not", "kalla".
    role: str = ""
    #: The data text this block is part of (its name in a Word draft); "" when generated.
    source: str = ""


@dataclass
class ListBlock:
    items: list[list[Block]]
    ordered: bool = False
    #: The data text this block is part of (its name in a Word draft); "" when generated.
    source: str = ""


Align = Literal["left", "right", "center"]


@dataclass
class Cell:
    children: list[Inline]
    align: Align = "left"
    colspan: int = 1
    rowspan: int = 1
    header: bool = False


@dataclass
class Row:
    cells: list[Cell]
    #: "" for a body row, "summa" for a total row shown bold.
    role: str = ""


@dataclass
class Table:
    #: The table's name: its caption as plain text, which assistive technology reads; a
    #: table shown without a caption has one too.
    caption: str
    head: list[Row]
    body: list[Row]
    notes: list[Paragraph] = field(default_factory=list)
    #: Relative column widths, when the template gives them.
    widths: list[float] = field(default_factory=list)
    role: str = ""
    #: The data text whose mark ("[tabell: id]") placed this table there, and the mark.
    source: str = ""
    mark: str = ""
    #: The caption as shown, when it is more than its plain text (a footnote, emphasis),
    #: or [] for a table shown without one; None shows ``caption`` as it is.
    shown_caption: list[Inline] | None = None

    def caption_inlines(self) -> list[Inline]:
        """What the table shows as its caption; [] for none."""
        if self.shown_caption is not None:
            return self.shown_caption
        return [Text(self.caption)] if self.caption else []


#: A table with at most this many body rows is kept on one page, in both formats.
SHORT_TABLE_ROWS = 8


@dataclass
class Figure:
    path: str
    alt: str
    caption: list[Inline] = field(default_factory=list)
    width_cm: float = 16.0
    #: The same image as vector graphics (SVG), used where the format takes it (PDF).
    vector: str = ""
    #: The data text whose mark ("[diagram: id]") placed this figure there, and the mark.
    source: str = ""
    mark: str = ""


@dataclass
class PageBreak:
    pass


@dataclass
class TableOfContents:
    title: str
    depth: int = 2


@dataclass
class TitlePage:
    title: str
    lines: list[str]
    #: An image above the title (the kommun's logotype) and its alt text.
    logo: str | None = None
    logo_alt: str = ""
    #: The mark of a draft, shown as a band across the cover ("Utkast"); empty in a final.
    draft: str = ""


_FORWARD = re.compile(r"\b(nedan|nedanstående|följande diagram)\b", re.IGNORECASE)


def points_forward(block: Block) -> bool:
    """Whether a paragraph speaks of what follows it ("Diagrammet nedan visar ..."), so that
    the writers keep it on the page of the figure or table after it."""
    return isinstance(block, Paragraph) and bool(_FORWARD.search(plain(block.children)))


Block = (Heading | Paragraph | ListBlock | Table | Figure | PageBreak | TableOfContents
         | TitlePage)


@dataclass
class TextSource:
    """A text of the data as it stands in a document: what a Word draft names and checks."""

    #: The name of the text's control in Word: "Analys – Fler barn tar del av kulturen".
    title: str
    #: The heading level that "###" in the text became.
    heading_level: int
    #: The digest of the text in the data when the document was made.
    digest: str


@dataclass
class Document:
    """A whole document and its metadata."""

    title: str
    blocks: list[Block]
    lang: str = "sv-SE"
    author: str = ""
    subject: str = ""
    #: Running header text, shown on every page but the title page.
    header: str = ""
    #: Which kind of document this is ("tjanstskrivelse"), for document-specific styles.
    typ: str = ""
    #: "Utkast" for a draft, "Slutlig" for a final build.
    status: str = ""
    #: The texts of the data shown in the document, by their name (``source`` of blocks).
    sources: dict[str, TextSource] = field(default_factory=dict)
    #: Whose data it was made from: the nämnd and year ("Socialnämnden 2024").
    origin: str = ""
    #: Example values shown outside the blocks' text: in the document's properties and
    #: running header, a table's caption or the title page.
    gaps: list[Gap] = field(default_factory=list)

    def leads_in(self) -> set[int]:
        """The ``id()`` of every paragraph the writers keep on the page of the figure or table
        right after it: one that speaks of it, or a section's only introduction to it (a
        heading, a paragraph, the table), so that a heading and its introduction never stand
        at a page's foot with the table overleaf."""
        blocks = self.blocks
        return {id(b) for before, b, after in zip([None, *blocks], blocks, blocks[1:],
                                                  strict=False)
                if isinstance(after, Figure | Table) and isinstance(b, Paragraph)
                and (points_forward(b) or isinstance(before, Heading))}

    def headings(self, max_level: int = 6) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading) and b.level <= max_level]


def snapshot(document: Document) -> dict[str, Any]:
    """The document as plain data, stable between builds: for golden tests and inspection.

    Each node carries its kind; a figure's image is named by its chart id, without the
    content hash that differs with the chart style.
    """

    def node(obj: Any) -> Any:
        if isinstance(obj, list):
            return [node(o) for o in obj]
        if isinstance(obj, dict):
            return {k: node(v) for k, v in obj.items()}
        if hasattr(obj, "__dataclass_fields__"):
            data = {"nod": type(obj).__name__}
            for name in obj.__dataclass_fields__:
                value = getattr(obj, name)
                if isinstance(obj, Figure) and name in ("path", "vector") and value:
                    value = Path(value).stem.rsplit("-", 1)[0]
                if isinstance(obj, TitlePage) and name == "logo" and value:
                    value = Path(value).name  # the logotype by its name, wherever it lies
                data[name] = node(value)
            return data
        return obj

    return node(document)
