"""Survey scores: NPS, CSAT, customer effort and employee NPS, with their margins of error.

Each comes three ways: one number (``nps``), an interval (``nps_ci``) and a
table with one row per group (``nps_by``). Percentages are percentage points:
20.0 means 20 %.

Scores may be a list, a tuple, a NumPy array or a pandas Series of any numeric
type (int, nullable Int64, float). They must be whole numbers on the scale of
the question. True/False values are refused: they are answers to another
question, not scores. The one-number forms refuse missing scores (drop them
with ``.dropna()``); the ``_by`` forms leave them out of their group's ``n``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd

from cxkit.metrics.intervals import nps_interval, result_table, wilson
from cxkit.validate import (
    By,
    check_by,
    check_choice,
    check_column,
    check_level,
    check_numbers,
    check_table,
)

Scores: TypeAlias = "pd.Series | np.ndarray | Sequence[float]"
_EFFORT_METHODS = ("mean", "high")


# --- survey scores ----------------------------------------------------------------------------


def _nps(scores: Scores, func: str) -> float:
    values = check_numbers(scores, func, 0, 10)
    return float(100 * (int(np.sum(values >= 9)) - int(np.sum(values <= 6))) / len(values))


def nps(scores: Scores) -> float:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6).

    Parameters
    ----------
    scores : list or pandas Series
        Answers to "How likely are you to recommend us?", whole numbers 0 to 10.
        Missing answers are refused: drop them first with ``.dropna()``.

    Returns
    -------
    float
        The NPS, from -100 (everyone a detractor) to 100 (everyone a promoter).
        Passives (7-8) count in the total but on neither side.

    Examples
    --------
    >>> nps([10, 9, 9, 8, 7, 6, 5, 10, 3, 9])
    20.0
    """
    return _nps(scores, "nps")


def nps_ci(scores: Scores, level: float = 0.95) -> tuple[float, float]:
    """The margin of error of an NPS: a (low, high) interval in NPS points.

    Uses the adjusted-Wald method of Sauro & Lewis, "Quantifying the User
    Experience" (2nd ed., 2016): with n' = n + 3, p' = (promoters + 3/4) / n' and
    d' = (detractors + 3/4) / n', NPS' = p' - d' and the interval is
    100 * (NPS' +/- z * sqrt((p' + d' - NPS'^2) / n')), kept within -100..100.

    Parameters
    ----------
    scores : list or pandas Series
        Whole numbers 0 to 10, no missing values.
    level : float, default 0.95
        Confidence level: 0.95 means 95 % confidence.

    Returns
    -------
    tuple of float
        (low, high). With few answers the interval is wide: that is the point.

    Examples
    --------
    >>> low, high = nps_ci([10] * 180 + [7] * 120 + [0] * 100)
    >>> round(low, 1), round(high, 1)
    (11.9, 27.8)
    """
    z = check_level(level, "nps_ci")
    values = check_numbers(scores, "nps_ci", 0, 10)
    low, high = nps_interval(np.sum(values >= 9), np.sum(values <= 6), len(values), z)
    return float(low), float(high)


def csat(scores: Scores) -> float:
    """Customer satisfaction: % of answers that are 4 or 5 on a 1-5 scale ("top-2-box").

    Parameters
    ----------
    scores : list or pandas Series
        Whole numbers 1 (very dissatisfied) to 5 (very satisfied), no missing values.

    Returns
    -------
    float
        Percentage satisfied, 0 to 100.

    Examples
    --------
    >>> csat([5, 4, 3, 5, 1])
    60.0
    """
    values = check_numbers(scores, "csat", 1, 5)
    return float(100 * np.mean(values >= 4))


def csat_ci(scores: Scores, level: float = 0.95) -> tuple[float, float]:
    """The margin of error of a CSAT: a (low, high) interval in %, by the Wilson method.

    Parameters
    ----------
    scores : list or pandas Series
        Whole numbers 1 to 5, no missing values.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    tuple of float
        (low, high), within 0 to 100.

    Examples
    --------
    >>> low, high = csat_ci([5, 4, 3, 5, 1])
    >>> round(low, 1), round(high, 1)
    (23.1, 88.2)
    """
    z = check_level(level, "csat_ci")
    values = check_numbers(scores, "csat_ci", 1, 5)
    low, high = wilson(np.sum(values >= 4), len(values), z)
    return float(low), float(high)


