"""The data model: one nämnd's year, as typed objects.

Field names follow the Swedish domain (without å, ä, ö); ``docs/dataformat.md`` maps each
to the file and column it comes from. The loader fills these; nothing here reads files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .fmt import parse_number

Markdown = str


def _swedish_number(value: Any) -> Any:
    # "9 900" and "−2,5" in the main file are numbers as a Swedish reader writes them.
    if isinstance(value, str):
        try:
            return parse_number(value)
        except ValueError:
            pass  # left for the type check, which reports "förväntade ett tal"
    return value


#: A number in the main file, written either way: 9900, 9 900, −9 900,5.
Tal = Annotated[float, BeforeValidator(_swedish_number)]
Heltal = Annotated[int, BeforeValidator(_swedish_number)]


def _swedish_yes_no(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("ja", "nej"):
        return value.strip().lower() == "ja"
    return value


#: Yes or no in the main file: ja/nej, as well as YAML's true/false.
JaNej = Annotated[bool, BeforeValidator(_swedish_yes_no)]


class _Strict(BaseModel):
    # Unknown keys are errors: a misspelt field must not vanish silently.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass(frozen=True)
class Source:
    """Where a row came from, for error messages."""

    file: str
    row: int


class Level(_Strict):
    """One step of the måluppfyllelse scale."""

    text: str
    symbol: str = ""
    #: The text after a count above one ("två ... uppfyllda"); derived when left out.
    plural: str = ""

    def for_count(self, n: int) -> str:
        """The level as it reads after a count in a sentence: "i hög grad uppfyllda"."""
        text = self.plural or (self.text[:-1] + "da" if self.text.endswith("fyllt") else self.text)
        text = text if n != 1 else self.text
        return text[:1].lower() + text[1:]


class Indicator(BaseModel):
    """An indikator under a nämndmål, with its yearly values and targets."""

    namndmal: str
    namn: str
    not_: str = ""
    values: dict[int, float | None]
    etappmal: float | None = None
    malvarde: float | None = None
    hog_ar_bra: bool = True
    kalla: str = ""
    kolada_id: str = ""
    source: Source


class Uppdrag(BaseModel):
    """An assignment to the förvaltning and its status."""

    namndmal: str
    status: str
    ursprung: str = ""
    text: str
    kommentar: str = ""
    source: Source


class Namndmal(_Strict):
    """A nämndmål with its assessment and prose."""

    id: str
    namn: str
    maluppfyllelse: str | None = None
    motivering: Markdown | None = None
    analys: Markdown | None = None
    genomfort_arbete: Markdown | None = None
    # Filled from the tables, not from YAML.
    indikatorer: list[Indicator] = Field(default_factory=list, exclude=True)
    uppdrag: list[Uppdrag] = Field(default_factory=list, exclude=True)


class KfMal(_Strict):
    """A kommunfullmäktigemål and the nämndmål under it."""

    namn: str
    namndmal: list[Namndmal] = Field(min_length=1)

    def antal_indikatorer(self) -> int:
        """How many indicators its nämndmål have: the rows it spans in the source table."""
        return sum(len(nm.indikatorer) for nm in self.namndmal)


class Malomrade(_Strict):
    """A målområde of the kommun."""

    namn: str
    beskrivning: Markdown | None = None
    kf_mal: list[KfMal] = Field(min_length=1)

    def antal_namndmal(self) -> int:
        """How many nämndmål the målområde has: the rows it spans in a goal table."""
        return sum(len(kf.namndmal) for kf in self.kf_mal)


class EkonomiText(_Strict):
    kommentar: Markdown | None = None
    drift_kommentar: Markdown | None = None
    #: Text directly under the Ekonomi heading, before the generated result sentence.
    inledning: Markdown | None = None
    prognos: Prognos | None = None
    #: Rubrik and prose per verksamhet of drift.csv, matched by name.
    verksamheter: list[VerksamhetText] = Field(default_factory=list)
    satsningar: Markdown | None = None
    extern_finansiering: ExternFinansieringText = Field(
        default_factory=lambda: ExternFinansieringText())
    investeringar: Markdown | None = None
    lokalprojekt: Markdown | None = None
    externa_volymer: Markdown | None = None


class InternKontrollText(_Strict):
    bedomning: Markdown | None = None
    kommunovergripande: Markdown | None = None
    internkontrollarbete: Markdown | None = None


class ResultatRad(BaseModel):
    """A row of the resultaträkning, in tkr, signed (costs negative)."""

    post: str
    typ: str
    budget: float
    utfall: float
    foregaende: float | None = None
    #: Prose about the row, shown after its generated figures.
    kommentar: str = ""
    source: Source


class DriftRad(BaseModel):
    """Net cost of one verksamhet in tkr, or the total row."""

    verksamhet: str
    summa: bool = False
    budget: float
    utfall: float
    foregaende: float | None = None
    source: Source


class Risk(BaseModel):
    """A risk in the internal control plan and the action taken."""

    process: str
    risk: str
    sannolikhet: int | None = None
    konsekvens: int | None = None
    atgard: str
    status: str
    kommentar: str = ""
    source: Source


class DiagramDef(_Strict):
    """A chart declared in the main file; its figures are in a table file."""

    id: str
    typ: str = "linje"
    titel: str
    fil: str
    enhet: str = ""
    kalla: str = ""
    decimaler: int | None = None


# --- Tjänsteskrivelse ---


class Underskrift(_Strict):
    """Who signs the tjänsteskrivelse for the förvaltning."""

    namn: str
    titel: str


class Handlaggare(_Strict):
    """The officer who wrote the tjänsteskrivelse, named in its letterhead with contact."""

    namn: str
    titel: str | None = None
    telefon: str | None = None
    epost: str | None = None


class Resultatoverforing(_Strict):
    """How much of the year's result the nämnd asks to balance against its eget kapital.

    Exactly one of ``andel`` (percent of the result) and ``belopp`` (tkr) is given; the
    amount itself is computed in :mod:`vbgen.derive`.
    """

    andel: Tal | None = None
    belopp: Tal | None = None
    #: Balanserat resultat (eget kapital) before this year's transfer, in tkr.
    balanserat_resultat: Tal
    motivering: Markdown | None = None

    @model_validator(mode="after")
    def _one_policy(self) -> Resultatoverforing:
        if (self.andel is None) == (self.belopp is None):
            raise ValueError("ange antingen andel (procent av årets resultat) eller belopp "
                             "(tkr), inte båda och inte ingen")
        if self.andel is not None and not 0 <= self.andel <= 100:
            given = f"{self.andel:g}".replace(".", ",")
            raise ValueError(f"andel ska vara en procentsats 0–100, fick {given}")
        return self


class Tjanstskrivelse(_Strict):
    """The förvaltning's cover memo that puts the verksamhetsberättelse before the nämnd."""

    datum: date
    diarienummer: str
    underskrift: Underskrift
    #: Who wrote it, for the letterhead.
    handlaggare: Handlaggare | None = None
    #: The nämnd's name inside a sentence; by default the name with a small first letter.
    namnd_i_text: str | None = None
    #: The nämnd's overall assessment: one of the texts of ``skala``.
    samlad_bedomning: str | None = None
    sammanfattning: Markdown | None = None
    beskrivning: Markdown | None = None
    synpunkter: Markdown | None = None
    ekonomi: Markdown | None = None
    resultatoverforing: Resultatoverforing
    effektivisering: Markdown | None = None
    lokaler: Markdown | None = None
    personal: Markdown | None = None
    intern_kontroll: Markdown | None = None
    uppdrag: Markdown | None = None
    #: Under Ekonomiska konsekvenser, after the generated sentence on the result transfer.
    ekonomiska_konsekvenser: Markdown | None = None
    #: Decisions after the two generated ones, each a whole sentence.
    beslut: list[str] = Field(default_factory=list)
    #: Appendices after the verksamhetsberättelse itself.
    bilagor: list[str] = Field(default_factory=list)
    skickas_till: list[str] = Field(default_factory=list)
