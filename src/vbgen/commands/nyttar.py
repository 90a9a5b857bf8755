"""Start a new year's data folder from last year's: ``vbgen ny NY --fran FJOL``.

The outline, goal tree, table declarations, scale and other settings are carried over;
this year's prose, assessments and figures are emptied so that a build shows a visible gap
("[Saknas: …]") for each; year columns move one year on. Everything is prepared in memory
and checked before the new folder is written, and nothing is written outside it.
"""

from __future__ import annotations

import os
import re
import shutil
import typing
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML

from ..build import check
from ..checks import arskontroll
from ..compose.luckor import gaps_of
from ..errors import DataError, StyleError
from ..load import load
from ..model.report import TABLE_MARK, Meta, Report
from ..names import MAIN_FILE
from ..paths import MAX_INPUT_BYTES, inside
from ..stylechain import PROFILE_STYLES, data_styles
from .tabellfil import Grid, csv_bytes, read_grid, xlsx_bytes


class InitError(Exception):
    """``vbgen ny`` cannot do what it was asked; the message says why, in Swedish."""


@dataclass
class Result:
    """What ``init`` wrote and what the user should look at."""

    folder: Path
    files: list[Path]
    notes: list[str] = field(default_factory=list)
    gaps: int = 0


def yaml_rt() -> YAML:
    """A round-trip YAML reader and writer that keeps comments, order and quoting."""
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # a flow mapping ruamel re-emits stays on one line
    y.indent(mapping=2, sequence=4, offset=2)
    return y


# --- Years ----------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
#: How far back a number counts as a year of the report rather than, say, an amount.
_YEARS_BACK = 30


def shift_years(text: str, old_ar: int, steps: int) -> str:
    """``text`` with every year up to ``old_ar`` moved ``steps`` years on."""
    def one(m: re.Match[str]) -> str:
        y = int(m.group(1))
        return str(y + steps) if old_ar - _YEARS_BACK <= y <= old_ar else m.group(1)

    return _YEAR.sub(one, text)


def has_year(text: Any, old_ar: int) -> bool:
    return isinstance(text, str) and any(
        old_ar - _YEARS_BACK <= int(y) <= old_ar for y in _YEAR.findall(text))


def _norm(name: Any) -> str:
    return " ".join(str(name).replace("_", " ").split()).lower()


# --- Tables ---------------------------------------------------------------------------------


def shift_grid(grid: Grid, old_ar: int, steps: int, empty: set[str] | None = None,
               drop_row: Any = None) -> Grid:
    """Move the year columns of ``grid`` on and empty this year's values.

    A column whose name has a year gets the name with the year moved on, and the values of
    the old column of that name (none for a year the file did not have): the oldest year
    drops out, last year's values stay, the new year is empty. Columns in ``empty``
    (normalised names) are emptied. ``drop_row`` (given the row as a dict by normalised
    name) leaves rows out.
    """
    old = {_norm(h): i for i, h in enumerate(grid.header)}
    header: list[str] = []
    sources: list[int | None] = []
    for i, h in enumerate(grid.header):
        name = _norm(h)
        if has_year(h, old_ar):
            new = shift_years(h, old_ar, steps)
            header.append(new)
            sources.append(old.get(_norm(new)))
        elif empty is not None and name in empty:
            header.append(h)
            sources.append(None)
        else:
            header.append(h)
            sources.append(i)
    rows = []
    for row in grid.rows:
        cells = {_norm(h): (row[i] if i < len(row) else None) for i, h in enumerate(grid.header)}
        if drop_row is not None and drop_row(cells):
            continue
        rows.append([row[s] if s is not None and s < len(row) else "" for s in sources])
    return Grid(header, rows, grid.delimiter, grid.bom, grid.sheet)


def _status_done(cells: dict[str, Any]) -> bool:
    return str(cells.get("status") or "").strip().lower() == "klart"


