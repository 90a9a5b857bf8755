"""Read the figures of every chart declared under ``diagram``."""


from __future__ import annotations

from pathlib import Path

from ..errors import Problem
from ..fmt import DECIMAL_MARKS, NumberError, parse_number
from ..model.prosa import Path_
from ..model.prosa import dotted as _dotted
from ..model.report import (
    MAIN_FILE,
    Meta,
)
from ..paths import (
    OUTSIDE,
    present,
    within,
)
from ..writers.charts import KINDS, KINDS_LISTED, Chart, Series
from .files import number_message, read_file_with_header
from .mainfile import Lines, line_for

#: The most categories a chart can show and still be read (a horizontal chart grows with
#: them); "" for every other kind.
MAX_CATEGORIES = {"liggande_stapel": 100, "": 1000}


def read_charts(folder: Path, meta: Meta, lines: Lines,
            problems: list[Problem]) -> dict[str, Chart]:
    """Read the figures of every declared chart."""
    charts: dict[str, Chart] = {}
    for i, d in enumerate(meta.diagram):
        loc: Path_ = ("diagram", i)
        if d.typ not in KINDS:
            where = (*loc, "typ")
            problems.append(Problem(MAIN_FILE, f'okänd diagramtyp "{d.typ}"; välj {KINDS_LISTED}',
                                    line_for(lines, where), _dotted(where)))
            continue
        if d.id in charts:
            where = (*loc, "id")
            problems.append(Problem(MAIN_FILE, f'id "{d.id}" används av flera diagram',
                                    line_for(lines, where), _dotted(where)))
            continue
        path = within(folder, d.fil)
        if path is None or not present(path):
            where = (*loc, "fil")
            problems.append(Problem(MAIN_FILE, f'filen "{d.fil}" ' + (
                OUTSIDE if path is None else "finns inte i mappen"),
                line_for(lines, where), _dotted(where)))
            continue
        before = len(problems)
        raw = read_file_with_header(folder, path, problems)
        if raw is None or len(problems) > before:
            continue
        header, rows = raw
        if len(header) < 2 or not rows:
            problems.append(Problem(d.fil, "förväntade en kategorikolumn, minst en serie och "
                                           "minst en rad", 1))
            continue
        limit = MAX_CATEGORIES.get(d.typ, MAX_CATEGORIES[""])
        if len(rows) > limit:
            problems.append(Problem(d.fil, f"diagrammet har {len(rows)} rader (kategorier); "
                                           f"ett diagram av typen {d.typ} kan visa högst "
                                           f"{limit}. Dela upp det eller visa siffrorna i en "
                                           "tabell"))
            continue
        categories: list[str] = []
        values: list[list[float | None]] = [[] for _ in header[1:]]
        mark = DECIMAL_MARKS[d.decimaltecken]
        for line, cells in rows:
            categories.append(cells[0])
            for j, name in enumerate(header[1:]):
                try:
                    values[j].append(parse_number(cells[j + 1], mark))
                except NumberError as exc:
                    problems.append(Problem(d.fil, number_message(exc, cells[j + 1], True),
                                            line, name, "kolumn"))
        charts[d.id] = Chart(
            id=d.id, typ=d.typ, titel=d.titel, kategorier=categories,
            serier=[Series(n, v) for n, v in zip(header[1:], values, strict=True)],
            kalla=d.kalla, enhet=d.enhet, kategorinamn=header[0], decimaler=d.decimaler,
            source_file=d.fil)
    return charts
