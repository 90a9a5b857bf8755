"""The figures of declared tables: derived and composed columns, sums, changes and shares,
the parts each total row adds up, and a cell as its table shows it (in its unit, with its
decimals, or the empty-cell mark)."""

from __future__ import annotations

import re
from datetime import date
from functools import partial

from .. import fmt
from ..model.report import (
    PLACEHOLDER,
    UNAVAILABLE_MARK,
    UNITS,
    Column,
)
from ..model.tables import (
    NOT_COMPARABLE,
    SUM_KINDS,
    DataRow,
    DataTable,
    Value,
)


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


def change_value(kind: str, old: float | None, new: float | None) -> Value:
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
        return change_value(kind, values[0], values[1])
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
    """Fill the derived and composed columns of every row, in declaration order.

    Column by column: a composed column shows the columns before it as the table does, and
    a column's decimals are those its every row needs."""
    table.shown_decimals.clear()
    for c in table.decl.kolumner:
        for row in table.rows:
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


def decimals(table: DataTable, column: Column) -> int:
    """The decimals every number of a numeric column is shown with: as the column or the
    table declares them; else 1 for a percentage or an amount shown in a larger unit, 0 for
    a whole number or an amount, and for any other number the most its cells need (at most
    two), so that the column's numbers line up."""
    if column.decimaler is not None:
        return column.decimaler
    if table.decl.decimaler is not None:
        return table.decl.decimaler
    if column.typ == "procent":
        return 1
    if column.typ == "belopp" and table.decl.shown_unit != table.decl.enhet:
        return 1
    if column.typ in ("heltal", "belopp"):
        return 0
    key = str(column.id)
    if key not in table.shown_decimals:
        table.shown_decimals[key] = fmt.decimals_shown(
            display_number(table, column, row.cells.get(key)) for row in table.rows)
    return table.shown_decimals[key]


def empty_mark(table: DataTable, column: Column) -> str:
    """What an empty cell of ``column`` shows: its own mark, the table's, or "-"."""
    for mark in (column.tom, table.decl.tom):
        if mark is not None:
            return mark
    return fmt.MISSING


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
    text = (fmt.percent(shown, decimals(table, column)) if column.typ == "procent"
            else fmt.number(shown, decimals(table, column)))
    return f"{text}{fmt.NBSP}{value.mark}" if value.mark else text
