"""A participant's "Run All" in real JupyterLab, driven in Debian's Chromium (for bench_runall).

Each workshop gets the lab a participant gets from ``cxkit lab``: a
workspace laid out by :func:`cxkit.participant.lab.prepare` (here from
``source/``, solutions in, so every cell runs) and the server started by
:func:`cxkit.participant.lab.command`, on 127.0.0.1, a free port, a token, no
browser of its own. Chromium (headless, one browser profile a workshop) opens
the notebook, waits until its kernel is idle (choosing ``Python 3 (cxkit)`` if
JupyterLab asks), and then a run is timed in the page's own clock: from the
click on *Restart* in the dialog of *Kernel > Restart Kernel and Run All
Cells...* to the first frame in which every code cell shows an execution count,
none shows ``[*]``, and the kernel is idle.

Windowing: the bench keeps JupyterLab's default (in 4.6, ``contentVisibility``),
as a participant has it. Checked in 4.6.6: after opening a notebook the lab adds
its cells to the page in batches, within a second or two, and keeps them all
there; the cells out of view carry the CSS ``content-visibility: auto``, so the
browser lays out and paints only those in view. The bench waits until the page
holds every code cell of the notebook before timing (and says so clearly if a
windowing mode ever leaves some out), and the end is read from every cell's
prompt, in view or not.

The lab server runs in a session of its own, so that Ctrl-C reaches the bench
and not the server; the bench stops the server (and so its kernels) and
Chromium whatever happens, and removes its temporary folders.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import psutil

from cxkit.errors import CxkitError
from cxkit.participant.lab import KERNEL, command, prepare
from cxkit.resources import CHROMIUM_ARGS, tools_on_path
from cxkit.resources import CLONE as REPO_ROOT
from cxkit.room.hub import free_port

CHROMIUM = "/usr/bin/chromium"  # Debian's (apt-get install chromium)
READY_S = 120  # for the lab server to answer, and for a notebook's kernel to be idle
RUN_S = 600  # for one "Run All"
CODE_CELLS = ".jp-Notebook .jp-CodeCell"
IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
SELECT_KERNEL = ".jp-Dialog:has-text('Select Kernel')"
# The click on the dialog's Restart button, in the page's clock.
CONFIRMED = """() => document.addEventListener("click", (event) => {
    if (event.target.closest(".jp-Dialog .jp-mod-accept")) {
        window.cxkitConfirmed = performance.now();
        window.cxkitStarted = false;
    }
}, true)"""
# Polled at every frame after the click: false until the kernel has been busy
# (or a cell queued) and is idle again with no cell queued; then the seconds
# since the click, how many code cells the page shows and the first not run.
FINISHED = """() => {
    const idle = document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
    const prompts = [...document.querySelectorAll(".jp-Notebook .jp-CodeCell .jp-InputPrompt")]
        .map((prompt) => prompt.textContent.trim());
    const queued = prompts.some((prompt) => prompt.includes("*"));
    window.cxkitStarted = window.cxkitStarted || queued || !idle;
    if (!window.cxkitStarted || queued || !idle) return false;
    return {
        seconds: (performance.now() - window.cxkitConfirmed) / 1000,
        cells: prompts.length,
        unrun: prompts.findIndex((prompt) => !/^\\[\\d+\\]/.test(prompt)),
    };
}"""


@dataclass(frozen=True)
class Run:
    """One timed "Run All": seconds the participant waited, CPU seconds of the kernel, of the
    lab server (relaying the kernel's messages) and of Chromium over the same run."""

    seconds: float
    kernel_cpu: float
    server_cpu: float
    browser_cpu: float


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab server: its address, token, process and workspace."""

    url: str
    token: str
    process: subprocess.Popen[bytes]
    workspace: Path

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API; the decoded answer (None when empty)."""
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read()
        return json.loads(body) if body else None


def _cpu(processes: list[psutil.Process]) -> dict[psutil.Process, float]:
    """CPU seconds (user and system) each of ``processes`` has used so far, those alive."""
    used = {}
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            used[process] = times.user + times.system
    return used


def _cpu_since(before: dict[psutil.Process, float], now: list[psutil.Process]) -> float:
    """CPU seconds used by ``now``'s processes since ``before`` (all of it for new ones)."""
    return sum(cpu - before.get(process, 0.0) for process, cpu in _cpu(now).items())


def _browser_processes() -> list[psutil.Process]:
    """Chromium's processes (the browser, its renderers and helpers), started by this bench."""
    found = []
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if "chrom" in process.name().lower():
                found.append(process)
    return found


def _kernel_processes(lab: Lab) -> list[psutil.Process]:
    """The lab's kernels: the server's child processes."""
    return psutil.Process(lab.process.pid).children(recursive=True)


def _wait_until_up(lab: Lab, log: Path) -> None:
    """Wait until the server answers its status API; a clear error with its log if it never does."""
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            break
        with contextlib.suppress(OSError):
            lab.api("GET", "status")
            return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:]
    raise CxkitError(
        f"JupyterLab did not answer at {lab.url} within {READY_S} s (exit code "
        f"{lab.process.poll()}). Its log ends with:\n{tail}\nRun `cxkit lab` by hand to see why."
    )


