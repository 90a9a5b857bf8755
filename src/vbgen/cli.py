"""The ``vbgen`` command line."""

from __future__ import annotations

import atexit
import datetime
import json
import os
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from . import __version__, kommandorad
from .build import (
    DOCUMENTS,
    FORMATS,
    DraftError,
    Options,
    OverwriteError,
    build,
    check,
)
from .commands.batch import TIME_LIMIT
from .errors import (
    DataError,
    EnvironmentProblem,
    OutputBusyError,
    StyleError,
    TemplateError,
    os_reason,
)

# Before any command is declared: click asks for some of its texts as an option is made.
kommandorad.install()

if TYPE_CHECKING:
    from .commands.hamta import Conflict, Plan
    from .model.report import Meta
    from .readers.docx import Draft, LockedEdit


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    items = tuple(v.strip().lower() for v in value.split(",") if v.strip())
    unknown = [v for v in items if v not in FORMATS]
    if unknown or not items:
        raise click.BadParameter(
            f"okänt format {', '.join(unknown) or '(tomt)'}; välj bland {', '.join(FORMATS)}")
    return items


def _documents(_ctx: click.Context, _param: click.Parameter, value: str | None
               ) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = tuple(v.strip().lower() for v in value.split(",") if v.strip())
    unknown = [v for v in items if v not in DOCUMENTS]
    if unknown or not items:
        raise click.BadParameter(
            f"okänt dokument {', '.join(unknown) or '(tomt)'}; välj bland "
            f"{', '.join(DOCUMENTS)}")
    return items


def _year(_ctx: click.Context, _param: click.Parameter, value: int | None) -> int | None:
    if value is not None and not 1900 <= value <= 2200:
        raise click.BadParameter(f"året ska vara mellan 1900 och 2200, fick {value}")
    return value


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


#: Exit codes: 1 for a problem in the data, templates or styles (or a refusal to overwrite),
#: 2 for one in the environment (a folder that cannot be read or written, a busy output
#: folder), 3 for an error inside vbgen itself.
EXIT_DATA, EXIT_ENVIRONMENT, EXIT_INTERNAL = 1, 2, 3


def _log_internal(exc: BaseException, out: Path | None) -> Path | None:
    """Write the details of an unexpected error to a log file; return where, if anywhere."""
    details = "".join(traceback.format_exception(exc))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    places = [out] if out is not None else []
    for place in [*places, Path(tempfile.gettempdir())]:
        try:
            place.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f"vbgen-fel-{stamp}-", suffix=".log", dir=place)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(f"vbgen {__version__}\n{details}")
            return Path(name)
        except OSError:
            continue
    return None


def _guarded(action: Callable[[], None], out: Path | None = None) -> None:
    """Run a command; every failure becomes one Swedish message and an exit code."""
    try:
        action()
    except DataError as exc:
        _fail(str(exc))
    except TemplateError as exc:
        _fail(f"Fel i mallarna: {exc}")
    except StyleError as exc:
        _fail(f"Fel i stilarna: {exc}")
    except (OverwriteError, DraftError) as exc:
        _fail(str(exc))
    except (EnvironmentProblem, OutputBusyError) as exc:
        _fail(f"Kan inte fortsätta: {exc}", EXIT_ENVIRONMENT)
    except BrokenPipeError:
        # The reader of the output went away ("| head"): nothing more to say, and Python
        # must not complain about it when it flushes on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except OSError as exc:
        _fail(f"Kan inte fortsätta: {exc.filename or 'en fil'}: {os_reason(exc)}",
              EXIT_ENVIRONMENT)
    except MemoryError:
        _fail("Kan inte fortsätta: minnet räckte inte till", EXIT_ENVIRONMENT)
    except Exception as exc:  # anything else is a fault in vbgen, not in the data
        log = _log_internal(exc, out)
        where = f"; detaljerna finns i {log}" if log else ""
        _fail(f"Internt fel i vbgen ({exc.__class__.__name__}){where}. Felet ligger i vbgen, "
              "inte i data; skicka loggfilen till den som sköter vbgen.", EXIT_INTERNAL)


