"""A participant's wait: "Run All" of each workshop in a fresh kernel.

Each workshop's notebook, with every exercise answered (the source notebook,
solutions in), is run top to bottom by papermill in a new kernel of the
workshop's own kernelspec, as a participant's "Restart Kernel and Run All"
does: the kernel's start, its imports, loading the sample company, every
chart. Runs each workshop ``CXKIT_BENCH_RUNS`` times (3 by default) and prints
the median seconds with the fastest and slowest run, the median CPU seconds
the kernel itself used (which the shared machine's load changes less) and
those papermill used to drive it (a participant's JupyterLab does that work
in the browser instead). Asserts nothing.

Workshops: ``CXKIT_BENCH_WORKSHOPS`` (comma-separated, e.g. ``00-foundations,08-capstone``),
by default all in ``source/``. ``make bench ARGS=runall``.
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from cxkit.resources import CLONE as REPO_ROOT


def _workshops() -> list[str]:
    chosen = os.environ.get("CXKIT_BENCH_WORKSHOPS", "")
    if chosen:
        return [w.strip() for w in chosen.split(",") if w.strip()]
    return sorted(p.name for p in (REPO_ROOT / "source").iterdir() if any(p.glob("*.ipynb")))


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


def run() -> None:
    runs = int(os.environ.get("CXKIT_BENCH_RUNS", 3))
    print(f'"Run All" in a fresh kernel, median of {runs} runs, on {os.cpu_count()} cores:')
    slowest = ("", 0.0)
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-") as tmp:
        for workshop in _workshops():
            for notebook in sorted((REPO_ROOT / "source" / workshop).glob("*.ipynb")):
                times = [run_all(notebook, Path(tmp) / notebook.name) for _ in range(runs)]
                walls = [t for t, _, _ in times]
                seconds = statistics.median(walls)
                cpu = statistics.median(c for _, c, _ in times)
                own = statistics.median(o for _, _, o in times)
                name = f"{workshop}/{notebook.stem}"
                print(
                    f"  {name:40s} {seconds:5.1f} s  (min {min(walls):4.1f}, max {max(walls):4.1f})"
                    f"  kernel CPU {cpu:4.1f} s  papermill CPU {own:4.1f} s",
                    flush=True,
                )
                slowest = max(slowest, (workshop, seconds), key=lambda pair: pair[1])
    print(f"  slowest: {slowest[0]} {slowest[1]:.1f} s (goal: under 5 s)")


if __name__ == "__main__":
    run()
