"""Table column widths from the cells' content, the same rule for DOCX and PDF.

Like a browser's automatic table layout, but decided once so that both formats agree:
a column gets at least its *minimum* (a number never wraps; text wraps at word
boundaries, so its longest word) and shares the rest of the text width in proportion to how
much more it would need to show every cell on one line. A table is never wider than the
text width; when even the minimums do not fit, every column shrinks alike. A header is
never hyphenated (rapport.css): its longest word is its column's least width.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..model import doc
from ..resources import styles_dir
from . import typografi
from .spans import columns

#: The text width of an A4 page with the margins in rapport.css and referens.docx (cm).
TEXT_WIDTH_CM = 21.0 - 2.5 - 2.2
#: Table text size (pt) and a cell's left plus right padding (pt), as in rapport.css.
TABLE_FONT_PT = 8.5
CELL_PADDING_PT = 0.8 * TABLE_FONT_PT
#: Extra width (pt) beyond a column's widest number or header word.
NUMBER_SLACK_PT = 2.0


#: The files of the body font the widths are measured with, regular and bold: the
#: identity's (:func:`measure_with`), else the built-in Liberation Sans.
_MEASURED: dict[bool, Path] = {}


def measure_with(stylesheet: Path) -> None:
    """Measure with the body font (``--brodtext``) that ``stylesheet`` declares, as both
    writers will set the tables in it; the built-in font when it names no file of it."""
    from . import stil

    family = stil.first_family(stil.identity(stylesheet, styles_dir() / "rapport.css")[
        "brodtext"])
    faces = stil.font_faces(stylesheet).get(family, {})
    found = {bold: path for bold in (False, True)
             if (path := faces.get((bold, False))) is not None and path.is_file()}
    if found != _MEASURED:
        _MEASURED.clear()
        _MEASURED.update(found)
        _font.cache_clear()
        _unit_width.cache_clear()


@lru_cache(maxsize=4)
def _font(bold: bool):
    from PIL import ImageFont

    fonts = styles_dir() / "fonts"
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    path = _MEASURED.get(bold, fonts / name)
    if not path.is_file():  # a styles folder without the default font: any font it has
        path = next(iter(sorted(fonts.glob("*.ttf"))), Path())
    return ImageFont.truetype(str(path), 100) if path.is_file() else None


#: Text size (pt) of a table declared small (``class="liten"``), for wide tables.
SMALL_TABLE_FONT_PT = 7.5


def table_font_pt(table: doc.Table) -> float:
    """The text size of ``table``: smaller for a wide table declared ``liten``."""
    return SMALL_TABLE_FONT_PT if "liten" in table.role.split() else TABLE_FONT_PT


def text_width(text: str, bold: bool = False, size: float = TABLE_FONT_PT) -> float:
    """The width of ``text`` in pt at ``size``, measured with the report's font."""
    return _unit_width(text, bold) * size


@lru_cache(maxsize=8192)
def _unit_width(text: str, bold: bool) -> float:
    """The width of ``text`` at 1 pt: the same words recur in every table's cells."""
    font = _font(bold)
    if font is None:
        return len(text) * 0.55
    return float(font.getlength(text)) / 100


#: How much larger than its text an assessment symbol is set (a span "niva-N"): ``.niva-N``
#: in rapport.css and the character styles "Måluppfyllelse N" in the Word styles.
SYMBOL_SCALE = 1.5

#: A piece of a cell's text and the scale of its size.
_Piece = tuple[str, float]


def _pieces(nodes: list[doc.Inline], scale: float = 1.0) -> list[_Piece]:
    """The text of ``nodes`` as it is set, each piece with its size's scale: an assessment
    symbol larger than the text beside it."""
    out: list[_Piece] = []
    for node in nodes:
        if isinstance(node, doc.Footnote):
            continue
        if isinstance(node, doc.Span) and node.role.startswith("niva-"):
            out += _pieces(node.children, SYMBOL_SCALE)
        elif isinstance(node, doc.Strong | doc.Emph | doc.Span | doc.Link):
            out += _pieces(node.children, scale)
        else:
            out.append((doc.plain([node]), scale))
    return out


def _split(pieces: list[_Piece], at: str) -> list[list[_Piece]]:
    """``pieces`` cut at every ``at``, which is dropped."""
    parts: list[list[_Piece]] = [[]]
    for text, scale in pieces:
        for i, part in enumerate(text.split(at)):
            if i:
                parts.append([])
            if part:
                parts[-1].append((part, scale))
    return parts


def _width(pieces: list[_Piece], bold: bool, size: float) -> float:
    return sum(text_width(text, bold, size * scale) for text, scale in pieces)


