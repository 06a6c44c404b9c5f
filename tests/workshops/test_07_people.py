"""Workshop 07, people (HR & L&D): what only it has (test_workshops.py runs, grades and lints it).

The planted story (cxkit/data/story.py): each region's support team has a
climate (TEAM_CLIMATE) that drives its eNPS, its attrition (ANNUAL_ATTRITION)
and, by TEAM_CLIMATE_EFFECT a point, the experience of the customers it serves;
an agent with under NEW_AGENT_MONTHS of tenure costs a post-ticket answer
NEW_AGENT_EFFECT, and a trained agent (from TRAINING_FROM) adds TRAINING_EFFECT.

The effects overlap (new agents are most common in the low-climate teams, and
trained agents are never in their first month), so a gap the notebook finds is
not the planted effect alone. The tests therefore also generate the same
company with one effect set to zero: the generator draws the same random
numbers, so what the gap loses is what that effect puts in, on its own.
"""

from __future__ import annotations

import pandas as pd
import pytest
from notebooks import (
    ROOT,
    generated,
    points,
    read_at_setting_outcome,
    read_source,
    solve,
    solve_retried,
    solved,
)

import cxkit
from cxkit.data import story
from cxkit.errors import CxkitError

WORKSHOP, NAME = "07-people", "people"
SOURCE = read_source(WORKSHOP)[NAME]
RELEASE = ROOT / "release" / WORKSHOP / f"{NAME}.ipynb"
SEEDS = {"sample": story.DEFAULT_SEED, "seed 7": 7}


def _solve(folder=None) -> dict:
    return solved(SOURCE, folder)


@pytest.fixture(scope="module", params=list(SEEDS))
def found(request, other_company) -> dict:
    """The solution's variables, on the shipped sample and on a company of another seed."""
    return _solve(None if request.param == "sample" else other_company)


@pytest.fixture(scope="module", params=list(SEEDS))
def without(request) -> dict:
    """For one seed: the solution's variables with all effects, and with each one set to 0."""
    seed = SEEDS[request.param]
    runs = {}
    for effect in ("none", "NEW_AGENT_EFFECT", "TRAINING_EFFECT", "TEAM_CLIMATE_EFFECT"):
        changed = {} if effect == "none" else {effect: 0.0}
        runs[effect] = _solve(generated(seed, **changed))
    return runs


def test_the_notebook_uses_the_story_tenure_threshold():
    """Is a new agent one with under NEW_AGENT_MONTHS months, as in the story?"""
    variables, _ = solve(SOURCE)
    assert variables["new_agent_months"] == story.NEW_AGENT_MONTHS
    assert variables["people_touchpoints"]["touchpoint"].tolist() == ["agent training"]


@pytest.mark.slow
def test_the_low_climate_team_has_the_lowest_enps(found):
    """Is the support team with the lowest TEAM_CLIMATE the lowest in eNPS, the order kept?

    Teams of eight answer about 35 times each, so neighbouring climates (South
    at 0.0 and Central at 0.5) may swap; the rank correlation of the support
    teams' eNPS with their climate must still be at least 0.7, and the eNPS of
    the lowest-climate team must be below every other team's interval.
    """
    worst = min(story.TEAM_CLIMATE, key=story.TEAM_CLIMATE.get)
    assert found["lowest_team"] == f"Support {worst}"
    enps = found["team_enps"]
    climate = pd.Series(story.TEAM_CLIMATE)
    ranks = climate.reindex(enps.index).rank()
    assert enps["value"].rank().corr(ranks) >= 0.7
    assert enps.loc[worst, "ci_high"] < enps.drop(index=worst)["ci_low"].max()


@pytest.mark.slow
def test_attrition_is_about_the_planted_rate(found):
    """Is the annualised attrition of customer-facing staff near the story's, low climates worst?

    Customer-facing staff are the five support teams, eight seats each, so the
    planted rate is the mean of ANNUAL_ATTRITION (29.4 % a year). About 18
    people leave in about 58 years worked: a standard error near 7 points;
    accepted within 15 points. The two lowest-climate teams must lose more
    people per year worked than the three others together.
    """
    planted = 100 * sum(story.ANNUAL_ATTRITION.values()) / len(story.ANNUAL_ATTRITION)
    assert found["attrition"] == pytest.approx(planted, abs=15)
    teams = found["by_team"]
    low = [f"Support {r}" for r in sorted(story.TEAM_CLIMATE, key=story.TEAM_CLIMATE.get)[:2]]
    rate = 100 * teams["leavers"].sum() / teams["years worked"].sum()
    low_rate = 100 * teams.loc[low, "leavers"].sum() / teams.loc[low, "years worked"].sum()
    assert low_rate > rate


