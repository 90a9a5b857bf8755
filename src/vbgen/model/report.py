"""The data model: one nämnd's year, as typed objects.

Field names follow the Swedish domain (without å, ä, ö); ``docs/dataformat.md`` maps each
to the file and column it comes from. The loader fills these; nothing here reads files.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from markupsafe import Markup, escape
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from ..fmt import DECIMAL_MARKS, OUT_OF_RANGE, NumberError, parse_number
from ..names import MAIN_FILE
from .prosa import Origins, plain

#: Prose in Markdown: written in the main file, or ``{fil: text/x.md}`` for a file's text.
Markdown = Annotated[str, Field(json_schema_extra={"x-vbgen": "markdown"})]


def _swedish_number(value: Any) -> Any:
    # "9 900" and "−2,5" in the main file are numbers as a Swedish reader writes them.
    if isinstance(value, str):
        try:
            return parse_number(value)
        except NumberError as exc:
            if exc.kind == "gräns":
                raise ValueError(OUT_OF_RANGE) from None
            # Otherwise left for the type check: YAML's own numbers have a decimal point
            # ("9900.5"), and anything else is reported as "förväntade ett tal".
    return value


#: A number in the main file, written either way: 9900, 9 900, −9 900,5.
Tal = Annotated[float, BeforeValidator(_swedish_number),
                Field(json_schema_extra={"x-vbgen": "tal"})]


def _swedish_yes_no(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("ja", "nej"):
        return value.strip().lower() == "ja"
    return value


#: Yes or no in the main file: ja/nej, as well as YAML's true/false.
JaNej = Annotated[bool, BeforeValidator(_swedish_yes_no),
                  Field(json_schema_extra={"x-vbgen": "janej"})]


#: How a chapter of the old form's built-in section templates (mall: avsnitt/…, with its
#: fields and tables of fixed names) is written now.
FIXED_FORM = ("de inbyggda avsnittsmallarna och deras tabeller med fasta namn finns inte "
              "längre: skriv kapitlet som ett avsnitt under disposition:, med tabellerna "
              "deklarerade under tabeller: och texterna i avsnittet, där meningarna hämtar sina "
              "tal ur tabellerna med [tal: …]. Se docs/dataformat.md#de-fasta-tabellerna-och-"
              "avsnittsmallarna")


class _Strict(BaseModel):
    # Unknown keys are errors: a misspelt field must not vanish silently.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass(frozen=True)
class Source:
    """Where a row came from, for error messages."""

    file: str
    row: int


@dataclass(frozen=True)
class Unavailable:
    """A value the data says is not available, with the reason: ``..`` and the reason in a
    table cell, ``{saknas: skäl}`` in the main file. Shown as ".." with the reason in a note;
    a deliberate absence, listed in a draft but no gap."""

    reason: str


#: The mark of a value that is not available, as tables show it (the statistical convention).
UNAVAILABLE_MARK = ".."

#: The characters that wrap an example value in rendered templates: start, where, value, end.
#: The loader removes them from every text it reads, so they mean nothing else.
EXAMPLE_START, EXAMPLE_VALUE, EXAMPLE_END = "\ue000", "\ue001", "\ue002"


class Example(str):
    """A value of the data marked as an example (``{exempel: Erik Exempel}``): a placeholder
    from the starting folder or a sample, to be replaced before a final build.

    It reads as its text everywhere; where a template prints it, it is wrapped in marks that
    the composer turns into a gap showing the value, so a final build is refused while it is
    shown, and the draft lists where to replace it (``plats``).
    """

    plats: str

    def __new__(cls, value: str, plats: str) -> Example:
        text = super().__new__(cls, value)
        text.plats = plats
        return text

    def __html__(self) -> Markup:
        return Markup(EXAMPLE_START + str(escape(self.plats)) + EXAMPLE_VALUE
                      + str(escape(str(self))) + EXAMPLE_END)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Example, (str(self), self.plats))


#: Endings of a participle in the neuter, and its common gender and plural endings:
#: uppfyllt, uppfylld, uppfyllda; uppnått, uppnådd, uppnådda; genomfört, genomförd;
#: godkänt, godkänd; påbörjat, påbörjad, påbörjade.
_PARTICIPLES = (("llt", "lld", "llda"), ("rt", "rd", "rda"), ("nt", "nd", "nda"),
                ("at", "ad", "ade"))
_VOWELS = "aeiouyåäö"


def _adjective(word: str) -> tuple[str, str, str]:
    """A scale word's common gender, neuter and plural forms, guessed from its ending."""
    for neuter, common, plural in _PARTICIPLES:
        if word.endswith(neuter):
            stem = word[:-len(neuter)]
            return stem + common, word, stem + plural
    if len(word) > 2 and word.endswith("tt") and word[-3] in _VOWELS:  # nått, uppnått
        return word[:-2] + "dd", word, word[:-2] + "dda"
    if word.endswith("t") or not word or word[-1] in "ae":  # korrekt, bra: the same always
        return word, word, word
    if len(word) > 1 and word.endswith("d") and word[-2] in _VOWELS:  # god, gott, goda
        return word, word[:-1] + "tt", word + "a"
    return word, word + "t", word + "a"  # godtagbar, godtagbart, godtagbara


