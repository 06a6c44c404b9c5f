"""The metrics: worked examples, properties, grouped forms, and refusing bad input."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxkit.errors import CxkitError
from cxkit.metrics import (
    churn_rate,
    csat,
    csat_by,
    csat_ci,
    days_to_pay,
    dispute_rate,
    dso,
    dso_trend,
    effort,
    effort_by,
    enps,
    enps_by,
    fcr,
    nps,
    nps_by,
    nps_ci,
    otif,
    otif_by,
    rate_by,
    retention_rate,
    time_to_resolution,
)

SCORES = st.lists(st.integers(0, 10), min_size=1, max_size=200)
WORKED = [10] * 180 + [7] * 120 + [0] * 100  # 400 answers: 180 promoters, 100 detractors


def _surveys() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 600
    return pd.DataFrame(
        {
            "region": rng.choice(["North", "South", "East"], n),
            "segment": rng.choice(["household", "small_business"], n),
            "recommend": rng.integers(0, 11, n),
            "csat": rng.integers(1, 6, n),
            "effort": rng.integers(1, 8, n),
        }
    )


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "B", "C", "D", "D"],
            "opened_at": pd.to_datetime(
                [
                    "2025-03-01 09:00",  # A: billing again 3 days later -> repeat
                    "2025-03-04 09:00",
                    "2025-03-01 10:00",  # B: billing again 10 days later -> outside the window
                    "2025-03-11 10:00",
                    "2025-03-02 08:00",  # C: handed off once
                    "2025-03-05 12:00",  # D: delivery, then billing 1 day later -> other category
                    "2025-03-06 12:00",
                ]
            ),
            "category": [
                "billing",
                "billing",
                "billing",
                "billing",
                "product",
                "delivery",
                "billing",
            ],
            "handoff_count": [0, 0, 0, 0, 1, 0, 0],
        }
    )


def _invoices() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "issue_date": pd.to_datetime(["2025-01-10", "2025-02-15", "2025-03-01", "2025-03-20"]),
            "paid_date": pd.to_datetime(["2025-02-01", None, "2025-03-05", "2025-04-10"]),
            "amount_eur": [1000.0, 500.0, 300.0, 200.0],
            "disputed": [False, True, False, False],
        }
    )


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "signup_date": pd.to_datetime(
                ["2024-01-01", "2024-03-01", "2024-05-01", "2024-07-01", "2024-09-01", "2025-02-01"]
            ),
            "churn_date": pd.to_datetime(
                ["2025-01-01", "2025-03-31", "2025-04-01", None, "2024-12-31", None]
            ),
        }
    )


# --- worked examples ---------------------------------------------------------------------------


def test_nps_worked_example():
    """Is the NPS of [10, 9, 9, 8, 7, 6, 5, 10, 3, 9] 5 promoters minus 3 detractors = 20?"""
    assert nps([10, 9, 9, 8, 7, 6, 5, 10, 3, 9]) == 20.0


def test_nps_ci_worked_example():
    """Do 180 promoters, 120 passives, 100 detractors give NPS 20 and 95 % CI [11.9, 27.8]?"""
    assert nps(WORKED) == 20.0
    low, high = nps_ci(WORKED)
    assert (round(low, 1), round(high, 1)) == (11.9, 27.8)
    assert isinstance(low, float) and isinstance(high, float)


def test_nps_ci_follows_the_adjusted_wald_formula():
    """Does nps_ci match the formula written out by hand, at another level too?"""
    z = NormalDist().inv_cdf(0.95)
    n = 403
    p, d = 180.75 / n, 100.75 / n
    half = z * math.sqrt((p + d - (p - d) ** 2) / n)
    low, high = nps_ci(WORKED, level=0.9)
    assert low == pytest.approx(100 * (p - d - half))
    assert high == pytest.approx(100 * (p - d + half))
    assert high - low < nps_ci(WORKED, level=0.99)[1] - nps_ci(WORKED, level=0.99)[0]


def test_nps_accepts_every_kind_of_sequence():
    """Do a list, tuple, NumPy array and int, Int64 and float Series give the same NPS?"""
    values = [10, 9, 8, 3]
    forms = [
        values,
        tuple(values),
        np.array(values),
        pd.Series(values),
        pd.Series(values, dtype="Int64"),
        pd.Series(values, dtype="float64"),
        pd.Series(values, dtype="object"),
    ]
    assert [nps(v) for v in forms] == [25.0] * len(forms)


def test_enps_uses_the_nps_arithmetic():
    """Is eNPS the same arithmetic as NPS?"""
    assert enps([9, 10, 7, 3]) == 25.0
    assert enps(WORKED) == nps(WORKED)


def test_csat_top_two_box():
    """Is CSAT the share of 4s and 5s: 3 of [5, 4, 3, 5, 1, 2] -> 50 %?"""
    assert csat([5, 4, 3, 5, 1, 2]) == 50.0
    assert csat([4, 4, 4, 4]) == 100.0
    assert csat([1, 2, 3]) == 0.0


def test_csat_ci_is_the_wilson_interval():
    """Does csat_ci give Wilson's interval: 3 of 5 satisfied -> about [23.1, 88.2]?"""
    low, high = csat_ci([5, 4, 3, 5, 1])
    assert (round(low, 1), round(high, 1)) == (23.1, 88.2)
    low, high = csat_ci([5] * 10)
    assert high == 100.0 and round(low, 1) == 72.2


