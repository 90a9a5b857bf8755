"""Readers: a data folder's files into the data model (:mod:`vbgen.model`), and a Word draft
back into the data's texts (:mod:`vbgen.readers.docx`).

A problem within one file (its encoding, a cell that is no number, a field of the wrong
type) is found where the file is read; problems across files are the checks' job
(:mod:`vbgen.checks`).
"""

from __future__ import annotations

from pathlib import Path

from ..commands.kolada import cache as kolada_cache
from ..errors import Problem
from ..model.prosa import Origins, dotted
from ..model.report import Report
from .charts import read_charts
from .goalfiles import Context, attach, check_kon, read_goal_file
from .mainfile import Lines, line_for, read_meta
from .tables import read_declared_tables


def read(folder: Path, problems: list[Problem]) -> tuple[Report | None, Lines]:
    """The report a data folder holds, and the line of every value of its main file; None
    when the main file cannot be read. Problems are added to ``problems``."""
    origins = Origins()
    meta, lines, marks = read_meta(folder, problems, origins)
    if meta is None:
        return None, lines
    files = {"indikatorer": meta.indikatorer_fil, "uppdrag": meta.uppdrag_fil}
    ctx = Context(meta.ar, meta.uppdragsstatus,
                  {k: v for k, v in files.items() if v is not None}, lines)
    indikatorer = read_goal_file(folder, "indikatorer", ctx, problems)
    uppdragen = read_goal_file(folder, "uppdrag", ctx, problems)
    report = Report(**dict(meta))
    if marks is not None:
        marks.mark_examples(report)
    report.textursprung = origins
    report.diagramdata = read_charts(folder, meta, lines, problems)
    report.tabelldata = read_declared_tables(folder, report, lines, problems)
    attach(report, indikatorer, uppdragen, problems)
    kolada_cache.apply(folder, report, problems,
                       lambda where: (line_for(lines, where), dotted(where)))
    check_kon(indikatorer, problems)
    return report, lines
