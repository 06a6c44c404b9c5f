"""The margins of error shared by the metrics, and the table the grouped forms return.

For the metrics' own use (``survey``, ``operations``, ``compare``): arrays of
counts in, percentage points out, so that one formula serves a single number
and a whole column of groups alike. The grouped forms' table says in
``attrs["interval"]`` which interval its rows carry ("adjusted-wald" for NPS,
"wilson" for a %), so that two of its rows can be compared.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

RESULT = ["n", "value", "ci_low", "ci_high"]


def nps_interval(promoters: Any, detractors: Any, n: Any, z: float) -> tuple[Any, Any]:
    """Adjusted-Wald interval for NPS (Sauro & Lewis): add 3/4 to each count, 3 to n."""
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    score = p - d
    half = z * np.sqrt((p + d - score**2) / n_adj)
    return np.clip(100 * (score - half), -100, 100), np.clip(100 * (score + half), -100, 100)


def wilson(hits: Any, n: Any, z: float) -> tuple[Any, Any]:
    """Wilson score interval for a proportion, in %."""
    p = hits / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return np.clip(100 * (centre - half), 0, 100), np.clip(100 * (centre + half), 0, 100)


def newcombe(
    value: Any, low: Any, high: Any, other: Any, other_low: Any, other_high: Any
) -> tuple[Any, Any]:
    """Newcombe's hybrid score interval for a difference of two proportions, in %.

    Newcombe (1998), Statistics in Medicine 17:873-890, method 10: from each
    proportion and its Wilson limits, value - other -/+ the square root of the
    sum of the squared distances to the limits on the side each one moves.
    """
    gap = value - other
    below = np.sqrt((value - low) ** 2 + (other_high - other) ** 2)
    above = np.sqrt((high - value) ** 2 + (other - other_low) ** 2)
    return gap - below, gap + above


def nps_parts(value: Any, n: Any, low: Any, high: Any) -> tuple[Any, Any]:
    """An adjusted-Wald NPS interval's centre and half-width, in NPS points.

    The centre is 100 * (promoters - detractors) / (n + 3) = value * n / (n + 3);
    the half-width is z * sqrt(variance), read on the limit that was not cut at
    -100 or 100 (:func:`nps_interval` keeps its limits within the scale).
    """
    centre = value * n / (n + 3)
    return centre, np.maximum(high - centre, centre - low)


def result_table(
    sums: pd.DataFrame, value: Any, low: Any, high: Any, interval: str
) -> pd.DataFrame:
    """The grouped forms' table: ``n`` from ``sums`` (as int), then value, ci_low, ci_high.

    ``interval`` names the kind of interval ("adjusted-wald", "wilson" or
    "mean"); it is kept in the table's ``attrs["interval"]``.
    """
    result = pd.DataFrame(
        {"n": sums["n"].astype("int64"), "value": value, "ci_low": low, "ci_high": high},
        index=sums.index,
    )
    result = result[RESULT].astype({c: "float64" for c in RESULT[1:]})
    result.attrs["interval"] = interval
    return result
