"""The workshop tests' own shortcuts: a notebook solved once per run, companies kept on disk.

They must never change what a test sees: a copy of a solved notebook behaves
as a fresh run, a resumed run as a full one, a kept company as a fresh one.
"""

from __future__ import annotations

import pandas as pd
from notebooks import (
    ROOT,
    generated,
    generator_files,
    mistakes,
    read_source,
    solve,
    solve_with,
    with_answer,
)

FOUNDATIONS = read_source("00-foundations")["foundations"]  # it defines functions


def test_each_caller_gets_its_own_copy_of_a_solved_notebook():
    """Does changing one caller's variables leave the next caller's alone, functions included?"""
    first, _ = solve(FOUNDATIONS)
    assert len(first["owned_by"]("it")) == 2
    touchpoints = first["touchpoints"]
    first["touchpoints"] = touchpoints.drop(
        index=touchpoints.index[touchpoints["department"] == "it"][0]
    )
    first["surveys"].loc[:, "recommend"] = 0
    assert len(first["owned_by"]("it")) == 1  # the function reads its own copy's globals
    second, _ = solve(FOUNDATIONS)
    assert len(second["owned_by"]("it")) == 2
    assert second["surveys"]["recommend"].max() == 10
    assert second["owned_by"].__globals__ is second


def test_a_run_resumed_at_an_answer_is_the_full_run():
    """Does resuming at a changed answer give the outcomes and values of running it all again?"""
    answer = "worst_touchpoint"  # after owned_by is defined, before three_scores
    extra = mistakes(FOUNDATIONS)[answer]
    full, full_outcomes = solve(with_answer(FOUNDATIONS, answer, extra))
    resumed, outcomes = solve_with(FOUNDATIONS, answer, extra)
    assert list(outcomes.items()) == list(full_outcomes.items())
    assert outcomes[f"{answer}_check"].startswith("CheckFailed: ")
    assert set(resumed) == set(full)
    assert resumed["worst_touchpoint"] == full["worst_touchpoint"]
    pd.testing.assert_frame_equal(resumed["my_by_touchpoint"], full["my_by_touchpoint"])
    assert resumed["owned_by"].__globals__ is resumed
    assert resumed["three_scores"].__globals__ is resumed


def test_the_kept_company_is_what_the_generator_makes_now(other_company, tmp_path):
    """Is the kept seed-7 company byte for byte a fresh generation, and read-only?"""
    from cxkit.data.generate import generate

    generate(tmp_path, seed=7)
    fresh = {p.name: p.read_bytes() for p in sorted(tmp_path.iterdir())}
    kept = {p.name: p.read_bytes() for p in sorted(other_company.iterdir())}
    assert kept == fresh
    assert all(not p.stat().st_mode & 0o222 for p in other_company.iterdir())


def test_the_kept_companies_follow_the_generator_and_the_story():
    """Is every file of the generator in the key, and is a changed story another company?"""
    files = {str(p.relative_to(ROOT)) for p in generator_files()}
    assert {"cxkit/data/generate.py", "cxkit/data/story.py", "cxkit/data/__init__.py"} <= files
    assert all(f.startswith("cxkit/") for f in files)
    changed = generated(7, DISPUTE_EFFECT=0.0)
    assert changed != generated(7) and changed == generated(7, DISPUTE_EFFECT=0.0)
    assert (changed / "surveys.csv").read_bytes() != (generated(7) / "surveys.csv").read_bytes()
