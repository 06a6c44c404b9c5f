"""Is a gap between two groups real? The interval of their difference, and a verdict.

Two groups' intervals that do not overlap show a real gap; but intervals that
overlap can still hide one. The question "are these two groups really
different?" is answered by the interval of the **difference**: when it does not
include 0, the two groups are clearly apart. :func:`difference` computes it from
two rows of a table that ``nps_by``, ``enps_by``, ``csat_by``, ``effort_by``,
``otif_by`` or ``rate_by`` return, at the level of that table's intervals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import CxkitError, close_match
from cxkit.metrics.intervals import RESULT, newcombe, nps_parts
from cxkit.validate import check_choice, check_table

APART = "clearly apart"
UNSURE = "can't tell yet"
VERDICTS = (APART, UNSURE)

# What each measure's table carries; `metric=` names it for a table made some other way.
_INTERVALS = {
    "nps": "adjusted-wald",
    "enps": "adjusted-wald",
    "csat": "wilson",
    "otif": "wilson",
    "rate": "wilson",
    "effort": "mean",
}
_MAKERS = "cxkit.nps_by, enps_by, csat_by, effort_by, otif_by or rate_by"


def _interval(frame: pd.DataFrame, metric: str | None) -> str:
    """The kind of interval the table's rows carry: from ``metric``, else from the table."""
    known = frame.attrs.get("interval")
    if metric is None:
        if known not in _INTERVALS.values():
            raise CxkitError(
                f"difference: this table does not say which measure it holds. Pass a table as "
                f'{_MAKERS} return it, or name the measure, e.g. metric="nps" '
                f"(one of: {', '.join(_INTERVALS)})."
            )
        return str(known)
    kind = _INTERVALS[check_choice(metric, tuple(_INTERVALS), "difference", "metric")]
    if known is not None and known != kind:
        raise CxkitError(
            f'difference: metric="{metric}" does not match the table, whose intervals are '
            f"{known} intervals. Leave metric out: the table says what it holds."
        )
    return kind


def _row(frame: pd.DataFrame, group: Any, param: str) -> np.ndarray:
    """The group's n, value, ci_low and ci_high; CxkitError if absent or without answers."""
    if group not in frame.index:
        labels = [str(label) for label in frame.index]
        if str(group) in labels:  # "1" for the number 1, or "True" for True
            exact = frame.index.tolist()[labels.index(str(group))]
            hint = f" Write it as {exact!r}: a number or True/False goes without quotes."
        else:
            hint = close_match(str(group), labels)
        shown = f'"{group}"' if isinstance(group, str) else repr(group)
        raise CxkitError(
            f"difference: {param} {shown} is not a group of the table.{hint} "
            f"Its groups are: {', '.join(labels)}."
        )
    row = frame.loc[group, RESULT]
    if isinstance(row, pd.DataFrame):
        raise CxkitError(f'difference: the table has {len(row)} rows called "{group}"; keep one.')
    values = row.to_numpy(dtype="float64")
    if not np.isfinite(values).all() or values[0] < 1:
        raise CxkitError(
            f'difference: group "{group}" has too few answers (n = {values[0]:g}) for an '
            "interval; compare groups that have some."
        )
    return values


def difference(
    table: pd.DataFrame, first: Any, second: Any, metric: str | None = None
) -> pd.Series:
    """How far apart two groups of a table are, with the interval of that difference.

    The difference is ``first`` minus ``second``, in the table's unit (NPS
    points or percentage points). Its interval has the confidence level of the
    table's intervals (95 % unless you chose another). When that interval does
    not include 0 the verdict is "clearly apart"; when it does, "can't tell
    yet": the gap may be chance, and more answers would tell. Two groups whose
    own intervals overlap can still be clearly apart: this is the test to use.

    The methods: for a % (CSAT, OTIF, any rate) Newcombe's hybrid score interval
    (Newcombe 1998, Statistics in Medicine 17:873-890, method 10), built from
    the two Wilson intervals of the table; for NPS, the adjusted-Wald method of
    Lewis & Sauro ("How to statistically compare two Net Promoter Scores",
    MeasuringU, 2021): each group's adjusted NPS and variance as in
    :func:`nps_ci`, and (NPS'1 - NPS'2) +/- z * sqrt(var1 + var2); for a mean
    effort, (mean1 - mean2) +/- z * sqrt(sd1^2 / n1 + sd2^2 / n2).

    Parameters
    ----------
    table : pandas DataFrame
        A table with one row per group and the columns ``n``, ``value``,
        ``ci_low`` and ``ci_high``, as :func:`nps_by`, :func:`csat_by`,
        :func:`otif_by` or :func:`rate_by` return it (not rounded).
    first, second : str or number
        The two groups: row labels of the table, such as "late" and "on time".
    metric : {"nps", "enps", "csat", "otif", "rate", "effort"}, optional
        Only for a table made another way, with those four columns: the measure
        its rows hold. A table from the functions above says it itself.

    Returns
    -------
    pandas Series
        ``difference``, ``ci_low``, ``ci_high`` and ``verdict`` ("clearly apart"
        or "can't tell yet"), named "first minus second".

    Raises
    ------
    CxkitError
        If a group is not in the table or has no answers, if a column is
        missing, or if the table does not say which measure it holds.

    See Also
    --------
    nps_by, csat_by, otif_by, rate_by : the tables to compare.

    Examples
    --------
    >>> from cxkit.metrics import csat_by
    >>> df = pd.DataFrame({"shop": ["x"] * 70 + ["y"] * 80,
    ...                    "csat": [5] * 56 + [2] * 14 + [4] * 48 + [1] * 32})
    >>> gap = difference(csat_by(df, "shop"), "x", "y")
    >>> gap["verdict"], round(gap["difference"], 1), round(gap["ci_low"], 2)
    ('clearly apart', 20.0, 5.24)
    """
    frame = check_table(table, "difference")
    missing = [column for column in RESULT if column not in frame.columns]
    if missing:
        raise CxkitError(
            f"difference: the table has no column {', '.join(repr(c) for c in missing)}. "
            f"Pass a table as {_MAKERS} return it, with n, value, ci_low and ci_high."
        )
    kind = _interval(frame, metric)
    if first == second:
        raise CxkitError(f'difference: first and second are both "{first}"; name two groups.')
    (n1, value1, low1, high1), (n2, value2, low2, high2) = (
        _row(frame, first, "first"),
        _row(frame, second, "second"),
    )
    if kind == "wilson":
        low, high = newcombe(value1, low1, high1, value2, low2, high2)
    else:
        if kind == "adjusted-wald":
            (centre1, half1), (centre2, half2) = (
                nps_parts(value1, n1, low1, high1),
                nps_parts(value2, n2, low2, high2),
            )
        else:
            centre1, half1 = value1, (high1 - low1) / 2
            centre2, half2 = value2, (high2 - low2) / 2
        half = np.hypot(half1, half2)
        low, high = centre1 - centre2 - half, centre1 - centre2 + half
    verdict = APART if low > 0 or high < 0 else UNSURE
    gap = float(value1 - value2)
    return pd.Series(
        {"difference": gap, "ci_low": float(low), "ci_high": float(high), "verdict": verdict},
        name=f"{first} minus {second}",
        dtype=object,
    )
