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
from decimal import Decimal
from functools import partial
from pathlib import Path

from . import fmt, sprak
from .errors import Problem
from .fmt import DECIMAL_MARKS, NumberError, NumberText, parse_number
from .model import (
    PLACEHOLDER,
    UNAVAILABLE_MARK,
    UNITS,
    ChangeRow,
    Column,
    Indicator,
    Source,
    TableDecl,
    TableOptions,
    Unavailable,
)
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
    if column.typ in ("text", "mal"):
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
        if exc.kind == "gräns":
            raise ValueError(f'{exc}, fick "{raw}"') from None
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
    in_file = {norm(c.kolumn): c for c in decl.kolumner
               if c.kolumn is not None and not c.derived}
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
                values[str(c.id)] = value = cell_value(c, cells[key], decl.decimaltecken, kind)
            except ValueError as exc:
                problems.append(Problem(file, str(exc), line, c.kolumn, "kolumn"))
                continue
            if c.varden and value.value is not None and value.value not in c.varden:
                allowed = ", ".join(f'"{v}"' for v in c.varden)
                problems.append(Problem(file, f'okänt värde "{value.value}"; tillåtna värden: '
                                              f"{allowed}", line, c.kolumn, "kolumn"))
        table.rows.append(DataRow(values, kind, Source(file, line)))
    return table


def table_path(folder: Path, decl: TableDecl) -> Path:
    """The declared table's file inside ``folder``."""
    return folder / decl.fil


def display_number(table: DataTable, column: Column, value: Value | None,
                   unit: str | None = None) -> float | None:
    """A cell's number in the unit the table shows, or in ``unit`` (amounts converted, e.g.
    tkr to mnkr)."""
    if value is None or not isinstance(value.value, int | float):
        return None
    if column.typ == "belopp":
        return float(value.value) * UNITS[table.decl.enhet] / UNITS[
            unit or table.decl.shown_unit]
    return float(value.value)


# --- Derived columns and total rows ----------------------------------------------------------

#: Largest difference, in tkr, between a total and the sum of its rows that is rounding.
TOLERANCE_TKR = 1.0


def change_pct(new: float | None, old: float | None) -> float | None:
    """Förändring in percent from ``old`` to ``new``; missing when it cannot be computed.

    A change from zero or from a negative amount has no meaning as a percentage and is
    missing too (shown as "–").
    """
    if new is None or old is None or old <= 0:
        return None
    return (new - old) / abs(old) * 100


def share_pct(part: float | None, whole: float | None) -> float | None:
    """``part`` as a percentage of ``whole``."""
    if part is None or whole is None or whole == 0:
        return None
    return part / abs(whole) * 100


def total(values: list[float | None]) -> float | None:
    """The sum of the present values; missing only when all are missing."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _change(kind: str, old: float | None, new: float | None) -> Value:
    """A förändring in percent, or the amounts' change for ``beloppsforandring`` (a cost
    written with a minus sign grows when its amount does); left out (``ej_jamforbar``) from a
    base of zero or one that cannot give a meaningful percentage."""
    if old is None or new is None:
        return Value(None)
    if kind == "beloppsforandring":
        if old == 0 or (old < 0) != (new < 0):
            return Value(None, NOT_COMPARABLE)
        return Value(change_pct(abs(new), abs(old)))
    if old <= 0:
        return Value(None, NOT_COMPARABLE)
    return Value(change_pct(new, old))


def compute_column(calc: dict[str, list[str]], cells: dict[str, Value]) -> Value:
    """The value of a derived column for one row: the only place such figures are made.

    ``forandring`` is left out (with the mark ``ej_jamforbar``) when the old value is zero or
    negative: a percentage of such a base says nothing a reader can use.
    """
    (kind, names), = calc.items()

    def num(name: str) -> float | None:
        v = cells.get(name)
        return v.value if v is not None and isinstance(v.value, int | float) else None

    values = [num(n) for n in names]
    if kind == "skillnad":
        a, b = values[0], values[1]
        return Value(None if a is None or b is None else a - b)
    if kind in ("forandring", "beloppsforandring"):
        return _change(kind, values[0], values[1])
    if kind == "andel":
        return Value(share_pct(values[0], values[1]))
    if kind == "summa":
        return Value(total(values))
    # produkt
    product: float | None = 1.0
    for v in values:
        product = None if v is None or product is None else product * v
    return Value(product)


def compose_text(table: DataTable, column: Column, cells: dict[str, Value]) -> Value:
    """A composed text column's cell: its text with each ``{id}`` replaced by that column's
    value as the table shows it, a line whose columns are all empty left out, and each line
    a line of the cell (inline Markdown with hard breaks)."""
    lines: list[str] = []
    for line in str(column.sammansatt).splitlines():
        names = PLACEHOLDER.findall(line)
        shown = {n: _shown_text(table, n, cells) for n in names}
        if names and not any(shown.values()):
            continue
        lines.append(PLACEHOLDER.sub(partial(_value_of, shown), line).strip())
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return Value("\\\n".join(lines) or None)


def _value_of(shown: dict[str, str], m: re.Match[str]) -> str:
    return shown[m.group(1)]


def _shown_text(table: DataTable, column_id: str, cells: dict[str, Value]) -> str:
    """A cell's text as its table shows it, or "" for an empty cell."""
    column = table.column(column_id)
    value = cells.get(column_id)
    if column is None or value is None or (value.value is None and not value.unavailable):
        return ""
    return show_value(table, column, value)


