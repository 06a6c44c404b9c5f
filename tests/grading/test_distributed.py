"""Grading on a Dask cluster: a real scheduler and two workers on 127.0.0.1, one killed mid-run.

The coordinator (``cxkit grade --scheduler``) alone writes the SQLite gradebook;
the workers only execute sandboxed kernels. Killing a worker while it runs
submissions must not lose or double any grade.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import minicourse as mc
import pytest

from cxkit.course.directory import Course
from cxkit.course.grade import load_outcomes
from cxkit.errors import CxkitError
from cxkit.grading.distributed import DaskGrader

pytestmark = pytest.mark.slow

DASK = str(Path(sys.executable).parent / "dask")
SLOW = "import time\ntime.sleep(1.5)\n"  # each submission busy long enough to be caught running
# Participant -> their answer to "answer"; 3 autograded points with 42, else 2.
ANSWERS = {f"p{i:02d}": ("answer = 42" if i % 4 else "answer = 41") for i in range(1, 13)}


def _start(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _wait_for(test, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@contextlib.contextmanager
def cluster(folder: Path, workers: int = 2) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A dask scheduler and ``workers`` single-threaded workers, all stopped afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    address_file = folder / "scheduler.json"
    started = [
        _start(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
            + ["--scheduler-file", str(address_file)],
            folder / "scheduler.log",
        )
    ]
    try:
        _wait_for(address_file.exists, 60, "the scheduler")
        address = json.loads(address_file.read_text())["address"]
        for n in range(workers):
            started.append(
                _start(
                    [DASK, "worker", address, "--nthreads", "1", "--no-nanny"]
                    + ["--no-dashboard", "--local-directory", str(folder / f"w{n}")],
                    folder / f"worker{n}.log",
                )
            )
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, started[1:]
    finally:
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _course(root: Path) -> Path:
    mc.make_course(root)
    with (root / "nbgrader_config.py").open("a") as config:  # the answers sleep: allow it
        config.write("c.Grading.allowed_imports = ['cxkit', 'math', 'time']\n")
    for pid, answer in ANSWERS.items():
        mc.hand_in(root, pid, mc.submission({"answer": SLOW + answer}))
    return root


def test_a_killed_worker_loses_no_grade_and_doubles_none(tmp_path):
    """Is every submission graded exactly once, with its score, though a worker died mid-run?"""
    root = _course(tmp_path / "course")
    with cluster(tmp_path / "cluster") as (address, workers):
        grader = subprocess.Popen(
            [sys.executable, "-m", "cxkit.cli", "grade", "mini", "--quiet"]
            + ["--course-dir", str(root), "--scheduler", address],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        grading = root / ".cxkit" / "grading.json"

        def recorded() -> int:
            assert grader.poll() is None, grader.communicate()[0]  # still grading
            with contextlib.suppress(OSError, ValueError):
                return len(json.loads(grading.read_text()).get("mini", {}))
            return 0

        _wait_for(lambda: recorded() >= 2, 180, "the first grades")
        before = recorded()
        os.killpg(workers[0].pid, signal.SIGKILL)
        output = grader.communicate(timeout=600)[0]
    assert grader.returncode == 0, output
    assert before < len(ANSWERS)  # the worker died with submissions still to grade
    outcomes = load_outcomes(Course(root), "mini")
    assert sorted(outcomes) == sorted(ANSWERS)
    assert {pid: (o.state, o.score) for pid, o in outcomes.items()} == {
        pid: ("graded", 3.0 if answer.endswith("42") else 2.0) for pid, answer in ANSWERS.items()
    }
    with Course(root).gradebook() as gradebook:
        submissions = gradebook.assignment_submissions("mini")
        assert sorted(s.student.id for s in submissions) == sorted(ANSWERS)
        assert {s.student.id: s.score for s in submissions} == {
            pid: o.score for pid, o in outcomes.items()
        }
    assert "12 graded" in output


def test_the_cluster_grades_like_this_machine(tmp_path):
    """Same scores and reasons on the cluster as with local workers, the time budget included?"""
    from cxkit.course.grade import grade

    answers = {
        "right": "answer = 42",
        "wrong": "answer = 41",
        "crash": "import os\nos._exit(1)",
        "loop": "while True:\n    pass",  # stopped by the budget, long before the cell limit
    }

    def graded(root: Path, scheduler: str | None) -> dict:
        mc.make_course(root)
        for pid, answer in answers.items():
            mc.hand_in(root, pid, mc.submission({"answer": answer}))
        course = Course(root)
        kwargs = {"scheduler": scheduler} if scheduler else {"workers": 2}
        outcomes = grade(course, "mini", cell_timeout=60, budget=10, show_progress=False, **kwargs)
        return {pid: (o.state, o.score, o.reason) for pid, o in outcomes.items()}

    with cluster(tmp_path / "cluster", workers=1) as (address, _):
        remote = graded(tmp_path / "remote", address)
    local = graded(tmp_path / "local", None)
    assert remote == local
    assert remote["right"][:2] == ("graded", 3.0)
    assert remote["crash"][0] == "failed"
    assert "the kernel died" in remote["crash"][2]
    assert remote["loop"][:2] == ("failed", None)
    assert remote["loop"][2].startswith("took longer than the 10 s budget per submission")


def test_an_unreachable_scheduler_is_named_with_what_to_do(monkeypatch):
    """Does a wrong address fail fast, naming it and how to start a cluster?"""
    from cxkit.grading import distributed

    # nothing listens on port 9: waiting 2 s rather than the usual 15 shows the same refusal
    monkeypatch.setattr(distributed, "CONNECT_SECONDS", 2)
    grader = DaskGrader("tcp://127.0.0.1:9", "mini", {}, 60)
    with pytest.raises(CxkitError) as err:
        grader.run(["ana"], lambda pid: None, lambda pid, result: None)
    message = str(err.value)
    assert "tcp://127.0.0.1:9 within 2 s" in message
    assert "dask scheduler" in message
    assert "leave out --scheduler" in message
