"""Customer experience metrics, each with a plain definition and a margin of error.

Survey scores (NPS, CSAT, customer effort, employee NPS) come three ways: one
number (``nps``), an interval (``nps_ci``) and a table with one row per group
(``nps_by``). Operational measures (OTIF, dispute rate, first contact
resolution, time to resolution, DSO, churn) take a table with one row per
shipment, invoice, ticket or customer.

Percentages are percentage points: 20.0 means 20 %. Every function checks its
input first and raises ``CxkitError`` with a message that says what to fix.
Nothing here changes the data you pass in.

Scores may be a list, a tuple, a NumPy array or a pandas Series of any numeric
type (int, nullable Int64, float). They must be whole numbers on the scale of
the question. True/False values are refused: they are answers to another
question, not scores. The one-number forms refuse missing scores (drop them
with ``.dropna()``); the ``_by`` forms leave them out of their group's ``n``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from statistics import NormalDist
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from cxkit.errors import CxkitError, close_match

Scores: TypeAlias = "pd.Series | np.ndarray | Sequence[float]"
By: TypeAlias = "str | list[str]"
_RESULT = ["n", "value", "ci_low", "ci_high"]
_EFFORT_METHODS = ("mean", "high")


# --- checking inputs ------------------------------------------------------------------------


def _where(index: pd.Index, mask: np.ndarray, values: np.ndarray | None = None) -> str:
    """Name the first rows where ``mask`` holds: 'row 3 = 11, row 7 = -1 (and 2 more)'."""
    hits = np.flatnonzero(mask)
    shown = []
    for i in hits[:3]:
        shown.append(f"row {index[i]}" + ("" if values is None else f" = {_show(values[i])}"))
    return ", ".join(shown) + (f" (and {len(hits) - 3} more)" if len(hits) > 3 else "")


def _show(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | float | np.number):
        return f"{value:g}"
    return repr(str(value))


def _head(column: pd.Series) -> str:
    """The first values of a column, to show what it holds."""
    return _where(column.index, np.arange(len(column)) < 3, column.to_numpy(object))


def _range(low: float, high: float) -> str:
    return f"{low:g} or more" if high == np.inf else f"from {low:g} to {high:g}"


def _numeric(
    data: Any,
    func: str,
    low: float = -np.inf,
    high: float = np.inf,
    whole: bool = True,
    allow_missing: bool = False,
) -> np.ndarray:
    """Check a list or column of numbers and return them as a NumPy array.

    Booleans are refused: True/False answers are not scores. Missing values are
    refused unless ``allow_missing`` (then they come back as NaN).
    """
    if isinstance(data, pd.DataFrame):
        raise CxkitError(f'{func}: got a whole table; pass one column, e.g. df["recommend"].')
    if isinstance(data, list | tuple | np.ndarray) and np.ndim(np.asarray(data, object)) == 1:
        data = pd.Series(data)
    if not isinstance(data, pd.Series):
        raise CxkitError(
            f"{func}: expected a list or a column of numbers, got {type(data).__name__}. "
            'Pass a list such as [9, 10, 6] or one column of a table, e.g. df["recommend"].'
        )
    what = "the list of scores" if data.name is None else f'column "{data.name}"'
    expr = "pd.Series(scores)" if data.name is None else f'df["{data.name}"]'
    if len(data) == 0:
        raise CxkitError(
            f"{func}: {what} is empty. At least one response is needed; check that a filter "
            "did not remove every row."
        )
    if data.dtype == object:
        data = data.infer_objects()
    missing = data.isna().to_numpy()
    if missing.any() and not allow_missing:
        raise CxkitError(
            f"{func}: {what} has {int(missing.sum())} missing value(s): "
            f"{_where(data.index, missing)}. Leave out unanswered rows first, e.g. "
            f"{expr}.dropna()."
        )
    if missing.all():
        raise CxkitError(f"{func}: {what} holds no values at all, only missing ones.")
    if pd.api.types.is_bool_dtype(data.dtype):
        raise CxkitError(
            f"{func}: {what} holds True/False values, not numbers: {_head(data)}. "
            "Pass the column that holds the answers as numbers."
        )
    if not pd.api.types.is_numeric_dtype(data.dtype):
        unreadable = pd.to_numeric(data, errors="coerce").isna().to_numpy() & ~missing
        shown = unreadable if unreadable.any() else ~missing
        fix = f"{expr} = " if data.name is not None else ""
        raise CxkitError(
            f"{func}: {what} holds text (dtype {data.dtype}), not numbers: "
            f"{_where(data.index, shown, data.to_numpy(object))}. Convert it first, e.g. "
            f'{fix}pd.to_numeric({expr}, errors="coerce"); text such as "n/a" then becomes '
            "missing, to drop with .dropna()."
        )
    if isinstance(data.dtype, np.dtype) and data.dtype.kind in "iu":
        values = data.to_numpy()
    else:
        values = data.to_numpy(dtype="float64", na_value=np.nan)
        if whole:
            fraction = ~missing & (values != np.floor(values)) & np.isfinite(values)
            if fraction.any():
                raise CxkitError(
                    f"{func}: {what} must hold whole numbers {_range(low, high)}, found "
                    f"{_where(data.index, fraction, values)}. Such values usually mean the "
                    "answers were averaged or rescaled: use the original answers, one per row."
                )
    outside = (values < low) | (values > high)
    if outside.any():
        raise CxkitError(
            f"{func}: {what} must hold values {_range(low, high)}, found "
            f"{int(outside.sum())} outside: {_where(data.index, outside, values)}. Check the "
            "scale of the question and fix or remove these rows."
        )
    return values


def _frame(data: Any, func: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise CxkitError(
            f"{func}: expected a table (pandas DataFrame), got {type(data).__name__}. "
            'Pass the whole table, e.g. cxkit.load("tickets").'
        )
    if data.empty:
        raise CxkitError(f"{func}: the table has no rows; check that a filter did not remove all.")
    return data


def _column(frame: pd.DataFrame, name: Any, func: str, param: str) -> pd.Series:
    if name not in frame.columns:
        names = [str(c) for c in frame.columns]
        raise CxkitError(
            f'{func}: the table has no column "{name}".{close_match(str(name), names)} '
            f'Available columns: {", ".join(names)}. Name the right one with {param}="...".'
        )
    return frame[name]


def _complete(column: pd.Series, func: str) -> pd.Series:
    missing = column.isna().to_numpy()
    if missing.any():
        raise CxkitError(
            f'{func}: column "{column.name}" has {int(missing.sum())} missing value(s): '
            f"{_where(column.index, missing)}. Leave these rows out first, e.g. "
            f'df.dropna(subset=["{column.name}"]).'
        )
    return column


def _flags(frame: pd.DataFrame, name: str, func: str, param: str) -> np.ndarray:
    """A column of True/False values, without gaps."""
    column = _complete(_column(frame, name, func, param), func)
    if not pd.api.types.is_bool_dtype(column.dtype):
        numeric = pd.api.types.is_numeric_dtype(column.dtype)
        convert = " == 1" if numeric else '.str.lower() == "true"'
        raise CxkitError(
            f'{func}: column "{name}" must hold True/False values, found dtype {column.dtype}: '
            f'{_head(column)}. Convert it first, e.g. df["{name}"] = df["{name}"]{convert}.'
        )
    return column.to_numpy(dtype=bool)


def _dates(
    frame: pd.DataFrame, name: str, func: str, param: str, allow_missing: bool = False
) -> pd.Series:
    """A column of dates or times (dtype datetime64); empty cells only if ``allow_missing``."""
    column = _column(frame, name, func, param)
    if not pd.api.types.is_datetime64_any_dtype(column.dtype):
        raise CxkitError(
            f'{func}: column "{name}" must hold dates (dtype datetime64), found dtype '
            f'{column.dtype}: {_head(column)}. Convert it first: df["{name}"] = '
            f'pd.to_datetime(df["{name}"]).'
        )
    return column if allow_missing else _complete(column, func)


def _timestamp(value: Any, func: str, param: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise CxkitError(f'{func}: {param}={value!r} is not a date; write it like "2025-06-30".')
    return stamp


def _positive(value: Any, func: str, param: str, allow_zero: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise CxkitError(f"{func}: {param} must be a positive number of days, got {value!r}.")
    return float(value)


def _z(level: Any, func: str) -> float:
    """The normal quantile for a two-sided interval, e.g. 1.96 for level=0.95."""
    number = isinstance(level, int | float) and not isinstance(level, bool)
    if not number or not 0 < level < 1:
        hint = f" Write {level / 100:g} for {level:g} %." if number and 1 < level < 100 else ""
        raise CxkitError(
            f"{func}: level must be between 0 and 1, such as 0.95, got {level!r}.{hint}"
        )
    return NormalDist().inv_cdf(0.5 + level / 2)


def _choice(value: Any, choices: Sequence[str], func: str, param: str) -> str:
    if value not in choices:
        raise CxkitError(
            f"{func}: {param}={value!r} is not known.{close_match(str(value), choices)} "
            f"Choose one of: {', '.join(repr(c) for c in choices)}."
        )
    return str(value)


# --- intervals (arrays in, percentage points out) ---------------------------------------------


def _nps_interval(promoters: Any, detractors: Any, n: Any, z: float) -> tuple[Any, Any]:
    """Adjusted-Wald interval for NPS (Sauro & Lewis): add 3/4 to each count, 3 to n."""
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    score = p - d
    half = z * np.sqrt((p + d - score**2) / n_adj)
    return np.clip(100 * (score - half), -100, 100), np.clip(100 * (score + half), -100, 100)


def _wilson(hits: Any, n: Any, z: float) -> tuple[Any, Any]:
    """Wilson score interval for a proportion, in %."""
    p = hits / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return np.clip(100 * (centre - half), 0, 100), np.clip(100 * (centre + half), 0, 100)


# --- survey scores ----------------------------------------------------------------------------


def _nps(scores: Scores, func: str) -> float:
    values = _numeric(scores, func, 0, 10)
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
    z = _z(level, "nps_ci")
    values = _numeric(scores, "nps_ci", 0, 10)
    low, high = _nps_interval(np.sum(values >= 9), np.sum(values <= 6), len(values), z)
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
    values = _numeric(scores, "csat", 1, 5)
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
    z = _z(level, "csat_ci")
    values = _numeric(scores, "csat_ci", 1, 5)
    low, high = _wilson(np.sum(values >= 4), len(values), z)
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
    method = _choice(method, _EFFORT_METHODS, "effort", "method")
    values = _numeric(scores, "effort", 1, 7)
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
    frame = _frame(df, func)
    keys = _group_keys(frame, by, func)
    values = _numeric(_column(frame, column, func, "column"), func, *scale, allow_missing=True)
    answered = ~np.isnan(values) if values.dtype.kind == "f" else np.ones(len(values), bool)
    work = frame[keys].reset_index(drop=True)
    for name, part in {"n": answered, **parts(values)}.items():
        work[f"__{name}"] = part
    sums = work.groupby(keys, observed=True, sort=True).sum()
    sums.columns = [str(c)[2:] for c in sums.columns]
    return sums


def _result(sums: pd.DataFrame, value: Any, low: Any, high: Any) -> pd.DataFrame:
    result = pd.DataFrame(
        {"n": sums["n"].astype("int64"), "value": value, "ci_low": low, "ci_high": high},
        index=sums.index,
    )
    return result[_RESULT].astype({c: "float64" for c in _RESULT[1:]})


def _nps_by(df: pd.DataFrame, by: By, column: str, level: float, func: str) -> pd.DataFrame:
    z = _z(level, func)
    sums = _group_sums(df, by, column, func, (0, 10), lambda v: {"p": v >= 9, "d": v <= 6})
    n = sums["n"].to_numpy(dtype="float64")
    n[n == 0] = np.nan  # a group with no answers gets NaN, not a division warning
    promoters, detractors = sums["p"].to_numpy(), sums["d"].to_numpy()
    low, high = _nps_interval(promoters, detractors, n, z)
    return _result(sums, 100 * (promoters - detractors) / n, low, high)


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
    z = _z(level, "csat_by")
    sums = _group_sums(df, by, column, "csat_by", (1, 5), lambda v: {"top": v >= 4})
    n = sums["n"].to_numpy(dtype="float64")
    n[n == 0] = np.nan
    low, high = _wilson(sums["top"].to_numpy(), n, z)
    return _result(sums, 100 * sums["top"].to_numpy() / n, low, high)


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
    method = _choice(method, _EFFORT_METHODS, "effort_by", "method")
    z = _z(level, "effort_by")

    def parts(v: np.ndarray) -> dict[str, np.ndarray]:
        if method == "high":
            return {"high": v >= 5}
        answered = np.nan_to_num(v.astype("float64"))
        return {"sum": answered, "squares": answered**2}

    sums = _group_sums(df, by, column, "effort_by", (1, 7), parts)
    n = sums["n"].to_numpy(dtype="float64")
    n[n == 0] = np.nan
    if method == "high":
        low, high = _wilson(sums["high"].to_numpy(), n, z)
        return _result(sums, 100 * sums["high"].to_numpy() / n, low, high)
    mean = sums["sum"].to_numpy() / n
    spread = np.where(n > 1, n, np.nan) - 1
    sd = np.sqrt(np.clip((sums["squares"].to_numpy() - n * mean**2) / spread, 0, None))
    half = z * sd / np.sqrt(n)
    return _result(sums, mean, mean - half, mean + half)


# --- operations -------------------------------------------------------------------------------


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
    frame = _frame(shipments, "otif")
    both = _flags(frame, on_time, "otif", "on_time") & _flags(frame, in_full, "otif", "in_full")
    return float(100 * both.mean())


def _group_keys(frame: pd.DataFrame, by: By, func: str) -> list[str]:
    """The column(s) to group by, each checked to be in ``frame``."""
    keys = list(by) if isinstance(by, list | tuple) else [by]
    if not keys:
        raise CxkitError(f'{func}: by is empty; name the column(s) to group by, e.g. by="region".')
    for key in keys:
        _column(frame, key, func, "by")
    return keys


def _rate_by(
    frame: pd.DataFrame, by: By, hits: np.ndarray, level: float, func: str
) -> pd.DataFrame:
    """The % of rows where ``hits`` holds, per group, with Wilson intervals."""
    z = _z(level, func)
    keys = _group_keys(frame, by, func)
    work = frame[keys].reset_index(drop=True).assign(__n=1, __hits=hits)
    sums = work.groupby(keys, observed=True, sort=True).sum()
    sums.columns = ["n", "hits"]
    n = sums["n"].to_numpy(dtype="float64")
    low, high = _wilson(sums["hits"].to_numpy(), n, z)
    return _result(sums, 100 * sums["hits"].to_numpy() / n, low, high)


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
    frame = _frame(shipments, "otif_by")
    both = _flags(frame, on_time, "otif_by", "on_time") & _flags(
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
    frame = _frame(df, "rate_by")
    return _rate_by(frame, by, _flags(frame, flag, "rate_by", "flag"), level, "rate_by")


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
    frame = _frame(invoices, "dispute_rate")
    return float(100 * _flags(frame, disputed, "dispute_rate", "disputed").mean())


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
    frame = _frame(tickets, "fcr")
    window = pd.Timedelta(days=_positive(window_days, "fcr", "window_days", allow_zero=True))
    for name, param in ((customer, "customer"), (category, "category")):
        _complete(_column(frame, name, "fcr", param), "fcr")
    when = _dates(frame, opened, "fcr", "opened")
    moves = _numeric(_column(frame, handoffs, "fcr", "handoffs"), "fcr", 0)
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
    unit = _choice(unit, ("hours", "days"), func, "unit")
    frame = _frame(tickets, func)
    start = _dates(frame, opened, func, "opened")
    end = _dates(frame, resolved, func, "resolved", allow_missing=True)
    span = (end - start) / pd.Timedelta(1, unit="h" if unit == "hours" else "D")
    early = (span < 0).to_numpy()
    if early.any():
        raise CxkitError(
            f'{func}: "{resolved}" is before "{opened}" in {_where(frame.index, early)}. '
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
    frame = _frame(invoices, "dso")
    window = pd.Timedelta(days=_positive(days, "dso", "days"))
    issue = _dates(frame, issued, "dso", "issued")
    payment = _dates(frame, paid, "dso", "paid", allow_missing=True)
    money = _numeric(_column(frame, amount, "dso", "amount"), "dso", whole=False)
    day = issue.max() if as_of is None else _timestamp(as_of, "dso", "as_of")
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
    frame = _frame(invoices, func)
    step = _EVERY[_choice(every, tuple(_EVERY), func, "every")]
    window = pd.Timedelta(days=_positive(days, func, "days"))
    issue = _dates(frame, issued, func, "issued")
    payment = _dates(frame, paid, func, "paid", allow_missing=True)
    money = _numeric(_column(frame, amount, func, "amount"), func, whole=False)
    if by is None:
        groups = {"DSO": np.ones(len(frame), bool)}
    else:
        column = _complete(_column(frame, by, func, "by"), func)
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
    frame = _frame(invoices, "days_to_pay")
    issue = _dates(frame, issued, "days_to_pay", "issued")
    payment = _dates(frame, paid, "days_to_pay", "paid", allow_missing=True)
    result = (payment - issue) / pd.Timedelta(days=1)
    early = (result < 0).to_numpy()
    if early.any():
        raise CxkitError(
            f'days_to_pay: "{paid}" is before "{issued}" in {_where(frame.index, early)}. '
            "Fix these dates or leave the rows out."
        )
    return result.rename("days_to_pay")


def _churn(
    customers: pd.DataFrame, start: Any, end: Any, signup: str, churned: str, func: str
) -> float:
    frame = _frame(customers, func)
    first, last = _timestamp(start, func, "start"), _timestamp(end, func, "end")
    if last < first:
        raise CxkitError(f"{func}: end ({last.date()}) is before start ({first.date()}).")
    joined = _dates(frame, signup, func, "signup")
    left = _dates(frame, churned, func, "churned", allow_missing=True)
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
