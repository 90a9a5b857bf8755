"""Every computed figure of the report, in one place.

Templates and charts never do arithmetic: they show what :func:`derive` returns. The same
figures feed every document built from the data, so they cannot disagree.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..compose import citat
from ..model.report import Goal, Indicator, Level, Report, TableChart, Unavailable
from ..model.tables import TOTAL_KINDS, DataTable, Value
from ..writers.charts import Chart, Series
from .tables import display_number, unavailable_note


@dataclass(frozen=True)
class IndicatorFigur:
    """An indicator and whether this year's value reached its etappmål."""

    indikator: Indicator
    varde: float | str | Unavailable | None
    uppnatt: bool | None


@dataclass(frozen=True)
class LevelCount:
    level: Level
    antal: int


@dataclass(frozen=True)
class MalomradeFigur:
    """How the assessed goals under one top-level goal were assessed."""

    malomrade: Goal
    antal: int
    #: Levels with at least one nämndmål, best first.
    per_niva: list[LevelCount]
    #: Assessed goals without an assessment yet, and those the data says are not assessed.
    antal_obedomda: int
    antal_ej_bedomda: int = 0


@dataclass(frozen=True)
class AvvikandeBedomning:
    """A goal assessed otherwise than its indicators suggest (a note, not an error)."""

    mal: Goal
    bedomning: Level
    forslag: Level


@dataclass(frozen=True)
class StatusCount:
    status: str
    antal: int


@dataclass(frozen=True)
class OverforingFigur:
    """The part of the year's result balanced against the nämnd's eget kapital, in tkr."""

    #: Signed: positive adds a surplus to eget kapital, negative takes a deficit from it.
    belopp: float
    balanserat_fore: float
    balanserat_efter: float


@dataclass(frozen=True)
class GoalFigures:
    """The figures of the goal tree: how the assessed goals were assessed, and each
    indicator against its etappmål."""

    malbedomning: list[LevelCount]
    antal_namndmal: int
    #: Assessed goals without an assessment yet, and those the data says are not assessed
    #: (``maluppfyllelse: {saknas: skäl}``): no gap, and not "saknar ännu bedömning".
    antal_obedomda: int
    antal_ej_bedomda: int
    #: Each indicator's figure, by the indicator's identity.
    indikatorer: Mapping[int, IndicatorFigur]
    #: Assessed goals whose assessment differs from the one their indicators suggest.
    avvikande_bedomningar: list[AvvikandeBedomning]

    def indikator(self, ind: Indicator) -> IndicatorFigur:
        return self.indikatorer[id(ind)]

    def etappmal(self, indicators: list[Indicator]) -> EtappmalCount:
        """How the ``indicators`` a table shows stand against this year's etappmål."""
        return etappmal_count([self.indikatorer[id(i)] for i in indicators])


@dataclass(frozen=True)
class MemoFigures:
    """The figures the tjänsteskrivelse decides on and shows besides the report's own."""

    malomraden: list[MalomradeFigur]
    uppdrag_per_status: list[StatusCount]
    antal_uppdrag: int
    #: The year's result against budget in tkr that the tjänsteskrivelse decides on, and
    #: the part of it balanced against the eget kapital.
    arets_resultat: float | None
    resultatoverforing: OverforingFigur | None
    #: The nämnd's name as it reads inside a sentence: "socialnämnden".
    namnd_i_text: str


@dataclass(frozen=True)
class Figures(GoalFigures, MemoFigures):
    """Every derived figure of one report, as the templates name them (``fig.antal_uppdrag``):
    the goal tree's and the tjänsteskrivelse's, each computed apart."""


@dataclass(frozen=True)
class EtappmalCount:
    """Indicators with an etappmål, by how they stand: the counts of the sentence under an
    indicator table ("Två av tre indikatorer med etappmål når årets etappmål")."""

    #: The value reaches the numeric etappmål, or does not.
    reached: int = 0
    missed: int = 0
    #: The etappmål is a number but the year has no value yet.
    missing: int = 0
    #: The etappmål is written in words ("≥ riktvärdet"), or the value is no number: nothing
    #: to compare.
    in_words: int = 0

    @property
    def total(self) -> int:
        return self.reached + self.missed + self.missing + self.in_words


