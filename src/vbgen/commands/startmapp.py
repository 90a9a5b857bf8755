"""Write a small but complete starting data folder: ``vbgen ny NYMAPP``.

The content is the folder ``startmapp/`` shipped with vbgen: a commented ``vb.yaml``, the
indicator and assignment tables, short texts, and the sources of the Excel workbook
``tabeller.xlsx`` (one CSV per sheet, named by the table's id, and the lines of the
instruction sheet). Years are written ``${ar}``, ``${ar_1}`` (the year before) and so on.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from string import Template
from typing import Any, cast

from ruamel.yaml import YAML

from ..fmt import parse_number
from ..resources import startmapp_dir
from .nyttar import InitError, Result, check_target, count_gaps, write_folder

WORKBOOK = "tabeller.xlsx"
INSTRUCTIONS = "Instruktioner"
#: Files of the package folder that are sources, not copied as they are.
_SOURCES = ("tabeller", "instruktioner.txt")


def _years(ar: int) -> dict[str, str]:
    return {"ar": str(ar), "ar_1": str(ar - 1), "ar_2": str(ar - 2),
            "malvarde_ar": str(ar + 3)}


def _cell(text: str) -> Any:
    """A number where the text is one, so that Excel can sum it; else the text."""
    try:
        value = parse_number(text)
    except ValueError:
        return text
    if value is None:
        return None
    return int(value) if value.is_integer() else value


def workbook(tables: list[dict[str, Any]], sources: Path, years: dict[str, str]) -> bytes:
    """``tabeller.xlsx``: the instruction sheet first, then a sheet per declared table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    # A new workbook's active sheet is its one worksheet.
    ws = cast(Worksheet, wb.active)
    ws.title = INSTRUCTIONS
    lines = (sources / "instruktioner.txt").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=Template(line).safe_substitute(years))
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120
    for decl in tables:
        text = Template((sources / "tabeller" / f"{decl['id']}.csv").read_text(
            encoding="utf-8")).safe_substitute(years)
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        sheet = wb.create_sheet(str(decl["flik"]))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=value if r == 1 else _cell(value))
                if r == 1:
                    cell.font = Font(bold=True)
        for c in range(1, len(rows[0]) + 1):
            sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = 24
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def start_folder(new: Path, ar: int | None = None) -> Result:
    """Write the starting folder ``new`` for the year ``ar`` (by default last year)."""
    check_target(new)
    ar = ar if ar is not None else date.today().year - 1
    years = _years(ar)
    source = startmapp_dir()
    files: dict[str, bytes] = {}
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source).as_posix()
        if path.is_dir() or rel.split("/")[0] in _SOURCES:
            continue
        text = path.read_text(encoding="utf-8")
        files[rel] = Template(text).safe_substitute(years).encode("utf-8")
    main = YAML(typ="safe").load(files["vb.yaml"].decode("utf-8"))
    tables = [t for t in main.get("tabeller") or [] if t.get("fil") == WORKBOOK]
    files[WORKBOOK] = workbook(tables, source, years)
    written = write_folder(new, files, {})
    try:
        gaps = count_gaps(new)
    except Exception as exc:  # the starting folder is vbgen's own; it must load
        raise InitError(f"startmappen kan inte läsas; det är ett fel i vbgen: {exc}") from None
    return Result(new, written, [], gaps)
