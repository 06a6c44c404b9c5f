"""Grading: parallel, identical to nbgrader, failures recorded, safe to re-run."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import minicourse as mc
import nbformat
import pytest

from cxkit.course.directory import Course
from cxkit.course.feedback import write_feedback
from cxkit.course.grade import GRADING_FILE, grade, load_outcomes
from cxkit.course.report import export

pytestmark = pytest.mark.slow

SUBMISSIONS = {
    "good": {},
    "blank": {
        "double": "def double(x):\n    raise NotImplementedError()",
        "answer": "answer = None",
    },
    "wrong": {"answer": "answer = 41"},
    "hidden": {"double": "def double(x):\n    return 4"},  # passes the visible test only
    "crash": {"double": "import os\nos._exit(1)"},
    "noisy": {"answer": "import warnings\nwarnings.warn('noise')\nanswer = 42"},
    "tamper": {"answer_test": "assert True"},
    "reflect": {"reflection": "We check invoices twice before they go out."},
}
EXPECTED = {"good": 3, "blank": 0, "wrong": 2, "hidden": 1, "noisy": 3, "tamper": 3, "reflect": 3}


def _build(root: Path) -> Path:
    mc.make_course(root)
    for pid, changes in SUBMISSIONS.items():
        mc.hand_in(root, pid, mc.submission(changes))
    mc.hand_in(root, "broken", '{"cells": [')
    path = mc.hand_in(root, "deleted", mc.submission())
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [c for c in notebook.cells if c.metadata.nbgrader.grade_id != "answer_test"]
    nbformat.write(notebook, path)
    return root


def _scores(root: Path, workshop: str = "mini") -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return {
            s.student.id: s.score
            - sum(
                g.score or 0
                for n in s.notebooks
                for g in n.grades
                if g.cell.cell_type == "markdown"
            )
            for s in gradebook.assignment_submissions(workshop)
        }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The mini course, graded once by cxkit with two workers."""
    root = _build(tmp_path_factory.mktemp("course"))
    course = Course(root)
    outcomes = grade(course, "mini", workers=2, cell_timeout=10, budget=60, show_progress=False)
    return course, outcomes


def test_scores_identical_to_plain_nbgrader(graded, tmp_path):
    """Does cxkit grade give exactly the scores of plain `nbgrader autograde`?"""
    course, outcomes = graded
    plain = tmp_path / "plain"
    _build(plain)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), "generate_assignment", "mini"],
        cwd=plain,
        env=env,
        capture_output=True,
        check=True,
    )
    subprocess.run(
        [
            str(Path(sys.executable).parent / "nbgrader"),
            "autograde",
            "mini",
            "--Execute.timeout=10",
        ],
        cwd=plain,
        env=env,
        capture_output=True,
    )
    ours, theirs = _scores(course.root), _scores(plain)
    failed = {pid for pid, o in outcomes.items() if o.state == "failed"}
    assert failed == {"broken", "crash"}
    assert {p: s for p, s in ours.items() if p not in failed} == {
        p: s for p, s in theirs.items() if p not in failed
    }
    assert theirs["broken"] == 0.0  # plain nbgrader: a broken file looks like a real zero
    assert {pid: ours[pid] for pid in EXPECTED} == EXPECTED


def test_failures_are_recorded_with_reasons(graded):
    """Are a broken file, a dead kernel and a deleted test cell recorded, not scored 0?"""
    _, outcomes = graded
    assert outcomes["broken"].state == "failed"
    assert "not a valid notebook" in outcomes["broken"].reason
    assert outcomes["broken"].score is None
    assert outcomes["crash"].state == "failed"
    assert "kernel died" in outcomes["crash"].reason
    assert outcomes["deleted"].state == "needs attention"
    assert "answer_test deleted" in outcomes["deleted"].reason
    assert outcomes["tamper"].state == "needs attention"
    assert outcomes["tamper"].reason.startswith("tampering: locked cell(s) answer_test edited")
    assert outcomes["good"].state == "graded" and outcomes["good"].reason == ""
    assert outcomes["reflect"].reason == "reflections await manual grading"