def etappmal_count(figures: list[IndicatorFigur]) -> EtappmalCount:
    """Count the indicators with an etappmål among ``figures``; an indicator reported by kön
    counts once, by its total row. An etappmål the data says is not available is none; a
    value not available is missing, as one not yet there."""
    reached = missed = missing = in_words = 0
    for f in figures:
        ind = f.indikator
        if ind.etappmal is None or isinstance(ind.etappmal, Unavailable) \
                or ind.kon not in ("", "T"):
            continue
        if f.uppnatt is not None:
            reached += f.uppnatt
            missed += not f.uppnatt
        elif not isinstance(f.varde, str) and not isinstance(ind.etappmal, str):
            missing += 1
        else:
            in_words += 1
    return EtappmalCount(reached, missed, missing, in_words)


def reached(ind: Indicator, value: float | str | Unavailable | None) -> bool | None:
    """Whether ``value`` reaches the indicator's numeric etappmål; missing when either is
    missing (or not available) or the etappmål is a text."""
    target = ind.etappmal
    if not isinstance(value, int | float) or not isinstance(target, int | float):
        return None
    compare = {"≥": value >= target, "≤": value <= target, ">": value > target,
               "<": value < target}
    if ind.jamforelse in compare:
        return compare[ind.jamforelse]
    return value >= target if ind.hog_ar_bra else value <= target


def suggested_level(report: Report, goal: Goal, indikatorer: Mapping[int, IndicatorFigur]
                    ) -> Level | None:
    """The assessment the indicators suggest for ``goal``; None without numeric etappmål.

    The rule: with the share ``r`` of the goal's indicators (its own and those of the goals
    under it; for indicators by kön only the total) that reach a numeric etappmål, and a
    scale of ``n`` levels, the suggestion is level ⌈(1 − r)(n − 1)⌉ counted from the best:
    all reached gives the best level, none the lowest.
    """
    results = [indikatorer[id(i)].uppnatt for g in goal.walk() for i in g.indikatorer
               if i.kon in ("", "T")]
    judged = [r for r in results if r is not None]
    if not judged:
        return None
    share = sum(judged) / len(judged)
    steps = len(report.skala) - 1
    index = min(steps, max(0, math.ceil(round((1 - share) * steps, 9))))
    return report.skala[index]


def goal_counts(report: Report) -> list[LevelCount]:
    """How many assessed goals have each level of the scale, best level first."""
    goals = report.assessed_goals()
    return [LevelCount(lv, sum(1 for nm in goals if nm.maluppfyllelse == lv.text))
            for lv in report.skala]


def derive(report: Report) -> Figures:
    """Compute every derived figure of ``report``."""
    return Figures(**vars(goal_figures(report)), **vars(memo_figures(report)))


def goal_figures(report: Report) -> GoalFigures:
    """The figures of the goal tree of ``report``."""
    goals = report.assessed_goals()
    indikatorer = {id(ind): IndicatorFigur(ind, value, reached(ind, value))
                   for goal in report.all_goals() for ind in goal.indikatorer
                   for value in [ind.values.get(report.ar)]}
    differing = []
    for goal in goals:
        suggestion = suggested_level(report, goal, indikatorer)
        own = report.level(goal.maluppfyllelse)
        if suggestion is not None and own is not None and suggestion is not own:
            differing.append(AvvikandeBedomning(goal, own, suggestion))
    return GoalFigures(goal_counts(report), len(goals), *unassessed(report, goals),
                       indikatorer, differing)


# --- Summaries for the tjänsteskrivelse (and any document that wants them) ------------------


def malomrade_figure(report: Report, mo: Goal) -> MalomradeFigur:
    """The assessments of the goals under one top-level goal, counted per level."""
    goals = mo.at_level(report.assessed_level)
    counts = [LevelCount(lv, sum(1 for nm in goals if nm.maluppfyllelse == lv.text))
              for lv in report.skala]
    return MalomradeFigur(mo, len(goals), [c for c in counts if c.antal],
                          *unassessed(report, goals))


def unassessed(report: Report, goals: list[Goal]) -> tuple[int, int]:
    """How many of ``goals`` have no assessment: those still to assess, and those the data
    says are not assessed (``{saknas: skäl}``)."""
    without = [g for g in goals if report.level(g.maluppfyllelse) is None]
    excused = sum(1 for g in without if f"{g.plats}.maluppfyllelse" in report.utelamnade)
    return len(without) - excused, excused


