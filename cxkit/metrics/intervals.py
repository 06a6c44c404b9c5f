"""The margins of error shared by the metrics, and the table the grouped forms return.

For the metrics' own use (``survey``, ``operations``): arrays of counts in,
percentage points out, so that one formula serves a single number and a
whole column of groups alike.
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


def result_table(sums: pd.DataFrame, value: Any, low: Any, high: Any) -> pd.DataFrame:
    """The grouped forms' table: ``n`` from ``sums`` (as int), then value, ci_low, ci_high."""
    result = pd.DataFrame(
        {"n": sums["n"].astype("int64"), "value": value, "ci_low": low, "ci_high": high},
        index=sums.index,
    )
    return result[RESULT].astype({c: "float64" for c in RESULT[1:]})
