"""Builds are transactions: killed at any moment, run side by side, failing or refused, they
leave the output folder with one complete set of documents and nothing half-done."""

from __future__ import annotations

import hashlib
import html
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from vbgen import fingerprint
from vbgen.build import CACHE, COMMIT, LOCK, MANIFEST, Options, build, recover

from .conftest import replace_text, run_cli

DOCS = ("verksamhetsberattelse-socialnamnden-2024-utkast.docx",
        "tjanstskrivelse-socialnamnden-2024-utkast.docx")


def _vbgen(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vbgen.cli", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen, timeout: float | None = None) -> tuple[int, str]:
    _, err = process.communicate(timeout=timeout)
    return process.returncode, err


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _author(path: Path) -> str:
    """The author property of a Word file, read straight from the package."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None  # every part is whole
        core = z.read("docProps/core.xml").decode("utf-8")
    return html.unescape(re.search(r"<dc:creator>(.*?)</dc:creator>", core).group(1))


def _assert_complete(out: Path) -> str:
    """The folder holds one complete set: every document matches the record of what was
    written, and both documents come from the same data. Returns that data's mark."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest) == sorted(DOCS)
    marks = set()
    for name in DOCS:
        assert _digest(out / name) == manifest[name], f"{name} hör inte till samma körning"
        marks.add(_author(out / name).rsplit(", ", 1)[1])
    assert len(marks) == 1, marks
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]
    assert not (out / COMMIT).exists()
    return marks.pop()


@pytest.fixture
def two_versions(tmp_path, sample_copy):
    """Two data folders that differ in what both documents show (the kommun)."""
    other = tmp_path / "data-b"
    shutil.copytree(sample_copy, other)
    replace_text(other / "vb.yaml", "kommun: Huddinge kommun", "kommun: Huddinge kommun B")
    return sample_copy, other


def _build_in_child(data: Path, out: Path, kill_at: int = 0, steps: Path | None = None) -> int:
    """Start a build of ``data`` in a forked copy of this process (imports already done, so
    the build starts at once); return the child's process id.

    With ``kill_at`` the child kills itself just before its ``kill_at``-th file operation in
    ``out`` (opening a file for writing, renaming, replacing); with ``steps`` it writes how
    many such operations the build made.
    """
    pid = os.fork()
    if pid == 0:  # the child: build, then leave without running the parent's cleanup
        code = 1
        try:
            count = 0

            def step(real):  # type: ignore[no-untyped-def]
                def wrapped(path, *args, **kwargs):  # type: ignore[no-untyped-def]
                    nonlocal count
                    if str(path).startswith(str(out)):
                        count += 1
                        if count == kill_at:
                            os.kill(os.getpid(), signal.SIGKILL)
                    return real(path, *args, **kwargs)
                return wrapped

            os.open, os.rename, os.replace = (step(os.open), step(os.rename),
                                              step(os.replace))
            # Every child makes a full build: a rebuild of unchanged data writes nothing.
            (out / CACHE / fingerprint.RECORD).unlink(missing_ok=True)
            build(data, Options(out, formats=("docx",)))
            if steps is not None:
                steps.write_text(str(count), encoding="utf-8")
            code = 0
        finally:
            os._exit(code)
    return pid


def _wait(pid: int) -> int:
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _assert_survives_kill(out: Path) -> None:
    # Whatever moment it died at, each document is a whole Word file and no temporary
    # file is left in the folder.
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]
    for name in DOCS:
        _author(out / name)
    # What the next run finds first: a committed build is completed, an uncommitted one
    # dropped; either way one complete set, every document matching the record, so the next
    # ordinary build will not take a survivor for an edited file.
    recover(out)
    assert not list(out.glob(".vbgen-ny-*"))
    assert _assert_complete(out) in ("Huddinge kommun", "Huddinge kommun B")


def test_build_killed_at_every_step_and_random_moments_leaves_a_complete_set(
        two_versions, tmp_path, warm_charts):
    a, b = two_versions
    out = tmp_path / "ut"
    warm_charts(out)
    build(a, Options(out, formats=("docx",)))
    assert _assert_complete(out) == "Huddinge kommun"
    # An unhindered build: how long it takes and how many file operations it makes.
    steps = tmp_path / "steg"
    start = time.monotonic()
    assert _wait(_build_in_child(b, out, steps=steps)) == 0
    duration = time.monotonic() - start
    total = int(steps.read_text(encoding="utf-8"))
    assert total >= 5  # lock, documents, record, the commit, the moves
    marks = set()
    # Killed just before each of its file operations, from taking the lock to moving the
    # record into place ...
    for n in range(1, total + 1):
        assert _wait(_build_in_child(a if n % 2 else b, out, kill_at=n)) == -signal.SIGKILL
        _assert_survives_kill(out)
        marks.add(_assert_complete(out))
    assert marks == {"Huddinge kommun", "Huddinge kommun B"}  # some died after the commit
    # ... and at random moments.
    rng = random.Random(20241127)
    for i in range(max(0, 20 - total)):
        pid = _build_in_child(a if i % 2 == 0 else b, out)
        time.sleep(duration * rng.uniform(0.3, 1.05))
        os.kill(pid, signal.SIGKILL)
        _wait(pid)
        _assert_survives_kill(out)
    assert run_cli("build", str(a), "--ut", str(out), "--format", "docx").exit_code == 0
    assert _assert_complete(out) == "Huddinge kommun"