# --- Årets händelser, personal, intern kontroll, uppföljning ---


class Personal(_Strict):
    """Väsentliga personalförhållanden: headcounts from the main file, prose by part."""

    #: Employees in December of the year before and of the year.
    anstallda_foregaende: Heltal | None = None
    anstallda: Heltal | None = None
    tillsvidare: Heltal | None = None
    visstid: Heltal | None = None
    kvinnor: Heltal | None = None
    man: Heltal | None = None
    heltid: Heltal | None = None
    #: Personalomsättning in percent, this year and the year before.
    personalomsattning: Tal | None = None
    personalomsattning_foregaende: Tal | None = None
    #: The last month of the rolling twelve months (R12) the sick leave figures cover.
    sjukfranvaro_manad: str = "december"
    anstallda_text: Markdown | None = None
    personalomsattning_text: Markdown | None = None
    sjukfranvaro_text: Markdown | None = None
    sjukfranvaro_analys: Markdown | None = None
    medarbetarenkat: Markdown | None = None
    personalforsorjning: Markdown | None = None
    kompetensutveckling: Markdown | None = None


class Uppfoljning(_Strict):
    """Plan för uppföljning och insyn: prose around the LOV and LOU tables."""

    inledning: Markdown | None = None
    planerad: Markdown | None = None
    lou_orsaker: Markdown | None = None
    lou_resultat: Markdown | None = None
    direktupphandlade: Markdown | None = None


