"""A participant's path in a real JupyterLab, driven in Debian's Chromium by Playwright.

Run on its own with ``pytest -m browser``. It starts JupyterLab on 127.0.0.1 with
a token in a temporary workspace prepared by ``cxkit lab``, answers the first
exercise of the foundations workshop wrongly then rightly, moves the
department picker, runs nbgrader's Validate, saves, hands the notebook in with
``cxkit submit`` and grades it through ``cxkit collect`` and ``cxkit grade``.

A screenshot of each step is written to ``test-artifacts/browser/`` (or the
folder in ``CXKIT_ARTIFACTS``). Every process the test starts is stopped, even
when a step fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from notebooks import ROOT, GradingCourse, meta, points, read, read_source, wait_until_idle

WORKSHOP, NAME = "00-foundations", "foundations"
WRONG = 'my_touchpoints = touchpoints[touchpoints["department"] == "Accounting"]'
RIGHT = 'my_touchpoints = touchpoints[touchpoints["department"] == department]'
WAIT_MS = 120_000

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lab:
    """A JupyterLab server started by the test, and every process it started."""

    workspace: Path
    url: str
    token: str
    process: subprocess.Popen[bytes]
    log: Path
    seen: set[int] = field(default_factory=set)

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def remember_children(self) -> None:
        """Note the server's descendants (kernels run in sessions of their own)."""
        with contextlib.suppress(psutil.NoSuchProcess):
            self.seen |= {p.pid for p in psutil.Process(self.process.pid).children(True)}

    def stop(self) -> list[int]:
        """Shut the server and its kernels down; return the pids that had to be killed."""
        self.remember_children()
        if self.process.poll() is None:
            try:
                self.api("/api/shutdown", "POST")
                self.process.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        killed = []
        for pid in sorted(self.seen):
            try:
                survivor = psutil.Process(pid)
                if survivor.status() != psutil.STATUS_ZOMBIE:
                    survivor.kill()
                    killed.append(pid)
            except psutil.NoSuchProcess:
                pass
        return killed


