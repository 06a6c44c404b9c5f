"""The roster: who takes part, and which department each participant comes from.

Participants go into nbgrader's gradebook (id, name, e-mail). The department,
which nbgrader has no field for, is kept beside it in ``.cxkit/roster.csv`` so
the reports can show completion and scores by department.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from cxkit.course.directory import Course
from cxkit.errors import CxkitError, close_match

COLUMNS = ("id", "name", "email", "department")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def read_roster(path: str | Path) -> pd.DataFrame:
    """Read and check a roster CSV with the columns id, name, email and department."""
    path = Path(path)
    if not path.is_file():
        raise CxkitError(f"Cannot find the roster {path}. Check the file name.")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise CxkitError(
            f"{path} is not a readable CSV file ({err}). Save it as CSV UTF-8 with a header "
            f"row: {', '.join(COLUMNS)}."
        ) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for column in COLUMNS:
        if column not in frame.columns:
            raise CxkitError(
                f'The roster {path} has no column "{column}".'
                f"{close_match(column, frame.columns)} A roster needs the columns "
                f"{', '.join(COLUMNS)}."
            )
    frame = frame[list(COLUMNS)].apply(lambda s: s.str.strip())
    if frame.empty:
        raise CxkitError(f"The roster {path} has a header but no participants.")
    problems = []
    for line, row in zip(frame.index + 2, frame.itertuples(index=False), strict=True):
        if not _ID.match(row.id):
            problems.append(
                f"line {line}: id {row.id!r} must be letters, digits, '.', '_' or '-' (it names "
                "a folder)"
            )
        if row.email and not _EMAIL.match(row.email):
            problems.append(f"line {line}: {row.email!r} is not an e-mail address")
        if not row.department:
            problems.append(f"line {line}: {row.id} has no department")
    duplicated = frame[frame["id"].duplicated(keep=False)]
    if not duplicated.empty:
        lines = ", ".join(str(i + 2) for i in duplicated.index)
        problems.append(
            f"the id {duplicated['id'].iloc[0]!r} appears more than once (lines {lines})"
        )
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise CxkitError(f"The roster {path} needs fixing: {shown}.")
    return frame.reset_index(drop=True)


def import_roster(course: Course, path: str | Path) -> pd.DataFrame:
    """Add or update the participants of a roster file in the gradebook and in cxkit's records.

    Returns the roster as stored: earlier participants that the file does not
    mention are kept, so importing a late joiner's one-line file loses nobody.
    """
    new = read_roster(path)
    with course.gradebook() as gradebook:
        for row in new.itertuples(index=False):
            first, _, last = row.name.partition(" ")
            gradebook.update_or_create_student(
                row.id, first_name=first or None, last_name=last or None, email=row.email or None
            )
    stored = roster(course)
    merged = pd.concat([stored[~stored["id"].isin(new["id"])], new], ignore_index=True)
    merged = merged.sort_values("id", kind="stable").reset_index(drop=True)
    merged.to_csv(course.state / "roster.csv", index=False, lineterminator="\n")
    return merged


def roster(course: Course) -> pd.DataFrame:
    """The roster stored for a course (empty when none was imported)."""
    path = course.state / "roster.csv"
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=str) for c in COLUMNS})
    return pd.read_csv(path, dtype=str, keep_default_na=False)
