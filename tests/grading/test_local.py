"""The local grader: workers kept for a watch's whole life, and hand-ins joining a batch."""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import termios
import threading
import time
from pathlib import Path
from typing import Any

import minicourse as mc
import psutil
import pytest

from cxkit.course.directory import Course
from cxkit.course.grade import (
    GradingRun,
    ensure_released,
    load_outcomes,
    plan,
    register_participants,
)
from cxkit.grading.local import Grader
from cxkit.grading.settings import grading_settings

pytestmark = pytest.mark.slow


def _course(tmp_path: Path) -> Course:
    root = mc.make_course(tmp_path / "course")
    mc.hand_in(root, "ana", mc.submission({"answer": "answer = 41"}))
    mc.hand_in(root, "ben", mc.submission())
    return Course(root)


def _grading(course: Course) -> GradingRun:
    """The grading step's prepare and finish for everyone handed in, as ``cxkit grade`` sets up."""
    ensure_released(course, "mini")
    work = plan(course, "mini", {}, force=False)
    register_participants(course, list(work.todo))
    spent = {"sanitize": 0.0, "record": 0.0}
    settings = grading_settings(course, {"workers": 2})
    return GradingRun(course, "mini", settings, work.todo, {}, time.perf_counter(), spent)


def _templates(workers: list[int]) -> set[int]:
    """The warm kernel templates under the given worker processes."""
    found = set()
    for pid in workers:
        for child in psutil.Process(pid).children(recursive=True):
            if child.cmdline()[1:3] == ["-m", "cxkit.grading.forkserver"]:  # not its bwrap
                found.add(child.pid)
    return found


def test_kept_workers_and_their_templates_live_on_between_runs(tmp_path):
    """Do the workers of a kept grader, and the warm template each started, serve a second
    run without a new start, and are they all gone when the block is left?"""
    course = _course(tmp_path)
    grading = _grading(course)
    grader = Grader(course, "mini", grading.settings)
    recorded: list[str] = []

    def record(pid: str, result: Any) -> None:
        grading.finish(pid, result)
        recorded.append(pid)

    with grader.kept():
        workers = list(grader.started)
        assert len(workers) == 2
        # each warms up, starting a template of its own; its "ready" and its warm-up's
        # answer wait in the pipe together, as when the watch waits for a first hand-in
        _until(lambda: all(_waiting(pid) > len('{"ready": true}\n') for pid in workers))
        templates = _templates(workers)
        assert len(templates) == 2
        _within(lambda: grader.run(["ana"], grading.prepare, record))
        assert _templates(workers) == templates  # the first job started none
        grader.run(["ben"], grading.prepare, record)
        assert grader.started == workers  # no worker started for the second run
        assert _templates(workers) == templates  # nor a template
    assert recorded == ["ana", "ben"]
    scores = {pid: o.score for pid, o in load_outcomes(course, "mini").items()}
    assert scores == {"ana": 2, "ben": 3}
    assert not [pid for pid in [*workers, *templates] if _running(pid)]


def _waiting(pid: int) -> int:
    """How many bytes a worker has written to the grader that the grader has not read yet.

    Its answers go out on the one pipe it holds besides its stdin (its stdout, kept
    under another number).
    """
    pipes = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed while we looked (starting its template)
            if fd.name != "0" and os.readlink(fd).startswith("pipe:"):
                pipes.append(fd)
    if len(pipes) != 1:
        return 0  # another pipe for a moment: look again
    try:
        opened = os.open(pipes[0], os.O_RDONLY | os.O_NONBLOCK)  # the same pipe, opened again
    except OSError:
        return 0
    try:
        return int(struct.unpack("i", fcntl.ioctl(opened, termios.FIONREAD, b"\0" * 4))[0])
    finally:
        os.close(opened)


def _within(work: Any, seconds: float = 240.0) -> None:
    """Do ``work`` in a thread; fail if it has not ended within ``seconds``."""
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the run did not end within {seconds:g} s"


def _until(condition: Any, within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the workers did not warm up"
        time.sleep(0.1)


def _running(pid: int, within: float = 10.0) -> bool:
    """Is the process still running after a few seconds (a zombie has ended)?"""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            return False
        time.sleep(0.05)
    return True


def test_a_hand_in_that_arrives_while_a_batch_runs_is_graded_in_it(tmp_path):
    """When ``more`` names a participant while another is being graded, is that one graded
    in the same run, once, even when ``more`` names them again?"""
    course = _course(tmp_path)
    grading = _grading(course)
    grader = Grader(course, "mini", grading.settings)
    recorded: list[str] = []
    prepared: list[str] = []
    joined_while: list[list[str]] = []

    def prepare(pid: str) -> Any:
        prepared.append(pid)
        return grading.prepare(pid)

    def record(pid: str, result: Any) -> None:
        grading.finish(pid, result)
        recorded.append(pid)

    def more() -> list[str]:
        if "ana" in prepared and len(joined_while) < 2:  # ana's batch runs; ben arrives
            joined_while.append(list(recorded))
            return ["ben"]  # named twice: queued (or running) once
        return []

    with grader.kept():
        grader.run(["ana"], prepare, record, more=more)
    assert joined_while[0] == []  # ben joined before ana was recorded
    assert sorted(recorded) == ["ana", "ben"]
    assert prepared.count("ben") == 1
    scores = {pid: o.score for pid, o in load_outcomes(course, "mini").items()}
    assert scores == {"ana": 2, "ben": 3}
