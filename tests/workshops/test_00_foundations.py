"""Workshop 00, foundations: what only it has (test_workshops.py runs, grades and lints it)."""

from __future__ import annotations

import re
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
from cxkit.widgets import LookUp

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
    # and without code: the explorers give a facilities participant the same answers
    owned = found["owned"].set(department="facilities").shown
    assert owned.index.tolist() == ["distribution centre", "contact centre"]
    stages = found["stage_answers"].set(department="facilities").shown["answers"]
    assert stages.to_dict() == {"receive": 868, "get help": 368, "all its stages": 1236}
    weakest = found["weakest"].set(department="facilities", measure="NPS").shown
    assert weakest["value"].to_dict() == {"delivery": 14.2, "support ticket": 14.9}


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


# --- without code -------------------------------------------------------------------------

EXPLORERS = {
    "owned": ["department"],
    "nps_parts": ["group", "minus"],
    "margins": ["answers"],
    "by_group": ["by"],
    "three_questions": ["measure", "touchpoint"],
    "stage_answers": ["department"],
    "weakest": ["department", "measure"],
}


def _read_off_the_explorers() -> dict[str, object]:
    """What a participant of accounting types without code: each value read off an explorer."""
    found, _ = solve(SOURCE)
    parts, margins, three = found["nps_parts"], found["margins"], found["three_questions"]
    segments = found["by_group"].set(by="segment").shown
    weakest = found["weakest"].set(department="accounting", measure="NPS").shown
    return {
        "my_touchpoints": found["owned"].set(department="accounting").shown.index.tolist(),
        "promoters": parts.set(group="promoters", minus="nobody").read(),
        "detractors": parts.set(group="detractors").read(),
        "nps_by_hand": parts.set(group="promoters", minus="detractors").read(),
        "nps_20": margins.set(answers=20).read(20, "value"),
        "ci_20": (margins.read(20, "ci_low"), margins.read(20, "ci_high")),
        "ci_all": (
            margins.set(answers="all").read("all", "ci_low"),
            margins.read("all", "ci_high"),
        ),
        "lowest_segment": str(segments["value"].idxmin()),
        "csat_all": three.set(measure="CSAT", touchpoint="all").read(),
        "effort_all": three.set(measure="effort").read(),
        "my_answers": found["stage_answers"]
        .set(department="accounting")
        .read("all its stages", "answers"),
        "worst_touchpoint": str(weakest["value"].idxmin()),
    }


def _typed_in(release, typed: dict[str, object]):
    """The release with each ``name = None`` of its answer cells replaced by the value typed."""
    import nbformat

    handed = nbformat.from_dict(release)
    answers = [c for c in handed.cells if meta(c).get("solution") and c.cell_type == "code"]
    for name, value in typed.items():
        line = f"{name} = {value!r}"
        replaced = 0
        for cell in answers:
            cell.source, count = re.subn(
                rf"^{name} = None\b", lambda _, line=line: line, cell.source, flags=re.M
            )
            replaced += count
        assert replaced == 1, f"the release has {replaced} lines {name} = None"
    return handed


@pytest.mark.slow
def test_every_explorer_offers_a_choice():
    """Does each explorer have its controls, each with more than one option to choose from?"""
    found, _ = solve(SOURCE)
    explorers = {name: v for name, v in found.items() if isinstance(v, LookUp)}
    assert {name: list(v.controls) for name, v in explorers.items()} == EXPLORERS
    for name, explorer in explorers.items():
        assert all(len(options) >= 2 for options in explorer.controls.values()), name
    assert found["margins"].controls["answers"] == [20, 50, 100, 200, "all"]


@pytest.mark.slow
def test_the_explorers_show_the_answer_key_on_the_sample():
    """Are the values read off the explorers the guide's answer key, rounded as shown?"""
    assert _read_off_the_explorers() == {
        "my_touchpoints": ["invoice", "payment reminder"],
        "promoters": 36.1,
        "detractors": 24.8,
        "nps_by_hand": 11.4,  # subtracted before rounding: 36.1 - 24.8 would be 11.3
        "nps_20": -10,
        "ci_20": (-42.1, 24.7),
        "ci_all": (6.2, 16.4),
        "lowest_segment": "small_business",
        "csat_all": 68.01,
        "effort_all": 3.16,
        "my_answers": 494,
        "worst_touchpoint": "invoice",
    }


# --- grading with nbgrader ----------------------------------------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> GradingCourse:
    """The workshop's temporary nbgrader course, with three submissions autograded."""
    course = GradingCourse.shared(tmp_path_factory, WORKSHOP)  # test_all.py's too
    fraction = mistakes(SOURCE)["nps_by_hand"]
    course.grade("blank", course.release)
    course.grade("fraction", {NAME: with_answer(SOURCE, "nps_by_hand", fraction)})
    course.grade("noisy", {NAME: with_answer(SOURCE, "nps_by_hand", NOISY)})
    course.grade("no_code", {NAME: _typed_in(course.release[NAME], _read_off_the_explorers())})
    return course


@pytest.mark.slow
def test_typing_what_the_explorers_show_earns_every_autograded_point(course):
    """Does nbgrader give full marks to a hand-in that only typed values read off explorers,
    its working tables left as None?"""
    handed = course.autograded("no_code", NAME)
    answers = [c.source for c in handed.cells if meta(c).get("solution") and c.cell_type == "code"]
    assert "by_segment = None" in answers[3] and "my_surveys = None" in answers[5]
    assert "lowest_segment = 'small_business'" in answers[3]
    assert autograded_total(course.graded["no_code"]) == sum(points(SOURCE).values())
    printed = "".join(o.get("text", "") for o in _outputs(handed, "nps_by_segment_check"))
    assert printed.startswith("Fine: by_segment is left as None.")


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
