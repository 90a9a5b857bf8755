"""Read the main file (``vb.yaml``) with the line of every value, merged over its kommun
profile, its texts resolved and its marked values (examples, values not available) taken out."""


from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .. import fmt
from ..errors import Problem
from ..model import report as model
from ..model.prosa import PROFILE_PLACE, Origins, Path_
from ..model.prosa import dotted as _dotted
from ..model.report import (
    FIXED_FORM,
    MAIN_FILE,
    Example,
    Meta,
)
from ..names import PROFILE_FILE
from ..paths import (
    OUTSIDE,
    present,
    within,
)
from .files import clean, read_prose, read_text

#: The line of each value of a YAML file, by its place (``("mal", 0, "namn")``).
Lines = dict[Path_, int]


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


#: A YAML number with dots between groups of three digits: 9.900 is 9,9 to YAML, and may
#: have been meant as 9 900.
_GROUPED_FLOAT = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+$")


def load_yaml(text: str) -> tuple[Any, Lines, list[tuple[str, int, int]],
                                   list[tuple[Path_, str]]]:
    """The data of the main file, the line of every value, every key given twice, and every
    number whose dot may separate thousands (with its place and text)."""
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    lines: Lines = {}
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
        return clean(value) if isinstance(value, str) else value

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


def line_for(lines: Lines, path: Path_) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


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
    data: Any, path: Path_, folder: Path, file: str, lines: Lines,
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
                                        line_for(lines, path), _dotted(path)))
                return None
            if not present(target):
                problems.append(Problem(file, f'filen "{rel}" finns inte i mappen',
                                        line_for(lines, path), _dotted(path)))
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


def read_yaml_file(path: Path, name: str, problems: list[Problem],
                    origins: Origins | None = None, profile: bool = False
                    ) -> tuple[dict[str, Any] | None, Lines]:
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
                     ) -> tuple[dict[str, Any] | None, Lines]:
    try:
        data, lines, twice, grouped = load_yaml(text)
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
                                line_for(lines, loc), _dotted(loc)))
    if not isinstance(data, dict):
        problems.append(Problem(name, "förväntade fält som namn: värde", 1))
        return None, {}
    for loc in _numbers_out_of_range(data):
        problems.append(Problem(name, fmt.OUT_OF_RANGE, line_for(lines, loc), _dotted(loc)))
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


def _profile(folder: Path, data: dict[str, Any], lines: Lines,
             problems: list[Problem], origins: Origins
             ) -> tuple[dict[str, Any], str, Lines]:
    """The kommun profile's fields, the name its problems are reported under, its lines."""
    rel = data.get("profil")
    if rel is None:
        return {}, "", {}
    where: Path_ = ("profil",)
    target = folder / str(rel)
    if not present(target / PROFILE_FILE):
        problems.append(Problem(MAIN_FILE, f'kommunprofilen "{rel}" finns inte: mappen ska ha '
                                           f"filen {PROFILE_FILE}", line_for(lines, where),
                                "profil"))
        return {}, "", {}
    name = f"{rel}/{PROFILE_FILE}"
    own, own_lines = read_yaml_file(target / PROFILE_FILE, name, problems, origins,
                                     profile=True)
    if own is None:
        return {}, name, {}
    origins.sources.update({f"{PROFILE_PLACE}{k}": f"{rel}/{v}"
                            for k, v in _text_sources(own, ()).items()})
    own = _resolve_texts(own, (), target, name, own_lines, problems, origins.files, f"{rel}/")
    if "profil" in own:
        problems.append(Problem(name, "en kommunprofil kan inte peka på en annan profil",
                                line_for(own_lines, ("profil",)), "profil"))
        own.pop("profil")
    return own, name, own_lines


def _kommun_texts(data: Any, texts: dict[str, Any], path: Path_, file: str,
                  lines: Lines, problems: list[Problem],
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
                                        line_for(lines, path), _dotted(path)))
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

    def __init__(self, origin: Callable[[Path_], tuple[str, Lines]],
                 problems: list[Problem]) -> None:
        self.origin, self.problems = origin, problems
        #: The places of the example values in the data.
        self.examples: list[Path_] = []
        #: The reason of each value marked as not available, by its dotted place.
        self.unavailable: dict[str, str] = {}

    def _fail(self, path: Path_, message: str) -> None:
        file, lines = self.origin(path)
        self.problems.append(Problem(file, message, line_for(lines, path), _dotted(path)))

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


def read_meta(folder: Path, problems: list[Problem], origins: Origins
               ) -> tuple[Meta | None, Lines, _Marks | None]:
    """The main file merged over its profile, checked, with the line of every value and the
    values it marks as examples or not available; its texts' origins go into ``origins``."""
    main = folder / MAIN_FILE
    if not present(main):
        problems.append(Problem(str(folder), f"huvudfilen {MAIN_FILE} saknas i mappen"))
        return None, {}, None
    data, lines = read_yaml_file(main, MAIN_FILE, problems, origins)
    if data is None:
        return None, {}, None
    for old, advice in _OLD_FIELDS.items():
        if old in data:
            problems.append(Problem(MAIN_FILE, f"fältet hör till den gamla formen: {advice}",
                                    line_for(lines, (old,)), old))
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

    def origin(path: Path_) -> tuple[str, Lines]:
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
                                        line_for(profile_lines, loc), _dotted(loc)))
            else:
                problems.append(Problem(MAIN_FILE, _message(err), line_for(lines, loc),
                                        _dotted(loc)))
        return None, lines, None
