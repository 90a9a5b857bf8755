"""Build the documents for a data folder: the only module that writes files.

Everything is loaded, checked, derived and rendered first (charts into a private temporary
folder); only when all of that has succeeded is the output folder touched. Then, holding the
folder's lock file, the new documents, chart images and the record of what was written are
put in a hidden folder, which is renamed into place in one step (the commit) and emptied into
the output folder, the record last. A build killed before the commit leaves the old files; one
killed after it is completed by the next vbgen run on the folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# Only what a build with nothing to do needs is imported here; the rest where it is used,
# so that "vbgen --help" and a build that finds nothing changed load nothing heavy.
from . import fingerprint, progress
from .errors import (
    DataError,
    EnvironmentProblem,
    OutputBusyError,
    Problem,
    StyleError,
    TemplateError,
    environment_problem,
)
from .names import MAIN_FILE
from .paths import Refused, inside, inside_any, read_file, recording, safe_name
from .resources import styles_dir, template_dirs
from .stylechain import PROFILE_STYLES, StyleChain, data_styles, profile_styles

if TYPE_CHECKING:
    from .checks import arskontroll, siffror
    from .compose.luckor import GapEntry
    from .derive.goals import Figures
    from .model import doc
    from .model.report import Report
    from .writers.charts import ChartRenderer
    from .writers.workers import Pool

FORMATS = ("docx", "pdf")
MANIFEST = ".vbgen.json"
CACHE = ".vbgen-cache"
#: How many processes draw a build's new charts.
DRAWING_PROCESSES = 2
#: The lock file that keeps two builds from writing into one output folder at once.
LOCK = ".vbgen.lock"
#: A build's files, complete, waiting to be moved into the output folder.
COMMIT = ".vbgen-commit"
#: The prefix of the hidden folder a build fills before its commit.
STAGING = ".vbgen-ny-"
#: How long a build waits for another build into the same folder, in seconds.
LOCK_WAIT = 300.0


@dataclass(frozen=True)
class DocumentSpec:
    """A document vbgen builds from a data folder."""

    template: str
    #: How messages name it: "tjänsteskrivelsen".
    label: str
    #: The field of the main file the document is built from, if it needs one of its own;
    #: without it the document is left out of a default build.
    needs: str | None = None


#: The documents vbgen builds, by the name used on the command line and in file names.
DOCUMENTS = {
    "verksamhetsberattelse": DocumentSpec("verksamhetsberattelse.j2", "verksamhetsberättelsen"),
    "tjanstskrivelse": DocumentSpec("tjanstskrivelse.j2", "tjänsteskrivelsen",
                                    needs="tjanstskrivelse"),
}


class DraftError(Exception):
    """A final build was asked for, but the data still has gaps."""

    def __init__(self, gaps: list[GapEntry]) -> None:
        super().__init__(gaps)
        self.gaps = gaps

    def __str__(self) -> str:
        from .compose.luckor import describe

        n = len(self.gaps)
        head = (f"Den slutliga versionen byggs inte: data har {n} "
                f"{'lucka' if n == 1 else 'luckor'} att fylla:")
        return "\n".join([head, *describe(self.gaps)])


class OverwriteError(Exception):
    """An output file was changed since vbgen wrote it; it is left alone."""


@dataclass
class Options:
    out: Path
    formats: tuple[str, ...] = FORMATS
    templates: Path | None = None
    styles: Path | None = None
    force: bool = False
    #: The documents to build, by name; None builds every document the data has.
    documents: tuple[str, ...] | None = None
    #: A final build: refused while the data has gaps, and not marked "Utkast".
    slutlig: bool = False


#: What ends the name of a draft's files, so that a final build never replaces a draft.
DRAFT_SUFFIX = "-utkast"


def stem(report: Report, name: str, slutlig: bool) -> str:
    """The file name (without suffix) of a built document, in a fixed safe alphabet: a
    draft's ends with ``DRAFT_SUFFIX``, the final version's does not."""
    return (f"{name}-{safe_name(report.namnd, 'namnd')}-{report.ar}"
            f"{'' if slutlig else DRAFT_SUFFIX}")


def compose_document(report: Report, figures: Figures, template: str,
                     charts: ChartRenderer, templates: Path | None = None,
                     logo: Path | None = None, utkast: bool = True) -> doc.Document:
    """Render ``template`` for ``report`` into the document model, as a draft or final."""
    from .compose import templates as compose

    context = {"vb": report, "fig": figures, "logotyp": str(logo) if logo else None,
               "utkast": utkast,
               **compose.chart_globals(report.diagramdata, charts, report),
               **compose.report_globals(report, charts)}
    document = compose.parse(compose.render(template, context, templates), template,
                             compose.locator(templates))
    document.status = "Utkast" if utkast else "Slutlig"
    document.origin = f"{report.namnd} {report.ar}"
    return document


def finish_draft(documents: dict[str, doc.Document], slutlig: bool,
                 findings: list[siffror.Finding] | None = None,
                 review: list[arskontroll.Mention] | None = None) -> list[GapEntry]:
    """End each draft with the list of its gaps (and of the values the data says are not
    available), and the verksamhetsberättelse's with the sentences with a year left from
    ``vbgen ny`` (``review``) and the figures typed in its texts worth a look
    (``findings``); refuse a final build that has any gap (those lists never stop one).
    Returns the gaps, each once."""
    from .checks import arskontroll, siffror
    from .compose.luckor import find_all, gap_list, gaps_of, unique

    found = {name: find_all(d) for name, d in documents.items()}
    gaps = gaps_of(unique([g for gaps in found.values() for g in gaps]))
    if slutlig and gaps:
        raise DraftError(gaps)
    if slutlig or not documents:
        return gaps
    for name, document in documents.items():
        if found[name]:
            document.blocks.extend(gap_list(found[name]))
    first = documents.get("verksamhetsberattelse") or next(iter(documents.values()))
    first.blocks.extend(arskontroll.review_list(review or []))
    first.blocks.extend(siffror.check_list(findings or []))
    return gaps


def _style_file(styles: Path | StyleChain, name: str) -> Path:
    """A style file from the nearest styles folder that has it, or the built-in one (see
    :meth:`~vbgen.stylechain.StyleChain.file`)."""
    chain = styles if isinstance(styles, StyleChain) else StyleChain.of(styles)
    return chain.file(name)


def style_chain(folder: Path, report: Report, styles: Path | None = None) -> StyleChain:
    """The styles folders of ``folder``'s build, nearest first: the data folder's own
    ``stilar/``, then ``styles`` (``--stilar``) or else the kommun profile's ``stilar/``,
    then the built-in folder."""
    below = styles or (profile_styles(folder / report.profil) if report.profil else None)
    return StyleChain.of(data_styles(folder), below)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _check_untouched(path: Path, manifest: dict[str, str], force: bool = False) -> None:
    """Refuse to replace a file that someone has edited since vbgen wrote it (unless
    ``force``), and a folder in the place of a file in any case."""
    if path.is_dir():
        raise EnvironmentProblem(f"{path} är en mapp, och vbgen skriver en fil med det namnet; "
                                 "flytta mappen eller välj en annan mapp med --ut")
    if force or not path.exists():
        return
    try:
        known = manifest.get(path.name)
        edited = known is None or _digest(path.read_bytes()) != known
    except OSError as exc:
        raise environment_problem(exc, "kan inte läsa", path) from None
    if edited:
        raise OverwriteError(
            f"{path} har ändrats efter att vbgen skrev den (eller skrevs inte av vbgen) och "
            "skrivs inte över. Flytta eller byt namn på filen, välj en annan mapp med --ut, "
            "eller använd --skriv-over för att ersätta den.")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_new(path: Path, data: bytes) -> None:
    """Write a file in a build's own hidden folder, readable like any file the user saves."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock; a second build waits for the first, then refuses."""
    try:
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
    except OSError as exc:
        raise environment_problem(exc, "kan inte skriva i utmappen", out) from None
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                _try_lock(fd)
                break
            except (BlockingIOError, PermissionError):
                if time.monotonic() > deadline:
                    raise OutputBusyError(
                        f"en annan körning av vbgen skriver fortfarande till {out} "
                        f"(låsfilen {LOCK}); vänta tills den är klar eller välj en annan "
                        "mapp med --ut") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _try_lock(fd: int) -> None:
    """Take the lock on ``fd`` or raise at once; the lock ends when ``fd`` is closed."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _check_images(document: doc.Document, readable: list[Path]) -> None:
    """A template may show the charts vbgen drew and the logotype, and no other file."""
    from .model import doc

    paths = [b.path for b in document.blocks if isinstance(b, doc.Figure)]
    paths += [b.logo for b in document.blocks if isinstance(b, doc.TitlePage) and b.logo]
    for path in paths:
        if not any(inside(folder, Path(path)) for folder in readable):
            raise TemplateError(f'mallen visar bilden "{path}", som inte är ett diagram eller '
                                "logotypen; mallar kan bara visa diagram (diagram(), "
                                "diagram_av()) och logotypen")


def recover(out: Path) -> None:
    """Finish a build that was stopped after its commit; drop one stopped before it.

    Called with the output folder's lock held, so nothing here belongs to a running build.
    """
    commit = out / COMMIT
    if commit.is_dir():
        cache = commit / CACHE
        if cache.is_dir():
            (out / CACHE).mkdir(exist_ok=True)
            for image in cache.iterdir():
                os.replace(image, out / CACHE / image.name)
            cache.rmdir()
        for item in commit.iterdir():
            if item.name != MANIFEST:
                os.replace(item, out / item.name)
        if (commit / MANIFEST).exists():
            # The record of what was written goes last: until it is in place, the folder
            # still reads as the previous build.
            os.replace(commit / MANIFEST, out / MANIFEST)
        commit.rmdir()
    for stale in out.glob(STAGING + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    # Temporary files that earlier versions of vbgen could leave when stopped mid-write.
    for pattern in (".*.docx.*.tmp", ".*.pdf.*.tmp", f"{MANIFEST}.*.tmp", f"{CACHE}/*.tmp.png"):
        for stale in out.glob(pattern):
            stale.unlink(missing_ok=True)


def _commit(out: Path, outputs: dict[Path, bytes], images: list[Path], force: bool,
            chapters: set[str] | None = None) -> None:
    """Put ``outputs`` and the new chart ``images`` into ``out`` as one transaction; then
    drop the cached chapters other than ``chapters``, if given."""
    # Checked before anything is created, so that a refused build writes nothing; and again
    # under the lock, in case another build wrote in between. A commit still to be completed
    # changes what the folder holds, so then only the second check counts.
    if not (out / COMMIT).exists():
        manifest = _read_manifest(out)
        for path in outputs:
            _check_untouched(path, manifest, force)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise environment_problem(exc, "kan inte skapa utmappen", out) from None
    with _locked(out):
        try:
            recover(out)
        except OSError as exc:
            raise environment_problem(exc, "kan inte avsluta en tidigare körning i", out) \
                from None
        manifest = _read_manifest(out)
        for path in outputs:
            _check_untouched(path, manifest, force)
        try:
            staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=out))
        except OSError as exc:
            raise environment_problem(exc, "kan inte skriva i utmappen", out) from None
        try:
            for path, data in outputs.items():
                _write_new(staging / path.name, data)
                manifest[path.name] = _digest(data)
            if images:
                (staging / CACHE).mkdir()
                for image in images:
                    shutil.copyfile(image, staging / CACHE / image.name)
            _write_new(staging / MANIFEST,
                       json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
            os.chmod(staging, 0o755 & ~_umask())
            os.rename(staging, out / COMMIT)  # the commit: one step, all or nothing
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise environment_problem(exc, "kan inte skriva i utmappen", out) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        try:
            recover(out)
        except OSError as exc:
            raise environment_problem(exc, "kan inte flytta de nya filerna på plats i", out) \
                from None
        if chapters is not None:
            from .writers.cache import prune

            prune(out / CACHE, chapters)


def lacking_data(report: Report, names: list[str]) -> list[str]:
    """Those of the documents ``names`` whose own field of the main file is missing."""
    return [n for n in names
            if DOCUMENTS[n].needs and getattr(report, str(DOCUMENTS[n].needs)) is None]


def select_documents(report: Report, requested: tuple[str, ...] | None) -> list[str]:
    """The documents to build.

    A document asked for by name must have its data; without a request, a document whose
    field the main file does not have is one the nämnd does not ask for, and is left out
    without a word.
    """
    unknown = [n for n in requested or () if n not in DOCUMENTS]
    if unknown:
        raise ValueError(f"okänt dokument {', '.join(unknown)}; välj bland "
                         f"{', '.join(DOCUMENTS)}")
    wanted = list(dict.fromkeys(requested)) if requested else list(DOCUMENTS)
    lacking = lacking_data(report, wanted)
    if requested and lacking:
        raise DataError([Problem(MAIN_FILE, f"{DOCUMENTS[n].label} kan inte byggas: fältet "
                                            f"{DOCUMENTS[n].needs} saknas (se docs/dataformat.md)")
                         for n in lacking])
    return [n for n in wanted if n not in lacking]


def _unrendered() -> type[ChartRenderer]:
    """A chart renderer that places charts without drawing them: what ``check`` needs to
    run the templates."""
    from .writers.charts import Chart, ChartRenderer, RenderedChart, alt_text

    class Unrendered(ChartRenderer):
        def render(self, chart: Chart) -> RenderedChart:
            return RenderedChart(self.cache_dir / f"{safe_name(chart.id, 'diagram', 40)}.png",
                                 alt_text(chart))

    return Unrendered


def _will_draw(report: Report, cache: Path) -> bool:
    """Whether a build will draw charts: it has drawn none yet (into ``cache``), and the
    report shows charts, declared or drawn from its tables' rows."""
    return not any(cache.glob("*.pdf")) and (
        bool(report.diagramdata) or any(b.diagram for s in report.all_sections()
                                        for b in s.block))


