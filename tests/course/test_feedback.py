"""The feedback page, built from an autograded notebook: readable, safe, offline, foldable."""

from __future__ import annotations

import html
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cxkit.course.cells import HIDDEN_FAILED
from cxkit.course.exercises import exercises, headings
from cxkit.course.feedback import EXPLORER, feedback_page, for_participant
from cxkit.course.render import NETWORK, clean_html

INTRO = (
    "# Workshop 00 · CX\n\n**Who it is for:** everyone.\n\n"
    "| score | group |\n|---|---|\n| 9 or 10 | **promoters** |\n"
)
TRACEBACK = [
    "\x1b[0;31mAssertionError\x1b[0m  Traceback (most recent call last)",
    "Cell In[9], line 4\n      2 assert double(2) == 4\n----> 4 assert double(21) == 42\n",
    "\x1b[0;31mAssertionError\x1b[0m: ",
]
FRAME = (
    "<div><style scoped>.dataframe tbody tr th { color: red; }</style>"
    '<table border="1" class="dataframe"><thead><tr><th>stage</th><th>touchpoint</th></tr>'
    "</thead><tbody><tr><td>pay</td><td>invoice</td></tr></tbody></table></div>"
)
WIDGET = {
    "application/vnd.jupyter.widget-view+json": {"model_id": "a1", "version_major": 2},
    "text/plain": "interactive(children=(Dropdown(description='department', options=('it',",
}
GRADES = {"double_test": (0.0, 2.0), "answer_test": (1.0, 1.0), "why": (None, 2.0)}


def _graded(cell, gid: str, points: float):
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "points": points}
    return cell


def _autograded() -> nbformat.NotebookNode:
    """An autograded notebook as nbgrader leaves it: hidden tests restored, tracebacks kept."""
    return new_notebook(
        cells=[
            new_markdown_cell(INTRO),
            new_code_cell(
                "touchpoints",
                outputs=[
                    new_output("execute_result", data={"text/html": FRAME, "text/plain": "x"})
                ],
            ),
            new_code_cell(
                "interact(owned_by)", outputs=[new_output("display_data", data=dict(WIDGET))]
            ),
            new_markdown_cell("### Exercise 1 · Doubling (2 points)\n\nWrite `double`."),
            new_code_cell("def double(x):\n    return 4"),
            _graded(
                new_code_cell(
                    '"""Check that double doubles"""\nassert double(2) == 4\n'
                    "### BEGIN HIDDEN TESTS\nassert double(21) == 42\n### END HIDDEN TESTS",
                    outputs=[
                        new_output("stream", name="stderr", text="a warning\n"),
                        new_output("error", ename="AssertionError", evalue="", traceback=TRACEBACK),
                    ],
                ),
                "double_test",
                2,
            ),
            new_markdown_cell("### Exercise 2 · The answer (1 point)"),
            new_code_cell(
                "answer = 42\nprint('answer is', answer)",
                outputs=[new_output("stream", name="stdout", text="answer is 42\n")],
            ),
            _graded(new_code_cell("assert answer == 42"), "answer_test", 1),
            new_markdown_cell("### Reflection 1 (2 points)\n\nWhat will you change?"),
            _graded(
                new_markdown_cell(
                    "We check **every** invoice.<script>alert(1)</script>"
                    '<img src="https://tracker.example.org/p.png">'
                ),
                "why",
                2,
            ),
        ]
    )


@pytest.fixture(scope="module")
def page() -> str:
    return feedback_page(_autograded(), GRADES, "00: feedback for ana", [("", "Autograded: 1 / 3")])


