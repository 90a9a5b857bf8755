"""Read a data folder into a :class:`~vbgen.model.Report`, collecting every problem.

Files go in, typed objects come out; nothing is written. All problems are gathered and
raised together as one :class:`~vbgen.errors.DataError`, each naming file, line and field.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import citat, fmt, model
from .charts import KINDS, KINDS_LISTED, Chart, Series
from .errors import DataError, Problem, environment_problem
from .fmt import DECIMAL_MARKS, NumberError, NumberText, parse_number
from .kolada import cache as kolada_cache
from .model import (
    FIXED_FORM,
    MAIN_FILE,
    TABLE_MARK,
    UNAVAILABLE_MARK,
    Example,
    Goal,
    Indicator,
    Meta,
    Report,
    Section,
    Source,
    TableDecl,
    Unavailable,
    Uppdrag,
    markdown_fields,
)
from .names import PROFILE_FILE
from .paths import (
    MAX_INPUT_BYTES,
    MAX_UNPACKED_BYTES,
    OUTSIDE,
    Refused,
    inside,
    present,
    read_file,
    within,
    zip_too_large,
)
from .prosa import PROFILE_PLACE, Origins, Path_
from .prosa import dotted as _dotted
from .tables import (
    RANK,
    DataTable,
    Value,
    check_table_totals,
    derive_table,
    read_table,
    table_path,
)

TABLE_SUFFIXES = (".csv", ".xlsx")


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


# Also the private characters that mark an example value in rendered templates.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ue000-\ue002]")


#: A YAML number with dots between groups of three digits: 9.900 is 9,9 to YAML, and may
#: have been meant as 9 900.
_GROUPED_FLOAT = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+$")


def _load_yaml(text: str) -> tuple[Any, dict[Path_, int], list[tuple[str, int, int]],
                                   list[tuple[Path_, str]]]:
    """The data of the main file, the line of every value, every key given twice, and every
    number whose dot may separate thousands (with its place and text)."""
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    twice: list[tuple[str, int, int]] = []
    grouped: list[tuple[Path_, str]] = []

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
        if n.tag == "tag:yaml.org,2002:float" and _GROUPED_FLOAT.match(str(n.value)):
            grouped.append((path, str(n.value)))
        try:
            value = loader.construct_object(n, deep=True)
        except ValueError:
            # A value that looks like a date but is none, e.g. 2025-02-30.
            raise yaml.constructor.ConstructorError(
                None, None, f'"{n.value}" är inte ett giltigt datum', n.start_mark) from None
        return _clean(value) if isinstance(value, str) else value

    return walk(node, ()), lines, twice, grouped


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


#: How pydantic names the alternatives of a field that takes a text or a group ("str",
#: "constrained-str", "function-after[_check(), TableChart]", "TableOptions").
_ALTERNATIVE = re.compile(r"^(str|constrained-str|function-\w+\[.*\])$")
_GROUPS = {name for name, kind in vars(model).items()
           if isinstance(kind, type) and issubclass(kind, BaseModel)}


def _alternative(part: str | int) -> bool:
    return isinstance(part, str) and (part in _GROUPS or bool(_ALTERNATIVE.match(part)))


def _field_path(err: ErrorDetails) -> Path_ | None:
    """The place of a problem in the main file, without pydantic's names of the
    alternatives of a field that takes a text or a group; None for the complaint that a group
    given to such a field is no text (the group's own problems tell what is wrong)."""
    loc = tuple(err["loc"])
    if loc and _alternative(loc[-1]) and err["type"] == "string_type" \
            and isinstance(err.get("input"), dict):
        return None
    return tuple(p for p in loc if not _alternative(p))


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
    problems: list[Problem], read: dict[str, str] | None = None, shown: str = "",
) -> Any:
    """Replace every ``{fil: x.md}`` with the text of that file.

    Each file read is kept in ``read`` under its name as messages show it (``shown`` and
    the name given).
    """
    if isinstance(data, dict):
        if set(data) == {"fil"}:
            rel = str(data["fil"])
            target = within(folder, rel)
            if target is None:
                problems.append(Problem(file, f'filen "{rel}" {OUTSIDE}',
                                        _line_for(lines, path), _dotted(path)))
                return None
            if not present(target):
                problems.append(Problem(file, f'filen "{rel}" finns inte i mappen',
                                        _line_for(lines, path), _dotted(path)))
                return None
            text = read_prose(folder, target, rel, problems)
            if read is not None and text is not None:
                read[shown + rel] = text
            return text
        return {k: _resolve_texts(v, (*path, k), folder, file, lines, problems, read, shown)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_resolve_texts(v, (*path, i), folder, file, lines, problems, read, shown)
                for i, v in enumerate(data)]
    return data