class DataFolder(click.ParamType):
    """A nämnd's data folder, given as the folder or as its main file (``…/vb.yaml``)."""

    name = "datamapp"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> Path:
        from .names import MAIN_FILE

        path = value if isinstance(value, Path) else Path(str(value))
        if path.is_file():
            if path.name != MAIN_FILE:
                self.fail(f"{path} är en fil; ange datamappen eller dess {MAIN_FILE}", param,
                          ctx)
            return path.parent
        return path


DATA_FOLDER = DataFolder()


@click.group("vbgen", cls=kommandorad.Group,
             context_settings={"help_option_names": kommandorad.HELP_NAMES},
             order=("ny", "kolada", "kontrollera", "forhandsgranska", "bygg", "hamta", "stil",
                    "schema"),
             examples=[
                 ("vbgen ny kultur-2024 --fran kultur-2023", "1. årets datamapp ur förra årets"),
                 ("vbgen kontrollera kultur-2024", "2. fel i data och luckorna att fylla"),
                 ("vbgen forhandsgranska kultur-2024", "3. rapporten i webbläsaren"),
                 ("vbgen bygg kultur-2024", "4. ett utkast, DOCX och PDF, till output/"),
                 ("vbgen hamta utkast.docx kultur-2024",
                  "5. texterna från Word-utkastet till data"),
                 ("vbgen bygg kultur-2024 --slutlig", "6. den slutliga versionen"),
             ])
@click.version_option(__version__, "--version", prog_name="vbgen",
                      message="%(prog)s %(version)s", help="Visa vbgens version och avsluta.")
def main() -> None:
    """Bygg en nämnds verksamhetsberättelse och tjänsteskrivelse som Word och PDF från en
    datamapp.

    Skriv 'vbgen KOMMANDO --hjalp' för ett kommandos flaggor och exempel.
    """


@main.command(
    "bygg", aliases=("build",),
    short_help="Bygg utkastet eller den slutliga versionen, DOCX och PDF.",
    examples=[
        ("vbgen bygg kultur-2024", "ett utkast, DOCX och PDF, till output/"),
        ("vbgen bygg kultur-2024/vb.yaml", "detsamma: mappen eller dess vb.yaml"),
        ("vbgen bygg kultur-2024 --slutlig", "den slutliga versionen, när inget saknas"),
        ("vbgen bygg kultur-2024 --format pdf --ut rapporter", "bara PDF, till rapporter/"),
        ("vbgen bygg norrvik --ut rapporter", "alla nämnder i kommunmappen norrvik/"),
        ("vbgen bygg norrvik --kluster tcp://server:8786", "alla nämnder på ett Dask-kluster"),
    ])
@click.argument("mappar", nargs=-1, required=True, metavar="MAPP [MAPP …]", type=DATA_FOLDER)
@click.option("--format", "formats", default=",".join(FORMATS), callback=_formats,
              show_default=True, metavar="FORMAT[,FORMAT]",
              help="Format att bygga, kommaseparerade.")
@click.option("--ut", "--out", "out", type=click.Path(path_type=Path), metavar="MAPP",
              default=Path("output"), show_default=True, help="Mapp för de färdiga filerna.")
@click.option("--mallar", "templates", type=click.Path(path_type=Path), metavar="MAPP",
              help="Egen mallmapp; mallar där ersätter de inbyggda.")
@click.option("--stilar", "styles", type=click.Path(path_type=Path), metavar="MAPP",
              help="Egen stilmapp med rapport.css och referens.docx.")
@click.option("--skriv-over", "force", is_flag=True,
              help="Skriv över filer som har ändrats sedan vbgen skrev dem.")
