"""The figure-citing mark: a figure of the data written into prose, as its table shows it.

::

    [tal: TABELL | RAD | KOLUMN]                [tal: drift | Summa | avvikelse]
    [tal: TABELL | RAD | KOLUMN | VAL, VAL…]     [tal: drift | Summa | avvikelse | mnkr, belopp]

TABELL is a declared table's id, or ``indikator`` for the indicators; RAD the text of the row
in the table's key column (``nyckel``, else its first text column), spaces evened out; KOLUMN a
column's id, read or derived, shown or not (for an indicator: a year, ``etappmal`` or
``malvarde``). The figure is the value the table shows, rounded as it shows it, so that a
sentence follows the data next year and never disagrees with its table.

:func:`check` finds, when the data is loaded, every mark that names nothing, at the mark's own
file and line; :func:`cite` gives what a mark shows when a document is composed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from .. import fmt, sprak
from ..derive import tables
from ..errors import Problem
from ..model import prosa
from ..model.report import UNITS, Report, Unavailable
from ..model.tables import NOT_COMPARABLE, DataRow, DataTable, Value
from . import tabellvy

#: A mark as prose writes it: on one line, without brackets inside.
MARK = re.compile(r"\[tal:([^\[\]\n]*)\]")
#: The source that names the indicators rather than a declared table.
INDICATORS = "indikator"
#: An indicator's columns besides its years.
INDICATOR_COLUMNS = ("etappmal", "malvarde")
#: An amount in prose: the word after the figure, and its decimals unless the mark says.
AMOUNT_UNITS = {"kr": ("kronor", 0), "tkr": ("tkr", 0), "tusen": ("tusen kronor", 0),
                "mnkr": ("miljoner kronor", 1)}
#: Other units for prose: the word after the figure.
OTHER_UNITS = {"procent": "procent", "procentenheter": "procentenheter"}
#: The options a mark takes, as messages list them.
OPTIONS = ("kr, tkr, tusen, mnkr, procent, procentenheter, belopp, decimaler: N, talord, "
           "talord: ett, ord: positivt/negativt/noll")
#: How a mark is written, for messages.
FORM = "[tal: tabell | rad | kolumn] eller [tal: tabell | rad | kolumn | val, val]"

class CitationError(ValueError):
    """A mark that cannot be read or names nothing; the message is Swedish, for the user."""


@dataclass(frozen=True)
class Options:
    """How a mark shows its figure."""

    #: "", an amount unit (kr, tkr, mnkr), "procent" or "procentenheter".
    unit: str = ""
    #: The absolute value ("belopp"): for "4,5 miljoner kronor mer än budgeterat".
    absolute: bool = False
    decimals: int | None = None
    #: "en" or "ett" to write a whole number up to tolv as a word ("talord").
    number_word: str = ""
    #: The word for a positive, a negative and (when given) a zero figure, shown instead of
    #: the figure ("ord: överskott/underskott/i nivå med budget").
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mark:
    """A mark as read: its source, row, column and options, and the mark as written."""

    text: str
    table: str
    row: str
    column: str
    options: Options


@dataclass(frozen=True)
class Cited:
    """What a mark shows: the figure's text, or what its cell lacks where it would stand."""

    mark: str
    text: str
    #: The cell's gap (what, and where to fill it: "drift.csv, rad 4, kolumn utfall"), or
    #: its value not available with the reason; None when the value is there.
    gap: tabellvy.CellGap | None = None


def _norm(text: str) -> str:
    return " ".join(text.split())


def parse(text: str) -> Mark:
    """Read a mark (``[tal: …]``); raise :class:`CitationError` when it is not one."""
    m = MARK.fullmatch(text.strip())
    parts = [p.strip() for p in m.group(1).split("|")] if m else []
    if len(parts) not in (3, 4) or not all(parts[:3]):
        raise CitationError(f"markeringen {text.strip()} kan inte läsas; skriv {FORM}")
    return Mark(text.strip(), parts[0], _norm(parts[1]), parts[2],
                _options(parts[3]) if len(parts) == 4 else Options())