def _read_yaml_file(path: Path, name: str, problems: list[Problem],
                    origins: Origins | None = None, profile: bool = False
                    ) -> tuple[dict[str, Any] | None, dict[Path_, int]]:
    """A YAML file of fields, with the line of every value; problems name ``name``.

    The file's text and lines are kept in ``origins``, as its main file or ``profile``.
    """
    text = read_text(path.parent, path, name, problems)
    if text is None:
        return None, {}
    data, lines = _parse_yaml_file(text, name, problems)
    if origins is not None:
        (origins.set_profile if profile else origins.set_main)(name, text, lines)
    return data, lines


def _parse_yaml_file(text: str, name: str, problems: list[Problem]
                     ) -> tuple[dict[str, Any] | None, dict[Path_, int]]:
    try:
        data, lines, twice, grouped = _load_yaml(text)
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
    for loc, written in grouped:
        whole = fmt.number(float(written.replace(".", ""))).replace(fmt.NBSP, " ")
        decimal = fmt.number(float(written), len(written.rpartition(".")[2].rstrip("0")))
        problems.append(Problem(name, f"talet {written} läses som {decimal} men kan vara menat "
                                      f"som {whole}; skriv {whole.replace(' ', '')} (eller "
                                      f"{whole}) för det ena, {decimal} för det andra",
                                _line_for(lines, loc), _dotted(loc)))
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
    **{name: FIXED_FORM for name in ("sammanfattning", "ekonomi", "personal",
                                     "intern_kontroll", "uppfoljning")},
}


def _profile(folder: Path, data: dict[str, Any], lines: dict[Path_, int],
             problems: list[Problem], origins: Origins
             ) -> tuple[dict[str, Any], str, dict[Path_, int]]:
    """The kommun profile's fields, the name its problems are reported under, its lines."""
    rel = data.get("profil")
    if rel is None:
        return {}, "", {}
    where: Path_ = ("profil",)
    target = folder / str(rel)
    if not present(target / PROFILE_FILE):
        problems.append(Problem(MAIN_FILE, f'kommunprofilen "{rel}" finns inte: mappen ska ha '
                                           f"filen {PROFILE_FILE}", _line_for(lines, where),
                                "profil"))
        return {}, "", {}
    name = f"{rel}/{PROFILE_FILE}"
    own, own_lines = _read_yaml_file(target / PROFILE_FILE, name, problems, origins,
                                     profile=True)
    if own is None:
        return {}, name, {}
    origins.sources.update({f"{PROFILE_PLACE}{k}": f"{rel}/{v}"
                            for k, v in _text_sources(own, ()).items()})
    own = _resolve_texts(own, (), target, name, own_lines, problems, origins.files, f"{rel}/")
    if "profil" in own:
        problems.append(Problem(name, "en kommunprofil kan inte peka på en annan profil",
                                _line_for(own_lines, ("profil",)), "profil"))
        own.pop("profil")
    return own, name, own_lines


def _kommun_texts(data: Any, texts: dict[str, Any], path: Path_, file: str,
                  lines: dict[Path_, int], problems: list[Problem],
                  shared: set[str] | None = None,
                  refers: dict[Path_, str] | None = None) -> Any:
    """Replace every ``{kommun: name}`` with the shared text of that name.

    The place of each replaced text is added to ``shared``, and in ``refers`` the name of
    the text it takes.
    """
    if isinstance(data, dict):
        if set(data) == {"kommun"} and path and path[-1] != "kommun":
            if shared is not None:
                shared.add(_dotted(path))
            name = str(data["kommun"])
            if refers is not None:
                refers[path] = name
            if name not in texts:
                known = ", ".join(sorted(texts)) or "inga"
                problems.append(Problem(file, f'texten "{name}" finns inte under texter '
                                        f"(i vb.yaml eller kommunprofilen); kända: {known}",
                                        _line_for(lines, path), _dotted(path)))
                return None
            return texts[name]
        return {k: _kommun_texts(v, texts, (*path, k), file, lines, problems, shared, refers)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_kommun_texts(v, texts, (*path, i), file, lines, problems, shared, refers)
                for i, v in enumerate(data)]
    return data


