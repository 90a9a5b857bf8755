"""Time a full build of the sample report, stage by stage.

    .venv/bin/python scripts/benchmark.py [DATAMAPP] [--gånger N]

Prints the median over N runs for loading, deriving, composing and each writer, and the
whole build with a cold and a warm chart cache.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from vbgen.build import CACHE, DOCUMENTS, Options, build, compose_document
from vbgen.charts import ChartRenderer
from vbgen.derive import derive
from vbgen.load import load
from vbgen.resources import styles_dir
from vbgen.writers.docx import write_docx
from vbgen.writers.pdf import write_pdf

ROOT = Path(__file__).resolve().parent.parent


def _time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mapp", nargs="?", type=Path,
                        default=ROOT / "sample_data" / "socialnamnden-2024")
    parser.add_argument("--gånger", dest="runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        report = load(args.mapp)
        figures = derive(report)
        charts = ChartRenderer(out / CACHE, styles_dir() / "diagram.mplstyle")
        template = DOCUMENTS["verksamhetsberattelse"].template
        document = compose_document(report, figures, template, charts)
        rows = [
            ("läsa data", _time(lambda: load(args.mapp), args.runs)),
            ("räkna fram siffror", _time(lambda: derive(report), args.runs)),
            ("mallar till dokumentmodell", _time(
                lambda: compose_document(report, figures, template, charts), args.runs)),
            ("skriva DOCX", _time(
                lambda: write_docx(document, styles_dir() / "referens.docx"), args.runs)),
            ("skriva PDF", _time(
                lambda: write_pdf(document, styles_dir() / "rapport.css", args.mapp), args.runs)),
        ]
        cold = Path(tmp) / "kall"
        start = time.perf_counter()
        build(args.mapp, Options(cold))
        rows.append(("hela bygget, tom diagramcache", time.perf_counter() - start))
        rows.append(("hela bygget, varm diagramcache", _time(
            lambda: build(args.mapp, Options(cold, force=True)), args.runs)))
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:6.2f} s")


if __name__ == "__main__":
    main()