def test_effort_mean_and_high():
    """Does effort report the 1-7 mean by default, and the % of 5-7 with method="high"?"""
    scores = [1, 2, 2, 6, 7]
    assert effort(scores) == pytest.approx(3.6)
    assert effort(scores, method="mean") == pytest.approx(3.6)
    assert effort(scores, method="high") == 40.0
    assert effort([4, 4], method="high") == 0.0


# --- properties ------------------------------------------------------------------------------


@given(SCORES)
def test_nps_stays_between_minus_and_plus_100(scores):
    """Is every NPS between -100 and 100?"""
    assert -100 <= nps(scores) <= 100


@given(SCORES, st.randoms())
def test_nps_ignores_order(scores, random):
    """Does shuffling the answers leave the NPS unchanged?"""
    shuffled = list(scores)
    random.shuffle(shuffled)
    assert nps(shuffled) == nps(scores)


@given(st.lists(st.sampled_from([9, 10]), min_size=1))
def test_nps_is_100_when_everyone_promotes(scores):
    """Is the NPS exactly 100 when every answer is 9 or 10?"""
    assert nps(scores) == 100.0


@given(SCORES)
def test_nps_ci_is_an_ordered_interval(scores):
    """Is nps_ci low <= high, inside -100..100?"""
    low, high = nps_ci(scores)
    assert -100 <= low <= high <= 100


@given(st.lists(st.integers(0, 10), min_size=30, max_size=300))
def test_nps_ci_contains_the_nps(scores):
    """From 30 answers on, does the interval contain the plain NPS?"""
    low, high = nps_ci(scores)
    assert low - 1e-9 <= nps(scores) <= high + 1e-9


@given(st.lists(st.integers(1, 5), min_size=1, max_size=200))
def test_csat_ci_contains_the_csat(scores):
    """Does the Wilson interval always contain the CSAT itself?"""
    low, high = csat_ci(scores)
    assert 0 <= low <= csat(scores) + 1e-9
    assert csat(scores) - 1e-9 <= high <= 100


# --- grouped forms ----------------------------------------------------------------------------


def test_nps_by_matches_nps_on_each_group():
    """Does nps_by give, for each region, the same n, NPS and interval as nps on its rows?"""
    surveys = _surveys()
    table = nps_by(surveys, "region")
    assert list(table.columns) == ["n", "value", "ci_low", "ci_high"]
    assert list(table.index) == ["East", "North", "South"]
    assert table.index.name == "region"
    for region, row in table.iterrows():
        scores = surveys.loc[surveys["region"] == region, "recommend"]
        assert row["n"] == len(scores)
        assert row["value"] == pytest.approx(nps(scores))
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(nps_ci(scores))


