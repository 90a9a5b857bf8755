from __future__ import annotations

import inspect
import io
import logging
import re
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import docx
import pypdf
import pytest
from click.testing import CliRunner, Result
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from vbgen.build import CACHE, Options, build
from vbgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "socialnamnden-2024"
#: The second sample, in the general form, and the kommun profile it points to.
KULTUR = ROOT / "sample_data" / "kulturnamnden-2023"
PROFILE = ROOT / "sample_data" / "norrviks-kommun"
#: Chart images kept between test runs; images are keyed by content, so reuse is safe.
CHART_CACHE = ROOT / ".pytest_cache" / "vbgen-diagram"

#: The Heading 1 sections of the sample report, in order.
SECTIONS = ["Sammanfattning", "Målbedömning", "Nämndens mål och resultat", "Årets händelser",
            "Effektiviseringsarbete", "Ekonomi", "Väsentliga personalförhållanden",
            "Intern kontroll", "Plan för uppföljning och insyn", "Källförteckning",
            "Bilaga 2. Externa volymer per den sista december 2024 socialnämnden"]


#: What makes a test slow (``langsam``), so that ``pytest -m "not langsam"`` runs the unit
#: tests alone: a fixture that builds the sample or starts LibreOffice, or a call that builds,
#: lays out a PDF, runs the command (here or in a process of its own) or starts Chromium. A
#: slow test these miss is marked ``@pytest.mark.langsam`` itself.
SLOW_FIXTURES = {"built_all", "built", "report_pages", "memo", "warm_charts", "office",
                 "sample_final"}
SLOW_CALLS = re.compile(r"\b(build|build_one|build_many|build_all|run_cli|typeset|write_pdf|"
                        r"compose_all|new_year|start_folder|webdriver|subprocess)\b")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function is not None else ""
        except OSError:
            source = ""
        if (SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or SLOW_CALLS.search(source)
                or item.get_closest_marker("slow")):
            item.add_marker(pytest.mark.langsam)


class _WeasyPrintWarning(logging.Handler):
    """Fails on a warning WeasyPrint logs (a style, an HTML element or an image it cannot
    use), which pytest's ``filterwarnings = error`` does not see: the warning is raised in
    the process that logged it, a layout process too (which sends it back to the build),
    and kept, in case WeasyPrint itself catches what was raised."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []
        #: The start of warnings the running test expects (``weasyprint_tillater``).
        self.allowed: tuple[str, ...] = ()

    def emit(self, record: logging.LogRecord) -> None:
        # Its errors are of what it could not fetch, which vbgen refuses on purpose (a chart
        # laid out as a placeholder) or tells itself (writers.pdf.refused_error).
        if (not record.name.startswith("weasyprint") or record.levelno >= logging.ERROR
                or record.getMessage().startswith(self.allowed)):
            return
        self.seen.append(record.getMessage())
        raise AssertionError(f"WeasyPrint varnar: {record.getMessage()}")


_WEASYPRINT = _WeasyPrintWarning()


@pytest.fixture(scope="session", autouse=True)
def _weasyprint_warnings_fail_the_session():
    # On the root logger, so that the warnings vbgen keeps to tell the user
    # (vbgen.writers.stilvarningar) are not seen here.
    logging.getLogger().addHandler(_WEASYPRINT)
    yield
    logging.getLogger().removeHandler(_WEASYPRINT)


@pytest.fixture(autouse=True)
def _weasyprint_warnings_fail(request: pytest.FixtureRequest):
    # A layout process is forked during the test, so it sees what the test allows.
    marker = request.node.get_closest_marker("weasyprint_tillater")
    _WEASYPRINT.allowed = tuple(marker.args) if marker else ()
    before = len(_WEASYPRINT.seen)
    yield
    _WEASYPRINT.allowed = ()
    assert _WEASYPRINT.seen[before:] == []


#: A value of vb.yaml marked as an example: ``{exempel: Erik Exempel}``.
EXAMPLE = re.compile(r"\{exempel: ([^{}]*)\}")


def without_examples(folder: Path) -> Path:
    """Replace the example values of ``folder``'s vb.yaml by plain values, as a user does
    with real ones before a final build; returns the folder."""
    main = folder / "vb.yaml"
    main.write_text(EXAMPLE.sub(r"\1", main.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def sample_final(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with its example values (people, phone, e-mail) made plain values: the
    folder a final build is made of."""
    target = tmp_path_factory.mktemp("slutlig") / SAMPLE.name
    shutil.copytree(SAMPLE, target)
    return without_examples(target)


