"""Read a data folder into a :class:`~vbgen.model.Report`, collecting every problem.

Files go in, typed objects come out; nothing is written. All problems are gathered and
raised together as one :class:`~vbgen.errors.DataError`, each naming file, line and field.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import math
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import fmt
from .charts import KINDS, KINDS_LISTED, Chart, Series
from .derive import (
    check_table_totals,
    check_totals,
    derive_table,
    result_against_budget,
    result_row,
)
from .errors import DataError, Problem, environment_problem
from .fmt import parse_number
from .model import (
    CHART_MARK,
    MAIN_FILE,
    TABLE_MARK,
    BidragRad,
    DriftHistorikRad,
    DriftRad,
    Goal,
    Granskning,
    IndexRad,
    Indicator,
    InvesteringRad,
    LovRad,
    Meta,
    RamavtalRad,
    Report,
    ResultatRad,
    Risk,
    SatsningRad,
    Section,
    SjukfranvaroRad,
    Source,
    Uppdrag,
    VolymRad,
)
from .names import PROFILE_FILE
from .paths import MAX_INPUT_BYTES, MAX_UNPACKED_BYTES, inside, within, zip_too_large
from .tables import NOTE_MARK, RANK, DataTable, read_table, table_path

TABLE_SUFFIXES = (".csv", ".xlsx")
RESULTAT_TYPER = ("intäkt", "kostnad", "summa kostnader", "resultat")

Path_ = tuple[str | int, ...]


# --- YAML with line numbers -------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every value by its path.

    Aliases (``*namn``) are refused: a few lines of them can expand to gigabytes, and a
    report's main file has no need of them.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, f"hänvisningen *{event.anchor} (ett YAML-alias) används inte i "
                f"{MAIN_FILE}; skriv ut värdet där det behövs", event.start_mark)
        return super().compose_node(parent, index)


#: PyYAML's messages, as a Swedish reader gets them.
_YAML_MESSAGES = (
    ("mapping values are not allowed", "ett kolon på fel ställe; sätt texten inom "
                                       "citattecken om den innehåller \": \""),
    ("could not find expected ':'", "förväntade namn: värde"),
    ("cannot start any token", "tecknet kan inte inleda ett värde (tabbtecken för indrag? "
                               "använd mellanslag)"),
    ("expected <block end>", "indraget stämmer inte med raderna ovanför"),
    ("did not find expected key", "indraget stämmer inte; förväntade ett fält (namn: värde)"),
    ("did not find expected '-'", "förväntade en rad som börjar med -"),
    ("did not find expected node content", "ett värde saknas"),
    ("unexpected end of stream", "filen tar slut mitt i ett värde (ett citattecken som "
                                 "inte stängs?)"),
    ("found unknown escape character", "okänd kombination med \\ inom dubbla citattecken"),
    ("special characters are not allowed", "filen innehåller ett otillåtet styrtecken"),
    ("found undefined alias", "en hänvisning (*namn) som inte finns"),
    ("expected a single document", "filen ska innehålla ett enda dokument (ta bort ---)"),
    ("expected ',' or ']'", "en lista inom [ ] stängs inte"),
    ("expected ',' or '}'", "en grupp inom { } stängs inte"),
    ("found duplicate anchor", "samma ankare (&namn) står flera gånger"),
)


def _yaml_message(problem: str | None) -> str:
    text = problem or ""
    if any(ch in text for ch in "åäö") or text.startswith(("hänvisningen", '"')):
        return text  # already ours
    for english, swedish in _YAML_MESSAGES:
        if english in text:
            return swedish
    return "syntaxfel"


def _clean(text: str) -> str:
    """Text from a file as vbgen can typeset it.

    A vertical tab is Word's manual line break (Shift+Enter) and a form feed a page break:
    both become a new line. Other control characters cannot be shown and are dropped.
    """
    return _CONTROL.sub("", text.replace("\v", "\n").replace("\f", "\n"))


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def _load_yaml(text: str) -> tuple[Any, dict[Path_, int], list[tuple[str, int, int]]]:
    """The data of the main file, the line of every value, and every key given twice."""
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    twice: list[tuple[str, int, int]] = []

    def walk(n: yaml.Node | None, path: Path_) -> Any:
        if n is None:
            return None
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            out = {}
            for k, v in n.value:
                key = loader.construct_object(k, deep=True)
                if isinstance(key, list | dict):
                    raise yaml.MarkedYAMLError(None, None, "ett fältnamn ska vara en text",
                                               k.start_mark)
                if key in out:
                    twice.append((_dotted((*path, key)), lines[(*path, key)],
                                  k.start_mark.line + 1))
                lines[(*path, key)] = k.start_mark.line + 1
                out[key] = walk(v, (*path, key))
                lines[(*path, key)] = k.start_mark.line + 1
            return out
        if isinstance(n, yaml.SequenceNode):
            return [walk(v, (*path, i)) for i, v in enumerate(n.value)]
        try:
            value = loader.construct_object(n, deep=True)
        except ValueError:
            # A value that looks like a date but is none, e.g. 2025-02-30.
            raise yaml.constructor.ConstructorError(
                None, None, f'"{n.value}" är inte ett giltigt datum', n.start_mark) from None
        return _clean(value) if isinstance(value, str) else value

    return walk(node, ()), lines, twice


def _numbers_out_of_range(data: Any, path: Path_ = ()) -> Iterator[Path_]:
    """The places in the main file's data where a number is not finite or too large."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _numbers_out_of_range(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _numbers_out_of_range(v, (*path, i))
    elif isinstance(data, int | float) and not isinstance(data, bool):
        if isinstance(data, int) and abs(data) > fmt.NUMBER_LIMIT:
            yield path
        elif isinstance(data, float) and not fmt.in_range(data):
            yield path


def _line_for(lines: dict[Path_, int], path: Path_) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- Messages -----------------------------------------------------------------------------

_PYDANTIC_MESSAGES = {
    "missing": "saknas men krävs",
    "int_parsing": "förväntade ett heltal",
    "int_type": "förväntade ett heltal",
    "int_from_float": "förväntade ett heltal",
    "float_parsing": "förväntade ett tal",
    "float_type": "förväntade ett tal",
    "string_type": "förväntade en text",
    "list_type": "förväntade en lista (rader som börjar med -)",
    "dict_type": "förväntade en grupp av fält (namn: värde)",
    "model_type": "förväntade en grupp av fält (namn: värde)",
    "model_attributes_type": "förväntade en grupp av fält (namn: värde)",
    "extra_forbidden": "okänt fält; kontrollera stavningen mot docs/dataformat.md",
    "too_short": "får inte vara tom",
    "bool_parsing": "förväntade ja eller nej",
    "date_type": "förväntade ett datum som ÅÅÅÅ-MM-DD",
    "date_parsing": "förväntade ett datum som ÅÅÅÅ-MM-DD",
    "date_from_datetime_parsing": "förväntade ett datum som ÅÅÅÅ-MM-DD",
    "string_pattern_mismatch": "har tecken som inte är tillåtna här (se docs/dataformat.md)",
    "greater_than_equal": "är för litet (se docs/dataformat.md)",
    "less_than_equal": "är för stort (se docs/dataformat.md)",
    "too_long": "har för många värden (se docs/dataformat.md)",
}


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    if kind == "value_error":
        return str(err["ctx"]["error"])
    text = _PYDANTIC_MESSAGES.get(kind, err["msg"])
    if kind not in ("missing", "extra_forbidden") and "input" in err:
        value = err["input"]
        if isinstance(value, str | int | float):
            text += f', fick "{value}"'
    return text


