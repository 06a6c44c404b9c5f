"""Grade submissions in parallel, safely, with nbgrader as the system of record.

Each submission is autograded by nbgrader, so scores are exactly nbgrader's,
but its kernel runs outside nbgrader's one-at-a-time loop
(:mod:`cxkit.grading.execute`): this process sanitizes, a worker executes, and
nbgrader records here with the executed notebook. cxkit adds what nbgrader lacks:

- parallel workers, local processes or a Dask cluster (``scheduler``), with a
  progress bar (count and ETA); only this process writes the gradebook;
- participants' code in a sandbox (``cxkit.grading.sandbox``): no network, the
  course folder hidden, limits on memory, CPU, processes, files and output;
- a time budget per submission: a worker stuck on an infinite loop is killed,
  with its kernel, and the submission recorded as failed, naming the cell;
- outcomes recorded, never hidden: *graded*, *needs attention* (a deleted test
  cell, an edited locked cell, something the sandbox refused) or *failed* (not
  valid JSON, kernel died, over budget), each with its reason and advice for the
  participant (``cxkit.grading.incidents``), in ``.cxkit/grading.json``;
- safe re-runs: a submission already graded and unchanged is skipped; an
  interrupt (Ctrl-C or kill) loses nothing already recorded and the next run
  picks up the rest.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cxkit.course.directory import Course
from cxkit.errors import CxkitError
from cxkit.grading import incidents
from cxkit.grading.execute import (
    build_job,
    forget_held,
    keep_executed,
    keep_sanitized,
    record_api,
)
from cxkit.grading.local import DEFAULT_WORKERS, Grader, executor_settings
from cxkit.patches import lighter_bookkeeping

GRADING_FILE = "grading.json"


@dataclass
class Outcome:
    """What happened to one participant's submission."""

    participant: str
    state: str  # graded | needs attention | failed
    reason: str = ""
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0  # executing it: kernel start, the cells, kernel stop
    cell_seconds: float = 0.0  # of which the participant's cells themselves
    checksum: str = ""
    graded_at: str = ""
    advice: str = ""  # what went wrong, in words for the participant

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


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
            digest.update(path.name.encode() + b"\0")
            with path.open("rb") as stream:  # in pieces: a submission may hold huge files
                for piece in iter(lambda: stream.read(2**20), b""):
                    digest.update(piece)
    return digest.hexdigest()[:16]


def precheck(course: Course, workshop: str, participant: str) -> tuple[str, str]:
    """Look at a submission before grading: ("ok" | "needs attention" | "failed", reason)."""
    found = incidents.before(course, workshop, participant)
    return found.state, found.reason


def _reason_from_log(result: dict[str, Any], where: str | None = None, limit: int = 0) -> str:
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    died = f"the kernel died while running {where or 'it'} (os._exit, a crash or out of memory)"
    stuck = (
        f"ran out of time in {where or 'a cell'}: it ran past the {limit} s limit and did not "
        "stop when interrupted"
    )
    for needle, reason in (
        ("Kernel died", died),
        ("DeadKernelError", died),
        ("CellTimeoutError", stuck),
        ("Timeout", stuck),
        ("database is locked", "the gradebook was busy; run cxkit grade again"),
        ("NotJSONError", "not a valid notebook (broken JSON)"),
    ):
        if needle in text:
            return reason
    last = [line for line in text.strip().splitlines() if line.strip()]
    return f"nbgrader could not grade it: {last[-1][:200] if last else 'no details'}"


def load_outcomes(course: Course, workshop: str) -> dict[str, Outcome]:
    """The recorded grading outcome of every participant of a workshop."""
    stored = course.read_json(GRADING_FILE, {}).get(workshop, {})
    known = set(Outcome.__dataclass_fields__)  # a newer cxkit may have noted more
    return {
        pid: Outcome(**{k: v for k, v in values.items() if k in known})
        for pid, values in stored.items()
    }


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