def _visible(page: str) -> str:
    """The page's text as a reader sees it, roughly: tags, styles and the head removed."""
    body = page.split("<body>", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_markdown_is_rendered_as_jupyter_renders_it(page):
    """Are headings, bold text and markdown tables HTML, with no markdown syntax left?"""
    assert re.search(r"<h1[^>]*>Workshop 00 · CX", page)
    assert re.search(r"<h3[^>]*>Exercise 1 · Doubling \(2 points\)", page)
    assert "<strong>Who it is for:</strong>" in page
    assert re.search(r"<table>\s*<thead>\s*<tr>\s*<th>score</th>", page)
    text = _visible(page)
    assert "**" not in text and "|---|" not in text
    assert not [line for line in text.splitlines() if line.lstrip().startswith("#")]


def test_hidden_tests_never_show_not_even_in_the_traceback(page):
    """Is a hidden test absent from the code shown and from the hint, which says it was hidden?"""
    assert "double(21)" not in page and "most recent call last" not in page
    assert HIDDEN_FAILED in page
    assert "assert double(2) == 4" in _visible(page)  # the visible test stays
    assert "a warning" not in page  # stderr is for the facilitator's log


def test_dataframes_are_tables_and_widgets_a_note(page):
    """Does a DataFrame show as its HTML table (without its style) and a widget as a note?"""
    assert '<table border="1" class="dataframe">' not in page  # cleaned: no border attribute
    assert re.search(r'<table class="dataframe">\s*<thead>', page)
    assert "color: red" not in page
    assert EXPLORER in page
    assert "interactive(" not in page and "widget-view" not in page


def test_the_summary_lists_every_exercise_with_points_and_links(page):
    """Is there one row per graded exercise, titled by its heading, with points, result, hint
    and a link to an element of the page?"""
    summary = page.split('<table class="exercises">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr class=\"(\w+)\">(.*?)</tr>", summary, re.DOTALL)
    assert [state for state, _ in rows] == ["fail", "pass", "pending"]
    cells = [re.findall(r"<td>(.*?)</td>", row, re.DOTALL) for _, row in rows]
    titles = [re.sub(r"<[^>]+>", "", c[0]) for c in cells]
    assert titles == ["Exercise 1 · Doubling", "Exercise 2 · The answer", "Reflection 1"]
    assert [c[1] for c in cells] == ["0 / 2", "1 / 1", "2"]
    assert HIDDEN_FAILED in cells[0][2] and cells[1][2] == "Passed"
    assert cells[2][2] == "Awaiting your facilitator"
    for anchor in re.findall(r'<a href="#([^"]+)">', summary):
        assert f'id="{anchor}"' in page


def test_results_show_under_each_check(page):
    """Are the pass, fail and pending results written under their cells, as before?"""
    assert "Not yet: 0 / 2 points." in page
    assert "Passed: 1 / 1 points." in page
    assert "Pending: your facilitator has not graded this yet (2 points)." in page
    assert "answer is 42" in page  # what the code printed


def test_code_is_folded_behind_details(page):
    """Is every code cell's source inside a <details> whose summary says 'Show the code'?"""
    folded = re.findall(
        r'<details class="code"><summary>Show the code</summary>(.*?)</details>', page, re.DOTALL
    )
    assert len(folded) == 6  # one per code cell
    assert _visible(f"<body>{folded[2]}").strip() == "def double(x):\n    return 4"
    assert "<script" not in page and "@media print" in page


def test_participants_html_cannot_load_or_run_anything(page):
    """Is a participant's <script> or remote image in a reflection dropped, the text kept?"""
    assert "We check <strong>every</strong> invoice." in page
    assert "alert(1)" not in page and "tracker.example.org" not in page
    assert not NETWORK.search(page) and "https://" not in page


def test_the_autograded_notebook_is_left_as_it_was():
    """Does building the participant's copy leave nbgrader's notebook untouched?"""
    notebook = _autograded()
    before = nbformat.writes(notebook)
    shown, rows = for_participant(notebook, GRADES)
    assert nbformat.writes(notebook) == before
    assert len(rows) == 3 and len(shown.cells) == len(notebook.cells)


def test_a_deleted_check_is_still_listed():
    """Does a grade whose cell the participant deleted still get a row, awaiting the facilitator?"""
    _, rows = for_participant(_autograded(), {**GRADES, "gone_test": (None, 1.0)})
    assert rows[-1]["title"] == "gone_test (this cell is missing from your notebook)"
    assert rows[-1]["anchor"] == "" and rows[-1]["state"] == "pending"


def test_titles_come_from_headings_outside_code_blocks():
    """Is a `# comment` in a fenced code block never taken for a heading?"""
    assert headings("### Exercise 3\n\n```python\n# keep rows\n```") == ["Exercise 3"]
    found = exercises(_autograded().cells)
    assert [(e.grade_id, e.title, e.heading) for e in found] == [
        ("double_test", "Exercise 1 · Doubling", 3),
        ("answer_test", "Exercise 2 · The answer", 6),
        ("why", "Reflection 1", 9),
    ]


def test_clean_html_keeps_tables_and_embedded_charts():
    """Does the sanitizer keep a table and a data: PNG, and drop remote loads and handlers?"""
    kept = clean_html(
        '<table><tr><th scope="col">a</th></tr></table><img src="data:image/png;base64,AA==" '
        'alt="chart" onerror="x()"><iframe src="//evil.example"></iframe>'
    )
    assert '<th scope="col">a</th>' in kept
    assert '<img src="data:image/png;base64,AA==" alt="chart">' in kept
    assert "onerror" not in kept and "iframe" not in kept and "evil" not in kept


def test_a_graded_reflection_says_so():
    """Once the facilitator grades a reflection, does it show as graded with its points?"""
    grades = {**GRADES, "why": (1.0, 2.0)}
    page = feedback_page(_autograded(), grades, "00: feedback for ana", [("", "Autograded")])
    assert "Graded by your facilitator: 1 / 2 points." in page
    _, rows = for_participant(_autograded(), grades)
    assert (rows[-1]["points"], rows[-1]["result"]) == ("1 / 2", "Graded")
