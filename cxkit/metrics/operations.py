"""Operational measures: on time in full, any True/False rate per group, tickets.

Each takes a table with one row per shipment, ticket or other event and
checks it first (``CxkitError`` says what to fix). Percentages are percentage
points: 20.0 means 20 %. Nothing here changes the data you pass in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.errors import CxkitError
from cxkit.metrics.intervals import result_table, wilson
from cxkit.validate import (
    By,
    check_by,
    check_choice,
    check_column,
    check_complete,
    check_dates,
    check_days,
    check_flags,
    check_level,
    check_numbers,
    check_table,
    name_rows,
)


def otif(shipments: pd.DataFrame, on_time: str = "on_time", in_full: str = "in_full") -> float:
    """On time in full: % of shipments that arrived both on time and complete.

    Parameters
    ----------
    shipments : pandas DataFrame
        One row per shipment.
    on_time, in_full : str
        Names of the True/False columns saying whether it was on time and complete.

    Returns
    -------
    float
        Percentage, 0 to 100.

    Examples
    --------
    >>> df = pd.DataFrame({"on_time": [True, True, False, True],
    ...                    "in_full": [True, False, True, True]})
    >>> otif(df)
    50.0
    """
    frame = check_table(shipments, "otif")
    both = check_flags(frame, on_time, "otif", "on_time") & check_flags(
        frame, in_full, "otif", "in_full"
    )
    return float(100 * both.mean())


def _rate_by(
    frame: pd.DataFrame, by: By, hits: np.ndarray, level: float, func: str
) -> pd.DataFrame:
    """The % of rows where ``hits`` holds, per group, with Wilson intervals."""
    z = check_level(level, func)
    keys = check_by(frame, by, func)
    work = frame[keys].reset_index(drop=True).assign(__n=1, __hits=hits)
    sums = work.groupby(keys, observed=True, sort=True).sum()
    sums.columns = ["n", "hits"]
    n = sums["n"].to_numpy(dtype="float64")
    low, high = wilson(sums["hits"].to_numpy(), n, z)
    return result_table(sums, 100 * sums["hits"].to_numpy() / n, low, high, "wilson")


def otif_by(
    shipments: pd.DataFrame,
    by: By,
    on_time: str = "on_time",
    in_full: str = "in_full",
    level: float = 0.95,
) -> pd.DataFrame:
    """OTIF (% on time and in full) with its Wilson interval for each group, e.g. each warehouse.

    Rows with a missing group key are left out, as in :func:`nps_by`.

    Parameters
    ----------
    shipments : pandas DataFrame
        One row per shipment.
    by : str or list of str
        Column(s) to group by, such as "warehouse".
    on_time, in_full : str
        Names of the True/False columns saying whether it was on time and complete.
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas DataFrame
        Columns ``n`` (shipments), ``value`` (OTIF in %), ``ci_low``, ``ci_high``;
        one row per group.

    Examples
    --------
    >>> df = pd.DataFrame({"dc": ["a", "a", "b", "b"], "on_time": [True, True, False, True],
    ...                    "in_full": [True, False, True, True]})
    >>> otif_by(df, "dc")["value"].tolist()
    [50.0, 50.0]
    """
    frame = check_table(shipments, "otif_by")
    both = check_flags(frame, on_time, "otif_by", "on_time") & check_flags(
        frame, in_full, "otif_by", "in_full"
    )
    return _rate_by(frame, by, both, level, "otif_by")


def rate_by(df: pd.DataFrame, by: By, flag: str, level: float = 0.95) -> pd.DataFrame:
    """The % of rows where a True/False column is True, with its Wilson interval, per group.

    For any "how often" question about events: shipments damaged per dock
    shift, invoices disputed per reminder letter, tickets handed on per channel.

    Parameters
    ----------
    df : pandas DataFrame
        One row per event (a shipment, an invoice, a ticket, ...).
    by : str or list of str
        Column(s) to group by, such as "dock_shift".
    flag : str
        Name of the True/False column to count, such as "damaged".
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas DataFrame
        Columns ``n`` (rows), ``value`` (% True), ``ci_low``, ``ci_high``; one row per group.

    Examples
    --------
    >>> df = pd.DataFrame({"shift": ["day", "day", "night", "night"],
    ...                    "damaged": [False, False, True, False]})
    >>> rate_by(df, "shift", "damaged")["value"].tolist()
    [0.0, 50.0]
    """
    frame = check_table(df, "rate_by")
    return _rate_by(frame, by, check_flags(frame, flag, "rate_by", "flag"), level, "rate_by")


def fcr(
    tickets: pd.DataFrame,
    window_days: float = 7,
    customer: str = "customer_id",
    opened: str = "opened_at",
    category: str = "category",
    handoffs: str = "handoff_count",
) -> float:
    """First contact resolution: % of tickets solved without a handoff or a repeat contact.

    A ticket counts as resolved on first contact when it was never handed to
    another department (handoff count 0) AND the same customer did not open
    another ticket in the same category at the same time or up to
    ``window_days`` later. Tickets opened in the last ``window_days`` of the data
    cannot show a repeat yet, so the newest tickets look slightly better.

    Parameters
    ----------
    tickets : pandas DataFrame
        One row per support ticket.
    window_days : float, default 7
        How many days after a ticket a new one in the same category counts as a repeat.
    customer, opened, category, handoffs : str
        Column names: who, when (dtype datetime64), what about, and number of transfers.

    Returns
    -------
    float
        Percentage, 0 to 100.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "customer_id": ["A", "A", "B", "C"],
    ...     "opened_at": pd.to_datetime(["2025-01-01", "2025-01-03", "2025-01-01", "2025-01-02"]),
    ...     "category": ["billing", "billing", "delivery", "delivery"],
    ...     "handoff_count": [0, 0, 0, 2],
    ... })
    >>> fcr(df)  # A's first ticket came back within 7 days; C's was handed off
    50.0
    """
    frame = check_table(tickets, "fcr")
    window = pd.Timedelta(days=check_days(window_days, "fcr", "window_days", allow_zero=True))
    for name, param in ((customer, "customer"), (category, "category")):
        check_complete(check_column(frame, name, "fcr", param), "fcr")
    when = check_dates(frame, opened, "fcr", "opened")
    moves = check_numbers(check_column(frame, handoffs, "fcr", "handoffs"), "fcr", 0)
    group = frame.groupby([customer, category], observed=True, sort=False).ngroup().to_numpy()
    since = (when - when.min()).to_numpy()
    order = np.lexsort((since.astype("int64"), group))
    same = group[order][1:] == group[order][:-1]
    soon = np.diff(since[order]) <= window.to_timedelta64()
    repeat = np.zeros(len(frame), bool)
    repeat[order[:-1]] = same & soon
    return float(100 * np.mean((moves == 0) & ~repeat))


def time_to_resolution(
    tickets: pd.DataFrame,
    opened: str = "opened_at",
    resolved: str = "resolved_at",
    unit: str = "hours",
) -> pd.Series:
    """How long tickets took to resolve: the median and the 90th percentile.

    Tickets still open (no ``resolved`` time) are left out, and their number is
    kept: it shows in the result's name and in ``result.attrs["unresolved"]``.
    The 90th percentile uses pandas' linear interpolation.

    Parameters
    ----------
    tickets : pandas DataFrame
        One row per ticket.
    opened, resolved : str
        Columns with when it was opened and resolved (dtype datetime64; resolved may be empty).
    unit : {"hours", "days"}, default "hours"
        Unit of the result.

    Returns
    -------
    pandas Series
        Index ``median`` and ``p90``, in ``unit``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "opened_at": pd.to_datetime(["2025-01-01 09:00"] * 3),
    ...     "resolved_at": pd.to_datetime(["2025-01-01 11:00", "2025-01-01 13:00", None]),
    ... })
    >>> time_to_resolution(df)
    median    3.0
    p90       3.8
    Name: hours to resolve (1 unresolved left out), dtype: float64
    """
    func = "time_to_resolution"
    unit = check_choice(unit, ("hours", "days"), func, "unit")
    frame = check_table(tickets, func)
    start = check_dates(frame, opened, func, "opened")
    end = check_dates(frame, resolved, func, "resolved", allow_missing=True)
    span = (end - start) / pd.Timedelta(1, unit="h" if unit == "hours" else "D")
    early = (span < 0).to_numpy()
    if early.any():
        raise CxkitError(
            f'{func}: "{resolved}" is before "{opened}" in {name_rows(frame.index, early)}. '
            "Fix these times or leave the rows out."
        )
    done = span.dropna()
    if done.empty:
        raise CxkitError(f'{func}: no ticket has a "{resolved}" time yet, so none is resolved.')
    unresolved = len(span) - len(done)
    result = pd.Series(
        {"median": float(done.median()), "p90": float(done.quantile(0.9))},
        name=f"{unit} to resolve ({unresolved} unresolved left out)",
    )
    result.attrs["unresolved"] = unresolved
    return result
