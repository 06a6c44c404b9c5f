"""Grading throughput: ``cxkit grade`` against plain ``nbgrader autograde``.

Both grade the same 40 simulated submissions of workshop 00 (correct, partly
wrong and blank hand-ins, no crashes or loops, so both finish every one), in
one run on this machine. Prints submissions per minute and the ratio.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from cxkit.course.cohort import cohort, write_hand_ins
from cxkit.course.collect import collect
from cxkit.course.course import REPO_ROOT, Course
from cxkit.course.grade import ensure_released, grade

WORKSHOP = "00-foundations"
SIZE = 40


def _course(root: Path) -> Course:
    shutil.copytree(REPO_ROOT / "source" / WORKSHOP, root / "source" / WORKSHOP)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    course = Course(root)
    people = [
        p
        for p in cohort(SIZE * 2, seed=11, hanging=False)
        if p.kind in ("correct", "partly", "blank", "late")
    ][:SIZE]
    from cxkit.course.cohort import roster_frame
    from cxkit.course.roster import import_roster

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
    return course


def run() -> None:
    workers = os.cpu_count() or 2
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-") as tmp:
        ours = _course(Path(tmp) / "ours")
        plain = _course(Path(tmp) / "plain")
        ensure_released(ours, WORKSHOP)
        ensure_released(plain, WORKSHOP)
        started = time.perf_counter()
        outcomes = grade(ours, WORKSHOP, workers=workers, show_progress=False)
        t_ours = time.perf_counter() - started
        env = dict(
            os.environ,
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        started = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).parent / "nbgrader"), "autograde", WORKSHOP],
            cwd=plain.root,
            env=env,
            capture_output=True,
        )
        t_plain = time.perf_counter() - started
    n = len(outcomes)
    print(f"grading {n} submissions of {WORKSHOP} on {os.cpu_count()} cores:")
    print(
        f"  cxkit grade --workers {workers}   {t_ours:6.1f} s   {60 * n / t_ours:6.1f} per minute"
    )
    print(f"  nbgrader autograde         {t_plain:6.1f} s   {60 * n / t_plain:6.1f} per minute")
    print(f"  throughput ratio (cxkit / nbgrader): {t_plain / t_ours:.2f}x")


if __name__ == "__main__":
    run()
