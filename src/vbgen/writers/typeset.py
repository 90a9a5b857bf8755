"""Lay a document out in pages chapter by chapter, in the layout processes, and join the PDF.

The steps, for each document (:class:`Typeset`):

1. Cut it into chapters (:mod:`vbgen.writers.chapters`) and lay out, at once and in
   parallel, each chapter that the last build did not lay out already (the cache knows a
   chapter by what its pages are made of).
2. From the chapters' pages, number them: each chapter's first page and the document's
   number of pages. A chapter with links inside the document (the contents) shows page
   numbers in its text, so it is laid out only now, with them.
3. Check what the chapters said of themselves: each begins with a forced page break, keeps
   its footnotes, holds the footnotes counted for it. A chapter that does not is joined to
   the one before, and the steps are taken again.
   A merged cell whose rows a page break cuts is cut there too, its value standing again
   at the top of the next page (:mod:`vbgen.writers.spans`), and its chapter laid out
   again.
4. Number and write each chapter whose PDF with these numbers is not in the cache, by the
   process that laid it out, and join the PDFs (:mod:`vbgen.writers.join`).

The Word file's contents take their page numbers after step 3 (:meth:`Typeset.pages`),
while the chapters are being written.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pikepdf

from ..errors import environment_problem
from ..model import doc
from . import chapters, spans
from .cache import LayoutCache
from .chapters import Chapter, Sheet, digest
from .join import Part, join
from .layout import Facts, Job, Numbering
from .pdf import FOOTNOTE
from .stil import root_css
from .workers import Pool, Ticket

#: Breaks that force a page; only "page" is the same wherever the page falls.
_FORCED = {"page", "left", "right", "recto", "verso"}
#: How many times the chapters with links are laid out again for their page numbers.
_ROUNDS = 4
#: How many times chapters are laid out again with the merged cells a page break cut.
_CUT_ROUNDS = 3
#: A document with less HTML than this (about five pages) is laid out in one piece: cutting
#: it would gain nothing.
SMALL = 20_000
#: Chapters with less HTML than this together (about two pages) are laid out as one: each
#: chapter costs a little of its own.
SHORT = 8_000


def candidate_starts(blocks: list[doc.Block]) -> list[int]:
    """Blocks that usually begin a page: a level-1 heading, the contents, a page break; a
    chapter begins with the page breaks right before such a block."""
    starts = []
    for i, block in enumerate(blocks):
        if i and (isinstance(block, doc.TableOfContents | doc.PageBreak)
                  or isinstance(block, doc.Heading) and block.level == 1):
            while i > 1 and isinstance(blocks[i - 1], doc.PageBreak):
                i -= 1
            starts.append(i)
    return sorted(set(starts))


class Typeset:
    """A document being laid out in pages, its PDF not yet written."""

    def __init__(self, document: doc.Document, stylesheet: Path, base_url: Path,
                 readable: list[Path], pool: Pool | None = None,
                 cache: LayoutCache | None = None, apart: bool = True, name: str = "",
                 pages_only: bool = False, overrides: dict[str, str] | None = None,
                 folders: tuple[Path, ...] = ()) -> None:
        self.document = document
        #: Only the page numbers are wanted (the preview's), no PDF: a chapter laid out is
        #: not kept to be numbered and written.
        self._pages_only = pages_only
        #: The number of pages of the whole document, once :meth:`pages` has laid it out.
        self.total = 0
        #: The document's name in the cache, where its page numbers are kept.
        self._name = name or document.title
        self._stylesheet = stylesheet
        self._base = base_url
        self._readable = tuple(readable)
        self._pool = pool or Pool(0)
        self._cache = cache or LayoutCache()
        try:
            self._css: str | None = stylesheet.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self._css = None  # WeasyPrint reads it as it can; it is laid out in one piece
        except OSError as exc:
            raise environment_problem(exc, "kan inte läsa", stylesheet) from None
        # Which folders may be read decides only what is refused, and a build that was
        # refused something kept nothing; so they are not part of what a page is made of.
        #: The identity's tokens set over the style sheet's (identitet.css), as CSS.
        self._identity = root_css(overrides or {})
        self._engine = digest(_engine(stylesheet, folders), stylesheet, base_url,
                              self._identity)
        self._headings = {h.id: doc.plain([i for i in h.children
                                           if not isinstance(i, doc.Footnote)])
                          for h in document.headings() if h.id}
        self._leads_in = document.leads_in()
        #: Chapter starts found not to begin a page (every one, if not laid out ``apart``).
        self._joined: set[int] = set() if apart else set(candidate_starts(document.blocks))
        self._facts: dict[str, Facts] = {}
        self._laying: dict[str, Ticket] = {}
        self._held: set[str] = set()
        self._writing: list[tuple[str, Ticket | None]] = []
        self._keys: list[str] = []
        #: The chapters' PDFs, by the name they are cached by, and their fonts.
        self._done: dict[str, tuple[bytes, dict[str, str]]] = {}
        self._fonts: dict[str, Path] | None = None
        self._anchors: dict[str, int] | None = None
        #: The body rows of each table (by its number) where a merged cell is cut.
        self._cuts: dict[int, set[int]] = {}
        self._cut_rounds = 0
        self._render()
        self._plan()

    # --- Step 1 -------------------------------------------------------------------------

    def _plan(self) -> None:
        """Cut the document into chapters and lay out those not known yet."""
        starts = [s for s in candidate_starts(self.document.blocks) if s not in self._joined]
        html = self._html
        tags = {m.group(1).lower() for h in html if (m := chapters.START_TAG.match(h))}
        if not starts:
            self._sheet = Sheet()
        elif self._css is None:
            self._sheet = Sheet(whole="stilmallen är inte sparad som UTF-8")
        else:
            self._sheet = chapters.check(self._css, tags)
        small = sum(len(h) for h in html) < SMALL
        starts = [] if self._sheet.whole or small else _join_short(html, [
            s for s in starts if self._cache.apart(self._boundary(html, s))])
        footnotes = [h.count(FOOTNOTE) for h in html]
        self._chapters = chapters.split(html, starts, self._sheet, footnotes)
        self._footnotes = [sum(footnotes[c.first:c.end]) for c in self._chapters]
        for chapter in self._chapters:
            # The placeholders of the chapter's charts are numbered in the whole document;
            # the numbers in the chapter's HTML are bound to the charts' files here.
            charts = [(n, self._charts[n].name) for i in range(chapter.first, chapter.end)
                      for n in self._block_charts[i]]
            chapter.content = digest(self._engine, chapter.body, chapter.footnotes_before,
                                     self._page_html(""), charts)
        # The longest first, so that the processes finish at about the same time.
        for n in sorted(range(len(self._chapters)), key=lambda n: -len(self._chapters[n].body)):
            if not self._linked(self._chapters[n]):
                self._lay(self._chapters[n].content, self._job(n))

    def _render(self) -> None:
        """Each block's HTML, the charts' files by their placeholders' numbers, and each
        block's charts."""
        from .pdf import _PrintWriter

        writer = _PrintWriter(self.document, [*self._readable, self._stylesheet.parent],
                              self._leads_in, self._cuts)
        self._html: list[str] = []
        self._block_charts: list[range] = []
        for block in self.document.blocks:
            before = len(writer.charts)
            self._html.append(writer.visit(block))
            self._block_charts.append(range(before, len(writer.charts)))
        self._charts = writer.charts
        self._tables = writer.tables

    def _boundary(self, html: list[str], start: int) -> str:
        """What decides whether a chapter may begin at ``start``: the style sheet and the
        tags of the blocks that meet there."""
        return digest(self._css, self.document.typ, *(chapters.hidden_copy(h) for h in
                                                      html[start - 1:start + 1]))

    def _page_html(self, body: str) -> str:
        from .pdf import HtmlWriter

        return HtmlWriter(self.document, self._leads_in).page(body)

    def _linked(self, chapter: Chapter) -> bool:
        """Whether the chapter has links inside the document, whose text may show pages."""
        return any(chapters.INTERNAL_LINK.search(h) for h in self._html[chapter.first:chapter.end])

    def _job(self, n: int, first_page: int = 1, targets: dict[str, int] | None = None) -> Job:
        chapter = self._chapters[n]
        css = f"@page :first {{ counter-reset: page {first_page} }}\n" if first_page > 1 else ""
        html = self._page_html(chapter.body + chapters.target_page(targets or {}))
        if chapter.footnotes_before:
            html = html.replace("<html ", f'<html style="counter-reset: footnote '
                                f'{chapter.footnotes_before}" ', 1)
        return Job(html, self._stylesheet, self._base, self._readable,
                   chapters.HIDDEN_CSS + self._identity + css, tuple(targets or ()),
                   self._title(chapter))

    def _title(self, chapter: Chapter) -> str:
        """What a chapter is called: its first heading, or the contents' or title's."""
        for block in self.document.blocks[chapter.first:chapter.end]:
            if isinstance(block, doc.Heading):
                return doc.plain([i for i in block.children if not isinstance(i, doc.Footnote)])
            if isinstance(block, doc.TableOfContents | doc.TitlePage):
                return block.title
        return f"block {chapter.first + 1}–{chapter.end}"

    def _lay(self, key: str, job: Job) -> None:
        facts = self._facts.get(key) or self._cache.facts(key)
        if facts is not None:
            self._facts[key] = facts
        elif key not in self._laying:
            self._laying[key] = (self._pool.measure(key, job) if self._pages_only
                                 else self._pool.lay(key, job))

    def _wait(self) -> None:
        keys = list(self._laying)
        for key, facts in zip(keys, self._pool.wait([self._laying[k] for k in keys]),
                              strict=True):
            self._facts[key] = facts
            self._cache.put_facts(key, facts)
            if not self._pages_only:
                self._held.add(key)
        self._laying.clear()

    # --- Steps 2 and 3 ------------------------------------------------------------------

    def pages(self) -> dict[str, int]:
        """The page number of every anchor (heading id), as :func:`heading_pages` reads it
        from the written PDF."""
        if self._anchors is None:
            while True:
                self._wait()
                keys = self._number_linked()
                broken = self._check(keys)
                if not broken:
                    if self._cut_spans(keys):
                        self._render()
                        self._plan()
                        continue
                    break
                self._joined |= broken
                self._plan()
            self._start_writing(keys)
            assert self._anchors is not None
            self._cache.put_pages(self._name, self._anchors)
        return self._anchors

    def _number_linked(self) -> list[str]:
        """Lay out the chapters with links, with their page numbers; return every
        chapter's key."""
        keys = [c.content for c in self._chapters]
        linked = [n for n, c in enumerate(self._chapters) if self._linked(c)]
        guess: dict[int, Facts | None] = {n: self._cache.facts(self._chapters[n].content)
                                          for n in linked}
        for _ in range(_ROUNDS):
            counts = [(self._facts.get(keys[n]) or guess.get(n)) for n in range(len(keys))]
            starts = self._first_pages([f.pages if f else 1 for f in counts])
            where = {a: starts[n] + i for n, f in enumerate(counts) if f
                     for a, i in f.anchors.items()}
            for n in linked:
                chapter = self._chapters[n]
                targets = {t: where[t] for t in chapter.targets if t in where}
                keys[n] = digest(chapter.content, starts[n], sorted(targets.items()))
                self._lay(keys[n], self._job(n, starts[n], targets))
            self._wait()
            settled = True
            for n in linked:
                facts = self._facts[keys[n]]
                self._cache.put_facts(self._chapters[n].content, facts)
                before = guess.get(n)
                if before is None or (before.pages, before.anchors) != (facts.pages,
                                                                        facts.anchors):
                    settled = False
                guess[n] = facts
            if settled or not linked:
                return keys
        self._joined |= {c.first for c in self._chapters}  # lay it out in one piece
        return keys

    @staticmethod
    def _first_pages(counts: list[int]) -> list[int]:
        starts, page = [], 1
        for count in counts:
            starts.append(page)
            page += count
        return starts

    def _check(self, keys: list[str]) -> set[int]:
        """The chapter starts where the chapters are not what the whole would give."""
        facts = [self._facts[k] for k in keys]
        if len(facts) == 1:
            return set()
        if any(f.lost for f in facts) or [f.footnotes for f in facts] != self._footnotes:
            return {c.first for c in self._chapters}
        broken = set()
        for n in range(1, len(facts)):
            forced = {facts[n - 1].break_after, facts[n].break_before} & _FORCED
            if forced != {"page"} or facts[n - 1].overflow:
                broken.add(self._chapters[n].first)
                self._cache.not_apart(self._boundary(self._html, self._chapters[n].first))
        return broken

    def _cut_spans(self, keys: list[str]) -> bool:
        """Cut each merged cell where the chapters' pages cut its rows; whether any was."""
        if self._cut_rounds >= _CUT_ROUNDS:
            return False
        found = False
        for mark in (m for k in keys for m in self._facts[k].continued):
            table, _, row = mark.partition(".")
            if not (table.isdigit() and row.isdigit() and int(table) < len(self._tables)):
                continue
            n, i = int(table), int(row)
            cuts = self._cuts.setdefault(n, set())
            body = self._tables[n].body
            if i < len(body) and i not in spans.group_starts(spans.cut(body, cuts)):
                cuts.add(i)
                found = True
        self._cut_rounds += found
        return found

    # --- Step 4 -------------------------------------------------------------------------

    def _start_writing(self, keys: list[str]) -> None:
        self._keys = keys
        facts = [self._facts[k] for k in keys]
        starts = self._first_pages([f.pages for f in facts])
        self.total = total = sum(f.pages for f in facts)
        self._anchors = {a: starts[n] + i for n, f in enumerate(facts)
                         for a, i in f.anchors.items()}
        if self._pages_only:
            return
        plans = []
        for n, (key, chapter) in enumerate(zip(keys, self._chapters, strict=True)):
            linked = self._linked(chapter)
            numbering = Numbering(0 if linked else starts[n] - 1, total)
            name = digest(key, starts[n], total if self._sheet.total else "",
                          sorted(self._headings.items()) if linked else "")
            plans.append((n, key, name, numbering))
        for _, _, name, _ in plans:
            found = self._cache.pdf(name)
            if found is not None:
                self._done[name] = found
        again = [key for _, key, name, _ in plans
                 if name not in self._done and key not in self._held]
        for n, key, _, _ in plans:
            if key in again:
                targets = {t: self._anchors[t] for t in self._chapters[n].targets
                           if t in self._anchors}
                self._laying[key] = self._pool.lay(
                    key, self._job(n, starts[n], targets) if self._linked(self._chapters[n])
                    else self._job(n))
        self._wait()
        for _, key, name, numbering in plans:
            ticket = None
            if name not in self._done:
                ticket = self._pool.write(key, numbering, key[:8] + "-", self._headings,
                                          self._charts)
                self._held.discard(key)
            self._writing.append((name, ticket))

    def warnings(self) -> list[str]:
        """What the style sheet has that WeasyPrint ignores, each once."""
        self._wait()
        return list(dict.fromkeys(w for f in self._facts.values() for w in f.warnings))

    def write(self) -> bytes:
        """Write the tagged PDF and return its bytes."""
        from .pdf import refused_error, title_tables

        if self._pages_only:
            raise ValueError("laid out for its page numbers only")
        self.pages()
        refused = [u for f in self._facts.values() for u in f.refused]
        if refused:
            raise refused_error(f"{self._stylesheet} (eller en bild den visar)", refused)
        tickets = [t for _, t in self._writing if t is not None]
        written = iter(self._pool.wait(tickets))
        parts = []
        for (name, ticket), key in zip(self._writing, self._keys, strict=True):
            if ticket is not None:
                self._done[name] = next(written)
                self._cache.put_pdf(name, *self._done[name])
            data, fonts = self._done[name]
            facts = self._facts[key]
            parts.append(Part(data, set(facts.anchors), facts.bookmarks, fonts))
        titles = [t.caption if not t.caption_inlines() else ""
                  for t in self.document.blocks if isinstance(t, doc.Table)]
        if len(parts) == 1 and not any(titles):
            return parts[0].pdf
        joined = (join(parts, self._font_file) if len(parts) > 1
                  else pikepdf.open(io.BytesIO(parts[0].pdf)))
        # A table shown without a caption is named in the structure of the whole document,
        # where the tables stand in the order of its blocks.
        title_tables(joined, titles)
        out = io.BytesIO()
        joined.save(out, deterministic_id=True, compress_streams=True,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()

    def _font_file(self, wanted: str) -> bytes | None:
        """The font file with digest ``wanted`` in the style folders, if there is one."""
        from ..resources import styles_dir

        if self._fonts is None:
            self._fonts = {}
            for folder in dict.fromkeys([self._stylesheet.parent, styles_dir()]):
                for path in sorted(folder.rglob("*")):
                    if path.suffix.lower() in (".ttf", ".otf") and path.is_file():
                        self._fonts[hashlib.sha256(path.read_bytes()).hexdigest()] = path
        found = self._fonts.get(wanted)
        return found.read_bytes() if found is not None else None


def _join_short(html: list[str], starts: list[int]) -> list[int]:
    """``starts`` without those that would begin a chapter short enough to be laid out with
    the one before (:data:`SHORT`); a chapter with links (laid out last) takes in none."""
    bounds = [0, *starts, len(html)]
    chunks = ["".join(html[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    kept, current = [], chunks[0]
    for start, chunk in zip(starts, chunks[1:], strict=True):
        if len(current) + len(chunk) < SHORT and not chapters.INTERNAL_LINK.search(current + chunk):
            current += chunk
        else:
            kept.append(start)
            current = chunk
    return kept


def _engine(stylesheet: Path, folders: tuple[Path, ...] = ()) -> str:
    """What the layout of any chapter depends on besides its HTML: vbgen and the libraries
    it lays out with, and the style folders (the style sheet, its fonts, the identitet.css
    files and the logotype of ``folders``)."""
    from .. import fingerprint
    from ..resources import styles_dir

    return fingerprint.settings(list(dict.fromkeys([stylesheet.parent, *folders, styles_dir()])),
                                {"sidlayout": 1}, Path(os.devnull))

