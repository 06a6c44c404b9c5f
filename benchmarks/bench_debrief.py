"""The debrief: from the last hand-in to the report on the facilitator's screen.

Replays 40 hand-ins of workshop 00 (correct, partly wrong, blank and late
participants, as in the grading benchmark) arriving over 5 minutes, most of them
in the last 2 (a fixed seed), into the hand-in folder of a course while
``cxkit grade 00-foundations --watch --hand-ins FOLDER`` runs, each as
``cxkit submit`` writes it (a zip written aside, then renamed into the folder).
It prints the time from the last hand-in to (a) that participant's feedback
page and (b) a facilitator report that includes all 40.

In the same run, on a copy of the course holding the same 40 hand-ins in
``submitted/``, it times the plain nbgrader sequence a facilitator would run
after the last hand-in: ``nbgrader autograde``, ``nbgrader generate_feedback``
and ``nbgrader export`` (collecting is left out of it, in nbgrader's favour).
Asserts nothing.

Settings: ``CXKIT_BENCH_DEBRIEF_SECONDS`` (300) squeezes the 5 minutes for a
quick look (the figures to quote are at 300), ``CXKIT_BENCH_DEBRIEF_SUBMISSIONS`` (40).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import numpy as np

from cxkit.course.cohort import cohort, hand_in, roster_frame
from cxkit.course.collect import collect
from cxkit.course.directory import Course
from cxkit.course.grade import ensure_released
from cxkit.course.roster import import_roster
from cxkit.grading.local import DEFAULT_WORKERS
from cxkit.resources import CLONE as REPO_ROOT

WORKSHOP = "00-foundations"
KINDS = ("correct", "partly", "blank", "late")
SEED = 24
START = datetime(2026, 12, 1, 15, 0)  # when the replayed room starts handing in


def arrivals(size: int, span: float, seed: int = SEED) -> list[float]:
    """Seconds after the start at which each hand-in arrives, sorted; the last at ``span``.

    A third arrive evenly over the first 60 % of the time; the rest in the last
    40 %, more of them the nearer the end (a Beta(2, 1) draw), as a room hands
    in when the facilitator says "a few minutes left".
    """
    rng = np.random.default_rng(seed)
    early = size // 3
    times = list(rng.uniform(0, 0.6 * span, early))
    times += list(0.6 * span + 0.4 * span * rng.beta(2, 1, size - early))
    times = sorted(times)
    times[-1] = span
    return times


def _zips(people: list, out: Path) -> list[Path]:
    """Each participant's hand-in as ``cxkit submit`` names it, written into ``out``."""
    release = nbformat.read(REPO_ROOT / "release" / WORKSHOP / "foundations.ipynb", as_version=4)
    source = nbformat.read(REPO_ROOT / "source" / WORKSHOP / "foundations.ipynb", as_version=4)
    out.mkdir(parents=True)
    made = []
    for n, person in enumerate(people):
        stamp = (START + timedelta(seconds=n)).strftime("%Y-%m-%d-%H-%M-%S")
        notebook = hand_in(person.kind, release, source, seed=n)
        path = out / f"{WORKSHOP}_{person.id}_{stamp}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            member = f"{WORKSHOP}_{person.id}_attempt_{stamp}_foundations.ipynb"
            archive.writestr(member, nbformat.writes(notebook))
        made.append(path)
    return made


def _course(root: Path, people: list) -> Course:
    shutil.copytree(REPO_ROOT / "source" / WORKSHOP, root / "source" / WORKSHOP)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    course = Course(root)
    roster_frame(people).to_csv(root / "roster.csv", index=False)
    import_roster(course, root / "roster.csv")
    ensure_released(course, WORKSHOP)  # done when the workshop was released, before the room
    return course


class _Lines:
    """The watch's output, each line with the moment it was read."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.said: list[tuple[float, str]] = []
        self.process = process
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put((time.perf_counter(), line.rstrip("\n")))

    def wait_for(self, pattern: str, timeout: float) -> float:
        """When a line matching ``pattern`` was read (its moment)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                when, line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.said.append((when, line))
            if re.search(pattern, line):
                return when
        lines = "\n".join(line for _, line in self.said[-20:])
        raise RuntimeError(f"the watch never said {pattern!r}; last lines:\n{lines}")


