"""Grade submissions in parallel, safely, with nbgrader as the system of record.

Each submission is autograded by nbgrader (so scores are exactly nbgrader's)
in one of a few long-lived worker processes. cxkit adds what nbgrader lacks:

- parallel workers, with a progress bar (count and ETA);
- a time budget per submission: a worker stuck on an infinite loop is killed,
  with its kernel, and the submission recorded as failed;
- outcomes recorded, never hidden: *graded*, *needs attention* (a deleted test
  cell, an edited locked cell) or *failed* (not valid JSON, kernel died, over
  budget), each with its reason, in ``.cxkit/grading.json``;
- safe re-runs: a submission already graded and unchanged is skipped; an
  interrupt (Ctrl-C or kill) loses nothing already recorded and the next run
  picks up the rest.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

from cxkit.course.cells import split_hidden
from cxkit.course.course import Course
from cxkit.errors import CxkitError

GRADING_FILE = "grading.json"


@dataclass
class Outcome:
    """What happened to one participant's submission."""

    participant: str
    state: str  # graded | needs attention | failed
    reason: str = ""
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0
    checksum: str = ""
    graded_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Worker:
    process: subprocess.Popen[str]
    task: str | None = None
    started: float = 0.0
    buffer: str = field(default="")


def submissions(course: Course, workshop: str) -> list[str]:
    """The participants with a submission for ``workshop`` in ``submitted/``."""
    root = course.folder("submitted")
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / workshop).is_dir())