def test_failed_never_exported_as_zero(graded, tmp_path):
    """Does the report export show failed participants as failed, with no score?"""
    course, _ = graded
    participants, _ = export(course, "mini", tmp_path)
    rows = {r["participant"]: r for r in __import__("csv").DictReader(participants.open())}
    assert rows["broken"]["state"] == "failed" and rows["broken"]["score"] == ""
    assert rows["crash"]["state"] == "failed" and rows["crash"]["score"] == ""
    assert float(rows["blank"]["score"]) == 0.0


def test_warnings_never_cost_points(graded):
    """Does a submission whose code warns still get full marks?"""
    _, outcomes = graded
    assert outcomes["noisy"].score == 3


def test_regrade_is_idempotent(graded):
    """Does running grade again skip unchanged submissions and keep every score?"""
    course, first = graded
    before = _scores(course.root)
    again = grade(course, "mini", workers=2, show_progress=False)
    assert {p: o.graded_at for p, o in again.items()} == {p: o.graded_at for p, o in first.items()}
    assert _scores(course.root) == before


def test_changed_submission_is_regraded(tmp_path):
    """Is a participant who hands in again graded again, with the new score?"""
    root = mc.make_course(tmp_path)
    mc.hand_in(root, "ana", mc.submission({"answer": "answer = 41"}))
    course = Course(root)
    assert grade(course, "mini", workers=1, show_progress=False)["ana"].score == 2
    mc.hand_in(root, "ana", mc.submission())
    assert grade(course, "mini", workers=1, show_progress=False)["ana"].score == 3


def test_infinite_loop_stopped_by_the_budget(tmp_path):
    """Is a submission that never finishes stopped and recorded, while the others are graded?"""
    root = mc.make_course(tmp_path)
    mc.hand_in(root, "loop", mc.submission({"double": "while True:\n    pass"}))
    mc.hand_in(root, "good", mc.submission())
    outcomes = grade(
        Course(root), "mini", workers=2, cell_timeout=600, budget=8, show_progress=False
    )
    assert outcomes["loop"].state == "failed"
    assert "longer than the 8 s budget" in outcomes["loop"].reason
    assert "ran out of time in the cell after 'Exercise 1'" in outcomes["loop"].reason
    assert outcomes["good"].score == 3
    import psutil  # the killed worker's sandboxed kernel died with it

    left = [p for p in psutil.process_iter(["cmdline"]) if str(root) in str(p.info["cmdline"])]
    assert left == []


def test_resume_after_kill(tmp_path):
    """After grade is killed midway, does the next run finish without losing or doubling scores?"""
    root = mc.make_course(tmp_path)
    for i in range(6):
        mc.hand_in(root, f"p{i}", mc.submission({} if i % 2 else {"answer": "answer = 1"}))
    command = [
        sys.executable,
        "-m",
        "cxkit.cli",
        "grade",
        "mini",
        "--course-dir",
        str(root),
        "--workers",
        "1",
        "--quiet",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    record = root / ".cxkit" / GRADING_FILE
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if record.is_file() and len(json.loads(record.read_text()).get("mini", {})) >= 2:
            break
        time.sleep(0.2)
    import os

    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = len(load_outcomes(Course(root), "mini"))
    assert 2 <= done_before < 6
    outcomes = grade(Course(root), "mini", workers=2, show_progress=False)
    assert len(outcomes) == 6
    assert {p: o.score for p, o in outcomes.items()} == {
        f"p{i}": (3.0 if i % 2 else 2.0) for i in range(6)
    }
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        assert len(gradebook.assignment_submissions("mini")) == 6
        grades = [
            g
            for s in gradebook.assignment_submissions("mini")
            for n in s.notebooks
            for g in n.grades
        ]
        assert len(grades) == 6 * 3


def test_grade_works_without_the_virtualenv_on_path(tmp_path):
    """Does `cxkit grade` create a gradebook (alembic) with a PATH that lacks the venv?"""
    root = mc.make_course(tmp_path / "course")
    mc.hand_in(root, "ana", mc.submission())
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "cxkit"),
            "grade",
            "mini",
            "--course-dir",
            str(root),
            "--workers",
            "1",
            "--quiet",
        ],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "1 graded" in result.stdout
    noise = result.stdout + result.stderr
    for word in ("without encryption", "SAWarning", "checksum", "Traceback"):
        assert word not in noise


