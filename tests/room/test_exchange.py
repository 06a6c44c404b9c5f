"""The room's exchange, without a hub: does each participant see only their own part of it?

The participant's side is played by nbgrader's own participant classes
(``ExchangeFetchAssignment``, ``ExchangeSubmit``, ``ExchangeFetchFeedback``,
``ExchangeList``), each run in a bubblewrap sandbox built from
``participant_mounts`` exactly as a participant's server sees the exchange: the
same bind mounts in the same order, read-only where they are read-only, with
the course folder covered by an empty tmpfs and the participant's home mounted
back as their home. Real mounts rather than symlinks, so the kernel enforces
what the participant cannot reach or write, as it does in the room. The
nbgrader configuration is ``participant_config``, read as nbgrader's lab
extension reads it (``nbgrader_config.py`` in the server's folder).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import minicourse as mc
import nbformat
import notebooks as nbs
import pytest

from cxkit.cli import main
from cxkit.course.directory import Course
from cxkit.course.quickstart import quickstart
from cxkit.course.roster import import_roster
from cxkit.room.exchange import (
    INSIDE_ROOT,
    collect_from_room,
    participant_config,
    participant_mounts,
    progress,
    return_feedback,
    room_folder,
)

WORKSHOP = "00-foundations"
NOTEBOOK = "foundations"
HOME = "/home/participant"
ROSTER = (
    "id,name,email,department\n"
    "ana,Ana Adams,ana@example.com,accounting\n"
    "ben,Ben Bakker,ben@example.com,logistics\n"
    "chen,Chen Costa,chen@example.com,it\n"
)

# The participant's side: what nbgrader's lab extension does for each button.
PARTICIPANT = """
import json, os, sys
from nbgrader.apps import NbGrader
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import (
    ExchangeFetchAssignment, ExchangeFetchFeedback, ExchangeList, ExchangeSubmit,
)

app = NbGrader()
app.config_file_paths.append(os.getcwd())
app.load_config_file()
config = app.config
workshop, steps = sys.argv[1], sys.argv[2:]
config.CourseDirectory.assignment_id = workshop
config.ExchangeList.cached = True
for step in steps:  # one after the other, as one lab server does
    kind = {
        "fetch": ExchangeFetchAssignment,
        "submit": ExchangeSubmit,
        "fetch_feedback": ExchangeFetchFeedback,
        "list": ExchangeList,
    }[step]
    exchange = kind(
        coursedir=CourseDirectory(config=config),
        authenticator=Authenticator(config=config),
        config=config,
    )
    if step == "list":
        print(json.dumps(exchange.start(), default=str))
    else:
        exchange.start()
"""

# What code in a participant's sandbox can reach: every answer should be "no".
PROBE = """
import json, os, sys
inside, course_id, others = sys.argv[1], sys.argv[2], sys.argv[3:]
found = {"exchange": sorted(os.listdir(inside))}
for path in others:
    found[path] = os.path.exists(path)
for part in ("outbound", "feedback"):
    try:
        open(os.path.join(inside, course_id, part, "mine.txt"), "w").close()
        found["write " + part] = True
    except OSError as err:
        found["write " + part] = err.strerror
