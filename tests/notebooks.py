"""Helpers for the workshop notebook tests: run, grade, read scores, lint.

A workshop's own test module is a few lines with these::

    from notebooks import read_source, solve

    SOURCE = read_source("01-accounting-finance")["accounting"]

    def test_the_solution_finds_the_planted_effect():
        found, outcomes = solve(SOURCE)
        assert found["nps_gap"] == pytest.approx(...)

``test_workshops.py`` runs, grades, releases and lints every workshop in
source/; a workshop's own module tests what only it has.

``GradingCourse`` builds a temporary nbgrader course, takes submissions and
autogrades them (``GradingCourse.shared`` builds one per workshop and test run);
``exercises`` pairs each answer cell with its grade cell.

Each notebook is solved once per test run for given parameters: ``solve``
keeps every run and hands each caller a copy of its variables, and
``solve_with`` resumes a run from the cell it changes. ``generated`` keeps the
companies the generator makes on disk between runs, keyed by its source.

Cells are told apart by their nbgrader metadata (``kind``): setup (the first
code cell), parameters, instruction (locked markdown), data (locked code),
answer, grade (autograded test) and reflection (manually graded markdown).
"""

from __future__ import annotations

import ast
import contextlib
import copy
import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
import time
import types
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"name": "cxkit", "display_name": "Python 3 (cxkit)", "language": "python"}
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
AUTO_ID = re.compile(r"^cell-[0-9a-f]{8,}$")
GRADE_ID = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
MAX_CODE_LINES = 15  # "short cells"


# --- reading notebooks --------------------------------------------------------------------


def read(path: Path) -> nbformat.NotebookNode:
    """A notebook from disk, as nbformat v4."""
    return nbformat.read(path, as_version=4)


def read_source(workshop: str) -> dict[str, nbformat.NotebookNode]:
    """The source notebooks of a workshop, by name."""
    return {p.stem: read(p) for p in sorted((ROOT / "source" / workshop).glob("*.ipynb"))}


def meta(cell: Any) -> dict[str, Any]:
    """A cell's nbgrader metadata ({} for a plain cell)."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def kind(notebook: nbformat.NotebookNode, index: int) -> str:
    """What a cell is: setup, parameters, instruction, data, answer, grade, reflection or plain."""
    cell = notebook.cells[index]
    info = meta(cell)
    if "parameters" in cell.metadata.get("tags", []):
        return "parameters"
    if info.get("grade") and info.get("solution"):
        return "reflection"
    if info.get("solution"):
        return "answer"
    if info.get("grade"):
        return "grade"
    first_code = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
    if index == first_code:
        return "setup"
    if info:
        return "instruction" if cell.cell_type == "markdown" else "data"
    return "plain"


def grade_ids(notebook: nbformat.NotebookNode, of: str = "grade") -> list[str]:
    """The grade ids of the cells of one kind, in order."""
    return [meta(c)["grade_id"] for i, c in enumerate(notebook.cells) if kind(notebook, i) == of]


def points(notebook: nbformat.NotebookNode, of: str = "grade") -> dict[str, float]:
    """Points per grade id, for autograded cells (``of="grade"``) or reflections."""
    return {
        meta(c)["grade_id"]: float(meta(c)["points"])
        for i, c in enumerate(notebook.cells)
        if kind(notebook, i) == of
    }


def exercises(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Each answer cell's grade id, paired with the grade cell that checks it (the next one)."""
    pairs, answer = {}, None
    for i, cell in enumerate(notebook.cells):
        if kind(notebook, i) == "answer":
            answer = meta(cell)["grade_id"]
        elif kind(notebook, i) == "grade" and answer is not None:
            pairs[answer], answer = meta(cell)["grade_id"], None
    return pairs


