"""Refreshers: a short graded assignment, weeks after a workshop, on the company's newest data.

:func:`make` draws questions from the department's bank (:mod:`cxkit.course.refreshers`)
and writes ``source/refresher-<department>-<date>/`` into the course: one nbgrader
notebook laid out like a workshop (a locked setup, a ``parameters`` cell, for each
question its text, its explorer, the answer cell and a grade cell computing the
expected value with the question's reference) and a ``data/`` folder with a copy of
the tables it reads. The copy travels with the assignment (nbgrader releases it and
puts it back beside every submission it grades), so participants and the grader
read the same numbers, and the next refresher, made on newer data, has new ones.
From there ``cxkit release``, ``collect``, ``grade``, ``feedback`` and ``report``
work on it as on a workshop.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cxkit.course.directory import Course, nbgrader_config
from cxkit.course.refreshers import QUESTIONS, Bank, Question, load_bank
from cxkit.errors import CxkitError

PREFIX = "refresher-"
DATA_FOLDER = "data"
# the kernel every workshop notebook names (installed with cxkit as the "cxkit" kernelspec)
KERNELSPEC = {"display_name": "Python 3 (cxkit)", "language": "python", "name": "cxkit"}


@dataclass
class Made:
    """What :func:`make` wrote: the assignment's name, its notebook and its data."""

    name: str
    notebook: Path
    tables: list[Path]
    questions: list[Question]

    def summary(self) -> str:
        asked = "\n".join(f"  {n}. {q.title}" for n, q in enumerate(self.questions, start=1))
        return (
            f"Made {self.name} ({len(self.questions)} questions):\n{asked}\n"
            f"Data: {', '.join(p.name for p in self.tables)} in "
            f"{self.notebook.parent / DATA_FOLDER}.\n"
            f"Next: cxkit release {self.name}, then collect, grade, feedback and report as "
            "for a workshop."
        )


def choose(bank: Bank, count: int, seed: str) -> list[Question]:
    """``count`` questions of ``bank`` in the bank's order, each with its options drawn.

    The same ``seed`` draws the same questions and options.
    """
    low, high = QUESTIONS
    if not low <= count <= high:
        raise CxkitError(f"A refresher asks {low} to {high} questions, not {count}.")
    if count > len(bank.questions):
        raise CxkitError(
            f"The {bank.department} bank has {len(bank.questions)} questions; ask at most "
            "that many."
        )
    rng = random.Random(seed)
    picked = sorted(rng.sample(range(len(bank.questions)), count))
    questions = []
    for index in picked:
        question = bank.questions[index]
        chosen = {name: rng.choice(options) for name, options in sorted(question.vary.items())}
        questions.append(question.filled(chosen))
    return questions


