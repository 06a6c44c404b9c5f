"""The facilitator report: who finished, how each exercise went, who needs a follow-up.

``export`` gathers what the gradebook and cxkit's records know into two CSV
files, one row per participant and one per participant and exercise (named by
its heading in the workshop, "Exercise 4 · NPS by segment", as participants see
it); ``render`` runs the report template (a notebook with a ``parameters`` cell,
in ``workshops/reports/``) through papermill and writes self-contained HTML
without code, through the renderer every cxkit page shares
(:mod:`cxkit.course.render`): charts embedded as images, nothing loaded from the
network. Each row is built by a function of its own (``_person``,
``_exercise_row``): a new column is one more key there and in
:data:`PARTICIPANT_COLUMNS` or :data:`EXERCISE_COLUMNS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from cxkit.course.cells import error_message, split_hidden
from cxkit.course.directory import Course
from cxkit.course.exercises import titles
from cxkit.course.grade import load_outcomes, submissions
from cxkit.course.render import render_notebook
from cxkit.course.roster import roster
from cxkit.grading.outcomes import Outcome, State
from cxkit.resources import shipped

TEMPLATE = shipped("workshops/reports/facilitator_report.ipynb")
PARTICIPANT_COLUMNS = [
    "participant",
    "name",
    "department",
    "state",
    "reason",
    "score",
    "max_score",
    "hours_late",
    "pending_manual",
    "held_points",
    "decision",
]
EXERCISE_COLUMNS = ["participant", "department", "exercise", "points", "score", "hint"]


def _hint(cell: Any) -> str:
    """The message of a failed check, never quoting a hidden test."""
    _, secrets = split_hidden(cell.source)
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    return error_message(errors[0], secrets)[:160] if errors else ""


def exercise_titles(course: Course, workshop: str) -> dict[tuple[str, str], str]:
    """(notebook, grade id) to the exercise's title, from the workshop's source notebooks.

    With several notebooks in a workshop, each title starts with its notebook's name.
    """
    notebooks = course.notebooks(workshop)
    found = {}
    for notebook in notebooks:
        path = course.folder("source") / workshop / f"{notebook}.ipynb"
        for gid, title in titles(nbformat.read(path, as_version=4).cells).items():
            found[notebook, gid] = f"{notebook}: {title}" if len(notebooks) > 1 else title
    return found


def export(course: Course, workshop: str, out: Path) -> tuple[Path, Path]:
    """Write participants.csv and exercises.csv for the report; return their paths."""
    outcomes = load_outcomes(course, workshop)
    people = roster(course).set_index("id")
    handed_in = set(submissions(course, workshop))
    everyone = sorted(set(people.index) | handed_in | set(outcomes))
    named = exercise_titles(course, workshop)
    rows, exercise_rows = [], []
    with course.gradebook() as gradebook:
        for pid in everyone:
            department = people["department"].get(pid, "unknown") if len(people) else "unknown"
            name = people["name"].get(pid, pid) if len(people) else pid
            outcome = outcomes.get(pid)
            row = _person(pid, name, department, outcome, pid in handed_in)
            if outcome is not None and outcome.state is not State.FAILED:
                submission = gradebook.find_submission(workshop, pid)
                row.update(
                    score=submission.score,
                    max_score=submission.max_score,
                    hours_late=round((submission.total_seconds_late or 0) / 3600, 2),
                )
                for notebook in submission.notebooks:
                    cells = _graded_cells(course, pid, workshop, notebook.name)
                    for grade in notebook.grades:
                        if grade.needs_manual_grade:
                            row["pending_manual"] += 1
                        if grade.cell.cell_type != "code" or grade.needs_manual_grade:
                            continue
                        title = named.get((notebook.name, grade.name), grade.name)
                        cell = cells.get(grade.name)
                        exercise_rows.append(_exercise_row(row, title, grade, cell))
            rows.append(row)
    out.mkdir(parents=True, exist_ok=True)
    participants = out / "participants.csv"
    exercises = out / "exercises.csv"
    pd.DataFrame(rows, columns=PARTICIPANT_COLUMNS).to_csv(participants, index=False)
    pd.DataFrame(exercise_rows, columns=EXERCISE_COLUMNS).to_csv(exercises, index=False)
    return participants, exercises


def _person(
    pid: str, name: str, department: str, outcome: Outcome | None, handed_in: bool
) -> dict[str, Any]:
    """A participant's row before the gradebook's numbers: who, and what became of the hand-in."""
    row: dict[str, Any] = {
        "participant": pid,
        "name": name,
        "department": department,
        "state": "missing",
        "reason": "",
        "score": None,
        "max_score": None,
        "hours_late": 0.0,
        "pending_manual": 0,
        "held_points": 0.0,
        "decision": "",
    }
    if handed_in and outcome is None:
        row["state"] = "not graded yet"
    if outcome is not None:
        row.update(
            state=outcome.state.value,
            reason=outcome.reason,
            held_points=outcome.held_points,
            decision=outcome.decision,
        )
    return row


def _graded_cells(course: Course, pid: str, workshop: str, notebook: str) -> dict[str, Any]:
    """Grade id to cell, in a participant's autograded notebook ({} when there is none)."""
    path = course.folder("autograded") / pid / workshop / f"{notebook}.ipynb"
    if not path.is_file():
        return {}
    cells = nbformat.read(path, as_version=4).cells
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in cells}


def _exercise_row(person: dict[str, Any], title: str, grade: Any, cell: Any) -> dict[str, Any]:
    return {
        "participant": person["participant"],
        "department": person["department"],
        "exercise": title,
        "points": grade.max_score,
        "score": grade.score,
        "hint": _hint(cell) if cell else "",
    }


def render(
    participants: Path,
    exercises: Path,
    out_html: Path,
    title: str,
    template: Path = TEMPLATE,
) -> Path:
    """Run the report template on the two CSV files; write offline HTML without code.

    See :func:`cxkit.course.render.render_notebook`: the page is replaced only
    when complete, and a failing template raises a ``CxkitError`` naming the cell.
    """
    parameters = {"participants_csv": participants, "exercises_csv": exercises, "title": title}
    return render_notebook(template, parameters, out_html, title, name="facilitator report")


def report(course: Course, workshop: str) -> Path:
    """Export the records and render the facilitator report; return the HTML file."""
    folder = course.root / "reports" / workshop
    participants, exercises = export(course, workshop, folder / "data")
    return render(
        participants,
        exercises,
        folder / "facilitator_report.html",
        title=f"Facilitator report: {workshop}",
    )
