"""Every declared dependency is imported by vbgen itself."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Distribution names whose import name differs.
IMPORT_NAMES = {"python-docx": "docx", "pyyaml": "yaml", "ruamel.yaml": "ruamel",
                "markdown-it-py": "markdown_it", "mdit-py-plugins": "mdit_py_plugins"}


def test_every_dependency_is_imported() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = [re.split(r"[<>=!~ \[;]", d, maxsplit=1)[0].lower()
             for d in project["project"]["dependencies"]]
    source = "\n".join(p.read_text(encoding="utf-8")
                       for p in (ROOT / "src" / "vbgen").rglob("*.py"))
    unused = [n for n in names
              if not re.search(rf"^\s*(from|import) {re.escape(IMPORT_NAMES.get(n, n))}\b",
                               source, re.MULTILINE)]
    assert unused == [], f"deklarerade beroenden som ingen modul importerar: {unused}"