def _replay(course: Course, zips: list[Path], times: list[float]) -> dict[str, float]:
    """Run the watch, hand in at ``times``; the moments of the last hand-in, page and report."""
    inbox = course.root / "inbox"
    inbox.mkdir()
    command = [sys.executable, "-m", "cxkit", "grade", WORKSHOP, "--watch"]
    command += ["--hand-ins", str(inbox), "--course-dir", str(course.root)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    lines = _Lines(process)
    handed: dict[str, float] = {}
    try:
        lines.wait_for(r"^Watching ", 120)
        began = time.perf_counter()
        for path, at in zip(zips, times, strict=True):
            time.sleep(max(0.0, began + at - time.perf_counter()))
            partial = course.root / f"{path.name}.part"
            shutil.copy(path, partial)
            partial.replace(inbox / path.name)
            handed[path.name.split("_")[1]] = time.perf_counter()
        last = path.name.split("_")[1]
        page = course.folder("feedback") / last / WORKSHOP / "foundations.html"
        while not page.is_file():
            time.sleep(0.02)
        fed_back = time.perf_counter()
        reported = lines.wait_for(rf"^report updated \({len(zips)} graded\)", 1800)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
    graded = {}
    for when, line in lines.said:
        found = re.match(r"^(?:graded|could not grade) (\S+)", line)
        if found:
            graded[found.group(1)] = when  # the last time: a participant graded again counts
    lags = [graded[pid] - handed[pid] for pid in handed if pid in graded]
    renders = sum(1 for _, line in lines.said if line.startswith("report updated"))
    batches = sum(1 for _, line in lines.said if line.startswith("grading "))
    joined = sum(1 for _, line in lines.said if line.startswith("also grading "))
    return {
        "batches": batches,
        "joined": joined,
        "page": fed_back - handed[last],
        "report": reported - handed[last],
        "median": statistics.median(lags),
        "max": max(lags),
        "renders": renders,
    }


def _plain(course: Course) -> dict[str, float]:
    """The plain nbgrader steps after the last hand-in, one after the other, in seconds."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    spent = {}
    for step in (["autograde", WORKSHOP], ["generate_feedback", WORKSHOP], ["export"]):
        started = time.perf_counter()
        subprocess.run(
            [nbgrader, *step],
            cwd=course.root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,  # autograde exits 1 when a submission failed; its scores still count
        )
        spent[f"nbgrader {step[0]}"] = time.perf_counter() - started
    return spent


def _scores(course: Course) -> dict[str, float]:
    """Each participant's score in the course's gradebook."""
    with course.gradebook() as gradebook:
        return {s.student.id: s.score for s in gradebook.assignment_submissions(WORKSHOP)}


def run() -> None:
    span = float(os.environ.get("CXKIT_BENCH_DEBRIEF_SECONDS", 300))
    size = int(os.environ.get("CXKIT_BENCH_DEBRIEF_SUBMISSIONS", 40))
    people = [p for p in cohort(size * 2, seed=11, hanging=False) if p.kind in KINDS][:size]
    times = arrivals(size, span)
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-debrief-") as tmp:
        zips = _zips(people, Path(tmp) / "hand-ins")
        in_last_two = sum(1 for t in times if t >= span - span * 120 / 300)
        print(
            f"replaying {size} hand-ins of {WORKSHOP} over {span:.0f} s ({in_last_two} in the "
            f"last {span * 120 / 300:.0f} s) into cxkit grade --watch, {DEFAULT_WORKERS} workers, "
            f"on {os.cpu_count()} cores:"
        )
        watched = _course(Path(tmp) / "watch", people)
        ours = _replay(watched, zips, times)
        a_label = "(a) last hand-in to its feedback page"
        b_label = f"(b) last hand-in to the report with all {size}"
        print(f"  {a_label:44s} {ours['page']:6.1f} s  (goal: under 5 s)")
        print(f"  {b_label:44s} {ours['report']:6.1f} s  (goal: under 15 s)")
        print(
            f"  every hand-in to its feedback: median {ours['median']:.1f} s, max "
            f"{ours['max']:.1f} s; graded in {ours['batches']:.0f} batches, which hand-ins "
            f"joined {ours['joined']:.0f} times as they ran; the report was rendered "
            f"{ours['renders']:.0f} times"
        )
        plain = _course(Path(tmp) / "plain", people)
        collect(plain, WORKSHOP, Path(tmp) / "hand-ins")
        print("plain nbgrader after the last hand-in, on the same hand-ins:")
        spent = _plain(plain)
        for step, seconds in spent.items():
            print(f"  {step:44s} {seconds:6.1f} s")
        total = sum(spent.values())
        print(f"  same scores as the watch's: {_scores(watched) == _scores(plain)}")
        print(f"  {'total: grades, feedback and an export':44s} {total:6.1f} s")
        print(
            f"  the watch's report came {total / ours['report']:.1f}x sooner; its feedback "
            f"page {total / ours['page']:.0f}x"
        )


if __name__ == "__main__":
    run()
