"""Read the goal tree's files (``indikatorer.csv``, ``uppdrag.csv``) into indicators and
assignments, and hang them on their goals."""


from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..fmt import NumberError, parse_number
from ..model.prosa import Path_
from ..model.prosa import dotted as _dotted
from ..model.report import (
    MAIN_FILE,
    UNAVAILABLE_MARK,
    Indicator,
    Report,
    Source,
    Unavailable,
    Uppdrag,
)
from ..model.tables import RANK
from ..paths import (
    OUTSIDE,
    present,
    within,
)
from .files import TABLE_SUFFIXES, misspelt_columns, number_message, read_any, read_rows
from .mainfile import Lines, line_for


class _Row:
    """Typed access to one table row, recording problems instead of raising."""

    def __init__(self, file: str, line: int, cells: dict[str, str], problems: list[Problem],
                 columns: set[str] | None = None):
        self.file, self.line, self.cells, self.problems = file, line, cells, problems
        self.ok = True
        #: Every column the row builder asked for, known or not.
        self.columns = columns if columns is not None else set()

    @property
    def source(self) -> Source:
        return Source(self.file, self.line)

    def _fail(self, column: str, message: str) -> None:
        self.ok = False
        self.problems.append(Problem(self.file, message, self.line, column, "kolumn"))

    def text(self, column: str, required: bool = False) -> str:
        self.columns.add(column)
        value = self.cells.get(column, "")
        if required and not value:
            if column not in self.cells:
                self._fail(column, "kolumnen saknas i rubrikraden")
            else:
                self._fail(column, "värde saknas men krävs")
        return value

    def number(self, column: str, required: bool = False) -> float | None:
        raw = self.text(column, required)
        if not raw:
            return None
        try:
            value = parse_number(raw)
        except NumberError as exc:
            self._fail(column, number_message(exc, raw))
            return None
        if value is None and required:
            self._fail(column, "värde saknas men krävs")
        return value

    def choice(self, column: str, allowed: list[str] | tuple[str, ...]) -> str:
        value = self.text(column, required=True)
        if value and value not in allowed:
            # Accept a different case, as typed by hand.
            match = next((a for a in allowed if a.lower() == value.lower()), None)
            if match is None:
                options = ", ".join(f'"{a}"' for a in allowed)
                self._fail(column, f'okänt värde "{value}"; tillåtna värden: {options}')
                return value
            return match
        return value


def read_goal_file(folder: Path, kind: str, ctx: Context, problems: list[Problem]) -> list[Any]:
    """The indicators or the uppdrag of the goal tree (``kind``), a row each, from the file
    the main file names, or from the file with the kind's name."""
    build, given = _GOAL_FILES[kind], ctx.files.get(kind)
    if given is not None:
        path = within(folder, given)
        where: Path_ = (f"{kind}_fil",)
        if path is None or not present(path) or path.suffix.lower() not in TABLE_SUFFIXES:
            what = (OUTSIDE if path is None else "finns inte i mappen" if not present(path)
                    else "ska vara en .csv- eller .xlsx-fil")
            problems.append(Problem(MAIN_FILE, f'filen "{given}" {what}',
                                    line_for(ctx.lines, where), _dotted(where)))
            return []
        file, rows = path.relative_to(folder).as_posix(), read_any(folder, path, problems)
    else:
        file, rows = read_rows(folder, kind, problems)
    out = []
    columns: set[str] = set()
    for line, cells in rows:
        row = _Row(file, line, cells, problems, columns)
        item = build(row, ctx)
        if row.ok:
            out.append(item)
    if rows:
        problems.extend(misspelt_columns(file, list(rows[0][1]), columns))
    return out


@dataclass(frozen=True)
class Context:
    """What the readers of indicators and uppdrag need from the main file: the year, the
    statuses an uppdrag may have, and the files the main file names for them (at its
    lines)."""

    ar: int
    statuses: list[str]
    files: dict[str, str]
    lines: Lines


_YEAR = re.compile(r"^\d{4}$")


_COMPARATOR = re.compile(r"^(≥|>=|≤|<=|>|<)\s*(.+)$")


_WORDS = re.compile(r"[A-Za-zÅÄÖåäöÉé]")


def _goal_column(r: _Row) -> str:
    """The column naming a row's goal: ``mål``, or ``nämndmål`` as many nämnder write it."""
    return "mål" if "mål" in r.cells or "nämndmål" not in r.cells else "nämndmål"


def _target(r: _Row, column: str) -> tuple[float | str | None, str]:
    """An etappmål or målvärde: a number, a number after ≥ or ≤, or a text."""
    raw = r.text(column)
    if not raw:
        return None, ""
    m = _COMPARATOR.match(raw)
    sign, rest = (m.group(1).replace(">=", "≥").replace("<=", "≤"), m.group(2)) if m else ("", raw)
    try:
        return parse_number(rest), sign
    except NumberError as exc:
        if _WORDS.search(rest):
            return raw, ""
        r._fail(column, number_message(exc, raw) if exc.kind != "tal" else
                f'förväntade ett tal (gärna efter ≥ eller ≤) eller en text, fick "{raw}"')
        return None, ""


