"""Every computed figure of the report, in one place.

Templates and charts never do arithmetic: they show what :func:`derive` returns. The same
figures feed every document built from the data, so they cannot disagree.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import citat
from .charts import Chart, Series
from .errors import Problem
from .fmt import number
from .model import (
    UNITS,
    BidragRad,
    DriftRad,
    Goal,
    Indicator,
    InvesteringRad,
    Level,
    LovRad,
    Report,
    ResultatRad,
    Risk,
    SatsningRad,
    SjukfranvaroRad,
    TableChart,
    Unavailable,
    VerksamhetText,
    VolymRad,
)
from .tables import (
    TOLERANCE_TKR,
    TOTAL_KINDS,
    DataTable,
    Value,
    change_pct,
    display_number,
    share_pct,
    unavailable_note,
)
from .tables import total as _sum


@dataclass(frozen=True)
class ResultatFigur:
    """A resultaträkning row with its avvikelse (utfall − budget, signed amounts)."""

    rad: ResultatRad
    avvikelse: float
    forandring_pct: float | None


@dataclass(frozen=True)
class DriftFigur:
    """A drift row with its avvikelse (budget − utfall, net costs)."""

    rad: DriftRad
    avvikelse: float
    avvikelse_pct: float | None
    forandring_pct: float | None


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


@dataclass
class Figures:
    """The derived figures of one report."""

    resultat: list[ResultatFigur] = field(default_factory=list)
    drift: list[DriftFigur] = field(default_factory=list)
    #: Net budget and outcome as positive amounts in tkr (from the resultat row).
    nettobudget: float | None = None
    nettokostnad: float | None = None
    nettokostnad_foregaende: float | None = None
    #: Positive when the result is better than budget.
    resultat_avvikelse: float | None = None
    resultat_avvikelse_pct: float | None = None
    nettokostnad_forandring_pct: float | None = None
    malbedomning: list[LevelCount] = field(default_factory=list)
    antal_namndmal: int = 0
    #: Assessed goals without an assessment yet, and those the data says are not assessed
    #: (``maluppfyllelse: {saknas: skäl}``): no gap, and not "saknar ännu bedömning".
    antal_obedomda: int = 0
    antal_ej_bedomda: int = 0
    indikatorer: dict[int, IndicatorFigur] = field(default_factory=dict)
    #: Change in net cost from the previous year, in tkr (positive when it grew).
    nettokostnad_forandring: float | None = None
    malomraden: list[MalomradeFigur] = field(default_factory=list)
    #: Assessed goals whose assessment differs from the one their indicators suggest.
    avvikande_bedomningar: list[AvvikandeBedomning] = field(default_factory=list)
    uppdrag_per_status: list[StatusCount] = field(default_factory=list)
    antal_uppdrag: int = 0
    resultatoverforing: OverforingFigur | None = None
    #: The year's result against budget in tkr that the tjänsteskrivelse decides on.
    arets_resultat: float | None = None
    #: The nämnd's name as it reads inside a sentence: "socialnämnden".
    namnd_i_text: str = ""
    # Personal, intern kontroll and uppföljning.
    personal: PersonalFigurer | None = None
    sjukfranvaro: list[SjukfranvaroFigur] = field(default_factory=list)
    risker: list[RiskFigur] = field(default_factory=list)
    #: Whether any risk has both sannolikhet and konsekvens, so a risknivå can be shown.
    visa_riskniva: bool = False
    lov: list[LovFigur] = field(default_factory=list)
    #: Utförare in all ramavtal together, at the start and the end of the year.
    ramavtal_borjan: int | None = None
    ramavtal_slut: int | None = None
    # Ekonomi
    poster: list[PostFigur] = field(default_factory=list)
    #: Outcome minus forecast avvikelse, tkr; negative when the result fell short of it.
    prognos_skillnad: float | None = None
    drift_avsnitt: list[DriftAvsnitt] = field(default_factory=list)
    satsningar: list[SatsningRad] = field(default_factory=list)
    satsningar_summa: SatsningRad | None = None
    bidrag: list[BidragFigur] = field(default_factory=list)
    bidrag_summa: BidragRad | None = None
    investeringar: list[InvesteringFigur] = field(default_factory=list)
    investeringar_summa: InvesteringFigur | None = None
    volymer: list[VolymGrupp] = field(default_factory=list)
    volymer_summa: VolymFigur | None = None

    def indikator(self, ind: Indicator) -> IndicatorFigur:
        return self.indikatorer[id(ind)]

    def etappmal(self, indicators: list[Indicator]) -> EtappmalCount:
        """How the ``indicators`` a table shows stand against this year's etappmål."""
        return etappmal_count([self.indikatorer[id(i)] for i in indicators])


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


