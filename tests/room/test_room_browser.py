"""A whole workshop in a real room: two participants in Chromium, the facilitator's commands.

Run on its own with ``pytest -m browser tests/room/test_room_browser.py``. A real
JupyterHub and proxy on 127.0.0.1 (the ``open_room`` fixture, stopped at the
end whatever happens); Playwright drives Debian's Chromium, one browser profile
per participant. Ana and Ben log in with the codes on their slips, fetch
workshop 00 from the Assignments tab, answer the first exercise (Ana rightly,
Ben wrongly), Validate, save and Submit. The facilitator collects, grades and
returns feedback with the ``cxkit`` command; each participant fetches their
feedback and reads it in their lab. Ana then tries to open Ben's notebook and
the course's source: through the hub, through her lab's file URLs and through
code in her kernel.

A screenshot of each step is written to ``test-artifacts/room-browser/`` (or
the folder in ``CXKIT_ARTIFACTS``); the test prints where.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from notebooks import ROOT, wait_until_idle

from cxkit.cli import main
from cxkit.course.directory import Course
from cxkit.course.quickstart import quickstart
from cxkit.course.roster import import_roster

WORKSHOP, NAME = "00-foundations", "foundations"
ANSWERS = {  # the first exercise: Ana right, Ben with the capitalised department
    "ana": 'my_touchpoints = touchpoints[touchpoints["department"] == department]',
    "ben": 'my_touchpoints = touchpoints[touchpoints["department"] == "Accounting"]',
}
ROSTER = (
    "id,name,email,department\n"
    "ana,Ana Adams,ana@example.com,accounting\n"
    "ben,Ben Bakker,ben@example.com,logistics\n"
)
WAIT_MS = 180_000

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _artifacts() -> Path:
    folder = Path(os.environ.get("CXKIT_ARTIFACTS", ROOT / "test-artifacts")) / "room-browser"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    print(f"\nScreenshots of each step: {folder}")
    return folder


def facilitator(course: Course, *args: str) -> str:
    """Run a ``cxkit`` command on the course, as the facilitator types it; what it printed."""
    with redirect_stdout(StringIO()) as printed:
        assert main([*args, "--course-dir", str(course.root)]) == 0
    return printed.getvalue()


class Participant:
    """One participant's browser profile in the room, with numbered screenshots of each step."""

    def __init__(self, browser: Any, url: str, pid: str, shots: Path, steps: Iterator[int]) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.url, self.pid, self.shots, self.steps = url, pid, shots, steps

    def shot(self, name: str) -> None:
        path = self.shots / f"{next(self.steps):02d}-{self.pid}-{name}.png"
        self.page.screenshot(path=str(path))

    def login(self, code: str) -> None:
        page = self.page
        page.goto(f"{self.url}/hub/login")
        page.fill("#username_input", self.pid)
        page.fill("#password_input", code)
        self.shot("sign-in")
        page.locator("#login_submit").click()
        page.wait_for_url(f"**/user/{self.pid}/lab**", timeout=WAIT_MS)
        page.wait_for_selector(".lm-MenuBar-itemLabel", timeout=WAIT_MS)
        self.shot("lab")

    def menu(self, top: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
        self.page.locator(".lm-Menu-itemLabel", has_text=item).first.click()

    def assignments(self) -> None:
        """The Assignments tab, opened once and brought to the front after."""
        tab = self.page.locator(".lm-TabBar-tabLabel", has_text="Assignments")
        if tab.count():
            tab.first.click()
        else:
            self.menu("Nbgrader", "Assignment List")
        self.page.wait_for_selector("#released_assignments_list", timeout=WAIT_MS)

    def click(self, selector: str, text: str, then: str) -> None:
        """Click the button ``text`` in ``selector``; wait until ``then`` is on the page."""
        self.page.locator(f"{selector} button", has_text=text).first.click()
        self.page.wait_for_selector(then, timeout=WAIT_MS)

    def idle(self) -> None:
        """Wait until the kernel has finished everything it was asked to run."""
        wait_until_idle(self.page, WAIT_MS)

    def kernel_ready(self) -> None:
        """Wait for the notebook's kernel; take the kit's kernel if JupyterLab asks which one.

        On a busy machine JupyterLab may open the notebook before it has the list
        of kernels, and then asks; the participant clicks Select (the kit's kernel).
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        choice = self.page.locator(".jp-Dialog", has_text="Select Kernel")
        with contextlib.suppress(PlaywrightTimeout):
            choice.wait_for(timeout=10_000)
            self.shot("kernel-choice")
            choice.locator("button", has_text="Select").click()
        self.page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=WAIT_MS
        )

    def cell(self, text: str) -> Any:
        inputs = self.page.locator(".jp-InputArea", has_text=text)
        return self.page.locator(".jp-CodeCell", has=inputs).first

    def type_and_run(self, cell: Any, code: str) -> None:
        cell.locator(".cm-content").click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(code)
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("Shift+Enter")
        self.idle()

    def answer_first_exercise(self, code: str) -> str:
        """Run all cells, as the notebook says; answer the first exercise, run its check.

        Running stops at the first check, the first exercise's, still unanswered.
        Returns what the check says after the answer.
        """
        check = self.cell('"""Check that my_touchpoints')
        self.menu("Run", "Run All Cells")
        check.locator(".jp-OutputArea-output").first.wait_for(timeout=WAIT_MS)
        self.idle()
        self.type_and_run(self.cell("my_touchpoints = None"), code)
        self.page.keyboard.press("Shift+Enter")  # the check under it
        self.idle()
        return str(check.locator(".jp-Cell-outputArea").inner_text())

    def save(self) -> None:
        self.page.keyboard.press("Control+S")
        self.page.wait_for_function(
            "() => !document.querySelector('.jp-mod-dirty')", timeout=WAIT_MS
        )

    def validate(self) -> str:
        page = self.page
        page.locator(".jp-Toolbar-item", has_text="Validate").first.click()
        dialog = page.locator(".jp-Dialog-content")
        dialog.wait_for(timeout=WAIT_MS)
        page.wait_for_function(
            "() => !document.querySelector('.jp-Dialog-content')?.innerText.includes('Validating')",
            timeout=WAIT_MS,
        )
        verdict = str(dialog.inner_text())
        self.shot("validated")
        page.keyboard.press("Escape")
        return verdict

    def feedback_page(self) -> str:
        """Fetch the feedback, follow "view feedback" and open the page in the lab; its text."""
        page = self.page
        self.assignments()
        page.locator("#refresh_assignments_list").first.click()
        page.wait_for_selector("text=(feedback available to fetch)", timeout=WAIT_MS)
        self.shot("feedback-ready")
        self.click("#submitted_assignments_list", "Fetch Feedback", "text=(view feedback)")
        page.locator("text=(view feedback)").first.click()
        item = page.locator(".jp-DirListing-item", has_text=f"{NAME}.html").first
        item.wait_for(timeout=WAIT_MS)
        item.dblclick()
        frame = page.frame_locator(".jp-HTMLViewer iframe").first
        frame.locator("body").wait_for(timeout=WAIT_MS)
        self.shot("feedback")
        return str(frame.locator("body").inner_text())


def test_a_workshop_in_a_room_from_sign_in_to_feedback(
    open_room: Callable[..., Any], browser: Any, tmp_path: Path
) -> None:
    """Fetch, answer, Validate, Submit; collect, grade, feedback: is each one's feedback theirs?"""
    root = tmp_path / "course"
    quickstart(root, ["00"])
    (tmp_path / "roster.csv").write_text(ROSTER)
    course = Course(root)
    import_roster(course, tmp_path / "roster.csv")
    room = open_room(course)
    released = facilitator(course, "release", "00")
    assert "In the workshop room: 00-foundations." in released

    shots, steps = _artifacts(), itertools.count(1)
    people = {pid: Participant(browser, room.url, pid, shots, steps) for pid in ("ana", "ben")}
    try:
        _the_workshop(course, people, room.codes)
    except BaseException:
        for person in people.values():  # where each one was when it went wrong
            with contextlib.suppress(Exception):
                person.shot("at-failure")
        raise


def _the_workshop(course: Course, people: dict[str, Participant], codes: dict[str, str]) -> None:
    """Each participant's steps in turn, then the facilitator's, then each one's feedback."""
    checks = {}
    for pid, person in people.items():
        person.login(codes[pid])
        person.assignments()
        person.shot("assignments")
        person.click("#released_assignments_list", "Fetch", "#fetched_assignments_list button")
        person.shot("fetched")
        person.page.locator("#fetched_assignments_list a.assignment-notebooks-link").click()
        person.page.locator("#fetched_assignments_list .nested_list_item a").first.click()
        person.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=WAIT_MS)
        person.kernel_ready()
        checks[pid] = person.answer_first_exercise(ANSWERS[pid])
        person.shot("answered")
        person.save()
        verdict = person.validate()
        assert "The following cell failed" in verdict  # the other exercises are still blank
        person.save()
        person.assignments()
        person.click(
            "#fetched_assignments_list", "Submit", "#submitted_assignments_list .list_item"
        )
        person.shot("submitted")
    assert checks["ana"].startswith("Correct"), checks["ana"]
    assert checks["ben"].startswith("Not yet"), checks["ben"]

    collected = facilitator(course, "collect", "00")
    assert "Placed 2 notebook(s)" in collected, collected
    facilitator(course, "grade", "00", "--quiet")
    returned = facilitator(course, "feedback", "00")
    assert "Returned 2 page(s) through the workshop room" in returned, returned

    with course.gradebook() as gradebook:
        scores = {p: gradebook.find_submission(WORKSHOP, p).code_score for p in people}
    assert scores["ana"] > 0 and scores["ben"] == 0, scores
    pages = {pid: person.feedback_page() for pid, person in people.items()}
    for pid, other in (("ana", "ben"), ("ben", "ana")):
        assert f"feedback for {pid}" in pages[pid] and f"feedback for {other}" not in pages[pid]
        assert f"Autograded: {scores[pid]:g} / " in pages[pid]

    _ana_cannot_reach_ben_or_the_source(people["ana"], course)


