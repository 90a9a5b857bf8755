"""Know, before loading anything, that a rebuild would only repeat the last build.

A build's inputs are the data folder, the template and style folders (the user's and the
built-in ones), the build options and vbgen itself with the libraries that lay out its
files. Their fingerprint is kept beside the chart cache with the digest of every file that
build wrote; when the fingerprint is the same and every one of those files is still as vbgen
wrote it, there is nothing to do.

This module imports nothing heavy, so that the answer comes in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import __version__

#: The fingerprint of the last build, in the output folder's cache.
RECORD = "senaste-bygge.json"
#: What a build with nothing to do says.
NOTHING_CHANGED = ("Inget har ändrats sedan förra bygget: filerna i {out} är aktuella och "
                   "skrevs inte om.")
#: Libraries whose version changes what vbgen writes.
LIBRARIES = ("weasyprint", "python-docx", "matplotlib", "pikepdf", "jinja2")


def _add_tree(h: hashlib._Hash, root: Path, skip: Path | None) -> None:
    """Add every file under ``root`` (name and content) to ``h``, in a stable order."""
    if not root.is_dir():
        h.update(f"-{root}\0".encode())
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        # Hidden entries (.git, editors' lock files) and the output folder are not inputs.
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and (skip is None or here / d != skip))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            h.update(f"{path.relative_to(root)}\0".encode())
            try:
                h.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError:
                h.update(b"?")


def _code(h: hashlib._Hash) -> None:
    """vbgen's own version and code, and the versions of the libraries it writes with."""
    from importlib.metadata import PackageNotFoundError, version

    h.update(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        h.update(f"{path.relative_to(package)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    for name in LIBRARIES:
        try:
            h.update(f"{name}={version(name)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{name}=?\0".encode())


def inputs(folder: Path, folders: list[Path], options: dict[str, object], out: Path) -> str:
    """The fingerprint of a build of ``folder`` with these template and style ``folders``."""
    h = hashlib.sha256()
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    _code(h)
    skip = out.resolve()
    for root in [folder, *folders]:
        h.update(f"\0{root.resolve()}\0".encode())
        _add_tree(h, root.resolve(), skip)
    return h.hexdigest()


def _digest_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def unchanged(record: Path, fingerprint: str, out: Path) -> list[str] | None:
    """The notes of the last build if it had these inputs and its files are untouched."""
    try:
        last = json.loads(record.read_text(encoding="utf-8"))
        if last["fingerprint"] != fingerprint or not last["files"]:
            return None
        for name, digest in last["files"].items():
            if _digest_file(out / name) != digest:
                return None
        return [str(note) for note in last["notes"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def remember(record: Path, fingerprint: str, files: dict[Path, bytes],
             notes: list[str]) -> None:
    """Keep the fingerprint of a finished build, what it wrote and what it said."""
    data = {"fingerprint": fingerprint, "notes": notes,
            "files": {p.name: hashlib.sha256(b).hexdigest() for p, b in files.items()}}
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_name(record.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(record)


def forget(record: Path) -> None:
    """Drop the record, so that the next build is a full one."""
    record.unlink(missing_ok=True)
