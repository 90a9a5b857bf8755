"""The data folder's Kolada cache, ``kolada-cache.json``: what ``vbgen kolada`` fetched,
when, and from where.

``vbgen kolada`` writes it beside the tables it fills; a build only reads it (builds never
fetch), for the source of the values: an indicator's "(Kolada U09800, hämtat 2024-03-15)"
in the källförteckning and a table's "Källa: Kolada (U09401, U09402, hämtat 2024-03-15)".
``vbgen kolada --cache`` fills the tables again from it without the network.

The file holds one line per value, so that a change shows as a change of lines::

    {
     "nyckeltal": {"U09401": {"titel": "…", "hamtat": "2024-03-15"}},
     "kommuner": {"0000": "Riket", …},
     "varden": [
      ["U09401", "0000", 2023, "T", 4.1],
      …
     ]
    }
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import Problem
from ...model.report import MAIN_FILE, Report
from ...paths import Refused, present, read_file
from .client import GENDERS, Value

#: The cache's name in the data folder.
CACHE_FILE = "kolada-cache.json"
#: The most a cache may weigh.
MAX_CACHE_BYTES = 20 * 1024 * 1024


class CacheError(Exception):
    """A cache that cannot be read; the message follows the file's name."""


@dataclass
class Cache:
    """What was fetched: each KPI's title and day, the kommuner's names, and the values."""

    #: KPI id → (title, the day its values were fetched, ÅÅÅÅ-MM-DD).
    nyckeltal: dict[str, tuple[str, str]] = field(default_factory=dict)
    kommuner: dict[str, str] = field(default_factory=dict)
    varden: dict[tuple[str, str, int, str], float | None] = field(default_factory=dict)

    def merged(self, newer: Cache) -> Cache:
        """This cache with everything ``newer`` fetched put over it."""
        return Cache({**self.nyckeltal, **newer.nyckeltal},
                     {**self.kommuner, **newer.kommuner}, {**self.varden, **newer.varden})

    def to_json(self) -> str:
        """The cache as its file holds it: sorted, one value a line."""
        head = {"nyckeltal": {k: {"titel": t, "hamtat": d}
                              for k, (t, d) in sorted(self.nyckeltal.items())},
                "kommuner": dict(sorted(self.kommuner.items()))}
        lines = [json.dumps(list(key) + [value], ensure_ascii=False)
                 for key, value in sorted(self.varden.items())]
        text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
        return text + ',\n "varden": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"


def values_cache(values: list[Value], titles: dict[str, str], names: dict[str, str],
                 asked: set[tuple[str, str, int, str]], day: datetime.date) -> Cache:
    """A cache of one fetch: every value asked for, None where Kolada had none."""
    varden: dict[tuple[str, str, int, str], float | None] = dict.fromkeys(asked)
    for v in values:
        if (v.kpi, v.kommun, v.ar, v.kon) in varden:
            varden[(v.kpi, v.kommun, v.ar, v.kon)] = v.varde
    kpis = sorted({k[0] for k in asked})
    return Cache({k: (titles.get(k, ""), day.isoformat()) for k in kpis},
                 dict(names), varden)


