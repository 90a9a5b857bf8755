"""Time vbgen at each of its documented input limits, in fresh processes.

    .venv/bin/python scripts/granser.py [FALL ...] [--gånger N]

Each case (tests/gransfall.py) is the kultur sample grown to exactly one limit: the texts
together, the table rows together, the depth of the outline, the logotype's pixels and the
Word draft read by ``vbgen hamta``. Every figure is the median of N fresh processes (default
1), with the wall time, the CPU time of every process of the run and the largest resident
memory of one process, as in scripts/benchmark.py. A case must stay under a minute and 1 GB
on the machine of docs/prestanda.md; where it does not, its limit is lowered.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from benchmark import fresh  # noqa: E402
from tests import gransfall  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("fall", nargs="*", metavar="FALL",
                        help="fallen att mäta: " + ", ".join(gransfall.CASES))
    parser.add_argument("--gånger", dest="runs", type=int, default=1,
                        help="nya processer per fall (standard 1)")
    args = parser.parse_args()
    unknown = [name for name in args.fall if name not in gransfall.CASES]
    if unknown:
        parser.error(f"okänt fall {', '.join(unknown)}; välj bland {', '.join(gransfall.CASES)}")
    print(f"belastning före: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| gräns | tid | CPU | RSS |\n|---|---|---|---|")
    for name in args.fall or gransfall.CASES:
        samples = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="vbgen-gräns-") as work:
                command = gransfall.CASES[name](Path(work))
                samples.append(fresh([sys.executable, "-m", "vbgen.cli", *command]))
        wall = statistics.median(s[0] for s in samples)
        peak = statistics.median(s[1] for s in samples)
        cpu = statistics.median(s[2] for s in samples)
        print(f"| {name} | {wall:.1f} s | {cpu:.1f} s | {peak:.0f} MB |".replace(".", ","))
    print(f"belastning efter: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