# --- Ekonomi ---


@dataclass(frozen=True)
class PostFigur:
    """A resultaträkning row as prose speaks of it: positive amounts, in tkr."""

    rad: ResultatRad
    belopp: float
    #: Amount minus budgeted amount: positive when more was earned or spent than budgeted.
    mot_budget: float
    #: Amount minus last year's amount, and the same in percent.
    forandring: float | None
    forandring_pct: float | None


@dataclass(frozen=True)
class DriftAvsnitt:
    """One verksamhet's subsection: its drift row, three years of outcome and their changes."""

    rad: DriftFigur
    rubrik: str
    text: str | None
    #: (year, net cost in tkr, change from the year before in percent), oldest first.
    ar: list[tuple[int, float | None, float | None]]
    #: Net cost this year minus last year, in tkr.
    forandring: float | None
    #: Where its text is in vb.yaml ("ekonomi.verksamheter[2].text"); "" without one.
    plats: str = ""


@dataclass(frozen=True)
class BidragFigur:
    rad: BidragRad
    #: The name of the nämndmål the grant serves, or empty.
    namndmal: str


@dataclass(frozen=True)
class InvesteringFigur:
    """An investment and its avvikelse (budget − utfall, a missing figure counted as 0)."""

    namn: str
    budget: float | None
    utfall: float | None
    avvikelse: float


@dataclass(frozen=True)
class VolymFigur:
    rad: VolymRad | None
    antal: float | None
    foregaende: float | None
    forandring: float | None
    forandring_pct: float | None


@dataclass(frozen=True)
class VolymGrupp:
    """The insatser of one verksamhet in the table of external volumes."""

    verksamhet: str
    rader: list[VolymFigur]


def _diff(new: float | None, old: float | None) -> float | None:
    return None if new is None or old is None else new - old


def _post(r: ResultatRad) -> PostFigur:
    belopp = abs(r.utfall)
    old = abs(r.foregaende) if r.foregaende is not None else None
    return PostFigur(r, belopp, belopp - abs(r.budget), _diff(belopp, old),
                     change_pct(belopp, old))


def drift_sections(report: Report, drift: list[DriftFigur]) -> list[DriftAvsnitt]:
    """A subsection per verksamhet of drift.csv, in its order, with three years' outcome."""
    texts: dict[str, VerksamhetText] = {v.verksamhet: v for v in report.ekonomi.verksamheter}
    places = {v.verksamhet: f"ekonomi.verksamheter[{i}].text"
              for i, v in enumerate(report.ekonomi.verksamheter, start=1)}
    history = {h.verksamhet: h.values for h in report.drift_historik}
    out = []
    for f in drift:
        if f.rad.summa:
            continue
        values = dict(history.get(f.rad.verksamhet, {}))
        # This year and last year come from drift.csv; the history file adds older years.
        values[report.ar] = f.rad.utfall
        values[report.ar - 1] = f.rad.foregaende
        years = report.years
        series = [(y, values.get(y), change_pct(values.get(y), values.get(y - 1))
                   if i else None) for i, y in enumerate(years)]
        text = texts.get(f.rad.verksamhet)
        out.append(DriftAvsnitt(f, (text.rubrik if text and text.rubrik else f.rad.verksamhet),
                                text.text if text else None, series,
                                _diff(f.rad.utfall, f.rad.foregaende),
                                places.get(f.rad.verksamhet, "")))
    return out


def _investment(name: str, budget: float | None, utfall: float | None) -> InvesteringFigur:
    return InvesteringFigur(name, budget, utfall, (budget or 0) - (utfall or 0))


def _volume(rad: VolymRad | None, antal: float | None, old: float | None) -> VolymFigur:
    return VolymFigur(rad, antal, old, _diff(antal, old), change_pct(antal, old))


