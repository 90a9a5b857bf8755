"""Read and rewrite a table file (CSV or one sheet of an Excel file) as a grid of cells.

Used by ``vbgen ny`` to carry last year's tables into a new year: the grid is changed in
memory and written back in the same form (delimiter, encoding, workbook and its other
sheets), so the files still open the way their users are used to.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Cell = Any  # a str from CSV; a str, number, date or None from Excel


@dataclass
class Grid:
    """A table file's header and rows, and how to write it back."""

    header: list[str]
    rows: list[list[Cell]]
    delimiter: str = ";"
    bom: bool = False
    #: Excel only: the sheet read, by name (None for the first).
    sheet: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8-sig"), raw.startswith(b"\xef\xbb\xbf")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), False


def read_grid(path: Path, sheet: str | None = None) -> Grid:
    """The header and rows of ``path`` (trailing empty rows left out)."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb[sheet] if sheet is not None else wb.worksheets[0]
            values = [list(r) for r in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
        header = ["" if h is None else str(h).strip() for h in (values[0] if values else [])]
        rows: list[list[Cell]] = [r for r in values[1:] if any(c not in (None, "") for c in r)]
        return Grid(header, rows, sheet=sheet)
    text, bom = _decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [h.strip() for h in lines[0]] if lines else []
    rows = [r for r in lines[1:] if any(c.strip() for c in r)]
    return Grid(header, rows, delimiter, bom)


def csv_bytes(grid: Grid) -> bytes:
    """The grid as CSV text, with the delimiter and byte order mark it was read with."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=grid.delimiter, lineterminator="\n")
    writer.writerow(grid.header)
    for row in grid.rows:
        writer.writerow(["" if c is None else c for c in row])
    return (("\ufeff" if grid.bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(path: Path, grids: dict[str | None, Grid]) -> bytes:
    """The workbook ``path`` with the given sheets replaced by their grids; the rest kept."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for name, grid in grids.items():
        ws = wb[name] if name is not None else wb.worksheets[0]
        old_rows, old_cols = ws.max_row, ws.max_column
        values = [grid.header, *grid.rows]
        for r in range(1, max(old_rows, len(values)) + 1):
            row = values[r - 1] if r <= len(values) else []
            for c in range(1, max(old_cols, len(grid.header)) + 1):
                value = row[c - 1] if c <= len(row) else None
                ws.cell(row=r, column=c).value = None if value == "" else value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