def _ana_cannot_reach_ben_or_the_source(ana: Participant, course: Course) -> None:
    """Through the hub, the lab's file URLs and her kernel: nothing of Ben's, nor source/."""
    page = ana.page
    ben_notebook = f"/user/ben/lab/tree/{WORKSHOP}/{NAME}.ipynb"
    answer = page.goto(f"{ana.url}{ben_notebook}")
    ana.shot("bens-notebook-refused")
    assert answer is not None and answer.status == 403, answer and answer.status
    assert page.locator(".jp-Notebook").count() == 0
    source = course.folder("source") / WORKSHOP / f"{NAME}.ipynb"
    home_of_ben = course.state / "room" / "homes" / "ben" / WORKSHOP / f"{NAME}.ipynb"
    for path in (source, home_of_ben):
        answer = page.goto(f"{ana.url}/user/ana/files{path}")
        assert answer is not None and answer.status == 404, (path, answer and answer.status)
    ana.shot("source-not-found")
    listing = page.request.get(f"{ana.url}/user/ana/api/contents/")  # what her file browser lists
    assert [item["name"] for item in listing.json()["content"]] == [WORKSHOP]

    page.goto(f"{ana.url}/user/ana/lab/tree/{WORKSHOP}/{NAME}.ipynb")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=WAIT_MS)
    ana.kernel_ready()
    probe = "\n".join(
        f"print({str(p)!r}, os.path.exists({str(p)!r}))"
        for p in (source, home_of_ben, course.root / "gradebook.db")
    )
    ana.page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
    ana.page.keyboard.press("Escape")
    ana.page.keyboard.press("b")  # a new code cell under the first one
    ana.page.keyboard.press("Enter")
    ana.page.keyboard.type(f"import os\n{probe}")
    ana.page.keyboard.press("Shift+Enter")
    ana.idle()
    printed = str(ana.cell("os.path.exists").locator(".jp-Cell-outputArea").inner_text())
    ana.shot("kernel-cannot-see")
    assert printed.count(" False") == 3 and " True" not in printed, printed
