"""``vbgen kolada``: fill the cells the data names with Kolada's values.

Which cells: every year column of an indicator with a ``kolada_id`` (the kommun's value, of
the indicator's kön), and every cell of a declared table column with ``kolada:`` (the
kommun's, the län's, the riket's or a comparison kommun's value, or the kommun's rank among
the comparison kommuner). What is written is planned first (:func:`plan`): a value Kolada
does not have is an empty cell, a gap, never a zero; a cell typed by hand (not empty, not
the value the cache says vbgen wrote) is kept unless ``skriv_over``. The files are written
by the table writer ``vbgen ny`` uses and replaced as ``vbgen hamta`` replaces them, and
the cache beside them; a folder that then does not load is put back as it was.
"""

from __future__ import annotations

import datetime
import math
import os
import re
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import DataError, Problem
from ...fmt import NumberError, parse_number
from ...model.report import KPI_ID, KoladaSettings, Report
from ...model.tables import norm
from ...paths import Refused, check_file, within
from ..tabellfil import Grid, csv_bytes, read_grid, xlsx_bytes
from .cache import CACHE_FILE, Cache, CacheError, read, values_cache
from .client import DEFAULT_BASE, Client, KoladaError

#: Kolada's id of the whole country.
RIKET = "0000"
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Want:
    """The value one cell wants: a KPI, whose value (kommun, lan, riket, placering or a
    kommun id), the year and the kön."""

    kpi: str
    who: str
    ar: int
    kon: str = "T"
    hogst_forst: bool = True


@dataclass
class Target:
    """A cell to fill: its file, place in the grid, what a reader calls it, what it wants."""

    file: str
    #: The grid's key in :attr:`Plan.grids`: the file, and "#sheet" for a workbook's sheet.
    grid: str
    row: int
    col: int
    label: str
    column: str
    want: Want
    decimal: str = ","


@dataclass
class Cell:
    """A planned cell: what it holds, what Kolada gives, and whether it is written."""

    target: Target
    old: str
    new: str
    kept: bool = False

    @property
    def where(self) -> str:
        return f"{self.target.file}, rad {self.target.row + 2}, kolumn {self.target.column}"


@dataclass
class Plan:
    """Every cell Kolada fills, the grids to write and the cache to keep."""

    changes: list[Cell] = field(default_factory=list)
    kept: list[Cell] = field(default_factory=list)
    same: int = 0
    grids: dict[str, tuple[Path, Grid]] = field(default_factory=dict)
    cache: Cache | None = None


# --- Which cells ----------------------------------------------------------------------------


def _grid(folder: Path, name: str, sheet: str | None,
          grids: dict[str, tuple[Path, Grid]]) -> tuple[str, Grid]:
    key = name if sheet is None else f"{name}#{sheet}"
    if key not in grids:
        path = within(folder, name)
        if path is None:
            raise DataError([Problem(name, "filen ligger utanför datamappen")])
        grids[key] = (path, read_grid(path, sheet))
    return key, grids[key][1]


def _column(grid: Grid, name: str) -> int | None:
    wanted = norm(name)
    return next((i for i, h in enumerate(grid.header) if norm(h) == wanted), None)


def _text(grid: Grid, row: int, col: int) -> str:
    cells = grid.rows[row]
    value = cells[col] if col < len(cells) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _indicator_file(folder: Path, report: Report) -> str | None:
    if report.indikatorer_fil:
        return report.indikatorer_fil
    return next((n for n in ("indikatorer.csv", "indikatorer.xlsx")
                 if (folder / n).exists()), None)