class Level(_Strict):
    """One step of the måluppfyllelse scale, with the forms generated sentences need."""

    text: str = Field(description="Nivåns text, som den står i tabeller: I hög grad uppfyllt.")
    symbol: str = Field("", description="Visas före texten: ●.")
    utrum: str | None = Field(
        None, description="Formen efter en i en mening (en indikator, en strategi): "
                          "\"en god\", \"en uppfylld\". Räknas fram om den saknas.")
    neutrum: str | None = Field(
        None, description="Formen efter ett i en mening (ett mål): \"ett gott\", \"ett "
                          "uppfyllt\". Räknas fram om den saknas.")
    plural: str = Field("", description="Formen efter ett antal större än ett: \"fem "
                                        "goda\", \"två uppfyllda\". Räknas fram om den saknas.")

    def forms(self) -> tuple[str, str, str]:
        """The common gender, neuter and plural forms, small first letter: each declared, or
        guessed from the text's last word."""
        head, _, last = self.text.rpartition(" ")
        guessed = [f"{head} {w}" if head else w for w in _adjective(last)]
        common, neuter, plural = (self.utrum or guessed[0], self.neutrum or guessed[1],
                                  self.plural or guessed[2])
        return tuple(t[:1].lower() + t[1:] for t in (common, neuter, plural))  # type: ignore[return-value]

    def for_count(self, n: int, genus: str = "ett") -> str:
        """The level as it reads after a count of a noun of ``genus`` ("en" or "ett"):
        "ett i hög grad uppfyllt", "en i hög grad uppfylld", "två i hög grad uppfyllda"."""
        common, neuter, plural = self.forms()
        if n != 1:
            return plural
        return neuter if genus == "ett" else common


class Indicator(BaseModel):
    """An indikator under a goal, with its yearly values and targets."""

    #: The id of the goal it belongs to, and the column of the file that gave it.
    mal: str
    mal_kolumn: str = "mål"
    namn: str
    not_: str = ""
    #: The value of each year: a number, a rank such as "19/26", or not available (with the
    #: reason).
    values: dict[int, float | str | Unavailable | None]
    #: This year's target: a number, or a text such as "≥ riktvärdet".
    etappmal: float | str | Unavailable | None = None
    #: Last year's etappmål (the column ``etappmål föregående år``): an indicator that had one
    #: needs one this year too.
    etappmal_foregaende: float | str | None = None
    #: How a value is compared with a numeric etappmål: "≥", "≤", ">", "<", or "" to
    #: follow ``hog_ar_bra``.
    jamforelse: str = ""
    malvarde: float | str | None = None
    #: The comparator written before a numeric målvärde ("≥ 76"), or "".
    malvarde_jamforelse: str = ""
    hog_ar_bra: bool = True
    kalla: str = ""
    kolada_id: str = ""
    #: The day vbgen kolada fetched the indicator's values (ÅÅÅÅ-MM-DD), from the folder's
    #: Kolada cache; "" when they were typed by hand.
    kolada_hamtat: str = ""
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


#: The parts of a goal's section, under its heading, and the heading each has by default
#: ("" for a table, which has its caption).
GOAL_PARTS = {"maluppfyllelse": "Måluppfyllelse", "motivering": "Motivering",
              "analys": "Analys", "genomfort_arbete": "Genomfört arbete",
              "indikatorer": "", "uppdrag": ""}
#: The parts a goal on the assessed level must have unless its level says otherwise.
ASSESSED_PARTS = ("maluppfyllelse", "motivering", "analys", "genomfort_arbete", "indikatorer")


def _parts(names: list[str] | dict[str, str] | None, field: str) -> None:
    unknown = [n for n in names or [] if n not in GOAL_PARTS]
    if unknown:
        raise ValueError(f'{field}: okänd del "{unknown[0]}"; välj bland '
                         + ", ".join(GOAL_PARTS))


class IndicatorTableStyle(_Strict):
    """How the indicator tables of a level's goals are printed."""

    samla: JaNej = Field(False, description="ja för en tabell per mål på nivån, med "
                                            "indikatorerna för målen under det; nej (standard) "
                                            "för en tabell per mål med egna indikatorer.")
    totalt: JaNej = Field(True, description="nej för att bara visa raderna för kvinnor och "
                                            "män för en indikator som redovisas per kön.")
    etappmal: str = Field("kolumn", pattern=r"^(kolumn|rad)$",
                          description="kolumn (standard) för en kolumn Etappmål, rad för "
                                      "etappmålen som en rad under tabellen.")


