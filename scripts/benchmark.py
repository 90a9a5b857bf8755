"""Time vbgen in fresh processes, beside the Typst route of the shared benchmark, in one run.

    .venv/bin/python scripts/benchmark.py [DATAMAPP] [--gånger N] [--utan-typst] [--json FIL]

Every figure is the median of N fresh processes (interpreter start included), each building
both documents as DOCX and PDF:

- kall: an empty output folder, so every chart is drawn;
- varm: the charts cached, the documents removed, so everything else is built again;
- bara PDF, bara DOCX: warm, one format;
- en text ändrad: one Markdown text edited in a copy of the data folder, then rebuilt;
- inget ändrat: rebuilt once more without any change;
- varm, texter ×K (``--skala K``, 10 unless 0): as varm, with every Markdown text K times.

"Varm" keeps the charts and nothing else: the laid-out chapters are removed with the
documents, so that the PDF is laid out again, as the Word file is written again.

Beside it the alternative route (``BENCH/pipeline.py --pdf typst``: matplotlib, python-docx
and Typst in one process) runs in the same session; what it needs is installed into its own
virtual environment under ``output/bench/``, never into the project's. Peak memory is the
largest resident set of any one process of a build. The phases come from a build run in a
fresh process with timers around vbgen's main steps, in processor time (which others' work
on the machine hardly changes), summed over the processes that did the work; the whole
build is given in wall time. The PDF's phases are given for each chapter too, and the phases
the route shares (charts, DOCX, PDF) beside its own. Import times are measured apart, each
in a fresh interpreter, since importing a library in the build's process would spare the
processes it starts from importing it.
"""

from __future__ import annotations

import argparse
import ctypes.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "output" / "bench"
# The route lives in the shared folder beside the project's checkout.
BENCH = Path(os.environ.get("VBGEN_BENCH", ROOT.parent / "shared" / "bench"))
ROUTE_PACKAGES = ["python-docx", "matplotlib", "pandas", "jinja2", "typst"]
#: The text edited between two builds, relative to the data folder.
EDITED_TEXT = Path("text") / "n3-analys.md"


# --- Running fresh processes -------------------------------------------------------------


class Popen(subprocess.Popen):  # type: ignore[type-arg]
    """A Popen that reaps its child with wait4, to read that child's own peak memory."""

    usage: Any = None

    def _try_wait(self, wait_flags: int) -> tuple[int, int]:
        pid, status, usage = os.wait4(self.pid, wait_flags)
        if pid:
            self.usage = usage
        return pid, status


def fresh(cmd: list[str], env: dict[str, str] | None = None
          ) -> tuple[float, float, float, str]:
    """Run ``cmd`` in a fresh process: wall seconds, peak resident MB, CPU seconds, stdout.

    CPU time counts every process of the build; unlike the wall time it hardly changes when
    other work shares the machine.
    """
    start = time.perf_counter()
    proc = Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} misslyckades:\n{stderr.decode()}")
    usage = proc.usage
    peak = usage.ru_maxrss / 1024 if usage else float("nan")
    cpu = usage.ru_utime + usage.ru_stime if usage else float("nan")
    return seconds, peak, cpu, stdout.decode()


def vbgen(folder: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "vbgen.cli", "build", str(folder), "--ut", str(out), *extra]


#: The laid-out chapters in an output folder's cache (see vbgen.writers.cache).
CHAPTERS = (".vbgen-cache/kapitel-*.pdf", ".vbgen-cache/kapitel.json")


def _remove_documents(out: Path) -> None:
    """Remove the built documents and the laid-out chapters; the charts stay."""
    for path in out.glob("*.*"):
        if path.suffix in (".docx", ".pdf"):
            path.unlink()
    for pattern in CHAPTERS:
        for path in out.glob(pattern):
            path.unlink()


def _edit(folder: Path, n: int) -> None:
    text = folder / EDITED_TEXT
    text.write_text(text.read_text(encoding="utf-8") + f"\n\nÄndring nummer {n}.\n",
                    encoding="utf-8")


# --- The scenarios -------------------------------------------------------------------------


Sample = tuple[float, float, float]  # wall seconds, peak MB, CPU seconds


def variant_env(source: Path | None) -> dict[str, str] | None:
    """The environment that runs vbgen from ``source`` (an unpacked revision), or as installed."""
    if source is None:
        return None
    return {**os.environ, "PYTHONPATH": str(source / "src")}


