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
  valid JSON, kernel died, over budget), each with the facts behind it
  (``cxkit.grading.incidents``, ``cxkit.grading.outcomes``), put into words for
  the facilitator and the participant, in ``.cxkit/grading.json``;
- a policy for what answer cells may contain (``cxkit.grading.policy``), read
  on the notebook about to run: a cell outside it, and a check that passed
  without its own output, hold the points of the checks from there on
  (``cxkit.grading.holds``) until the facilitator accepts or rejects them
  (``cxkit.course.review``);
- safe re-runs: a submission already graded and unchanged is skipped; an
  interrupt (Ctrl-C or kill) loses nothing already recorded and the next run
  picks up the rest.

How a run reads: :func:`grade` takes the settings (``cxkit.grading.settings``:
the course's ``nbgrader_config.py`` and this run's overrides), :func:`plan`
picks the submissions to grade, :func:`runner` the executors, and a
:class:`GradingRun` prepares each job and records each result.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from cxkit.course.directory import Course
from cxkit.errors import CxkitError
from cxkit.grading import holds, incidents
from cxkit.grading.execute import (
    build_job,
    forget_held,
    keep_executed,
    keep_sanitized,
    record_api,
)
from cxkit.grading.local import Grader, Prepare, Record
from cxkit.grading.outcomes import Fact, Job, Kind, Outcome, Result, State, running_facts, worst
from cxkit.grading.policy import Policy, for_source
from cxkit.grading.settings import Grading, for_executor, grading_settings, override
from cxkit.patches import lighter_bookkeeping

GRADING_FILE = "grading.json"


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


def load_outcomes(course: Course, workshop: str) -> dict[str, Outcome]:
    """The recorded grading outcome of every participant of a workshop.

    Records written by an earlier cxkit, which kept words and no facts, load
    with their words as they were.
    """
    stored = course.read_json(GRADING_FILE, {}).get(workshop, {})
    return {pid: Outcome.from_dict(values) for pid, values in stored.items()}


def save_outcome(course: Course, workshop: str, outcome: Outcome) -> None:
    """Record one participant's outcome in ``.cxkit/grading.json`` (under the course's lock)."""

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


@dataclass
class Handed:
    """A submission to grade: its checksum, and what was found in it before it runs."""

    checksum: str
    found: list[Fact] = field(default_factory=list)


@dataclass
class Plan:
    """What one run grades (``todo``) and what failed before running (``refused``)."""

    todo: dict[str, Handed] = field(default_factory=dict)
    refused: list[Outcome] = field(default_factory=list)


def plan(course: Course, workshop: str, outcomes: dict[str, Outcome], force: bool) -> Plan:
    """Which submissions to grade: new or changed ones (all with ``force``), looked at first.

    A submission whose files already say it cannot be graded (missing, empty,
    broken, another workshop's) is refused here, with the facts, and never runs.
    """
    work = Plan()
    for pid in submissions(course, workshop):
        checksum = _checksum(course.folder("submitted") / pid / workshop)
        previous = outcomes.get(pid)
        if not force and previous is not None and previous.checksum == checksum:
            continue
        found = incidents.before(course, workshop, pid)
        if found.state is State.FAILED:
            work.refused.append(
                Outcome(pid, State.FAILED, found.facts, checksum=checksum, graded_at=_now())
            )
        else:
            work.todo[pid] = Handed(checksum, found.facts)
    return work


class Runner(Protocol):
    """Executes submissions: :class:`cxkit.grading.local.Grader` or a Dask cluster's."""

    def run(
        self, todo: list[str], prepare: Prepare, record: Record, progress: Any = None
    ) -> None: ...


def runner(course: Course, workshop: str, settings: Grading, scheduler: str | None) -> Runner:
    """Local worker processes, or the Dask cluster at ``scheduler`` (``tcp://host:port``)."""
    if scheduler:
        from cxkit.grading.distributed import DaskGrader

        return DaskGrader(scheduler, workshop, for_executor(course, settings), settings.budget)
    return Grader(course, workshop, settings)