class _Marks:
    """The values of the main file marked as examples (``{exempel: Erik Exempel}``) or as not
    available (``{saknas: skäl}``): taken out of the data before it is checked, and the
    examples put back into the checked model as :class:`Example` texts that know their place.
    """

    def __init__(self, origin: Callable[[Path_], tuple[str, dict[Path_, int]]],
                 problems: list[Problem]) -> None:
        self.origin, self.problems = origin, problems
        #: The places of the example values in the data.
        self.examples: list[Path_] = []
        #: The reason of each value marked as not available, by its dotted place.
        self.unavailable: dict[str, str] = {}

    def _fail(self, path: Path_, message: str) -> None:
        file, lines = self.origin(path)
        self.problems.append(Problem(file, message, _line_for(lines, path), _dotted(path)))

    def take(self, data: Any, path: Path_) -> Any:
        if isinstance(data, dict) and len(data) == 1 and path:
            (key, value), = data.items()
            if key == EXAMPLE_KEY:
                if not isinstance(value, str) or not value.strip():
                    self._fail(path, "ett exempel är en text: {exempel: Erik Exempel}, "
                                     "{exempel: \"08-123 456 78\"}")
                    return None
                self.examples.append(path)
                return value
            if key == UNAVAILABLE_KEY:
                if not isinstance(value, str) or not value.strip():
                    self._fail(path, "skriv skälet till att värdet saknas: {saknas: "
                                     "\"Mätningen görs från 2025.\"}")
                    return None
                self.unavailable[_dotted(path)] = value.strip()
                return None
        if isinstance(data, dict):
            return {k: self.take(v, (*path, k)) for k, v in data.items()}
        if isinstance(data, list):
            return [self.take(v, (*path, i)) for i, v in enumerate(data)]
        return data

    def mark_examples(self, meta: Meta) -> bool:
        """Put each example back into ``meta`` as an :class:`Example`; False on a problem."""
        ok = True
        for path in self.examples:
            file, _ = self.origin(path)
            where = (meta.source_of(_dotted(path)) if file == MAIN_FILE
                     else f"{file}, fält {_dotted(path)}")
            parent: Any = meta
            for part in path[:-1]:
                parent = _child(parent, part)
            current = _child(parent, path[-1])
            if not isinstance(current, str):
                self._fail(path, "exempel gäller texter som namn, titlar, telefonnummer och "
                                 "e-postadresser; här väntas något annat")
                ok = False
            elif isinstance(parent, BaseModel):
                setattr(parent, str(path[-1]), Example(current, where))
            else:
                cast(Any, parent)[path[-1]] = Example(current, where)
        return ok


def _child(node: Any, part: str | int) -> Any:
    """The value at ``part`` of a model (its field), a list or a dict."""
    return getattr(node, str(part)) if isinstance(node, BaseModel) else cast(Any, node)[part]


#: The keys that mark a value of the main file: an example, and a value not available.
EXAMPLE_KEY, UNAVAILABLE_KEY = "exempel", "saknas"


def _load_meta(folder: Path, problems: list[Problem], origins: Origins
               ) -> tuple[Meta | None, dict[Path_, int], _Marks | None]:
    """The main file merged over its profile, checked, with the line of every value and the
    values it marks as examples or not available; its texts' origins go into ``origins``."""
    main = folder / MAIN_FILE
    if not present(main):
        problems.append(Problem(str(folder), f"huvudfilen {MAIN_FILE} saknas i mappen"))
        return None, {}, None
    data, lines = _read_yaml_file(main, MAIN_FILE, problems, origins)
    if data is None:
        return None, {}, None
    for old, advice in _OLD_FIELDS.items():
        if old in data:
            problems.append(Problem(MAIN_FILE, f"fältet hör till den gamla formen: {advice}",
                                    _line_for(lines, (old,)), old))
    if any(old in data for old in _OLD_FIELDS):
        return None, lines, None
    sources = _text_sources(data, ())
    origins.sources.update(sources)
    data = _resolve_texts(data, (), folder, MAIN_FILE, lines, problems, origins.files)
    shared, profile_name, profile_lines = _profile(folder, data, lines, problems, origins)
    from_profile = {k for k in shared if k not in data}
    own_texts = set(data.get("texter") or {}) if isinstance(data.get("texter"), dict) \
        else set()
    texts = {**(shared.get("texter") or {}), **(data.get("texter") or {})}
    in_profile: dict[Path_, str] = {}
    shared = _kommun_texts(shared, texts, (), profile_name, profile_lines, problems,
                           refers=in_profile)
    kommun_places: set[str] = set()
    in_main: dict[Path_, str] = {}
    data = _kommun_texts(data, texts, (), MAIN_FILE, lines, problems, kommun_places, in_main)
    # Where each shared text is written: the profile's field, or a text under texter.
    origins.shared.update({(k,): (True, (k,)) for k in from_profile})
    for refers, in_the_profile in ((in_profile, True), (in_main, False)):
        for path, name in refers.items():
            if in_the_profile and path[0] not in from_profile:
                continue  # a field of the profile the nämnd gives itself
            origins.shared[path] = (name not in own_texts, ("texter", name))
    data = {**shared, **data, "texter": texts}

    def origin(path: Path_) -> tuple[str, dict[Path_, int]]:
        return ((profile_name, profile_lines) if path and path[0] in from_profile
                else (MAIN_FILE, lines))

    marks = _Marks(origin, problems)
    data = marks.take(data, ())
    try:
        meta = Meta.model_validate(data)
        meta.textkallor = sources
        meta.gemensamma_texter = {*from_profile, *kommun_places}
        meta.utelamnade = marks.unavailable
        return meta, lines, marks
    except ValidationError as exc:
        for err in exc.errors():
            loc = _field_path(err)
            if loc is None:
                continue
            if loc and loc[0] in from_profile:
                problems.append(Problem(profile_name, _message(err),
                                        _line_for(profile_lines, loc), _dotted(loc)))
            else:
                problems.append(Problem(MAIN_FILE, _message(err), _line_for(lines, loc),
                                        _dotted(loc)))
        return None, lines, None


