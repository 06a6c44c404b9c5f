"""A notebook's graded exercises, named as the participant reads them.

nbgrader knows a graded cell by its grade id (``nps_by_segment_check``); people
know it by the heading above it ("Exercise 4 · NPS by segment"). The feedback
page and the facilitator report both name exercises from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

import mistune

_POINTS = re.compile(r"\s*\(\s*\d+(?:\.\d+)?\s+points?\s*\)\s*$", re.IGNORECASE)
_PARSE = mistune.create_markdown(renderer=None)  # the parser nbconvert renders markdown with


@dataclass(frozen=True)
class Exercise:
    """One graded cell: a check (code) or a reflection the facilitator grades (markdown)."""

    grade_id: str
    title: str
    points: float
    written: bool  # a written answer, graded by hand
    cell: int  # the graded cell's position in the notebook
    heading: int | None  # the position of the markdown cell whose heading names it


def headings(markdown: str) -> list[str]:
    """The text of every heading in a markdown text, in order (code blocks are not headings).

    Examples
    --------
    >>> headings("## 2. NPS\\n\\n```python\\n# a comment\\n```\\n### Exercise 2 · **By hand**")
    ['2. NPS', 'Exercise 2 · By hand']
    """
    tokens = cast(list[dict[str, Any]], _PARSE(markdown))  # the AST: renderer=None
    return [_text(t) for t in tokens if t.get("type") == "heading"]


def _text(token: dict[str, Any]) -> str:
    if "children" in token:
        return "".join(_text(child) for child in token["children"]).strip()
    return str(token.get("raw", ""))


def exercises(cells: list[Any]) -> list[Exercise]:
    """The graded cells of a notebook, each titled by the last heading above it.

    The points in a heading ("(2 points)") are left out of the title. Two
    graded cells under one heading get distinct titles: a written answer's
    says so, a second check is numbered.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell
    >>> def graded(gid, points, cell):
    ...     cell.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "points": points}
    ...     return cell
    >>> cells = [new_markdown_cell("## 2. NPS\\n### Exercise 2 · NPS by hand (2 points)"),
    ...          new_code_cell("nps = None"), graded("nps_check", 2, new_code_cell("check()")),
    ...          graded("why", 1, new_markdown_cell("YOUR ANSWER HERE"))]
    >>> for e in exercises(cells):
    ...     print(e.grade_id, e.points, e.heading, e.title)
    nps_check 2.0 0 Exercise 2 · NPS by hand
    why 1.0 0 Exercise 2 · NPS by hand: your written answer
    """
    found: list[Exercise] = []
    taken: dict[str, int] = {}
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or not meta.get("grade_id"):
            continue
        heading, title = _above(cells, index)
        written = cell.get("cell_type") == "markdown"
        taken[title] = taken.get(title, 0) + 1
        if taken[title] > 1:
            title = f"{title}: your written answer" if written else f"{title} ({taken[title]})"
        points = float(meta.get("points", 0) or 0)
        found.append(Exercise(meta["grade_id"], title, points, written, index, heading))
    return found


def _above(cells: list[Any], index: int) -> tuple[int | None, str]:
    """The nearest markdown cell above ``index`` with a heading, and its last heading."""
    for above in range(index - 1, -1, -1):
        cell = cells[above]
        if cell.get("cell_type") != "markdown":
            continue
        found = headings(cell.get("source", ""))
        if found:
            return above, _POINTS.sub("", found[-1]) or found[-1]
    return None, "The exercise before any heading"


def titles(cells: list[Any]) -> dict[str, str]:
    """Grade id to title, for every graded cell of a notebook."""
    return {e.grade_id: e.title for e in exercises(cells)}
