"""Build several data folders at once: the nämnder of a kommun, in parallel.

Each folder is one job (``build_one``): it calls ``build.build`` with its own subfolder of the
output folder and returns a small, picklable ``Outcome``. Each job runs in a process of its
own, as many at once as the machine has cores, and is stopped when it runs past its time
limit; the same function can be handed to any other scheduler (see docs/batch.md). A
failing, stalled or crashed folder is reported and does not stop the others.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import fmt
from ..build import DraftError, Options, OverwriteError, build, up_to_date
from ..errors import DataError, StyleError, TemplateError
from ..names import MAIN_FILE, PROFILE_FILE
from ..paths import inside
from ..progress import Display

if TYPE_CHECKING:
    from ..compose.luckor import GapEntry


class BatchError(Exception):
    """The folders cannot be built together; the message says why, in Swedish."""


@dataclass
class Outcome:
    """What building one folder gave: plain data, so that it can cross process boundaries."""

    #: The folder's name in the output folder (its subfolder) and in the summary.
    name: str
    folder: str
    ok: bool = False
    #: The documents built (a document counts once, whatever its formats).
    documents: int = 0
    #: Pages of the PDFs written; None when no PDF was built.
    pages: int | None = None
    seconds: float = 0.0
    #: The gaps to fill in the documents (examples included, each once, as --slutlig counts
    #: them); None when not known.
    gaps: int | None = None
    #: The number of problems that stopped the build; 0 when it succeeded.
    errors: int = 0
    #: Why the build failed, as the user reads it, and the gist of it in one line.
    message: str = ""
    headline: str = ""
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    """A data folder and the subfolder of the output folder its documents go to."""

    folder: Path
    name: str


# --- Which folders ---------------------------------------------------------------------------


def is_namnd(folder: Path) -> bool:
    """Whether ``folder`` is a nämnd's data folder (it has a main file)."""
    return (folder / MAIN_FILE).is_file()


def is_profile(folder: Path) -> bool:
    """Whether ``folder`` is a kommun profile: a ``kommun.yaml`` and no main file."""
    return (folder / PROFILE_FILE).is_file() and not is_namnd(folder)


def _children(kommun: Path) -> tuple[list[Path], list[Path]]:
    """The folders directly under ``kommun`` by name, hidden ones left out: the real ones,
    and the links to folders, which are never followed."""
    real: list[Path] = []
    links: list[Path] = []
    try:
        with os.scandir(kommun) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink():
                    links.append(Path(entry.path))
                elif entry.is_dir(follow_symlinks=False):
                    real.append(Path(entry.path))
    except OSError:
        pass
    return sorted(real), sorted(links)


def namnd_folders(kommun: Path) -> list[Path]:
    """The nämnd folders directly under ``kommun``, by name: real folders, not links, and
    not profiles."""
    return [p for p in _children(kommun)[0] if is_namnd(p)]


def linked_namnder(kommun: Path) -> list[str]:
    """A note for each link under ``kommun`` to a nämnd's folder, which is not built."""
    return [f"{link} är en länk till en nämnds mapp"
            f"{'' if inside(kommun, link) else ' utanför kommunmappen'} och byggs inte; "
            "vbgen bygger bara de riktiga mapparna i en kommunmapp."
            for link in _children(kommun)[1] if is_namnd(link)]


def is_kommun(folder: Path) -> bool:
    """Whether ``folder`` is a folder of nämnd folders rather than a nämnd's own folder."""
    return folder.is_dir() and not is_namnd(folder) and bool(namnd_folders(folder))


def safe_name(folder: Path) -> str:
    """The name of ``folder``'s subfolder in the output folder: a–z, digits and hyphens."""
    name = folder.resolve().name.lower()
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name)) or "namnd"


def plan(paths: Sequence[Path]) -> tuple[list[Job], list[str]]:
    """The jobs for the folders given, and a note for each folder left out.

    A kommun folder stands for its nämnd folders; a kommun profile is left out. Two folders
    whose output would share a subfolder are refused before anything is built.
    """
    jobs: list[Job] = []
    notes: list[str] = []
    seen: set[Path] = set()
    for path in paths:
        if is_kommun(path):
            folders = namnd_folders(path)
            notes.extend(linked_namnder(path))
        elif is_profile(path):
            notes.append(f"{path} är en kommunprofil ({PROFILE_FILE}), ingen nämnd, och "
                         "byggs inte.")
            continue
        else:
            folders = [path]  # a folder that is no nämnd fails in its own job, with the reason
        for folder in folders:
            if folder.resolve() not in seen:
                seen.add(folder.resolve())
                jobs.append(Job(folder, safe_name(folder)))
    by_name: dict[str, Job] = {}
    for job in jobs:
        other = by_name.setdefault(job.name, job)
        if other is not job:
            raise BatchError(
                f'mapparna {other.folder} och {job.folder} skulle båda byggas till undermappen '
                f'"{job.name}" i utmappen. Byt namn på en av dem eller bygg dem var för sig.')
    return jobs, notes