class SjukfranvaroRad(BaseModel):
    """Sick leave (R12, percent) for the whole nämnd or one group, this year and last."""

    grupp: str
    totalt: float | None = None
    totalt_foregaende: float | None = None
    kort: float | None = None
    kort_foregaende: float | None = None
    source: Source


class IndexRad(BaseModel):
    """One index of the employee survey, for the nämnd and for the whole kommun."""

    index: str
    namnden: float | None = None
    kommunen: float | None = None
    summa: bool = False
    source: Source


class Granskning(BaseModel):
    """A recommendation from the auditors or another external review, and the action."""

    granskning: str
    diarienummer: str = ""
    bakgrund: str = ""
    atgard: str
    status: str
    kommentar: str = ""
    source: Source


class LovRad(BaseModel):
    """A valfrihetssystem (LOV) and its utförare at the end of the year."""

    namn: str
    utforare: int
    egen_regi: int = 0
    kommentar: str = ""
    source: Source


class RamavtalRad(BaseModel):
    """A ramavtal (LOU) with its number of utförare at the start and end of the year."""

    ramavtal: str
    vid_arets_borjan: int | None = None
    vid_arets_slut: int | None = None
    resultat: str = ""
# --- Ekonomi ---

#: A chart placed in prose: a line of its own reading ``[diagram: id]``.
CHART_MARK = re.compile(r"^[ \t]*\[diagram:[ \t]*([^\]\s]+)[ \t]*\][ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class TextDel:
    """A stretch of Markdown prose, or a chart placed between two stretches."""

    text: str = ""
    diagram: str = ""


def text_parts(text: str | None) -> list[TextDel]:
    """Split prose at its chart marks, keeping the order."""
    if not text:
        return []
    parts: list[TextDel] = []
    pos = 0
    for m in CHART_MARK.finditer(text):
        if text[pos:m.start()].strip():
            parts.append(TextDel(text=text[pos:m.start()]))
        parts.append(TextDel(diagram=m.group(1)))
        pos = m.end()
    if text[pos:].strip():
        parts.append(TextDel(text=text[pos:]))
    return parts


class Prognos(_Strict):
    """The result forecast in the last delårsrapport, compared with the outcome."""

    #: When the forecast was made, as it reads after "per": "augusti 2024".
    delarsrapport: str
    #: Forecast avvikelse against budget in tkr, positive when better than budget.
    avvikelse: Tal
    kommentar: Markdown | None = None


class VerksamhetText(_Strict):
    """The subsection of one verksamhet under Drift per verksamhet."""

    verksamhet: str
    rubrik: str | None = None
    text: Markdown | None = None


class ExternFinansieringText(_Strict):
    text: Markdown | None = None
    #: Notes under the table, each starting with the mark it explains ("* ...").
    noter: list[str] = Field(default_factory=list)


class DriftHistorikRad(BaseModel):
    """Net cost of one verksamhet in earlier years, in tkr."""

    verksamhet: str
    values: dict[int, float | None]
    source: Source


class SatsningRad(BaseModel):
    """A särskild satsning: budget and outcome in tkr."""

    satsning: str
    budget: float | None = None
    utfall: float | None = None
    source: Source


class BidragRad(BaseModel):
    """An external grant: applied for, received and budgeted, in tkr, or the total row."""

    bidrag: str
    summa: bool = False
    ansokt: float | None = None
    erhallet: float | None = None
    budgeterat: float | None = None
    #: Marks such as ``*`` after a figure, keyed by column (ansokt, erhallet, budgeterat).
    noter: dict[str, str] = Field(default_factory=dict)
    namndmal: str = ""
    rubrik: str = ""
    beskrivning: str = ""
    source: Source


class InvesteringRad(BaseModel):
    """An investment: budget and outcome in tkr, or the total row."""

    investering: str
    summa: bool = False
    budget: float | None = None
    utfall: float | None = None
    source: Source


class VolymRad(BaseModel):
    """Externally placed people on the last day of the year, per insats."""

    verksamhet: str
    insats: str
    antal: float | None = None
    foregaende: float | None = None
    source: Source


class Meta(_Strict):
    """The main YAML file, before the tables are attached."""

    kommun: str
    namnd: str
    ar: int
    forvaltning: str
    malvarde_ar: int
    #: True while the report is a draft: its cover and running header say "Utkast".
    utkast: JaNej = False
    skala: list[Level] = Field(min_length=1)
    uppdragsstatus: list[str] = Field(default_factory=lambda: ["Klart", "Pågår", "Ej klart i år"])
    sammanfattning: Markdown | None = None
    malomraden: list[Malomrade] = Field(min_length=1)
    ekonomi: EkonomiText = Field(default_factory=EkonomiText)
    intern_kontroll: InternKontrollText = Field(default_factory=InternKontrollText)
    diagram: list[DiagramDef] = Field(default_factory=list)
    tjanstskrivelse: Tjanstskrivelse | None = None
    arets_handelser: Markdown | None = None
    effektivisering: Markdown | None = None
    personal: Personal = Field(default_factory=Personal)
    uppfoljning: Uppfoljning = Field(default_factory=Uppfoljning)


class Report(Meta):
    """Everything one verksamhetsberättelse is built from."""

    resultatrakning: list[ResultatRad] = Field(default_factory=list)
    drift: list[DriftRad] = Field(default_factory=list)
    risker: list[Risk] = Field(default_factory=list)
    drift_historik: list[DriftHistorikRad] = Field(default_factory=list)
    satsningar: list[SatsningRad] = Field(default_factory=list)
    extern_finansiering: list[BidragRad] = Field(default_factory=list)
    investeringar: list[InvesteringRad] = Field(default_factory=list)
    externa_volymer: list[VolymRad] = Field(default_factory=list)
    #: Charts by id, with their figures read from the files named in ``diagram``.
    diagramdata: dict[str, Any] = Field(default_factory=dict, exclude=True)
    # Personal, intern kontroll and uppföljning.
    sjukfranvaro: list[SjukfranvaroRad] = Field(default_factory=list)
    hme: list[IndexRad] = Field(default_factory=list)
    revision: list[Granskning] = Field(default_factory=list)
    lov: list[LovRad] = Field(default_factory=list)
    ramavtal: list[RamavtalRad] = Field(default_factory=list)

    @property
    def years(self) -> list[int]:
        """The three years shown in indicator tables, oldest first."""
        return [self.ar - 2, self.ar - 1, self.ar]

    def all_namndmal(self) -> list[Namndmal]:
        return [nm for mo in self.malomraden for kf in mo.kf_mal for nm in kf.namndmal]

    def level(self, text: str | None) -> Level | None:
        return next((lv for lv in self.skala if lv.text == text), None)

    def textdelar(self, text: str | None) -> list[TextDel]:
        """Prose split at its ``[diagram: id]`` marks, for templates."""
        return text_parts(text)
