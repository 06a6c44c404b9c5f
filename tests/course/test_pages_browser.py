"""The pages cxkit hands out, opened in Chromium as their readers open them.

A demo course (eight participants: one of each kind, so someone missed
exercises and everyone graded has reflections awaiting the facilitator) is built
once per test run (the ``demo`` fixture, shared with the grading tests); a
participant's feedback page, the facilitator report and the scorecard of the
sample company are opened from disk with Debian's Chromium. Screenshots are
kept in ``.pytest_cache/cxkit-pages/``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from cxkit.course.cells import split_hidden
from cxkit.course.cohort import cohort
from cxkit.course.exercises import exercises
from cxkit.resources import node_tool

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / ".pytest_cache" / "cxkit-pages"
SIZE = 8  # the smallest cohort with every kind of participant once
WORKSHOP, NOTEBOOK = "00-foundations", "foundations"
WIDGET_REPR = re.compile(r"interactive\(|Dropdown\(|widget-view")


@pytest.fixture(scope="module")
def pages(tmp_path_factory, demo) -> dict[str, Path]:
    """The demo's feedback for a participant who missed exercises, its report, and a scorecard."""
    from cxkit.scorecard.card import scorecard

    assert demo.size == SIZE  # the demo shared with the grading tests
    work = tmp_path_factory.mktemp("pages")
    course = demo.course
    partly = next(p.id for p in cohort(SIZE) if p.kind == "partly")
    card = scorecard(ROOT / "datasets", work / "card")[0]
    return {
        "feedback": course / "feedback" / partly / WORKSHOP / f"{NOTEBOOK}.html",
        "report": course / "reports" / WORKSHOP / "facilitator_report.html",
        "scorecard": card,
        "feedback_folder": course / "feedback",
    }


def _open(browser: Any, path: Path, **context: Any) -> tuple[Any, list[str]]:
    """A page showing ``path``, and the list every URL it requests is added to."""
    page = browser.new_context(viewport={"width": 1100, "height": 900}, **context).new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(path.as_uri())
    return page, requested


def _shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    print(f"screenshot: {SHOTS / name}.png")


def _no_markup_shown(text: str) -> None:
    """Visible text with no markdown syntax and no widget repr in it."""
    assert "**" not in text
    assert "|---|" not in text and "| --- |" not in text
    headings = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert not headings, headings[:3]
    assert not WIDGET_REPR.search(text)


