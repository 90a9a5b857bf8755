"""Live preview: the report as HTML on 127.0.0.1, rebuilt whenever one of its files changes.

The page is the HTML the PDF writer makes from the same document model, styled by the same
``rapport.css``, plus a small screen stylesheet that sets each run of pages between two
forced page breaks on a sheet of the PDF's page size and margins. A child process then
lays the same document out as the PDF is laid out (chapter by chapter, the chapters it laid
out for the version before not again), and the page marks each heading and each line of the
table of contents with its page number in the PDF.

A background thread polls the modification times of every file under the data folder, the
kommun profile, the templates and the styles, and rebuilds the document model in memory
when one changes. The page keeps a question to ``/version?efter=`` open, which the server
answers as soon as there is a newer build, and then reloads. A build error is shown in the
page, above the last report that built.

The server hands out only the files of the current build (chart images, the logotype, the
stylesheet's fonts), each by an opaque id; no part of a request is ever used as a path.
Everything the preview writes (the chart images) goes in a temporary folder of its own,
removed when it stops.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import html
import json
import mimetypes
import os
import pickle
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import parse_qs, urlsplit

import tinycss2
import yaml

from ..build import CACHE, DOCUMENTS, Options, _style_file, compose_all
from ..errors import DataError, StyleError, TemplateError
from ..model import doc
from ..names import MAIN_FILE
from ..resources import styles_dir, template_dirs
from ..stylechain import StyleChain
from ..writers.pdf import HtmlWriter
from ..writers.stil import root_css
from ..writers.widths import measure_with

if TYPE_CHECKING:
    from ..writers.cache import LayoutCache

HOST = "127.0.0.1"
#: How often the files are looked at, in seconds.
POLL_SECONDS = 0.25
#: The longest a page's question for a newer version is held open, in seconds.
HOLD_SECONDS = 20.0


class PreviewError(Exception):
    """The preview cannot start; the message is for the user."""


def error_message(exc: Exception) -> str:
    """An error as ``vbgen bygg`` prints it."""
    if isinstance(exc, DataError):
        return str(exc)
    if isinstance(exc, TemplateError):
        return f"Fel i mallarna: {exc}"
    if isinstance(exc, StyleError):
        return f"Fel i stilarna: {exc}"
    # Anything else is a fault in vbgen, but the preview stays up so the editor can go on.
    return f"Oväntat fel i vbgen ({type(exc).__name__}): {exc}"


# --- The page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageBox:
    """The PDF's page size and margins, as CSS lengths."""

    width: str = "21cm"
    height: str = "29.7cm"
    margin: str = "2.5cm 2.2cm 2.5cm 2.5cm"


_SIZES = {"a3": ("29.7cm", "42cm"), "a4": ("21cm", "29.7cm"), "a5": ("14.8cm", "21cm"),
          "letter": ("8.5in", "11in"), "legal": ("8.5in", "14in")}


def page_box(css: str) -> PageBox:
    """Read size and margin from the stylesheet's plain ``@page`` rules."""
    box = PageBox()
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if (rule.type != "at-rule" or rule.lower_at_keyword != "page" or rule.content is None
                or tinycss2.serialize(rule.prelude).strip()):
            continue  # named pages (@page titelsida) and pseudo-pages keep the defaults
        for decl in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                   skip_whitespace=True):
            if decl.type != "declaration":
                continue
            value = tinycss2.serialize(decl.value).strip()
            if decl.lower_name == "margin" and value:
                box = PageBox(box.width, box.height, value)
            elif decl.lower_name == "size":
                words = value.lower().split()
                size = next((_SIZES[w] for w in words if w in _SIZES), None)
                lengths = [w for w in words if re.fullmatch(r"[\d.]+(cm|mm|in|pt|px)", w)]
                if size is None and len(lengths) == 2:
                    size = (lengths[0], lengths[1])
                if size is not None:
                    width, height = size
                    if "landscape" in words:
                        width, height = height, width
                    box = PageBox(width, height, box.margin)
    return box