def targets(folder: Path, report: Report, years: set[int] | None,
            grids: dict[str, tuple[Path, Grid]]) -> list[Target]:
    """Every cell the data says Kolada fills, in file order; ``years`` limits the years."""
    out: list[Target] = []
    problems: list[Problem] = []
    name = _indicator_file(folder, report)
    if name is not None:
        key, grid = _grid(folder, name, None, grids)
        id_col, kon_col = _column(grid, "kolada id"), _column(grid, "kön")
        year_cols = [(int(h), i) for i, h in enumerate(grid.header) if _YEAR.match(h.strip())]
        name_col = _column(grid, "indikator")
        for r in range(len(grid.rows)) if id_col is not None else ():
            kpi = _text(grid, r, id_col or 0)
            if not kpi:
                continue
            if not re.match(KPI_ID, kpi):
                problems.append(Problem(name, f"Kolada-id \u201d{kpi}\u201d ska vara en stor "
                                        "bokstav och fem siffror, till exempel U09401", r + 2,
                                        "kolada_id", "kolumn"))
                continue
            kon = (_text(grid, r, kon_col) if kon_col is not None else "") or "T"
            label = _text(grid, r, name_col) if name_col is not None else kpi
            label += {"K": ", kvinnor", "M": ", män"}.get(kon, "")
            for year, col in year_cols:
                if years is None or year in years:
                    out.append(Target(name, key, r, col, label, str(year),
                                      Want(kpi, "kommun", year, kon)))
    for decl in report.tabeller:
        specs = [c for c in decl.kolumner if c.kolada is not None]
        if not specs:
            continue
        key, grid = _grid(folder, decl.fil, decl.flik, grids)
        by_id = {(c.id or c.kolumn): c for c in decl.kolumner}
        mark = "." if decl.decimaltecken == "punkt" else ","
        for column in specs:
            spec = column.kolada
            assert spec is not None and column.kolumn is not None
            where = _column(grid, column.kolumn)
            year = spec.ar or report.ar
            if where is None or (years is not None and year not in years):
                continue
            source = by_id.get(spec.kpi_kolumn)
            id_col = _column(grid, source.kolumn) if source and source.kolumn else None
            for r in range(len(grid.rows)):
                kpi = spec.kpi or (_text(grid, r, id_col) if id_col is not None else "")
                if not kpi:
                    continue
                if not re.match(KPI_ID, kpi):
                    problems.append(Problem(decl.fil, f"Kolada-id \u201d{kpi}\u201d ska vara "
                                            "en stor bokstav och fem siffror, till exempel "
                                            "U09401", r + 2, spec.kpi_kolumn, "kolumn"))
                    continue
                label = next((_text(grid, r, i) for i in range(len(grid.header))
                              if i != id_col and _text(grid, r, i)), kpi)
                out.append(Target(decl.fil, key, r, where, label, column.kolumn,
                                  Want(kpi, spec.varde, year, spec.kon, spec.hogst_forst),
                                  mark))
    if problems:
        raise DataError(problems)
    return out


# --- What Kolada has ------------------------------------------------------------------------


def _group(settings: KoladaSettings) -> list[str]:
    return list(dict.fromkeys([settings.kommunkod, *settings.jamforelse]))


def _kommun_of(want: Want, settings: KoladaSettings) -> list[str]:
    if want.who == "kommun":
        return [settings.kommunkod]
    if want.who == "lan":
        return [settings.lan_id]
    if want.who == "riket":
        return [RIKET]
    if want.who == "placering":
        return _group(settings)
    return [want.who]


def asked(found: list[Target], settings: KoladaSettings) -> set[tuple[str, str, int, str]]:
    """Every value (KPI, kommun, year, kön) the cells need."""
    return {(t.want.kpi, k, t.want.ar, t.want.kon) for t in found
            for k in _kommun_of(t.want, settings)}


def fetch(client: Client, keys: set[tuple[str, str, int, str]], day: datetime.date) -> Cache:
    """Ask Kolada for ``keys``: the ids are checked first, so that an unknown KPI or
    kommun is named as such rather than as a missing value."""
    kpis = sorted({k[0] for k in keys})
    kommuner = sorted({k[1] for k in keys})
    titles = client.kpis(kpis)
    names = client.municipalities(kommuner)
    values = client.data(kpis, kommuner, sorted({k[2] for k in keys}))
    return values_cache(values, titles, names, keys, day)


