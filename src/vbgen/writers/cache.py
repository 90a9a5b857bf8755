"""Chapters laid out by the last build, kept in the output folder's cache.

Two things are kept for a chapter: its facts (pages, anchors, bookmarks: what laying it out
told), by the digest of what its pages are made of, and its PDF, by that digest and the
numbers it was numbered with. A build reads what the last one kept and stages what it used
or made; the staged files go into the cache with the build's other files, in the same
commit, and files no build uses any more are removed then (:func:`prune`).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .layout import Facts

#: The record of the cached chapters, in the cache folder.
INDEX = "kapitel.json"
#: How a chapter's PDF is named in the cache folder.
PREFIX = "kapitel-"
_NAME = re.compile(rf"{PREFIX}[0-9a-f]{{32}}\.pdf")


class LayoutCache:
    """The chapters of the last build (in ``folder``), and those of this one (staged in
    ``staging``)."""

    def __init__(self, folder: Path | None = None, staging: Path | None = None) -> None:
        self.folder = folder
        self.staging = staging
        self._old: dict[str, Any] = {}
        if folder is not None:
            try:
                data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
                self._old = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                pass
        self._facts: dict[str, dict[str, Any]] = {}
        self._pdfs: dict[str, dict[str, Any]] = {}
        self._apart: dict[str, bool] = dict(self._section("apart"))
        self._pages: dict[str, dict[str, int]] = {}
        #: PDFs made by this build and not yet staged, by name.
        self._made: dict[str, bytes] = {}

    def _section(self, name: str) -> dict[str, Any]:
        """A part of the last build's record; nothing if it is not what vbgen writes."""
        found = self._old.get(name)
        return found if isinstance(found, dict) else {}

    def facts(self, key: str) -> Facts | None:
        found = self._facts.get(key) or self._section("facts").get(key)
        facts = _facts(found)
        if facts is not None:
            self._facts[key] = asdict(facts)
        return facts

    def put_facts(self, key: str, facts: Facts) -> None:
        self._facts[key] = asdict(facts)

    def pdf(self, key: str) -> tuple[bytes, dict[str, str]] | None:
        """A chapter's PDF, numbered as ``key`` says, and its fonts' digests."""
        entry = self._pdfs.get(key) or self._section("pdfs").get(key)
        if not isinstance(entry, dict):
            return None
        name = entry.get("file", "")
        fonts = entry.get("fonts", {})
        # A name in the record is only ever one vbgen made, never a path.
        if not isinstance(name, str) or not _NAME.fullmatch(name) or not isinstance(fonts, dict):
            return None
        data = self._made.get(name)
        if data is None:
            for folder in (self.staging, self.folder):
                if folder is None:
                    continue
                try:
                    data = (folder / name).read_bytes()
                    break
                except OSError:
                    continue
        if data is None:
            return None
        self._pdfs[key] = entry
        return data, {str(k): str(v) for k, v in fonts.items()}

    def put_pdf(self, key: str, data: bytes, fonts: dict[str, str]) -> None:
        name = f"{PREFIX}{key}.pdf"
        self._pdfs[key] = {"file": name, "fonts": fonts}
        self._made[name] = data

    def pages(self, document: str) -> dict[str, int] | None:
        """The page of each anchor of ``document`` in the last build that laid it out."""
        found = self._section("pages").get(document)
        return dict(found) if isinstance(found, dict) else None

    def put_pages(self, document: str, pages: dict[str, int]) -> None:
        self._pages[document] = pages

    def apart(self, boundary: str) -> bool:
        """Whether a chapter may begin at ``boundary`` (a digest of what meets there)."""
        return self._apart.get(boundary, True)

    def not_apart(self, boundary: str) -> None:
        self._apart[boundary] = False

    def following(self) -> LayoutCache:
        """A cache for the next layout in this process (no folder), knowing what this one
        used and made."""
        cache = LayoutCache()
        cache._old = {"facts": dict(self._facts), "apart": dict(self._apart),
                      "pages": dict(self._pages)}
        cache._apart = dict(self._apart)
        return cache

    def save(self) -> list[Path]:
        """Stage what this build used and made; return the staged files."""
        if self.staging is None:
            return []
        staged = []
        for name, data in self._made.items():
            path = self.staging / name
            path.write_bytes(data)
            staged.append(path)
        self._made.clear()
        index = self.staging / INDEX
        index.write_text(json.dumps({"facts": self._facts, "pdfs": self._pdfs,
                                     "apart": self._apart, "pages": self._pages},
                                    ensure_ascii=False), encoding="utf-8")
        return [index, *staged]

    def files(self) -> set[str]:
        """The names of the chapter PDFs this build used or made."""
        return {entry["file"] for entry in self._pdfs.values()}


def _facts(found: object) -> Facts | None:
    """Facts as the record keeps them, or None if they are not what vbgen writes."""
    if not isinstance(found, dict):
        return None
    try:
        facts = Facts(**found)
        facts.bookmarks = [[(int(level), str(label), float(x), float(y), str(state))
                            for level, label, x, y, state in page] for page in facts.bookmarks]
        ok = (isinstance(facts.pages, int) and isinstance(facts.footnotes, int)
              and all(isinstance(v, int) for v in facts.anchors.values()))
    except (TypeError, ValueError, AttributeError):
        return None
    return facts if ok else None


def prune(folder: Path, keep: set[str]) -> None:
    """Remove the chapter PDFs in ``folder`` that are not in ``keep``."""
    for path in folder.glob(f"{PREFIX}*.pdf"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