@click.option("--dokument", "documents", callback=_documents, metavar="NAMN[,NAMN]",
              help="Dokument att bygga, kommaseparerade: "
                   f"{', '.join(DOCUMENTS)}. Standard: alla som data har.")
@click.option("--slutlig", "final", is_flag=True,
              help="Bygg den slutliga versionen: vägras så länge något saknas i data.")
@click.option("--jobb", "jobs", type=click.IntRange(min=1), metavar="N",
              help="Antal nämnder som byggs samtidigt. Standard: en per processorkärna.")
@click.option("--tyst", "quiet", is_flag=True,
              help="Ingen rad per nämnd eller fil; bara sammanfattning och fel.")
@click.option("--tidsgrans", "time_limit", type=click.IntRange(min=1), metavar="SEKUNDER",
              help="När flera nämnder byggs: stoppa en nämnd som tar längre tid. "
                   f"Standard: {TIME_LIMIT}.")
@click.option("--kluster", "cluster", metavar="ADRESS",
              help="Bygg nämnderna på Dask-klustret med schemaläggaren på ADRESS, till "
                   "exempel tcp://server:8786 (kräver vbgen[kluster]; se docs/batch.md).")
def build_command(mappar: tuple[Path, ...], formats: tuple[str, ...], out: Path,
                  templates: Path | None, styles: Path | None, force: bool,
                  documents: tuple[str, ...] | None, final: bool, jobs: int | None,
                  quiet: bool, time_limit: int | None, cluster: str | None) -> None:
    """Bygg dokumenten för datamappen MAPP (eller dess vb.yaml): ett utkast, eller med
    --slutlig den slutliga versionen. Utkastets filer slutar på -utkast, så att den
    slutliga versionen aldrig skriver över ett utkast.

    Flera mappar, eller en kommunmapp med en mapp per nämnd, byggs samtidigt; varje nämnds
    dokument hamnar i en egen undermapp av --ut.
    """
    from .commands.batch import build_many, is_kommun

    # Checked here rather than by click, so that the message is in Swedish.
    for folder, what in ((templates, "Mallmappen"), (styles, "Stilmappen")):
        if folder is not None and not folder.is_dir():
            _fail(f"{what} {folder} finns inte (eller är ingen mapp).")
    options = Options(out, formats, templates, styles, force, documents, slutlig=final)
    if cluster or len(mappar) > 1 or is_kommun(mappar[0]):
        code = 0

        def run_many() -> None:
            nonlocal code
            code = build_many(mappar, options, jobs, quiet, time_limit or TIME_LIMIT, cluster)

        _guarded(run_many, out)
        sys.exit(code)
    mapp = mappar[0]

    def run() -> None:
        from .commands.batch import closing_line, document_count, pdf_pages
        from .compose.luckor import GapEntry
        from .progress import Display, listening

        notes: list[str] = []
        gaps: list[GapEntry] = []
        display = Display()
        with listening(lambda what: display.show(f"Bygger {mapp}: {what}")):
            try:
                written = build(mapp, options, notes, gaps)
            finally:
                display.clear()
        if not quiet:
            for path in written:
                click.echo(f"Skrev {path} ({path.stat().st_size // 1024} kB)")
        for note in notes:
            click.echo(note)
        if written:
            click.echo(closing_line(final, document_count(written), pdf_pages(written),
                                    len(gaps), out))

    _guarded(run, out)


@main.command(
    "kontrollera", aliases=("validate",),
    short_help="Kontrollera data, mallar och stilar; visa luckorna.",
    examples=[
        ("vbgen kontrollera kultur-2024", "fel i data och luckorna att fylla"),
        ("vbgen kontrollera kultur-2024/vb.yaml", "detsamma: mappen eller dess vb.yaml"),
        ("vbgen kontrollera kultur-2024 --stilar stilar", "med egna stilar, som vid bygg"),
    ])