def value_of(want: Want, cache: Cache, settings: KoladaSettings) -> float | str | None:
    """The value a cell wants from ``cache``: a number, a rank "3/15", or None for none."""
    def get(kommun: str) -> float | None:
        return cache.varden.get((want.kpi, kommun, want.ar, want.kon))

    if want.who != "placering":
        return get(_kommun_of(want, settings)[0])
    own = get(settings.kommunkod)
    if own is None:
        return None
    known = [v for k in _group(settings) if (v := get(k)) is not None]
    better = sum(1 for v in known if (v > own if want.hogst_forst else v < own))
    return f"{better + 1}/{len(known)}"


def _written(value: float | str | None, decimal: str) -> str:
    """A value as a table file writes it: 4,6, 31 250, 3/15; "" for none."""
    if value is None or isinstance(value, str):
        return value or ""
    text = f"{value:.10f}".rstrip("0").rstrip(".") if not value.is_integer() \
        else str(int(value))
    whole, _, decimals = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    if len(digits) > 4:  # 31 250, as the tables write thousands
        digits = f"{int(digits):,}".replace(",", " ")
    return sign + digits + (decimal + decimals if decimals else "")


def _same(old: str, new: str, decimal: str) -> bool:
    """Whether a cell's text already says ``new`` (4,60 is 4,6; - is no value)."""
    if old in ("", "-") or new == "":
        return old in ("", "-") and new == ""
    try:
        a, b = parse_number(old, decimal), parse_number(new, decimal)
    except NumberError:
        return old == new
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-12)


# --- The plan -------------------------------------------------------------------------------


def plan(folder: Path, report: Report, years: set[int] | None, force: bool,
         get: Callable[[set[tuple[str, str, int, str]]], Cache]) -> Plan:
    """What filling the folder would change; ``get`` answers the values the cells need
    (from Kolada, or from the cache)."""
    settings = report.kolada
    out = Plan()
    found = targets(folder, report, years, out.grids)
    if not found:
        return out
    if settings is None:
        raise DataError([Problem("vb.yaml", "kommunens kod i Kolada saknas: skriv kolada: "
                                 "{kommunkod: \"0126\"} i kommunprofilen eller vb.yaml (se "
                                 "docs/kolada.md)", field="kolada")])
    if any(t.want.who == "placering" for t in found) and not settings.jamforelse:
        raise DataError([Problem("vb.yaml", "en kolumn visar placeringen, men kolada: har "
                                 "inga jämförelsekommuner (jamforelse:)", field="kolada")])
    try:
        before = read(folder)
    except CacheError as exc:
        raise DataError([Problem(CACHE_FILE, f"filen {exc}")]) from None
    fetched = get(asked(found, settings))
    for t in found:
        grid = out.grids[t.grid][1]
        old = _text(grid, t.row, t.col)
        new = _written(value_of(t.want, fetched, settings), t.decimal)
        if _same(old, new, t.decimal):
            out.same += 1
            continue
        earlier = _written(value_of(t.want, before, settings), t.decimal) \
            if before is not None else None
        by_hand = old not in ("", "-") and not (earlier and _same(old, earlier, t.decimal))
        cell = Cell(t, old, new, kept=by_hand and not force)
        (out.kept if cell.kept else out.changes).append(cell)
    out.cache = fetched if before is None else before.merged(fetched)
    return out


def _short(label: str, limit: int = 60) -> str:
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "\u2026"


