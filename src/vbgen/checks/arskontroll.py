"""The year mentions a new year's folder should review, kept in ``arskontroll.yaml``.

``vbgen ny --fran`` carries texts over from last year: headings and texts in ``vb.yaml``,
text files and the text cells of tables. A sentence among them that names a year may need
changing ("jämfört med 2022"), and vbgen never rewrites prose. init lists every such sentence
whole, with its file and line, and writes them to ``arskontroll.yaml`` in the new folder;
``vbgen kontrollera`` and a draft's closing list repeat each one until the sentence has changed
in its file or the user confirms it there (``bekraftad: ja``). This is the one check of the
years in a new year's texts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem
from ..model import doc
from ..paths import OUTSIDE, within
from ..readers.files import TABLE_SUFFIXES, read_any, read_text
from ..readers.mainfile import read_yaml_file

#: The file in the data folder that holds the sentences to review.
FILE = "arskontroll.yaml"
#: The heading of the draft's list of the sentences still to review.
LIST_HEADING = "Årtal att se över"

#: A place in a YAML file's data, as the loader gives it.
Place = tuple[str | int, ...]


@dataclass(frozen=True)
class Mention:
    """A sentence with a year: its file, line, the sentence whole, and where in the file."""

    fil: str
    rad: int
    mening: str
    #: The field of a YAML file ("disposition[5].text"), or the column of a table.
    plats: str = ""
    #: The sheet of a workbook, or "".
    blad: str = ""


# --- Sentences -------------------------------------------------------------------------------

#: Where a sentence ends: a full stop, question or exclamation mark before a capital letter.
_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ\"“(])")
#: A line that starts a block of its own in Markdown: a list item or a heading.
_BLOCK = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|#)")


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, each on one line: paragraphs, list items and headings
    apart, and a paragraph split at each sentence's end."""
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip():
            blocks.append([])
        elif _BLOCK.match(line) or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    out = []
    for block in blocks:
        one = " ".join(" ".join(block).split())
        out += [s for s in _END.split(one) if s]
    return out


def line_of(lines: list[str], start: int, sentence: str) -> int:
    """The line, counted from 1, where ``sentence`` begins at or after line ``start``;
    ``start`` when it cannot be found (a YAML string with escapes)."""
    chars: list[str] = []
    where: list[int] = []
    for number, line in enumerate(lines[start - 1:], start=start):
        for ch in line + " ":
            if ch.isspace():
                if chars and chars[-1] == " ":
                    continue
                ch = " "
            chars.append(ch)
            where.append(number)
    at = "".join(chars).find(" ".join(sentence.split())[:60])
    return where[at] if at >= 0 else start


# --- Finding the sentences of a file ---------------------------------------------------------


def _dotted(place: Place) -> str:
    out = ""
    for part in place:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _yaml(folder: Path, rel: str, problems: list[Problem],
          skip: Callable[[Place], bool]) -> list[Mention]:
    path = folder / rel
    data, lines = read_yaml_file(path, rel, problems)
    raw = read_text(folder, path, rel, problems) or ""
    text_lines = raw.splitlines()
    out: list[Mention] = []

    def walk(node: Any, place: Place) -> None:
        if skip(place):
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*place, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*place, i))
        elif isinstance(node, str):
            start = lines.get(place, 1)
            for s in sentences(node):
                out.append(Mention(rel, line_of(text_lines, start, s), s, _dotted(place)))

    walk(data, ())
    return out


def _prose(folder: Path, rel: str, problems: list[Problem]) -> list[Mention]:
    text = read_text(folder, folder / rel, rel, problems) or ""
    lines = text.splitlines()
    return [Mention(rel, line_of(lines, 1, s), s) for s in sentences(text)]


def _table(folder: Path, rel: str, sheet: str, problems: list[Problem]) -> list[Mention]:
    rows = read_any(folder, folder / rel, problems, sheet or None)
    out = []
    for line, cells in rows:
        for column, text in cells.items():
            out += [Mention(rel, line, s, f"kolumn {column}", sheet) for s in sentences(text)]
    return out


def mentions(folder: Path, rel: str, sheet: str = "",
             skip: Callable[[Place], bool] = lambda place: False) -> list[Mention]:
    """Every sentence of the file ``rel`` in ``folder``: the string values of a YAML file
    (but those ``skip`` leaves out), a text file's sentences, a table's text cells."""
    problems: list[Problem] = []
    path = within(folder, rel)
    if path is None or not path.is_file():
        return []
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        found = _yaml(folder, rel, problems, skip)
    elif suffix in TABLE_SUFFIXES:
        found = _table(folder, rel, sheet, problems)
    else:
        found = _prose(folder, rel, problems)
    if problems:
        raise DataError(problems)
    return found


