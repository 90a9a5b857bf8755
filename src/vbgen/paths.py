"""The gate every file name passes: vbgen reads only inside the folders it was given and
writes only names it made itself.

A path from the data (``{fil: ...}``, a chart's ``fil``, a table that is a symbolic link) is
resolved, links included, and must lie inside its folder. Names of written files are made
from a fixed alphabet, never taken from data as they are.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

#: The largest input file vbgen reads (a table, a text, the main file, an image).
MAX_INPUT_BYTES = 20 * 1024 * 1024
#: The largest image, in pixels, taken into a document (about 8000 × 6000).
MAX_IMAGE_PIXELS = 50_000_000


def inside(folder: Path, path: Path) -> bool:
    """Whether ``path``, with every link resolved, lies inside ``folder``."""
    try:
        path.resolve(strict=False).relative_to(folder.resolve(strict=False))
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def within(folder: Path, name: str) -> Path | None:
    """``folder / name`` if it lies inside ``folder`` (links resolved), otherwise None."""
    if "\x00" in name:
        return None
    target = folder / name
    return target if inside(folder, target) else None


def inside_any(folders: list[Path], path: Path) -> bool:
    """Whether ``path`` lies inside one of ``folders``."""
    return any(inside(f, path) for f in folders)


_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o"})


def safe_name(text: str, fallback: str = "x", limit: int = 60) -> str:
    """A file-name part from ``text`` in the alphabet a–z, 0–9, ``_`` and ``-``.

    "Socialnämnden" gives "socialnamnden"; a slash, a dot or a space gives "-", so no name
    made from data can leave its folder or be hidden.
    """
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD).lower())
    ascii_ = folded.encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^a-z0-9_]+", "-", ascii_).strip("-_")[:limit].strip("-_")
    return name or fallback


#: The most a zip container (DOCX, XLSX) that vbgen opens may unpack to.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def zip_too_large(path: Path, limit: int = MAX_UNPACKED_BYTES) -> bool:
    """Whether the zip file at ``path`` declares more than ``limit`` bytes unpacked.

    A file that is not a zip at all is not "too large"; opening it reports that.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return len(infos) > 10_000 or sum(i.file_size for i in infos) > limit
