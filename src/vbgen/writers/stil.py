"""The report's visual identity, declared once as custom properties in ``rapport.css``.

The PDF reads them directly; the charts, the Word styles (:mod:`vbgen.writers.referens`, on every
build) and the column widths read them here, so that a kommun changes a colour or the font
in one place: the ``:root`` rule of its styles folder's ``rapport.css``.
"""

from __future__ import annotations

import re
from pathlib import Path

_ROOT = re.compile(r":root\s*\{(.*?)\}", re.S)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_PROPERTY = re.compile(r"--([\w-]+)\s*:\s*([^;]+);")


def tokens(css: Path) -> dict[str, str]:
    """The custom properties of the stylesheet's ``:root`` rules, by name without ``--``."""
    return tokens_in(css.read_text(encoding="utf-8"))


def tokens_in(text: str) -> dict[str, str]:
    """The custom properties of the ``:root`` rules in the style sheet ``text``."""
    text = _COMMENT.sub("", text)
    found: dict[str, str] = {}
    for block in _ROOT.findall(text):
        for name, value in _PROPERTY.findall(block):
            found[name] = value.strip()
    return found


def _numbered(values: dict[str, str], prefix: str) -> list[str]:
    out = []
    n = 1
    while f"{prefix}-{n}" in values:
        out.append(values[f"{prefix}-{n}"])
        n += 1
    return out


def palette(css: Path) -> list[str]:
    """The chart colours, ``--diagram-1`` onwards, as ``#rrggbb``."""
    return palette_of(tokens(css))


def palette_of(values: dict[str, str]) -> list[str]:
    """The chart colours among ``values``, ``--diagram-1`` onwards."""
    return _numbered(values, "diagram")


def level_colours(css: Path) -> list[str]:
    """The colours of the måluppfyllelse levels, highest first (``--niva-1`` onwards)."""
    return _numbered(tokens(css), "niva")


def first_family(value: str) -> str:
    """The first font family of a CSS font list: ``"Liberation Sans", sans-serif`` → name."""
    return value.split(",")[0].strip().strip("\"'")


def points(value: str) -> float:
    """A CSS length in pt (``10pt``) as a number."""
    return float(value.strip().removesuffix("pt"))


def level_colours_of(values: dict[str, str]) -> list[str]:
    """The colours of the måluppfyllelse levels among ``values``, highest first."""
    return _numbered(values, "niva")


def identity(own: Path, built_in: Path) -> dict[str, str]:
    """The tokens of the styles folder's own ``rapport.css`` (``own``) over the built-in
    ones, so that an older style sheet without a newer token still works."""
    values = tokens(built_in)
    if own.is_file() and own != built_in:
        values |= tokens(own)
    return values


def root_css(tokens: dict[str, str]) -> str:
    """``tokens`` as a ``:root`` rule, laid over the style sheet in the PDF."""
    if not tokens:
        return ""
    return ":root { " + " ".join(f"--{k}: {v};" for k, v in tokens.items()) + " }\n"



_FACE = re.compile(r"@font-face\s*\{(.*?)\}", re.S)
_DESCRIPTOR = re.compile(r"([\w-]+)\s*:\s*([^;]+);?")
_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def token_lines(text: str) -> dict[str, int]:
    """The line of the style sheet ``text`` where each custom property of its ``:root``
    rules is set: the last such place, the one that counts."""
    # A comment gives way to its line breaks, so that lines count as in ``text``.
    text = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    lines: dict[str, int] = {}
    for root in _ROOT.finditer(text):
        for prop in _PROPERTY.finditer(text, root.start(1), root.end(1)):
            lines[prop.group(1)] = text.count("\n", 0, prop.start()) + 1
    return lines


def font_faces(css: Path) -> dict[str, dict[tuple[bool, bool], Path]]:
    """The font files the style sheet's ``@font-face`` rules declare: by family, by
    (bold, italic), each file beside the style sheet."""
    text = _COMMENT.sub("", css.read_text(encoding="utf-8"))
    faces: dict[str, dict[tuple[bool, bool], Path]] = {}
    for block in _FACE.findall(text):
        desc = {k.lower(): v.strip() for k, v in _DESCRIPTOR.findall(block)}
        url = _URL.search(desc.get("src", ""))
        if "font-family" not in desc or url is None:
            continue
        bold = desc.get("font-weight", "normal") in ("bold", "700", "600", "800", "900")
        italic = desc.get("font-style", "normal") in ("italic", "oblique")
        faces.setdefault(first_family(desc["font-family"]), {})[(bold, italic)] = (
            css.parent / url.group(1))
    return faces
