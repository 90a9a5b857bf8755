"""Merged cells (a cell spanning rows) where a page break cuts their rows: the value is
repeated at the top of the continued part, so that no row stands without it.

Both writers use this: the PDF where its layout found a span cut by a page break
(:mod:`vbgen.writers.typeset`), the Word file where a span is longer than a page can hold
(:mod:`vbgen.writers.docx`), Word's pages being unknown when the file is written.
"""

from __future__ import annotations

from collections.abc import Collection

from ..model import doc

#: What follows the repeated value of a merged cell in its continued part.
CONTINUED = " (forts.)"


def span_groups(rows: list[doc.Row]) -> list[list[doc.Row]]:
    """Split rows where no cell from a row above spans across."""
    groups: list[list[doc.Row]] = []
    reach = 0  # the first row index not covered by any span seen so far
    for i, row in enumerate(rows):
        if i >= reach:
            groups.append([])
        groups[-1].append(row)
        reach = max(reach, i + max((c.rowspan for c in row.cells), default=1))
    return groups


def group_starts(rows: list[doc.Row]) -> set[int]:
    """The index of the first row of each of :func:`span_groups`."""
    starts, i = set(), 0
    for group in span_groups(rows):
        starts.add(i)
        i += len(group)
    return starts


def columns(rows: list[doc.Row]) -> list[list[tuple[int, doc.Cell]]]:
    """Each row's cells with the column each starts in, past the places that cells from
    rows above span into."""
    taken: set[tuple[int, int]] = set()
    out: list[list[tuple[int, doc.Cell]]] = []
    for r, row in enumerate(rows):
        c, here = 0, []
        for cell in row.cells:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            here.append((c, cell))
            c += cell.colspan
        out.append(here)
    return out


def _continued(cell: doc.Cell, rowspan: int) -> doc.Cell:
    """``cell`` again at the top of its continued part, without its footnotes (a note is
    called once)."""
    kept = [i for i in cell.children if not isinstance(i, doc.Footnote)]
    return doc.Cell([*kept, doc.Text(CONTINUED)], cell.align, cell.colspan, rowspan,
                    cell.header)


def cut(rows: list[doc.Row], cuts: Collection[int]) -> list[doc.Row]:
    """``rows`` (a table's body) with every cell that spans across a row of ``cuts`` cut
    there: it spans the rows before the cut, and a copy of it, marked "(forts.)", spans the
    rows from the cut on. The rows themselves stay as they are."""
    if not cuts:
        return rows
    placed: list[list[tuple[int, doc.Cell]]] = [[] for _ in rows]
    for r, here in enumerate(columns(rows)):
        for c, cell in here:
            ends = sorted({r, *(k for k in cuts if r < k < r + cell.rowspan), r + cell.rowspan})
            if len(ends) > 2:
                cell = doc.Cell(cell.children, cell.align, cell.colspan, ends[1] - ends[0],
                                cell.header)
                for start, end in zip(ends[1:], ends[2:], strict=False):
                    placed[start].append((c, _continued(cell, end - start)))
            placed[r].append((c, cell))
    return [doc.Row([cell for _, cell in sorted(placed[r], key=lambda p: p[0])], row.role)
            for r, row in enumerate(rows)]


def past_a_page(rows: list[doc.Row], heights: list[float], room: float) -> set[int]:
    """The rows where a span of ``rows`` too high for ``room`` (pt; ``heights`` the rows')
    is cut, into parts that each fit: for a format that cannot tell where its pages
    break."""
    found: set[int] = set()
    start = 0
    for group in span_groups(rows):
        end = start + len(group)
        if sum(heights[start:end]) > room:
            used = 0.0
            for r in range(start, end):
                if used and used + heights[r] > room:
                    found.add(r)
                    used = 0.0
                used += heights[r]
        start = end
    return found
