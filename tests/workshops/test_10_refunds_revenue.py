"""Workshop 10, refunds and revenue: what only it has (test_all.py runs, grades and lints it)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from notebooks import (
    ROOT,
    answer_key_row,
    read_at_setting_outcome,
    read_source,
    solve,
    solved,
)

import cxkit
from cxkit.data import story

WORKSHOP, NAME = "10-refunds-revenue", "refunds_revenue"
SOURCE = read_source(WORKSHOP)[NAME]
GUIDE = ROOT / "workshops" / WORKSHOP / "README.md"
VERDICTS = ("clearly apart", "can't tell yet")


def _text(grade_id: str) -> str:
    """The source of the cell with this grade id."""
    return next(
        c.source for c in SOURCE.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


@pytest.fixture(scope="module", params=["sample", "seed 7"])
def found(request, other_company) -> dict:
    """The solution's variables, on the shipped sample and on a company of another seed."""
    return solved(SOURCE, None if request.param == "sample" else other_company)


def test_the_parameters_are_the_rules_the_story_plants():
    """Are the signature limit and the slow threshold of the parameters cell the story's?"""
    parameters = next(c.source for c in SOURCE.cells if "parameters" in c.metadata.get("tags", []))
    assert f"signature_limit = {story.REFUND_SECOND_SIGNATURE_EUR:g}\n" in parameters
    assert f"slow_after = {story.REFUND_SLOW_DAYS}\n" in parameters


# --- (a) refunds and fees: the planted effects ----------------------------------------------


@pytest.mark.slow
def test_refunds_over_the_limit_wait_for_the_second_signature(found):
    """Do refunds over the limit wait longer, by about the second signature's days?"""
    paid = found["paid"]
    large = paid["amount_eur"] > story.REFUND_SECOND_SIGNATURE_EUR
    fewest, _ = story.SECOND_SIGNATURE_DAYS
    assert found["median_days_large"] - paid.loc[~large, "days"].median() >= fewest
    assert found["slow_pct_large"] > 4 * max(100 * paid.loc[~large, "slow"].mean(), 1)


@pytest.mark.slow
def test_a_slow_refund_lowers_the_answer_after_it_beyond_chance(found):
    """Is the NPS after a slow refund clearly below the NPS after a fast one, on both companies?"""
    by_speed = cxkit.nps_by(found["answered"], "speed", "recommend_after")
    gap = cxkit.difference(by_speed, found["slow_label"], found["fast_label"])
    assert found["speed_verdict"] == "clearly apart" and gap["ci_high"] < 0
    assert found["nps_slow"] == by_speed.loc["over 7 days", "value"] < 0


@pytest.mark.slow
def test_a_fee_kept_lowers_the_answer_after_it_beyond_chance(found):
    """Is the NPS after a fee kept clearly below the NPS without one, on both companies?"""
    by_fee = cxkit.nps_by(found["answered"], "fee", "recommend_after")
    gap = cxkit.difference(by_fee, "fee kept", "no fee")
    assert gap["verdict"] == "clearly apart" and found["fee_gap"] == gap["difference"] < 0


@pytest.mark.slow
def test_fast_refunds_are_a_success_clearly_above_zero(found):
    """Is the whole interval of the NPS after refunds paid within 7 days above 0?"""
    low, high = found["fast_nps_ci"]
    assert 0 < low < high


@pytest.mark.slow
def test_without_the_planted_effects_both_gaps_are_left_to_chance():
    """With no effect planted for a fast or a slow refund or for a fee, are both gaps
    "can't tell yet", where the sample shows them clearly apart?"""
    from notebooks import generated

    with_effects, _ = solve(SOURCE)
    company = generated(
        seed=2026, REFUND_FAST_EFFECT=0.0, REFUND_SLOW_EFFECT=0.0, REFUND_FEE_EFFECT=0.0
    )
    without, _ = solve(SOURCE, {"data_dir": str(company)})

    def verdicts(found: dict) -> list[str]:
        answered = found["answered"]
        by_speed = cxkit.nps_by(answered, "speed", "recommend_after")
        by_fee = cxkit.nps_by(answered, "fee", "recommend_after")
        return [
            cxkit.difference(by_speed, "over 7 days", "within 7 days")["verdict"],
            cxkit.difference(by_fee, "fee kept", "no fee")["verdict"],
        ]

    assert verdicts(with_effects) == ["clearly apart", "clearly apart"]
    assert verdicts(without) == ["can't tell yet", "can't tell yet"]