def test_grouped_forms_take_several_keys():
    """Does by=[...] give a row per combination, indexed by both names?"""
    surveys = _surveys()
    table = csat_by(surveys, ["region", "segment"])
    assert table.index.names == ["region", "segment"]
    assert len(table) == 6 and table["n"].sum() == len(surveys)
    rows = surveys[(surveys["region"] == "North") & (surveys["segment"] == "household")]
    assert table.loc[("North", "household"), "value"] == pytest.approx(csat(rows["csat"]))
    ci = csat_ci(rows["csat"])
    assert table.loc[("North", "household"), "ci_low"] == pytest.approx(ci[0])


def test_enps_by_and_effort_by_match_the_scalar_forms():
    """Do enps_by and effort_by (mean and high) agree with enps and effort per group?"""
    surveys = _surveys()
    z = NormalDist().inv_cdf(0.975)
    means, highs = effort_by(surveys, "segment"), effort_by(surveys, "segment", method="high")
    teams = enps_by(surveys, "segment")
    for segment, rows in surveys.groupby("segment"):
        assert teams.loc[segment, "value"] == pytest.approx(enps(rows["recommend"]))
        assert means.loc[segment, "value"] == pytest.approx(effort(rows["effort"]))
        half = z * rows["effort"].std() / math.sqrt(len(rows))
        assert means.loc[segment, "ci_low"] == pytest.approx(rows["effort"].mean() - half)
        assert highs.loc[segment, "value"] == pytest.approx(effort(rows["effort"], "high"))


def test_grouped_forms_drop_missing_scores_per_group():
    """Are rows without a score left out of their group, and an all-empty group shown as n=0?"""
    df = pd.DataFrame(
        {
            "survey_type": ["post_ticket", "post_ticket", "post_ticket", "relationship"],
            "csat": pd.array([5, 2, None, None], dtype="Int64"),
        }
    )
    table = csat_by(df, "survey_type")
    assert table.loc["post_ticket", "n"] == 2
    assert table.loc["post_ticket", "value"] == 50.0
    assert table.loc["relationship", "n"] == 0
    assert np.isnan(table.loc["relationship", ["value", "ci_low", "ci_high"]]).all()
    assert df["csat"].isna().sum() == 2  # the input is untouched


def test_grouped_forms_leave_out_unused_categories():
    """Does a category with no rows stay out of the table (observed=True)?"""
    df = pd.DataFrame(
        {
            "team": pd.Categorical(["b", "a", "b"], categories=["c", "b", "a"]),
            "recommend": [10, 3, 9],
        }
    )
    table = nps_by(df, "team")
    assert list(table.index) == ["b", "a"]  # sorted in category order
    assert table["value"].tolist() == [100.0, -100.0]


def test_small_groups_get_wide_intervals_not_errors():
    """Is a group of 2 reported with a wide interval, and a single effort answer with NaN limits?"""
    table = nps_by(pd.DataFrame({"g": ["x", "x"], "recommend": [10, 9]}), "g")
    assert table.loc["x", "ci_high"] - table.loc["x", "ci_low"] > 100
    single = effort_by(pd.DataFrame({"g": ["x"], "effort": [3]}), "g")
    assert single.loc["x", "value"] == 3.0 and np.isnan(single.loc["x", "ci_low"])


# --- operations -------------------------------------------------------------------------------


def test_otif_and_dispute_rate():
    """Is OTIF the share both on time and in full, and dispute rate the share disputed?"""
    shipments = pd.DataFrame(
        {"on_time": [True, True, False, True], "in_full": [True, False, True, True]}
    )
    assert otif(shipments) == 50.0
    assert dispute_rate(_invoices()) == 25.0
    renamed = shipments.rename(columns={"on_time": "punctual"})
    assert otif(renamed, on_time="punctual") == 50.0


