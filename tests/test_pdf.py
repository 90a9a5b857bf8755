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