@pytest.mark.slow
def test_what_the_notebook_says_of_the_refunds_is_true():
    """Does every fee come with "changed my mind", at 10 % and at least 5 €, does about half
    of the refunded customers answer, and did most fast refunds follow a broken or short
    parcel, as the notebook says?"""
    variables, _ = solve(SOURCE)
    paid = variables["paid"]
    fees = paid[paid["fee_eur"] > 0]
    assert set(fees["reason"]) == {"changed my mind"}
    rule = np.minimum(np.maximum((0.1 * fees["amount_eur"]).round(2), 5.0), fees["amount_eur"])
    assert np.allclose(fees["fee_eur"], rule)
    assert "10 % of the amount, at least 5 €" in _text("fee_intro")
    share = len(variables["answered"]) / len(paid)
    assert 0.4 < share < 0.6 and "About half the customers" in _text("after_intro")
    assert len(story.PAYMENT_RUN_DAYS) == 2 and "twice a week" in _text("load_intro")
    answered = variables["answered"]
    fast = answered[~answered["slow"]]
    assert fast["reason"].isin(["damaged", "items missing"]).mean() > 0.5
    assert "most of them asked for their money back because a parcel" in _text("works_discuss")
    large = paid[paid["amount_eur"] > story.REFUND_SECOND_SIGNATURE_EUR]
    assert (large["reason"] == "damaged").mean() > 0.5
    assert "more than half of the large refunds are for a parcel that arrived damaged" in (
        _text("wait_discuss")
    )


# --- (b) the business case: honest verdicts -------------------------------------------------


def _mean_gap(table: pd.DataFrame, first: str, second: str) -> tuple[float, float]:
    """The 95 % interval of the difference of two groups' mean spending (Welch, normal)."""
    a = table.loc[table["group"] == first, "spent_eur"]
    b = table.loc[table["group"] == second, "spent_eur"]
    half = 1.96 * math.sqrt(a.var() / len(a) + b.var() / len(b))
    centre = a.mean() - b.mean()
    return centre - half, centre + half


@pytest.mark.slow
def test_detractors_leave_clearly_more_often_on_both_companies(found):
    """Do detractors leave clearly more often than promoters within the window, on both?"""
    leaving = cxkit.rate_by(found["first_answers"], "group", "left")
    assert found["churn_verdict"] == "clearly apart"
    assert (
        found["detractors_left"]
        == leaving.loc["detractor", "value"]
        > leaving.loc["promoter", "value"]
    )


@pytest.mark.slow
def test_repeat_orders_cannot_tell_yet_on_either_company(found):
    """Is the detractor-promoter gap in ordering again "can't tell yet" on both companies?"""
    again = cxkit.rate_by(found["first_answers"], "group", "ordered_again")
    gap = cxkit.difference(again, "detractor", "promoter")
    assert found["repeat_verdict"] == gap["verdict"] == "can't tell yet"
    assert gap["ci_low"] < 0 < gap["ci_high"]


