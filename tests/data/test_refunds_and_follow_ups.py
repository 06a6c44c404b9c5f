"""Refunds and the second survey of detractors: added later, each from a random stream of its own.

Every planted effect is checked the way a workshop finds it, with ``cxkit.nps_by``
and ``cxkit.difference``, on the shipped sample and on the company of seed 7.
That every file that existed before stays byte for byte the same is checked in
``test_generate.py`` (the shipped sample, and seed 7 in four chunks).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.data import story

COMPANIES = ["sample", "seed 7"]


@pytest.fixture(scope="module", params=COMPANIES)
def tables(request, company, other_company) -> dict[str, pd.DataFrame]:
    """The tables these tests read, of the shipped sample or of the company of seed 7."""
    names = ["refunds", "follow_up_surveys", "feedback_actions", "surveys"]
    names += ["orders", "shipments", "customers"]
    if request.param == "sample":
        return {name: company[name] for name in names}
    return {name: cxkit.load(name, other_company) for name in names}


def _days(refunds: pd.DataFrame) -> pd.Series:
    return (refunds["refunded_date"] - refunds["requested_date"]).dt.days


def _second_answers(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The answered second surveys, with ``followed_up`` yes/no and the first answer."""
    follow = tables["follow_up_surveys"].dropna(subset=["recommend"])
    followed = follow["response_id"].isin(tables["feedback_actions"]["response_id"])
    first = tables["surveys"].set_index("response_id")["recommend"]
    return follow.assign(
        followed_up=np.where(followed, "yes", "no"),
        first=follow["response_id"].map(first).astype(int),
    )


# --- refunds ----------------------------------------------------------------------------


def test_slow_refunds_and_fast_ones_are_clearly_apart(tables):
    """Is the NPS after a refund paid within a week clearly above that after a slower one?

    The slow ones are about 40 answers, the others about 110; the planted gap
    (REFUND_SLOW_EFFECT and REFUND_FAST_EFFECT, 3.5 points of experience at most)
    is near 100 NPS points, its interval about 25 points either side.
    """
    refunds = tables["refunds"]
    slow = np.where(_days(refunds) > story.REFUND_SLOW_DAYS, "slow", "within a week")
    by_speed = cxkit.nps_by(refunds.assign(speed=slow), "speed", "recommend_after")
    gap = cxkit.difference(by_speed, "within a week", "slow")
    assert gap["verdict"] == "clearly apart"
    assert gap["difference"] > 50
    assert by_speed.loc["slow", "n"] >= 25


def test_refunds_paid_within_three_days_leave_a_clearly_positive_nps(tables):
    """Is the NPS after a refund paid within REFUND_FAST_DAYS clearly above zero (the success)?"""
    refunds = tables["refunds"]
    fast = refunds[_days(refunds) <= story.REFUND_FAST_DAYS]
    low, high = cxkit.nps_ci(fast["recommend_after"].dropna())
    assert low > 0
    assert cxkit.nps(fast["recommend_after"].dropna()) > 20


def test_a_fee_kept_and_no_fee_are_clearly_apart(tables):
    """Is the NPS after a refund that kept a fee clearly below that after one that did not?"""
    refunds = tables["refunds"]
    fee = np.where(refunds["fee_eur"] > 0, "fee kept", "no fee")
    by_fee = cxkit.nps_by(refunds.assign(fee=fee), "fee", "recommend_after")
    gap = cxkit.difference(by_fee, "no fee", "fee kept")
    assert gap["verdict"] == "clearly apart"
    assert gap["difference"] > 30


def test_only_changed_minds_pay_the_restocking_fee(tables):
    """Is the fee 10 % of the amount (at least 5 EUR, never more than the amount) for a change
    of mind, and nothing for a damaged or short parcel?"""
    refunds = tables["refunds"]
    mind = refunds["reason"] == "changed my mind"
    assert (refunds.loc[~mind, "fee_eur"] == 0).all()
    amount = refunds.loc[mind, "amount_eur"]
    expected = np.minimum(
        np.maximum((story.RESTOCKING_FEE_SHARE * amount).round(2), story.RESTOCKING_FEE_MIN_EUR),
        amount,
    )
    assert np.allclose(refunds.loc[mind, "fee_eur"], expected)
    assert mind.sum() > 30


def test_large_refunds_wait_for_a_second_signature(tables):
    """Does every refund over REFUND_SECOND_SIGNATURE_EUR take over REFUND_SLOW_DAYS days, every
    other one at most that, and is each paid on a payment-run day?"""
    refunds = tables["refunds"].dropna(subset=["refunded_date"])
    days = _days(refunds)
    large = refunds["amount_eur"] > story.REFUND_SECOND_SIGNATURE_EUR
    assert (days[large] > story.REFUND_SLOW_DAYS).all()
    assert (days[~large] <= story.REFUND_SLOW_DAYS).all()
    assert (days >= 1).all()
    assert set(refunds["refunded_date"].dt.day_name()) == set(story.PAYMENT_RUN_DAYS)


