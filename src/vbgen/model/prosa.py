"""The data's prose: every text of a loaded report, and where each one stands in its file.

A message about something inside a text (a mark that names no table, a figure typed in a
sentence) names the text's own file and line: the Markdown file of a text read with
``{fil: …}``, or the line of ``vb.yaml`` (or of the kommun profile) where a text is written
in the main file. :class:`Origins` is filled by the loader while it reads the files, so that
nothing is read twice.
"""

from __future__ import annotations

import bisect
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from pydantic import BaseModel

#: A place in the main file's data: ("mal", 0, "under", 1, "analys").
Path_ = tuple[str | int, ...]

#: Fields whose texts are only shown where another place refers to them ({kommun: namn}).
_REFERRED = ("texter",)


def dotted(path: Path_) -> str:
    """A place as messages and the Word draft name it: "mal[1].under[2].analys"."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_MD = MarkdownIt("commonmark").use(footnote_plugin)


def plain(markdown: str) -> str:
    """The text inline Markdown shows, without its footnotes, spaces evened out: a caption
    or a cell "**Summa**^[Avrundat.]" reads "Summa"."""
    tokens = _MD.parseInline(markdown, {})
    out: list[str] = []

    def walk(items: list[Any]) -> None:
        for t in items:
            if t.type in ("text", "code_inline"):
                out.append(t.content)
            elif t.type in ("softbreak", "hardbreak"):
                out.append(" ")
            elif t.children and t.type != "footnote_ref":
                walk(t.children)

    walk(tokens[0].children or [] if tokens else [])
    return " ".join("".join(out).split())


def parse_dotted(place: str) -> Path_:
    """The place a dotted name stands for: "mal[1].under[2].analys" is
    ("mal", 0, "under", 1, "analys"); the inverse of :func:`dotted`."""
    out: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", place):
        out.append(int(index) - 1 if index else name)
    return tuple(out)


def _is_markdown(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return any(getattr(m, "json_schema_extra", None) == {"x-vbgen": "markdown"}
                   for m in annotation.__metadata__)
    return any(_is_markdown(a) for a in typing.get_args(annotation)
               if typing.get_origin(a) is typing.Annotated or a is type(None))


def texts(model: BaseModel, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every prose (Markdown) field of ``model`` that has a text, by its place, in order.

    The shared ``texter`` are left out: each is met where a place refers to it.
    """
    for name, info in type(model).model_fields.items():
        if info.exclude or (not path and name in _REFERRED):
            continue
        value = getattr(model, name)
        here = (*path, name)
        if _is_markdown(info.annotation):
            if isinstance(value, str) and value.strip():
                yield here, value
            continue
        yield from _nested(value, here)


def _nested(value: Any, path: Path_) -> Iterator[tuple[Path_, str]]:
    if isinstance(value, BaseModel):
        yield from texts(value, path)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _nested(item, (*path, i))


@dataclass
class _File:
    """A YAML file's text and the line where each of its values starts."""

    name: str
    text: str
    lines: dict[Path_, int]
    #: The lines where a value starts, sorted: a text written in the file ends before the next.
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.starts = sorted(set(self.lines.values()))

    def line_of(self, path: Path_) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


#: The prefix of a profile's place among :attr:`Origins.sources`: "kommun:texter.vision".
PROFILE_PLACE = "kommun:"


@dataclass
class Origins:
    """Where the texts of a report come from, for messages that point inside them."""

    #: The main file, and the kommun profile's file when there is one.
    main: _File | None = None
    profile: _File | None = None
    #: The text of each file read with {fil: …}, by its name as messages show it.
    files: dict[str, str] = field(default_factory=dict)
    #: The file of each {fil: …} text, by its place ("mal[1].analys": "text/m1-analys.md";
    #: a place of the profile with :data:`PROFILE_PLACE` before it).
    sources: dict[str, str] = field(default_factory=dict)
    #: For a place whose text is written elsewhere, whether that is in the profile and at
    #: which place: a {kommun: namn} takes ("texter", namn), a field the profile gives is its
    #: own place there.
    shared: dict[Path_, tuple[bool, Path_]] = field(default_factory=dict)

    def set_main(self, name: str, text: str, lines: dict[Path_, int]) -> None:
        self.main = _File(name, text, lines)

    def set_profile(self, name: str, text: str, lines: dict[Path_, int]) -> None:
        self.profile = _File(name, text, lines)

    def locate(self, path: Path_, needle: str = "") -> tuple[str, int | None, str | None]:
        """The file, line and field of ``needle`` in the text at ``path``: the first line of
        the text that contains it, else the text's first line. The field is None for a text
        in a file of its own, whose line says where it is."""
        in_profile, where = False, path
        for k in range(len(path), 0, -1):
            hit = self.shared.get(path[:k])
            if hit is not None:
                in_profile, base = hit
                where = (*base, *path[k:])
                break
        yaml = self.profile if in_profile else self.main
        name = self.sources.get((PROFILE_PLACE if in_profile else "") + dotted(where))
        if name is not None and name in self.files:
            return name, _find(self.files[name].splitlines(), needle, 1), None
        if yaml is None:
            return "", None, dotted(path)
        start = yaml.line_of(where)
        if start is None or not needle:
            return yaml.name, start, dotted(where)
        k = bisect.bisect_right(yaml.starts, start)
        end = yaml.starts[k] - 1 if k < len(yaml.starts) else None
        found = _find(yaml.text.splitlines()[start - 1:end], needle, 1)
        return yaml.name, start + found - 1, dotted(where)


def _find(lines: list[str], needle: str, default: int) -> int:
    """The number (from 1) of the first of ``lines`` containing ``needle``, or ``default``."""
    probe = needle.strip().splitlines()[0] if needle.strip() else ""
    if not probe:
        return default
    for i, line in enumerate(lines, start=1):
        if probe in line:
            return i
    return default