def _shipments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dc": ["a", "a", "a", "a", "b", "b", None],
            "shift": ["day", "night", "night", "day", "night", "day", "day"],
            "on_time": [True, True, False, True, True, False, True],
            "in_full": [True, False, True, True, True, True, True],
            "damaged": [False, True, False, False, True, False, False],
        }
    )


def test_otif_by_matches_otif_on_each_group_with_wilson_intervals():
    """Is otif_by the OTIF of each group, with csat_ci's Wilson interval, no-key rows left out?"""
    shipments = _shipments()
    table = otif_by(shipments, "dc")
    assert table.index.tolist() == ["a", "b"]
    assert table["n"].tolist() == [4, 2]
    assert table.loc["a", "value"] == otif(shipments[shipments["dc"] == "a"]) == 50.0
    assert table.loc["b", "value"] == 50.0
    # The Wilson interval of 2 hits in 4 is csat_ci's for two satisfied answers of four.
    assert (table.loc["a", "ci_low"], table.loc["a", "ci_high"]) == pytest.approx(
        csat_ci([5, 5, 1, 1])
    )
    assert otif_by(shipments, ["dc", "shift"]).loc[("a", "night"), "value"] == 0.0
    assert otif_by(shipments, "dc", level=0.5).loc["a", "ci_low"] > table.loc["a", "ci_low"]


def test_rate_by_counts_the_true_rows_of_each_group():
    """Is rate_by the % of True per group: 2 of 3 night rows damaged, none of 4 day rows?"""
    table = rate_by(_shipments(), "shift", "damaged")
    assert table.index.tolist() == ["day", "night"]
    assert table["n"].tolist() == [4, 3]
    assert table["value"].tolist() == pytest.approx([0.0, 200 / 3])
    assert table.loc["day", "ci_low"] == 0.0 and 0 < table.loc["day", "ci_high"] < 60
    low, high = csat_ci([5, 5, 1])
    assert (table.loc["night", "ci_low"], table.loc["night", "ci_high"]) == pytest.approx(
        (low, high)
    )


def test_fcr_counts_repeats_inside_the_window_and_handoffs():
    """Does fcr count A's 3-day repeat and C's handoff as failures, and B's 10-day return not?"""
    tickets = _tickets()
    before = tickets.copy()
    # failures: A's first ticket (repeat within 7 days), C (handoff) -> 5 of 7 resolved
    assert fcr(tickets) == pytest.approx(100 * 5 / 7)
    # with a 14-day window B's first ticket is a repeat too
    assert fcr(tickets, window_days=14) == pytest.approx(100 * 4 / 7)
    # shuffled rows give the same answer, and the input is untouched
    assert fcr(tickets.sample(frac=1, random_state=3)) == pytest.approx(100 * 5 / 7)
    pd.testing.assert_frame_equal(tickets, before)


def test_time_to_resolution_median_and_p90():
    """Are the median and p90 of 1..10 hours 5.5 and 9.1, with the open ticket counted aside?"""
    opened = pd.Timestamp("2025-03-01 08:00")
    tickets = pd.DataFrame(
        {
            "opened_at": [opened] * 11,
            "resolved_at": [opened + pd.Timedelta(hours=h) for h in range(1, 11)] + [pd.NaT],
        }
    )
    result = time_to_resolution(tickets)
    assert list(result.index) == ["median", "p90"]
    assert result["median"] == pytest.approx(5.5)
    assert result["p90"] == pytest.approx(9.1)
    assert result.attrs["unresolved"] == 1
    assert "1 unresolved" in str(result.name)
    days = time_to_resolution(tickets, unit="days")
    assert days["median"] == pytest.approx(5.5 / 24)


def test_dso_on_a_hand_computed_example():
    """Is DSO (500 unpaid + 200 paid after as_of) / 2000 sold * 90 = 31.5 days?"""
    invoices = _invoices()
    assert dso(invoices) == pytest.approx(31.5)  # as_of = latest issue date, 2025-03-20
    # on 2025-03-10: 500 outstanding, sales 1800 in the 90 days -> 25 days
    assert dso(invoices, as_of="2025-03-10") == pytest.approx(500 / 1800 * 90)
    # a 30-day window up to 2025-03-20 holds only 300 + 200 of sales
    assert dso(invoices, days=30) == pytest.approx(700 / 500 * 30)