def with_answer(
    notebook: nbformat.NotebookNode, grade_id: str, extra: str
) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with ``extra`` code appended to one answer cell."""
    copy = nbformat.from_dict(notebook)
    cell = next(c for c in copy.cells if meta(c).get("grade_id") == grade_id)
    cell.source = cell.source.rstrip("\n") + "\n" + extra
    return copy


def mistakes(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """The typical mistake each answer cell declares (cell metadata ``cxkit.mistake``)."""
    return {
        meta(c)["grade_id"]: c.metadata["cxkit"]["mistake"]
        for c in notebook.cells
        if "mistake" in c.metadata.get("cxkit", {})
    }


# --- running ------------------------------------------------------------------------------


def run(
    notebook: nbformat.NotebookNode | Path,
    tmp: Path,
    parameters: dict[str, Any] | None = None,
    allow_errors: bool = False,
) -> nbformat.NotebookNode:
    """Execute a notebook headless with papermill in the cxkit kernel; return it with outputs.

    With ``allow_errors`` every cell runs even after a failure (the errors stay
    in the outputs); otherwise papermill stops at the first error and raises.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = tmp / "input.ipynb"
    if isinstance(notebook, Path):
        shutil.copy(notebook, source)
    else:
        nbformat.write(notebook, source)
    output = tmp / "output.ipynb"
    extra = {"allow_errors": True} if allow_errors else {}
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=parameters or {},
            kernel_name=KERNELSPEC["name"],
            progress_bar=False,
            cwd=str(tmp),
            **extra,
        )
    except PapermillExecutionError:
        if not allow_errors:
            raise
    done = read(output)
    # papermill adds markdown cells pointing at the first error: not the notebook's own
    done.cells = [
        c for c in done.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])
    ]
    return done


def failures(notebook: nbformat.NotebookNode) -> list[str]:
    """Every cell that failed (an error, or anything on stderr), as 'kind grade_id: message'."""
    found = []
    for i, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                text = f"{output.get('ename')}: {output.get('evalue')}"
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = f"stderr: {output.get('text', '')}"
            else:
                continue
            label = meta(cell).get("grade_id", cell.get("id", i))
            found.append(f"{kind(notebook, i)} {label}: {text[:300]}")
    return found


def failed_kinds(notebook: nbformat.NotebookNode) -> set[str]:
    """The kinds of cell that failed."""
    return {line.split(" ", 1)[0] for line in failures(notebook)}


@contextlib.contextmanager
def _quiet_globals() -> Iterator[None]:
    """Restore what a notebook's setup may change in this process (warnings display)."""
    saved = warnings.showwarning
    try:
        yield
    finally:
        warnings.showwarning = saved


@dataclass
class _Run:
    """A notebook solved in this process: its variables and grade outcomes at the end, and,
    when kept, before each answer cell (by cell index)."""

    namespace: dict[str, Any]
    outcomes: dict[str, str]
    before: dict[int, tuple[dict[str, Any], dict[str, str]]] = field(default_factory=dict)


_RUNS: dict[str, _Run] = {}  # by notebook and parameters; see _key
_SNAPSHOTS: dict[str, _Run] = {}  # the last run kept with its snapshots (the mistakes' run)


def _key(notebook: nbformat.NotebookNode, parameters: dict[str, Any] | None) -> str:
    text = nbformat.writes(notebook) + repr(sorted((parameters or {}).items()))
    return hashlib.sha256(text.encode()).hexdigest()


