"""Held points: what checks gave after code outside the policy, recorded but not counted.

A fact that holds (:data:`cxkit.grading.outcomes.HOLDING`: a cell outside the
policy, a locked cell run as edited, a check that passed silently or in no
time) holds every autograded cell from its place on: code can only change the
checks that run after it. nbgrader keeps the check's own score (its
``auto_score``); a manual score of 0 over it keeps the gradebook, its exports
and the feedback from counting it until the facilitator decides
(``cxkit accept`` lifts the manual score, ``cxkit reject`` leaves it at 0).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

from cxkit.course.directory import Course
from cxkit.grading.outcomes import HOLDING, Fact


def graded_cells(path: Path) -> list[tuple[int, str]]:
    """(index, grade id) of each autograded cell of an executed notebook, in order."""
    if not path.is_file():
        return []
    cells = nbformat.read(path, as_version=4).cells
    return [
        (i, meta["grade_id"])
        for i, c in enumerate(cells)
        if c.cell_type == "code"
        and (meta := c.get("metadata", {}).get("nbgrader", {})).get("grade")
        and not meta.get("solution")
    ]


def hold(
    course: Course, workshop: str, participant: str, facts: list[Fact]
) -> list[dict[str, Any]]:
    """Hold the cells each holding fact reaches; return them (empty: nothing held).

    Each fact's details get ``points``: the score its cells held.
    """
    holding = [f for f in facts if f.kind in HOLDING and "index" in f.details]
    if not holding:
        return []
    folder = course.folder("autograded") / participant / workshop
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    with course.gradebook() as gradebook:
        for fact in holding:
            notebook = fact.details["notebook"].removesuffix(".ipynb")
            start = fact.details["index"]
            reached = [g for i, g in graded_cells(folder / f"{notebook}.ipynb") if i >= start]
            points = 0.0
            for gid in reached:
                if (notebook, gid) not in cells:
                    grade = gradebook.find_grade(gid, notebook, workshop, participant)
                    cells[(notebook, gid)] = {
                        "notebook": notebook,
                        "grade_id": gid,
                        "score": float(grade.auto_score or 0.0),
                        "points": float(grade.max_score),
                    }
                    grade.manual_score = 0.0
                points += cells[(notebook, gid)]["score"]
            fact.details["points"] = points
        gradebook.db.commit()
    return list(cells.values())


def count(course: Course, workshop: str, participant: str, held: list[dict[str, Any]]) -> None:
    """Let the held cells' own scores count again (accepted, or before grading again)."""
    if not held:
        return
    with course.gradebook() as gradebook:
        for cell in held:
            grade = gradebook.find_grade(cell["grade_id"], cell["notebook"], workshop, participant)
            grade.manual_score = None
        gradebook.db.commit()
