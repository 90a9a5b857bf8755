"""The gaps of a draft: what the data does not yet have, where it shows and where to fill it.

A gap is a node of the document model (:class:`~vbgen.model.doc.Gap`), placed by a template with
``lucka()`` (a paragraph) or ``saknas()`` (in a sentence or a table's cell), by a declared
table for a cell its report year needs, and by the composer for an example value. Walking
the whole document, table cells included, finds them all: a draft lists them at its end,
and a final build (``--slutlig``) is refused while there are any. Values the data marks as
not available are gaps of their own kind: listed, but no reason to refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import doc

#: A gap mark as a document shows it, "[Saknas: vad]": how it reads in a Word draft.
GAP = re.compile(r"\[Saknas: ([^\]]+)\]")

#: The heading of the list of gaps at the end of a draft.
LIST_HEADING = "Luckor att fylla"


@dataclass(frozen=True)
class GapEntry:
    """One gap as the lists give it (the node in the document is a :class:`~vbgen.model.doc.Gap`):
    the section it stands in, what is missing, and where to fill it.

    ``slag`` is the kind of the node; a value not available has its reason in ``skal``.
    """

    avsnitt: str
    vad: str
    plats: str = ""
    slag: str = doc.GAP
    skal: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two marks one gap: the same thing missing at the same place."""
        return (self.slag, self.vad, self.plats)


class _Finder(doc.Visitor[None]):
    """Every gap of a document's blocks, with whether it stands in a table and the section
    (the headings of level 1 and 2 above it) it stands in."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.path: list[str] = []
        self.found: list[tuple[bool, GapEntry]] = []

    def inlines(self, nodes: list[doc.Inline], in_table: bool = False) -> None:
        for n in nodes:
            self.visit(n, in_table)

    # --- blocks ----------------------------------------------------------------------

    def visit_heading(self, b: doc.Heading) -> None:
        if b.level <= 2:
            del self.path[b.level - 1:]
            self.path.append(doc.plain(b.children))
        self.inlines(b.children)

    def visit_paragraph(self, b: doc.Paragraph) -> None:
        self.inlines(b.children)

    def visit_listblock(self, b: doc.ListBlock) -> None:
        for item in b.items:
            for sub in item:
                self.visit(sub)

    def visit_table(self, b: doc.Table) -> None:
        for row in [*b.head, *b.body]:
            for cell in row.cells:
                self.inlines(cell.children, True)
        for note in b.notes:
            self.inlines(note.children, True)

    def visit_figure(self, b: doc.Figure) -> None:
        self.inlines(b.caption)

    def visit_pagebreak(self, b: doc.Block) -> None:
        pass  # holds no gap

    visit_tableofcontents = visit_titlepage = visit_pagebreak

    # --- inlines ---------------------------------------------------------------------

    def visit_gap(self, g: doc.Gap, in_table: bool) -> None:
        section = " › ".join(self.path) or self.title
        self.found.append((in_table, GapEntry(section, g.vad, g.plats, g.slag, g.skal)))

    def visit_strong(self, n: doc.Strong | doc.Emph | doc.Span | doc.Link | doc.Footnote,
                     in_table: bool) -> None:
        self.inlines(n.children, in_table)

    visit_emph = visit_span = visit_link = visit_footnote = visit_strong

    def visit_text(self, n: doc.Text | doc.LineBreak, in_table: bool) -> None:
        pass

    visit_linebreak = visit_text


def find_all(document: doc.Document) -> list[GapEntry]:
    """Every gap and value not available in ``document``, in reading order, each once.

    A gap shown both in a table and in the text (a missing måluppfyllelse in the goal
    table and under the goal's heading) is listed where the text has it.
    """
    finder = _Finder(document.title)
    finder.found.extend((True, GapEntry(document.title, g.vad, g.plats, g.slag, g.skal))
                        for g in document.gaps)
    for b in document.blocks:
        finder.visit(b)
    found = finder.found
    # Each gap once, where the text shows it if it does, else where it first stands.
    chosen: dict[tuple[str, str, str], int] = {}
    for n, (in_table, gap) in enumerate(found):
        if gap.key not in chosen or (not in_table and found[chosen[gap.key]][0]):
            chosen[gap.key] = n
    return [found[n][1] for n in sorted(chosen.values())]


def gaps_of(found: list[GapEntry]) -> list[GapEntry]:
    """The gaps to fill (examples included): what keeps a final build from being made."""
    return [g for g in found if g.slag != doc.UNAVAILABLE]


def unavailable_of(found: list[GapEntry]) -> list[GapEntry]:
    """The values the data says are not available, with their reasons."""
    return [g for g in found if g.slag == doc.UNAVAILABLE]


def find_gaps(document: doc.Document) -> list[GapEntry]:
    """Every gap to fill in ``document``, in reading order."""
    return gaps_of(find_all(document))


def unique(gaps: list[GapEntry]) -> list[GapEntry]:
    """``gaps`` of several documents, each gap once (a goal's assessment is missing in the
    report and in the tjänsteskrivelse alike)."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for g in gaps:
        if g.key not in seen:
            seen.add(g.key)
            out.append(g)
    return out


def gap_list(found: list[GapEntry]) -> list[doc.Block]:
    """The draft's closing section: a table of its gaps, grouped by section, and a table of
    the values the data says are not available."""
    gaps, unavailable = gaps_of(found), unavailable_of(found)
    out: list[doc.Block] = [doc.Heading(1, [doc.Text(LIST_HEADING)], id="luckor-att-fylla")]
    if gaps:
        out.append(doc.Paragraph([doc.Text(
            "Utkastet saknar ännu det som står nedan. Fyll i filen och fältet som anges och "
            "bygg igen; en slutlig version (vbgen bygg --slutlig) kan byggas först när "
            "listan är tom.")]))
        rows = [doc.Row([doc.Cell([doc.Text(g.avsnitt)]), doc.Cell([doc.Text(g.vad)]),
                         doc.Cell([doc.Text(g.plats or "se avsnittet")])]) for g in gaps]
        head = [doc.Row([doc.Cell([doc.Text(t)], header=True)
                         for t in ("Avsnitt", "Saknas", "Fyll i")])]
        out.append(doc.Table("Luckor i utkastet", head, rows, role="luckor"))
    if unavailable:
        out.append(doc.Paragraph([doc.Text(
            "Uppgifterna nedan finns inte, enligt data, av skälet som anges. De visas som .. "
            "med skälet i en not och hindrar inte en slutlig version.")]))
        rows = [doc.Row([doc.Cell([doc.Text(g.avsnitt)]), doc.Cell([doc.Text(g.vad)]),
                         doc.Cell([doc.Text(g.skal)]), doc.Cell([doc.Text(g.plats)])])
                for g in unavailable]
        head = [doc.Row([doc.Cell([doc.Text(t)], header=True)
                         for t in ("Avsnitt", "Uppgift", "Skäl", "Var")])]
        out.append(doc.Table("Uppgifter som saknas med skäl", head, rows, role="luckor"))
    return out


def describe(gaps: list[GapEntry]) -> list[str]:
    """The gaps as lines for the terminal, grouped by section."""
    lines: list[str] = []
    section = None
    for g in gaps:
        if g.avsnitt != section:
            section = g.avsnitt
            lines.append(f"  {section}:")
        what = g.vad + (f": {g.skal}" if g.slag == doc.UNAVAILABLE else "")
        lines.append(f"    {what}" + (f" ({g.plats})" if g.plats else ""))
    return lines
