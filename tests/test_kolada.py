"""``vbgen kolada``: Kolada's values fetched by KPI id into the indicators and declared
tables, against answers served by a local HTTP server (no network).

The answers in ``tests/kolada/`` were written from Kolada's API v3 documentation (the shape
of ``/kpi``, ``/municipality`` and ``/data``, paging through ``next_page``), not recorded
from the live service; ``svar.json`` maps each request to its answer.
"""

from __future__ import annotations

import datetime
import http.server
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vbgen.build import Options, compose_all
from vbgen.cli import main
from vbgen.commands.kolada.cache import CACHE_FILE, parse
from vbgen.commands.kolada.client import Client, KoladaError
from vbgen.commands.kolada.command import run
from vbgen.commands.tabellfil import csv_bytes, read_grid
from vbgen.errors import DataError
from vbgen.load import load
from vbgen.model import doc

from .conftest import KULTUR, PROFILE
from .test_disposition import make_folder

ANSWERS = Path(__file__).parent / "kolada"
DAY = datetime.date(2024, 3, 15)

Route = tuple[int, Any] | Callable[[], tuple[int, Any]]


class Kolada:
    """A local stand-in for Kolada's server: each path (with its query) has an answer."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.asked: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                owner.asked.append(self.path)
                route = owner.routes.get(self.path, (404, {"detail": "Not Found"}))
                status, body = route() if callable(route) else route
                raw = body if isinstance(body, bytes) else json.dumps(body).replace(
                    "PORT", str(owner.port)).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(raw)
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}/v3"

    def recorded(self) -> Kolada:
        """Serve the answers of ``tests/kolada/`` for the kultur sample."""
        for path, name in json.loads((ANSWERS / "svar.json").read_text("utf-8")).items():
            self.routes[path] = (200, json.loads((ANSWERS / name).read_text("utf-8")))
        return self


@pytest.fixture
def kolada() -> Iterator[Kolada]:
    server = Kolada()
    # A short poll, so that shutting the server down after each test takes no half second.
    thread = threading.Thread(target=server.server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


def kultur_copy(root: Path) -> Path:
    """The kultur sample and its kommun profile, copied, without the Kolada cache."""
    shutil.copytree(KULTUR, root / KULTUR.name)
    shutil.copytree(PROFILE, root / PROFILE.name)
    (root / KULTUR.name / CACHE_FILE).unlink()
    return root / KULTUR.name


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def blank_kolada_cells(folder: Path) -> None:
    """Empty every cell the sample fills from Kolada (a cell that says "-" stays)."""
    grid = read_grid(folder / "kolada.csv")
    for row in grid.rows:
        row[2:6] = ["", "", "", ""]
    (folder / "kolada.csv").write_bytes(csv_bytes(grid))
    grid = read_grid(folder / "indikatorer.csv")
    years = [i for i, h in enumerate(grid.header) if h.isdigit()]
    for row in grid.rows:
        if row[grid.header.index("kolada_id")]:
            for i in years:
                row[i] = "" if row[i] != "-" else "-"
    (folder / "indikatorer.csv").write_bytes(csv_bytes(grid))


def fill(folder: Path, base: str, *extra: str) -> Any:
    return CliRunner().invoke(main, ["kolada", str(folder), "--adress", base, *extra])


# --- The kultur sample ----------------------------------------------------------------------


def test_the_sample_fills_its_table_and_indicators_and_nothing_else(
        tmp_path: Path, kolada: Kolada) -> None:
    kolada.recorded()
    folder = kultur_copy(tmp_path)
    original = snapshot(folder)
    blank_kolada_cells(folder)
    blanked = snapshot(folder)
    assert blanked["kolada.csv"] != original["kolada.csv"]

    run(folder, (), False, True, False, kolada.base, lambda _: None, lambda _: False,
        today=DAY)

    after = snapshot(folder)
    # Every cell back as the sample has it, every other file as it was, and the cache.
    assert {k: v for k, v in after.items() if k != CACHE_FILE} == original
    cache = parse(after[CACHE_FILE].decode("utf-8"))
    assert cache.nyckeltal["U09401"][1] == "2024-03-15"
    assert cache.varden[("U09410", "2499", 2020, "T")] is None  # null: no value, a gap
    assert cache.varden[("U09410", "2499", 2022, "T")] is None  # is_deleted
    # The answer came in three pages, through next_page.
    assert sum("/data/" in p for p in kolada.asked) == 3
    # The sample's own cache is what this makes: the sample is made this way.
    assert after[CACHE_FILE] == (KULTUR / CACHE_FILE).read_bytes()


def test_the_build_shows_the_values_with_their_source(tmp_path: Path) -> None:
    shutil.copytree(KULTUR, tmp_path / KULTUR.name)
    shutil.copytree(PROFILE, tmp_path / PROFILE.name)
    _, documents, _ = compose_all(tmp_path / KULTUR.name,
                                  Options(tmp_path / "ut", documents=("verksamhetsberattelse",)))
    tables = [b for b in documents["verksamhetsberattelse"].blocks if isinstance(b, doc.Table)]
    comparison = next(t for t in tables if t.role == "tabell tabell-kolada")
    assert doc.plain(comparison.notes[-1].children) == (
        "Källa: Kolada (U09401, U09402, U09403, U09800, N09813, hämtat 2024-03-15)")
    cells = [doc.plain(c.children) for t in tables for row in t.body for c in row.cells]
    assert "Kolada, Kulturskolerådets statistik (Kolada U09800, hämtat 2024-03-15)" in cells
    assert "SCB:s medborgarundersökning (Kolada U09410, hämtat 2024-03-15)" in cells
    assert "Kolada (U09401, U09402, U09403, U09800, N09813, hämtat 2024-03-15)" in cells
    assert [doc.plain(c.children) for c in comparison.body[0].cells] == [
        "Fysiska besök på folkbibliotek, antal per invånare", "U09401", "4,6", "4,2", "4,1",
        "5/15"]


def test_a_folder_with_koladas_values_has_nothing_to_write(tmp_path: Path,
                                                          kolada: Kolada) -> None:
    kolada.recorded()
    folder = kultur_copy(tmp_path)
    (folder / CACHE_FILE).write_bytes((KULTUR / CACHE_FILE).read_bytes())
    before = snapshot(folder)
    result = fill(folder, kolada.base, "--ja")
    assert result.exit_code == 0, result.output
    assert "Inga värden ändras (45 har redan Koladas värde)" in result.output
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if k != CACHE_FILE} == \
        {k: v for k, v in before.items() if k != CACHE_FILE}


def test_offline_the_cache_fills_the_cells_again(tmp_path: Path) -> None:
    folder = kultur_copy(tmp_path)
    original = snapshot(folder)
    shutil.copy(KULTUR / CACHE_FILE, folder / CACHE_FILE)
    blank_kolada_cells(folder)
    result = CliRunner().invoke(main, ["kolada", str(folder), "--cache", "--ja"])
    assert result.exit_code == 0, result.output
    assert {k: v for k, v in snapshot(folder).items() if k != CACHE_FILE} == original


# --- Typed by hand, shown old → new ---------------------------------------------------------


def test_a_value_typed_by_hand_is_kept_unless_skriv_over(tmp_path: Path,
                                                         kolada: Kolada) -> None:
    kolada.recorded()
    folder = kultur_copy(tmp_path)
    table = folder / "kolada.csv"
    table.write_text(table.read_text("utf-8").replace(";U09402;5,6;", ";U09402;5,9;")
                     .replace("U09403;2,8;2,5;2,4;3/15", "U09403;2,8;;2,4;3/15"), "utf-8")
    result = fill(folder, kolada.base, "--ja")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Värden som ändras (1):"
    assert lines[1].split() == ["kolada.csv,", "rad", "4,", "kolumn", "länet", "Öppettimmar",
                                "på", "folkbiblioteken", "per", "vecka", "och", "1", "000",
                                "invånare", "(tom)", "→", "2,5"]
    assert lines[2].startswith("Skrivna för hand och behålls (1)")
    assert "kolada.csv, rad 3, kolumn norrvik" in lines[3] and "5,9 → 5,6" in lines[3]
    assert "5,9" in table.read_text("utf-8") and ";2,5;" in table.read_text("utf-8")

    result = fill(folder, kolada.base, "--ja", "--skriv-over")
    assert result.exit_code == 0, result.output
    assert "Värden som ändras (1):" in result.output
    assert table.read_bytes() == (KULTUR / "kolada.csv").read_bytes()


def test_without_ja_it_asks_and_writes_nothing_on_no(tmp_path: Path, kolada: Kolada) -> None:
    kolada.recorded()
    folder = kultur_copy(tmp_path)
    blank_kolada_cells(folder)
    before = snapshot(folder)
    result = CliRunner().invoke(main, ["kolada", str(folder), "--adress", kolada.base],
                                input="n\n")
    assert "Värden som ändras (41):" in result.output
    assert "Skriva 41 värden till" in result.output and "Inget skrevs." in result.output
    assert snapshot(folder) == before


# --- Kön, nulls and gaps --------------------------------------------------------------------

INDICATORS = """\
mål;indikator;2023;2024;kolada_id;kön
M1;Andel aktiva (%);;;N00001;K
M1;Andel aktiva (%);;;N00001;M
M1;Andel aktiva (%);;;N00001;T
"""


def small_folder(root: Path, indicators: str = INDICATORS) -> Path:
    return make_folder(root, 'kolada: {kommunkod: "0126"}\n'
                       "disposition:\n  - rubrik: Mål\n    block: [malrapport]\n",
                       {"indikatorer.csv": indicators})


def answer(values: list[dict[str, Any]], next_page: str | None = None) -> tuple[int, Any]:
    return 200, {"count": len(values), "values": values, "next_page": next_page}


def small_routes(kolada: Kolada, data: list[dict[str, Any]]) -> None:
    kolada.routes["/v3/kpi/N00001"] = answer([{"id": "N00001", "title": "Andel aktiva"}])
    kolada.routes["/v3/municipality/0126"] = answer([{"id": "0126", "title": "Huddinge",
                                                      "type": "K"}])
    kolada.routes["/v3/data/kpi/N00001/municipality/0126/year/2023,2024"] = answer(data)


def test_an_indicator_by_kon_gets_each_kons_value_and_null_is_a_gap(
        tmp_path: Path, kolada: Kolada) -> None:
    folder = small_folder(tmp_path)
    small_routes(kolada, [
        {"kpi": "N00001", "municipality": "0126", "period": 2023, "values": [
            {"gender": "K", "value": 41.5, "count": 1},
            {"gender": "M", "value": 33, "count": 1},
            {"gender": "T", "value": 37.25, "count": 1}]},
        {"kpi": "N00001", "municipality": "0126", "period": 2024, "values": [
            {"gender": "K", "value": None, "count": 0},
            {"gender": "M", "value": 0, "count": 1},
            {"gender": "T", "value": None, "count": 0}]}])
    result = fill(folder, kolada.base, "--ja")
    assert result.exit_code == 0, result.output
    assert (folder / "indikatorer.csv").read_text("utf-8") == (
        "mål;indikator;2023;2024;kolada_id;kön\n"
        "M1;Andel aktiva (%);41,5;;N00001;K\n"
        "M1;Andel aktiva (%);33;0;N00001;M\n"
        "M1;Andel aktiva (%);37,25;;N00001;T\n")
    # Kolada's null is no zero: the year's cell is a gap the draft lists.
    validated = CliRunner().invoke(main, ["validate", str(folder)])
    assert "indikatorer.csv, rad 2, kolumn 2024" in validated.output
    assert "indikatorer.csv, rad 4, kolumn 2024" in validated.output


def test_ar_limits_the_years(tmp_path: Path, kolada: Kolada) -> None:
    folder = small_folder(tmp_path)
    kolada.routes["/v3/kpi/N00001"] = answer([{"id": "N00001", "title": "Andel aktiva"}])
    kolada.routes["/v3/municipality/0126"] = answer([{"id": "0126", "title": "Huddinge"}])
    kolada.routes["/v3/data/kpi/N00001/municipality/0126/year/2024"] = answer([
        {"kpi": "N00001", "municipality": "0126", "period": 2024,
         "values": [{"gender": g, "value": 1.5} for g in "KMT"]}])
    result = fill(folder, kolada.base, "--ja", "--ar", "2024")
    assert result.exit_code == 0, result.output
    assert "M1;Andel aktiva (%);;1,5;N00001;T" in (folder / "indikatorer.csv").read_text("utf-8")


# --- Failures change nothing ----------------------------------------------------------------


def failing(tmp_path: Path, kolada: Kolada, *extra: str) -> tuple[str, int]:
    folder = small_folder(tmp_path)
    before = snapshot(folder)
    result = fill(folder, kolada.base, "--ja", *extra)
    assert snapshot(folder) == before
    return result.output, result.exit_code


def test_an_unknown_kpi_id_is_named(tmp_path: Path, kolada: Kolada) -> None:
    small_routes(kolada, [])
    kolada.routes["/v3/kpi/N00001"] = answer([])
    output, code = failing(tmp_path, kolada)
    assert output == ("vbgen kolada: Kolada har inget nyckeltal med id N00001; kontrollera "
                      "id:t på kolada.se. Inget har ändrats.\n")
    assert code == 1


def test_a_kommun_id_that_does_not_exist_is_named(tmp_path: Path, kolada: Kolada) -> None:
    small_routes(kolada, [])
    kolada.routes["/v3/municipality/0126"] = answer([])
    output, code = failing(tmp_path, kolada)
    assert output.startswith("vbgen kolada: Kolada har ingen kommun eller region med id 0126;")
    assert code == 1


@pytest.mark.parametrize(("body", "what"), [
    (b"<html>Service Unavailable</html>", "svaret är ingen JSON"),
    ({"count": 1, "values": "N00001"}, "fältet values saknas eller är ingen lista av objekt"),
    ({"count": 1, "values": [{"kpi": "N00001", "municipality": "0126", "period": 2023,
                              "values": [{"gender": "X", "value": 1}]}]},
     "okänt kön \u201dX\u201d (väntade T, K eller M)"),
    ({"count": 1, "values": [{"kpi": "N00001", "municipality": "0126", "period": 2023,
                              "values": [{"gender": "T", "value": "12"}]}]},
     "värdet '12' är inget tal"),
    ({"values": [], "next_page": "http://example.org/v3/data"},
     "next_page pekar på en annan server (example.org)"),
])
def test_an_answer_of_another_shape_is_refused(tmp_path: Path, kolada: Kolada, body: Any,
                                               what: str) -> None:
    small_routes(kolada, [])
    kolada.routes["/v3/data/kpi/N00001/municipality/0126/year/2023,2024"] = (200, body)
    output, code = failing(tmp_path, kolada)
    assert output.startswith("vbgen kolada: Kolada svarade på ett sätt som vbgen inte känner "
                             f"igen ({what}; http://127.0.0.1:")
    assert output.endswith("Inget har ändrats.\n") and code == 1


def test_a_server_error_and_no_connection_are_environment_failures(
        tmp_path: Path, kolada: Kolada) -> None:
    small_routes(kolada, [])
    kolada.routes["/v3/kpi/N00001"] = (503, {"detail": "busy"})
    output, code = failing(tmp_path, kolada)
    assert output.startswith("vbgen kolada: Kolada svarade med fel 503 (Service Unavailable)")
    assert code == 2
    output, code = failing(tmp_path / "b", kolada, "--adress", "http://127.0.0.1:9/v3")
    assert output.startswith("vbgen kolada: kunde inte nå Kolada på http://127.0.0.1:9/v3 (")
    assert code == 2


def test_a_timeout_is_named_and_changes_nothing(tmp_path: Path, kolada: Kolada) -> None:
    def slow() -> tuple[int, Any]:
        time.sleep(1.0)
        return answer([])

    small_routes(kolada, [])
    kolada.routes["/v3/kpi/N00001"] = slow
    folder = small_folder(tmp_path)
    before = snapshot(folder)
    with pytest.raises(KoladaError) as caught:
        run(folder, (), False, True, False, kolada.base, print, lambda _: True, timeout=0.2)
    assert str(caught.value) == (f"Kolada svarade inte inom 0.2 sekunder ({kolada.base}/kpi/"
                                 "N00001); försök igen senare")
    assert caught.value.network
    assert snapshot(folder) == before


def test_ids_go_25_to_a_request_and_every_page_is_followed(kolada: Kolada) -> None:
    ids = [f"N{i:05d}" for i in range(30)]
    kolada.routes["/v3/kpi/" + ",".join(ids[:25])] = answer(
        [{"id": i, "title": i} for i in ids[:10]], "/v3/kpi/more")
    kolada.routes["/v3/kpi/more"] = answer([{"id": i, "title": i} for i in ids[10:25]])
    kolada.routes["/v3/kpi/" + ",".join(ids[25:])] = answer(
        [{"id": i, "title": i} for i in ids[25:]])
    assert sorted(Client(kolada.base).kpis(ids)) == ids
    assert len(kolada.asked) == 3


# --- The data's declarations ----------------------------------------------------------------


def test_a_kommun_id_written_as_a_number_asks_for_quotes(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "kolada: {kommunkod: 126}\n")
    with pytest.raises(DataError) as caught:
        load(folder)
    assert 'skriv id:t inom citattecken, till exempel "0126"' in str(caught.value)


def test_without_the_kommun_id_it_says_where_to_write_it(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "", {"indikatorer.csv": INDICATORS})
    result = CliRunner().invoke(main, ["kolada", str(folder), "--cache"])
    assert result.exit_code == 1
    assert "kommunens kod i Kolada saknas" in result.output


def test_a_kolada_column_needs_the_column_with_the_ids(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, """\
        tabeller:
          - id: jmf
            fil: jmf.csv
            kolumner:
              - {kolumn: namn}
              - {kolumn: varde, typ: tal, kolada: {varde: riket}}
        """, {"jmf.csv": "namn;varde\nEtt;1\n"})
    with pytest.raises(DataError) as caught:
        load(folder)
    assert ('kolumnen hämtas ur Kolada, men tabellen ”jmf” har ingen kolumn ”kolada_id” med '
            "radernas Kolada-id; ange kpi: eller kpi_kolumn:") in str(caught.value)