class GradingRun:
    """One run of the grading step: a runner's ``prepare`` and ``record``, and what they share.

    ``prepare`` sanitizes a submission into a job; ``finish`` has nbgrader
    record the executed notebooks in the gradebook; :meth:`record` turns the
    result into an :class:`Outcome` and saves it at once. ``spent`` receives
    the seconds spent before the first job could go out (``start-up``, counted
    from ``began``), sanitizing (``sanitize``) and recording (``record``), and
    the CPU seconds the executors reported: their kernels' (``kernel CPU``, where
    kernels are forked warm) and their own (``executor CPU``).
    """

    def __init__(
        self,
        course: Course,
        workshop: str,
        settings: Grading,
        todo: dict[str, Handed],
        outcomes: dict[str, Outcome],
        began: float,
        spent: dict[str, float],
    ) -> None:
        self.course, self.workshop, self.settings = course, workshop, settings
        self.todo, self.outcomes = todo, outcomes
        self.began, self.spent = began, spent
        self.limits = settings.limits()
        self.job_api = course.api()  # sanitizing only: no kernel runs
        self.recorder = record_api(course, settings.sandbox)
        self.policies = {
            name: workshop_policy(course, workshop, name, settings)
            for name in course.notebooks(workshop)
        }

    def prepare(self, pid: str) -> Job | None:
        """The sanitized job of ``pid``; None when nbgrader could not sanitize it (recorded)."""
        started = time.perf_counter()
        self.spent.setdefault("start-up", started - self.began)  # until the first job goes out
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                job = build_job(self.job_api, self.course, self.workshop, pid)
            keep_sanitized(job)  # nbgrader's record takes them instead of sanitizing again
            self.todo[pid].found += self._about_to_run(job)
            return job
        except Exception as err:  # nbgrader could not sanitize it: nothing to run
            self.record(pid, {"success": False, "error": f"{type(err).__name__}: {err}"})
            return None
        finally:
            self.spent["sanitize"] += time.perf_counter() - started

    def _about_to_run(self, job: Job) -> list[Fact]:
        """What the policy finds in the notebooks about to run (the grading process reads them)."""
        import json

        facts = []
        for name, text in job["notebooks"].items():
            policy, source = self.policies[name]
            facts += incidents.about_to_run(name, json.loads(text), source, policy)
        return facts

    def finish(self, pid: str, result: Result) -> None:
        """nbgrader autogrades with the executed notebooks: scores into the gradebook."""
        started = time.perf_counter()
        try:
            if result.get("success"):
                previous = self.outcomes.get(pid)
                if previous is not None:  # held points of an earlier grading count again
                    holds.count(self.course, self.workshop, pid, previous.held)
                keep_executed(result, self.workshop)
                with warnings.catch_warnings():  # SQLAlchemy's, from inside nbgrader
                    warnings.simplefilter("ignore")
                    graded = self.recorder.autograde(self.workshop, pid, force=True, create=True)
                result = {
                    **result,
                    "success": bool(graded.get("success")),
                    "error": graded.get("error") or "",
                    "log": graded.get("log") or "",
                }
        finally:
            forget_held(self.workshop, pid)
        self.record(pid, result)
        self.spent["record"] += time.perf_counter() - started

    def record(self, pid: str, result: Result) -> None:
        """Save the outcome of ``pid``: failed with why, or scored with what was found."""
        handed = self.todo[pid]
        if result.get("success"):
            outcome = self._scored(pid, handed)
        else:
            facts = [*handed.found, *running_facts(result, self.settings.cell_timeout)]
            outcome = Outcome(pid, State.FAILED, facts)
        used = {"kernel CPU": result.get("kernel_cpu"), "executor CPU": result.get("executor_cpu")}
        for key, seconds in used.items():
            self.spent[key] = self.spent.get(key, 0.0) + (seconds or 0.0)
        outcome.seconds = round(result.get("seconds", 0.0), 2)
        outcome.cell_seconds = round(result.get("cell_seconds", 0.0), 3)
        outcome.checksum, outcome.graded_at = handed.checksum, _now()
        self.outcomes[pid] = outcome
        save_outcome(self.course, self.workshop, outcome)

    def _scored(self, pid: str, handed: Handed) -> Outcome:
        """nbgrader's score, what the executed notebooks show, and the points held.

        Points held (:mod:`cxkit.grading.holds`) are not in the score until accepted.
        """
        facts = list(handed.found)
        for name in self.course.notebooks(self.workshop):
            path = self.course.folder("autograded") / pid / self.workshop / f"{name}.ipynb"
            facts += incidents.after(path, self.settings.cell_timeout, self.limits).facts
        held = holds.hold(self.course, self.workshop, pid, facts)
        score, max_score, manual = _score(self.course, self.workshop, pid)
        state = State.GRADED if worst(facts) is State.GRADED else State.NEEDS_ATTENTION
        if manual and state is State.GRADED:
            facts.append(Fact(Kind.AWAITS_MANUAL))
        return Outcome(pid, state, facts, score=score, max_score=max_score, held=held)