@pytest.mark.slow
def test_on_the_sample_repeat_orders_and_spending_cannot_tell_yet_and_the_words_say_so():
    """On the sample, are repeat orders and spending "can't tell yet", leaning towards the
    promoters, and does the notebook say "clearly" only of leaving?"""
    variables, _ = solve(SOURCE)
    first = variables["first_answers"]
    assert variables["repeat_verdict"] == "can't tell yet"
    again = cxkit.rate_by(first, "group", "ordered_again")
    assert again.loc["detractor", "value"] < again.loc["promoter", "value"]
    low, high = _mean_gap(first, "detractor", "promoter")
    assert low < 0 < high
    spending = first.groupby("group")["spent_eur"].mean()
    assert spending["detractor"] < spending["promoter"]
    words = _text("link_caveats")
    sentences = re.split(r"(?<=[.:])\s", words)
    clearly = [s for s in sentences if "clearly" in s]
    assert clearly and all("left" in s and "ordered" not in s for s in clearly)
    assert "**can't tell yet**" in words and "spent less" in words and "ordered again" in words
    assert "correlation" in words


@pytest.mark.slow
def test_on_seed_7_repeat_orders_lean_the_other_way_as_the_guide_says(other_company):
    """On the seed-7 company, do detractors order again a little more often than promoters,
    and is spending "can't tell yet" too, as the guide's *Other data* says?"""
    variables, _ = solve(SOURCE, {"data_dir": str(other_company)})
    first = variables["first_answers"]
    again = cxkit.rate_by(first, "group", "ordered_again")
    assert again.loc["detractor", "value"] > again.loc["promoter", "value"]
    low, high = _mean_gap(first, "detractor", "promoter")
    assert low < 0 < high
    other_data = " ".join(GUIDE.read_text(encoding="utf-8").split("\n## Other data", 1)[1].split())
    assert "detractors even ordered again a little more often than promoters" in other_data


@pytest.mark.slow
def test_the_customers_table_takes_each_customers_first_answer_and_the_window_after_it():
    """One row per customer, their first answer of any survey, given early enough; ordered
    again and spent from the orders in the window after it; left from customers."""
    variables, _ = solve(SOURCE)
    first = variables["first_answers"]
    surveys, orders = variables["surveys"], variables["orders"]
    assert first["customer_id"].is_unique
    earliest = surveys.groupby("customer_id")["response_date"].min()
    assert (
        first.set_index("customer_id")["response_date"] == earliest.loc[first["customer_id"]]
    ).all()
    assert first["response_date"].max() <= surveys["response_date"].max() - pd.Timedelta(days=180)
    row = first[first["ordered_again"]].iloc[0]
    theirs = orders[orders["customer_id"] == row["customer_id"]]
    days = (theirs["order_date"] - row["response_date"]).dt.days
    assert row["spent_eur"] == pytest.approx(
        theirs.loc[(days > 0) & (days <= 180), "amount_eur"].sum()
    )
    assert not first.loc[~first["ordered_again"], "spent_eur"].any()


@pytest.mark.slow
def test_the_estimate_is_the_gap_times_the_detractors_times_a_years_spending(found):
    """Is the cost of detractors the formula the notebook states, inside its own range?"""
    first, orders = found["first_answers"], found["orders"]
    gap = cxkit.difference(cxkit.rate_by(first, "group", "left"), "detractor", "promoter")
    detractors = (first["group"] == "detractor").sum()
    since = found["last_day"] - pd.Timedelta(days=365)
    yearly = orders[orders["order_date"] > since].groupby("customer_id")["amount_eur"].sum().mean()
    assert found["detractor_cost"] == pytest.approx(gap["difference"] / 100 * detractors * yearly)
    estimate = found["estimate"]
    low, high = (
        estimate["estimate at the gap's low end (€)"],
        estimate["estimate at the gap's high end (€)"],
    )
    assert 0 < low < found["detractor_cost"] < high


@pytest.mark.slow
def test_the_repeat_verdict_read_at_the_churn_setting_fails_with_a_hint():
    """Typed from the explorer left at "left within 180 days", does the repeat check fail?"""
    reading = (
        "link",
        {"measure": "left within 180 days", "pair": "detractor vs promoter"},
        ("verdict",),
    )
    outcome = read_at_setting_outcome(SOURCE, "repeat_link", "repeat_verdict", reading)
    assert outcome.startswith("CheckFailed: ") and "is not the right choice" in outcome