def unpack(revision: str) -> Path:
    """vbgen at ``revision`` (its code, templates and styles), unpacked under output/bench/."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", revision],
                            capture_output=True, text=True, check=True).stdout.strip()
    target = WORK / f"rev-{commit}"
    if not target.is_dir():
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src", "templates",
                                  "styles"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def compile_vbgen(source: Path | None) -> None:
    """Compile vbgen's modules (of ``source``, an unpacked revision, or this one) to
    bytecode, as installing a package does and as Python does itself at the first build
    where it may: where ``PYTHONDONTWRITEBYTECODE`` is set, every build would otherwise
    compile them again, which a user's second build never does."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str((source or ROOT) / "src")],
                   check=True, stdout=subprocess.DEVNULL)


def _scale(folder: Path, target: Path, factor: int) -> None:
    """A copy of ``folder`` whose every Markdown text says what it says ``factor`` times."""
    shutil.copytree(folder, target)
    for text in (target / "text").rglob("*.md"):
        body = text.read_text(encoding="utf-8").strip()
        # Footnote labels must stay unique: number them per copy.
        copies = [body.replace("[^", f"[^k{n}-") for n in range(factor)]
        text.write_text("\n\n".join(copies) + "\n", encoding="utf-8")


def vbgen_scenarios(folder: Path, runs: int, variants: dict[str, Path | None],
                    factor: int = 0) -> dict[str, dict[str, list[Sample]]]:
    """Every scenario for every variant; the variants take turns, run by run."""
    results: dict[str, dict[str, list[Sample]]] = {v: {} for v in variants}
    places = {}
    for n, variant in enumerate(variants):
        work = WORK / f"vbgen-{n}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        shutil.copytree(folder, work / "data")
        if factor > 1:
            _scale(folder, work / "skalad", factor)
        places[variant] = work

    def scenario(name: str, before: Callable[[Path, int], None], out: str = "original",
                 *extra: str) -> None:
        # "original" builds the data folder itself, "kopia" the copy that is edited.
        for i in range(runs):
            for variant, source in variants.items():
                work = places[variant]
                before(work, i)
                data = {"original": folder, "kopia": work / "data",
                        "skalad-ut": work / "skalad"}[out]
                seconds, peak, cpu, _ = fresh(vbgen(data, work / out, *extra),
                                              variant_env(source))
                results[variant].setdefault(name, []).append((seconds, peak, cpu))

    scenario("kall", lambda w, _: shutil.rmtree(w / "original", ignore_errors=True))
    scenario("varm", lambda w, _: _remove_documents(w / "original"))
    scenario("bara PDF (varm)", lambda w, _: _remove_documents(w / "original"), "original",
             "--format", "pdf")
    scenario("bara DOCX (varm)", lambda w, _: _remove_documents(w / "original"), "original",
             "--format", "docx")
    for variant, source in variants.items():
        # The edited copy starts from a full build with the charts cached.
        work = places[variant]
        shutil.copytree(work / "original" / ".vbgen-cache", work / "kopia" / ".vbgen-cache",
                        dirs_exist_ok=True)
        fresh(vbgen(work / "data", work / "kopia"), variant_env(source))
    scenario("en text ändrad", lambda w, i: _edit(w / "data", i), "kopia")
    scenario("inget ändrat", lambda w, _: None, "kopia")
    if factor > 1:
        def warm_scaled(w: Path, _: int) -> None:
            # The same charts as the sample: copied, not drawn again.
            shutil.copytree(w / "original" / ".vbgen-cache", w / "skalad-ut" / ".vbgen-cache",
                            dirs_exist_ok=True)
            _remove_documents(w / "skalad-ut")
            (w / "skalad-ut" / ".vbgen-cache" / "senaste-bygge.json").unlink(missing_ok=True)

        for variant, source in variants.items():
            fresh(vbgen(places[variant] / "skalad", places[variant] / "skalad-ut"),
                  variant_env(source))  # once first, so that every chart is in the cache
        scenario(f"varm, texter ×{factor}", warm_scaled, "skalad-ut")
    return results


def route_python() -> Path:
    """The Typst route's interpreter, installing what it needs on first use."""
    venv = WORK / "typst-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"Installerar {', '.join(ROUTE_PACKAGES)} i {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *ROUTE_PACKAGES],
                       check=True)
    return python


