"""Every computed figure of the report, in one place.

Templates and charts never do arithmetic: they show what :func:`derive` returns. The same
figures feed every document built from the data, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .errors import Problem
from .model import (
    DriftRad,
    Indicator,
    Level,
    LovRad,
    Malomrade,
    Namndmal,
    Report,
    ResultatRad,
    Risk,
    SjukfranvaroRad,
)

#: Largest difference, in tkr, between a total and the sum of its rows that is rounding.
TOLERANCE_TKR = 1.0


def change_pct(new: float | None, old: float | None) -> float | None:
    """Förändring in percent from ``old`` to ``new``; missing when it cannot be computed."""
    if new is None or old is None or old == 0:
        return None
    return (new - old) / abs(old) * 100


def share_pct(part: float | None, whole: float | None) -> float | None:
    """``part`` as a percentage of ``whole``."""
    if part is None or whole is None or whole == 0:
        return None
    return part / abs(whole) * 100


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
    varde: float | None
    uppnatt: bool | None


@dataclass(frozen=True)
class LevelCount:
    level: Level
    antal: int


@dataclass(frozen=True)
class MalomradeFigur:
    """How the nämndmål of one målområde were assessed."""

    malomrade: Malomrade
    antal: int
    #: Levels with at least one nämndmål, best first.
    per_niva: list[LevelCount]
    antal_obedomda: int


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
    antal_obedomda: int = 0
    indikatorer: dict[int, IndicatorFigur] = field(default_factory=dict)
    #: Change in net cost from the previous year, in tkr (positive when it grew).
    nettokostnad_forandring: float | None = None
    malomraden: list[MalomradeFigur] = field(default_factory=list)
    uppdrag_per_status: list[StatusCount] = field(default_factory=list)
    antal_uppdrag: int = 0
    resultatoverforing: OverforingFigur | None = None
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

    def indikator(self, ind: Indicator) -> IndicatorFigur:
        return self.indikatorer[id(ind)]

    def indikatorer_for(self, nm: Namndmal) -> list[IndicatorFigur]:
        return [self.indikatorer[id(ind)] for ind in nm.indikatorer]


def reached(ind: Indicator, value: float | None) -> bool | None:
    """Whether ``value`` reaches the indicator's etappmål; missing if either is missing."""
    if value is None or ind.etappmal is None:
        return None
    return value >= ind.etappmal if ind.hog_ar_bra else value <= ind.etappmal


def goal_counts(report: Report) -> list[LevelCount]:
    """How many nämndmål have each level of the scale, best level first."""
    goals = report.all_namndmal()
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

    total = next((r for r in report.resultatrakning if r.typ == "resultat"), None)
    if total is not None:
        # The result row is negative (a net cost); the prose speaks of positive amounts.
        fig.nettobudget = -total.budget
        fig.nettokostnad = -total.utfall
        fig.nettokostnad_foregaende = -total.foregaende if total.foregaende is not None else None
        fig.resultat_avvikelse = total.utfall - total.budget
        fig.resultat_avvikelse_pct = share_pct(fig.resultat_avvikelse, fig.nettobudget)
        fig.nettokostnad_forandring_pct = change_pct(fig.nettokostnad, fig.nettokostnad_foregaende)

    goals: list[Namndmal] = report.all_namndmal()
    fig.malbedomning = goal_counts(report)
    fig.antal_namndmal = len(goals)
    fig.antal_obedomda = sum(1 for nm in goals if report.level(nm.maluppfyllelse) is None)
    for nm in goals:
        for ind in nm.indikatorer:
            value = ind.values.get(report.ar)
            fig.indikatorer[id(ind)] = IndicatorFigur(ind, value, reached(ind, value))
    derive_summaries(report, fig)
    _derive_avsnitt(report, fig)
    return fig


# --- Summaries for the tjänsteskrivelse (and any document that wants them) ------------------


def malomrade_figure(report: Report, mo: Malomrade) -> MalomradeFigur:
    """The assessments of one målområde's nämndmål, counted per level."""
    goals = [nm for kf in mo.kf_mal for nm in kf.namndmal]
    counts = [LevelCount(lv, sum(1 for nm in goals if nm.maluppfyllelse == lv.text))
              for lv in report.skala]
    unassessed = sum(1 for nm in goals if report.level(nm.maluppfyllelse) is None)
    return MalomradeFigur(mo, len(goals), [c for c in counts if c.antal], unassessed)


def whole_tkr(value: float) -> float:
    """Round an amount to whole tkr, half away from zero as in accounting."""
    return float(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


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
    fig.malomraden = [malomrade_figure(report, mo) for mo in report.malomraden]
    uppdrag = [u for nm in report.all_namndmal() for u in nm.uppdrag]
    fig.antal_uppdrag = len(uppdrag)
    fig.uppdrag_per_status = [StatusCount(st, n) for st in report.uppdragsstatus
                              if (n := sum(1 for u in uppdrag if u.status == st))]
    fig.resultatoverforing = resultatoverforing(report, fig.resultat_avvikelse)
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
            from .fmt import number

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
