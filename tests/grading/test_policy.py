"""The policy for answer cells: what no answer needs is named; what answers do passes."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import nbformat
import pytest
from notebooks import read_source

from cxkit.course.cohort import cohort, hand_in
from cxkit.errors import CxkitError
from cxkit.grading.policy import (
    DEFAULT_IMPORTS,
    Policy,
    breaches,
    for_source,
    python_of,
    read_notebook,
)
from cxkit.grading.settings import Grading, from_text, grading_settings
from cxkit.resources import CLONE

WORKSHOPS = sorted(p.name for p in (CLONE / "source").iterdir() if p.is_dir())
FOUNDATIONS = read_source("00-foundations")["foundations"]


def _what(code: str, policy: Policy | None = None) -> list[str]:
    return [b.what for b in breaches(code, policy)]


def _sources() -> list[tuple[str, nbformat.NotebookNode]]:
    return [(w, nb) for w in WORKSHOPS for nb in read_source(w).values()]


@pytest.mark.parametrize(("workshop", "source"), _sources(), ids=WORKSHOPS)
def test_every_workshops_solution_and_declared_mistakes_pass(workshop, source):
    """Does each workshop's solution, and each answer cell with its declared typical
    mistake, pass the default policy built from the workshop's own source?"""
    policy = for_source(source.cells)
    assert read_notebook(workshop, source.cells, source.cells, policy) == []
    for cell in source.cells:
        mistake = cell.metadata.get("cxkit", {}).get("mistake")
        if mistake:
            assert _what(cell.source + "\n" + mistake, policy) == [], mistake


def _constant(path: Path, name: str) -> str:
    """A text constant of a test module, read without running it."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise LookupError(name)


def test_the_noisy_answer_of_the_workshop_tests_is_an_answer_object():
    """The workshop tests' NOISY answer is a float of its own class whose __float__ warns
    (to show a warning in a check costs no points): is it named, as any answer object is?"""
    noisy = _constant(CLONE / "tests" / "workshops" / "test_00_foundations.py", "NOISY")
    assert _what(noisy, for_source(FOUNDATIONS.cells)) == [
        "defines a class (Noisy)",
        "reaches the hidden attribute __float__",
    ]


def test_the_demo_cohort_and_the_browser_participant_pass():
    """Does every answer the simulated cohort writes pass, but for the crashing and the
    hanging participants' own lines (import os; os._exit), and the browser test's answers?"""
    browser = CLONE / "tests" / "participant" / "test_browser.py"
    policy = for_source(FOUNDATIONS.cells)
    release = nbformat.read(CLONE / "release" / "00-foundations" / "foundations.ipynb", 4)
    kinds = {p.kind for p in cohort(40, seed=3)}
    for kind in sorted(kinds - {"missing"}):
        handed = hand_in(kind, release, FOUNDATIONS, seed=5)
        found = read_notebook("foundations", handed.cells, FOUNDATIONS.cells, policy)
        seen = {b.what for f in found for b in f.breaches}
        assert seen == (
            {"imports os (not on the course's list)", "reaches the private part _exit"}
            if kind == "crashing"
            else set()
        ), kind
    for name in ("WRONG", "RIGHT"):
        assert _what(_constant(browser, name), policy) == []


@pytest.mark.parametrize(
    ("code", "named"),
    [
        ("get_ipython().events.register('pre_run_cell', f)", ["calls get_ipython()"]),
        ("ip = get_ipython", ["uses get_ipython"]),
        ("exec('x = 1')", ["calls exec()"]),
        ("f = eval\nf('1')", ["uses eval"]),
        ("compile('x', 'y', 'exec')", ["calls compile()"]),
        ("__import__('os')", ["calls __import__()"]),
        ("globals()['checks'] = None", ["calls globals()"]),
        ("vars()", ["calls vars()"]),
        ("getattr(cxkit, 'che' + 'cks')", ["calls getattr()"]),
        ("x = __builtins__", ["uses the hidden name __builtins__"]),
        ("x = Out[3]", ["reads IPython's own Out"]),
        ("x = _i3", ["reads IPython's own _i3"]),
        ("y = x.__class__", ["reaches the hidden attribute __class__"]),
        (
            "shell._showtraceback = None",
            ["reaches the private part _showtraceback", "sets shell._showtraceback"],
        ),
        ("class A:\n    pass", ["defines a class (A)"]),
        ("def f():\n    global n\n    n = 1", ["declares global names (n)"]),
        ("import os", ["imports os (not on the course's list)"]),
        ("import importlib.util", ["imports importlib.util (not on the course's list)"]),
        ("from os import path", ["imports from os (not on the course's list)"]),
        ("from . import x", ["imports from . (not on the course's list)"]),
        ("from pandas import *", ["imports everything from pandas (import *)"]),
        ("from cxkit.checks import _judge", ["reaches the private part _judge"]),
        ("!ls", ["runs the IPython command !ls"]),
        ("files = !ls", ["runs the IPython command !ls"]),
        ("%timeit x = 1", ["runs the IPython command %timeit"]),
        ("%%capture\nx = 1", ["runs the IPython command %%capture"]),
        ("cxkit.nps = len", ["sets cxkit.nps"]),
        ("pd.options.mode.copy_on_write = False", ["sets pd.options.mode.copy_on_write"]),
        ("C = type('C', (float,), {})", ["makes a class with type()"]),
    ],
)
def test_each_construct_no_answer_needs_is_named(code, named):
    """Is each construct named in a facilitator's words, in the order written?"""
    assert _what(code) == named