# --- The file of the folder --------------------------------------------------------------------


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def file_text(found: list[Mention]) -> str:
    """``arskontroll.yaml`` for the sentences ``found``, none of them confirmed."""
    out = [
        "# Meningar med årtal som vbgen ny förde över från förra året. vbgen ändrar aldrig",
        "# texterna, så se över varje mening: ändra den i sin fil, eller skriv bekraftad: ja",
        "# under den om den ska stå kvar som den är. vbgen kontrollera visar varje mening som",
        "# inte har ändrats eller bekräftats. Se docs/nytt-ar.md.",
        "granska:",
    ]
    for m in found:
        out.append(f"  - fil: {_quoted(m.fil)}  # {_where(m)}")
        if m.blad:
            out.append(f"    blad: {_quoted(m.blad)}")
        out.append(f"    mening: {_quoted(m.mening)}")
        out.append("    bekraftad: nej")
    return "\n".join(out) + "\n"


def pending(folder: Path) -> list[Mention]:
    """The sentences of ``arskontroll.yaml`` still to review: neither confirmed nor changed
    in their files, each with its line as the file now stands."""
    path = folder / FILE
    if not path.is_file():
        return []
    problems: list[Problem] = []
    data, lines = read_yaml_file(path, FILE, problems)
    items = data.get("granska") if data is not None else []
    if data is not None and not isinstance(items, list):
        problems.append(Problem(FILE, "förväntade en lista under granska", lines.get(()),
                                "granska"))
    out: list[Mention] = []
    current: dict[tuple[str, str], list[Mention]] = {}
    for i, item in enumerate(items if isinstance(items, list) else []):
        where = f"granska[{i + 1}]"
        line = lines.get(("granska", i))
        if not isinstance(item, dict) or not isinstance(item.get("fil"), str) \
                or not isinstance(item.get("mening"), str):
            problems.append(Problem(FILE, "förväntade fil: och mening:", line, where))
            continue
        confirmed = str(item.get("bekraftad", "nej")).strip().lower()
        if confirmed not in ("ja", "nej", "true", "false"):
            problems.append(Problem(FILE, f'förväntade ja eller nej, fick "{confirmed}"',
                                    lines.get(("granska", i, "bekraftad"), line),
                                    f"{where}.bekraftad"))
            continue
        if confirmed in ("ja", "true"):
            continue
        rel, sheet = item["fil"], str(item.get("blad") or "")
        if (rel, sheet) not in current:
            if within(folder, rel) is None:
                problems.append(Problem(FILE, f'filen "{rel}" {OUTSIDE}', line, where))
                continue
            current[(rel, sheet)] = mentions(folder, rel, sheet)
        wanted = " ".join(item["mening"].split())
        out += [m for m in current[(rel, sheet)] if m.mening == wanted][:1]
    if problems:
        raise DataError(problems)
    return out


def describe(found: list[Mention]) -> list[str]:
    """The sentences as lines for the terminal: file, line, where, and the whole sentence."""
    return [f"  {m.fil}, {_where(m)}: {m.mening}" for m in found]


def review_list(found: list[Mention]) -> list[doc.Block]:
    """The draft's closing section on the sentences with a year still to review."""
    if not found:
        return []
    intro = doc.Paragraph([doc.Text(
        "Meningarna nedan fördes över från förra året av vbgen ny och nämner ett årtal. "
        f"Ändra meningen i sin fil, eller skriv bekraftad: ja under den i {FILE} om den ska "
        "stå kvar som den är; då står den inte längre här.")])
    rows = [doc.Row([doc.Cell([doc.Text(f"{m.fil}, {_where(m)}")]),
                     doc.Cell([doc.Text(m.mening)])]) for m in found]
    head = [doc.Row([doc.Cell([doc.Text(t)], header=True) for t in ("Var", "Mening")])]
    return [doc.Heading(1, [doc.Text(LIST_HEADING)], id="artal-att-se-over"), intro,
            doc.Table("Meningar med årtal att se över", head, rows, role="luckor")]


def _where(m: Mention) -> str:
    """Where in its file a sentence stands: "blad Risker, rad 5, kolumn tidplan"."""
    return ", ".join(p for p in (f"blad {m.blad}" if m.blad else "", f"rad {m.rad}", m.plats)
                     if p)
