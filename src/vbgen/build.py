"""Build the documents for a data folder: the only module that writes files.

Everything is loaded, checked, derived and rendered in memory first; files are written only
when all of that has succeeded, each one whole (a temporary file renamed into place).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import compose, doc, stil
from .charts import ChartRenderer, RenderedChart, alt_text
from .derive import Figures, assessment_notes, derive
from .errors import DataError, Problem
from .load import MAIN_FILE, load
from .luckor import Gap, describe, find_gaps, gap_list
from .model import Report
from .resources import styles_dir
from .writers.docx import write_docx
from .writers.pdf import heading_pages, write_pdf

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


class DraftError(Exception):
    """A final build was asked for, but the data still has gaps."""

    def __init__(self, gaps: list[Gap]) -> None:
        super().__init__(gaps)
        self.gaps = gaps

    def __str__(self) -> str:
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


def stem(report: Report, name: str) -> str:
    """The file name (without suffix) of a built document."""
    namnd = report.namnd.lower().translate(str.maketrans("åäö", "aao"))
    namnd = "-".join(re.findall(r"[a-z0-9]+", namnd))
    return f"{name}-{namnd}-{report.ar}"


def compose_document(report: Report, figures: Figures, template: str,
                     charts: ChartRenderer, templates: Path | None = None,
                     logo: Path | None = None, utkast: bool = True) -> doc.Document:
    """Render ``template`` for ``report`` into the document model, as a draft or final."""
    context = {"vb": report, "fig": figures, "logotyp": str(logo) if logo else None,
               "utkast": utkast,
               **compose.chart_globals(report.diagramdata, charts),
               **compose.report_globals(report, charts)}
    document = compose.parse(compose.render(template, context, templates), template,
                             compose.locator(templates))
    document.status = "Utkast" if utkast else "Slutlig"
    return document


class _NoDrawing(ChartRenderer):
    """Names a chart's image without drawing it: enough to compose and find gaps."""

    def render(self, chart: Any) -> RenderedChart:
        return RenderedChart(Path(f"{chart.id}.png"), alt_text(chart))


def draft_gaps(folder: Path, templates: Path | None = None) -> list[Gap]:
    """The gaps of every document a draft of ``folder`` has, composed without charts."""
    report = load(folder)
    names, _ = select_documents(report, None)
    figures = derive(report)
    renderer = _NoDrawing(folder)
    return [g for name in names
            for g in find_gaps(compose_document(report, figures, DOCUMENTS[name].template,
                                                renderer, templates))]


def finish_draft(documents: dict[str, doc.Document], slutlig: bool) -> None:
    """End each draft with the list of its gaps; refuse a final build that has any."""
    gaps = {name: find_gaps(d) for name, d in documents.items()}
    if slutlig and any(gaps.values()):
        raise DraftError([g for found in gaps.values() for g in found])
    for name, document in documents.items():
        if gaps[name]:
            document.blocks.extend(gap_list(gaps[name]))


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


#: The folder of a kommun profile that holds the kommun's own styles (font, colours, logo).
PROFILE_STYLES = "stilar"


def profile_styles(folder: Path, report: Report) -> Path | None:
    """The styles folder of the report's kommun profile, if it has one."""
    if report.profil is None:
        return None
    own = (folder / report.profil / PROFILE_STYLES).resolve()
    return own if own.is_dir() else None


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


def compose_all(folder: Path, options: Options, notes: list[str] | None = None
                ) -> tuple[Report, dict[str, doc.Document], Path]:
    """Load ``folder`` and compose each document it asks for, in memory.

    Returns the report, the documents by name and the styles folder. Documents left out
    because their data is missing are described in ``notes``.
    """
    report = load(folder)
    names, left_out = select_documents(report, options.documents)
    if notes is not None:
        notes.extend(left_out)
    figures = derive(report)
    if notes is not None:
        notes.extend(assessment_notes(report, figures))
    styles = options.styles or profile_styles(folder, report) or styles_dir()
    charts = ChartRenderer(options.out / CACHE, _style_file(styles, "diagram.mplstyle"),
                           palette=stil.palette(_style_file(styles, "rapport.css")))
    logo = _logo(styles)
    documents = {name: compose_document(report, figures, DOCUMENTS[name].template, charts,
                                        options.templates, logo, not options.slutlig)
                 for name in names}
    finish_draft(documents, options.slutlig)
    return report, documents, styles


def build(folder: Path, options: Options, notes: list[str] | None = None) -> list[Path]:
    """Build the documents for ``folder``; return the paths written.

    Documents left out because their data is missing are described in ``notes``.
    """
    report, documents, styles = compose_all(folder, options, notes)
    outputs: dict[Path, bytes] = {}
    for name, document in documents.items():
        base = options.out / stem(report, name)
        pages: dict[str, int] = {}
        if "pdf" in options.formats:
            outputs[base.with_suffix(".pdf")] = write_pdf(
                document, _style_file(styles, "rapport.css"), base_url=folder)
            pages = heading_pages(outputs[base.with_suffix(".pdf")])  # for the DOCX contents
        if "docx" in options.formats:
            outputs[base.with_suffix(".docx")] = write_docx(
                document, _style_file(styles, "referens.docx"), pages=pages)

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
    return list(outputs)