def _options(text: str) -> Options:
    words: tuple[str, ...] = ()
    said = re.search(r"(?:^|,)\s*ord\s*:(.*)$", text)
    if said:
        # The words come last: they may hold commas of their own.
        words = tuple(w.strip() for w in said.group(1).split("/"))
        if not 2 <= len(words) <= 3 or not all(words):
            raise CitationError("ord: skriv två eller tre ord åtskilda med /: för ett positivt "
                                "tal, ett negativt och (om det ska sägas på ett eget sätt) noll")
        text = text[:said.start()]
    unit, absolute, decimals, number_word = "", False, None, ""
    for part in (p.strip() for p in text.split(",")):
        key = part.lower()
        if not key:
            continue
        if key in AMOUNT_UNITS or key in OTHER_UNITS:
            if unit:
                raise CitationError(f"två enheter ({unit} och {key}); välj en")
            unit = key
        elif key == "belopp":
            absolute = True
        elif m := re.fullmatch(r"decimaler\s*:\s*(\d)", key):
            decimals = int(m.group(1))
        elif m := re.fullmatch(r"talord(?:\s*:\s*(en|ett))?", key):
            number_word = m.group(1) or "en"
        else:
            raise CitationError(f'okänt val "{part}"; välj bland {OPTIONS}')
    if words and number_word:
        raise CitationError("ord: och talord går inte att välja samtidigt")
    return Options(unit, absolute, decimals, number_word, words)


# --- What a mark names ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    """A figure as its table shows it."""

    value: float | str | date | None
    #: The column's type: belopp, procent, heltal, tal, text, rang or datum.
    kind: str
    #: The text the table shows, without a note mark.
    shown: str
    #: The number in the unit the table shows, and the decimals it is shown with.
    number: float | None
    decimals: int | None
    #: For an amount: kronor per unit of ``value``, and per unit of ``number``.
    kronor: float
    unit: float = 1.0
    #: What stands instead of a missing figure: the cell's gap, or its value not available.
    gap: tabellvy.CellGap | None = None


def _nearest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    shown = close or known[:8]
    if not shown:
        return "det finns inga"
    more = "" if close or len(known) <= 8 else ", …"
    return ("närmast: " if close else "de finns: ") + ", ".join(f'"{k}"' for k in shown) + more


def _declared(report: Report, mark: Mark) -> _Figure:
    table = report.tabelldata.get(mark.table)
    if table is None:
        known = [*report.tabelldata, INDICATORS]
        raise CitationError(f'tabellen "{mark.table}" finns inte under tabeller; '
                            f"{_nearest(mark.table, known)}")
    decl = table.decl
    column = table.column(mark.column)
    if column is None:
        known = [str(c.id) for c in decl.kolumner]
        raise CitationError(f'kolumnen "{mark.column}" finns inte i tabellen "{decl.id}"; '
                            f"{_nearest(mark.column, known)}")
    row = find_row(table, mark.row)
    value = row.cells.get(str(column.id))
    gap = tabellvy.cell_gap(table, row, column, needed=True)
    if gap is not None and value is not None and value.mark == NOT_COMPARABLE:
        # The table shows "–" for such a change; a sentence cannot say it.
        gap = replace(gap, plats=f"{gap.plats} (förändringen i procent redovisas inte när "
                                 "jämförelsevärdet är noll eller negativt)")
    plain = None if value is None else Value(value.value)
    return _Figure(None if value is None else value.value, column.typ,
                   tables.show_value(table, column, plain),
                   tables.display_number(table, column, plain), tables.decimals(table, column),
                   float(UNITS[decl.enhet]),
                   float(UNITS[decl.shown_unit]) if column.typ == "belopp" else 1.0, gap)


def find_row(table: DataTable, name: str) -> DataRow:
    """The row of ``table`` whose key column reads ``name``; raise :class:`CitationError`
    naming the nearest names when none does, and the lines when several do."""
    decl = table.decl
    key = decl.key_column
    if key is None:
        raise CitationError(f'tabellen "{decl.id}" har ingen textkolumn som namnger raderna; '
                            "ange nyckel: för tabellen i vb.yaml")
    found = tabellvy.find_rows(table, name)
    if not found:
        names = [n for n in tabellvy.row_names(table) if n]
        raise CitationError(f'raden "{_norm(name)}" finns inte i tabellen "{decl.id}" (kolumnen '
                            f'"{key.id}"); {_nearest(_norm(name), names)}')
    if len(found) > 1:
        lines = " och ".join(str(r.source.row) for r in found if r.source)
        raise CitationError(f'raden "{_norm(name)}" står flera gånger i tabellen "{decl.id}" '
                            f"({decl.fil}, rad {lines}); ge raderna olika namn")
    return found[0]