def _pairs(*names: str) -> Any:
    """A rule for a file of the goal tree: "x föregående år" takes the value of x, x is
    emptied."""
    def rule(grid: Grid, old_ar: int, steps: int) -> Grid:
        idx = {_norm(h): i for i, h in enumerate(grid.header)}
        rows = []
        for row in grid.rows:
            row = list(row) + [""] * (len(grid.header) - len(row))
            for name in names:
                now, before = idx.get(name), idx.get(f"{name} föregående år")
                if before is not None and now is not None:
                    row[before] = row[now]
                if now is not None:
                    row[now] = ""
            rows.append(row)
        return Grid(grid.header, rows, grid.delimiter, grid.bom, grid.sheet)
    return rule


def _targets(grid: Grid, old_ar: int, steps: int) -> Grid:
    """indikatorer.csv: years moved on, and last year's etappmål kept in the column
    ``etappmål föregående år``, so that an indicator that had one needs one this year too."""
    idx = {_norm(h): i for i, h in enumerate(grid.header)}
    if "etappmål" in idx and PREVIOUS_TARGET not in idx:
        at = idx["etappmål"] + 1
        grid = Grid(grid.header[:at] + [PREVIOUS_TARGET] + grid.header[at:],
                    [list(r[:at]) + [""] + list(r[at:]) for r in grid.rows],
                    grid.delimiter, grid.bom, grid.sheet, grid.extra)
    return shift_grid(_pairs("etappmål")(grid, old_ar, steps), old_ar, steps)


#: The column of indikatorer.csv that keeps last year's etappmål.
PREVIOUS_TARGET = "etappmål föregående år"


def _emptied(*names: str, drop_done: bool = False) -> Any:
    def rule(grid: Grid, old_ar: int, steps: int) -> Grid:
        return shift_grid(grid, old_ar, steps, empty=set(names),
                          drop_row=_status_done if drop_done else None)
    return rule


#: How the goal tree's files are carried over: the indicators' years move on and their
#: etappmål are kept as last year's, the uppdrag that are done are left out and the comments
#: of the others emptied.
GOAL_FILE_RULES: dict[str, Any] = {
    "indikatorer": _targets,
    "uppdrag": _emptied("kommentar", drop_done=True),
}


def _goal_files(old: Path, data: Any) -> list[tuple[str, Any]]:
    """The goal tree's files of the folder ``old`` with the rule each is carried over by:
    the files the main file names, or those with the kinds' own names."""
    out = []
    for kind, rule in GOAL_FILE_RULES.items():
        given = data.get(f"{kind}_fil")
        names = [str(given)] if given else [kind + suffix for suffix in (".csv", ".xlsx")]
        out += [(name, rule) for name in names if (old / name).is_file()]
    return out


# --- The main file --------------------------------------------------------------------------


def _markdown_fields(model: type[BaseModel]) -> tuple[set[str], dict[str, type[BaseModel]]]:
    """The prose fields of ``model``, and its fields that hold models (or lists of them)."""
    prose: set[str] = set()
    nested: dict[str, type[BaseModel]] = {}

    def look(name: str, annotation: Any) -> None:
        if typing.get_origin(annotation) is typing.Annotated:
            extra = [getattr(m, "json_schema_extra", None) for m in annotation.__metadata__]
            if {"x-vbgen": "markdown"} in extra:
                prose.add(name)
            return
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            nested[name] = annotation
            return
        for arg in typing.get_args(annotation):
            look(name, arg)

    for name, info in model.model_fields.items():
        look(name, info.annotation)
        if {"x-vbgen": "markdown"} == info.json_schema_extra:
            prose.add(name)
    return prose, nested


@dataclass
class _Plan:
    """Files to write in the new folder, by path relative to it."""

    old: Path
    files: dict[str, bytes | None] = field(default_factory=dict)  # None: copy as is
    notes: list[str] = field(default_factory=list)

    def source(self, rel: str, where: str) -> Path:
        path = (self.old / rel).resolve()
        if not path.is_relative_to(self.old.resolve()):
            raise InitError(f'{MAIN_FILE}, fält "{where}": filen "{rel}" ligger utanför '
                            f"mappen {self.old}; vbgen ny läser bara i fjolårsmappen")
        return path


def _is_file_ref(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"fil"}


