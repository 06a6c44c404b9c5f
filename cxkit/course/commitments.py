"""The commitments participants made at the end of a workshop, collected into one course table.

A department workshop ends with ``commitment = cxkit.commitment(change=...,
touchpoint=..., metric=..., target=..., by=...)`` in the answer cell whose grade
id is ``commitment``. :func:`collect_commitments` reads that cell in every
submission *without running it*: the call's arguments are read as the literal
text they are (Python's own parser), so nothing a participant wrote is
executed, and a cell that is not plain text gets a note, never a crash.

The commitments go to ``<course>/commitments.csv``, one row per participant and
workshop (:data:`COLUMNS`), where a facilitator can open it in a spreadsheet.
Collecting again updates a row whose commitment changed, adds new ones, never
duplicates a row and never loses one, nor the ``kept`` already recorded with
:func:`record_kept` (``yes``, ``no`` or ``partly``).

A participant's department is the roster's when the roster names them (the
commitment is about their own team's work, whichever workshop they took), and
otherwise the department the workshop is written for (its ``department = "..."``
line), so that a course without a roster still groups commitments usefully.
"""

from __future__ import annotations

import ast
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from cxkit.commitments import FIELDS
from cxkit.course.directory import Course
from cxkit.course.grade import submissions
from cxkit.course.roster import roster
from cxkit.errors import CxkitError, close_match

try:
    import fcntl
except ImportError:  # Windows: one cxkit process at a time per course folder
    fcntl = None  # type: ignore[assignment]

FILE = "commitments.csv"
CELL = "commitment"  # the grade id of the answer cell that holds the commitment
COLUMNS = ("workshop", "participant", "department", *FIELDS, "collected", "kept")
KEPT = ("yes", "no", "partly")
CALLS = ("cxkit.commitment", "commitment")


@dataclass
class Gathered:
    """What one collection found: rows added, changed and unchanged, and a note per problem."""

    workshop: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (participant, what is wrong)
    path: Path | None = None

    def summary(self) -> str:
        lines = [
            f"Commitments of {self.workshop}: {len(self.added)} new, {len(self.updated)} "
            f"changed, {len(self.unchanged)} unchanged, in {self.path}."
        ]
        if self.notes:
            lines.append(f"{len(self.notes)} note(s):")
            lines += [f"  {pid}: {note}" for pid, note in self.notes]
        return "\n".join(lines)


def read_commitment(source: str) -> tuple[dict[str, str], list[str]]:
    """The fields of the ``cxkit.commitment(...)`` call in a cell, read as text, never run.

    Returns the fields written as literal text, and a note for each thing that
    could not be read that way.

    Examples
    --------
    >>> read_commitment('commitment = cxkit.commitment(change="Friendly letter", by="2027-03-31")')
    ({'change': 'Friendly letter', 'by': '2027-03-31'}, [])
    >>> read_commitment('commitment = cxkit.commitment(change=my_text, metric="NPS")')
    ({'metric': 'NPS'}, ['change is not text in quotes (my_text), so it was not read'])
    >>> read_commitment("commitment = None")
    ({}, ['no cxkit.commitment(...) in the commitment cell: left blank?'])
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        return {}, [f"the commitment cell is not valid Python (line {err.lineno}: {err.msg})"]
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) in CALLS
    ]
    if not calls:
        return {}, ["no cxkit.commitment(...) in the commitment cell: left blank?"]
    call = max(calls, key=lambda node: (node.lineno, node.col_offset))  # the one run last
    given = list(zip(FIELDS, call.args, strict=False))
    notes = [f"{len(call.args) - len(FIELDS)} value(s) beyond the five fields were left out"]
    notes = notes if len(call.args) > len(FIELDS) else []
    for keyword in call.keywords:
        if keyword.arg in FIELDS:
            given.append((keyword.arg, keyword.value))
        else:
            notes.append(f"{keyword.arg or '**' + ast.unparse(keyword.value)} is not a field")
    fields = {}
    for name, node in given:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            fields[name] = node.value.strip()
        else:
            notes.append(
                f"{name} is not text in quotes ({ast.unparse(node)[:40]}), so it was not read"
            )
    return fields, notes


def workshop_department(course: Course, workshop: str) -> str:
    """The department a workshop is written for: its ``department = "..."`` line ("" if none)."""
    for notebook in course.notebooks(workshop):
        path = course.folder("source") / workshop / f"{notebook}.ipynb"
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code" or "department" not in cell.source:
                continue
            with contextlib.suppress(SyntaxError):
                for node in ast.parse(cell.source).body:
                    if (
                        isinstance(node, ast.Assign)
                        and [ast.unparse(t) for t in node.targets] == ["department"]
                        and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str)
                    ):
                        return node.value.value
    return ""


def _has_commitment_cell(course: Course, workshop: str) -> bool:
    for notebook in course.notebooks(workshop):
        cells = nbformat.read(
            course.folder("source") / workshop / f"{notebook}.ipynb", as_version=4
        ).cells
        if any(c.metadata.get("nbgrader", {}).get("grade_id") == CELL for c in cells):
            return True
    return False


def _submitted_cell(course: Course, workshop: str, pid: str) -> tuple[str | None, str]:
    """The source of a participant's commitment cell, or None and why it cannot be read."""
    folder = course.folder("submitted") / pid / workshop
    for notebook in course.notebooks(workshop):
        path = folder / f"{notebook}.ipynb"
        if not path.is_file():
            continue
        try:
            cells = nbformat.read(path, as_version=4).cells
        except Exception as err:  # nbformat raises several kinds for a broken file
            return None, f"{path.name} is not a readable notebook ({type(err).__name__})"
        for cell in cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == CELL:
                return str(cell.get("source", "")), ""
    return None, 'the hand-in has no commitment cell (grade id "commitment"): was it deleted?'


