"""A small nbgrader course built in a temporary folder, for the course-pipeline tests.

The course has one workshop, ``mini``, with two autograded exercises (one with a
hidden test) and one manually graded reflection: 3 autograded points in all.
Submissions are built from its source by replacing answers, so each test says
exactly what a participant did.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cxkit.course.cells import split_hidden

SETUP = "import math"
DOUBLE = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
DOUBLE_TEST = (
    '"""Check that double doubles"""\nassert double(2) == 4\n'
    "### BEGIN HIDDEN TESTS\nassert double(21) == 42, 'secret-hidden-check'\n"
    "### END HIDDEN TESTS"
)
ANSWER = "answer = None\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION"
ANSWER_TEST = '"""Check that answer is 42"""\nassert answer == 42, "Look again at the question."'
SHARE = "share = None\n### BEGIN SOLUTION\nshare = 0.25\n### END SOLUTION"
SHARE_TEST = (
    '"""Check that share is a quarter"""\nfrom cxkit import checks\n\nchecks.number(share, 0.25)'
)


def _meta(grade_id: str, **flags: object) -> dict:
    base = {"grade": False, "solution": False, "locked": False, "schema_version": 3}
    base.update(flags)
    base["grade_id"] = grade_id
    return {"nbgrader": base}


def source_notebook(checks: bool = False) -> nbformat.NotebookNode:
    """The source; ``checks`` adds a third exercise checked by ``cxkit.checks`` (1 point)."""
    cells = [
        new_markdown_cell("# Mini workshop", metadata=_meta("intro", locked=True)),
        new_code_cell(SETUP, metadata=_meta("setup", locked=True)),
        new_markdown_cell("## Exercise 1", metadata=_meta("ex1", locked=True)),
        new_code_cell(DOUBLE, metadata=_meta("double", solution=True)),
        new_code_cell(
            DOUBLE_TEST, metadata=_meta("double_test", grade=True, locked=True, points=2)
        ),
        new_markdown_cell("## Exercise 2", metadata=_meta("ex2", locked=True)),
        new_code_cell(ANSWER, metadata=_meta("answer", solution=True)),
        new_code_cell(
            ANSWER_TEST, metadata=_meta("answer_test", grade=True, locked=True, points=1)
        ),
        new_markdown_cell(
            "YOUR ANSWER HERE", metadata=_meta("reflection", grade=True, solution=True, points=1)
        ),
    ]
    if checks:
        cells += [
            new_markdown_cell("## Exercise 3", metadata=_meta("ex3", locked=True)),
            new_code_cell(SHARE, metadata=_meta("share", solution=True)),
            new_code_cell(
                SHARE_TEST, metadata=_meta("share_test", grade=True, locked=True, points=1)
            ),
        ]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return notebook


def make_course(root: Path, checks: bool = False) -> Path:
    """Write the course (source/mini/mini.ipynb and an nbgrader_config.py) into ``root``."""
    (root / "source" / "mini").mkdir(parents=True)
    nbformat.write(source_notebook(checks), root / "source" / "mini" / "mini.ipynb")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'mini'\n"
    )
    return root


def submission(
    replace: dict[str, str] | None = None, checks: bool = False
) -> nbformat.NotebookNode:
    """The source notebook as a participant would hand it in, with cells replaced by grade id."""
    notebook = source_notebook(checks)
    for cell in notebook.cells:
        gid = cell.metadata["nbgrader"]["grade_id"]
        if replace and gid in replace:
            cell.source = replace[gid]
        cell.source = split_hidden(cell.source)[0]
    return notebook


def hand_in(
    root: Path, participant: str, notebook: nbformat.NotebookNode | str, name: str = "mini"
) -> Path:
    """Put a submission in submitted/<participant>/mini/ (a string is written as raw text)."""
    folder = root / "submitted" / participant / "mini"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    if isinstance(notebook, str):
        path.write_text(notebook)
    else:
        nbformat.write(notebook, path)
    (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC\n")
    return path
