"""Feedback for each participant: one self-contained HTML file, safe to hand out.

Written from nbgrader's autograded notebook and its gradebook, into
``feedback/<participant>/<workshop>/<notebook>.html`` where nbgrader's own
feedback would go, by nbconvert's HTML exporter with the kit's template
(``cxkit-feedback``, see :mod:`cxkit.course.render`). Unlike nbgrader's default it

- never shows hidden-test source, not even inside a failing assert's
  traceback: the page is made from a copy of the notebook from which hidden
  tests and every error output were removed; each error is cut down to its
  one-line message, and a message that quotes a hidden test is replaced;
- opens with one row per exercise: its title, the points, the hint if it was
  missed, and a link down to it; shows each failed check's hint under it too;
- shows manually graded reflections as *pending* until they are graded;
- folds the code behind "Show the code" (no script needed), renders the
  notebook's text as Jupyter does, shows tables as tables and an interactive
  explorer as a note to open the notebook;
- tells a participant whose notebook could not be graded why, instead of a 0,
  and what went wrong in words they can act on ("your notebook ran out of time
  in the cell after 'Exercise 3'");
- loads nothing from the network (no CDN, no script): it opens offline, and
  prints readably.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_notebook, new_output

from cxkit.checks import CheckFailed
from cxkit.course.cells import ANSI, error_message, split_hidden
from cxkit.course.directory import Course
from cxkit.course.exercises import Exercise, exercises
from cxkit.course.grade import load_outcomes
from cxkit.course.render import to_html
from cxkit.grading.outcomes import Outcome, State

WIDGET = "application/vnd.jupyter.widget-view+json"
EXPLORER = "An interactive explorer: open your notebook in JupyterLab to use it."
SHOWN = ("text/html", "text/markdown", "image/png", "image/jpeg", "text/plain")
Grades = dict[str, tuple[float | None, float]]  # grade id: (score, None while pending; points)


def write_feedback(course: Course, workshop: str) -> list[Path]:
    """Write one feedback page per participant and notebook; return the files written."""
    written = []
    for _, outcome in sorted(load_outcomes(course, workshop).items()):
        written += write_participant_feedback(course, workshop, outcome)
    return written


def write_participant_feedback(course: Course, workshop: str, outcome: Outcome) -> list[Path]:
    """Write the feedback pages of one participant, one per notebook; return the files.

    Each page replaces the one before only when complete, so a participant
    fetching it, or a stop in the middle, never finds half a page.
    """
    pid, written = outcome.participant, []
    for notebook in course.notebooks(workshop):
        target = course.folder("feedback") / pid / workshop / f"{notebook}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        partial.write_text(_page(course, workshop, pid, notebook, outcome), encoding="utf-8")
        os.replace(partial, target)
        written.append(target)
    return written


def _page(course: Course, workshop: str, pid: str, notebook: str, outcome: Outcome) -> str:
    title = f"{workshop}: feedback for {pid}"
    autograded = course.folder("autograded") / pid / workshop / f"{notebook}.ipynb"
    if outcome.state is State.FAILED or not autograded.is_file():
        why = (
            outcome.advice or f"We could not grade this notebook: {outcome.reason or 'no reason'}."
        )
        note = (
            f"We could not grade this notebook. {why} Nothing is lost: your "
            "facilitator has your file and will go through it with you."
        )
        return _html(new_notebook(), title, [("fail", note)], [])
    info = _grades(course, workshop, pid, notebook)
    graded = nbformat.read(autograded, as_version=4)
    return feedback_page(graded, info["grades"], title, _notes(info, outcome))


def feedback_page(notebook: Any, grades: Grades, title: str, notes: list[tuple[str, str]]) -> str:
    """The feedback page of one autograded notebook (see :func:`for_participant`).

    Parameters
    ----------
    notebook
        nbgrader's autograded notebook (it is not changed).
    grades
        Grade id to (score, or None while awaiting manual grading; points).
    title
        The page's title and heading.
    notes
        (state, text) lines under the heading: the first is the summary;
        a state is "", "pass", "fail" or "pending".
    """
    shown, rows = for_participant(notebook, grades)
    return _html(shown, title, notes, rows)


def _grades(course: Course, workshop: str, pid: str, notebook: str) -> dict[str, Any]:
    with course.gradebook() as gradebook:
        nb = gradebook.find_submission_notebook(notebook, workshop, pid)
        grades = {
            g.name: (g.score if not g.needs_manual_grade else None, g.max_score) for g in nb.grades
        }
        return {
            "grades": grades,
            "score": nb.score,
            "max_score": nb.max_score,
            "late": float(gradebook.find_submission(workshop, pid).total_seconds_late or 0),
        }


def _notes(info: dict[str, Any], outcome: Outcome) -> list[tuple[str, str]]:
    """The lines above the summary: the points, what awaits grading, lateness, what went wrong."""
    grades: Grades = info["grades"]
    auto_points = sum(p for s, p in grades.values() if s is not None)
    auto_score = sum(s for s, p in grades.values() if s is not None)
    pending = [g for g, (s, _) in grades.items() if s is None]
    summary = f"Autograded: {auto_score:g} / {auto_points:g} points."
    if pending:
        summary += f" {len(pending)} answer(s) await your facilitator's grading."
    if info["late"] > 0:
        summary += f" Handed in {info['late'] / 3600:.1f} hours after the deadline."
    notes = [("", summary)]
    if outcome.advice:  # what went wrong, in the participant's words
        notes.append(("pending", outcome.advice))
    elif outcome.state is State.NEEDS_ATTENTION:
        notes.append(("pending", outcome.reason))
    return notes


def _html(
    notebook: Any, title: str, notes: list[tuple[str, str]], rows: list[dict[str, Any]]
) -> str:
    feedback = {
        "title": title,
        "notes": [{"state": state, "text": text} for state, text in notes],
        "exercises": rows,
    }
    return to_html(
        notebook,
        title,
        template="cxkit-feedback",
        resources={"feedback": feedback},
        sanitize_html=True,
    )


def for_participant(notebook: Any, grades: Grades) -> tuple[Any, list[dict[str, Any]]]:
    """A copy of an autograded notebook fit to show its participant, and the summary's rows.

    The copy keeps the text, the code without hidden tests, what the code
    printed and displayed (charts, tables), and no error output at all: a
    graded cell's errors become the one-line hints of its result, never quoting
    a hidden test. Widgets become a note. Cell and notebook metadata are
    replaced by the marks the template reads (``cxkit``: the anchor of an
    exercise's heading, the result under a graded cell).

    Parameters
    ----------
    notebook
        nbgrader's autograded notebook (it is not changed).
    grades
        Grade id to (score, or None while awaiting manual grading; points).

    Returns
    -------
    tuple
        The notebook to export, and one row per graded exercise (title,
        points, result, hints, anchor, state).
    """
    listed = [e for e in exercises(notebook.cells) if e.grade_id in grades]
    results = {e.cell: _result(e, notebook.cells[e.cell], grades[e.grade_id]) for e in listed}
    anchors: dict[int, str] = {}
    rows = []
    for number, exercise in enumerate(listed, start=1):
        target = exercise.cell if exercise.heading is None else exercise.heading
        anchor = anchors.setdefault(target, f"exercise-{number}")
        rows.append(_row(exercise, results[exercise.cell], grades[exercise.grade_id], anchor))
    for gid in sorted(set(grades) - {e.grade_id for e in listed}):  # a cell deleted
        lost = Exercise(gid, f"{gid} (this cell is missing from your notebook)", 0, False, -1, None)
        result = {"state": "pending", "hints": []}
        rows.append(_row(lost, result, (None, grades[gid][1]), ""))
    cells = []
    for index, cell in enumerate(notebook.cells):
        shown = nbformat.from_dict({k: v for k, v in cell.items() if k not in ("metadata", "id")})
        marks = {"anchor": anchors.get(index), "result": results.get(index)}
        shown.metadata = {"cxkit": marks, "alt": "A chart from your notebook"}
        shown.id = f"cell-{index}"
        if cell.cell_type == "code":
            shown.source = split_hidden(cell.source)[0]
            shown.outputs = [o for o in map(_output, cell.get("outputs", [])) if o is not None]
        cells.append(shown)
    copy = new_notebook(cells=cells)
    copy.metadata["language_info"] = {"name": "python"}
    return copy, rows


def _result(exercise: Exercise, cell: Any, grade: tuple[float | None, float]) -> dict[str, Any]:
    """What shows under a graded cell: passed, not yet (with its hints) or pending."""
    score, points = grade
    if score is None:
        plural = "s" if points != 1 else ""
        text = f"Pending: your facilitator has not graded this yet ({points:g} point{plural})."
        return {"state": "pending", "text": text, "hints": []}
    if exercise.written:
        text = f"Graded by your facilitator: {score:g} / {points:g} points."
        return {"state": "pass", "text": text, "hints": [], "words": "Graded"}
    if score >= points:
        return {"state": "pass", "text": f"Passed: {score:g} / {points:g} points.", "hints": []}
    _, hidden = split_hidden(cell.source) if cell.cell_type == "code" else ("", [])
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    hints = [_words(error_message(e, hidden)) for e in errors]
    return {"state": "fail", "text": f"Not yet: {score:g} / {points:g} points.", "hints": hints}


def _words(message: str) -> str:
    """A check's message for its participant: cxkit's checks need no error name before it.

    Examples
    --------
    >>> _words("CheckFailed: nps_by_hand = 0.114: this looks like a fraction")
    'nps_by_hand = 0.114: this looks like a fraction'
    >>> _words("NameError: name 'by_segment' is not defined")
    "NameError: name 'by_segment' is not defined"
    """
    return message.removeprefix(f"{CheckFailed.__name__}: ")


def _row(
    exercise: Exercise, result: dict[str, Any], grade: tuple[float | None, float], anchor: str
) -> dict[str, Any]:
    score, points = grade
    words = {"pass": "Passed", "fail": "Not yet", "pending": "Awaiting your facilitator"}
    shown = f"{points:g}" if score is None else f"{score:g} / {points:g}"
    return {
        "title": exercise.title,
        "points": shown,
        "result": result.get("words", words[result["state"]]),
        "hints": result["hints"],
        "anchor": anchor,
        "state": result["state"],
    }


def _output(output: Any) -> Any:
    """An output as the participant sees it again, or None to leave it out.

    Kept: what the code printed (stdout) and displayed, in the forms a page can
    show without a script. Left out: errors (their hints show under the check),
    stderr, JavaScript. A widget becomes a short note.
    """
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") != "stdout":
            return None
        return new_output("stream", name="stdout", text=ANSI.sub("", output.get("text", "")))
    if kind not in ("execute_result", "display_data"):
        return None
    data = output.get("data", {})
    if WIDGET in data or str(data.get("text/plain", "")).startswith("interactive("):
        note = f"<p class='note'>{html.escape(EXPLORER)}</p>"
        return new_output("display_data", data={"text/html": note})
    kept = {mime: data[mime] for mime in SHOWN if mime in data}
    return new_output("display_data", data=kept) if kept else None