def collect_commitments(course: Course, workshop: str, today: str | None = None) -> Gathered:
    """Read every submission's commitment into ``<course>/commitments.csv``; return what changed.

    Raises
    ------
    CxkitError
        When the workshop has no commitment cell, or no submissions yet.
    """
    workshop = course.workshop(workshop)
    if not _has_commitment_cell(course, workshop):
        raise CxkitError(
            f'{workshop} has no commitment cell (grade id "commitment") in its source '
            "notebooks: only the department workshops end with a commitment."
        )
    handed_in = submissions(course, workshop)
    if not handed_in:
        raise CxkitError(
            f"{workshop} has no submissions in {course.folder('submitted')} yet: collect the "
            f"hand-ins first (cxkit collect hand-ins/ --workshop {workshop}), then run this again."
        )
    people = roster(course).set_index("id")["department"].to_dict()
    fallback = workshop_department(course, workshop)
    today = today or datetime.now(UTC).date().isoformat()
    gathered = Gathered(workshop, path=course.root / FILE)
    found = []
    for pid in handed_in:
        source, why = _submitted_cell(course, workshop, pid)
        if source is None:
            gathered.notes.append((pid, why))
            continue
        fields, notes = read_commitment(source)
        gathered.notes += [(pid, note) for note in notes]
        if not any(fields.values()):
            if not notes:
                gathered.notes.append((pid, "the commitment was left blank"))
            continue
        missing = [name for name in FIELDS if not fields.get(name)]
        if missing and not notes:
            gathered.notes.append((pid, f"still needs: {', '.join(missing)}"))
        department = people.get(pid) or fallback or "unknown"
        row = {"workshop": workshop, "participant": pid, "department": department}
        found.append(row | {name: fields.get(name, "") for name in FIELDS})
    with _locked(course):
        table = read_commitments(course.root / FILE)
        merged = _merge(table, found, today, gathered)
        write_commitments(merged, course.root / FILE)
    return gathered


def _merge(
    table: pd.DataFrame, found: list[dict[str, str]], today: str, gathered: Gathered
) -> pd.DataFrame:
    rows = {(r["workshop"], r["participant"]): r for r in table.to_dict("records")}
    compared = ("department", *FIELDS)
    for new in found:
        key = (new["workshop"], new["participant"])
        old = rows.get(key)
        if old is None:
            rows[key] = new | {"collected": today, "kept": ""}
            gathered.added.append(new["participant"])
        elif all(old[c] == new[c] for c in compared):
            gathered.unchanged.append(new["participant"])
        else:
            rows[key] = old | new | {"collected": today}
            gathered.updated.append(new["participant"])
    frame = pd.DataFrame(list(rows.values()), columns=list(COLUMNS))
    return frame.sort_values(["workshop", "participant"], kind="stable").reset_index(drop=True)


def read_commitments(path: Path) -> pd.DataFrame:
    """The commitments table; an empty one when the file does not exist yet.

    Raises
    ------
    CxkitError
        When the file cannot be read as CSV, lacks a column, or records "kept"
        as something other than yes, no or partly.
    """
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=str) for c in COLUMNS})
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise CxkitError(
            f"{path} is not a readable CSV file ({str(err).strip()[:120]}). Save it as CSV "
            f"UTF-8 with the header {','.join(COLUMNS)}, or move it away and collect again."
        ) from None
    for column in COLUMNS:
        if column not in table.columns:
            raise CxkitError(
                f'{path} has no column "{column}".{close_match(column, table.columns)} It needs '
                f"the columns {', '.join(COLUMNS)}."
            )
    table = table[list(COLUMNS)]
    table["kept"] = table["kept"].str.strip().str.lower()
    bad = table[~table["kept"].isin(("", *KEPT))]
    if not bad.empty:
        line = int(bad.index[0]) + 2
        raise CxkitError(
            f'{path}, line {line}: kept is "{bad["kept"].iloc[0]}"; write yes, no, partly, or '
            "leave it empty."
        )
    return table


def write_commitments(table: pd.DataFrame, path: Path) -> None:
    """Write the table beside ``path``, then rename it over: never half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    table.to_csv(partial, index=False, lineterminator="\n", encoding="utf-8")
    os.replace(partial, path)


def record_kept(course: Course, workshop: str, participant: str, kept: str) -> dict[str, Any]:
    """Record whether a participant kept their commitment: yes, no or partly; return the row.

    Raises
    ------
    CxkitError
        For another answer, no commitments collected for the workshop, or a
        participant without a commitment there.
    """
    answer = kept.strip().lower()
    if answer not in KEPT:
        raise CxkitError(f'Kept is "{kept}": say yes, no or partly.{close_match(kept, KEPT)}')
    workshop = course.workshop(workshop)
    path = course.root / FILE
    with _locked(course):
        table = read_commitments(path)
        rows = table.index[(table["workshop"] == workshop) & (table["participant"] == participant)]
        if table[table["workshop"] == workshop].empty:
            raise CxkitError(
                f"No commitments of {workshop} are collected in {path} yet: run "
                f"cxkit commitments {workshop} first."
            )
        if rows.empty:
            known = list(table.loc[table["workshop"] == workshop, "participant"])
            raise CxkitError(
                f"{participant} has no commitment of {workshop} in {path}."
                f"{close_match(participant, known)} Participants with one: {', '.join(known)}."
            )
        table.loc[rows, "kept"] = answer
        write_commitments(table, path)
    return dict(table.loc[rows[0]])


@contextlib.contextmanager
def _locked(course: Course) -> Iterator[None]:
    """One cxkit process at a time reads and rewrites the commitments table."""
    with (course.state / f"{FILE}.lock").open("a") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield
