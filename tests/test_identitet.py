"""A nämnd's own identity over its kommun's: ``stilar/identitet.css`` in the data folder sets
only the tokens that differ; every other value, and each style file, comes from the nearest
styles folder that has it (nämnd, kommun profile, built-in)."""

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
from vbgen.resources import styles_dir
from vbgen.stylechain import StyleChain, read_identity

from .conftest import PROFILE, run_cli


def _identity(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "identitet.css"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_nearest_folder_wins_and_the_rest_comes_from_below(tmp_path: Path) -> None:
    kommun = PROFILE / "stilar"
    namnd = tmp_path / "stilar"
    _identity(namnd, ":root {\n  --accent: #6b2c5f;\n  --rubrik-1: 20pt;\n}\n")
    Image.new("RGB", (700, 200), (107, 44, 95)).save(namnd / "logotyp.png")
    chain = StyleChain.of(namnd, kommun)
    assert chain.folders == (namnd, kommun, styles_dir())
    assert chain.stylesheet == kommun / "rapport.css"  # the nämnd has no style sheet
    assert chain.file("diagram.mplstyle") == kommun / "diagram.mplstyle"
    assert chain.overrides() == {"accent": "#6b2c5f", "rubrik-1": "20pt"}
    tokens = chain.tokens()
    assert (tokens["accent"], tokens["rubrik-1"]) == ("#6b2c5f", "20pt")
    # The kommun's other values stay: its text colour, fonts and chart colours.
    assert (tokens["text"], tokens["diagram-1"]) == ("#1c2230", "#1b4379")
    assert tokens["rubriker"].startswith('"DejaVu Serif Condensed"')
    # The logotype from the nearest folder that has one: the nämnd's PNG, not the kommun's
    # SVG; without its own, the kommun's.
    assert chain.logo() == namnd / "logotyp.png"
    (namnd / "logotyp.png").unlink()
    assert chain.logo() == kommun / "logotyp.svg"


def test_a_style_sheet_above_an_identity_file_declares_the_whole_identity(
        tmp_path: Path) -> None:
    kommun, namnd = tmp_path / "kommun", tmp_path / "namnd"
    _identity(kommun, ":root { --accent: #123456; --zebra: #fafafa; }")
    _identity(namnd, ":root { --zebra: #f0f0f0; }")
    (namnd / "rapport.css").write_text(":root { --accent: #654321; }", encoding="utf-8")
    chain = StyleChain.of(namnd, kommun)
    # The kommun's identitet.css lies under the nämnd's own rapport.css and is left out.
    assert chain.overrides() == {"zebra": "#f0f0f0"}
    assert chain.tokens()["accent"] == "#654321"
    (namnd / "rapport.css").unlink()
    assert chain.overrides() == {"accent": "#123456", "zebra": "#f0f0f0"}


@pytest.mark.parametrize(("text", "message"), [
    (":root {\n  --accent: #6b2c5f;\n  --zebra: plommon;\n}\n",
     'rad 3: --zebra har värdet "plommon", som inte är en färg vbgen tar; skriv färgen som '
     "#rrggbb, till exempel #eef3f4"),
    (":root {\n  --acent: #6b2c5f;\n}\n",
     "rad 2: variabeln --acent finns inte (menade du --accent?); de som går att ange är "
     "--accent, --text,"),
    (":root {\n  --rubrik-1: 2em;\n}\n",
     'rad 2: --rubrik-1 har värdet "2em", som inte är en storlek vbgen tar; skriv storleken '
     "i punkter, till exempel 18pt"),
    ('\n:root { --brodtext: "Arial"; }\n',
     "rad 2: --brodtext anger ett typsnitt, och typsnitt byts i en rapport.css (med sina "
     "@font-face-regler och filer i fonts/), inte i identitet.css"),
    (":root { --accent: #6b2c5f; }\nh1 { color: red; }\n",
     "rad 2: identitet.css anger bara variabler under :root, inte h1; annan CSS hör hemma i "
     "en rapport.css"),
    (":root { color: #6b2c5f; }\n",
     "rad 1: identitet.css anger bara variabler (som --accent), inte color"),
    ('@import "annan.css";\n', "rad 1: identitet.css anger bara variabler under :root, inte "
     "@import"),
])
def test_a_bad_identity_file_is_named_with_its_line(tmp_path: Path, text: str,
                                                    message: str) -> None:
    path = _identity(tmp_path / "stilar", text)
    with pytest.raises(StyleError) as caught:
        read_identity(path)
    assert str(caught.value).startswith(f"{path} {message}")


def test_kontrollera_checks_the_namnds_identity_as_bygg_does(kultur: Path) -> None:
    path = kultur / "stilar" / "identitet.css"
    assert run_cli("kontrollera", str(kultur)).exit_code == 0
    path.write_text(":root {\n  --accent: #6b2c5;\n}\n", encoding="utf-8")
    for command in (["kontrollera", str(kultur)],
                    ["bygg", str(kultur), "--ut", str(kultur.parent / "ut")]):
        result = run_cli(*command)
        assert result.exit_code == 1, result.output
        assert (f'Fel i stilarna: {path} rad 2: --accent har värdet "#6b2c5", som inte är '
                "en färg vbgen tar") in result.output
    assert not list((kultur.parent / "ut").glob("*.pdf"))


def test_an_identity_file_that_links_out_is_refused(kultur: Path, tmp_path: Path) -> None:
    secret = tmp_path / "hemlig.css"
    secret.write_text(":root { --accent: #000000; }", encoding="utf-8")
    path = kultur / "stilar" / "identitet.css"
    path.unlink()
    path.symlink_to(secret)
    result = run_cli("kontrollera", str(kultur))
    assert result.exit_code == 1
    assert (f"Fel i stilarna: {path}: filen är en länk ut ur stilmappen; vbgen läser bara "
            "filer inuti stilmappen") in result.output


def _has_colour(png: bytes | Path, rgb: tuple[int, int, int]) -> bool:
    source = png if isinstance(png, Path) else io.BytesIO(png)
    with Image.open(source) as image:
        return any(max(abs(a - b) for a, b in zip(pixel, rgb, strict=True)) <= 2
                   for _, pixel in image.convert("RGB").getcolors(1 << 22) or [])


def _cover(pdf: Path, at: Path) -> Path:
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(at)], check=True)
    return at.with_suffix(".png")