@pytest.fixture(scope="session")
def built_all(tmp_path_factory: pytest.TempPathFactory, sample_final: Path) -> list[Path]:
    """Every document of the sample, built once for the whole session as a final version."""
    out = tmp_path_factory.mktemp("out")
    if CHART_CACHE.is_dir():
        shutil.copytree(CHART_CACHE, out / CACHE)
    paths = build(sample_final, Options(out, slutlig=True))
    shutil.rmtree(CHART_CACHE, ignore_errors=True)
    shutil.copytree(out / CACHE, CHART_CACHE)
    return paths


def _document(paths: list[Path], name: str) -> dict[str, Path]:
    found = {p.suffix.lstrip("."): p for p in paths if p.name.startswith(name + "-")}
    assert set(found) == {"docx", "pdf"}, f"{name} byggdes inte som DOCX och PDF"
    return found


@pytest.fixture(scope="session")
def built(built_all: list[Path]) -> dict[str, Path]:
    """The sample verksamhetsberättelse: {"docx": path, "pdf": path}."""
    return _document(built_all, "verksamhetsberattelse")


@pytest.fixture(scope="session")
def report_pages(built: dict[str, Path]) -> list[str]:
    """The text of each page of the sample report's PDF, read back once for the session."""
    return [page.extract_text() for page in pypdf.PdfReader(str(built["pdf"])).pages]


@pytest.fixture(scope="session")
def memo(built_all: list[Path]) -> dict[str, Path]:
    """The sample tjänsteskrivelse: {"docx": path, "pdf": path}."""
    return _document(built_all, "tjanstskrivelse")


@pytest.fixture
def warm_charts(built_all: list[Path]) -> Callable[[Path], None]:
    """Give an output folder the chart images already drawn, so a test build skips drawing."""
    def copy(out: Path) -> None:
        shutil.copytree(CHART_CACHE, out / CACHE, dirs_exist_ok=True)
    return copy


def copy_kultur(root: Path) -> Path:
    """Copy the kultur sample and its kommun profile side by side into ``root``."""
    shutil.copytree(PROFILE, root / PROFILE.name)
    shutil.copytree(KULTUR, root / KULTUR.name)
    return root / KULTUR.name


@pytest.fixture
def kultur(tmp_path: Path) -> Path:
    """A private copy of the kultur sample, beside a copy of its kommun profile."""
    return copy_kultur(tmp_path)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the sample data that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(SAMPLE, target)
    return target


# --- Helpers for tests that break a copy of the sample ----------------------------------------


def run_cli(*args: str) -> Result:
    """Run ``vbgen`` with ``args``; whatever happens, the user never sees a traceback."""
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def replace_text(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file with ``new``; ``old`` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} finns inte i {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The number of the first line of the file that contains ``needle``."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def word_document(source: Path | bytes) -> DocxDocument:
    """A built DOCX opened with python-docx, its content controls unwrapped: a draft has its
    paragraphs' text inside controls, which python-docx's ``paragraphs`` and ``text`` skip."""
    d = docx.Document(str(source) if isinstance(source, Path) else io.BytesIO(source))
    for sdt in list(d.element.body.iter(qn("w:sdt"))):
        parent = sdt.getparent()
        at = parent.index(sdt)
        content = sdt.find(qn("w:sdtContent"))
        for child in list(content) if content is not None else []:
            parent.insert(at, child)
            at += 1
        parent.remove(sdt)
    return d


@pytest.fixture(scope="session")
def office(tmp_path_factory: pytest.TempPathFactory):
    """One headless LibreOffice for the session, to edit drafts in as a person does."""
    from .libreoffice import Office, skip_unless_usable

    skip_unless_usable()
    started = Office(tmp_path_factory.mktemp("libreoffice"))
    yield started
    started.close()


def words_of(text: str) -> str:
    """Shown text with the no-break spaces the report's typography sets beside a word as
    spaces; those inside a number and before its % stay (``fmt`` writes them)."""
    return re.sub(r"(?<=[^\W\d])\u00a0|\u00a0(?=[^\W\d])", " ", text)


def answers_ctrl_c() -> None:
    """For a process started to be stopped with Ctrl+C: SIGINT as a terminal gives it, even
    where the tests run as a background job, whose commands ignore it (and Python then
    leaves it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
