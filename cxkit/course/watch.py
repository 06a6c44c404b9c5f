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
   feedback page (and, in a room, returns it through the exchange);
3. keeps the facilitator report up to date: it is rendered in a process of its
   own, one at a time, as soon as everything handed in is graded, and at least
   every ``report_every`` seconds while hand-ins keep coming, so a burst of
   forty hand-ins does not render it forty times.

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
from cxkit.grading.outcomes import Outcome, Result, State
from cxkit.grading.settings import Grading
from cxkit.patches import lighter_bookkeeping

JOURNAL = "watch.json"
POLL = 0.25  # seconds between two looks for hand-ins
REPORT_EVERY = 60.0  # seconds: the longest the report lags behind while hand-ins keep coming
QUIET = 5.0  # seconds without a new hand-in before the report is rendered (unless it lags)
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
    pending: set[str] = field(init=False, default_factory=set)  # being graded, not recorded
    arrived_at: float = field(init=False, default=0.0)  # when the last hand-in was placed
    grading: GradingRun | None = field(init=False, default=None)
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
        self._catch_up()
        self.say(self._where())
        with _stop_on_signals() as stop:
            try:
                while not stop.is_set():
                    self.look()
                    time.sleep(poll)
                raise KeyboardInterrupt  # a signal came where Python could not raise it
            finally:
                self.renderer.stop()

    def look(self) -> None:
        """One poll: collect what arrived, grade it, feed back, keep the report up to date."""
        collected = self._collect()
        if self.submitted.ready(listing(self.course.folder("submitted"))) or collected:
            self.arrived_at = time.monotonic()
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
    def _collect(self) -> bool:
        """Collect from the room and the hand-in folder; whether anything was placed."""
        placed = False
        if self.room:
            from cxkit.room.exchange import collect_from_room, room_folder

            now = listing(room_folder(self.course) / "views", _submitted_in_room)
            if now != self.exchange:
                self.exchange = now
                placed |= self._placed(collect_from_room(self.course, self.workshop))
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
        """Grade every new or changed submission; feedback for each as it is recorded."""
        began = time.perf_counter()
        outcomes = load_outcomes(self.course, self.workshop)
        work = plan(self.course, self.workshop, outcomes, force=False)
        for outcome in work.refused:
            outcomes[outcome.participant] = outcome
            save_outcome(self.course, self.workshop, outcome)
            self._feed_back(outcome)
        if not work.todo:
            return
        self.say(f"grading {', '.join(work.todo)}")
        register_participants(self.course, list(work.todo))
        run = self._grading_run(began)
        run.todo.clear()
        run.todo.update(work.todo)
        run.outcomes.clear()
        run.outcomes.update(outcomes)
        executors = runner(self.course, self.workshop, self.settings, self.scheduler)

        def record(pid: str, result: Result) -> None:
            run.finish(pid, result)
            self.pending.discard(pid)
            self._feed_back(run.outcomes[pid])
            self._report()

        self.pending = set(work.todo)
        try:
            with lighter_bookkeeping():
                executors.run(list(work.todo), run.prepare, record)
        finally:
            self.pending.clear()
        self._catch_up()  # a submission nbgrader could not sanitize is recorded, not finished

    def _grading_run(self, began: float) -> GradingRun:
        """The grading step's preparing and recording, set up once (policies, nbgrader's API)."""
        if self.grading is None:
            spent = {"sanitize": 0.0, "record": 0.0}
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

        done = return_feedback(self.course, self.workshop)
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
        with no new hand-in for ``QUIET`` seconds, or the report lags ``report_every``."""
        failed = self.renderer.finished()
        if failed == "":
            self.reported_at = self.renderer.started
            count = len(self.renderer.shows)
            self.say(f"report updated ({count} graded): {self._report_path()}")
        elif failed:
            self.said_failed = self.renderer.shows  # tried again once more is graded
            self.say(f"the report could not be rendered: {failed}")
        if self.renderer.busy:
            return
        graded = self._graded()
        if graded in (self.journal.reported(), self.said_failed):
            return
        now = time.monotonic()
        quiet = not self.pending and now - self.arrived_at >= QUIET
        if quiet or now - self.reported_at >= self.report_every:
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


def _lower_priority() -> None:
    """In the render's process, before it starts: let grading have the processor first."""
    os.nice(NICE)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
