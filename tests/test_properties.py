"""Random and mutated input: a valid report or a clean message, never a crash; and whatever
``validate`` accepts, ``build`` builds."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vbgen.build import CACHE, Options, build, check
from vbgen.errors import DataError
from vbgen.load import load

from .conftest import CHART_CACHE, SAMPLE

FAST = settings(max_examples=12, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
#: Full builds are slow; a handful of examples still mixes text, numbers and charts.
FULL = settings(max_examples=3, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

#: What users' files contain where things go wrong: separators, quotes, line ends, control
#: characters, Swedish letters and minus signs, YAML's special characters.
NASTY = [";", ",", '"', "\n", "\r\n", "\t", "\x00", "\v", "\f", " ", "\u00a0", "\u202f", "-",
         "\u2212", "\u2013", "%", "0", "1", "9", ".", "e", "å", "Ö", "\ufeff", ":", "#", "'",
         "[", "]", "{", "}", "&", "*", "!", "|", ">", "\\", "<", "{{", "}}", "{%", "\u2028"]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few random edits: characters inserted, removed or replaced, a tail cut
    off, a line doubled."""
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "cut", "line"]))
        piece = draw(st.sampled_from(NASTY) | st.text(max_size=3))
        if op == "insert":
            text = text[:pos] + piece + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        elif op == "replace":
            text = text[:pos] + piece + text[pos + 1:]
        elif op == "cut":
            text = text[:pos]
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                lines.insert(i, lines[i])
            text = "".join(lines)
    return text


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the sample for a module's examples; each example restores what it changes."""
    target = tmp_path_factory.mktemp("egenskaper") / "data"
    shutil.copytree(SAMPLE, target)
    return target


def _load_cleanly(folder: Path) -> bool:
    """Load the folder: True if it is valid, False for a clean list of problems. Anything
    else (a crash) fails the test."""
    try:
        load(folder)
    except DataError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert str(problem).strip() and "Traceback" not in str(problem)
        return False
    return True


@pytest.mark.parametrize("table", ["drift.csv", "indikatorer.csv", "serier/bou_placeringar.csv"])
@FAST
@given(data=st.data())
def test_mutated_tables_load_or_give_messages(folder, table, data):
    _mutate_and_check(folder, table, data)


@settings(FAST, max_examples=40)
@given(data=st.data())
def test_mutated_main_file_loads_or_gives_messages(folder, data):
    _mutate_and_check(folder, "vb.yaml", data)


def _mutate_and_check(folder: Path, name: str, data: st.DataObject) -> None:
    """Write a mutation of the sample's file ``name``; whatever then loads must also go
    through every template."""
    path = folder / name
    original = (SAMPLE / name).read_text(encoding="utf-8")
    text = data.draw(mutated(original))
    path.write_bytes(text.encode(data.draw(ENCODINGS), errors="replace"))
    try:
        if _load_cleanly(folder):
            check(folder)
    finally:
        path.write_text(original, encoding="utf-8")


@settings(FAST, max_examples=8)
@given(text=st.text(max_size=400))
def test_any_markdown_text_loads_and_composes(folder, text):
    path = folder / "text" / "sammanfattning.md"
    original = (SAMPLE / "text" / "sammanfattning.md").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        if _load_cleanly(folder):
            check(folder)
    finally:
        path.write_text(original, encoding="utf-8")


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**40, max_value=10**40).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(
        lambda d: str(d).replace(".", ",").replace("-", "\u2212")),
)

# Property tests try hundreds of data folders each.
pytestmark = pytest.mark.langsam


@FULL
# Any text may hold a character the report's font lacks, which WeasyPrint says it drew as an
# empty box.
@pytest.mark.weasyprint_tillater(".notdef glyph rendered")
@given(text=st.text(max_size=200), number=NUMBERS)
def test_whatever_validates_builds(tmp_path_factory, text, number):
    data = tmp_path_factory.mktemp("bygg") / "data"
    shutil.copytree(SAMPLE, data)
    (data / "text" / "ts.md").write_text(text, encoding="utf-8", errors="surrogatepass")
    main = data / "vb.yaml"
    yaml_text = main.read_text(encoding="utf-8")
    # The memo's summary comes from the random text.
    first = yaml_text.index("  sammanfattning: |\n", yaml_text.index("tjanstskrivelse:"))
    last = yaml_text.index("  beskrivning: |\n", first)
    main.write_text(yaml_text[:first] + "  sammanfattning: {fil: text/ts.md}\n"
                    + yaml_text[last:], encoding="utf-8")
    chart = data / "serier" / "bou_placeringar.csv"
    rows = chart.read_text(encoding="utf-8").splitlines()
    cells = rows[1].split(";")
    cells[1] = number
    rows[1] = ";".join(cells)
    chart.write_text("\n".join(rows) + "\n", encoding="utf-8")

    out = data.parent / "ut"
    if CHART_CACHE.is_dir():
        shutil.copytree(CHART_CACHE, out / CACHE)
    try:
        check(data)
    except DataError:
        # validate and build run the same checks: what validate refuses, build refuses.
        with pytest.raises(DataError):
            build(data, Options(out, formats=("docx",)))
        return
    written = build(data, Options(out, formats=("docx", "pdf"), documents=("tjanstskrivelse",)))
    written += build(data, Options(out, formats=("docx",), documents=("verksamhetsberattelse",)))
    assert all(p.stat().st_size > 0 for p in written)


CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    # Excel cannot store control characters, so neither can a real workbook.
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1),
                 max_value=datetime.datetime(2100, 1, 1)),
    st.sampled_from(["1 234,5", "−3", "6,6 %", "-", "=1+1", "nan", "1e300"]))
FORMATS = st.sampled_from(["General", "0.0%", "0%", "yyyy-mm-dd", '"%"0', "# ##0", "@"])


@FAST
@given(cells=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 8), CELLS, FORMATS),
                      min_size=1, max_size=12))
def test_excel_cells_of_any_kind_load_or_give_messages(folder, cells):
    from openpyxl import Workbook

    original = (SAMPLE / "risker.csv").read_text(encoding="utf-8")
    wb = Workbook()
    ws = wb.active
    for line in original.splitlines():
        ws.append(line.split(";"))
    for row, column, value, number_format in cells:
        cell = ws.cell(row=row + 2, column=column + 1)
        cell.value = value
        cell.number_format = number_format
    (folder / "risker.csv").unlink()
    wb.save(folder / "risker.xlsx")
    try:
        if _load_cleanly(folder):
            check(folder)
    finally:
        (folder / "risker.xlsx").unlink()
        (folder / "risker.csv").write_text(original, encoding="utf-8")
