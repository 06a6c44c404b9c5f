"""Workshop 00, foundations: what only it has (test_workshops.py runs, grades and lints it)."""

from __future__ import annotations

import shutil

import pytest
from notebooks import (
    ROOT,
    GradingCourse,
    autograded_total,
    exec_cells,
    failures,
    grade_ids,
    kind,
    lint_source,
    meta,
    mistakes,
    points,
    read,
    read_source,
    run,
    solve,
    with_answer,
)

from cxkit.data.schema import DEPARTMENTS

WORKSHOP, NAME = "00-foundations", "foundations"
SOURCE = read_source(WORKSHOP)[NAME]
RELEASE = ROOT / "release" / WORKSHOP / f"{NAME}.ipynb"
# An answer whose use inside the check path raises a FutureWarning.
NOISY = """
import warnings


class Noisy(float):
    def __float__(self):
        warnings.warn("float() of this answer will change", FutureWarning)
        return float.__float__(self)


nps_by_hand = Noisy(nps_by_hand)
"""


def _outputs(notebook, grade_id: str) -> list[dict]:
    return next(c for c in notebook.cells if meta(c).get("grade_id") == grade_id).outputs


# --- running the notebook -----------------------------------------------------------------


@pytest.mark.slow
def test_source_runs_for_a_back_office_department(tmp_path):
    """Does every check pass for IT, which owns no surveyed touchpoint?"""
    done = run(SOURCE, tmp_path, parameters={"department": "it"})
    assert failures(done) == []
    text = "".join(o.get("text", "") for c in done.cells for o in c.get("outputs", []))
    assert "it owns 2 touchpoints: order confirmation, internal IT ticket" in text


@pytest.mark.slow
@pytest.mark.parametrize("department", [*DEPARTMENTS, "facilities"])
def test_every_check_passes_for_every_department(department):
    """Do the model answers pass every check for each department of the schema, and facilities?"""
    outcomes = exec_cells(SOURCE, {"department": department})
    assert outcomes == {gid: "" for gid in grade_ids(SOURCE)}


@pytest.mark.slow
def test_facilities_and_admin_have_a_path_of_their_own():
    """Do facilities own the two touchpoints the notebook adds, and meet customers at two stages?"""
    found, outcomes = solve(SOURCE, {"department": "facilities"})
    assert set(outcomes.values()) == {""}
    mine = found["my_touchpoints"]
    assert mine[["stage", "touchpoint"]].values.tolist() == [
        ["receive", "distribution centre"],
        ["get help", "contact centre"],
    ]
    assert mine["back_office"].tolist() == [True, True]
    assert found["my_stages"] == ["receive", "get help"]
    assert len(found["at_my_stages"]) == 1236  # every post-delivery and post-ticket answer
    assert found["worst_touchpoint"] == "delivery"
    assert found["my_by_touchpoint"]["value"].round(1).to_dict() == {
        "delivery": 14.2,
        "support ticket": 14.9,
    }


@pytest.mark.slow
def test_the_facilities_rows_change_no_other_department():
    """Are the company's touchpoints kept as loaded, with facilities' two added in journey order?"""
    import cxkit

    found, _ = solve(SOURCE, {"department": "accounting"})
    table = found["touchpoints"]
    company = table[table["department"] != "facilities"].astype(object)
    assert company.values.tolist() == cxkit.load("touchpoints").astype(object).values.tolist()
    assert len(table) == 19 and table["stage_order"].is_monotonic_increasing
    assert found["my_touchpoints"]["touchpoint"].tolist() == ["invoice", "payment reminder"]


# --- grading with nbgrader ----------------------------------------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> GradingCourse:
    """The workshop's temporary nbgrader course, with three submissions autograded."""
    course = GradingCourse.shared(tmp_path_factory, WORKSHOP)  # test_all.py's too
    fraction = mistakes(SOURCE)["nps_by_hand"]
    course.grade("blank", course.release)
    course.grade("fraction", {NAME: with_answer(SOURCE, "nps_by_hand", fraction)})
    course.grade("noisy", {NAME: with_answer(SOURCE, "nps_by_hand", NOISY)})
    return course