def route(runs: int) -> tuple[list[Sample], dict[str, float]]:
    python = route_python()
    samples, phases = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(dir=WORK) as tmp:
            seconds, peak, cpu, stdout = fresh([str(python), str(BENCH / "pipeline.py"), tmp,
                                           "--pdf", "typst", "--jobs", "1"])
        samples.append((seconds, peak, cpu))
        phases.append(json.loads(stdout.strip().splitlines()[-1]))
    keys = [k for k, v in phases[0].items() if k.endswith("_s") and isinstance(v, float)]
    return samples, {k: statistics.median(p[k] for p in phases) for k in keys}


# --- Phases, measured inside one fresh process -------------------------------------------


#: (module, attribute, phase) timed inside a build; a method is given as "Class.method".
TIMED = [
    ("vbgen.build", "build", "hela bygget (utan uppstart)"),
    ("vbgen.load", "load", "läsa data"),
    ("vbgen.derive.goals", "derive", "räkna fram siffror"),
    ("vbgen.compose.templates", "render", "mallar (Jinja)"),
    ("vbgen.compose.templates", "parse", "mallarnas XML till dokumentmodell"),
    ("vbgen.writers.charts", "prepare_drawing", "ladda matplotlib (i ritprocesserna, summa)"),
    ("vbgen.writers.charts", "_draw", "rita diagram (summa)"),
    ("vbgen.writers.charts", "ChartRenderer.finish", "vänta på diagrammen"),
    ("vbgen.writers.docx", "write_docx", "skriva DOCX"),
    ("vbgen.writers.typeset", "Typeset.__init__", "PDF: dela i kapitel, HTML"),
    ("vbgen.writers.layout", "warm", "PDF: process laddar WeasyPrint"),
    ("vbgen.writers.layout", "lay", "PDF: lägga ut kapitel"),
    ("vbgen.writers.layout", "write", "PDF: numrera och skriva kapitel"),
    ("vbgen.writers.pdf", "finish_tagging", "  varav PDF/UA-reparation"),
    ("vbgen.writers.join", "join", "PDF: foga ihop kapitlen"),
    ("vbgen.build", "_commit", "skriva filerna (commit)"),
]
#: The PDF's phases of a version of vbgen that lays the PDF out in one piece, in one process.
WHOLE = [("weasyprint", "HTML.render", "PDF: lägga ut (i ett stycke)"),
         ("weasyprint.document", "Document.write_pdf", "PDF: skriva (i ett stycke)")]
#: The phases also given for each chapter: what the chapter is called is in its job.
BY_CHAPTER = {"PDF: lägga ut kapitel", "PDF: numrera och skriva kapitel"}
#: The phase whose wall time is given rather than its processor time.
WHOLE_BUILD = "hela bygget (utan uppstart)"
IMPORTS = [("vbgen.cli", "importera vbgen (cli)"),
           ("vbgen.compose.templates", "importera datamodell och mallar"),
           ("docx", "importera python-docx"), ("weasyprint", "importera WeasyPrint"),
           ("pikepdf", "importera pikepdf"), ("matplotlib.figure", "importera matplotlib")]
#: The route's phases beside vbgen's phases that do the same work.
SHARED = {"charts_s": ["rita diagram (summa)"], "docx_s": ["skriva DOCX"],
          "pdf_s": ["PDF: dela i kapitel, HTML", "PDF: lägga ut kapitel",
                    "PDF: numrera och skriva kapitel", "PDF: foga ihop kapitlen",
                    *(phase for _, _, phase in WHOLE)]}


def _timed(fn: Callable[..., Any], phase: str, log: Path) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            # Processor time: on a machine others share, it says what the phase costs; the
            # wall time says how long others made it wait.
            seconds = (time.perf_counter() - start if phase == WHOLE_BUILD
                       else time.process_time() - cpu)
            # A chapter's job or kept layout says what the chapter is called.
            title = getattr(args[0], "title", "") if phase in BY_CHAPTER and args else ""
            # Appended line by line: a forked worker's time lands in the same file.
            with log.open("a", encoding="utf-8") as fh:
                fh.write(f"{phase}\t{seconds}\t{title}\n")

    return wrapper


#: The phase of the charts' wall time: from the first chart handed to drawing until the last
#: is drawn (``ChartRenderer.finish`` returns), wherever they are drawn.
CHARTS_WALL = "rita diagram (vägg)"


