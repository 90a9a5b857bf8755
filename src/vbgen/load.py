"""Load a data folder: read it into the model, compute its tables' derived columns and check
it; every problem is collected and raised together as one :class:`~vbgen.errors.DataError`."""

from __future__ import annotations

from pathlib import Path

from .checks import check, check_table_totals
from .derive.tables import derive_table
from .errors import DataError, Problem
from .model.report import Report
from .readers import read
from .readers.tables import read_tables_alone


def load(folder: str | Path) -> Report:
    """Read and check a data folder; raise :class:`DataError` listing every problem."""
    folder = Path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise DataError([Problem(str(folder), "mappen finns inte")])
    report, lines = read(folder, problems)
    if report is None:
        # The tables a broken main file declares are read too, so that every problem is
        # told in one go.
        for table in read_tables_alone(folder, problems):
            derive_table(table)
            problems.extend(check_table_totals(table))
        raise DataError(list(dict.fromkeys(problems)))
    for table in report.tabelldata.values():
        derive_table(table)
    problems.extend(check(report, lines, {p.file for p in problems}))
    if problems:
        # A file two declarations read has its problems told once.
        raise DataError(list(dict.fromkeys(problems)))
    return report