def _cell_needs(cell: doc.Cell, bold: bool, header: bool,
                size: float = TABLE_FONT_PT) -> tuple[float, float]:
    """The least width of a cell and the width that shows it on one line, both in pt."""
    # As the writers set it: a no-break space (typografi) joins its words into one, and an
    # assessment symbol with the first word after it.
    shown = typografi.inlines([i for i in cell.children if not isinstance(i, doc.Footnote)],
                              cell=not header)
    lines = _split(_pieces(shown), "\n")
    widest = max((_width(line, bold, size) for line in lines), default=0.0)
    words = [w for line in lines for w in _split(line, " ") if w]
    least = 0.0
    for word in words:
        w = _width(word, bold, size)
        least = max(least, w)
    if header:
        # A header may take two lines; it should not widen its column beyond that. Word
        # does not hyphenate, so its longest word gets the same room to spare as a number.
        least += NUMBER_SLACK_PT
        widest = max(least, widest / 2)
    elif cell.align == "right":
        # Numbers never wrap; a little to spare for a word processor's own measuring.
        least = widest = widest + NUMBER_SLACK_PT
    return least + CELL_PADDING_PT, widest + CELL_PADDING_PT


def column_widths(table: doc.Table, total_pt: float = TEXT_WIDTH_CM / 2.54 * 72) -> list[float]:
    """The width of each column of ``table`` in pt; together exactly ``total_pt``."""
    ncols = max((sum(c.colspan for c in row.cells) for row in table.head + table.body),
                default=0)
    if not ncols:
        return []
    least = [CELL_PADDING_PT] * ncols
    most = [CELL_PADDING_PT] * ncols
    rows = table.head + table.body
    for r, (row, placed) in enumerate(zip(rows, columns(rows), strict=True)):
        head = r < len(table.head)
        for c, cell in placed:
            if cell.colspan == 1 and c < ncols:
                lo, hi = _cell_needs(cell, head or cell.header or row.role == "summa", head,
                                     table_font_pt(table))
                least[c] = max(least[c], lo)
                most[c] = max(most[c], hi)
    if table.widths and len(table.widths) == ncols:
        # The template's proportions, but never below what a column's content needs.
        share = sum(table.widths)
        wanted = [total_pt * w / share for w in table.widths]
        return _fit([max(w, lo) for w, lo in zip(wanted, least, strict=True)], least, total_pt)
    return _fit(most, least, total_pt)


def _fit(most: list[float], least: list[float], total: float) -> list[float]:
    """Widths between ``least`` and ``most`` that add up to ``total``."""
    if sum(most) <= total:
        # Everything fits on one line: the spare width goes to the wordy columns.
        spare = total - sum(most)
        weight = [m if lo < m - 0.5 else 0.0 for m, lo in zip(most, least, strict=True)]
        if not sum(weight):
            weight = list(most)
        return [m + spare * w / sum(weight) for m, w in zip(most, weight, strict=True)]
    if sum(least) >= total:
        return [lo * total / sum(least) for lo in least]
    spare = total - sum(least)
    stretch = [m - lo for m, lo in zip(most, least, strict=True)]
    return [lo + spare * s / sum(stretch) for lo, s in zip(least, stretch, strict=True)]


#: The text height of an A4 page with the margins in rapport.css and referens.docx (pt).
TEXT_HEIGHT_PT = (29.7 - 2.5 - 2.5) / 2.54 * 72
#: A table line's height and a row's top plus bottom padding (pt), as in rapport.css
#: (``table``'s line-height, ``td``'s padding) and so in the Word file.
LINE_PT = 1.3 * TABLE_FONT_PT
ROW_PADDING_PT = 0.6 * TABLE_FONT_PT


def _lines(cell: doc.Cell, width: float, size: float) -> int:
    """How many lines ``cell`` takes at ``width`` (pt), its words wrapped as a writer does."""
    shown = typografi.inlines([i for i in cell.children if not isinstance(i, doc.Footnote)],
                              cell=True)
    room = width - CELL_PADDING_PT
    count = 0
    for line in _split(_pieces(shown), "\n"):
        count += 1
        used = 0.0
        for word in _split(line, " "):
            w = _width(word, False, size) + text_width(" ", size=size)
            if used and used + w > room:
                count += 1
                used = 0.0
            used += w
    return max(count, 1)


def row_heights(table: doc.Table, rows: list[doc.Row]) -> list[float]:
    """The height (pt) each of ``rows`` (the table's head or body) will about take with the
    table's column widths; a cell spanning rows is left out, its rows sharing its height."""
    widths = column_widths(table)
    size = table_font_pt(table)
    return [max((_lines(cell, sum(widths[c:c + cell.colspan]), size) for c, cell in here
                 if cell.rowspan == 1), default=1) * LINE_PT * size / TABLE_FONT_PT
            + ROW_PADDING_PT for here in columns(rows)]