# --- One folder ------------------------------------------------------------------------------


def pdf_pages(paths: list[Path]) -> int | None:
    """The pages of the PDFs among ``paths``; None when there are none."""
    import pikepdf  # here, so that the command line starts without it

    pdfs = [p for p in paths if p.suffix == ".pdf"]
    if not pdfs:
        return None
    total = 0
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            total += len(pdf.pages)
    return total


def build_one(folder: Path, options: Options, name: str | None = None) -> Outcome:
    """Build ``folder`` into ``options.out`` and say how it went; never raises for bad data.

    This is the whole job for one nämnd, for the process pool here or any other scheduler.
    """
    started = time.perf_counter()
    outcome = Outcome(name or safe_name(folder), str(folder))
    notes: list[str] = []
    gaps: list[GapEntry] = []
    try:
        written = build(folder, options, notes, gaps)
    except DataError as exc:
        outcome.errors, outcome.message = len(exc.problems), str(exc)
        more = len(exc.problems) - 1
        outcome.headline = str(exc.problems[0]) + (f" (och {more} fel till)" if more else "")
    except TemplateError as exc:
        outcome.errors, outcome.message = 1, f"Fel i mallarna: {exc}"
    except StyleError as exc:
        outcome.errors, outcome.message = 1, f"Fel i stilarna: {exc}"
    except (OverwriteError, DraftError) as exc:
        outcome.errors, outcome.message = 1, str(exc)
    except OSError as exc:
        outcome.errors = 1
        outcome.message = f"kunde inte läsa eller skriva {exc.filename or folder}: {exc.strerror}"
    except Exception as exc:  # noqa: BLE001 - one nämnd's fault must not stop the others
        outcome.errors, outcome.message = 1, f"oväntat fel: {type(exc).__name__}: {exc}"
    else:
        outcome.ok = True
        outcome.written = [str(p) for p in written]
        outcome.documents = document_count(written)
        outcome.pages = pdf_pages(written)
        outcome.gaps = len(gaps) if written else _gaps_again(folder, options)
    if not outcome.ok and not outcome.headline:
        outcome.headline = outcome.message.splitlines()[0] if outcome.message else ""
    outcome.notes = notes
    outcome.seconds = time.perf_counter() - started
    return outcome


def document_count(paths: list[Path]) -> int:
    """How many documents ``paths`` are: a document counts once, whatever its formats."""
    return len({p.stem for p in paths})


def _gaps_again(folder: Path, options: Options) -> int | None:
    """The gaps of a folder whose build had nothing to do, as its last build counted them,
    or counted again; None if unknown."""
    from .. import fingerprint
    from ..build import CACHE
    from .nyttar import count_gaps

    recorded = fingerprint.recorded_gaps(options.out / CACHE / fingerprint.RECORD)
    if recorded is not None:
        return recorded
    try:
        return count_gaps(folder, options.documents, options.templates)
    except (DataError, TemplateError, OSError):
        return None  # the folder changed after its build; the documents stand


def _run(job: Job, options: Options) -> Outcome:
    return build_one(job.folder, replace(options, out=options.out / job.name), job.name)


# --- Many folders ----------------------------------------------------------------------------

#: How long one nämnd may take, in seconds, unless told otherwise (``--tidsgrans``): many
#: times what a report at every input limit takes (docs/prestanda.md).
TIME_LIMIT = 600


def workers(jobs: int | None, folders: int) -> int:
    """How many folders to build at once: ``jobs``, or one per core, never more than needed."""
    return max(1, min(jobs or os.cpu_count() or 1, folders))


def _load_once() -> None:
    """Load what every build loads (WeasyPrint, what drawing a chart needs) here, once,
    rather than in each copy of this process: more than a second a nämnd."""
    import weasyprint  # noqa: F401

    from ..writers.charts import prepare_drawing

    prepare_drawing()


def _child(job: Job, options: Options, conn: Connection) -> None:
    """One job in a process of its own, which leads a process group: stopping the group
    stops whatever the build started."""
    if hasattr(os, "setpgid"):
        os.setpgid(0, 0)
    conn.send(_run(job, options))
    conn.close()


