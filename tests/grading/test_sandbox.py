"""Safe grading: hostile and broken submissions, graded by the real pipeline in the sandbox.

One course, one graded batch (module fixture) holds every case of the matrix
beside well-behaved submissions; each case asserts the exact recorded outcome
(score, state, reason), and the well-behaved ones must score exactly as they do
when graded alone. nbgrader's own adversarial notebooks are graded too.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import minicourse as mc
import nbformat
import pytest

from cxkit.course.directory import Course
from cxkit.course.feedback import write_feedback
from cxkit.course.grade import grade, load_outcomes
from cxkit.course.status import status_text
from cxkit.grading.sandbox import bwrap_problem

pytestmark = pytest.mark.slow

CELL_TIMEOUT = 3
BUDGET = 25
GOOD = {
    "well-good": {},
    "well-wrong": {"answer": "answer = 41"},
    "well-hidden": {"double": "def double(x):\n    return 4"},
}
LEAK = "answer = 42 if not found else found"  # a found secret fails the answer's check

# Each case: participant id -> cells replaced by grade id (see minicourse).
CASES: dict[str, dict[str, str]] = {
    "c01-infinite-loop": {"double": "while True:\n    pass"},
    "c02-ignores-sigint": {
        "double": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "while True:\n    pass"
    },
    "c03-sleep": {"double": "import time\ntime.sleep(10_000)"},
    # bytes(n) reserves its memory untouched: the bomb reaches the address-space limit at
    # once; filling 2 GB page by page took 4.4 s on a busy machine, past the 3 s cell limit
    "c04-memory-bomb": {"double": "hog = []\nwhile True:\n    hog.append(bytes(64 * 1024 * 1024))"},
    "c05-fork-bomb": {"double": "import os\nwhile True:\n    os.fork()"},
    "c06-os-exit": {"double": "import os\nos._exit(1)"},
    "c07-sys-exit": {"answer": "import sys\nsys.exit()"},
    "c08-huge-output": {"answer": "answer = 42\nfor _ in range(50_000):\n    print('x' * 1000)"},
    "c09-gradebook": {
        "double": "open('../../../gradebook.db', 'wb').write(b'gone')",
    },
    "c10-hidden-tests": {
        "answer": "import os\nfound = []\n"
        "for top in ['../../..', '/tmp', os.path.expanduser('~'), '/root', '{root}']:\n"
        "    for folder, subs, files in os.walk(top):\n"
        "        subs[:] = [s for s in subs if s not in ('.pyenv', '.venv', 'site-packages')]\n"
        "        for name in files:\n"
        "            path = os.path.join(folder, name)\n"
        "            try:\n"
        "                if 'secret-hidden-check' in open(path, errors='ignore').read():\n"
        "                    found.append(path)\n"
        "            except OSError:\n"
        "                pass\n" + LEAK,
        "double": "print(open('../../../source/mini/mini.ipynb').read())",
    },
    "c11-other-participant": {
        "answer": "found = []\n"
        "for path in ['../../well-good/mini/mini.ipynb', '../../../submitted/well-good/mini/"
        "mini.ipynb', '{root}/submitted/well-good/mini/mini.ipynb']:\n"
        "    try:\n"
        "        found.append(open(path).read())\n"
        "    except OSError:\n"
        "        pass\n" + LEAK,
    },
    "c12-network": {
        "answer": "import socket\nfound = []\n"
        "try:\n"
        "    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "    found.append('reached the grader machine')\n"
        "except OSError:\n"
        "    pass\n" + LEAK,
        "double": "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)",
    },
    "c13-edit-locked": {"answer": "answer = 41", "answer_test": "assert True"},
    "c24-showtraceback": {
        "answer": "import IPython.core.interactiveshell\n"
        "IPython.core.interactiveshell.InteractiveShell.showtraceback = lambda *a, **k: None\n"
        "answer = 41"
    },
    "c23-monkeypatch-checks": {
        "share": "import cxkit.checks\ncxkit.checks.number = lambda *a, **k: None\nshare = 0.5"
    },
    "c25-write-outside": {
        "answer": "import os\nfor path in ['/tmp/cxkit-escape', '../../../escape', "
        "os.path.expanduser('~/escape')]:\n"
        "    try:\n"
        "        open(path, 'w').write('out')\n"
        "    except OSError:\n"
        "        pass\nanswer = 42",
        "double": "open('/usr/cxkit-escape', 'w').write('out')",
    },
}

# The exact outcome of each case: (state, score, reason). Scores count autograded
# points (4 in all: double 2, answer 1, share 1); the reflection waits for a person.
# Code outside the policy (cxkit.grading.policy) holds the points of the checks after it:
# they are not in the score until the facilitator accepts them.
TIME = f"ran out of time in the cell after 'Exercise 1': stopped after the {CELL_TIMEOUT} s limit"
STUCK = (
    f"ran out of time in the cell after 'Exercise 1': it ran past the {CELL_TIMEOUT} s limit "
    "and did not stop when interrupted"
)
DIED = "the kernel died while running the cell after '{}' (os._exit, a crash or out of memory)"
WROTE = "sandbox: writing outside its work folder was refused in the cell after 'Exercise 1'"
NETWORK = (
    "sandbox: a network connection was refused (there is no network while grading) in the "
    "cell after 'Exercise 1'"
)
ALIEN = " (not on the course's list)"


def held(place: str, what: str, points: float) -> str:
    """The reason of a cell outside the policy, whose checks' points are held."""
    return (
        f"{place} {what}, which no answer needs: {points:g} points from there on are "
        "held until you run cxkit accept or cxkit reject"
    )