def test_the_namnds_values_win_in_both_formats_and_the_kommuns_others_stay(
        kultur: Path, tmp_path: Path) -> None:
    path = kultur / "stilar" / "identitet.css"
    text = path.read_text(encoding="utf-8")
    assert "--accent: #6b2c5f;" in text  # the sample's own override
    path.write_text(text.replace("--zebra", "--diagram-1: #c0158a;\n  --zebra"),
                    encoding="utf-8")
    out = tmp_path / "ut"
    files = {p.suffix: p for p in build(kultur, Options(out, documents=("verksamhetsberattelse",)))}
    cover = _cover(files[".pdf"], tmp_path / "omslag")
    assert _has_colour(cover, (0x6B, 0x2C, 0x5F))  # the title and the band: the nämnd's
    assert not _has_colour(cover, (0x00, 0x56, 0x6B))  # not the built-in accent
    word = docx.Document(str(files[".docx"]))
    styles = word.styles
    assert str(styles["Heading 1"].font.color.rgb) == "6B2C5F"
    assert str(styles["Title"].font.color.rgb) == "6B2C5F"
    table = styles["Vbgen tabell"].element.xml
    assert 'w:fill="6B2C5F"' in table and 'w:fill="F6EFF4"' in table
    # The kommun's other values: text colour, lines, fonts, the draft's band, the logotype.
    assert str(styles["Normal"].font.color.rgb) == "1C2230"
    assert 'w:color="9AA6BB"' in table
    assert styles["Heading 1"].font.name == "DejaVu Serif Condensed"
    assert styles["Normal"].font.name == "DejaVu Sans Condensed"
    assert 'w:fill="B3261E"' in styles["Utkastmärke"].element.xml
    with zipfile.ZipFile(files[".docx"]) as z:
        media = {n: z.read(n) for n in z.namelist() if n.startswith("word/media/")}
    logo = (PROFILE / "stilar" / "logotyp.png").read_bytes()
    assert logo in media.values()
    # The charts' first colour is the nämnd's; the kommun's second stays.
    charts = [data for data in media.values() if data != logo]
    assert any(_has_colour(data, (0xC0, 0x15, 0x8A)) for data in charts)
    assert any(_has_colour(data, (0xA6, 0x51, 0x00)) for data in charts)

    # A changed identitet.css is seen by the next build into the same folder, cache and all.
    path.write_text(":root { --accent: #2e5e1e; }", encoding="utf-8")
    files = {p.suffix: p for p in build(kultur, Options(out, documents=("verksamhetsberattelse",)))}
    cover = _cover(files[".pdf"], tmp_path / "omslag2")
    assert _has_colour(cover, (0x2E, 0x5E, 0x1E))
    assert not _has_colour(cover, (0x6B, 0x2C, 0x5F))
    assert str(docx.Document(str(files[".docx"])).styles["Heading 1"].font.color.rgb) == "2E5E1E"