def derive_ekonomi(report: Report, fig: Figures) -> None:
    """The economy figures beyond the two main tables."""
    fig.poster = [_post(r) for r in report.resultatrakning]
    prognos = report.ekonomi.prognos
    if prognos is not None and fig.resultat_avvikelse is not None:
        fig.prognos_skillnad = fig.resultat_avvikelse - prognos.avvikelse
    fig.drift_avsnitt = drift_sections(report, fig.drift)

    fig.satsningar = list(report.satsningar)
    if len(fig.satsningar) > 1:
        fig.satsningar_summa = SatsningRad(
            satsning="Summa", budget=_sum([r.budget for r in fig.satsningar]),
            utfall=_sum([r.utfall for r in fig.satsningar]), source=fig.satsningar[0].source)

    names = {g.id: g.namn for g in report.all_goals() if g.id}
    rows = [b for b in report.extern_finansiering if not b.summa]
    fig.bidrag = [BidragFigur(b, names.get(b.namndmal, "")) for b in rows]
    given = next((b for b in report.extern_finansiering if b.summa), None)
    if given is not None:
        fig.bidrag_summa = given  # checked against the rows by check_totals
    elif rows:
        fig.bidrag_summa = BidragRad(
            bidrag="Summa", summa=True, ansokt=_sum([b.ansokt for b in rows]),
            erhallet=_sum([b.erhallet for b in rows]),
            budgeterat=_sum([b.budgeterat for b in rows]), source=rows[0].source)

    inv = [i for i in report.investeringar if not i.summa]
    fig.investeringar = [_investment(i.investering, i.budget, i.utfall) for i in inv]
    total = next((i for i in report.investeringar if i.summa), None)
    if total is not None:
        fig.investeringar_summa = _investment(total.investering, total.budget, total.utfall)
    elif inv:
        fig.investeringar_summa = _investment("Summa investeringar",
                                              _sum([i.budget for i in inv]),
                                              _sum([i.utfall for i in inv]))

    groups: dict[str, list[VolymFigur]] = {}
    for v in report.externa_volymer:
        groups.setdefault(v.verksamhet, []).append(_volume(v, v.antal, v.foregaende))
    fig.volymer = [VolymGrupp(k, rows_) for k, rows_ in groups.items()]
    if report.externa_volymer:
        fig.volymer_summa = _volume(None, _sum([v.antal for v in report.externa_volymer]),
                                    _sum([v.foregaende for v in report.externa_volymer]))


def check_ekonomi_totals(report: Report) -> list[Problem]:
    """Check the total rows of the economy tables and the drift history against drift.csv."""
    problems: list[Problem] = []

    def check(total: BidragRad | InvesteringRad, rows: list[BidragRad] | list[InvesteringRad],
              columns: tuple[tuple[str, str], ...], what: str) -> None:
        for attr, label in columns:
            given = getattr(total, attr)
            expected = _sum([getattr(r, attr) for r in rows]) or 0.0
            if abs((given or 0.0) - expected) > TOLERANCE_TKR:
                problems.append(Problem(
                    total.source.file, f"summan stämmer inte: raden anger {number(given)} men "
                                       f"{what} blir {number(expected)}",
                    total.source.row, label, "kolumn"))

    bidrag = [b for b in report.extern_finansiering if not b.summa]
    for total in (b for b in report.extern_finansiering if b.summa):
        check(total, bidrag, (("ansokt", "ansökt"), ("erhallet", "erhållet"),
                              ("budgeterat", "budgeterat")), "summan av bidragen")
    inv = [i for i in report.investeringar if not i.summa]
    for inv_total in (i for i in report.investeringar if i.summa):
        check(inv_total, inv, (("budget", "budget"), ("utfall", "utfall")),
              "summan av investeringarna")

    drift = {d.verksamhet: d for d in report.drift if not d.summa}
    for h in report.drift_historik:
        d = drift.get(h.verksamhet)
        if d is None:
            continue
        for year, label, value in ((report.ar - 1, "utfall föregående år", d.foregaende),
                                   (report.ar, "utfall", d.utfall)):
            own = h.values.get(year)
            if own is not None and value is not None and abs(own - value) > TOLERANCE_TKR:
                problems.append(Problem(
                    h.source.file, f"{number(own)} stämmer inte med drift.csv, där "
                                   f'"{h.verksamhet}" har {label} {number(value)}',
                    h.source.row, str(year), "kolumn"))
    return problems


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