# --- Reading files -------------------------------------------------------------------------

OUTSIDE = ("ligger utanför datamappen (en sökväg med .. eller /, eller en länk till en annan "
           "mapp); vbgen läser bara filer inuti datamappen")


def _read_bytes(folder: Path, path: Path, shown: str, problems: list[Problem]) -> bytes | None:
    """The bytes of ``path``, which must lie inside ``folder`` and be of a sane size.

    A problem with the data is recorded; a file the system will not let vbgen read is an
    :class:`EnvironmentProblem`, since no change to the data fixes it.
    """
    if not inside(folder, path):
        problems.append(Problem(shown, f"filen {OUTSIDE}"))
        return None
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            problems.append(Problem(shown, f"filen är för stor ({size // 1024 // 1024} MB; "
                                           f"högst {MAX_INPUT_BYTES // 1024 // 1024} MB)"))
            return None
        return path.read_bytes()
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
    return None if text is None else _clean(text)


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


# --- Prose from files --------------------------------------------------------------------


def _text_sources(data: Any, path: Path_) -> dict[str, str]:
    """The file of every ``{fil: x.md}`` text, by its place in the main file."""
    if isinstance(data, dict):
        if set(data) == {"fil"}:
            return {_dotted(path): str(data["fil"])}
        return {k: v for key, value in data.items()
                for k, v in _text_sources(value, (*path, key)).items()}
    if isinstance(data, list):
        return {k: v for i, value in enumerate(data)
                for k, v in _text_sources(value, (*path, i)).items()}
    return {}


def _resolve_texts(
    data: Any, path: Path_, folder: Path, file: str, lines: dict[Path_, int],
    problems: list[Problem],
) -> Any:
    """Replace every ``{fil: x.md}`` with the text of that file."""
    if isinstance(data, dict):
        if set(data) == {"fil"}:
            rel = str(data["fil"])
            target = within(folder, rel)
            if target is None:
                problems.append(Problem(file, f'filen "{rel}" {OUTSIDE}',
                                        _line_for(lines, path), _dotted(path)))
                return None
            if not target.is_file():
                problems.append(Problem(file, f'filen "{rel}" finns inte i mappen',
                                        _line_for(lines, path), _dotted(path)))
                return None
            return read_prose(folder, target, rel, problems)
        return {k: _resolve_texts(v, (*path, k), folder, file, lines, problems)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_resolve_texts(v, (*path, i), folder, file, lines, problems)
                for i, v in enumerate(data)]
    return data


def _read_yaml_file(path: Path, name: str, problems: list[Problem]
                    ) -> tuple[dict[str, Any] | None, dict[Path_, int]]:
    """A YAML file of fields, with the line of every value; problems name ``name``."""
    text = read_text(path.parent, path, name, problems)
    if text is None:
        return None, {}
    try:
        data, lines, twice = _load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problems.append(Problem(name, f"kan inte läsas som YAML ({_yaml_message(exc.problem)})",
                                line))
        return None, {}
    except yaml.YAMLError:
        problems.append(Problem(name, "kan inte läsas som YAML (syntaxfel)"))
        return None, {}
    except RecursionError:
        problems.append(Problem(name, "kan inte läsas som YAML (för många nivåer inuti "
                                      "varandra)"))
        return None, {}
    for where, first, second in twice:
        problems.append(Problem(name, f"fältet står två gånger (rad {first} och rad {second}); "
                                      "ta bort det ena", second, where))
    if not isinstance(data, dict):
        problems.append(Problem(name, "förväntade fält som namn: värde", 1))
        return None, {}
    for loc in _numbers_out_of_range(data):
        problems.append(Problem(name, fmt.OUT_OF_RANGE, _line_for(lines, loc), _dotted(loc)))
    if twice:
        return None, lines
    return data, lines


#: Fields of the old form of the main file, and what replaced them.
_OLD_FIELDS = {
    "malomraden": "målträdet skrivs nu som mal: med nivåernas namn i malnivaer: (till exempel "
                  "[Målområde, Kommunfullmäktigemål, Nämndmål]); varje mål har namn, id och "
                  "under: för målen på nivån under, i stället för kf_mal: och namndmal:. "
                  "Se docs/dataformat.md",
}


def _profile(folder: Path, data: dict[str, Any], lines: dict[Path_, int],
             problems: list[Problem]) -> tuple[dict[str, Any], str, dict[Path_, int]]:
    """The kommun profile's fields, the name its problems are reported under, its lines."""
    rel = data.get("profil")
    if rel is None:
        return {}, "", {}
    where: Path_ = ("profil",)
    target = folder / str(rel)
    if not (target / PROFILE_FILE).is_file():
        problems.append(Problem(MAIN_FILE, f'kommunprofilen "{rel}" finns inte: mappen ska ha '
                                           f"filen {PROFILE_FILE}", _line_for(lines, where),
                                "profil"))
        return {}, "", {}
    name = f"{rel}/{PROFILE_FILE}"
    own, own_lines = _read_yaml_file(target / PROFILE_FILE, name, problems)
    if own is None:
        return {}, name, {}
    own = _resolve_texts(own, (), target, name, own_lines, problems)
    if "profil" in own:
        problems.append(Problem(name, "en kommunprofil kan inte peka på en annan profil",
                                _line_for(own_lines, ("profil",)), "profil"))
        own.pop("profil")
    return own, name, own_lines


def _kommun_texts(data: Any, texts: dict[str, Any], path: Path_, file: str,
                  lines: dict[Path_, int], problems: list[Problem],
                  shared: set[str] | None = None) -> Any:
    """Replace every ``{kommun: name}`` with the shared text of that name.

    The place of each replaced text is added to ``shared``.
    """
    if isinstance(data, dict):
        if set(data) == {"kommun"} and path and path[-1] != "kommun":
            if shared is not None:
                shared.add(_dotted(path))
            name = str(data["kommun"])
            if name not in texts:
                known = ", ".join(sorted(texts)) or "inga"
                problems.append(Problem(file, f'texten "{name}" finns inte under texter '
                                        f"(i vb.yaml eller kommunprofilen); kända: {known}",
                                        _line_for(lines, path), _dotted(path)))
                return None
            return texts[name]
        return {k: _kommun_texts(v, texts, (*path, k), file, lines, problems, shared)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_kommun_texts(v, texts, (*path, i), file, lines, problems, shared)
                for i, v in enumerate(data)]
    return data


