"""A declared table as a reader sees it: grouped headers, units, decimals, note marks, a gap
for each empty cell that is needed, merged cells, the row of changes, the note on rounding;
or the table as cards."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import fmt, sprak
from ..derive.tables import (
    change_value,
    decimals,
    display_number,
    show_value,
    summed_columns,
    total_parts,
    unavailable_note,
)
from ..model.prosa import plain
from ..model.report import (
    UNAVAILABLE_MARK,
    ChangeRow,
    Column,
    Indicator,
    TableOptions,
    Unavailable,
)
from ..model.tables import (
    NOT_COMPARABLE,
    TOTAL_KINDS,
    DataRow,
    DataTable,
    Value,
)


@dataclass(frozen=True)
class ShownCell:
    text: str
    align: str = "left"
    colspan: int = 1
    rowspan: int = 1
    #: True when ``text`` is inline Markdown from the data, False when vbgen formatted it.
    markdown: bool = False
    #: What the cell lacks, when the report year needs a value the file does not have, or
    #: the file marks the value as not available.
    lucka: CellGap | None = None


@dataclass(frozen=True)
class CellGap:
    """A value a cell lacks: what (``vad``) and where to fill it (``plats``: file, row and
    column). With a reason (``skal``) it is a value the file says is not available, no
    gap."""

    vad: str
    plats: str
    skal: str = ""
    #: Shown as "[Saknas]" in its cell, what is missing being clear from the row and column.
    kort: bool = True


@dataclass(frozen=True)
class ShownRow:
    cells: list[ShownCell]
    summa: bool = False


@dataclass(frozen=True)
class TableView:
    """A declared table as a reader sees it: caption, header rows, body rows and notes."""

    id: str
    #: The caption as inline Markdown (it may hold a footnote); "" for a table without one.
    caption: str
    head: list[ShownRow]
    body: list[ShownRow]
    notes: list[str]
    #: The table's name for assistive technology: its caption's text, or for a table without
    #: a caption the names of its columns.
    name: str = ""
    #: Its source, shown last under it ("Källa: …"); "" when the data names none, which is
    #: a gap to fill at ``kalla_plats``.
    kalla: str = ""
    kalla_plats: str = ""

    @property
    def kalla_vad(self) -> str:
        """What the gap of a table without a source says is missing."""
        return f'källa för tabellen "{plain(self.caption) if self.caption else self.id}"'


def required(table: DataTable, column: Column) -> bool:
    """Whether every cell of ``column`` needs a value: as it declares (``kravs``), or by
    default when its name, heading, group or id names the report's year."""
    if column.derived:
        return False
    if column.kravs is not None:
        return column.kravs
    if table.ar is None:
        return False
    year = re.compile(rf"(?<!\d){table.ar}(?!\d)")
    return any(year.search(str(name)) for name in (column.kolumn, column.rubrik, column.grupp,
                                                    column.id) if name)


def cell_place(table: DataTable, row: DataRow, column: Column) -> str:
    """Where a user fills a cell: "besok.csv, rad 3, kolumn 2024"."""
    sheet = f", blad {table.decl.flik}" if table.decl.flik else ""
    line = f", rad {row.source.row}" if row.source else ""
    return f"{table.decl.fil}{sheet}{line}, kolumn {column.kolumn or column.id}"


def _label(table: DataTable, row: DataRow, column: Column) -> str:
    """What a missing cell is, in words: the row's name and the column's heading."""
    name = next((str(v.value) for c in table.columns if c.typ == "text" and c.id != column.id
                 and (v := row.cells.get(str(c.id))) is not None and v.value), "")
    heading = f"{column.grupp} {column.rubrik}" if column.grupp else str(column.rubrik)
    return f"{name}: {heading}" if name else heading


def cell_gap(table: DataTable, row: DataRow, column: Column, needed: bool | None = None
             ) -> CellGap | None:
    """The gap of one cell: a value the file lacks where it is ``needed`` (by default where
    the column is required), or one it marks as not available (with the reason, or the
    table's note that explains ``..``)."""
    value = row.cells.get(str(column.id))
    if value is not None and value.unavailable:
        return CellGap(_label(table, row, column), cell_place(table, row, column), value.reason
                       or next((n for n in table.decl.noter
                                if n.startswith(UNAVAILABLE_MARK)), UNAVAILABLE_MARK))
    if (value is None or value.value is None) and (
            required(table, column) if needed is None else needed):
        return CellGap(_label(table, row, column), cell_place(table, row, column))
    return None