def test_build_stopped_after_its_commit_is_completed_by_the_next(two_versions, tmp_path,
                                                                 warm_charts):
    a, b = two_versions
    out, other = tmp_path / "ut", tmp_path / "ut-b"
    warm_charts(out)
    warm_charts(other)
    build(a, Options(out, formats=("docx",)))
    build(b, Options(other, formats=("docx",)))
    # The state a build killed half-way through moving its files leaves: the commit folder
    # holds the new record and one document; the other is already in place.
    commit = out / COMMIT
    commit.mkdir()
    shutil.copy(other / MANIFEST, commit / MANIFEST)
    shutil.copy(other / DOCS[1], commit / DOCS[1])
    shutil.copy(other / DOCS[0], out / DOCS[0])
    assert run_cli("validate", str(a)).exit_code == 0
    result = run_cli("build", str(a), "--ut", str(out), "--format", "docx")
    assert result.exit_code == 0, result.output
    assert _assert_complete(out) == "Huddinge kommun"


def test_two_builds_into_one_folder_are_serialised(two_versions, tmp_path, warm_charts):
    a, b = two_versions
    out = tmp_path / "ut"
    warm_charts(out)
    # Both draw the same new chart image at once, each in its own folder.
    for data in (a, b):
        replace_text(data / "vb.yaml", "titel: Sjukfrånvaro totalt", "titel: Ny sjukfrånvaro")
    cached = set((out / CACHE).iterdir())
    children = [_build_in_child(a, out), _build_in_child(b, out)]
    for pid in children:
        assert _wait(pid) == 0
    assert _assert_complete(out) in ("Huddinge kommun", "Huddinge kommun B")
    assert sorted(p.name for p in out.iterdir()) == sorted([*DOCS, MANIFEST, LOCK, CACHE])
    # The new chart is in the cache once, as the PNG the Word file shows, and nothing
    # half-written is.
    assert sorted(p.suffix for p in set((out / CACHE).iterdir()) - cached) == [".png"]


