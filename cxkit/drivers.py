"""Key driver analysis: which parts of the experience move the overall score most.

``key_drivers`` answers "if we could improve one thing, which one matters
most?" It fits the overall score (say, the recommend score) on the driver
ratings (delivery, billing, support, ...) with ordinary least squares and
splits the model's R² fairly between the drivers with the Shapley value:
each driver's share is its average gain in R² when added to every possible
combination of the other drivers. The shares add up to R², whatever the
correlations between drivers, which plain regression weights do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import factorial

import numpy as np
import pandas as pd

from cxkit.errors import CxkitError
from cxkit.validate import check_column, check_table

MAX_EXACT = 10
QUADRANTS = {
    (True, False): "fix first",
    (True, True): "keep it up",
    (False, False): "low priority",
    (False, True): "possible overkill",
}


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of the regression of the target on every subset of drivers (bitmask order).

    ``corr`` is the correlation matrix with the target last. For standardised
    data, R²(S) = r_S' b where R_SS b = r_S, solved by least squares so that
    perfectly collinear drivers do not break it.
    """
    k = corr.shape[0] - 1
    r2 = np.zeros(2**k)
    for mask in range(1, 2**k):
        members = [j for j in range(k) if mask >> j & 1]
        block = corr[np.ix_(members, members)]
        towards = corr[members, k]
        weights = np.linalg.lstsq(block, towards, rcond=None)[0]
        r2[mask] = float(towards @ weights)
    return r2


def _shapley(r2: np.ndarray, k: int) -> np.ndarray:
    """Exact Shapley value of each driver in the game whose worth is R²."""
    masks = np.arange(2**k)
    sizes = np.array([bin(m).count("1") for m in masks])
    weight = np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)])
    values = np.zeros(k)
    for j in range(k):
        without = masks[(masks >> j & 1) == 0]
        values[j] = np.sum(weight[sizes[without]] * (r2[without | 1 << j] - r2[without]))
    return values


def _numeric_column(frame: pd.DataFrame, name: str, param: str) -> pd.Series:
    column = check_column(frame, name, "key_drivers", param)
    if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(column.dtype):
        raise CxkitError(
            f'key_drivers: column "{name}" must hold numbers (ratings or scores), found dtype '
            f'{column.dtype}. Convert it first, e.g. df["{name}"] = pd.to_numeric(df["{name}"]).'
        )
    return column


def key_drivers(
    df: pd.DataFrame, target: str = "recommend", drivers: Sequence[str] | None = None
) -> pd.DataFrame:
    """Rank the drivers of an overall score by their Shapley share of R², with their quadrant.

    Rows with a missing value in the target or any driver are left out (the
    number used is in ``result.attrs["n"]``, R² in ``result.attrs["r2"]``).
    Importance is the Shapley share; performance is the mean rating. A driver
    is "high" on either when it is above the average of the drivers, which
    gives its quadrant: "fix first" (important, rated low), "keep it up"
    (important, rated high), "low priority" (less important, rated low) and
    "possible overkill" (less important, rated high). The analysis shows
    association, not cause: read it as where to look first.

    Parameters
    ----------
    df : pandas DataFrame
        One row per respondent.
    target : str, default "recommend"
        The overall score, such as the 0-10 recommend score.
    drivers : list of str, optional
        The driver ratings, at most 10. Default: every column whose name starts
        with ``rating_``.

    Returns
    -------
    pandas DataFrame
        One row per driver, most important first: ``correlation`` (with the
        target), ``shapley_share`` (its share of R²; the shares add up to R²),
        ``importance`` (the same as % of R²), ``mean_rating`` and ``quadrant``.

    Examples
    --------
    >>> import cxkit
    >>> surveys = cxkit.load("surveys")
    >>> table = cxkit.key_drivers(surveys[surveys["survey_type"] == "relationship"])
    >>> table.loc["rating_billing", "quadrant"]
    'fix first'
    >>> print(round(table["shapley_share"].sum(), 3), round(table.attrs["r2"], 3))
    0.873 0.873
    """
    frame = check_table(df, "key_drivers")
    if drivers is None:
        drivers = [str(c) for c in frame.columns if str(c).startswith("rating_")]
        if not drivers:
            raise CxkitError(
                "key_drivers: no driver columns given and none starts with rating_. Name them, "
                'e.g. drivers=["delivery", "billing", "support"].'
            )
    if isinstance(drivers, str):
        drivers = [drivers]
    names = list(drivers)
    if len(set(names)) < len(names):
        raise CxkitError("key_drivers: a driver is listed twice; list each column once.")
    if target in names:
        raise CxkitError(f'key_drivers: "{target}" is the target; it cannot also be a driver.')
    if len(names) > MAX_EXACT:
        raise CxkitError(
            f"key_drivers: {len(names)} drivers is too many for the exact method (at most "
            f"{MAX_EXACT}: it fits 2^k models). Keep the {MAX_EXACT} you can act on, or average "
            "related ratings into one driver first."
        )
    columns = {name: _numeric_column(frame, name, "drivers") for name in names}
    columns[target] = _numeric_column(frame, target, "target")
    data = pd.DataFrame(columns).astype("float64").dropna()
    if len(data) <= len(names) + 1:
        raise CxkitError(
            f"key_drivers: only {len(data)} row(s) have the target and every driver; at least "
            f"{len(names) + 2} are needed (far more for a stable answer). Check for empty columns."
        )
    spread = data.std()
    flat = [str(c) for c in spread.index[spread.to_numpy() == 0]]
    if flat:
        raise CxkitError(
            f'key_drivers: column "{flat[0]}" has the same value in every row used, so it '
            "cannot explain anything. Leave it out."
        )
    corr = np.corrcoef(data.to_numpy(), rowvar=False)
    r2 = _subset_r2(corr)
    shares = _shapley(r2, len(names))
    means = data[names].mean().to_numpy()
    high_importance = shares > shares.mean()
    high_performance = means > means.mean()
    table = pd.DataFrame(
        {
            "correlation": corr[:-1, -1],
            "shapley_share": shares,
            "importance": 100 * shares / r2[-1] if r2[-1] > 0 else np.nan,
            "mean_rating": means,
            "quadrant": [
                QUADRANTS[(i, p)] for i, p in zip(high_importance, high_performance, strict=True)
            ],
        },
        index=pd.Index(names, name="driver"),
    ).astype({"quadrant": "str"})
    table = table.sort_values("shapley_share", ascending=False, kind="stable")
    table.attrs = {"r2": float(r2[-1]), "n": len(data), "target": target}
    return table