@click.argument("mapp", type=DATA_FOLDER)
@click.option("--mallar", "templates", type=click.Path(file_okay=False, exists=True,
              path_type=Path), metavar="MAPP", help="Egen mallmapp, som vid bygg.")
@click.option("--stilar", "styles", type=click.Path(file_okay=False, exists=True,
              path_type=Path), metavar="MAPP", help="Egen stilmapp, som vid bygg.")
def validate_command(mapp: Path, templates: Path | None, styles: Path | None) -> None:
    """Kontrollera datamappen MAPP (eller dess vb.yaml), och egna mallar och stilar, utan
    att skriva något: "inga fel" betyder att ett bygge går igenom. Luckorna som finns kvar
    innan den slutliga versionen kan byggas listas med var de fylls i.
    """

    def run() -> None:
        from .checks import arskontroll
        from .checks.siffror import Finding
        from .checks.siffror import describe as describe_figures
        from .compose.luckor import describe, gaps_of, unavailable_of
        from .derive.goals import assessment_notes, derive

        figures: list[Finding] = []
        review: list[arskontroll.Mention] = []
        report, found = check(mapp, templates, styles=styles, findings=figures, review=review)
        gaps, unavailable = gaps_of(found), unavailable_of(found)
        goals = len(report.assessed_goals())
        level = report.level_name(report.assessed_level)
        indicators = sum(len(g.indikatorer) for g in report.all_goals())
        click.echo(f"{mapp}: inga fel. {report.namnd} {report.ar}: {goals} "
                   f"{level.i_text if goals == 1 else level.plural_form}, {indicators} "
                   "indikatorer.")
        for note in assessment_notes(report, derive(report)):
            click.echo(note)
        if gaps:
            click.echo(f"Utkastet har {len(gaps)} {'lucka' if len(gaps) == 1 else 'luckor'} "
                       "att fylla innan den slutliga versionen kan byggas:")
            for line in describe(gaps):
                click.echo(line)
        if unavailable:
            n = len(unavailable)
            click.echo(f"{n} {'uppgift' if n == 1 else 'uppgifter'} saknas med skäl enligt "
                       "data (visas som .. med skälet i en not):")
            for line in describe(unavailable):
                click.echo(line)
        if review:
            click.echo(f"Årtal att se över ({len(review)} kvar från vbgen ny); ändra "
                       f"meningen eller bekräfta den i {arskontroll.FILE}:")
            for line in arskontroll.describe(review):
                click.echo(line)
        for line in describe_figures(figures):
            click.echo(line)

    _guarded(run)


@main.command(
    "hamta",
    short_help="För tillbaka texterna från Word-utkastet till datamappen.",
    examples=[
        ("vbgen hamta utkast.docx kultur-2024", "visa ändringarna och fråga innan de skrivs"),
        ("vbgen hamta utkast.docx kultur-2024 --ja", "skriv utan att fråga"),
        ("vbgen hamta utkast.docx kultur-2024 --behall utkast",
         "texter ändrade på båda håll: utkastets version"),
    ])
