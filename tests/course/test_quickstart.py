"""``cxkit quickstart``: a new course folder laid out from the shipped workshops."""

from __future__ import annotations

import pytest

from cxkit.cli import main
from cxkit.course.directory import Course, nbgrader_config
from cxkit.course.quickstart import quickstart, shipped_workshops
from cxkit.errors import CxkitError
from cxkit.resources import shipped


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_lays_out_every_workshop(tmp_path):
    """Does a new folder get source/ with every shipped workshop (the same bytes),
    nbgrader_config.py, and a README saying what to run next, and is it a course?"""
    layout = quickstart(tmp_path / "course")
    root = tmp_path / "course"
    names = shipped_workshops()
    assert len(names) == 11 and names[0] == "00-foundations"  # 00 to 10
    assert layout.workshops == names and layout.replaced == []
    notebooks = sorted(shipped("source").glob("*/*.ipynb"))
    assert _files(root) == sorted(
        ["README.md", "nbgrader_config.py"]
        + [f"source/{nb.parent.name}/{nb.name}" for nb in notebooks]
    )
    assert sorted(layout.written) == sorted(root / f for f in _files(root))
    for nb in notebooks:
        assert (root / "source" / nb.parent.name / nb.name).read_bytes() == nb.read_bytes()
    assert Course(root).workshops() == names
    assert nbgrader_config(root).CourseDirectory.course_id == "cxkit"
    readme = (root / "README.md").read_text()
    assert "cxkit release 00" in readme and "cxkit grade 00" in readme
    assert f"Workshops: {', '.join(names)}." in readme
    assert f"--course-dir {root}" in readme


def test_lays_out_only_the_workshops_named(tmp_path):
    """Do --workshops 00 and legal (a number, an ending) lay out those two, once each?"""
    layout = quickstart(tmp_path / "course", ["legal", "00", "00-foundations"])
    assert layout.workshops == ["00-foundations", "04-legal"]
    assert sorted(p.name for p in (tmp_path / "course" / "source").iterdir()) == [
        "00-foundations",
        "04-legal",
    ]
    assert "Workshops: 00-foundations, 04-legal." in (tmp_path / "course" / "README.md").read_text()


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    """Is a folder holding anything refused, with the fix in the message, and left as it was?"""
    (tmp_path / "nbgrader_config.py").write_text("# mine\n")
    with pytest.raises(CxkitError, match=r"is not empty \(it holds nbgrader_config.py\).*--force"):
        quickstart(tmp_path)
    assert _files(tmp_path) == ["nbgrader_config.py"]
    assert (tmp_path / "nbgrader_config.py").read_text() == "# mine\n"


def test_force_replaces_files_of_the_same_name_only(tmp_path):
    """With --force, are the course's own files replaced (and listed) and other files kept?"""
    (tmp_path / "nbgrader_config.py").write_text("# mine\n")
    (tmp_path / "notes.txt").write_text("keep me\n")
    layout = quickstart(tmp_path, ["00"], force=True)
    assert layout.replaced == [tmp_path / "nbgrader_config.py"]
    assert (tmp_path / "nbgrader_config.py").read_bytes() == shipped(
        "nbgrader_config.py"
    ).read_bytes()
    assert (tmp_path / "notes.txt").read_text() == "keep me\n"
    again = quickstart(tmp_path, ["04"], force=True)
    assert sorted(p.name for p in again.replaced) == ["README.md", "nbgrader_config.py"]
    assert "Workshops: 00-foundations, 04-legal." in (tmp_path / "README.md").read_text()
    assert "Replaced 2 file(s) (--force): nbgrader_config.py, README.md." in again.summary()


def test_unknown_workshop_suggests_the_closest_and_writes_nothing(tmp_path):
    """Does a misspelt workshop get a did-you-mean and the list, before anything is written?"""
    with pytest.raises(CxkitError) as caught:
        quickstart(tmp_path / "course", ["00", "fundations"])
    assert 'There is no workshop "fundations". Did you mean "00-foundations"?' in str(caught.value)
    assert "09-new-hires, 10-refunds-revenue." in str(caught.value)
    assert not (tmp_path / "course").exists()


def test_refuses_a_file(tmp_path):
    """Is a file given as the course folder refused, even with --force?"""
    (tmp_path / "course").write_text("")
    for force in (False, True):
        with pytest.raises(CxkitError, match="is a file, not a folder"):
            quickstart(tmp_path / "course", force=force)


def test_command_line(tmp_path, capsys):
    """Does `cxkit quickstart DIR --workshops 00` print where and what next, and a second run
    exit 2 with the refusal on stderr?"""
    assert main(["quickstart", str(tmp_path / "c"), "--workshops", "00"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"Laid out a course in {tmp_path / 'c'} with 1 workshop(s): 00-foundations.",
        f"Next: cd {tmp_path / 'c'} and run `cxkit release 00`; README.md lists every step.",
    ]
    assert main(["quickstart", str(tmp_path / "c")]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert main(["quickstart", str(tmp_path / "c"), "--force"]) == 0
    assert len(Course(tmp_path / "c").workshops()) == len(shipped_workshops())
