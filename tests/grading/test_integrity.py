"""Grading integrity: a wrong notebook never earns points unseen.

Each cheat starts from the blank release of workshop 00 or 01 (every answer
left as None) and adds a few lines that, in plain nbgrader, can change what the
checks do. Graded through ``cxkit grade`` (sandboxed, the real grading path),
each must end with no more counted points than the blank release, and in
*needs attention* with a reason that names what was found, its points held.
"""

from __future__ import annotations

import base64
import copy
import shutil
from pathlib import Path

import nbformat
import pytest

from cxkit.course.cohort import hand_in
from cxkit.course.directory import Course
from cxkit.course.grade import grade, load_outcomes
from cxkit.course.release import generate
from cxkit.course.review import decide
from cxkit.course.status import status_text
from cxkit.errors import CxkitError
from cxkit.resources import CLONE

pytestmark = pytest.mark.slow

F00, F01 = "00-foundations", "01-accounting-finance"
NAMES = {F00: "foundations", F01: "accounting"}
PASS = "lambda *a, **k: print('Correct: yes.')"
CHECKS_00 = ["touchpoints", "nps", "share", "interval", "frame_rows", "lowest", "csat", "effort"]
EDIT_CHECKS = f"for n in {CHECKS_00!r}:\n    setattr(checks, n, {PASS})\n"