def whole_tkr(value: float) -> float:
    """Round an amount to whole tkr, half away from zero as in accounting."""
    return float(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def memo_result(report: Report) -> float | None:
    """The year's result against budget in tkr that the tjänsteskrivelse decides on: the
    figure its ``resultat`` names, as its table shows it; None while that cell is empty."""
    ts = report.tjanstskrivelse
    if ts is None or ts.resultatoverforing.resultat is None:
        return None
    found = citat.amount(report, ts.resultatoverforing.resultat)
    return None if found is None else found.tkr()


def resultatoverforing(report: Report, resultat: float | None) -> OverforingFigur | None:
    """The amount to balance against eget kapital, from the memo's policy and the result.

    ``resultat`` is the year's result against budget in tkr (the resultaträkning's
    avvikelse); with a share policy the amount is that share, in whole tkr.
    """
    ts = report.tjanstskrivelse
    if ts is None:
        return None
    policy = ts.resultatoverforing
    if policy.belopp is not None:
        amount = policy.belopp
    elif resultat is not None and policy.andel is not None:
        amount = whole_tkr(resultat * policy.andel / 100)
    else:
        return None
    before = policy.balanserat_resultat
    return OverforingFigur(amount, before, before + amount)


def memo_figures(report: Report) -> MemoFigures:
    """The figures the tjänsteskrivelse of ``report`` shows besides the report's own."""
    uppdrag = [u for g in report.all_goals() for u in g.uppdrag]
    result = memo_result(report)
    ts = report.tjanstskrivelse
    return MemoFigures(
        malomraden=[malomrade_figure(report, mo) for mo in report.mal],
        uppdrag_per_status=[StatusCount(st, n) for st in report.uppdragsstatus
                            if (n := sum(1 for u in uppdrag if u.status == st))],
        antal_uppdrag=len(uppdrag),
        arets_resultat=result,
        resultatoverforing=resultatoverforing(report, result),
        namnd_i_text=(ts.namnd_i_text if ts is not None and ts.namnd_i_text
                      else report.namnd[:1].lower() + report.namnd[1:]))


def table_chart(table: DataTable, opts: TableChart) -> Chart:
    """A chart of a declared table's own rows, in the units the table shows."""
    category = opts.kategorier or next(
        (str(c.id) for c in table.decl.kolumner if c.typ == "text" and c.visas), "")
    rows = [r for r in table.rows
            if not r.kind or (opts.summarader and r.kind in TOTAL_KINDS)]
    series = []
    for name in opts.serier:
        column = table.column(name)
        assert column is not None  # checked by the loader
        series.append(Series(str(column.rubrik), [
            display_number(table, column, r.cells.get(name), opts.visa) for r in rows]))
    labels = [str((r.cells.get(category) or Value(None)).value or "") for r in rows]
    # Named by its options; a chart in the table's own unit keeps the name it had before
    # charts could be shown in another.
    options = opts.model_dump_json(exclude={"visa"} if opts.visa is None else None)
    key = hashlib.sha256(options.encode()).hexdigest()[:8]
    # The chart's figures come from where the table's do, unless it says otherwise.
    return Chart(id=f"{table.decl.id}-{key}", typ=opts.typ, titel=opts.titel,
                 kategorier=labels, serier=series, kalla=opts.kalla or table.decl.kalla or "",
                 enhet=opts.enhet, decimaler=opts.decimaler, source_file=table.decl.fil)


# --- Indicator tables ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorTable:
    """A goal's indicator table as its level prints it: the rows, the years, whether the
    etappmål and målvärde have columns, the indicators whose etappmål stand on lines under
    the table instead, the notes (the reasons of values not available) and the counts of the
    sentence under it."""

    rows: list[Indicator]
    years: list[int]
    etappmal_column: bool
    malvarde_column: bool
    etappmal_lines: list[Indicator]
    notes: list[str]
    count: EtappmalCount
    #: The sources of its indicators (their ``kalla``, or Kolada for one with only a Kolada
    #: id), each once in the order of the rows; and the indicators that name none.
    sources: list[str]
    unsourced: list[Indicator]


def indicator_table(report: Report, goal: Goal) -> IndicatorTable:
    """The indicator table of ``goal`` (empty when it has none, or a level above collects its
    indicators into its own)."""
    scope = report.indicator_scope(goal)
    style = report.level_name(goal.niva).indikatortabell
    with_targets, with_values = report.indicator_columns()
    rows = [i for i in scope if style.totalt or i.kon != "T"]
    # An etappmål is shown, or a gap, where the indicator had one last year.
    lines = [i for i in scope if style.etappmal == "rad" and i.kon in ("", "T")
             and (i.etappmal is not None or i.etappmal_foregaende is not None)]
    etappmal_column = with_targets and style.etappmal == "kolumn"
    shown = [v for i in rows for v in [*i.values.values(), *([i.etappmal] * etappmal_column)]]
    reasons: list[str] = []
    for value in [*shown, *(i.etappmal for i in lines)]:
        if isinstance(value, Unavailable) and value.reason not in reasons:
            reasons.append(value.reason)
    figures = [IndicatorFigur(i, i.values.get(report.ar), reached(i, i.values.get(report.ar)))
               for i in scope]
    # Each mark the table's rows carry, explained once under it, in the order they appear.
    marks = [m for m in dict.fromkeys(i.not_ for i in rows if i.not_)
             if m in report.indikatormarkeringar]
    sources: dict[str, None] = {}
    unsourced: list[Indicator] = []
    for ind in {id(i): i for i in [*rows, *lines]}.values():
        source = ind.kalla.strip() or ("Kolada" if ind.kolada_id else "")
        if source:
            sources[source] = None
        else:
            unsourced.append(ind)
    return IndicatorTable(
        sources=list(sources), unsourced=unsourced,
        rows=rows, years=sorted({y for i in scope for y in i.values}),
        etappmal_column=etappmal_column, malvarde_column=with_values, etappmal_lines=lines,
        notes=[f"{m} {report.indikatormarkeringar[m]}" for m in marks]
        + [unavailable_note(r) for r in reasons], count=etappmal_count(figures))


# --- Goal tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalCell:
    """A goal shown in a goal table's cell, spanning the rows of everything under it."""

    mal: Goal | None
    rowspan: int = 1


@dataclass(frozen=True)
class GoalRow:
    """A row of a goal table: the cells that start in it, its goal and its indicator."""

    cells: list[GoalCell]
    mal: Goal
    indikator: Indicator | None = None


def _chains(report: Report) -> dict[int, list[Goal]]:
    """Each goal's path from the top of the tree, by the goal's id()."""
    out: dict[int, list[Goal]] = {}

    def visit(goal: Goal, path: list[Goal]) -> None:
        out[id(goal)] = [*path, goal]
        for child in goal.under:
            visit(child, [*path, goal])

    for top in report.mal:
        visit(top, [])
    return out


def goal_rows(report: Report, levels: list[int], per_indicator: bool) -> list[GoalRow]:
    """The rows of a goal table showing ``levels`` (1 = top).

    A row per goal at the deepest shown level, or per indicator; a goal above spans the rows
    of everything under it, as in the nämnd's own tables.
    """
    chains = _chains(report)
    items: list[tuple[Goal, Indicator | None]]
    if per_indicator:
        items = [(g, i) for g in report.all_goals() for i in g.indikatorer]
    else:
        items = [(g, None) for g in report.all_goals() if g.niva == max(levels)]
    keys = [[_at(chains[id(g)], level) for level in levels] for g, _ in items]
    rows = []
    for r, (goal, indicator) in enumerate(items):
        cells = []
        for c, owner in enumerate(keys[r]):
            if owner is None:
                cells.append(GoalCell(None))
            elif r == 0 or keys[r - 1][c] is not owner:
                span = 1
                while r + span < len(items) and keys[r + span][c] is owner:
                    span += 1
                cells.append(GoalCell(owner, span))
        rows.append(GoalRow(cells, goal, indicator))
    return rows


def _at(chain: list[Goal], level: int) -> Goal | None:
    return chain[level - 1] if level <= len(chain) else None


def assessment_notes(report: Report, figures: Figures) -> list[str]:
    """A note for each goal assessed otherwise than its indicators suggest."""
    return [f'Obs: "{a.mal.namn}" är bedömt som "{a.bedomning.text}", men indikatorerna '
            f'föreslår "{a.forslag.text}" (se docs/dataformat.md om förslaget).'
            for a in figures.avvikande_bedomningar]
