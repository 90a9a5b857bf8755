"""The editor's path: ``vbgen stil`` makes a styles folder that works, and one colour in its
style sheet changes both formats; the identity's fonts travel inside the Word file."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image

from vbgen.build import Options, build
from vbgen.errors import StyleError
from vbgen.writers.docxfonts import obfuscate

from .conftest import run_cli


def _has_colour(png: Path, rgb: tuple[int, int, int]) -> bool:
    with Image.open(png) as image:
        return any(max(abs(a - b) for a, b in zip(pixel, rgb, strict=True)) <= 2
                   for _, pixel in image.convert("RGB").getcolors(1 << 20) or [])


def test_a_colour_changed_in_the_style_sheet_changes_the_pdf_and_the_docx(
        sample_copy: Path, tmp_path: Path, warm_charts) -> None:
    styles = tmp_path / "stilar"
    result = run_cli("stil", str(styles))
    assert result.exit_code == 0, result.output
    assert f"i {styles}" in result.output
    assert {p.name for p in styles.iterdir()} >= {"rapport.css", "referens.docx",
                                                  "diagram.mplstyle", "fonts"}
    css = styles / "rapport.css"
    text = css.read_text(encoding="utf-8")
    assert "--accent: #00566b;" in text
    css.write_text(text.replace("--accent: #00566b;", "--accent: #8b1e6b;"), encoding="utf-8")
    out = tmp_path / "ut"
    warm_charts(out)
    paths = build(sample_copy, Options(out, styles=styles, documents=("verksamhetsberattelse",)))
    pdf = next(p for p in paths if p.suffix == ".pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(tmp_path / "omslag")], check=True)
    assert _has_colour(tmp_path / "omslag.png", (0x8B, 0x1E, 0x6B))  # the cover's title
    word = docx.Document(str(next(p for p in paths if p.suffix == ".docx")))
    assert str(word.styles["Heading 1"].font.color.rgb) == "8B1E6B"
    assert str(word.styles["Title"].font.color.rgb) == "8B1E6B"
    assert 'w:fill="8B1E6B"' in word.styles["Vbgen tabell"].element.xml  # the table header


def test_a_missing_font_names_the_font_and_the_folder(sample_copy: Path, tmp_path: Path) -> None:
    styles = tmp_path / "stilar"
    assert run_cli("stil", str(styles)).exit_code == 0
    (styles / "fonts" / "LiberationSans-Bold.ttf").unlink()
    with pytest.raises(StyleError) as caught:
        build(sample_copy, Options(tmp_path / "ut", styles=styles))
    message = str(caught.value)
    assert ("hänvisar till typsnitt som inte finns: filen finns inte i "
            f"{styles / 'fonts'} (LiberationSans-Bold.ttf)") in message
    assert "nätet" not in message


def test_stil_refuses_a_folder_that_has_files(tmp_path: Path) -> None:
    (tmp_path / "stilar").mkdir()
    (tmp_path / "stilar" / "rapport.css").write_text("", encoding="utf-8")
    result = run_cli("stil", str(tmp_path / "stilar"))
    assert result.exit_code == 1
    assert "mappen finns redan och är inte tom" in result.output


def test_the_word_file_carries_its_fonts_subset(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["docx"]) as z:
        fonts = [n for n in z.namelist() if n.startswith("word/fonts/")]
        table = z.read("word/fontTable.xml").decode()
        settings = z.read("word/settings.xml").decode()
        data = z.read(fonts[0])
    assert len(fonts) == 4  # Liberation Sans: regular, bold, italic, bold italic
    assert "<w:embedTrueTypeFonts/>" in settings
    assert '<w:altName w:val="Arial"/>' in table  # the fallback with the same widths
    assert "w:embedBold" in table and 'w:subsetted="1"' in table
    key = table.split('w:fontKey="', 1)[1].split('"', 1)[0]
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(obfuscate(data, key)))  # obfuscating twice gives the font
    assert font["name"].getDebugName(1) == "Liberation Sans"
    assert len(data) < 120_000  # a subset, not the whole 400 kB file


def test_word_footnotes_follow_the_style_sheet_as_the_pdfs_do(built: dict[str, Path]) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    from vbgen.resources import styles_dir
    from vbgen.writers import stil

    tokens = stil.tokens(styles_dir() / "rapport.css")
    assert tokens["fotnot-storlek"] == "8pt"
    css = (styles_dir() / "rapport.css").read_text(encoding="utf-8")
    assert "font-size: var(--fotnot-storlek)" in css  # the PDF's notes take the same token
    word = docx.Document(str(built["docx"]))
    text = word.styles["footnote text"]
    # The body font (by Normal), the note's size and the text's colour, as .fotnot.
    assert text.base_style.name == "Normal" and text.font.name is None
    assert text.font.size == Pt(8)
    assert str(text.font.color.rgb) == tokens["text"].lstrip("#").upper()
    # The PDF's line height (1.45) and no space between notes.
    assert text.paragraph_format.line_spacing == Pt(8 * 1.45)
    assert text.paragraph_format.line_spacing_rule == WD_LINE_SPACING.AT_LEAST
    assert text.paragraph_format.space_after == text.paragraph_format.space_before == Pt(0)
    assert word.styles["footnote reference"].font.superscript  # ::footnote-call
    with zipfile.ZipFile(built["docx"]) as z:
        notes = z.read("word/footnotes.xml").decode()
    # The number before a note stands on the line (::footnote-marker), and the line over
    # the notes has the colour of the PDF's (--linje).
    assert notes.count('<w:vertAlign w:val="baseline"/></w:rPr><w:footnoteRef/>') > 3
    line = tokens["linje"].lstrip("#").upper()
    assert f'<w:color w:val="{line}"/></w:rPr><w:separator/>' in notes
    assert f'<w:color w:val="{line}"/></w:rPr><w:continuationSeparator/>' in notes
