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

The helpers live in one module per family: ``cxkit.metrics.survey`` (the
scores, their intervals and grouped forms), ``cxkit.metrics.operations`` (OTIF,
rates per group, first contact resolution, time to resolution),
``cxkit.metrics.finance`` (dispute rate, DSO, days to pay, churn, retention) and
``cxkit.metrics.compare`` (``difference``: is the gap between two groups of a
``_by`` table real?).
Import them from here, or use them as ``cxkit.nps``.
"""

from cxkit.metrics.compare import difference
from cxkit.metrics.finance import (
    churn_rate,
    days_to_pay,
    dispute_rate,
    dso,
    dso_trend,
    retention_rate,
)
from cxkit.metrics.operations import fcr, otif, otif_by, rate_by, time_to_resolution
from cxkit.metrics.survey import (
    Scores,
    csat,
    csat_by,
    csat_ci,
    effort,
    effort_by,
    enps,
    enps_by,
    nps,
    nps_by,
    nps_ci,
)
from cxkit.validate import By

__all__ = [
    "By",
    "Scores",
    "churn_rate",
    "csat",
    "csat_by",
    "csat_ci",
    "days_to_pay",
    "difference",
    "dispute_rate",
    "dso",
    "dso_trend",
    "effort",
    "effort_by",
    "enps",
    "enps_by",
    "fcr",
    "nps",
    "nps_by",
    "nps_ci",
    "otif",
    "otif_by",
    "rate_by",
    "retention_rate",
    "time_to_resolution",
]
