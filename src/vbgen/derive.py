"""Every computed figure of the report, in one place.

Templates and charts never do arithmetic: they show what :func:`derive` returns. The same
figures feed every document built from the data, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .errors import Problem
from .model import (
    BidragRad,
    DriftRad,
    Indicator,
    InvesteringRad,
    Level,
    LovRad,
    Malomrade,
    Namndmal,
    Report,
    ResultatRad,
    Risk,
    SatsningRad,
    SjukfranvaroRad,
    VerksamhetText,
    VolymRad,
)

#: Largest difference, in tkr, between a total and the sum of its rows that is rounding.
TOLERANCE_TKR = 1.0


def change_pct(new: float | None, old: float | None) -> float | None:
    """Förändring in percent from ``old`` to ``new``; missing when it cannot be computed.

    A change from zero or from a negative amount has no meaning as a percentage and is
    missing too (shown as "–", see ``fmt.percent_of``).
    """
    if new is None or old is None or old <= 0:
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

    def indikatorer_for(self, nm: Namndmal) -> list[IndicatorFigur]:
        return [self.indikatorer[id(ind)] for ind in nm.indikatorer]


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


def _sum(values: list[float | None]) -> float | None:
    """The sum of the present values; missing only when all are missing."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


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
                                _diff(f.rad.utfall, f.rad.foregaende)))
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

    names = {nm.id: nm.namn for nm in report.all_namndmal()}
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
    from .fmt import number

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
    for total in (i for i in report.investeringar if i.summa):
        check(total, inv, (("budget", "budget"), ("utfall", "utfall")),
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

    total = result_row(report)
    if total is not None:
        # The result row is negative (a net cost); the prose speaks of positive amounts.
        fig.nettobudget = -total.budget
        fig.nettokostnad = -total.utfall
        fig.nettokostnad_foregaende = -total.foregaende if total.foregaende is not None else None
        fig.resultat_avvikelse = result_against_budget(total)
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
    derive_ekonomi(report, fig)
    return fig


# --- Summaries for the tjänsteskrivelse (and any document that wants them) ------------------


def malomrade_figure(report: Report, mo: Malomrade) -> MalomradeFigur:
    """The assessments of one målområde's nämndmål, counted per level."""
    goals = [nm for kf in mo.kf_mal for nm in kf.namndmal]
    counts = [LevelCount(lv, sum(1 for nm in goals if nm.maluppfyllelse == lv.text))
              for lv in report.skala]
    unassessed = sum(1 for nm in goals if report.level(nm.maluppfyllelse) is None)
    return MalomradeFigur(mo, len(goals), [c for c in counts if c.antal], unassessed)


def result_row(report: Report) -> ResultatRad | None:
    """The resultaträkning's row for the year's result, if it has one."""
    return next((r for r in report.resultatrakning if r.typ == "resultat"), None)


def result_against_budget(total: ResultatRad) -> float:
    """The year's result against budget in tkr: positive when the nämnd spent less."""
    return total.utfall - total.budget


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
