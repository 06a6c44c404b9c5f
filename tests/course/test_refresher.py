"""Refreshers: banks of questions, the assignment made from one, and its grading like a workshop."""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import re
from datetime import date
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import cxkit
from cxkit import checks
from cxkit.course.directory import Course
from cxkit.course.feedback import write_feedback
from cxkit.course.grade import grade
from cxkit.course.programme_commands import add_commands
from cxkit.course.refresher import choose, is_refresher, make, refresher_notebook
from cxkit.course.refreshers import banks, load_bank
from cxkit.course.release import release
from cxkit.course.report import report
from cxkit.errors import CxkitError

DAY = date(2027, 1, 15)
NAME = "refresher-accounting-2027-01-15"
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION\n?", re.S)


def _every_question():
    for department in banks():
        for workshop in load_bank(department).workshops:  # a bank may cover two workshops
            yield from _filled(department, load_bank(department, workshop=workshop).questions)


def _filled(department, questions):
    for question in questions:
        names = sorted(question.vary)
        for values in itertools.product(*(question.vary[n] for n in names)):
            yield department, question.filled(dict(zip(names, values, strict=True)))


QUESTIONS = list(_every_question())


def _run_check(question, namespace, typed) -> str:
    """What the question's grade cell prints for the answer ``typed``."""
    namespace = {**namespace, question.answer: typed}
    namespace["expected"] = eval(question.reference, namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(question.check_call(), namespace)
    return out.getvalue()


def _namespace(company, question):
    return {"cxkit": cxkit, "checks": checks, **{t: company[t].copy() for t in question.tables}}


def _read_explorer(explorer, read):
    """What a participant without code types: the value shown, or the option that stands out."""
    if "settings" in read:
        return explorer.set(**read["settings"]).read(*read.get("cell", []))
    control = read["compare"]
    shown = {o: explorer.set(**{control: o}).read() for o in explorer.controls[control]}
    return (max if read["pick"] == "highest" else min)(shown, key=shown.get)


def test_every_department_workshop_has_a_bank():
    """Is there a bank for each department that has a workshop, each with 3 to 5 questions?"""
    assert banks() == ["accounting", "it", "legal", "logistics", "marketing", "people", "product"]
    for department in banks():
        assert len(load_bank(department).questions) >= 4, department


@pytest.mark.parametrize(
    ("department", "question"), QUESTIONS, ids=[f"{d}-{q.title}" for d, q in QUESTIONS]
)
def test_each_question_is_answered_by_its_reference_and_by_its_explorer(
    company, department, question
):
    """Does the reference pass its own check, and does the value read off the explorer too?"""
    namespace = _namespace(company, question)
    right = eval(question.reference, namespace)
    assert _run_check(question, namespace, right).startswith("Correct:")
    explorer = eval(question.explorer, namespace)
    typed = _read_explorer(explorer, question.read)
    assert _run_check(question, namespace, typed).startswith("Correct:"), (typed, right)


@pytest.mark.parametrize(("department", "question"), QUESTIONS[:8], ids=lambda x: str(x)[:30])
def test_a_wrong_answer_fails_its_check(company, department, question):
    """Does a wrong value fail the check, with the variable named?"""
    namespace = _namespace(company, question)
    wrong = "no such option" if question.check == "choice" else 9999.0
    with pytest.raises(checks.CheckFailed, match=question.answer):
        _run_check(question, namespace, wrong)


def test_an_unknown_department_is_named_with_the_ones_that_have_a_bank():
    """Does asking for a bank that does not exist say which exist, with a did-you-mean?"""
    with pytest.raises(CxkitError, match=r'"acounting".*Did you mean "accounting".*logistics'):
        load_bank("acounting")


def test_every_question_of_every_workshop_of_a_bank_is_tested():
    """Do the refunds questions of workshop 10 reach the tests above, beside the invoice ones?"""
    titles = {q.title for d, q in QUESTIONS if d == "accounting"}
    assert "The wait for refunds over 100 €" in titles
    assert "How often is an invoice disputed?" in titles


@pytest.mark.parametrize(
    ("department", "question"), QUESTIONS, ids=[f"{d}-{q.title}" for d, q in QUESTIONS]
)
def test_each_question_makes_code_cells_python_can_read(department, question):
    """Does every code cell a question puts in the notebook compile, whatever its title holds
    (a title with a quote in it once ended the check's docstring early)?"""
    bank = load_bank(department)
    notebook = refresher_notebook(bank, [question], DAY)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            compile(cell.source, f"{question.id} cell", "exec")


def test_a_department_with_two_workshops_asks_about_one_at_a_time():
    """Does the accounting bank keep workshop 01's questions by default and give workshop 10's
    by name or number, and is a workshop it has no questions on named with the ones it has?"""
    first = load_bank("accounting")
    assert first.workshop == "01-accounting-finance"
    assert first.workshops == ("01-accounting-finance", "10-refunds-revenue")
    assert {t for q in first.questions for t in q.tables} == {"invoices"}
    refunds = load_bank("accounting", workshop="10")
    assert refunds.workshop == "10-refunds-revenue"
    assert refunds.title.startswith("Money back")
    assert {t for q in refunds.questions for t in q.tables} == {"refunds"}
    assert load_bank("accounting", workshop="10-refunds-revenue") == refunds
    with pytest.raises(
        CxkitError, match=r'no questions on workshop "10-refunds".*10-refunds-revenue'
    ):
        load_bank("accounting", workshop="10-refunds")
    with pytest.raises(CxkitError, match=r'workshop "02".*01-accounting-finance, 10-refunds'):
        load_bank("accounting", workshop="02")


def test_a_question_on_a_workshop_the_bank_does_not_name_is_refused(tmp_path):
    """Does a question tagged with a workshop missing from more_workshops, or a more_workshops
    that is not a table of titles, say what is wrong and how to write it?"""
    good = (Path(cxkit.__file__).parent / "course" / "refreshers" / "accounting.toml").read_text()
    (tmp_path / "accounting.toml").write_text(good.replace('"10-refunds-revenue" =', '"10-x" =', 1))
    with pytest.raises(
        CxkitError, match=r'Question 6 \(refund_wait\).*"10-refunds-revenue".*more_workshops'
    ):
        load_bank("accounting", tmp_path)
    broken = good.replace("more_workshops = {", 'more_workshops = ["10"]\nunused = {', 1)
    (tmp_path / "accounting.toml").write_text(broken)
    with pytest.raises(CxkitError, match=r"more_workshops names each other workshop and its title"):
        load_bank("accounting", tmp_path)


def test_a_broken_bank_says_which_question_and_what_is_wrong(tmp_path):
    """Does a bank with a question missing its check, or unknown tables, say so?"""
    good = (Path(cxkit.__file__).parent / "course" / "refreshers" / "legal.toml").read_text()
    (tmp_path / "legal.toml").write_text(good.replace('check = "share"', "", 1))
    with pytest.raises(CxkitError, match=r"Question 1 \(auto_renew\).*missing check"):
        load_bank("legal", tmp_path)
    (tmp_path / "legal.toml").write_text(good.replace('["contracts"]', '["contrcts"]', 1))
    with pytest.raises(CxkitError, match=r"no table 'contrcts'.*Did you mean \"contracts\""):
        load_bank("legal", tmp_path)
    (tmp_path / "legal.toml").write_text("workshop = [")
    with pytest.raises(CxkitError, match="not valid TOML"):
        load_bank("legal", tmp_path)


def test_choose_draws_the_same_questions_for_the_same_seed_and_refuses_too_many():
    """Is a draw repeatable, in the bank's order, and is 6 questions refused?"""
    bank = load_bank("accounting")
    first = choose(bank, 3, "seed-a")
    assert [q.title for q in first] == [q.title for q in choose(bank, 3, "seed-a")]
    order = [q.id for q in bank.questions]
    assert [order.index(q.id) for q in first] == sorted(order.index(q.id) for q in first)
    assert all("$" not in q.text + q.reference for q in first)
    with pytest.raises(CxkitError, match="3 to 5 questions, not 6"):
        choose(bank, 6, "seed-a")
    drawn = {
        tuple(q.title for q in choose(bank, 4, f"refresher-accounting-2027-0{m}-01"))
        for m in range(1, 10)
    }
    assert len(drawn) > 3  # refreshers made on other days ask other things


def test_make_writes_an_nbgrader_notebook_and_a_copy_of_the_data(course):
    """Does make write the notebook (grade cells, points, solutions) and the tables it reads?"""
    made = make(course, "accounting", count=4, day=DAY, seed="s")
    folder = course.folder("source") / NAME
    assert made.notebook == folder / "refresher_accounting.ipynb"
    assert sorted(p.name for p in (folder / "data").iterdir()) == ["invoices.csv"]
    notebook = nbformat.read(made.notebook, as_version=4)
    nbformat.validate(notebook)
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    answers = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert len(graded) == len(answers) == 4
    assert all(c.source.startswith('"""Check that') for c in graded)
    assert all("### BEGIN SOLUTION" in c.source for c in answers)
    params = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert params and 'data_dir = "data"' in params[0].source
    assert "without code" in notebook.cells[4].source.lower()
    assert is_refresher(made.name) and made.name in course.workshops()
    workshop = Path(__file__).resolve().parents[2] / "source" / "01-accounting-finance"
    accounting = nbformat.read(workshop / "accounting.ipynb", as_version=4)
    assert notebook.metadata.kernelspec == accounting.metadata.kernelspec  # the same kernel
    with pytest.raises(CxkitError, match="already exists"):
        make(course, "accounting", count=4, day=DAY, seed="s")


def test_make_on_the_second_workshop_asks_about_refunds_and_says_which_workshop(course, capsys):
    """Does `cxkit refresher make accounting --workshop 10` write a refresher on workshop 10,
    with the refunds table beside it and workshop 10 named at the top?"""
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers())
    args = parser.parse_args(
        [
            "refresher",
            "make",
            "accounting",
            "--workshop",
            "10",
            "--date",
            "2027-01-15",
            "--course-dir",
            str(course.root),
            "--questions",
            "3",
        ]
    )
    assert args.func(args) == 0
    folder = course.folder("source") / NAME
    assert sorted(p.name for p in (folder / "data").iterdir()) == ["refunds.csv"]
    notebook = nbformat.read(folder / "refresher_accounting.ipynb", as_version=4)
    assert 'workshop 10-refunds-revenue ("Money back' in notebook.cells[0].source
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) == 3 and all("refunds" in c.source for c in graded)
    assert "Made refresher-accounting-2027-01-15 (3 questions)" in capsys.readouterr().out


