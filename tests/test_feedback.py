"""What a build tells the user: progress on a terminal (and nothing elsewhere), the closing
line, and the names of a draft's and a final version's files."""

from __future__ import annotations

import errno
import os
import pty
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest

from vbgen.commands.batch import closing_line

from .conftest import KULTUR, PROFILE, replace_text, run_cli

#: Clearing the terminal's line: how the progress line is rewritten and taken away.
CLEAR = "\r\x1b[K"
#: The phases of a build of the kultur sample.
PHASES = ["läser data", "fyller i mallarna", "lägger ut verksamhetsberättelsen som PDF",
          "skriver verksamhetsberättelsen som Word-fil",
          "skriver verksamhetsberättelsen som PDF", "sparar filerna"]


def _vbgen(args: list[str], cwd: Path, terminal: bool) -> str:
    """Run vbgen in a process of its own, its output to a terminal (a pty) or to a pipe;
    return all it wrote, both streams."""
    env = {**os.environ, "COLUMNS": "200"}
    command = [sys.executable, "-m", "vbgen.cli", *args]
    if not terminal:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr
    main, other = pty.openpty()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=other, stdout=other,
                               stderr=other)
    os.close(other)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError as exc:  # the other end closed: the process has ended
            assert exc.errno == errno.EIO
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=300) == 0, b"".join(chunks).decode()
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.fixture
def kultur_with_a_gap(tmp_path: Path) -> Path:
    """The kultur sample beside its profile, one goal's analysis left out: one gap."""
    shutil.copytree(PROFILE, tmp_path / PROFILE.name)
    folder = shutil.copytree(KULTUR, tmp_path / "kultur")
    replace_text(folder / "vb.yaml", "    analys: {fil: text/m1-analys.md}\n", "")
    return folder


@pytest.mark.langsam
def test_a_build_on_a_terminal_shows_its_phases_then_the_closing_line(
        kultur_with_a_gap: Path, tmp_path: Path) -> None:
    output = _vbgen(["bygg", "kultur", "--ut", "ut"], tmp_path, terminal=True)
    *shown, after = output.split(CLEAR)[1:]  # what the line showed, and what came after it
    # The phases begun after the first second, each with the time since the start.
    phases = [re.fullmatch(r"Bygger kultur: (.+) \((\d+),(\d) s\)", line) for line in shown]
    assert all(phases) and phases, output
    assert {m.group(1) for m in phases if m} <= set(PHASES)
    assert phases[-1] and phases[-1].group(1) == "sparar filerna"
    times = [float(f"{m.group(2)}.{m.group(3)}") for m in phases if m]
    assert times == sorted(times) and times[0] >= 1
    # The line is cleared before the files are named, and they stand on lines of their own.
    pdf = tmp_path / "ut" / "verksamhetsberattelse-kultur-och-fritidsnamnden-2023-utkast.pdf"
    pages = len(pypdf.PdfReader(str(pdf)).pages)
    assert after.splitlines() == [
        f"Skrev {Path('ut') / pdf.name} ({pdf.stat().st_size // 1024} kB)",
        f"Skrev {Path('ut') / pdf.with_suffix('.docx').name} "
        f"({pdf.with_suffix('.docx').stat().st_size // 1024} kB)",
        f"Utkastet är klart: 1 dokument, {pages} sidor, 1 lucka att fylla innan den slutliga "
        f"versionen kan byggas. Filerna ligger i ut{os.sep}."]


@pytest.mark.langsam
def test_a_build_into_a_pipe_shows_no_progress(kultur_with_a_gap: Path,
                                               tmp_path: Path) -> None:
    output = _vbgen(["bygg", "kultur", "--ut", "ut"], tmp_path, terminal=False)
    assert "\r" not in output and "\x1b" not in output
    assert "Bygger" not in output
    pdf = tmp_path / "ut" / "verksamhetsberattelse-kultur-och-fritidsnamnden-2023-utkast.pdf"
    pages = len(pypdf.PdfReader(str(pdf)).pages)
    assert [line.split(" (")[0] for line in output.splitlines()] == [
        f"Skrev {Path('ut') / pdf.name}", f"Skrev {Path('ut') / pdf.with_suffix('.docx').name}",
        f"Utkastet är klart: 1 dokument, {pages} sidor, 1 lucka att fylla innan den slutliga "
        f"versionen kan byggas. Filerna ligger i ut{os.sep}."]


