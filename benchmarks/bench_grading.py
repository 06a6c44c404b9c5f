"""Grading throughput: ``cxkit grade`` against plain ``nbgrader autograde``, then on Dask.

Part 1 grades the same simulated submissions of workshop 00 (correct, partly
wrong, blank and late hand-ins) with plain ``nbgrader autograde`` and with
``cxkit grade`` (drawing charts, the default, then without drawing them:
``--Grading.figures=False``), in one run on this machine, at each size asked
for: a room (40) and a large cohort (200) by default. Part 2 grades
a larger cohort (1,000 by default) on a local Dask cluster of two single-thread
workers through ``cxkit grade --scheduler``. Local grading uses ``cxkit grade``'s
default number of workers (one more than the cores).

For each it prints seconds, submissions per minute, peak memory of the whole
process tree (grader, workers, kernels; sampled every 0.1 s), how the time
divides (participants' cells against everything else), where the machine's
core-seconds went (the participants' kernels, the executors that drive them,
the grading process, and the rest: starting workers and their sandboxed
templates, idle cores, other processes), the CPU seconds per submission of the
grading process (less noisy than seconds on a shared machine), the ratio
against plain nbgrader and whether every score is the same. Each size is run
``CXKIT_BENCH_GRADING_RUNS`` times (3 by default, each on fresh copies), then
the median, fastest and slowest of each way and of each run's ratio are
printed. Asserts nothing.

Before them, the floor: what a kernel costs before any participant's code runs.
Notebooks of cells that do nothing (``pass``) go through the same executor and
warm sandbox as a submission, ``FLOOR_RUNS`` times each with none and with
``FLOOR_CELLS`` cells; the medians give the CPU seconds of starting a kernel and
of one request (a cell, or the grader's silent code before a check), in the
kernel and in the executor. With the requests a workshop 00 submission makes,
that is the core-seconds every submission costs whatever it holds; after each
size's runs the bench sets it beside the core-seconds a submission may use for
cxkit to be 6 or 8 times as fast as plain nbgrader's median on this machine.
Then a worker is started ``START_RUNS`` times, one after the other, as ``cxkit
grade`` starts it (with its warm-up, which starts its sandboxed template), and
the CPU seconds of the worker and of its template are printed.

Sizes: ``CXKIT_BENCH_SUBMISSIONS`` (comma-separated, ``40,200`` by default) and
``CXKIT_BENCH_DASK_SUBMISSIONS`` (0 skips either part), e.g.
``make bench ARGS=grading CXKIT_BENCH_SUBMISSIONS=40 CXKIT_BENCH_DASK_SUBMISSIONS=0``.
Three runs at 200 take most of an hour on 2 cores (plain nbgrader about 4 s a
submission).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from statistics import median

import psutil

from cxkit.course.cohort import cohort, roster_frame, write_hand_ins
from cxkit.course.collect import collect
from cxkit.course.directory import Course
from cxkit.course.grade import ensure_released, grade
from cxkit.course.roster import import_roster
from cxkit.errors import CxkitError
from cxkit.grading.execute import run_job
from cxkit.grading.local import DEFAULT_WORKERS
from cxkit.grading.outcomes import ExecutorSettings, Job
from cxkit.grading.pool import WarmSandbox
from cxkit.grading.settings import Grading, for_executor
from cxkit.grading.worker import encode
from cxkit.resources import CLONE as REPO_ROOT

WORKSHOP = "00-foundations"
KINDS = ("correct", "partly", "blank", "late")


FLOOR_CELLS = 50  # cells of `pass` in the floor's notebook
FLOOR_RUNS = 5  # notebooks of each length; the floor is their median
GOALS = (6, 8)  # ratios against plain nbgrader whose core-second budget is printed


@dataclass
class Floor:
    """CPU seconds (kernel, executor) to start a kernel and to answer one request."""

    start: tuple[float, float]
    request: tuple[float, float]
    requests: int  # what one workshop 00 submission sends: code cells, checks, the first

    def per_submission(self) -> float:
        """The core-seconds of a submission's kernel start and requests."""
        return sum(self.start) + self.requests * sum(self.request)