#: The columns of an indicator table besides its years.
ETAPPMAL, MALVARDE = "etappmål", "målvärde"


def indicator_name(ind: Indicator) -> str:
    """An indicator's row as its table names it: "Besök på fritidsgårdarna, antal, kvinnor"."""
    return ind.namn + (f", {sprak.KON[ind.kon]}" if ind.kon else "")


def indicator_decimals(ind: Indicator) -> int:
    """The decimals of every number in an indicator's row (its years, etappmål and
    målvärde): the most any of them needs, at most two, so that the row's numbers line up."""
    return fmt.decimals_shown(v for v in [*ind.values.values(), ind.etappmal, ind.malvarde]
                              if isinstance(v, int | float))


def indicator_number(ind: Indicator, value: float) -> str:
    """A number of ``ind``'s row as its table and the prose citing it show it."""
    return fmt.number(value, indicator_decimals(ind))


def indicator_gap(ind: Indicator, column: int | str, year: int) -> CellGap:
    """What a cell of an indicator table lacks (``column`` a year, :data:`ETAPPMAL` or
    :data:`MALVARDE`) in the report of ``year``: the reason too, when the value is not
    available."""
    value = (ind.etappmal if column == ETAPPMAL else ind.malvarde if column == MALVARDE
             else ind.values.get(int(column)))
    what = f"etappmål {year}" if column == ETAPPMAL else str(column)
    return CellGap(f"{indicator_name(ind)}: {what}",
                   f"{ind.source.file}, rad {ind.source.row}, kolumn {column}",
                   (value.reason or UNAVAILABLE_MARK) if isinstance(value, Unavailable) else "")


def indicator_source_gap(ind: Indicator) -> CellGap:
    """The gap of an indicator that names no source, where its table says "Källa:"."""
    return CellGap(f"källa för indikatorn {indicator_name(ind)}",
                   f"{ind.source.file}, rad {ind.source.row}, kolumn källa", kort=False)


#: The note under a table whose shown parts do not add up to a shown sum or difference,
#: each figure being rounded on its own: for amounts, and for other numbers.
ROUNDING_NOTES = ("Beloppen är avrundade var för sig, så en summa eller skillnad kan avvika "
                  "något från summan eller skillnaden av de avrundade beloppen.",
                  "Talen är avrundade var för sig, så en summa eller skillnad kan avvika "
                  "något från summan eller skillnaden av de avrundade talen.")


def row_names(table: DataTable) -> list[str]:
    """The name of each row: the text of its key column (``nyckel``, else the first text
    column), without marks or footnotes, spaces evened out; "" without one."""
    key = table.decl.key_column
    if key is None:
        return ["" for _ in table.rows]
    return [plain(str(v.value)) if (v := r.cells.get(str(key.id))) and v.value else ""
            for r in table.rows]


def find_rows(table: DataTable, name: str) -> list[DataRow]:
    """The rows whose key column reads ``name`` (spaces evened out)."""
    wanted = " ".join(name.split())
    return [r for r, n in zip(table.rows, row_names(table), strict=True) if n == wanted]


def _head(columns: list[Column], align: dict[str, str]) -> list[ShownRow]:
    """The header rows: one, or two when columns are grouped under a common heading.

    Headers are inline Markdown from the data, so that one can carry a footnote.
    """
    if not any(c.grupp for c in columns):
        return [ShownRow([ShownCell(str(c.rubrik), align[str(c.id)], markdown=True)
                          for c in columns])]
    top: list[ShownCell] = []
    i = 0
    while i < len(columns):
        c = columns[i]
        if not c.grupp:
            top.append(ShownCell(str(c.rubrik), align[str(c.id)], rowspan=2, markdown=True))
            i += 1
            continue
        span = 1
        while i + span < len(columns) and columns[i + span].grupp == c.grupp:
            span += 1
        top.append(ShownCell(c.grupp, "center", colspan=span, markdown=True))
        i += span
    return [ShownRow(top), ShownRow([ShownCell(str(c.rubrik), align[str(c.id)], markdown=True)
                                     for c in columns if c.grupp])]


