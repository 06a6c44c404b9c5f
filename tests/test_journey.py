"""Tests for cxkit.journey: funnels, handoffs, time between touchpoints, stalls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit import CxkitError


def _events() -> pd.DataFrame:
    """Four customers: A buys and pays, B only buys, C only discovers, D skips to pay."""
    rows = [
        ("A", "2025-01-01 09:00", "discover", "ad", "marketing"),
        ("A", "2025-01-02 09:00", "buy", "checkout", "product"),
        ("A", "2025-01-05 09:00", "pay", "invoice", "accounting"),
        ("B", "2025-01-01 10:00", "discover", "ad", "marketing"),
        ("B", "2025-01-03 10:00", "buy", "checkout", "product"),
        ("C", "2025-01-01 11:00", "discover", "ad", "marketing"),
        ("D", "2025-03-01 11:00", "pay", "invoice", "accounting"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint", "dept"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    return frame


STAGES = ["discover", "buy", "pay"]


def test_funnel_counts_customers_who_reached_at_least_each_stage():
    """Does a customer who skipped to "pay" count as having reached every earlier stage?"""
    table = cxkit.funnel(_events(), STAGES)
    assert table.index.tolist() == STAGES
    assert table["customers"].tolist() == [4, 3, 2]
    assert table["step_conversion"].tolist() == [100.0, 75.0, pytest.approx(200 / 3)]
    assert table["conversion_from_start"].tolist() == [100.0, 75.0, 50.0]


def test_funnel_end_to_end_is_the_product_of_the_step_rates():
    """Is the conversion since the start the product of the step conversions?"""
    table = cxkit.funnel(cxkit.load("journey_events"))
    product = np.cumprod(table["step_conversion"].to_numpy() / 100) * 100
    assert np.allclose(product, table["conversion_from_start"].to_numpy())
    assert table["customers"].is_monotonic_decreasing
    assert table["customers"].iloc[0] == 1500
    assert table.index.tolist() == list(cxkit.load("touchpoints")["stage"].cat.categories)


def test_funnel_takes_other_column_names_and_needs_no_timestamp():
    """Does funnel work on a table with other column names and no timestamps?"""
    frame = _events()[["customer_id", "stage"]].rename(columns={"customer_id": "who", "stage": "s"})
    table = cxkit.funnel(frame, STAGES, customer="who", stage="s")
    assert table["customers"].tolist() == [4, 3, 2]
    assert table.index.name == "s"


def test_funnel_takes_the_order_of_an_ordered_category():
    """Without stages=, does funnel follow the order of an ordered categorical column?"""
    frame = _events()
    frame["stage"] = pd.Categorical(frame["stage"], categories=STAGES, ordered=True)
    assert cxkit.funnel(frame)["customers"].tolist() == [4, 3, 2]


def test_funnel_asks_for_the_order_of_unknown_text_stages():
    """Is a text stage column with non-sample names refused with a hint to pass stages=?"""
    frame = pd.DataFrame({"customer_id": ["A", "B"], "stage": ["visit", "cart"]})
    with pytest.raises(CxkitError, match=r"stages=\['visit', 'cart'\]"):
        cxkit.funnel(frame)


def test_funnel_suggests_a_misspelled_column_and_stage():
    """Do misspelled column and stage names get a close-match suggestion?"""
    with pytest.raises(CxkitError, match='no column "stag".*Did you mean "stage"'):
        cxkit.funnel(_events(), STAGES, stage="stag")
    with pytest.raises(CxkitError, match='stage "by".*Did you mean "buy"'):
        cxkit.funnel(_events(), ["discover", "by"])


def test_funnel_names_the_rows_without_a_customer():
    """Is an event without a customer id refused, naming its row?"""
    frame = _events()
    frame.loc[4, "customer_id"] = None
    with pytest.raises(CxkitError, match='"customer_id" has 1 missing value.*row 4'):
        cxkit.funnel(frame, STAGES)


def test_funnel_leaves_its_input_unchanged():
    """Is the events table the same after funnel as before?"""
    frame = _events()
    before = frame.copy()
    cxkit.funnel(frame, STAGES)
    pd.testing.assert_frame_equal(frame, before)


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3"],
            "customer_id": ["A", "B", "C"],
            "opened_at": pd.to_datetime(["2025-01-01 08:00"] * 3),
            "resolved_at": pd.to_datetime(["2025-01-01 20:00", "2025-01-03 08:00", None]),
            "category": ["billing"] * 3,
            "handoff_count": [1, 1, 2],
        }
    )


def _transfers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3", "T3"],
            "from_department": ["customer_service", "customer_service", "customer_service", "it"],
            "to_department": ["accounting", "accounting", "it", "customer_service"],
            "handed_at": pd.to_datetime(["2025-01-01 09:00"] * 3 + ["2025-01-01 12:00"]),
            "picked_up_at": pd.to_datetime(
                ["2025-01-01 11:00", "2025-01-01 13:00", "2025-01-01 10:00", "2025-01-01 12:30"]
            ),
        }
    )


def test_handoffs_counts_waits_and_stalls_per_pair():
    """Are transfers, median wait and the stalled share right for each department pair?"""
    table = cxkit.handoffs(_transfers(), _tickets())
    first = table.loc[("customer_service", "accounting")]
    assert first["transfers"] == 2
    assert first["tickets"] == 2
    assert first["median_wait_hours"] == 3.0
    assert first["stall_rate"] == 50.0  # T2 resolved 47 h after the handover
    assert table.loc[("customer_service", "it"), "stall_rate"] == 100.0  # T3 never resolved
    assert table.index[0] == ("customer_service", "accounting")


def test_handoffs_stall_threshold_is_a_parameter():
    """With a 48-hour threshold, does the ticket resolved after 47 hours no longer stall?"""
    table = cxkit.handoffs(_transfers(), _tickets(), stall_hours=48)
    assert table.loc[("customer_service", "accounting"), "stall_rate"] == 0.0


def test_handoffs_refuses_transfers_of_unknown_tickets():
    """Is a transfer whose ticket is missing from the tickets table named in the error?"""
    with pytest.raises(CxkitError, match="'T3'"):
        cxkit.handoffs(_transfers(), _tickets().iloc[:2])


def test_handoffs_on_the_sample_show_every_transfer():
    """On the sample, do the pairs add up to every transfer, with waits near the planted 5 h?"""
    transfers = cxkit.load("handoffs")
    table = cxkit.handoffs(transfers, cxkit.load("tickets"))
    assert table["transfers"].sum() == len(transfers)
    assert 3 < table["median_wait_hours"].median() < 7
    assert table["stall_rate"].between(0, 100).all()


def test_satisfaction_falls_with_each_handoff_on_the_sample():
    """Does the sample show the planted cost of each handoff in NPS and CSAT?"""
    surveys = cxkit.load("surveys")
    table = cxkit.satisfaction_by_handoffs(cxkit.load("tickets"), surveys)
    assert table.loc[0, "nps"] > table.loc[1, "nps"] > table.loc[2, "nps"]
    assert table.loc[0, "csat"] > table.loc[2, "csat"]
    assert table.loc[0, "nps_low"] > table.loc[2, "nps_high"]
    assert table["responses"].sum() == (surveys["survey_type"] == "post_ticket").sum()
    assert (table.loc[1:, "fcr"] == 0).all()
    assert table["tickets"].sum() == len(cxkit.load("tickets"))


def test_satisfaction_pairs_a_survey_with_the_ticket_resolved_just_before():
    """Is a survey paired with the customer's ticket resolved up to match_days before it?"""
    tickets = _tickets()
    surveys = pd.DataFrame(
        {
            "customer_id": ["A", "B", "A"],
            "survey_type": "post_ticket",
            "response_date": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-02-01"]),
            "recommend": [10, 0, 5],
            "csat": [5, 1, 1],
        }
    )
    table = cxkit.satisfaction_by_handoffs(tickets, surveys)
    assert table.loc[1, "responses"] == 2  # A's late survey is too far from any ticket
    assert table.loc[1, "nps"] == 0.0
    assert table.loc[2, "responses"] == 0
    assert np.isnan(table.loc[2, "nps"])