def _workshop_requests() -> tuple[int, int]:
    """Workshop 00's code cells and checks; the grader sends one more request before
    the first cell and one before each check (cxkit.grading.sandbox's clean state)."""
    import nbformat

    code = checks = 0
    for path in sorted((REPO_ROOT / "release" / WORKSHOP).glob("*.ipynb")):
        cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        code += len(cells)
        checks += sum(bool(c.metadata.get("nbgrader", {}).get("grade")) for c in cells)
    return code, checks


def _floor_job(cells: int) -> Job:
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("pass") for _ in range(cells)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return {
        "workshop": "floor",
        "participant": "nobody",
        "notebooks": {"floor": json.dumps(nb)},  # as build_job sends it
        "files": {},
        "handed_in": {},
    }


def _floor_cpu(cells: int, settings: ExecutorSettings) -> tuple[float, float]:
    """Median kernel and executor CPU seconds of ``FLOOR_RUNS`` notebooks of ``cells`` cells."""
    kernel, executor = [], []
    for _ in range(FLOOR_RUNS):
        result = run_job(_floor_job(cells), settings)
        if not result["success"] or "kernel_cpu" not in result:
            raise SystemExit(
                "The floor needs kernels forked from the warm sandbox (Linux with bubblewrap): "
                f"{result.get('error', 'no kernel CPU was reported')}"
            )
        kernel.append(result["kernel_cpu"])
        executor.append(result["executor_cpu"])
    return median(kernel), median(executor)


def _floor(root: Path) -> Floor:
    root.mkdir(parents=True)
    settings: ExecutorSettings = {
        "course_root": str(root),
        "db_url": "",
        "sandbox": True,
        "cell_timeout": 30,
        "limits": {},
    }
    try:
        run_job(_floor_job(1), settings)  # starts the warm template: not counted
        empty = _floor_cpu(0, settings)
        full = _floor_cpu(FLOOR_CELLS, settings)
    finally:  # its template would count in the peak memory of the runs that follow
        with contextlib.suppress(CxkitError):
            WarmSandbox.current().close()
    request = ((full[0] - empty[0]) / FLOOR_CELLS, (full[1] - empty[1]) / FLOOR_CELLS)
    code, checks = _workshop_requests()
    floor = Floor(empty, request, code + checks + 1)
    print(f"the floor, cells that do nothing (median of {FLOOR_RUNS} notebooks of each length):")
    print(f"  starting a kernel: kernel {empty[0]:.3f} CPU s, executor {empty[1]:.3f}")
    print(
        f"  each request: kernel {1000 * request[0]:.1f} CPU ms, executor {1000 * request[1]:.1f}"
    )
    print(
        f"  a {WORKSHOP} submission: {code} code cells, {checks} checks and the first "
        f"request, {floor.requests} in all: {floor.per_submission():.2f} core-s before "
        "its code does anything"
    )
    return floor


START_RUNS = 3  # workers started, one after the other, to time a start


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _one_start(course: Course, progress: Path) -> tuple[float, float]:
    """CPU seconds of one worker started as ``cxkit grade`` starts it, with its warm-up
    (an empty job, which starts its sandboxed template): (the worker, its template)."""
    config = json.dumps({**for_executor(course, Grading()), "progress_dir": str(progress)})
    process = subprocess.Popen(
        [sys.executable, "-m", "cxkit.grading.worker", config],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=course.root,
    )
    assert process.stdin is not None and process.stdout is not None
    empty: Job = {
        "workshop": WORKSHOP,
        "participant": "",
        "notebooks": {},
        "files": {},
        "handed_in": {},
    }
    process.stdin.write(encode(empty) + "\n")
    process.stdin.flush()
    process.stdout.readline()  # ready
    answer = json.loads(process.stdout.readline())  # the warm-up's answer: its template is up
    if not answer.get("success"):
        raise SystemExit(f"A worker could not warm up: {answer.get('error')}")
    worker = psutil.Process(process.pid)
    template = sum(_cpu(p) for p in worker.children(recursive=True))
    own = _cpu(worker)
    process.stdin.close()  # the worker ends, and its template with it
    process.wait()
    return own, template