@dataclass
class _Notes:
    """What the cells shown so far need explained under the table."""

    reasons: list[str] = field(default_factory=list)
    not_comparable: bool = False


def _cells(table: DataTable, row: DataRow, columns: list[Column], align: dict[str, str],
           notes: _Notes) -> list[ShownCell | None]:
    """One row's cells; in a total row, the empty text cells after its label join the
    label's cell (None), so that "Summa" stands over them."""
    cells: list[ShownCell | None] = []
    label: int | None = None
    for c in columns:
        value = row.cells.get(str(c.id))
        if value is not None and value.mark == NOT_COMPARABLE:
            notes.not_comparable = True
            cells.append(ShownCell(fmt.NOT_MEANINGFUL, align[str(c.id)]))
            label = None
            continue
        gap = cell_gap(table, row, c)
        if gap is not None and value is not None and value.reason \
                and value.reason not in notes.reasons:
            notes.reasons.append(value.reason)
        empty = gap is None and (value is None or value.value is None)
        if row.kind in TOTAL_KINDS and label is not None and empty and not c.numeric:
            shown = cells[label]
            assert shown is not None
            cells[label] = ShownCell(shown.text, shown.align, shown.colspan + 1,
                                     markdown=shown.markdown)
            cells.append(None)
            continue
        label = len(cells) if not c.numeric and not empty else None
        cells.append(ShownCell(show_value(table, c, value), align[str(c.id)],
                               markdown=c.typ == "text" and gap is None, lucka=gap))
    return cells


def _merge(rows: list[list[ShownCell | None]], kinds: list[str], columns: list[Column]
           ) -> None:
    """Show a value of a ``sammanfoga`` column that stands in rows after each other once, in
    a cell spanning them (total rows are never merged)."""
    for i, c in enumerate(columns):
        if not c.sammanfoga:
            continue
        start = 0
        while start < len(rows):
            first = rows[start][i]
            end = start + 1
            while (first is not None and first.lucka is None and kinds[start] not in TOTAL_KINDS
                   and end < len(rows) and kinds[end] not in TOTAL_KINDS
                   and (other := rows[end][i]) is not None and other.lucka is None
                   and other.text == first.text):
                rows[end][i] = None
                end += 1
            if end - start > 1 and first is not None:
                rows[start][i] = ShownCell(first.text, first.align, first.colspan, end - start,
                                           first.markdown)
            start = end


def _change_row(row: DataRow, columns: list[Column], change: ChangeRow, notes: _Notes
                ) -> ShownRow:
    """The row under ``row`` with each number's change in percent from the number in the
    column before it; the row's label stands in its first text column."""
    cells = []
    label_done = False
    previous: float | None = None
    seen_number = False
    for c in columns:
        if not c.numeric:
            cells.append(ShownCell("" if label_done else change.rubrik))
            label_done = True
            continue
        value = row.cells.get(str(c.id))
        number = float(value.value) if value is not None and isinstance(
            value.value, int | float) else None
        text = ""
        if seen_number:
            changed = change_value("forandring", previous, number)
            if changed.mark == NOT_COMPARABLE:
                notes.not_comparable = True
                text = fmt.NOT_MEANINGFUL
            else:
                text = fmt.percent(changed.value, change.decimaler) \
                    if isinstance(changed.value, float) else fmt.MISSING
        cells.append(ShownCell(text, "right"))
        previous, seen_number = number, True
    return ShownRow(cells)


def _rounded(table: DataTable, column: Column, value: Value | None) -> Decimal | None:
    """A cell's number rounded as the table shows it."""
    number = display_number(table, column, value)
    return None if number is None else fmt.shown(number, decimals(table, column))