def make(
    course: Course,
    department: str,
    data: Path | None = None,
    count: int = 4,
    day: date | None = None,
    seed: str | None = None,
    workshop: str | None = None,
) -> Made:
    """Write ``source/refresher-<department>-<date>/`` into the course: the notebook and its data.

    Parameters
    ----------
    course : Course
        The course to write into.
    department : str
        A department with a bank (:func:`banks`).
    data : path, optional
        The company's newest data, a folder of the tables as CSV files; by default the sample.
    count : int, default 4
        How many questions, 3 to 5.
    day : date, optional
        The refresher's date, in its name; by default today (UTC).
    seed : str, optional
        What draws the questions and their options; by default the department and the date.
    workshop : str, optional
        The workshop the questions are on, for a department with more than one
        (accounting: ``"10-refunds-revenue"``); by default the department's first.

    Raises
    ------
    CxkitError
        For an unknown department or workshop, a data folder whose tables cannot be
        read, a question the data cannot answer, or a refresher of that name already made.
    """
    from cxkit.data.load import load, sample_dir

    bank = load_bank(department, workshop=workshop)
    day = day or datetime.now(UTC).date()
    name = f"{PREFIX}{department}-{day.isoformat()}"
    target = course.folder("source") / name
    if target.exists():
        raise CxkitError(
            f"{target} already exists: a refresher for {department} was made on {day}. "
            "Release that one, or pass another --date to make a new one."
        )
    folder = Path(data) if data is not None else sample_dir()
    if not folder.is_dir():
        raise CxkitError(
            f"The data folder {folder} is not a folder. Give the folder holding the tables as "
            "CSV files (invoices.csv, surveys.csv ...)."
        )
    questions = choose(bank, count, seed or name)
    needed = sorted({t for q in questions for t in q.tables})
    frames = {table: load(table, folder) for table in needed}  # a clear error for bad data
    for question in questions:
        _answerable(question, frames, folder)
    _fits_the_exchange(course, [folder / f"{table}.csv" for table in needed])
    notebook = refresher_notebook(bank, questions, day)
    partial = target.with_name(f".{name}.part")  # renamed into place once whole
    shutil.rmtree(partial, ignore_errors=True)
    try:
        (partial / DATA_FOLDER).mkdir(parents=True)
        for table in needed:
            shutil.copy2(folder / f"{table}.csv", partial / DATA_FOLDER)
        nbformat.write(notebook, partial / f"refresher_{department}.ipynb")
        partial.rename(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    copied = [target / DATA_FOLDER / f"{table}.csv" for table in needed]
    return Made(name, target / f"refresher_{department}.ipynb", copied, questions)


def _answerable(question: Question, frames: dict[str, Any], folder: Path) -> None:
    """Compute the question's answer on the data; a clear error when the data cannot give one."""
    import cxkit

    namespace = {"cxkit": cxkit, **{t: f.copy() for t, f in frames.items()}}
    try:
        value = eval(question.reference, namespace)  # the bank's own expression, not user input
    except Exception as err:  # any failure is the data's or the bank's: say which question
        raise CxkitError(
            f'The data in {folder} cannot answer the question "{question.title}" '
            f"({type(err).__name__}: {err}). Check that its tables hold what the sample's do, "
            "or make the refresher again (another --seed draws other questions)."
        ) from None
    if value is None or (isinstance(value, float) and value != value):
        raise CxkitError(
            f'The data in {folder} gives no answer to "{question.title}" (nothing to count). '
            "Make the refresher again with another --seed, or on data with more rows."
        )


def _fits_the_exchange(course: Course, files: list[Path]) -> None:
    """Refuse data that nbgrader would leave out of the release (its size limits, in kB)."""
    from nbgrader.coursedir import CourseDirectory

    limits = CourseDirectory(config=nbgrader_config(course.root))
    sizes = {path.name: path.stat().st_size / 1000 for path in files}
    too_big = [name for name, size in sizes.items() if size > limits.max_file_size]
    if too_big or sum(sizes.values()) > limits.max_dir_size:
        what = (
            f"{too_big[0]} is {sizes[too_big[0]] / 1000:.1f} MB"
            if too_big
            else f"the tables come to {sum(sizes.values()) / 1000:.1f} MB"
        )
        raise CxkitError(
            f"{what}, more than nbgrader copies to participants (CourseDirectory.max_file_size "
            f"{limits.max_file_size} kB a file, max_dir_size {limits.max_dir_size} kB in all). "
            "Make the refresher on a smaller extract of the data (the last months), or raise "
            "those limits in the course's nbgrader_config.py."
        )


def _meta(grade_id: str, **flags: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"grade": False, "solution": False, "locked": True}
    base["schema_version"] = 3
    base.update(flags)
    base["grade_id"] = grade_id
    return {"nbgrader": dict(sorted(base.items()))}


def refresher_notebook(bank: Bank, questions: list[Question], day: date) -> Any:
    """The refresher as an nbgrader source notebook, laid out like a workshop."""
    total = sum(q.points for q in questions)
    tables = sorted({t for q in questions for t in q.tables})
    cells = [
        new_markdown_cell(_intro(bank, questions, total, day), metadata=_meta("intro")),
        new_code_cell(
            "import cxkit\nfrom cxkit import checks\n\nchecks.start()  # short notes and hints",
            metadata=_meta("setup"),
        ),
        new_code_cell(
            "# The data this refresher was made on, copied beside the notebook.\n"
            f'data_dir = "{DATA_FOLDER}"',
            metadata={"tags": ["parameters"]},
        ),
        new_code_cell(
            "\n".join(f'{t} = cxkit.load("{t}", data_dir)' for t in tables),
            metadata=_meta("load_data"),
        ),
    ]
    for number, question in enumerate(questions, start=1):
        cells += _question_cells(number, question)
    cells.append(
        new_markdown_cell(
            "## Done\n\nSave the notebook and hand it in the way you handed in the workshop. "
            "Your facilitator sees how the team did on each question, and which ones to go "
            "over again together.",
            metadata=_meta("done"),
        )
    )
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    for n, cell in enumerate(notebook.cells):
        cell["id"] = (
            cell.metadata.get("nbgrader", {}).get("grade_id", f"cell-{n}").replace("_", "-")
        )
    return notebook


def _intro(bank: Bank, questions: list[Question], total: int, day: date) -> str:
    return (
        f"# Refresher · {bank.department} · {day.isoformat()}\n\n"
        f"**Who it is for:** {bank.department}, some weeks after workshop {bank.workshop} "
        f'("{bank.title}").\n\n'
        f"**Time:** about 10 minutes: {len(questions)} questions, {total} points, on the "
        "company's newest data, so the numbers are not the ones you found in the workshop.\n\n"
        "Run the first cells (Run → Run All Cells is fine), then answer each question in one of "
        "two ways: write the line of code, or, without code, choose what the question asks in "
        "the explorer above its answer cell, read the value it shows, and type it in place of "
        '`None` (a word in quotes, like `"friendly"`). The check under each answer says at '
        "once whether it is right."
    )


def _question_cells(number: int, question: Question) -> list[Any]:
    gid, explorer = question.id, f"{question.id}_explorer"
    points = "1 point" if question.points == 1 else f"{question.points} points"
    answer = question.answer
    return [
        new_markdown_cell(
            f"### Question {number} · {question.title} ({points})\n\n{question.text}\n\n"
            f"Without code: choose it in the explorer below, then type the value it shows "
            f"as `{answer}`.",
            metadata=_meta(f"{gid}_question"),
        ),
        new_code_cell(
            f"{explorer} = {question.explorer}\n{explorer}", metadata=_meta(f"{gid}_explorer")
        ),
        new_code_cell(
            f"{answer} = None\n### BEGIN SOLUTION\n{answer} = {question.reference}\n"
            f"### END SOLUTION\n{answer}",
            metadata=_meta(gid, solution=True, locked=False),
        ),
        new_code_cell(
            f'"""Check that {answer} is right: {_in_docstring(question.title)}"""\n'
            f"expected = {question.reference}\n{question.check_call()}",
            metadata=_meta(f"{gid}_check", grade=True, points=question.points),
        ),
    ]


def _in_docstring(text: str) -> str:
    """``text`` as it can stand between triple quotes: its double quotes become single ones.

    >>> _in_docstring('Late refunds, reason "damaged"')
    "Late refunds, reason 'damaged'"
    """
    return text.replace('"', "'")


def is_refresher(workshop: str) -> bool:
    """Whether an assignment is a refresher, by its name.

    Examples
    --------
    >>> is_refresher("refresher-accounting-2027-01-15"), is_refresher("01-accounting-finance")
    (True, False)
    """
    return workshop.startswith(PREFIX)


def refresher_parts(workshop: str) -> tuple[str, str]:
    """A refresher's department and date, from its name.

    Examples
    --------
    >>> refresher_parts("refresher-it-2027-01-15")
    ('it', '2027-01-15')
    """
    rest = workshop[len(PREFIX) :]
    return rest[:-11], rest[-10:]