@click.argument("utkast", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("mapp", type=DATA_FOLDER)
@click.option("--ja", is_flag=True, help="Skriv ändringarna utan att fråga.")
@click.option("--behall", type=click.Choice(["utkast", "data"]), default=None,
              help="För texter som ändrats både i utkastet och i data: skriv utkastets "
                   "version (utkast) eller behåll datas (data). Annars frågar vbgen för "
                   "varje sådan text, och med --ja skrivs de inte.")
def hamta_command(utkast: Path, mapp: Path, ja: bool, behall: str | None) -> None:
    """Hämta texter som ändrats i Word-utkastet UTKAST (en fil som slutar på -utkast.docx,
    sparad i Word eller LibreOffice) tillbaka till datamappen MAPP. Ändringarna visas först,
    text för text, och skrivs när du svarat ja.
    """
    conflicts = 0

    def run() -> None:
        nonlocal conflicts
        from .commands import hamta
        from .load import load
        from .readers.docx import read_draft

        draft = read_draft(utkast)
        report = load(mapp)
        hamta.check_origin(draft, report)
        p = hamta.plan(draft, mapp, report, default=behall or "")
        if p.conflicts and not ja:
            # A question per text edited on both sides, each shown word by word first.
            choices = {k.name: _ask_keep(k) for k in p.conflicts}
            p = hamta.plan(draft, mapp, report, keep=choices)
        conflicts = len(p.conflicts)
        for line in hamta_lines(draft, p, report):
            click.echo(line)
        if not p.changes:
            if p.already:
                click.echo(f"Inget att skriva: data har redan {'de övriga ' if conflicts else ''}"
                           "texterna som ändrats i utkastet.")
            elif conflicts or p.kept_data:
                click.echo("Inget annat att skriva.")
            else:
                click.echo("Inget att skriva: ingen text i utkastet har ändrats.")
            return
        n = len(p.changes)
        what = "1 text" if n == 1 else f"{n} texter"
        if not ja:
            try:
                answer = click.prompt(f"Skriva {what} till {mapp}? (j/n)", default="n",
                                      show_default=False)
            except click.Abort:
                answer = "n"
            if answer.strip().lower() not in ("j", "ja"):
                click.echo("Inget skrevs.")
                return
        before = hamta.apply(p)
        try:
            load(mapp)
        except DataError:
            hamta.write(before)  # what was written does not load: put the files back
            raise
        click.echo(f"Skrev {what} till {mapp}. Bygg utkastet igen med vbgen bygg.")

    _guarded(run)
    if conflicts:
        _fail(f"{conflicts} {'text' if conflicts == 1 else 'texter'} skrevs inte, eftersom "
              f"{'den' if conflicts == 1 else 'de'} ändrats både i utkastet och i data; välj "
              "version med --behall utkast eller --behall data, eller för in ändringen för "
              "hand.")


def _ask_keep(k: Conflict) -> str:
    """Ask which version of a text edited on both sides to keep: "utkast", "data" or ""."""
    click.echo(f"{k.title} ({_shown_place(k.name)}) har ändrats både i utkastet och i data:")
    for line in _difference_lines(k):
        click.echo(line)
    try:
        answer = click.prompt("Behåll utkastets version (u), datas version (d) eller ingen "
                              "av dem nu (n)?", default="n", show_default=False)
    except click.Abort:
        answer = "n"
    return {"u": "utkast", "utkast": "utkast", "d": "data", "data": "data"}.get(
        answer.strip().lower(), "")


def _difference_lines(k: Conflict, limit: int = 8) -> list[str]:
    """A conflict word by word: each place where the versions differ, data's then draft's."""
    out: list[str] = []
    for old, new in k.differences():
        out += [f"    i data:     \u201d{old}\u201d", f"    i utkastet: \u201d{new}\u201d"]
    more = len(out) // 2 - limit
    return out[:2 * limit] + ([f"    … och {more} ställen till"] if more > 0 else [])


def hamta_lines(draft: Draft, p: Plan, report: Meta | None = None) -> list[str]:
    """What ``vbgen hamta`` shows before it writes: changes, conflicts and what is left."""
    out: list[str] = []
    if p.changes:
        out.append(f"Ändrade texter ({len(p.changes)}):")
        for c in p.changes:
            out.append(f"  {c.title} ({_shown_place(c.name)})")
            out += [f"    {line}" for line in c.diff()]
    if p.conflicts:
        out.append(f"Ändrade både i utkastet och i data sedan utkastet byggdes; skrivs inte "
                   f"({len(p.conflicts)}):")
        for k in p.conflicts:
            out.append(f"  {k.title} ({_shown_place(k.name)})")
            out += _difference_lines(k)
    if p.kept_draft:
        out.append(f"Ändrade på båda håll, utkastets version skrivs ({len(p.kept_draft)}): "
                   + ", ".join(k.title for k in p.kept_draft))
    if p.kept_data:
        out.append(f"Ändrade på båda håll, datas version behålls ({len(p.kept_data)}): "
                   + ", ".join(k.title for k in p.kept_data))
    if draft.outside:
        out.append(f"Text utanför textfälten, tas inte med ({len(draft.outside)}):")
        out += _at_most([f"  {f.where}: \u201d{f.words}\u201d" for f in draft.outside])
    if draft.unknown:
        out.append(f"Textfält som inte finns i utkastets uppgifter om texterna, tas inte med "
                   f"({len(draft.unknown)}):")
        out += _at_most([f"  \u201d{f.where}\u201d: \u201d{f.words}\u201d"
                         for f in draft.unknown])
    if draft.joined:
        out.append(f"Stycken utan textfält räknas till texten de följer ({len(draft.joined)}):")
        out += _at_most([f"  \u201d{f.words}\u201d, till \u201d{f.where}\u201d"
                         for f in draft.joined])
    if draft.locked_edits:
        out.append(f"Ändringar i delar som vbgen skapar, tas inte med "
                   f"({len(draft.locked_edits)}); ändra i data i stället:")
        out += _at_most([line for e in draft.locked_edits
                         for line in _locked_lines(e, report)], limit=40)
    if draft.missing:
        out.append("Texter som inte finns i utkastet längre; de ändras inte i data: "
                   + ", ".join(draft.missing))
    if draft.tracked_changes:
        out.append(f"Utkastet har {draft.tracked_changes} spårade ändringar som inte "
                   "godkänts; bara godkänd text hämtas.")
    if draft.comments:
        out.append(f"Utkastet har {draft.comments} "
                   f"{'kommentar' if draft.comments == 1 else 'kommentarer'}; de hämtas inte.")
    return out


def _locked_lines(e: LockedEdit, report: Meta | None) -> list[str]:
    """An edit of a generated part: where, old → new, and for a table's cell where the data
    holds its figure."""
    from .commands.hamta import cell_source

    if e.reshaped:
        return [f"  {e.where}: rader eller kolumner har lagts till eller tagits bort"]
    where = e.where + "".join(f", {what} \u201d{name}\u201d" for what, name in
                              (("raden", e.row), ("kolumnen", e.column)) if name)
    change = f"\u201d{e.old}\u201d \u2192 \u201d{e.new}\u201d" if e.old \
        else f"\u201d{e.new}\u201d"
    lines = [f"  {where}: {change}"]
    source = cell_source(report, e.table, e.row, e.column) if report and e.table else ""
    if source:
        lines.append(f"    {source}")
    return lines


def _at_most(lines: list[str], limit: int = 20) -> list[str]:
    """The first ``limit`` lines of a list, and how many more there are."""
    more = len(lines) - limit
    return lines if more <= 0 else [*lines[:limit], f"  … och {more} till"]


def _shown_place(name: str) -> str:
    return name.replace(":", ", fält ", 1) if name.startswith("vb.yaml:") else name


@main.command(
    "kolada",
    short_help="Hämta nyckeltal ur Kolada till indikatorerna och tabellerna.",
    examples=[
        ("vbgen kolada kultur-2024", "hämta, visa varje ändrad cell och fråga innan den skrivs"),
        ("vbgen kolada kultur-2024 --ar 2024 --ja", "bara 2024, utan att fråga"),
        ("vbgen kolada kultur-2024 --cache", "fyll i från mappens sparade svar, utan nätet"),
    ])
@click.argument("mapp", type=DATA_FOLDER)
@click.option("--ar", "years", type=int, multiple=True, metavar="ÅR",
              help="Bara det här året (flera: --ar 2022 --ar 2023). Standard: alla år som "
                   "indikatorerna och tabellerna visar.")
@click.option("--skriv-over", "force", is_flag=True,
              help="Skriv över värden som skrivits för hand.")
@click.option("--ja", is_flag=True, help="Skriv utan att fråga.")
@click.option("--cache", "offline", is_flag=True,
              help="Fyll i från mappens kolada-cache.json, utan nätet.")
@click.option("--adress", metavar="URL",
              help="Koladas adress; standard kolada: adress: i data, annars "
                   "https://api.kolada.se/v3.")
def kolada_command(mapp: Path, years: tuple[int, ...], force: bool, ja: bool, offline: bool,
                   adress: str | None) -> None:
    """Hämta nyckeltal ur Kolada till indikatorerna och tabellerna i datamappen MAPP."""
    from .commands.kolada.command import KoladaError, run

    def ask(question: str) -> bool:
        try:
            return click.prompt(question, default="n", show_default=False).strip().lower() \
                in ("j", "ja")
        except click.Abort:
            return False

    def guarded() -> None:
        try:
            run(mapp, years, force, ja, offline, adress, click.echo, ask)
        except KoladaError as exc:
            _fail(f"vbgen kolada: {exc}. Inget har ändrats.",
                  EXIT_ENVIRONMENT if exc.network else EXIT_DATA)

    _guarded(guarded)


@main.command(
    "ny", aliases=("init",),
    short_help="Skapa årets datamapp ur förra årets, eller en startmapp.",
    examples=[
        ("vbgen ny kultur-2024 --fran kultur-2023", "årets mapp ur förra årets, med luckor"),
        ("vbgen ny kultur-2025 --ar 2025", "en startmapp med ett exempel av varje slag"),
    ])
@click.argument("nymapp", type=click.Path(file_okay=False, path_type=Path))
@click.option("--fran", "--from", "fran", metavar="FJOLÅRSMAPP", type=DATA_FOLDER,
              help="Förra årets datamapp (eller dess vb.yaml) att utgå från.")
@click.option("--ar", type=int, callback=_year, metavar="ÅR",
              help="Det nya verksamhetsåret; som standard året efter fjolårsmappens, och "
                   "utan --fran förra kalenderåret.")
def init_command(nymapp: Path, fran: Path | None, ar: int | None) -> None:
    """Skapa datamappen NYMAPP: ur förra årets mapp (--fran), med årets texter och siffror
    tomma som luckor att fylla, eller en startmapp med ett exempel av varje slag.
    """
    from .commands.nyttar import InitError, new_year
    from .commands.startmapp import start_folder

    try:
        result = new_year(fran, nymapp, ar) if fran is not None else start_folder(nymapp, ar)
    except InitError as exc:
        _fail(f"vbgen ny: {exc}")
    except OSError as exc:
        _fail(f"vbgen ny: kunde inte skriva {exc.filename or nymapp}: {exc.strerror}")
    for note in result.notes:
        click.echo(note)
    click.echo(f"Skrev {len(result.files)} filer i {nymapp}.")
    click.echo(f"Den nya mappen har {result.gaps} "
               f"{'lucka' if result.gaps == 1 else 'luckor'} att fylla; se vbgen kontrollera "
               f"{nymapp} och bygg ett utkast med vbgen bygg {nymapp}.")


@main.command(
    "forhandsgranska", aliases=("preview",),
    short_help="Visa rapporten i webbläsaren medan du skriver.",
    examples=[
        ("vbgen forhandsgranska kultur-2024", "rapporten på http://127.0.0.1:8000/"),
        ("vbgen forhandsgranska kultur-2024 --port 8001", "på en annan port"),
    ])
@click.argument("mapp", type=DATA_FOLDER)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              metavar="PORT", help="Port på 127.0.0.1; 0 väljer en ledig.")
@click.option("--mallar", "templates", type=click.Path(file_okay=False, exists=True,
              path_type=Path), metavar="MAPP",
              help="Egen mallmapp; mallar där ersätter de inbyggda.")
