"""The fonts a Word file carries: cut to the characters it shows, the Swedish alphabet kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from vbgen.resources import styles_dir
from vbgen.writers import docxfonts
from vbgen.writers import subset as hb_subset

FONT = styles_dir() / "fonts" / "LiberationSans-Regular.ttf"


@pytest.mark.parametrize("harfbuzz", [True, False], ids=["harfbuzz", "fonttools"])
def test_a_subset_keeps_what_is_shown_and_the_alphabet(
        harfbuzz: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if harfbuzz and not hb_subset.available():
        pytest.skip("HarfBuzz delmängdsbibliotek saknas")
    if not harfbuzz:
        monkeypatch.setattr(hb_subset, "by_characters", lambda font, characters: None)
    cut = docxfonts.subset(FONT, {ord("Ω")})
    font = TTFont(io.BytesIO(cut))
    cmap = font.getBestCmap()
    for character in "ÅÄÖåäö−–%◕Ω":
        assert ord(character) in cmap, character
    assert ord("Ж") not in cmap  # Cyrillic is neither shown nor Swedish
    assert font["name"].getDebugName(1) == "Liberation Sans"
    assert font["name"].getDebugName(4) == "Liberation Sans"
    assert len(cut) < FONT.stat().st_size / 4


def test_harfbuzz_cuts_as_fonttools_does() -> None:
    if not hb_subset.available():
        pytest.skip("HarfBuzz delmängdsbibliotek saknas")
    shown = set(map(ord, "Socialnämnden 2024: 501 534 tkr, −3,6 %"))
    fast = TTFont(io.BytesIO(hb_subset.by_characters(Path(FONT).read_bytes(),
                                                     shown | docxfonts._ALWAYS) or b""))
    assert set(fast.getBestCmap()) == set(TTFont(FONT).getBestCmap()) & (
        shown | docxfonts._ALWAYS)
    assert {"glyf", "hmtx", "cmap", "name", "OS/2", "post"} <= set(fast.keys())