def compose_all(folder: Path, options: Options, notes: list[str] | None = None,
                staging: Path | None = None, draw: bool = True, workers: int = 0,
                chart_files: tuple[str, ...] | None = None,
                findings: list[siffror.Finding] | None = None,
                review: list[arskontroll.Mention] | None = None,
                gaps: list[GapEntry] | None = None, drawing: Pool | None = None
                ) -> tuple[Report, dict[str, doc.Document], StyleChain]:
    """Load ``folder`` and compose each document it asks for, in memory.

    Returns the report, the documents by name and the styles folders. The notes on the
    assessments go into ``notes``. New chart images are drawn
    into ``staging`` (by default the output's cache), in ``workers`` other processes if
    given, as the files ``chart_files`` (by default every kind); without ``draw`` none are
    drawn. The figures typed in the texts worth a look are added to ``findings``, the
    sentences with a year still to review after ``vbgen ny`` to ``review``, and the gaps
    to fill, each once, to ``gaps``. ``drawing`` is a pool of drawing processes started
    before the data was read, used if charts are to be drawn and stopped otherwise.
    """
    from .checks import arskontroll, siffror
    from .derive.goals import assessment_notes, derive
    from .load import load
    from .writers import stil
    from .writers.charts import EVERY_FILE, ChartRenderer, drawing_pool

    try:
        report = load(folder)
        names = select_documents(report, options.documents)
        figures = derive(report)
        if notes is not None:
            notes.extend(assessment_notes(report, figures))
        progress.phase("fyller i mallarna")
        styles = style_chain(folder, report, options.styles)
        styles.check()
        chart_style = styles.file("diagram.mplstyle")
        palette = stil.palette_of(styles.tokens())
    except BaseException:
        if drawing is not None:
            drawing.close()
        raise
    # A build that will draw charts starts its drawing processes now, unless it has: they
    # load matplotlib while the templates are filled in.
    will_draw = draw and _will_draw(report, options.out / CACHE)
    if drawing is not None and not will_draw:
        drawing.close()
    pool = (drawing or drawing_pool(workers, staging or options.out / CACHE)) if will_draw \
        else None
    renderer = ChartRenderer if draw else _unrendered()
    charts = renderer(options.out / CACHE, chart_style, palette=palette, staging=staging,
                      workers=workers, formats=chart_files or EVERY_FILE, pool=pool)
    try:
        logo = styles.logo()
        documents = {name: compose_document(report, figures, DOCUMENTS[name].template, charts,
                                            options.templates, logo, not options.slutlig)
                     for name in names}
    except BaseException:
        charts.finish(check=False)  # the error above is the one to tell
        raise
    charts.finish()
    readable = [options.out / CACHE, *([staging] if staging else []), *([logo] if logo else [])]
    for document in documents.values():
        _check_images(document, readable)
    found = siffror.check(report, list(documents.values()))
    pending = arskontroll.pending(folder)
    if findings is not None:
        findings.extend(found)
    if review is not None:
        review.extend(pending)
    left = finish_draft(documents, options.slutlig, found, pending)
    if gaps is not None:
        gaps.extend(left)
    return report, documents, styles


