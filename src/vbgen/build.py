"""Build the documents for a data folder: the only module that writes files.

Everything is loaded, checked, derived and rendered in memory first; files are written only
when all of that has succeeded, each one whole (a temporary file renamed into place).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from . import fingerprint, parallel
from .errors import DataError, Problem
from .resources import styles_dir, template_dirs

# The modules that read data and write documents are imported where they are used, so that
# a rebuild with nothing changed answers before loading them and a DOCX-only build never
# loads the PDF machinery.
if TYPE_CHECKING:
    from . import doc
    from .charts import ChartRenderer
    from .derive import Figures
    from .model import Report

FORMATS = ("docx", "pdf")
MANIFEST = ".vbgen.json"
CACHE = ".vbgen-cache"


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


def stem(report: Report, name: str) -> str:
    """The file name (without suffix) of a built document."""
    namnd = report.namnd.lower().replace(" ", "-").translate(str.maketrans("åäö", "aao"))
    return f"{name}-{namnd}-{report.ar}"


def compose_document(report: Report, figures: Figures, template: str,
                     charts: ChartRenderer, templates: Path | None = None,
                     logo: Path | None = None) -> doc.Document:
    """Render ``template`` for ``report`` into the document model."""
    from . import compose

    context = {"vb": report, "fig": figures, "logotyp": str(logo) if logo else None,
               **compose.chart_globals(report.diagramdata, charts)}
    return compose.parse(compose.render(template, context, templates))


#: The logotype's file in the styles folder, in the order they are looked for.
LOGO_FILES = ("logotyp.png", "logotyp.jpg")


def _style_file(styles: Path, name: str) -> Path:
    """A style file from the user's styles folder, or the built-in one."""
    own = styles / name
    return own if own.is_file() else styles_dir() / name


def _logo(styles: Path) -> Path | None:
    """The kommun's logotype, if the styles folder has one; vbgen itself ships none."""
    found = (_style_file(styles, name) for name in LOGO_FILES)
    return next((path for path in found if path.is_file()), None)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(out: Path) -> dict[str, str]:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _check_untouched(path: Path, manifest: dict[str, str]) -> None:
    """Refuse to replace a file that someone has edited since vbgen wrote it."""
    if not path.exists():
        return
    known = manifest.get(path.name)
    if known is None or _digest(path.read_bytes()) != known:
        raise OverwriteError(
            f"{path} har ändrats efter att vbgen skrev den (eller skrevs inte av vbgen) och "
            "skrivs inte över. Flytta eller byt namn på filen, välj en annan mapp med --ut, "
            "eller använd --skriv-over för att ersätta den.")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private; a report is shared like any file the user saves.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _docx(document: doc.Document, reference: Path) -> bytes:
    from .writers.docx import write_docx

    return write_docx(document, reference)


def _pdf(document: doc.Document, stylesheet: Path, folder: Path) -> bytes:
    from .writers.pdf import write_pdf

    return write_pdf(document, stylesheet, base_url=folder)


def _ready_for_pdf() -> None:
    """Load what laying out a PDF needs: WeasyPrint and pikepdf."""
    import weasyprint  # noqa: F401

    from .writers import pdf  # noqa: F401


def _write_formats(documents: dict[Path, doc.Document], formats: tuple[str, ...],
                   styles: Path, folder: Path, worker: parallel.Worker | None = None
                   ) -> dict[Path, bytes]:
    """Each document (by its path without suffix) in each format, on two cores.

    The costliest file, by a rough measure, is made by ``worker`` if there is one, else
    here, and the others meanwhile in a second process (or here, beside the worker); the
    files come back in the usual order, each document's DOCX before its PDF.
    """
    jobs: list[tuple[int, Path, Callable[[], bytes]]] = []
    for base, document in documents.items():
        if "docx" in formats:
            jobs.append((len(document.blocks), base.with_suffix(".docx"),
                         partial(_docx, document, _style_file(styles, "referens.docx"))))
        if "pdf" in formats:
            # Laying out a page costs several times what writing it to Word does.
            jobs.append((4 * len(document.blocks), base.with_suffix(".pdf"),
                         partial(_pdf, document, _style_file(styles, "rapport.css"), folder)))
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i][0])
    if worker is not None and order:
        first = worker.submit(jobs[order[0]][2])
        rest = [jobs[i][2]() for i in order[1:]]
        results = [first(), *rest]
    else:
        results = parallel.run_split([jobs[i][2] for i in order])
    done = dict(zip(order, results, strict=True))
    return {path: done[i] for i, (_, path, _) in enumerate(jobs)}


