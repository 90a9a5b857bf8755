"""Swedish typography, in one place, applied when a document is written (PDF and Word).

The rules (docs/stilar.md, *Typografi*): no-break spaces inside numbers, between a number
and its unit or %, after "nr", "kap.", "s." and "§" and inside a date; an en dash in a
range of numbers ("13–20 år") and for a spaced hyphen ("växer – social"), with a no-break
space before it so that a dash never starts a line; in a table cell also a short phrase
("Ej klart i år") and a name's last two words kept together, and one mark for an empty
value. Text in a code span (`` `13-20` `` in Markdown) is left as it stands.

Every rule changes one character for one, so that :func:`apply` can be given the text
before a node as context, and :func:`undo` takes a Word draft's text back to what the data
holds: typography never leaks back into the data through ``vbgen hamta``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import doc

NBSP = "\u00a0"
EN_DASH = "\u2013"
#: The role of a span that typography leaves alone (a Markdown code span).
VERBATIM = "ordagrant"
#: The one mark of an empty value in every table (as ``fmt`` shows a missing figure).
EMPTY = EN_DASH
_EMPTY_MARKS = {"-", "\u2014", "\u2212", EN_DASH}

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")
#: Units kept on the line of their number.
UNITS = ("%", "‰", "procent", "procentenheter", "kr", "kronor", "tkr", "mnkr", "mdkr", "st",
         "km", "m", "m²", "kvm", "ha", "kg", "ton", "kWh", "MWh", "GWh", "h", "tim", "timmar",
         "min", "dagar", "veckor", "månader", "år", "°C", "årsarbetare", "personer", "barn")
_MONTH = "|".join(MONTHS)
_UNIT = "|".join(re.escape(u) for u in UNITS)
#: Where every space inside a match becomes a no-break space.
_TOGETHER = [
    re.compile(r"(?<![\d,.-])\d{1,3}(?: \d{3})+(?!\d)"),  # "12 300", not "08-535 000"
    re.compile(r"\d (?:" + _UNIT + r")(?![\w²])"),  # "57 %", "13 år"
    re.compile(r"(?<![\w.])(?:nr|Nr|kap\.|s\.|§|p\.) (?=\d)"),  # "nr 3", "kap. 4"
    re.compile(r"\d §"),
    re.compile(r"(?<!\d)\d{1,2} (?:" + _MONTH + r")\b(?: \d{4}\b)?"),  # "23 september 2024"
    re.compile(r"\b(?:" + _MONTH + r") \d{4}\b"),
    re.compile(r"\(\w{1,3} "),  # "(ej LSS/SFB)"
]
#: A range of numbers written with a hyphen: not a phone number (leading 0), nor a date.
_RANGE = re.compile(r"(?<![\w\-–/.,:])(?!0\d)\d+(?:,\d+)?(-)\d+(?:,\d+)?(?![\w\-/:]|,\d)")
#: A spaced hyphen or dash between words.
_DASH = re.compile(r"(?<=\S)( )([-–])( )(?=\S)")
#: A cell this short, of at most four words, keeps its words on one line.
SHORT_CELL = 20


def apply(text: str, context: str = "") -> str:
    """``text`` set by the rules; ``context`` is the text just before it (for a unit after a
    number in the node before). The result has exactly as many characters as ``text``."""
    whole = context + text
    chars = list(whole)
    for pattern in _TOGETHER:
        for m in pattern.finditer(whole):
            for i in range(m.start(), m.end()):
                if whole[i] == " ":
                    chars[i] = NBSP
    for m in _RANGE.finditer(whole):
        chars[m.start(1)] = EN_DASH
    for m in _DASH.finditer(whole):
        chars[m.start(1)] = NBSP
        chars[m.start(2)] = EN_DASH
    return "".join(chars)[len(context):]


def _short(text: str) -> bool:
    return len(text.strip()) <= SHORT_CELL and text.strip().count(" ") <= 3


def _cell(text: str) -> str:
    if text.strip() in _EMPTY_MARKS:
        return text.replace(text.strip(), EMPTY)
    if _short(text):
        return re.sub(r"(?<=\S) (?=\S)", NBSP, text)
    # The last word of a name never alone on its line.
    return re.sub(r"(?<=\S) (?=\S{1,12}\s*$)", NBSP, text)


def inlines(nodes: list[doc.Inline], cell: bool = False) -> list[doc.Inline]:
    """The inline nodes with their text set by the rules, each in the context of the text
    before it; a footnote's text on its own, a gap and a verbatim span as they are. In a
    table ``cell``, also :func:`_cell`'s rules for the cell's whole text."""
    return _Typography(doc.plain(nodes), cell).walk(nodes)


class _Typography(doc.Visitor[doc.Inline]):
    """One walk over a run of inlines, carrying the text set so far as the next node's
    context."""

    def __init__(self, whole: str, cell: bool) -> None:
        self.whole = whole
        self.cell = cell
        self.short = cell and _short(whole)
        self.before = ""

    def walk(self, items: list[doc.Inline]) -> list[doc.Inline]:
        return [self.visit(n) for n in items]

    def visit_text(self, n: doc.Text) -> doc.Inline:
        text = apply(n.text, self.before[-16:])
        self.before += n.text
        if self.cell and (self.short or self.before == self.whole):  # the cell, or its end
            text = _cell(text)
        return doc.Text(text)

    def visit_strong(self, n: doc.Strong) -> doc.Inline:
        return replace(n, children=self.walk(n.children))

    def visit_emph(self, n: doc.Emph) -> doc.Inline:
        return replace(n, children=self.walk(n.children))

    def visit_span(self, n: doc.Span) -> doc.Inline:
        if n.role == VERBATIM:
            self.before += doc.plain(n.children)
            return n
        return replace(n, children=self.walk(n.children))

    def visit_link(self, n: doc.Link) -> doc.Inline:
        return replace(n, children=self.walk(n.children))

    def visit_footnote(self, n: doc.Footnote) -> doc.Inline:
        return replace(n, children=inlines(n.children))  # its own text, from its start

    def visit_linebreak(self, n: doc.LineBreak) -> doc.Inline:
        return n

    def visit_gap(self, n: doc.Gap) -> doc.Inline:
        return n


#: What :func:`undo` turns back: a no-break space, and an en dash the rules may have set.
_UNDO_RANGE = re.compile(r"(?<![\w\-–/.,:])(?!0\d)(\d+(?:,\d+)?)–(?=\d+(?:,\d+)?(?![\w\-/:]|,\d))")
_MARK = re.compile(r"(\[tal:[^\]]*\])")
_UNDO_DASH = re.compile(r"(?<=\S)[ \u00a0]–(?= \S)")


def undo(text: str) -> str:
    """``text`` read back from a draft with what the rules set taken away, so that it
    compares with the data: no-break spaces as spaces, an en dash in a range or between
    spaced words as a hyphen. Applied to the data's text too (the draft's record), so an
    unedited draft reads back as built."""
    parts = _MARK.split(text)
    for i in range(0, len(parts), 2):  # a figure-citing mark is a key, left as written
        part = parts[i].replace(NBSP, " ")
        part = _UNDO_RANGE.sub(r"\1-", part)
        parts[i] = _UNDO_DASH.sub(" -", part)
    return "".join(parts)


#: The characters :func:`undo` may have changed, as (read back, in the data).
_UNDONE = {("-", EN_DASH), (" ", NBSP)}


def restore(read: str, data: str) -> str:
    """The text ``read`` back from a draft, with the data's own characters wherever the two
    differ only as :func:`undo` made them: the author's en dashes and no-break spaces stay
    where the editor did not change the text."""
    from difflib import SequenceMatcher

    out: list[str] = []
    matcher = SequenceMatcher(None, read, data, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        mine, theirs = read[a0:a1], data[b0:b1]
        same = op == "equal" or (op == "replace" and len(mine) == len(theirs) and all(
            m == t or (m, t) in _UNDONE for m, t in zip(mine, theirs, strict=True)))
        out.append(theirs if same else mine)
    return "".join(out)