def _indicator(report: Report, mark: Mark) -> _Figure:
    indicators = [i for g in report.all_goals() for i in g.indikatorer]
    names = [_norm(tabellvy.indicator_name(i)) for i in indicators]
    found = [i for i, name in zip(indicators, names, strict=True)
             if name == mark.row or (i.kolada_id and i.kolada_id == mark.row)]
    if not found:
        raise CitationError(f'indikatorn "{mark.row}" finns inte; {_nearest(mark.row, names)}')
    if len(found) > 1:
        goals = ", ".join(i.mal for i in found)
        raise CitationError(f'indikatorn "{mark.row}" finns under flera mål ({goals}); ge dem '
                            "olika namn")
    ind = found[0]
    comparator = ""
    years = [str(y) for y in report.goal_years(report.goal(ind.mal))]
    column: int | str
    if mark.column == "etappmal":
        column, value, comparator = tabellvy.ETAPPMAL, ind.etappmal, ind.jamforelse
    elif mark.column == "malvarde":
        column, value, comparator = tabellvy.MALVARDE, ind.malvarde, ind.malvarde_jamforelse
    elif mark.column in years:
        column = int(mark.column)
        value = ind.values.get(column)
    else:
        raise CitationError(f'kolumnen "{mark.column}" finns inte för indikatorn; välj '
                            + ", ".join([*years, *INDICATOR_COLUMNS]))
    gap = (tabellvy.indicator_gap(ind, column, report.ar)
           if value is None or isinstance(value, Unavailable) else None)
    if isinstance(value, Unavailable):
        value = None
    number = float(value) if isinstance(value, int | float) else None
    shown = fmt.MISSING if value is None else value if isinstance(value, str) else \
        tabellvy.indicator_number(ind, value)
    if comparator and number is not None:
        shown = f"{comparator}{fmt.NBSP}{shown}"  # as the indicator table shows it
    return _Figure(value, "tal" if isinstance(value, int | float | None) else "text", shown,
                   number, tabellvy.indicator_decimals(ind), 1.0, gap=gap)


def _figure(report: Report, mark: Mark) -> _Figure:
    if mark.table == INDICATORS and mark.table not in report.tabelldata:
        return _indicator(report, mark)
    return _declared(report, mark)


# --- What a mark shows ------------------------------------------------------------------------


def _show(figure: _Figure, o: Options) -> str:
    """The figure as the mark shows it; the options are checked against the column first."""
    numeric = figure.kind in ("belopp", "procent", "heltal", "tal")
    if o.unit in AMOUNT_UNITS and figure.kind != "belopp":
        raise CitationError(f"{o.unit} gäller belopp, men kolumnen är av typen {figure.kind}")
    if o.unit == "procent" and figure.kind != "procent":
        raise CitationError(f"procent gäller en kolumn av typen procent, men kolumnen är av "
                            f"typen {figure.kind}; skriv procentenheter för en skillnad")
    if (o.unit or o.absolute or o.decimals is not None or o.number_word or o.words) \
            and not numeric and figure.value is not None:
        raise CitationError(f"kolumnen är av typen {figure.kind}; val som {OPTIONS} gäller tal")
    scaled = _scaled(figure, o)
    if scaled is None:
        return figure.shown
    number, decimals, word, _ = scaled
    rounded = fmt.shown(number, decimals)
    if o.words:
        return sprak.by_sign(rounded, o.words)
    if o.number_word:
        if rounded != rounded.to_integral_value():
            raise CitationError(f"talord gäller hela tal, men talet visas som "
                                f"{fmt.number(number, decimals)}")
        return sprak.number_word(int(rounded), o.number_word)
    if not (o.unit or o.absolute or o.decimals is not None):
        return figure.shown  # exactly the table's text
    text = fmt.number(number, decimals)
    if word:
        return f"{text} {word}"
    return f"{text}{fmt.NBSP}%" if figure.kind == "procent" else text


def _scaled(figure: _Figure, o: Options) -> tuple[float, int | None, str, float] | None:
    """The figure's number as the options show it: the number, its decimals, the word after
    it and the kronor (for an amount, else 1) per unit of the number; None without one."""
    value = figure.value
    if figure.gap is not None or not isinstance(value, int | float):
        return None
    decimals: int | None
    if o.unit in AMOUNT_UNITS:
        word, default = AMOUNT_UNITS[o.unit]
        unit = float(UNITS["tkr" if o.unit == "tusen" else o.unit])
        number = float(value) * figure.kronor / unit
        decimals = default if o.decimals is None else o.decimals
    else:
        word = OTHER_UNITS.get(o.unit, "")
        number = float(figure.number if figure.number is not None else value)
        decimals = figure.decimals if o.decimals is None else o.decimals
        unit = figure.unit
    return abs(number) if o.absolute else number, decimals, word, unit