#: The preview's own look, for the screen only; the report's look is all in rapport.css.
SCREEN_CSS = """
@media screen {
  html { background: #d5dadd; }
  body { margin: 0; padding: 0 0 3em; }
  .vb-ark {
    box-sizing: border-box; position: relative; background: #fff;
    width: var(--vb-bredd); min-height: var(--vb-hojd); padding: var(--vb-marginal);
    margin: 1.5em auto; box-shadow: 0 1px 5px rgba(0, 0, 0, 0.35);
  }
  .vb-sidhuvud {
    position: absolute; top: 1.2cm; right: 2.2cm; font-size: 8pt; color: #444;
  }
  .fotnot { font-size: 8pt; color: #444; }
  .fotnot::before { content: " [Fotnot: "; }
  .fotnot::after { content: "]"; }
  .vb-rad {
    position: sticky; top: 0; z-index: 1; display: flex; gap: 1.5em; align-items: baseline;
    padding: 0.5em 1em; background: #1f2a30; color: #fff;
    font: 10pt "DejaVu Sans", sans-serif;
  }
  .vb-rad a { color: #fff; }
  .vb-rad .vb-status { margin-left: auto; color: #c9d3d8; }
  /* Page numbers from the PDF's layout, set by the page's script once it is known. */
  .vb-ark [id][data-sida]::before {
    content: "Sida " attr(data-sida); position: absolute; left: 0.5cm; margin-top: 0.4em;
    font: normal 8pt "DejaVu Sans", sans-serif; color: #777;
  }
  .innehall a[data-sida]::after { content: attr(data-sida); float: right; }
  .vb-fel {
    /* The error stays in sight wherever the page was scrolled to when it came. */
    position: sticky; top: 2.4em; z-index: 1; max-height: 45vh; overflow: auto;
    box-sizing: border-box; width: var(--vb-bredd); margin: 1.5em auto; padding: 1em 1.4em;
    background: #fff4f4; border: 2pt solid #a33; color: #5a1010;
    font: 10pt "DejaVu Sans", sans-serif;
  }
  .vb-fel .vb-fel-rubrik { font-weight: bold; font-size: 12pt; color: #a33; margin: 0 0 0.5em; }
  .vb-fel pre { white-space: pre-wrap; font: 9.5pt "DejaVu Sans Mono", monospace; margin: 0; }
  .vb-gammal { opacity: 0.55; }
  body.vb-stoppad .vb-status { color: #ffb3b3; }
}
"""

#: Reloads the page when the build it shows is no longer the newest, and adds page numbers.
SCRIPT = """
(function () {
  const root = document.documentElement;
  const shown = root.dataset.version;
  const status = document.querySelector(".vb-status");
  const after = "?efter=" + encodeURIComponent(shown);
  function number(pages) {
    for (const [id, page] of Object.entries(pages.sidor)) {
      const heading = document.getElementById(id);
      if (heading) heading.dataset.sida = page;
    }
    for (const link of document.querySelectorAll(".innehall a[href^='#']")) {
      const page = pages.sidor[decodeURIComponent(link.hash.slice(1))];
      if (page) link.dataset.sida = page;
    }
    if (status) status.textContent += " · " + pages.antal + " sidor i PDF:en";
  }
  // The server answers when there is a newer build; then the page is reloaded.
  async function watch() {
    try {
      const answer = await fetch("/version" + after, {cache: "no-store"});
      if ((await answer.text()) !== shown) { location.reload(); return; }
      document.body.classList.remove("vb-stoppad");
      watch();
    } catch (e) {
      document.body.classList.add("vb-stoppad");
      if (status) status.textContent = "Förhandsgranskningen är avslutad.";
      setTimeout(watch, 1000);
    }
  }
  // The page numbers come a little later, once the report is laid out as in the PDF.
  async function numbers() {
    try {
      const pages = await (await fetch("/sidor" + after, {cache: "no-store"})).json();
      if (pages.version === shown) {
        const mine = pages.dokument[root.dataset.dokument];
        if (mine) number(mine);
      } else {
        setTimeout(numbers, 300);  // not ready yet, or a newer build is on its way
      }
    } catch (e) {
      setTimeout(numbers, 1000);
    }
  }
  watch();
  numbers();
})();
"""