def _artifacts() -> Path:
    folder = Path(os.environ.get("CXKIT_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab as ``cxkit lab`` starts it, in a fresh workspace, on a free port."""
    from cxkit.participant import lab as participant_lab

    workspace = participant_lab.prepare(tmp_path_factory.mktemp("workspace")).root
    token, port = secrets.token_hex(16), _free_port()
    log = workspace.parent / "jupyterlab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            participant_lab.command(workspace, port, token, browser=False),
            cwd=workspace,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Lab(workspace, f"http://127.0.0.1:{port}", token, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                server.api("/api/status")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        yield server
    finally:
        leftovers = server.stop()
    assert leftovers == [], f"processes still running after shutdown: {leftovers}"


def test_the_lab_starts_clean_with_the_kits_kernel(lab):
    """Does JupyterLab start with no critical log line, the exchange set, the cxkit kernel?"""
    specs = lab.api("/api/kernelspecs")
    assert specs["default"] == "cxkit"
    assert specs["kernelspecs"]["cxkit"]["spec"]["display_name"] == "Python 3 (cxkit)"
    text = lab.log.read_text()
    assert "[C " not in text and "Unwritable directory" not in text, text[-2000:]
    assert "No nbgrader_config.py file found" not in text
    assert (lab.workspace / ".exchange").is_dir()
    assert sorted(p.name for p in (lab.workspace / WORKSHOP).glob("*.ipynb")) == [f"{NAME}.ipynb"]


class Steps:
    """The participant's page, with a numbered screenshot after each step."""

    def __init__(self, page: object, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0

    def shot(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"))

    def idle(self) -> None:
        """Wait until the kernel has finished everything it was asked to run."""
        wait_until_idle(self.page, WAIT_MS)

    def cell(self, text: str) -> object:
        """The code cell whose input holds ``text``."""
        return self.page.locator(
            ".jp-CodeCell", has=self.page.locator(".jp-InputArea", has_text=text)
        )

    def select(self, text: str) -> object:
        cell = self.cell(text).first
        cell.locator(".jp-InputPrompt").click()
        return cell

    def menu(self, top: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
        self.page.locator(".lm-Menu-itemLabel", has_text=item).first.click()

    def answer(self, text: str, code: str) -> None:
        """Replace the code of the cell holding ``text`` by ``code``, run it and its check."""
        cell = self.cell(text).first
        cell.locator(".cm-content").click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(code)
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("Shift+Enter")  # the answer; moves to its check
        self.idle()
        self.page.keyboard.press("Shift+Enter")  # the check
        self.idle()


def _check_output(steps: Steps) -> str:
    check = steps.cell('"""Check that my_touchpoints').first
    return check.locator(".jp-Cell-outputArea").inner_text()


def test_a_participant_answers_validates_saves_and_is_graded(lab, browser, tmp_path):
    """Hint, then pass, a widget, Validate, save: does the grade match what was answered?"""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    steps = Steps(page, _artifacts())
    try:
        page.goto(f"{lab.url}/lab/tree/{WORKSHOP}/{NAME}.ipynb?token={lab.token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=WAIT_MS)
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=WAIT_MS
        )
        steps.shot("opened")

        # everything the first exercise needs, as the notebook tells participants
        steps.select("my_touchpoints = None")
        steps.menu("Run", "Run All Above Selected Cell")
        steps.idle()
        lab.remember_children()
        steps.shot("ran-the-cells-above")

        steps.answer("my_touchpoints = None", WRONG)
        hint = _check_output(steps)
        steps.shot("wrong-answer-hint")
        assert "Not yet:" in hint and "lower case" in hint, hint

        steps.answer(WRONG, RIGHT)
        passed = _check_output(steps)
        steps.shot("right-answer-passes")
        assert passed.startswith("Correct: accounting owns 2 touchpoints"), passed

        picker = steps.cell("look_up(owned_by").first
        steps.select("look_up(owned_by")
        page.keyboard.press("Shift+Enter")
        steps.idle()
        output = picker.locator(".jp-Cell-outputArea")
        page.wait_for_function(
            "el => el.innerText.includes('payment reminder')", arg=output.element_handle()
        )
        before = output.inner_text()
        picker.locator("select").select_option("marketing")
        page.wait_for_function(
            "el => el.innerText.includes('campaign ad')", arg=output.element_handle()
        )
        after = output.inner_text()
        steps.shot("widget-moved")
        assert "payment reminder" in before and "campaign ad" not in before
        assert "campaign ad" in after and "payment reminder" not in after

        page.keyboard.press("Control+S")
        page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=WAIT_MS)
        page.locator(".jp-Toolbar-item", has_text="Validate").first.click()
        dialog = page.locator(".jp-Dialog-content")
        dialog.wait_for(timeout=WAIT_MS)
        page.wait_for_function(
            "() => !document.querySelector('.jp-Dialog-content')?.innerText.includes('Validating')",
            timeout=WAIT_MS,
        )
        verdict = dialog.inner_text()
        steps.shot("validate-verdict")
        # every check fails but the one answered, and both reflections are blank
        source = read_source(WORKSHOP)[NAME]
        checks, reflections = len(points(source)), len(points(source, "reflection"))
        assert verdict.count("The following cell failed") == checks - 1 + reflections
        assert verdict.count("You did not provide a response") == reflections
        assert "nps_by_hand is still None" in verdict and "checks.touchpoints(" not in verdict
        page.keyboard.press("Escape")

        page.keyboard.press("Control+S")
        page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=WAIT_MS)
        steps.shot("saved")
    finally:
        lab.remember_children()
        page.close()

    saved = read(lab.workspace / WORKSHOP / f"{NAME}.ipynb")
    answer = next(c for c in saved.cells if meta(c).get("grade_id") == "dept_touchpoints")
    assert answer.source.strip() == RIGHT

    from cxkit.course.collect import collect
    from cxkit.course.directory import Course
    from cxkit.course.grade import grade
    from cxkit.participant.submit import submit

    handed_in = submit(WORKSHOP, "jo.smith", lab.workspace)
    course = GradingCourse(tmp_path / "course", WORKSHOP)
    facilitator = Course(course.root, course.db_url)
    placed = collect(facilitator, WORKSHOP, handed_in.path)
    assert [(pid, nb) for pid, nb, _ in placed.placed] == [("jo.smith", NAME)]
    outcome = grade(facilitator, WORKSHOP, workers=1, show_progress=False)["jo.smith"]
    assert outcome.state == "graded", outcome.reason
    scores = course.scores("jo.smith")
    expected = {gid: 0.0 for gid in points(course.source[NAME])}
    expected["dept_touchpoints_check"] = points(course.source[NAME])["dept_touchpoints_check"]
    assert {g: s for g, s in scores.items() if g in expected} == expected
    assert outcome.score == expected["dept_touchpoints_check"]
