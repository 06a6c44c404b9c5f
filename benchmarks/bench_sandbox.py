"""The sandbox's cost: the same submissions graded with and without it, in one run.

Grades simulated submissions of workshop 00 (correct, partly wrong and blank
hand-ins) with ``cxkit grade`` sandboxed and with ``--no-sandbox``, alternating
rounds so that the shared machine's noise falls on both; then starts bare
kernels both ways, to show the cost per kernel start alone. Prints seconds per
submission and the ratio; asserts nothing (the target is under 10%).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from cxkit.course.cohort import cohort, roster_frame, write_hand_ins
from cxkit.course.collect import collect
from cxkit.course.directory import Course
from cxkit.course.grade import ensure_released, grade
from cxkit.course.roster import import_roster
from cxkit.resources import CLONE as REPO_ROOT

WORKSHOP = "00-foundations"
SIZE = 12
ROUNDS = 2
KERNELS = 6


def _course(root: Path) -> Course:
    shutil.copytree(REPO_ROOT / "source" / WORKSHOP, root / "source" / WORKSHOP)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    course = Course(root)
    people = [
        p
        for p in cohort(SIZE * 3, seed=11, hanging=False)
        if p.kind in ("correct", "partly", "blank", "late")
    ][:SIZE]
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


def _grade(course: Course, sandbox: bool) -> tuple[float, dict[str, float | None]]:
    quiet = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(quiet):  # --no-sandbox warns loudly, once per run
        outcomes = grade(
            course,
            WORKSHOP,
            workers=os.cpu_count() or 2,
            force=True,
            sandbox=sandbox,
            show_progress=False,
        )
    seconds = time.perf_counter() - started
    return seconds / len(outcomes), {p: o.score for p, o in outcomes.items()}


async def _kernel_start(course: Course, sandbox: bool) -> float:
    from traitlets.config import Config

    from cxkit.grading.sandbox import SandboxedKernelManager, configure

    config = Config()
    configure(config, course.root, course.gradebook_url, sandbox=sandbox)
    work = course.root / "autograded" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    manager = SandboxedKernelManager(kernel_name="python3", config=config)
    started = time.perf_counter()
    quiet = subprocess.DEVNULL
    await manager.start_kernel(cwd=str(work), stdout=quiet, stderr=quiet)
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    await client.execute_interactive("pass", timeout=60)
    seconds = time.perf_counter() - started
    client.stop_channels()
    await manager.shutdown_kernel(now=True)
    return seconds


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-") as tmp:
        course = _course(Path(tmp) / "course")
        boxed, plain, scores = [], [], []
        for _ in range(ROUNDS):
            for sandbox, times in ((True, boxed), (False, plain)):
                per, got = _grade(course, sandbox)
                times.append(per)
                scores.append(got)
        same = all(s == scores[0] for s in scores)
        starts: dict[bool, list[float]] = {True: [], False: []}
        with contextlib.redirect_stderr(io.StringIO()):
            for _ in range(KERNELS):
                for sandbox in (True, False):
                    starts[sandbox].append(asyncio.run(_kernel_start(course, sandbox)))
    b, p = statistics.median(boxed), statistics.median(plain)
    kb, kp = statistics.median(starts[True]), statistics.median(starts[False])
    print(f"grading {SIZE} submissions of {WORKSHOP}, {ROUNDS} rounds each way, same run:")
    print(f"  sandboxed     {b:6.2f} s per submission")
    print(f"  --no-sandbox  {p:6.2f} s per submission")
    print(f"  sandbox cost  {b - p:+6.2f} s per submission ({100 * (b / p - 1):+.1f}%)")
    print(f"  identical scores both ways: {same}")
    print(f"kernel start and first reply, median of {KERNELS}:")
    print(f"  sandboxed {kb:5.2f} s, not sandboxed {kp:5.2f} s ({100 * (kb / kp - 1):+.1f}%)")


if __name__ == "__main__":
    run()