# --- Tables -------------------------------------------------------------------------------


def _norm_header(name: str) -> str:
    return " ".join(str(name).replace("_", " ").split()).lower()


def _find_table(folder: Path, stem: str, problems: list[Problem]) -> Path | None:
    found = [folder / (stem + s) for s in TABLE_SUFFIXES if present(folder / (stem + s))]
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
        names = [_norm_header(_clean(str(h))) if h is not None else "" for h in header]
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
        except NumberError as exc:
            self._fail(column, _number_message(exc, raw))
            return None
        if value is None and required:
            self._fail(column, "värde saknas men krävs")
        return value

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


def _number_message(exc: NumberError, raw: str, declared: bool = False) -> str:
    """What a cell that is no number says: a number out of range and a number with the other
    decimal mark as such (with the table declaration's remedy when there is one), anything
    else as "förväntade ett tal"."""
    if exc.kind == "gräns":
        return f'{exc}, fick "{raw}"'
    if exc.kind == "tecken":
        return str(exc) + ("; skriver filen decimaler med punkt, ange decimaltecken: punkt "
                           "för den i vb.yaml" if declared and "punkt, men" in str(exc) else "")
    return f'förväntade ett tal, fick "{raw}"'


def _goal_file(folder: Path, kind: str, ctx: Context, problems: list[Problem]) -> list[Any]:
    """The indicators or the uppdrag of the goal tree (``kind``), a row each, from the file
    the main file names, or from the file with the kind's name."""
    build, given = _GOAL_FILES[kind], ctx.files.get(kind)
    if given is not None:
        path = within(folder, given)
        where: Path_ = (f"{kind}_fil",)
        if path is None or not present(path) or path.suffix.lower() not in TABLE_SUFFIXES:
            what = (OUTSIDE if path is None else "finns inte i mappen" if not present(path)
                    else "ska vara en .csv- eller .xlsx-fil")
            problems.append(Problem(MAIN_FILE, f'filen "{given}" {what}',
                                    _line_for(ctx.lines, where), _dotted(where)))
            return []
        file, rows = path.relative_to(folder).as_posix(), _read_any(folder, path, problems)
    else:
        file, rows = _rows(folder, kind, problems)
    out = []
    columns: set[str] = set()
    for line, cells in rows:
        row = _Row(file, line, cells, problems, columns)
        item = build(row, ctx)
        if row.ok:
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


# --- The goal tree's indicators and uppdrag -----------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the readers of indicators and uppdrag need from the main file: the year, the
    statuses an uppdrag may have, and the files the main file names for them (at its
    lines)."""

    ar: int
    statuses: list[str]
    files: dict[str, str]
    lines: dict[Path_, int]


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
    except NumberError as exc:
        if _WORDS.search(rest):
            return raw, ""
        r._fail(column, _number_message(exc, raw) if exc.kind != "tal" else
                f'förväntade ett tal (gärna efter ≥ eller ≤) eller en text, fick "{raw}"')
        return None, ""


def _unavailable(r: _Row, column: str) -> Unavailable | None:
    """A cell marked as not available: ``..`` and the reason (``.. publiceras i april``)."""
    raw = r.text(column)
    if not raw.startswith(UNAVAILABLE_MARK):
        return None
    reason = raw[len(UNAVAILABLE_MARK):].strip(" :–-")
    if not reason:
        r._fail(column, f'skriv skälet efter "{UNAVAILABLE_MARK}", till exempel '
                        f'"{UNAVAILABLE_MARK} Statistiken publiceras i april"')
    return Unavailable(reason)


def _indicator_value(r: _Row, column: str) -> float | str | Unavailable | None:
    """A year's value: a number, a rank among others such as ``19/26``, or not available."""
    m = RANK.match(r.text(column))
    if m:
        return f"{m.group(1)}/{m.group(2)}"
    return _unavailable(r, column) or r.number(column)


def _indicator(r: _Row, ctx: Context) -> Indicator:
    years = sorted(int(k) for k in r.cells if _YEAR.match(k))
    if str(ctx.ar) not in r.cells:
        r._fail(str(ctx.ar), "kolumnen saknas i rubrikraden")
    values = {y: _indicator_value(r, str(y)) for y in years}
    riktning = r.text("riktning").lower() or "hög"
    if riktning not in ("hög", "låg"):
        r._fail("riktning", f'okänt värde "{riktning}"; tillåtna värden: "hög", "låg"')
    kon = r.text("kön").upper()
    if kon not in ("", "K", "M", "T"):
        r._fail("kön", f'okänt värde "{kon}"; tillåtna värden: "K", "M", "T" eller tomt')
    etappmal: float | str | Unavailable | None
    etappmal, sign = _unavailable(r, "etappmål"), ""
    if etappmal is None:
        etappmal, sign = _target(r, "etappmål")
    malvarde, malvarde_sign = _target(r, "målvärde")
    column = _goal_column(r)
    return Indicator(
        mal=r.text(column, True), mal_kolumn=column, namn=r.text("indikator", True),
        not_=r.text("not"), values=values,
        etappmal=etappmal, jamforelse=sign, malvarde=malvarde,
        etappmal_foregaende=_target(r, "etappmål föregående år")[0],
        malvarde_jamforelse=malvarde_sign, hog_ar_bra=riktning != "låg",
        kalla=r.text("källa"), kolada_id=r.text("kolada id"), kon=kon, source=r.source)