def _empty_prose(node: Any, key: Any, plan: _Plan, where: str) -> None:
    """Empty one prose field: a file it names becomes an empty file, inline text null; the
    lines that place a table or chart ([tabell: id], [diagram: id]) stay, so that the new
    year's report still shows them (the text without words is still a gap)."""
    value = node[key]
    if _is_file_ref(value):
        rel = str(value["fil"])
        path = plan.source(rel, where)
        try:
            old = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
        except (OSError, UnicodeDecodeError):
            old = ""  # the loader read it last year; a problem now shows when it is read
        plan.files[rel] = _placements(old).encode("utf-8")
    elif value is not None:
        node[key] = _placements(str(value)) or None


def _placements(text: str) -> str:
    """Only the lines of ``text`` that place a table or a chart."""
    return "\n\n".join(m.group(0).strip() for m in TABLE_MARK.finditer(text))


def _keep_files(node: Any, plan: _Plan, where: str) -> None:
    """Copy every file a kept text names as it is."""
    if _is_file_ref(node):
        rel = str(node["fil"])
        plan.source(rel, where)
        plan.files.setdefault(rel, None)
    elif isinstance(node, dict):
        for k, v in node.items():
            _keep_files(v, plan, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _keep_files(v, plan, f"{where}[{i + 1}]")


def _empty_group(node: Any, model: type[BaseModel], plan: _Plan, where: str) -> None:
    """Empty every prose field in a group of the main file, following its model."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _empty_group(item, model, plan, f"{where}[{i + 1}]")
        return
    if not isinstance(node, dict):
        return
    prose, nested = _markdown_fields(model)
    for key in list(node):
        if key in prose:
            _empty_prose(node, key, plan, f"{where}.{key}")
        elif key in nested:
            _empty_group(node[key], nested[key], plan, f"{where}.{key}")
        else:
            _keep_files(node[key], plan, f"{where}.{key}")


_GOAL_TEXTS = ("motivering", "analys", "genomfort_arbete")


def _goals(goals: Any, plan: _Plan, where: str) -> None:
    for i, goal in enumerate(goals or []):
        here = f"{where}[{i + 1}]"
        if "maluppfyllelse" in goal:
            goal["maluppfyllelse"] = None
        for key in _GOAL_TEXTS:
            if key in goal:
                _empty_prose(goal, key, plan, f"{here}.{key}")
        if "beskrivning" in goal:
            _keep_files(goal["beskrivning"], plan, f"{here}.beskrivning")
        _goals(goal.get("under"), plan, f"{here}.under")


def _outline(sections: Any, plan: _Plan, where: str) -> None:
    """Texts of the outline from files are emptied; texts written in it are kept."""
    for i, section in enumerate(sections or []):
        if not isinstance(section, dict):
            continue
        here = f"{where}[{i + 1}]"
        if _is_file_ref(section.get("text")):
            _empty_prose(section, "text", plan, f"{here}.text")
        for j, block in enumerate(section.get("block") or []):
            if isinstance(block, dict) and _is_file_ref(block.get("text")):
                _empty_prose(block, "text", plan, f"{here}.block[{j + 1}].text")
        _outline(section.get("avsnitt"), plan, f"{here}.avsnitt")


def _year_table(decl: dict[str, Any], old_ar: int) -> bool:
    """Whether a declared table has columns of years."""
    for col in decl.get("kolumner") or []:
        values = [col.get(k) for k in ("kolumn", "rubrik", "grupp", "id")]
        values += [n for names in (col.get("berakning") or {}).values() for n in names]
        if any(has_year(v, old_ar) for v in values):
            return True
    return False


def _shift_decl(decl: Any, old_ar: int, steps: int) -> None:
    if has_year(decl.get("rubrik"), old_ar):
        decl["rubrik"] = type(decl["rubrik"])(shift_years(decl["rubrik"], old_ar, steps))
    for col in decl.get("kolumner") or []:
        for k in ("kolumn", "rubrik", "grupp", "id"):
            if has_year(col.get(k), old_ar):
                col[k] = type(col[k])(shift_years(col[k], old_ar, steps))
        for names in (col.get("berakning") or {}).values():
            for n, name in enumerate(names):
                if has_year(name, old_ar):
                    names[n] = type(name)(shift_years(name, old_ar, steps))


_FIGURES = ("heltal", "tal", "belopp", "procent", "rang", "datum")


def _tables(data: Any, report: Report, plan: _Plan, steps: int,
            grids: dict[str, dict[str | None, Grid]]) -> set[int]:
    """Carry each declared table: its declaration and its file. Returns the shifted ones."""
    old_ar = report.ar
    shifted: set[int] = set()
    renamed: dict[str, dict[str, str]] = {}
    for i, decl in enumerate(data.get("tabeller") or []):
        rel = str(decl["fil"])
        path = plan.source(rel, f"tabeller[{i + 1}].fil")
        grid = read_grid(path, decl.get("flik"))
        columns = list(decl.get("kolumner") or [])
        figures = {_norm(c["kolumn"]) for c in columns
                   if c.get("kolumn") is not None and c.get("typ", "text") in _FIGURES}
        if _year_table(decl, old_ar):
            shifted.add(i)
            before = decl.get("id")
            ids = [c.get("id", c.get("kolumn")) for c in columns]
            _shift_decl(decl, old_ar, steps)
            _require(columns, old_ar + steps)
            renamed[str(before)] = {str(a): str(c.get("id", c.get("kolumn")))
                                    for a, c in zip(ids, columns, strict=True) if a is not None}
            grid = shift_grid(grid, old_ar, steps, empty=figures)
            plan.notes.append(f'Tabellen "{before}" ({rel}): årtalen i kolumnerna och '
                              f"rubriken flyttades fram {steps} år; det nya årets värden "
                              "är tomma.")
        elif figures:
            grid = shift_grid(grid, old_ar, steps, empty=figures)
            _require(columns, old_ar + steps)
            plan.notes.append(f'Tabellen "{decl.get("id")}" ({rel}): raderna behölls och '
                              "talen tömdes.")
        else:
            plan.notes.append(f'Tabellen "{decl.get("id")}" ({rel}) har inga tal och '
                              "kopierades som den var; se över raderna.")
        grids.setdefault(rel, {})[decl.get("flik")] = grid
    _rename_columns(data.get("disposition"), renamed)
    return shifted


def _require(columns: list[Any], new_ar: int) -> None:
    """Mark the emptied figure columns that do not name the new year ``kravs: ja``: their
    cells are the new year's too, and an empty one must be a gap, not a quiet "-"."""
    for col in columns:
        names = [col.get(k) for k in ("kolumn", "rubrik", "grupp", "id")]
        if col.get("kolumn") is None or col.get("typ", "text") not in _FIGURES \
                or "kravs" in col or any(str(new_ar) in str(n) for n in names if n):
            continue
        col["kravs"] = "ja"


def _rename_columns(sections: Any, renamed: dict[str, dict[str, str]]) -> None:
    """Charts and cards in the outline name the columns of a shifted table by their new ids."""
    for section in sections or []:
        if not isinstance(section, dict):
            continue
        for block in section.get("block") or []:
            value = block.get("diagram") or block.get("kort") if isinstance(block, dict) else None
            if not isinstance(value, dict) or str(value.get("tabell")) not in renamed:
                continue
            names = renamed[str(value["tabell"])]
            for key in ("kategorier", "titel") if "kort" in block else ("kategorier",):
                if str(value.get(key)) in names:
                    value[key] = type(value[key])(names[str(value[key])])
            for key in ("serier", "falt"):
                for n, name in enumerate(value.get(key) or []):
                    if str(name) in names:
                        value[key][n] = type(name)(names[str(name)])
        _rename_columns(section.get("avsnitt"), renamed)


# --- Years in kept texts ------------------------------------------------------------------


#: The keys of vb.yaml whose values are names of files or ids, never prose to review.
_NOT_PROSE = ("fil", "flik", "id", "profil")


def _review(new: Path, data: Any, old_ar: int, shifted: set[int]) -> list[arskontroll.Mention]:
    """Every sentence in the texts and tables carried over that names a year up to last
    year's: in vb.yaml (but the declarations of tables whose years moved on), the text
    files kept as they were, and the text cells of the tables."""
    def skip(place: arskontroll.Place) -> bool:
        return bool(place) and (
            place[-1] in _NOT_PROSE
            or (len(place) >= 3 and place[0] == "tabeller" and place[1] in shifted
                and place[2] in ("rubrik", "kolumner")))

    def review(m: arskontroll.Mention) -> bool:
        # A bare year is a column's name (a chart's series), carried with its table.
        return has_year(m.mening, old_ar) and not _YEAR.fullmatch(m.mening.strip())

    files: list[tuple[str, str]] = [(MAIN_FILE, "")]
    files += [(rel, "") for rel in _kept_texts(data)]
    files += [(str(t["fil"]), str(t.get("flik") or "")) for t in data.get("tabeller") or []]
    files += [(name, "") for name, _ in _goal_files(new, data)]
    out: list[arskontroll.Mention] = []
    for rel, sheet in dict.fromkeys(files):
        out += [m for m in arskontroll.mentions(new, rel, sheet, skip) if review(m)]
    return out


def _kept_texts(node: Any) -> list[str]:
    """The text files vb.yaml names outside its tables: those kept as they were, and the
    emptied ones (which have no sentences)."""
    if _is_file_ref(node):
        return [str(node["fil"])]
    if isinstance(node, dict):
        return [f for k, v in node.items() if k != "tabeller" for f in _kept_texts(v)]
    if isinstance(node, list):
        return [f for v in node for f in _kept_texts(v)]
    return []


# --- Counting gaps --------------------------------------------------------------------------


def count_gaps(folder: Path, documents: tuple[str, ...] | None = None,
               templates: Path | None = None) -> int:
    """The gaps in the documents a draft of ``folder`` has (every one the data has, or
    ``documents``), composed with the built-in or the given templates: what keeps a final
    build from being made, each once."""
    return len(gaps_of(check(folder, templates, documents)[1]))


# --- The whole folder -----------------------------------------------------------------------


def check_target(new: Path) -> None:
    if new.exists():
        raise InitError(f'mappen "{new}" finns redan; vbgen ny skriver aldrig i en befintlig '
                        "mapp. Ange en mapp som inte finns.")


def write_folder(new: Path, files: dict[str, bytes], copies: dict[str, Path]) -> list[Path]:
    """Create ``new`` with ``files`` and ``copies``; on failure nothing is left behind."""
    check_target(new)
    new.mkdir(parents=True)
    written: list[Path] = []
    try:
        for rel, data in sorted(files.items()):
            target = new / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)
        for rel, source in sorted(copies.items()):
            target = new / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written.append(target)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return written


