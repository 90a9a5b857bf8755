"""A real consumer opens the Word file: LibreOffice converts it to PDF without complaint."""

from __future__ import annotations

import shutil
import subprocess

import pypdf
import pytest

from .conftest import SECTIONS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def converted(built, tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed; scripts/test.sh installs it as root")
    out = tmp_path_factory.mktemp("lo")
    profile = tmp_path_factory.mktemp("lo-profile")
    result = subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(out), str(built["docx"])],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    pdf = out / (built["docx"].stem + ".pdf")
    assert pdf.exists(), result.stdout + result.stderr
    return pypdf.PdfReader(str(pdf))


def test_libreoffice_shows_every_section(converted):
    text = "\n".join(page.extract_text() for page in converted.pages)
    lines = {line.strip() for line in text.splitlines()}
    flat = " ".join(text.split())  # a long heading may take two lines
    for heading in SECTIONS:
        assert heading in flat
    assert "Verksamhetsberättelse 2024" in lines


def test_libreoffice_keeps_header_footer_and_tables(converted):
    first = converted.pages[0].extract_text()
    second = converted.pages[1].extract_text()
    assert "Sida" not in first
    assert "Socialnämnden – Verksamhetsberättelse 2024" in second
    assert f"Sida 2 ({len(converted.pages)})" in second
    text = " ".join(page.extract_text() for page in converted.pages).replace("\u00a0", " ")
    assert "Resultaträkning" in text and "Årets resultat" in text


def test_libreoffice_shows_the_contents_with_page_numbers(converted):
    contents = converted.pages[1].extract_text().splitlines()
    entries = [line for line in contents if "Sammanfattning" in line or "Ekonomi" in line]
    assert entries and all(line.rstrip()[-1].isdigit() for line in entries)
