"""``vbgen hamta``: write the texts edited in a Word draft back into the data folder.

The draft is read by :mod:`vbgen.readers.docx`. Writing replaces only the edited texts:
the ``.md`` file a text came from, or its field in ``vb.yaml``, where only the field's own
lines change, so comments, order and layout stay as they were. A text that changed in the
data too since the draft was built is not written.

What may be written is computed from the data as it loads now (:func:`writable`): the
Markdown fields of the model (``Markdown`` in :mod:`vbgen.model.report`), each as its field of
``vb.yaml`` or as the ``.md`` file its ``{fil: …}`` names. A draft names its texts, and the
name is only ever a key looked up there, never a path: a draft made by a stranger cannot
reach another file, a field that is no text of the report, or a new file.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import DataError, Problem
from ..model.report import MAIN_FILE, Meta, markdown_fields
from ..model.utkast import shown_key, text_digest, word_changes
from ..readers.docx import Draft
from ..readers.files import read_prose, read_text
from ..writers import typografi


@dataclass
class Change:
    """A text to write: where, what it is now, what it becomes."""

    name: str
    title: str
    file: str
    old: str
    new: str

    def diff(self, limit: int = 12) -> list[str]:
        lines = list(difflib.unified_diff(self.old.strip().splitlines(),
                                          self.new.strip().splitlines(), lineterm="", n=0))
        lines = [ln for ln in lines[2:] if not ln.startswith("@@")]
        return lines[:limit] + ([f"  … och {len(lines) - limit} rader till"]
                                if len(lines) > limit else [])


@dataclass
class Conflict:
    """A text edited both in the draft and in the data since the draft was built."""

    name: str
    title: str
    data: str
    draft: str

    def differences(self) -> list[tuple[str, str]]:
        """Each run of words where the draft's version differs from the data's: the data's
        words and the draft's, with a few around them."""
        return word_changes(self.data, self.draft)


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    #: Texts edited on both sides whose draft version is written, or data version kept.
    kept_draft: list[Conflict] = field(default_factory=list)
    kept_data: list[Conflict] = field(default_factory=list)
    #: Texts edited in the draft that the data already has, as taken before.
    already: int = 0
    #: The new content of every file to write, by its path.
    files: dict[Path, str] = field(default_factory=dict)


def check_origin(draft: Draft, report: Meta) -> None:
    """Refuse a draft built from another nämnd's or year's data than the folder holds."""
    here = f"{report.namnd} {report.ar}"
    if draft.manifest.origin and draft.manifest.origin != here:
        raise DataError([Problem(MAIN_FILE, f"utkastet är byggt av data för "
                                 f"{draft.manifest.origin}, men mappen har {here}; hämta till "
                                 "den mapp utkastet byggdes av")])


def writable(report: Meta) -> dict[str, str]:
    """Every name a draft may give a text, with the text's place in vb.yaml: the place
    itself ("vb.yaml:mal[1].analys") or the file its ``{fil: …}`` names ("text/n1.md").

    Only the nämnd's own prose is here: not a text shared through the kommun profile, not
    a name, a number, a choice or a file name, and not the tjänsteskrivelse's signatory.
    """
    out: dict[str, str] = {}
    for place, _ in markdown_fields(report):
        tag = report.text_tag(place)
        if tag:
            out.setdefault(tag, place)
    return out


def refused_file(folder: Path, name: str) -> str | None:
    """Why ``hamta`` will not write the text file ``name`` of ``folder``, or None.

    Only an existing regular Markdown file inside the folder, in no hidden folder, that is
    not a link and not executable: anything else the data names is left alone.
    """
    rel = PurePosixPath(name)
    if rel.is_absolute() or any(part.startswith(".") for part in rel.parts):
        return "ligger i en dold mapp eller utanför datamappen"
    if rel.suffix.lower() != ".md" and name != MAIN_FILE:
        return "är ingen Markdownfil (.md)"
    path = folder / rel
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "finns inte; vbgen hamta skapar inga filer"
    except OSError:
        return "kan inte läsas"
    if stat.S_ISLNK(st.st_mode):
        return "är en länk; vbgen hamta skriver inte genom länkar"
    if not stat.S_ISREG(st.st_mode):
        return "är ingen vanlig fil"
    if st.st_mode & 0o111:
        return "är körbar; vbgen hamta skriver inga körbara filer"
    if not path.resolve().is_relative_to(folder.resolve()):
        return "ligger utanför datamappen"
    return None