# --- the guide -----------------------------------------------------------------------------


def _key_row(number: int) -> str:
    return answer_key_row(GUIDE, number)


@pytest.mark.slow
def test_the_answer_key_gives_the_numbers_the_solution_finds_on_the_sample():
    """Does each row of the guide's answer key state the values the solution finds?"""
    found, _ = solve(SOURCE)
    paid = found["paid"]
    small = paid[paid["amount_eur"] <= found["signature_limit"]]
    large = paid[paid["amount_eur"] > found["signature_limit"]]
    wait = (
        f"median {found['median_days_large']:g} days, {found['slow_pct_large']:.1f} % over 7 days"
    )
    assert f"{wait} (n {len(large)})" in _key_row(1)
    assert f"100 € or less: median {small['days'].median():g} days" in _key_row(1)
    by_speed = cxkit.nps_by(found["answered"], "speed", "recommend_after")
    assert f"NPS {found['nps_slow']:+.1f} (n {by_speed.loc['over 7 days', 'n']:.0f})" in _key_row(2)
    gap = cxkit.difference(by_speed, "over 7 days", "within 7 days")
    interval = f"gap {gap['difference']:+.1f} points (interval {gap['ci_low']:+.1f} to "
    interval += f"{gap['ci_high']:+.1f})"
    assert interval in _key_row(2) and f'"{found["speed_verdict"]}"' in _key_row(2)
    by_fee = cxkit.nps_by(found["answered"], "fee", "recommend_after")
    assert f"NPS {found['nps_fee']:+.1f} (n {by_fee.loc['fee kept', 'n']:.0f})" in _key_row(3)
    assert f"fee_gap {found['fee_gap']:+.2f}" in _key_row(3)
    low, high = found["fast_nps_ci"]
    fast = by_speed.loc["within 7 days"]
    assert (
        f"NPS {fast['value']:+.1f}, interval {low:+.1f} to {high:+.1f} (n {fast['n']:.0f})"
        in _key_row(4)
    )
    leaving = cxkit.rate_by(found["first_answers"], "group", "left")
    assert (
        f"detractors {found['detractors_left']:.1f} % (n {leaving.loc['detractor', 'n']:.0f})"
        in _key_row(5)
    )
    assert f"promoters {leaving.loc['promoter', 'value']:.1f} %" in _key_row(5)
    assert f'"{found["churn_verdict"]}"' in _key_row(5)
    again = cxkit.rate_by(found["first_answers"], "group", "ordered_again")
    shares = again["value"]
    assert (
        f"detractors {shares['detractor']:.1f} %, promoters {shares['promoter']:.1f} %"
        in _key_row(6)
    )
    assert f'"{found["repeat_verdict"]}"' in _key_row(6)
    estimate = found["estimate"]
    parts = (
        f"{estimate['gap in leaving (points)']:.1f} / 100 × {estimate['detractors (customers)']} × "
        f"{estimate['€ a customer spends in a year']:,.2f} € = {found['detractor_cost']:,.2f} €"
    )
    assert parts in _key_row(7)
    ends = (
        estimate["estimate at the gap's low end (€)"],
        estimate["estimate at the gap's high end (€)"],
    )
    assert f"range {ends[0]:,.0f} to {ends[1]:,.0f} €" in _key_row(7)


def test_the_commitment_names_a_touchpoint_and_a_date():
    """Is the model commitment complete, its touchpoint the refund row the notebook adds?"""
    found, _ = solve(SOURCE)
    commitment = found["commitment"]
    assert commitment.missing() == []
    assert commitment.touchpoint == "refund"
    assert "refund" in set(found["touchpoints"]["touchpoint"])
    assert "refund" not in set(cxkit.load("touchpoints")["touchpoint"])  # the workshop's own row
    assert pd.Timestamp(commitment.by) > pd.Timestamp("2026-06-30")