@click.option("--stilar", "styles", type=click.Path(file_okay=False, exists=True,
              path_type=Path), metavar="MAPP", help="Egen stilmapp med rapport.css.")
def preview_command(mapp: Path, port: int, templates: Path | None,
                    styles: Path | None) -> None:
    """Visa rapporten för datamappen MAPP i webbläsaren, med PDF:ens stilar och sidnummer,
    och uppdatera den när du sparar en fil. Avsluta med Ctrl+C.
    """
    from .commands.preview import PreviewError, run

    try:
        run(mapp, port, templates, styles, click.echo)
    except PreviewError as exc:
        _fail(str(exc))


@main.command(
    "schema",
    short_help="Skriv JSON Schema för vb.yaml, för en editor.",
    examples=[
        ("vbgen schema > vb.schema.json", "schemat för vb.yaml"),
        ("vbgen schema --kommun > kommun.schema.json", "schemat för kommun.yaml"),
    ])
@click.option("--kommun", "profile", is_flag=True,
              help="Schemat för en kommunprofils kommun.yaml i stället för vb.yaml.")
def schema_command(profile: bool) -> None:
    """Skriv JSON Schema för vb.yaml, så att en editor (till exempel VS Code) kan
    komplettera och kontrollera filen medan du skriver.
    """
    from .commands.schema import json_schema

    click.echo(json.dumps(json_schema(profile), ensure_ascii=False, indent=2))


