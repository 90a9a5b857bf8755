"""Read a data folder's files through the path gate: the bytes, their encoding, a CSV
file's separator and quotes, a workbook's sheets and number formats, the header as written."""


from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import Problem, environment_problem
from ..fmt import NumberError, NumberText
from ..paths import (
    MAX_INPUT_BYTES,
    MAX_UNPACKED_BYTES,
    Refused,
    present,
    read_file,
    zip_too_large,
)

TABLE_SUFFIXES = (".csv", ".xlsx")


def clean(text: str) -> str:
    """Text from a file as vbgen can typeset it.

    A vertical tab is Word's manual line break (Shift+Enter) and a form feed a page break:
    both become a new line. Other control characters cannot be shown and are dropped.
    """
    return _CONTROL.sub("", text.replace("\v", "\n").replace("\f", "\n"))


# Also the private characters that mark an example value in rendered templates.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ue000-\ue002]")


def _read_bytes(folder: Path, path: Path, shown: str, problems: list[Problem]) -> bytes | None:
    """The bytes of ``path``, through the gate: inside ``folder``, a regular file, of a sane
    size (:func:`vbgen.paths.read_file`).

    A problem with the data is recorded; a file the system will not let vbgen read is an
    :class:`EnvironmentProblem`, since no change to the data fixes it.
    """
    try:
        return read_file(folder, path, MAX_INPUT_BYTES)
    except Refused as exc:
        problems.append(Problem(shown, f"filen {exc}"))
        return None
    except OSError as exc:
        raise environment_problem(exc, "kan inte läsa", path) from None


def _utf16(raw: bytes) -> bool:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = raw[:400]
    return len(head) >= 4 and max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 4


def read_text(folder: Path, path: Path, shown: str, problems: list[Problem]) -> str | None:
    """A text file inside ``folder`` as the loader reads it: gated, of a sane size, UTF-8."""
    raw = _read_bytes(folder, path, shown, problems)
    return None if raw is None else _text_of(raw, shown, problems)


def read_prose(folder: Path, path: Path, shown: str, problems: list[Problem]) -> str | None:
    """A text of the data in its own file (``{fil: x.md}``), as the report shows it."""
    text = read_text(folder, path, shown, problems)
    return None if text is None else clean(text)


def _text_of(raw: bytes, shown: str, problems: list[Problem], cp1252: bool = False
             ) -> str | None:
    """Decode a text file, naming its encoding problem in terms its writer knows."""
    if _utf16(raw):
        problems.append(Problem(shown, "filen är sparad som UTF-16 (Unicode-text); spara den "
                                       "som UTF-8 (i Excel: CSV UTF-8) och försök igen"))
        return None
    if b"\x00" in raw:
        problems.append(Problem(shown, "filen innehåller NUL-tecken och är ingen textfil; "
                                       "spara den som text (UTF-8)"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if cp1252:
            # Swedish Excel saves "CSV" as Windows-1252 unless told otherwise.
            return raw.decode("cp1252", errors="replace")
        problems.append(Problem(shown, "filen är inte sparad som UTF-8"))
        return None


def _norm_header(name: str) -> str:
    return " ".join(str(name).replace("_", " ").split()).lower()


def _find_table(folder: Path, stem: str, problems: list[Problem]) -> Path | None:
    found = [folder / (stem + s) for s in TABLE_SUFFIXES if present(folder / (stem + s))]
    if len(found) > 1:
        problems.append(Problem(found[0].name, f"både {stem}.csv och {stem}.xlsx finns; "
                                "ta bort den ena"))
        return None
    return found[0] if found else None


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Swedish Excel saves "CSV" as Windows-1252 unless told otherwise.
        return raw.decode("cp1252", errors="replace")


#: The column separators vbgen recognises, as the first line of the file shows them.
DELIMITERS = (";", ",", "\t")


def _delimiter(first: str) -> str:
    # Semicolon wins a tie: Swedish Excel's own separator, and decimal commas are common.
    return max(DELIMITERS, key=lambda d: (first.count(d), d == ";"))


def _csv_text(folder: Path, path: Path, problems: list[Problem]) -> str | None:
    raw = _read_bytes(folder, path, path.name, problems)
    return None if raw is None else _text_of(raw, path.name, problems, cp1252=True)


def _read_csv(folder: Path, path: Path, problems: list[Problem]
              ) -> Iterator[tuple[int, dict[str, str]]]:
    text = _csv_text(folder, path, problems)
    if text is None:
        return
    first = text.split("\n", 1)[0]
    delimiter = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(path.name, "filen är tom; första raden ska vara kolumnnamnen"))
        return
    except csv.Error as exc:
        problems.append(Problem(path.name, f"raden kan inte läsas ({exc})", 1))
        return
    names = [_norm_header(clean(h)) for h in header]
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem(path.name, f"raden kan inte läsas ({exc})", reader.line_num))
            continue
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if line > start and len(names) > 1 and any(
                inner.count(delimiter) >= len(names) - 1
                for c in cells if "\n" in c for inner in c.split("\n")[1:]):
            # A quote opened and never closed takes the following rows into one cell.
            problems.append(Problem(
                path.name, f"ett citattecken (\") i raden stängs inte förrän rad {line}, så "
                f"raderna {start}–{line} blev en enda rad; kontrollera citattecknen", start))
            continue
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names):]):
            problems.append(Problem(
                path.name,
                f"raden har {len(cells)} fält men rubrikraden har {len(names)}; "
                f"kontrollera avgränsare ({delimiter}) och citattecken", line))
            continue
        yield line, {n: (clean(cells[i]).strip() if i < len(cells) else "")
                     for i, n in enumerate(names)}