@pytest.mark.slow
def test_new_agents_cost_satisfaction_beyond_the_margin_of_error(found):
    """Is CSAT with a new agent below CSAT with an experienced one, the two clearly apart?"""
    table = found["csat_by_tenure"]
    assert found["new_agent_gap"] < -10
    assert table.loc["new", "ci_high"] < table.loc["experienced", "ci_low"]
    assert found["gap_is_real"] == "clearly apart"


@pytest.mark.slow
def test_the_new_agent_gap_is_the_planted_effect(without):
    """Does setting NEW_AGENT_EFFECT to 0 take 5 to 35 points of CSAT out of the new-agent gap?

    -0.8 experience points move the 1-5 answer by about a third of that, which
    at the spread of the answers is about 14 points of CSAT (the share of 4s
    and 5s); on 50 to 70 answers about new agents its error is about 6.
    What is left without the effect comes from the low-climate teams, where
    new agents are most common.
    """
    lost = without["NEW_AGENT_EFFECT"]["new_agent_gap"] - without["none"]["new_agent_gap"]
    assert story.NEW_AGENT_EFFECT < 0
    assert 5 <= lost <= 35


@pytest.mark.slow
def test_the_training_gain_is_the_planted_effect(without):
    """Is CSAT after training higher, and does TRAINING_EFFECT = 0 take 3 to 30 points off the gain?

    +0.7 experience points are about 12 points of CSAT; the trained group
    (about 140 answers) and the untrained (about 220) give the difference an
    error near 5. On the sample the intervals of the two groups overlap, so
    only the direction and the size are asserted.
    """
    assert without["none"]["training_gain"] > 0
    lost = without["none"]["training_gain"] - without["TRAINING_EFFECT"]["training_gain"]
    assert story.TRAINING_EFFECT > 0
    assert 3 <= lost <= 30


@pytest.mark.slow
def test_the_training_verdict_is_the_interval_of_the_gain(found):
    """Is the training's verdict what the interval of the gain says, on each company?

    The issue behind this exercise read the training gain as real although the
    two groups' 95 % intervals overlap. Measured by the interval of the
    difference (Newcombe's), the gain is +9.7 points on the sample, from -0.4
    to +19.4: "can't tell yet" (its z is 1.9, below 1.96; a plain Wald
    interval says the same), so the notebook teaches that more answers are
    needed, not that there is no effect. On seed 7 the gain is +19.8, from
    +10.8 to +28.0: "clearly apart". Whatever the company, the notebook's
    verdict must be the interval's, and the gain must shrink when
    TRAINING_EFFECT is set to 0 (see the test above).
    """
    run = found
    table = run["csat_by_training"]
    gain = cxkit.difference(table, "trained", "not yet trained")
    overlap = table.loc["trained", "ci_low"] < table.loc["not yet trained", "ci_high"]
    assert run["training_is_real"] == gain["verdict"]
    assert run["training_gain"] == pytest.approx(gain["difference"])
    assert (gain["verdict"] == "clearly apart") == (gain["ci_low"] > 0)
    if run["data_dir"] is None:  # the sample: overlapping, and just short of clear
        assert overlap and -2 < gain["ci_low"] < 0 < 15 < gain["ci_high"]
        assert gain["verdict"] == "can't tell yet"
    else:  # seed 7
        assert gain["verdict"] == "clearly apart"


@pytest.mark.slow
def test_a_corrected_new_agent_label_passes_when_the_cell_is_run_again():
    """After labelling the experienced agents "new", does a corrected second run pass?

    The cell labels every answer "experienced" again before the participant's
    line. Set apart and run once (as before), the second try would find every
    answer "new": no "experienced" group is left to compare with.
    """
    wrong = (
        'linked.loc[linked["tenure_months"] > new_agent_months, "agent"] = "new"\n'
        'csat_by_tenure = cxkit.csat_by(linked, "agent")'
    )
    _, outcomes = solve_retried(SOURCE, "new_agents", wrong)
    assert outcomes["new_agents_check"] == ""
    with pytest.raises(CxkitError, match='second "experienced" is not a group'):
        solve_retried(SOURCE, "new_agents", wrong, reset_apart=True)


