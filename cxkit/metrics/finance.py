"""Money and customers over time: dispute rate, DSO, days to pay, churn and retention.

Each takes a table with one row per invoice or customer and checks it first
(``CxkitError`` says what to fix). Percentages are percentage points: 20.0
means 20 %. Nothing here changes the data you pass in.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import CxkitError
from cxkit.validate import (
    check_choice,
    check_column,
    check_complete,
    check_date,
    check_dates,
    check_days,
    check_flags,
    check_numbers,
    check_table,
    name_rows,
)


def dispute_rate(invoices: pd.DataFrame, disputed: str = "disputed") -> float:
    """% of invoices the customer disputed.

    Parameters
    ----------
    invoices : pandas DataFrame
        One row per invoice.
    disputed : str, default "disputed"
        Name of the True/False column.

    Returns
    -------
    float
        Percentage, 0 to 100.

    Examples
    --------
    >>> dispute_rate(pd.DataFrame({"disputed": [False, True, False, False]}))
    25.0
    """
    frame = check_table(invoices, "dispute_rate")
    return float(100 * check_flags(frame, disputed, "dispute_rate", "disputed").mean())


def dso(
    invoices: pd.DataFrame,
    as_of: Any = None,
    days: float = 90,
    issued: str = "issue_date",
    paid: str = "paid_date",
    amount: str = "amount_eur",
) -> float:
    """Days sales outstanding: roughly how many days of sales are still waiting to be paid.

    DSO = receivables at ``as_of`` / sales in the ``days`` days up to ``as_of`` * ``days``.
    Receivables are the amounts of invoices issued on or before ``as_of`` and
    not paid by then (never paid, or paid later). Sales are the amounts of
    invoices issued after ``as_of - days`` and on or before ``as_of``.

    Parameters
    ----------
    invoices : pandas DataFrame
        One row per invoice.
    as_of : date or str, optional
        The day to measure on, e.g. "2025-06-30". Default: the latest issue date.
    days : float, default 90
        Length of the sales window in days.
    issued, paid, amount : str
        Columns: issue date, payment date (empty while unpaid), amount.

    Returns
    -------
    float
        DSO in days.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "issue_date": pd.to_datetime(["2025-01-10", "2025-02-15", "2025-03-20"]),
    ...     "paid_date": pd.to_datetime(["2025-02-01", None, None]),
    ...     "amount_eur": [1000.0, 500.0, 500.0],
    ... })
    >>> dso(df)  # 1000 outstanding / 2000 sold in 90 days * 90
    45.0
    """
    frame = check_table(invoices, "dso")
    window = pd.Timedelta(days=check_days(days, "dso", "days"))
    issue = check_dates(frame, issued, "dso", "issued")
    payment = check_dates(frame, paid, "dso", "paid", allow_missing=True)
    money = check_numbers(check_column(frame, amount, "dso", "amount"), "dso", whole=False)
    day = issue.max() if as_of is None else check_date(as_of, "dso", "as_of")
    outstanding = ((issue <= day) & ~(payment <= day)).to_numpy()
    recent = ((issue > day - window) & (issue <= day)).to_numpy()
    sales = money[recent].sum()
    if sales <= 0:
        raise CxkitError(
            f"dso: no sales in the {days:g} days up to {day.date()}, so DSO cannot be computed. "
            f"Pick an as_of between {issue.min().date()} and {issue.max().date()}, or more days."
        )
    return float(money[outstanding].sum() / sales * window.days)


_EVERY = {"month": "ME", "quarter": "QE"}


def dso_trend(
    invoices: pd.DataFrame,
    by: str | None = None,
    every: str = "month",
    days: float = 90,
    issued: str = "issue_date",
    paid: str = "paid_date",
    amount: str = "amount_eur",
) -> pd.DataFrame:
    """DSO at the end of every month (or quarter), for the whole company or for each group.

    One DSO is a snapshot of one day: a few large invoices paid the day after
    can move it a lot, and the smaller the group, the more it jumps. Finance
    teams therefore follow it month by month; the average over the months is
    a steadier comparison of groups, such as the reminder letters. Each value
    is :func:`dso` with ``as_of`` the last day of the month (or quarter). The
    first period end is the first one with ``days`` days of invoices before
    it; the last is on or before the latest issue date.

    Parameters
    ----------
    invoices : pandas DataFrame
        One row per invoice.
    by : str, optional
        Column to group by, such as "reminder_template": one DSO column per group.
        Default: one column, "DSO", for all invoices.
    every : {"month", "quarter"}, default "month"
        How often to measure.
    days : float, default 90
        Length of the sales window in days, as in :func:`dso`.
    issued, paid, amount : str
        Columns: issue date, payment date (empty while unpaid), amount.

    Returns
    -------
    pandas DataFrame
        One row per period end (index ``as_of``), one column per group, in
        days. A group with no sales in a window gets NaN there: ``.mean()``
        leaves it out.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "issue_date": pd.to_datetime(["2025-01-10", "2025-02-15", "2025-03-20", "2025-05-05"]),
    ...     "paid_date": pd.to_datetime(["2025-02-01", None, "2025-04-25", "2025-05-20"]),
    ...     "amount_eur": [1000.0, 500.0, 500.0, 400.0],
    ... })
    >>> dso_trend(df, days=30)  # April: nothing sold in the 30 days, so no DSO
    ... # doctest: +NORMALIZE_WHITESPACE
                 DSO
    as_of
    2025-02-28  30.0
    2025-03-31  60.0
    2025-04-30   NaN
    """
    func = "dso_trend"
    frame = check_table(invoices, func)
    step = _EVERY[check_choice(every, tuple(_EVERY), func, "every")]
    window = pd.Timedelta(days=check_days(days, func, "days"))
    issue = check_dates(frame, issued, func, "issued")
    payment = check_dates(frame, paid, func, "paid", allow_missing=True)
    money = check_numbers(check_column(frame, amount, func, "amount"), func, whole=False)
    if by is None:
        groups = {"DSO": np.ones(len(frame), bool)}
    else:
        column = check_complete(check_column(frame, by, func, "by"), func)
        keys = column.astype("object")
        present = set(pd.unique(keys))
        if isinstance(column.dtype, pd.CategoricalDtype):  # in the categories' order
            order = [g for g in column.cat.categories if g in present]
        else:
            order = sorted(present, key=str)
        groups = {g: (keys == g).to_numpy() for g in order}
    ends = pd.date_range(issue.min().normalize() + window, issue.max(), freq=step)
    if len(ends) == 0:
        raise CxkitError(
            f"{func}: the invoices span {issue.min().date()} to {issue.max().date()}, not enough "
            f"for one {every} end with {days:g} days of sales before it. Use fewer days."
        )
    issue_days, paid_days = issue.to_numpy(), payment.to_numpy()
    table = {}
    for group, rows in groups.items():
        given, settled, owed = issue_days[rows], paid_days[rows], money[rows]
        values = []
        for end in ends.to_numpy():
            outstanding = (given <= end) & ~(settled <= end)
            sales = owed[(given > end - window.to_timedelta64()) & (given <= end)].sum()
            values.append(owed[outstanding].sum() / sales * window.days if sales > 0 else np.nan)
        table[group] = values
    return pd.DataFrame(table, index=pd.DatetimeIndex(ends, name="as_of"), dtype="float64")


def days_to_pay(
    invoices: pd.DataFrame, issued: str = "issue_date", paid: str = "paid_date"
) -> pd.Series:
    """Days from issue to payment for each invoice (NaN while unpaid).

    Useful to compare payment speed, e.g. by reminder letter:
    ``invoices.assign(days=days_to_pay(invoices)).groupby("reminder_template")["days"].median()``.

    Parameters
    ----------
    invoices : pandas DataFrame
        One row per invoice.
    issued, paid : str
        Columns with the issue date and the payment date (empty while unpaid).

    Returns
    -------
    pandas Series
        Days as decimals, same index as ``invoices``, named "days_to_pay".

    Examples
    --------
    >>> df = pd.DataFrame({"issue_date": pd.to_datetime(["2025-01-01", "2025-01-01"]),
    ...                    "paid_date": pd.to_datetime(["2025-01-31", None])})
    >>> days_to_pay(df).tolist()
    [30.0, nan]
    """
    frame = check_table(invoices, "days_to_pay")
    issue = check_dates(frame, issued, "days_to_pay", "issued")
    payment = check_dates(frame, paid, "days_to_pay", "paid", allow_missing=True)
    result = (payment - issue) / pd.Timedelta(days=1)
    early = (result < 0).to_numpy()
    if early.any():
        raise CxkitError(
            f'days_to_pay: "{paid}" is before "{issued}" in {name_rows(frame.index, early)}. '
            "Fix these dates or leave the rows out."
        )
    return result.rename("days_to_pay")


def _churn(
    customers: pd.DataFrame, start: Any, end: Any, signup: str, churned: str, func: str
) -> float:
    frame = check_table(customers, func)
    first, last = check_date(start, func, "start"), check_date(end, func, "end")
    if last < first:
        raise CxkitError(f"{func}: end ({last.date()}) is before start ({first.date()}).")
    joined = check_dates(frame, signup, func, "signup")
    left = check_dates(frame, churned, func, "churned", allow_missing=True)
    active = ((joined <= first) & ~(left < first)).to_numpy()
    if not active.any():
        raise CxkitError(
            f"{func}: no customer was active on {first.date()} (signed up by then and not yet "
            f"gone). Pick a later start; the first signup is {joined.min().date()}."
        )
    lost = active & (left <= last).to_numpy()
    return float(100 * lost.sum() / active.sum())


def churn_rate(
    customers: pd.DataFrame,
    start: Any,
    end: Any,
    signup: str = "signup_date",
    churned: str = "churn_date",
) -> float:
    """% of the customers active at ``start`` who left between ``start`` and ``end``.

    Active at ``start`` means signed up on or before ``start`` and not left
    before it. Leaving on ``start`` or on ``end`` counts (both days included).

    Parameters
    ----------
    customers : pandas DataFrame
        One row per customer.
    start, end : date or str
        First and last day of the period, e.g. "2025-01-01" and "2025-03-31".
    signup, churned : str
        Columns with the signup date and the day they left (empty while a customer).

    Returns
    -------
    float
        Percentage, 0 to 100.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "signup_date": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-07-01", "2025-02-01"]),
    ...     "churn_date": pd.to_datetime(["2025-01-15", None, "2024-12-01", None]),
    ... })
    >>> churn_rate(df, "2025-01-01", "2025-03-31")  # 1 of the 2 active customers left
    50.0
    """
    return _churn(customers, start, end, signup, churned, "churn_rate")


def retention_rate(
    customers: pd.DataFrame,
    start: Any,
    end: Any,
    signup: str = "signup_date",
    churned: str = "churn_date",
) -> float:
    """% of the customers active at ``start`` who were still customers at ``end``.

    Always 100 minus :func:`churn_rate` with the same arguments.

    Parameters
    ----------
    customers : pandas DataFrame
        One row per customer.
    start, end : date or str
        First and last day of the period.
    signup, churned : str
        Columns with the signup date and the day they left (empty while a customer).

    Returns
    -------
    float
        Percentage, 0 to 100.

    Examples
    --------
    >>> df = pd.DataFrame({"signup_date": pd.to_datetime(["2024-01-01", "2024-06-01"]),
    ...                    "churn_date": pd.to_datetime(["2025-01-15", None])})
    >>> retention_rate(df, "2025-01-01", "2025-03-31")
    50.0
    """
    return 100 - _churn(customers, start, end, signup, churned, "retention_rate")