@dataclass
class _Running:
    job: Job
    process: multiprocessing.process.BaseProcess
    conn: Connection
    started: float


def _stop(process: multiprocessing.process.BaseProcess) -> None:
    """Stop ``process`` and every process it started."""
    try:
        if hasattr(os, "killpg") and process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass
    process.join()


def _failed(running: _Running, message: str) -> Outcome:
    return Outcome(running.job.name, str(running.job.folder), errors=1, message=message,
                   headline=message, seconds=time.monotonic() - running.started)


def build_all(jobs: list[Job], options: Options, parallel: int,
              done: Callable[[Outcome], None] | None = None,
              time_limit: float = TIME_LIMIT,
              started: Callable[[Job], None] | None = None) -> list[Outcome]:
    """Build every job, ``parallel`` at a time, each for at most ``time_limit`` seconds;
    return the outcomes in the jobs' order.

    ``started`` is called with each job as its build starts, and ``done`` with each outcome
    as soon as its folder is finished. A job that runs
    past its time limit is stopped, and one whose process ends without an outcome (killed
    for want of memory, say) is reported; the others go on.
    """
    # A copy of this process starts at once and needs nothing imported again; where that is
    # not safe (threads, or no fork), a new interpreter is started instead.
    context = (multiprocessing.get_context("fork")
               if sys.platform == "linux" and threading.active_count() == 1
               else multiprocessing.get_context("spawn"))
    if context.get_start_method() == "fork" and len(jobs) > parallel and sum(
            not up_to_date(job.folder, replace(options, out=options.out / job.name))
            for job in jobs) > parallel:
        _load_once()
    outcomes: dict[Job, Outcome] = {}
    waiting = list(jobs)
    running: list[_Running] = []

    def finish(r: _Running, outcome: Outcome) -> None:
        running.remove(r)
        r.conn.close()
        outcomes[r.job] = outcome
        if done is not None:
            done(outcome)

    try:
        while waiting or running:
            while waiting and len(running) < parallel:
                job = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(job, options, send),
                                          name=f"vbgen-{job.name}")
                process.start()
                send.close()
                running.append(_Running(job, process, receive, time.monotonic()))
                if started is not None:
                    started(job)
            now = time.monotonic()
            soonest = min(r.started + time_limit for r in running)
            ready = wait([r.conn for r in running] + [r.process.sentinel for r in running],
                         timeout=max(0.0, soonest - now))
            for r in list(running):
                if r.conn in ready or r.process.sentinel in ready:
                    try:
                        outcome = r.conn.recv() if r.conn.poll() else None
                    except (EOFError, OSError):
                        outcome = None
                    r.process.join()
                    if outcome is None:
                        code = r.process.exitcode
                        why = (f"stoppades av signal {-code}" if code is not None and code < 0
                               else f"slutade med kod {code}")
                        outcome = _failed(r, f"bygget avbröts: processen {why} utan att bli "
                                             "klar (tog minnet slut?)")
                    finish(r, outcome)
                elif time.monotonic() >= r.started + time_limit:
                    _stop(r.process)
                    finish(r, _failed(r, f"bygget tog mer än {fmt.number(time_limit)} s och "
                                         "stoppades (tidsgränsen ändras med --tidsgrans)"))
    except BaseException:
        # Interrupted (Ctrl-C): start no more folders, and stop those under way.
        for r in running:
            _stop(r.process)
        raise
    return [outcomes[job] for job in jobs]


# --- What the user reads ---------------------------------------------------------------------


def seconds_text(seconds: float) -> str:
    return f"{fmt.number(seconds, 1)} s"


def _count(n: int, one: str, more: str) -> str:
    return f"{n} {one if n == 1 else more}"


def closing_line(final: bool, documents: int, pages: int | None, gaps: int | None,
                 out: Path) -> str:
    """The last line of a build: draft or final, how many documents and pages, the gaps
    left and where the files are."""
    what = [_count(documents, "dokument", "dokument")]
    if pages is not None:
        what.append(_count(pages, "sida", "sidor"))
    if not final and gaps:
        what.append(f"{_count(gaps, 'lucka', 'luckor')} att fylla innan den slutliga "
                    "versionen kan byggas")
    elif not final and gaps == 0:
        what.append("inga luckor: den slutliga versionen kan byggas med --slutlig")
    head = "Den slutliga versionen är klar" if final else "Utkastet är klart"
    return f"{head}: {', '.join(what)}. Filerna ligger i {out}{os.sep}."


