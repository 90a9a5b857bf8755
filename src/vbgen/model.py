"""The data model: one nämnd's year, as typed objects.

Field names follow the Swedish domain (without å, ä, ö); ``docs/dataformat.md`` maps each
to the file and column it comes from. The loader fills these; nothing here reads files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Markdown = str


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
    avvikelse: float
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
    skala: list[Level] = Field(min_length=1)
    uppdragsstatus: list[str] = Field(default_factory=lambda: ["Klart", "Pågår", "Ej klart i år"])
    sammanfattning: Markdown | None = None
    malomraden: list[Malomrade] = Field(min_length=1)
    ekonomi: EkonomiText = Field(default_factory=EkonomiText)
    intern_kontroll: InternKontrollText = Field(default_factory=InternKontrollText)
    diagram: list[DiagramDef] = Field(default_factory=list)


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