class GoalLevel(_Strict):
    """A level of the goal tree: its name as headings and sentences need it, and how its
    goals are shown."""

    namn: str = Field(description="Nivåns namn, som det står i rubriker: Nämndmål.")
    bestamd: str | None = Field(
        None, description="Bestämd form i en mening: nämndmålet. Räknas fram om det saknas.")
    plural: str | None = Field(
        None, description="Plural i en mening: nämndmål. Räknas fram om det saknas.")
    etikett: str | None = Field(
        None, description="Texten före målets namn i dess rubrik (\"Mål: …\"); som standard "
                          "nivåns namn, \"\" för bara målets namn.")
    delar: dict[str, str] | None = Field(
        None, description="Delarna under målets rubrik i malrapport, i ordning, var och en med "
                          "sin rubrik (\"\" för ingen): maluppfyllelse, motivering, analys, "
                          "genomfort_arbete, indikatorer, uppdrag. Som standard alla, med "
                          "rubrikerna Måluppfyllelse, Motivering, Analys och Genomfört arbete.")
    kravs: list[str] | None = Field(
        None, description="Delarna som visas som en lucka när de saknas. Som standard alla "
                          "utom uppdrag på bedömningsnivån och inga på andra nivåer.")
    indikatortabell: IndicatorTableStyle = Field(
        default_factory=lambda: IndicatorTableStyle.model_validate({}),
        description="Hur nivåns indikatortabeller visas.")

    @model_validator(mode="after")
    def _check_parts(self) -> GoalLevel:
        _parts(self.delar, "delar")
        _parts(self.kravs, "kravs")
        return self

    @property
    def label(self) -> str:
        """The text before a goal's name in its heading, with its colon: "Mål: "."""
        text = self.namn if self.etikett is None else self.etikett
        return f"{text}: " if text else ""

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
    # Numbered as the model is built (``Meta._place``), not from YAML.
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


class DiagramDef(_Strict):
    """A chart declared in the main file; its figures are in a table file."""

    id: str
    typ: str = "linje"
    titel: str
    fil: str
    enhet: str = ""
    kalla: str = Field("", description='Källa, visas under diagrammet som "Källa: …"; '
                                       "saknas den är det en lucka.")
    decimaler: int | None = None
    decimaltecken: str = Field("komma", description="komma eller punkt: tecknet före "
                                                    "decimalerna i filen.")

    @model_validator(mode="after")
    def _check(self) -> DiagramDef:
        _check_decimal_mark(self.decimaltecken)
        return self


def _check_decimal_mark(value: str) -> None:
    if value not in DECIMAL_MARKS:
        raise ValueError(f'okänt decimaltecken "{value}"; välj komma eller punkt')


@dataclass(frozen=True)
class GoalPart:
    """A part of a goal's section in the goal report: which, its heading, and whether it is
    shown as a gap, the goal lacking what its level requires."""

    key: str
    heading: str
    required: bool


# --- Declared tables ---

#: The kinds of column a declared table can have; a ``mal`` column holds goal ids, shown as
#: the goals' names.
COLUMN_TYPES = ("text", "heltal", "tal", "belopp", "procent", "rang", "datum", "mal")
#: What a derived column can compute from other columns, by the key in ``berakning``.
CALCULATIONS = ("skillnad", "forandring", "beloppsforandring", "andel", "summa", "produkt")
#: Amount units and their size in kronor.
UNITS = {"kr": 1, "tkr": 1_000, "mnkr": 1_000_000}
_ID = r"^[a-z0-9][a-z0-9_-]*$"


def _kolada_code(value: Any) -> Any:
    # YAML reads 0126 as a number (and a leading zero as octal): the id must stay a text.
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f'skriv id:t inom citattecken, till exempel "{value:04d}", så att '
                         "nollorna först står kvar")
    return value


#: A Kolada id of a kommun ("0126"), a län ("01") or a KPI ("U09401"), as written in data.
KommunId = Annotated[str, BeforeValidator(_kolada_code), Field(pattern=r"^\d{4}$")]
LanId = Annotated[str, BeforeValidator(_kolada_code), Field(pattern=r"^\d{2}$")]
KPI_ID = r"^[A-Z]\d{5}$"


class KoladaColumn(_Strict):
    """Where ``vbgen kolada`` takes a declared column's values from (docs/kolada.md)."""

    varde: str = Field(
        "kommun", pattern=r"^(kommun|lan|riket|placering|\d{4})$",
        description="Vilket värde kolumnen får: kommun (kommunens), lan (länets), riket, "
                    "placering (kommunens placering bland jämförelsekommunerna, 3/15) eller "
                    "en jämförelsekommuns id inom citattecken (\"0127\").")
    kpi: str | None = Field(None, pattern=KPI_ID,
                            description="Nyckeltalets id för hela kolumnen: U09401. Som "
                                        "standard radens id i kolumnen kpi_kolumn.")
    kpi_kolumn: str = Field("kolada_id", description="Kolumnen (id) med varje rads "
                                                     "Kolada-id; som standard kolada_id.")
    ar: int | None = Field(None, ge=1900, le=2200,
                           description="Året värdet gäller; som standard verksamhetsåret.")
    kon: str = Field("T", pattern=r"^[TKM]$",
                     description="T (totalt, standard), K (kvinnor) eller M (män).")
    hogst_forst: JaNej = Field(True, description="För placering: ja om placering 1 är det "
                                                 "högsta värdet (standard), nej om det lägsta.")