def progress_line(outcome: Outcome) -> str:
    """One line on how a folder's build ended."""
    if not outcome.ok:
        return f"{outcome.name}: fel efter {seconds_text(outcome.seconds)}: {outcome.headline}"
    pages = "" if outcome.pages is None else f", {outcome.pages} sidor"
    return (f"{outcome.name}: klar på {seconds_text(outcome.seconds)}, "
            f"{outcome.documents} dokument{pages}")


SUMMARY_HEAD = ("nämnd", "dokument", "sidor", "tid", "luckor", "fel")


def summary(outcomes: list[Outcome]) -> list[str]:
    """The summary table, one line per folder under a header, columns aligned."""
    def dash(value: int | None) -> str:
        return "–" if value is None else str(value)

    rows = [SUMMARY_HEAD] + [
        (o.name, str(o.documents), dash(o.pages), seconds_text(o.seconds), dash(o.gaps),
         str(o.errors)) for o in outcomes]
    widths = [max(len(row[i]) for row in rows) for i in range(len(SUMMARY_HEAD))]
    return ["  ".join([row[0].ljust(widths[0])]
                      + [cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)])
            for row in rows]


def verdict(outcomes: list[Outcome], final: bool, out: Path) -> str:
    """The last line: how many folders were built, as drafts or final versions, and where."""
    failed = sum(not o.ok for o in outcomes)
    n = len(outcomes)
    built = (f"{n - failed} av {_count(n, 'nämnd', 'nämnder')} byggdes "
             f"{'som slutlig version' if final else 'som utkast'}, till {out}{os.sep}")
    return f"{built}." if not failed else f"{built}; {failed} misslyckades."


def _running_line(total: int, finished: int, failed: int, running: list[str],
                  where: str) -> str:
    """The progress line of a batch: how far it has come and what it builds now."""
    done = f"{finished} av {total} klara" + (f", {failed} med fel" if failed else "")
    now = f"; bygger nu {', '.join(running)}" if running else ""
    return f"Bygger {_count(total, 'nämnd', 'nämnder')}{where}: {done}{now}"


def build_many(folders: Sequence[Path], options: Options, jobs: int | None,
               quiet: bool = False, time_limit: float = TIME_LIMIT,
               cluster: str | None = None) -> int:
    """``vbgen bygg`` with several folders: build them side by side, here or on the Dask
    cluster at ``cluster``, print how each went and the summary; return the exit code, 1 if
    any of them failed (2 if the cluster cannot be reached)."""
    try:
        planned, skipped = plan(folders)
    except BatchError as exc:
        click.echo(f"vbgen bygg: {exc}", err=True)
        return 1
    for note in skipped:
        click.echo(note)
    if not planned:
        click.echo("vbgen bygg: ingen av mapparna är en nämnds datamapp (med vb.yaml).",
                   err=True)
        return 1
    parallel = workers(jobs, len(planned))
    terminal = sys.stdout.isatty()
    display = Display()
    where = f" på klustret {cluster}" if cluster else f", {parallel} åt gången"
    running: list[str] = []
    outcomes: list[Outcome] = []

    def redraw() -> None:
        failed = sum(not o.ok for o in outcomes)
        display.show(_running_line(len(planned), len(outcomes), failed, running, where))

    def start(job: Job) -> None:
        running.append(job.name)
        redraw()

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if outcome.name in running:
            running.remove(outcome.name)
        if not quiet:
            line = progress_line(outcome)
            if terminal:  # a counter and a colour only where someone watches
                line = click.style(f"[{len(outcomes)}/{len(planned)}] ", dim=True) + \
                    click.style(line, fg="green" if outcome.ok else "red")
            display.above(lambda: click.echo(line))
        redraw()

    if terminal and not quiet:
        click.echo(f"Bygger {_count(len(planned), 'nämnd', 'nämnder')}{where}, till "
                   f"{options.out}{os.sep}")
    try:
        if cluster:
            from .kluster import ClusterError, build_on_cluster

            try:
                ordered = build_on_cluster(planned, options, cluster, done, time_limit)
            except ClusterError as exc:
                click.echo(f"vbgen bygg: {exc}", err=True)
                return 2
        else:
            ordered = build_all(planned, options, parallel, done, time_limit, start)
    finally:
        display.clear()
    if not quiet:
        click.echo()
    for line in summary(ordered):
        click.echo(line)
    click.echo(verdict(ordered, options.slutlig, options.out))
    for outcome in ordered:
        for note in outcome.notes:
            click.echo(f"{outcome.name}: {note}")
    for outcome in ordered:
        if not outcome.ok:
            click.echo(f"\nFel i {outcome.folder}:\n{outcome.message}", err=True)
    return 0 if all(o.ok for o in ordered) else 1
