"""Planning a grading run: what to grade, what to skip, what fails before it runs."""

from __future__ import annotations

import minicourse as mc

from cxkit.course.directory import Course
from cxkit.course.grade import plan
from cxkit.grading.outcomes import Kind, Outcome, State


def _course(tmp_path) -> Course:
    root = mc.make_course(tmp_path)
    mc.hand_in(root, "good", mc.submission())
    mc.hand_in(root, "empty", "")
    mc.hand_in(root, "tamper", mc.submission({"answer_test": "assert True"}))
    return Course(root)


def test_plan_grades_new_work_and_refuses_what_cannot_run(tmp_path):
    """Are sound submissions planned with what was found, and an empty file refused with why?"""
    work = plan(_course(tmp_path), "mini", {}, force=False)
    assert sorted(work.todo) == ["good", "tamper"]
    assert work.todo["good"].found == []
    assert [f.kind for f in work.todo["tamper"].found] == [Kind.LOCKED_EDITED]
    assert work.todo["tamper"].found[0].details["cells"] == ["answer_test"]
    [refused] = work.refused
    assert (refused.participant, refused.state) == ("empty", State.FAILED)
    assert refused.reason == "mini.ipynb is empty (0 bytes): ask for the saved file"
    assert refused.checksum and refused.graded_at.endswith("UTC")


def test_plan_skips_what_is_graded_and_unchanged_unless_forced(tmp_path):
    """Is a submission graded before with the same files left out, and back in with force?"""
    course = _course(tmp_path)
    first = plan(course, "mini", {}, force=False)
    done = {
        "good": Outcome("good", State.GRADED, checksum=first.todo["good"].checksum),
        "tamper": Outcome("tamper", State.NEEDS_ATTENTION, checksum="an older hand-in"),
    }
    assert sorted(plan(course, "mini", done, force=False).todo) == ["tamper"]
    assert sorted(plan(course, "mini", done, force=True).todo) == ["good", "tamper"]
