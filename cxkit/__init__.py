"""cxkit: find the customer at the end of your own process.

Helpers for the cxkit workshops: load the sample company, compute customer
experience metrics with their margins of error, and check your answers.
Importing cxkit changes nothing: no matplotlib settings, no warnings filters.
"""

from cxkit.data import load, load_company, tables
from cxkit.errors import CxkitError
from cxkit.metrics import (
    churn_rate,
    csat,
    csat_by,
    csat_ci,
    days_to_pay,
    dispute_rate,
    dso,
    effort,
    effort_by,
    enps,
    enps_by,
    fcr,
    nps,
    nps_by,
    nps_ci,
    otif,
    retention_rate,
    time_to_resolution,
)

# analytics (journey, text, drivers, plots, widgets): add re-exports below this line

__all__ = [
    "CxkitError",
    "churn_rate",
    "csat",
    "csat_by",
    "csat_ci",
    "days_to_pay",
    "dispute_rate",
    "dso",
    "effort",
    "effort_by",
    "enps",
    "enps_by",
    "fcr",
    "load",
    "load_company",
    "nps",
    "nps_by",
    "nps_ci",
    "otif",
    "retention_rate",
    "tables",
    "time_to_resolution",
]
__version__ = "0.1.0"
