"""A mini course with a roster of three, from three departments; and one demo cycle."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
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


DEMO_SIZE = 8  # the smallest cohort with every kind of participant once


@dataclass(frozen=True)
class Demo:
    """A course made by ``cxkit demo`` for a cohort of ``size``, and what it printed."""

    course: Path
    printed: str
    size: int


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """``cxkit demo`` run once, for the tests that read its course and its pages (none change
    them): release, collect, grade, feedback and the report of eight participants."""
    from cxkit.course.demo import run_demo

    with contextlib.redirect_stdout(io.StringIO()) as printed:
        course = run_demo(tmp_path_factory.mktemp("demo") / "demo", size=DEMO_SIZE, workers=2)
    return Demo(course, printed.getvalue(), DEMO_SIZE)