def _load_meta(folder: Path, problems: list[Problem]) -> tuple[Meta | None, dict[Path_, int]]:
    main = folder / MAIN_FILE
    if not main.is_file():
        problems.append(Problem(str(folder), f"huvudfilen {MAIN_FILE} saknas i mappen"))
        return None, {}
    data, lines = _read_yaml_file(main, MAIN_FILE, problems)
    if data is None:
        return None, {}
    for old, advice in _OLD_FIELDS.items():
        if old in data:
            problems.append(Problem(MAIN_FILE, f"fältet hör till den gamla formen: {advice}",
                                    _line_for(lines, (old,)), old))
    if any(old in data for old in _OLD_FIELDS):
        return None, lines
    sources = _text_sources(data, ())
    data = _resolve_texts(data, (), folder, MAIN_FILE, lines, problems)
    shared, profile_name, profile_lines = _profile(folder, data, lines, problems)
    from_profile = {k for k in shared if k not in data}
    texts = {**(shared.get("texter") or {}), **(data.get("texter") or {})}
    shared = _kommun_texts(shared, texts, (), profile_name, profile_lines, problems)
    kommun_places: set[str] = set()
    data = _kommun_texts(data, texts, (), MAIN_FILE, lines, problems, kommun_places)
    data = {**shared, **data, "texter": texts}
    try:
        meta = Meta.model_validate(data)
        meta.textkallor = sources
        meta.gemensamma_texter = {*from_profile, *kommun_places}
        return meta, lines
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if loc and loc[0] in from_profile:
                problems.append(Problem(profile_name, _message(err),
                                        _line_for(profile_lines, loc), _dotted(loc)))
            else:
                problems.append(Problem(MAIN_FILE, _message(err), _line_for(lines, loc),
                                        _dotted(loc)))
        return None, lines


# --- Tables -------------------------------------------------------------------------------


def _norm_header(name: str) -> str:
    return " ".join(str(name).replace("_", " ").split()).lower()


def _find_table(folder: Path, stem: str, problems: list[Problem]) -> Path | None:
    found = [folder / (stem + s) for s in TABLE_SUFFIXES if (folder / (stem + s)).is_file()]
    if len(found) > 1:
        problems.append(Problem(found[0].name, f"både {stem}.csv och {stem}.xlsx finns; "
                                "ta bort den ena"))
        return None
    return found[0] if found else None


def _decode(raw: bytes) -> str:
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
    names = [_norm_header(_clean(h)) for h in header]
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
        yield line, {n: (_clean(cells[i]).strip() if i < len(cells) else "")
                     for i, n in enumerate(names)}


def _open_workbook(folder: Path, path: Path, problems: list[Problem]) -> Any | None:
    from openpyxl import load_workbook

    if _read_bytes(folder, path, path.name, problems) is None:
        return None
    if zip_too_large(path):
        problems.append(Problem(path.name, "filen packas upp till mer än "
                                           f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB; vbgen "
                                           "läser den inte"))
        return None
    try:
        return load_workbook(path, read_only=True, data_only=True)
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
        names = [_norm_header(_clean(str(h))) if h is not None else "" for h in header]
        for line, row in enumerate(rows, start=2):
            cells = [_cell_text(c) for c in row]
            if not any(c.strip() for c in cells):
                continue
            yield line, {n: (cells[i].strip() if i < len(cells) else "")
                         for i, n in enumerate(names) if n}
    finally:
        wb.close()


def _number_text(value: float) -> str:
    # Rounded to ten decimals: 0,066 shown as a percent is 6,6, not 6,6000000000000005.
    value = round(float(value), 10)
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _percent_format(number_format: str) -> bool:
    # A % inside quotes or after a backslash is shown as text, not a scaling of the value.
    bare = re.sub(r'"[^"]*"|\\.', "", number_format or "")
    return "%" in bare


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
        if not math.isfinite(value):
            return str(value)
        if _percent_format(getattr(cell, "number_format", "")):
            return _number_text(value * 100)
        return _number_text(float(value)) if isinstance(value, float) else str(value)
    return _clean(str(value))


def _read_any(folder: Path, path: Path, problems: list[Problem], sheet: str | None = None
              ) -> list[tuple[int, dict[str, str]]]:
    with warnings.catch_warnings():
        # openpyxl warns about what it cannot read (a date beyond year 9999, an unknown
        # style); such a cell comes through as an error value, which the checks then name.
        warnings.simplefilter("ignore")
        if path.suffix.lower() == ".xlsx":
            return list(_read_xlsx(folder, path, problems, sheet))
        return list(_read_csv(folder, path, problems))


def _rows(folder: Path, stem: str, problems: list[Problem],
          required: bool = False) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    path = _find_table(folder, stem, problems)
    if path is None:
        if required:
            problems.append(Problem(str(folder), f"tabellen {stem}.csv (eller {stem}.xlsx) saknas"))
        return stem + ".csv", []
    return path.name, _read_any(folder, path, problems)


# --- Cell values --------------------------------------------------------------------------

class _Row:
    """Typed access to one table row, recording problems instead of raising."""

    def __init__(self, file: str, line: int, cells: dict[str, str], problems: list[Problem],
                 columns: set[str] | None = None):
        self.file, self.line, self.cells, self.problems = file, line, cells, problems
        self.ok = True
        #: Every column the row builder asked for, known or not.
        self.columns = columns if columns is not None else set()

    @property
    def source(self) -> Source:
        return Source(self.file, self.line)

    def _fail(self, column: str, message: str) -> None:
        self.ok = False
        self.problems.append(Problem(self.file, message, self.line, column, "kolumn"))

    def text(self, column: str, required: bool = False) -> str:
        self.columns.add(column)
        value = self.cells.get(column, "")
        if required and not value:
            if column not in self.cells:
                self._fail(column, "kolumnen saknas i rubrikraden")
            else:
                self._fail(column, "värde saknas men krävs")
        return value

    def number(self, column: str, required: bool = False) -> float | None:
        raw = self.text(column, required)
        if not raw:
            return None
        try:
            value = parse_number(raw)
        except ValueError as exc:
            self._fail(column, _number_message(exc, raw))
            return None
        if value is None and required:
            self._fail(column, "värde saknas men krävs")
        return value

    def integer(self, column: str, low: int, high: int) -> int | None:
        value = self.number(column)
        if value is None:
            return None
        if not value.is_integer() or not low <= value <= high:
            self._fail(column, f"förväntade ett heltal {low}–{high}, fick "
                               f'"{self.cells.get(column, "")}"')
            return None
        return int(value)

    def choice(self, column: str, allowed: list[str] | tuple[str, ...]) -> str:
        value = self.text(column, required=True)
        if value and value not in allowed:
            # Accept a different case, as typed by hand.
            match = next((a for a in allowed if a.lower() == value.lower()), None)
            if match is None:
                options = ", ".join(f'"{a}"' for a in allowed)
                self._fail(column, f'okänt värde "{value}"; tillåtna värden: {options}')
                return value
            return match
        return value


def _number_message(exc: ValueError, raw: str) -> str:
    if str(exc) == fmt.OUT_OF_RANGE:
        return f'{exc}, fick "{raw}"'
    return f'förväntade ett tal, fick "{raw}"'


def _table(folder: Path, spec: TableSpec, ctx: Context, problems: list[Problem]) -> list[Any]:
    file, rows = _rows(folder, spec.stem, problems, spec.required)
    out = []
    columns: set[str] = set()
    for line, cells in rows:
        row = _Row(file, line, cells, problems, columns)
        item = spec.build(row, ctx)
        if item is not None and row.ok:
            out.append(item)
    if rows:
        problems.extend(_misspelt_columns(file, list(rows[0][1]), columns))
    return out


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


