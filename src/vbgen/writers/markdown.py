"""Markdown from the document model: the way back from a document's blocks to the data's
prose, the inverse of the ``md`` filter in :mod:`vbgen.compose.templates`.

The output is canonical (one line per paragraph, ``**`` and ``*``, footnotes at the end), so
that two texts are the same when their Markdown is the same, whichever way they were read.
"""

from __future__ import annotations

import re

from ..compose.luckor import GAP
from ..model import doc

#: Characters that would be read as Markdown: emphasis, code, links and their brackets,
#: autolinks, and an ampersand that starts an entity.
_ESCAPE = re.compile(r"([\\`*_\[\]<]|&(?=#?\w+;))")
#: What would start a heading, list, quote or rule at the start of a line.
_BLOCK_START = re.compile(r"^( *)([#>+=-]|\d+[.)])", re.MULTILINE)


def to_markdown(blocks: list[doc.Block], heading_level: int = 4) -> str:
    """The Markdown of ``blocks``; a heading at ``heading_level`` is written "###"."""
    notes: list[str] = []
    joined: list[doc.Block] = []
    for b in blocks:
        # Two lists of the same kind in a row are one list in Markdown.
        prev = joined[-1] if joined else None
        if isinstance(b, doc.ListBlock) and isinstance(prev, doc.ListBlock) \
                and prev.ordered == b.ordered:
            joined[-1] = doc.ListBlock(prev.items + b.items, prev.ordered, prev.source)
        else:
            joined.append(b)
    writer = _Markdown(heading_level, notes)
    parts = [md for b in joined if (md := writer.visit(b, ""))]
    text = "\n\n".join(parts)
    if notes:
        text += "\n\n" + "\n".join(f"[^{n}]: {note}" for n, note in
                                   enumerate(notes, start=1))
    return text


def inlines(nodes: list[doc.Inline], notes: list[str]) -> str:
    """The Markdown of a run of inlines; footnotes are numbered into ``notes``."""
    return _Markdown(4, notes).inlines(nodes).strip(" ")


class _Markdown(doc.Visitor[str]):
    """A block's Markdown, at an indent (inside a list item); an inline's, appended to the
    run written so far."""

    def __init__(self, heading_level: int, notes: list[str]) -> None:
        self.heading_level = heading_level
        self.notes = notes

    # --- blocks ----------------------------------------------------------------------

    def visit_heading(self, b: doc.Heading, indent: str) -> str:
        hashes = "#" * max(1, min(6, 3 + b.level - self.heading_level))
        # A "#" at its end would close the heading instead.
        return f"{hashes} {inlines(b.children, self.notes).replace('#', chr(92) + '#')}"

    def visit_paragraph(self, b: doc.Paragraph, indent: str) -> str:
        text = inlines(b.children, self.notes)
        if GAP.fullmatch(text.replace("\\", "")):
            return ""  # a gap mark is not part of the data's text
        return _BLOCK_START.sub(_escape_start, text)

    def visit_listblock(self, b: doc.ListBlock, indent: str) -> str:
        lines: list[str] = []
        n = 1
        for item in b.items:
            mark = f"{n}. " if b.ordered else "- "
            pad = indent + " " * len(mark)
            first = True
            for sub in item:
                if isinstance(sub, doc.ListBlock):
                    lines.append(self.visit(sub, pad))
                    continue
                body = self.visit(sub, pad)
                if not body:
                    continue
                lines.append((indent + mark if first else "\n" + pad) + body)
                first = False
            # An item with nothing to write takes no number: "2." first would be read as
            # a list starting at 2.
            if not first:
                n += 1
        return "\n".join(lines)

    def visit_table(self, b: doc.Table | doc.Figure, indent: str) -> str:
        # A table or chart placed in a text goes back as its mark.
        return b.mark or ""

    visit_figure = visit_table

    def visit_pagebreak(self, b: doc.Block, indent: str) -> str:
        return ""  # none of the data's prose

    visit_tableofcontents = visit_titlepage = visit_pagebreak

    # --- inlines ---------------------------------------------------------------------

    def inlines(self, nodes: list[doc.Inline]) -> str:
        out: list[str] = []
        for n in merge(nodes):
            self.visit(n, out)
        return re.sub(r"[ \t]+", " ", "".join(out))

    def visit_text(self, n: doc.Text, out: list[str]) -> None:
        text = _ESCAPE.sub(r"\\\1", n.text)
        if out and re.search(r"\[\^\d+\]$", out[-1]) and text[:1] in "(:":
            text = "\\" + text  # "[^1](" would start a link, "[^1]:" a note
        out.append(text)

    def visit_strong(self, n: doc.Strong, out: list[str]) -> None:
        out.append(_wrap("**", self.inlines(n.children)))

    def visit_emph(self, n: doc.Emph, out: list[str]) -> None:
        out.append(_wrap("*", self.inlines(n.children)))

    def visit_span(self, n: doc.Span, out: list[str]) -> None:
        # A figure cited from the data goes back as its mark, never as the figure.
        out.append(n.mark or self.inlines(n.children))

    def visit_link(self, n: doc.Link, out: list[str]) -> None:
        out.append(f"[{inlines(n.children, self.notes)}](<{n.href}>)")

    def visit_linebreak(self, n: doc.LineBreak, out: list[str]) -> None:
        out.append("\\\n")

    def visit_gap(self, n: doc.Gap, out: list[str]) -> None:
        pass  # vbgen's mark, not part of the data's text

    def visit_footnote(self, n: doc.Footnote, out: list[str]) -> None:
        if out:  # the mark hugs the word before it, as the document shows it
            out[-1] = out[-1].rstrip(" ")
        self.notes.append(inlines(n.children, self.notes).strip())
        out.append(f"[^{len(self.notes)}]")


def _escape_start(m: re.Match[str]) -> str:
    mark = m.group(2)
    return m.group(1) + (mark[:-1] + "\\" + mark[-1] if mark[0].isdigit() else "\\" + mark)


def merge(nodes: list[doc.Inline]) -> list[doc.Inline]:
    """Join neighbouring inlines of the same kind: Word splits runs at will, and "**a****b**"
    is not what "**ab**" means."""
    out: list[doc.Inline] = []
    for n in nodes:
        prev = out[-1] if out else None
        if isinstance(n, doc.Text) and isinstance(prev, doc.Text):
            out[-1] = doc.Text(prev.text + n.text)
        elif isinstance(n, doc.Strong) and isinstance(prev, doc.Strong):
            out[-1] = doc.Strong(merge(prev.children + n.children))
        elif isinstance(n, doc.Emph) and isinstance(prev, doc.Emph):
            out[-1] = doc.Emph(merge(prev.children + n.children))
        else:
            out.append(n)
    return out


def _wrap(mark: str, text: str) -> str:
    """``text`` between emphasis marks, its spaces outside them (CommonMark needs that)."""
    core = text.strip(" ")
    if not core:
        return text
    lead = " " if text.startswith(" ") else ""
    trail = " " if text.endswith(" ") else ""
    return f"{lead}{mark}{core}{mark}{trail}"