@pytest.mark.langsam
def test_a_batch_on_a_terminal_shows_each_namnd_as_it_goes(tmp_path: Path) -> None:
    kommun = tmp_path / "norrvik"
    for name in ("a", "b"):
        shutil.copytree(KULTUR, kommun / name)
    shutil.copytree(PROFILE, kommun / PROFILE.name)
    output = _vbgen(["bygg", "norrvik", "--ut", "ut", "--format", "docx", "--jobb", "1"],
                    tmp_path, terminal=True)
    shown = [part.split("\n")[0] for part in output.split(CLEAR)[1:] if part.strip()]
    progress = [line for line in shown if line.startswith("Bygger 2 nämnder, 1 åt gången:")]
    assert "Bygger 2 nämnder, 1 åt gången: 1 av 2 klara; bygger nu b" in \
        [re.sub(r" \(\d+,\d s\)$", "", line) for line in progress], output
    # Each nämnd's line as it finishes, with a counter, and the summary after the display.
    assert re.search(r"\[1/2\] .*a: klar på ", output) and re.search(r"\[2/2\] .*b: klar på ",
                                                                      output)
    assert output.rstrip().endswith(
        f"2 av 2 nämnder byggdes som utkast, till ut{os.sep}.")


def test_a_draft_and_the_final_version_have_names_of_their_own(
        sample_final: Path, tmp_path: Path, warm_charts: Callable[[Path], None]) -> None:
    out = tmp_path / "ut"
    warm_charts(out)
    draft = run_cli("bygg", str(sample_final), "--ut", str(out), "--format", "docx")
    assert draft.exit_code == 0, draft.output
    assert draft.output.splitlines()[-1] == (
        "Utkastet är klart: 2 dokument, inga luckor: den slutliga versionen kan byggas med "
        f"--slutlig. Filerna ligger i {out}{os.sep}.")
    drafts = {p.name: p.read_bytes() for p in out.glob("*.docx")}
    assert sorted(drafts) == ["tjanstskrivelse-socialnamnden-2024-utkast.docx",
                              "verksamhetsberattelse-socialnamnden-2024-utkast.docx"]

    final = run_cli("bygg", str(sample_final), "--ut", str(out), "--format", "docx",
                    "--slutlig")
    assert final.exit_code == 0, final.output
    assert final.output.splitlines()[-1] == (
        f"Den slutliga versionen är klar: 2 dokument. Filerna ligger i {out}{os.sep}.")
    assert sorted(p.name for p in out.glob("*.docx")) == sorted([
        *drafts, "tjanstskrivelse-socialnamnden-2024.docx",
        "verksamhetsberattelse-socialnamnden-2024.docx"])
    # The draft a colleague may still be reading is as it was.
    assert {name: (out / name).read_bytes() for name in drafts} == drafts


@pytest.mark.parametrize("final, documents, pages, gaps, line", [
    (False, 1, 1, 1, "Utkastet är klart: 1 dokument, 1 sida, 1 lucka att fylla innan den "
                     "slutliga versionen kan byggas. Filerna ligger i ut/."),
    (False, 2, 45, 12, "Utkastet är klart: 2 dokument, 45 sidor, 12 luckor att fylla innan "
                       "den slutliga versionen kan byggas. Filerna ligger i ut/."),
    (False, 2, None, None, "Utkastet är klart: 2 dokument. Filerna ligger i ut/."),
    (True, 2, 45, 0, "Den slutliga versionen är klar: 2 dokument, 45 sidor. Filerna ligger "
                     "i ut/."),
])
def test_the_closing_line(final: bool, documents: int, pages: int | None, gaps: int | None,
                          line: str) -> None:
    assert closing_line(final, documents, pages, gaps, Path("ut")) == line.replace(
        "/", os.sep)
