"""Commitments: read from the hand-ins without running them, kept in one table, marked kept."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cxkit.course.commitments import (
    COLUMNS,
    collect_commitments,
    read_commitment,
    read_commitments,
    record_kept,
    workshop_department,
)
from cxkit.course.directory import Course
from cxkit.course.programme_commands import add_commands
from cxkit.errors import CxkitError

WORKSHOP = "02-logistics"
FULL = (
    'commitment = cxkit.commitment(\n    change="Call the customer before a split delivery",\n'
    '    touchpoint="delivery",\n    metric="complete delivery",\n    target="95 %",\n'
    '    by="2027-03-31",\n)'
)
STUB = 'commitment = cxkit.commitment(change="", touchpoint="", metric="", target="", by="")'


def _meta(grade_id: str, **flags: object) -> dict:
    base = {"grade": False, "solution": False, "locked": True, "schema_version": 3}
    return {"nbgrader": {**base, **flags, "grade_id": grade_id}}


def _notebook(commitment: str | None) -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Workshop 02", metadata=_meta("intro")),
        new_code_cell(
            'import cxkit\ndepartment = "logistics"  # as the tables write it',
            metadata=_meta("load_data"),
        ),
    ]
    if commitment is not None:
        cells.append(new_code_cell(commitment, metadata=_meta("commitment", solution=True)))
    return new_notebook(cells=cells)


def _workshop(course: Course) -> None:
    folder = course.folder("source") / WORKSHOP
    folder.mkdir(parents=True)
    solution = f"{STUB}\n### BEGIN SOLUTION\n{FULL}\n### END SOLUTION"
    nbformat.write(_notebook(solution), folder / "logistics.ipynb")


def _hand_in(course: Course, pid: str, commitment: str | None) -> None:
    folder = course.folder("submitted") / pid / WORKSHOP
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(_notebook(commitment), folder / "logistics.ipynb")
    (folder / "timestamp.txt").write_text("2027-01-20 10:00:00.000000 UTC\n")


@pytest.fixture
def handed(course: Course) -> Course:
    """Seven hand-ins: complete, partial, computed, unreadable, deleted, blank, off the roster."""
    _workshop(course)
    _hand_in(course, "ana", FULL)
    _hand_in(course, "ben", 'commitment = cxkit.commitment(change="Pack the slips first")')
    _hand_in(
        course,
        "chen",
        'mine = "Fix the printer"\ncommitment = cxkit.commitment(change=mine, '
        'touchpoint="delivery", metric="NPS", target="+5", by="2027-06-30")',
    )
    _hand_in(course, "dara", 'commitment = cxkit.commitment(change="oops')
    _hand_in(course, "eli", None)
    _hand_in(course, "fatima", STUB)
    _hand_in(course, "gus", FULL.replace("Call the customer", "Phone the customer"))
    return course


def test_read_commitment_reads_literal_text_and_runs_nothing():
    """Are positional and keyword fields read, and code that would run only named?"""
    fields, notes = read_commitment(
        'commitment = cxkit.commitment("Friendly letter", "payment reminder", '
        'by="2027-03-31", metric=__import__("os").getcwd())'
    )
    assert fields == {
        "change": "Friendly letter",
        "touchpoint": "payment reminder",
        "by": "2027-03-31",
    }
    assert notes == ["metric is not text in quotes (__import__('os').getcwd()), so it was not read"]
    assert read_commitment("commitment = cxkit.commitment(")[1][0].startswith(
        "the commitment cell is not valid Python"
    )
    assert read_commitment(
        'from cxkit import commitment\nc = commitment(change="x", when="y")'
    ) == (
        {"change": "x"},
        ["when is not a field"],
    )


def test_collect_writes_one_row_per_commitment_with_notes_for_the_rest(handed):
    """Do complete, partial and computed commitments make rows, and every problem a note?"""
    gathered = collect_commitments(handed, "02", today="2027-01-21")
    table = pd.read_csv(handed.root / "commitments.csv", dtype=str, keep_default_na=False)
    assert tuple(table.columns) == COLUMNS
    assert list(table["participant"]) == ["ana", "ben", "chen", "gus"]
    ana = table.set_index("participant").loc["ana"]
    assert dict(ana) == {
        "workshop": WORKSHOP,
        "department": "accounting",  # the roster's, not the workshop's
        "change": "Call the customer before a split delivery",
        "touchpoint": "delivery",
        "metric": "complete delivery",
        "target": "95 %",
        "by": "2027-03-31",
        "collected": "2027-01-21",
        "kept": "",
    }
    assert table.set_index("participant").loc["gus", "department"] == "logistics"  # not on roster
    assert table.set_index("participant").loc["chen", "change"] == ""
    notes = dict(gathered.notes)
    assert notes["ben"] == "still needs: touchpoint, metric, target, by"
    assert notes["chen"] == "change is not text in quotes (mine), so it was not read"
    assert "not valid Python" in notes["dara"]
    assert 'no commitment cell (grade id "commitment")' in notes["eli"]
    assert notes["fatima"] == "the commitment was left blank"
    assert sorted(gathered.added) == ["ana", "ben", "chen", "gus"]
    assert "4 new, 0 changed, 0 unchanged" in gathered.summary()


def test_collecting_again_updates_never_duplicates_and_keeps_what_was_kept(handed):
    """After recording ana kept hers, does a second collection with ana's new text keep "yes"?"""
    collect_commitments(handed, WORKSHOP, today="2027-01-21")
    row = record_kept(handed, "02", "ana", "Yes")
    assert row["kept"] == "yes"
    _hand_in(handed, "ana", FULL.replace("95 %", "97 %"))
    again = collect_commitments(handed, WORKSHOP, today="2027-02-01")
    assert (again.added, again.updated) == ([], ["ana"])
    assert sorted(again.unchanged) == ["ben", "chen", "gus"]
    table = read_commitments(handed.root / "commitments.csv").set_index("participant")
    assert len(table) == 4
    assert table.loc["ana", ["target", "kept", "collected"]].tolist() == [
        "97 %",
        "yes",
        "2027-02-01",
    ]
    assert table.loc["ben", "collected"] == "2027-01-21"