@pytest.mark.slow
def test_one_typical_mistake_costs_exactly_its_exercise(course):
    """Does NPS as a fraction lose the points of the NPS exercise and nothing else?"""
    scores = course.graded["fraction"]
    lost = {
        g: points(SOURCE)[g] - s
        for g, s in scores.items()
        if s is not None and s < points(SOURCE)[g]
    }
    assert lost == {"nps_by_hand_check": points(SOURCE)["nps_by_hand_check"]}
    assert autograded_total(scores) == sum(points(SOURCE).values()) - lost["nps_by_hand_check"]
    (error,) = [
        o
        for o in _outputs(course.autograded("fraction", NAME), "nps_by_hand_check")
        if o.output_type == "error"
    ]
    assert "looks like a fraction" in error.evalue


@pytest.mark.slow
def test_a_warning_inside_a_check_never_costs_points(course):
    """Does a test cell that emits a FutureWarning keep its points, the warning on stdout?"""
    assert autograded_total(course.graded["noisy"]) == sum(points(SOURCE).values())
    outputs = _outputs(course.autograded("noisy", NAME), "nps_by_hand_check")
    assert [o.name for o in outputs if o.output_type == "stream"] == ["stdout"] * len(outputs)
    printed = "".join(o.text for o in outputs)
    assert "Note (FutureWarning): float() of this answer will change" in printed


@pytest.mark.slow
def test_a_failed_check_shows_a_short_hint_and_still_scores_zero(course):
    """Is a failed check in nbgrader an error output with a one-line hint, not a traceback?"""
    outputs = _outputs(course.autograded("blank", NAME), "dept_touchpoints_check")
    (error,) = outputs
    assert (error.output_type, error.ename) == ("error", "CheckFailed")
    assert len(error.traceback) == 1 and "Not yet:" in error.traceback[0]
    assert course.graded["blank"]["dept_touchpoints_check"] == 0.0


# --- the release --------------------------------------------------------------------------


@pytest.mark.slow
def test_editing_the_source_without_regenerating_is_caught(tmp_path):
    """Does the comparison fail when source/ was edited but release/ not regenerated?"""
    from cxkit.course.release import differences

    for folder in ("source", "release"):
        shutil.copytree(ROOT / folder / WORKSHOP, tmp_path / folder / WORKSHOP)
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    edited = read(tmp_path / "source" / WORKSHOP / f"{NAME}.ipynb")
    edited.cells[-1].source += "\n- One more key point nobody released."
    (tmp_path / "source" / WORKSHOP / f"{NAME}.ipynb").write_text(_json(edited))
    found = differences(WORKSHOP, tmp_path)
    cell = edited.cells[-1].id
    assert found == [f"{NAME}.ipynb differs from a fresh generation (cells: {cell})"]
    assert not (tmp_path / "gradebook.db").exists()


def _json(notebook) -> str:
    import nbformat

    return nbformat.writes(notebook)


# --- metadata lint ------------------------------------------------------------------------


def test_lint_catches_what_it_should():
    """Does the lint report an auto id, a missing point, an unlocked data cell and outputs?"""
    import nbformat

    broken = nbformat.from_dict(SOURCE)
    data = next(c for i, c in enumerate(broken.cells) if kind(broken, i) == "data")
    data.metadata.nbgrader["locked"] = False
    data.outputs = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    test = next(c for c in broken.cells if meta(c).get("grade") and not meta(c).get("solution"))
    test.metadata.nbgrader["grade_id"] = "cell-938593c4"
    del test.metadata.nbgrader["points"]
    found = "\n".join(lint_source(broken))
    assert "'cell-938593c4' is not a meaningful name" in found
    assert "a grade cell without points" in found
    assert "a data cell that is not locked" in found
    assert "outputs are not stripped" in found