class PreviewWriter(HtmlWriter):
    """The PDF writer's HTML, with images addressed by the ids the server knows them by."""

    def __init__(self, document: doc.Document, assets: Assets) -> None:
        super().__init__(document)
        self.assets = assets

    def image_src(self, path: str) -> str:
        return self.assets.add(Path(path))

    def sheets(self) -> str:
        """The blocks on sheets, a new one wherever the PDF must begin a new page."""
        groups: list[list[doc.Block]] = [[]]
        for b in self.document.blocks:
            breaks = (isinstance(b, doc.PageBreak | doc.TableOfContents | doc.TitlePage)
                      or (isinstance(b, doc.Heading) and b.level == 1))
            after_title = bool(groups[-1]) and isinstance(groups[-1][-1], doc.TitlePage)
            if groups[-1] and (breaks or after_title):
                groups.append([])
            if not isinstance(b, doc.PageBreak):
                groups[-1].append(b)
        header = self.document.header
        out = []
        for group in groups:
            if not group:
                continue
            title = isinstance(group[0], doc.TitlePage)
            head = (f'<div class="vb-sidhuvud" aria-hidden="true">{html.escape(header)}</div>'
                    if header and not title else "")
            out.append(f'<div class="vb-ark">{head}'
                       + "\n".join(self.visit(b) for b in group) + "</div>")
        return "\n".join(out)


@dataclass
class Assets:
    """The files a build's page may load, each by an opaque id."""

    files: dict[str, Path] = field(default_factory=dict)

    def add(self, path: Path) -> str:
        """Register ``path`` and return its address on the server."""
        path = path.resolve()
        key = hashlib.sha256(os.fsencode(path)).hexdigest()[:24] + path.suffix.lower()
        self.files[key] = path
        return f"/fil/{key}"