@dataclass(frozen=True)
class Amount:
    """A cited figure as a number, as it is shown: its value and the precision it is shown
    with, both in kronor for an amount (else in its own unit), and its kind."""

    value: Decimal
    precision: Decimal
    #: "belopp" for an amount, "tal" for any other number.
    kind: str
    #: The figure as the mark shows it.
    text: str

    def tkr(self) -> float:
        """An amount in tkr."""
        return float(self.value / UNITS["tkr"])

    def agrees(self, other: Amount) -> bool:
        """Whether some exact figure could be shown as both: they differ by less than half
        of their precisions together."""
        return abs(self.value - other.value) < (self.precision + other.precision) / 2


def amount(report: Report, text: str) -> Amount | None:
    """The figure the mark ``text`` (with or without ``[tal: …]`` around it) shows, as a
    number rounded as shown; None where the value is missing or is no number. Raise
    :class:`CitationError` for a mark that names nothing."""
    text = text.strip()
    mark = parse(text if text.startswith("[") else f"[tal: {text}]")
    figure = _figure(report, mark)
    shown = _show(figure, mark.options)
    scaled = _scaled(figure, mark.options)
    if scaled is None or mark.options.words or mark.options.number_word:
        return None
    number, decimals, _, unit = scaled
    rounded = fmt.shown(number, decimals)
    exponent = rounded.as_tuple().exponent
    places = decimals if decimals is not None else max(0, -int(exponent))
    precision = Decimal(1).scaleb(-places)
    scale = Decimal(str(unit))
    return Amount(rounded * scale, precision * scale,
                  "belopp" if figure.kind == "belopp" else "tal", shown)


def cite(report: Report, text: str) -> Cited:
    """What the mark ``text`` shows in ``report``; raise :class:`CitationError` for a mark
    that cannot be read or names nothing. A missing value is no error: it is a gap, and a
    value not available shows as such."""
    mark = parse(text)
    figure = _figure(report, mark)
    shown = _show(figure, mark.options)
    if figure.gap is not None:
        return Cited(mark.text, "", figure.gap)
    return Cited(mark.text, shown)


def marks(text: str) -> Iterator[re.Match[str]]:
    """Every mark in ``text``, in order."""
    return MARK.finditer(text)


def _places(report: Report) -> list[tuple[prosa.Path_, str]]:
    """The data's prose where marks may stand, by place: the texts and the tables' notes."""
    return [*prosa.texts(report),
            *((("tabeller", i, "noter", j), note) for i, decl in enumerate(report.tabeller)
              for j, note in enumerate(decl.noter))]


def _cells(report: Report) -> Iterator[tuple[DataTable, DataRow, str, str]]:
    """The text cells of the declared tables, where marks may stand too: table, row, the
    column's name in the file and the text."""
    for table in report.tabelldata.values():
        for row in table.rows:
            for column in table.decl.kolumner:
                value = row.cells.get(str(column.id))
                if column.typ == "text" and value is not None and isinstance(value.value, str):
                    yield table, row, str(column.kolumn), value.value


def cited_tables(report: Report) -> set[str]:
    """The tables the marks of the data cite from."""
    texts = [t for _, t in _places(report)] + [t for *_, t in _cells(report)]
    return {m.group(1).split("|")[0].strip() for t in texts for m in marks(t)}


def check(report: Report) -> list[Problem]:
    """Every mark of the data that cannot be read or names nothing, at its own file and
    line: in the texts, in the tables' notes and in their text cells."""
    problems: list[Problem] = []
    origins = report.textursprung
    # A table whose file could not be read has its own problem already.
    unread = {t.id for t in report.tabeller} - set(report.tabelldata)

    def fault(mark: str) -> str | None:
        try:
            if parse(mark).table in unread:
                return None
            cite(report, mark)
        except CitationError as exc:
            return str(exc)
        return None

    for path, text in _places(report):
        for m in marks(text):
            if (message := fault(m.group(0))) is not None:
                file, line, place = origins.locate(path, m.group(0))
                problems.append(Problem(file, message, line, place))
    for table, row, column, text in _cells(report):
        for m in marks(text):
            if (message := fault(m.group(0))) is not None:
                problems.append(Problem(table.decl.fil, message,
                                        row.source.row if row.source else None, column,
                                        "kolumn"))
    # A shared text met at two places is told once.
    return list(dict.fromkeys(problems))
