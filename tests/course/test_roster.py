"""The roster: who takes part and their departments, kept in the gradebook."""

from __future__ import annotations

import pytest

from cxkit import CxkitError
from cxkit.course.roster import import_roster, read_roster, roster


def test_roster_import_keeps_departments_and_fills_the_gradebook(course):
    """Are participants in nbgrader's gradebook, with departments kept beside it?"""
    stored = roster(course)
    assert list(stored["id"]) == ["ana", "ben", "chen"]
    assert dict(zip(stored["id"], stored["department"], strict=True))["ben"] == "logistics"
    with course.gradebook() as gradebook:
        student = gradebook.find_student("ana")
        assert (student.first_name, student.last_name, student.email) == (
            "Ana",
            "Adams",
            "ana@example.com",
        )


def test_roster_import_adds_without_losing_anyone(course, tmp_path):
    """Does importing a late joiner keep the participants imported before?"""
    (tmp_path / "late.csv").write_text("id,name,email,department\ndara,Dara D,,legal\n")
    stored = import_roster(course, tmp_path / "late.csv")
    assert list(stored["id"]) == ["ana", "ben", "chen", "dara"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id,name,mail,department\na,A,a@x.org,it\n", 'no column "email". Did you mean "mail"'),
        ("id,name,email,department\na,A,a@x.org,it\na,B,b@x.org,it\n", "appears more than once"),
        ("id,name,email,department\na b,A,a@x.org,it\n", "must be letters, digits"),
        ("id,name,email,department\na,A,not-an-email,it\n", "is not an e-mail address"),
        ("id,name,email,department\na,A,a@x.org,\n", "a has no department"),
        ("id,name,email,department\n", "has a header but no participants"),
    ],
)
def test_bad_rosters_are_refused(tmp_path, text, words):
    """Is each kind of bad roster refused with a message naming the problem?"""
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(CxkitError, match=words):
        read_roster(path)