def _axe(page: Any) -> None:
    """axe-core, run in the page: no serious or critical violation."""
    page.add_script_tag(path=str(node_tool("axe-core", "axe.min.js")))
    result = page.evaluate("async () => await axe.run()")
    bad = [
        (v["id"], v["impact"], [n["html"][:120] for n in v["nodes"][:3]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, bad
    assert len(result["passes"]) > 10  # axe really ran its rules


def _source_cells() -> list[Any]:
    return nbformat.read(ROOT / "source" / WORKSHOP / f"{NOTEBOOK}.ipynb", as_version=4).cells


def test_feedback_page_reads_as_a_page(browser, pages):
    """Does the participant's page show rendered text, a summary row with points for every
    graded exercise, a link to each, no markup, no widget, nothing from the network?"""
    page, requested = _open(browser, pages["feedback"])
    _shoot(page, "feedback")
    _no_markup_shown(page.inner_text("body"))
    expected = exercises(_source_cells())
    rows = page.locator("table.exercises tbody tr")
    assert rows.count() == len(expected) == 9
    missed = pending = 0
    for i, exercise in enumerate(expected):
        title, points, result = (rows.nth(i).locator("td").nth(c).inner_text() for c in range(3))
        assert title == exercise.title
        assert re.fullmatch(rf"(\d+ / )?{exercise.points:g}", points), points
        missed += result.startswith("Not yet")
        pending += result == "Awaiting your facilitator"
    assert missed >= 1 and pending == 2
    assert page.locator("h3", has_text="Exercise 4 · NPS by segment (2 points)").count() == 1
    assert page.locator("table.dataframe").count() >= 3  # DataFrames as tables
    assert "An interactive explorer: open your notebook" in page.inner_text("body")
    link = page.locator("table.exercises a", has_text="Exercise 4 · NPS by segment")
    link.click()
    assert page.evaluate("location.hash") == link.get_attribute("href")
    heading = page.locator("h3", has_text="Exercise 4 · NPS by segment")
    assert 0 <= heading.bounding_box()["y"] < 100  # scrolled to the exercise
    assert all(url.startswith(("file://", "data:")) for url in requested), requested


def test_feedback_code_folds_without_javascript(browser, pages):
    """With JavaScript off, is the code hidden until 'Show the code' is clicked?"""
    page, _ = _open(browser, pages["feedback"], java_script_enabled=False)
    first = page.locator("details.code").first
    assert first.locator("summary").inner_text() == "Show the code"
    assert not first.locator("pre").is_visible()
    first.locator("summary").click()
    assert first.locator("pre").is_visible()
    assert "import matplotlib.pyplot as plt" in first.inner_text()


def test_feedback_prints_without_the_code(browser, pages):
    """In print, are the code toggles gone and the summary and charts still there?"""
    page, _ = _open(browser, pages["feedback"])
    page.emulate_media(media="print")
    assert not page.locator("details.code").first.is_visible()
    assert page.locator("table.exercises").is_visible()
    assert page.locator("img").first.is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SHOTS / "feedback.pdf"))
    assert (SHOTS / "feedback.pdf").read_bytes()[:4] == b"%PDF"


def test_hidden_tests_never_appear_in_any_feedback(browser, pages):
    """Is no line of a hidden test in any participant's page, even with every code cell open?"""
    hidden = [line for c in _source_cells() for line in split_hidden(c.source)[1]]
    assert hidden  # workshop 00 has hidden tests
    feedback = sorted(pages["feedback_folder"].rglob("*.html"))
    assert len(feedback) == SIZE - 1  # everyone but the participant who handed nothing in
    opened = 0
    for path in feedback:
        page, _ = _open(browser, path, java_script_enabled=False)
        folds = page.locator("details.code")  # opened at once: clicking each took seconds
        folds.evaluate_all("all => all.forEach(fold => { fold.open = true; })")
        assert page.locator("details.code[open]").count() == folds.count()
        opened += folds.count()
        text, source = page.inner_text("body"), html.unescape(path.read_text(encoding="utf-8"))
        shown = [line for line in hidden if line in text or line in source]
        assert not shown, (path, shown)
        page.context.close()
    assert opened > 0  # the graded pages' code, shown


def test_feedback_page_is_accessible(browser, pages):
    """Does axe-core find no serious or critical violation on a feedback page?"""
    page, _ = _open(browser, pages["feedback"])
    _axe(page)


def test_report_in_the_facilitators_words(browser, pages):
    """Does the facilitator report show rendered text, exercise titles (not grade ids), readable
    headings, pass axe-core and load nothing from the network?"""
    page, requested = _open(browser, pages["report"])
    _shoot(page, "facilitator-report")
    text = page.inner_text("body")
    _no_markup_shown(text)
    for exercise in exercises(_source_cells()):
        if not exercise.written:
            assert exercise.title in text
        assert exercise.grade_id not in text
    headings = page.locator("th").all_inner_texts()
    assert "handed in" in headings and "reflections to grade" in headings
    assert not [h for h in headings if "_" in h], headings
    assert page.locator("strong").count() >= 5  # the summary's numbers, in bold
    assert all(url.startswith(("file://", "data:")) for url in requested), requested
    _axe(page)


def test_scorecard_reads_as_a_page(browser, pages):
    """Does the scorecard show rendered text, readable headings, pass axe-core and load
    nothing from the network?"""
    page, requested = _open(browser, pages["scorecard"])
    _shoot(page, "scorecard")
    _no_markup_shown(page.inner_text("body"))
    headings = page.locator("th").all_inner_texts()
    assert "median wait (hours)" in headings
    assert not [h for h in headings if "_" in h], headings
    assert page.locator("h2", has_text="How to read this scorecard").count() == 1
    assert all(url.startswith(("file://", "data:")) for url in requested), requested
    _axe(page)