class GoalTableSources(_Strict):
    """The sources of the tables vbgen makes of the goal tree (docs/dataformat.md)."""

    malbedomning: str | None = Field(
        None, description="Källan under målbedömningstabellen, i rapporten och "
                          "tjänsteskrivelsen: var bedömningarna är gjorda och sparade, till "
                          "exempel planerings- och uppföljningssystemet.")
    uppdrag: str | None = Field(
        None, description="Källan under uppdragstabellerna: var uppdragen och deras status "
                          "följs upp.")


class KoladaSettings(_Strict):
    """The kommun's ids in Kolada, usually in the kommun profile (docs/kolada.md)."""

    kommunkod: KommunId = Field(description='Kommunens kod i Kolada, inom citattecken: '
                                            '"0126".')
    lanskod: LanId | None = Field(None, description='Länets kod, inom citattecken: "01"; som '
                                                    "standard kommunkodens två första siffror.")
    jamforelse: list[KommunId] = Field(
        default_factory=list, description="Jämförelsekommunernas id, som placeringen räknas "
                                          "bland (kommunen själv räknas alltid med).")
    adress: str | None = Field(None, pattern=r"^https?://",
                               description="Koladas adress; som standard "
                                           "https://api.kolada.se/v3.")

    @property
    def lan_id(self) -> str:
        """The län as Kolada names it: "0001" for län 01."""
        return "00" + (self.lanskod or self.kommunkod[:2])
#: A column's value in a composed text column: ``{id}``.
PLACEHOLDER = re.compile(r"\{([^{}\s]+)\}")


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
    sammansatt: str | None = Field(
        None, description="En textkolumn sammansatt av andra kolumner: {id} står för kolumnens "
                          "värde som tabellen visar det, och varje rad i texten blir en rad i "
                          "cellen. En rad vars kolumner alla är tomma tas bort.")
    sammanfoga: JaNej = Field(
        False, description="ja för att visa ett värde som står i flera rader efter varandra en "
                           "gång, i en cell som spänner över raderna.")
    varden: list[str] | None = Field(
        None, min_length=1, description="De värden en textkolumn får ha, till exempel "
                                        "[Klart, Pågår, Ej klart i år]; ett annat är ett fel.")
    # Whether a cell may be empty, and what an empty cell shows.
    kravs: JaNej | None = Field(
        None, description="ja om varje cell i kolumnen ska ha ett värde: en tom cell är då en "
                          "lucka. Som standard krävs det i en kolumn vars kolumn, rubrik, grupp "
                          "eller id nämner verksamhetsåret; nej för en sådan kolumn som får "
                          "ha tomma celler.")
    tom: str | None = Field(None, description="Det en tom cell visar; som standard tabellens "
                                              "tom.")
    kolada: KoladaColumn | None = Field(
        None, description="Kolumnens värden hämtas ur Kolada med vbgen kolada: {varde: "
                          "kommun}, {varde: lan}, {varde: riket} eller {varde: placering}.")

    @model_validator(mode="after")
    def _check(self) -> Column:
        if self.typ not in COLUMN_TYPES:
            raise ValueError(f'okänd kolumntyp "{self.typ}"; välj '
                             + ", ".join(COLUMN_TYPES))
        if self.varden is not None and self.typ != "text":
            raise ValueError("varden gäller en kolumn av typen text")
        if self.kolada is not None and (self.berakning is not None
                                        or self.sammansatt is not None):
            raise ValueError("en beräknad eller sammansatt kolumn kan inte hämtas ur Kolada")
        if self.sammansatt is not None:
            if self.berakning is not None or self.kolumn is not None:
                raise ValueError("en sammansatt kolumn har varken kolumn eller berakning")
            if self.id is None:
                raise ValueError("en sammansatt kolumn behöver ett id")
            if self.typ != "text":
                raise ValueError("en sammansatt kolumn är av typen text")
            if not PLACEHOLDER.search(self.sammansatt):
                raise ValueError("sammansatt ska nämna minst en kolumn som {id}")
        elif self.berakning is not None:
            if len(self.berakning) != 1 or next(iter(self.berakning)) not in CALCULATIONS:
                raise ValueError("berakning ska ha en av " + ", ".join(CALCULATIONS))
            (kind, names), = self.berakning.items()
            if kind in ("skillnad", "forandring", "beloppsforandring", "andel") \
                    and len(names) != 2:
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

    @property
    def derived(self) -> bool:
        """Whether vbgen makes the column's values (a calculation, or a composed text)."""
        return self.berakning is not None or self.sammansatt is not None

    @property
    def sources(self) -> list[str]:
        """The columns (ids) a derived or composed column is made from, in order."""
        if self.sammansatt is not None:
            return list(dict.fromkeys(PLACEHOLDER.findall(self.sammansatt)))
        return [n for names in (self.berakning or {}).values() for n in names]


