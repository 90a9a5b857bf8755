"""Declared tables: read a table file by its declaration into typed rows.

A :class:`~vbgen.model.TableDecl` in ``vb.yaml`` says which file holds the table and what each
column is. Reading checks every cell against its column's type and every column of the file
against the declaration, so no column is dropped silently. Derived columns and the check of
total rows are computed in :mod:`vbgen.derive`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import fmt, sprak
from .errors import Problem
from .fmt import DECIMAL_MARKS, NumberError, NumberText, parse_number
from .model import UNAVAILABLE_MARK, UNITS, Column, Indicator, Source, TableDecl, Unavailable
from .prosa import plain

#: Values of the optional ``radtyp`` column: a total row, a result row ("resultat", such as
#: Årets resultat: shown like a total but no sum), or a row whose numeric columns hold a rank
#: ("19/26") or a text instead of numbers.
ROW_KINDS = ("", "delsumma", "summa", "resultat", "rang", "text")
#: The kinds of total row, checked against the rows they sum.
SUM_KINDS = ("delsumma", "summa")
#: The kinds of row shown bold, as totals are.
TOTAL_KINDS = (*SUM_KINDS, "resultat")
#: The column that marks total rows; it is never shown.
ROW_KIND_COLUMN = "radtyp"
#: The mark of a derived förändring left out because its base is zero or negative.
NOT_COMPARABLE = "ej_jamforbar"

#: A number followed by a note mark: "2 174 *".
NOTE_MARK = re.compile(r"^(.*?)[\s\u00a0]*(\*+)$")
#: A place among others: "19/26".
RANK = re.compile(r"^(\d+)\s*/\s*(\d+)$")


@dataclass
class Value:
    """One cell: its typed value and the note mark that followed it in the file.

    A value the file marks as not available has the mark ``..`` and its ``reason`` (empty
    when a note of the table starting with ``..`` gives it); ``written`` is the number as the
    file wrote it, for messages.
    """

    value: float | str | date | None
    mark: str = ""
    reason: str = ""
    written: str = ""

    @property
    def unavailable(self) -> bool:
        return self.mark == UNAVAILABLE_MARK


@dataclass
class DataRow:
    cells: dict[str, Value]
    #: "", "delsumma" or "summa".
    kind: str = ""
    source: Source | None = None


@dataclass
class DataTable:
    """A declared table with its rows read and typed; derived columns filled by derive."""

    decl: TableDecl
    rows: list[DataRow] = field(default_factory=list)
    #: The report's year, which decides the columns whose cells are required.
    ar: int | None = None

    @property
    def columns(self) -> list[Column]:
        return [c for c in self.decl.kolumner if c.visas]

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.decl.kolumner if c.id == column_id), None)


def norm(name: str) -> str:
    """A column name as the readers key it: lower case, single spaces, ``_`` as space."""
    return " ".join(str(name).replace("_", " ").split()).lower()


def cell_value(column: Column, raw: str, decimal: str = "komma", kind: str = "") -> Value:
    """Read ``raw`` as a value of ``column``'s type; raise ValueError with a Swedish reason.

    ``decimal`` is the table's decimal mark; ``kind`` the row's ``radtyp``, which lets a
    numeric column hold a rank ("rang") or a text ("text") in that row.
    """
    text = raw if isinstance(raw, NumberText) else raw.strip()
    if column.typ == "text":
        return Value(text or None)
    if text in ("", "-", "\u2013", "\u2212"):
        return Value(None)
    if text.startswith(UNAVAILABLE_MARK):
        return Value(None, UNAVAILABLE_MARK, text[len(UNAVAILABLE_MARK):].strip(" :–-"))
    if kind == "text" and column.numeric:
        return Value(text)
    if column.typ == "rang" or (kind == "rang" and column.numeric):
        m = RANK.match(text)
        if not m or int(m.group(1)) > int(m.group(2)) or int(m.group(1)) < 1:
            raise ValueError(f'förväntade en placering som "19/26", fick "{raw}"')
        return Value(f"{m.group(1)}/{m.group(2)}")
    if column.typ == "datum":
        try:
            # An Excel date cell arrives as a date and time at midnight.
            return Value(date.fromisoformat(text.removesuffix(" 00:00:00")))
        except ValueError:
            raise ValueError(f'förväntade ett datum som ÅÅÅÅ-MM-DD, fick "{raw}"') from None
    mark = ""
    m = NOTE_MARK.match(text)
    if m:
        text, mark = m.group(1), m.group(2)
    try:
        number = parse_number(text, DECIMAL_MARKS[decimal])
    except NumberError as exc:
        if exc.kind != "tecken":
            raise ValueError(f'förväntade ett tal, fick "{raw}"') from None
        raise ValueError(str(exc) + ("; skriver filen decimaler med punkt, ange "
                                     "decimaltecken: punkt för tabellen i vb.yaml"
                                     if decimal == "komma" and "punkt, men" in str(exc)
                                     else "")) from None
    if column.typ == "heltal" and number is not None and not number.is_integer():
        raise ValueError(f'förväntade ett heltal, fick "{raw}"')
    return Value(number, mark, written=str(text))


def read_table(decl: TableDecl, file: str, header: list[str],
               rows: list[tuple[int, dict[str, str]]], problems: list[Problem],
               ar: int | None = None) -> DataTable:
    """Type the ``rows`` of ``file``, whose first line is ``header``, by ``decl``, for the
    report of the year ``ar``.

    Every problem is added to ``problems``.
    """
    table = DataTable(decl, ar=ar)
    in_file = {c.kolumn and norm(c.kolumn): c for c in decl.kolumner if c.berakning is None}
    header = [norm(h) for h in header]
    for name in sorted({h for h in header if h and header.count(h) > 1}):
        problems.append(Problem(file, f'kolumnen "{name}" står {header.count(name)} gånger i '
                                      "rubrikraden; ge kolumnerna olika namn", 1, name, "kolumn"))
    for name in header:
        if name and name not in in_file and name != ROW_KIND_COLUMN:
            problems.append(Problem(
                file, f'kolumnen "{name}" finns i filen men inte under kolumner för tabellen '
                      f'"{decl.id}" i vb.yaml; lägg till den (med visas: nej om den inte ska '
                      "visas) eller ta bort den ur filen", 1, name, "kolumn"))
    if header:
        for key, c in in_file.items():
            if key not in header:
                problems.append(Problem(
                    file, f'kolumnen saknas i rubrikraden (tabellen "{decl.id}" i vb.yaml '
                          "deklarerar den)", 1, c.kolumn, "kolumn"))
    for line, cells in rows:
        kind = cells.get(ROW_KIND_COLUMN, "").strip().lower()
        if kind not in ROW_KINDS:
            problems.append(Problem(file, f'okänt värde "{kind}"; lämna tomt eller skriv '
                                          '"delsumma", "summa", "resultat", "rang" eller '
                                          '"text"', line, ROW_KIND_COLUMN, "kolumn"))
            kind = ""
        values: dict[str, Value] = {}
        for key, c in in_file.items():
            if key not in cells:
                continue
            try:
                values[str(c.id)] = cell_value(c, cells[key], decl.decimaltecken, kind)
            except ValueError as exc:
                problems.append(Problem(file, str(exc), line, c.kolumn, "kolumn"))
        table.rows.append(DataRow(values, kind, Source(file, line)))
    return table


def table_path(folder: Path, decl: TableDecl) -> Path:
    """The declared table's file inside ``folder``."""
    return folder / decl.fil