@main.command(
    "stil", aliases=("style",),
    short_help="Skapa en egen stilmapp med färger, typsnitt och Word-mall.",
    examples=[
        ("vbgen stil norrviks-kommun/stilar", "en stilmapp ur de inbyggda stilarna"),
        ("vbgen stil nya-stilar --fran norrviks-kommun/stilar", "en ur en annan stilmapp"),
        ("vbgen stil kultur-2024/stilar --identitet --fran norrviks-kommun/stilar",
         "bara nämndens identitet.css över kommunens stilar"),
    ])
@click.argument("ny", type=click.Path(file_okay=False, path_type=Path))
@click.option("--fran", "--from", "fran", metavar="MAPP",
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Stilmappen att utgå från; utan den de inbyggda stilarna.")
@click.option("--identitet", "--identity", "identity", is_flag=True,
              help="Skriv bara NY/identitet.css: nämndens egna färger och storlekar över "
                   "stilarna i --fran, alla som kommentarer att ändra.")
def stil_command(ny: Path, fran: Path | None, identity: bool) -> None:
    """Skapa stilmappen NY: stilmall, typsnitt och Word-referensdokument, färdiga att ändra.
    Färgerna och typsnitten står under :root i NY/rapport.css; bygg med --stilar NY.
    Med --identitet skrivs bara NY/identitet.css, för en nämnd som ser ut som sin kommun
    utom i det den anger där.
    """
    from .commands.stilmapp import make, make_identity

    def act() -> None:
        if identity:
            written = make_identity(ny, fran)
            under = f"stilarna i {fran}" if fran else "de inbyggda stilarna"
            click.echo(f"Skrev {written}. Ta bort kommentartecknen runt det nämnden ändrar; "
                       f"resten tas från {under}.")
        else:
            click.echo(f"Skrev {len(make(ny, fran))} filer i {ny}. Ändra färger och typsnitt "
                       f"under :root i {ny / 'rapport.css'}.")

    _guarded(act)


def run() -> None:
    """The ``vbgen`` command: :func:`main`, then out of the process without taking the
    interpreter down piece by piece.

    After a build the process holds its data, documents and libraries; freeing them object
    by object took a tenth of a second at every exit, the files long written. The exit
    handlers still run (temporary folders, the worker processes), then the process ends
    with the command's exit status. Where another thread still runs, Python exits as usual.
    """
    code: str | int | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    if threading.active_count() > 1:
        sys.exit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):  # as sys.exit would: the message, and status 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()  # noqa: SLF001 - the handlers os._exit would skip
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that has gone, a stream closed
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
