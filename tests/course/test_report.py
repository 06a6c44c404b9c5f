"""The facilitator report: rendered by papermill, offline HTML, for 1 or 1,000 participants."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxkit.course.report import EXERCISE_COLUMNS, PARTICIPANT_COLUMNS, render

pytestmark = pytest.mark.slow
EXERCISES = ["nps_by_hand", "nps_value", "csat_value", "dept_touchpoints"]
HELD = "Exercise 2's cell calls get_ipython(), which no answer needs"
REASONS = {"failed": "the kernel died", "needs attention": HELD}


def _cohort(n: int, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    depts = rng.choice(["accounting", "logistics", "it", "legal"], n)
    states = (
        rng.choice(["graded", "failed", "needs attention", "missing"], n, p=[0.8, 0.05, 0.05, 0.1])
        if n > 1
        else np.array(["graded"])
    )
    people, exercises = [], []
    for i in range(n):
        pid = f"p{i:04d}"
        graded = states[i] in ("graded", "needs attention")
        scores = rng.integers(0, 2, len(EXERCISES)) * 2 if graded else None
        people.append(
            {
                "participant": pid,
                "name": f"Person {i}",
                "department": depts[i],
                "state": states[i],
                "reason": REASONS.get(states[i], ""),
                "score": float(scores.sum()) if graded else None,
                "max_score": 2.0 * len(EXERCISES) if graded else None,
                "hours_late": 5.0 if i % 10 == 1 else 0.0,
                "pending_manual": 1 if graded else 0,
                "held_points": 2.0 if states[i] == "needs attention" else 0.0,
                "decision": "accepted" if states[i] == "needs attention" and i % 3 == 1 else "",
            }
        )
        if graded:
            for name, score in zip(EXERCISES, scores, strict=True):
                exercises.append(
                    {
                        "participant": pid,
                        "department": depts[i],
                        "exercise": name,
                        "points": 2,
                        "score": score,
                        "hint": "" if score else "CheckFailed: this looks like a fraction",
                    }
                )
    return (
        pd.DataFrame(people, columns=PARTICIPANT_COLUMNS),
        pd.DataFrame(exercises, columns=EXERCISE_COLUMNS),
    )


def _render(tmp_path: Path, n: int) -> str:
    people, exercises = _cohort(n)
    people.to_csv(tmp_path / "participants.csv", index=False)
    exercises.to_csv(tmp_path / "exercises.csv", index=False)
    html = render(
        tmp_path / "participants.csv",
        tmp_path / "exercises.csv",
        tmp_path / "out" / "report.html",
        title=f"Report for {n}",
    )
    return html.read_text()


@pytest.fixture(scope="module")
def forty(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, str]:
    """The cohort of 40 and its report, rendered once: the tests only read the page."""
    people, _ = _cohort(40)
    return people, _render(tmp_path_factory.mktemp("forty"), 40)


def _offline(page: str) -> None:
    assert not re.search(r"""(?:src|href)=["']https?://""", page)
    assert "def " not in page and "import pandas" not in page  # no code in the report
    for image in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page):
        assert base64.b64decode(image)[:4] == b"\x89PNG"


def test_report_for_one_participant(tmp_path):
    """Does the report render for a cohort of one, with its numbers on the page?"""
    page = _render(tmp_path, 1)
    _offline(page)
    assert "Report for 1" in page
    assert "<strong>1</strong> participants: <strong>1</strong> handed in" in page
    assert page.count("data:image/png;base64,") == 2


def test_report_for_a_thousand(tmp_path):
    """Does the report render for 1,000 simulated participants with the right counts?"""
    people, _ = _cohort(1000)
    page = _render(tmp_path, 1000)
    _offline(page)
    missing = int((people["state"] == "missing").sum())
    assert f"<strong>{missing}</strong> handed nothing in" in page
    failed = int((people["state"] == "failed").sum())
    assert f"<strong>{failed}</strong> could not be graded" in page
    assert "this looks like a fraction" in page  # the commonest hint is shown
    for dept in ("accounting", "logistics", "it", "legal"):
        assert f">{dept}<" in page


def test_report_speaks_the_facilitators_words(forty):
    """Are the report's column headings written out, with no raw CSV column name left?"""
    _, page = forty
    headings = re.findall(r"<th[^>]*>([^<]*)</th>", page)
    for heading in ("handed in", "mean score (% of points)", "reflections to grade", "hours late"):
        assert heading in headings
    for raw in ("handed_in", "pending_manual", "hours_late", "max_score", "held_points"):
        assert raw not in page
    assert "75.000000" not in page and "nan" not in headings


def test_exercises_are_named_by_their_heading(tmp_path):
    """Does the export name each exercise by the heading above it in the workshop's source?"""
    import minicourse as mc

    from cxkit.course.directory import Course
    from cxkit.course.report import exercise_titles

    course = Course(mc.make_course(tmp_path / "course", checks=True))
    assert exercise_titles(course, "mini") == {
        ("mini", "double_test"): "Exercise 1",
        ("mini", "answer_test"): "Exercise 2",
        ("mini", "reflection"): "Exercise 2: your written answer",
        ("mini", "share_test"): "Exercise 3",
    }


def test_report_shows_held_points_and_the_decision(forty):
    """Does the report list each participant whose points are held, how many, why, and
    whether the facilitator decided yet, with the commands to decide?"""
    people, page = forty
    held = people[people["held_points"] > 0]
    assert len(held) >= 2 and set(held["decision"]) == {"", "accepted"}  # the cohort has both
    section = page[page.index("Points held for a look") : page.index("What grading refused")]
    assert "cxkit accept WORKSHOP ID" in section and "cxkit reject WORKSHOP ID" in section
    for row in held.itertuples():
        assert f">{row.participant}<" in section
    assert section.count("waiting") == int((held["decision"] == "").sum())
    assert section.count(">accepted<") == int((held["decision"] == "accepted").sum())
    assert "get_ipython()" in section and "points held" in section