EXPECTED: dict[str, tuple[str, float | None, str]] = {
    "c01-infinite-loop": ("graded", 2, TIME),
    "c02-ignores-sigint": ("failed", None, STUCK),
    "c03-sleep": (
        "needs attention",
        0,
        held("Exercise 1's cell", "imports time" + ALIEN, 2) + "; " + TIME,
    ),
    # The kernel, forked warm, survives its MemoryError: the bomb's cell fails, the rest runs.
    "c04-memory-bomb": (
        "graded",
        2,
        "ran out of memory in the cell after 'Exercise 1' (the limit is 2048 MB)",
    ),
    "c05-fork-bomb": (
        "failed",
        None,
        "the sandbox stopped the kernel: it hit the process limit (128) in the cell after "
        "'Exercise 1'",
    ),
    "c06-os-exit": ("failed", None, DIED.format("Exercise 1")),
    "c07-sys-exit": ("needs attention", 2, held("Exercise 2's cell", "imports sys" + ALIEN, 1)),
    "c08-huge-output": ("graded", 4, "output cut at 1024 KB in the cell after 'Exercise 2'"),
    "c09-gradebook": ("needs attention", 2, WROTE),
    "c10-hidden-tests": ("needs attention", 0, held("Exercise 2's cell", "imports os" + ALIEN, 2)),
    "c11-other-participant": ("graded", 4, ""),
    "c12-network": (
        "needs attention",
        0,
        held("Exercise 1's cell", "imports socket" + ALIEN, 2)
        + "; "
        + held("Exercise 2's cell", "imports socket" + ALIEN, 2)
        + "; "
        + NETWORK,
    ),
    "c13-edit-locked": (
        "needs attention",
        3,
        "tampering: locked cell(s) answer_test edited in mini.ipynb "
        "(nbgrader graded them from the original)",
    ),
    "c14-delete-test": (
        "needs attention",
        3,
        "test cell(s) answer_test deleted in mini.ipynb: nbgrader restores nothing there, "
        "so those points need manual grading",
    ),
    "c15-cell-type": (
        "needs attention",
        4,
        "tampering: cell type changed in mini.ipynb: double_test from code to markdown",
    ),
    "c16-added-cells": ("graded", 4, ""),
    "c16-added-grade-cell": (
        "failed",
        None,
        "tampering: cell(s) bonus added to mini.ipynb with grading marks: nbgrader refuses "
        "grade cells it does not know; remove their nbgrader metadata and grade again",
    ),
    "c17-reordered": (
        "needs attention",
        3,
        "cells reordered in mini.ipynb: answer_test now comes before answer "
        "(nbgrader ran them in the submitted order)",
    ),
    "c18-corrupted": ("failed", None, "mini.ipynb is not a valid notebook (NotJSONError)"),
    "c19-empty": ("failed", None, "mini.ipynb is empty (0 bytes): ask for the saved file"),
    "c20-wrong-name": (
        "failed",
        None,
        "mini.ipynb is missing from the submission; it holds mini (1).ipynb instead: rename it",
    ),
    "c21-other-workshop": (
        "failed",
        None,
        "mini.ipynb is the notebook of workshop other, not mini: none of its 12 cells are there",
    ),
    "c22-large-files": (
        "needs attention",
        4,
        "large file(s) handed in beside the notebook: data.bin (60 MB); they were graded "
        "with it, check they belong there",
    ),
    # the check was put back before it ran: it failed, and nothing it gave is held
    "c23-monkeypatch-checks": (
        "needs attention",
        3,
        "Exercise 3's cell sets cxkit.checks.number, which no answer needs: no check from "
        "there on scored, so no points are held",
    ),
    "c24-showtraceback": (
        "needs attention",
        2,
        held(
            "Exercise 2's cell",
            "imports IPython.core.interactiveshell" + ALIEN + " and sets "
            "IPython.core.interactiveshell.InteractiveShell.showtraceback",
            1,
        ),
    ),
    "c25-write-outside": (
        "needs attention",
        0,
        held("Exercise 2's cell", "imports os" + ALIEN, 2) + "; " + WROTE,
    ),
}


