"""A shared gradebook: PostgreSQL on 127.0.0.1, two ``cxkit grade`` processes at once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import minicourse as mc
import nbformat
import pgserver
import pytest

from cxkit.course.directory import Course
from cxkit.course.grade import load_outcomes

WORKSHOPS = ("mini", "mini2")
# Participant -> their answer to "answer"; 3 autograded points with 42, else 2.
ANSWERS = {f"p{i:02d}": ("answer = 42" if i % 3 else "answer = 41") for i in range(1, 9)}


def _expected(answer: str) -> float:
    return 3.0 if answer.endswith("42") else 2.0


@pytest.fixture(scope="module")
def database() -> str:
    with pgserver.server() as url:
        yield url


@pytest.fixture(scope="module")
def graded(database: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, list]:
    """Two workshops graded by two cxkit grade processes started together on one gradebook."""
    root = mc.make_course(tmp_path_factory.mktemp("course"))
    shutil.copytree(root / "source" / "mini", root / "source" / "mini2")
    for workshop in WORKSHOPS:
        for pid, answer in ANSWERS.items():
            folder = root / "submitted" / pid / workshop
            folder.mkdir(parents=True)
            nbformat.write(mc.submission({"answer": answer}), folder / "mini.ipynb")
            (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC\n")
    graders = [
        subprocess.Popen(
            [sys.executable, "-m", "cxkit.cli", "grade", workshop, "--quiet"]
            + ["--course-dir", str(root), "--db-url", database, "--workers", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for workshop in WORKSHOPS
    ]
    logs = [grader.communicate(timeout=600)[0] for grader in graders]
    return Course(root, database), [
        (g.returncode, log) for g, log in zip(graders, logs, strict=True)
    ]


@pytest.mark.slow
def test_both_grading_processes_finish_cleanly(graded):
    """Do two cxkit grade processes sharing a fresh PostgreSQL gradebook both succeed?"""
    _, runs = graded
    for code, log in runs:
        assert code == 0, log


@pytest.mark.slow
def test_every_submission_of_both_workshops_is_in_the_shared_gradebook(graded):
    """Is each participant's score in PostgreSQL, for both workshops, exactly as answered?"""
    course, _ = graded
    with course.gradebook() as gradebook:
        for workshop in WORKSHOPS:
            scores = {
                s.student.id: float(s.score) for s in gradebook.assignment_submissions(workshop)
            }
            assert scores == {pid: _expected(a) for pid, a in ANSWERS.items()}, workshop
        assert sorted(s.id for s in gradebook.students) == sorted(ANSWERS)


@pytest.mark.slow
def test_no_outcome_is_lost_when_both_record_at_once(graded):
    """Does the record of outcomes hold every participant of both workshops, graded?"""
    course, _ = graded
    for workshop in WORKSHOPS:
        outcomes = load_outcomes(course, workshop)
        assert sorted(outcomes) == sorted(ANSWERS), workshop
        assert {o.state for o in outcomes.values()} == {"graded"}
        assert {pid: o.score for pid, o in outcomes.items()} == {
            pid: _expected(a) for pid, a in ANSWERS.items()
        }


def test_a_wrong_database_address_is_named_with_the_fix(tmp_path: Path, capsys):
    """Does a gradebook URL nobody answers stop with a message naming it, not a traceback?"""
    from cxkit.cli import main

    root = mc.make_course(tmp_path / "course")
    url = "postgresql://cxkit@127.0.0.1:9/nowhere"
    assert main(["grade", "mini", "--course-dir", str(root), "--db-url", url]) == 2
    err = capsys.readouterr().err
    assert "127.0.0.1:9" in err and "--db-url" in err
