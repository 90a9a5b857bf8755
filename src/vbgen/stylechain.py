"""The styles folders a build takes its look from, nearest first: nämnd, kommun, built-in.

A data folder may hold ``stilar/`` as a kommun profile does. Each style file is taken from
the nearest folder that has it (the logotype as one: its SVG, PNG or JPEG from one folder),
and a folder's ``identitet.css`` sets only ``:root`` tokens over the folders below it, so
that a nämnd declares just what differs (its accent colour, its logotype) and never copies
the kommun's whole ``rapport.css``. Both formats and the charts read the merged tokens
(:meth:`StyleChain.tokens`): the PDF as a ``:root`` rule laid over the style sheet, the Word
styles and the charts directly.
"""

from __future__ import annotations

import difflib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from .errors import StyleError, environment_problem
from .paths import (
    MAX_IMAGE_PIXELS,
    MAX_INPUT_BYTES,
    Refused,
    check_file,
    inside,
    present,
    read_file,
)
from .resources import styles_dir
from .writers import stil

#: The folder of a kommun profile, or of a data folder, that holds its own styles.
PROFILE_STYLES = "stilar"
#: The file of a styles folder that only sets ``:root`` tokens over the folders below it.
IDENTITY_FILE = "identitet.css"
#: The logotype's file in a styles folder, in the order they are looked for. An SVG (sharp
#: in the PDF at any size) needs its PNG beside it for the Word file.
LOGO_FILES = ("logotyp.svg", "logotyp.png", "logotyp.jpg")
#: Tokens an ``identitet.css`` may not set: a font needs its files and ``@font-face`` rules,
#: which only a ``rapport.css`` has (and the tables' widths are measured in the body font).
FONT_TOKENS = ("brodtext", "rubriker", "typsnitt-word")

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_SIZE = re.compile(r"\d+(\.\d+)?pt")


@dataclass(frozen=True)
class StyleChain:
    """The styles folders of a build, nearest first; vbgen's built-in folder is always last."""

    folders: tuple[Path, ...]

    @classmethod
    def of(cls, *folders: Path | None) -> StyleChain:
        """The chain of ``folders`` (those given), nearest first, over the built-in one."""
        return cls(tuple(dict.fromkeys([*(f for f in folders if f is not None), styles_dir()])))

    @property
    def nearest(self) -> Path:
        """The nearest folder: where a new style file would go, and what messages name."""
        return self.folders[0]

    def file(self, name: str) -> Path:
        """The style file ``name`` from the nearest folder that has it (the built-in
        folder's path if none has). What stands there must be a regular file inside its
        folder: a link out, a pipe or a device is refused, never opened."""
        for folder in self.folders[:-1]:
            found = _own_file(folder, name)
            if found is not None:
                return found
        return self.folders[-1] / name

    @property
    def stylesheet(self) -> Path:
        return self.file("rapport.css")

    def overrides(self) -> dict[str, str]:
        """The tokens the ``identitet.css`` files set over the style sheet, the nearest
        winning. Those below the style sheet's own folder are left out: a ``rapport.css``
        declares the whole identity of the folders under it."""
        base = self.stylesheet.parent
        above = self.folders[:self.folders.index(base) + 1] if base in self.folders else ()
        values: dict[str, str] = {}
        for folder in reversed(above):
            own = _own_file(folder, IDENTITY_FILE)
            if own is not None:
                values |= {name: value for name, value, _ in read_identity(own)}
        return values

    def tokens(self) -> dict[str, str]:
        """The identity both formats follow: the style sheet's tokens over the built-in
        ones, and the ``identitet.css`` files' over those."""
        return stil.identity(self.stylesheet, styles_dir() / "rapport.css") | self.overrides()

    def logo(self) -> Path | None:
        """The logotype of the nearest folder that has one; vbgen itself ships none."""
        for folder in self.folders:
            found = [p for name in LOGO_FILES if (p := _own_file(folder, name)) is not None]
            if found:
                return _checked_logo(found[0], folder)
        return None

    def check(self) -> None:
        """Every ``identitet.css`` of the chain sets known tokens to values both formats
        take, and so does the style sheet; a message names the file and line of the first
        that does not."""
        for folder in self.folders:
            own = _own_file(folder, IDENTITY_FILE)
            if own is not None:
                read_identity(own)
        check_style_sheet(self.stylesheet)