class TableDecl(_Strict):
    """A table of the report: its file, caption and columns, declared once."""

    id: str = Field(pattern=_ID, description="Tabellens id: små bokstäver a–z, siffror, - "
                                             "och _. Används i disposition och [tabell: id].")
    fil: str = Field(description="CSV- eller Excelfilen i datamappen.")
    flik: str | None = Field(None, description="Bladet i en Excelfil; som standard det första.")
    rubrik: str | None = Field(
        None, description="Tabellens rubrik (caption), inline-Markdown: en fotnot ^[…] går "
                          "bra. Utan rubrik visas ingen, men tabellen har ändå ett namn för "
                          "skärmläsare: dess kolumnrubriker.")
    kalla: str | None = Field(None, description='Källa, visas under tabellen som "Källa: …"; '
                                                "utan den är källan en lucka.")
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
    # How the file writes its numbers, and what an empty cell shows.
    decimaltecken: str = Field(
        "komma", description="komma eller punkt: tecknet före decimalerna i filen. Ett tal med "
                             "det andra tecknet (12.400 i en fil med komma) är ett fel.")
    tom: str | None = Field(None, description="Det en tom cell visar; som standard -.")

    visas: JaNej = Field(
        True, description="nej för en tabell som inte visas i rapporten utan bara har tal som "
                          "texterna hämtar med [tal: …].")

    # --- How prose refers to the table ---
    nyckel: str | None = Field(
        None, description="Kolumnen (id) vars text namnger en rad i en markering [tal: tabell "
                          "| rad | kolumn]; som standard den första textkolumnen.")

    @model_validator(mode="after")
    def _check(self) -> TableDecl:
        _check_decimal_mark(self.decimaltecken)
        by_id = {c.id: c for c in self.kolumner}
        for c in self.kolumner:
            # A derived column without a type has the type of what it computes.
            if c.berakning is not None and c.typ == "text":
                (kind, names), = c.berakning.items()
                first = by_id.get(names[0]) if names else None
                c.typ = ("procent" if kind in ("forandring", "beloppsforandring", "andel")
                         else first.typ if first is not None and first.numeric else "tal")
        for unit in (self.enhet, self.visa):
            if unit is not None and unit not in UNITS:
                raise ValueError(f'okänd enhet "{unit}"; välj kr, tkr eller mnkr')
        ids = [c.id for c in self.kolumner]
        twice = sorted({i for i in ids if ids.count(i) > 1 and i is not None})
        if twice:
            raise ValueError("flera kolumner har id " + ", ".join(f'"{i}"' for i in twice))
        # Two declarations of one column of the file would show it twice, the second
        # silently; by_id below would hide it.
        headers = [" ".join(c.kolumn.replace("_", " ").split()).lower() for c in self.kolumner
                   if c.kolumn is not None]
        repeated = sorted({h for h in headers if headers.count(h) > 1})
        if repeated:
            raise ValueError(f'kolumnen "{repeated[0]}" i filen står flera gånger under '
                             "kolumner; deklarera den en gång (en beräknad kolumn får ett eget "
                             "id och ingen kolumn)")
        by_id = {c.id: c for c in self.kolumner}
        for c in self.kolumner:
            for name in c.sources:
                if name not in ids:
                    raise ValueError(f'kolumnen "{c.id}" räknar med "{name}", som inte '
                                     "finns bland kolumnerna")
                if c.berakning is not None and not by_id[name].numeric:
                    raise ValueError(f'kolumnen "{c.id}" räknar med "{name}", som är av '
                                     f"typen {by_id[name].typ}; en beräkning räknar med "
                                     "kolumner av typen heltal, tal, belopp eller procent")
        if self.nyckel is not None and self.nyckel not in ids:
            raise ValueError(f'nyckel: kolumnen "{self.nyckel}" finns inte bland kolumnerna; '
                             "kolumnerna är " + ", ".join(str(i) for i in ids))
        return self

    @property
    def key_column(self) -> Column | None:
        """The column whose text names a row: ``nyckel``, else the first text column."""
        if self.nyckel is not None:
            return next(c for c in self.kolumner if c.id == self.nyckel)
        texts = [c for c in self.kolumner if c.typ == "text" and not c.derived]
        return next((c for c in texts if c.visas), texts[0] if texts else None)

    @property
    def shown_unit(self) -> str:
        return self.visa or self.enhet


# --- The outline ---

#: Block kinds that take no options, written as a bare word in the outline.
PLAIN_BLOCKS = ("titelsida", "innehall", "sidbrytning", "malsammanfattning", "malbedomning",
                "malrapport", "kallforteckning", "uppdrag")