def test_feedback_hides_hidden_tests_and_shows_hints(graded):
    """Is hidden-test text absent from every feedback page, while hints and pending show?"""
    course, _ = graded
    pages = {p.parent.parent.name: p.read_text() for p in write_feedback(course, "mini")}
    for page in pages.values():
        assert "secret-hidden-check" not in page and "double(21)" not in page
        assert "https://" not in page
    assert "Look again at the question." in pages["wrong"]
    assert "A hidden check did not pass" in pages["hidden"]
    assert "Pending: your facilitator has not graded this" in pages["reflect"]
    assert "We could not grade this notebook" in pages["broken"]
    assert "Passed: 2 / 2 points" in pages["good"]


def test_copy_of_course_dir_is_independent(graded, tmp_path):
    """Can grading use --course-dir on a copy, leaving the original's records alone?"""
    course, _ = graded
    copy = tmp_path / "copy"
    shutil.copytree(course.root, copy)
    (copy / ".cxkit" / GRADING_FILE).unlink()
    for folder in (copy / "submitted").iterdir():  # two hand-ins show it as well as ten
        if folder.name not in ("good", "wrong"):
            shutil.rmtree(folder)
    records = course.root / ".cxkit" / GRADING_FILE
    before = (records.read_bytes(), (course.root / "gradebook.db").read_bytes())
    outcomes = grade(Course(copy), "mini", workers=2, show_progress=False)
    assert {p: o.score for p, o in outcomes.items()} == {"good": 3, "wrong": 2}
    assert (copy / ".cxkit" / GRADING_FILE).is_file()
    assert (records.read_bytes(), (course.root / "gradebook.db").read_bytes()) == before


def test_demo_runs_the_whole_cycle(demo):
    """Does `cxkit demo` release, collect, grade, and write feedback and the report?"""
    out, printed = demo.course, demo.printed
    assert "Placed" in printed and "Could not place 2 file(s)" in printed
    assert (out / "release" / "00-foundations" / "foundations.ipynb").is_file()
    report = out / "reports" / "00-foundations" / "facilitator_report.html"
    assert "Facilitator report: 00-foundations" in report.read_text()
    outcomes = load_outcomes(Course(out), "00-foundations")
    assert {o.state for o in outcomes.values()} >= {"graded", "failed"}
    assert len(list((out / "feedback").rglob("*.html"))) == len(outcomes)
    assert "facilitator report" in printed


@pytest.mark.filterwarnings("ignore:Object of type:sqlalchemy.exc.SAWarning")  # nbgrader's
def test_nbgrader_refuses_an_executed_notebook_that_is_not_the_one_it_sanitized(tmp_path):
    """Could an executor's answer smuggle in other cells? nbgrader's pass must refuse it."""
    from cxkit.course.grade import ensure_released, register_participants
    from cxkit.grading.execute import (
        build_job,
        forget_held,
        keep_executed,
        keep_sanitized,
        record_api,
        run_job,
    )
    from cxkit.grading.local import executor_settings

    root = mc.make_course(tmp_path / "course")
    mc.hand_in(root, "ana", mc.submission({"answer": "answer = 41"}))
    course = Course(root)
    ensure_released(course, "mini")
    register_participants(course, ["ana"])
    job = build_job(course.api(), course, "mini", "ana")
    assert "secret-hidden-check" in job["notebooks"]["mini"]  # the grade cells as released
    result = run_job(job, executor_settings(course, 10, True, None))
    assert result["success"] and result["cell_seconds"] > 0
    executed = nbformat.reads(result["notebooks"]["mini"], as_version=4)
    recorder = record_api(course, sandbox=True)

    keep_sanitized(job)
    keep_executed(result, "mini")  # as it came back: nbgrader scores it
    assert recorder.autograde("mini", "ana", force=True)["success"]
    with course.gradebook() as gradebook:
        assert gradebook.find_submission("mini", "ana").score == 2.0
    recorded = nbformat.read(root / "autograded" / "ana" / "mini" / "mini.ipynb", as_version=4)
    assert any("secret-hidden-check" in c.source for c in recorded.cells)  # as the job was

    for cell in executed.cells:  # a grade cell that always passes
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer_test":
            cell.source, cell.outputs = "assert True", []
    keep_sanitized(job)
    keep_executed({**result, "notebooks": {"mini": nbformat.writes(executed)}}, "mini")
    refused = recorder.autograde("mini", "ana", force=True)
    assert not refused["success"]
    assert "is not the notebook nbgrader sanitized" in refused["log"]
    forget_held("mini", "ana")

    # handed in again while it ran: nbgrader's record reads the new notebook, and refuses
    # to record the old one's scores for it
    mc.hand_in(root, "ana", mc.submission({"answer": "answer = 42"}))
    keep_sanitized(job)
    keep_executed(result, "mini")
    changed = recorder.autograde("mini", "ana", force=True)
    assert not changed["success"]
    assert "ana handed in mini.ipynb again while it was being graded" in changed["log"]
    forget_held("mini", "ana")
    with course.gradebook() as gradebook:
        assert gradebook.find_submission("mini", "ana").score == 2.0