def _misspelt_columns(file: str, header: list[str], known: set[str]) -> list[Problem]:
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


# --- The whole folder ----------------------------------------------------------------------


# --- Row builders: one per table -------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What row builders need from the main file."""

    years: list[int]
    statuses: list[str]


_YEAR = re.compile(r"^\d{4}$")
_COMPARATOR = re.compile(r"^(≥|>=|≤|<=|>|<)\s*(.+)$")
_WORDS = re.compile(r"[A-Za-zÅÄÖåäöÉé]")


def _goal_column(r: _Row) -> str:
    """The column naming a row's goal: ``mål``, or ``nämndmål`` as many nämnder write it."""
    return "mål" if "mål" in r.cells or "nämndmål" not in r.cells else "nämndmål"


def _target(r: _Row, column: str) -> tuple[float | str | None, str]:
    """An etappmål or målvärde: a number, a number after ≥ or ≤, or a text."""
    raw = r.text(column)
    if not raw:
        return None, ""
    m = _COMPARATOR.match(raw)
    sign, rest = (m.group(1).replace(">=", "≥").replace("<=", "≤"), m.group(2)) if m else ("", raw)
    try:
        return parse_number(rest), sign
    except ValueError:
        if _WORDS.search(rest):
            return raw, ""
        r._fail(column, f'förväntade ett tal (gärna efter ≥ eller ≤) eller en text, fick "{raw}"')
        return None, ""


def _indicator_value(r: _Row, column: str) -> float | str | None:
    """A year's value: a number, or a rank among others such as ``19/26``."""
    m = RANK.match(r.text(column))
    if m:
        return f"{m.group(1)}/{m.group(2)}"
    return r.number(column)


def _indicator(r: _Row, ctx: Context) -> Indicator:
    years = sorted(int(k) for k in r.cells if _YEAR.match(k))
    if ctx.years and str(ctx.years[-1]) not in r.cells:
        r._fail(str(ctx.years[-1]), "kolumnen saknas i rubrikraden")
    values = {y: _indicator_value(r, str(y)) for y in years}
    riktning = r.text("riktning").lower() or "hög"
    if riktning not in ("hög", "låg"):
        r._fail("riktning", f'okänt värde "{riktning}"; tillåtna värden: "hög", "låg"')
    kon = r.text("kön").upper()
    if kon not in ("", "K", "M", "T"):
        r._fail("kön", f'okänt värde "{kon}"; tillåtna värden: "K", "M", "T" eller tomt')
    etappmal, sign = _target(r, "etappmål")
    malvarde, malvarde_sign = _target(r, "målvärde")
    column = _goal_column(r)
    return Indicator(
        mal=r.text(column, True), mal_kolumn=column, namn=r.text("indikator", True),
        not_=r.text("not"), values=values,
        etappmal=etappmal, jamforelse=sign, malvarde=malvarde,
        malvarde_jamforelse=malvarde_sign, hog_ar_bra=riktning != "låg",
        kalla=r.text("källa"), kolada_id=r.text("kolada id"), kon=kon, source=r.source)


def _uppdrag(r: _Row, ctx: Context) -> Uppdrag:
    column = _goal_column(r)
    return Uppdrag(mal=r.text(column, True), mal_kolumn=column,
                   status=r.choice("status", ctx.statuses),
                   ursprung=r.text("ursprung"), text=r.text("uppdrag", True),
                   kommentar=r.text("kommentar"), source=r.source)


def _resultat(r: _Row, ctx: Context) -> ResultatRad | None:
    budget, utfall = r.number("budget", True), r.number("utfall", True)
    typ = r.choice("typ", RESULTAT_TYPER)
    if budget is None or utfall is None:
        return None
    return ResultatRad(post=r.text("post", True), typ=typ, budget=budget, utfall=utfall,
                       foregaende=r.number("utfall föregående år"),
                       kommentar=r.text("kommentar"), source=r.source)


def _drift(r: _Row, ctx: Context) -> DriftRad | None:
    budget, utfall = r.number("budget", True), r.number("utfall", True)
    typ = r.text("typ").lower()
    if typ not in ("", "summa"):
        r._fail("typ", f'okänt värde "{typ}"; lämna tomt eller skriv "summa"')
    if budget is None or utfall is None:
        return None
    return DriftRad(verksamhet=r.text("verksamhet", True), summa=typ == "summa",
                    budget=budget, utfall=utfall,
                    foregaende=r.number("utfall föregående år"), source=r.source)


def _risk(r: _Row, ctx: Context) -> Risk:
    return Risk(process=r.text("process", True), risk=r.text("risk", True),
                sannolikhet=r.integer("sannolikhet", 1, 4),
                konsekvens=r.integer("konsekvens", 1, 4), atgard=r.text("åtgärd", True),
                status=r.choice("status", ctx.statuses), kommentar=r.text("kommentar"),
                source=r.source)


# --- Ekonomi ---

def _summa_typ(r: _Row) -> bool:
    """The optional ``typ`` column of a table with a total row: empty or ``summa``."""
    typ = r.text("typ").lower()
    if typ not in ("", "summa"):
        r._fail("typ", f'okänt värde "{typ}"; lämna tomt eller skriv "summa"')
    return typ == "summa"


def _number_with_mark(r: _Row, column: str, marks: dict[str, str], key: str) -> float | None:
    """A number that may end with a mark such as ``*`` or ``**`` (``2 174 *``)."""
    raw = r.text(column)
    m = NOTE_MARK.match(raw)
    if m:
        marks[key] = m.group(2)
        raw = m.group(1)
    try:
        return parse_number(raw)
    except ValueError as exc:
        r._fail(column, _number_message(exc, raw) if str(exc) == fmt.OUT_OF_RANGE else
                f'förväntade ett tal, eventuellt följt av * eller **, fick '
                                    f'"{r.cells.get(column, "")}"')
        return None


def _drift_historik(r: _Row, ctx: Context) -> DriftHistorikRad:
    first = str(ctx.years[0])
    if first not in r.cells:
        r._fail(first, "kolumnen saknas i rubrikraden")
    return DriftHistorikRad(verksamhet=r.text("verksamhet", True),
                            values={y: r.number(str(y)) for y in ctx.years if str(y) in r.cells},
                            source=r.source)


def _satsning(r: _Row, ctx: Context) -> SatsningRad:
    return SatsningRad(satsning=r.text("satsning", True), budget=r.number("budget"),
                       utfall=r.number("utfall"), source=r.source)


def _bidrag(r: _Row, ctx: Context) -> BidragRad:
    marks: dict[str, str] = {}
    values = {key: _number_with_mark(r, column, marks, key)
              for key, column in (("ansokt", "ansökt"), ("erhallet", "erhållet"),
                                  ("budgeterat", "budgeterat"))}
    return BidragRad(bidrag=r.text("bidrag", True), summa=_summa_typ(r), **values, noter=marks,
                     namndmal=r.text("nämndmål"), rubrik=r.text("rubrik"),
                     beskrivning=r.text("beskrivning"), source=r.source)