def parse(text: str) -> Cache:
    """A cache from its file's text, or :class:`CacheError` saying what is wrong."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CacheError(f"är ingen läsbar JSON ({exc}); hämta värdena igen med vbgen "
                         "kolada") from None
    if not isinstance(data, dict):
        raise CacheError("är inget JSON-objekt")
    cache = Cache()
    kpis = data.get("nyckeltal", {})
    if not isinstance(kpis, dict):
        raise CacheError("fältet nyckeltal ska vara ett objekt")
    for kpi, info in kpis.items():
        day = info.get("hamtat") if isinstance(info, dict) else None
        if not isinstance(day, str) or not _is_day(day):
            raise CacheError(f"nyckeltalet {kpi} saknar dagen det hämtades (hamtat: "
                             "ÅÅÅÅ-MM-DD)")
        cache.nyckeltal[kpi] = (str(info.get("titel", "")), day)
    names = data.get("kommuner", {})
    if not isinstance(names, dict):
        raise CacheError("fältet kommuner ska vara ett objekt")
    cache.kommuner = {str(k): str(v) for k, v in names.items()}
    rows = data.get("varden", [])
    if not isinstance(rows, list):
        raise CacheError("fältet varden ska vara en lista")
    for n, row in enumerate(rows, 1):
        if not (isinstance(row, list) and len(row) == 5 and isinstance(row[0], str)
                and isinstance(row[1], str) and isinstance(row[2], int)
                and row[3] in GENDERS and (row[4] is None or (
                    isinstance(row[4], (int, float)) and not isinstance(row[4], bool)))):
            raise CacheError(f"värde {n} under varden ska vara [kpi, kommun, år, kön, tal "
                             "eller null]")
        cache.varden[(row[0], row[1], row[2], row[3])] = \
            None if row[4] is None else float(row[4])
    return cache


def _is_day(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def read(folder: Path) -> Cache | None:
    """The folder's cache through the path gate; None when there is none."""
    path = folder / CACHE_FILE
    if not present(path):
        return None
    try:
        raw = read_file(folder, path, MAX_CACHE_BYTES)
    except Refused as exc:
        raise CacheError(str(exc)) from None
    try:
        return parse(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CacheError("är ingen UTF-8-text") from None


def table_kpis(report: Report) -> dict[str, list[str]]:
    """The KPI ids each declared table with a Kolada column takes values of, in order."""
    out: dict[str, list[str]] = {}
    for table_id, table in report.tabelldata.items():
        ids: list[str] = []
        for column in table.decl.kolumner:
            spec = column.kolada
            if spec is None:
                continue
            if spec.kpi:
                ids.append(spec.kpi)
                continue
            for row in table.rows:
                value = row.cells.get(spec.kpi_kolumn)
                if value is not None and isinstance(value.value, str) and value.value.strip():
                    ids.append(value.value.strip())
        if ids:
            out[table_id] = list(dict.fromkeys(ids))
    return out


def source_text(ids: list[str], days: dict[str, str]) -> str:
    """"Kolada (U09401, U09402, hämtat 2024-03-15)": the ids by the day they were fetched."""
    by_day: dict[str, list[str]] = {}
    for kpi in ids:
        by_day.setdefault(days[kpi], []).append(kpi)
    return "Kolada (" + "; ".join(f"{', '.join(k)}, hämtat {d}"
                                  for d, k in by_day.items()) + ")"


def apply(folder: Path, report: Report, problems: list[Problem],
          locate: Callable[[tuple[str | int, ...]], tuple[int | None, str]]) -> None:
    """Check the Kolada columns of the declared tables and give every value the cache
    holds its source: the day on each indicator, "Kolada (…, hämtat …)" as the table's
    källa. Run by the loader; the cache is only read."""
    for i, decl in enumerate(report.tabeller):
        names = {c.id or c.kolumn for c in decl.kolumner}
        for j, column in enumerate(decl.kolumner):
            spec = column.kolada
            if spec is not None and spec.kpi is None and spec.kpi_kolumn not in names:
                line, where = locate(("tabeller", i, "kolumner", j, "kolada"))
                problems.append(Problem(MAIN_FILE, f"kolumnen hämtas ur Kolada, men tabellen "
                                        f"\u201d{decl.id}\u201d har ingen kolumn "
                                        f"\u201d{spec.kpi_kolumn}\u201d med radernas "
                                        "Kolada-id; ange kpi: eller kpi_kolumn:", line, where))
    try:
        cache = read(folder)
    except CacheError as exc:
        problems.append(Problem(CACHE_FILE, f"filen {exc}"))
        return
    if cache is None:
        return
    days = {k: d for k, (_, d) in cache.nyckeltal.items()}
    for goal in report.all_goals():
        for indicator in goal.indikatorer:
            if indicator.kolada_id in days:
                indicator.kolada_hamtat = days[indicator.kolada_id]
    for table_id, ids in table_kpis(report).items():
        fetched = [k for k in ids if k in days]
        if not fetched:
            continue
        decl = report.tabelldata[table_id].decl
        text = source_text(fetched, days)
        decl.kalla = text if not decl.kalla or decl.kalla.strip() == "Kolada" \
            else f"{decl.kalla}; {text}"