# participant -> (workshop, answer cell, code put first in it, what the reason must name)
CHEATS: dict[str, tuple[str, str, str, str]] = {
    # the checks name and module
    "rebind_checks": (
        F00,
        "dept_touchpoints",
        f"import types\nchecks = types.SimpleNamespace(**dict.fromkeys({CHECKS_00!r}, {PASS}))",
        "binds checks again, which the checks read",
    ),
    "edit_checks": (F00, "dept_touchpoints", EDIT_CHECKS, "calls setattr()"),
    "module_attribute": (
        F00,
        "dept_touchpoints",
        f"cxkit.checks.touchpoints = {PASS}",
        "sets cxkit.checks.touchpoints",
    ),
    "alias_module": (
        F00,
        "dept_touchpoints",
        f"from cxkit import checks as c\nc.touchpoints = {PASS}",
        "sets c.touchpoints",
    ),
    # IPython's machinery
    "input_transformer": (
        F00,
        "dept_touchpoints",
        "get_ipython().input_transformers_cleanup.append(\n"
        "    lambda lines: ['print(\"Correct: yes.\")\\n'] if lines[:1] and "
        'lines[0].startswith(\'"""Check\') else lines)',
        "calls get_ipython()",
    ),
    "ast_transformer": (
        F00,
        "dept_touchpoints",
        "import ast\n\nclass Quiet(ast.NodeTransformer):\n"
        "    def visit_Call(self, node):\n        return ast.Constant(None)\n\n"
        "get_ipython().ast_transformers.append(Quiet())",
        "defines a class (Quiet)",
    ),
    "pre_run_cell": (
        F00,
        "dept_touchpoints",
        "ip = get_ipython()\nip.events.register('pre_run_cell', lambda info: "
        "ip.user_ns.update(my_touchpoints=ip.user_ns['touchpoints']))",
        "calls get_ipython()",
    ),
    "run_cell": (
        F00,
        "dept_touchpoints",
        "ip = get_ipython()\nreal = ip.run_cell\n"
        "ip.run_cell = lambda cell, *a, **k: real('None' if cell.startswith('\"\"\"Check') "
        "else cell, *a, **k)",
        "sets ip.run_cell",
    ),
    "custom_exc": (
        F00,
        "dept_touchpoints",
        "get_ipython().set_custom_exc((Exception,), lambda *a, **k: [])",
        "calls get_ipython()",
    ),
    "showtraceback": (
        F00,
        "dept_touchpoints",
        "import IPython.core.interactiveshell as shell\n"
        "shell.InteractiveShell.showtraceback = lambda *a, **k: None",
        "imports IPython.core.interactiveshell (not on the course's list)",
    ),
    "kernel_send": (
        F00,
        "dept_touchpoints",
        "session = get_ipython().kernel.session\nsend = session.send\n"
        "session.send = lambda stream, msg, *a, **k: None if str(msg).find('error') >= 0 "
        "else send(stream, msg, *a, **k)",
        "sets session.send",
    ),
    # the import system and the interpreter
    "meta_path": (
        F00,
        "dept_touchpoints",
        "import sys\nsys.meta_path.insert(0, sys.meta_path[-1])",
        "imports sys (not on the course's list)",
    ),
    "builtins_import": (
        F00,
        "dept_touchpoints",
        "import builtins\nreal = builtins.__import__\n"
        "builtins.__import__ = lambda name, *a, **k: real(name, *a, **k)",
        "imports builtins (not on the course's list)",
    ),
    "settrace": (
        F00,
        "dept_touchpoints",
        "import sys\n\ndef trace(frame, event, arg):\n"
        "    if frame.f_code.co_name == '_judge':\n"
        "        frame.f_locals['value'] = frame.f_locals['expected']\n"
        "    return trace\n\nsys.settrace(trace)",
        "imports sys (not on the course's list)",
    ),
    # answer objects of their own
    "answer_object": (
        F00,
        "nps_by_hand",
        "class Always(float):\n    def __eq__(self, other):\n        return True\n\n"
        "promoters = detractors = nps_by_hand = Always(0)",
        "defines a class (Always)",
    ),
    "frame_reader": (
        F00,
        "nps_by_hand",
        "import inspect\n\nclass Peek(float):\n    def __float__(self):\n"
        "        for info in inspect.stack():\n"
        "            if 'expected' in info.frame.f_locals:\n"
        "                return float(info.frame.f_locals['expected'])\n"
        "        return 0.0\n\nnps_by_hand = Peek(0)",
        "imports inspect (not on the course's list)",
    ),
    "type_class": (
        F00,
        "nps_by_hand",
        "Always = type('Always', (float,), {'__eq__': lambda s, o: True})\nnps_by_hand = Always(0)",
        "makes a class with type()",
    ),
    # the data the checks read
    "data_mutation": (
        F00,
        "nps_by_hand",
        "scores[:] = 10\npromoters, detractors, nps_by_hand = 100.0, 0.0, 100.0",
        "changes scores, which the checks read",
    ),
    "rebind_data": (
        F00,
        "nps_by_hand",
        "scores = scores * 0 + 10\npromoters, detractors, nps_by_hand = 100.0, 0.0, 100.0",
        "binds scores again, which the checks read",
    ),
    "library_patch": (
        F00,
        "dept_touchpoints",
        "import numpy as np\nnp.isclose = lambda *a, **k: np.array([True])",
        "sets np.isclose",
    ),
    # hidden behind exec, base64, strings and dunders
    "exec_base64": (
        F00,
        "dept_touchpoints",
        "import base64\n"
        f"exec(base64.b64decode({base64.b64encode(EDIT_CHECKS.encode())!r}).decode())",
        "imports base64 (not on the course's list) and calls exec()",
    ),
    "getattr_strings": (
        F00,
        "dept_touchpoints",
        f"setattr(getattr(cxkit, 'che' + 'cks'), 'touch' + 'points', {PASS})",
        "calls setattr() and calls getattr()",
    ),
    "globals_dict": (F00, "dept_touchpoints", "globals()['checks'] = None", "calls globals()"),
    "dunder_escape": (
        F00,
        "dept_touchpoints",
        "subclasses = ().__class__.__base__.__subclasses__()",
        "reaches the hidden attribute __subclasses__",
    ),
    "magic": (
        F00,
        "dept_touchpoints",
        "%config InteractiveShell.ast_node_interactivity = 'none'",
        "runs the IPython command %config",
    ),
    # the department workshop
    "custom_exc_01": (
        F01,
        "accounting_touchpoints",
        "get_ipython().set_custom_exc((Exception,), lambda *a, **k: [])",
        "calls get_ipython()",
    ),
    "exec_base64_01": (
        F01,
        "accounting_touchpoints",
        "import base64\nexec(base64.b64decode("
        f"{base64.b64encode(b'checks.share = print').decode()!r}))",
        "imports base64 (not on the course's list) and calls exec()",
    ),
    "answer_object_01": (
        F01,
        "nps_by_dispute",
        "class Yes(str):\n    def lower(self):\n        return 'clearly apart'\n\n"
        "gap_is_real = Yes('no')",
        "defines a class (Yes)",
    ),
    "settrace_01": (
        F01,
        "accounting_touchpoints",
        "import sys\nsys.setprofile(lambda frame, event, arg: None)",
        "imports sys (not on the course's list)",
    ),
}
# Handed-in metadata that lies: a locked cell whose marks say it is not locked (nbgrader
# puts it back by its grade id), one whose marks are gone (it runs as edited), and an
# added cell that claims to be locked.
LIES = {
    "unlocked_setup": F00,
    "unmarked_setup": F00,
    "claims_locked": F00,
    "unmarked_setup_01": F01,
}