def _start_up(root: Path) -> tuple[float, float]:
    """Median CPU seconds of a worker's start and of its template's, over ``START_RUNS``."""
    course = _course(root, 1)
    progress = root / "progress"
    progress.mkdir()
    starts = [_one_start(course, progress) for _ in range(START_RUNS)]
    worker = median(w for w, _ in starts)
    template = median(t for _, t in starts)
    print(f"starting a worker, median of {START_RUNS} (fastest-slowest):")
    print(
        f"  the worker {worker:.2f} CPU s ({min(w for w, _ in starts):.2f}-"
        f"{max(w for w, _ in starts):.2f}), its sandboxed template {template:.2f} "
        f"({min(t for _, t in starts):.2f}-{max(t for _, t in starts):.2f}); cxkit grade "
        f"starts {DEFAULT_WORKERS} for a batch"
    )
    return worker, template


def budget(size: int, plain: float, floor: Floor) -> None:
    """The core-seconds a submission may use for each goal ratio, beside the floor."""
    cores = os.cpu_count() or 1
    for goal in GOALS:
        leaves = cores * plain / size / goal
        print(
            f"  {goal}x nbgrader's median leaves {leaves:.2f} core-s a submission on {cores} "
            f"cores; the floor is {floor.per_submission():.2f} of them "
            f"({100 * floor.per_submission() / leaves:.0f} %)"
        )


def _sizes(name: str, default: str) -> list[int]:
    """The sizes in an environment variable such as ``"40,200"`` (0 or empty: none)."""
    return [int(n) for n in os.environ.get(name, default).split(",") if n.strip() and int(n)]


def _course(root: Path, size: int) -> Course:
    shutil.copytree(REPO_ROOT / "source" / WORKSHOP, root / "source" / WORKSHOP)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    course = Course(root)
    people = [p for p in cohort(size * 2, seed=11, hanging=False) if p.kind in KINDS][:size]
    roster_frame(people).to_csv(root / "roster.csv", index=False)
    import_roster(course, root / "roster.csv")
    inbox = write_hand_ins(
        people,
        WORKSHOP,
        REPO_ROOT / "release" / WORKSHOP,
        REPO_ROOT / "source" / WORKSHOP,
        root / "inbox",
        datetime(2026, 1, 1) + timedelta(days=30),
    )
    collect(course, WORKSHOP, inbox)
    ensure_released(course, WORKSHOP)
    return course


@contextlib.contextmanager
def peak_memory(root: psutil.Process) -> Iterator[dict[str, float]]:
    """Sample the resident memory of ``root`` and all its descendants; yields {'mb': peak}."""
    peak = {"mb": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            total = 0
            with contextlib.suppress(psutil.Error):
                for proc in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
            peak["mb"] = max(peak["mb"], total / 2**20)
            stop.wait(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


def _plain(course: Course) -> tuple[float, float]:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "nbgrader"), "autograde", WORKSHOP],
        cwd=course.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with peak_memory(psutil.Process(process.pid)) as peak:
        process.wait()
    return time.perf_counter() - started, peak["mb"]


def _ours(course: Course, **kwargs: object) -> tuple[float, float, dict, dict[str, float]]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with peak_memory(psutil.Process()) as peak:
        outcomes = grade(
            course, WORKSHOP, show_progress=False, force=True, timings=timings, **kwargs
        )
    return time.perf_counter() - started, peak["mb"], outcomes, timings


def _line(label: str, n: int, seconds: float, mb: float) -> None:
    print(f"  {label:34s} {seconds:7.1f} s  {60 * n / seconds:7.1f} per minute  peak {mb:6.0f} MB")


def _split(outcomes: dict, seconds: float, timings: dict[str, float], workers: int) -> None:
    cells = sum(o.cell_seconds for o in outcomes.values())
    executing = sum(o.seconds for o in outcomes.values())
    print(
        f"    participants' cells {cells:6.1f} s; their kernels' whole lives {executing:6.1f} s "
        f"on {workers} workers; this process: start-up {timings.get('start-up', 0):4.1f} s, "
        f"sanitizing {timings['sanitize']:5.1f} s, recording {timings['record']:5.1f} s"
    )
    print(
        f"    cells are {100 * cells / (seconds * workers):4.1f} % of the {workers} workers' "
        f"time; overhead is the rest"
    )


