"""Every exercise of every workshop can be answered without writing code.

A participant who does not code sets the drop-downs of the exercise's explorer
(``cxkit.look_up``), reads the value it shows, and types only that value in the
answer cell. This test does exactly that, exercise by exercise: it runs the
notebook in order; at each answer cell it drives the explorer named in the
workshop's file in ``no_code/`` to the setting written there, reads the value
shown, and runs the answer cell with the solution replaced by that literal
(tables that are only working are left as None). The grade cell after it must
pass. Answer cells whose solution is already typed words and numbers, such as
the commitment at the end, are answered by typing them.

A workshop's ``no_code/<notebook>.toml`` has one table per answer cell (its
grade id), and in it one entry per variable to type::

    [nps_by_segment]
    lowest_segment = { explorer = "by_group", settings = { by = "segment" }, lowest = "value" }

and one way to read it: ``value = true`` (the one number or word shown),
``cell = [row, column]``, ``lowest = column`` or ``highest = column`` (the row
whose value is lowest or highest), ``min = column`` or ``max = column`` (the lowest or highest value
of that column), ``interval = row`` (``ci_low`` and
``ci_high`` of that row), or ``rows = column`` (every value of a column of the
table shown; ``"index"`` for the row names).
"""

from __future__ import annotations

import ast
import contextlib
import io
import itertools
import re
import tomllib
import warnings
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from notebooks import ROOT, GradingCourse, kind, meta, points, read, solve

from cxkit.widgets import LookUp

SPECS = Path(__file__).parent / "no_code"
NOTEBOOKS = sorted((ROOT / "source").glob("*/*.ipynb"))
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION\n?", re.S)
READS = ("value", "cell", "lowest", "highest", "min", "max", "interval", "rows")
WITHOUT_CODE = re.compile(r"without code", re.I)


def _spec(notebook: Path) -> dict[str, dict[str, dict[str, Any]]]:
    path = SPECS / f"{notebook.stem}.toml"
    return tomllib.loads(path.read_text()) if path.exists() else {}


def _typed_only(block: str) -> bool:
    """True when a solution is only typed values: name = "words" / 12.5 / (1, 2) / [...],
    or cxkit.commitment("...", ...) with typed words."""
    for statement in ast.parse(block).body:
        if not isinstance(statement, ast.Assign):
            return False
        value = statement.value
        if isinstance(value, ast.Call):
            called = ast.unparse(value.func)
            arguments = [*value.args, *(k.value for k in value.keywords)]
            if called != "cxkit.commitment" or not all(
                isinstance(a, ast.Constant) for a in arguments
            ):
                return False
            continue
        try:
            ast.literal_eval(value)
        except ValueError:
            return False
    return True


def _read(explorer: LookUp, rule: dict[str, Any]) -> Any:
    """What a person reads off the explorer, by the rule."""
    (how,) = [r for r in READS if r in rule]
    shown = explorer.shown
    if how == "value":
        return explorer.read()
    if how == "cell":
        return explorer.read(*rule["cell"])
    if how == "interval":
        return (
            explorer.read(rule["interval"], "ci_low"),
            explorer.read(rule["interval"], "ci_high"),
        )
    if how == "rows":
        column = shown.index if rule["rows"] == "index" else shown[rule["rows"]]
        return [str(v) for v in column]
    values = shown[rule[how]] if isinstance(shown, pd.DataFrame) else shown
    if how in ("min", "max"):
        return explorer.read(values.idxmin() if how == "min" else values.idxmax(), rule[how])
    row = values.idxmin() if how == "lowest" else values.idxmax()
    return row if isinstance(row, tuple) else str(row)  # a route is typed as (from, to)


def _answer_without_code(
    cell: Any, namespace: dict[str, Any], rules: dict[str, dict[str, Any]] | None
) -> tuple[str, dict[str, Any]]:
    """The answer cell as a participant without code fills it in, and what they typed."""
    found = SOLUTION.search(cell.source)
    assert found, f"answer cell {meta(cell)['grade_id']} has no solution block"
    block = found.group(1)
    if rules is None:
        assert _typed_only(block), (
            f"answer cell {meta(cell)['grade_id']} has no way without code: add it to "
            f"tests/workshops/no_code/, with an explorer to read the answer from"
        )
        return cell.source, {}
    typed = {}
    for name, rule in rules.items():
        explorer = namespace.get(rule["explorer"])
        assert isinstance(explorer, LookUp), f"{rule['explorer']} is not an explorer (look_up)"
        explorer.set(**rule.get("settings", {}))
        assert not explorer.message, f"{rule['explorer']} shows an error: {explorer.message}"
        typed[name] = _read(explorer, rule)
    literal = "".join(f"{name} = {value!r}\n" for name, value in typed.items())
    return cell.source.replace(found.group(0), literal), typed


