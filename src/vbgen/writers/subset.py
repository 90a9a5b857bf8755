"""Cut a font down to the glyphs a document uses, with HarfBuzz.

Chapters laid out apart each embed the glyphs they use; the joined document embeds each font
once, cut from the font file with every chapter's glyphs (:mod:`vbgen.writers.join`). The cut
is WeasyPrint's (glyph ids kept, the same tables dropped, no hinting), so the font comes out
as a document laid out in one piece would embed it. A Word file's fonts are cut by the
characters they must show (:func:`by_characters`), layout tables kept, in a thousandth of
fontTools' time; so is the charts' font (:func:`vbgen.writers.charts.chart_font`). Without
HarfBuzz's subsetting library (``libharfbuzz-subset``) :func:`available` is false: each
chapter keeps its own fonts, fontTools cuts Word's, and charts embed from the whole font.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

_RETAIN_GIDS = 0x02
_DESUBROUTINIZE = 0x04
_NO_HINTING = 0x01
_PASSTHROUGH_UNRECOGNIZED = 0x20
_GLYPH_NAMES = 0x80
# hb_subset_sets_t
_UNICODE = 1
_DROP_TABLE_TAG = 3
_NAME_ID = 4
#: The tables WeasyPrint leaves out of an embedded font.
_DROPPED = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
            b"PCLT", b"SVG ")


@cache
def _libraries() -> tuple[ctypes.CDLL, ctypes.CDLL] | None:
    names = ctypes.util.find_library("harfbuzz"), ctypes.util.find_library("harfbuzz-subset")
    if not all(names):
        return None
    try:
        hb, sub = (ctypes.CDLL(name) for name in names)
    except OSError:
        return None
    p, uint = ctypes.c_void_p, ctypes.c_uint
    for lib, name, restype, argtypes in (
            (hb, "hb_blob_create", p, [ctypes.c_char_p, uint, ctypes.c_int, p, p]),
            (hb, "hb_blob_destroy", None, [p]),
            (hb, "hb_blob_get_data", ctypes.POINTER(ctypes.c_char), [p, ctypes.POINTER(uint)]),
            (hb, "hb_face_create", p, [p, uint]),
            (hb, "hb_face_destroy", None, [p]),
            (hb, "hb_face_reference_blob", p, [p]),
            (hb, "hb_set_add", None, [p, uint]),
            (hb, "hb_tag_from_string", ctypes.c_uint32, [ctypes.c_char_p, ctypes.c_int]),
            (sub, "hb_subset_input_create_or_fail", p, []),
            (sub, "hb_subset_input_destroy", None, [p]),
            (sub, "hb_subset_input_glyph_set", p, [p]),
            (sub, "hb_subset_input_unicode_set", p, [p]),
            (sub, "hb_subset_input_set", p, [p, ctypes.c_int]),
            (sub, "hb_subset_input_set_flags", None, [p, uint]),
            (sub, "hb_subset_or_fail", p, [p, p])):
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return hb, sub


def _bytes(hb: ctypes.CDLL, face: int) -> bytes | None:
    """The font file of the subset ``face``, or None if it is empty."""
    out = hb.hb_face_reference_blob(face)
    length = ctypes.c_uint()
    data = hb.hb_blob_get_data(out, ctypes.byref(length))
    result = ctypes.string_at(data, length.value) if data else None
    hb.hb_blob_destroy(out)
    return result or None


def available() -> bool:
    """Whether fonts can be cut here as WeasyPrint cuts them."""
    return _libraries() is not None


@contextmanager
def _request(hb: ctypes.CDLL, sub: ctypes.CDLL, font: bytes, index: int = 0
             ) -> Iterator[tuple[Any, Any, list[Any]]]:
    """HarfBuzz's face of ``font`` (read-only, not copied), a subset request for it (empty
    if HarfBuzz could not make one) and a list for the faces cut from it: all destroyed
    when done."""
    blob = hb.hb_blob_create(font, len(font), 1, None, None)
    face = hb.hb_face_create(blob, index)
    request = sub.hb_subset_input_create_or_fail()
    made: list[Any] = []
    try:
        yield face, request, made
    finally:
        for cut in made:
            if cut:
                hb.hb_face_destroy(cut)
        if request:
            sub.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _drop(hb: ctypes.CDLL, sub: ctypes.CDLL, request: Any, tags: tuple[bytes, ...]) -> None:
    """Have ``request`` leave the tables ``tags`` out, besides those HarfBuzz leaves out."""
    dropped = sub.hb_subset_input_set(request, _DROP_TABLE_TAG)
    for tag in tags:
        hb.hb_set_add(dropped, hb.hb_tag_from_string(tag, -1))


def subset(font: bytes, glyphs: set[int], index: int = 0) -> bytes | None:
    """The font file ``font`` with only ``glyphs`` (by glyph id, ids kept), or None."""
    libraries = _libraries()
    if libraries is None or not glyphs:
        return None
    hb, sub = libraries
    with _request(hb, sub, font, index) as (face, request, made):
        if not request:
            return None
        for glyph in sorted(glyphs):
            hb.hb_set_add(sub.hb_subset_input_glyph_set(request), glyph)
        _drop(hb, sub, request, _DROPPED)
        # As WeasyPrint: first keep the glyphs in their places, then drop the empty glyphs
        # after the last one used.
        sub.hb_subset_input_set_flags(request, _RETAIN_GIDS | _PASSTHROUGH_UNRECOGNIZED
                                      | _DESUBROUTINIZE)
        made.append(sub.hb_subset_or_fail(face, request))
        if not made[-1]:
            return None
        for glyph in range(max(glyphs) + 1):
            hb.hb_set_add(sub.hb_subset_input_glyph_set(request), glyph)
        sub.hb_subset_input_set_flags(request, _PASSTHROUGH_UNRECOGNIZED | _DESUBROUTINIZE
                                      | _NO_HINTING)
        made.append(sub.hb_subset_or_fail(made[-1], request))
        return _bytes(hb, made[-1]) if made[-1] else None


def by_characters(font: bytes, characters: set[int], *, hinting: bool = False,
                  glyph_names: bool = False, drop: tuple[bytes, ...] = ()) -> bytes | None:
    """The font file ``font`` with the glyphs of ``characters`` and what its layout tables
    reach from them, every name kept, without the tables ``drop``, and with its hinting or
    glyph names only if asked; None without HarfBuzz."""
    libraries = _libraries()
    if libraries is None:
        return None
    hb, sub = libraries
    with _request(hb, sub, font) as (face, request, made):
        if not request:
            return None
        wanted = sub.hb_subset_input_unicode_set(request)
        for character in sorted(characters):
            hb.hb_set_add(wanted, character)
        names = sub.hb_subset_input_set(request, _NAME_ID)
        for name_id in range(256):  # the font's names as they are: Word shows the family
            hb.hb_set_add(names, name_id)
        _drop(hb, sub, request, drop)
        sub.hb_subset_input_set_flags(request, (0 if hinting else _NO_HINTING)
                                      | (_GLYPH_NAMES if glyph_names else 0))
        made.append(sub.hb_subset_or_fail(face, request))
        return _bytes(hb, made[-1]) if made[-1] else None