def plan(draft: Draft, folder: Path, report: Meta, keep: Mapping[str, str] | None = None,
         default: str = "") -> Plan:
    """What writing the draft's edited texts into ``folder`` would change; ``report`` is
    the folder's data as it loads now, which says what may be written.

    A text edited in the data too since the draft was built is a conflict, unless ``keep``
    (by the text's name) or ``default`` says which version to keep: "utkast" writes the
    draft's, "data" leaves the data's.
    """
    keep = keep or {}
    out = Plan()
    problems: list[Problem] = []
    allowed = writable(report)
    main = folder / MAIN_FILE
    edited = draft.edited()
    for name in edited:
        title = draft.manifest.texts[name][0]
        if name not in allowed:
            problems.append(Problem(draft.name, f"texten \u201d{shown_key(title)}\u201d i "
                                    f"utkastet har namnet \u201d{shown_key(name)}\u201d, som "
                                    "inte är någon av datamappens texter; den skrivs inte. "
                                    "vbgen hamta skriver bara texter som data har (se "
                                    "docs/word.md)"))
            continue
        target = MAIN_FILE if name.startswith(MAIN_FILE + ":") else name
        why = refused_file(folder, target)
        if why is not None:
            problems.append(Problem(target, f"texten \u201d{shown_key(title)}\u201d skrivs "
                                    f"inte: filen {why}"))
    if problems:
        raise DataError(problems)
    yaml_text = read_text(folder, main, MAIN_FILE, problems)
    for name, new in edited.items():
        title, _, data_digest, _ = draft.manifest.texts[name]
        if name.startswith(MAIN_FILE + ":"):
            place = allowed[name]
            if yaml_text is None:
                continue
            source = out.files.get(main, yaml_text)
            try:
                current = field_text(source, place)
            except _FieldMissing as exc:
                problems.append(Problem(MAIN_FILE, f"texten \u201d{title}\u201d kan inte "
                                        f"skrivas: {exc}", field=place))
                continue
            file_name, path = MAIN_FILE, main
        else:
            path = folder / name
            # Read as the loader reads it, so that its digest compares with the draft's.
            read = read_prose(folder, path, name, problems)
            if read is None:
                continue
            current = read
            file_name, place = name, ""
        # Where only the typography differs, the data's own characters stay (typografi).
        new = typografi.restore(new, current)
        if text_digest(current) != data_digest:
            if current.strip() == new.strip():
                out.already += 1
                continue
            conflict = Conflict(name, title, current, new)
            choice = keep.get(name, default)
            if choice == "data":
                out.kept_data.append(conflict)
                continue
            if choice != "utkast":
                out.conflicts.append(conflict)
                continue
            out.kept_draft.append(conflict)
        out.changes.append(Change(name, title, file_name, current, new))
        _stage(out, path, main, place, yaml_text, new)
    if problems:
        raise DataError(problems)
    return out


def _stage(out: Plan, path: Path, main: Path, place: str, yaml_text: str | None,
           new: str) -> None:
    """Put the new content of the file that holds a text into the plan."""
    if path == main:
        out.files[main] = set_field(out.files.get(main, yaml_text or ""), place, new)
    else:
        out.files[path] = new.rstrip("\n") + "\n"


def cell_source(report: Meta, table: str, row: str, column: str) -> str:
    """Where the data holds the figure of a generated table's cell, found by the table's
    caption, the row's name and the column's heading: "drift.csv, rad 3, kolumn
    utfall_2023", or how vbgen computes it; "" when it is no declared table's cell."""
    from ..compose.tabellvy import cell_place
    from ..model.prosa import plain

    data = getattr(report, "tabelldata", {}) or {}
    for found in data.values():
        if not found.decl.rubrik or plain(found.decl.rubrik).strip() != table.strip():
            continue
        col = next((c for c in found.columns if " ".join(
            plain(str(x)) for x in (c.grupp, c.rubrik) if x) == column
            or plain(str(c.rubrik)) == column), None)
        line = next((r for r in found.rows if any(
            plain(str(v.value)).strip() == row for k, v in r.cells.items()
            if v.value is not None and isinstance(v.value, str))), None)
        if col is None or line is None:
            continue
        if col.berakning:
            return (f"talet räknas ut av vbgen ur tabellens andra kolumner; ändra dem i "
                    f"{found.decl.fil}")
        return f"talet står i {cell_place(found, line, col)}"
    return ""


def apply(p: Plan) -> dict[Path, bytes]:
    """Write every file of the plan; return what the files held before, for :func:`write`
    to put back."""
    before = {path: path.read_bytes() for path in p.files}
    write({path: text.encode("utf-8") for path, text in p.files.items()})
    return before