def test_refunds_follow_what_happened_to_the_order(tables):
    """Is a damaged refund's parcel damaged, a short one's missing items, and are most
    damaged parcels refunded, few intact ones?"""
    refunds, shipments = tables["refunds"], tables["shipments"].set_index("order_id")
    parcel = shipments.loc[refunds["order_id"]].reset_index()
    damaged = (refunds["reason"] == "damaged").to_numpy()
    missing = (refunds["reason"] == "items missing").to_numpy()
    assert parcel.loc[damaged, "damaged"].all()
    assert (~parcel.loc[missing, "in_full"]).all() and not parcel.loc[missing, "damaged"].any()
    mind = ~(damaged | missing)
    assert (parcel.loc[mind, "in_full"] & ~parcel.loc[mind, "damaged"]).all()
    asked = shipments.index.isin(refunds["order_id"])
    by_damage = pd.Series(asked).groupby(shipments["damaged"].to_numpy()).mean()
    assert by_damage[True] > 0.5 and by_damage[False] < 0.1


def test_refund_amounts_dates_and_keys_hold_together(tables):
    """Are refund ids unique, orders and customers real and matched, no amount above the
    order's, refunds paid on or after the request, and answers only where paid back?"""
    refunds, orders = tables["refunds"], tables["orders"].set_index("order_id")
    assert refunds["refund_id"].is_unique
    assert refunds["refund_id"].str.fullmatch(r"RF\d{6}").all()
    assert refunds["order_id"].is_unique  # one refund per order
    order = orders.loc[refunds["order_id"]]
    assert (order["customer_id"].to_numpy() == refunds["customer_id"].to_numpy()).all()
    assert (refunds["amount_eur"].to_numpy() <= order["amount_eur"].to_numpy() + 0.005).all()
    assert (refunds["amount_eur"] > 0).all()
    paid = refunds["refunded_date"].notna()
    assert (refunds.loc[paid, "refunded_date"] >= refunds.loc[paid, "requested_date"]).all()
    assert 0 < (~paid).sum() < 0.05 * len(refunds)  # a few still open at the period's end
    answered = refunds["recommend_after"].notna()
    assert not (answered & ~paid).any()
    share = answered[paid].mean()
    assert abs(share - story.REFUND_ANSWER_RATE) < 0.12


# --- the second survey of detractors ------------------------------------------------------


def test_followed_up_detractors_answer_clearly_better_the_second_time(tables):
    """Is the second NPS of the detractors followed up clearly above that of the others?"""
    second = _second_answers(tables)
    by_follow_up = cxkit.nps_by(second, "followed_up")
    gap = cxkit.difference(by_follow_up, "yes", "no")
    assert gap["verdict"] == "clearly apart"
    assert gap["difference"] > 30


def test_those_not_followed_up_improve_too(tables):
    """Do the detractors nobody followed up also score higher the second time (the bad
    moment passes), by less than those followed up?"""
    second = _second_answers(tables)
    rise = (second["recommend"] - second["first"]).groupby(second["followed_up"]).mean()
    assert rise["no"] > 0.8
    assert rise["yes"] > rise["no"] + 0.8


def test_every_detractor_is_asked_again_thirty_days_later(tables):
    """Is every detractor's answer (0-6) with 30 days left in the period sent a second survey,
    exactly FOLLOW_UP_SURVEY_DAYS after it, and nobody else?"""
    follow, surveys = tables["follow_up_surveys"], tables["surveys"]
    last = pd.Timestamp(story.PERIOD_END)
    wait = pd.Timedelta(days=story.FOLLOW_UP_SURVEY_DAYS)
    due = surveys[(surveys["recommend"] <= 6) & (surveys["response_date"] + wait <= last)]
    assert sorted(follow["response_id"]) == sorted(due["response_id"])
    first = surveys.set_index("response_id").loc[follow["response_id"]]
    assert (follow["sent_date"].to_numpy() == (first["response_date"] + wait).to_numpy()).all()
    assert (follow["customer_id"].to_numpy() == first["customer_id"].to_numpy()).all()


def test_second_answers_hold_together(tables):
    """Are ids unique, answers dated on or after the invitation within the period, scores
    only where answered, and about FOLLOW_UP_ANSWER_RATE of them answered?"""
    follow = tables["follow_up_surveys"]
    assert follow["follow_up_id"].is_unique
    assert follow["follow_up_id"].str.fullmatch(r"FS\d{6}").all()
    answered = follow["answered_date"].notna()
    assert (follow["recommend"].notna() == answered).all()
    assert (follow.loc[answered, "answered_date"] >= follow.loc[answered, "sent_date"]).all()
    assert (follow["answered_date"].dropna() <= pd.Timestamp(story.PERIOD_END)).all()
    assert abs(answered.mean() - story.FOLLOW_UP_ANSWER_RATE) < 0.08
