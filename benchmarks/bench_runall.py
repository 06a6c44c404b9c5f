"""A participant's wait: "Run All" of each workshop in a fresh kernel, in JupyterLab and papermill.

Each workshop's notebook, with every exercise answered (the source notebook,
solutions in), is run top to bottom in a new kernel of the kit's kernelspec
(``cxkit``), two ways, each ``CXKIT_BENCH_RUNS`` times (3 by default); each
prints the median seconds with the fastest and slowest run.

In JupyterLab (the participant's wait): the lab ``cxkit lab`` gives a
participant, on a temporary copy of the workshop's folder, opened in Debian's
Chromium (headless, driven by Playwright; see ``lab_runall.py``). Timed from the
click that confirms *Kernel > Restart Kernel and Run All Cells...* to the first
frame in which every code cell shows its execution count and the kernel is idle:
the old kernel's shutdown and the new one's start, its imports, loading the
sample company, every cell and chart, the outputs' trip to the browser and
their rendering into the page (the browser lays out and paints only the cells
in view, as for a participant who has not scrolled). Not included: starting the
server, loading the lab page, opening the notebook and the first kernel it
starts, reading the dialog. Also printed: the CPU seconds the kernel, the lab
server and Chromium used over the same run (on 2 cores they compete).

With papermill (kept so that the issue's earlier figures compare): the kernel's
start, every cell, and papermill's own work (it receives every output and
writes the whole output notebook after each cell; JupyterLab writes only when
the participant, or its autosave, saves); the kernel's CPU seconds and
papermill's (this process's).

Neither includes a participant's own typing or reading. Asserts nothing.

Settings: ``CXKIT_BENCH_WORKSHOPS`` (comma-separated, e.g.
``00-foundations,08-capstone``; by default all in ``source/``),
``CXKIT_BENCH_RUNS``, ``CXKIT_BENCH_RUNALL`` (``lab`` or ``papermill`` for
one way; both by default). ``make bench ARGS=runall``.
"""

from __future__ import annotations

import contextlib
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lab_runall import Run, chromium, lab_for, time_run_all  # beside this file

from cxkit.errors import CxkitError, close_match
from cxkit.resources import CLONE as REPO_ROOT

WAYS = ("lab", "papermill")


def _workshops() -> list[str]:
    """The workshops to time: ``CXKIT_BENCH_WORKSHOPS``, by default all in ``source/``."""
    every = sorted(p.name for p in (REPO_ROOT / "source").iterdir() if any(p.glob("*.ipynb")))
    chosen = os.environ.get("CXKIT_BENCH_WORKSHOPS", "")
    if not chosen:
        return every
    wanted = [w.strip() for w in chosen.split(",") if w.strip()]
    for workshop in wanted:
        if workshop not in every:
            raise CxkitError(
                f"CXKIT_BENCH_WORKSHOPS names {workshop!r}, which has no notebook in source/."
                f"{close_match(workshop, every)} Workshops: {', '.join(every)}."
            )
    return wanted


def _ways() -> list[str]:
    """The ways to time "Run All": ``CXKIT_BENCH_RUNALL``, both by default."""
    chosen = os.environ.get("CXKIT_BENCH_RUNALL", "") or ",".join(WAYS)
    ways = [w.strip() for w in chosen.split(",") if w.strip()]
    unknown = [w for w in ways if w not in WAYS]
    if unknown or not ways:
        raise CxkitError(
            f"CXKIT_BENCH_RUNALL={chosen!r}: say lab, papermill, or lab,papermill (both, "
            "the default)."
        )
    return ways


def _kernel_cpu() -> float:
    """CPU seconds of every child process reaped so far (the kernels)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_all(notebook: Path, output: Path) -> tuple[float, float, float]:
    """Seconds for papermill to run ``notebook`` in a fresh kernel, the kernel's CPU seconds,
    and papermill's own (this process's: sending cells, receiving and writing outputs)."""
    import papermill

    cpu, own, started = _kernel_cpu(), time.process_time(), time.perf_counter()
    papermill.execute_notebook(
        str(notebook), str(output), progress_bar=False, cwd=str(notebook.parent)
    )
    return time.perf_counter() - started, _kernel_cpu() - cpu, time.process_time() - own


def _spread(seconds: list[float]) -> str:
    """``median s (fastest-slowest``, the caller closes the bracket."""
    return f"{statistics.median(seconds):4.1f} s ({min(seconds):.1f}-{max(seconds):.1f}"


def _in_lab(browser: Any, workshop: str, notebooks: list[Path], runs: int) -> list[list[Run]]:
    """Each notebook's timed runs in a participant's lab of ``workshop``, in one browser profile."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        with lab_for(workshop) as lab:
            return [[time_run_all(context, lab, nb) for _ in range(runs)] for nb in notebooks]
    finally:
        context.close()


def _lab_figures(times: list[Run]) -> tuple[float, str]:
    seconds = [t.seconds for t in times]
    kernel = statistics.median(t.kernel_cpu for t in times)
    server = statistics.median(t.server_cpu for t in times)
    shown = statistics.median(t.browser_cpu for t in times)
    text = (
        f"JupyterLab {_spread(seconds)}; CPU: kernel {kernel:.1f}, server {server:.1f}, "
        f"browser {shown:.1f})"
    )
    return statistics.median(seconds), text


def _papermill_figures(notebook: Path, output: Path, runs: int) -> tuple[float, str]:
    times = [run_all(notebook, output) for _ in range(runs)]
    seconds = [t for t, _, _ in times]
    kernel = statistics.median(c for _, c, _ in times)
    own = statistics.median(o for _, _, o in times)
    text = f"papermill {_spread(seconds)}; CPU: kernel {kernel:.1f}, papermill {own:.1f})"
    return statistics.median(seconds), text


@contextlib.contextmanager
def _browser_if(wanted: bool) -> Iterator[Any]:
    """Chromium when JupyterLab is timed, else nothing."""
    if not wanted:
        yield None
        return
    with chromium() as browser:
        yield browser


def run() -> None:
    runs, ways, workshops = int(os.environ.get("CXKIT_BENCH_RUNS", 3)), _ways(), _workshops()
    print(
        f'"Run All" in a fresh kernel, median of {runs} runs (fastest-slowest), '
        f"on {os.cpu_count()} cores:"
    )
    slowest: dict[str, tuple[str, float]] = {way: ("", 0.0) for way in ways}
    with (
        tempfile.TemporaryDirectory(prefix="cxkit-bench-") as tmp,
        _browser_if("lab" in ways) as browser,
    ):
        for workshop in workshops:
            notebooks = sorted((REPO_ROOT / "source" / workshop).glob("*.ipynb"))
            in_lab = _in_lab(browser, workshop, notebooks, runs) if "lab" in ways else []
            for index, notebook in enumerate(notebooks):
                figures = {}
                if "lab" in ways:
                    figures["lab"] = _lab_figures(in_lab[index])
                if "papermill" in ways:
                    output = Path(tmp) / notebook.name
                    figures["papermill"] = _papermill_figures(notebook, output, runs)
                name = f"{workshop}/{notebook.stem}"
                print(f"  {name:36s} " + "   ".join(t for _, t in figures.values()), flush=True)
                for way, (seconds, _) in figures.items():
                    slowest[way] = max(slowest[way], (workshop, seconds), key=lambda p: p[1])
    for way, label in (("lab", "in JupyterLab"), ("papermill", "with papermill")):
        if way in slowest:
            workshop, seconds = slowest[way]
            print(f"  slowest {label}: {workshop} {seconds:.1f} s (goal: under 5 s)")


if __name__ == "__main__":
    run()
