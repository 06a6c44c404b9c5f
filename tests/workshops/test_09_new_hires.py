"""Workshop 09, new hires: what only it has (test_all.py runs, grades and lints it)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from notebooks import ROOT, answer_key_row, exec_cells, grade_ids, read_source, solve, solved

import cxkit
from cxkit.data.schema import DEPARTMENTS
from cxkit.data.story import LATE_RATE, LOOP_FOLLOW_UP_EFFECT

WORKSHOP, NAME = "09-new-hires", "new_hires"
SOURCE = read_source(WORKSHOP)[NAME]
GUIDE = ROOT / "workshops" / WORKSHOP / "README.md"


@pytest.fixture(scope="module", params=["sample", "seed 7"])
def found(request, other_company) -> dict:
    """The solution's variables, on the shipped sample and on a company of another seed."""
    return solved(SOURCE, None if request.param == "sample" else other_company)


@pytest.mark.slow
@pytest.mark.parametrize("department", [*DEPARTMENTS, "facilities"])
def test_every_check_passes_for_every_department(department):
    """Do the model answers pass every check for each department, facilities and admin too?"""
    assert exec_cells(SOURCE, {"department": department}) == {gid: "" for gid in grade_ids(SOURCE)}


@pytest.mark.slow
def test_the_warehouse_with_more_late_deliveries_keeps_its_promise_least(found):
    """Is the warehouse found the one the story makes late more often, at about its rate?"""
    late_warehouse = max(LATE_RATE, key=LATE_RATE.get)
    assert found["late_warehouse"] == late_warehouse
    table = found["on_time_by_warehouse"]
    low, high = table.loc[late_warehouse, ["ci_low", "ci_high"]]
    assert (
        low <= 100 * (1 - LATE_RATE[late_warehouse]) + 3
        and high >= 100 * (1 - LATE_RATE[late_warehouse]) - 3
    )  # lateness is not the only way to miss the date: a little slack


@pytest.mark.slow
def test_detractors_leave_more_often_beyond_chance(found):
    """Do detractors leave clearly more often than promoters, on both companies?"""
    churn = found["churn_by_group"]
    assert churn.loc["detractor", "value"] > churn.loc["passive", "value"]
    assert churn.loc["passive", "value"] > churn.loc["promoter", "value"]
    assert found["churn_gap_is_real"] == "clearly apart"
    gap = cxkit.difference(churn, "detractor", "promoter")
    assert gap["ci_low"] > 0


@pytest.mark.slow
def test_what_works_is_the_best_rated_touchpoint(found):
    """Is the success to recognise the touchpoint with the highest NPS right after it?"""
    table = cxkit.nps_by(found["after"], "touchpoint")
    assert found["best_touchpoint"] == table["value"].idxmax() == "checkout"


@pytest.mark.slow
def test_detractors_followed_up_answer_clearly_better_a_month_later(found):
    """Are the second answers of the detractors followed up clearly above the others', while
    the others improve too, and were the two groups alike at their first answer?

    Who is followed up is drawn at random, so at the first answer (all detractors, NPS -100)
    the two groups cannot be told apart; a month later those not followed up have moved
    up from -100 (the bad moment passes) and those followed up clearly further
    (story.LOOP_FOLLOW_UP_EFFECT, 2 points of experience).
    """
    asked_again = found["asked_again"]
    first = cxkit.nps_by(asked_again, "followed_up", "first_answer")
    assert first["value"].tolist() == [-100.0, -100.0]
    assert cxkit.difference(first, "yes", "no")["verdict"] == "can't tell yet"
    second = found["by_follow_up"]
    assert second.loc["no", "ci_low"] > -100  # those not followed up moved up too
    assert found["not_followed_up_nps"] == second.loc["no", "value"]
    gap = cxkit.difference(second, "yes", "no")
    assert found["follow_up_gap_is_real"] == "clearly apart" and gap["difference"] > 30
    rise = (asked_again["second_answer"] - asked_again["first_answer"]).groupby(
        asked_again["followed_up"]
    )
    assert rise.mean()["no"] > 0.8
    assert rise.mean()["yes"] > rise.mean()["no"] + LOOP_FOLLOW_UP_EFFECT / 2