def effort(scores: Scores, method: str = "mean") -> float:
    """Customer effort score: how hard it was, on a 1-7 scale where lower is better.

    1 means very easy (low effort), 7 very difficult (high effort). cxkit
    reports the mean by default.

    Parameters
    ----------
    scores : list or pandas Series
        Whole numbers 1 to 7, no missing values.
    method : {"mean", "high"}, default "mean"
        "mean": the average answer, on the 1-7 scale (lower is better).
        "high": the % of answers that are 5, 6 or 7 (high effort; lower is better).

    Returns
    -------
    float
        The mean (1 to 7) or the percentage (0 to 100), depending on ``method``.

    Examples
    --------
    >>> effort([1, 2, 2, 6, 7])
    3.6
    >>> effort([1, 2, 2, 6, 7], method="high")
    40.0
    """
    method = check_choice(method, _EFFORT_METHODS, "effort", "method")
    values = check_numbers(scores, "effort", 1, 7)
    return float(np.mean(values) if method == "mean" else 100 * np.mean(values >= 5))


def enps(scores: Scores) -> float:
    """Employee NPS: the NPS of "How likely are you to recommend working here?" (0-10).

    Same arithmetic as :func:`nps`: % promoters (9-10) minus % detractors (0-6).

    Parameters
    ----------
    scores : list or pandas Series
        Whole numbers 0 to 10, no missing values.

    Returns
    -------
    float
        From -100 to 100.

    Examples
    --------
    >>> enps([9, 10, 7, 3])
    25.0
    """
    return _nps(scores, "enps")


# --- survey scores by group -------------------------------------------------------------------


def _group_sums(
    df: pd.DataFrame,
    by: By,
    column: str,
    func: str,
    scale: tuple[int, int],
    parts: Callable[[np.ndarray], dict[str, np.ndarray]],
) -> pd.DataFrame:
    """Check once for the whole column, then sum ``parts`` of the scores per group.

    Returns one row per group with column ``n`` (answered rows) and one per part.
    """
    frame = check_table(df, func)
    keys = check_by(frame, by, func)
    values = check_numbers(
        check_column(frame, column, func, "column"), func, *scale, allow_missing=True
    )
    answered = ~np.isnan(values) if values.dtype.kind == "f" else np.ones(len(values), bool)
    work = frame[keys].reset_index(drop=True)
    for name, part in {"n": answered, **parts(values)}.items():
        work[f"__{name}"] = part
    sums = work.groupby(keys, observed=True, sort=True).sum()
    sums.columns = [str(c)[2:] for c in sums.columns]
    return sums


def _nps_by(df: pd.DataFrame, by: By, column: str, level: float, func: str) -> pd.DataFrame:
    z = check_level(level, func)
    sums = _group_sums(df, by, column, func, (0, 10), lambda v: {"p": v >= 9, "d": v <= 6})
    n = sums["n"].to_numpy(dtype="float64")
    n[n == 0] = np.nan  # a group with no answers gets NaN, not a division warning
    promoters, detractors = sums["p"].to_numpy(), sums["d"].to_numpy()
    low, high = nps_interval(promoters, detractors, n, z)
    return result_table(sums, 100 * (promoters - detractors) / n, low, high, "adjusted-wald")


def nps_by(
    df: pd.DataFrame, by: By, column: str = "recommend", level: float = 0.95
) -> pd.DataFrame:
    """NPS with its interval for each group, e.g. each region or department.

    Rows with a missing score are left out of their group (and of ``n``); rows
    with a missing group key are left out entirely. A group where nobody answered
    shows n = 0 and NaN. Small groups are kept: their intervals are just wide.

    Parameters
    ----------
    df : pandas DataFrame
        One row per survey response.
    by : str or list of str
        Column(s) to group by.
    column : str, default "recommend"
        Column holding the 0-10 recommend scores.
    level : float, default 0.95
        Confidence level of the interval (adjusted-Wald, as in :func:`nps_ci`).

    Returns
    -------
    pandas DataFrame
        One row per group, sorted by group: ``n`` (answers), ``value`` (NPS),
        ``ci_low`` and ``ci_high``.

    Examples
    --------
    >>> df = pd.DataFrame({"team": ["b", "a", "a", "b"], "recommend": [3, 10, 9, 9]})
    >>> nps_by(df, "team").round(1)  # doctest: +NORMALIZE_WHITESPACE
          n  value  ci_low  ci_high
    team
    a     2  100.0   -24.4    100.0
    b     2    0.0   -73.3     73.3
    """
    return _nps_by(df, by, column, level, "nps_by")