def _checksum(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _cells(path: Path) -> dict[str, dict[str, Any]]:
    notebook = nbformat.read(path, as_version=4)
    out = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if "grade_id" in meta:
            out[meta["grade_id"]] = {"meta": meta, "source": cell.source}
    return out


def _source_cells(path: Path) -> dict[str, dict[str, Any]]:
    """The source notebook's cells, read once per grading run rather than per participant."""
    return _cached_cells(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _cached_cells(path: str, mtime_ns: int) -> dict[str, dict[str, Any]]:
    return _cells(Path(path))


def precheck(course: Course, workshop: str, participant: str) -> tuple[str, str]:
    """Look at a submission before grading: ("ok" | "needs attention" | "failed", reason)."""
    folder = course.folder("submitted") / participant / workshop
    problems = []
    for name in course.notebooks(workshop):
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            return "failed", f"{name}.ipynb is missing from the submission"
        try:
            submitted = _cells(path)
        except Exception as err:  # nbformat raises several kinds for broken files
            return "failed", f"{name}.ipynb is not a valid notebook ({type(err).__name__})"
        source = _source_cells(course.folder("source") / workshop / f"{name}.ipynb")
        tests = [
            gid
            for gid, c in source.items()
            if c["meta"].get("grade") and not c["meta"].get("solution")
        ]
        deleted = [gid for gid in tests if gid not in submitted]
        if deleted:
            problems.append(
                f"test cell(s) {', '.join(deleted)} deleted in {name}.ipynb: nbgrader restores "
                "nothing there, so those points need manual grading"
            )
        locked = [gid for gid, c in source.items() if c["meta"].get("locked")]
        edited = [
            gid
            for gid in locked
            if gid in submitted
            and split_hidden(submitted[gid]["source"])[0] != split_hidden(source[gid]["source"])[0]
        ]
        if edited:
            problems.append(
                f"tampering: locked cell(s) {', '.join(edited)} edited in {name}.ipynb "
                "(nbgrader graded them from the original)"
            )
    if problems:
        return "needs attention", "; ".join(problems)
    return "ok", ""


def _reason_from_log(result: dict[str, Any]) -> str:
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    for needle, reason in (
        ("Kernel died", "the kernel died while running it (os._exit, a crash or out of memory)"),
        (
            "DeadKernelError",
            "the kernel died while running it (os._exit, a crash or out of memory)",
        ),
        ("CellTimeoutError", "a cell ran past the per-cell time limit"),
        ("Timeout", "a cell ran past the per-cell time limit"),
        ("database is locked", "the gradebook was busy; run cxkit grade again"),
        ("NotJSONError", "not a valid notebook (broken JSON)"),
    ):
        if needle in text:
            return reason
    last = [line for line in text.strip().splitlines() if line.strip()]
    return f"nbgrader could not grade it: {last[-1][:200] if last else 'no details'}"


class Grader:
    """Run autograde for many participants on a few long-lived worker processes."""

    def __init__(
        self,
        course: Course,
        workshop: str,
        workers: int = 2,
        cell_timeout: int = 30,
        budget: float = 180.0,
    ) -> None:
        self.course, self.workshop = course, workshop
        self.workers = max(1, workers)
        self.cell_timeout, self.budget = cell_timeout, budget
        self._config = json.dumps(
            {
                "root": str(course.root),
                "db_url": course.db_url,
                "nbgrader": {"Execute.timeout": cell_timeout},
            }
        )

    def _spawn(self) -> _Worker:
        process = subprocess.Popen(
            [sys.executable, "-m", "cxkit.course.worker", self._config],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=self.course.root,
        )
        return _Worker(process)

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

    def run(self, todo: list[str], record: Any, progress: Any = None) -> None:
        """Grade ``todo``; ``record(participant, result_dict)`` is called as each one ends."""
        queue = list(todo)
        pool = [self._spawn() for _ in range(min(self.workers, len(queue)))]
        selector = selectors.DefaultSelector()
        for worker in pool:
            assert worker.process.stdout is not None
            selector.register(worker.process.stdout, selectors.EVENT_READ, worker)
        ready: set[int] = set()
        try:
            while queue or any(w.task for w in pool):
                for worker in pool:
                    if id(worker) in ready and worker.task is None and queue:
                        worker.task, worker.started = queue.pop(0), time.monotonic()
                        request = {"workshop": self.workshop, "participant": worker.task}
                        assert worker.process.stdin is not None
                        worker.process.stdin.write(json.dumps(request) + "\n")
                        worker.process.stdin.flush()
                for key, _ in selector.select(timeout=0.5):
                    worker = key.data
                    line = key.fileobj.readline()  # type: ignore[union-attr]
                    if not line:  # the worker itself died
                        self._replace(
                            worker,
                            pool,
                            selector,
                            ready,
                            record,
                            "the grading worker died while running it",
                        )
                        break
                    message = json.loads(line)
                    if message.get("ready"):
                        ready.add(id(worker))
                        continue
                    done, worker.task = worker.task, None
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
                            ready,
                            record,
                            f"took longer than the {self.budget:.0f} s budget per "
                            "submission (an infinite loop?)",
                            progress,
                        )
        finally:
            for worker in pool:
                self._kill(worker)
            selector.close()

    def _replace(
        self,
        worker: _Worker,
        pool: list[_Worker],
        selector: Any,
        ready: set[int],
        record: Any,
        reason: str,
        progress: Any = None,
    ) -> None:
        task = worker.task
        selector.unregister(worker.process.stdout)
        self._kill(worker)
        ready.discard(id(worker))
        fresh = self._spawn()
        pool[pool.index(worker)] = fresh
        assert fresh.process.stdout is not None
        selector.register(fresh.process.stdout, selectors.EVENT_READ, fresh)
        if task:
            record(task, {"success": False, "failure": reason, "seconds": self.budget})
            if progress is not None:
                progress.update(1)


def load_outcomes(course: Course, workshop: str) -> dict[str, Outcome]:
    """The recorded grading outcome of every participant of a workshop."""
    stored = course.read_json(GRADING_FILE, {}).get(workshop, {})
    return {pid: Outcome(**values) for pid, values in stored.items()}


def _save(course: Course, workshop: str, outcome: Outcome) -> None:
    def change(everything: dict[str, Any]) -> None:
        everything.setdefault(workshop, {})[outcome.participant] = outcome.as_dict()

    course.update_json(GRADING_FILE, {}, change)


def ensure_released(course: Course, workshop: str) -> None:
    """Make sure the gradebook knows the workshop's grade cells (nbgrader needs them).

    nbgrader records them when it generates the release. This runs that step on
    a temporary copy of the source, so the course's own ``release/`` folder is
    never rewritten behind the facilitator's back. Two graders starting at once
    (on one shared gradebook) take turns.
    """
    with course.exclusive():
        _release_once(course, workshop)


def _register(course: Course, participants: list[str]) -> None:
    """Add the participants to the gradebook before grading starts.

    nbgrader would add each one as it grades; two graders sharing a gradebook
    could then add the same person at once, and one of them would fail.
    """
    with course.exclusive(), course.gradebook() as gradebook:
        known = {student.id for student in gradebook.students}
        for pid in participants:
            if pid not in known:
                gradebook.add_student(pid)


def _release_once(course: Course, workshop: str) -> None:
    with course.gradebook() as gradebook:
        try:
            assignment = gradebook.find_assignment(workshop)
            known = len(assignment.notebooks) == len(course.notebooks(workshop))
        except Exception:  # nbgrader raises MissingEntry
            known = False
    if known:
        return
    with tempfile.TemporaryDirectory(prefix="cxkit-release-") as tmp:
        shutil.copytree(course.folder("source") / workshop, Path(tmp) / "source" / workshop)
        config = course.root / "nbgrader_config.py"
        if config.is_file():
            shutil.copy(config, Path(tmp) / "nbgrader_config.py")
        copy = Course(Path(tmp), db_url=course.gradebook_url)
        result = copy.api().generate_assignment(workshop, force=True, create=True)
    if not result.get("success"):
        raise CxkitError(
            f"nbgrader could not read the grade cells of {workshop}: "
            f"{(result.get('error') or result.get('log') or '').strip()[-500:]}"
        )


def grade(
    course: Course,
    workshop: str,
    workers: int = 2,
    cell_timeout: int = 30,
    budget: float = 180.0,
    force: bool = False,
    show_progress: bool = True,
) -> dict[str, Outcome]:
    """Grade every new or changed submission of ``workshop``; return every outcome."""
    ensure_released(course, workshop)
    outcomes = load_outcomes(course, workshop)
    todo, checks = [], {}
    for pid in submissions(course, workshop):
        checksum = _checksum(course.folder("submitted") / pid / workshop)
        previous = outcomes.get(pid)
        if not force and previous is not None and previous.checksum == checksum:
            continue
        state, reason = precheck(course, workshop, pid)
        if state == "failed":
            outcome = Outcome(pid, "failed", reason, checksum=checksum, graded_at=_now())
            outcomes[pid] = outcome
            _save(course, workshop, outcome)
            continue
        todo.append(pid)
        checks[pid] = (state, reason, checksum)
    if not todo:
        return outcomes
    _register(course, todo)

    def record(pid: str, result: dict[str, Any]) -> None:
        state, reason, checksum = checks[pid]
        outcome = Outcome(
            pid,
            state,
            reason,
            seconds=round(result.get("seconds", 0.0), 2),
            checksum=checksum,
            graded_at=_now(),
        )
        if result.get("failure") or not result.get("success"):
            outcome.state = "failed"
            outcome.reason = result.get("failure") or _reason_from_log(result)
        else:
            outcome.score, outcome.max_score, manual = _score(course, workshop, pid)
            if outcome.state == "ok":
                outcome.state = "graded"
            notes = []
            if "Timeout" in (result.get("log") or ""):
                notes.append(f"a cell ran past the {cell_timeout} s limit and was stopped")
            if manual and outcome.state == "graded":
                notes.append("reflections await manual grading")
            if notes and outcome.state == "graded":
                outcome.reason = "; ".join(notes)
        outcomes[pid] = outcome
        _save(course, workshop, outcome)

    bar = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(
            total=len(todo),
            desc=f"Grading {workshop}",
            unit="submission",
            file=sys.stderr,
            dynamic_ncols=True,
        )
    try:
        Grader(course, workshop, workers, cell_timeout, budget).run(todo, record, bar)
    finally:
        if bar is not None:
            bar.close()
    return outcomes


def _score(course: Course, workshop: str, pid: str) -> tuple[float, float, bool]:
    with course.gradebook() as gradebook:
        submission = gradebook.find_submission(workshop, pid)
        return (
            float(submission.score),
            float(submission.max_score),
            bool(submission.needs_manual_grade),
        )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
