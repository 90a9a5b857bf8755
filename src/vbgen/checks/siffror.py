"""The editors' own figures checked: numbers and years typed in the data's texts, matched
against the figures the report shows.

Every amount with its unit (kr, tkr, mnkr, "miljoner kronor", %, procent, st, or a noun the
tables use, "563 980 besök") typed in a text of the data is looked for among the figures the
documents show: table cells, generated sentences and figures cited with ``[tal: …]``, each
in its unit and with the decimals it is shown with. A figure found is fine; one that differs
only a little from a shown figure is a near miss (a warning, with both figures and where
each stands); one found nowhere is listed as information. Neither stops a build. (The years
in texts carried over by ``vbgen ny`` are listed by :mod:`vbgen.checks.arskontroll`.)
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..model import doc
from ..model.prosa import parse_dotted
from ..model.report import MAIN_FILE, Report

#: Largest relative difference of a near miss, and the fewest significant digits a typed
#: figure needs to be taken for one (shorter figures are too often near another by chance).
NEAR = Decimal("0.01")
NEAR_DIGITS = 4

_NUMBER = r"(?<![\w,.−-])([−-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|[−-]?\d+)(?:,(\d+))?"
#: A unit after a number: the words, the kind of figure and its size in kronor (or 1).
_UNITS = [
    (r"miljarder kronor|mdkr", "belopp", Decimal(10) ** 9),
    (r"miljoner kronor|miljoner|mnkr|mkr", "belopp", Decimal(10) ** 6),
    (r"tusen kronor|tkr", "belopp", Decimal(1000)),
    (r"kronor|kr", "belopp", Decimal(1)),
    (r"procentenheter", "tal", Decimal(1)),
    (r"%|procent", "procent", Decimal(1)),
    (r"st", "tal", Decimal(1)),
]
_UNIT = "|".join(f"(?:{u})" for u, _, _ in _UNITS)
_TYPED = re.compile(_NUMBER + r"(?:[ \u00a0]?(" + _UNIT + r")(?!\w)|[ \u00a0](\w+))?",
                    re.IGNORECASE)
_WORD = re.compile(r"[a-zåäöé]{3,}", re.IGNORECASE)
#: The unit a table's caption or column header gives its figures: "…, tkr", "Utfall (mnkr)".
_HEADER_UNITS = [(re.compile(r"\bmnkr\b|miljoner kronor", re.IGNORECASE), "belopp",
                  Decimal(10) ** 6),
                 (re.compile(r"\btkr\b|tusen kronor", re.IGNORECASE), "belopp", Decimal(1000)),
                 (re.compile(r"\bkr\b|\bkronor\b", re.IGNORECASE), "belopp", Decimal(1)),
                 (re.compile(r"%|procent", re.IGNORECASE), "procent", Decimal(1))]


@dataclass(frozen=True)
class Figure:
    """A number as it stands: its value in its own unit, the size of that unit, its kind,
    the precision it is written with (in its own unit) and where it stands."""

    value: Decimal
    scale: Decimal
    kind: str
    precision: Decimal
    text: str
    where: str
    #: How many significant digits it is written with: 546,4 has four.
    digits: int = 0


@dataclass(frozen=True)
class Finding:
    """A typed figure worth a look: a near miss, or one not found."""

    #: "nara" (a near miss) or "saknas" (not in the data).
    kind: str
    #: The figure as typed, with its unit ("546,4 miljoner kronor").
    typed: str
    file: str
    line: int | None
    #: The figure the data shows and where, for a near miss.
    shown: str = ""
    shown_where: str = ""

    def __str__(self) -> str:
        at = f"{self.file}, rad {self.line}" if self.line else self.file
        if self.kind == "nara":
            return (f"{at}: {self.typed} står i texten, men {self.shown_where} visar "
                    f"{self.shown}")
        return f"{at}: {self.typed} finns inte bland rapportens siffror"


def _decimal(whole: str, fraction: str | None) -> tuple[Decimal, Decimal]:
    """A Swedish number and the precision it is written with: "12 400" is 12400 to the
    hundred (a whole number of a thousand or more is taken as rounded to its last non-zero
    digit), "4,5" is 4.5 to the tenth."""
    digits = re.sub(r"[ \u00a0\u202f]", "", whole).replace("−", "-")
    value = Decimal(digits + ("." + fraction if fraction else ""))
    if fraction:
        return value, Decimal(1).scaleb(-len(fraction))
    zeros = len(digits) - len(digits.rstrip("0"))
    return value, Decimal(10) ** zeros if abs(value) >= 1000 and zeros else Decimal(1)


def _unit(word: str) -> tuple[str, Decimal]:
    for pattern, kind, scale in _UNITS:
        if re.fullmatch(pattern, word, re.IGNORECASE):
            return kind, scale
    return "tal", Decimal(1)


def _is_year(m: re.Match[str]) -> bool:
    whole, fraction, unit = m.group(1), m.group(2), m.group(3)
    return (fraction is None and unit is None and whole.isdigit() and len(whole) == 4
            and 1900 <= int(whole) <= 2100)


def figures_in(text: str, where: str, nouns: set[str] | None = None,
               bare: bool = False) -> list[Figure]:
    """The figures of a piece of text: a number with a unit, or before one of ``nouns``;
    with ``bare`` also a number alone (as in a table cell). A year is no figure."""
    out = []
    for m in _TYPED.finditer(text):
        whole, fraction, unit, word = m.group(1), m.group(2), m.group(3), m.group(4)
        if unit:
            kind, scale = _unit(unit)
        elif _is_year(m):
            continue
        elif word and nouns is not None and word.lower() in nouns:
            kind, scale = "tal", Decimal(1)
        elif bare:
            kind, scale = "tal", Decimal(1)
        else:
            continue
        value, precision = _decimal(whole, fraction)
        digits = len(re.sub(r"\D", "", whole + (fraction or "")).lstrip("0"))
        out.append(Figure(value, scale, kind, precision,
                          m.group(0).strip() if unit else whole, where, digits))
    return out


# --- What the report shows ------------------------------------------------------------------


def _grid(rows: list[doc.Row]) -> list[list[tuple[int, doc.Cell]]]:
    """Each row's cells with the column each starts in, spans from above taken into account."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(rows):
        placed = []
        c = 0
        for cell in row.cells:
            while (r, c) in taken:
                c += 1
            placed.append((c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
        out.append(placed)
    return out


def _header_unit(text: str) -> tuple[str, Decimal] | None:
    return next(((kind, scale) for pattern, kind, scale in _HEADER_UNITS
                 if pattern.search(text)), None)


def _cell_figures(table: doc.Table, nouns: set[str]) -> list[Figure]:
    """The figures a table shows, in the unit its caption or column header names."""
    headers: dict[int, str] = {}
    for placed in _grid(table.head):
        for c, cell in placed:
            for k in range(cell.colspan):
                headers[c + k] = doc.plain(cell.children)  # the lowest header names it
    for h in [table.caption, *headers.values()]:
        nouns.update(w.lower() for w in _WORD.findall(h))
    caption_unit = _header_unit(table.caption)
    out = []
    body = _grid(table.body)
    labels: dict[int, str] = {}
    for r, placed in enumerate(body):
        for c, cell in placed:
            text = doc.plain(cell.children)
            if c == 0:
                labels[r] = text
            header = headers.get(c, "")
            where = (f'tabellen "{table.caption}", raden "{labels.get(r, "")}"'
                     + (f', kolumnen "{header}"' if header else ""))
            unit = _header_unit(header) or caption_unit
            for f in figures_in(text, where, bare=True):
                if f.kind == "tal" and unit is not None:
                    f = Figure(f.value, unit[1], unit[0], f.precision, f.text, where, f.digits)
                out.append(f)
    return out


def _paragraph(inlines: list[doc.Inline]) -> tuple[str, list[tuple[str, str]]]:
    """A paragraph's text, a figure cited from the data left out, and the text of each
    figure it cites with its mark."""
    text = _Text()
    text.inlines(inlines)
    return "".join(text.text), text.cited


class _Text(doc.Visitor[None]):
    """The text of a run of inlines, with the figures it cites apart."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.cited: list[tuple[str, str]] = []

    def inlines(self, nodes: list[doc.Inline]) -> None:
        for n in nodes:
            self.visit(n)

    def visit_span(self, n: doc.Span) -> None:
        if not n.mark:
            self.inlines(n.children)
            return
        if not any(isinstance(c, doc.Gap) for c in n.children):  # a figure, not a gap
            self.cited.append((doc.plain(n.children), n.mark))
        self.text.append(" ")

    def visit_text(self, n: doc.Text) -> None:
        self.text.append(n.text)

    def visit_footnote(self, n: doc.Footnote) -> None:
        self.text.append(" ")
        self.inlines(n.children)
        self.text.append(" ")

    def visit_strong(self, n: doc.Strong | doc.Emph | doc.Link) -> None:
        self.inlines(n.children)

    visit_emph = visit_link = visit_strong

    def visit_linebreak(self, n: doc.LineBreak) -> None:
        self.text.append(" ")

    def visit_gap(self, n: doc.Gap) -> None:
        pass  # vbgen's mark, no figure of the text


class _Shown:
    """The figures the report shows, by their size in their smallest unit, for a quick
    look-up of those near a typed figure."""

    def __init__(self, figures: list[Figure]) -> None:
        keyed = sorted((float(abs(f.value * f.scale)), i) for i, f in enumerate(figures))
        self.figures = figures
        self.sizes = [k for k, _ in keyed]
        self.order = [i for _, i in keyed]

    def near(self, typed: Figure) -> list[Figure]:
        size = float(abs(typed.value * typed.scale))
        slack = max(size * 0.02, float(typed.precision * typed.scale))
        lo = bisect.bisect_left(self.sizes, size - slack)
        hi = bisect.bisect_right(self.sizes, size + slack)
        return [self.figures[self.order[k]] for k in range(lo, hi)]


class _Blocks(doc.Visitor[None]):
    """The paragraphs of a document's blocks, each with the heading above it and the data
    text it shows (a generated one has none), and the figures its tables show."""

    def __init__(self, heading: str, nouns: set[str]) -> None:
        self.heading = heading
        self.nouns = nouns
        self.paragraphs: list[tuple[list[doc.Inline], str, str]] = []
        self.shown: list[Figure] = []

    def visit_heading(self, b: doc.Heading, source: str) -> None:
        self.heading = doc.plain(b.children)
        if b.source or source:
            self.paragraphs.append((b.children, self.heading, b.source or source))

    def visit_paragraph(self, b: doc.Paragraph, source: str) -> None:
        if b.role != "lucka":
            self.paragraphs.append((b.children, self.heading, b.source or source))

    def visit_listblock(self, b: doc.ListBlock, source: str) -> None:
        for item in b.items:
            for sub in item:
                self.visit(sub, b.source or source)

    def visit_table(self, b: doc.Table, source: str) -> None:
        self.shown.extend(_cell_figures(b, self.nouns))

    def visit_figure(self, b: doc.Block, source: str) -> None:
        pass  # a chart's figures are its table's

    visit_pagebreak = visit_tableofcontents = visit_titlepage = visit_figure


def check(report: Report, documents: list[doc.Document]) -> list[Finding]:
    """The typed figures of ``documents`` worth a look, in reading order."""
    nouns: set[str] = set()
    shown: list[Figure] = []
    paragraphs: list[tuple[list[doc.Inline], str, str]] = []

    for d in documents:
        walk = _Blocks(d.title, nouns)
        for block in d.blocks:
            walk.visit(block, "")
        paragraphs.extend(walk.paragraphs)
        shown.extend(walk.shown)
    texts: list[tuple[str, str]] = []
    for inlines, heading, source in paragraphs:
        plain, cited = _paragraph(inlines)
        for text, mark in cited:
            shown.extend(figures_in(text, f"markeringen {mark}", bare=True))
        if source:
            texts.append((source, plain))
        else:
            shown.extend(figures_in(plain, f'meningen under rubriken "{heading}"', nouns))
    index = _Shown(shown)
    out: list[Finding] = []
    for source, plain in texts:
        for typed in figures_in(plain, source, nouns):
            found = _match(typed, index.near(typed))
            if found is not None:
                file, line = _locate(report, source, typed.text)
                out.append(Finding(found[0], typed.text, file, line, *found[1:]))
    return list(dict.fromkeys(out))


def _round(value: Decimal, precision: Decimal) -> Decimal:
    return (value / precision).quantize(Decimal(1), rounding=ROUND_HALF_UP) * precision


def _compatible(typed: Figure, shown: Figure) -> bool:
    if typed.kind == "belopp":
        return shown.kind == "belopp"
    if typed.kind == "procent":
        return shown.kind in ("procent", "tal")
    return shown.kind == "tal"


def _match(typed: Figure, candidates: list[Figure]) -> tuple[str, str, str] | None:
    """None when ``typed`` is a figure the report shows; else what to say of it.

    The two are compared in the typed figure's unit, rounded to the coarser of their
    precisions, by size: a text says "ett underskott på 2,1 miljoner kronor" of −2,1.
    """
    near: tuple[Decimal, Figure] | None = None
    size = abs(typed.value)
    for s in candidates:
        if not _compatible(typed, s):
            continue
        value = abs(s.value * s.scale / typed.scale)
        precision = max(typed.precision, s.precision * s.scale / typed.scale)
        if _round(value, precision) == _round(size, precision) and (value or not size):
            return None
        if value and typed.digits >= NEAR_DIGITS:
            off = abs(value - size) / value
            if off <= NEAR and (near is None or off < near[0]):
                near = (off, s)
    if near is not None:
        return "nara", near[1].text, near[1].where
    return "saknas", "", ""


def _locate(report: Report, source: str, needle: str) -> tuple[str, int | None]:
    """The file and line of ``needle`` in the data's text named ``source`` (its file, or
    "vb.yaml:plats")."""
    origins = report.textursprung
    if source.startswith(MAIN_FILE + ":"):
        file, line, _ = origins.locate(parse_dotted(source.removeprefix(MAIN_FILE + ":")),
                                       needle)
        return file, line
    lines = origins.files.get(source, "").splitlines()
    line = next((i for i, text in enumerate(lines, start=1) if needle in text), None)
    return source, line


# --- Where the findings are shown ----------------------------------------------------------

#: The heading of the list of figures to look at, after a draft's gaps.
LIST_HEADING = "Siffror att kontrollera"


def describe(findings: list[Finding]) -> list[str]:
    """The findings as lines for the terminal: warnings first, then the information."""
    warnings = [f for f in findings if f.kind != "saknas"]
    info = [f for f in findings if f.kind == "saknas"]
    lines = []
    if warnings:
        lines.append(f"Siffror i texterna att kontrollera ({len(warnings)}):")
        lines.extend(f"  {f}" for f in warnings)
    if info:
        lines.append(f"Siffror i texterna som inte finns bland rapportens siffror, för "
                     f"kännedom ({len(info)}):")
        lines.extend(f"  {f}" for f in info)
    return lines


def check_list(findings: list[Finding]) -> list[doc.Block]:
    """The draft's closing section on its typed figures: a table of what to look at."""
    if not findings:
        return []
    intro = doc.Paragraph([doc.Text(
        "Siffrorna nedan är inskrivna i texterna. En siffra som nästan stämmer med en siffra i "
        "rapporten bör kontrolleras; en siffra som inte finns bland rapportens siffror är bara "
        "en upplysning. Hämta hellre talet ur tabellen med [tal: tabell | rad | kolumn].")])
    words = {"nara": "Nästan som i data", "saknas": "Finns inte i data"}
    rows = [doc.Row([doc.Cell([doc.Text(words[f.kind])]), doc.Cell([doc.Text(f.typed)]),
                     doc.Cell([doc.Text(f"{f.file}, rad {f.line}" if f.line else f.file)]),
                     doc.Cell([doc.Text(f"{f.shown} ({f.shown_where})" if f.shown else "")])])
            for f in sorted(findings, key=lambda f: f.kind == "saknas")]
    head = [doc.Row([doc.Cell([doc.Text(t)], header=True)
                     for t in ("Slag", "I texten", "Var", "I rapporten")])]
    return [doc.Heading(1, [doc.Text(LIST_HEADING)], id="siffror-att-kontrollera"), intro,
            doc.Table("Siffror i texterna att kontrollera", head, rows, role="luckor")]