def _time_chart_wall(log: Path) -> None:
    """Time every chart renderer from its first chart to draw until it has finished."""
    from vbgen.writers.charts import ChartRenderer

    render, finish = ChartRenderer.render, ChartRenderer.finish
    started: dict[int, float] = {}

    def timed_render(self: ChartRenderer, chart: Any) -> Any:
        start, before = time.perf_counter(), len(self.drawn)
        try:
            return render(self, chart)
        finally:
            if len(self.drawn) > before:
                started.setdefault(id(self), start)

    def timed_finish(self: ChartRenderer, check: bool = True) -> None:
        try:
            finish(self, check)
        finally:
            if id(self) in started:
                with log.open("a", encoding="utf-8") as fh:
                    fh.write(f"{CHARTS_WALL}\t{time.perf_counter() - started.pop(id(self))}\t\n")

    ChartRenderer.render = timed_render  # type: ignore[method-assign]
    ChartRenderer.finish = timed_finish  # type: ignore[method-assign]


def import_times(runs: int, source: Path | None) -> dict[str, float]:
    """Median seconds to import each of :data:`IMPORTS`, each in a fresh interpreter."""
    times: dict[str, list[float]] = {}
    for _ in range(runs):
        for module, phase in IMPORTS:
            code = (f"import time; t = time.perf_counter(); import {module}; "
                    "print(time.perf_counter() - t)")
            _, _, _, stdout = fresh([sys.executable, "-c", code], variant_env(source))
            times.setdefault(phase, []).append(float(stdout.strip()))
    return {phase: statistics.median(seconds) for phase, seconds in times.items()}


def phases_in_process(folder: Path, out: Path, log: Path) -> None:
    """Build once with timers around the main steps; append the times to ``log``."""
    import importlib

    timed = list(TIMED)
    try:
        importlib.import_module("vbgen.writers.layout")
    except ModuleNotFoundError:
        timed += WHOLE  # a version that lays the PDF out in this process
    for module_name, attr, phase in timed:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue  # an older version of vbgen, compared with this one
        owner: Any = module
        name = attr
        if "." in attr:
            cls, name = attr.split(".")
            owner = getattr(module, cls)
        original = getattr(owner, name, None)
        if original is None:
            continue
        setattr(owner, name, _timed(original, phase, log))
        # Functions imported by name elsewhere in vbgen are wrapped there too.
        for other in [m for n, m in sys.modules.items() if n.startswith("vbgen") and m]:
            if other is not module and getattr(other, name, None) is original:
                setattr(other, name, getattr(owner, name))
    _time_chart_wall(log)
    from vbgen.build import Options, build

    build(folder, Options(out))


def chart_wall_in_process(folder: Path, out: Path, log: Path) -> None:
    """Build once with the charts' wall time taken and no other timer: nothing is imported
    before the build that it would not import first itself, so the templates ask for the
    first chart when they would (the phases' timers import vbgen's modules beforehand)."""
    _time_chart_wall(log)
    from vbgen.build import Options, build

    build(folder, Options(out))


def chart_walls(folder: Path, runs: int, variants: dict[str, Path | None]
                ) -> dict[str, list[float]]:
    """The charts' wall time in ``runs`` cold builds of each variant, taking turns."""
    walls: dict[str, list[float]] = {v: [] for v in variants}
    for _ in range(runs):
        for n, (variant, source) in enumerate(variants.items()):
            out = WORK / f"diagram-{n}"
            shutil.rmtree(out, ignore_errors=True)
            with tempfile.NamedTemporaryFile(dir=WORK, suffix=".tsv", delete=False) as tmp:
                log = Path(tmp.name)
            fresh([sys.executable, __file__, "--diagram-i-process", str(folder), str(out),
                   str(log)], variant_env(source))
            walls[variant].append(_phase_totals(log).get(CHARTS_WALL, 0.0))
            log.unlink()
    return walls


#: The builds whose phases are measured, as in :func:`vbgen_scenarios`.
PHASE_BUILDS = ("kall", "varm", "en text ändrad")


