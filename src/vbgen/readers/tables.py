"""Read every table declared under ``tabeller`` into typed rows."""


from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from ..derive.tables import (
    DataTable,
    Value,
    read_table,
    table_path,
)
from ..errors import Problem
from ..model.prosa import Path_
from ..model.prosa import dotted as _dotted
from ..model.report import (
    MAIN_FILE,
    Report,
    TableDecl,
)
from ..paths import (
    OUTSIDE,
    Refused,
    inside,
    present,
    read_file,
)
from .files import TABLE_SUFFIXES, decode, read_any, written_header
from .mainfile import Lines, line_for, load_yaml


def read_declared_tables(folder: Path, report: Report, lines: Lines,
                     problems: list[Problem]) -> dict[str, DataTable]:
    """Read every table declared under ``tabeller``."""
    out: dict[str, DataTable] = {}
    for i, decl in enumerate(report.tabeller):
        loc: Path_ = ("tabeller", i)
        if decl.id in out:
            where = (*loc, "id")
            problems.append(Problem(MAIN_FILE, f'id "{decl.id}" används av flera tabeller',
                                    line_for(lines, where), _dotted(where)))
            continue
        table = _read_declared(folder, decl, loc, lines, problems, report.ar)
        if table is not None:
            _goal_names(table, report, problems)
            out[decl.id] = table
    return out


def _read_declared(folder: Path, decl: TableDecl, loc: Path_, lines: Lines,
                   problems: list[Problem], ar: int | None) -> DataTable | None:
    """Read the file of one declared table, typing its cells; None when it cannot be read."""
    path = table_path(folder, decl)
    where = (*loc, "fil")
    if not inside(folder, path):
        problems.append(Problem(MAIN_FILE, f'filen "{decl.fil}" {OUTSIDE}',
                                line_for(lines, where), _dotted(where)))
        return None
    if not present(path) or path.suffix.lower() not in TABLE_SUFFIXES:
        what = ("finns inte i mappen" if not present(path)
                else "ska vara en .csv- eller .xlsx-fil")
        problems.append(Problem(MAIN_FILE, f'filen "{decl.fil}" {what}',
                                line_for(lines, where), _dotted(where)))
        return None
    before = len(problems)
    rows = read_any(folder, path, problems, decl.flik)
    # The file was read without problems, so reading its first line again adds none.
    header = (written_header(folder, path, [], decl.flik) or []) if len(problems) == before \
        else []
    return read_table(decl, decl.fil, header, rows, problems, ar)


def read_tables_alone(folder: Path, problems: list[Problem]) -> list[DataTable]:
    """The tables a main file with problems declares, as far as their declarations are
    right and their files have no problems, so that every problem is reported in one go."""
    main = folder / MAIN_FILE
    try:
        # The loader that refuses aliases: this file may be the one refused for them.
        data, lines, _, _ = load_yaml(decode(read_file(main.parent, main)))
    except (Refused, OSError, ValueError, yaml.YAMLError, RecursionError):
        return []  # a date such as 2025-02-30 is a ValueError; the problem is told already
    tables = data.get("tabeller") if isinstance(data, dict) else None
    ar = data.get("ar") if isinstance(data, dict) else None
    out: list[DataTable] = []
    for i, item in enumerate(tables if isinstance(tables, list) else []):
        try:
            decl = TableDecl.model_validate(item)
        except ValidationError:
            continue  # told with the main file's problems
        table = _read_declared(folder, decl, ("tabeller", i), lines, problems,
                               ar if isinstance(ar, int) else None)
        if table is not None and not any(p.file == decl.fil for p in problems):
            out.append(table)
    return out


def _goal_names(table: DataTable, report: Report, problems: list[Problem]) -> None:
    """The cells of a column of the type ``mal`` hold goal ids, and show the goals' names."""
    goals = {g.id: g.namn for g in report.all_goals() if g.id}
    for c in table.decl.kolumner:
        if c.typ != "mal":
            continue
        for row in table.rows:
            value = row.cells.get(str(c.id))
            if value is None or not isinstance(value.value, str):
                continue
            name = goals.get(value.value)
            if name is None:
                problems.append(Problem(
                    table.decl.fil, f'okänt mål "{value.value}"; kända id: '
                    + (", ".join(str(g) for g in goals) or "inga (ge målen id i vb.yaml)"),
                    row.source.row if row.source else None, c.kolumn, "kolumn"))
            else:
                row.cells[str(c.id)] = Value(name)