@pytest.mark.slow
def test_the_second_answers_are_the_detractors_asked_again():
    """Is each row of asked_again one detractor's second answer, followed_up as the actions say?"""
    found, _ = solve(SOURCE)
    asked_again = found["asked_again"]
    assert asked_again["response_id"].is_unique
    assert (asked_again["first_answer"] <= 6).all()
    assert asked_again["second_answer"].notna().all()
    acted = asked_again["response_id"].isin(found["actions"]["response_id"])
    assert ((asked_again["followed_up"] == "yes") == acted).all()
    assert len(asked_again) == found["follow_ups"]["recommend"].notna().sum()


@pytest.mark.slow
def test_the_churn_table_takes_each_customers_last_answer():
    """One row per customer, their latest relationship answer, and churned from customers."""
    found, _ = solve(SOURCE)
    last = found["last_answer"]
    assert last["customer_id"].is_unique
    relationship = found["relationship"]
    latest = relationship.groupby("customer_id")["response_date"].max()
    assert (last.set_index("customer_id")["response_date"] == latest.loc[last["customer_id"]]).all()
    left = found["customers"].set_index("customer_id")["churn_date"].notna()
    assert (last.set_index("customer_id")["churned"] == left.loc[last["customer_id"]]).all()


def _key_row(number: int) -> str:
    return answer_key_row(GUIDE, number)


@pytest.mark.slow
def test_the_answer_key_gives_the_numbers_the_solution_finds_on_the_sample():
    """Does each row of the guide's answer key state the values the solution finds?"""
    found, _ = solve(SOURCE)
    assert f"promoters {found['promoters_pct']:.1f} %" in _key_row(2)
    assert f"NPS {found['nps_all']:+.1f}" in _key_row(2)
    on_time = found["on_time_by_warehouse"]
    assert f"{found['late_warehouse']}, {found['late_warehouse_on_time']:.1f} % on time" in (
        _key_row(3)
    )
    assert f"n {on_time.loc[found['late_warehouse'], 'n']:,}" in _key_row(3)
    churn = found["churn_by_group"]
    assert f"detractors {found['detractors_left']:.1f} % (n {churn.loc['detractor', 'n']})" in (
        _key_row(4)
    )
    gap = cxkit.difference(churn, "detractor", "promoter")
    interval = f"gap {gap['difference']:+.1f} points (interval {gap['ci_low']:+.1f} to "
    assert interval + f"{gap['ci_high']:+.1f})" in _key_row(4)
    best = cxkit.nps_by(found["after"], "touchpoint").loc[found["best_touchpoint"]]
    assert f"{found['best_touchpoint']}, NPS {best['value']:+.1f} (n {best['n']:.0f})" in _key_row(
        5
    )
    follow_up = found["by_follow_up"]
    for group, words in (("no", "not followed up"), ("yes", "followed up")):
        row = follow_up.loc[group]
        assert f"{words} NPS {row['value']:+.1f} (n {row['n']:.0f})" in _key_row(6)
    gap = cxkit.difference(follow_up, "yes", "no")
    interval = f"gap {gap['difference']:+.1f} points (interval {gap['ci_low']:+.1f} to "
    assert interval + f"{gap['ci_high']:+.1f})" in _key_row(6)
    loop = re.search(r"(\d+) % of the (\d+) detractor\s+answers", GUIDE.read_text())
    assert loop is not None
    assert int(loop.group(1)) == round(100 * found["followed"].mean())
    assert int(loop.group(2)) == len(found["detractor_answers"])


def test_the_commitment_names_a_touchpoint_and_a_date():
    """Is the model commitment complete and its touchpoint one the company has?"""
    found, _ = solve(SOURCE)
    commitment = found["commitment"]
    assert commitment.missing() == []
    assert commitment.touchpoint in set(found["touchpoints"]["touchpoint"])
    assert pd.Timestamp(commitment.by) > pd.Timestamp("2026-06-30")