def _cell(notebook: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def _lie(blank: nbformat.NotebookNode, kind: str) -> nbformat.NotebookNode:
    notebook = copy.deepcopy(blank)
    if kind.startswith(("unlocked_setup", "unmarked_setup")):
        setup = _cell(notebook, "setup")
        setup.source += f"\nchecks.touchpoints = {PASS}\nchecks.share = {PASS}"
        setup.metadata["nbgrader"].update(locked=False, grade=False, solution=False)
        if kind.startswith("unmarked_setup"):
            del setup.metadata["nbgrader"]
    else:
        extra = nbformat.v4.new_code_cell(f"checks.touchpoints = {PASS}")
        extra.metadata["nbgrader"] = {
            "grade": False,
            "solution": False,
            "locked": True,
            "grade_id": "setup_more",
            "schema_version": 3,
        }
        notebook.cells.insert(2, extra)
    return notebook


def _autograded_points(root: Path, workshop: str) -> float:
    path = root / "source" / workshop / f"{NAMES[workshop]}.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    marks = [c.metadata.get("nbgrader", {}) for c in cells if c.cell_type == "code"]
    return float(sum(m["points"] for m in marks if m.get("grade") and not m.get("solution")))


def _write(root: Path, pid: str, workshop: str, notebook: nbformat.NotebookNode) -> None:
    folder = root / "submitted" / pid / workshop
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{NAMES[workshop]}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC\n")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Workshops 00 and 01 with every cheat, the blank release and the solution, graded."""
    root = tmp_path_factory.mktemp("integrity")
    shutil.copy(CLONE / "nbgrader_config.py", root / "nbgrader_config.py")
    for workshop, name in NAMES.items():
        shutil.copytree(CLONE / "source" / workshop, root / "source" / workshop)
        blank = generate(workshop, root)[name]
        source = nbformat.read(root / "source" / workshop / f"{name}.ipynb", as_version=4)
        _write(root, f"blank_{workshop[:2]}", workshop, blank)
        _write(root, f"solution_{workshop[:2]}", workshop, hand_in("correct", blank, source, 1))
        for pid, (where, cell, code, _) in CHEATS.items():
            if where == workshop:
                cheat = copy.deepcopy(blank)
                _cell(cheat, cell).source = code + "\n" + _cell(cheat, cell).source
                _write(root, pid, workshop, cheat)
        for pid, where in LIES.items():
            if where == workshop:
                _write(root, pid, workshop, _lie(blank, pid))
    course = Course(root)
    return course, {
        w: grade(course, w, workers=2, cell_timeout=30, budget=240, show_progress=False)
        for w in NAMES
    }


def test_the_matrix_covers_twenty_cheats_in_both_workshops():
    """Are there at least 20 cheats, in workshop 00 and in a department workshop?"""
    assert len(CHEATS) + len(LIES) >= 20
    assert {w for w, *_ in CHEATS.values()} == {F00, F01}


@pytest.mark.parametrize("pid", sorted(CHEATS))
def test_a_cheat_is_held_and_named(graded, pid):
    """Does each cheat end in needs attention, its reason naming what was found, with no
    more counted points than the blank release?"""
    course, outcomes = graded
    workshop, _, _, named = CHEATS[pid]
    outcome, blank = outcomes[workshop][pid], outcomes[workshop][f"blank_{workshop[:2]}"]
    assert outcome.state == "needs attention", outcome.reason
    assert named in outcome.reason
    assert "which no answer needs" in outcome.reason
    assert outcome.score is not None and outcome.score <= blank.score


@pytest.mark.parametrize("pid", sorted(LIES))
def test_handed_in_metadata_that_lies_earns_nothing_unseen(graded, pid):
    """Does a locked cell unmarked by its participant, or an added cell claiming to be
    locked, earn no more than the blank release, or end needing attention with why?"""
    _, outcomes = graded
    workshop = LIES[pid]
    outcome, blank = outcomes[workshop][pid], outcomes[workshop][f"blank_{workshop[:2]}"]
    if outcome.state == "graded":
        assert outcome.score <= blank.score
    else:
        assert outcome.state in ("needs attention", "failed")
        assert outcome.score is None or outcome.score <= blank.score
    if pid == "unlocked_setup":  # nbgrader ran the released cell
        assert outcome.reason == (
            "tampering: locked cell(s) setup edited in foundations.ipynb (nbgrader graded them "
            "from the original)"
        )
    if pid.startswith("unmarked_setup"):  # an unknown cell to nbgrader: it ran as handed in
        assert outcome.state == "needs attention"
        assert outcome.reason.startswith(
            f"A cell added after Workshop {workshop[:2]} sets checks.touchpoints and sets "
            "checks.share, which no answer needs: "
        )


@pytest.mark.parametrize("workshop", sorted(NAMES))
def test_the_solution_and_the_blank_release_grade_as_before(graded, workshop):
    """Are the solution and the blank release graded with nothing to attend to, the
    solution with every point and the blank with none held?"""
    course, outcomes = graded
    solution = outcomes[workshop][f"solution_{workshop[:2]}"]
    blank = outcomes[workshop][f"blank_{workshop[:2]}"]
    assert (solution.state, blank.state) == ("graded", "graded"), solution.reason + blank.reason
    assert solution.score == _autograded_points(course.root, workshop) and solution.held == []
    assert blank.held == [] and blank.score < solution.score


def test_held_points_are_what_the_checks_gave_and_not_counted(graded):
    """Are the held points the checks' own scores, kept in the record, zeroed in the
    gradebook (so nbgrader's export and feedback do not count them either)?"""
    course, outcomes = graded
    outcome = outcomes[F00]["input_transformer"]
    assert outcome.held, outcome.reason
    assert [h["grade_id"] for h in outcome.held][0] == "dept_touchpoints_check"
    with course.gradebook() as gradebook:
        submission = gradebook.find_submission(F00, "input_transformer")
        assert submission.score == outcome.score
        for held in outcome.held:
            grade = gradebook.find_grade(
                held["grade_id"], held["notebook"], F00, "input_transformer"
            )
            assert (grade.auto_score, grade.manual_score) == (held["score"], 0.0)


def test_status_shows_held_points_and_why(graded):
    """Does cxkit status show the points held beside the counted score, why, and what to run?"""
    course, outcomes = graded
    pid = "unmarked_setup"  # its setup ran as handed in: the first check passed, and is held
    outcome = outcomes[F00][pid]
    assert outcome.held_points == 1
    text = status_text(course, F00)
    flat = " ".join(text.split())
    row = next(line for line in text.splitlines() if line.startswith(f"{pid} "))
    assert f"{outcome.score:g} / {outcome.max_score:g} (+{outcome.held_points:g} held)" in row
    assert " ".join(outcome.reason.split()) in flat
    held = sum(1 for o in outcomes[F00].values() if o.held_points)
    assert f"{held} with points held: read their notebook in autograded/, then run cxkit " in text
    assert outcomes[F00]["blank_00"].held_points == 0


def test_accept_counts_held_points_and_reject_keeps_them_out(graded):
    """Does accepting count what the checks gave, rejecting not, each recorded with who
    and when; and is a second decision refused?"""
    course, _ = graded
    accepted = decide(course, F00, "library_patch", "accepted", by="facilitator ana")
    held = sum(h["score"] for h in accepted.held)
    assert accepted.state == "graded" and accepted.held_points == 0
    when = accepted.facts[-1].details["at"]
    assert accepted.reason.endswith(
        f"accepted by facilitator ana on {when}: the {held:g} held points count"
    )
    with course.gradebook() as gradebook:
        assert gradebook.find_submission(F00, "library_patch").score == accepted.score
    rejected = decide(course, F00, "magic", "rejected", by="ben")
    assert rejected.state == "graded" and "rejected by ben" in rejected.reason
    assert load_outcomes(course, F00)["magic"].score == rejected.score
    with pytest.raises(CxkitError, match="accepted already"):
        decide(course, F00, "library_patch", "rejected")
    with pytest.raises(CxkitError, match="no held points"):
        decide(course, F00, "solution_00", "accepted")
    with pytest.raises(CxkitError, match="no graded submission"):
        decide(course, F00, "nobody", "accepted")


# --- the second wall: the kernel put back before each check, whatever ran before ----------

SETUP = "import math\nimport types\nimport cxkit\nfrom cxkit import checks\nchecks.start()"
CHECK = '"""Check that x is 42"""\nchecks.number(x, 42, name="x")'
IMPORTING = '"""Check that x is 42"""\nfrom cxkit import checks\nchecks.number(x, 42, name="x")'
# What grading ran before each check until now: a fresh cxkit.checks, and nothing else.
BEFORE = (
    "import sys as _cx\n"
    "_cx.modules.pop('cxkit.checks', None)\n"
    "'cxkit' in _cx.modules and _cx.modules['cxkit'].__dict__.pop('checks', None)\n"
    "del _cx\n"
)
# Code the policy refuses, run here anyway: each makes a wrong answer pass a check (as
# BEFORE shows), the ones marked True a check that imports checks itself (as the mini
# course's do).
SECOND_WALL = {
    "rebind_checks": (f"checks = types.SimpleNamespace(number={PASS})", False),
    "edit_checks": (f"checks.number = {PASS}", False),
    "input_transformer": (
        "get_ipython().input_transformers_cleanup.append(\n"
        "    lambda lines: ['pass\\n'] if lines[:1] and lines[0].startswith('\"\"\"Check') "
        "else lines)",
        False,
    ),
    "ast_transformer": (
        "import ast\n\nclass Quiet(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        doc = ast.get_docstring(node) or ''\n"
        "        return ast.Module(body=[], type_ignores=[]) if doc.startswith('Check') else node"
        "\n\nget_ipython().ast_transformers.append(Quiet())",
        False,
    ),
    "pre_run_cell": (
        "get_ipython().events.register('pre_run_cell', "
        f"lambda *a: setattr(checks, 'number', {PASS}))",
        False,
    ),
    "custom_exc": ("get_ipython().set_custom_exc((Exception,), lambda *a, **k: [])", False),
    "kernel_send": (
        "session = get_ipython().kernel.session\nsend = session.send\n"
        "session.send = lambda stream, msg, *a, **k: None if 'error' in str(msg) "
        "else send(stream, msg, *a, **k)",
        False,
    ),
    "meta_path": (
        "import sys, importlib.abc, importlib.util\n\n"
        "class Fake(importlib.abc.MetaPathFinder, importlib.abc.Loader):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'cxkit.checks':\n"
        "            return importlib.util.spec_from_loader(name, self)\n"
        "    def create_module(self, spec):\n        return None\n"
        f"    def exec_module(self, module):\n        module.number = {PASS}\n\n"
        "sys.meta_path.insert(0, Fake())",
        True,
    ),
    "builtins_import": (
        "import builtins\nreal = builtins.__import__\n"
        f"fake = types.SimpleNamespace(checks=types.SimpleNamespace(number={PASS}))\n"
        "builtins.__import__ = lambda name, *a, **k: fake if name == 'cxkit' "
        "else real(name, *a, **k)",
        True,
    ),
    "settrace": (
        "import sys\n\ndef trace(frame, event, arg):\n"
        "    if frame.f_code.co_name == '_judge' and event == 'line':\n"
        "        frame.f_locals['value'] = frame.f_locals['expected']\n"
        "    return trace\n\nsys.settrace(trace)",
        False,
    ),
    "library_patch": ("math.isclose = lambda *a, **k: True", False),
}


@pytest.mark.parametrize("cheat", sorted(SECOND_WALL))
def test_the_kernel_is_put_back_before_each_check(kernels, cheat):
    """Whatever ran since the set-up, is the kernel put back before a check (by code the
    grading process sends), so that a wrong answer that passed before fails with the
    kit's short message, and a right one passes?"""
    from cxkit.grading.sandbox import CAPTURE, restore_code

    code, importing = SECOND_WALL[cheat]
    check = IMPORTING if importing else CHECK
    setup = nbformat.v4.new_code_cell(SETUP)
    setup.metadata["nbgrader"] = {"locked": True, "grade": False, "solution": False}
    before, now = kernels.start(), kernels.start()
    for kernel in (before, now):
        kernel.run(CAPTURE)
        assert kernel.run(SETUP)["error"] is None
        ran = kernel.run(code + "\nx = 41")
        assert ran["error"] is None, ran
    before.run(BEFORE)
    assert before.run(check)["error"] is None  # the wrong answer passed
    now.run(restore_code([setup]))
    wrong = now.run(check)
    assert (wrong["error"], "Correct" in wrong["text"]) == ("CheckFailed", False)
    now.run(restore_code([setup]) + "x = 42")
    right = now.run(check)
    assert (right["error"], right["text"]) == (None, "Correct: x = 42.\n")


def test_accept_and_reject_are_commands(graded, capsys):
    """Do `cxkit accept` and `cxkit reject` decide from the command line (a workshop by its
    number, the decider by --by), saying what they did?"""
    from cxkit.cli import main

    course, _ = graded
    argv = ["reject", "00", "globals_dict", "--by", "chen", "--course-dir", str(course.root)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("globals_dict: rejected by chen on ")
    assert load_outcomes(course, F00)["globals_dict"].decision == "rejected"


# --- no false alarms: every workshop's model answers, graded through cxkit grade ----------


@pytest.fixture(scope="module")
def nine(tmp_path_factory, graded):
    """Each workshop's model answers handed in and graded: those of 00 and 01 are the solutions
    graded beside the cheats (the same hand-in, read here, not graded twice), the others in
    one course of their own. Each workshop's outcome, and the course that graded it."""
    root = tmp_path_factory.mktemp("nine")
    shutil.copy(CLONE / "nbgrader_config.py", root / "nbgrader_config.py")
    workshops = sorted(
        p.name for p in (CLONE / "source").iterdir() if p.is_dir() and p.name not in NAMES
    )
    for workshop in workshops:
        shutil.copytree(CLONE / "source" / workshop, root / "source" / workshop)
        for name, blank in generate(workshop, root).items():
            source = nbformat.read(root / "source" / workshop / f"{name}.ipynb", as_version=4)
            folder = root / "submitted" / "model" / workshop
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(hand_in("correct", blank, source, 1), folder / f"{name}.ipynb")
    course = Course(root)
    found = {
        w: (course, grade(course, w, workers=1, show_progress=False)["model"]) for w in workshops
    }
    cheats_course, cheats = graded
    return found | {w: (cheats_course, cheats[w][f"solution_{w[:2]}"]) for w in NAMES}


def test_every_workshops_model_answers_grade_with_nothing_held(nine):
    """Does each workshop's solution, graded through cxkit grade, get every autograded point,
    with nothing held and nothing to attend to (its checks said Correct, in time)?"""
    in_source = sorted(p.name for p in (CLONE / "source").iterdir() if p.is_dir())
    assert sorted(nine) == in_source and len(in_source) >= 10  # 00 to 09, and any new one
    for workshop, (course, outcome) in nine.items():
        names = [p.stem for p in (course.root / "source" / workshop).glob("*.ipynb")]
        assert names, workshop
        points = 0.0
        for name in names:
            cells = nbformat.read(course.root / "source" / workshop / f"{name}.ipynb", 4).cells
            marks = [c.metadata.get("nbgrader", {}) for c in cells if c.cell_type == "code"]
            points += sum(m["points"] for m in marks if m.get("grade") and not m.get("solution"))
        assert (outcome.state, outcome.reason) == (
            "graded",
            "reflections await manual grading",
        ), workshop
        assert (outcome.score, outcome.held) == (points, []), workshop