def _uppdrag(r: _Row, ctx: Context) -> Uppdrag:
    column = _goal_column(r)
    return Uppdrag(mal=r.text(column, True), mal_kolumn=column,
                   status=r.choice("status", ctx.statuses),
                   ursprung=r.text("ursprung"), text=r.text("uppdrag", True),
                   kommentar=r.text("kommentar"), source=r.source)


#: The readers of the goal tree's files, by the kind (and default name) of each.
_GOAL_FILES: dict[str, Callable[[_Row, Context], Any]] = {
    "indikatorer": _indicator, "uppdrag": _uppdrag}


# --- The whole folder ----------------------------------------------------------------------


def load(folder: str | Path) -> Report:
    """Read and check a data folder; raise :class:`DataError` listing every problem."""
    folder = Path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise DataError([Problem(str(folder), "mappen finns inte")])
    origins = Origins()
    meta, lines, marks = _load_meta(folder, problems, origins)
    if meta is None:
        _tables_alone(folder, problems)
        raise DataError(list(dict.fromkeys(problems)))
    files = {"indikatorer": meta.indikatorer_fil, "uppdrag": meta.uppdrag_fil}
    ctx = Context(meta.ar, meta.uppdragsstatus,
                  {k: v for k, v in files.items() if v is not None}, lines)
    indikatorer = _goal_file(folder, "indikatorer", ctx, problems)
    uppdragen = _goal_file(folder, "uppdrag", ctx, problems)
    report = Report(**dict(meta))
    if marks is not None:
        marks.mark_examples(report)
    report.textursprung = origins
    report.diagramdata = _charts(folder, meta, lines, problems)
    _check_derived(report, lines, problems)
    report.tabelldata = _declared_tables(folder, report, lines, problems)
    _check_tree(report, lines, problems)
    _attach(report, indikatorer, uppdragen, problems)
    kolada_cache.apply(folder, report, problems,
                       lambda where: (_line_for(lines, where), _dotted(where)))
    _check_kon(indikatorer, problems)
    _check_tjanstskrivelse(report, lines, problems)
    _check_outline(report, lines, problems)
    problems.extend(citat.check(report))
    _check_quantities(report, lines, problems)
    _check_size(report, problems)

    # A table with unreadable rows would only add misleading sum errors.
    broken = {p.file for p in problems}
    for table in report.tabelldata.values():
        problems.extend(p for p in check_table_totals(table) if p.file not in broken)
    if problems:
        # A file two declarations read has its problems told once.
        raise DataError(list(dict.fromkeys(problems)))
    return report


#: The most text (Markdown, in bytes) and table rows one report may have: a report at either
#: limit builds in well under a minute and 1 GB of memory (docs/prestanda.md).
MAX_PROSE_BYTES = 1024 * 1024
MAX_TABLE_ROWS = 2000


def table_rows(report: Report) -> dict[str, int]:
    """The rows the report has from each table file, by the file's name (and sheet); a file
    two declarations read counts once."""
    rows: dict[str, int] = {}
    goal_rows: list[Indicator | Uppdrag] = [*(i for g in report.all_goals() for i in g.indikatorer),
                                            *report.all_uppdrag()]
    for r in goal_rows:
        rows[r.source.file] = rows.get(r.source.file, 0) + 1
    for t in report.tabelldata.values():
        rows[t.decl.fil + (f", blad {t.decl.flik}" if t.decl.flik else "")] = len(t.rows)
    return rows


def _check_size(report: Report, problems: list[Problem]) -> None:
    """The report's texts and table rows, each all together, must be within their limits."""
    rows = table_rows(report)
    texts = [(place, len(text.encode("utf-8"))) for place, text in markdown_fields(report)
             if text]
    total = sum(size for _, size in texts)
    if total > MAX_PROSE_BYTES:
        place, size = max(texts, key=lambda t: t[1])
        problems.append(Problem(MAIN_FILE, f"texterna är tillsammans {total // 1024} kB; en "
                                f"rapport kan ha högst {MAX_PROSE_BYTES // 1024} kB text "
                                f"(ungefär 250 sidor). Störst är {report.source_of(place)} "
                                f"({size // 1024} kB)"))
    if sum(rows.values()) > MAX_TABLE_ROWS:
        largest = max(rows, key=lambda name: rows[name])
        problems.append(Problem(largest, f"tabellerna har tillsammans "
                                f"{fmt.number(sum(rows.values()))} rader; en rapport kan ha "
                                f"högst {fmt.number(MAX_TABLE_ROWS)} (den här filen har "
                                f"{fmt.number(rows[largest])}). Dela upp rapporten eller "
                                "sammanfatta raderna"))


