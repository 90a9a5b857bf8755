"""Know, before loading anything, that a rebuild would only repeat the last build.

A build's inputs are the files it read from the data folder and the kommun profile (each
with its digest, noted as they were read: :func:`vbgen.paths.recording`), the names it
looked for there, the template and style folders (the user's and the built-in ones), the
build options and vbgen itself with the libraries that lay out its files. Their record is
kept beside the chart cache with the digest of every file that build wrote; when nothing of
it has changed and every one of those files is still as vbgen wrote it, there is nothing to
do.

The check reads only what the last build read, through the same gate, the main file first;
it never walks the data folder, so a file there that the data does not name is never
opened. The template and style folders are compared by the size and time of their regular
files, without reading them.

This module imports nothing heavy, so that the answer comes in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from . import __version__
from .paths import Reads, Refused, digest, inside, read_file
from .paths import unchanged as reads_unchanged

#: The record of the last build, in the output folder's cache.
RECORD = "senaste-bygge.json"
#: What a build with nothing to do says.
NOTHING_CHANGED = ("Inget har ändrats sedan förra bygget: filerna i {out} är aktuella och "
                   "skrevs inte om.")
#: Libraries whose version changes what vbgen writes.
LIBRARIES = ("weasyprint", "python-docx", "matplotlib", "pikepdf", "jinja2")


def _add_tree(h: hashlib._Hash, root: Path, skip: Path | None) -> None:
    """Add the name, size and time of every regular file under ``root`` to ``h``, in a
    stable order, without opening any of them.

    Links are not followed out of ``root``, and pipes, devices and sockets are left out:
    a build reads none of them (the gate refuses them where the build meets them).
    """
    if not root.is_dir():
        h.update(f"-{root}\0".encode())
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        # Hidden entries (.git, editors' lock files) and the output folder are not inputs.
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and (skip is None or here / d != skip))
        for name in sorted(filenames):
            path = here / name
            if name.startswith(".") or not inside(root, path):
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                h.update(f"{path.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\0"
                         .encode())


def _code(h: hashlib._Hash) -> None:
    """vbgen's own version and code, and the versions of the libraries it writes with."""
    from importlib.metadata import PackageNotFoundError, version

    h.update(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        h.update(f"{path.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for name in LIBRARIES:
        try:
            h.update(f"{name}={version(name)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{name}=?\0".encode())


def tree(root: Path, skip: Path | None = None) -> str:
    """The digest of the regular files under ``root``: names, sizes and times."""
    h = hashlib.sha256()
    _add_tree(h, root.resolve(), skip)
    return h.hexdigest()


def settings(folders: list[Path], options: dict[str, object], out: Path) -> str:
    """The fingerprint of everything but the data: options, vbgen and the template and
    style ``folders``."""
    h = hashlib.sha256()
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    _code(h)
    skip = out.resolve()
    for root in folders:
        h.update(f"\0{root.resolve()}\0{tree(root, skip)}".encode())
    return h.hexdigest()


def _digest_file(out: Path, name: str) -> str | None:
    """The digest of a file the last build wrote, if it is still a regular file."""
    try:
        return digest(read_file(out, out / Path(name).name, limit=1 << 40))
    except (Refused, OSError):
        return None


def unchanged(record: Path, fingerprint: str, out: Path) -> list[str] | None:
    """The notes of the last build if it had these settings (``fingerprint``), its other
    folders and the data it read are the same and its files are untouched; else None."""
    try:
        last = json.loads(record.read_text(encoding="utf-8"))
        if last["fingerprint"] != fingerprint or not last["files"]:
            return None
        if any(tree(Path(folder)) != known for folder, known in last["folders"].items()):
            return None
        reads = Reads({str(p): (str(f), str(d)) for p, (f, d) in last["inputs"].items()},
                      {str(p): bool(v) for p, v in last["probes"].items()})
        if not reads.files or not reads_unchanged(reads):
            return None
        for name, known in last["files"].items():
            if _digest_file(out, name) != known:
                return None
        return [str(note) for note in last["notes"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def remember(record: Path, fingerprint: str, folders: dict[Path, str], reads: Reads,
             files: dict[Path, bytes], notes: list[str], gaps: int | None = None) -> None:
    """Keep the record of a finished build: its settings, the digests of the folders found
    from its data (the kommun profile's styles), what it read, what it wrote, what it
    said and how many gaps its drafts have."""
    data = {"fingerprint": fingerprint, "notes": notes, "gaps": gaps,
            "folders": {str(p): d for p, d in folders.items()},
            "inputs": {p: list(v) for p, v in reads.files.items()}, "probes": reads.probes,
            "files": {p.name: hashlib.sha256(b).hexdigest() for p, b in files.items()}}
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_name(record.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(record)


def recorded_gaps(record: Path) -> int | None:
    """How many gaps the build that kept ``record`` found; None if it does not say."""
    try:
        gaps = json.loads(record.read_text(encoding="utf-8")).get("gaps")
    except (OSError, ValueError, AttributeError):
        return None
    return gaps if isinstance(gaps, int) and not isinstance(gaps, bool) and gaps >= 0 else None


def forget(record: Path) -> None:
    """Drop the record, so that the next build is a full one."""
    record.unlink(missing_ok=True)
