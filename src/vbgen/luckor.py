"""The gaps of a draft: what the data does not yet have, where it shows and where to fill it.

A template marks a gap with ``lucka()`` (a paragraph "[Saknas: …]" that names the file and
field to fill) or writes "[Saknas: …]" inside a sentence. A draft lists them all at its end;
a final build (``--slutlig``) is refused while there are any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import doc

#: A gap mark as templates write it (``compose.gap``, ``lucka()``): "[Saknas: vad]".
GAP = re.compile(r"\[Saknas: ([^\]]+)\]")

#: The heading of the list of gaps at the end of a draft.
LIST_HEADING = "Luckor att fylla"


@dataclass(frozen=True)
class Gap:
    """One gap: the section it stands in, what is missing, and where to fill it."""

    avsnitt: str
    vad: str
    plats: str = ""


def find_gaps(document: doc.Document) -> list[Gap]:
    """Every gap of ``document``, in reading order.

    Gaps inside table cells repeat what the section that describes the goal already lists
    (a missing måluppfyllelse), so only paragraphs are read.
    """
    gaps: list[Gap] = []
    path: list[str] = []

    def paragraph(p: doc.Paragraph) -> None:
        text = doc.plain(p.children)
        for m in GAP.finditer(text):
            gaps.append(Gap(" › ".join(path) or document.title, m.group(1), p.plats))

    def blocks(items: list[doc.Block]) -> None:
        for b in items:
            if isinstance(b, doc.Heading) and b.level <= 2:
                del path[b.level - 1:]
                path.append(doc.plain(b.children))
            elif isinstance(b, doc.Paragraph):
                paragraph(b)
            elif isinstance(b, doc.ListBlock):
                for item in b.items:
                    blocks(item)

    blocks(document.blocks)
    return gaps


def gap_list(gaps: list[Gap]) -> list[doc.Block]:
    """The draft's closing section: a table of its gaps, grouped by section."""
    intro = doc.Paragraph([doc.Text(
        "Utkastet saknar ännu det som står nedan. Fyll i filen och fältet som anges och bygg "
        "igen; en slutlig version (vbgen build --slutlig) kan byggas först när listan är tom.")])
    rows = [doc.Row([doc.Cell([doc.Text(g.avsnitt)]), doc.Cell([doc.Text(g.vad)]),
                     doc.Cell([doc.Text(g.plats or "se avsnittet")])]) for g in gaps]
    head = [doc.Row([doc.Cell([doc.Text(t)], header=True)
                     for t in ("Avsnitt", "Saknas", "Fyll i")])]
    return [doc.Heading(1, [doc.Text(LIST_HEADING)], id="luckor-att-fylla"), intro,
            doc.Table("Luckor i utkastet", head, rows, role="luckor")]


def describe(gaps: list[Gap]) -> list[str]:
    """The gaps as lines for the terminal, grouped by section."""
    lines: list[str] = []
    section = None
    for g in gaps:
        if g.avsnitt != section:
            section = g.avsnitt
            lines.append(f"  {section}:")
        lines.append(f"    {g.vad}" + (f" ({g.plats})" if g.plats else ""))
    return lines