def display_number(table: DataTable, column: Column, value: Value | None) -> float | None:
    """A cell's number in the unit the table shows (amounts converted, e.g. tkr to mnkr)."""
    if value is None or not isinstance(value.value, int | float):
        return None
    if column.typ == "belopp":
        return float(value.value) * UNITS[table.decl.enhet] / UNITS[table.decl.shown_unit]
    return float(value.value)


# --- What a table shows ------------------------------------------------------------------------


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


def decimals(table: DataTable, column: Column) -> int | None:
    """The decimals a numeric column is shown with; None keeps up to two significant."""
    if column.decimaler is not None:
        return column.decimaler
    if table.decl.decimaler is not None:
        return table.decl.decimaler
    if column.typ == "procent":
        return 1
    if column.typ == "belopp" and table.decl.shown_unit != table.decl.enhet:
        return 1
    return 0 if column.typ in ("heltal", "belopp") else None


def required(table: DataTable, column: Column) -> bool:
    """Whether every cell of ``column`` needs a value: as it declares (``kravs``), or by
    default when its name, heading, group or id names the report's year."""
    if column.berakning is not None:
        return False
    if column.kravs is not None:
        return column.kravs
    if table.ar is None:
        return False
    year = re.compile(rf"(?<!\d){table.ar}(?!\d)")
    return any(year.search(str(name)) for name in (column.kolumn, column.rubrik, column.grupp,
                                                    column.id) if name)


