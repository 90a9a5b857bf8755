"""Links, pipes, devices and sockets in the data, the kommun profile and the kommun folder:
``validate``, ``build`` and a batch refuse each one the data names and never open one it
does not, and never wait for one.

What is opened is seen with ``strace`` where it is installed (``scripts/test.sh`` installs
it); without it those tests are skipped and the others still run.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import KULTUR, copy_kultur, replace_text, run_cli

STRACE = shutil.which("strace")


def _strace_works() -> bool:
    if STRACE is None:
        return False
    done = subprocess.run([STRACE, "-f", "-e", "trace=open,openat", "-o", os.devnull, "true"],
                          capture_output=True, timeout=60)
    return done.returncode == 0


needs_strace = pytest.mark.skipif(not _strace_works(), reason="strace saknas eller får inte "
                                  "följa processer (scripts/test.sh installerar det)")


@pytest.fixture
def sockets() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    yield opened
    for s in opened:
        s.close()


def junk(folder: Path, outside: Path, sockets: list[socket.socket]) -> list[Path]:
    """Put into ``folder`` what no data names and vbgen must never open: links to a secret
    file outside, to the system's password file and to endless devices, a named pipe, a
    socket, a link to a pipe and, where allowed, a device. Returns their paths."""
    made = []
    for name, target in (("hemlig.md", outside / "hemlig.txt"), ("losen.csv", "/etc/passwd"),
                         ("noll.md", "/dev/zero"), ("slump.xlsx", "/dev/urandom")):
        (folder / name).symlink_to(target)
        made.append(folder / name)
    os.mkfifo(folder / "ror.md")
    (folder / "till-ror.csv").symlink_to(folder / "ror.md")
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(folder / "uttag.sock"))
    sockets.append(s)
    made += [folder / "ror.md", folder / "till-ror.csv", folder / "uttag.sock"]
    try:  # a device of its own, like /dev/zero, where the system lets the tests make one
        os.mknod(folder / "enhet.md", stat.S_IFCHR | 0o600, os.makedev(1, 5))
        made.append(folder / "enhet.md")
    except (PermissionError, OSError):
        pass
    return made


@pytest.fixture
def kommun(tmp_path: Path, sockets: list[socket.socket]) -> tuple[Path, list[Path]]:
    """A kommun folder with the kultur nämnd and its profile, and junk in all three."""
    outside = tmp_path / "utanfor"
    outside.mkdir()
    (outside / "hemlig.txt").write_text("hemligt\n", encoding="utf-8")
    data = copy_kultur(tmp_path / "norrvik")
    placed = []
    for folder in (data, data / "text", data.parent / "norrviks-kommun", data.parent):
        placed += junk(folder, outside, sockets)
    return data, placed


def within_seconds(action: Callable[[], object], seconds: float = 120) -> object:
    """Run ``action`` and return what it returned; fail if it is not done in ``seconds``
    (a read of a pipe would wait for ever)."""
    found: list[object] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            found.append(action())
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
            failed.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "vbgen väntar fortfarande"
    if failed:
        raise failed[0]
    return found[0]


def opened(args: list[str], log: Path, cwd: Path) -> tuple[subprocess.CompletedProcess, str]:
    """Run ``vbgen args`` under strace; what it printed, and every path it opened."""
    done = subprocess.run([STRACE or "strace", "-f", "-qq", "-e", "trace=open,openat", "-o",
                           str(log), sys.executable, "-m", "vbgen.cli", *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)
    return done, log.read_text(encoding="utf-8", errors="replace")


def _touched(paths: list[Path], log: str, root: Path) -> list[str]:
    """Those of ``paths`` the strace ``log`` shows opened: by the name given, or by where a
    link leads when that is in ``root`` (the system's own files, such as /dev/urandom, are
    opened by the libraries themselves)."""
    names = {str(p) for p in paths} | {os.path.realpath(p) for p in paths
                                       if os.path.realpath(p).startswith(str(root))}
    return sorted(name for name in names if f'"{name}"' in log)


@needs_strace
@pytest.mark.parametrize("command", ["validate", "build"])
def test_what_the_data_does_not_name_is_never_opened(kommun, tmp_path, command):
    data, placed = kommun
    extra = ["--ut", str(tmp_path / "ut"), "--format", "docx"] if command == "build" else []
    done, log = opened([command, str(data), *extra], tmp_path / "strace.log", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "inga fel" in done.stdout or "Skrev" in done.stdout
    assert str(data / "text" / "sammanfattning.md") in log  # the log does show what is read
    assert _touched(placed, log, tmp_path) == []
    if command == "build":  # and again, when nothing changed: only what the build read
        again, log = opened([command, str(data), *extra], tmp_path / "igen.log", tmp_path)
        assert "Inget har ändrats" in again.stdout, again.stdout + again.stderr
        assert _touched(placed, log, tmp_path) == []


@needs_strace
def test_a_batch_opens_nothing_the_data_does_not_name(kommun, tmp_path):
    data, placed = kommun
    elsewhere = tmp_path / "annanstans"
    shutil.copytree(KULTUR, elsewhere / "hemlig-namnd")
    (data.parent / "hemlig-namnd").symlink_to(elsewhere / "hemlig-namnd")
    done, log = opened(["build", str(data.parent), "--ut", str(tmp_path / "ut"), "--format",
                        "docx", "--jobb", "1"], tmp_path / "strace.log", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 av 1 nämnd byggdes som utkast" in done.stdout
    assert "hemlig-namnd är en länk till en nämnds mapp utanför kommunmappen" in done.stdout
    assert _touched(placed, log, tmp_path) == []
    assert str(elsewhere) not in log


@needs_strace
def test_a_profile_in_a_system_folder_is_refused_without_reading_it(kultur, tmp_path):
    system = tmp_path / "system"
    system.mkdir()
    (system / "shadow").write_text("root:hemligt\n", encoding="utf-8")
    replace_text(kultur / "vb.yaml", "profil: ../norrviks-kommun", f"profil: {system}")
    for args in (["validate", str(kultur)], ["build", str(kultur), "--ut", str(tmp_path)]):
        done, log = opened(args, tmp_path / f"{args[0]}.log", tmp_path)
        assert done.returncode == 1
        assert f'kommunprofilen "{system}" finns inte' in done.stderr + done.stdout
        assert str(system / "shadow") not in log


# --- Named by the data: refused with a message, at once ---------------------------------------


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _link(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.unlink(missing_ok=True)
        path.symlink_to(target)
    return make


@pytest.mark.parametrize("place, make, message", [
    ("text/sammanfattning.md", _fifo,
     "text/sammanfattning.md: filen är en namngiven pipe (FIFO) och ingen vanlig fil; vbgen "
     "läser bara vanliga filer"),
    ("drift.csv", _fifo, "drift.csv: filen är en namngiven pipe (FIFO) och ingen vanlig fil"),
    ("indikatorer.csv", _link("/dev/zero"), "indikatorer.csv: filen ligger utanför datamappen"),
    ("uppdrag.csv", _link("/etc/passwd"), "uppdrag.csv: filen ligger utanför datamappen"),
    ("besok.csv", _link("/dev/urandom"), 'filen "besok.csv" ligger utanför datamappen'),
    ("text/ekonomi.md", _link("ror"), "text/ekonomi.md: filen är en länk till en fil som "
                                      "inte finns"),
    ("../norrviks-kommun/kommun.yaml", _fifo,
     "../norrviks-kommun/kommun.yaml: filen är en namngiven pipe (FIFO)"),
    ("vb.yaml", _fifo, "vb.yaml: filen är en namngiven pipe (FIFO)"),
])
def test_a_file_the_data_names_that_is_no_regular_file_is_refused(kultur, tmp_path, place,
                                                                   make, message):
    make(kultur / place)
    for args in (["validate", str(kultur)],
                 ["build", str(kultur), "--ut", str(tmp_path / "ut"), "--format", "docx"]):
        result = within_seconds(lambda args=args: run_cli(*args))
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert "Internt fel" not in result.output


@pytest.mark.parametrize("name, flag", [("rapport.css", "--stilar"),
                                        ("logotyp.png", "--stilar"),
                                        ("block/text.j2", "--mallar")])
def test_a_style_or_template_that_is_a_pipe_is_refused(kultur, tmp_path, name, flag):
    folder = tmp_path / "egna"
    (folder / "block").mkdir(parents=True)
    os.mkfifo(folder / name)
    for args in (["validate", str(kultur), flag, str(folder)],
                 ["build", str(kultur), "--ut", str(tmp_path / "ut"), flag, str(folder)]):
        result = within_seconds(lambda args=args: run_cli(*args))
        assert result.exit_code == 1, result.output
        assert f"{name} är en namngiven pipe (FIFO) och ingen vanlig fil" in result.output \
            or f"{name}: filen är en namngiven pipe (FIFO) och ingen vanlig fil" \
            in result.output


def test_a_namnd_with_a_pipe_fails_alone_in_a_batch(tmp_path):
    kommun = tmp_path / "norrvik"
    data = copy_kultur(kommun)
    shutil.copytree(data, kommun / "med-ror")
    _fifo(kommun / "med-ror" / "text" / "sammanfattning.md")
    result = within_seconds(lambda: run_cli("build", str(kommun), "--ut", str(tmp_path / "ut"),
                                            "--format", "docx"))
    assert result.exit_code == 1
    assert "1 av 2 nämnder byggdes som utkast" in result.output
    assert "; 1 misslyckades." in result.output
    assert "text/sammanfattning.md: filen är en namngiven pipe (FIFO)" in result.output
