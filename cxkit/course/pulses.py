"""The course's ``pulses.csv``: what ``cxkit pulse`` writes and ``cxkit programme`` reads.

One row per department, touchpoint and measure of a pulse: the baseline, now,
the change with its interval and the verdict, and the answers behind each.
"""

from __future__ import annotations

FILE = "pulses.csv"
WHOLE = "all your touchpoints"  # the touchpoint of a department's whole, from exports without one
COLUMNS = (
    "pulse_date",
    "period_start",
    "period_end",
    "department",
    "touchpoint",
    "metric",
    "baseline",
    "now",
    "change",
    "low",
    "high",
    "verdict",
    "n_baseline",
    "n_now",
)