def grade(
    course: Course,
    workshop: str,
    settings: Grading | None = None,
    *,
    force: bool = False,
    show_progress: bool = True,
    scheduler: str | None = None,
    timings: dict[str, float] | None = None,
    **overrides: Any,
) -> dict[str, Outcome]:
    """Grade every new or changed submission of ``workshop``; return every outcome.

    ``settings`` say how (:class:`cxkit.grading.settings.Grading`: workers, cell
    timeout, budget, sandbox and its limits); by default the course's, from its
    ``nbgrader_config.py``. ``overrides`` set some for this run
    (``grade(course, "00", workers=2, budget=60)``; None: not given).
    ``force`` grades again what is graded and unchanged. ``scheduler``
    (``tcp://host:port``) executes the notebooks on a Dask cluster instead of
    local worker processes; this process alone writes the gradebook either way.
    ``timings``, if given, receives the seconds spent before the first
    submission could go out (``start-up``: checks, the gradebook, starting
    workers), sanitizing (``sanitize``) and recording (``record``), and the
    CPU seconds of the kernels (``kernel CPU``) and executors (``executor CPU``).

    Raises
    ------
    CxkitError
        For a setting that does not exist or a value it cannot take.
    """
    began = time.perf_counter()
    spent = timings if timings is not None else {}
    spent.update(sanitize=0.0, record=0.0)
    if settings is None:
        settings = grading_settings(course, overrides)
    else:
        settings = override(settings, overrides, "given to grade()")
    from cxkit.grading.sandbox import bwrap_problem, warn_unsandboxed

    problem = "cxkit grade --no-sandbox" if not settings.sandbox else bwrap_problem()
    ensure_released(course, workshop)
    outcomes = load_outcomes(course, workshop)
    work = plan(course, workshop, outcomes, force)
    for outcome in work.refused:
        outcomes[outcome.participant] = outcome
        save_outcome(course, workshop, outcome)
    if not work.todo:
        return outcomes
    if problem:
        warn_unsandboxed(problem)
    register_participants(course, list(work.todo))
    run = GradingRun(course, workshop, settings, work.todo, outcomes, began, spent)
    chosen = runner(course, workshop, settings, scheduler)
    bar = _progress_bar(workshop, len(work.todo)) if show_progress else None
    try:
        with lighter_bookkeeping():
            chosen.run(list(work.todo), run.prepare, run.finish, bar)
    finally:
        if bar is not None:
            bar.close()
    return outcomes


def workshop_policy(
    course: Course, workshop: str, name: str, settings: Grading
) -> tuple[Policy, list[Any]]:
    """The policy for one notebook of a workshop, and the source cells it trusts."""
    import nbformat

    source = nbformat.read(course.folder("source") / workshop / f"{name}.ipynb", as_version=4)
    policy = for_source(
        source.cells,
        imports=tuple(settings.allowed_imports),
        calls=tuple(settings.allowed_calls),
    )
    return policy, source.cells


def _progress_bar(workshop: str, total: int) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=f"Grading {workshop}",
        unit="submission",
        file=sys.stderr,
        dynamic_ncols=True,
    )


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
