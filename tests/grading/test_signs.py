"""Signs after the run: a check that passed without its own output, or in no time."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cxkit.grading.incidents import signs
from cxkit.grading.outcomes import Kind


def _graded(source: str, gid: str, printed: str = "", ms: float = 5.0, error: bool = False):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": gid, "points": 1}
    begin = "2026-12-06T09:00:00.000000Z"
    cell.metadata["execution"] = {
        "iopub.execute_input": begin,
        "shell.execute_reply": f"2026-12-06T09:00:00.{int(ms * 1000):06d}Z",
    }
    if printed:
        cell.outputs.append(new_output("stream", name="stdout", text=printed))
    if error:
        cell.outputs.append(new_output("error", ename="CheckFailed", evalue="no", traceback=[]))
    return cell


def test_a_check_that_passed_silently_or_at_once_is_pointed_out(tmp_path: Path):
    """Is a grade cell that passed without each check's "Correct: ..." line, or faster than a
    kernel runs any cell, pointed out with its exercise; and are failed checks, plain
    asserts and checks that said so left alone?"""
    one = 'checks.nps(x, scores, name="x")'
    two = one + '\nchecks.share(y, 20, name="y")'
    cells = [
        new_markdown_cell("### Exercise 1 · NPS"),
        _graded(one, "right", "Correct: x = 20.\n"),
        _graded(one, "failed", error=True),
        _graded("assert x == 20", "plain_assert"),
        new_markdown_cell("### Exercise 2 · Shares"),
        _graded(two, "one_silent", "Correct: x = 20.\n"),
        _graded(one, "silent"),
        _graded(one, "instant", "Correct: x = 20.\n", ms=0.1),
    ]
    path = tmp_path / "mini.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    found = signs(nbformat.read(path, as_version=4).cells, path.name)
    assert [(f.kind, f.details["grade_id"], f.details["index"]) for f in found] == [
        (Kind.CHECK_SILENT, "one_silent", 5),
        (Kind.CHECK_SILENT, "silent", 6),
        (Kind.CHECK_INSTANT, "instant", 7),
    ]
    found[0].details["points"] = 1
    assert found[0].text == (
        'Exercise 2\'s check passed without printing its own result ("Correct: ..."): 1 '
        "points from there on are held until you run cxkit accept or cxkit reject"
    )
    assert found[2].text.startswith("Exercise 2's check passed in 0.10 ms, faster than any")
