"""Grading settings: traits read from nbgrader_config.py and set on the command line."""

from __future__ import annotations

import json

import minicourse as mc
import pytest

from cxkit.cli import main
from cxkit.course.directory import Course
from cxkit.errors import CxkitError
from cxkit.grading.local import Grader
from cxkit.grading.outcomes import Limits
from cxkit.grading.settings import (
    Grading,
    for_executor,
    grading_settings,
    names,
    trait,
)

CONFIG = """
c.Grading.cell_timeout = 7
c.Grading.budget = 240
c.Grading.memory_mb = 512
c.Grading.processes = 32
c.Grading.sandbox = False
"""


def _course(tmp_path, config: str = CONFIG) -> Course:
    root = mc.make_course(tmp_path / "course")
    with (root / "nbgrader_config.py").open("a") as file:
        file.write(config)
    return Course(root)


@pytest.fixture
def graded_with(monkeypatch):
    """Run `cxkit grade ...` with the grading step replaced: the settings it was given."""
    given: list[Grading] = []

    def grade(course, workshop, settings, **options):
        given.append(settings)
        return {}

    monkeypatch.setattr("cxkit.course.grade.grade", grade)

    def run(*argv: str) -> Grading:
        assert main(["grade", "mini", "--quiet", *argv]) == 0
        return given[-1]

    return run


def test_defaults_are_the_sandbox_limits():
    """Are the default settings the sandbox's own limits, and does each kernel get them?"""
    assert Grading().limits() == Limits()
    assert (Grading().cell_timeout, Grading().budget, Grading().sandbox) == (30, 180.0, True)


def test_the_course_config_reaches_the_executor_and_the_sandbox(tmp_path):
    """Does a value from nbgrader_config.py reach the workers' settings and the kernel limits?"""
    course = _course(tmp_path)
    settings = grading_settings(course)
    assert settings.limits() == Limits(memory_mb=512, processes=32)
    executor = for_executor(course, settings)
    assert executor["cell_timeout"] == 7 and executor["sandbox"] is False
    assert executor["limits"] == {"memory_mb": 512, "processes": 32}
    grader = Grader(course, "mini", settings)
    sent = json.loads(grader._config)  # what each worker process is started with
    assert (sent["cell_timeout"], sent["limits"]["memory_mb"]) == (7, 512)
    assert grader.budget == 240.0


def test_the_command_line_beats_the_config(tmp_path, graded_with):
    """Do --Grading.<name>=<value> and the short flags win over nbgrader_config.py?"""
    root = str(_course(tmp_path).root)
    settings = graded_with("--course-dir", root, "--Grading.cell_timeout=9", "--budget", "50")
    assert (settings.cell_timeout, settings.budget) == (9, 50.0)
    assert (settings.memory_mb, settings.sandbox) == (512, False)  # from the file
    settings = graded_with("--course-dir", root, "--Grading.memory_mb", "1024", "--workers", "1")
    assert (settings.memory_mb, settings.workers, settings.cell_timeout) == (1024, 1, 7)
    settings = graded_with("--course-dir", root, "--Grading.sandbox=true")
    assert settings.sandbox is True


def test_no_sandbox_flag_is_the_sandbox_setting(tmp_path, graded_with):
    """Does --no-sandbox set sandbox to False where the file leaves it on?"""
    root = str(_course(tmp_path, config="").root)
    assert graded_with("--course-dir", root).sandbox is True
    assert graded_with("--course-dir", root, "--no-sandbox").sandbox is False


def test_python_overrides_beat_the_config(tmp_path):
    """Do keyword settings given to grade() in Python win over the file (None: not given)?"""
    settings = grading_settings(_course(tmp_path), {"budget": 60, "workers": None})
    assert (settings.budget, settings.cell_timeout) == (60.0, 7)
    assert settings.workers == Grading().workers


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ("c.Grading.bugdet = 5", ["'bugdet'", 'Did you mean "budget"', "nbgrader_config.py"]),
        ("c.Grading.budget = -1", ["budget = -1", "above 0", "c.Grading.budget = 180.0"]),
        ("c.Grading.workers = 'many'", ["workers = 'many'", "a whole number of at least 1"]),
        ("c.Grading.memory_mb = 0", ["memory_mb = 0", "--Grading.memory_mb=2048"]),
    ],
)
def test_a_bad_config_value_is_named_with_the_fix(tmp_path, config, words):
    """Does a wrong name, range or type in nbgrader_config.py stop grading, saying what to fix?"""
    course = _course(tmp_path, config=config)
    with pytest.raises(CxkitError) as err:
        grading_settings(course)
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--Grading.bugdet=3"], ["'bugdet'", 'Did you mean "budget"', "cxkit grade --help"]),
        (["--Grading.budget=-5"], ["budget = -5.0", "on the command line", "above 0"]),
        (["--budget", "-5"], ["budget = -5.0", "above 0"]),
        (["--Grading.cell_timeout=soon"], ["cell_timeout = 'soon'", "a whole number"]),
        (["--Grading.sandbox=maybe"], ["sandbox = 'maybe'", "True or False"]),
        (["--budget", "60", "--Grading.budget=90"], ["--budget and --Grading.budget=90.0"]),
    ],
)
def test_a_bad_command_line_value_is_named_with_the_fix(tmp_path, capsys, argv, words):
    """Does a wrong setting on the command line fail before grading, naming it and the fix?"""
    root = str(_course(tmp_path, config="").root)
    assert main(["grade", "mini", "--course-dir", root, "--quiet", *argv]) == 2
    message = capsys.readouterr().err
    assert message.startswith("cxkit: ")
    for word in words:
        assert word in message


def test_grade_refuses_a_bad_setting_from_python(tmp_path):
    """Does grade() refuse an unknown or negative setting before it touches the course?"""
    from cxkit.course.grade import grade

    course = _course(tmp_path, config="")
    with pytest.raises(CxkitError, match="budget = -1"):
        grade(course, "mini", budget=-1, show_progress=False)
    with pytest.raises(CxkitError, match="'limits', which is not a grading setting"):
        grade(course, "mini", limits={"memory_mb": 1}, show_progress=False)
    assert not (course.root / "gradebook.db").exists()


def test_help_lists_every_setting(capsys):
    """Does `cxkit grade --help` list every setting with its help and default?"""
    with pytest.raises(SystemExit) as stop:
        main(["grade", "--help"])
    assert stop.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for name in names():
        assert f"--Grading.{name}" in text
        assert " ".join(trait(name).help.split()) in text
    assert "(default: 180.0)" in text and "c.Grading.<name> = <value>" in text