_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def screen_stylesheet(css_path: Path, assets: Assets) -> str:
    """The PDF stylesheet with its local files (fonts) pointed to the server's ids.

    Only files inside the stylesheet's own folder are handed out.
    """
    base = css_path.parent.resolve()

    def local(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            return "none" if not target.startswith("data:") else match.group(0)
        found = (base / target).resolve()
        if found.is_file() and found.is_relative_to(base):
            return f'url("{assets.add(found)}")'
        return "none"

    return _URL.sub(local, css_path.read_text(encoding="utf-8"))


def page_numbers(documents: dict[str, doc.Document], css: Path, base: Path,
                 readable: list[Path], cache: LayoutCache | None = None,
                 overrides: dict[str, str] | None = None, folders: tuple[Path, ...] = ()
                 ) -> dict[str, dict[str, object]]:
    """Lay each document out as the PDF is laid out, with the tokens ``overrides`` over the
    style sheet's and the style ``folders`` as a build has them: the page of each heading
    id, and the number of pages. Chapters ``cache`` knows are not laid out again."""
    from ..writers.pdf import typeset
    from ..writers.workers import Pool

    found: dict[str, dict[str, object]] = {}
    with Pool.start() as pool:
        laid = {name: typeset(document, css, base, readable, pool=pool, cache=cache,
                              name=name, pages_only=True, overrides=overrides,
                              folders=folders)
                for name, document in documents.items()}
        for name, pages in laid.items():
            found[name] = {"sidor": pages.pages(), "antal": pages.total}
    return found


def _layout_main() -> None:
    """The layout process: read jobs from stdin, write page numbers or an error to stdout.

    It stays for the whole preview, with WeasyPrint loaded and the chapters of the last
    layout known, so that an edit lays out only the chapter it changed.
    """
    from ..writers import layout
    from ..writers.cache import LayoutCache

    layout.warm()  # loaded once, here, for the processes that lay each version out
    cache = LayoutCache()
    jobs, answers = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            job = pickle.load(jobs)
        except EOFError:
            return
        try:
            documents, css, base, readable, overrides, folders = job
            answer: tuple[object, str | None] = (
                page_numbers(documents, css, base, readable, cache, overrides, folders), None)
            cache = cache.following()
        except Exception as exc:  # noqa: BLE001 - reported by the preview
            answer = (None, str(exc))
        pickle.dump(answer, answers)
        answers.flush()


class _LayoutWorker:
    """A process of its own that lays documents out with WeasyPrint, one job at a time.

    A plain child interpreter rather than multiprocessing, which would import the caller's
    main module again.
    """

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")])
        self._process = subprocess.Popen(
            [sys.executable, "-c",
             "from vbgen.commands.preview import _layout_main; _layout_main()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, start_new_session=True)  # Ctrl+C is for the preview, which ends it

    def layout(self, documents: dict[str, doc.Document], css: Path, base: Path,
               readable: list[Path], overrides: dict[str, str] | None = None,
               folders: tuple[Path, ...] = ()) -> dict[str, dict[str, object]]:
        assert self._process.stdin is not None and self._process.stdout is not None
        try:
            pickle.dump((documents, css, base, readable, overrides, folders),
                        self._process.stdin)
            self._process.stdin.flush()
            numbers, error = pickle.load(self._process.stdout)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            raise RuntimeError("sidlayouten avbröts") from exc
        if error is not None:
            raise RuntimeError(error)
        return numbers

    def close(self) -> None:
        self._process.kill()
        self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                # What a request left unwritten in the buffer has no reader any more.
                with contextlib.suppress(OSError):
                    pipe.close()


# --- Building ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    """What one build gives the server: pages by document name, or an error."""

    version: str
    pages: dict[str, str]
    stylesheet: str
    assets: dict[str, Path]
    error: str | None = None
    #: When it was built, for the status line.
    at: str = ""
    #: The documents and stylesheet to lay out into pages, when the build succeeded.
    documents: dict[str, doc.Document] = field(default_factory=dict)
    css: Path | None = None
    #: The identitet.css files' tokens over the style sheet's, and the styles folders.
    overrides: dict[str, str] = field(default_factory=dict)
    folders: tuple[Path, ...] = ()


def _page(name: str, document: doc.Document | None, body: str, box: PageBox, version: str,
          names: list[str], status: str, error: str | None, stale: bool) -> str:
    links = " ".join(
        f'<a href="/{n}">{html.escape(DOCUMENTS[n].label.capitalize())}</a>'
        if n != name else f"<strong>{html.escape(DOCUMENTS[n].label.capitalize())}</strong>"
        for n in names) if len(names) > 1 else ""
    fault = ""
    if error is not None:
        fault = ('<div class="vb-fel" role="alert"><p class="vb-fel-rubrik">'
                 "Rapporten kan inte byggas</p>"
                 f"<pre>{html.escape(error)}</pre>"
                 + ("<p>Nedan visas den senaste versionen som gick att bygga.</p>"
                    if stale else "") + "</div>")
    title = document.title if document else "vbgen"
    typ = document.typ if document else ""
    header = document.header if document else ""
    lang = document.lang if document else "sv-SE"
    style = (f"--vb-bredd: {box.width}; --vb-hojd: {box.height}; "
             f"--vb-marginal: {box.margin};")
    main = '<main class="vb-gammal">' if stale else "<main>"
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}" data-version="{version}" '
        f'data-dokument="{name}" '
        f'style="{html.escape(style)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)} – förhandsgranskning</title>\n"
        '<link rel="stylesheet" href="/rapport.css">\n'
        '<link rel="stylesheet" href="/forhandsgranskning.css">\n</head>\n'
        f'<body class="{html.escape(typ)}" data-sidhuvud="{html.escape(header)}">\n'
        f'<div class="vb-rad"><span>vbgen förhandsgranskning</span>{links}'
        f'<span class="vb-status">{html.escape(status)}</span></div>\n'
        f"{fault}{main}{body}</main>\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n")


class Preview:
    """Builds a data folder in memory, watches its files and serves the newest build."""

    def __init__(self, folder: Path, templates: Path | None = None,
                 styles: Path | None = None, echo: Callable[[str], None] | None = None,
                 paginate: bool = True) -> None:
        self.folder = folder
        #: Whether to lay each build out into pages for its page numbers.
        self.paginate = paginate
        self.templates = templates
        self.styles = styles
        self.echo = echo or (lambda _message: None)
        self.work = Path(tempfile.mkdtemp(prefix="vbgen-forhandsgranskning-"))
        self._token = secrets.token_hex(4)
        self._count = 0
        self._lock = threading.Lock()
        #: Notified when a new build or new page numbers are ready, and on closing.
        self._changed = threading.Condition(self._lock)
        self._build: Build | None = None
        #: The last build that succeeded, shown under the error of a later one.
        self._good: tuple[dict[str, doc.Document], StyleChain] | None = None
        self._profile: Path | None = None
        self._styles_used: Path | None = None
        self._seen: dict[str, tuple[int, int]] = {}
        self._stop = threading.Event()
        #: Set when a build is waiting to be laid out into pages.
        self._pending = threading.Event()
        #: The page numbers of the newest build laid out: its version and, per document,
        #: {"antal": pages, "sidor": {heading id: page}}.
        self._numbers: dict[str, object] = {"version": "", "dokument": {}}
        self._threads: list[threading.Thread] = []
        self.server: ThreadingHTTPServer | None = None
        self._serving = False
        self._worker: _LayoutWorker | None = None

    # Watching

    def roots(self) -> list[Path]:
        """The folders whose files the report is built from."""
        # Until a build succeeds, the profile is found by reading vb.yaml alone.
        profile = self._profile if self._good is not None else self._profile_from_main_file()
        found = [self.folder, profile, self.templates, *template_dirs(), self.styles,
                 self._styles_used, styles_dir()]
        return list(dict.fromkeys(p.resolve() for p in found if p is not None and p.is_dir()))

    def _profile_from_main_file(self) -> Path | None:
        try:
            data = yaml.safe_load((self.folder / MAIN_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, yaml.YAMLError):
            return None
        profil = data.get("profil") if isinstance(data, dict) else None
        return self.folder / profil if isinstance(profil, str) else None

    def stamps(self) -> dict[str, tuple[int, int]]:
        """Modification time and size of every file under the watched folders."""
        found: dict[str, tuple[int, int]] = {}
        for root in self.roots():
            for path in _files(root):
                try:
                    st = path.stat()
                except OSError:
                    continue  # removed while looking
                found[str(path)] = (st.st_mtime_ns, st.st_size)
        return found

    def poll(self) -> bool:
        """Rebuild if any file changed since the last build; say whether it did."""
        now = self.stamps()
        if now == self._seen:
            return False
        self.rebuild(now)
        return True

    # Building

    def rebuild(self, stamps: dict[str, tuple[int, int]] | None = None) -> Build:
        """Build the report in memory and make it the one served."""
        # The files are looked at before building, so an edit made during the build
        # is seen by the next poll.
        self._seen = stamps if stamps is not None else self.stamps()
        self._count += 1
        version = f"{self._token}-{self._count}"
        at = time.strftime("%H:%M:%S")
        try:
            report, documents, styles = compose_all(
                self.folder, Options(self.work, templates=self.templates, styles=self.styles))
        except Exception as exc:  # noqa: BLE001 - every error is shown in the page
            build = self._render(version, at, error=error_message(exc))
            self.echo(f"{at} {build.error}")
        else:
            self._profile = ((self.folder / report.profil).resolve()
                             if report.profil else None)
            self._styles_used = styles.nearest
            first = self._good is None and self._build is None
            self._good = (documents, styles)
            build = self._render(version, at)
            if not first:
                self.echo(f"{at} Uppdaterad.")
        with self._changed:
            self._build = build
            self._changed.notify_all()
        if build.documents and self.paginate:
            self._pending.set()
        if self._profile is not None or self._styles_used is not None:
            # Folders found by this build (the profile, its styles) are watched from now on.
            self._seen = {**self.stamps(), **self._seen}
        return build

    def _render(self, version: str, at: str, error: str | None = None) -> Build:
        assets = Assets()
        if self._good is None:
            css_path = _style_file(self.styles or styles_dir(), "rapport.css")
            documents: dict[str, doc.Document] = {}
            overrides: dict[str, str] = {}
            folders: tuple[Path, ...] = ()
        else:
            documents, styles = self._good
            css_path, overrides = styles.stylesheet, styles.overrides()
            folders = styles.folders
        try:
            # The identitet.css files' tokens over the style sheet's, as in the PDF.
            stylesheet = screen_stylesheet(css_path, assets) + root_css(overrides)
            measure_with(css_path)  # the tables' widths in the body font, as in the PDF
        except (OSError, UnicodeDecodeError) as exc:
            stylesheet = ""
            error = error or f"Fel i stilarna: {css_path}: kan inte läsas ({exc})"
        box = page_box(stylesheet)
        names = list(documents) or ["verksamhetsberattelse"]
        stale = error is not None and bool(documents)
        status = (f"Fel {at}" if error else f"Uppdaterad {at}")
        pages = {}
        for name in names:
            document = documents.get(name)
            body = PreviewWriter(document, assets).sheets() if document else ""
            pages[name] = _page(name, document, body, box, version, names, status, error,
                                stale)
        return Build(version, pages, stylesheet, dict(assets.files), error, at,
                     {} if error else documents, None if error else css_path, overrides,
                     folders)

    @property
    def current(self) -> Build:
        # Read without the lock: replacing the reference is atomic, and the waits above
        # call this while holding it.
        if self._build is None:
            raise RuntimeError("preview not built yet")
        return self._build

    # Running

    def start(self, port: int = 0) -> str:
        """Build, then serve on ``port`` (0 picks a free one) and watch; return the address."""
        self.rebuild()
        try:
            self.server = ThreadingHTTPServer((HOST, port), _handler(self))
        except OSError as exc:
            self.close()
            why = ("porten används redan" if exc.errno == errno.EADDRINUSE
                   else f"{exc.strerror}")
            raise PreviewError(f"Kan inte lyssna på {HOST}:{port}: {why}. Välj en annan port "
                               "med --port.") from exc
        self.server.daemon_threads = True
        self._serving = True
        for target in (self.server.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        # Not waited for on closing: a layout under way is of no use once the preview stops.
        threading.Thread(target=self._paginate, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.poll()

    def _paginate(self) -> None:
        # Laying out takes seconds, so it runs beside the watcher, in a process of its own
        # (on another core, and not holding up the rebuilds), always on the newest build.
        while True:
            self._pending.wait()
            if self._stop.is_set():
                return
            self._pending.clear()
            build = self.current
            if build.css is None:
                continue
            if self._worker is None:
                worker = _LayoutWorker()
                if self._stop.is_set():
                    worker.close()
                    return
                self._worker = worker
            try:
                numbers = self._worker.layout(
                    build.documents, build.css, self.folder,
                    [*build.folders, build.css.parent, styles_dir(), self.work / CACHE],
                    build.overrides, build.folders)
            except Exception as exc:  # noqa: BLE001 - the report itself is still shown
                if not self._stop.is_set():
                    self.echo(f"Sidnumren kunde inte räknas fram: {exc}")
                continue
            with self._changed:
                self._numbers = {"version": build.version, "dokument": numbers}
                self._changed.notify_all()

    @property
    def numbers(self) -> dict[str, object]:
        """The page numbers of the newest build laid out, as ``/sidor`` gives them."""
        with self._lock:
            return self._numbers

    def wait_version(self, shown: str, timeout: float) -> str:
        """The newest build's version, once it differs from ``shown`` (or at the timeout)."""
        with self._changed:
            self._changed.wait_for(lambda: self._stop.is_set()
                                   or self.current.version != shown, timeout)
            return self.current.version

    def wait_numbers(self, shown: str, timeout: float) -> dict[str, object]:
        """The page numbers once those of ``shown`` are ready or it is replaced."""
        with self._changed:
            self._changed.wait_for(lambda: self._stop.is_set()
                                   or self._numbers["version"] == shown
                                   or self.current.version != shown, timeout)
            return self._numbers

    def close(self) -> None:
        """Stop serving and watching, and remove the temporary folder."""
        self._stop.set()
        self._pending.set()
        with self._changed:
            self._changed.notify_all()
        if self._worker is not None:
            self._worker.close()
        if self._serving:
            assert self.server is not None
            self.server.shutdown()
        if self.server is not None:
            self.server.server_close()
        for thread in self._threads:
            thread.join()
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self) -> Preview:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _files(root: Path) -> Iterator[Path]:
    """Every file under ``root``, leaving out hidden folders (.git, caches)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            yield Path(dirpath) / name


# --- Serving ----------------------------------------------------------------------------------


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "vbgen"
        sys_version = ""

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            self._answer(body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(body=False)

        def _answer(self, body: bool) -> None:
            # Served on (HOST, port), so the address is an IPv4 pair.
            port = cast(tuple[str, int], self.server.server_address)[1]
            host = (self.headers.get("Host") or "").lower()
            # A page elsewhere that renames itself to 127.0.0.1 (DNS rebinding) is refused.
            if host not in {f"{HOST}:{port}", f"localhost:{port}"}:
                return self._send(HTTPStatus.FORBIDDEN, "text/plain", "Förbjuden adress.", body)
            build = preview.current
            url = urlsplit(self.path)
            path = url.path
            # ?efter=VERSION holds the answer until there is a newer build (long polling).
            shown = parse_qs(url.query).get("efter", [None])[0]
            name = path.strip("/") or next(iter(build.pages))
            if path == "/version":
                version = (preview.wait_version(shown, HOLD_SECONDS) if shown
                           else build.version)
                self._send(HTTPStatus.OK, "text/plain", version, body)
            elif path == "/sidor":
                numbers = (preview.wait_numbers(shown, HOLD_SECONDS) if shown
                           else preview.numbers)
                self._send(HTTPStatus.OK, "application/json",
                           json.dumps(numbers, ensure_ascii=False), body)
            elif path == "/rapport.css":
                self._send(HTTPStatus.OK, "text/css", build.stylesheet, body)
            elif path == "/forhandsgranskning.css":
                self._send(HTTPStatus.OK, "text/css", SCREEN_CSS, body)
            elif path.startswith("/fil/") and path[5:] in build.assets:
                self._file(build.assets[path[5:]], body)
            elif "/" not in name and name in build.pages:
                self._send(HTTPStatus.OK, "text/html", build.pages[name], body)
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", "Finns inte.", body)

        def _file(self, path: Path, body: bool) -> None:
            try:
                data = path.read_bytes()
            except OSError:
                return self._send(HTTPStatus.NOT_FOUND, "text/plain", "Finns inte.", body)
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self._send(HTTPStatus.OK, kind, data, body)

        def _send(self, status: HTTPStatus, kind: str, content: str | bytes,
                  body: bool) -> None:
            data = content.encode("utf-8") if isinstance(content, str) else content
            self.send_response(status)
            if kind.startswith("text/") or kind == "application/json":
                kind += "; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if body:
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the page was reloaded or closed while waiting

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # every page keeps a question for a newer version open

    return Handler


def run(folder: Path, port: int, templates: Path | None = None, styles: Path | None = None,
        echo: Callable[[str], None] = print) -> None:
    """Serve the preview of ``folder`` until Ctrl+C."""
    if not folder.is_dir():
        raise PreviewError(f"{folder}: mappen finns inte.")
    # A stop by the system (kill, logout) cleans up like Ctrl+C does.
    signal.signal(signal.SIGTERM, _interrupt)
    preview = Preview(folder, templates, styles, echo)
    try:
        url = preview.start(port)
        echo(f"Förhandsgranskningen av {folder} visas på {url}")
        echo("Sidan uppdateras när du sparar en fil. Tryck Ctrl+C för att avsluta.")
        while True:
            # Short sleeps: the kernel may hand Ctrl+C to another thread, and the main
            # thread only acts on it once it wakes.
            time.sleep(0.25)
    except KeyboardInterrupt:
        echo("Förhandsgranskningen är avslutad.")
    finally:
        preview.close()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