def _own_file(folder: Path, name: str) -> Path | None:
    """``folder / name`` if it is there, refused if it is no regular file inside ``folder``."""
    own = folder / name
    if not present(own):
        return None
    if not inside(folder, own):
        raise StyleError(f"{own}: filen är en länk ut ur stilmappen; vbgen läser bara filer "
                         "inuti stilmappen")
    try:
        check_file(folder, own, limit=1 << 40)  # the size of each kind is checked where read
    except Refused as exc:
        raise StyleError(f"{own}: filen {exc}") from None
    return own


def data_styles(folder: Path) -> Path | None:
    """The data folder's own ``stilar/``, if it has one inside it."""
    return _styles_folder(folder, "datamappen")


def profile_styles(profile: Path) -> Path | None:
    """The kommun profile's ``stilar/``, if it has one inside the profile."""
    return _styles_folder(profile, "kommunprofilen")


def _styles_folder(parent: Path, named: str) -> Path | None:
    own = parent / PROFILE_STYLES
    if not present(own):
        return None
    if not inside(parent, own):
        raise StyleError(f"{own}: mappen är en länk ut ur {named}; vbgen läser bara "
                         f"stilar inuti {named}")
    return own.resolve() if own.is_dir() else None


def _known() -> dict[str, str]:
    return stil.tokens(styles_dir() / "rapport.css")


def read_identity(path: Path) -> list[tuple[str, str, int]]:
    """The tokens an ``identitet.css`` sets, as (name without ``--``, value, line).

    The file holds only ``:root`` rules of custom properties that the built-in style sheet
    knows, a colour as ``#rrggbb`` and a size in pt, so that the PDF and the Word styles can
    both follow it; anything else is refused with its line.
    """
    import tinycss2

    text = _read_style_file(path)
    known = _known()
    found = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        where = f"{path} rad {rule.source_line}"
        if rule.type == "error":
            raise StyleError(f"{where}: CSS-koden går inte att tolka ({rule.message})")
        selector = tinycss2.serialize(rule.prelude).strip()
        if rule.type != "qualified-rule" or selector != ":root":
            shown = f"@{rule.at_keyword}" if rule.type == "at-rule" else selector
            raise StyleError(f"{where}: {IDENTITY_FILE} anger bara variabler under :root, "
                             f"inte {shown}; annan CSS hör hemma i en rapport.css")
        for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                   skip_whitespace=True):
            line = f"{path} rad {item.source_line}"
            if item.type == "error":
                raise StyleError(f"{line}: CSS-koden går inte att tolka ({item.message})")
            if item.type != "declaration" or not item.name.startswith("--"):
                shown = getattr(item, "name", tinycss2.serialize([item]).strip())
                raise StyleError(f"{line}: {IDENTITY_FILE} anger bara variabler (som "
                                 f"--accent), inte {shown}")
            name = item.name[2:]
            value = tinycss2.serialize(item.value).strip()
            _check_token(line, name, value, known)
            found.append((name, value, item.source_line))
    return found


def check_style_sheet(path: Path) -> None:
    """The tokens a ``rapport.css`` sets in its ``:root`` rules that the Word styles and
    the charts read take values they can: a colour as ``#rrggbb``, a size in pt. A message
    names the file and line of the first that does not; other custom properties are the
    style sheet's own. The built-in style sheet is not read: its values are vbgen's own."""
    if path == styles_dir() / "rapport.css":
        return
    text = _read_style_file(path)
    known = _known()
    lines = stil.token_lines(text)
    for name, value in stil.tokens_in(text).items():
        if name not in FONT_TOKENS and _is_token(name, known):
            _check_value(f"{path} rad {lines[name]}", name, value, known)