def _notebook_edit(path: Path, change: object) -> None:
    notebook = nbformat.read(path, as_version=4)
    change(notebook)  # type: ignore[operator]
    nbformat.write(notebook, path)


def _gid(cell: object) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")  # type: ignore[attr-defined]


def _build(root: Path, port: int, cases: bool = True) -> Path:
    mc.make_course(root, checks=True)
    other = mc.source_notebook()
    other.cells[0].source = "# Other workshop"
    for cell in other.cells:
        cell.metadata.nbgrader.grade_id = "o_" + cell.metadata.nbgrader.grade_id
    (root / "source" / "other").mkdir()
    nbformat.write(other, root / "source" / "other" / "other.ipynb")
    for pid, changes in GOOD.items():
        mc.hand_in(root, pid, mc.submission(changes, checks=True))
    if not cases:
        return root
    for pid, changes in CASES.items():
        filled = {
            k: v.replace("{root}", str(root)).replace("{port}", str(port))
            for k, v in changes.items()
        }
        mc.hand_in(root, pid, mc.submission(filled, checks=True))

    path = mc.hand_in(root, "c14-delete-test", mc.submission(checks=True))
    _notebook_edit(
        path,
        lambda nb: nb.cells.__setitem__(
            slice(None), [c for c in nb.cells if _gid(c) != "answer_test"]
        ),
    )

    path = mc.hand_in(root, "c15-cell-type", mc.submission(checks=True))

    def retype(nb: nbformat.NotebookNode) -> None:
        for i, cell in enumerate(nb.cells):
            if _gid(cell) == "double_test":
                nb.cells[i] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)

    _notebook_edit(path, retype)

    path = mc.hand_in(
        root, "c16-added-cells", mc.submission({"answer": "answer = 41"}, checks=True)
    )

    def add(nb: nbformat.NotebookNode) -> None:
        at = next(i for i, c in enumerate(nb.cells) if _gid(c) == "answer_test")
        nb.cells.insert(at, nbformat.v4.new_code_cell("answer = 42"))
        nb.cells.append(nbformat.v4.new_markdown_cell("My own notes."))

    _notebook_edit(path, add)

    path = mc.hand_in(root, "c16-added-grade-cell", mc.submission(checks=True))

    def add_graded(nb: nbformat.NotebookNode) -> None:
        fake = nbformat.v4.new_code_cell("print('free points')")
        fake.metadata["nbgrader"] = {
            "grade": True,
            "solution": False,
            "locked": True,
            "points": 100,
            "grade_id": "bonus",
            "schema_version": 3,
        }
        nb.cells.append(fake)

    _notebook_edit(path, add_graded)

    path = mc.hand_in(root, "c17-reordered", mc.submission(checks=True))

    def reorder(nb: nbformat.NotebookNode) -> None:
        ids = [_gid(c) for c in nb.cells]
        a, t = ids.index("answer"), ids.index("answer_test")
        nb.cells[a], nb.cells[t] = nb.cells[t], nb.cells[a]

    _notebook_edit(path, reorder)

    mc.hand_in(root, "c18-corrupted", '{"cells": [{"cell_type": "code", "sou')
    mc.hand_in(root, "c19-empty", "")
    mc.hand_in(root, "c20-wrong-name", mc.submission(checks=True), name="mini (1)")
    mc.hand_in(root, "c21-other-workshop", other)
    mc.hand_in(root, "c22-large-files", mc.submission(checks=True))
    with (root / "submitted" / "c22-large-files" / "mini" / "data.bin").open("wb") as big:
        big.truncate(60 * 2**20)
    return root


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the grader's 127.0.0.1 that no submission may reach."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


@pytest.fixture(scope="module")
def batch(tmp_path_factory, listener):
    """Every case and the well-behaved submissions, graded in one sandboxed batch."""
    assert not bwrap_problem(), (
        f"The sandbox tests need bubblewrap: {bwrap_problem()}. "
        "Install it (apt-get install bubblewrap); .ci/run does."
    )
    root = _build(tmp_path_factory.mktemp("sandbox"), listener.getsockname()[1])
    outcomes = grade(
        Course(root),
        "mini",
        workers=2,
        cell_timeout=CELL_TIMEOUT,
        budget=BUDGET,
        show_progress=False,
    )
    return root, outcomes