def _style_files(old: Path) -> dict[str, Path]:
    """The files of the data folder's own styles (``stilar/``), by their place in the
    folder: a nämnd's look is the same next year. Only regular files inside it are taken;
    a link or anything else is left, as a build would refuse it."""
    try:
        folder = data_styles(old)
    except StyleError as exc:
        raise InitError(str(exc)) from None
    found: dict[str, Path] = {}
    if folder is None:
        return found
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not (Path(root) / d).is_symlink())
        for name in sorted(names):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file() or not inside(folder, path):
                continue
            if path.stat().st_size > MAX_INPUT_BYTES:
                raise InitError(f"{path}: filen är större än vbgen läser "
                                f"({MAX_INPUT_BYTES // 1024 // 1024} MB)")
            found[(Path(PROFILE_STYLES) / path.relative_to(folder)).as_posix()] = path
    return found


def new_year(old: Path, new: Path, ar: int | None = None) -> Result:
    """Write the data folder ``new`` for the year after ``old``'s (or for ``ar``)."""
    check_target(new)
    if not old.is_dir():
        raise InitError(f'fjolårsmappen "{old}" finns inte')
    if not (old / MAIN_FILE).is_file():
        raise InitError(f'fjolårsmappen "{old}" har ingen {MAIN_FILE}')
    try:
        report = load(old)
    except DataError as exc:
        raise InitError(f"fjolårsmappen har fel; rätta dem först (vbgen kontrollera {old}):\n"
                        f"{exc}") from None
    new_ar = ar if ar is not None else report.ar + 1
    steps = new_ar - report.ar
    if steps < 1:
        raise InitError(f"--ar {new_ar} ska vara senare än fjolårsmappens år ({report.ar})")

    y = yaml_rt()
    data = y.load((old / MAIN_FILE).read_text(encoding="utf-8-sig"))
    plan = _Plan(old)
    data["ar"] = new_ar

    if data.get("profil") is not None:
        profile = (old / str(data["profil"])).resolve()
        data["profil"] = Path(os.path.relpath(profile, new.resolve())).as_posix()

    _goals(data.get("mal"), plan, "mal")
    _outline(data.get("disposition"), plan, "disposition")
    _keep_files(data.get("texter"), plan, "texter")
    ts = data.get("tjanstskrivelse")
    if isinstance(ts, dict) and "samlad_bedomning" in ts:
        ts["samlad_bedomning"] = None
    # The prose of the groups of fields, such as the tjänsteskrivelse's.
    prose, nested = _markdown_fields(Meta)
    for key in list(data):
        if key in ("mal", "disposition", "texter", "tabeller", "diagram"):
            continue
        if key in prose:
            _empty_prose(data, key, plan, key)
        elif key in nested:
            _empty_group(data[key], nested[key], plan, key)

    grids: dict[str, dict[str | None, Grid]] = {}
    shifted = _tables(data, report, plan, steps, grids)

    for rel, rule in _goal_files(old, data):
        grid = read_grid(plan.source(rel, rel))
        grids.setdefault(rel, {})[None] = rule(grid, report.ar, steps)
    for i, d in enumerate(data.get("diagram") or []):
        rel = str(d["fil"])
        plan.source(rel, f"diagram[{i + 1}].fil")
        plan.files[rel] = None
    if data.get("diagram"):
        plan.notes.append("Diagrammens filer under diagram: kopierades med förra årets "
                          "siffror; byt ut dem.")

    for rel, sheets in grids.items():
        if rel.lower().endswith(".xlsx"):
            plan.files[rel] = xlsx_bytes(old / rel, sheets)
        else:
            plan.files[rel] = csv_bytes(sheets[None])

    out = StringIO()
    y.dump(data, out)
    text = out.getvalue()

    if data.get("tjanstskrivelse") is not None:
        plan.notes.append("tjanstskrivelse: datum och diarienummer gäller förra årets "
                          "tjänsteskrivelse; ändra dem.")

    files = {MAIN_FILE: text.encode("utf-8")}
    copies: dict[str, Path] = {}
    for rel, content in plan.files.items():
        if content is None:
            copies[rel] = plan.source(rel, rel)
        else:
            files[rel] = content
    styles = _style_files(old)
    copies.update(styles)
    if styles:
        plan.notes.append(f"Nämndens egna stilar ({PROFILE_STYLES}/) kopierades som de var.")
    written = write_folder(new, files, copies)
    try:
        # Years in texts that were kept: listed whole for the user to check, never rewritten,
        # and kept in a file of the folder that validate reads until each is seen to.
        review = _review(new, data, report.ar, shifted)
        if review:
            (new / arskontroll.FILE).write_text(arskontroll.file_text(review), encoding="utf-8")
            written.append(new / arskontroll.FILE)
            plan.notes.append(f"Meningar med årtal att se över (vbgen ändrar inte texterna; "
                              f"ändra dem, eller bekräfta dem i {arskontroll.FILE}, så slutar "
                              "vbgen kontrollera visa dem):")
            plan.notes.extend(arskontroll.describe(review))
        gaps = count_gaps(new)
    except DataError as exc:  # a bug in init, not in the user's data
        shutil.rmtree(new, ignore_errors=True)
        raise InitError(f"den nya mappen {new} kan inte läsas; det är ett fel i vbgen:\n"
                        f"{exc}") from None
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return Result(new, written, plan.notes, gaps)