def test_a_build_that_cannot_get_the_lock_refuses_clearly(sample_copy, tmp_path, warm_charts,
                                                           monkeypatch):
    import fcntl

    import vbgen.build

    monkeypatch.setattr(vbgen.build, "LOCK_WAIT", 0.0)  # give up at once instead of waiting
    out = tmp_path / "ut"
    warm_charts(out)
    with open(out / LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run_cli("build", str(sample_copy), "--ut", str(out), "--format", "docx")
    assert result.exit_code == 2
    assert result.output == (f"Kan inte fortsätta: en annan körning av vbgen skriver "
                             f"fortfarande till {out} (låsfilen {LOCK}); vänta tills den är klar "
                             "eller välj en annan mapp med --ut\n")
    assert sorted(p.name for p in out.iterdir()) == [CACHE, LOCK]


def test_failed_build_writes_nothing_not_even_charts(sample_copy, tmp_path, warm_charts):
    own = tmp_path / "mallar" / "avsnitt"
    own.mkdir(parents=True)
    # The last section fails, after every chart of the report has been drawn.
    (own / "bilaga_volymer.j2").write_text("<h1>Bilaga</h1>{{ finns_inte }}", encoding="utf-8")
    (own.parent / "tjanstskrivelse").mkdir()
    (own.parent / "tjanstskrivelse" / "underskrift.j2").write_text("{{ finns_inte }}",
                                                                  encoding="utf-8")
    fresh = tmp_path / "ny"
    result = run_cli("build", str(sample_copy), "--ut", str(fresh), "--mallar",
                     str(tmp_path / "mallar"), "--dokument", "tjanstskrivelse")
    assert result.exit_code == 1
    assert not fresh.exists()
    warm = tmp_path / "ut"
    warm_charts(warm)
    before = _listing(warm)
    replace_text(sample_copy / "vb.yaml", "titel: Sjukfrånvaro totalt", "titel: Ny sjukfrånvaro")
    result = run_cli("build", str(sample_copy), "--ut", str(warm), "--mallar",
                     str(tmp_path / "mallar"), "--format", "docx")
    assert result.exit_code == 1
    assert _listing(warm) == before


def test_refused_build_writes_nothing(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    build(sample_copy, Options(out, formats=("docx",)))
    with (out / DOCS[1]).open("ab") as fh:
        fh.write(b"redigerad")
    replace_text(sample_copy / "vb.yaml", "titel: Sjukfrånvaro totalt", "titel: Ny sjukfrånvaro")
    before = _listing(out)
    result = run_cli("build", str(sample_copy), "--ut", str(out), "--format", "docx")
    assert result.exit_code == 1
    assert "skrivs inte över" in result.output
    assert _listing(out) == before


def test_output_file_that_is_a_folder(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    (out / DOCS[0]).mkdir()
    result = run_cli("build", str(sample_copy), "--ut", str(out), "--format", "docx")
    assert result.exit_code == 2
    assert result.output == (f"Kan inte fortsätta: {out / DOCS[0]} är en mapp, och vbgen skriver "
                             "en fil med det namnet; flytta mappen eller välj en annan mapp med "
                             "--ut\n")
    assert not (out / MANIFEST).exists()


def test_output_folder_inside_a_file(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "fil" / "ut"
    out.parent.write_text("en fil", encoding="utf-8")
    result = run_cli("build", str(sample_copy), "--ut", str(out), "--format", "docx",
                     "--dokument", "tjanstskrivelse")
    assert result.exit_code == 2
    assert result.output == (f"Kan inte fortsätta: kan inte skapa utmappen {out}: en del av "
                             "sökvägen är en fil, inte en mapp\n")


def test_internal_error_is_one_line_and_a_log(sample_copy, tmp_path, monkeypatch):
    import vbgen.derive.goals

    def broken(report):
        raise RuntimeError("ett fel i vbgen självt")

    # The build imports derive() when it uses it.
    monkeypatch.setattr(vbgen.derive.goals, "derive", broken)
    out = tmp_path / "ut"
    result = run_cli("build", str(sample_copy), "--ut", str(out))
    assert result.exit_code == 3
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Internt fel i vbgen (RuntimeError); detaljerna finns i "
                               f"{out}/vbgen-fel-")
    log = Path(lines[0].split("detaljerna finns i ")[1].split(".log")[0] + ".log")
    assert "ett fel i vbgen självt" in log.read_text(encoding="utf-8")
    assert "Traceback" in log.read_text(encoding="utf-8")


# --- The environment: permissions and a full disk ---------------------------------------------


def _as_ordinary_user() -> list[str]:
    """A command prefix that runs vbgen without root's power to ignore file permissions."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv saknas; som root går det inte att pröva behörigheter")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def _run_vbgen(prefix: list[str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "vbgen.cli", *args],
                          capture_output=True, text=True)


def test_unreadable_input_file(sample_copy):
    (sample_copy / "risker.csv").chmod(0)
    result = _run_vbgen(_as_ordinary_user(), "validate", str(sample_copy))
    assert result.returncode == 2, result.stderr
    assert result.stderr == (f"Kan inte fortsätta: kan inte läsa {sample_copy / 'risker.csv'}: "
                             "behörighet saknas\n")


def test_read_only_output_folder(sample_copy, tmp_path, warm_charts):
    out = tmp_path / "ut"
    warm_charts(out)
    out.chmod(0o555)
    try:
        result = _run_vbgen(_as_ordinary_user(), "build", str(sample_copy), "--ut", str(out),
                            "--format", "docx", "--dokument", "tjanstskrivelse")
    finally:
        out.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Kan inte fortsätta: kan inte skriva i utmappen {out}")
    assert result.stderr.rstrip().endswith("behörighet saknas")


def test_full_disk(sample_copy, tmp_path, warm_charts):
    if shutil.which("unshare") is None:
        pytest.skip("unshare saknas")
    out = tmp_path / "ut"
    out.mkdir()
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    script = (f'mount -t tmpfs -o size=16k tmpfs "{out}" && '
              f'"{sys.executable}" -m vbgen.cli build "{sample_copy}" --ut "{out}" '
              f"--format docx --dokument tjanstskrivelse; echo \"kod $?\"; "
              f'ls -A "{out}"')
    result = subprocess.run(["unshare", *user, "--mount", "sh", "-c", script],
                            capture_output=True, text=True)
    if "kod" not in result.stdout:
        pytest.skip(f"kan inte montera ett litet filsystem här: {result.stderr.strip()}")
    assert "kod 2" in result.stdout
    assert "Traceback" not in result.stderr
    assert "disken är full" in result.stderr
    # Nothing half-written is left on the full disk: only the lock file.
    assert result.stdout.split("kod 2", 1)[1].split() == [LOCK]


def test_output_folder_that_is_a_file(sample_copy, tmp_path):
    out = tmp_path / "ut"
    out.write_text("en fil", encoding="utf-8")
    result = run_cli("build", str(sample_copy), "--ut", str(out), "--format", "docx",
                     "--dokument", "tjanstskrivelse")
    assert result.exit_code == 2
    assert result.output == (f"Kan inte fortsätta: kan inte skapa utmappen {out}: det finns "
                             "redan en fil med det namnet\n")
    assert out.read_text(encoding="utf-8") == "en fil"


def test_missing_style_folder_is_named_in_swedish(sample_copy, tmp_path):
    result = run_cli("build", str(sample_copy), "--stilar", str(tmp_path / "saknas"))
    assert result.exit_code == 1
    assert result.output == f"Stilmappen {tmp_path / 'saknas'} finns inte (eller är ingen mapp).\n"