class ChangeRow(_Strict):
    """A row under each row of a table with the change in percent from column to column."""

    rubrik: str = Field(description="Radens rubrik: Procentuell förändring.")
    decimaler: int = Field(1, ge=0, le=6, description="Procentens decimaler; som standard 1.")


class TableOptions(_Strict):
    """A declared table as one block shows it: all its rows or some, under its caption or
    one of the block's own."""

    tabell: str = Field(description="Tabellens id.")
    rubrik: str | None = Field(None, description="Rubriken här, i stället för tabellens.")
    rader: list[str] | None = Field(
        None, min_length=1, description="Raderna som visas, med texten i tabellens "
                                        "nyckelkolumn (som i [tal: …]); som standard alla.")
    forandringsrad: ChangeRow | None = Field(
        None, description="En rad under varje rad med förändringen i procent från kolumn till "
                          "kolumn.")


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
    kalla: str = Field("", description="Källa, visas under diagrammet; som standard "
                                       "tabellens kalla.")
    decimaler: int | None = None
    summarader: JaNej = Field(False, description="ja för att ta med summaraderna.")
    visa: str | None = Field(None, description="Enheten belopp visas i (kr, tkr eller mnkr); "
                                               "som standard tabellens.")

    @model_validator(mode="after")
    def _check(self) -> TableChart:
        if self.visa is not None and self.visa not in UNITS:
            raise ValueError(f'okänd enhet "{self.visa}"; välj kr, tkr eller mnkr')
        return self


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


class SourceListOptions(GoalTableOptions):
    """What the list of sources shows."""

    tabeller: JaNej = Field(True, description="nej för att bara visa indikatorernas källor, "
                                              "inte tabellernas.")


class GoalReportOptions(_Strict):
    """What the goal report shows under each goal."""

    indikatorer: JaNej = Field(True, description="nej för att inte visa indikatortabellerna "
                                                 "under målen (visa dem med indikatorer-block).")
    uppdrag: JaNej = Field(True, description="nej för att inte visa uppdragen under målen.")
    mal: list[str] | None = Field(
        None, description="Id för målen som visas, vart och ett med målen under det; som "
                          "standard alla mål på den översta nivån.")


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
    tabell: str | TableOptions | None = Field(
        None, description="En deklarerad tabell, med sitt id, eller med rader och rubrik som "
                          "bara gäller här.")
    diagram: str | TableChart | None = Field(
        None, description="Ett diagram under diagram, med sitt id, eller ritat ur en tabell.")
    kort: CardsOptions | None = None
    malbedomning: GoalTableOptions | None = None
    malrapport: GoalReportOptions | None = None
    indikatorer: IndicatorTableOptions | None = None
    kallforteckning: SourceListOptions | None = None
    malsammanfattning: dict[str, Any] | None = None
    uppdrag: dict[str, Any] | None = None
    innehall: TocOptions | None = None
    titelsida: dict[str, Any] | None = None
    sidbrytning: dict[str, Any] | None = None
    mall: str | None = Field(None, pattern=r"^\w[\w-]*(/\w[\w-]*)*\.j2$",
                             description="En egen mall (.j2) i mallmappen, till exempel "
                                         "ekonomi/prognos.j2.")

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

    @property
    def table_id(self) -> str:
        """The declared table a tabell block shows."""
        return self.tabell if isinstance(self.tabell, str) else str(self.varde.tabell)


