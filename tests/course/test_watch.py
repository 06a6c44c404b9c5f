"""The watch: ``cxkit grade WORKSHOP --watch`` grades hand-ins as they arrive, run for real.

Each test starts the watch as its own process (as a facilitator does, in a
terminal), drops hand-ins where they arrive, and reads what it says and writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import minicourse as mc
import nbformat
import pytest

from cxkit.cli import build_parser, main
from cxkit.course.directory import Course
from cxkit.course.grade import load_outcomes
from cxkit.course.roster import import_roster
from cxkit.course.watch import JOURNAL, Settled, listing

pytestmark = pytest.mark.slow

ROSTER = (
    "id,name,email,department\n"
    "ana,Ana Adams,ana@example.com,accounting\n"
    "ben,Ben Bakker,ben@example.com,logistics\n"
    "chen,Chen Costa,chen@example.com,it\n"
)
ANSWERS = {"ana": "answer = 41", "ben": "answer = 42", "chen": "answer = None"}
WAIT = 240  # seconds: a loaded 2-core machine grades slowly, and nothing here is timed


def _zip(inbox: Path, pid: str, answer: str, stamp: str) -> Path:
    """A hand-in as ``cxkit submit`` writes it: written aside, then renamed into the folder."""
    notebook = nbformat.writes(mc.submission({"answer": answer}))
    target = inbox / f"mini_{pid}_{stamp}.zip"
    partial = inbox.parent / f"{target.name}.part"
    with zipfile.ZipFile(partial, "w") as archive:
        archive.writestr(f"mini_{pid}_attempt_{stamp}_mini.ipynb", notebook)
    partial.replace(target)
    return target


class Watching:
    """``cxkit grade mini --watch`` running as a process; its lines read as they come."""

    def __init__(self, course: Course, *extra: str) -> None:
        command = [sys.executable, "-m", "cxkit", "grade", "mini", "--watch"]
        command += ["--course-dir", str(course.root), "--workers", "2", "--budget", "60", *extra]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own group: what it started can be found and ended
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str) -> str:
        """The next line matching ``pattern``; fails with everything said when none comes."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.said.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"the watch never said {pattern!r}; it said:\n" + "\n".join(self.said))

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` to the watch alone, wait for it, then end anything it left behind."""
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=60)
        finally:
            time.sleep(0.5)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # what a kill -9 left behind


@pytest.fixture
def course(tmp_path: Path) -> Course:
    root = mc.make_course(tmp_path / "course")
    (tmp_path / "roster.csv").write_text(ROSTER)
    course = Course(root)
    import_roster(course, tmp_path / "roster.csv")
    (tmp_path / "inbox").mkdir()
    return course


def _inbox(course: Course) -> Path:
    return course.root.parent / "inbox"


def _page(course: Course, pid: str) -> str:
    return (course.folder("feedback") / pid / "mini" / "mini.html").read_text(encoding="utf-8")


def _report(course: Course) -> str:
    path = course.root / "reports" / "mini" / "facilitator_report.html"
    return path.read_text(encoding="utf-8")


def test_a_hand_in_dropped_in_is_graded_and_a_new_one_graded_again(course):
    """Does the watch grade a zip dropped into its hand-in folder while it runs, write the
    feedback and the report, and grade the same participant again when they hand in again?"""
    watching = Watching(course, "--hand-ins", str(_inbox(course)))
    try:
        watching.expect(r"^Watching .*inbox.* waiting for 3 more of 3")
        _zip(_inbox(course), "ana", "answer = 41", "2026-11-20-09-00-00")
        line = watching.expect(r"graded ana")
        assert line.startswith("graded ana (2 / 4), feedback written; waiting for 2 more of 3")
        assert "Not yet: 0 / 1 points." in _page(course, "ana")  # exercise 2: 41 is wrong
        watching.expect(r"^report updated \(1 graded\)")
        assert "<strong>1</strong> handed in" in _report(course)
        assert "Handed nothing in: Ben Bakker, Chen Costa." in _report(course)

        _zip(_inbox(course), "ana", "answer = 42", "2026-11-20-09-30-00")
        assert watching.expect(r"graded ana").startswith("graded ana (3 / 4), feedback written")
        assert "Not yet" not in _page(course, "ana")
        assert "Passed: 1 / 1 points." in _page(course, "ana")
        watching.expect(r"^report updated \(1 graded\)")
    finally:
        assert watching.stop() == 0
    watching.expect(r"^Stopped watching mini: waiting for 2 more of 3")
    outcome = load_outcomes(course, "mini")["ana"]
    assert outcome.score == 3
    stamp = (course.folder("submitted") / "ana" / "mini" / "timestamp.txt").read_text()
    assert stamp.startswith("2026-11-20 09:30:00")
    journal = json.loads((course.state / JOURNAL).read_text())["mini"]
    assert journal["feedback"]["ana"]["checksum"] == outcome.checksum
    assert journal["report"] == {"ana": outcome.checksum}


def test_a_kill_loses_nothing_and_grades_nothing_twice_and_matches_a_batch_run(course, tmp_path):
    """After kill -9 mid-cohort and a restart, is everyone graded once, with feedback and
    report, and are the pages those of `cxkit grade`, `feedback` and `report` run once?"""
    for n, (pid, answer) in enumerate(ANSWERS.items()):
        _zip(_inbox(course), pid, answer, f"2026-11-20-09-0{n}-00")
    first = Watching(course, "--hand-ins", str(_inbox(course)), "--workers", "1")
    first.expect(r"^graded ana")
    first.stop(signal.SIGKILL)
    before = {pid: o.graded_at for pid, o in load_outcomes(course, "mini").items()}
    assert "ana" in before and len(before) < 3  # killed part way through the cohort

    second = Watching(course, "--hand-ins", str(_inbox(course)))
    try:
        second.expect(r"^report updated \(3 graded\)")
    finally:
        second.stop()
    after = load_outcomes(course, "mini")
    assert {pid: after[pid].graded_at for pid in before} == before  # not graded again
    graded_again = [line.split()[1] for line in second.said if line.startswith("graded ")]
    assert sorted(graded_again) == sorted(set(ANSWERS) - set(before))
    assert {pid: o.score for pid, o in after.items()} == {"ana": 2, "ben": 3, "chen": 2}

    batch = _batch_run(course, tmp_path / "batch")
    for pid in ANSWERS:
        assert _page(course, pid) == _page(batch, pid)
    assert _unnumbered(_report(course)) == _unnumbered(_report(batch))
    for name in ("participants.csv", "exercises.csv"):
        ours = course.root / "reports" / "mini" / "data" / name
        assert ours.read_text() == (batch.root / "reports" / "mini" / "data" / name).read_text()


def _unnumbered(page: str) -> str:
    """A report without the ids drawn afresh on every render.

    papermill gives its parameters cell a new id, and pandas a new one to each styled table.
    """
    page = re.sub(r'id="cell-id=[0-9a-f-]+"', 'id="cell-id"', page)
    return re.sub(r"\bT_[0-9a-f]{5}(?=[_\"\s])", "T_", page)


def _batch_run(course: Course, root: Path) -> Course:
    """The same course and hand-ins, through `cxkit collect`, `grade`, `feedback`, `report`."""
    mc.make_course(root)
    shutil.copy(course.root.parent / "roster.csv", root / "roster.csv")
    where = ["--course-dir", str(root)]
    assert main(["roster", "import", str(root / "roster.csv"), *where]) == 0
    assert main(["collect", str(_inbox(course)), "--workshop", "mini", *where]) == 0
    assert main(["grade", "mini", "--quiet", "--workers", "2", *where]) == 0
    assert main(["feedback", "mini", *where]) == 0
    assert main(["report", "mini", *where]) == 0
    return Course(root)


def test_the_room_hand_in_is_collected_graded_and_returned(course):
    """In a room, is a submission nbgrader's submit wrote collected when complete, graded,
    and its feedback page returned through the room for Fetch Feedback?"""
    from cxkit.room.exchange import participant_mounts, room_folder

    room = room_folder(course)
    participant_mounts(room, course.course_id, "ben")
    watching = Watching(course)
    try:
        watching.expect(r"^Watching the workshop room, submitted/")
        inbound = room / "views" / "ben" / course.course_id / "inbound"
        entry = inbound / "ben+mini+2026-11-20 09:15:00.000000 UTC+abc123"
        entry.mkdir()
        nbformat.write(mc.submission(), entry / "mini.ipynb")
        time.sleep(2)  # a submission still being written is not collected
        assert not (course.folder("submitted") / "ben").exists()
        (entry / "timestamp.txt").write_text("2026-11-20 09:15:00.000000 UTC")
        (entry / "submission_secret.txt").write_text("s3cret")
        line = watching.expect(r"graded ben")
        assert line.startswith("graded ben (3 / 4), feedback written and returned through the room")
    finally:
        watching.stop()
    returned = list((room / "returned" / "ben" / course.course_id / "feedback").glob("*.html"))
    assert len(returned) == 1
    assert returned[0].read_text(encoding="utf-8") == _page(course, "ben")


def test_a_listing_counts_as_settled_once_it_stops_changing(tmp_path):
    """Is a folder acted on only when two looks in a row find the same files, and only once?"""
    settled = Settled()
    (tmp_path / "a.zip").write_bytes(b"1")
    assert not settled.ready(listing(tmp_path))  # first seen: may still be written
    assert settled.ready(listing(tmp_path))
    assert not settled.ready(listing(tmp_path))  # acted on already
    (tmp_path / "a.zip").write_bytes(b"12")
    assert not settled.ready(listing(tmp_path))
    assert settled.ready(listing(tmp_path))


def test_watch_options_are_refused_where_they_make_no_sense(course, capsys):
    """Are --force with --watch, and --hand-ins without it, refused with what to run instead?"""
    where = ["--course-dir", str(course.root)]
    assert main(["grade", "mini", "--watch", "--force", *where]) == 2
    assert "`cxkit grade mini --force` first" in capsys.readouterr().err
    assert main(["grade", "mini", "--hand-ins", "inbox", *where]) == 2
    assert "--hand-ins is for --watch" in capsys.readouterr().err
    assert main(["grade", "mini", "--watch", "--hand-ins", "nowhere", *where]) == 2
    assert "The hand-in folder nowhere does not exist" in capsys.readouterr().err
    args = build_parser().parse_args(["grade", "mini", "--watch", "--hand-ins", "x"])
    assert args.watch and args.hand_ins == Path("x")


class _Renderer:
    """A stand-in for the report's render: records what it was asked to show, and stops."""

    busy = False

    def __init__(self) -> None:
        self.asked: list[dict[str, str]] = []
        self.shows: dict[str, str] = {}
        self.started = 0.0
        self.outcome: str | None = None
        self.stopped = 0

    def start(self, shows: dict[str, str]) -> None:
        self.asked.append(shows)
        self.shows = shows

    def finished(self) -> str | None:
        outcome, self.outcome = self.outcome, None
        return outcome

    def stop(self) -> None:
        self.stopped += 1
        self.busy = False


def test_a_failed_render_is_said_once_and_tried_again_when_more_is_graded(course):
    """When the report cannot be rendered, does the watch say why once, and render again
    only when something new is graded (not on every look)?"""
    from cxkit.course.grade import save_outcome
    from cxkit.course.watch import Watch
    from cxkit.grading.outcomes import Outcome, State
    from cxkit.grading.settings import Grading

    mc.hand_in(course.root, "ana", mc.submission())
    save_outcome(course, "mini", Outcome("ana", State.GRADED, checksum="first"))
    said: list[str] = []
    watching = Watch(course, "mini", Grading(), say=said.append)
    renderer = watching.renderer = _Renderer()  # type: ignore[assignment]
    watching._report()
    assert renderer.asked == [{"ana": "first"}]
    renderer.outcome = "NameError: name 'scores' is not defined"
    watching._report()
    watching._report()
    assert said == ["the report could not be rendered: NameError: name 'scores' is not defined"]
    assert len(renderer.asked) == 1
    save_outcome(course, "mini", Outcome("ana", State.GRADED, checksum="second"))
    watching._report()
    assert renderer.asked[-1] == {"ana": "second"}


def test_a_render_left_behind_is_stopped_once_everything_is_graded(course):
    """When everything handed in is graded and a render under way leaves some of it out, is
    that render stopped and a full one started, but not while grading goes on, nor when
    the report on disk is already too old to wait longer?"""
    from cxkit.course.grade import save_outcome
    from cxkit.course.watch import Watch
    from cxkit.grading.outcomes import Outcome, State
    from cxkit.grading.settings import Grading

    mc.hand_in(course.root, "ana", mc.submission())
    save_outcome(course, "mini", Outcome("ana", State.GRADED, checksum="first"))
    watching = Watch(course, "mini", Grading(), say=[].append)
    renderer = watching.renderer = _Renderer()  # type: ignore[assignment]
    renderer.busy, renderer.shows = True, {}  # started before ana was graded
    watching.reported_at = time.monotonic()  # the report on disk is a few seconds old
    watching.pending = {"ben"}
    watching._report()
    assert (renderer.stopped, renderer.asked) == (0, [])  # ben is being graded: it goes on
    watching.pending = set()
    watching._report()
    assert (renderer.stopped, renderer.asked) == (1, [{"ana": "first"}])

    renderer.busy, renderer.shows = True, {}
    watching.reported_at = time.monotonic() - watching.report_every  # lags: let it finish
    watching._report()
    assert (renderer.stopped, len(renderer.asked)) == (1, 1)


def test_a_hand_in_again_while_graded_is_graded_from_its_new_copy(course):
    """Is a participant who hands in again while queued graded from the new copy, and one
    who hands in again while running has the old copy's result dropped and is graded again?"""
    from cxkit.course.grade import ensure_released
    from cxkit.course.watch import Watch
    from cxkit.grading.settings import Grading

    ensure_released(course, "mini")
    mc.hand_in(course.root, "ana", mc.submission({"answer": "answer = 41"}))
    mc.hand_in(course.root, "ben", mc.submission({"answer": "answer = 41"}))
    watching = Watch(course, "mini", Grading(), say=[].append)
    watching.renderer = _Renderer()  # type: ignore[assignment]
    assert watching._plan() == ["ana", "ben"]
    assert watching._plan() == []  # queued already, unchanged
    queued = watching._grading_run().todo["ben"].checksum
    assert watching._prepare("ana") is not None  # ana's job is built: she is running

    mc.hand_in(course.root, "ana", mc.submission())
    mc.hand_in(course.root, "ben", mc.submission())
    assert watching._plan() == []
    assert watching.stale == {"ana"}
    assert watching._grading_run().todo["ben"].checksum != queued  # graded from the new copy
    watching._record("ana", {"success": False, "error": "the old copy's result"})
    assert "ana" not in load_outcomes(course, "mini")  # dropped, not recorded
    assert watching._plan() == ["ana"]  # and graded again


def _room_hand_in(course: Course, pid: str, stamp: str) -> None:
    """A submission as nbgrader's submit writes it into a participant's inbound in the room."""
    from cxkit.room.exchange import room_folder

    inbound = room_folder(course) / "views" / pid / course.course_id / "inbound"
    entry = inbound / f"{pid}+mini+{stamp}+abc123"
    entry.mkdir()
    nbformat.write(mc.submission(), entry / "mini.ipynb")
    (entry / "timestamp.txt").write_text(stamp)
    (entry / "submission_secret.txt").write_text(f"secret of {pid}")


def test_the_room_is_walked_only_where_something_changed(course, monkeypatch):
    """With three participants in the room, is each look's collect limited to the ones
    whose inbound changed (none when nothing did), and feedback returned to its owner only?"""
    import cxkit.room.exchange as exchange
    from cxkit.course.watch import Watch
    from cxkit.grading.settings import Grading

    asked: list[tuple[str, list[str] | None]] = []
    real_collect, real_return = exchange.collect_from_room, exchange.return_feedback

    def collect_from_room(course, workshop, participants=None):
        asked.append(("collect", participants))
        return real_collect(course, workshop, participants)

    def return_feedback(course, workshop, participants=None):
        asked.append(("return", participants))
        return real_return(course, workshop, participants)

    monkeypatch.setattr(exchange, "collect_from_room", collect_from_room)
    monkeypatch.setattr(exchange, "return_feedback", return_feedback)
    room = exchange.room_folder(course)
    for pid in ("ana", "ben", "chen"):
        exchange.participant_mounts(room, course.course_id, pid)
    watching = Watch(course, "mini", Grading(), say=[].append)
    _room_hand_in(course, "ben", "2026-11-20 09:15:00.000000 UTC")
    assert watching._collect()
    _room_hand_in(course, "ana", "2026-11-20 09:20:00.000000 UTC")
    assert watching._collect()
    assert not watching._collect()  # nothing changed: the room is not walked
    assert asked == [("collect", ["ben"]), ("collect", ["ana"])]
    assert sorted(p.name for p in course.folder("submitted").iterdir()) == ["ana", "ben"]

    for pid in ("ana", "ben"):
        page = course.folder("feedback") / pid / "mini" / "mini.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>feedback for {pid}</p>")
    assert watching._return_feedback("ana") == " and returned through the room"
    assert asked[-1] == ("return", ["ana"])
    returned = {
        pid: len(list((room / "returned" / pid / course.course_id / "feedback").glob("*.html")))
        for pid in ("ana", "ben")
    }
    assert returned == {"ana": 1, "ben": 0}