def _instruction_before(notebook: nbformat.NotebookNode, index: int) -> str:
    """The text of the markdown cells between the previous code cell and ``index``."""
    text = []
    for cell in reversed(notebook.cells[:index]):
        if cell.cell_type == "code" and kind(notebook, notebook.cells.index(cell)) != "data":
            break
        if cell.cell_type == "markdown":
            text.append(cell.source)
    return "\n".join(text)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_can_be_answered_by_reading_an_explorer(path):
    """Drive each explorer, type what it shows: does every grade cell pass?"""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    notebook, spec = read(path), _spec(path)
    answers = {
        meta(c)["grade_id"] for i, c in enumerate(notebook.cells) if kind(notebook, i) == "answer"
    }
    assert set(spec) <= answers, f"no_code/{path.stem}.toml names cells that are not answers"
    namespace: dict[str, Any] = {"__name__": "__main__"}
    outcomes, typed_all = {}, {}
    saved = warnings.showwarning
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for i, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                source = cell.source
                if kind(notebook, i) == "answer":
                    grade_id = meta(cell)["grade_id"]
                    source, typed_all[grade_id] = _answer_without_code(
                        cell, namespace, spec.get(grade_id)
                    )
                lines = source.splitlines()
                code = "\n".join(x for x in lines if not x.lstrip().startswith("%"))
                try:
                    exec(compile(code, f"<{path.stem} cell {i}>", "exec"), namespace)
                    outcome = ""
                except AssertionError as failed:
                    outcome = f"{type(failed).__name__}: {failed}"
                if kind(notebook, i) == "grade":
                    outcomes[meta(cell)["grade_id"]] = outcome
                else:
                    assert not outcome, f"cell {i} failed: {outcome}"
                plt.close("all")
    finally:
        warnings.showwarning = saved
    failed = {gid: why for gid, why in outcomes.items() if why}
    assert not failed, f"typed {typed_all}; these checks failed: {failed}"
    assert outcomes, "the notebook has no grade cells"
    _every_setting_shows_something(namespace)


def _every_setting_shows_something(namespace: dict[str, Any], most: int = 60) -> None:
    """Each explorer, once the whole notebook has run (as a participant who scrolls back up),
    shows a value or a plain message for every setting: a later cell that reused a name the
    explorer looks up must not break it."""
    for name, explorer in namespace.items():
        if not isinstance(explorer, LookUp):
            continue
        controls = list(explorer.controls.items())
        for settings in itertools.islice(itertools.product(*(o for _, o in controls)), most):
            chosen = dict(zip((c for c, _ in controls), settings, strict=True))
            explorer.set(**chosen)  # anything but a plain message (CxkitError) raises here
            assert explorer.message or explorer.shown is not None, f"{name} {chosen} shows nothing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_exercise_says_both_ways_are_fine(path):
    """Does each exercise that needs an explorer say, before its answer cell, how to answer
    without code?"""
    notebook, spec = read(path), _spec(path)
    silent = [
        meta(c)["grade_id"]
        for i, c in enumerate(notebook.cells)
        if kind(notebook, i) == "answer"
        and meta(c)["grade_id"] in spec
        and not WITHOUT_CODE.search(_instruction_before(notebook, i))
    ]
    assert not silent, f"these exercises do not say how to answer without code: {silent}"


def test_typed_only_tells_typed_values_from_code():
    """Is a typed number, word or commitment typed, and a computed one not?"""
    assert _typed_only('lowest = "household"\nci = (1.5, 20)\n')
    assert _typed_only('commitment = cxkit.commitment(change="x", by="2027-03-31")\n')
    assert not _typed_only('lowest = table["value"].idxmin()\n')
    assert not _typed_only("commitment = cxkit.commitment(change=text)\n")
    assert not _typed_only("x = cxkit.nps(scores)\n")


def _typed_solution(block: str) -> dict[str, Any]:
    """The typed values of a solution that is only typed values: name -> value, and for the
    commitment its five fields by name."""
    from cxkit.commitments import FIELDS

    typed: dict[str, Any] = {}
    for statement in ast.parse(block).body:
        assert isinstance(statement, ast.Assign)
        (target,) = statement.targets
        assert isinstance(target, ast.Name)
        if isinstance(statement.value, ast.Call):
            call = statement.value
            words = dict(zip(FIELDS, (ast.literal_eval(a) for a in call.args), strict=False))
            words |= {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
            typed[target.id] = words
        else:
            typed[target.id] = ast.literal_eval(statement.value)
    return typed


def _handed_in_without_code(path: Path) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    """The release as a participant without code hands it in: each None replaced by the value
    read off its explorer (or typed, where the solution is typed), the commitment's words
    written between its quotes."""
    source, spec = read(path), _spec(path)
    variables, _ = solve(source)
    typed: dict[str, Any] = {}
    for i, cell in enumerate(source.cells):
        if kind(source, i) != "answer":
            continue
        rules = spec.get(meta(cell)["grade_id"])
        if rules is None:
            typed |= _typed_solution(SOLUTION.search(cell.source).group(1))
        else:
            for name, rule in rules.items():
                explorer = variables[rule["explorer"]].set(**rule.get("settings", {}))
                typed[name] = _read(explorer, rule)
    handed = read(ROOT / "release" / path.parent.name / path.name)
    for cell in handed.cells:
        for name, value in typed.items():
            if isinstance(value, dict):  # the commitment: its words between the quotes
                for field, words in value.items():
                    cell.source = cell.source.replace(f'{field}=""', f"{field}={words!r}")
            else:
                line = f"{name} = {value!r}"
                cell.source = re.sub(
                    rf"^{name} = None\b", lambda _, x=line: x, cell.source, flags=re.M
                )
    return handed, typed


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_hand_in_typed_without_code_gets_every_autograded_point(path, tmp_path_factory):
    """Graded by nbgrader, does the release with only typed values (read off the explorers, the
    commitment's words written) get every autograded point, as the model answers do?"""
    handed, typed = _handed_in_without_code(path)
    code = "".join(c.source for i, c in enumerate(handed.cells) if kind(handed, i) == "answer")
    assert [name for name in typed if f"\n{name} = None" in f"\n{code}"] == []
    assert '=""' not in code
    source = read(path)
    course = GradingCourse.shared(tmp_path_factory, path.parent.name)
    course.grade("without_code", {path.stem: handed})
    scores = course.graded["without_code"]
    assert {gid: scores[gid] for gid in points(source)} == points(source)
