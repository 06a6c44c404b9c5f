"""The facilitator report: who finished, how each exercise went, who needs a follow-up.

``export`` gathers what the gradebook and cxkit's records know into two CSV
files; ``render`` runs the report template (a notebook with a ``parameters``
cell, in ``workshops/reports/``) through papermill and writes self-contained
HTML without code: charts embedded as images, nothing loaded from the network.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from cxkit.course.cells import error_message, split_hidden
from cxkit.course.directory import Course
from cxkit.course.feedback import STYLE
from cxkit.course.grade import load_outcomes, submissions
from cxkit.course.roster import roster
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
]
EXERCISE_COLUMNS = ["participant", "department", "exercise", "points", "score", "hint"]


def _hint(cell: Any) -> str:
    """The message of a failed check, never quoting a hidden test."""
    _, secrets = split_hidden(cell.source)
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    return error_message(errors[0], secrets)[:160] if errors else ""


def export(course: Course, workshop: str, out: Path) -> tuple[Path, Path]:
    """Write participants.csv and exercises.csv for the report; return their paths."""
    outcomes = load_outcomes(course, workshop)
    people = roster(course).set_index("id")
    handed_in = set(submissions(course, workshop))
    everyone = sorted(set(people.index) | handed_in | set(outcomes))
    rows, exercise_rows = [], []
    with course.gradebook() as gradebook:
        for pid in everyone:
            department = people["department"].get(pid, "unknown") if len(people) else "unknown"
            name = people["name"].get(pid, pid) if len(people) else pid
            outcome = outcomes.get(pid)
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
            }
            if pid in handed_in and outcome is None:
                row["state"] = "not graded yet"
            if outcome is not None:
                row.update(state=outcome.state, reason=outcome.reason)
            if outcome is not None and outcome.state != "failed":
                submission = gradebook.find_submission(workshop, pid)
                row.update(
                    score=submission.score,
                    max_score=submission.max_score,
                    hours_late=round((submission.total_seconds_late or 0) / 3600, 2),
                )
                for notebook in submission.notebooks:
                    path = course.folder("autograded") / pid / workshop / f"{notebook.name}.ipynb"
                    cells = {}
                    if path.is_file():
                        nb = nbformat.read(path, as_version=4)
                        cells = {
                            c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells
                        }
                    for grade in notebook.grades:
                        if grade.needs_manual_grade:
                            row["pending_manual"] += 1
                        if grade.cell.cell_type != "code" or grade.needs_manual_grade:
                            continue
                        cell = cells.get(grade.name)
                        exercise_rows.append(
                            {
                                "participant": pid,
                                "department": department,
                                "exercise": grade.name,
                                "points": grade.max_score,
                                "score": grade.score,
                                "hint": _hint(cell) if cell else "",
                            }
                        )
            rows.append(row)
    out.mkdir(parents=True, exist_ok=True)
    participants = out / "participants.csv"
    exercises = out / "exercises.csv"
    pd.DataFrame(rows, columns=PARTICIPANT_COLUMNS).to_csv(participants, index=False)
    pd.DataFrame(exercise_rows, columns=EXERCISE_COLUMNS).to_csv(exercises, index=False)
    return participants, exercises


def render(
    participants: Path,
    exercises: Path,
    out_html: Path,
    title: str,
    template: Path = TEMPLATE,
) -> Path:
    """Execute the report template with papermill and write offline HTML without code."""
    import papermill as pm
    from nbconvert import HTMLExporter

    out_html.parent.mkdir(parents=True, exist_ok=True)
    executed = out_html.with_suffix(".ipynb")
    with _quiet_stderr():  # the report kernel's start-up notices are noise here
        pm.execute_notebook(
            str(template),
            str(executed),
            parameters={
                "participants_csv": str(participants),
                "exercises_csv": str(exercises),
                "title": title,
            },
            kernel_name="python3",
            progress_bar=False,
            cwd=str(out_html.parent),
        )
    notebook = nbformat.read(executed, as_version=4)
    notebook.cells = [c for c in notebook.cells if "remove-cell" not in c.metadata.get("tags", [])]
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(notebook)
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{STYLE}{_TABLES}</style></head>\n<body>\n{body}\n"
        "</body></html>\n"
    )
    out_html.write_text(page, encoding="utf-8")
    return out_html


_TABLES = """
body { max-width: 64rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .92rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left; }
th { background: #f4f4f4; }
img { max-width: 100%; }
.anchor-link { display: none; }
"""


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 (inherited by the kernel) to /dev/null for a while."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


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