def rounding_note(table: DataTable, rows: list[DataRow]) -> str:
    """The note a table needs when a sum or difference it shows differs from what its
    shown, rounded parts give (each being rounded from the exact figures); "" when none
    does. Only sums and differences are checked: a percentage is not read that way."""
    shown = {str(c.id): c for c in table.columns}
    differs: list[Column] = []
    for row in rows:
        for c in shown.values():
            calc = next(iter((c.berakning or {}).items()), None)
            if calc is None or calc[0] not in ("skillnad", "summa") or not all(
                    n in shown and shown[n].typ == c.typ for n in calc[1]):
                continue
            found = [_rounded(table, shown[n], row.cells.get(n)) for n in calc[1]]
            own = _rounded(table, c, row.cells.get(str(c.id)))
            parts = [p for p in found if p is not None]
            if own is None or len(parts) < len(found):
                continue
            whole = (parts[0] - sum(parts[1:], Decimal(0)) if calc[0] == "skillnad"
                     else sum(parts, Decimal(0)))
            if fmt.shown(whole, decimals(table, c)) != own:
                differs.append(c)
    listed = {id(r) for r in rows}
    for row, parts_rows, _ in total_parts(table):
        if id(row) not in listed or not all(id(r) in listed for r in parts_rows):
            continue
        for c in summed_columns(table):
            if str(c.id) not in shown:
                continue
            own = _rounded(table, c, row.cells.get(str(c.id)))
            present = [p for r in parts_rows
                       if (p := _rounded(table, c, r.cells.get(str(c.id)))) is not None]
            if own is not None and present and sum(present, Decimal(0)) != own:
                differs.append(c)
    if not differs:
        return ""
    return ROUNDING_NOTES[0 if any(c.typ == "belopp" for c in differs) else 1]


def view(table: DataTable, options: TableOptions | None = None, kalla_plats: str = ""
         ) -> TableView:
    """What ``table`` shows: grouped headers, formatted cells, its notes and its source
    (to be written at ``kalla_plats`` in the data when it has none); with ``options``, only
    the rows they name, under their caption, with a row of changes."""
    columns = table.columns
    align = {str(c.id): "right" if c.numeric or c.typ == "rang" else "left" for c in columns}
    rows = table.rows
    if options is not None and options.rader:
        rows = [r for name in options.rader for r in find_rows(table, name)]
    notes = _Notes()
    cells = [_cells(table, row, columns, align, notes) for row in rows]
    _merge(cells, [r.kind for r in rows], columns)
    body = []
    for row, shown in zip(rows, cells, strict=True):
        body.append(ShownRow([c for c in shown if c is not None],
                             summa=row.kind in TOTAL_KINDS))
        if options is not None and options.forandringsrad is not None:
            body.append(_change_row(row, columns, options.forandringsrad, notes))
    if not table.rows:
        body.append(ShownRow([ShownCell("", colspan=len(columns), lucka=CellGap(
            f'rader i tabellen "{table.decl.rubrik}"', table.decl.fil, kort=False))]))
    footer = list(table.decl.noter)
    footer += [unavailable_note(r) for r in notes.reasons]
    if notes.not_comparable:
        footer.append(fmt.NOT_MEANINGFUL_NOTE)
    if rounding := rounding_note(table, rows):
        footer.append(rounding)
    caption = (options.rubrik if options is not None and options.rubrik is not None
               else table.decl.rubrik) or ""
    name = plain(caption) if caption else "Tabell: " + ", ".join(
        plain(str(c.rubrik)) for c in columns)
    return TableView(table.decl.id, caption, _head(columns, align), body, footer, name,
                     (table.decl.kalla or "").strip(), kalla_plats)


@dataclass(frozen=True)
class CardField:
    rubrik: str
    text: str
    align: str = "left"
    markdown: bool = False
    lucka: CellGap | None = None


@dataclass(frozen=True)
class Card:
    """One row of a table shown as a card: a heading and its fields."""

    rubrik: str
    falt: list[CardField]


def cards(table: DataTable, title: str | None, fields: list[str] | None) -> list[Card]:
    """A card per row of ``table``: the ``title`` column as heading, ``fields`` below it."""
    shown = table.columns
    head = table.column(title) if title else shown[0]
    assert head is not None  # checked by the loader
    chosen = ([c for name in fields if (c := table.column(name)) is not None] if fields
              else [c for c in shown if c.id != head.id])
    out = []
    for row in table.rows:
        items = []
        for c in chosen:
            value = row.cells.get(str(c.id))
            text = (fmt.NOT_MEANINGFUL if value is not None and value.mark == NOT_COMPARABLE
                    else show_value(table, c, value))
            gap = cell_gap(table, row, c)
            # A card reads as label and value, so numbers stand beside their label.
            items.append(CardField(str(c.rubrik), text, "left", c.typ == "text" and gap is None,
                                   gap))
        out.append(Card(show_value(table, head, row.cells.get(str(head.id))), items))
    return out