def phases(folder: Path, runs: int, variants: dict[str, Path | None]
           ) -> dict[str, dict[str, dict[str, Any]]]:
    """Median seconds of each phase, by variant and build, with the PDF's phases also by
    chapter (under "kapitel"); and the import times (under "import")."""
    result: dict[str, dict[str, dict[str, Any]]] = {v: {} for v in variants}
    for n, (variant, source) in enumerate(variants.items()):
        result[variant]["import"] = import_times(runs, source)
        data = WORK / f"faser-{n}-data"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(folder, data)
    for label in PHASE_BUILDS:
        per_run: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
        for i in range(runs):
            for n, (variant, source) in enumerate(variants.items()):
                out, data = WORK / f"faser-{n}", WORK / f"faser-{n}-data"
                if label == "kall":
                    shutil.rmtree(out, ignore_errors=True)
                elif label == "varm":
                    _remove_documents(out)
                else:
                    _edit(data, i)
                with tempfile.NamedTemporaryFile(dir=WORK, suffix=".tsv", delete=False) as tmp:
                    log = Path(tmp.name)
                fresh([sys.executable, __file__, "--faser-i-process", str(data), str(out),
                       str(log)], variant_env(source))
                per_run[variant].append(_phase_totals(log))
                log.unlink()
            if label == "varm" and i == runs - 1:
                # The edits start from a build whose chapters are all in the cache.
                for n, (_, source) in enumerate(variants.items()):
                    fresh(vbgen(WORK / f"faser-{n}-data", WORK / f"faser-{n}"),
                          variant_env(source))
        for variant, runs_ in per_run.items():
            names = list(dict.fromkeys(k for r in runs_ for k in r))
            result[variant][label] = {k: statistics.median(r.get(k, 0.0) for r in runs_)
                                      for k in names}
    return result


def _phase_totals(log: Path) -> dict[str, float]:
    """Seconds by phase, and by (phase, chapter) for the PDF's phases, from a build's log."""
    totals: dict[str, float] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        phase, seconds, title = line.split("\t")
        totals[phase] = totals.get(phase, 0.0) + float(seconds)
        if title:
            key = f"{phase}\t{title}"
            totals[key] = totals.get(key, 0.0) + float(seconds)
    return totals


# --- Report ------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import weasyprint

    return {
        "datum": time.strftime("%Y-%m-%d %H:%M"),
        "belastning före": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "processor": f"{model or platform.processor()}, {os.cpu_count()} kärnor",
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "harfbuzz-subset": ("finns (snabb delmängd av typsnitt)"
                            if ctypes.util.find_library("harfbuzz-subset")
                            else "saknas (fontTools används, långsammare)"),
        "vbgens moduler": "kompilerade i förväg, som efter en installation",
    }


def _median(samples: list[Sample]) -> tuple[float, float, float, float, float]:
    """Median, least and most wall seconds; median peak MB and CPU seconds."""
    seconds = [s[0] for s in samples]
    return (statistics.median(seconds), min(seconds), max(seconds),
            statistics.median(s[1] for s in samples), statistics.median(s[2] for s in samples))


def report(results: dict[str, Any]) -> str:
    lines = [f"{k}: {v}" for k, v in results["maskin"].items()]
    lines.append(f"median av {results['gånger']} nya processer per mätning; RSS är den största "
                 "enskilda processens topp\n")
    anchor = results.get("typst")
    base = _median(anchor["prover"])[0] if anchor else None
    if anchor:
        med, low, high, peak, cpu = _median(anchor["prover"])
        lines.append(f"Typst-vägen: {med:.2f} s ({low:.2f}–{high:.2f}), CPU {cpu:.2f} s, "
                     f"{peak:.0f} MB; faser: "
                     + ", ".join(f"{k.removesuffix('_s')} {v:.2f}"
                                 for k, v in anchor["faser"].items()) + "\n")
    variants = list(results["vbgen"])
    width = 40 if base else 33
    lines.append(f"{'':<17}" + "".join(f" | {v[:width]:<{width}}" for v in variants))
    lines.append(f"{'':<17}" + "".join(
        f" | {'median':>7} {'min–max':>11} {'CPU':>5} {'RSS':>6}"
        + (f" {'/Typst':>6}" if base else "") for _ in variants))
    for scenario in results["vbgen"][variants[0]]:
        line = f"{scenario:<17}"
        for v in variants:
            med, low, high, peak, cpu = _median(results["vbgen"][v][scenario])
            line += f" | {med:6.2f}s {low:5.2f}–{high:5.2f} {cpu:5.2f} {peak:4.0f}MB"
            if base:
                line += f" {med / base:5.2f}×"
        lines.append(line)
    walls = results.get("diagram", {})
    if walls:
        lines.append(f"\n{CHARTS_WALL}, kalla byggen med bara den tidtagningen (median, "
                     "min–max, s): " + " | ".join(
                         f"{v} {statistics.median(w):.2f} ({min(w):.2f}–{max(w):.2f})"
                         for v, w in walls.items()))
    lines += report_phases(results.get("faser", {}), anchor["faser"] if anchor else {})
    return "\n".join(lines)