@pytest.mark.slow
def test_a_corrected_training_label_passes_when_the_cell_is_run_again():
    """After labelling the answers before training "trained", does a corrected rerun pass?

    The cell labels every answer "not yet trained" again first; set apart and
    run once, the second try keeps the first try's wrong labels and fails.
    """
    wrong = (
        'linked.loc[linked["cx_training_date"] > linked["opened_at"], "training"] = "trained"\n'
        'csat_by_training = cxkit.csat_by(linked, "training")'
    )
    _, outcomes = solve_retried(SOURCE, "training", wrong)
    assert outcomes["training_check"] == ""
    _, before = solve_retried(SOURCE, "training", wrong, reset_apart=True)
    assert before["training_check"].startswith("CheckFailed: csat_by_training")


@pytest.mark.slow
def test_team_climate_goes_with_the_nps_of_its_customers(without):
    """Do team eNPS and customer NPS correlate, the best and worst regions apart, by the story?

    North (climate +1.0) and East (-1.6) differ by 2.6 climate points, which
    TEAM_CLIMATE_EFFECT turns into about 1.6 experience points: 40 to 65
    points of NPS on the relationship survey (about 175 answers a region).
    Accepted: 25 to 90 points lost when the effect is set to 0, a correlation
    of at least 0.7 with it, and the two regions' intervals apart.
    """
    teams = without["none"]["teams"]
    north, east = teams.loc["North"], teams.loc["East"]
    assert without["none"]["climate_correlation"] >= 0.7
    assert east["customers' NPS ci_high"] < north["customers' NPS ci_low"]

    def spread(run: dict) -> float:
        nps = run["teams"]["customers' NPS value"]
        return nps["North"] - nps["East"]

    assert 25 <= spread(without["none"]) - spread(without["TEAM_CLIMATE_EFFECT"]) <= 90


@pytest.mark.slow
def test_what_works_support_norths_customers_recommend_us_clearly_more(without):
    """Do the customers of Support North recommend us clearly more than the other regions', as
    the section "One thing that works" says, and is that its team's climate?

    North's climate (+1.0) is about 1.45 points above the other regions' average
    (-0.45), which TEAM_CLIMATE_EFFECT turns into about 0.9 experience points:
    +24.9 points of NPS on the sample (+13.6 to +35.5), +24.7 on seed 7. The
    team also has the best eNPS of the support teams. Accepted: a lead whose
    interval lies above +5 points, recomputed from the relationship answers;
    with the effect set to 0 the lead is within 15 points and "can't tell yet"
    (-4.6 on the sample, -9.1 on seed 7: chance alone).
    """
    run = without["none"]
    relationship, table = run["relationship"], run["north_customers"]
    north = relationship["region"] == "North"
    for group, rows in (("Support North", north), ("the other four teams", ~north)):
        nps = cxkit.nps(relationship[rows]["recommend"])
        assert table.loc[group, "value"] == pytest.approx(nps)
        assert table.loc[group, "n"] == rows.sum()
    lead = run["north_lead"]
    assert lead["ci_low"] > 5 and lead["verdict"] == "clearly apart"
    enps = run["by_team"]["eNPS"]
    assert enps.idxmax() == "Support North"
    flat = without["TEAM_CLIMATE_EFFECT"]["north_lead"]
    assert abs(flat["difference"]) < 15 and flat["verdict"] == "can't tell yet"


def test_the_commitment_keeps_the_workshop_at_15_points():
    """Is reflection 2 one point now that its measure and date are the 1-point commitment?"""
    assert points(SOURCE, "reflection") == {"reflect_cx_in_hr": 2.0, "reflect_change": 1.0}
    assert points(SOURCE)["commitment_check"] == 1
    assert sum(points(SOURCE).values()) + sum(points(SOURCE, "reflection").values()) == 15


# An explorer's other settings show the mistakes the checks name: read at such a setting and
# typed, the value fails its check with that mistake's hint.
WRONG_SETTINGS = [
    (
        "attrition",
        "attrition",
        ("attrition_look", {"per": "people", "team": "all customer-facing"}, ()),
        "not per year worked",
    ),
    (
        "new_agents",
        "new_agent_gap",
        ("agents_look", {"gap": "experienced minus new"}, ("experienced minus new", "value")),
        "experienced minus new: the other way round",
    ),
    (
        "climate",
        "climate_correlation",
        ("climate_look", {"correlate_with": "customers' n"}, ()),
        "the number of answers (n)",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("answer", "name", "reading", "hint"), WRONG_SETTINGS)
def test_an_explorer_read_at_the_wrong_setting_fails_with_the_mistake_named(
    answer, name, reading, hint
):
    """Typed from the explorer at a wrong setting, does the value fail with the mistake's hint?"""
    outcome = read_at_setting_outcome(SOURCE, answer, name, reading)
    assert outcome.startswith(f"CheckFailed: {name} = ")
    assert hint in outcome
