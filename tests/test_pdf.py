"""The built PDF, its text read back."""

import pytest

NB = "\u00a0"
MINUS = "\u2212"


@pytest.fixture(scope="module")
def text(report_pages):
    return "\n".join(report_pages)


def _norm(s: str) -> str:
    return s.replace(NB, " ")


def test_sections_present(text):
    for heading in ("Sammanfattning", "Målbedömning", "Nämndens mål och resultat", "Ekonomi",
                    "Intern kontroll", "Källförteckning", "Verksamhetsberättelse 2024"):
        assert heading in text


def test_figures_formatted_swedish(text):
    t = _norm(text)
    assert f"{MINUS}501 534" in t
    assert f"{MINUS}3 351" in t
    assert "4 487" in t
    assert "0,9 %" in t
    assert "3 351" in t


def test_same_summary_sentence_as_docx(text):
    t = " ".join(_norm(text).split())
    assert "Av nämndens sju nämndmål är två i mycket hög grad uppfyllda" in t


def test_page_footer(text):
    assert "Sida 2 (" in text


def test_page_numbers_from_the_layout_are_those_of_the_written_pdf(tmp_path):
    """The Word file's contents take the page numbers before the PDF is written."""
    from vbgen import doc
    from vbgen.resources import styles_dir
    from vbgen.writers.pdf import heading_pages, typeset

    blocks: list[doc.Block] = [doc.TableOfContents("Innehåll")]
    for n in range(1, 4):
        blocks.append(doc.Heading(1, [doc.Text(f"Kapitel {n}")], id=f"kapitel-{n}"))
        blocks.extend(doc.Paragraph([doc.Text("Text som fyller sidan. " * 40)])
                      for _ in range(8))
    laid = typeset(doc.Document(title="Prov", lang="sv-SE", blocks=blocks),
                   styles_dir() / "rapport.css", tmp_path)
    pages = laid.pages()
    assert pages["kapitel-1"] < pages["kapitel-2"] < pages["kapitel-3"]
    assert pages == heading_pages(laid.write())