def _investering(r: _Row, ctx: Context) -> InvesteringRad:
    return InvesteringRad(investering=r.text("investering", True), summa=_summa_typ(r),
                          budget=r.number("budget"), utfall=r.number("utfall"),
                          source=r.source)


def _volym(r: _Row, ctx: Context) -> VolymRad:
    return VolymRad(verksamhet=r.text("verksamhet", True), insats=r.text("insats", True),
                    antal=r.number("antal"), foregaende=r.number("antal föregående år"),
                    source=r.source)


@dataclass(frozen=True)
class TableSpec:
    """A table file of the data folder and the :class:`Report` field it fills."""

    stem: str
    field: str
    build: Callable[[_Row, Context], BaseModel | None]
    required: bool = False
    #: Rows are checked against the main file (years, statuses, goal ids).
    needs_meta: bool = True


# --- Row builders: personal, intern kontroll, uppföljning ----------------------------------


def _sjukfranvaro(r: _Row, ctx: Context) -> SjukfranvaroRad:
    return SjukfranvaroRad(grupp=r.text("grupp", True), totalt=r.number("totalt"),
                           totalt_foregaende=r.number("totalt föregående år"),
                           kort=r.number("kort"), kort_foregaende=r.number("kort föregående år"),
                           source=r.source)


def _index(r: _Row, ctx: Context) -> IndexRad:
    typ = r.text("typ").lower()
    if typ not in ("", "summa"):
        r._fail("typ", f'okänt värde "{typ}"; lämna tomt eller skriv "summa"')
    return IndexRad(index=r.text("index", True), namnden=r.number("nämnden"),
                    kommunen=r.number("kommunen"), summa=typ == "summa", source=r.source)


def _granskning(r: _Row, ctx: Context) -> Granskning:
    return Granskning(granskning=r.text("granskning", True), diarienummer=r.text("diarienummer"),
                      bakgrund=r.text("bakgrund"), atgard=r.text("åtgärd", True),
                      status=r.choice("status", ctx.statuses), kommentar=r.text("kommentar"),
                      source=r.source)


def _lov(r: _Row, ctx: Context) -> LovRad | None:
    utforare = r.integer("utförare", 0, 100_000) if r.text("utförare", True) else None
    egen = r.integer("varav egen regi", 0, 100_000)
    if utforare is not None and egen is not None and egen > utforare:
        r._fail("varav egen regi", f"{egen} utförare i egen regi är fler än alla utförare "
                                   f"({utforare})")
    if utforare is None:
        return None
    return LovRad(namn=r.text("valfrihetssystem", True), utforare=utforare, egen_regi=egen or 0,
                  kommentar=r.text("kommentar"), source=r.source)


def _ramavtal(r: _Row, ctx: Context) -> RamavtalRad:
    return RamavtalRad(ramavtal=r.text("ramavtal", True),
                       vid_arets_borjan=r.integer("vid årets början", 0, 100_000),
                       vid_arets_slut=r.integer("vid årets slut", 0, 100_000),
                       resultat=r.text("resultat"), source=r.source)


#: Every table vbgen reads. Adding a table: a row model, a builder, and a line here.
TABLES: list[TableSpec] = [
    TableSpec("indikatorer", "indikatorer", _indicator),
    TableSpec("uppdrag", "uppdrag", _uppdrag),
    TableSpec("resultatrakning", "resultatrakning", _resultat, needs_meta=False),
    TableSpec("drift", "drift", _drift, needs_meta=False),
    TableSpec("risker", "risker", _risk),
    TableSpec("sjukfranvaro", "sjukfranvaro", _sjukfranvaro, needs_meta=False),
    TableSpec("hme", "hme", _index, needs_meta=False),
    TableSpec("revision", "revision", _granskning),
    TableSpec("lov", "lov", _lov, needs_meta=False),
    TableSpec("ramavtal", "ramavtal", _ramavtal, needs_meta=False),
    TableSpec("drift_historik", "drift_historik", _drift_historik),
    TableSpec("satsningar", "satsningar", _satsning, needs_meta=False),
    TableSpec("extern_finansiering", "extern_finansiering", _bidrag, needs_meta=False),
    TableSpec("investeringar", "investeringar", _investering, needs_meta=False),
    TableSpec("externa_volymer", "externa_volymer", _volym, needs_meta=False),
]


# --- The whole folder ----------------------------------------------------------------------


def load(folder: str | Path) -> Report:
    """Read and check a data folder; raise :class:`DataError` listing every problem."""
    folder = Path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise DataError([Problem(str(folder), "mappen finns inte")])
    meta, lines = _load_meta(folder, problems)
    if meta is None:
        # Tables that depend on the main file cannot be checked; the others still are, so
        # that every problem is reported in one go.
        declared = _declared_files(folder / MAIN_FILE)
        for spec in TABLES:
            if not spec.needs_meta and declared is not None and spec.stem not in declared:
                _table(folder, spec, Context([], []), problems)
        raise DataError(problems)
    ctx = Context([meta.ar - 2, meta.ar - 1, meta.ar], meta.uppdragsstatus)

    # A file declared under tabeller is read by its declaration, not by a built-in form.
    declared = {Path(t.fil).with_suffix("").as_posix() for t in meta.tabeller}
    tables: dict[str, Any] = {
        spec.field: _table(folder, spec, ctx, problems) if spec.stem not in declared else []
        for spec in TABLES}
    indikatorer = tables.pop("indikatorer")
    uppdragen = tables.pop("uppdrag")
    report = Report(**dict(meta), **tables)
    report.diagramdata = _charts(folder, meta, lines, problems)
    report.tabelldata = _declared_tables(folder, report, lines, problems)
    _check_tree(report, lines, problems)
    _attach(report, indikatorer, uppdragen, problems)
    _check_kon(indikatorer, problems)
    _check_tjanstskrivelse(report, lines, problems)
    _check_personal(report, lines, problems)
    drift = _find_table(folder, "drift", [])
    _check_ekonomi(report, lines, problems, drift is not None and not any(
        p.file == drift.name for p in problems))
    _check_outline(report, lines, problems)

    # A table with unreadable rows would only add misleading sum errors.
    broken = {p.file for p in problems}
    problems.extend(p for p in check_totals(report) if p.file not in broken)
    for table in report.tabelldata.values():
        problems.extend(p for p in check_table_totals(table) if p.file not in broken)
    if problems:
        raise DataError(problems)
    return report


def _declared_files(main: Path) -> set[str] | None:
    """The table files a main file that could not be used declares, as far as can be seen.

    Such files may have any columns, so reading them as the built-in forms would only add
    misleading errors; None when the main file is unreadable and nothing can be told.
    """
    try:
        if main.stat().st_size > MAX_INPUT_BYTES:
            return None
        # The loader that refuses aliases: this file may be the one refused for them.
        data = _load_yaml(_decode(main.read_bytes()))[0]
    except (OSError, ValueError, yaml.YAMLError, RecursionError):
        # A date such as 2025-02-30 is a ValueError.
        return None
    tables = data.get("tabeller") if isinstance(data, dict) else None
    if not isinstance(tables, list):
        return set()
    return {Path(str(t.get("fil", ""))).with_suffix("").as_posix()
            for t in tables if isinstance(t, dict)}


