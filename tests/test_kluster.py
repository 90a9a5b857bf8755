"""A batch built on a Dask cluster: a scheduler and several workers started here as on a
cluster, one nämnd with bad data, one whose build takes down its worker once, and one that
never finishes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import KULTUR, PROFILE, replace_text, run_cli
from .test_batch import table

pytest.importorskip("distributed")

DASK = Path(sys.executable).parent / "dask"

#: Loaded by each worker: the build of "kraschar" kills its worker the first time (the
#: mark says it happened), and the build of "fastnar" never ends.
PRELOAD = '''
import os, signal, time
from pathlib import Path

import vbgen.commands.batch

# Dask may load this file twice in a process: the build replaced stays the real one.
_real = getattr(vbgen.commands.batch.build, "__wrapped__", vbgen.commands.batch.build)
_MARK = Path(os.environ["VBGEN_TEST_MARK"])


def build(folder, options, notes=None, gaps=None):
    if folder.name == "kraschar" and not _MARK.exists():
        _MARK.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    if folder.name == "fastnar":
        time.sleep(3600)
    return _real(folder, options, notes, gaps)


build.__wrapped__ = _real
vbgen.commands.batch.build = build
'''


#: Waits until the cluster at the address given has three workers.
READY = """
import sys
from distributed import Client

with Client(sys.argv[1], timeout=60) as client:
    client.wait_for_workers(3, timeout=100)
"""


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as fh:
        return subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A scheduler and three workers of one thread each, in processes of their own; the
    scheduler's address and the mark of the killed worker."""
    if not DASK.exists():
        pytest.skip("Dasks kommando dask finns inte i miljön")
    mark = tmp_path / "dodad-arbetare"
    preload = tmp_path / "vbgen_test_preload.py"
    preload.write_text(PRELOAD, encoding="utf-8")
    env = {**os.environ, "VBGEN_TEST_MARK": str(mark),
           # A task may take down one worker and is run again; a second time it has failed.
           "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
           # A worker is given only the task it runs, so that no other task dies with it.
           "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0"}
    info = tmp_path / "schemalaggare.json"
    scheduler = _start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                        "--no-dashboard", "--scheduler-file", str(info)],
                       tmp_path / "schemalaggare.log", env)
    workers = None
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text(encoding="utf-8"))["address"]
        workers = _start([str(DASK), "worker", address, "--nworkers", "3", "--nthreads", "1",
                          "--no-dashboard", "--host", "127.0.0.1", "--preload", str(preload),
                          "--local-directory", str(tmp_path / "dask")],
                         tmp_path / "arbetare.log", env)
        # Every worker ready before the first is killed: a worker that dies while it is
        # still starting takes the whole "dask worker" down with it.
        subprocess.run([sys.executable, "-c", READY, address], check=True, timeout=120,
                       capture_output=True)
        yield address, mark
    finally:
        if workers is not None:
            _stop(workers)
        _stop(scheduler)


def test_a_batch_on_a_cluster_isolates_failures_and_retries_a_killed_worker(
        cluster: tuple[str, Path], tmp_path: Path) -> None:
    address, mark = cluster
    kommun = tmp_path / "norrvik"
    for name in ("kultur", "kraschar", "fastnar", "trasig"):
        shutil.copytree(KULTUR, kommun / name)
    shutil.copytree(PROFILE, kommun / "norrviks-kommun")
    replace_text(kommun / "trasig" / "vb.yaml", "ar: 2023", "ar: tjugotjugotre")
    out = tmp_path / "ut"
    # Run from another folder: the workers find the folders by their whole paths.
    done = subprocess.run([sys.executable, "-m", "vbgen.cli", "bygg", "norrvik", "--ut", "ut",
                           "--format", "docx", "--kluster", address, "--tidsgrans", "10"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output

    rows = table(output)
    assert list(rows) == ["fastnar", "kraschar", "kultur", "trasig"]
    # Built: kultur at once, kraschar on another worker after its first one died.
    for name in ("kultur", "kraschar"):
        assert rows[name][0] == "1" and rows[name][4] == "0", output
        assert [p.name for p in (out / name).glob("*.docx")] == [
            "verksamhetsberattelse-kultur-och-fritidsnamnden-2023-utkast.docx"]
    killed = int(mark.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(killed, 0)  # the worker that began kraschar is gone
    # Not built, each with its reason, the others built all the same.
    assert rows["trasig"][4] == "1" and rows["fastnar"][4] == "1"
    assert "trasig: fel efter" in output and 'fält "ar"' in output
    assert ("fastnar: fel efter" in output and "bygget avbröts på klustret: varje arbetare som "
            "byggde nämnden stoppades innan den var klar (tog bygget mer än 10 s, eller tog "
            "minnet slut?)" in output)
    assert not (out / "fastnar").exists() and not (out / "trasig").exists()
    assert f"2 av 4 nämnder byggdes som utkast, till ut{os.sep}; 2 misslyckades." in output
    assert f"Fel i {Path('norrvik') / 'trasig'}:" in output


@pytest.mark.parametrize("address, message", [
    ("schemalaggare", '"schemalaggare" är ingen adress till en Dask-schemaläggare; skriv till '
                      "exempel tcp://server:8786"),
])
def test_a_wrong_address_is_told(address: str, message: str, tmp_path: Path) -> None:
    shutil.copytree(KULTUR, tmp_path / "kultur")
    result = run_cli("bygg", str(tmp_path / "kultur"), "--kluster", address)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == f"vbgen bygg: {message}"