def test_dso_trend_is_dso_at_every_month_end():
    """Is each value of dso_trend the dso as of that month end, with NaN where nothing sold?"""
    invoices = _invoices().assign(letter=["friendly", "final_demand", "friendly", "final_demand"])
    trend = dso_trend(invoices, days=30)
    assert trend.index.name == "as_of"
    assert [d.strftime("%Y-%m-%d") for d in trend.index] == ["2025-02-28"]
    assert trend.loc["2025-02-28", "DSO"] == pytest.approx(500 / 500 * 30)
    by = dso_trend(invoices, by="letter", days=30)
    assert list(by.columns) == ["final_demand", "friendly"]
    # on 2025-02-28: final_demand sold 500 in 30 days, all still open; friendly sold nothing
    assert by.loc["2025-02-28", "final_demand"] == pytest.approx(30.0)
    assert np.isnan(by.loc["2025-02-28", "friendly"])
    longer = dso_trend(invoices, by="letter", days=40)
    rows = invoices[invoices["letter"] == "final_demand"]
    for end in longer.index:
        assert longer.loc[end, "final_demand"] == pytest.approx(dso(rows, as_of=end, days=40))


def test_dso_trend_keeps_the_category_order_and_leaves_empty_windows_missing():
    """Are the groups of a categorical column in its order, a window without sales NaN?"""
    invoices = pd.DataFrame(
        {
            "issue_date": pd.to_datetime(["2025-01-05", "2025-02-20", "2025-03-10", "2025-06-02"]),
            "paid_date": pd.to_datetime(["2025-01-20", "2025-03-30", None, "2025-06-10"]),
            "amount_eur": [100.0, 200.0, 300.0, 400.0],
            "letter": pd.Categorical(
                ["b", "a", "b", "a"], categories=["none", "b", "a"], ordered=False
            ),
        }
    )
    trend = dso_trend(invoices, by="letter", days=30)
    assert list(trend.columns) == ["b", "a"]  # "none" has no invoice: no column
    assert [d.strftime("%m-%d") for d in trend.index] == ["02-28", "03-31", "04-30", "05-31"]
    assert np.isnan(trend.loc["2025-02-28", "b"])  # b sold nothing from 29 Jan to 28 Feb
    assert trend.loc["2025-02-28", "a"] == pytest.approx(30.0)  # 200 open of 200 sold
    assert trend.loc["2025-03-31", "b"] == pytest.approx(30.0)  # 300 open of 300 sold
    assert trend.loc["2025-04-30"].isna().all()
    quarterly = dso_trend(invoices, every="quarter", days=30)
    assert [d.strftime("%m-%d") for d in quarterly.index] == ["03-31"]
    assert quarterly.loc["2025-03-31", "DSO"] == pytest.approx(300 / 300 * 30)


def test_days_to_pay_per_invoice():
    """Does days_to_pay give days per invoice and NaN while unpaid?"""
    result = days_to_pay(_invoices())
    assert result.name == "days_to_pay"
    assert result.iloc[[0, 2, 3]].tolist() == [22.0, 4.0, 21.0]
    assert np.isnan(result.iloc[1])


def test_churn_and_retention_on_a_tiny_example():
    """Of 4 customers active on 2025-01-01, do 2 leave by 2025-03-31 (50 % churn)?"""
    customers = _customers()
    # active on 2025-01-01: rows 0-3 (row 4 left the day before, row 5 joined later)
    # churned 2025-01-01..2025-03-31 inclusive: row 0 (on start) and row 1 (on end)
    assert churn_rate(customers, "2025-01-01", "2025-03-31") == pytest.approx(50.0)
    assert retention_rate(customers, "2025-01-01", "2025-03-31") == pytest.approx(50.0)
    assert churn_rate(customers, "2025-01-01", "2025-04-01") == pytest.approx(75.0)
    assert churn_rate(customers, pd.Timestamp("2025-06-01"), "2025-12-31") == 0.0