def lines(p: Plan) -> list[str]:
    """The table of what changes, old → new per cell, and of what is kept."""
    out: list[str] = []

    def table(cells: list[Cell]) -> list[str]:
        rows = [(c.where, _short(c.target.label), c.old or "(tom)",
                 c.new or "(tom: Kolada har inget värde)") for c in cells]
        w0, w1 = (max(len(r[i]) for r in rows) for i in (0, 1))
        return [f"  {a:<{w0}}  {b:<{w1}}  {c} \u2192 {d}" for a, b, c, d in rows]

    if p.changes:
        out.append(f"Värden som ändras ({len(p.changes)}):")
        out += table(p.changes)
    if p.kept:
        out.append(f"Skrivna för hand och behålls ({len(p.kept)}); skriv över dem med "
                   "--skriv-over:")
        out += table(p.kept)
    return out


# --- Writing --------------------------------------------------------------------------------


def _refused(folder: Path, path: Path) -> str | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return "är en länk; vbgen kolada skriver inte genom länkar"
    try:
        check_file(folder, path)
    except Refused as exc:
        return str(exc)
    return None


def contents(folder: Path, p: Plan) -> dict[Path, bytes]:
    """The new bytes of every file the plan writes: the changed tables and the cache."""
    for cell in p.changes:
        grid = p.grids[cell.target.grid][1]
        row = grid.rows[cell.target.row]
        while len(row) <= cell.target.col:
            row.append("")
        value: object = cell.new
        if cell.target.file.lower().endswith(".xlsx") and cell.new:
            try:
                value = parse_number(cell.new, cell.target.decimal)
            except NumberError:
                value = cell.new  # a rank, 3/15, stays text
        row[cell.target.col] = value
    files: dict[Path, bytes] = {}
    changed = {c.target.grid for c in p.changes}
    books: dict[Path, dict[str | None, Grid]] = {}
    for key in changed:
        path, grid = p.grids[key]
        if path.suffix.lower() == ".xlsx":
            books.setdefault(path, {})[grid.sheet] = grid
        else:
            files[path] = csv_bytes(grid)
    for path, sheets in books.items():
        files[path] = xlsx_bytes(path, sheets)
    if p.cache is not None:
        files[folder / CACHE_FILE] = p.cache.to_json().encode("utf-8")
    problems = [Problem(path.name, f"filen {why}") for path in files
                if (why := _refused(folder, path)) is not None]
    if problems:
        raise DataError(problems)
    return files


def replace(files: dict[Path, bytes | None]) -> None:
    """Write each file by a rename (a new one made; None removes one), keeping modes."""
    for path, data in files.items():
        if data is None:
            path.unlink(missing_ok=True)
            continue
        mode = stat.S_IMODE(os.lstat(path).st_mode) & 0o666 if path.exists() else 0o644
        fd, name = tempfile.mkstemp(prefix=".vbgen-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(name, mode)
            os.replace(name, path)
        finally:
            if os.path.exists(name):
                os.unlink(name)


def client_for(report: Report, adress: str | None, timeout: float | None = None) -> Client:
    """A client at ``adress``, else the profile's ``kolada.adress``, else Kolada's own."""
    base = adress or (report.kolada.adress if report.kolada else None) or DEFAULT_BASE
    return Client(base) if timeout is None else Client(base, timeout)


def from_cache(folder: Path) -> Callable[[set[tuple[str, str, int, str]]], Cache]:
    """Answers from the folder's cache, for work without the network; a value it was never
    asked for is an error that says so."""
    def get(keys: set[tuple[str, str, int, str]]) -> Cache:
        cache = read(folder)
        if cache is None:
            raise KoladaError(f"mappen har ingen {CACHE_FILE}; hämta värdena ur Kolada först "
                              "(utan --cache)")
        missing = sorted(k for k in keys if k not in cache.varden)
        if missing:
            kpi, kommun, year, kon = missing[0]
            raise KoladaError(f"{CACHE_FILE} har inte {kpi} för {kommun} {year} ({kon}) och "
                              f"{len(missing) - 1} värden till; hämta dem ur Kolada (utan "
                              "--cache)")
        return cache
    return get


def from_kolada(client: Client, day: datetime.date
                ) -> Callable[[set[tuple[str, str, int, str]]], Cache]:
    return lambda keys: fetch(client, keys, day)