def _column(tables: dict[str, dict[str, float]], name: str) -> str:
    return "".join(f" {t[name]:6.2f}" if name in t else f" {'–':>6}" for t in tables.values())


def report_phases(found: dict[str, dict[str, dict[str, Any]]], route_phases: dict[str, float]
                  ) -> list[str]:
    """The phases of each measured build, the PDF's by chapter, and beside the route's."""
    lines: list[str] = []
    imports = {v: t["import"] for v, t in found.items() if "import" in t}
    if imports:
        lines.append("\nimport, var för sig i en ny process (median, s): " + " | ".join(imports))
        for name in dict.fromkeys(n for t in imports.values() for n in t):
            lines.append(f"  {name:<40}{_column(imports, name)}")
    for label in PHASE_BUILDS:
        tables = {v: t[label] for v, t in found.items() if label in t}
        if not tables:
            continue
        lines.append(f"\nfaser, {label} bygge (median, processortid i s, summerad över "
                     "processerna; hela bygget i väggtid): " + " | ".join(tables))
        names = list(dict.fromkeys(n for t in tables.values() for n in t))
        for name in (n for n in names if "\t" not in n):
            lines.append(f"  {name:<40}{_column(tables, name)}")
        chapters = list(dict.fromkeys(n.split("\t")[1] for n in names if "\t" in n))
        if chapters:
            lines.append(f"  {'per kapitel: lägga ut, numrera och skriva':<40}")
            for chapter in chapters:
                lines.append(f"    {chapter[:38]:<38}" + "".join(
                    _column(tables, f"{phase}\t{chapter}")
                    for phase in ("PDF: lägga ut kapitel", "PDF: numrera och skriva kapitel")))
        if route_phases:
            lines.append(f"  {'mot Typst-vägen (vbgen / vägen)':<40}")
            for key, ours in SHARED.items():
                if key not in route_phases:
                    continue
                mine = {v: sum(t.get(n, 0.0) for n in ours) for v, t in tables.items()}
                if not any(mine.values()):
                    continue  # a build that does not do this work (a warm one draws nothing)
                lines.append(f"    {key.removesuffix('_s'):<14} vägen {route_phases[key]:5.2f} s"
                             + "".join(f" | {m:5.2f} s {m / route_phases[key]:5.2f}×"
                                       for m in mine.values()))
    return lines


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--faser-i-process":
        phases_in_process(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        return
    if len(sys.argv) == 5 and sys.argv[1] == "--diagram-i-process":
        chart_wall_in_process(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mapp", nargs="?", type=Path,
                        default=ROOT / "sample_data" / "socialnamnden-2024")
    parser.add_argument("--gånger", dest="runs", type=int, default=5,
                        help="nya processer per mätning (standard 5)")
    parser.add_argument("--utan-typst", dest="route", action="store_false",
                        help="mät inte den alternativa vägen")
    parser.add_argument("--utan-faser", dest="phases", action="store_false",
                        help="mät inte faserna")
    parser.add_argument("--jämför", dest="compare", metavar="REVISION",
                        help="mät också vbgen i den här git-revisionen, växelvis med nuvarande")
    parser.add_argument("--skala", type=int, default=10, metavar="K",
                        help="mät också ett varmt bygge med varje text K gånger (standard 10; "
                             "0 hoppar över det)")
    parser.add_argument("--json", type=Path, help="spara resultaten som JSON här")
    args = parser.parse_args()
    folder = args.mapp.resolve()
    WORK.mkdir(parents=True, exist_ok=True)

    results: dict[str, Any] = {"maskin": machine(), "gånger": args.runs}
    if args.route:
        if not (BENCH / "pipeline.py").exists():
            sys.exit(f"Hittar inte {BENCH / 'pipeline.py'}; ange mappen med VBGEN_BENCH "
                     "eller använd --utan-typst.")
        samples, route_phases = route(args.runs)
        results["typst"] = {"prover": samples, "faser": route_phases}
    variants: dict[str, Path | None] = {}
    if args.compare:
        variants[f"vbgen {args.compare}"] = unpack(args.compare)
    variants["vbgen nu"] = None
    for source in variants.values():
        compile_vbgen(source)
    results["vbgen"] = vbgen_scenarios(folder, args.runs, variants, args.skala)
    if args.phases:
        results["diagram"] = chart_walls(folder, args.runs, variants)
        results["faser"] = phases(folder, args.runs, variants)
    results["maskin"]["belastning efter"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