def enps_by(
    df: pd.DataFrame, by: By, column: str = "recommend", level: float = 0.95
) -> pd.DataFrame:
    """Employee NPS with its interval for each group, e.g. each team.

    Works exactly like :func:`nps_by`, on the employee survey.

    Parameters
    ----------
    df : pandas DataFrame
        One row per employee survey response.
    by : str or list of str
        Column(s) to group by.
    column : str, default "recommend"
        Column holding the 0-10 answers.
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas DataFrame
        Columns ``n``, ``value``, ``ci_low``, ``ci_high``; one row per group.

    Examples
    --------
    >>> df = pd.DataFrame({"team": ["x", "x", "x"], "recommend": [10, 8, 2]})
    >>> enps_by(df, "team")["value"].tolist()
    [0.0]
    """
    return _nps_by(df, by, column, level, "enps_by")


def csat_by(df: pd.DataFrame, by: By, column: str = "csat", level: float = 0.95) -> pd.DataFrame:
    """CSAT (% answering 4 or 5) with its Wilson interval for each group.

    Rows with a missing score are left out of their group, as in :func:`nps_by`.

    Parameters
    ----------
    df : pandas DataFrame
        One row per survey response.
    by : str or list of str
        Column(s) to group by.
    column : str, default "csat"
        Column holding the 1-5 satisfaction scores.
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas DataFrame
        Columns ``n``, ``value`` (% satisfied), ``ci_low``, ``ci_high``; one row per group.

    Examples
    --------
    >>> df = pd.DataFrame({"shop": ["x", "x", "y", "y"], "csat": [5, 2, 4, 4]})
    >>> csat_by(df, "shop")["value"].tolist()
    [50.0, 100.0]
    """
    z = check_level(level, "csat_by")
    sums = _group_sums(df, by, column, "csat_by", (1, 5), lambda v: {"top": v >= 4})
    n = sums["n"].to_numpy(dtype="float64")
    n[n == 0] = np.nan
    low, high = wilson(sums["top"].to_numpy(), n, z)
    return result_table(sums, 100 * sums["top"].to_numpy() / n, low, high, "wilson")


def effort_by(
    df: pd.DataFrame, by: By, column: str = "effort", method: str = "mean", level: float = 0.95
) -> pd.DataFrame:
    """Customer effort (1 = very easy, 7 = very difficult) with its interval for each group.

    With method="mean" the value is the average answer and the interval is
    mean +/- z * sd / sqrt(n) (a group of one answer gets NaN limits). With
    method="high" the value is the % answering 5-7 and the interval is Wilson's.
    Rows with a missing score are left out of their group, as in :func:`nps_by`.

    Parameters
    ----------
    df : pandas DataFrame
        One row per survey response.
    by : str or list of str
        Column(s) to group by.
    column : str, default "effort"
        Column holding the 1-7 effort scores.
    method : {"mean", "high"}, default "mean"
        See :func:`effort`.
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas DataFrame
        Columns ``n``, ``value``, ``ci_low``, ``ci_high``; one row per group.

    Examples
    --------
    >>> df = pd.DataFrame({"desk": ["x", "x", "y", "y"], "effort": [1, 3, 6, 7]})
    >>> effort_by(df, "desk")["value"].tolist()
    [2.0, 6.5]
    >>> effort_by(df, "desk", method="high")["value"].tolist()
    [0.0, 100.0]
    """
    method = check_choice(method, _EFFORT_METHODS, "effort_by", "method")
    z = check_level(level, "effort_by")

    def parts(v: np.ndarray) -> dict[str, np.ndarray]:
        if method == "high":
            return {"high": v >= 5}
        answered = np.nan_to_num(v.astype("float64"))
        return {"sum": answered, "squares": answered**2}

    sums = _group_sums(df, by, column, "effort_by", (1, 7), parts)
    n = sums["n"].to_numpy(dtype="float64")
    n[n == 0] = np.nan
    if method == "high":
        low, high = wilson(sums["high"].to_numpy(), n, z)
        return result_table(sums, 100 * sums["high"].to_numpy() / n, low, high, "wilson")
    mean = sums["sum"].to_numpy() / n
    spread = np.where(n > 1, n, np.nan) - 1
    sd = np.sqrt(np.clip((sums["squares"].to_numpy() - n * mean**2) / spread, 0, None))
    half = z * sd / np.sqrt(n)
    return result_table(sums, mean, mean - half, mean + half, "mean")
