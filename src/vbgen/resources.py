"""Where the built-in templates and styles are, in a checkout or an installed package."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent  # src/vbgen -> project root


def _find(name: str) -> Path:
    for base in (_CHECKOUT / name, _PACKAGE / "_resources" / name):
        if base.is_dir():
            return base
    raise FileNotFoundError(f"hittar inte mappen {name} för vbgen")


def template_dirs() -> list[Path]:
    """The built-in template folders."""
    return [_find("templates")]


def styles_dir() -> Path:
    """The built-in styles folder: the PDF stylesheet and the Word reference document."""
    return _find("styles")


def startmapp_dir() -> Path:
    """The contents of the starting data folder that ``vbgen ny`` writes."""
    return _find("startmapp")