@pytest.mark.parametrize(
    "code",
    [
        "my_nps = cxkit.nps(scores)",
        "import numpy as np\nimport math\nshare = np.mean(scores >= 9) * 100",
        "from matplotlib import pyplot as plt\nplt.show()",
        "table = touchpoints.copy()\ntable.columns = ['a', 'b']\ntable.index.name = 'x'",
        "mine = touchpoints[touchpoints['department'] == department]\nmine.loc[1, 'x'] = 2",
        "def helper(s):\n    total = 0\n    for v in s:\n        total += v\n    return total",
        "by = {k: len(v) for k, v in groups.items()}\nwords = [w.lower() for w in text.split()]",
        "x = (lambda s: s.mean())(scores)\nprint(f'{x:.1f}', type(x), isinstance(x, float))",
        "answer = None\n# Replace None above with your answer, then run this cell.",
        "this is not Python (",
    ],
)
def test_what_answers_do_passes(code):
    """Do plain answers pass: cxkit, pandas and numpy calls, labels set on a table of
    one's own, rows labelled, small functions, comprehensions, and even broken code
    (it stops with a SyntaxError when it runs, as in the participant's notebook)?"""
    assert _what(code) == []


def test_the_data_the_checks_read_may_not_be_bound_again_or_changed():
    """Is binding again, or changing in place, a name a locked cell set and a check reads
    refused, unless the workshop's own solution changes it in place (labelling rows)?"""
    policy = for_source(FOUNDATIONS.cells)
    assert {"checks", "cxkit", "scores", "touchpoints"} <= policy.protected
    assert _what("scores = scores[:3]", policy) == [
        "binds scores again, which the checks read (a locked cell sets it)"
    ]
    assert _what("del touchpoints", policy) == [
        "binds touchpoints again, which the checks read (a locked cell sets it)"
    ]
    assert _what("s = scores\ns.iloc[0] = 10", policy) == [
        "changes s (scores), which the checks read"
    ]
    assert _what("scores.sort_values(inplace=True)", policy) == [
        "changes scores in place (sort_values), which the checks read"
    ]
    assert _what("def f():\n    scores = 1\n    return scores", policy) == []
    same = "import pandas as pd\nimport cxkit\nfrom cxkit import checks\nchecks.start()"
    assert _what(same, policy) == []  # the set-up's imports, copied: the same modules
    assert _what("import numpy as cxkit", policy) == [
        "binds cxkit again, which the checks read (a locked cell sets it)"
    ]
    logistics = for_source(read_source("02-logistics-operations")["logistics"].cells)
    assert "shipments" in logistics.fixed and "linked" not in logistics.protected
    assert _what("linked.loc[linked['late'], 'promise'] = 'broken'", logistics) == []


def test_a_course_widens_the_policy_in_its_config(tmp_path):
    """Does c.Grading.allowed_imports / allowed_calls in nbgrader_config.py widen the
    policy, and is a name that is refused anyway, or not a module, refused with the fix?"""
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.Grading.allowed_imports = ['pandas', 'numpy', 'scipy']\n"
        "c.Grading.allowed_calls = ['getattr']\n"
    )
    assert from_text("allowed_imports", "pandas, numpy,scipy") == ["pandas", "numpy", "scipy"]
    settings = grading_settings(tmp_path)
    policy = Policy(imports=tuple(settings.allowed_imports), calls=tuple(settings.allowed_calls))
    assert _what("import scipy.stats\nx = getattr(scipy.stats, 'norm')", policy) == []
    assert _what("import cxkit", policy) == ["imports cxkit (not on the course's list)"]
    assert Grading().allowed_imports == list(DEFAULT_IMPORTS)
    with pytest.raises(CxkitError, match=r"allowed_calls = \['print'\].*print is not refused"):
        grading_settings(tmp_path, {"allowed_calls": ["print"]})
    with pytest.raises(CxkitError, match=r"'os path' is not a module name"):
        grading_settings(tmp_path, {"allowed_imports": ["os path"]})


def test_magics_are_read_as_ipython_runs_them():
    """Are % and ! lines turned into the Python IPython runs, before the policy reads them?"""
    assert python_of("%time x = 1") == "get_ipython().run_line_magic('time', 'x = 1')\n"


def test_the_policy_costs_little_per_submission():
    """Does reading a whole workshop-00 solution take well under a tenth of a second?"""
    policy = for_source(FOUNDATIONS.cells)
    cells = [dict(c) for c in FOUNDATIONS.cells]
    started = time.perf_counter()
    for _ in range(20):
        read_notebook("foundations", cells, FOUNDATIONS.cells, policy)
    assert (time.perf_counter() - started) / 20 < 0.1
