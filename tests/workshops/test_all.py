"""Every workshop in source/: it runs, grades, releases and lints the same way.

A workshop's own test module (test_workshop_NN.py) adds what only it has, such
as the planted effect its solution must find.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from notebooks import (
    ROOT,
    GradingCourse,
    exercises,
    failed_kinds,
    failures,
    grade_ids,
    lint_release,
    lint_source,
    meta,
    mistakes,
    points,
    read,
    read_source,
    run,
    solve,
    solve_with,
)

WORKSHOPS = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir())
NOTEBOOKS = [(w, name) for w in WORKSHOPS for name in read_source(w)]
IDS = [f"{w}/{name}" for w, name in NOTEBOOKS]
MISTAKES = [
    (w, name, answer) for w, name in NOTEBOOKS for answer in sorted(mistakes(read_source(w)[name]))
]


def _source(workshop: str, name: str) -> nbformat.NotebookNode:
    return read_source(workshop)[name]


def _release(workshop: str, name: str) -> Path:
    return ROOT / "release" / workshop / f"{name}.ipynb"


def _outputs(notebook: nbformat.NotebookNode, grade_id: str) -> list[dict]:
    return next(c for c in notebook.cells if meta(c).get("grade_id") == grade_id).outputs


def test_there_are_workshops_to_test():
    """Does the discovery find the foundations workshop (so nothing below is vacuous)?"""
    assert ("00-foundations", "foundations") in NOTEBOOKS


# --- running ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("workshop", "name"), NOTEBOOKS, ids=IDS)
def test_source_runs_on_the_sample_with_every_check_passing(workshop, name, tmp_path):
    """Does the source run headless in the kit's kernel, every grade cell printing Correct?"""
    source = _source(workshop, name)
    done = run(source, tmp_path)
    assert failures(done) == []
    for gid in grade_ids(source):
        printed = "".join(o.get("text", "") for o in _outputs(done, gid))
        assert printed.startswith("Correct:"), gid


@pytest.mark.slow
@pytest.mark.parametrize(("workshop", "name"), NOTEBOOKS, ids=IDS)
def test_source_passes_on_a_company_generated_with_another_seed(workshop, name, other_company):
    """Do the grade cells work their expected values out from the data, not from the sample?"""
    source = _source(workshop, name)
    _, outcomes = solve(source, {"data_dir": str(other_company)})
    assert outcomes == {gid: "" for gid in grade_ids(source)}


@pytest.mark.slow
@pytest.mark.parametrize(("workshop", "name", "answer"), MISTAKES)
def test_each_typical_mistake_fails_only_its_own_check_with_a_hint(workshop, name, answer):
    """Does each declared typical mistake fail its exercise's check, with a hint, and no other?"""
    source = _source(workshop, name)
    _, outcomes = solve_with(source, answer, mistakes(source)[answer])
    failed = {gid: message for gid, message in outcomes.items() if message}
    assert list(failed) == [exercises(source)[answer]]
    assert failed[exercises(source)[answer]].startswith("CheckFailed: ")


@pytest.mark.slow
@pytest.mark.parametrize(("workshop", "name"), NOTEBOOKS, ids=IDS)
def test_the_release_as_is_fails_only_in_grade_cells(workshop, name, tmp_path):
    """Does the untouched release run to the end, failing only in grade cells asking for answers?"""
    done = run(_release(workshop, name), tmp_path, allow_errors=True)
    assert failed_kinds(done) == {"grade"}
    for gid in grade_ids(done):
        (error,) = [o for o in _outputs(done, gid) if o.output_type == "error"]
        assert error.ename == "CheckFailed"
        if gid == "commitment_check":  # words between quotes, not None
            assert "commitment still needs: change, touchpoint, metric, target, by" in error.evalue
        else:
            assert "is still None. Replace None with your answer" in error.evalue


# --- grading with nbgrader ----------------------------------------------------------------


@pytest.fixture(scope="module", params=WORKSHOPS)
def course(request, tmp_path_factory) -> GradingCourse:
    """A temporary nbgrader course per workshop: the model answers and the blank release graded."""
    course = GradingCourse.shared(tmp_path_factory, request.param)
    course.grade("model", course.source)
    course.grade("blank", course.release)
    return course