def check(folder: Path, templates: Path | None = None,
          documents: tuple[str, ...] | None = None, styles: Path | None = None,
          findings: list[siffror.Finding] | None = None,
          review: list[arskontroll.Mention] | None = None) -> tuple[Report, list[GapEntry]]:
    """Everything a build does with the data short of drawing, typesetting and writing.

    ``vbgen kontrollera`` runs this, so that "inga fel" means a build will not fail on the data,
    the templates or the styles. Returns the report and the gaps a draft has (a final build
    is refused while any remain) with the values the data says are not available, each once;
    the figures typed in the texts worth a look are added to ``findings``, and the sentences
    with a year still to review after ``vbgen ny`` to ``review``.
    """
    from .compose.luckor import find_all, unique
    from .writers.docx import DocxWriter

    unused = Path(tempfile.gettempdir()) / "vbgen-validate"
    report, composed, used = compose_all(
        folder, Options(unused, templates=templates, documents=documents, styles=styles),
        draw=False, findings=findings, review=review)
    reference = used.file("referens.docx")
    for document in composed.values():
        # The reference document opens and has every style.
        DocxWriter(document, reference, stylesheet=used.stylesheet, overrides=used.overrides())
    check_stylesheet(used.stylesheet, [used.stylesheet.parent, styles_dir()])
    return report, unique([g for d in composed.values() for g in find_all(d)])


