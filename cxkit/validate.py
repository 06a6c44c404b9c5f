"""Checks on the tables, columns and arguments given to cxkit's helpers.

This module is for cxkit's own helpers (``cxkit.metrics``, ``cxkit.journey``,
``cxkit.plots``, ``cxkit.widgets``, ``cxkit.drivers``): participants call the
helpers, not these. Each check takes the data and the name of the helper that
was called (``func``), so that its ``CxkitError`` starts with that name, says
what is wrong, names the column and the rows, and shows the line that fixes it.
Each returns what it checked, ready to use (a column, a NumPy array, a date, a
number). Nothing here changes the data it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from cxkit.errors import CxkitError, close_match

By: TypeAlias = "str | list[str]"


def name_rows(index: pd.Index, mask: np.ndarray, values: np.ndarray | None = None) -> str:
    """Name the first rows where ``mask`` holds: 'row 3 = 11, row 7 = -1 (and 2 more)'; no error."""
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
    return name_rows(column.index, np.arange(len(column)) < 3, column.to_numpy(object))


def _range(low: float, high: float) -> str:
    return f"{low:g} or more" if high == np.inf else f"from {low:g} to {high:g}"


def check_numbers(
    data: Any,
    func: str,
    low: float = -np.inf,
    high: float = np.inf,
    whole: bool = True,
    allow_missing: bool = False,
) -> np.ndarray:
    """Check a list or column of numbers on a scale and return them as a NumPy array.

    Raises CxkitError for a table, an empty or all-missing column, missing
    values (unless ``allow_missing``, then they come back as NaN), True/False
    values (answers to another question, not scores), text, fractions where
    ``whole`` numbers are expected, and values outside ``low`` to ``high``.
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
            f"{name_rows(data.index, missing)}. Leave out unanswered rows first, e.g. "
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
            f"{name_rows(data.index, shown, data.to_numpy(object))}. Convert it first, e.g. "
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
                    f"{name_rows(data.index, fraction, values)}. Such values usually mean the "
                    "answers were averaged or rescaled: use the original answers, one per row."
                )
    outside = (values < low) | (values > high)
    if outside.any():
        raise CxkitError(
            f"{func}: {what} must hold values {_range(low, high)}, found "
            f"{int(outside.sum())} outside: {name_rows(data.index, outside, values)}. Check the "
            "scale of the question and fix or remove these rows."
        )
    return values


def check_table(data: Any, func: str) -> pd.DataFrame:
    """Check that ``data`` is a DataFrame with rows; CxkitError if not, or if it is empty."""
    if not isinstance(data, pd.DataFrame):
        raise CxkitError(
            f"{func}: expected a table (pandas DataFrame), got {type(data).__name__}. "
            'Pass the whole table, e.g. cxkit.load("tickets").'
        )
    if data.empty:
        raise CxkitError(f"{func}: the table has no rows; check that a filter did not remove all.")
    return data


def check_column(frame: pd.DataFrame, name: Any, func: str, param: str) -> pd.Series:
    """Return column ``name``; CxkitError with a did-you-mean and the ``param`` to set if absent."""
    if name not in frame.columns:
        names = [str(c) for c in frame.columns]
        raise CxkitError(
            f'{func}: the table has no column "{name}".{close_match(str(name), names)} '
            f'Available columns: {", ".join(names)}. Name the right one with {param}="...".'
        )
    return frame[name]


def check_complete(column: pd.Series, func: str) -> pd.Series:
    """Check that a column has no missing value; CxkitError naming the rows and the dropna fix."""
    missing = column.isna().to_numpy()
    if missing.any():
        raise CxkitError(
            f'{func}: column "{column.name}" has {int(missing.sum())} missing value(s): '
            f"{name_rows(column.index, missing)}. Leave these rows out first, e.g. "
            f'df.dropna(subset=["{column.name}"]).'
        )
    return column


def check_flags(frame: pd.DataFrame, name: str, func: str, param: str) -> np.ndarray:
    """Return column ``name`` as True/False values; CxkitError if absent, gappy or not bool."""
    column = check_complete(check_column(frame, name, func, param), func)
    if not pd.api.types.is_bool_dtype(column.dtype):
        numeric = pd.api.types.is_numeric_dtype(column.dtype)
        convert = " == 1" if numeric else '.str.lower() == "true"'
        raise CxkitError(
            f'{func}: column "{name}" must hold True/False values, found dtype {column.dtype}: '
            f'{_head(column)}. Convert it first, e.g. df["{name}"] = df["{name}"]{convert}.'
        )
    return column.to_numpy(dtype=bool)


def check_dates(
    frame: pd.DataFrame, name: str, func: str, param: str, allow_missing: bool = False
) -> pd.Series:
    """Return a datetime64 column (gaps only if ``allow_missing``); CxkitError with to_datetime."""
    column = check_column(frame, name, func, param)
    if not pd.api.types.is_datetime64_any_dtype(column.dtype):
        raise CxkitError(
            f'{func}: column "{name}" must hold dates (dtype datetime64), found dtype '
            f'{column.dtype}: {_head(column)}. Convert it first: df["{name}"] = '
            f'pd.to_datetime(df["{name}"]).'
        )
    return column if allow_missing else check_complete(column, func)


def check_date(value: Any, func: str, param: str) -> pd.Timestamp:
    """Read one date such as "2025-06-30"; CxkitError if it is not a date."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise CxkitError(f'{func}: {param}={value!r} is not a date; write it like "2025-06-30".')
    return stamp


def check_days(value: Any, func: str, param: str, allow_zero: bool = False) -> float:
    """Check a number of days > 0 (or >= 0 with ``allow_zero``); CxkitError otherwise."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise CxkitError(f"{func}: {param} must be a positive number of days, got {value!r}.")
    return float(value)


def check_level(level: Any, func: str) -> float:
    """Return the normal quantile of a level in (0, 1), 1.96 for 0.95; CxkitError otherwise."""
    number = isinstance(level, int | float) and not isinstance(level, bool)
    if not number or not 0 < level < 1:
        hint = f" Write {level / 100:g} for {level:g} %." if number and 1 < level < 100 else ""
        raise CxkitError(
            f"{func}: level must be between 0 and 1, such as 0.95, got {level!r}.{hint}"
        )
    return NormalDist().inv_cdf(0.5 + level / 2)


def check_choice(value: Any, choices: Sequence[str], func: str, param: str) -> str:
    """Check that ``value`` is one of ``choices``; CxkitError with a did-you-mean and the list."""
    if value not in choices:
        raise CxkitError(
            f"{func}: {param}={value!r} is not known.{close_match(str(value), choices)} "
            f"Choose one of: {', '.join(repr(c) for c in choices)}."
        )
    return str(value)


def check_by(frame: pd.DataFrame, by: By, func: str) -> list[str]:
    """Return the column(s) to group by as a list; CxkitError if none or one is not a column."""
    keys = list(by) if isinstance(by, list | tuple) else [by]
    if not keys:
        raise CxkitError(f'{func}: by is empty; name the column(s) to group by, e.g. by="region".')
    for key in keys:
        check_column(frame, key, func, "by")
    return keys
