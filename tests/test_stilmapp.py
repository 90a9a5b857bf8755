"""An editor's own style folder without the fonts its style sheet names: the message names
the folder and the fonts, in validate and in a build, and is no message about the network."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from vbgen.resources import styles_dir

from .conftest import run_cli

FONTS = ("LiberationSans-Regular.ttf, LiberationSans-Bold.ttf, LiberationSans-Italic.ttf, "
         "LiberationSans-BoldItalic.ttf")


@pytest.fixture
def own_styles(tmp_path: Path) -> Path:
    """A style folder with a copy of the built-in style sheet, as docs/stilar.md begins."""
    styles = tmp_path / "stilar"
    styles.mkdir()
    shutil.copy(styles_dir() / "rapport.css", styles)
    return styles


def _remedy() -> str:
    return (f"Kopiera typsnitten dit, till exempel vbgens egna från {styles_dir() / 'fonts'}, "
            "eller ändra src i reglerna @font-face.")


def test_validate_names_the_missing_fonts_folder(sample_copy: Path, own_styles: Path) -> None:
    result = run_cli("kontrollera", str(sample_copy), "--stilar", str(own_styles))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Fel i stilarna: {own_styles / 'rapport.css'} hänvisar till typsnitt som inte finns: "
        f"mappen {own_styles / 'fonts'} finns inte ({FONTS}). {_remedy()}")
    assert "nätet" not in result.output


def test_validate_names_the_fonts_missing_from_the_folder(sample_copy: Path,
                                                          own_styles: Path) -> None:
    (own_styles / "fonts").mkdir()
    for name in ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"):
        shutil.copy(styles_dir() / "fonts" / name, own_styles / "fonts")
    result = run_cli("kontrollera", str(sample_copy), "--stilar", str(own_styles))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Fel i stilarna: {own_styles / 'rapport.css'} hänvisar till typsnitt som inte finns: "
        f"filerna finns inte i {own_styles / 'fonts'} (LiberationSans-Italic.ttf, "
        f"LiberationSans-BoldItalic.ttf). {_remedy()}")


def test_a_missing_font_beside_the_network_is_told_as_both(sample_copy: Path,
                                                           own_styles: Path) -> None:
    css = own_styles / "rapport.css"
    css.write_text(css.read_text(encoding="utf-8")
                   + '\nh1 { background: url("https://example.org/bild.png") }\n',
                   encoding="utf-8")
    result = run_cli("kontrollera", str(sample_copy), "--stilar", str(own_styles))
    assert result.exit_code == 1
    assert f"mappen {own_styles / 'fonts'} finns inte ({FONTS})" in result.output
    assert (f"{_remedy()} Den hänvisar också till https://example.org/bild.png, som vbgen inte "
            "hämtar: vbgen hämtar ingenting från nätet") in result.output


def test_a_build_names_the_missing_fonts_folder(sample_copy: Path, own_styles: Path,
                                                tmp_path: Path,
                                                warm_charts: Callable[[Path], None]) -> None:
    out = tmp_path / "ut"
    warm_charts(out)
    result = run_cli("bygg", str(sample_copy), "--ut", str(out), "--format", "pdf",
                     "--dokument", "tjanstskrivelse", "--stilar", str(own_styles))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Fel i stilarna: {own_styles / 'rapport.css'} hänvisar till typsnitt som inte finns: "
        f"mappen {own_styles / 'fonts'} finns inte ({FONTS}). {_remedy()}")
    assert not list(out.glob("*.pdf"))


def test_stil_identitet_writes_a_namnds_identity_over_the_kommuns(kultur: Path) -> None:
    from vbgen.build import style_chain
    from vbgen.load import load
    from vbgen.stylechain import read_identity

    from .conftest import replace_text

    kommun = kultur.parent / "norrviks-kommun" / "stilar"
    (kultur / "stilar" / "identitet.css").unlink()
    (kultur / "stilar" / "logotyp.png").write_bytes(b"")  # a folder with files of its own
    result = run_cli("stil", str(kultur / "stilar"), "--identitet", "--fran", str(kommun))
    assert result.exit_code == 0, result.output
    written = kultur / "stilar" / "identitet.css"
    assert result.output.strip() == (
        f"Skrev {written}. Ta bort kommentartecknen runt det nämnden ändrar; resten tas från "
        f"stilarna i {kommun}.")
    # As written it changes nothing: every value is the kommun's, as a comment.
    assert read_identity(written) == []
    text = written.read_text(encoding="utf-8")
    assert "  /* --accent: #1b4379; */" in text and "  /* --titelsida-falt: 26pt; */" in text
    assert "--brodtext:" not in text  # a font is changed in a rapport.css
    (kultur / "stilar" / "logotyp.png").unlink()
    # One line uncommented and changed is the nämnd's, in the identity both formats follow.
    replace_text(written, "/* --accent: #1b4379; */", "--accent: #2e5e1e;")
    report = load(kultur)
    tokens = style_chain(kultur, report).tokens()
    assert tokens["accent"] == "#2e5e1e" and tokens["zebra"] == "#eef2f9"
    # An existing file is never overwritten.
    again = run_cli("stil", str(kultur / "stilar"), "--identitet", "--fran", str(kommun))
    assert again.exit_code == 1
    assert again.output.strip() == (f"Fel i stilarna: {written}: filen finns redan; ändra i "
                                    "den, eller välj en annan mapp")
    assert "--accent: #2e5e1e;" in written.read_text(encoding="utf-8")
