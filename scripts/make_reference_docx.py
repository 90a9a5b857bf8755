"""Create a Word reference document, ``referens.docx``, from a styles folder's rapport.css.

``python scripts/make_reference_docx.py [--force] [MAPP]``: MAPP is a kommun's own styles
folder (as given to --stilar), ``styles/`` without one. It refuses to overwrite an existing
file unless ``--force``. The work is done by :mod:`vbgen.writers.referens`, which every build also
uses to restyle the Word file from the style sheet, and ``vbgen stil`` makes a whole styles
folder with it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vbgen.resources import styles_dir
from vbgen.writers import referens


def main(argv: list[str]) -> int:
    folders = [a for a in argv if not a.startswith("--")]
    styles = Path(folders[0]) if folders else styles_dir()
    out = styles / "referens.docx"
    if out.exists() and "--force" not in argv:
        print(f"{out} finns redan; lägg till --force för att skriva över den.")
        return 1
    styles.mkdir(exist_ok=True)
    print(f"skrev {referens.write(styles, styles_dir())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
