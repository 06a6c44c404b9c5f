"""Collecting hand-ins: every file placed, or reported with its reason."""

from __future__ import annotations

import zipfile

import minicourse as mc
import nbformat
import pytest

from cxkit import CxkitError
from cxkit.course.collect import collect


def _notebook_bytes(answer: str = "answer = 42") -> bytes:
    return nbformat.writes(mc.submission({"answer": answer})).encode()


def test_collect_places_every_kind_of_hand_in(course, tmp_path):
    """Are nbgrader-named zips, id folders and e-mail-named zips all placed?"""
    inbox = tmp_path / "inbox"
    (inbox / "ben").mkdir(parents=True)
    with zipfile.ZipFile(inbox / "whatever.zip", "w") as archive:
        archive.writestr("mini_ana_attempt_2026-11-20-09-30-00_mini.ipynb", _notebook_bytes())
    (inbox / "ben" / "mini (1).ipynb").write_bytes(_notebook_bytes())
    with zipfile.ZipFile(inbox / "chen@example.com.zip", "w") as archive:
        archive.writestr("mini.ipynb", _notebook_bytes())
    result = collect(course, "mini", inbox)
    assert sorted(pid for pid, _, _ in result.placed) == ["ana", "ben", "chen"]
    assert result.unplaced == []
    stamp = course.folder("submitted") / "ana" / "mini" / "timestamp.txt"
    assert stamp.read_text().startswith("2026-11-20 09:30:00")


def test_collect_reports_what_it_cannot_place(course, tmp_path):
    """Is every file that cannot be placed reported with why?"""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "Untitled.ipynb").write_bytes(_notebook_bytes())
    (inbox / "notes.txt").write_text("hello")
    (inbox / "broken.zip").write_bytes(b"PK not a zip")
    (inbox / "ana_other.ipynb").write_bytes(_notebook_bytes())
    (inbox / "ana_ben.ipynb").write_bytes(_notebook_bytes())
    with zipfile.ZipFile(inbox / "x.zip", "w") as archive:
        archive.writestr("mini_zoe_attempt_2026-11-20-09-30-00_mini.ipynb", _notebook_bytes())
        archive.writestr("mini_ana_attempt_2026-11-20-09-30-00_mini.ipynb", _notebook_bytes())
    result = collect(course, "mini", inbox)
    reasons = dict(result.unplaced)
    assert "no participant id or e-mail" in reasons["Untitled.ipynb"]
    assert "not a notebook" in reasons["notes.txt"]
    assert "not a readable zip file" in reasons["broken.zip"]
    assert "not a notebook of workshop mini" in reasons["ana_other.ipynb"]
    assert "matches several participants: ana, ben" in reasons["ana_ben.ipynb"]
    assert (
        "'zoe' is not on the roster"
        in reasons["x.zip:mini_zoe_attempt_2026-11-20-09-30-00_mini.ipynb"]
    )
    assert [pid for pid, _, _ in result.placed] == ["ana"]
    assert "Could not place 6 file(s)" in result.summary()


def test_newer_hand_in_replaces_older(course, tmp_path):
    """When someone hands in twice, is the newer kept and the older reported?"""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "a.zip", "w") as archive:
        archive.writestr(
            "mini_ana_attempt_2026-11-20-09-00-00_mini.ipynb", _notebook_bytes("answer = 1")
        )
        archive.writestr("mini_ana_attempt_2026-11-20-10-00-00_mini.ipynb", _notebook_bytes())
    result = collect(course, "mini", inbox)
    assert len(result.placed) == 1 and "older hand-in of ana" in result.unplaced[0][1]
    placed = course.folder("submitted") / "ana" / "mini" / "mini.ipynb"
    assert "answer = 42" in placed.read_text()
    again = collect(course, "mini", inbox)
    assert again.placed == [] and len(again.unchanged) == 1


def test_collect_missing_path(course, tmp_path):
    """Does collecting a folder that does not exist say so?"""
    with pytest.raises(CxkitError, match="Cannot find"):
        collect(course, "mini", tmp_path / "nothing")


def test_unknown_workshop_suggests(course):
    """Is a misspelled workshop name answered with the right one?"""
    with pytest.raises(CxkitError, match='Did you mean "mini"'):
        course.workshop("minni")


def test_a_folder_named_like_a_workshop_is_still_a_folder(course, tmp_path, monkeypatch, capsys):
    """Does `cxkit collect mini` collect the folder mini/ when there is one, room or not?"""
    from cxkit.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "mini").mkdir()
    (tmp_path / "mini" / "mini_ana_attempt_2026-11-20-09-30-00_mini.ipynb").write_bytes(
        _notebook_bytes()
    )
    assert main(["collect", "mini", "--course-dir", str(course.root)]) == 0
    assert capsys.readouterr().out.startswith("Placed 1 notebook(s)")
    assert (course.folder("submitted") / "ana" / "mini" / "mini.ipynb").is_file()
