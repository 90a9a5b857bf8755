"""Markdown from the document model: what a text read back from Word is written as."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vbgen.compose import templates as compose
from vbgen.model import doc
from vbgen.writers import markdown as mdtext

WORDS = st.text(alphabet="abcåäöXYZ019 .,:;!?*_#-+()[]<>&\\`–%", min_size=1, max_size=30)
PLAIN = st.builds(doc.Text, WORDS)
INLINE = st.one_of(
    PLAIN,
    st.builds(lambda t: doc.Strong([doc.Text(t)]), st.from_regex(r"[a-zåäö]+( [a-zåäö]+)?",
                                                                   fullmatch=True)),
    st.builds(lambda t: doc.Emph([doc.Text(t)]), st.from_regex(r"[a-zåäö]+", fullmatch=True)),
    st.builds(lambda t: doc.Footnote([doc.Text(t)]), st.from_regex(r"[A-ZÅÄÖ][a-zåäö ]+\.",
                                                                     fullmatch=True)),
)
PARAGRAPH = st.builds(doc.Paragraph, st.lists(INLINE, min_size=1, max_size=5))
ITEM = st.builds(lambda p: [p], PARAGRAPH)
BLOCK = st.one_of(
    PARAGRAPH,
    st.builds(doc.Heading, st.integers(4, 6), st.lists(PLAIN, min_size=1, max_size=2)),
    st.builds(doc.ListBlock, st.lists(ITEM, min_size=1, max_size=3), st.booleans()),
)


def reread(markdown: str) -> str:
    document = compose.parse("<dokument>" + compose.markdown_xml(markdown, 4) + "</dokument>")
    return mdtext.to_markdown(document.blocks, 4)


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCK, min_size=1, max_size=5))
def test_markdown_of_blocks_reads_back_the_same(blocks):
    markdown = mdtext.to_markdown(blocks, 4)
    assert reread(markdown) == markdown


def test_marks_gaps_and_footnotes():
    blocks: list[doc.Block] = [
        doc.Paragraph([doc.Text("[Saknas: analys]")], role="lucka"),
        doc.Paragraph([doc.Text("Ett "), doc.Strong([doc.Text("fett ")]), doc.Text("ord."),
                       doc.Footnote([doc.Text("En not.")])]),
        doc.Figure("", "", mark="[tabell: besok]"),
        doc.Paragraph([doc.Text("- inte en lista, 2 * 3")]),
    ]
    assert mdtext.to_markdown(blocks, 4) == ("Ett **fett** ord.[^1]\n\n[tabell: besok]\n\n"
                                             "\\- inte en lista, 2 \\* 3\n\n[^1]: En not.")


def test_an_empty_item_takes_no_number():
    """An ordered list's item with nothing to write is left out, and the next takes its
    number: the list read back starts at 1, as it did."""
    blocks: list[doc.Block] = [doc.ListBlock([[doc.Paragraph([doc.Text(" ")])],
                                              [doc.Paragraph([doc.Text("Ett")])],
                                              [doc.Paragraph([doc.Text("Två")])]], True)]
    assert mdtext.to_markdown(blocks, 4) == "1. Ett\n2. Två"