#: A file a style sheet refers to: ``url(…)``, or ``@import "…"`` without it.
_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]*)\3""",
                  re.IGNORECASE)


def check_stylesheet(stylesheet: Path, readable: list[Path]) -> None:
    """Every file the stylesheet refers to (fonts, images) must be inside ``readable``, as
    the PDF writer will only read those; the network is never asked."""
    from .writers.pdf import refused_error

    try:
        text = stylesheet.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise StyleError(f"{stylesheet}: filen är inte sparad som UTF-8") from None
    except OSError as exc:
        raise environment_problem(exc, "kan inte läsa", stylesheet) from None
    refused = []
    for m in _URL.finditer(text):
        url = (m.group(2) or m.group(4) or "").strip()
        if not url or url.startswith(("data:", "#")):
            continue
        target = None if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE) else (
            stylesheet.parent / url.split("#")[0].split("?")[0])
        if target is None or not target.is_file() or not inside_any(readable, target):
            refused.append(url)
    if refused:
        raise refused_error(str(stylesheet), refused, stylesheet.parent)



def _unchanged(options: Options, settings: str) -> list[str] | None:
    """What to tell if nothing the last build into ``options.out`` was made from has
    changed since (the list may be empty), ``settings`` as :func:`_settings` gives them;
    None if something has."""
    if (options.out / COMMIT).exists():
        return None
    return fingerprint.unchanged(options.out / CACHE / fingerprint.RECORD, settings,
                                 options.out)


def up_to_date(folder: Path, options: Options) -> bool:
    """Whether building ``folder`` with ``options`` would find nothing changed."""
    return _unchanged(options, _settings(folder, options)) is not None


def build(folder: Path, options: Options, notes: list[str] | None = None,
          gaps: list[GapEntry] | None = None) -> list[Path]:
    """Build the documents for ``folder``; return the paths written.

    What the user should know goes into ``notes``: the notes on the assessments, or that
    nothing changed since the last build. A draft's gaps to fill go into ``gaps``.
    """
    from .writers.charts import drawing_pool

    work = Path(tempfile.mkdtemp(prefix="vbgen-"))
    # An output folder without a cache is a first build, which draws every chart and has
    # nothing to compare with: the drawing processes start at once, and load matplotlib
    # while the data is read, since the charts are the first the build waits for.
    drawing = drawing_pool(DRAWING_PROCESSES, work) if not (options.out / CACHE).is_dir() \
        else None
    try:
        settings = _settings(folder, options)
        same = _unchanged(options, settings)
    except BaseException:
        _stop(work, drawing)
        raise
    if same is not None:
        _stop(work, drawing)
        if notes is not None:
            notes.extend([*same, fingerprint.NOTHING_CHANGED.format(out=options.out)])
        return []
    progress.phase("läser data")
    found_gaps: list[GapEntry] = gaps if gaps is not None else []
    from .writers.cache import LayoutCache
    from .writers.charts import FORMATS as CHART_FILES
    from .writers.docxpages import renumber
    from .writers.pdf import typeset
    from .writers.workers import Pool

    said: list[str] = []
    pool: Pool | None = None
    writer: Pool | None = None  # the process that writes the Word files, if one is started
    try:
        cache = LayoutCache(options.out / CACHE, work)
        # The processes that lay the PDF out and write the Word files start next, and load
        # WeasyPrint and the style sheet's fonts while the data is read.
        if "pdf" in options.formats:
            pool = Pool.start(_likely_stylesheet(folder, options), work)
        # New charts are drawn in two other processes while the templates are rendered.
        # The chart files the documents show; the SVG is only for the preview.
        files = tuple(CHART_FILES[f] for f in options.formats)
        with recording() as reads:
            report, documents, styles = compose_all(folder, options, said, staging=work,
                                                    workers=DRAWING_PROCESSES,
                                                    chart_files=files, gaps=found_gaps,
                                                    drawing=drawing)
        # The data folder's and the profile's styles are found from the data; the others
        # are in the settings.
        found = {f: fingerprint.tree(f) for f in styles.folders if f not in _folders(options)}
        # The PDF engine may read the style folders, the chart images and nothing else.
        readable = [*styles.folders, work, options.out / CACHE]
        stylesheet = styles.stylesheet
        check_stylesheet(stylesheet, [stylesheet.parent, styles_dir()])
        # The tokens the identitet.css files set over the style sheet, in both formats.
        overrides = styles.overrides()
        reference = styles.file("referens.docx")
        words: dict[str, tuple[Pool, tuple[str, str], dict[str, int]]] = {}
        # The Word file's contents take the PDF's page numbers; those of the last build most
        # likely. Where they are known, the Word files are written from now on, by a copy
        # of this process made with the documents in it, while the PDF is laid out (they
        # are set again below if the PDF's turn out otherwise); the others once the PDF's
        # page numbers are known.
        guessed = {name: cache.pages(name) for name in documents
                   if pool is not None and "docx" in options.formats}
        if any(pages is not None for pages in guessed.values()):
            writer = word = Pool.word()
            for name, pages in guessed.items():
                if pages is not None:
                    words[name] = (word, word.docx(name, documents[name], reference, pages,
                                                   stylesheet, overrides,
                                                   into=work / f"{name}.docx"), pages)
        # Every document's chapters are laid out at once, before any is written.
        laid = {name: typeset(document, stylesheet, base_url=folder,
                              readable=readable, pool=pool, cache=cache, name=name,
                              overrides=overrides, folders=styles.folders)
                for name, document in documents.items()} if pool is not None else {}
        outputs: dict[Path, bytes] = {}
        bases = {name: options.out / stem(report, name, options.slutlig) for name in documents}
        for name, document in documents.items():
            base = bases[name]
            if name in laid:
                progress.phase(f"lägger ut {DOCUMENTS[name].label} som PDF")
                outputs[base.with_suffix(".pdf")] = b""  # the order of the files
            if "docx" not in options.formats:
                continue
            if pool is None:
                progress.phase(f"skriver {DOCUMENTS[name].label} som Word-fil")
                outputs[base.with_suffix(".docx")] = _word(document, reference, {}, stylesheet,
                                                         overrides)
                continue
            if name not in words:
                pages = laid[name].pages()
                words[name] = (pool, pool.docx(name, document, reference, pages, stylesheet,
                                               overrides), pages)
            outputs[base.with_suffix(".docx")] = b""
        for name in laid:
            progress.phase(f"skriver {DOCUMENTS[name].label} som PDF")
            outputs[bases[name].with_suffix(".pdf")] = laid[name].write()
            said.extend(w for w in laid[name].warnings() if w not in said)
        for name, (by, ticket, pages) in words.items():
            progress.phase(f"skriver {DOCUMENTS[name].label} som Word-fil")
            written = by.wait([ticket])[0]
            if isinstance(written, Path):
                written = written.read_bytes()
            if laid[name].pages() != pages:
                # Only the contents' page numbers differ: set in the file as written.
                written = renumber(written, documents[name], laid[name].pages()) or by.wait([
                    by.docx(f"{name} igen", documents[name], reference, laid[name].pages(),
                            stylesheet, overrides)])[0]
            outputs[bases[name].with_suffix(".docx")] = written
        progress.phase("sparar filerna")
        staged = cache.save() if laid else []
        images = sorted(p for p in work.iterdir()
                        if p.suffix in (".png", ".svg", ".pdf") and not p.name.startswith(".")
                        and p not in staged)
        # The record of this build's inputs goes into place with its files, as one commit.
        fingerprint.remember(work / fingerprint.RECORD, settings, found, reads, outputs, said,
                             len(found_gaps))
        _commit(options.out, outputs, [*images, *staged, work / fingerprint.RECORD],
                options.force, cache.files() if laid else None)
    finally:
        _stop(work, pool, drawing, writer)
        if notes is not None:
            notes.extend(said)
    return list(outputs)


def _stop(work: Path, *started: Pool | None) -> None:
    """Stop the processes a build ``started`` and remove its folder ``work``, however the
    build ends."""
    for processes in started:
        if processes is not None:
            processes.close()  # a second time does nothing
    shutil.rmtree(work, ignore_errors=True)


def _word(document: doc.Document, reference: Path, pages: dict[str, int],
          stylesheet: Path, overrides: dict[str, str]) -> bytes:
    """The Word file of ``document``, its contents numbered with ``pages`` and its styles
    following the identity ``stylesheet`` declares, with the tokens ``overrides`` over it."""
    from .writers.docx import write_docx

    return write_docx(document, reference, pages=pages, stylesheet=stylesheet,
                      overrides=overrides)


def _folders(options: Options) -> list[Path]:
    """The template and style folders a build with ``options`` may read."""
    return list(dict.fromkeys([*([options.templates] if options.templates else []),
                               *template_dirs(), options.styles or styles_dir(),
                               styles_dir()]))


def _settings(folder: Path, options: Options) -> str:
    """What a build's files are made from besides its data's files: which data folder,
    templates, styles, options and vbgen itself."""
    settings = {k: v for k, v in asdict(options).items() if k not in ("out", "force")}
    # Another folder is another build, even where its files read the same.
    settings["data"] = str(folder.resolve())
    return fingerprint.settings(_folders(options), settings, options.out)


def _likely_stylesheet(folder: Path, options: Options) -> Path | None:
    """The style sheet a build most likely uses, known before the data is loaded; None if
    it is one the build will refuse (and say why)."""
    own = folder / PROFILE_STYLES
    profile = [p / PROFILE_STYLES for p in _profile_folder(folder)]
    below = options.styles or next((p for p in profile if p.is_dir()), None)
    try:
        return StyleChain.of(own if own.is_dir() else None, below).stylesheet
    except StyleError:
        return None


def _profile_folder(folder: Path) -> list[Path]:
    """The kommun profile the main file points to, read without loading the data."""
    try:
        text = read_file(folder, folder / MAIN_FILE).decode("utf-8-sig")
    except (Refused, OSError, UnicodeDecodeError):
        return []
    m = re.search(r"^profil:[ \t]*['\"]?([^'\"#\n]+?)['\"]?[ \t]*(#.*)?$", text, re.MULTILINE)
    return [folder / m.group(1)] if m else []