def lacking_data(report: Report, names: list[str]) -> list[str]:
    """Those of the documents ``names`` whose own field of the main file is missing."""
    return [n for n in names
            if DOCUMENTS[n].needs and getattr(report, str(DOCUMENTS[n].needs)) is None]


def select_documents(report: Report, requested: tuple[str, ...] | None
                     ) -> tuple[list[str], list[str]]:
    """The documents to build and a note for each one left out for want of data.

    A document asked for by name must have its data; without a request, a document whose
    data is missing is left out with a note.
    """
    from .load import MAIN_FILE

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
    notes = [f"{DOCUMENTS[n].label.capitalize()} byggdes inte: {MAIN_FILE} saknar fältet "
             f"{DOCUMENTS[n].needs} (se docs/dataformat.md)." for n in lacking]
    return [n for n in wanted if n not in lacking], notes


def _make(folder: Path, options: Options, notes: list[str]) -> dict[Path, bytes]:
    """Every file of the build, in memory; documents left out are described in ``notes``."""
    from .charts import ChartRenderer
    from .derive import derive
    from .load import load

    styles = options.styles or styles_dir()
    # A second process loads the PDF writer meanwhile, to lay out the largest PDF.
    with parallel.Worker(_ready_for_pdf) if "pdf" in options.formats else nullcontext() as pdf:
        report = load(folder)
        names, left_out = select_documents(report, options.documents)
        notes.extend(left_out)
        figures = derive(report)
        charts = ChartRenderer(options.out / CACHE, _style_file(styles, "diagram.mplstyle"),
                               defer=True)
        logo = _logo(styles)
        documents = {options.out / stem(report, name): compose_document(
            report, figures, DOCUMENTS[name].template, charts, options.templates, logo)
            for name in names}
        charts.draw_pending()
        return _write_formats(documents, options.formats, styles, folder, pdf)


def _fingerprint(folder: Path, options: Options) -> str:
    """What a build's files are made from: data, templates, styles, options and vbgen."""
    folders = [*([options.templates] if options.templates else []), *template_dirs(),
               options.styles or styles_dir(), styles_dir()]
    settings = {k: v for k, v in asdict(options).items() if k not in ("out", "force")}
    return fingerprint.inputs(folder, list(dict.fromkeys(folders)), settings, options.out)


def build(folder: Path, options: Options, notes: list[str] | None = None) -> list[Path]:
    """Build the documents for ``folder``; return the paths written.

    Documents left out because their data is missing are described in ``notes``. When
    nothing has changed since the last build into the same folder, nothing is written and
    ``notes`` says so.
    """
    record = options.out / CACHE / fingerprint.RECORD
    inputs = _fingerprint(folder, options)
    same = fingerprint.unchanged(record, inputs, options.out)
    if same is not None:
        if notes is not None:
            notes.extend([*same, fingerprint.NOTHING_CHANGED.format(out=options.out)])
        return []

    left_out: list[str] = []
    outputs = _make(folder, options, left_out)
    if notes is not None:
        notes.extend(left_out)

    options.out.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(options.out)
    if not options.force:
        for path in outputs:
            _check_untouched(path, manifest)
    for path, data in outputs.items():
        _write_atomic(path, data)
        manifest[path.name] = _digest(data)
    _write_atomic(options.out / MANIFEST,
                  json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
    fingerprint.remember(record, inputs, outputs, left_out)
    return list(outputs)