def _unavailable(r: _Row, column: str) -> Unavailable | None:
    """A cell marked as not available: ``..`` and the reason (``.. publiceras i april``)."""
    raw = r.text(column)
    if not raw.startswith(UNAVAILABLE_MARK):
        return None
    reason = raw[len(UNAVAILABLE_MARK):].strip(" :–-")
    if not reason:
        r._fail(column, f'skriv skälet efter "{UNAVAILABLE_MARK}", till exempel '
                        f'"{UNAVAILABLE_MARK} Statistiken publiceras i april"')
    return Unavailable(reason)


def _indicator_value(r: _Row, column: str) -> float | str | Unavailable | None:
    """A year's value: a number, a rank among others such as ``19/26``, or not available."""
    m = RANK.match(r.text(column))
    if m:
        return f"{m.group(1)}/{m.group(2)}"
    return _unavailable(r, column) or r.number(column)


def _indicator(r: _Row, ctx: Context) -> Indicator:
    years = sorted(int(k) for k in r.cells if _YEAR.match(k))
    if str(ctx.ar) not in r.cells:
        r._fail(str(ctx.ar), "kolumnen saknas i rubrikraden")
    values = {y: _indicator_value(r, str(y)) for y in years}
    riktning = r.text("riktning").lower() or "hög"
    if riktning not in ("hög", "låg"):
        r._fail("riktning", f'okänt värde "{riktning}"; tillåtna värden: "hög", "låg"')
    kon = r.text("kön").upper()
    if kon not in ("", "K", "M", "T"):
        r._fail("kön", f'okänt värde "{kon}"; tillåtna värden: "K", "M", "T" eller tomt')
    etappmal: float | str | Unavailable | None
    etappmal, sign = _unavailable(r, "etappmål"), ""
    if etappmal is None:
        etappmal, sign = _target(r, "etappmål")
    malvarde, malvarde_sign = _target(r, "målvärde")
    column = _goal_column(r)
    return Indicator(
        mal=r.text(column, True), mal_kolumn=column, namn=r.text("indikator", True),
        not_=r.text("not"), values=values,
        etappmal=etappmal, jamforelse=sign, malvarde=malvarde,
        etappmal_foregaende=_target(r, "etappmål föregående år")[0],
        malvarde_jamforelse=malvarde_sign, hog_ar_bra=riktning != "låg",
        kalla=r.text("källa"), kolada_id=r.text("kolada id"), kon=kon, source=r.source)


def _uppdrag(r: _Row, ctx: Context) -> Uppdrag:
    column = _goal_column(r)
    return Uppdrag(mal=r.text(column, True), mal_kolumn=column,
                   status=r.choice("status", ctx.statuses),
                   ursprung=r.text("ursprung"), text=r.text("uppdrag", True),
                   kommentar=r.text("kommentar"), source=r.source)


#: The readers of the goal tree's files, by the kind (and default name) of each.
_GOAL_FILES: dict[str, Callable[[_Row, Context], Any]] = {
    "indikatorer": _indicator, "uppdrag": _uppdrag}


def attach(report: Report, indikatorer: list[Indicator], uppdragen: list[Uppdrag],
            problems: list[Problem]) -> None:
    by_id = {g.id: g for g in report.all_goals() if g.id}
    known = ", ".join(by_id) or "inga (ge målen id i vb.yaml)"
    items: list[Indicator | Uppdrag] = [*indikatorer, *uppdragen]
    for item in items:
        goal = by_id.get(item.mal)
        if goal is None:
            problems.append(Problem(item.source.file,
                                    f'okänt mål "{item.mal}"; kända id: {known}',
                                    item.source.row, item.mal_kolumn, "kolumn"))
        elif isinstance(item, Indicator):
            goal.indikatorer.append(item)
        else:
            goal.uppdrag.append(item)

def check_kon(indikatorer: list[Indicator], problems: list[Problem]) -> None:
    """An indicator reported by kön has its rows K, M and T together, each once, and a T
    row: only the total counts towards the goal, so without it the indicator would vanish
    from the counts without a word."""
    groups: dict[tuple[str, str], list[tuple[int, Indicator]]] = {}
    for i, ind in enumerate(indikatorer):
        if ind.kon:
            groups.setdefault((ind.mal, ind.namn), []).append((i, ind))
    words = {"K": "kvinnor (K)", "M": "män (M)", "T": "totalt (T)"}
    for (_, name), rows in groups.items():
        seen: dict[str, Indicator] = {}
        for k, (i, ind) in enumerate(rows):
            if ind.kon in seen:
                first = seen[ind.kon].source.row
                problems.append(Problem(ind.source.file, f'indikatorn "{name}" har redan en rad '
                                        f"för {words[ind.kon]} (rad {first})", ind.source.row,
                                        "kön", "kolumn"))
            seen.setdefault(ind.kon, ind)
            if k + 1 < len(rows) and rows[k + 1][0] != i + 1:
                problems.append(Problem(ind.source.file, f'raderna för indikatorn "{name}" '
                                        "ska stå direkt efter varandra (K, M och T), men en "
                                        "annan rad står emellan", ind.source.row, "kön",
                                        "kolumn"))
        if "T" not in seen:
            last = rows[-1][1]
            problems.append(Problem(last.source.file, f'indikatorn "{name}" har rader per kön '
                                    "men ingen för totalt; lägg till en rad med kön T (bara "
                                    "den räknas i målets indikatorer)", last.source.row, "kön",
                                    "kolumn"))