def empty_mark(table: DataTable, column: Column) -> str:
    """What an empty cell of ``column`` shows: its own mark, the table's, or "-"."""
    for mark in (column.tom, table.decl.tom):
        if mark is not None:
            return mark
    return fmt.MISSING


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


def unavailable_note(reason: str) -> str:
    """The note under a table that explains its ".." cells with ``reason``."""
    reason = reason.strip()
    return f"{UNAVAILABLE_MARK} Uppgift saknas. {reason[:1].upper()}{reason[1:]}" + (
        "" if reason.endswith((".", "!", "?")) else ".")


def show_value(table: DataTable, column: Column, value: Value | None) -> str:
    """The text of one cell, formatted the Swedish way."""
    if value is not None and value.unavailable:
        return UNAVAILABLE_MARK
    if value is None or value.value is None:
        return empty_mark(table, column)
    if isinstance(value.value, date):
        return fmt.date_text(value.value)
    if isinstance(value.value, str):
        return value.value
    shown = display_number(table, column, value)
    text = (fmt.percent(shown, decimals(table, column) or 0) if column.typ == "procent"
            else fmt.number(shown, decimals(table, column)))
    return f"{text}{fmt.NBSP}{value.mark}" if value.mark else text


def view(table: DataTable) -> TableView:
    """What ``table`` shows: grouped headers, formatted cells and its notes."""
    columns = table.columns
    align = {str(c.id): "right" if c.numeric or c.typ == "rang" else "left" for c in columns}
    grouped = any(c.grupp for c in columns)
    head: list[ShownRow] = []
    # Headers are inline Markdown from the data, so that one can carry a footnote.
    if grouped:
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
        head.append(ShownRow(top))
        head.append(ShownRow([ShownCell(str(c.rubrik), align[str(c.id)], markdown=True)
                              for c in columns if c.grupp]))
    else:
        head.append(ShownRow([ShownCell(str(c.rubrik), align[str(c.id)], markdown=True)
                              for c in columns]))
    body = []
    not_comparable = False
    reasons: list[str] = []
    for row in table.rows:
        cells = []
        for c in columns:
            value = row.cells.get(str(c.id))
            if value is not None and value.mark == NOT_COMPARABLE:
                not_comparable = True
                cells.append(ShownCell(fmt.NOT_MEANINGFUL, align[str(c.id)]))
                continue
            gap = cell_gap(table, row, c)
            if gap is not None and value is not None and value.reason \
                    and value.reason not in reasons:
                reasons.append(value.reason)
            cells.append(ShownCell(show_value(table, c, value), align[str(c.id)],
                                   markdown=c.typ == "text" and gap is None, lucka=gap))
        body.append(ShownRow(cells, summa=row.kind in TOTAL_KINDS))
    if not table.rows:
        body.append(ShownRow([ShownCell("", colspan=len(columns), lucka=CellGap(
            f'rader i tabellen "{table.decl.rubrik}"', table.decl.fil, kort=False))]))
    notes = list(table.decl.noter)
    notes += [unavailable_note(r) for r in reasons]
    if not_comparable:
        notes.append(fmt.NOT_MEANINGFUL_NOTE)
    if table.decl.kalla:
        notes.append(f"Källa: {table.decl.kalla}")
    caption = table.decl.rubrik or ""
    name = plain(caption) if caption else "Tabell: " + ", ".join(
        plain(str(c.rubrik)) for c in columns)
    return TableView(table.decl.id, caption, head, body, notes, name)


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