def _check_derived(report: Report, lines: dict[Path_, int], problems: list[Problem]) -> None:
    """A derived column computes from columns before it, so that each is computed once,
    from figures already there: a column after it (or itself, or a cycle) is an error."""
    for i, decl in enumerate(report.tabeller):
        ids = [c.id for c in decl.kolumner]
        for j, c in enumerate(decl.kolumner):
            for name in c.sources:
                if name not in ids or ids.index(name) < j:
                    continue
                where: Path_ = ("tabeller", i, "kolumner", j,
                                "berakning" if c.berakning is not None else "sammansatt")
                what = ("sig själv" if name == c.id
                        else f'"{name}", som står efter den i kolumner')
                problems.append(Problem(MAIN_FILE, f'kolumnen "{c.id}" i tabellen '
                                        f'"{decl.id}" räknar med {what}; en beräknad kolumn '
                                        "räknar bara med kolumner före den, så flytta den "
                                        "efter dem", _line_for(lines, where), _dotted(where)))


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
        table = _read_declared(folder, decl, loc, lines, problems, report.ar)
        if table is not None:
            _goal_names(table, report, problems)
            derive_table(table)
            out[decl.id] = table
    return out


def _read_declared(folder: Path, decl: TableDecl, loc: Path_, lines: dict[Path_, int],
                   problems: list[Problem], ar: int | None) -> DataTable | None:
    """Read the file of one declared table, typing its cells; None when it cannot be read."""
    path = table_path(folder, decl)
    where = (*loc, "fil")
    if not inside(folder, path):
        problems.append(Problem(MAIN_FILE, f'filen "{decl.fil}" {OUTSIDE}',
                                _line_for(lines, where), _dotted(where)))
        return None
    if not present(path) or path.suffix.lower() not in TABLE_SUFFIXES:
        what = ("finns inte i mappen" if not present(path)
                else "ska vara en .csv- eller .xlsx-fil")
        problems.append(Problem(MAIN_FILE, f'filen "{decl.fil}" {what}',
                                _line_for(lines, where), _dotted(where)))
        return None
    before = len(problems)
    rows = _read_any(folder, path, problems, decl.flik)
    # The file was read without problems, so reading its first line again adds none.
    header = (_written_header(folder, path, [], decl.flik) or []) if len(problems) == before \
        else []
    table = read_table(decl, decl.fil, header, rows, problems, ar)
    _check_marks(table, (*loc, "noter"), lines, problems)
    return table


def _tables_alone(folder: Path, problems: list[Problem]) -> None:
    """Read the tables a main file with problems declares, as far as their declarations
    are right, so that every problem is reported in one go."""
    main = folder / MAIN_FILE
    try:
        # The loader that refuses aliases: this file may be the one refused for them.
        data, lines, _, _ = _load_yaml(_decode(read_file(main.parent, main)))
    except (Refused, OSError, ValueError, yaml.YAMLError, RecursionError):
        return  # a date such as 2025-02-30 is a ValueError; the problem is told already
    tables = data.get("tabeller") if isinstance(data, dict) else None
    ar = data.get("ar") if isinstance(data, dict) else None
    for i, item in enumerate(tables if isinstance(tables, list) else []):
        try:
            decl = TableDecl.model_validate(item)
        except ValidationError:
            continue  # told with the main file's problems
        table = _read_declared(folder, decl, ("tabeller", i), lines, problems,
                               ar if isinstance(ar, int) else None)
        if table is not None and not any(p.file == decl.fil for p in problems):
            derive_table(table)
            problems.extend(check_table_totals(table))