def test_make_refuses_bad_data_before_writing_anything(course, tmp_path):
    """Does a missing data folder, one without the table, or tables larger than nbgrader copies
    to participants, leave no refresher behind?"""
    with pytest.raises(CxkitError, match="nowhere is not a folder"):
        make(course, "logistics", data=tmp_path / "nowhere", day=DAY)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CxkitError, match="shipments.csv"):
        make(course, "logistics", data=empty, day=DAY)
    config = course.root / "nbgrader_config.py"
    config.write_text(config.read_text() + "c.CourseDirectory.max_file_size = 100\n")
    with pytest.raises(CxkitError, match=r"shipments.csv is 0.3 MB, more than nbgrader copies"):
        make(course, "logistics", day=DAY, seed="s")
    assert not (course.folder("source") / "refresher-logistics-2027-01-15").exists()
    assert [p.name for p in course.folder("source").iterdir()] == ["mini"]  # nothing half-made


def test_make_on_newer_data_asks_about_the_newer_numbers(course, sample_copy):
    """Does a refresher made on other data copy that data, so the grade cells compute on it?"""
    invoices = pd.read_csv(sample_copy / "invoices.csv", dtype=str)
    invoices = invoices.iloc[: len(invoices) // 2]
    invoices.to_csv(sample_copy / "invoices.csv", index=False)
    made = make(course, "accounting", data=sample_copy, count=3, day=DAY)
    copied = made.notebook.parent / "data" / "invoices.csv"
    assert copied.read_bytes() == (sample_copy / "invoices.csv").read_bytes()
    assert len(cxkit.load("invoices", copied.parent)) == len(invoices)


def _hand_in(course: Course, pid: str, typed: dict[str, str] | None) -> None:
    """A hand-in from the release: the source's answers (right), ``typed`` values, or blank."""
    release_nb = nbformat.read(
        course.folder("release") / NAME / "refresher_accounting.ipynb", as_version=4
    )
    source_nb = nbformat.read(
        course.folder("source") / NAME / "refresher_accounting.ipynb", as_version=4
    )
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: SOLUTION.sub(r"\1", c.source)
        for c in source_nb.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    for cell in release_nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions and typed is None:
            cell.source = solutions[gid]
        elif gid in solutions and typed:
            answer = cell.source.split(" = ", 1)[0]
            cell.source = f"{answer} = {typed[gid]}\n{answer}"
    folder = course.folder("submitted") / pid / NAME
    folder.mkdir(parents=True)
    nbformat.write(release_nb, folder / "refresher_accounting.ipynb")
    (folder / "timestamp.txt").write_text("2027-01-20 10:00:00.000000 UTC\n")


@pytest.mark.slow
@pytest.mark.parametrize(("workshop", "table"), [(None, "invoices"), ("10", "refunds")])
def test_a_refresher_is_released_answered_and_graded_like_a_workshop(course, workshop, table):
    """Released, answered right, wrong and blank, graded by nbgrader: are the scores 4, 0 and 0,
    and does the programme report show them for the departments? On accounting's workshop 01
    (invoices) and on its workshop 10 (refunds)."""
    from nbgrader.api import Gradebook

    from cxkit.course.programme import gather

    made = make(course, "accounting", count=4, day=DAY, seed="s", workshop=workshop)
    written = release(made.name, course.root)
    assert course.folder("release") / NAME / "data" / f"{table}.csv" in written
    released = (course.folder("release") / NAME / "refresher_accounting.ipynb").read_text()
    assert "BEGIN SOLUTION" not in released
    assert "cxkit.dispute_rate(invoices)\n" not in released  # the solution of question 1
    wrong = {q.id: ('"no such option"' if q.check == "choice" else "9999") for q in made.questions}
    _hand_in(course, "ana", None)
    _hand_in(course, "ben", wrong)
    _hand_in(course, "chen", {})
    outcomes = grade(course, NAME, workers=2, cell_timeout=30, budget=120, show_progress=False)
    assert {pid: o.state.value for pid, o in outcomes.items()} == dict.fromkeys(
        ("ana", "ben", "chen"), "graded"
    )
    with Gradebook(course.gradebook_url, course.course_id) as gradebook:
        scores = {s.student.id: s.score for s in gradebook.assignment_submissions(NAME)}
        assert gradebook.find_assignment(NAME).max_score == 4
    assert scores == {"ana": 4.0, "ben": 0.0, "chen": 0.0}
    graded_nb = nbformat.read(
        course.folder("autograded") / "ana" / NAME / "refresher_accounting.ipynb", as_version=4
    )
    errors = [o for c in graded_nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []  # the explorers and the data beside the notebook ran in the sandbox
    pages = write_feedback(course, NAME)
    assert len(pages) == 3
    ben = next(p for p in pages if "ben" in p.parts).read_text()
    assert "is not" in ben and "9999" in ben  # the check's words reach the participant
    page = report(course, NAME).read_text()
    assert f"Question 1 · {made.questions[0].title}" in page  # the facilitator report names it
    found = gather(course).refreshers
    rows = found.set_index("department")
    assert rows.loc["accounting", "mean_score"] == 100.0
    assert rows.loc["logistics", "mean_score"] == 0.0
    assert rows.loc["it", "graded"] == 1
    assert set(found["refresher"]) == {NAME}


def test_the_refresher_command_makes_one_and_names_a_bad_date(course, capsys):
    """Does `cxkit refresher make it --questions 3 --date ...` write it and say what is next,
    and is a date that is not YYYY-MM-DD refused?"""
    parser = argparse.ArgumentParser(prog="cxkit")
    add_commands(parser.add_subparsers(dest="command"))
    common = ["--course-dir", str(course.root), "--questions", "3"]
    args = parser.parse_args(["refresher", "make", "it", *common, "--date", "2027-01-15"])
    assert args.func(args) == 0
    said = capsys.readouterr().out
    assert "Made refresher-it-2027-01-15 (3 questions)" in said
    assert "Next: cxkit release refresher-it-2027-01-15" in said
    notebook = nbformat.read(
        course.folder("source") / "refresher-it-2027-01-15" / "refresher_it.ipynb", as_version=4
    )
    assert notebook.cells[0].source.startswith("# Refresher · it · 2027-01-15")
    args = parser.parse_args(["refresher", "make", "it", *common, "--date", "15/01/2027"])
    with pytest.raises(CxkitError, match='--date "15/01/2027" is not a date written YYYY-MM-DD'):
        args.func(args)
