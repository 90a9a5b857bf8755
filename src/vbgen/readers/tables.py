"""Read every table declared under ``tabeller`` into typed rows."""


from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..errors import Problem
from ..fmt import DECIMAL_MARKS, NumberError, NumberText, parse_number
from ..model.prosa import Path_
from ..model.prosa import dotted as _dotted
from ..model.report import (
    MAIN_FILE,
    UNAVAILABLE_MARK,
    Column,
    Report,
    Source,
    TableDecl,
)
from ..model.tables import (
    NOTE_MARK,
    RANK,
    ROW_KIND_COLUMN,
    ROW_KINDS,
    DataRow,
    DataTable,
    Value,
    norm,
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