def _core_seconds(seconds: float, timings: dict[str, float], own_cpu: float) -> None:
    """Where the machine's core-seconds went: kernels, executors, this process, the rest."""
    cores = os.cpu_count() or 1
    available = seconds * cores
    kernels, executors = timings.get("kernel CPU", 0.0), timings.get("executor CPU", 0.0)
    rest = available - kernels - executors - own_cpu
    parts = (("kernels", kernels), ("executors", executors), ("this process", own_cpu))
    said = ", ".join(f"{name} {cpu:5.1f} ({100 * cpu / available:3.0f} %)" for name, cpu in parts)
    print(f"    core-seconds ({seconds:.1f} s x {cores} cores = {available:.1f}): {said}, ")
    print(
        f"      the rest {rest:5.1f} ({100 * rest / available:3.0f} %: workers' and templates' "
        f"start-up, sandboxes, idle, other processes)"
    )


MODES = (("cxkit grade", True), ("cxkit grade --Grading.figures=False", False))


@dataclass
class Run:
    """One run at one size: the seconds of each way (by label), and whether every score
    cxkit gave, in every mode, was nbgrader's."""

    seconds: dict[str, float]
    identical: bool


def _throughput(root: Path, size: int, workers: int) -> Run:
    """One run at ``size``: plain nbgrader, then cxkit in each mode, on fresh copies."""
    ours, plain = _course(root / "ours", size), _course(root / "plain", size)
    print(f"grading {size} submissions of {WORKSHOP} on {os.cpu_count()} cores:")
    t_plain, mb_plain = _plain(plain)
    _line("nbgrader autograde", size, t_plain, mb_plain)
    with plain.gradebook() as gradebook:
        theirs = {s.student.id: s.score for s in gradebook.assignment_submissions(WORKSHOP)}
    seconds, identical = {"nbgrader autograde": t_plain}, True
    for label, figures in MODES:
        cpu = time.process_time()
        t_ours, mb_ours, outcomes, timings = _ours(ours, workers=workers, figures=figures)
        cpu = time.process_time() - cpu
        _line(label, size, t_ours, mb_ours)
        _split(outcomes, t_ours, timings, workers)
        _core_seconds(t_ours, timings, cpu)
        print(f"    the grading process used {cpu / size:.3f} CPU s per submission")
        print(f"  throughput ratio (cxkit / nbgrader) at {size}: {t_plain / t_ours:.2f}x")
        scored = {p: o.score for p, o in outcomes.items()}
        print(f"  identical scores at {size}: {scored == theirs}")
        seconds[label] = t_ours
        identical = identical and scored == theirs
    return Run(seconds, identical)


def _summary(size: int, runs: list[Run], floor: Floor) -> None:
    """Median (fastest-slowest) of each way over the runs, and of each run's ratio."""
    print(f"at {size} submissions, median of {len(runs)} runs (fastest-slowest):")
    for label in ("nbgrader autograde", *(label for label, _ in MODES)):
        times = [run.seconds[label] for run in runs]
        line = f"  {label:36s} {median(times):7.1f} s ({min(times):.1f}-{max(times):.1f})"
        if label != "nbgrader autograde":
            ratios = [run.seconds["nbgrader autograde"] / run.seconds[label] for run in runs]
            line += f"  ratio {median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"
        print(line)
    print(f"  identical scores in every run: {all(run.identical for run in runs)}")
    budget(size, median(run.seconds["nbgrader autograde"] for run in runs), floor)


def run() -> None:
    workers = DEFAULT_WORKERS
    repeats = int(os.environ.get("CXKIT_BENCH_GRADING_RUNS", 3))
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-") as tmp:
        floor = _floor(Path(tmp) / "floor")
        _start_up(Path(tmp) / "start-up")
        for size in _sizes("CXKIT_BENCH_SUBMISSIONS", "40,200"):
            runs = [_throughput(Path(tmp) / f"{size}-{i}", size, workers) for i in range(repeats)]
            _summary(size, runs, floor)
        for size in _sizes("CXKIT_BENCH_DASK_SUBMISSIONS", "1000"):
            _dask(Path(tmp) / f"dask-{size}", size, 2)


def _dask(root: Path, size: int, workers: int) -> None:
    from distributed import LocalCluster

    course = _course(root, size)
    print(f"grading {size} submissions on a local Dask cluster of {workers} workers:")
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        seconds, mb, outcomes, timings = _ours(course, scheduler=cluster.scheduler_address)
    _line("cxkit grade --scheduler", size, seconds, mb)
    _split(outcomes, seconds, timings, workers)
    states: dict[str, int] = {}
    for outcome in outcomes.values():
        states[outcome.state] = states.get(outcome.state, 0) + 1
    print(f"  outcomes: {states}")


if __name__ == "__main__":
    run()
