"""The sample documents' model, pinned: a change of design must not change them by accident.

After an intended change, regenerate with ``VBGEN_UPPDATERA_GOLDEN=1 pytest tests/test_golden.py``
and read the diff of ``tests/golden/`` before committing it.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path

import pytest

from vbgen.build import CACHE, Options, compose_all
from vbgen.model import doc

from .conftest import CHART_CACHE, ROOT, without_examples

GOLDEN = Path(__file__).parent / "golden"
SAMPLES = sorted(p for p in (ROOT / "sample_data").iterdir() if (p / "vb.yaml").is_file())


@pytest.mark.parametrize("folder", SAMPLES, ids=[p.name for p in SAMPLES])
def test_document_model_matches_golden(folder: Path, tmp_path: Path,
                                       built_all: list[Path]) -> None:
    if CHART_CACHE.is_dir():
        shutil.copytree(CHART_CACHE, tmp_path / CACHE)
    # The final version, as its users make it: with the example values replaced.
    final = tmp_path / "data" / folder.name
    shutil.copytree(folder.parent, tmp_path / "data")
    _, documents, _ = compose_all(without_examples(final), Options(tmp_path, slutlig=True))
    for name, document in documents.items():
        golden = GOLDEN / f"{folder.name}-{name}.json"
        text = json.dumps(doc.snapshot(document), ensure_ascii=False, indent=1) + "\n"
        if os.environ.get("VBGEN_UPPDATERA_GOLDEN"):
            golden.write_text(text, encoding="utf-8")
        assert golden.is_file(), f"{golden.name} saknas; skapa den med VBGEN_UPPDATERA_GOLDEN=1"
        expected = golden.read_text(encoding="utf-8")
        if json.loads(text) != json.loads(expected):
            diff = difflib.unified_diff(expected.splitlines(), text.splitlines(),
                                        golden.name, "nu", n=2, lineterm="")
            pytest.fail(f"{name} för {folder.name} skiljer sig från {golden.name}:\n"
                        + "\n".join(list(diff)[:80]))
