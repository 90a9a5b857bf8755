"""``vbgen kolada MAPP``: fetch, show old → new per cell, ask, write, check."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from ...errors import DataError
from .cache import CACHE_FILE
from .client import KoladaError
from .fill import client_for, contents, from_cache, from_kolada, lines, plan, replace


def run(folder: Path, years: tuple[int, ...], force: bool, yes: bool, offline: bool,
        adress: str | None, echo: Callable[[str], None], confirm: Callable[[str], bool],
        today: datetime.date | None = None, timeout: float | None = None) -> None:
    """Fill ``folder`` with Kolada's values; every failure before writing changes nothing.

    Raises :class:`KoladaError` for a question Kolada did not answer as it should, and
    :class:`DataError` for data that names no cell to fill or cannot be written."""
    from ...load import load

    report = load(folder)
    get = from_cache(folder) if offline \
        else from_kolada(client_for(report, adress, timeout), today or datetime.date.today())
    p = plan(folder, report, set(years) if years else None, force, get)
    for line in lines(p):
        echo(line)
    if not p.changes and not p.kept and not p.same:
        echo("Inget att hämta: inga indikatorer med kolada_id och inga tabellkolumner med "
             "kolada: (se docs/kolada.md).")
        return
    if not p.changes:
        echo(f"Inga värden ändras ({p.same} har redan Koladas värde"
             f"{'' if not p.kept else ', de andra är skrivna för hand'}).")
        if offline:
            return
    n = len(p.changes)
    what = f"{n} {'värde' if n == 1 else 'värden'}"
    if n and not yes and not confirm(f"Skriva {what} till {folder}? (j/n)"):
        echo("Inget skrevs.")
        return
    files = contents(folder, p)
    before: dict[Path, bytes | None] = {
        path: path.read_bytes() if path.exists() else None for path in files}
    replace(dict(files))
    try:
        load(folder)
    except DataError:
        replace(before)  # what was written does not load: put the files back
        raise
    echo(f"Skrev {what} till {folder} och sparade svaren i {CACHE_FILE}. Bygg med "
         f"vbgen bygg {folder}." if n else f"Sparade svaren i {CACHE_FILE}.")


__all__ = ["KoladaError", "run"]