def _rebound(function: types.FunctionType, namespace: dict[str, Any]) -> types.FunctionType:
    """A function defined by a notebook, now looking its globals up in ``namespace``."""
    copied = types.FunctionType(
        function.__code__,
        namespace,
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    copied.__kwdefaults__ = function.__kwdefaults__
    copied.__qualname__ = function.__qualname__
    copied.__dict__.update(function.__dict__)
    return copied


def _copy(namespace: dict[str, Any]) -> dict[str, Any]:
    """A copy of a notebook's variables that a test may change without touching the kept run.

    Values are deep-copied (aliases between them kept), the notebook's own
    functions see the copy as their globals, and what cannot be copied
    (modules, builtins) is shared.
    """
    copied: dict[str, Any] = {}
    memo: dict[int, Any] = {id(namespace): copied}
    for value in namespace.values():
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
            memo[id(value)] = _rebound(value, copied)
    for name, value in namespace.items():
        if name.startswith("__") or isinstance(value, types.ModuleType):
            copied[name] = value
            continue
        try:
            copied[name] = copy.deepcopy(value, memo)
        except Exception:  # not copyable: shared, as a module is
            copied[name] = value
    return copied


def _execute(
    notebook: nbformat.NotebookNode,
    namespace: dict[str, Any],
    outcomes: dict[str, str],
    parameters: dict[str, Any] | None = None,
    start: int = 0,
    keep: dict[int, tuple[dict[str, Any], dict[str, str]]] | None = None,
) -> None:
    """Run a notebook's code cells from cell ``start`` in ``namespace``, filling ``outcomes``;
    with ``keep``, a copy of the state before each answer cell goes into it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with _quiet_globals(), contextlib.redirect_stdout(io.StringIO()):
        for i, cell in enumerate(notebook.cells):
            if cell.cell_type != "code" or i < start:
                continue
            if keep is not None and kind(notebook, i) == "answer":
                keep[i] = (_copy(namespace), dict(outcomes))
            code = "\n".join(
                line for line in cell.source.splitlines() if not line.lstrip().startswith("%")
            )
            if kind(notebook, i) == "grade":
                try:
                    exec(compile(code, f"<cell {i}>", "exec"), namespace)
                    outcomes[meta(cell)["grade_id"]] = ""
                except AssertionError as failed:
                    outcomes[meta(cell)["grade_id"]] = f"{type(failed).__name__}: {failed}"
                continue
            exec(compile(code, f"<cell {i}>", "exec"), namespace)
            if kind(notebook, i) == "parameters":
                namespace.update(parameters or {})
            plt.close("all")


def _solved_run(
    notebook: nbformat.NotebookNode, parameters: dict[str, Any] | None, snapshots: bool
) -> _Run:
    """The kept run of a notebook with these parameters (with snapshots if asked), made if new."""
    key = _key(notebook, parameters)
    if snapshots and key in _SNAPSHOTS:
        return _SNAPSHOTS[key]
    if not snapshots and key in _RUNS:
        return _RUNS[key]
    namespace: dict[str, Any] = {"__name__": "__main__"}
    outcomes: dict[str, str] = {}
    before: dict[int, tuple[dict[str, Any], dict[str, str]]] = {}
    _execute(notebook, namespace, outcomes, parameters, keep=before if snapshots else None)
    _RUNS[key] = _Run(namespace, outcomes)
    if not snapshots:
        return _RUNS[key]
    _SNAPSHOTS.clear()  # one notebook's snapshots at a time: the mistakes run in order
    _SNAPSHOTS[key] = _Run(namespace, outcomes, before)
    return _SNAPSHOTS[key]


def solve(
    notebook: nbformat.NotebookNode, parameters: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Run a notebook's code cells in this process, fast and without a kernel.

    The parameters replace the ``parameters`` cell's values. Returns the
    notebook's variables after the last cell, and the outcome of each grade
    cell: "" when it passed, else the error message. Stops at the first failure
    of any other cell (raising it). For checking many parameter values and the
    values a solution finds; ``run`` is the real thing.

    A notebook is run once per test run for the same parameters: each caller
    gets its own copy of the variables, which it may change.
    """
    run = _solved_run(notebook, parameters, snapshots=False)
    return _copy(run.namespace), dict(run.outcomes)


def solve_with(
    notebook: nbformat.NotebookNode, grade_id: str, extra: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """``solve(with_answer(notebook, grade_id, extra))``, on the sample, without running again
    the cells before that answer: they resume from a copy of the notebook's state there."""
    changed = with_answer(notebook, grade_id, extra)
    index = next(i for i, c in enumerate(notebook.cells) if meta(c).get("grade_id") == grade_id)
    run = _solved_run(notebook, None, snapshots=True)
    saved, outcomes = run.before[index]
    namespace, outcomes = _copy(saved), dict(outcomes)
    _execute(changed, namespace, outcomes, start=index)
    assert list(outcomes) == list(run.outcomes)  # every grade cell ran, in order
    return namespace, outcomes


def solve_retried(
    notebook: nbformat.NotebookNode, grade_id: str, wrong: str, reset_apart: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """``solve`` as a participant who answers ``wrong`` first and then corrects it: the
    answer cell runs with ``wrong`` in place of its solution, then again as written, in the
    same namespace. With ``reset_apart`` the lines the answer cell runs before its solution
    (but its ``name = None`` lines) move to a cell of their own above it, run once: an
    answer cell that does not start afresh, to show what a retry meets without it."""
    changed = nbformat.from_dict(copy.deepcopy(notebook))
    index = next(i for i, c in enumerate(changed.cells) if meta(c).get("grade_id") == grade_id)
    answer = changed.cells[index]
    if reset_apart:
        before, rest = answer.source.split("### BEGIN SOLUTION", 1)
        lines = before.splitlines()
        unset = [line for line in lines if re.match(r"^\w+ = None\b", line)]
        reset = nbformat.v4.new_code_cell("\n".join(x for x in lines if x not in unset))
        answer.source = "\n".join(unset) + "\n### BEGIN SOLUTION" + rest
        changed.cells.insert(index, reset)
        index += 1
    first = nbformat.from_dict(copy.deepcopy(answer))
    solution = re.compile(r"### BEGIN SOLUTION.*?### END SOLUTION", re.S)
    first.source = solution.sub(lambda _: wrong, first.source)
    first.id, first.metadata = f"{first.id}-first-try", {}
    changed.cells.insert(index, first)
    return solve(changed)


def solved(
    notebook: nbformat.NotebookNode, folder: Path | None = None, **parameters: Any
) -> dict[str, Any]:
    """The variables a notebook's solution finds, on the sample or on the company in
    ``folder``; every grade cell must pass on it."""
    if folder is not None:
        parameters["data_dir"] = str(folder)
    variables, outcomes = solve(notebook, parameters)
    assert outcomes == {gid: "" for gid in grade_ids(notebook)}
    return variables


def exec_cells(
    notebook: nbformat.NotebookNode, parameters: dict[str, Any] | None = None
) -> dict[str, str]:
    """The outcome of each grade cell when ``solve`` runs the notebook ("" when it passed)."""
    return solve(notebook, parameters)[1]


def answer_key_row(guide: Path, number: int) -> str:
    """The row of exercise ``number`` in the answer key of a facilitator guide."""
    text = guide.read_text(encoding="utf-8")
    key = text.split("\n## Answer key", 1)[1].split("\n## ", 1)[0]
    return next(line for line in key.splitlines() if line.startswith(f"| {number} |"))


def shows(shown: float, exact: float, decimals: int) -> bool:
    """True when an explorer's ``shown`` value is ``exact`` rounded to ``decimals``
    (half a last digit either way)."""
    return abs(shown - exact) <= 0.5 * 10**-decimals + 1e-9


def read_at_setting_outcome(
    notebook: nbformat.NotebookNode, answer: str, name: str, reading: tuple[str, dict, tuple]
) -> str:
    """The grade cell's outcome when ``name`` is typed as the explorer shows it at a setting.

    ``reading`` is (explorer variable, its settings, the row and column read);
    the value read there is typed as the answer of the ``answer`` cell.
    """
    variables, _ = solve(notebook)
    explorer, settings, cell = reading
    typed = variables[explorer].set(**settings).read(*cell)
    _, outcomes = solve_with(notebook, answer, f"{name} = {typed!r}")
    return outcomes[f"{answer}_check"]


# --- generated companies ------------------------------------------------------------------

COMPANIES = ROOT / ".pytest_cache" / "cxkit-companies"  # git ignores it; make clean removes it


def _module_file(name: str) -> Path | None:
    """The file of a cxkit module by dotted name, or None when the name is not a module."""
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def generator_files() -> list[Path]:
    """The files of cxkit.data.generate and of every cxkit module it imports, at any depth
    (parent packages included: Python runs them on the way)."""
    todo, found = ["cxkit.data.generate"], {}
    while todo:
        name = todo.pop()
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        path = _module_file(name)
        if name in found or path is None:
            continue
        found[name] = path
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                todo += [a.name for a in node.names if a.name.split(".")[0] == "cxkit"]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                if base.split(".")[0] == "cxkit":
                    todo += [base] + [f"{base}.{a.name}" for a in node.names]
    return sorted(found.values())


def _generator_digest() -> str:
    import numpy
    import pandas

    digest = hashlib.sha256(f"{sys.version} {numpy.__version__} {pandas.__version__}".encode())
    for path in generator_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def generated(seed: int, **story: Any) -> Path:
    """The folder of the company ``cxkit.data.generate`` makes with ``seed``, the story's
    constants named in ``story`` set to the values given; made once and kept between runs.

    Kept under .pytest_cache/, keyed by the generator's source files (and the
    Python, numpy and pandas versions): a change to the generator makes it
    again. Its files are read-only: copy the folder to change it.
    """
    import pytest

    from cxkit.data import story as planted
    from cxkit.data.generate import generate

    digest = _generator_digest()
    name = f"seed-{seed}"
    if story:
        name += "-" + hashlib.sha256(repr(sorted(story.items())).encode()).hexdigest()[:12]
    folder = COMPANIES / digest / name
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        for old in COMPANIES.iterdir():  # another generator's, unused for a day
            if old.name != digest and time.time() - old.stat().st_mtime > 86400:
                shutil.rmtree(old, ignore_errors=True)
        new = Path(tempfile.mkdtemp(prefix=".new-", dir=folder.parent))
        with pytest.MonkeyPatch.context() as patch:
            for constant, value in story.items():
                patch.setattr(planted, constant, value)  # raises for a name the story lacks
            generate(new, seed=seed)
        for path in new.iterdir():
            path.chmod(0o444)
        new.chmod(0o755)
        try:
            new.rename(folder)  # at once, so that a run beside this one never sees half
        except OSError:  # that run made it first
            shutil.rmtree(new)
    os.utime(folder.parent)
    return folder


# --- nbgrader -----------------------------------------------------------------------------


def _empty_gradebook(folder: Path) -> Path:
    """An nbgrader gradebook with its tables and no course yet, made once in ``folder``.

    What nbgrader makes of a new gradebook before it adds the course; it asks
    alembic for the schema's version only then, in a process of its own (about
    4 s of CPU), so each course starts from a copy of this one instead.
    """
    path = folder / "empty-gradebook.db"
    if not path.exists():
        from nbgrader.api import Base, get_alembic_version
        from sqlalchemy import create_engine, text

        version = get_alembic_version()
        new = folder / f".{path.name}.{os.getpid()}"
        engine = create_engine(f"sqlite:///{new}")
        Base.metadata.create_all(bind=engine)
        with engine.begin() as db:
            db.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"))
            db.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version}
            )
        engine.dispose()
        new.replace(path)
    return path


class GradingCourse:
    """A temporary nbgrader course holding one workshop, with its own SQLite gradebook.

    Built like the real one: source/ and nbgrader_config.py copied from this
    repository, the release generated by ``cxkit.course.release.generate`` (which
    records the grade cells in this course's gradebook).
    """

    def __init__(self, root: Path, workshop: str) -> None:
        from cxkit.course.release import generate
        from cxkit.resources import tools_on_path

        tools_on_path()  # nbgrader runs alembic by name when it creates a gradebook
        self.root, self.workshop = root, workshop
        shutil.copytree(ROOT / "source" / workshop, root / "source" / workshop)
        shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
        shutil.copy(_empty_gradebook(root.parent), root / "gradebook.db")
        self.db_url = f"sqlite:///{root / 'gradebook.db'}"
        self.release = generate(workshop, root, db_url=self.db_url)
        self.source = read_source(workshop)
        self.graded: dict[str, dict[str, float | None]] = {}  # student -> scores
        self._handed: dict[str, dict[str, str]] = {}  # student -> notebooks, as graded

    _shared: dict[str, GradingCourse] = {}

    @classmethod
    def shared(cls, factory: Any, workshop: str) -> GradingCourse:
        """The one course of a workshop for this test run (``factory``: tmp_path_factory).

        Tests that grade the same workshop share its release and gradebook;
        ``grade`` autogrades a submission only once.
        """
        if workshop not in cls._shared:
            cls._shared[workshop] = cls(factory.mktemp("course"), workshop)
        return cls._shared[workshop]

    def grade(self, student: str, notebooks: dict[str, nbformat.NotebookNode]) -> None:
        """Hand in and autograde ``notebooks`` as ``student``, unless that is already done.

        A student's hand-in is graded once: handing other notebooks in under the
        same name is an error.
        """
        handed = {name: nbformat.writes(nb) for name, nb in notebooks.items()}
        if student in self._handed:
            assert self._handed[student] == handed, f"{student} already handed in other notebooks"
            return
        self.submit(student, notebooks)
        self.autograde(student)
        self._handed[student] = handed

    def _api(self) -> Any:
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        from cxkit.course.release import _config

        config = _config(self.root)
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = self.db_url
        config.Exchange.root = str(self.root / "exchange")
        return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def submit(self, student: str, notebooks: dict[str, nbformat.NotebookNode]) -> None:
        """Hand in notebooks (by name) as ``student``."""
        folder = self.root / "submitted" / student / self.workshop
        folder.mkdir(parents=True, exist_ok=True)
        for name, notebook in notebooks.items():
            nbformat.write(notebook, folder / f"{name}.ipynb")
        (folder / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC\n")

    def autograde(self, student: str) -> dict[str, float | None]:
        """Autograde one student's submission; return (and keep in ``graded``) every cell's score.

        Reflections not yet graded by hand score None.
        """
        from sqlalchemy.exc import SAWarning

        with warnings.catch_warnings():  # nbgrader's own session warnings, not the notebook's
            warnings.simplefilter("ignore", SAWarning)
            result = self._api().autograde(self.workshop, student, force=True, create=True)
        if not result.get("success"):
            raise RuntimeError(f"nbgrader autograde failed for {student}:\n{result.get('log')}")
        self.graded[student] = self.scores(student)
        return self.graded[student]

    def scores(self, student: str) -> dict[str, float | None]:
        """The score of every grade cell of a student's submission, from the gradebook."""
        from nbgrader.api import Gradebook

        found: dict[str, float | None] = {}
        with warnings.catch_warnings(), Gradebook(self.db_url) as gradebook:
            warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy session warnings
            for name in self.source:
                notebook = gradebook.find_submission_notebook(name, self.workshop, student)
                for grade in notebook.grades:
                    found[grade.name] = None if grade.needs_manual_grade else float(grade.score)
        return found

    def autograded(self, student: str, name: str) -> nbformat.NotebookNode:
        """A student's autograded notebook, with the outputs nbgrader scored."""
        return read(self.root / "autograded" / student / self.workshop / f"{name}.ipynb")


def autograded_total(scores: dict[str, float | None]) -> float:
    """The sum of the autograded scores (reflections awaiting a grader left out)."""
    return sum(s for s in scores.values() if s is not None)


# --- lint ---------------------------------------------------------------------------------


def lint_source(notebook: nbformat.NotebookNode) -> list[str]:
    """Problems with a source notebook's metadata and shape; [] when none."""
    found = []
    ids = [meta(c).get("grade_id") for c in notebook.cells if meta(c)]
    for gid in ids:
        if not gid or AUTO_ID.match(gid) or not GRADE_ID.match(gid):
            found.append(f"grade id {gid!r} is not a meaningful name (lower_case_words)")
    for gid in sorted({g for g in ids if ids.count(g) > 1}):
        found.append(f"grade id {gid!r} is used more than once")
    if notebook.metadata.get("kernelspec") != KERNELSPEC:
        found.append(f"kernelspec is {notebook.metadata.get('kernelspec')}, not {KERNELSPEC}")
    code = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
    first = notebook.cells[code[0]] if code else None
    if first is None or "import cxkit" not in first.source:
        found.append("the first code cell does not import cxkit")
    if not code or kind(notebook, code[0] + 1) != "parameters":
        found.append("the cell right after the imports is not tagged parameters")
    if notebook.cells[0].cell_type != "markdown" or not notebook.cells[0].source.startswith("# "):
        found.append("the first cell is not a markdown title")
    if not any(c.source.startswith("## Key points") for c in notebook.cells):
        found.append('there is no closing "## Key points" cell')
    for i, cell in enumerate(notebook.cells):
        what, info = kind(notebook, i), meta(cell)
        label = info.get("grade_id", cell.get("id", i))
        if info and info.get("schema_version") != 3:
            found.append(f"{label}: nbgrader schema_version is not 3")
        if what in ("setup", "instruction", "data") and not info.get("locked"):
            found.append(f"{label}: a {what} cell that is not locked")
        if what == "plain":
            found.append(f"{label}: a cell without nbgrader metadata (only parameters may be)")
        if what in ("grade", "reflection") and not float(info.get("points") or 0) > 0:
            found.append(f"{label}: a grade cell without points")
        if what == "grade" and not cell.source.startswith('"""Check that'):
            found.append(f'{label}: a grade cell that does not open with """Check that')
        if what == "grade" and "raises-exception" not in cell.metadata.get("tags", []):
            found.append(f"{label}: a grade cell not tagged raises-exception (Run All stops there)")
        if what == "answer" and "### BEGIN SOLUTION" not in cell.source:
            found.append(f"{label}: an answer cell without ### BEGIN SOLUTION")
        if what == "answer" and info.get("locked"):
            found.append(f"{label}: an answer cell that is locked")
        if cell.source.count("### BEGIN HIDDEN TESTS") != cell.source.count("### END HIDDEN"):
            found.append(f"{label}: unbalanced hidden-test markers")
        if cell.cell_type == "code":
            if cell.get("outputs") or cell.get("execution_count") is not None:
                found.append(f"{label}: outputs are not stripped")
            if "!pip" in cell.source or "%pip" in cell.source:
                found.append(f"{label}: installs packages")
            if len(cell.source.splitlines()) > MAX_CODE_LINES:
                found.append(f"{label}: more than {MAX_CODE_LINES} lines; split it")
    if "widgets" in notebook.metadata:
        found.append("notebook metadata holds widget state")
    return found


def lint_release(source: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """Problems with a release notebook: leaks, outputs, stray metadata; [] when none."""
    from cxkit.course.release import leaks

    found = list(leaks(source, release))
    for i, cell in enumerate(release.cells):
        label = meta(cell).get("grade_id", cell.get("id", i))
        if "cxkit" in cell.metadata:
            found.append(f"{label}: cxkit authoring metadata left in")
        if cell.cell_type == "code" and cell.get("outputs"):
            found.append(f"{label}: outputs left in")
    for gid in grade_ids(source, "reflection"):
        cell = next(c for c in release.cells if meta(c).get("grade_id") == gid)
        if cell.source.strip() != "YOUR ANSWER HERE":
            found.append(f"{gid}: the reflection is not the blank stub")
    if release.metadata.get("kernelspec") != KERNELSPEC:
        found.append("the release has another kernelspec")
    return found


def wait_until_idle(page: Any, timeout_ms: int) -> None:
    """In a JupyterLab page (Playwright), wait until the kernel has run everything it was asked."""
    page.wait_for_selector(
        ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout_ms
    )
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-InputPrompt')]"
        ".some(p => p.textContent.includes('[*]'))",
        timeout=timeout_ms,
    )
