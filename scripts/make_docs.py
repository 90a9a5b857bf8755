"""Write the generated reference part of docs/dataformat.md from the data models.

Run after changing a field in src/vbgen/model/report.py:

    .venv/bin/python scripts/make_docs.py
"""

from __future__ import annotations

from pathlib import Path

from vbgen.commands.schema import replace_reference

DOC = Path(__file__).resolve().parent.parent / "docs" / "dataformat.md"


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    DOC.write_text(replace_reference(text), encoding="utf-8")


if __name__ == "__main__":
    main()
