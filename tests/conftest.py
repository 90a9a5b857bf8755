from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vbgen.build import Options, build

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "socialnamnden-2024"

#: The Heading 1 sections of the sample report, in order.
SECTIONS = ["Sammanfattning", "Målbedömning", "Nämndens mål och resultat", "Årets händelser",
            "Effektiviseringsarbete", "Ekonomi", "Väsentliga personalförhållanden",
            "Intern kontroll", "Plan för uppföljning och insyn", "Källförteckning"]


@pytest.fixture(scope="session")
def built_all(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every document of the sample, built once for the whole session."""
    out = tmp_path_factory.mktemp("out")
    return build(SAMPLE, Options(out))


def _document(paths: list[Path], name: str) -> dict[str, Path]:
    found = {p.suffix.lstrip("."): p for p in paths if p.name.startswith(name + "-")}
    assert set(found) == {"docx", "pdf"}, f"{name} byggdes inte som DOCX och PDF"
    return found


@pytest.fixture(scope="session")
def built(built_all: list[Path]) -> dict[str, Path]:
    """The sample verksamhetsberättelse: {"docx": path, "pdf": path}."""
    return _document(built_all, "verksamhetsberattelse")


@pytest.fixture(scope="session")
def memo(built_all: list[Path]) -> dict[str, Path]:
    """The sample tjänsteskrivelse: {"docx": path, "pdf": path}."""
    return _document(built_all, "tjanstskrivelse")


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the sample data that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(SAMPLE, target)
    return target
