"""``vbgen stil NY [--fran MAPP]``: a styles folder that works, for a kommun's own look;
with ``--identitet``, only a nämnd's ``identitet.css`` over a kommun's styles.

The new folder gets the style sheet (whose ``:root`` rule is the identity of both formats),
the chart style, the fonts the style sheet names with their licences, the logotype if the
source has one, and the Word reference document made from the style sheet's identity.
Each build restyles the Word file from the style sheet again, so an editor changes a colour
in one place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import StyleError
from ..paths import present
from ..resources import styles_dir
from ..stylechain import FONT_TOKENS, IDENTITY_FILE, StyleChain, check_style_sheet
from ..writers import referens, stil

#: The files a styles folder may hold besides ``fonts/``, copied from the source.
FILES = ("rapport.css", "diagram.mplstyle", "logotyp.svg", "logotyp.png", "logotyp.jpg")


def missing_fonts(stylesheet: Path) -> list[str]:
    """Each font file the style sheet's ``@font-face`` rules name that is not there, as
    "Familj (fonts/fil.ttf)"."""
    return [f'"{family}" ({path.relative_to(stylesheet.parent).as_posix()})'
            for family, files in stil.font_faces(stylesheet).items()
            for path in files.values() if not path.is_file()]


def make(new: Path, source: Path | None = None) -> list[Path]:
    """Make the styles folder ``new`` from ``source`` (the built-in styles without one);
    return the files written. An existing non-empty folder is left alone."""
    source = source or styles_dir()
    if not source.is_dir():
        raise StyleError(f"{source}: stilmappen finns inte")
    if new.exists() and (not new.is_dir() or any(new.iterdir())):
        raise StyleError(f"{new}: mappen finns redan och är inte tom; välj ett nytt namn")
    sheet = source / "rapport.css"
    if not sheet.is_file():
        sheet = styles_dir() / "rapport.css"
    check_style_sheet(sheet)  # the reference document is made from its identity
    missing = missing_fonts(sheet)
    if missing:
        raise StyleError(f"{sheet}: typsnittet {', '.join(missing)} saknas i mappen "
                         f"{sheet.parent / 'fonts'}; lägg typsnittsfilen där")
    new.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        found = source / name if (source / name).is_file() else styles_dir() / name
        # The logotype only from the source itself: vbgen ships none.
        if found.is_file() and (not name.startswith("logotyp") or found.parent == source):
            written.append(Path(shutil.copyfile(found, new / name)))
    fonts = sheet.parent / "fonts"
    used = {p.name for files in stil.font_faces(sheet).values() for p in files.values()}
    if fonts.is_dir():
        (new / "fonts").mkdir()
        for font in sorted(fonts.iterdir()):
            # The fonts the sheet uses and every licence beside them.
            if font.is_file() and (font.name in used or font.suffix.lower() in (".txt", ".md")
                                   or font.name.upper().startswith(("LICENSE", "OFL"))):
                written.append(Path(shutil.copyfile(font, new / "fonts" / font.name)))
    written.append(referens.write(new, styles_dir()))
    return written


def make_identity(new: Path, source: Path | None = None) -> Path:
    """Write ``new/identitet.css`` for a nämnd over the styles of ``source`` (the built-in
    styles without one): every variable it may set, each commented out with its value
    there, to uncomment and change; return the file. An existing file is left alone."""
    source = source or styles_dir()
    if not source.is_dir():
        raise StyleError(f"{source}: stilmappen finns inte")
    target = new / IDENTITY_FILE
    if present(target):
        raise StyleError(f"{target}: filen finns redan; ändra i den, eller välj en annan mapp")
    if present(new) and not new.is_dir():
        raise StyleError(f"{new}: finns redan och är ingen mapp; välj ett nytt namn")
    chain = StyleChain.of(source)
    chain.check()  # a value the formats cannot read is named before anything is written
    values = chain.tokens()
    names = [n for n in values if n not in FONT_TOKENS]
    lines = [
        f"/* Nämndens egen identitet över stilarna i {source} (se docs/stilar.md).",
        "   Ta bort kommentartecknen runt det nämnden ändrar och skriv det nya värdet: det",
        "   gäller i PDF:en, Word-filen och diagrammen. Det som står kvar som kommentar tas",
        "   från stilarna under, också när de ändras. En färg skrivs #rrggbb, en storlek i",
        "   punkter (pt). Typsnitten byts i en rapport.css. */",
        ":root {",
        *(f"  /* --{name}: {values[name]}; */" for name in names),
        "}",
    ]
    new.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