@pytest.mark.slow
def test_the_model_answers_get_every_autograded_point(course):
    """Does the source, handed in, get every autograded point, reflections left to a person?"""
    scores = course.graded["model"]
    for source in course.source.values():
        assert {g: scores[g] for g in points(source)} == points(source)
        assert [scores[g] for g in grade_ids(source, "reflection")] == [None] * len(
            grade_ids(source, "reflection")
        )


@pytest.mark.slow
def test_the_untouched_release_scores_zero(course):
    """Does the release handed back untouched score 0 everywhere, without crashing the grader?"""
    assert set(course.graded["blank"].values()) == {0.0}
    expected = {g for s in course.source.values() for g in [*points(s), *points(s, "reflection")]}
    assert set(course.graded["blank"]) == expected


@pytest.mark.slow
def test_release_matches_a_fresh_generation(course):
    """Is release/ what nbgrader generates from source/ now (ignoring volatile metadata)?"""
    from cxkit.course.release import compare

    assert compare(course.release, ROOT / "release" / course.workshop) == []


# --- lint ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("workshop", "name"), NOTEBOOKS, ids=IDS)
def test_source_metadata_is_sound(workshop, name):
    """Are grade ids meaningful and unique, points set, read-only cells locked, outputs gone?"""
    assert lint_source(_source(workshop, name)) == []


@pytest.mark.parametrize(("workshop", "name"), NOTEBOOKS, ids=IDS)
def test_release_gives_nothing_away(workshop, name):
    """Does release/ hold no solution, hidden test, output or authoring note?"""
    assert lint_release(_source(workshop, name), read(_release(workshop, name))) == []


@pytest.mark.parametrize(("workshop", "name"), NOTEBOOKS, ids=IDS)
def test_the_workshop_has_the_agreed_shape(workshop, name):
    """Are there 5-8 autograded exercises (and at most a commitment besides), 1-2 reflections,
    and a mistake declared for each?"""
    source = _source(workshop, name)
    assert 5 <= len(set(exercises(source)) - {"commitment"}) <= 8
    assert 1 <= len(grade_ids(source, "reflection")) <= 2
    assert set(mistakes(source)) == set(exercises(source))
    assert all(g.endswith("_check") for g in grade_ids(source))
    assert "data_dir" in next(
        c.source for c in source.cells if "parameters" in c.metadata.get("tags", [])
    )


@pytest.mark.parametrize("workshop", WORKSHOPS)
def test_every_workshop_has_a_facilitator_guide(workshop):
    """Is there a guide that times the session and keys every exercise, as workshop 00's does?"""
    guide = ROOT / "workshops" / workshop / "README.md"
    assert guide.is_file(), f"write {guide.relative_to(ROOT)}"
    text = guide.read_text()
    assert text.startswith("# ") and "minutes" in text
    for heading in ("Objectives", "Agenda", "Answer key", "Common mistakes"):
        assert f"\n## {heading}" in text, f"the guide has no '## {heading}' section"
    key = text.split("\n## Answer key", 1)[1].split("\n## ", 1)[0]
    count = sum(len(exercises(s)) for s in read_source(workshop).values())
    for number in range(1, count + 1):
        assert f"\n| {number} |" in key, f"the answer key has no row for exercise {number}"


@pytest.mark.slow
@pytest.mark.parametrize("workshop", WORKSHOPS)
def test_the_answer_key_states_each_verdict_found_on_the_sample(workshop):
    """Does the guide's answer key give each "is it real?" verdict the solution finds on the sample?

    Every answer named ``..._is_real`` is a verdict of ``cxkit.difference``
    ("clearly apart" or "can't tell yet"); the key must show it as
    `name` "verdict", as the facilitator reads it out.
    """
    text = (ROOT / "workshops" / workshop / "README.md").read_text()
    key = text.split("\n## Answer key", 1)[1].split("\n## ", 1)[0]
    for source in read_source(workshop).values():
        variables, _ = solve(source)
        for name, value in variables.items():
            if name.endswith("_is_real"):
                assert value in ("clearly apart", "can't tell yet"), name
                assert f'`{name}` "{value}"' in key, f"the answer key does not say {name}"