def register_participants(course: Course, participants: list[str]) -> None:
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
    workers: int | None = None,
    cell_timeout: int = 30,
    budget: float = 180.0,
    force: bool = False,
    show_progress: bool = True,
    sandbox: bool = True,
    limits: dict[str, int] | None = None,
    scheduler: str | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, Outcome]:
    """Grade every new or changed submission of ``workshop``; return every outcome.

    ``workers`` notebooks run at once (None: :data:`DEFAULT_WORKERS`).
    Participants' code runs in the sandbox unless ``sandbox`` is False;
    ``limits`` overrides fields of :class:`cxkit.grading.sandbox.Limits`.
    ``scheduler`` (``tcp://host:port``) executes the notebooks on a Dask
    cluster instead of local worker processes; this process alone writes the
    gradebook either way. ``timings``, if given, receives the seconds this
    process spent before the first submission could go out (``start-up``:
    checks, the gradebook, starting workers), sanitizing (``sanitize``) and
    recording (``record``).
    """
    began = time.perf_counter()
    spent = timings if timings is not None else {}
    spent.update(sanitize=0.0, record=0.0)
    from cxkit.grading.sandbox import Limits, bwrap_problem, warn_unsandboxed

    problem = "cxkit grade --no-sandbox" if not sandbox else bwrap_problem()
    ensure_released(course, workshop)
    outcomes = load_outcomes(course, workshop)
    todo, checks = [], {}
    for pid in submissions(course, workshop):
        checksum = _checksum(course.folder("submitted") / pid / workshop)
        previous = outcomes.get(pid)
        if not force and previous is not None and previous.checksum == checksum:
            continue
        found = incidents.before(course, workshop, pid)
        if found.state == "failed":
            outcome = Outcome(
                pid,
                "failed",
                found.reason,
                checksum=checksum,
                graded_at=_now(),
                advice=" ".join(found.advice),
            )
            outcomes[pid] = outcome
            _save(course, workshop, outcome)
            continue
        todo.append(pid)
        checks[pid] = (found, checksum)
    if not todo:
        return outcomes
    if problem:
        warn_unsandboxed(problem)
    register_participants(course, todo)
    sandbox_limits = Limits(**(limits or {}))

    def record(pid: str, result: dict[str, Any]) -> None:
        found, checksum = checks[pid]
        outcome = Outcome(
            pid,
            found.state,
            found.reason,
            seconds=round(result.get("seconds", 0.0), 2),
            cell_seconds=round(result.get("cell_seconds", 0.0), 3),
            checksum=checksum,
            graded_at=_now(),
            advice=" ".join(found.advice),
        )
        if result.get("failure") or not result.get("success"):
            outcome.state = "failed"
            facts = result.get("facts", [])
            memory = [f for f in facts if f.startswith("it ran out of memory")]
            forks = [f for f in facts if f.startswith("it hit the process limit")]
            if forks and not result.get("failure"):
                facts = [f"the sandbox stopped the kernel: {forks[0]}"]
            elif memory and not result.get("failure"):  # where it then died is chance
                facts = [f"the kernel died after {memory[0]}"]
            else:
                facts = [_reason_from_log(result, result.get("where"), cell_timeout), *facts]
            outcome.reason = result.get("failure") or "; ".join(facts)
            if "ran out of time in " in outcome.reason:
                place = (
                    outcome.reason.split("ran out of time in ", 1)[1]
                    .split(": it ran")[0]
                    .split("; ")[0]
                )
                outcome.advice = (
                    f"Your notebook ran out of time in {place}: grading had to stop it. "
                    "Look for a loop that never ends or a long wait."
                )
            elif not outcome.advice:
                outcome.advice = f"We could not grade it: {outcome.reason}."
        else:
            outcome.score, outcome.max_score, manual = _score(course, workshop, pid)
            ran = incidents.Findings()
            for name in course.notebooks(workshop):
                path = course.folder("autograded") / pid / workshop / f"{name}.ipynb"
                more = incidents.after(path, cell_timeout, sandbox_limits)
                for fact, advice in zip(more.facts, more.advice, strict=True):
                    ran.add(more.state, fact, advice)
            if ran.state == "needs attention" or outcome.state == "needs attention":
                outcome.state = "needs attention"
            else:
                outcome.state = "graded"
            notes = [r for r in (found.reason, ran.reason) if r]
            if manual and outcome.state == "graded":
                notes.append("reflections await manual grading")
            outcome.reason = "; ".join(notes)
            outcome.advice = " ".join([*found.advice, *ran.advice])
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
    job_api = course.api()  # sanitizing only: no kernel runs
    recorder = record_api(course, sandbox)

    def prepare(pid: str) -> dict[str, Any] | None:
        started = time.perf_counter()
        spent.setdefault("start-up", started - began)  # until the first job could go out
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                job = build_job(job_api, course, workshop, pid)
            keep_sanitized(job)  # nbgrader's record takes them instead of sanitizing again
            return job
        except Exception as err:  # nbgrader could not sanitize it: nothing to run
            record(pid, {"success": False, "error": f"{type(err).__name__}: {err}"})
            return None
        finally:
            spent["sanitize"] += time.perf_counter() - started

    def finish(pid: str, result: dict[str, Any]) -> None:
        """nbgrader autogrades with the executed notebooks: scores into the gradebook."""
        started = time.perf_counter()
        try:
            if result.get("success"):
                keep_executed(result, workshop)
                with warnings.catch_warnings():  # SQLAlchemy's, from inside nbgrader
                    warnings.simplefilter("ignore")
                    graded = recorder.autograde(workshop, pid, force=True, create=True)
                result = {
                    **result,
                    "success": bool(graded.get("success")),
                    "error": graded.get("error") or "",
                    "log": graded.get("log") or "",
                }
        finally:
            forget_held(workshop, pid)
        record(pid, result)
        spent["record"] += time.perf_counter() - started

    if scheduler:
        from cxkit.grading.distributed import DaskGrader

        runner: Any = DaskGrader(
            scheduler, workshop, executor_settings(course, cell_timeout, sandbox, limits), budget
        )
    else:
        runner = Grader(
            course, workshop, workers or DEFAULT_WORKERS, cell_timeout, budget, sandbox, limits
        )
    try:
        with lighter_bookkeeping():
            runner.run(todo, prepare, finish, bar)
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