class Section(_Strict):
    """A section of the outline: a heading, text, blocks and subsections."""

    rubrik: str | None = Field(None, description="Rubriken; dess nivå följer djupet.")
    text: Markdown | None = Field(None, description="Text under rubriken; kan ha rader "
                                                    "[tabell: id] och [diagram: id].")
    block: list[Block] = Field(default_factory=list, description="Innehållet, i ordning.")
    avsnitt: list[Section] = Field(default_factory=list, description="Underavsnitt.")
    ny_sida: JaNej = Field(False, description="ja för att börja avsnittet på en ny sida.")
    #: Where the section is in the main file: "disposition[3]"; set as the model is built.
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

    def walk(self) -> list[Section]:
        """This section and every section below it, depth first."""
        return [self, *(x for sub in self.avsnitt for x in sub.walk())]


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
    amount itself is computed in :mod:`vbgen.derive.goals`.
    """

    resultat: str | None = Field(
        None, description="Årets resultat mot budget, hämtat ur en tabell som i [tal: …]: "
                          "\"drift | Totalt | avvikelse\". Beslutet gäller talet som "
                          "tabellen visar det, i tkr.")
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


# --- Texts that place tables and charts ---

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


class Quantity(_Strict):
    """A quantity that several tables show, each with the same figure."""

    namn: str = Field(description="Storhetens namn, som felmeddelanden nämner den: Årets "
                                  "resultat.")
    tal: list[str] = Field(
        min_length=2, description="Var tabellerna visar den, skrivet som i [tal: …]: "
                                  "\"drift | Årets resultat | avvikelse\"; belopp efter en "
                                  "sista | jämför talet utan tecken.")


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
    storheter: list[Quantity] = Field(
        default_factory=list, description="Storheter som flera tabeller visar: vbgen kontrollera "
                                          "säger till när tabellerna visar olika tal.")
    disposition: list[Section] = Field(
        min_length=1, description="Rapportens avsnitt i ordning, med rubriker och innehåll.")
    texter: dict[str, Markdown] = Field(
        default_factory=dict, description="Gemensamma texter, oftast från kommunprofilen; "
                                          "visas med text: {kommun: namn}.")
    uppdragsstatus: list[str] = Field(
        default_factory=lambda: ["Klart", "Pågår", "Ej klart i år"],
        description="De statusar ett uppdrag får ha.")
    indikatorer_fil: str | None = Field(
        None, description="Filen med målens indikatorer; som standard indikatorer.csv eller "
                          "indikatorer.xlsx.")
    indikatormarkeringar: dict[str, str] = Field(
        default_factory=dict, description="Vad markeringarna i indikatorernas kolumn not "
                                          "betyder, till exempel '\"*\": Egen mätning.'; "
                                          "förklaringen står under varje indikatortabell "
                                          "där markeringen används.")
    uppdrag_fil: str | None = Field(
        None, description="Filen med nämndens uppdrag; som standard uppdrag.csv eller "
                          "uppdrag.xlsx.")
    diagram: list[DiagramDef] = Field(default_factory=list)
    kallor: GoalTableSources = Field(
        default_factory=lambda: GoalTableSources.model_validate({}),
        description="Källorna under tabellerna som vbgen gör av målträdet: målbedömningen och "
                    "uppdragen. Indikatortabellerna har indikatorernas egna källor och en "
                    "deklarerad tabell sin kalla.")
    tjanstskrivelse: Tjanstskrivelse | None = None
    kolada: KoladaSettings | None = Field(
        None, description="Kommunens id i Kolada och jämförelsekommunerna, för vbgen kolada; "
                          "oftast i kommunprofilen.")
    #: The file each text read with {fil: …} came from, by its place: {"mal[1].analys":
    #: "text/m1-analys.md"}.
    textkallor: SkipJsonSchema[dict[str, str]] = Field(default_factory=dict, exclude=True)
    #: The places whose text is shared through the kommun profile: its top-level fields
    #: ("disposition") and each {kommun: …} text.
    gemensamma_texter: SkipJsonSchema[set[str]] = Field(default_factory=set, exclude=True)
    #: The places marked as not available ({saknas: skäl}), with the reason: {"mal[2].analys":
    #: "…"}.
    utelamnade: SkipJsonSchema[dict[str, str]] = Field(default_factory=dict, exclude=True)

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

    @model_validator(mode="after")
    def _place(self) -> Meta:
        # Each goal's level and place, and each section's place, are known once the model
        # is built, so that no later stage has to fill them in.
        def goal(g: Goal, niva: int, where: str) -> None:
            g.niva, g.plats = niva, where
            for k, child in enumerate(g.under):
                goal(child, niva + 1, f"{where}.under[{k + 1}]")

        def section(s: Section, where: str) -> None:
            s.plats = where
            for k, sub in enumerate(s.avsnitt):
                section(sub, f"{where}.avsnitt[{k + 1}]")

        for i, top in enumerate(self.mal):
            goal(top, 1, f"mal[{i + 1}]")
        for i, s in enumerate(self.disposition):
            section(s, f"disposition[{i + 1}]")
        return self


class Report(Meta):
    """Everything one verksamhetsberättelse is built from."""

    #: Charts by id, with their figures read from the files named in ``diagram``.
    diagramdata: dict[str, Any] = Field(default_factory=dict, exclude=True)
    #: The declared tables, read and typed, by id.
    tabelldata: dict[str, Any] = Field(default_factory=dict, exclude=True)
    #: Where each text of the data stands (file and line), for messages about its content.
    textursprung: SkipJsonSchema[Origins] = Field(default_factory=Origins, exclude=True)

    def all_goals(self) -> list[Goal]:
        """Every goal of the tree, depth first."""
        return [g for top in self.mal for g in top.walk()]

    def all_sections(self) -> list[Section]:
        """Every section of the outline, depth first."""
        return [x for top in self.disposition for x in top.walk()]

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

    def goal_parts(self, goal: Goal) -> list[GoalPart]:
        """The parts of ``goal``'s section in the goal report, in order: those its level
        shows that the goal has, and those it requires (shown as a gap when missing)."""
        level = self.level_name(goal.niva)
        shown = level.delar if level.delar is not None else GOAL_PARTS
        if level.kravs is not None:
            required: tuple[str, ...] | list[str] = level.kravs
        else:
            required = ASSESSED_PARTS if goal.niva == self.assessed_level else ()
        out = []
        for key, heading in shown.items():
            has = (goal.maluppfyllelse is not None if key == "maluppfyllelse"
                   else bool(self.indicator_scope(goal)) if key == "indikatorer"
                   else bool(goal.uppdrag) if key == "uppdrag"
                   else bool(getattr(goal, key)))
            # Indicators of the goals below, in their own tables, are the goal's too.
            gap = key in required and not (key == "indikatorer" and goal.antal_indikatorer())
            if has or gap:
                out.append(GoalPart(key, heading, gap))
        return out

    def shown_goals(self, ids: list[str] | None) -> list[Goal]:
        """The goals with ``ids`` in the tree's order, or every goal of the top level."""
        if not ids:
            return list(self.mal)
        return [g for g in self.all_goals() if g.id in ids]

    def indicator_scope(self, goal: Goal) -> list[Indicator]:
        """The indicators of ``goal``'s indicator table: its own, or, when its level collects
        them, also those of the goals under it; none when a level above collects them."""
        chain = self.goal_chain(goal)
        if any(self.level_name(g.niva).indikatortabell.samla for g in chain[:-1]):
            return []
        collect = self.level_name(goal.niva).indikatortabell.samla
        return [i for g in (goal.walk() if collect else [goal]) for i in g.indikatorer]

    def goal_chain(self, goal: Goal) -> list[Goal]:
        """The goals from the top of the tree down to ``goal``."""
        def path(goals: list[Goal]) -> list[Goal]:
            for g in goals:
                if g is goal:
                    return [g]
                below = path(g.under)
                if below:
                    return [g, *below]
            return []
        return path(self.mal)

    def placed_tables(self) -> list[str]:
        """The declared tables the outline shows, in its order, each once: with a tabell or
        kort block, or a [tabell: id] line in a text."""
        found: list[str] = []

        def text(value: str | None) -> None:
            found.extend(m.group(2) for m in TABLE_MARK.finditer(value or "")
                         if m.group(1) == "tabell")

        for s in self.all_sections():
            text(s.text)
            for b in s.block:
                if b.typ == "tabell":
                    found.append(b.table_id)
                elif b.typ == "kort":
                    found.append(b.varde.tabell)
                elif b.typ == "text":
                    text(b.varde)
        for g in self.all_goals():
            for name in ("beskrivning", "motivering", "analys", "genomfort_arbete"):
                text(getattr(g, name))
        return list(dict.fromkeys(found))

    def table_sources(self) -> list[tuple[str, str]]:
        """The caption and source of each declared table the report shows that names one."""
        by_id = {t.id: t for t in self.tabeller}
        return [(plain(t.rubrik) if t.rubrik else t.id, t.kalla) for i in self.placed_tables()
                if (t := by_id.get(i)) is not None and t.kalla]

    def indicator_columns(self) -> tuple[bool, bool]:
        """Whether indicator tables show etappmål and målvärde: when any indicator has one,
        so every indicator table of the report has the same columns."""
        indicators = [i for g in self.all_goals() for i in g.indikatorer]
        # A column emptied for a new year stays, its missing etappmål shown as gaps.
        return (any(i.etappmal is not None or i.etappmal_foregaende is not None
                    for i in indicators),
                any(i.malvarde is not None for i in indicators))

    def goal_years(self, goal: Goal) -> list[int]:
        """The years the indicators of ``goal`` have values for, oldest first."""
        return sorted({y for i in goal.indikatorer for y in i.values})

    def level(self, text: str | None) -> Level | None:
        return next((lv for lv in self.skala if lv.text == text), None)

    def textdelar(self, text: str | None) -> list[TextDel]:
        """Prose split at its ``[diagram: id]`` marks, for templates."""
        return text_parts(text)


def _is_markdown(annotation: Any) -> bool:
    """Whether a field of this type holds Markdown prose (possibly left out)."""
    if annotation == Markdown:
        return True
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and \
        Markdown in typing.get_args(annotation)


def markdown_fields(model: BaseModel, where: str = "") -> Iterator[tuple[str, str | None]]:
    """The place in vb.yaml ("mal[1].under[2].analys") and value of every Markdown field of
    ``model`` and of the models in it, given or not; in a block, only the one field given."""
    one_of = (model.model_config.get("json_schema_extra") or {}) == {"minProperties": 1,
                                                                      "maxProperties": 1}
    for name, info in type(model).model_fields.items():
        if info.exclude or (one_of and name not in model.model_fields_set):
            continue  # filled by vbgen rather than from the main file; another kind of block
        place = f"{where}.{name}" if where else name
        value = getattr(model, name)
        if _is_markdown(info.annotation):
            yield place, value
        elif isinstance(value, BaseModel):
            yield from markdown_fields(value, place)
        elif isinstance(value, list):
            for i, item in enumerate(value, start=1):
                if isinstance(item, BaseModel):
                    yield from markdown_fields(item, f"{place}[{i}]")