def _goal_names(table: DataTable, report: Report, problems: list[Problem]) -> None:
    """The cells of a column of the type ``mal`` hold goal ids, and show the goals' names."""
    goals = {g.id: g.namn for g in report.all_goals() if g.id}
    for c in table.decl.kolumner:
        if c.typ != "mal":
            continue
        for row in table.rows:
            value = row.cells.get(str(c.id))
            if value is None or not isinstance(value.value, str):
                continue
            name = goals.get(value.value)
            if name is None:
                problems.append(Problem(
                    table.decl.fil, f'okänt mål "{value.value}"; kända id: '
                    + (", ".join(str(g) for g in goals) or "inga (ge målen id i vb.yaml)"),
                    row.source.row if row.source else None, c.kolumn, "kolumn"))
            else:
                row.cells[str(c.id)] = Value(name)


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
        if path is None or not present(path):
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
        mark = DECIMAL_MARKS[d.decimaltecken]
        for line, cells in rows:
            categories.append(cells[0])
            for j, name in enumerate(header[1:]):
                try:
                    values[j].append(parse_number(cells[j + 1], mark))
                except NumberError as exc:
                    problems.append(Problem(d.fil, _number_message(exc, cells[j + 1], True),
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
    if ts is None:
        return
    reference = ts.resultatoverforing.resultat
    result: float | None = None
    if reference is None:
        loc: Path_ = ("tjanstskrivelse", "resultatoverforing")
        problems.append(Problem(
            MAIN_FILE, "årets resultat, som beslutet gäller, saknas: ange var en tabell visar "
            'det med resultat, till exempel resultat: "drift | Totalt | avvikelse" (se '
            "docs/dataformat.md#resultatöverföring)",
            _line_for(lines, loc), _dotted(loc)))
    elif _table_of(reference) not in _unread(report):
        loc = ("tjanstskrivelse", "resultatoverforing", "resultat")
        try:
            found = citat.amount(report, reference)
        except citat.CitationError as exc:
            problems.append(Problem(MAIN_FILE, str(exc), _line_for(lines, loc), _dotted(loc)))
            found = None
        if found is not None and found.kind != "belopp":
            problems.append(Problem(MAIN_FILE, "årets resultat ska vara ett belopp, men "
                                    f'"{reference}" är inget belopp', _line_for(lines, loc),
                                    _dotted(loc)))
        result = found.tkr() if found is not None else None
    if ts.resultatoverforing.belopp is not None and result is not None:
        belopp = ts.resultatoverforing.belopp
        if belopp * result < 0 or abs(belopp) > abs(result):
            loc = ("tjanstskrivelse", "resultatoverforing", "belopp")
            problems.append(Problem(
                MAIN_FILE, f"beloppet {fmt.number(belopp)} tkr går inte att föra över: årets "
                f"resultat mot budget är {fmt.number(result)} tkr "
                f'(resultat: "{reference}"), och beloppet ska ha samma tecken och vara högst '
                "så stort",
                _line_for(lines, loc), _dotted(loc)))
    levels = [lv.text for lv in report.skala]
    if ts.samlad_bedomning is not None and ts.samlad_bedomning not in levels:
        options = ", ".join(f'"{t}"' for t in levels)
        loc = ("tjanstskrivelse", "samlad_bedomning")
        problems.append(Problem(
            MAIN_FILE, f'okänd nivå "{ts.samlad_bedomning}"; skalan har {options}',
            _line_for(lines, loc), _dotted(loc)))


def _check_quantities(report: Report, lines: dict[Path_, int],
                      problems: list[Problem]) -> None:
    """A quantity declared under ``storheter`` is shown with the same figure wherever the
    data shows it: two figures differ when no exact figure could be shown as both."""
    for i, quantity in enumerate(report.storheter):
        shown: list[tuple[str, citat.Amount]] = []
        for j, reference in enumerate(quantity.tal):
            loc: Path_ = ("storheter", i, "tal", j)
            if _table_of(reference) in _unread(report):
                continue  # its file has a problem of its own
            try:
                found = citat.amount(report, reference)
            except citat.CitationError as exc:
                problems.append(Problem(MAIN_FILE, str(exc), _line_for(lines, loc),
                                        _dotted(loc)))
                continue
            if found is None:
                continue  # a gap, which the draft lists
            first = shown[0][1] if shown else None
            if first is not None and first.kind != found.kind:
                problems.append(Problem(
                    MAIN_FILE, f'storheten "{quantity.namn}": "{reference}" är '
                    f'{_KINDS[found.kind]} men "{shown[0][0]}" är {_KINDS[first.kind]}; en '
                    "storhet är samma slags tal överallt", _line_for(lines, loc), _dotted(loc)))
            elif first is not None and not first.agrees(found):
                problems.append(Problem(
                    MAIN_FILE, f'storheten "{quantity.namn}" visas med olika tal: '
                    f'"{shown[0][0]}" visar {first.text}, men "{reference}" visar '
                    f"{found.text}; rätta siffrorna så att tabellerna visar samma tal",
                    _line_for(lines, loc), _dotted(loc)))
            shown.append((reference.strip(), found))


def _table_of(reference: str) -> str:
    """The table a reference such as "drift | Totalt | utfall" names."""
    return reference.strip().removeprefix("[tal:").split("|")[0].strip()


def _unread(report: Report) -> set[str]:
    """The declared tables whose files could not be read; their problems are told."""
    return {t.id for t in report.tabeller} - set(report.tabelldata)


#: How a message names the kind of a quantity's figure.
_KINDS = {"belopp": "ett belopp", "tal": "ett tal som inte är ett belopp"}


def _check_marks(table: DataTable, loc: Path_, lines: dict[Path_, int],
                 problems: list[Problem]) -> None:
    """Every mark after a number (``2 174 *``) needs a note that starts with it, and a value
    not available (``..``) its reason, after the dots or in a note that starts with them."""
    explained = {m.group(0) for n in table.decl.noter if (m := re.match(r"\*+", n))}
    dots = any(n.startswith(UNAVAILABLE_MARK) for n in table.decl.noter)
    for row in table.rows:
        for column_id, value in row.cells.items():
            if value.unavailable and not value.reason and not dots:
                column = table.column(column_id)
                problems.append(Problem(
                    table.decl.fil, f'skriv skälet till att värdet saknas efter "..", till '
                    f'exempel ".. Statistiken publiceras i april", eller i en not som börjar '
                    f'med ".." under noter för tabellen "{table.decl.id}" i vb.yaml',
                    row.source.row if row.source else None,
                    column.kolumn if column else column_id, "kolumn"))
            if value.mark.startswith("*") and value.mark not in explained:
                column = table.column(column_id)
                problems.append(Problem(
                    table.decl.fil, f'markeringen "{value.mark}" har ingen förklaring; lägg '
                    f'till en not som börjar med "{value.mark}" under noter för tabellen '
                    f'"{table.decl.id}" i vb.yaml', row.source.row if row.source else None,
                    column.kolumn if column else column_id, "kolumn"))


#: The texts of a goal, where [tabell: id] and [diagram: id] marks may stand.
GOAL_TEXTS = ("beskrivning", "motivering", "analys", "genomfort_arbete")


#: The deepest heading level: sections nest no deeper (HTML's and the PDF's h1–h6).
MAX_HEADING_LEVEL = 6


def _check_outline(report: Report, lines: dict[Path_, int], problems: list[Problem]) -> None:
    """Every table, chart, column and goal level the outline names must exist, and every
    declared table be shown somewhere."""
    before = len(problems)
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
        # A mark's problem is told at its own line, in the text's own file.
        for m in TABLE_MARK.finditer(text or ""):
            kind, ref = m.group(1), m.group(2)
            file, line, place = report.textursprung.locate(loc, m.group(0))
            if kind == "tabell":
                if ref not in {t.id for t in report.tabeller}:
                    known = ", ".join(t.id for t in report.tabeller) or "inga"
                    problems.append(Problem(file, f'tabellen "{ref}" finns inte under tabeller; '
                                                  f"kända tabeller: {known}", line, place))
            elif ref not in charts:
                problems.append(Problem(file, f'diagrammet "{ref}" i texten finns inte under '
                                              f"diagram; kända diagram: "
                                              f"{', '.join(charts) or 'inga'}", line, place))

    def section(s: Section, loc: Path_) -> None:
        s.plats = _dotted(loc)
        depth = 1 + loc.count("avsnitt")
        if depth > MAX_HEADING_LEVEL:
            fail(loc, f"avsnittet ligger på nivå {depth} i dispositionen, men rubrikerna går "
                      f"bara till nivå {MAX_HEADING_LEVEL}; lägg det högre upp")
            return
        marks((*loc, "text"), s.text)
        for j, b in enumerate(s.block):
            where: Path_ = (*loc, "block", j, b.typ)
            value = b.varde
            deepest = depth + len(report.malnivaer) + 1
            if b.typ == "malrapport" and deepest > MAX_HEADING_LEVEL:
                fail(where, f"blocket ger rubriker till nivå {deepest} (en nivå för varje "
                            "målnivå och rubrikerna under varje mål), men rubrikerna går bara "
                            f"till nivå {MAX_HEADING_LEVEL}; lägg blocket i ett avsnitt på "
                            f"nivå {MAX_HEADING_LEVEL - len(report.malnivaer) - 1} eller högre")
            if b.typ == "text":
                marks(where, value)
            elif b.typ == "tabell" and isinstance(value, str):
                table(where, value)
            elif b.typ == "tabell":
                found = table((*where, "tabell"), value.tabell)
                for name in value.rader or []:
                    try:
                        if found is not None:
                            citat.find_row(found, name)
                    except citat.CitationError as exc:
                        fail((*where, "rader"), str(exc))
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
            elif b.typ == "malrapport" and value.mal:
                for name in value.mal:
                    if name not in goal_ids:
                        fail((*where, "mal"), f'okänt mål "{name}"; kända id: '
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

    # A declared table that nothing shows is a mistake the reader would never see; a
    # template of its own (mall:) may show any table, so then nothing can be told, and a
    # problem above (a misspelt id) is the one to tell.
    if len(problems) > before or any(b.typ == "mall" for s in _sections(report.disposition)
                                     for b in s.block):
        return
    used = {*report.placed_tables(), *citat.cited_tables(report)}
    used |= {b.varde.tabell for s in _sections(report.disposition) for b in s.block
             if b.typ == "diagram" and not isinstance(b.varde, str)}
    for i, decl in enumerate(report.tabeller):
        if decl.id not in used and decl.visas:
            fail(("tabeller", i, "id"),
                 f'tabellen "{decl.id}" är deklarerad men visas inte; placera den med '
                 f"- tabell: {decl.id} eller en rad [tabell: {decl.id}] i en text, hämta tal "
                 f"ur den med [tal: {decl.id} | …] eller ta bort den")


def _sections(sections: list[Section]) -> list[Section]:
    """Every section of the outline, depth first."""
    return [x for s in sections for x in (s, *_sections(s.avsnitt))]