def _gap_events() -> pd.DataFrame:
    frame = _events()
    return frame.sample(frac=1, random_state=1)  # order must not matter


def test_time_between_measures_consecutive_touchpoints():
    """Are the gaps between consecutive touchpoints of each customer measured in days?"""
    table = cxkit.time_between(_gap_events())
    assert table.loc[("ad", "checkout"), "n"] == 2
    assert table.loc[("ad", "checkout"), "median_days"] == 1.5
    assert table.loc[("checkout", "invoice"), "median_days"] == 3.0
    assert ("invoice", "ad") not in table.index  # no gap across customers
    hours = cxkit.time_between(_gap_events(), "hours")
    assert hours.loc[("checkout", "invoice"), "median_hours"] == 72.0


def test_time_between_refuses_text_timestamps():
    """Is a timestamp column of text refused with the conversion to use?"""
    frame = _events().assign(timestamp=lambda d: d["timestamp"].astype(str))
    with pytest.raises(CxkitError, match="pd.to_datetime"):
        cxkit.time_between(frame)


def test_stalls_finds_quiet_journeys_by_last_stage():
    """Are customers quiet for more than idle_days counted at the stage of their last event?"""
    table = cxkit.stalls(_events(), STAGES, idle_days=30)
    assert table["customers"].tolist() == [1, 1, 2]
    # B and C went quiet in January; A paid (the last stage) so has ended, not stalled
    assert table["stalled"].tolist() == [1, 1, 0]
    assert table["share_of_stalls"].tolist() == [50.0, 50.0, 0.0]
    later = cxkit.stalls(_events(), STAGES, idle_days=30, as_of="2025-01-20")
    assert later["stalled"].sum() == 0


def test_owned_touchpoints_lists_a_departments_touchpoints():
    """Does each department get the touchpoints it owns, and a typo a suggestion?"""
    logistics = cxkit.owned_touchpoints("logistics")
    assert logistics["touchpoint"].tolist() == ["delivery slot", "delivery"]
    with pytest.raises(CxkitError, match='Did you mean "accounting"'):
        cxkit.owned_touchpoints("acounting")


def test_journey_map_counts_distinct_customers_per_stage_and_department():
    """Does the map count each customer once per stage and department?"""
    table = cxkit.journey_map(_events(), STAGES, department="dept")
    assert table.loc["discover", "marketing"] == 3
    assert table.loc["pay", "accounting"] == 2
    assert table.loc["buy", "accounting"] == 0
    assert sorted(table.columns) == ["accounting", "marketing", "product"]
