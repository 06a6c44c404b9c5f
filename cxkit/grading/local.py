"""Grading on this machine: a few long-lived worker processes, one submission each at a time.

The grading step (:mod:`cxkit.course.grade`) hands :class:`Grader` the participants
to grade, a ``prepare`` that builds each one's job (sanitized notebooks) and a
``record`` that writes each result; the workers (:mod:`cxkit.grading.worker`)
execute. A worker that outlives the time budget per submission is killed, with its
kernel, and its submission recorded as failed, naming the cell it was in.

A batch (``cxkit grade``) starts its workers and stops them at the end. A watch
(``cxkit grade --watch``) keeps them for its whole life (:meth:`Grader.kept`):
each is warmed up as it starts (an empty job starts its sandboxed kernel
template), and participants who hand in while a batch runs join it (``more``).
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cxkit.course.directory import Course
from cxkit.grading.outcomes import Fact, Job, Kind, Result
from cxkit.grading.settings import DEFAULT_WORKERS, Grading, executor_settings, for_executor
from cxkit.grading.worker import encode

__all__ = ["DEFAULT_WORKERS", "Grader", "Prepare", "Record", "executor_settings", "next_job"]

Prepare = Callable[[str], Job | None]  # a participant's job; None: nothing to run
Record = Callable[[str, Result], None]  # called once for every participant, as it ends
More = Callable[[], list[str]]  # participants who joined while a batch runs
POLL = 0.25  # seconds: the longest a batch waits for a worker before it asks for ``more``


@dataclass
class _Worker:
    process: subprocess.Popen[str]
    task: str | None = None
    started: float = 0.0
    buffer: bytes = field(default=b"")  # the start of a line not finished yet
    warming: bool = False  # its warm-up job is under way
    ready: bool = False  # it takes a job


def next_job(queue: list[str], prepare: Prepare, progress: Any) -> tuple[str, Job] | None:
    """The next participant in ``queue`` with something to run, and its job (None: no more).

    ``prepare`` returns None for a submission it already recorded (nbgrader could
    not sanitize it); that one only moves the progress bar on.
    """
    while queue:
        pid = queue.pop(0)
        job = prepare(pid)
        if job is not None:
            return pid, job
        if progress is not None:
            progress.update(1)
    return None


class Grader:
    """Execute many participants' notebooks on a few long-lived local worker processes."""

    def __init__(self, course: Course, workshop: str, settings: Grading | None = None) -> None:
        settings = settings or Grading()
        self.course, self.workshop = course, workshop
        self.workers = max(1, settings.workers)
        self.cell_timeout, self.budget = settings.cell_timeout, settings.budget
        self.progress = course.state / "progress"
        self.progress.mkdir(exist_ok=True)
        self._config = json.dumps(
            {**for_executor(course, settings), "progress_dir": str(self.progress)}
        )
        self._kept: list[_Worker] | None = None  # the workers, while :meth:`kept`
        self.started: list[int] = []  # the process id of every worker started, in order

    @contextlib.contextmanager
    def kept(self) -> Iterator[Grader]:
        """Inside: the workers start now, warm up, and live on between runs (a watch's life).

        Each :meth:`run` inside uses them; a worker that died meanwhile is
        replaced when the next run finds it gone. Leaving stops them all.
        """
        self._kept = [self._spawn() for _ in range(self.workers)]
        try:
            yield self
        finally:
            pool, self._kept = self._kept, None
            for worker in pool:
                self._stop(worker)

    def _spawn(self, warm: bool = True) -> _Worker:
        """A new worker; with ``warm``, its first job is an empty one that starts its template."""
        process = subprocess.Popen(
            [sys.executable, "-m", "cxkit.grading.worker", self._config],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=self.course.root,
        )
        self.started.append(process.pid)
        worker = _Worker(process)
        if warm:
            empty: Job = {
                "workshop": self.workshop,
                "participant": "",
                "notebooks": {},
                "files": {},
                "handed_in": {},
            }
            worker.warming = self._send(worker, empty)
        return worker

    @staticmethod
    def _send(worker: _Worker, job: Job) -> bool:
        """Write one job to the worker; False if it is gone (its end is read as it dies)."""
        assert worker.process.stdin is not None
        try:
            worker.process.stdin.write(encode(job) + "\n")
            worker.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        return True

    @staticmethod
    def _read(worker: _Worker) -> list[str] | None:
        """The lines the worker has finished writing since the last read (None: it ended).

        Read from the pipe itself, not through a buffered file: two lines that
        came at once (its "ready" and its warm-up's answer, written while no
        batch was reading) would leave the second in the file's buffer, where
        waiting for the pipe never finds it.
        """
        assert worker.process.stdout is not None
        data = os.read(worker.process.stdout.fileno(), 1 << 20)
        if not data:
            return None
        *lines, worker.buffer = (worker.buffer + data).split(b"\n")
        return [line.decode() for line in lines if line.strip()]

    def _stop(self, worker: _Worker) -> None:
        self._kill(worker)
        (self.progress / f"{worker.process.pid}.txt").unlink(missing_ok=True)

    @staticmethod
    def _kill(worker: _Worker) -> None:
        import psutil

        try:
            family = psutil.Process(worker.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        for proc in [*family, worker.process]:
            with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError):
                proc.kill()
        worker.process.wait()
        from cxkit.grading.sandbox import remove_traces

        remove_traces(worker.process.pid)

    def run(
        self,
        todo: list[str],
        prepare: Prepare,
        record: Record,
        progress: Any = None,
        more: More | None = None,
    ) -> None:
        """Execute ``todo``: ``prepare(participant)`` gives each job (None: nothing to run),
        ``record(participant, result_dict)`` is called as each one ends.

        One job is kept sanitized ahead, and a worker that finishes gets it before
        its result is recorded: workers never wait for the gradebook. ``more``,
        if given, is asked at every turn (at least every :data:`POLL` seconds)
        for participants to add to the queue (one queued or running already is
        not added again); the run ends when nothing is queued or running.
        """
        queue = list(todo)
        ahead: list[tuple[str, Job]] = []  # prepared, waiting for a free worker
        kept = self._kept is not None
        if self._kept is not None:
            pool = self._kept
        else:
            pool = [self._spawn() for _ in range(min(self.workers, len(queue)))]
        selector = selectors.DefaultSelector()
        for worker in pool:
            assert worker.process.stdout is not None
            selector.register(worker.process.stdout, selectors.EVENT_READ, worker)

        def give(worker: _Worker) -> None:
            following = ahead.pop(0) if ahead else next_job(queue, prepare, progress)
            if following is not None:
                worker.task, worker.started = following[0], time.monotonic()
                self._send(worker, following[1])

        def join() -> None:
            if more is not None:
                taken = {*queue, *(pid for pid, _ in ahead), *(w.task for w in pool)}
                queue.extend(pid for pid in dict.fromkeys(more()) if pid not in taken)

        try:
            join()
            while queue or ahead or any(w.task for w in pool):
                for worker in pool:
                    if worker.ready and worker.task is None:
                        give(worker)
                if not ahead:
                    following = next_job(queue, prepare, progress)
                    if following is not None:
                        ahead.append(following)
                for key, _ in selector.select(timeout=POLL):
                    worker = key.data
                    lines = self._read(worker)
                    if lines is None:  # the worker itself died
                        self._replace(
                            worker,
                            pool,
                            selector,
                            record,
                            self._explain(worker, Fact(Kind.WORKER_DIED)),
                        )
                        break
                    for line in lines:
                        message = json.loads(line)
                        if message.get("ready"):
                            worker.ready = not worker.warming
                        elif worker.warming:  # its template is up: now it takes jobs
                            worker.warming, worker.ready = False, True
                        else:
                            done, worker.task = worker.task, None
                            give(worker)
                            record(done, message)
                            if progress is not None:
                                progress.update(1)
                now = time.monotonic()
                for worker in list(pool):
                    if worker.task and now - worker.started > self.budget:
                        self._replace(
                            worker,
                            pool,
                            selector,
                            record,
                            self._explain(
                                worker, Fact(Kind.OVER_BUDGET, details={"budget": self.budget})
                            ),
                            progress,
                        )
                join()
        finally:
            if not kept:
                for worker in pool:
                    self._stop(worker)
            selector.close()

    def _progress(self, worker: _Worker) -> tuple[str, list[str]]:
        """Where the worker's kernel was, and what it ran into, from the executor's note."""
        note = self.progress / f"{worker.process.pid}.txt"
        try:
            place, *facts = note.read_text(encoding="utf-8").strip().splitlines()
        except (OSError, ValueError):
            return "", []
        return place, list(dict.fromkeys(facts))

    def _explain(self, worker: _Worker, stopped: Fact) -> list[Fact]:
        """Why the worker was stopped, in the cell its kernel was in, and what it noted."""
        place, notes = self._progress(worker)
        stopped.cell = place
        return [stopped, *(Fact(Kind.EXECUTOR_NOTE, details={"note": n}) for n in notes)]

    def _replace(
        self,
        worker: _Worker,
        pool: list[_Worker],
        selector: Any,
        record: Record,
        stopped: list[Fact],
        progress: Any = None,
    ) -> None:
        """A new worker in place of ``worker``, whose task (if any) is recorded as ``stopped``.

        One that died warming up is replaced by one that does not warm up: its
        first job shows what is wrong, instead of a worker started again and again.
        """
        task = worker.task
        selector.unregister(worker.process.stdout)
        self._stop(worker)
        fresh = self._spawn(warm=not worker.warming)
        pool[pool.index(worker)] = fresh
        assert fresh.process.stdout is not None
        selector.register(fresh.process.stdout, selectors.EVENT_READ, fresh)
        if task:
            record(task, {"success": False, "stopped": stopped, "seconds": self.budget})
            if progress is not None:
                progress.update(1)
