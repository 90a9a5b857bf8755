"""A spelling check of everything a reader of the samples sees: every text of both samples'
documents, the generated sentences, headings, table cells, captions and chart texts, checked
by Hunspell's Swedish dictionary with the project's word list (``tests/ordlista.txt``: names,
abbreviations and words of the trade the dictionary lacks)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from vbgen.build import Options, compose_all
from vbgen.model import doc

from .conftest import KULTUR, SAMPLE, copy_kultur

HUNSPELL = shutil.which("hunspell")
WORD_LIST = Path(__file__).with_name("ordlista.txt")
#: A word: letters, and a word written as a compound's first part ("hälso- och") is left
#: out, as is anything in a web or e-mail address.
_WORD = re.compile(r"(?<![\w@./-])[^\W\d_]+(?:-[^\W\d_]+)*(?![\w@-]|\.\w)")
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")


def _texts(blocks: list) -> Iterator[str]:
    for b in blocks:
        if isinstance(b, doc.Heading | doc.Paragraph):
            yield doc.plain(b.children)
            yield from (doc.plain(n.children) for n in b.children
                        if isinstance(n, doc.Footnote))
        elif isinstance(b, doc.ListBlock):
            for item in b.items:
                yield from _texts(item)
        elif isinstance(b, doc.Table):
            yield b.caption
            yield from (doc.plain(n.children) for n in b.notes)
            yield from (doc.plain(c.children) for row in b.head + b.body for c in row.cells)
        elif isinstance(b, doc.Figure):
            yield doc.plain(b.caption)
            yield b.alt
        elif isinstance(b, doc.TitlePage):
            yield from (b.title, *b.lines, b.draft, b.logo_alt)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(_ADDRESS.sub(" ", text)))


@pytest.fixture(scope="module")
def shown_words(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every word of both samples' documents, as composed for a draft."""
    kultur = copy_kultur(tmp_path_factory.mktemp("kultur"))
    words: set[str] = set()
    for folder in (SAMPLE, kultur):
        _, documents, _ = compose_all(folder, Options(tmp_path_factory.mktemp("ut")),
                                      draw=False)
        for document in documents.values():
            for text in _texts(document.blocks):
                words |= _words(text)
    return words


def test_every_word_a_reader_sees_is_spelt_right(shown_words: set[str]) -> None:
    if HUNSPELL is None or not subprocess.run(
            [HUNSPELL, "-D"], capture_output=True, text=True, input="").stderr.count("sv_SE"):
        pytest.skip("Hunspell med svensk ordlista saknas; scripts/test.sh installerar "
                    "hunspell och hunspell-sv")
    assert len(shown_words) > 2000, "för få ord: läser testet dokumenten?"
    result = subprocess.run([HUNSPELL, "-d", "sv_SE", "-p", str(WORD_LIST), "-l"],
                            input="\n".join(sorted(shown_words)), capture_output=True,
                            text=True, check=True)
    unknown = sorted(set(result.stdout.split()))
    assert not unknown, ("ord som varken finns i den svenska ordlistan eller i "
                         f"tests/ordlista.txt (rätta stavningen, eller lägg till ordet): "
                         f"{', '.join(unknown)}")


def test_the_word_list_is_sorted_and_each_word_once() -> None:
    listed = [w for w in WORD_LIST.read_text(encoding="utf-8").split() if w]
    assert listed == sorted(set(listed), key=lambda w: (w.casefold(), w)), "håll den sorterad"


def test_the_samples_typos_are_gone() -> None:
    texts = "\n".join(p.read_text(encoding="utf-8") for folder in (SAMPLE, KULTUR)
                      for p in sorted(folder.rglob("*")) if p.suffix in (".md", ".csv", ".yaml"))
    for typo in ("en klimatskåp", "Barn och ungdomsvård", "Norrvikarna"):
        assert typo not in texts