def suggested_level(report: Report, goal: Goal, fig: Figures) -> Level | None:
    """The assessment the indicators suggest for ``goal``; None without numeric etappmål.

    The rule: with the share ``r`` of the goal's indicators (its own and those of the goals
    under it; for indicators by kön only the total) that reach a numeric etappmål, and a
    scale of ``n`` levels, the suggestion is level ⌈(1 − r)(n − 1)⌉ counted from the best:
    all reached gives the best level, none the lowest.
    """
    results = [fig.indikatorer[id(i)].uppnatt for g in goal.walk() for i in g.indikatorer
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
    fig = Figures()
    for r in report.resultatrakning:
        fig.resultat.append(
            ResultatFigur(r, r.utfall - r.budget, change_pct(r.utfall, r.foregaende)))
    for d in report.drift:
        avv = d.budget - d.utfall
        fig.drift.append(DriftFigur(d, avv, share_pct(avv, d.budget),
                                    change_pct(d.utfall, d.foregaende)))

    total = result_row(report)
    if total is not None:
        # The result row is negative (a net cost); the prose speaks of positive amounts.
        fig.nettobudget = -total.budget
        fig.nettokostnad = -total.utfall
        fig.nettokostnad_foregaende = -total.foregaende if total.foregaende is not None else None
        fig.resultat_avvikelse = result_against_budget(total)
        fig.resultat_avvikelse_pct = share_pct(fig.resultat_avvikelse, fig.nettobudget)
        fig.nettokostnad_forandring_pct = change_pct(fig.nettokostnad, fig.nettokostnad_foregaende)

    goals = report.assessed_goals()
    fig.malbedomning = goal_counts(report)
    fig.antal_namndmal = len(goals)
    fig.antal_obedomda, fig.antal_ej_bedomda = unassessed(report, goals)
    for goal in report.all_goals():
        for ind in goal.indikatorer:
            value = ind.values.get(report.ar)
            fig.indikatorer[id(ind)] = IndicatorFigur(ind, value, reached(ind, value))
    for goal in goals:
        suggestion = suggested_level(report, goal, fig)
        own = report.level(goal.maluppfyllelse)
        if suggestion is not None and own is not None and suggestion is not own:
            fig.avvikande_bedomningar.append(AvvikandeBedomning(goal, own, suggestion))
    derive_summaries(report, fig)
    _derive_avsnitt(report, fig)
    derive_ekonomi(report, fig)
    return fig


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


def result_row(report: Report) -> ResultatRad | None:
    """The resultaträkning's row for the year's result, if it has one."""
    return next((r for r in report.resultatrakning if r.typ == "resultat"), None)


def result_against_budget(total: ResultatRad) -> float:
    """The year's result against budget in tkr: positive when the nämnd spent less."""
    return total.utfall - total.budget


def whole_tkr(value: float) -> float:
    """Round an amount to whole tkr, half away from zero as in accounting."""
    return float(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def memo_result(report: Report) -> float | None:
    """The year's result against budget in tkr that the tjänsteskrivelse decides on: the
    figure its ``resultat`` names, as its table shows it; None while that cell is empty."""
    ts = report.tjanstskrivelse
    if ts is None:
        return None
    if ts.resultatoverforing.resultat is None:
        total = result_row(report)
        return None if total is None else result_against_budget(total)
    found = citat.amount(report, ts.resultatoverforing.resultat)
    return None if found is None else float(found.value / UNITS["tkr"])


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


def derive_summaries(report: Report, fig: Figures) -> None:
    """Add the figures the tjänsteskrivelse shows besides the report's own."""
    if fig.nettokostnad is not None and fig.nettokostnad_foregaende is not None:
        fig.nettokostnad_forandring = fig.nettokostnad - fig.nettokostnad_foregaende
    fig.malomraden = [malomrade_figure(report, mo) for mo in report.mal]
    uppdrag = [u for g in report.all_goals() for u in g.uppdrag]
    fig.antal_uppdrag = len(uppdrag)
    fig.uppdrag_per_status = [StatusCount(st, n) for st in report.uppdragsstatus
                              if (n := sum(1 for u in uppdrag if u.status == st))]
    fig.arets_resultat = memo_result(report)
    fig.resultatoverforing = resultatoverforing(report, fig.arets_resultat)
    ts = report.tjanstskrivelse
    fig.namnd_i_text = (ts.namnd_i_text if ts is not None and ts.namnd_i_text
                        else report.namnd[:1].lower() + report.namnd[1:])


def _check_sum(problems: list[Problem], table: str, total_row: ResultatRad | DriftRad,
               rows: list[ResultatRad] | list[DriftRad], what: str) -> None:
    for column, label in (("budget", "budget"), ("utfall", "utfall"),
                          ("foregaende", "utfall föregående år")):
        given = getattr(total_row, column)
        parts = [getattr(r, column) for r in rows]
        if given is None or any(p is None for p in parts):
            continue
        expected = sum(parts)
        if abs(given - expected) > TOLERANCE_TKR:
            problems.append(Problem(
                total_row.source.file,
                f"summan stämmer inte: raden anger {number(given)} men {what} "
                f"blir {number(expected)}",
                total_row.source.row, label, "kolumn"))


def check_totals(report: Report) -> list[Problem]:
    """Check every total row against the sum of its rows."""
    problems: list[Problem] = []
    rr = report.resultatrakning
    kostnader = [r for r in rr if r.typ == "kostnad"]
    intakter = [r for r in rr if r.typ == "intäkt"]
    summa = next((r for r in rr if r.typ == "summa kostnader"), None)
    resultat = next((r for r in rr if r.typ == "resultat"), None)
    if summa is not None:
        _check_sum(problems, "resultatrakning", summa, kostnader, "summan av kostnadsraderna")
    if resultat is not None:
        parts = intakter + ([summa] if summa is not None else kostnader)
        _check_sum(problems, "resultatrakning", resultat, parts,
                   "intäkter plus kostnader")

    rows = [d for d in report.drift if not d.summa]
    for total in (d for d in report.drift if d.summa):
        _check_sum(problems, "drift", total, rows, "summan av verksamheterna")
    problems.extend(check_ekonomi_totals(report))
    return problems


# --- Personal, intern kontroll and uppföljning ------------------------------------------------


def difference(new: float | None, old: float | None) -> float | None:
    """``new − old`` (in procentenheter for percentages); missing if either is missing."""
    if new is None or old is None:
        return None
    return round(new - old, 6)


@dataclass(frozen=True)
class PersonalFigurer:
    """Figures of Väsentliga personalförhållanden."""

    ar: int
    foregaende_ar: int
    #: Employees in December this year minus December last year.
    anstallda_skillnad: float | None
    andel_kvinnor: float | None
    andel_man: float | None
    andel_heltid: float | None
    deltid: int | None
    #: Change of personalomsättning in procentenheter.
    personalomsattning_forandring: float | None


@dataclass(frozen=True)
class SjukfranvaroFigur:
    """A sick leave row with its changes from last year, in procentenheter."""

    rad: SjukfranvaroRad
    totalt_forandring: float | None
    kort_forandring: float | None


@dataclass(frozen=True)
class RiskFigur:
    """A risk and its risknivå (sannolikhet × konsekvens, at most 16)."""

    risk: Risk
    riskniva: int | None


@dataclass(frozen=True)
class LovFigur:
    """A valfrihetssystem with its private utförare (all minus egen regi)."""

    rad: LovRad
    privata: int


def _derive_avsnitt(report: Report, fig: Figures) -> None:
    p = report.personal
    fig.personal = PersonalFigurer(
        ar=report.ar, foregaende_ar=report.ar - 1,
        anstallda_skillnad=difference(p.anstallda, p.anstallda_foregaende),
        andel_kvinnor=share_pct(p.kvinnor, p.anstallda),
        andel_man=share_pct(p.man, p.anstallda),
        andel_heltid=share_pct(p.heltid, p.anstallda),
        deltid=p.anstallda - p.heltid if p.anstallda is not None and p.heltid is not None
        else None,
        personalomsattning_forandring=difference(p.personalomsattning,
                                                 p.personalomsattning_foregaende))
    fig.sjukfranvaro = [
        SjukfranvaroFigur(r, difference(r.totalt, r.totalt_foregaende),
                          difference(r.kort, r.kort_foregaende)) for r in report.sjukfranvaro]
    fig.risker = [
        RiskFigur(r, r.sannolikhet * r.konsekvens
                  if r.sannolikhet is not None and r.konsekvens is not None else None)
        for r in report.risker]
    fig.visa_riskniva = any(f.riskniva is not None for f in fig.risker)
    fig.lov = [LovFigur(r, r.utforare - r.egen_regi) for r in report.lov]
    ramavtal = report.ramavtal
    if ramavtal and all(r.vid_arets_borjan is not None for r in ramavtal):
        fig.ramavtal_borjan = sum(r.vid_arets_borjan or 0 for r in ramavtal)
    if ramavtal and all(r.vid_arets_slut is not None for r in ramavtal):
        fig.ramavtal_slut = sum(r.vid_arets_slut or 0 for r in ramavtal)


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
    return IndicatorTable(
        rows=rows, years=sorted({y for i in scope for y in i.values}),
        etappmal_column=etappmal_column, malvarde_column=with_values, etappmal_lines=lines,
        notes=[unavailable_note(r) for r in reasons], count=etappmal_count(figures))


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