def _open_workbook(folder: Path, path: Path, problems: list[Problem]) -> Any | None:
    from openpyxl import load_workbook

    raw = _read_bytes(folder, path, path.name, problems)
    if raw is None:
        return None
    if zip_too_large(io.BytesIO(raw)):
        problems.append(Problem(path.name, "filen packas upp till mer än "
                                           f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB; vbgen "
                                           "läser den inte"))
        return None
    try:
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        problems.append(
            Problem(path.name, f"kan inte öppnas som Excelfil ({exc.__class__.__name__})"))
        return None


def _sheet_rows(wb: Any, path: Path, problems: list[Problem], sheet: str | None = None
                ) -> Iterator[Any] | None:
    """The rows of the sheet ``sheet`` or the first; an empty sheet is a problem."""
    if sheet is not None and sheet not in wb.sheetnames:
        problems.append(Problem(path.name, f'bladet "{sheet}" finns inte; bladen heter '
                                + ", ".join(f'"{n}"' for n in wb.sheetnames)))
        return None
    rows = (wb[sheet] if sheet is not None else wb.worksheets[0]).iter_rows()
    header = next(rows, None)
    if header is not None and any(c.value is not None for c in header):
        return itertools.chain([header], rows)
    if sheet is not None:
        problems.append(Problem(path.name, "bladet är tomt; första raden ska vara kolumnnamnen"))
        return None
    others = [ws.title for ws in wb.worksheets[1:]
              if any(v is not None for row in itertools.islice(ws.iter_rows(values_only=True),
                                                                50) for v in row)]
    if others:
        problems.append(Problem(path.name, f'första bladet ("{wb.worksheets[0].title}") är '
                                           f'tomt men bladet "{others[0]}" har data; vbgen '
                                           "läser bara det första bladet, så flytta det först"))
    else:
        problems.append(Problem(path.name, "bladet är tomt; första raden ska vara kolumnnamnen"))
    return None


def _read_xlsx(folder: Path, path: Path, problems: list[Problem], sheet: str | None = None
               ) -> Iterator[tuple[int, dict[str, str]]]:
    wb = _open_workbook(folder, path, problems)
    if wb is None:
        return
    try:
        rows = _sheet_rows(wb, path, problems, sheet)
        if rows is None:
            return
        header = [c.value for c in next(rows)]
        names = [_norm_header(clean(str(h))) if h is not None else "" for h in header]
        for line, row in enumerate(rows, start=2):
            cells = [_cell_text(c) for c in row]
            if not any(c.strip() for c in cells):
                continue
            # A number cell keeps its kind: it is read as the number Excel stored.
            yield line, {n: (_strip(cells[i]) if i < len(cells) else "")
                         for i, n in enumerate(names) if n}
    finally:
        wb.close()


def _percent_format(number_format: str) -> bool:
    # A % inside quotes or after a backslash is shown as text, not a scaling of the value.
    bare = re.sub(r'"[^"]*"|\\.', "", number_format or "")
    return "%" in bare