def _declared_tables(folder: Path, report: Report, lines: dict[Path_, int],
                     problems: list[Problem]) -> dict[str, DataTable]:
    """Read every table declared under ``tabeller``."""
    out: dict[str, DataTable] = {}
    for i, decl in enumerate(report.tabeller):
        loc: Path_ = ("tabeller", i)
        if decl.id in out:
            where = (*loc, "id")
            problems.append(Problem(MAIN_FILE, f'id "{decl.id}" används av flera tabeller',
                                    _line_for(lines, where), _dotted(where)))
            continue
        path = table_path(folder, decl)
        if not inside(folder, path):
            where = (*loc, "fil")
            problems.append(Problem(MAIN_FILE, f'filen "{decl.fil}" {OUTSIDE}',
                                    _line_for(lines, where), _dotted(where)))
            continue
        if not path.is_file() or path.suffix.lower() not in TABLE_SUFFIXES:
            where = (*loc, "fil")
            what = ("finns inte i mappen" if not path.is_file()
                    else "ska vara en .csv- eller .xlsx-fil")
            problems.append(Problem(MAIN_FILE, f'filen "{decl.fil}" {what}',
                                    _line_for(lines, where), _dotted(where)))
            continue
        before = len(problems)
        rows = _read_any(folder, path, problems, decl.flik)
        # The file was read without problems, so reading its first line again adds none.
        header = (_written_header(folder, path, [], decl.flik) or []) if len(problems) == before \
            else []
        out[decl.id] = read_table(decl, decl.fil, header, rows, problems)
        _check_marks(out[decl.id], (*loc, "noter"), lines, problems)
        derive_table(out[decl.id])
    return out


#: The most categories a chart can show and still be read (a horizontal chart grows with
#: them); "" for every other kind.
MAX_CATEGORIES = {"liggande_stapel": 100, "": 1000}


def _charts(folder: Path, meta: Meta, lines: dict[Path_, int],
            problems: list[Problem]) -> dict[str, Chart]:
    """Read the figures of every declared chart."""
    charts: dict[str, Chart] = {}
    for i, d in enumerate(meta.diagram):
        loc: Path_ = ("diagram", i)
        if d.typ not in KINDS:
            where = (*loc, "typ")
            problems.append(Problem(MAIN_FILE, f'okänd diagramtyp "{d.typ}"; välj {KINDS_LISTED}',
                                    _line_for(lines, where), _dotted(where)))
            continue
        if d.id in charts:
            where = (*loc, "id")
            problems.append(Problem(MAIN_FILE, f'id "{d.id}" används av flera diagram',
                                    _line_for(lines, where), _dotted(where)))
            continue
        path = within(folder, d.fil)
        if path is None or not path.is_file():
            where = (*loc, "fil")
            problems.append(Problem(MAIN_FILE, f'filen "{d.fil}" ' + (
                OUTSIDE if path is None else "finns inte i mappen"),
                _line_for(lines, where), _dotted(where)))
            continue
        before = len(problems)
        raw = _read_file_with_header(folder, path, problems)
        if raw is None or len(problems) > before:
            continue
        header, rows = raw
        if len(header) < 2 or not rows:
            problems.append(Problem(d.fil, "förväntade en kategorikolumn, minst en serie och "
                                           "minst en rad", 1))
            continue
        limit = MAX_CATEGORIES.get(d.typ, MAX_CATEGORIES[""])
        if len(rows) > limit:
            problems.append(Problem(d.fil, f"diagrammet har {len(rows)} rader (kategorier); "
                                           f"ett diagram av typen {d.typ} kan visa högst "
                                           f"{limit}. Dela upp det eller visa siffrorna i en "
                                           "tabell"))
            continue
        categories: list[str] = []
        values: list[list[float | None]] = [[] for _ in header[1:]]
        for line, cells in rows:
            categories.append(cells[0])
            for j, name in enumerate(header[1:]):
                try:
                    values[j].append(parse_number(cells[j + 1]))
                except ValueError as exc:
                    problems.append(Problem(d.fil, _number_message(exc, cells[j + 1]),
                                            line, name, "kolumn"))
        charts[d.id] = Chart(
            id=d.id, typ=d.typ, titel=d.titel, kategorier=categories,
            serier=[Series(n, v) for n, v in zip(header[1:], values, strict=True)],
            kalla=d.kalla, enhet=d.enhet, kategorinamn=header[0], decimaler=d.decimaler,
            source_file=d.fil)
    return charts


