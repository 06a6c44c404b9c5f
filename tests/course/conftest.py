"""A mini course with a roster of three, from three departments."""

from __future__ import annotations

from pathlib import Path

import minicourse as mc
import pytest

from cxkit.course.directory import Course
from cxkit.course.roster import import_roster

ROSTER = (
    "id,name,email,department\n"
    "ana,Ana Adams,ana@example.com,accounting\n"
    "ben,Ben Bakker,ben@example.com,logistics\n"
    "chen,Chen Costa,chen@example.com,it\n"
)


@pytest.fixture
def course(tmp_path: Path) -> Course:
    root = mc.make_course(tmp_path / "course")
    (tmp_path / "roster.csv").write_text(ROSTER)
    course = Course(root)
    import_roster(course, tmp_path / "roster.csv")
    return course