def test_lighter_bookkeeping_keeps_nbgrader_checks_and_its_gradebook(tmp_path):
    """Inside the block nbgrader's schema is checked once and engines are kept: is a
    corrupt cell still refused with the same error, and is everything put back after?"""
    import nbgrader.api
    from nbformat.v4 import new_code_cell, new_notebook
    from nbgrader.api import Gradebook
    from nbgrader.nbgraderformat import ValidationError
    from nbgrader.preprocessors import CheckCellMetadata

    from cxkit.patches import lighter_bookkeeping

    meta = {"grade": True, "solution": False, "locked": True, "grade_id": "total"}
    corrupt = new_notebook(cells=[new_code_cell("x = 1")])
    corrupt.cells[0].metadata["nbgrader"] = {**meta, "points": "two", "schema_version": 3}
    fine = new_notebook(cells=[new_code_cell("x = 1")])
    fine.cells[0].metadata["nbgrader"] = {**meta, "points": 2, "schema_version": 3}

    def refusal() -> str:
        CheckCellMetadata().preprocess(fine, {})
        with pytest.raises(ValidationError) as refused:
            CheckCellMetadata().preprocess(corrupt, {})
        return str(refused.value)

    course = Course(mc.make_course(tmp_path / "course"))
    with course.gradebook():  # created (nbgrader runs alembic), and closed
        pass
    url = course.gradebook_url
    outside, real = refusal(), nbgrader.api.create_engine
    with lighter_bookkeeping():
        assert refusal() == refusal() == outside
        with Gradebook(url) as first, Gradebook(url) as second:
            assert first.engine is second.engine
            first.add_student("ana")
            assert [s.id for s in second.students] == ["ana"]
    assert nbgrader.api.create_engine is real and refusal() == outside
    with Gradebook(url) as first, Gradebook(url) as second:
        assert first.engine is not second.engine
        assert [s.id for s in first.students] == ["ana"]


def test_lighter_bookkeeping_finds_the_cells_nbgrader_finds(tmp_path):
    """Inside the block a notebook's cells are read from the gradebook at once: are they
    the ones nbgrader's own lookups find, with its own error for a name it does not know?"""
    from nbgrader.api import Gradebook, MissingEntry

    from cxkit.course.grade import ensure_released
    from cxkit.patches import lighter_bookkeeping

    course = Course(mc.make_course(tmp_path / "course"))
    ensure_released(course, "mini")
    real = (Gradebook.find_source_cell, Gradebook.find_graded_cell)

    def lookups(gradebook: Any) -> tuple[Any, ...]:
        notebook = gradebook.find_notebook("mini", "mini")
        names = [c.name for c in notebook.source_cells]
        graded = [c.name for c in notebook.grade_cells]
        sources = [gradebook.find_source_cell(n, "mini", "mini") for n in names]
        with pytest.raises(MissingEntry) as missing:
            gradebook.find_source_cell("no-such-cell", "mini", "mini")
        return (
            [(c.name, c.cell_type, c.locked, c.checksum, c.source) for c in sources],
            [(n, gradebook.find_graded_cell(n, "mini", "mini").max_score) for n in graded],
            str(missing.value),
        )

    with Gradebook(course.gradebook_url) as gradebook:
        outside = lookups(gradebook)
    with lighter_bookkeeping(), Gradebook(course.gradebook_url) as gradebook:
        inside = lookups(gradebook)
        assert len(gradebook._cxkit_cells) == 2  # one read per kind of cell
    assert inside == outside
    assert len(outside[0]) >= 3 and ("answer_test", 1.0) in outside[1]
    assert (Gradebook.find_source_cell, Gradebook.find_graded_cell) == real