def write(files: dict[Path, bytes]) -> None:
    """Replace each of ``files``, which exist, keeping its mode: each is written to a
    temporary file beside it first, then renamed over it, so a link or a second name of
    the file (a hard link) is never written through."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            mode = stat.S_IMODE(os.lstat(path).st_mode) & 0o666  # never executable
            fd, name = tempfile.mkstemp(prefix=".vbgen-", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(name, mode)
            staged.append((Path(name), path))
        for temporary, target in staged:
            os.replace(temporary, target)
    finally:
        for temporary, _ in staged:
            if temporary.exists():
                temporary.unlink()


# --- One field of vb.yaml, in place --------------------------------------------------------


class _FieldMissing(Exception):
    pass


def _steps(place: str) -> list[str | int]:
    """``mal[1].under[2].analys`` as the keys and (0-based) indexes on the way."""
    steps: list[str | int] = []
    for part in re.finditer(r"([^.\[\]]+)|\[(\d+)\]", place):
        steps.append(int(part.group(2)) - 1 if part.group(2) else part.group(1))
    return steps


def _locate(source: str, place: str) -> tuple[Any, str]:
    """The mapping that holds the field at ``place``, and the field's key."""
    from ruamel.yaml import YAML

    data = YAML().load(source)
    steps = _steps(place)
    node = data
    for step in steps[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            raise _FieldMissing(f"fältet {place} finns inte längre i vb.yaml") from None
    key = steps[-1]
    if not hasattr(node, "lc") or not isinstance(key, str):
        raise _FieldMissing(f"fältet {place} finns inte längre i vb.yaml")
    return node, key


def field_text(source: str, place: str) -> str:
    """The text at ``place`` in the YAML ``source``; "" when the field is empty or absent."""
    node, key = _locate(source, place)
    value = node.get(key)
    if value is not None and not isinstance(value, str):
        raise _FieldMissing(f"fältet {place} är ingen text")
    return value or ""


def set_field(source: str, place: str, text: str) -> str:
    """``source`` with the field at ``place`` set to ``text`` as a literal block; every
    other line as it was."""
    node, key = _locate(source, place)
    lines = source.splitlines(keepends=True)
    body = text.rstrip("\n")
    if key in node:
        key_line, key_col = node.lc.key(key)
        value_line, value_col = node.lc.value(key)
        block = lines[value_line][value_col:value_col + 1] in ("|", ">")
        end = _value_end(lines, key_line, value_line, key_col, block)
        indent = " " * (key_col + 2)
        head = lines[key_line][:value_col] if value_line == key_line else \
            lines[key_line].rstrip("\r\n") + " "
        head = head.rstrip() + " "
        # A comment after a value on the key's own line stays there.
        tokens = node.ca.items.get(key) or [None, None, None, None]
        comment = tokens[2] if len(tokens) > 2 else None
        after = ""
        if comment is not None and comment.start_mark.line == key_line:
            after = "  " + lines[key_line][comment.start_mark.column:].rstrip("\r\n")
        new = [head + ("|-" if body else '""') + after + "\n"]
        new += [(indent + ln if ln.strip() else "") + "\n" for ln in body.split("\n")] \
            if body else []
        lines[key_line:end] = new
    else:
        keys = list(node.keys())
        if not keys:
            raise _FieldMissing(f"fältet {place} kan inte läggas till i vb.yaml")
        last_line, col = node.lc.key(keys[-1])
        first_col = node.lc.key(keys[0])[1]
        value_line, value_col = node.lc.value(keys[-1])
        block = lines[value_line][value_col:value_col + 1] in ("|", ">")
        end = _value_end(lines, last_line, value_line, col, block)
        indent = " " * first_col
        new = [f"{indent}{key}: |-\n"] + [(indent + "  " + ln if ln.strip() else "") + "\n"
                                          for ln in body.split("\n")]
        if end > 0 and not lines[end - 1].endswith("\n"):
            lines[end - 1] += "\n"
        lines[end:end] = new
    if "\r\n" in source:  # a file saved on Windows keeps its line ends
        lines = [ln.replace("\r\n", "\n").replace("\n", "\r\n") for ln in lines]
    out = "".join(lines)
    if field_text(out, place).rstrip("\n") != body:
        raise _FieldMissing(f"fältet {place} kunde inte skrivas om säkert")
    return out


def _value_end(lines: list[str], key_line: int, value_line: int, key_col: int,
               block: bool = False) -> int:
    """The line after a field's value: the next line as far left as its key, blank lines
    at the end left out, and comments too unless the value is a block (``|``, ``>``), where
    a "#" is text."""
    end = max(key_line, value_line) + 1
    last = end
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        if stripped:
            indent = len(line) - len(line.lstrip(" "))
            if indent <= key_col:
                break
            if block or not stripped.startswith("#"):
                last = end + 1
        end += 1
    return last