# --- refusing bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "words"),
    [
        pytest.param(lambda: nps([9, 11]), ["0 to 10", "11", "row 1"], id="nps-11"),
        pytest.param(lambda: nps([-1, 9]), ["-1", "row 0"], id="nps-minus-1"),
        pytest.param(lambda: csat([0, 5]), ["1 to 5", "= 0"], id="csat-0"),
        pytest.param(lambda: effort([8]), ["1 to 7", "8"], id="effort-8"),
        pytest.param(lambda: nps([9, 8.5]), ["whole numbers", "8.5"], id="nps-8.5"),
        pytest.param(lambda: nps([9, None]), ["missing", "dropna"], id="nps-none"),
        pytest.param(
            lambda: nps(pd.Series([9, float("nan")], name="recommend")),
            ['"recommend"', "dropna"],
            id="nps-nan-column",
        ),
        pytest.param(
            lambda: nps(pd.Series(["9", "10"], name="recommend")),
            ["to_numeric", "'9'"],
            id="nps-text-column",
        ),
        pytest.param(lambda: nps(["9", "ten"]), ["to_numeric", "'ten'"], id="nps-text-list"),
        pytest.param(lambda: nps([True, False]), ["True/False"], id="nps-bool"),
        pytest.param(lambda: nps([]), ["empty"], id="nps-empty-list"),
        pytest.param(
            lambda: nps(pd.Series([], dtype="int64", name="recommend")),
            ['"recommend"', "empty"],
            id="nps-empty-column",
        ),
        pytest.param(
            lambda: nps(pd.DataFrame({"recommend": [9]})), ['df["recommend"]'], id="nps-dataframe"
        ),
        pytest.param(lambda: nps(9), ["list"], id="nps-scalar"),
        pytest.param(lambda: nps_ci([9], level=95), ["0.95"], id="nps_ci-level-95"),
        pytest.param(
            lambda: effort([1, 2], method="meen"), ['"mean"', "'high'"], id="effort-method"
        ),
        pytest.param(
            lambda: nps_by(_surveys(), "regoin"),
            ['"regoin"', '"region"', "segment"],
            id="nps_by-by-typo",
        ),
        pytest.param(
            lambda: nps_by(_surveys(), "region", column="recomend"),
            ['"recommend"'],
            id="nps_by-column-typo",
        ),
        pytest.param(
            lambda: nps_by(_surveys().assign(recommend=11), "region"),
            ["11"],
            id="nps_by-out-of-range",
        ),
        pytest.param(
            lambda: csat_by(pd.DataFrame({"g": ["a"], "csat": [None]}), "g"),
            ["no values"],
            id="csat_by-all-missing",
        ),
        pytest.param(
            lambda: otif(pd.DataFrame({"on_time": [True]})),
            ['"in_full"', "on_time"],
            id="otif-missing-column",
        ),
        pytest.param(
            lambda: otif(pd.DataFrame({"ontime": [True], "in_full": [True]})),
            ['Did you mean "ontime"?'],
            id="otif-close-match",
        ),
        pytest.param(
            lambda: otif(pd.DataFrame({"on_time": [1, 0], "in_full": [True, True]})),
            ["== 1"],
            id="otif-ints",
        ),
        pytest.param(
            lambda: dispute_rate(pd.DataFrame({"disputed": [True, None]})),
            ["dropna"],
            id="dispute-missing",
        ),
        pytest.param(
            lambda: otif(pd.DataFrame({"on_time": [], "in_full": []})), ["no rows"], id="otif-empty"
        ),
        pytest.param(lambda: otif([True]), ["DataFrame"], id="otif-list"),
        pytest.param(
            lambda: otif_by(_shipments(), "warehouse"),
            ['"warehouse"', 'by="..."'],
            id="otif_by-unknown-by",
        ),
        pytest.param(
            lambda: otif_by(_shipments().assign(in_full=1), "dc"),
            ["in_full", "== 1"],
            id="otif_by-ints",
        ),
        pytest.param(lambda: otif_by(_shipments(), []), ["by is empty"], id="otif_by-no-keys"),
        pytest.param(
            lambda: rate_by(_shipments(), "shift", "damage"),
            ['Did you mean "damaged"?', 'flag="..."'],
            id="rate_by-flag-typo",
        ),
        pytest.param(
            lambda: rate_by(_shipments().assign(damaged="no"), "shift", "damaged"),
            ['.str.lower() == "true"'],
            id="rate_by-text-flag",
        ),
        pytest.param(
            lambda: rate_by(_shipments(), "shift", "damaged", level=95),
            ["0.95"],
            id="rate_by-level-95",
        ),
        pytest.param(
            lambda: fcr(_tickets().assign(opened_at="2025-03-01")),
            ["pd.to_datetime", "opened_at"],
            id="fcr-text-dates",
        ),
        pytest.param(lambda: fcr(_tickets(), window_days=-1), ["window_days"], id="fcr-window"),
        pytest.param(
            lambda: fcr(_tickets().assign(handoff_count=-1)),
            ["handoff_count", "0 or more"],
            id="fcr-negative-handoff",
        ),
        pytest.param(
            lambda: time_to_resolution(_tickets(), resolved="closed_at"),
            ['"closed_at"'],
            id="ttr-missing-column",
        ),
        pytest.param(
            lambda: time_to_resolution(_tickets(), unit="minutes"),
            ["'hours'", "'days'"],
            id="ttr-unit",
        ),
        pytest.param(lambda: dso(_invoices(), as_of="2030-01-01"), ["no sales"], id="dso-no-sales"),
        pytest.param(lambda: dso(_invoices(), as_of="someday"), ["not a date"], id="dso-bad-date"),
        pytest.param(
            lambda: dso(_invoices().assign(amount_eur="10"), as_of="2025-03-01"),
            ["to_numeric"],
            id="dso-text-amount",
        ),
        pytest.param(
            lambda: dso_trend(_invoices(), every="week"),
            ["'month'", "'quarter'"],
            id="dso-trend-every",
        ),
        pytest.param(
            lambda: dso_trend(_invoices(), days=365), ["Use fewer days"], id="dso-trend-too-short"
        ),
        pytest.param(
            lambda: dso_trend(_invoices(), by="template"), ['"template"'], id="dso-trend-no-column"
        ),
        pytest.param(
            lambda: dso_trend(_invoices().assign(paid_date="2025-02-01")),
            ["pd.to_datetime"],
            id="dso-trend-text-dates",
        ),
        pytest.param(
            lambda: churn_rate(_customers(), "2025-03-01", "2025-01-01"),
            ["before start"],
            id="churn-end-before-start",
        ),
        pytest.param(
            lambda: churn_rate(_customers(), "2020-01-01", "2020-12-31"),
            ["no customer"],
            id="churn-no-active",
        ),
    ],
)
def test_bad_input_raises_a_helpful_cxkit_error(call, words):
    """Does each bad input raise CxkitError whose message names the problem and the fix?"""
    with pytest.raises(CxkitError) as caught:
        call()
    for word in words:
        assert word in str(caught.value)


def test_time_to_resolution_refuses_resolved_before_opened():
    """Is a ticket resolved before it was opened reported by row?"""
    tickets = pd.DataFrame(
        {
            "opened_at": pd.to_datetime(["2025-01-02", "2025-01-02"]),
            "resolved_at": pd.to_datetime(["2025-01-03", "2025-01-01"]),
        }
    )
    with pytest.raises(CxkitError, match="row 1"):
        time_to_resolution(tickets)


def test_metrics_leave_their_input_unchanged():
    """Do the grouped forms and the scalar forms leave the caller's data as it was?"""
    surveys = _surveys()
    surveys.loc[::5, "csat"] = None
    before = surveys.copy()
    csat_by(surveys, "region")
    nps_by(surveys, ["segment", "region"])
    effort(surveys["effort"])
    pd.testing.assert_frame_equal(surveys, before)
