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
from pydantic.json_schema import SkipJsonSchema

from .fmt import OUT_OF_RANGE, parse_number
from .names import MAIN_FILE

#: Prose in Markdown: written in the main file, or ``{fil: text/x.md}`` for a file's text.
Markdown = Annotated[str, Field(json_schema_extra={"x-vbgen": "markdown"})]


def _swedish_number(value: Any) -> Any:
    # "9 900" and "−2,5" in the main file are numbers as a Swedish reader writes them.
    if isinstance(value, str):
        try:
            return parse_number(value)
        except ValueError as exc:
            if str(exc) == OUT_OF_RANGE:
                raise
            # Otherwise left for the type check, which reports "förväntade ett tal".
    return value


#: A number in the main file, written either way: 9900, 9 900, −9 900,5.
Tal = Annotated[float, BeforeValidator(_swedish_number),
                Field(json_schema_extra={"x-vbgen": "tal"})]
Heltal = Annotated[int, BeforeValidator(_swedish_number),
                   Field(json_schema_extra={"x-vbgen": "tal"})]


def _swedish_yes_no(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("ja", "nej"):
        return value.strip().lower() == "ja"
    return value


#: Yes or no in the main file: ja/nej, as well as YAML's true/false.
JaNej = Annotated[bool, BeforeValidator(_swedish_yes_no),
                  Field(json_schema_extra={"x-vbgen": "janej"})]


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
    """An indikator under a goal, with its yearly values and targets."""

    #: The id of the goal it belongs to, and the column of the file that gave it.
    mal: str
    mal_kolumn: str = "mål"
    namn: str
    not_: str = ""
    #: The value of each year: a number, or a rank such as "19/26".
    values: dict[int, float | str | None]
    #: This year's target: a number, or a text such as "≥ riktvärdet".
    etappmal: float | str | None = None
    #: How a value is compared with a numeric etappmål: "≥", "≤", ">", "<", or "" to
    #: follow ``hog_ar_bra``.
    jamforelse: str = ""
    malvarde: float | str | None = None
    #: The comparator written before a numeric målvärde ("≥ 76"), or "".
    malvarde_jamforelse: str = ""
    hog_ar_bra: bool = True
    kalla: str = ""
    kolada_id: str = ""
    #: "K", "M" or "T" for an indicator reported for women, men and in total; else "".
    kon: str = ""
    source: Source


class Uppdrag(BaseModel):
    """An assignment to the förvaltning and its status."""

    mal: str
    mal_kolumn: str = "mål"
    status: str
    ursprung: str = ""
    text: str
    kommentar: str = ""
    source: Source


# Swedish gender cannot be told from a word; these endings cover the names goal levels
# usually have, and a level can give its forms itself (bestamd, plural).


def _definite(name: str) -> str:
    word = name[:1].lower() + name[1:]
    if word.endswith(("mål", "uppdrag")):
        return word + "et"
    if word.endswith(("område", "ande", "ende")):
        return word + "t"
    if word[-1:] in "aeiouyåäö":
        return word + "n"
    return word + "en"


def _plural(name: str) -> str:
    word = name[:1].lower() + name[1:]
    if word.endswith(("mål", "uppdrag")):
        return word
    if word.endswith(("område", "ande", "ende")):
        return word + "n"
    if word.endswith("ning"):
        return word + "ar"
    if word.endswith("a"):
        return word[:-1] + "or"
    if word.endswith("e"):
        return word + "r"
    return word + "er"


class GoalLevel(_Strict):
    """A level of the goal tree and its name as Swedish sentences need it."""

    namn: str = Field(description="Nivåns namn, som det står i rubriker: Nämndmål.")
    bestamd: str | None = Field(
        None, description="Bestämd form i en mening: nämndmålet. Räknas fram om det saknas.")
    plural: str | None = Field(
        None, description="Plural i en mening: nämndmål. Räknas fram om det saknas.")

    @property
    def i_text(self) -> str:
        """The name inside a sentence: "nämndmål"."""
        return self.namn[:1].lower() + self.namn[1:]

    @property
    def genus(self) -> str:
        """"ett" for a neuter name (nämndmål, målområde), "en" for any other (aktivitet)."""
        return "ett" if self.bestamd_form.endswith("t") and not self.bestamd_form.endswith(
            "en") else "en"

    @property
    def bestamd_form(self) -> str:
        return self.bestamd or _definite(self.namn)

    @property
    def plural_form(self) -> str:
        return self.plural or _plural(self.namn)


def _level(value: Any) -> Any:
    return {"namn": value} if isinstance(value, str) else value


class Goal(_Strict):
    """A goal at any level of the tree, with its assessment and prose."""

    id: str | None = Field(
        None, description="Kort id som indikatorer.csv och uppdrag.csv pekar på: N1.")
    namn: str = Field(description="Målets namn, som det står i rubriken.")
    maluppfyllelse: str | None = Field(
        None, description="Bedömningen: en av texterna i skala. Tillåten på varje nivå.")
    motivering: Markdown | None = Field(None, description="Motivering till bedömningen.")
    analys: Markdown | None = None
    genomfort_arbete: Markdown | None = None
    beskrivning: Markdown | None = Field(None, description="Text direkt under målets rubrik.")
    under: list[Goal] = Field(default_factory=list,
                              description="Målen på nivån under, i samma form.")
    # Filled by the loader, not from YAML.
    niva: SkipJsonSchema[int] = Field(1, exclude=True)
    #: Where the goal is in the main file: "mal[1].under[2]".
    plats: SkipJsonSchema[str] = Field("", exclude=True)
    indikatorer: SkipJsonSchema[list[Indicator]] = Field(default_factory=list, exclude=True)
    uppdrag: SkipJsonSchema[list[Uppdrag]] = Field(default_factory=list, exclude=True)

    def walk(self) -> list[Goal]:
        """This goal and every goal below it, depth first."""
        out = [self]
        for child in self.under:
            out.extend(child.walk())
        return out

    def at_level(self, niva: int) -> list[Goal]:
        """The goals at ``niva`` in this goal's subtree."""
        return [g for g in self.walk() if g.niva == niva]

    def antal_indikatorer(self) -> int:
        """Indicators of this goal and every goal below it: the rows it spans in a table."""
        return sum(len(g.indikatorer) for g in self.walk())


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


# --- Declared tables ---

#: The kinds of column a declared table can have.
COLUMN_TYPES = ("text", "heltal", "tal", "belopp", "procent", "rang", "datum")
#: What a derived column can compute from other columns, by the key in ``berakning``.
CALCULATIONS = ("skillnad", "forandring", "andel", "summa", "produkt")
#: Amount units and their size in kronor.
UNITS = {"kr": 1, "tkr": 1_000, "mnkr": 1_000_000}
_ID = r"^[a-z0-9][a-z0-9_-]*$"




class Column(_Strict):
    """A column of a declared table: read from the file, or derived from other columns."""

    kolumn: str | None = Field(
        None, description="Kolumnens rubrik i filen. Krävs utom för en beräknad kolumn.")
    id: str | None = Field(None, description="Namnet som beräkningar och diagram använder; "
                                             "som standard kolumn.")
    rubrik: str | None = Field(None, description="Rubriken i rapporten; som standard kolumn.")
    typ: str = Field("text", description="text, heltal, tal, belopp, procent, rang (19/26) "
                                         "eller datum (ÅÅÅÅ-MM-DD).")
    decimaler: int | None = Field(None, ge=0, le=6,
                                  description="Antal decimaler; som standard tabellens.")
    grupp: str | None = Field(None, description="Gemensam rubrik över intilliggande kolumner "
                                                "med samma grupp.")
    visas: JaNej = Field(True, description="nej för en kolumn som bara används av vbgen.")
    berakning: dict[str, list[str]] | None = Field(
        None, description="En beräknad kolumn: {skillnad: [a, b]} (a − b), {forandring: "
                          "[gammal, ny]} (procent), {andel: [del, helhet]} (procent), "
                          "{summa: [a, b, ...]} eller {produkt: [a, b]}.")

    @model_validator(mode="after")
    def _check(self) -> Column:
        if self.typ not in COLUMN_TYPES:
            raise ValueError(f'okänd kolumntyp "{self.typ}"; välj '
                             + ", ".join(COLUMN_TYPES))
        if self.berakning is not None:
            if len(self.berakning) != 1 or next(iter(self.berakning)) not in CALCULATIONS:
                raise ValueError("berakning ska ha en av " + ", ".join(CALCULATIONS))
            (kind, names), = self.berakning.items()
            if kind in ("skillnad", "forandring", "andel") and len(names) != 2:
                raise ValueError(f"{kind} räknar med exakt två kolumner, fick {len(names)}")
            if kind in ("summa", "produkt") and len(names) < 2:
                raise ValueError(f"{kind} räknar med minst två kolumner, fick {len(names)}")
            if self.id is None and self.kolumn is None:
                raise ValueError("en beräknad kolumn behöver ett id")
        elif self.kolumn is None:
            raise ValueError("kolumn (rubriken i filen) saknas men krävs")
        if self.id is None:
            self.id = self.kolumn
        if self.rubrik is None:
            self.rubrik = self.kolumn if self.kolumn is not None else self.id
        return self

    @property
    def numeric(self) -> bool:
        return self.typ in ("heltal", "tal", "belopp", "procent")


class TableDecl(_Strict):
    """A table of the report: its file, caption and columns, declared once."""

    id: str = Field(pattern=_ID, description="Tabellens id: små bokstäver a–z, siffror, - "
                                             "och _. Används i disposition och [tabell: id].")
    fil: str = Field(description="CSV- eller Excelfilen i datamappen.")
    flik: str | None = Field(None, description="Bladet i en Excelfil; som standard det första.")
    rubrik: str = Field(description="Tabellens rubrik (caption).")
    kalla: str | None = Field(None, description="Källa, visas under tabellen.")
    enhet: str = Field("tkr", description="Enheten för belopp i filen: kr, tkr eller mnkr.")
    visa: str | None = Field(None, description="Enheten belopp visas i; som standard enhet.")
    decimaler: int | None = Field(None, ge=0, le=6,
                                  description="Standard för talkolumnernas decimaler.")
    tolerans: float | None = Field(
        None, ge=0, description="Största skillnad, i filens enhet, mellan en summarad och "
                                "summan av dess rader. Som standard 1 för belopp (avrundning "
                                "till hela tkr), 0 för heltal och en enhet i den sista "
                                "visade decimalen för tal.")
    noter: list[str] = Field(default_factory=list, description="Noter under tabellen.")
    kolumner: list[Column] = Field(min_length=1, description="Alla kolumner, i visningsordning.")

    @model_validator(mode="after")
    def _check(self) -> TableDecl:
        by_id = {c.id: c for c in self.kolumner}
        for c in self.kolumner:
            # A derived column without a type has the type of what it computes.
            if c.berakning is not None and c.typ == "text":
                (kind, names), = c.berakning.items()
                first = by_id.get(names[0]) if names else None
                c.typ = ("procent" if kind in ("forandring", "andel")
                         else first.typ if first is not None and first.numeric else "tal")
        for unit in (self.enhet, self.visa):
            if unit is not None and unit not in UNITS:
                raise ValueError(f'okänd enhet "{unit}"; välj kr, tkr eller mnkr')
        ids = [c.id for c in self.kolumner]
        twice = sorted({i for i in ids if ids.count(i) > 1 and i is not None})
        if twice:
            raise ValueError("flera kolumner har id " + ", ".join(f'"{i}"' for i in twice))
        for c in self.kolumner:
            for ref in (c.berakning or {}).values():
                for name in ref:
                    if name not in ids:
                        raise ValueError(f'kolumnen "{c.id}" räknar med "{name}", som inte '
                                         "finns bland kolumnerna")
        return self

    @property
    def shown_unit(self) -> str:
        return self.visa or self.enhet


# --- The outline ---

#: Block kinds that take no options, written as a bare word in the outline.
PLAIN_BLOCKS = ("titelsida", "innehall", "sidbrytning", "malsammanfattning", "malbedomning",
                "malrapport", "kallforteckning", "uppdrag")


class TableChart(_Strict):
    """A chart drawn from a declared table's own rows."""

    tabell: str = Field(description="Tabellens id.")
    titel: str
    typ: str = Field("grupperad_stapel",
                     description="linje, stapel, grupperad_stapel eller liggande_stapel.")
    kategorier: str | None = Field(None, description="Kolumnen med kategorierna; som standard "
                                                     "den första textkolumnen.")
    serier: list[str] = Field(min_length=1, description="Kolumnerna som blir serier.")
    enhet: str = ""
    kalla: str = ""
    decimaler: int | None = None
    summarader: JaNej = Field(False, description="ja för att ta med summaraderna.")


class CardsOptions(_Strict):
    """Cards drawn from a declared table: one card per row."""

    tabell: str = Field(description="Tabellens id.")
    titel: str | None = Field(None, description="Kolumnen som blir kortets rubrik; som "
                                                "standard den första.")
    falt: list[str] | None = Field(None, description="Kolumnerna som visas på kortet, i "
                                                     "ordning; som standard alla andra.")


class GoalTableOptions(_Strict):
    """Which goal levels a goal table shows."""

    nivaer: list[str] | None = Field(
        None, description="Nivåerna som visas, med namnen i malnivaer; som standard alla.")


class GoalReportOptions(_Strict):
    """What the goal report shows under each goal."""

    indikatorer: JaNej = Field(True, description="nej för att inte visa indikatortabellerna "
                                                 "under målen (visa dem med indikatorer-block).")
    uppdrag: JaNej = Field(True, description="nej för att inte visa uppdragen under målen.")


class IndicatorTableOptions(_Strict):
    """An indicator table placed on its own."""

    mal: str = Field(description="Id för målet vars indikatorer visas.")
    rubrik: str | None = Field(None, description="Tabellens rubrik; som standard "
                                                 "\"Indikatorer för\" och nivåns namn.")


class TocOptions(_Strict):
    titel: str = "Innehållsförteckning"
    djup: int = Field(2, ge=1, le=6)


class Block(_Strict):
    """One block of a section: exactly one of the fields, naming its kind."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1,
                                                                 "maxProperties": 1})

    text: Markdown | None = Field(None, description="Text (Markdown), eller {fil: x.md}.")
    tabell: str | None = Field(None, description="En deklarerad tabell, med sitt id.")
    diagram: str | TableChart | None = Field(
        None, description="Ett diagram under diagram, med sitt id, eller ritat ur en tabell.")
    kort: CardsOptions | None = None
    malbedomning: GoalTableOptions | None = None
    malrapport: GoalReportOptions | None = None
    indikatorer: IndicatorTableOptions | None = None
    kallforteckning: GoalTableOptions | None = None
    malsammanfattning: dict[str, Any] | None = None
    uppdrag: dict[str, Any] | None = None
    innehall: TocOptions | None = None
    titelsida: dict[str, Any] | None = None
    sidbrytning: dict[str, Any] | None = None
    mall: str | None = Field(None, pattern=r"^\w[\w-]*(/\w[\w-]*)*\.j2$",
                             description="En egen mall (.j2) i mallmappen, till exempel "
                                         "avsnitt/ekonomi.j2.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value not in PLAIN_BLOCKS:
                raise ValueError(f'okänt block "{value}"; skriv ett av '
                                 + ", ".join(PLAIN_BLOCKS) + " eller ett block med värde")
            return {value: {}}
        if isinstance(value, dict):
            value = {k: ({} if v is None and k in PLAIN_BLOCKS else v) for k, v in value.items()}
            if len(value) != 1:
                raise ValueError("ett block ska ha exakt ett fält, som anger vad det är")
        return value

    @property
    def typ(self) -> str:
        """The block's kind: the one field written (its text may be missing, when the file it
        names could not be read; that is reported by the loader)."""
        return next(iter(self.model_fields_set))

    @property
    def varde(self) -> Any:
        return getattr(self, self.typ)


class Section(_Strict):
    """A section of the outline: a heading, text, blocks and subsections."""

    rubrik: str | None = Field(None, description="Rubriken; dess nivå följer djupet.")
    text: Markdown | None = Field(None, description="Text under rubriken; kan ha rader "
                                                    "[tabell: id] och [diagram: id].")
    block: list[Block] = Field(default_factory=list, description="Innehållet, i ordning.")
    avsnitt: list[Section] = Field(default_factory=list, description="Underavsnitt.")
    ny_sida: JaNej = Field(False, description="ja för att börja avsnittet på en ny sida.")
    #: Where the section is in the main file: "disposition[3]"; filled by the loader.
    plats: SkipJsonSchema[str] = Field("", exclude=True)
    i_innehall: JaNej = Field(True, description="nej för att hålla rubriken utanför "
                                                "innehållsförteckningen.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # A bare block kind at the top of the outline is a section of that one block.
        if isinstance(value, str):
            return {"block": [value]}
        return value


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
    source: Source


# --- Ekonomi ---

#: A chart placed in prose: a line of its own reading ``[diagram: id]``.
CHART_MARK = re.compile(r"^[ \t]*\[diagram:[ \t]*([^\]\s]+)[ \t]*\][ \t]*$", re.MULTILINE)
#: A chart or a declared table placed in prose: ``[diagram: id]`` or ``[tabell: id]``.
TABLE_MARK = re.compile(r"^[ \t]*\[(diagram|tabell):[ \t]*([^\]\s]+)[ \t]*\][ \t]*$",
                        re.MULTILINE)


@dataclass(frozen=True)
class TextDel:
    """A stretch of Markdown prose, or a chart or table placed between two stretches."""

    text: str = ""
    diagram: str = ""
    tabell: str = ""


def text_parts(text: str | None) -> list[TextDel]:
    """Split prose at its chart and table marks, keeping the order."""
    if not text:
        return []
    parts: list[TextDel] = []
    pos = 0
    for m in TABLE_MARK.finditer(text):
        if text[pos:m.start()].strip():
            parts.append(TextDel(text=text[pos:m.start()]))
        parts.append(TextDel(**{m.group(1): m.group(2)}))
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
    """The main YAML file (merged over the kommun profile), before the tables are attached."""

    profil: str | None = Field(
        None, description="Mappen med kommunprofilen (kommun.yaml), relativt datamappen.")
    kommun: str = Field(description="Kommunens namn: Huddinge kommun.")
    namnd: str = Field(description="Nämndens namn: Socialnämnden.")
    ar: int = Field(ge=1900, le=2200, description="Verksamhetsåret.")
    forvaltning: str = Field(description="Förvaltningen som skriver rapporten.")
    malvarde_ar: int | None = Field(None, description="Året målvärdena i indikatortabellerna "
                                                      "gäller.")
    skala: list[Level] = Field(min_length=1, description="Bedömningsskalan, bästa nivån först.")
    malnivaer: list[Annotated[GoalLevel, BeforeValidator(_level)]] = Field(
        min_length=1, max_length=4,
        description="Målträdets nivåer uppifrån, 1–4: [Målområde, Kommunfullmäktigemål, "
                    "Nämndmål].")
    bedomningsniva: str | None = Field(
        None, description="Nivån där nämnden bedömer sina mål; som standard den lägsta nivå "
                          "där något mål har en måluppfyllelse, annars den lägsta nivån.")
    mal: list[Goal] = Field(min_length=1, description="Målträdet.")
    tabeller: list[TableDecl] = Field(default_factory=list,
                                      description="Rapportens tabeller, deklarerade en gång.")
    disposition: list[Section] = Field(
        min_length=1, description="Rapportens avsnitt i ordning, med rubriker och innehåll.")
    texter: dict[str, Markdown] = Field(
        default_factory=dict, description="Gemensamma texter, oftast från kommunprofilen; "
                                          "visas med text: {kommun: namn}.")
    uppdragsstatus: list[str] = Field(default_factory=lambda: ["Klart", "Pågår", "Ej klart i år"])
    sammanfattning: Markdown | None = None
    ekonomi: EkonomiText = Field(default_factory=EkonomiText)
    intern_kontroll: InternKontrollText = Field(default_factory=InternKontrollText)
    diagram: list[DiagramDef] = Field(default_factory=list)
    tjanstskrivelse: Tjanstskrivelse | None = None
    personal: Personal = Field(default_factory=Personal)
    uppfoljning: Uppfoljning = Field(default_factory=Uppfoljning)
    #: The file each text read with {fil: …} came from, by its place: {"mal[1].analys":
    #: "text/m1-analys.md"}.
    textkallor: SkipJsonSchema[dict[str, str]] = Field(default_factory=dict, exclude=True)
    #: The places whose text is shared through the kommun profile: its top-level fields
    #: ("disposition") and each {kommun: …} text.
    gemensamma_texter: SkipJsonSchema[set[str]] = Field(default_factory=set, exclude=True)

    def source_of(self, plats: str) -> str:
        """Where a user fills the text at ``plats``: its file, or the main file's field."""
        return self.textkallor.get(plats) or f"vb.yaml, fält {plats}"

    def text_tag(self, plats: str) -> str:
        """The name of the text at ``plats`` in a Word draft: its file ("text/n1.md") or
        its field ("vb.yaml:mal[1].analys"); "" for a text shared through the kommun
        profile, which is changed there and not from one nämnd's draft."""
        if plats in self.textkallor:
            return self.textkallor[plats]
        for shared in self.gemensamma_texter:
            if plats == shared or plats.startswith((shared + ".", shared + "[")):
                return ""
        return f"{MAIN_FILE}:{plats}"


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

    #: The declared tables, read and typed, by id.
    tabelldata: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @property
    def years(self) -> list[int]:
        """The three years of the economy tables, oldest first."""
        return [self.ar - 2, self.ar - 1, self.ar]

    def all_goals(self) -> list[Goal]:
        """Every goal of the tree, depth first."""
        return [g for top in self.mal for g in top.walk()]

    @property
    def assessed_level(self) -> int:
        """The level (1 = top) where the nämnd assesses its goals."""
        names = [lv.namn for lv in self.malnivaer]
        if self.bedomningsniva in names:
            return names.index(str(self.bedomningsniva)) + 1
        assessed = [g.niva for g in self.all_goals() if g.maluppfyllelse is not None]
        return max(assessed) if assessed else len(names)

    def assessed_goals(self) -> list[Goal]:
        """The goals the nämnd assesses, in the tree's order."""
        return [g for g in self.all_goals() if g.niva == self.assessed_level]

    def level_name(self, niva: int) -> GoalLevel:
        return self.malnivaer[niva - 1]

    def level_numbers(self, names: list[str] | None = None,
                      upp_till: int | None = None) -> list[int]:
        """The levels (1 = top) named in ``names``, or every level down to ``upp_till``."""
        if names:
            known = [lv.namn for lv in self.malnivaer]
            return sorted(known.index(n) + 1 for n in names if n in known)
        return list(range(1, (upp_till or len(self.malnivaer)) + 1))

    def goal(self, goal_id: str) -> Goal:
        """The goal with ``goal_id``; the loader has checked that it exists."""
        return next(g for g in self.all_goals() if g.id == goal_id)

    def all_uppdrag(self) -> list[Uppdrag]:
        """Every uppdrag, in the order of the goal tree."""
        return [u for g in self.all_goals() for u in g.uppdrag]

    def indicator_columns(self) -> tuple[bool, bool]:
        """Whether indicator tables show etappmål and målvärde: when any indicator has one,
        so every indicator table of the report has the same columns."""
        indicators = [i for g in self.all_goals() for i in g.indikatorer]
        return (any(i.etappmal is not None for i in indicators),
                any(i.malvarde is not None for i in indicators))

    def goal_years(self, goal: Goal) -> list[int]:
        """The years the indicators of ``goal`` have values for, oldest first."""
        return sorted({y for i in goal.indikatorer for y in i.values})

    def level(self, text: str | None) -> Level | None:
        return next((lv for lv in self.skala if lv.text == text), None)

    def textdelar(self, text: str | None) -> list[TextDel]:
        """Prose split at its ``[diagram: id]`` marks, for templates."""
        return text_parts(text)