print(json.dumps(found))
"""


def _sandbox(course: Course, pid: str, args: list[str]) -> str:
    """Run ``python args`` as participant ``pid`` in a sandbox like their server's; its stdout."""
    room = room_folder(course)
    home = room / "homes" / pid
    home.mkdir(parents=True, exist_ok=True)
    (home / "nbgrader_config.py").write_text(participant_config(course.course_id, pid))
    command = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    command += ["--unshare-pid", "--die-with-parent"]
    command += ["--tmpfs", str(course.root), "--tmpfs", "/srv", "--tmpfs", "/home"]
    command += ["--bind", str(home), HOME]
    for host, inside, writable in participant_mounts(room, course.course_id, pid):
        command += ["--bind" if writable else "--ro-bind", str(host), inside]
    command += ["--chdir", HOME, sys.executable, *args]
    env = {"PATH": os.environ["PATH"], "HOME": HOME, "LANG": "C.UTF-8"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, f"{pid}: {' '.join(args[:3])}\n{done.stderr}"
    return done.stdout


def act(course: Course, pid: str, *steps: str) -> str:
    """Press Assignments tab buttons as ``pid``, in turn: fetch, submit, fetch_feedback, list."""
    return _sandbox(course, pid, ["-c", PARTICIPANT, WORKSHOP, *steps])


def fetched(course: Course, pid: str) -> Path:
    """The participant's fetched copy of the notebook, in their home."""
    return room_folder(course) / "homes" / pid / WORKSHOP / f"{NOTEBOOK}.ipynb"


def solved(release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The released notebook with every answer cell holding the model answer."""
    source = nbs.read_source(WORKSHOP)[NOTEBOOK]
    answers = {
        nbs.meta(c)["grade_id"]: c.source
        for i, c in enumerate(source.cells)
        if nbs.kind(source, i) == "answer"
    }
    copy = nbformat.from_dict(release)
    for cell in copy.cells:
        gid = nbs.meta(cell).get("grade_id")
        if gid in answers:
            lines = answers[gid].splitlines()
            cell.source = "\n".join(line for line in lines if "### " not in line)
    return copy


def _answer(course: Course, pid: str, notebook: nbformat.NotebookNode) -> None:
    nbformat.write(notebook, fetched(course, pid))


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A whole workshop cycle through the room's exchange, the facilitator's commands and all.

    ana fetches, submits the blank release, then all the right answers; the due
    date passes; ben fetches and submits with one typical mistake, late. The
    facilitator collects twice, grades, writes and returns feedback; both fetch it.
    """
    if shutil.which("bwrap") is None:
        pytest.fail(
            "bubblewrap is missing: apt-get install bubblewrap (.ci/run does it); the room "
            "sandboxes every participant with it"
        )
    tmp = tmp_path_factory.mktemp("room")
    root = tmp / "course"
    quickstart(root, ["00"])
    (tmp / "roster.csv").write_text(ROSTER)
    course = Course(root)
    import_roster(course, tmp / "roster.csv")
    room_folder(course).mkdir()
    out: dict[str, Any] = {"course": course, "printed": {}}

    def run(name: str, *args: str) -> None:
        from contextlib import redirect_stdout
        from io import StringIO

        with redirect_stdout(StringIO()) as printed:
            assert main([*args, "--course-dir", str(root)]) == 0
        out["printed"][name] = printed.getvalue()

    run("release", "release", "00")
    for pid in ("ana", "ben"):
        act(course, pid, "fetch")
    release = nbs.read(fetched(course, "ana"))
    act(course, "ana", "submit")  # the blank release, by mistake
    _answer(course, "ana", solved(release))
    saving = fetched(course, "ana").with_name(f".~{NOTEBOOK}.ipynb")  # JupyterLab mid-save
    saving.write_text("{")
    act(course, "ana", "submit")
    time.sleep(0.05)
    due = datetime.now(UTC).replace(tzinfo=None)
    with course.gradebook() as gradebook:  # what `cxkit release 00 --due ...` records
        gradebook.update_or_create_assignment(WORKSHOP, duedate=due)
    time.sleep(0.05)
    source = nbs.read_source(WORKSHOP)[NOTEBOOK]
    out["mistake"] = "nps_by_hand"
    wrong = nbs.with_answer(solved(release), "nps_by_hand", nbs.mistakes(source)["nps_by_hand"])
    _answer(course, "ben", wrong)
    act(course, "ben", "submit")
    run("collect", "collect", "00")
    run("collect again", "collect", "--room")
    run("grade", "grade", "00", "--quiet")
    run("feedback", "feedback", "00")
    for pid in ("ana", "ben"):  # then the list, which the tab shows after fetching
        out[f"list {pid}"] = json.loads(act(course, pid, "fetch_feedback", "list"))
    out["points"] = nbs.points(source)
    return out


def _page(course: Course, pid: str) -> str:
    folder = room_folder(course) / "homes" / pid / WORKSHOP / "feedback"
    pages = sorted(folder.glob(f"*/{NOTEBOOK}.html"))
    assert len(pages) == 1, f"{pid} fetched {pages}"
    return pages[0].read_text(encoding="utf-8")


@pytest.mark.slow
def test_does_release_put_the_workshop_in_the_room(cycle: dict[str, Any]) -> None:
    course = cycle["course"]
    outbound = room_folder(course) / "exchange" / course.course_id / "outbound" / WORKSHOP
    assert (outbound / f"{NOTEBOOK}.ipynb").read_bytes() == (
        course.folder("release") / WORKSHOP / f"{NOTEBOOK}.ipynb"
    ).read_bytes()
    assert "In the workshop room: 00-foundations." in cycle["printed"]["release"]
    assert nbs.read(fetched(course, "ben")).cells  # fetched into the participant's home


@pytest.mark.slow
def test_does_each_participant_get_their_own_feedback_with_their_score(
    cycle: dict[str, Any],
) -> None:
    course, points = cycle["course"], cycle["points"]
    total = sum(points.values())
    lost = points[nbs.exercises(nbs.read_source(WORKSHOP)[NOTEBOOK])[cycle["mistake"]]]
    with course.gradebook() as gradebook:
        scores = {p: gradebook.find_submission(WORKSHOP, p).code_score for p in ("ana", "ben")}
    assert scores == {"ana": total, "ben": total - lost}
    ana, ben = _page(course, "ana"), _page(course, "ben")
    assert "feedback for ana" in ana and "feedback for ben" not in ana
    assert f"Autograded: {total:g} / " in ana
    assert "feedback for ben" in ben and "feedback for ana" not in ben
    assert f"Autograded: {total - lost:g} / " in ben
    assert "Returned 2 page(s) through the workshop room" in cycle["printed"]["feedback"]
    for pid in ("ana", "ben"):
        (listed,) = cycle[f"list {pid}"]
        assert listed["student_id"] == pid
        assert listed["submissions"][-1]["has_local_feedback"]


@pytest.mark.slow
def test_is_a_late_submission_recorded_late_and_kept(cycle: dict[str, Any]) -> None:
    course = cycle["course"]
    with course.gradebook() as gradebook:
        late = {
            pid: gradebook.find_submission(WORKSHOP, pid).total_seconds_late
            for pid in ("ana", "ben")
        }
        ben_score = gradebook.find_submission(WORKSHOP, "ben").score
    assert late["ana"] == 0
    assert 0 < late["ben"] < 60
    assert ben_score > 0  # graded, not lost
    assert "hours after the deadline" in _page(course, "ben")
    assert "after the deadline" not in _page(course, "ana")


@pytest.mark.slow
def test_does_the_newest_submission_win(cycle: dict[str, Any]) -> None:
    course = cycle["course"]
    inbound = room_folder(course) / "views" / "ana" / course.course_id / "inbound"
    assert len(list(inbound.glob(f"ana+{WORKSHOP}+*"))) == 2  # both kept in the room
    submitted = course.folder("submitted") / "ana" / WORKSHOP
    assert nbs.read(submitted / f"{NOTEBOOK}.ipynb") == nbs.read(fetched(course, "ana"))
    newest = max(inbound.glob(f"ana+{WORKSHOP}+*"), key=lambda p: p.name.rsplit("+", 3)[2])
    assert (submitted / "timestamp.txt").read_text() == (newest / "timestamp.txt").read_text()
    assert sorted(p.name for p in newest.iterdir()) == [  # no half-saved copy handed in
        f"{NOTEBOOK}.ipynb",
        "submission_secret.txt",
        "timestamp.txt",
    ]


@pytest.mark.slow
def test_does_collecting_twice_lose_or_change_nothing(cycle: dict[str, Any]) -> None:
    printed = cycle["printed"]
    assert "Placed 2 notebook(s) (0 already collected and unchanged)." in printed["collect"]
    assert "Placed 0 notebook(s) (2 already collected and unchanged)." in printed["collect again"]


@pytest.mark.slow
def test_does_progress_say_who_fetched_submitted_and_got_feedback(cycle: dict[str, Any]) -> None:
    table = progress(cycle["course"]).set_index("participant")
    assert list(table.index) == ["ana", "ben", "chen"]
    assert list(table["fetched"]) == [True, True, False]
    assert list(table["submissions"]) == [2, 1, 0]
    assert list(table["late"]) == [False, True, False]
    assert table["feedback"].notna().tolist() == [True, True, False]
    assert table.loc["ana", "submitted"] < table.loc["ben", "submitted"]


@pytest.mark.slow
def test_can_a_participant_reach_only_their_own_part(cycle: dict[str, Any]) -> None:
    course = cycle["course"]
    room = room_folder(course)
    others = [
        str(room / "views" / "ben"),
        str(room / "homes" / "ben"),
        str(course.folder("source")),
        str(course.root / "gradebook.db"),
        f"{INSIDE_ROOT}/{course.course_id}/inbound/{next(_ben_inbound(course)).name}",
    ]
    found = json.loads(
        _sandbox(course, "ana", ["-c", PROBE, INSIDE_ROOT, course.course_id, *others])
    )
    assert found.pop("exchange") == [course.course_id]
    assert found.pop("write outbound") == "Read-only file system"
    assert found.pop("write feedback") == "Read-only file system"
    assert found == dict.fromkeys(others, False)
    listing = _sandbox(
        course,
        "ana",
        ["-c", f"import os; print(os.listdir('{INSIDE_ROOT}/{course.course_id}/inbound'))"],
    )
    assert "ben" not in listing and "ana+" in listing


def _ben_inbound(course: Course) -> Any:
    return (room_folder(course) / "views" / "ben" / course.course_id / "inbound").iterdir()


# --- the facilitator's side alone, on the small course ----------------------------------


@pytest.fixture
def mini(tmp_path: Path) -> Course:
    """The mini course with ana and ben on the roster, and a room folder."""
    root = mc.make_course(tmp_path / "course")
    (tmp_path / "roster.csv").write_text(ROSTER)
    course = Course(root)
    import_roster(course, tmp_path / "roster.csv")
    room_folder(course).mkdir()
    return course


def _hand_in(course: Course, pid: str, named: str, stamp: str) -> Path:
    """A submission folder as nbgrader's submit writes it, in ``pid``'s inbound."""
    mounts = participant_mounts(room_folder(course), course.course_id, pid)
    inbound = next(host for host, inside, _ in mounts if inside.endswith("/inbound"))
    folder = inbound / f"{named}+mini+{stamp}+r4nd0m"
    folder.mkdir()
    nbformat.write(mc.submission(), folder / "mini.ipynb")
    (folder / "timestamp.txt").write_text(stamp)
    (folder / "submission_secret.txt").write_text("s3cret")
    return folder


def test_is_a_submission_named_for_someone_else_refused(mini: Course) -> None:
    _hand_in(mini, "ana", "ben", "2026-12-01 10:00:00.000000 UTC")
    result = collect_from_room(mini, "mini")
    assert result.placed == []
    assert result.unplaced == [
        (
            "room: ana/ben+mini+2026-12-01 10:00:00.000000 UTC+r4nd0m",
            "named for 'ben' but handed in by ana",
        )
    ]
    assert not (mini.folder("submitted") / "ben").exists()


def test_is_a_submission_holding_a_link_refused_and_kept(mini: Course) -> None:
    folder = _hand_in(mini, "ana", "ana", "2026-12-01 10:00:00.000000 UTC")
    (folder / "mini.ipynb").unlink()
    (folder / "mini.ipynb").symlink_to(mini.folder("source") / "mini" / "mini.ipynb")
    result = collect_from_room(mini, "mini")
    assert result.placed == []
    ((label, why),) = result.unplaced
    assert why.startswith("not collected: mini.ipynb is a link or special file")
    assert not (mini.folder("submitted") / "ana").exists()
    assert (folder / "mini.ipynb").is_symlink()  # left where it was, for the facilitator


def test_does_a_later_resubmission_replace_the_collected_one(mini: Course) -> None:
    _hand_in(mini, "ana", "ana", "2026-12-01 10:00:00.000000 UTC")
    first = collect_from_room(mini, "mini")
    assert [p[:2] for p in first.placed] == [("ana", "mini")]
    newer = _hand_in(mini, "ana", "ana", "2026-12-01 11:00:00.000000 UTC")
    nbformat.write(mc.submission({"answer": "answer = 41"}), newer / "mini.ipynb")
    second = collect_from_room(mini, "mini")
    assert [p[:2] for p in second.placed] == [("ana", "mini")]
    submitted = mini.folder("submitted") / "ana" / "mini"
    assert "answer = 41" in (submitted / "mini.ipynb").read_text()
    assert (submitted / "timestamp.txt").read_text() == "2026-12-01 11:00:00.000000 UTC"
    assert len(list(newer.parent.iterdir())) == 2


def test_does_collect_without_a_room_or_a_path_say_what_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = mc.make_course(tmp_path / "course")
    assert main(["collect", "--course-dir", str(root)]) == 2
    assert "has no workshop room: give the folder, zip file or notebook" in capsys.readouterr().err
    assert main(["collect", "mini", "--course-dir", str(root)]) == 2
    assert "has no workshop room" in capsys.readouterr().err


def test_does_a_course_without_a_room_release_and_give_feedback_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = mc.make_course(tmp_path / "course")
    assert main(["feedback", "mini", "--course-dir", str(root)]) == 0
    assert capsys.readouterr().out == f"Wrote 0 feedback page(s) in {root / 'feedback'}.\n"
    assert not room_folder(Course(root)).exists()


def test_are_pages_returned_by_the_submission_secret_and_file_hand_ins_listed(
    mini: Course,
) -> None:
    from nbgrader.utils import notebook_hash

    _hand_in(mini, "ana", "ana", "2026-12-01 10:00:00.000000 UTC")
    collect_from_room(mini, "mini")
    for pid in ("ana", "ben"):  # ben handed in a zip: his submission has no secret
        page = mini.folder("feedback") / pid / "mini" / "mini.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>feedback for {pid}</p>")
    result = return_feedback(mini, "mini")
    name = notebook_hash(secret="s3cret", notebook_id="mini")
    own = room_folder(mini) / "returned" / "ana" / mini.course_id / "feedback"
    assert result.pages == [own / f"{name}.html"]
    assert (own / f"{name}.html").read_text() == "<p>feedback for ana</p>"
    assert result.kept == [
        ("ben", f"handed in as a file, not in the room: give them {mini.root}/feedback/ben/mini")
    ]
    assert not (room_folder(mini) / "returned" / "ben").exists()


def test_is_a_submission_over_the_size_limit_refused_and_kept(mini: Course) -> None:
    config = mini.root / "nbgrader_config.py"
    config.write_text(config.read_text() + "c.CourseDirectory.max_dir_size = 2\n")  # 2 kB
    folder = _hand_in(mini, "ana", "ana", "2026-12-01 10:00:00.000000 UTC")
    (folder / "big.csv").write_bytes(b"x" * 5000)
    result = collect_from_room(mini, "mini")
    assert result.placed == []
    ((label, why),) = result.unplaced
    assert re.match(r"not collected: \d+ kB, more than the 2 kB a submission may hold", why)
    assert (folder / "big.csv").is_file()
    assert not (mini.folder("submitted") / "ana").exists()


def test_is_a_submission_from_someone_off_the_roster_reported(mini: Course) -> None:
    _hand_in(mini, "zoe", "zoe", "2026-12-01 10:00:00.000000 UTC")
    _hand_in(mini, "ana", "ana", "2026-12-01 10:00:00.000000 UTC")
    result = collect_from_room(mini, "mini")
    assert [p[:2] for p in result.placed] == [("ana", "mini")]
    assert result.unplaced == [
        (
            "room: zoe/zoe+mini+2026-12-01 10:00:00.000000 UTC+r4nd0m",
            "participant 'zoe' is not on the roster (cxkit roster import)",
        )
    ]
    assert not (mini.folder("submitted") / "zoe").exists()