@pytest.fixture(scope="module")
def alone(tmp_path_factory, listener):
    """The well-behaved submissions, graded on their own."""
    root = _build(tmp_path_factory.mktemp("alone"), listener.getsockname()[1], cases=False)
    return grade(Course(root), "mini", workers=2, cell_timeout=CELL_TIMEOUT, show_progress=False)


@pytest.mark.parametrize("pid", sorted(EXPECTED))
def test_matrix_outcome(batch, pid):
    """Is each hostile or broken submission recorded with its exact state, score and reason?"""
    _, outcomes = batch
    outcome = outcomes[pid]
    assert (outcome.state, outcome.score, outcome.reason) == EXPECTED[pid]


def test_every_case_is_in_the_batch(batch):
    """Does the batch hold every case and nothing unexpected?"""
    _, outcomes = batch
    assert set(outcomes) == set(EXPECTED) | set(GOOD)


def test_others_graded_as_if_alone(batch, alone):
    """Does every well-behaved submission score exactly as it does without the hostile ones?"""
    _, outcomes = batch
    together = {p: (outcomes[p].state, outcomes[p].score, outcomes[p].reason) for p in GOOD}
    assert together == {p: (alone[p].state, alone[p].score, alone[p].reason) for p in GOOD}
    assert together["well-good"] == ("graded", 4, "")


def test_course_files_untouched(batch, listener):
    """Are the gradebook intact, no file written outside the sandbox, no connection made?"""
    root, _ = batch
    assert (root / "gradebook.db").read_bytes().startswith(b"SQLite format 3")
    for path in (Path("/tmp/cxkit-escape"), Path("/usr/cxkit-escape"), root / "escape"):
        assert not path.exists(), path
    assert not (Path.home() / "escape").exists()
    with pytest.raises(BlockingIOError):
        listener.accept()
    huge = root / "autograded" / "c08-huge-output" / "mini" / "mini.ipynb"
    assert huge.stat().st_size < 2 * 2**20


def test_no_sandbox_left_running(batch):
    """Are all kernels, their forks and sandboxes gone once grading ends?"""
    import psutil

    root, _ = batch
    left = []
    for proc in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error):
            if str(root) in " ".join(proc.info["cmdline"] or []):
                left.append(proc.info["cmdline"])
    assert left == []


def test_status_lists_facts(batch):
    """Does cxkit status list sandbox refusals and tampering in full, per participant?"""
    root, _ = batch
    text = status_text(Course(root), "mini")
    flat = " ".join(text.split())
    assert " ".join(EXPECTED["c12-network"][2].split()) in flat
    assert " ".join(EXPECTED["c13-edit-locked"][2].split()) in flat
    assert " ".join(EXPECTED["c05-fork-bomb"][2].split()) in flat


def test_report_lists_facts(batch):
    """Does the facilitator report list what the sandbox refused and the tampering, per person?"""
    import html

    from cxkit.course.report import report

    root, _ = batch
    page = html.unescape(report(Course(root), "mini").read_text())
    assert "What grading refused or found changed" in page
    for pid in ("c12-network", "c13-edit-locked", "c25-write-outside", "c01-infinite-loop"):
        assert pid in page and EXPECTED[pid][2] in page


def test_feedback_says_what_to_do(batch):
    """Does feedback tell the participant, in plain words, where the notebook went wrong?"""
    root, _ = batch
    pages = {p.parent.parent.name: p.read_text() for p in write_feedback(Course(root), "mini")}
    assert (
        "Your notebook ran out of time in the cell after 'Exercise 1'"
        in (pages["c01-infinite-loop"])
    )
    assert "ran out of time in the cell after 'Exercise 1'" in pages["c02-ignores-sigint"]
    assert "is empty: save it in JupyterLab" in pages["c19-empty"]
    for page in pages.values():
        assert "double(21)" not in page


