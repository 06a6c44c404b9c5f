"""Finance: dispute rate, DSO and its trend, days to pay, churn and retention."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxkit.errors import CxkitError
from cxkit.metrics.finance import (
    churn_rate,
    days_to_pay,
    dispute_rate,
    dso,
    dso_trend,
    retention_rate,
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


# --- finance ----------------------------------------------------------------------------------


def test_dispute_rate_is_the_share_disputed():
    """Is the dispute rate the share of invoices disputed: 1 of 4 -> 25 %?"""
    assert dispute_rate(_invoices()) == 25.0


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
        pytest.param(
            lambda: dispute_rate(pd.DataFrame({"disputed": [True, None]})),
            ["dropna"],
            id="dispute-missing",
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