def _strip(text: str) -> str:
    return text if isinstance(text, NumberText) else text.strip()


def _cell_text(cell: Any) -> str:
    """A cell as the sheet shows it: a percent cell (0,066 shown as 6,6 %) as 6.6, a date
    cell as ÅÅÅÅ-MM-DD."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else \
            value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float):
        if _percent_format(getattr(cell, "number_format", "")):
            return NumberText(value * 100)
        return NumberText(value)
    return clean(str(value))


def read_any(folder: Path, path: Path, problems: list[Problem], sheet: str | None = None
              ) -> list[tuple[int, dict[str, str]]]:
    with warnings.catch_warnings():
        # openpyxl warns about what it cannot read (a date beyond year 9999, an unknown
        # style); such a cell comes through as an error value, which the checks then name.
        warnings.simplefilter("ignore")
        if path.suffix.lower() == ".xlsx":
            return list(_read_xlsx(folder, path, problems, sheet))
        return list(_read_csv(folder, path, problems))


def read_rows(folder: Path, stem: str, problems: list[Problem],
          required: bool = False) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    path = _find_table(folder, stem, problems)
    if path is None:
        if required:
            problems.append(Problem(str(folder), f"tabellen {stem}.csv (eller {stem}.xlsx) saknas"))
        return stem + ".csv", []
    return path.name, read_any(folder, path, problems)


def number_message(exc: NumberError, raw: str, declared: bool = False) -> str:
    """What a cell that is no number says: a number out of range and a number with the other
    decimal mark as such (with the table declaration's remedy when there is one), anything
    else as "förväntade ett tal"."""
    if exc.kind == "gräns":
        return f'{exc}, fick "{raw}"'
    if exc.kind == "tecken":
        return str(exc) + ("; skriver filen decimaler med punkt, ange decimaltecken: punkt "
                           "för den i vb.yaml" if declared and "punkt, men" in str(exc) else "")
    return f'förväntade ett tal, fick "{raw}"'


def _fold(name: str) -> str:
    return name.translate(str.maketrans("åäöé", "aaoe")).replace(" ", "")


def _distance(a: str, b: str) -> int:
    """The edit distance (Levenshtein) between ``a`` and ``b``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def misspelt_columns(file: str, header: list[str], known: set[str]) -> list[Problem]:
    """A column that vbgen does not know but that is close to one it does, such as
    "utfall foregaende ar" for "utfall föregående år": without this, its values would
    silently be missing from the report."""
    problems = []
    for name in header:
        if not name or name in known:
            continue
        close = [k for k in known if not k.isdigit() and len(k) >= 4 and (
            _fold(k) == _fold(name) or _distance(_fold(k), _fold(name)) <= 2)]
        if close:
            problems.append(Problem(file, f'okänd kolumn; menar du "{close[0]}"? Rätta '
                                          "kolumnnamnet i rubrikraden (se docs/dataformat.md)",
                                    1, name, "kolumn"))
    return problems


def written_header(folder: Path, path: Path, problems: list[Problem],
                    sheet: str | None = None) -> list[str] | None:
    """The column names on the first line of a table file (or sheet), as written."""
    if path.suffix.lower() == ".xlsx":
        wb = _open_workbook(folder, path, problems)
        if wb is None:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows = _sheet_rows(wb, path, problems, sheet)
                if rows is None:
                    return None
                return [clean(str(c.value)).strip() for c in next(rows) if c.value is not None]
        finally:
            wb.close()
    text = _csv_text(folder, path, problems) or ""
    first = text.split("\n", 1)[0]
    return [clean(h).strip()
            for h in next(csv.reader(io.StringIO(first), delimiter=_delimiter(first)), [])]


def read_file_with_header(folder: Path, path: Path, problems: list[Problem]
                           ) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """Read a chart table keeping the column names as written and the column order."""
    rows = read_any(folder, path, problems)
    if not rows:
        problems.append(Problem(path.name, "filen har inga rader med värden", 2))
        return None
    # read_any lower-cases names for lookup; charts show them, so read the header again.
    header = written_header(folder, path, problems)
    if header is None:
        return None
    out = [(line, [cells.get(_norm_header(h), "") for h in header]) for line, cells in rows]
    return header, out
