"""cxkit submit: one zip to hand in, named as cxkit collect expects."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime

import minicourse as mc
import nbformat
import pytest

from cxkit import CxkitError
from cxkit.cli import main
from cxkit.course.collect import NBGRADER_NAME, collect
from cxkit.course.directory import Course
from cxkit.participant import lab
from cxkit.participant.submit import submit

WHEN = datetime(2026, 11, 24, 9, 30, 5, tzinfo=UTC)


def test_submit_writes_one_zip_named_as_collect_expects(workspace):
    """Is the zip named <workshop>_<id>_<time>.zip, each notebook in nbgrader's naming?"""
    done = submit("mini", "jo.smith", workspace, now=WHEN)
    assert done.path == workspace / "mini_jo.smith_2026-11-24-09-30-05.zip"
    with zipfile.ZipFile(done.path) as archive:
        names = archive.namelist()
        data = archive.read(names[0])
    assert names == ["mini_jo.smith_attempt_2026-11-24-09-30-05_mini.ipynb"]
    match = NBGRADER_NAME.match(names[0])
    assert match and match["id"] == "jo.smith" and match["notebook"] == "mini"
    assert data == (workspace / "mini" / "mini.ipynb").read_bytes()
    assert done.notes == []


def test_a_submitted_zip_is_placed_by_collect_without_a_roster(workspace, tmp_path):
    """Does cxkit collect put the notebook at submitted/<id>/<workshop>/ with its time?"""
    course = Course(mc.make_course(tmp_path / "course"))
    done = submit("mini", "jo.smith", workspace, now=WHEN)
    placed = collect(course, "mini", done.path)
    assert [(pid, nb) for pid, nb, _ in placed.placed] == [("jo.smith", "mini")]
    folder = course.folder("submitted") / "jo.smith" / "mini"
    assert (folder / "mini.ipynb").read_bytes() == (workspace / "mini" / "mini.ipynb").read_bytes()
    assert (folder / "timestamp.txt").read_text().startswith("2026-11-24 09:30:05")


def test_submit_notes_a_notebook_with_nothing_answered(release, tmp_path):
    """Is an untouched notebook still zipped, with a note asking whether it was saved?"""
    root = lab.prepare(tmp_path / "ws", release=release).root
    done = submit("mini", "jo", root, now=WHEN)
    assert done.notes == ["mini.ipynb has no answer filled in yet. Did you save it (Ctrl+S)?"]
    assert done.path.exists()


@pytest.mark.parametrize("bad", ["jo smith", "jo_smith", "", "-jo"])
def test_submit_refuses_an_id_collect_could_not_read(workspace, bad):
    """Is an id with a space, an underscore or nothing refused, with what to use instead?"""
    with pytest.raises(CxkitError, match="cannot be a participant id: use letters, digits"):
        submit("mini", bad, workspace, now=WHEN)
    assert list(workspace.glob("*.zip")) == []


def test_submit_names_a_broken_notebook_and_writes_nothing(workspace):
    """Is a corrupted notebook named, with the fix, and no zip left behind?"""
    (workspace / "mini" / "mini.ipynb").write_text('{"cells": [')
    with pytest.raises(CxkitError, match="mini.ipynb is not a readable notebook"):
        submit("mini", "jo", workspace, now=WHEN)
    assert list(workspace.glob("*.zip*")) == []


def test_submit_lists_the_workshop_folders_when_one_is_missing(workspace):
    """Does a wrong workshop name list the folders that do hold notebooks?"""
    with pytest.raises(CxkitError, match="no workshop folder 05-marketing .* here: mini"):
        submit("05-marketing", "jo", workspace, now=WHEN)


def test_the_submit_command_takes_a_workshop_number(tmp_path, capsys):
    """Does `cxkit submit 00 --id jo` find 00-foundations and say where the zip is?"""
    folder = tmp_path / "00-foundations"
    folder.mkdir()
    nbformat.write(mc.submission(), folder / "foundations.ipynb")
    assert main(["submit", "00", "--id", "jo", "--workspace", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Wrote 00-foundations_jo_") and "foundations.ipynb" in out
    assert len(list(tmp_path.glob("00-foundations_jo_*.zip"))) == 1
    assert main(["submit", "00", "--id", "jo smith", "--workspace", str(tmp_path)]) == 2
    assert "cannot be a participant id" in capsys.readouterr().err