def test_a_styles_folder_that_links_out_of_the_data_folder_is_refused(
        kultur: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "annanstans"
    (kultur / "stilar").rename(elsewhere)
    (kultur / "stilar").symlink_to(elsewhere)
    result = run_cli("kontrollera", str(kultur))
    assert result.exit_code == 1
    assert (f"Fel i stilarna: {kultur / 'stilar'}: mappen är en länk ut ur datamappen; vbgen "
            "läser bara stilar inuti datamappen") in result.output


def test_the_title_pages_field_follows_the_namnds_identity_in_both_formats(
        kultur: Path, tmp_path: Path) -> None:
    from docx.oxml.ns import qn
    from lxml import etree

    from .test_layout import title_page_field

    path = kultur / "stilar" / "identitet.css"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "--zebra", "--titelsida-falt: 14pt;\n  --zebra"), encoding="utf-8")
    files = {p.suffix: p for p in build(kultur, Options(tmp_path / "ut",
                                                        documents=("verksamhetsberattelse",)))}
    plum = (0x6B, 0x2C, 0x5F)
    assert title_page_field(files[".pdf"], plum, tmp_path / "pdf") == (14, 624)
    word = docx.Document(str(files[".docx"]))
    (anchor,) = word.element.body.iter(qn("wp:anchor"))
    # Behind the text, at the corner of the margins, the size the identity declares.
    assert anchor.get("behindDoc") == "1"
    assert [anchor.find(f"{qn(f'wp:position{axis}')}/{qn('wp:posOffset')}").text
            for axis in "HV"] == ["0", "0"]
    extent = anchor.find(qn("wp:extent"))
    assert (int(extent.get("cx")), int(extent.get("cy"))) == (14 * 12700, 624 * 12700)
    # Decoration: no alt text, and marked as such for Word's accessibility checker.
    described = anchor.find(qn("wp:docPr"))
    assert described.get("descr") == ""
    assert b'decorative" val="1"' in etree.tostring(described)
    blip = next(anchor.iter(qn("a:blip")))
    picture = word.part.related_parts[blip.get(qn("r:embed"))].blob
    with Image.open(io.BytesIO(picture)) as image:
        assert image.convert("RGB").getpixel((0, 0)) == plum
    # The cover's lines stand as far from the field as it is wide, as in the PDF.
    title = next(p for p in word.paragraphs if p.style.name == "Title")
    assert title.paragraph_format.left_indent.pt == 28


@pytest.mark.parametrize(("old", "new", "message"), [
    ("--rubrik-1: 20pt;", "--rubrik-1: 1.6em;",
     '--rubrik-1 har värdet "1.6em", som inte är en storlek vbgen tar; skriv storleken i '
     "punkter, till exempel 18pt"),
    ("--titelsida-falt: 26pt;", "--titelsida-falt: 0.9cm;",
     '--titelsida-falt har värdet "0.9cm", som inte är en storlek vbgen tar; skriv storleken '
     "i punkter, till exempel 0pt"),
    ("--utkast: #b3261e;", "--utkast: #fff;",
     '--utkast har värdet "#fff", som inte är en färg vbgen tar; skriv färgen som #rrggbb, '
     "till exempel #a3193b"),
    # The line that sets it, not a comment after it that names it too.
    ("--utkast: #b3261e;", "--utkast: #fff;\n  /* förr: --utkast: #b3261e; */",
     '--utkast har värdet "#fff", som inte är en färg vbgen tar; skriv färgen som #rrggbb, '
     "till exempel #a3193b"),
])
def test_a_style_sheets_identity_the_word_file_cannot_read_is_named_with_its_line(
        kultur: Path, tmp_path: Path, old: str, new: str, message: str) -> None:
    from .conftest import line_of, replace_text

    sheet = kultur.parent / "norrviks-kommun" / "stilar" / "rapport.css"
    replace_text(sheet, old, new)
    expected = f"Fel i stilarna: {sheet} rad {line_of(sheet, new.splitlines()[0])}: {message}"
    for command in (["kontrollera", str(kultur)],
                    ["bygg", str(kultur), "--ut", str(tmp_path / "ut")],
                    ["stil", str(tmp_path / "ny"), "--fran", str(sheet.parent)]):
        result = run_cli(*command)
        assert result.exit_code == 1, result.output
        assert expected in result.output
    assert not (tmp_path / "ut").exists() or not list((tmp_path / "ut").iterdir())
    assert not (tmp_path / "ny").exists()