def _written_header(folder: Path, path: Path, problems: list[Problem],
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
                return [_clean(str(c.value)).strip() for c in next(rows) if c.value is not None]
        finally:
            wb.close()
    text = _csv_text(folder, path, problems) or ""
    first = text.split("\n", 1)[0]
    return [_clean(h).strip()
            for h in next(csv.reader(io.StringIO(first), delimiter=_delimiter(first)), [])]


def _read_file_with_header(folder: Path, path: Path, problems: list[Problem]
                           ) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """Read a chart table keeping the column names as written and the column order."""
    rows = _read_any(folder, path, problems)
    if not rows:
        problems.append(Problem(path.name, "filen har inga rader med värden", 2))
        return None
    # _read_any lower-cases names for lookup; charts show them, so read the header again.
    header = _written_header(folder, path, problems)
    if header is None:
        return None
    out = [(line, [cells.get(_norm_header(h), "") for h in header]) for line, cells in rows]
    return header, out


def _attach(report: Report, indikatorer: list[Indicator], uppdragen: list[Uppdrag],
            problems: list[Problem]) -> None:
    by_id = {g.id: g for g in report.all_goals() if g.id}
    known = ", ".join(by_id) or "inga (ge målen id i vb.yaml)"
    items: list[Indicator | Uppdrag] = [*indikatorer, *uppdragen]
    for item in items:
        goal = by_id.get(item.mal)
        if goal is None:
            problems.append(Problem(item.source.file,
                                    f'okänt mål "{item.mal}"; kända id: {known}',
                                    item.source.row, item.mal_kolumn, "kolumn"))
        elif isinstance(item, Indicator):
            goal.indikatorer.append(item)
        else:
            goal.uppdrag.append(item)


def _check_kon(indikatorer: list[Indicator], problems: list[Problem]) -> None:
    """An indicator reported by kön has its rows K, M and T together, each once, and a T
    row: only the total counts towards the goal, so without it the indicator would vanish
    from the counts without a word."""
    groups: dict[tuple[str, str], list[tuple[int, Indicator]]] = {}
    for i, ind in enumerate(indikatorer):
        if ind.kon:
            groups.setdefault((ind.mal, ind.namn), []).append((i, ind))
    words = {"K": "kvinnor (K)", "M": "män (M)", "T": "totalt (T)"}
    for (_, name), rows in groups.items():
        seen: dict[str, Indicator] = {}
        for k, (i, ind) in enumerate(rows):
            if ind.kon in seen:
                first = seen[ind.kon].source.row
                problems.append(Problem(ind.source.file, f'indikatorn "{name}" har redan en rad '
                                        f"för {words[ind.kon]} (rad {first})", ind.source.row,
                                        "kön", "kolumn"))
            seen.setdefault(ind.kon, ind)
            if k + 1 < len(rows) and rows[k + 1][0] != i + 1:
                problems.append(Problem(ind.source.file, f'raderna för indikatorn "{name}" '
                                        "ska stå direkt efter varandra (K, M och T), men en "
                                        "annan rad står emellan", ind.source.row, "kön",
                                        "kolumn"))
        if "T" not in seen:
            last = rows[-1][1]
            problems.append(Problem(last.source.file, f'indikatorn "{name}" har rader per kön '
                                    "men ingen för totalt; lägg till en rad med kön T (bara "
                                    "den räknas i målets indikatorer)", last.source.row, "kön",
                                    "kolumn"))


def _check_tree(report: Report, lines: dict[Path_, int], problems: list[Problem]) -> None:
    """Number the goal levels and check ids, depth and assessments against the scale."""
    seen: set[str] = set()
    levels = [lv.text for lv in report.skala]
    names = [lv.namn for lv in report.malnivaer]
    if report.bedomningsniva is not None and report.bedomningsniva not in names:
        problems.append(Problem(
            MAIN_FILE, f'okänd nivå "{report.bedomningsniva}"; malnivaer har '
                       + ", ".join(f'"{n}"' for n in names),
            _line_for(lines, ("bedomningsniva",)), "bedomningsniva"))

    def visit(goal: Goal, niva: int, where: Path_) -> None:
        goal.niva = niva
        goal.plats = _dotted(where)
        if niva > len(names):
            problems.append(Problem(
                MAIN_FILE, f"målträdet har fler nivåer än malnivaer ({len(names)}: "
                           + ", ".join(names) + "); lägg till nivåns namn i malnivaer",
                _line_for(lines, where), _dotted(where)))
            return
        if goal.id:
            if goal.id in seen:
                loc = (*where, "id")
                problems.append(Problem(MAIN_FILE, f'id "{goal.id}" används av flera mål',
                                        _line_for(lines, loc), _dotted(loc)))
            seen.add(goal.id)
        if goal.maluppfyllelse is not None and goal.maluppfyllelse not in levels:
            options = ", ".join(f'"{t}"' for t in levels)
            loc = (*where, "maluppfyllelse")
            problems.append(Problem(
                MAIN_FILE, f'okänd nivå "{goal.maluppfyllelse}"; skalan har {options}',
                _line_for(lines, loc), _dotted(loc)))
        for k, child in enumerate(goal.under):
            visit(child, niva + 1, (*where, "under", k))

    for i, top in enumerate(report.mal):
        visit(top, 1, ("mal", i))


def _check_tjanstskrivelse(report: Report, lines: dict[Path_, int],
                           problems: list[Problem]) -> None:
    """Check the memo's overall assessment against the scale, its transfer against the result."""
    ts = report.tjanstskrivelse
    total = result_row(report)
    if ts is not None and ts.resultatoverforing.belopp is not None and total is not None:
        belopp, result = ts.resultatoverforing.belopp, result_against_budget(total)
        if belopp * result < 0 or abs(belopp) > abs(result):
            loc: Path_ = ("tjanstskrivelse", "resultatoverforing", "belopp")
            problems.append(Problem(
                MAIN_FILE, f"beloppet {fmt.number(belopp)} tkr går inte att föra över: årets "
                f"resultat mot budget är {fmt.number(result)} tkr (resultatrakning.csv), och "
                "beloppet ska ha samma tecken och vara högst så stort",
                _line_for(lines, loc), _dotted(loc)))
    levels = [lv.text for lv in report.skala]
    if ts is not None and ts.samlad_bedomning is not None and ts.samlad_bedomning not in levels:
        options = ", ".join(f'"{t}"' for t in levels)
        loc = ("tjanstskrivelse", "samlad_bedomning")
        problems.append(Problem(
            MAIN_FILE, f'okänd nivå "{ts.samlad_bedomning}"; skalan har {options}',
            _line_for(lines, loc), _dotted(loc)))


def _check_personal(report: Report, lines: dict[Path_, int], problems: list[Problem]) -> None:
    """The headcounts in ``personal`` must add up to the number of employees."""
    p = report.personal
    parts = (("tillsvidare", "visstid", "tillsvidare- och visstidsanställda"),
             ("kvinnor", "man", "kvinnor och män"))
    for first, second, what in parts:
        a, b = getattr(p, first), getattr(p, second)
        if a is None or b is None or p.anstallda is None or a + b == p.anstallda:
            continue
        loc: Path_ = ("personal", first)
        problems.append(Problem(MAIN_FILE, f"{what} blir tillsammans {a + b} "
                                f"({first} {a} + {second} {b}), men anstallda är "
                                f"{p.anstallda}", _line_for(lines, loc), _dotted(loc)))
    if p.heltid is not None and p.anstallda is not None and p.heltid > p.anstallda:
        loc = ("personal", "heltid")
        problems.append(Problem(MAIN_FILE, f"heltid ({p.heltid}) är fler än anstallda "
                                f"({p.anstallda})", _line_for(lines, loc), _dotted(loc)))


def _check_ekonomi(report: Report, lines: dict[Path_, int], problems: list[Problem],
                   drift_read: bool = True) -> None:
    """Cross-check the economy texts and tables against each other and the main file.

    Names are checked against drift.csv only when it was read whole (``drift_read``): a
    missing file is one problem, not one per name.
    """
    ek = report.ekonomi
    names = [d.verksamhet for d in report.drift if not d.summa]
    known = ", ".join(f'"{n}"' for n in names) or "inga"
    seen: set[str] = set()
    if not drift_read and not any(p.file.startswith("drift.") for p in problems) and (
            ek.verksamheter or report.drift_historik):
        problems.append(Problem("drift.csv", "tabellen drift.csv (eller drift.xlsx) saknas i "
                                "mappen; ekonomi.verksamheter i vb.yaml och drift_historik.csv "
                                "nämner verksamheterna i den"))
    for i, v in enumerate(ek.verksamheter if drift_read else []):
        loc: Path_ = ("ekonomi", "verksamheter", i, "verksamhet")
        if v.verksamhet not in names:
            problems.append(Problem(MAIN_FILE, f'okänd verksamhet "{v.verksamhet}"; '
                                    f"verksamheterna i drift.csv är {known}",
                                    _line_for(lines, loc), _dotted(loc)))
        elif v.verksamhet in seen:
            problems.append(Problem(MAIN_FILE, f'verksamheten "{v.verksamhet}" står flera '
                                    "gånger", _line_for(lines, loc), _dotted(loc)))
        seen.add(v.verksamhet)
    for h in report.drift_historik:
        if drift_read and h.verksamhet not in names:
            problems.append(Problem(h.source.file, f'okänd verksamhet "{h.verksamhet}"; '
                                    f"verksamheterna i drift.csv är {known}",
                                    h.source.row, "verksamhet", "kolumn"))

    # Charts placed in the economy texts with [diagram: id].
    declared = [d.id for d in report.diagram]
    texts: list[tuple[Path_, str | None]] = [
        (("ekonomi", k), getattr(ek, k)) for k in
        ("inledning", "kommentar", "drift_kommentar", "satsningar", "investeringar",
         "lokalprojekt", "externa_volymer")]
    if ek.prognos is not None:
        texts.append((("ekonomi", "prognos", "kommentar"), ek.prognos.kommentar))
    texts += [(("ekonomi", "verksamheter", i, "text"), v.text)
              for i, v in enumerate(ek.verksamheter)]
    texts.append((("ekonomi", "extern_finansiering", "text"), ek.extern_finansiering.text))
    for loc, text in texts:
        for m in CHART_MARK.finditer(text or ""):
            if m.group(1) not in declared:
                options = ", ".join(declared) or "inga"
                problems.append(Problem(
                    MAIN_FILE, f'diagrammet "{m.group(1)}" i texten finns inte under diagram; '
                               f"kända diagram: {options}", _line_for(lines, loc), _dotted(loc)))

    # Nämndmål and marks in the table of external grants.
    ids = [g.id for g in report.all_goals() if g.id]
    note_marks = {re.match(r"\**", n).group(0) for n in ek.extern_finansiering.noter}  # type: ignore[union-attr]
    used: set[str] = set()
    columns = {"ansokt": "ansökt", "erhallet": "erhållet", "budgeterat": "budgeterat"}
    for b in report.extern_finansiering:
        if b.namndmal and b.namndmal not in ids:
            problems.append(Problem(b.source.file, f'okänt nämndmål "{b.namndmal}"; kända id: '
                                    + ", ".join(ids), b.source.row, "nämndmål", "kolumn"))
        for key, mark in b.noter.items():
            used.add(mark)
            if mark not in note_marks:
                problems.append(Problem(
                    b.source.file, f'markeringen "{mark}" har ingen förklaring; lägg till en '
                                   f'not som börjar med "{mark}" under '
                                   "ekonomi.extern_finansiering.noter i vb.yaml",
                    b.source.row, columns[key], "kolumn"))
    for i, note in enumerate(ek.extern_finansiering.noter):
        mark = re.match(r"\**", note).group(0)  # type: ignore[union-attr]
        if mark and mark not in used:
            loc = ("ekonomi", "extern_finansiering", "noter", i)
            problems.append(Problem(MAIN_FILE, f'noten förklarar markeringen "{mark}" men ingen '
                                    "siffra i extern_finansiering.csv har den",
                                    _line_for(lines, loc), _dotted(loc)))


def _check_marks(table: DataTable, loc: Path_, lines: dict[Path_, int],
                 problems: list[Problem]) -> None:
    """Every mark after a number (``2 174 *``) needs a note that starts with it."""
    explained = {m.group(0) for n in table.decl.noter if (m := re.match(r"\*+", n))}
    for row in table.rows:
        for column_id, value in row.cells.items():
            if value.mark.startswith("*") and value.mark not in explained:
                column = table.column(column_id)
                problems.append(Problem(
                    table.decl.fil, f'markeringen "{value.mark}" har ingen förklaring; lägg '
                    f'till en not som börjar med "{value.mark}" under noter för tabellen '
                    f'"{table.decl.id}" i vb.yaml', row.source.row if row.source else None,
                    column.kolumn if column else column_id, "kolumn"))


#: The texts of a goal, where [tabell: id] and [diagram: id] marks may stand.
GOAL_TEXTS = ("beskrivning", "motivering", "analys", "genomfort_arbete")


def _check_outline(report: Report, lines: dict[Path_, int], problems: list[Problem]) -> None:
    """Every table, chart, column and goal level the outline names must exist."""
    charts = [d.id for d in report.diagram]
    levels = [lv.namn for lv in report.malnivaer]
    goal_ids = [str(g.id) for g in report.all_goals() if g.id]

    def fail(loc: Path_, message: str) -> None:
        problems.append(Problem(MAIN_FILE, message, _line_for(lines, loc), _dotted(loc)))

    def table(loc: Path_, table_id: str) -> DataTable | None:
        if table_id in report.tabelldata:
            return report.tabelldata[table_id]
        if table_id not in {t.id for t in report.tabeller}:  # else its file had a problem
            known = ", ".join(t.id for t in report.tabeller) or "inga"
            fail(loc, f'tabellen "{table_id}" finns inte under tabeller; kända tabeller: {known}')
        return None

    def columns(loc: Path_, t: DataTable, names: list[str]) -> None:
        known = [str(c.id) for c in t.decl.kolumner]
        for name in names:
            if name not in known:
                fail(loc, f'kolumnen "{name}" finns inte i tabellen "{t.decl.id}"; kolumnerna '
                          "är " + ", ".join(known))

    def marks(loc: Path_, text: str | None) -> None:
        for m in TABLE_MARK.finditer(text or ""):
            kind, ref = m.group(1), m.group(2)
            if kind == "tabell":
                table(loc, ref)
            elif ref not in charts:
                fail(loc, f'diagrammet "{ref}" i texten finns inte under diagram; kända '
                          f"diagram: {', '.join(charts) or 'inga'}")

    def section(s: Section, loc: Path_) -> None:
        s.plats = _dotted(loc)
        marks((*loc, "text"), s.text)
        for j, b in enumerate(s.block):
            where: Path_ = (*loc, "block", j, b.typ)
            value = b.varde
            if b.typ == "text":
                marks(where, value)
            elif b.typ == "tabell":
                table(where, value)
            elif b.typ == "diagram" and isinstance(value, str):
                if value not in charts:
                    fail(where, f'diagrammet "{value}" finns inte under diagram; kända '
                                f"diagram: {', '.join(charts) or 'inga'}")
            elif b.typ == "diagram":
                if value.typ not in KINDS:
                    fail((*where, "typ"), f'okänd diagramtyp "{value.typ}"; välj {KINDS_LISTED}')
                t = table((*where, "tabell"), value.tabell)
                if t is not None:
                    columns(where, t, [*([value.kategorier] if value.kategorier else []),
                                       *value.serier])
            elif b.typ == "kort":
                t = table((*where, "tabell"), value.tabell)
                if t is not None:
                    columns(where, t, [*([value.titel] if value.titel else []),
                                       *(value.falt or [])])
            elif b.typ == "indikatorer" and value.mal not in goal_ids:
                fail((*where, "mal"), f'okänt mål "{value.mal}"; kända id: '
                                      + (", ".join(goal_ids) or "inga"))
            elif b.typ in ("malbedomning", "kallforteckning") and value.nivaer:
                for name in value.nivaer:
                    if name not in levels:
                        fail((*where, "nivaer"), f'okänd nivå "{name}"; malnivaer har '
                                                 + ", ".join(f'"{n}"' for n in levels))
        for k, sub in enumerate(s.avsnitt):
            section(sub, (*loc, "avsnitt", k))

    for i, s in enumerate(report.disposition):
        section(s, ("disposition", i))

    def goal(g: Goal, loc: Path_) -> None:
        for name in GOAL_TEXTS:
            marks((*loc, name), getattr(g, name))
        for k, sub in enumerate(g.under):
            goal(sub, (*loc, "under", k))

    for i, g in enumerate(report.mal):
        goal(g, ("mal", i))