def _read_style_file(path: Path) -> str:
    """The text of the style file ``path``, read as the files of its folder are; a file
    that is no regular file inside it, or not UTF-8, is refused with its name."""
    try:
        return read_file(path.parent, path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StyleError(f"{path}: filen är inte sparad som UTF-8") from None
    except Refused as exc:
        raise StyleError(f"{path}: filen {exc}") from None
    except OSError as exc:
        raise environment_problem(exc, "kan inte läsa", path) from None


def _is_token(name: str, known: dict[str, str]) -> bool:
    return name in known or re.fullmatch(r"(diagram|niva)-\d+", name) is not None


def _check_token(where: str, name: str, value: str, known: dict[str, str]) -> None:
    if name in FONT_TOKENS:
        raise StyleError(f"{where}: --{name} anger ett typsnitt, och typsnitt byts i en "
                         "rapport.css (med sina @font-face-regler och filer i fonts/), inte i "
                         f"{IDENTITY_FILE}")
    if not _is_token(name, known):
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f" (menade du --{close[0]}?)" if close else ""
        allowed = ", ".join(f"--{n}" for n in known if n not in FONT_TOKENS)
        raise StyleError(f"{where}: variabeln --{name} finns inte{hint}; de som går att ange "
                         f"är {allowed}")
    _check_value(where, name, value, known)


def _check_value(where: str, name: str, value: str, known: dict[str, str]) -> None:
    example = known.get(name) or known.get(f"{name.split('-')[0]}-1", "")
    if _COLOUR.fullmatch(example):
        if not _COLOUR.fullmatch(value):
            raise StyleError(f'{where}: --{name} har värdet "{value}", som inte är en färg '
                             f"vbgen tar; skriv färgen som #rrggbb, till exempel {example}")
    elif _SIZE.fullmatch(example) and not _SIZE.fullmatch(value):
        raise StyleError(f'{where}: --{name} har värdet "{value}", som inte är en storlek '
                         f"vbgen tar; skriv storleken i punkter, till exempel {example}")


def _checked_logo(logo: Path, folder: Path) -> Path:
    """The logotype, checked: an SVG with its PNG beside it, each the kind its name says."""
    if logo.suffix == ".svg":
        raster = _own_file(folder, "logotyp.png")
        if raster is None or not raster.is_file():
            raise StyleError(f"{logo}: en logotyp som SVG behöver samma bild som PNG bredvid "
                             f"sig, {logo.with_suffix('.png').name}, för Word-filen")
        if logo.stat().st_size > MAX_INPUT_BYTES:
            raise StyleError(f"{logo}: logotypen är {logo.stat().st_size // 1024 // 1024} MB; "
                             f"högst {MAX_INPUT_BYTES // 1024 // 1024} MB")
        _check_logo(raster)
    else:
        _check_logo(logo)
    return logo


def _check_logo(path: Path) -> None:
    """The logotype must be a PNG or JPEG, as its name says, and of a printable size."""
    from PIL import Image, UnidentifiedImageError

    expected = "PNG" if path.suffix.lower() == ".png" else "JPEG"
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise StyleError(f"{path}: logotypen är {size // 1024 // 1024} MB; högst "
                             f"{MAX_INPUT_BYTES // 1024 // 1024} MB")
        data = read_file(path.parent, path, MAX_INPUT_BYTES)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the pixel count is checked below
            # Only the header is read here; Pillow's own limit would call a large image
            # "no image" (DecompressionBombError) before its size could be told.
            limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
            try:
                with Image.open(io.BytesIO(data)) as image:
                    kind, (width, height) = image.format, image.size
            finally:
                Image.MAX_IMAGE_PIXELS = limit
    except Refused as exc:
        raise StyleError(f"{path}: filen {exc}") from None
    except UnidentifiedImageError:
        raise StyleError(f"{path}: filen är ingen {expected}-bild (en SVG eller en annan sorts "
                         f"fil med fel namn?); spara logotypen som {expected}") from None
    except OSError as exc:
        raise environment_problem(exc, "kan inte läsa", path) from None
    if kind != expected:
        raise StyleError(f"{path}: filen är en {kind}-bild men heter {path.name}; spara "
                         f"logotypen som {expected}")
    if width * height > MAX_IMAGE_PIXELS:
        raise StyleError(f"{path}: logotypen är {width} × {height} bildpunkter, mer än "
                         f"vbgen tar (högst {MAX_IMAGE_PIXELS // 1_000_000} miljoner "
                         "bildpunkter); spara den mindre, till exempel 2 000 bildpunkter bred")

