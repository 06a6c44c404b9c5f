"""Grade a workshop as participants hand it in: ``cxkit grade WORKSHOP --watch``.

The watch polls for hand-ins until it is stopped (Ctrl-C or SIGTERM). Each
poll it

1. collects what arrived: from the workshop room's exchange when the course has
   a room (nbgrader's ``ExchangeCollect``, as ``cxkit collect`` does: the newest
   submission wins, its time stamp decides lateness), and from a hand-in folder
   when one is given (zips of ``cxkit submit``, folders, notebooks; as
   ``cxkit collect FOLDER`` does). Anything put straight into ``submitted/``
   counts too, once it has stopped changing;
2. grades every new or changed submission with the grading engine
   (:mod:`cxkit.course.grade`: the same sandbox, limits, policy and records as
   ``cxkit grade``), and as each one is recorded writes that participant's
   feedback page (and, in a room, returns it through the exchange). The
   grading workers and their warm kernel templates start with the watch and
   live as long as it does (:meth:`cxkit.grading.local.Grader.kept`), and a
   hand-in that arrives while others are being graded joins them at once;
3. keeps the facilitator report up to date: it is rendered in a process of its
   own, one at a time, as soon as everything handed in is graded and no hand-in
   came for ``QUIET`` seconds, and at least every ``report_every`` seconds
   while hand-ins keep coming, so a burst of forty hand-ins does not render it
   forty times. A render that is out of date when everything is graded is
   stopped and started again, unless the report on disk lags by ``report_every``.

In a room, only the participants whose part of the exchange changed are
collected from, and feedback goes back to the participant it is for: a look
costs the same with forty participants as with one.

Nothing is lost and nothing is graded twice across a stop and a start, even a
``kill -9``: the grading record (``.cxkit/grading.json``, written atomically
after each submission) holds the checksum of the hand-in each outcome grades,
and grading skips a hand-in whose checksum is recorded. The watch's own
journal, ``.cxkit/watch.json`` (also written atomically), holds, per
participant, the hand-in (its time stamp and checksum) whose feedback page was
written, and the hand-ins the report on disk includes. On start, what the
journal lacks is done first: feedback that was not written, a report that is
out of date.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cxkit.course.collect import collect
from cxkit.course.directory import Course
from cxkit.course.feedback import write_participant_feedback
from cxkit.course.grade import (
    GradingRun,
    ensure_released,
    load_outcomes,
    plan,
    register_participants,
    runner,
    save_outcome,
    submissions,
)
from cxkit.course.roster import roster
from cxkit.errors import CxkitError
from cxkit.grading.execute import forget_held
from cxkit.grading.local import Grader
from cxkit.grading.outcomes import Job, Outcome, Result, State
from cxkit.grading.settings import Grading
from cxkit.patches import lighter_bookkeeping

JOURNAL = "watch.json"
POLL = 0.25  # seconds between two looks for hand-ins
REPORT_EVERY = 60.0  # seconds: the longest the report lags behind while hand-ins keep coming
QUIET = 2.0  # seconds without a new hand-in before the report is rendered (unless it lags)
NICE = 10  # the report's render yields the processor to grading
Listing = frozenset[tuple[str, int, int]]  # (path, size, modification time in ns)


def listing(folder: Path, complete: Callable[[Path], bool] | None = None) -> Listing:
    """Every file under ``folder`` with its size and modification time (empty if missing).

    ``complete``, if given, keeps only the files for which it is true.
    """
    if not folder.is_dir():
        return frozenset()
    found = set()
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):  # removed while we looked
            if path.is_file() and (complete is None or complete(path)):
                info = path.stat()
                found.add((str(path.relative_to(folder)), info.st_size, info.st_mtime_ns))
    return frozenset(found)


def _submitted_in_room(path: Path) -> bool:
    """Whether a file belongs to a submission nbgrader has finished writing in a room's inbound.

    nbgrader's submit copies the notebooks, then writes ``timestamp.txt`` and,
    last, ``submission_secret.txt``.
    """
    for folder in path.parents:
        if folder.parent.name == "inbound":
            return (folder / "submission_secret.txt").is_file()
    return False


@dataclass
class Settled:
    """Whether a listing has stopped changing: the same at two looks in a row."""

    last: Listing = frozenset()
    acted: Listing = frozenset()

    def ready(self, now: Listing) -> bool:
        """True once when ``now`` differs from what was acted on and equals the previous look."""
        settled = now == self.last and now != self.acted
        self.last = now
        if settled:
            self.acted = now
        return settled


class Journal:
    """``.cxkit/watch.json``: which hand-in each feedback page and the report on disk show."""

    def __init__(self, course: Course, workshop: str) -> None:
        self.course, self.workshop = course, workshop

    def _mine(self) -> dict[str, Any]:
        stored = self.course.read_json(JOURNAL, {}).get(self.workshop, {})
        return {"feedback": {}, "report": {}, **stored}

    def _change(self, part: str, values: dict[str, Any]) -> None:
        def change(everything: dict[str, Any]) -> None:
            everything.setdefault(self.workshop, {}).setdefault(part, {}).update(values)

        self.course.update_json(JOURNAL, {}, change)

    def fed_back(self) -> dict[str, str]:
        """Participant to the checksum of the hand-in their feedback page shows."""
        return {pid: entry["checksum"] for pid, entry in self._mine()["feedback"].items()}

    def feedback_written(self, outcome: Outcome, timestamp: str) -> None:
        entry = {"checksum": outcome.checksum, "timestamp": timestamp, "written": _now()}
        self._change("feedback", {outcome.participant: entry})

    def reported(self) -> dict[str, str]:
        """Participant to the checksum of the hand-in the report on disk includes."""
        return dict(self._mine()["report"])

    def report_written(self, shown: dict[str, str]) -> None:
        def change(everything: dict[str, Any]) -> None:
            everything.setdefault(self.workshop, {})["report"] = shown

        self.course.update_json(JOURNAL, {}, change)


class ReportRenderer:
    """The facilitator report, rendered by ``cxkit report`` in a process of its own.

    One render at a time; the grading goes on meanwhile. The journal records
    which hand-ins a finished render includes.
    """

    def __init__(self, course: Course, workshop: str, journal: Journal) -> None:
        self.course, self.workshop, self.journal = course, workshop, journal
        self.process: subprocess.Popen[bytes] | None = None
        self.log = course.state / f"report-{workshop}.log"  # what the last render said
        self.shows: dict[str, str] = {}
        self.started = 0.0

    @property
    def busy(self) -> bool:
        return self.process is not None

    def start(self, shows: dict[str, str]) -> None:
        """Render the report of what is recorded now (``shows``: participant to checksum)."""
        command = [sys.executable, "-m", "cxkit", "report", self.workshop]
        command += ["--course-dir", str(self.course.root)]
        if self.course.db_url:
            command += ["--db-url", self.course.db_url]
        with self.log.open("wb") as errors:  # the process keeps its own copy of the file
            self.process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                stdin=subprocess.DEVNULL,
                preexec_fn=_lower_priority,
                start_new_session=True,  # with its kernel, stopped by the watch alone
            )
        self.shows, self.started = shows, time.monotonic()

    def finished(self) -> str | None:
        """None while rendering (or idle); "" when a render just succeeded; else why it failed."""
        if self.process is None or self.process.poll() is None:
            return None
        code, self.process = self.process.returncode, None
        words = self.log.read_text(encoding="utf-8", errors="replace").strip()
        if code == 0:
            self.journal.report_written(self.shows)
            return ""
        return words.splitlines()[-1] if words else f"cxkit report stopped with code {code}"

    def stop(self) -> None:
        """Stop a render under way, with its kernel: asked first, then made to."""
        if self.process is None:
            return
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, None)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.process = None


@dataclass
class Watch:
    """The state of one watch over a workshop; :meth:`run` loops, :meth:`look` is one poll.

    Parameters
    ----------
    course, workshop
        The course and the workshop (its full name) to grade.
    settings
        The grading settings (:func:`cxkit.grading.settings.grading_settings`).
    hand_ins
        A folder where participants' files arrive (zips of ``cxkit submit``,
        folders, notebooks), collected as ``cxkit collect FOLDER`` does.
    scheduler
        A Dask scheduler's address, as for ``cxkit grade --scheduler``.
    say
        Where the status lines go (``print`` by default).
    report_every
        The longest, in seconds, the report on disk lags behind the grading
        while hand-ins keep coming.
    """

    course: Course
    workshop: str
    settings: Grading
    hand_ins: Path | None = None
    scheduler: str | None = None
    say: Callable[[str], None] = functools.partial(print, flush=True)
    report_every: float = REPORT_EVERY
    room: bool = field(init=False, default=False)  # the course has a workshop room
    journal: Journal = field(init=False)
    renderer: ReportRenderer = field(init=False)
    reported_at: float = field(init=False, default=0.0)
    shown: set[tuple[str, str]] = field(init=False, default_factory=set)
    submitted: Settled = field(init=False, default_factory=Settled)
    inbox: Settled = field(init=False, default_factory=Settled)
    exchange: Listing = field(init=False, default_factory=frozenset)
    pending: set[str] = field(init=False, default_factory=set)  # queued or running
    running: set[str] = field(init=False, default_factory=set)  # its job built: files read
    stale: set[str] = field(init=False, default_factory=set)  # pending, handed in again since
    replan: bool = field(init=False, default=False)  # a stale one is done: plan again
    registered: set[str] = field(init=False, default_factory=set)  # in the gradebook
    arrived_at: float = field(init=False, default=0.0)  # when the last hand-in was placed
    grading: GradingRun | None = field(init=False, default=None)
    grader: Grader | None = field(init=False, default=None)  # local workers, kept
    said_failed: dict[str, str] = field(init=False, default_factory=dict)  # a render that failed

    def __post_init__(self) -> None:
        from cxkit.room.exchange import has_room

        if self.hand_ins is not None and not Path(self.hand_ins).is_dir():
            raise CxkitError(
                f"The hand-in folder {self.hand_ins} does not exist: create it, or give the "
                "folder where participants' zip files arrive."
            )
        self.room = has_room(self.course)
        self.journal = Journal(self.course, self.workshop)
        self.renderer = ReportRenderer(self.course, self.workshop, self.journal)

    # --- the loop ---------------------------------------------------------------------
    def run(self, poll: float = POLL) -> None:
        """Watch until interrupted (KeyboardInterrupt; SIGTERM is turned into one)."""
        ensure_released(self.course, self.workshop)
        with _stop_on_signals() as stop, self._workers():
            try:
                self._grading_run()  # nbgrader's API and the policies, before the first hand-in
                self.reported_at = time.monotonic()  # the report lags from now at most
                self._catch_up()
                self.say(self._where())
                while not stop.is_set():
                    self.look()
                    time.sleep(poll)
                raise KeyboardInterrupt  # a signal came where Python could not raise it
            finally:
                self.renderer.stop()

    @contextlib.contextmanager
    def _workers(self) -> Iterator[None]:
        """Local grading workers, started (and warmed up) now and kept for the whole watch.

        A Dask cluster's workers are the cluster's own: nothing to start here.
        """
        if self.scheduler:
            yield
            return
        grader = Grader(self.course, self.workshop, self.settings)
        with grader.kept():
            self.grader = grader
            try:
                yield
            finally:
                self.grader = None

    def look(self) -> None:
        """One poll: collect what arrived, grade it, feed back, keep the report up to date."""
        if self._arrived() or self.replan:
            self._grade()
        self._report()

    def _where(self) -> str:
        sources = ["submitted/"]
        if self.room:
            sources.insert(0, "the workshop room")
        if self.hand_ins is not None:
            sources.insert(0, str(self.hand_ins))
        return (
            f"Watching {', '.join(sources)} for hand-ins of {self.workshop}; "
            f"{self.waiting()}. Stop with Ctrl-C: nothing recorded is lost."
        )

    # --- collecting ---------------------------------------------------------------------
    def _arrived(self) -> bool:
        """Collect what arrived; whether anything new may be in ``submitted/``."""
        collected = self._collect()
        if self.submitted.ready(listing(self.course.folder("submitted"))) or collected:
            self.arrived_at = time.monotonic()
            return True
        return False

    def _collect(self) -> bool:
        """Collect from the room and the hand-in folder; whether anything was placed."""
        placed = False
        if self.room:
            from cxkit.room.exchange import collect_from_room, room_folder

            now = listing(room_folder(self.course) / "views", _submitted_in_room)
            if now != self.exchange:
                changed = _participants(now ^ self.exchange)
                self.exchange = now
                found = collect_from_room(self.course, self.workshop, changed)
                placed |= self._placed(found)
        if self.hand_ins is not None and self.inbox.ready(listing(self.hand_ins)):
            placed |= self._placed(collect(self.course, self.workshop, self.hand_ins))
        return placed

    def _placed(self, result: Any) -> bool:
        for label, reason in result.unplaced:
            if (label, reason) not in self.shown:
                self.shown.add((label, reason))
                self.say(f"not collected: {label}: {reason}")
        return bool(result.placed)

    # --- grading and feedback -----------------------------------------------------------
    def _grade(self) -> None:
        """Grade every new or changed submission, and those that arrive meanwhile.

        Feedback for each as it is recorded. On the local workers, a hand-in
        that arrives while others are graded joins them (``_arrivals``); on a
        Dask cluster it waits for the next look.
        """
        todo = self._plan()
        if not todo:
            return
        self.say(f"grading {', '.join(todo)}")
        try:
            with lighter_bookkeeping():
                if self.grader is not None:
                    self.grader.run(todo, self._prepare, self._record, more=self._arrivals)
                else:
                    executors = runner(self.course, self.workshop, self.settings, self.scheduler)
                    executors.run(todo, self._prepare, self._record)
        finally:
            self.pending.clear()
            self.running.clear()
            self.stale.clear()
        self._catch_up()  # a submission nbgrader could not sanitize is recorded, not finished

    def _arrivals(self) -> list[str]:
        """While grading: what arrived since, to join the batch; the report kept up to date."""
        new = self._plan() if self._arrived() or self.replan else []
        if new:
            self.say(f"also grading {', '.join(new)}")
        self._report()
        return new

    def _plan(self) -> list[str]:
        """The new or changed submissions not being graded already, ready to be.

        One refused before running is recorded and fed back here. One handed
        in again while queued is graded from its new copy; while running, its
        result is dropped (:meth:`_record`) and it is graded again.
        """
        self.replan = False
        outcomes = load_outcomes(self.course, self.workshop)
        work = plan(self.course, self.workshop, outcomes, force=False)
        for outcome in work.refused:
            if outcome.participant in self.pending:
                self.stale.add(outcome.participant)  # looked at again once done
            else:
                save_outcome(self.course, self.workshop, outcome)
                self._feed_back(outcome)
        run = self._grading_run()
        run.outcomes.update(load_outcomes(self.course, self.workshop))
        new = []
        for pid, handed in work.todo.items():
            if pid not in self.pending:
                new.append(pid)
            elif handed.checksum == run.todo[pid].checksum:
                continue  # still the copy being graded
            elif pid in self.running:
                self.stale.add(pid)
                continue
            run.todo[pid] = handed
        unknown = [pid for pid in new if pid not in self.registered]
        if unknown:
            register_participants(self.course, unknown)
            self.registered.update(unknown)
        self.pending.update(new)
        return new

    def _prepare(self, pid: str) -> Job | None:
        """The job of ``pid`` (see :meth:`GradingRun.prepare`); None when nbgrader could not
        sanitize it, recorded as failed: fed back now."""
        self.running.add(pid)
        job = self._grading_run().prepare(pid)
        if job is None:
            self._done(pid)
            self._feed_back(self._grading_run().outcomes[pid])
        return job

    def _record(self, pid: str, result: Result) -> None:
        """Record the result and write the feedback; dropped if ``pid`` handed in again since."""
        if pid in self.stale:  # it grades the copy handed in before: the new one is graded next
            forget_held(self.workshop, pid)
        else:
            run = self._grading_run()
            run.finish(pid, result)
            self._feed_back(run.outcomes[pid])
        self._done(pid)
        self._report()

    def _done(self, pid: str) -> None:
        if pid in self.stale:  # handed in again while graded: the next look plans the new copy
            self.replan = True
        self.pending.discard(pid)
        self.running.discard(pid)
        self.stale.discard(pid)

    def _grading_run(self) -> GradingRun:
        """The grading step's preparing and recording, set up once (policies, nbgrader's API)."""
        if self.grading is None:
            spent = {"sanitize": 0.0, "record": 0.0}
            began = time.perf_counter()
            self.grading = GradingRun(
                self.course, self.workshop, self.settings, {}, {}, began, spent
            )
        return self.grading

    def _catch_up(self) -> None:
        """Write the feedback the journal does not have (after a stop, or a refusal)."""
        fed = self.journal.fed_back()
        handed = set(submissions(self.course, self.workshop))
        for pid, outcome in sorted(load_outcomes(self.course, self.workshop).items()):
            if fed.get(pid) != outcome.checksum and pid in handed:
                self._feed_back(outcome)

    def _feed_back(self, outcome: Outcome) -> None:
        pid = outcome.participant
        write_participant_feedback(self.course, self.workshop, outcome)
        returned = self._return_feedback(pid)
        self.journal.feedback_written(outcome, self._timestamp(pid))
        if outcome.state is State.FAILED:
            what = f"could not grade {pid} ({outcome.reason})"
        else:
            what = f"graded {pid} ({outcome.score:g} / {outcome.max_score:g})"
        self.say(f"{what}, feedback written{returned}; {self.waiting()}")

    def _return_feedback(self, pid: str) -> str:
        if not self.room:
            return ""
        from cxkit.room.exchange import return_feedback

        done = return_feedback(self.course, self.workshop, [pid])
        mine = [page for page in done.pages if page.parent.parent.parent.name == pid]
        return " and returned through the room" if mine else ""

    def _timestamp(self, pid: str) -> str:
        stamp = self.course.folder("submitted") / pid / self.workshop / "timestamp.txt"
        return stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else ""

    def waiting(self) -> str:
        """How many on the roster (or who handed in) are not graded yet, of how many."""
        people = set(roster(self.course)["id"])
        handed = set(submissions(self.course, self.workshop))
        everyone = people | handed
        graded = self._graded()
        queued = len(handed - set(graded))
        waiting = len(everyone - set(graded))
        words = f"waiting for {waiting} more of {len(everyone)}" if waiting else "everyone graded"
        return f"{words} ({queued} in the queue)" if queued else words

    def _graded(self) -> dict[str, str]:
        """Participant to the checksum of their graded hand-in (as it is in submitted/ now)."""
        handed = set(submissions(self.course, self.workshop))
        return {
            pid: o.checksum
            for pid, o in load_outcomes(self.course, self.workshop).items()
            if pid in handed
        }

    # --- the report ---------------------------------------------------------------------
    def _report(self) -> None:
        """Start a render when the report is out of date, and everything handed in is graded
        with no new hand-in for ``QUIET`` seconds, or the report lags ``report_every``.

        A render under way that would show less than is graded then is stopped
        and started again, unless the report on disk lags ``report_every``:
        the last hand-in's render need not wait for one that leaves it out.
        """
        failed = self.renderer.finished()
        if failed == "":
            self.reported_at = self.renderer.started
            count = len(self.renderer.shows)
            self.say(f"report updated ({count} graded): {self._report_path()}")
        elif failed:
            self.said_failed = self.renderer.shows  # tried again once more is graded
            self.say(f"the report could not be rendered: {failed}")
        now = time.monotonic()
        quiet = not self.pending and now - self.arrived_at >= QUIET
        lags = now - self.reported_at >= self.report_every
        if self.renderer.busy and (lags or not quiet):
            return
        graded = self._graded()
        if self.renderer.busy:
            if graded == self.renderer.shows:
                return
            self.renderer.stop()
        if graded in (self.journal.reported(), self.said_failed):
            return
        if quiet or lags:
            self.renderer.start(graded)

    def _report_path(self) -> Path:
        return self.course.root / "reports" / self.workshop / "facilitator_report.html"


def watch(
    course: Course,
    workshop: str,
    settings: Grading,
    *,
    hand_ins: Path | None = None,
    scheduler: str | None = None,
) -> None:
    """Grade ``workshop`` as it is handed in, until Ctrl-C or SIGTERM (see :class:`Watch`)."""
    watching = Watch(course, workshop, settings, hand_ins=hand_ins, scheduler=scheduler)
    try:
        watching.run()
    except KeyboardInterrupt:
        watching.say(
            f"Stopped watching {workshop}: {watching.waiting()}. Nothing recorded is lost; "
            "run the same command again to go on."
        )


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """Inside: Ctrl-C and SIGTERM stop the watch (its workers and render with it).

    Each raises KeyboardInterrupt where the watch is, and sets the event it
    yields: an interrupt raised where Python only reports it (in a fork's
    bookkeeping, as a render starts) still stops the loop at its next turn.
    """
    stop = threading.Event()

    def interrupt(signum: int, frame: Any) -> None:
        stop.set()
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _participants(files: Listing) -> list[str]:
    """The participants whose part of the room (``views/<participant>/...``) holds these files."""
    return sorted({Path(path).parts[0] for path, _, _ in files})


def _lower_priority() -> None:
    """In the render's process, before it starts: let grading have the processor first."""
    os.nice(NICE)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
