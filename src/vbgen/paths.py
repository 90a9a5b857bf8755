"""The gate every file name passes: vbgen reads only inside the folders it was given, only
regular files and only what it uses, and writes only names it made itself.

A path from the data (``{fil: ...}``, a chart's ``fil``, a table that is a symbolic link) is
resolved, links included, and must lie inside its folder. What is read there must be a
regular file of a sane size: a named pipe, a device or a socket is refused before it is
opened, so that nothing can make vbgen wait or read without end. Names of written files are
made from a fixed alphabet, never taken from data as they are.

A build reads its data through :func:`read_file` while :func:`recording`, so that it knows
afterwards exactly which files (and which absent ones) it was made from: that is what the
"nothing changed" check reads again, and nothing else.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

#: The largest input file vbgen reads (a table, the main file, an image).
MAX_INPUT_BYTES = 20 * 1024 * 1024
#: The largest image, in pixels, taken into a document (about 8000 × 6000).
MAX_IMAGE_PIXELS = 50_000_000

#: Why a file outside its folder is not read; follows "filen".
OUTSIDE = ("ligger utanför datamappen (en sökväg med .. eller /, eller en länk till en annan "
           "mapp); vbgen läser bara filer inuti datamappen")
#: Why a file that is gone is not read; follows "filen".
MISSING = "finns inte i mappen"


class Refused(Exception):
    """A file vbgen will not read; the message follows "filen" in a Swedish sentence."""


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


def not_regular(mode: int) -> str | None:
    """What a file of ``mode`` is, in Swedish, when it is not a regular file; else None."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "en mapp"
    if stat.S_ISFIFO(mode):
        return "en namngiven pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "en socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "en enhetsfil"
    return "ingen vanlig fil"


def _refused_kind(mode: int) -> None:
    """Refuse a file of ``mode`` that is not a regular file, saying what it is."""
    what = not_regular(mode)
    if what is not None:
        raise Refused(f"är {what} och ingen vanlig fil; vbgen läser bara vanliga filer")


def _megabytes(size: int) -> str:
    return f"{max(1, round(size / 1024 / 1024))} MB"


def too_large(size: int, limit: int) -> str:
    """Why a file of ``size`` bytes is not read; follows "filen"."""
    return f"är för stor ({_megabytes(size)}; högst {limit // 1024 // 1024} MB)"


def check_file(folder: Path, path: Path, limit: int = MAX_INPUT_BYTES) -> os.stat_result:
    """The status of ``path`` if vbgen may read it: inside ``folder``, a regular file (links
    followed, never opened) and at most ``limit`` bytes; otherwise :class:`Refused`."""
    if not inside(folder, path):
        raise Refused(OUTSIDE)
    try:
        st = os.stat(path)  # a pipe's or a device's status is read without opening it
    except FileNotFoundError:
        raise Refused("är en länk till en fil som inte finns" if os.path.lexists(path)
                      else MISSING) from None
    _refused_kind(st.st_mode)
    if st.st_size > limit:
        raise Refused(too_large(st.st_size, limit))
    return st


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)


def _open_regular(path: Path) -> int:
    """A descriptor of ``path`` opened without waiting, if it is a regular file once open."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        _refused_kind(os.fstat(fd).st_mode)
    except Refused:
        os.close(fd)
        raise
    return fd


def open_file(path: Path) -> IO[bytes]:
    """``path``, named by the user rather than by data (a Word draft), open for reading if
    it is a regular file: a pipe or a device is refused without waiting for it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise Refused("finns inte") from None
    _refused_kind(st.st_mode)
    return os.fdopen(_open_regular(path), "rb")


def read_file(folder: Path, path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path``, checked as :func:`check_file` says, and never more than
    ``limit`` of them; the read is noted when a build is :func:`recording`.

    The file is opened without waiting (a pipe put in its place after the check does not
    block) and checked again once open. An :class:`OSError` is the system's refusal.
    """
    check_file(folder, path, limit)
    fd = _open_regular(path)
    try:
        st = os.fstat(fd)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:  # in pieces: a file may grow while it is read
            chunk = os.read(fd, min(left, max(st.st_size, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise Refused(too_large(len(data), limit))
    reads = _READS.get()
    if reads is not None:
        reads.files.setdefault(os.path.abspath(path), (os.path.abspath(folder), digest(data)))
    return data


def present(path: Path) -> bool:
    """Whether something is at ``path`` (a link counts, even one to nothing); noted when a
    build is :func:`recording`, since a file that appears later changes what it reads."""
    found = os.path.lexists(path)
    reads = _READS.get()
    if reads is not None:
        reads.probes.setdefault(os.path.abspath(path), found)
    return found


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Reads:
    """What a build read: each file with the folder it was read from and its digest, in
    the order read, and each name looked for, with whether something was there."""

    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    probes: dict[str, bool] = field(default_factory=dict)


_READS: contextvars.ContextVar[Reads | None] = contextvars.ContextVar("vbgen_reads",
                                                                      default=None)


@contextlib.contextmanager
def recording() -> Iterator[Reads]:
    """Note every :func:`read_file` and :func:`present` in the block."""
    reads = Reads()
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def unchanged(reads: Reads) -> bool:
    """Whether every file in ``reads`` reads the same now, through the same gate, in the
    same order (the main file first), and every name looked for is as it was."""
    for path, (folder, known) in reads.files.items():
        try:
            if digest(read_file(Path(folder), Path(path))) != known:
                return False
        except (Refused, OSError):
            return False
    return all(os.path.lexists(path) == found for path, found in reads.probes.items())


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


def zip_too_large(source: Path | IO[bytes], limit: int = MAX_UNPACKED_BYTES) -> bool:
    """Whether the zip file ``source`` declares more than ``limit`` bytes unpacked.

    A file that is not a zip at all is not "too large"; opening it reports that.
    """
    import zipfile

    try:
        with zipfile.ZipFile(source) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return len(infos) > 10_000 or sum(i.file_size for i in infos) > limit
