"""Time a batch of generated nämnder on this machine: the local pool against a Dask cluster.

    .venv/bin/python scripts/batch_benchmark.py [--antal 60] [--arbetare N] [--format pdf,docx]

The nämnder are copies of the kultur sample, each under a name of its own, in one kommun
folder beside a copy of the kommun profile. The same batch is built twice from scratch by
``vbgen bygg`` in a fresh process: once with the local pool (``--jobb N``), once on a Dask
cluster started here (a scheduler and N workers of one thread each, as docs/batch.md
advises), the cluster's start not counted. Prints the wall time of each, and the time per
nämnd, as a table for docs/batch.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KULTUR = ROOT / "sample_data" / "kulturnamnden-2023"
PROFILE = ROOT / "sample_data" / "norrviks-kommun"
BIN = Path(sys.executable).parent


def make_kommun(root: Path, count: int) -> Path:
    """A kommun folder of ``count`` nämnder, each a copy of the kultur sample by its own
    name, beside the kommun profile."""
    kommun = root / "kommun"
    shutil.copytree(PROFILE, kommun / PROFILE.name)
    for i in range(1, count + 1):
        folder = shutil.copytree(KULTUR, kommun / f"namnd-{i:02}")
        main = folder / "vb.yaml"
        text = main.read_text(encoding="utf-8")
        main.write_text(text.replace("namnd: Kultur- och fritidsnämnden",
                                     f"namnd: Nämnd {i:02}", 1), encoding="utf-8")
    return kommun


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """The wall time of ``vbgen`` with ``args``, which must succeed, and the machine's load
    average (one minute) at its end: others' work on a shared machine shows there."""
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "vbgen"), *args], cwd=cwd, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"vbgen {' '.join(args)} misslyckades:\n{done.stdout}{done.stderr}")
    return seconds, os.getloadavg()[0]


class Cluster:
    """A Dask scheduler and ``workers`` workers of one thread each, in processes of their
    own, until closed."""

    def __init__(self, root: Path, workers: int) -> None:
        info = root / "schemalaggare.json"
        self.processes = [subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(info)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
        while not info.exists():
            time.sleep(0.2)
        time.sleep(0.5)  # the file is written whole before it is read
        self.address = json.loads(info.read_text(encoding="utf-8"))["address"]
        self.processes.append(subprocess.Popen(
            [str(BIN / "dask"), "worker", self.address, "--nworkers", str(workers),
             "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
             "--local-directory", str(root / "dask")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        subprocess.run([sys.executable, "-c",
                        "import sys\nfrom distributed import Client\n"
                        "with Client(sys.argv[1], timeout=60) as c:\n"
                        "    c.wait_for_workers(int(sys.argv[2]), timeout=120)\n",
                        self.address, str(workers)], check=True)

    def close(self) -> None:
        for process in reversed(self.processes):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--antal", type=int, default=60, help="antal nämnder")
    parser.add_argument("--arbetare", type=int, default=os.cpu_count() or 1,
                        help="nämnder åt gången: --jobb lokalt, arbetare på klustret")
    parser.add_argument("--format", default="docx,pdf", help="format att bygga")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vbgen-batch-") as tmp:
        root = Path(tmp)
        kommun = make_kommun(root, args.antal)
        common = [str(kommun), "--format", args.format, "--tyst"]
        local = timed(["bygg", *common, "--ut", str(root / "lokalt"), "--jobb",
                       str(args.arbetare)], root)
        cluster = Cluster(root, args.arbetare)
        try:
            on_cluster = timed(["bygg", *common, "--ut", str(root / "kluster"), "--kluster",
                                cluster.address], root)
        finally:
            cluster.close()

    print(f"{args.antal} nämnder (kultursamplet), {args.format}, {args.arbetare} åt gången; "
          f"{os.cpu_count()} kärnor, Python {platform.python_version()}")
    print("| sätt | tid | per nämnd | belastning vid slutet |")
    print("|---|---:|---:|---:|")
    for name, (seconds, load) in (
            (f"lokal pool, --jobb {args.arbetare}", local),
            (f"Dask-kluster på samma dator, {args.arbetare} arbetare", on_cluster)):
        print(f"| {name} | {seconds:.0f} s | {seconds / args.antal:.1f} s | {load:.1f} |"
              .replace(".", ","))


if __name__ == "__main__":
    main()