def derive_table(table: DataTable) -> None:
    """Fill the derived and composed columns of every row, in declaration order."""
    for row in table.rows:
        for c in table.decl.kolumner:
            if c.berakning is not None:
                row.cells[str(c.id)] = compute_column(c.berakning, row.cells)
            elif c.sammansatt is not None:
                row.cells[str(c.id)] = compose_text(table, c, row.cells)


def summed_columns(table: DataTable) -> list[Column]:
    """The columns whose total rows are checked: the numbers read from the file, not
    percentages."""
    return [c for c in table.decl.kolumner
            if not c.derived and c.typ in ("heltal", "tal", "belopp")]


def total_parts(table: DataTable) -> list[tuple[DataRow, list[DataRow], str]]:
    """Each total row with the rows it sums and how messages name them.

    A ``delsumma`` sums the ordinary rows since the last total row; a ``summa`` the ordinary
    rows since the last ``summa``, and a ``delsumma`` with no ordinary rows before it (a group
    of one line, such as Verksamhetens intäkter) counts as one of them.
    """
    out = []
    since_total: list[DataRow] = []
    since_summa: list[DataRow] = []
    for row in table.rows:
        if row.kind not in SUM_KINDS:
            # A row of ranks or texts is summed by nobody; a result row is shown like a
            # total, but is neither a sum nor a part of one.
            if not row.kind:
                since_total.append(row)
                since_summa.append(row)
            continue
        if row.kind == "delsumma":
            out.append((row, since_total, "raderna sedan förra summaraden"))
            if not since_total:
                since_summa.append(row)
        else:
            out.append((row, since_summa, "raderna sedan förra summan"))
            since_summa = []
        since_total = []
    return out


def check_table_totals(table: DataTable) -> list[Problem]:
    """Check each total row of a declared table against the rows it sums."""
    problems: list[Problem] = []
    summed = summed_columns(table)
    for row, parts, what in total_parts(table):
        for c in summed:
            given = row.cells.get(str(c.id))
            values = [v for r in parts if (v := r.cells.get(str(c.id))) is not None
                      and isinstance(v.value, int | float)]
            if given is None or not isinstance(given.value, int | float) or not values:
                continue
            expected = sum(v.value for v in values if isinstance(v.value, int | float))
            if abs(float(given.value) - expected) > _tolerance(table, c):
                # Both figures with as many decimals as the file writes them: 144,2, not 144.
                decimals = max(_written_decimals(v) for v in [given, *values])
                source = row.source
                problems.append(Problem(
                    source.file if source else table.decl.fil,
                    f"summan stämmer inte: raden anger {fmt.number(given.value, decimals)} men "
                    f"{what} blir {fmt.number(expected, decimals)}",
                    source.row if source else None, c.kolumn, "kolumn"))
    return problems


def _written_decimals(value: Value) -> int:
    """How many decimals a cell's number has as its file writes it."""
    _, mark, decimals = value.written.replace(".", ",").rpartition(",")
    return len(decimals.strip()) if mark and decimals.strip().isdigit() else 0


def _tolerance(table: DataTable, column: Column) -> float:
    """How far a total may differ from its rows: rounding, as the column's type allows."""
    if table.decl.tolerans is not None:
        return table.decl.tolerans
    if column.typ == "belopp":
        return TOLERANCE_TKR * UNITS["tkr"] / UNITS[table.decl.enhet]
    if column.typ == "heltal":
        return 0.0
    decimals = column.decimaler if column.decimaler is not None else table.decl.decimaler
    return 10.0 ** -(decimals if decimals is not None else 2) + 1e-9


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
    if column.derived:
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
            changed = _change("forandring", previous, number)
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
    return None if number is None else fmt.shown(number, _shown_decimals(table, column))


def _shown_decimals(table: DataTable, column: Column) -> int:
    found = decimals(table, column)
    return 2 if found is None else found


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
            if fmt.shown(whole, _shown_decimals(table, c)) != own:
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


def view(table: DataTable, options: TableOptions | None = None) -> TableView:
    """What ``table`` shows: grouped headers, formatted cells and its notes; with
    ``options``, only the rows they name, under their caption, with a row of changes."""
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
    if table.decl.kalla:
        footer.append(f"Källa: {table.decl.kalla}")
    caption = (options.rubrik if options is not None and options.rubrik is not None
               else table.decl.rubrik) or ""
    name = plain(caption) if caption else "Tabell: " + ", ".join(
        plain(str(c.rubrik)) for c in columns)
    return TableView(table.decl.id, caption, _head(columns, align), body, footer, name)


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
