from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vbgen.build import CACHE, Options, build

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "socialnamnden-2024"
#: Chart images kept between test runs; images are keyed by content, so reuse is safe.
CHART_CACHE = ROOT / ".pytest_cache" / "vbgen-diagram"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample report, built once for the whole session."""
    out = tmp_path_factory.mktemp("out")
    if CHART_CACHE.is_dir():
        shutil.copytree(CHART_CACHE, out / CACHE)
    paths = build(SAMPLE, Options(out))
    shutil.rmtree(CHART_CACHE, ignore_errors=True)
    shutil.copytree(out / CACHE, CHART_CACHE)
    return {p.suffix.lstrip("."): p for p in paths}


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the sample data that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(SAMPLE, target)
    return target