def test_cxkit_processes_skip_the_iri_grammar_and_still_check_notebooks(tmp_path):
    """The cxkit command and grading workers skip rfc3987-syntax's grammar (a second of
    CPU on each start): is it left out, and does nbformat still refuse a broken notebook?"""
    worker = (
        "import runpy\n"
        f"sys.argv = ['worker', {json.dumps(json.dumps({'progress_dir': str(tmp_path)}))}]\n"
        "runpy.run_module('cxkit.grading.worker', run_name='__main__')  # stdin is empty"
    )
    probe = (
        "import sys\n"
        "{start}\n"
        "import jsonschema, nbformat\n"
        "from nbformat.v4 import new_code_cell, new_notebook\n"
        "nb = new_notebook(cells=[new_code_cell('x = 1')])\n"
        "nbformat.validate(nb)\n"
        "nb.cells[0]['execution_count'] = 'one'\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "except nbformat.ValidationError as err:\n"
        "    print('refused:', err.message, file=sys.stderr)\n"
        "grammar = sys.modules.get('rfc3987_syntax') is not None\n"
        "print('grammar:', grammar, file=sys.stderr)\n"
    )

    def run(start: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", probe.format(start=start)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=True,
        )
        return [line for line in done.stderr.splitlines() if line.startswith(("refused", "gram"))]

    plain = run("pass")
    assert plain[-1] == "grammar: True"  # installed with JupyterLab, so jsonschema loads it
    for start in ("import cxkit.cli", worker):
        refused, grammar = run(start)
        assert refused == plain[0] and refused.startswith("refused: 'one' is not of type")
        assert grammar == "grammar: False", start


def test_a_lost_wake_up_costs_a_quarter_second_not_the_cell_timeout():
    """A channel whose first wait misses a message that has arrived: is it found on the
    next look, and does a wait with nothing to find still end at its timeout?"""
    import asyncio
    from queue import Empty

    from cxkit.patches import look_again

    class Channel:
        def __init__(self, missed: int, message: object) -> None:
            self.missed, self.message, self.waits = missed, message, []

        async def get_msg(self, timeout=None):
            self.waits.append(timeout)
            await asyncio.sleep(timeout or 0)
            if self.message is None or len(self.waits) <= self.missed:
                raise Empty
            return self.message

    late = Channel(missed=1, message={"msg_type": "execute_reply"})
    look_again(late, every=0.05)
    assert asyncio.run(late.get_msg(timeout=30)) == {"msg_type": "execute_reply"}
    assert late.waits == [0.05, 0.05]

    forever = Channel(missed=0, message={"msg_type": "status"})
    look_again(forever, every=0.05)
    assert asyncio.run(forever.get_msg(timeout=None)) == {"msg_type": "status"}

    silent = Channel(missed=0, message=None)
    look_again(silent, every=0.05)
    with pytest.raises(Empty):
        asyncio.run(silent.get_msg(timeout=0.12))
    assert len(silent.waits) in (3, 4) and max(silent.waits) <= 0.05
    assert sum(silent.waits) == pytest.approx(0.12, abs=0.02)