def _stop(lab: Lab) -> None:
    """Stop the server (it shuts its kernels down on SIGTERM), then any kernel it left behind."""
    left: list[psutil.Process] = []
    with contextlib.suppress(psutil.NoSuchProcess):
        left = _kernel_processes(lab)
    if lab.process.poll() is None:
        lab.process.terminate()
        try:
            lab.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.process.pid, signal.SIGKILL)  # the server's own session, nothing else
            lab.process.wait()
    _, alive = psutil.wait_procs(left, timeout=10)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


@contextlib.contextmanager
def lab_for(workshop: str) -> Iterator[Lab]:
    """A participant's lab on a temporary copy of ``source/<workshop>/``, stopped at the end."""
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-lab-") as tmp:
        workspace = Path(tmp) / "workspace"
        prepare(workspace, [workshop], release=REPO_ROOT / "source")
        port, token, log = free_port(), secrets.token_hex(16), Path(tmp) / "lab.log"
        tools_on_path()  # as cxkit lab does: this Python's jupyter and nbgrader first on PATH
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(Path(tmp) / "runtime")}
        with log.open("wb") as out:
            process = subprocess.Popen(
                command(workspace, port, token=token, browser=False),
                cwd=workspace,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        lab = Lab(f"http://127.0.0.1:{port}", token, process, workspace)
        try:
            _wait_until_up(lab, log)
            yield lab
        finally:
            _stop(lab)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright; closed at the end."""
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        raise CxkitError(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), "
            "or time papermill alone with CXKIT_BENCH_RUNALL=papermill."
        )
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as err:
            raise CxkitError(f"Chromium at {CHROMIUM} could not start: {err}") from None
        try:
            yield browser
        finally:
            browser.close()


def _open(page: Any, lab: Lab, notebook: str) -> None:
    """Open ``notebook`` in the lab and wait until its kernel is idle, choosing the kit's
    kernel if JupyterLab asks which one."""
    page.goto(f"{lab.url}/lab/tree/{notebook}?token={lab.token}")
    page.wait_for_selector(f"{SELECT_KERNEL}, {IDLE}", timeout=READY_S * 1000)
    choice = page.locator(SELECT_KERNEL)
    if choice.count():
        choice.locator("button", has_text="Select").click()
    page.wait_for_selector(IDLE, timeout=READY_S * 1000)


def _every_cell_in_page(page: Any, notebook: str, expected: int) -> None:
    """Wait until the page holds all ``expected`` code cells (JupyterLab adds them in
    batches after opening a notebook); a clear error if windowing leaves some out."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            f"() => document.querySelectorAll('{CODE_CELLS}').length === {expected}",
            timeout=READY_S * 1000,
        )
    except PlaywrightTimeout:
        shown = page.locator(CODE_CELLS).count()
        raise CxkitError(
            f"JupyterLab shows {shown} of the {expected} code cells of {notebook}: cells "
            "out of view are left out of the page. Set windowingMode to contentVisibility "
            "or none in the lab's notebook settings (@jupyterlab/notebook-extension:tracker)."
        ) from None


def _restart_and_run_all(page: Any) -> dict[str, Any]:
    """Kernel > Restart Kernel and Run All Cells..., confirm; what FINISHED saw at the end."""
    page.evaluate(CONFIRMED)
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Restart Kernel and Run All Cells").first.click()
    dialog = page.locator(".jp-Dialog", has_text="Restart Kernel?")
    dialog.locator("button.jp-mod-accept").click()
    done = page.wait_for_function(FINISHED, polling="raf", timeout=RUN_S * 1000)
    return dict(done.json_value())


def _session_kernels(lab: Lab) -> list[str]:
    """The kernelspec names of the lab's sessions, ending every session (and its kernel)."""
    names = []
    for session in lab.api("GET", "sessions"):
        names.append(session["kernel"]["name"])
        lab.api("DELETE", f"sessions/{session['id']}")
    return names


def time_run_all(context: Any, lab: Lab, notebook: Path) -> Run:
    """One participant's "Restart Kernel and Run All" of ``notebook`` in ``lab``, timed.

    The notebook is put back as in ``source/`` (no outputs) and opened in a new
    page of the browser ``context``; its session is ended after the run, so each
    run starts alike.

    Raises
    ------
    CxkitError
        If the page does not hold every code cell, a cell did not run, or the
        notebook ran in another kernel than the kit's.
    """
    relative = f"{notebook.parent.name}/{notebook.name}"
    shutil.copyfile(notebook, lab.workspace / relative)
    expected = sum(c.cell_type == "code" for c in nbformat.read(notebook, as_version=4).cells)
    page = context.new_page()
    try:
        _open(page, lab, relative)
        _every_cell_in_page(page, relative, expected)
        server = [psutil.Process(lab.process.pid)]
        kernels, browsers = _cpu(_kernel_processes(lab)), _cpu(_browser_processes())
        served = _cpu(server)
        done = _restart_and_run_all(page)
        kernel_cpu = _cpu_since(kernels, _kernel_processes(lab))  # the restart's new kernel
        server_cpu = _cpu_since(served, server)
        browser_cpu = _cpu_since(browsers, _browser_processes())
    finally:
        page.close()
    used = _session_kernels(lab)
    if done["unrun"] >= 0:
        raise CxkitError(
            f'"Run All" of {relative} stopped after {done["unrun"]} of its {expected} code '
            "cells: a cell failed. Open it in `cxkit lab` and run it to see which."
        )
    if used != [KERNEL]:
        raise CxkitError(f"{relative} ran in the kernel(s) {used}, not in {KERNEL!r}.")
    return Run(done["seconds"], kernel_cpu, server_cpu, browser_cpu)