def test_a_row_whose_hand_in_is_gone_is_kept(handed):
    """Does a participant whose hand-in was removed keep their row?"""
    collect_commitments(handed, WORKSHOP, today="2027-01-21")
    shutil.rmtree(handed.folder("submitted") / "gus")
    collect_commitments(handed, WORKSHOP, today="2027-01-22")
    assert "gus" in set(read_commitments(handed.root / "commitments.csv")["participant"])


def test_recording_kept_refuses_unknown_answers_participants_and_workshops(handed):
    """Are "maybe", a misspelt participant and an uncollected workshop each a clear error?"""
    with pytest.raises(CxkitError, match="No commitments of 02-logistics are collected"):
        record_kept(handed, WORKSHOP, "ana", "yes")
    collect_commitments(handed, WORKSHOP)
    with pytest.raises(CxkitError, match="say yes, no or partly"):
        record_kept(handed, WORKSHOP, "ana", "maybe")
    with pytest.raises(CxkitError, match='anna has no commitment.*Did you mean "ana"'):
        record_kept(handed, WORKSHOP, "anna", "partly")


def test_a_workshop_without_commitment_cell_or_submissions_is_refused(handed, course):
    """Is the mini workshop (no commitment cell) refused, and a workshop nobody handed in?"""
    with pytest.raises(CxkitError, match="mini has no commitment cell"):
        collect_commitments(handed, "mini")
    for pid in ("ana", "ben", "chen", "dara", "eli", "fatima", "gus"):
        shutil.rmtree(handed.folder("submitted") / pid)
    with pytest.raises(CxkitError, match="no submissions .* yet: collect the hand-ins first"):
        collect_commitments(handed, WORKSHOP)


def test_an_unreadable_or_hand_edited_table_is_named_with_the_fix(handed):
    """Are a table without a column and a "kept" of "sure" errors naming the file and line?"""
    path = handed.root / "commitments.csv"
    path.write_text("workshop,participant\n02-logistics,ana\n")
    with pytest.raises(CxkitError, match='has no column "department"'):
        collect_commitments(handed, WORKSHOP)
    path.unlink()
    collect_commitments(handed, WORKSHOP)
    lines = path.read_text().splitlines()
    lines[2] = lines[2] + "sure"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CxkitError, match=r'line 3: kept is "sure"; write yes, no, partly'):
        read_commitments(path)
    path.write_bytes(b"\xff\xfe\x00broken")
    with pytest.raises(CxkitError, match="not a readable CSV file"):
        read_commitments(path)


def test_workshop_department_reads_the_department_line(handed):
    """Is the workshop's department its department = "..." line, and "" without one?"""
    assert workshop_department(handed, WORKSHOP) == "logistics"
    assert workshop_department(handed, "mini") == ""


def test_the_commands_collect_and_record(handed, capsys):
    """Do `cxkit commitments 02` and `--kept ana partly` do both, through the parser?"""
    parser = argparse.ArgumentParser(prog="cxkit")
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["commitments", "02", "--course-dir", str(handed.root)])
    assert args.func(args) == 0
    assert "Commitments of 02-logistics: 4 new" in capsys.readouterr().out
    args = parser.parse_args(
        ["commitments", "02", "--kept", "ana", "partly", "--course-dir", str(handed.root)]
    )
    assert args.func(args) == 0
    assert "kept = partly" in capsys.readouterr().out
    table = read_commitments(handed.root / "commitments.csv").set_index("participant")
    assert table.loc["ana", "kept"] == "partly"


def test_the_accounting_workshop_hand_in_is_read(course):
    """Is the commitment typed into the released accounting workshop's quotes read, and the
    untouched release noted as blank?"""
    root = Path(__file__).resolve().parents[2]
    workshop = "01-accounting-finance"
    shutil.copytree(root / "source" / workshop, course.folder("source") / workshop)
    released = nbformat.read(root / "release" / workshop / "accounting.ipynb", as_version=4)
    folder = course.folder("submitted") / "ana" / workshop
    folder.mkdir(parents=True)
    nbformat.write(released, folder / "accounting.ipynb")
    (course.folder("submitted") / "ben" / workshop).mkdir(parents=True)
    for cell in released.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "commitment":
            cell.source = cell.source.replace('change=""', 'change="Friendly letter first"')
            cell.source = cell.source.replace('by=""', 'by="2027-03-31"')
    nbformat.write(released, course.folder("submitted") / "ben" / workshop / "accounting.ipynb")
    gathered = collect_commitments(course, "01", today="2027-01-21")
    assert workshop_department(course, workshop) == "accounting"
    assert dict(gathered.notes)["ana"] == "the commitment was left blank"
    row = read_commitments(course.root / "commitments.csv").set_index("participant").loc["ben"]
    assert row[["department", "change", "by"]].tolist() == [
        "logistics",
        "Friendly letter first",
        "2027-03-31",
    ]