def test_quicker_dates_read_message_stamps_as_jupyter_client_does():
    """The executor's reader of message stamps: the same values as jupyter_client's own,
    for kernels' stamps and for everything else a header may hold?"""
    from jupyter_client import jsonutil

    from cxkit.patches import quicker_dates

    before = jsonutil.parse_date  # already the quicker one if a job ran in this process
    real = getattr(before, "real", before)
    jsonutil.parse_date = real
    header = {
        "date": "2026-11-30T22:13:41.123456Z",
        "msg_id": "4f0c2a6e-1b2c4d5e6f7a8b9c0d1e2f3a4b",
        "version": "5.3",
        "nested": ["2026-01-02T03:04:05Z", "2026-11-30 22:13:41.123456+01:00", "not a dateZ"],
        "midnight": "2026-11-30T24:00:00.000000Z",  # dateutil's own reading: the next day
    }
    odd = "2026-11-30T25:13:41.123456Z"  # an hour that does not exist
    expected = jsonutil.extract_dates(header)
    with pytest.raises(ValueError) as refused_before:
        real(odd)
    try:
        quicker_dates()
        quicker_dates()  # twice: still one layer
        assert jsonutil.parse_date is not real and jsonutil.parse_date.__closure__ is not None
        got = jsonutil.extract_dates(header)
        with pytest.raises(ValueError) as refused:
            jsonutil.parse_date(odd)
    finally:
        jsonutil.parse_date = before
    assert str(refused.value) == str(refused_before.value)
    assert got == expected
    assert got["date"].tzinfo is expected["date"].tzinfo  # dateutil's tzutc()
    assert got["date"].isoformat() == "2026-11-30T22:13:41.123456+00:00"
    assert got["msg_id"] == header["msg_id"] and got["nested"][2] == "not a dateZ"


CHART = (
    "import matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots()\nax.bar(['a', 'b'], [1, 2])\nax.set_title('Answers by team')\n"
    "plt.show()\nanswer = 42"
)


def _outputs_of_answer(course: Course, pid: str) -> list[Any]:
    path = course.folder("autograded") / pid / "mini" / "mini.ipynb"
    notebook = nbformat.read(path, as_version=4)
    (cell,) = [
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answer"
    ]
    return cell.outputs


def test_charts_not_drawn_while_grading_keep_scores_and_name_each_chart(tmp_path):
    """With Grading.figures = False, are the scores the same, and is each chart named, not drawn?"""
    roots = {}
    for figures in (True, False):
        root = mc.make_course(tmp_path / str(figures))
        mc.hand_in(root, "ana", mc.submission({"answer": CHART}))
        mc.hand_in(root, "ben", mc.submission({"answer": CHART.replace("42", "41")}))
        course = Course(root)
        outcomes = grade(course, "mini", workers=2, figures=figures, show_progress=False)
        assert {p: o.score for p, o in outcomes.items()} == {"ana": 3.0, "ben": 2.0}
        roots[figures] = course
    drawn = _outputs_of_answer(roots[True], "ana")
    assert [sorted(o.data) for o in drawn] == [["image/png", "text/plain"]]
    assert drawn[0].data["image/png"]  # a real drawing, base64 PNG
    named = _outputs_of_answer(roots[False], "ana")
    assert [o.data for o in named] == [
        {"text/plain": 'Chart "Answers by team" (drawn in your own notebook, not while grading)'}
    ]
    assert _scores(roots[True].root) == _scores(roots[False].root)


def test_figures_setting_reaches_the_executor(tmp_path):
    """Is figures=False given to the executor, and left out (drawing, the default) otherwise?"""
    from cxkit.grading.settings import Grading, for_executor

    course = Course(mc.make_course(tmp_path / "course"))
    assert "figures" not in for_executor(course, Grading())
    assert for_executor(course, Grading(figures=False))["figures"] is False


def test_timings_say_where_the_cpu_went(tmp_path):
    """Does a run's ``timings`` add up the kernels' and executors' CPU seconds of every job?

    One submission computes for half a second of CPU in its kernel; the kernels'
    total must hold it, and each part must be a real, positive figure.
    """
    busy = (
        "import time\nstart = time.process_time()\n"
        "while time.process_time() - start < 0.5:\n    pass\nanswer = 42"
    )
    root = mc.make_course(tmp_path / "course")
    mc.hand_in(root, "ana", mc.submission({"answer": busy}))
    mc.hand_in(root, "ben", mc.submission())
    timings: dict[str, float] = {}
    outcomes = grade(Course(root), "mini", workers=2, show_progress=False, timings=timings)
    assert outcomes["ben"].score == 3.0 and outcomes["ana"].state != "failed"
    assert timings["kernel CPU"] >= 0.5
    assert 0 < timings["executor CPU"] < sum(o.seconds for o in outcomes.values())
    assert timings["record"] > 0 and timings["sanitize"] > 0