def test_no_sandbox_flag_grades_and_warns_once(tmp_path):
    """Does `cxkit grade --no-sandbox` still grade, saying loudly once that code is not isolated?"""
    root = mc.make_course(tmp_path)
    mc.hand_in(root, "ana", mc.submission())
    mc.hand_in(root, "ben", mc.submission({"answer": "answer = 41"}))
    command = [sys.executable, "-m", "cxkit.cli", "grade", "mini", "--course-dir"]
    command += [str(root), "--workers", "2", "--quiet", "--no-sandbox"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    outcomes = load_outcomes(Course(root), "mini")
    assert {p: o.score for p, o in outcomes.items()} == {"ana": 3, "ben": 2}
    assert result.stderr.count("NOT isolated") == 1
    assert "(cxkit grade --no-sandbox)" in result.stderr


NBGRADER_FILES = Path(__import__("nbgrader").__file__).parent / "tests"


def _shipped(root: Path, workshop: str, source: str, hand_ins: dict[str, str]) -> None:
    (root / "source" / workshop).mkdir(parents=True)
    shutil.copy(NBGRADER_FILES / source, root / "source" / workshop / "p1.ipynb")
    for pid, name in hand_ins.items():
        (root / "submitted" / pid / workshop).mkdir(parents=True)
        shutil.copy(NBGRADER_FILES / name, root / "submitted" / pid / workshop / "p1.ipynb")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """nbgrader's own adversarial notebooks, graded by cxkit grade in the sandbox."""
    root = tmp_path_factory.mktemp("nbgrader-files")
    apps = "apps/files/"
    _shipped(
        root,
        "ps1",
        apps + "submitted-unchanged.ipynb",
        {
            "foo": apps + "submitted-unchanged.ipynb",
            "bar": apps + "submitted-changed.ipynb",
            "spam": apps + "submitted-cheat-attempt.ipynb",
            "eggs": apps + "submitted-cheat-attempt-alternative.ipynb",
        },
    )
    _shipped(root, "loop", apps + "infinite-loop.ipynb", {"foo": apps + "infinite-loop.ipynb"})
    _shipped(root, "timeout", apps + "timeout.ipynb", {"bar": apps + "timeout.ipynb"})
    _shipped(root, "timeout30", apps + "timeout.ipynb", {"foo": apps + "timeout.ipynb"})
    pre = "preprocessors/files/"
    _shipped(
        root,
        "locked",
        pre + "submitted-unchanged.ipynb",
        {
            "foo": pre + "submitted-unchanged.ipynb",
            "bar": pre + "submitted-locked-cell-changed.ipynb",
        },
    )
    course = Course(root)
    timeouts = {"ps1": 30, "loop": 1, "timeout": 2, "timeout30": 30, "locked": 30}
    return {
        workshop: grade(course, workshop, workers=2, cell_timeout=limit, show_progress=False)
        for workshop, limit in timeouts.items()
    }


def test_nbgrader_showtraceback_exploit(shipped):
    """Do nbgrader's cheat attempts get no more than nbgrader's own tests expect (1 of 7),
    the point they earn held for the facilitator, with the code named?"""
    outcomes = shipped["ps1"]
    assert {p: (o.score, o.max_score) for p, o in outcomes.items()} == {
        "foo": (1, 7),
        "bar": (2, 7),
        "spam": (0, 7),
        "eggs": (0, 7),
    }
    for pid in ("spam", "eggs"):
        assert outcomes[pid].state == "needs attention"
        assert outcomes[pid].held_points == 1
        assert outcomes[pid].reason == held(
            "Cell set_a",
            "imports IPython.core.interactiveshell (not on the course's list) and sets "
            "IPython.core.interactiveshell.InteractiveShell.showtraceback",
            1,
        )
    assert outcomes["foo"].state == "graded"


def test_nbgrader_infinite_loop(shipped):
    """Is nbgrader's infinite loop stopped by the cell limit and graded (autograded file kept)?"""
    outcome = shipped["loop"]["foo"]
    assert (outcome.state, outcome.reason) == (
        "graded",
        "ran out of time in the first cells: stopped after the 1 s limit",
    )


def test_nbgrader_timeout(shipped):
    """Does nbgrader's timeout notebook score 0 with a 2 s limit and 1 with 30 s, as nbgrader's
    (that point held for the facilitator, its answer importing time)?"""
    assert shipped["timeout"]["bar"].score == 0
    assert "ran out of time" in shipped["timeout"]["bar"].reason
    # its answer imports time, which no workshop answer needs: the point is held, not lost
    slow = shipped["timeout30"]["foo"]
    assert (slow.score, slow.held_points, slow.state) == (0, 1, "needs attention")
    assert "imports time (not on the course's list)" in slow.reason


def test_nbgrader_changed_locked_cell(shipped):
    """Is nbgrader's changed locked cell restored (same score as unchanged) and pointed out?"""
    outcomes = shipped["locked"]
    assert outcomes["bar"].score == outcomes["foo"].score
    assert outcomes["bar"].state == "needs attention"
    assert outcomes["bar"].reason.startswith("tampering: locked cell(s)")
