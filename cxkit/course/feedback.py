"""Feedback for each participant: one self-contained HTML file, safe to hand out.

Written from nbgrader's autograded notebook and its gradebook, into
``feedback/<participant>/<workshop>/<notebook>.html`` where nbgrader's own
feedback would go. Unlike nbgrader's default it

- never shows hidden-test source, not even inside a failing assert's
  traceback: every error is cut down to its one-line message, and a message
  that quotes a hidden test is replaced;
- shows each failed check's hint, and each exercise's points;
- shows manually graded reflections as *pending* until they are graded;
- tells a participant whose notebook could not be graded why, instead of a 0,
  and what went wrong in words they can act on ("your notebook ran out of time
  in the cell after 'Exercise 3'");
- loads nothing from the network (no CDN): it opens offline.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import nbformat

from cxkit.course.cells import ANSI, error_message, split_hidden
from cxkit.course.directory import Course
from cxkit.course.grade import load_outcomes
from cxkit.course.render import STYLE
from cxkit.grading.outcomes import Outcome, State


def _cell_html(cell: Any, grade: dict[str, tuple[float | None, float]]) -> str:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    gid = meta.get("grade_id")
    source, secrets = split_hidden(cell.source) if cell.cell_type == "code" else ("", [])
    parts = []
    if cell.cell_type == "markdown":
        parts.append(f"<div class='md'>{_markdown(cell.source)}</div>")
    elif cell.cell_type == "code":
        if source:
            parts.append(f"<pre><code>{html.escape(source)}</code></pre>")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                parts.append(f"<pre>{html.escape(ANSI.sub('', output.get('text', '')))}</pre>")
            elif output.get("output_type") in ("execute_result", "display_data"):
                data = output.get("data", {})
                if "image/png" in data:
                    png = data["image/png"].replace("\n", "")
                    parts.append(f"<img alt='chart' src='data:image/png;base64,{png}'>")
                elif "text/plain" in data:
                    parts.append(f"<pre>{html.escape(data['text/plain'])}</pre>")
    if gid in grade and meta.get("grade"):
        score, points = grade[gid]
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if score is None:
            parts.append(
                f"<div class='badge pending'>Pending: your facilitator has not graded this "
                f"yet ({points:g} point{'s' if points != 1 else ''}).</div>"
            )
        elif score >= points:
            parts.append(f"<div class='badge pass'>Passed: {score:g} / {points:g} points.</div>")
        else:
            hint = "".join(f"<br>{html.escape(error_message(e, secrets))}" for e in errors)
            parts.append(
                f"<div class='badge fail'>Not yet: {score:g} / {points:g} points.{hint}</div>"
            )
    return "\n".join(parts)


def _markdown(text: str) -> str:
    try:
        import markdown_it

        return str(markdown_it.MarkdownIt().render(text))
    except ImportError:  # pragma: no cover - nbconvert brings a renderer in practice
        return f"<pre>{html.escape(text)}</pre>"


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


def write_feedback(course: Course, workshop: str) -> list[Path]:
    """Write one feedback page per participant and notebook; return the files written."""
    outcomes = load_outcomes(course, workshop)
    written = []
    for pid, outcome in sorted(outcomes.items()):
        for notebook in course.notebooks(workshop):
            target = course.folder("feedback") / pid / workshop / f"{notebook}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_page(course, workshop, pid, notebook, outcome), encoding="utf-8")
            written.append(target)
    return written


def _page(course: Course, workshop: str, pid: str, notebook: str, outcome: Outcome) -> str:
    title = f"{workshop}: feedback for {pid}"
    body = [f"<h1>{html.escape(title)}</h1>"]
    autograded = course.folder("autograded") / pid / workshop / f"{notebook}.ipynb"
    if outcome.state is State.FAILED or not autograded.is_file():
        why = (
            outcome.advice or f"We could not grade this notebook: {outcome.reason or 'no reason'}."
        )
        body.append(
            "<div class='badge fail summary'>We could not grade this notebook. "
            f"{html.escape(why)} Nothing is lost: your "
            "facilitator has your file and will go through it with you.</div>"
        )
    else:
        info = _grades(course, workshop, pid, notebook)
        auto_points = sum(p for s, p in info["grades"].values() if s is not None)
        auto_score = sum(s for s, p in info["grades"].values() if s is not None)
        pending = [g for g, (s, _) in info["grades"].items() if s is None]
        summary = f"Autograded: {auto_score:g} / {auto_points:g} points."
        if pending:
            summary += f" {len(pending)} answer(s) await your facilitator's grading."
        if info["late"] > 0:
            summary += f" Handed in {info['late'] / 3600:.1f} hours after the deadline."
        body.append(f"<div class='badge summary'>{html.escape(summary)}</div>")
        if outcome.advice:  # what went wrong, in the participant's words
            body.append(f"<div class='badge pending'>{html.escape(outcome.advice)}</div>")
        elif outcome.state is State.NEEDS_ATTENTION:
            body.append(f"<div class='badge pending'>{html.escape(outcome.reason)}</div>")
        notebook_node = nbformat.read(autograded, as_version=4)
        for cell in notebook_node.cells:
            body.append(_cell_html(cell, info["grades"]))
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
