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
    dso_trend,
    effort,
    effort_by,
    enps,
    enps_by,
    fcr,
    nps,
    nps_by,
    nps_ci,
    otif,
    otif_by,
    rate_by,
    retention_rate,
    time_to_resolution,
)

# analytics (journey, text, drivers, plots, widgets): add re-exports below this line
# isort: split
from cxkit.drivers import (
    key_drivers,
)
from cxkit.journey import (
    funnel,
    handoffs,
    journey_map,
    owned_touchpoints,
    satisfaction_by_handoffs,
    stalls,
    time_between,
)
from cxkit.plots import (
    plot_by_group,
    plot_drivers,
    plot_funnel,
    plot_handoffs,
    plot_journey_map,
    plot_recommend,
    plot_trend,
)
from cxkit.text import (
    readability,
    redact,
    sentiment,
    tag_themes,
    theme_labels,
    tone,
)
from cxkit.widgets import (
    explain_what_if,
    explore,
    explorer,
    flag_recent,
    what_if,
    what_if_explorer,
)

__all__ = [
    "CxkitError",
    "churn_rate",
    "csat",
    "csat_by",
    "csat_ci",
    "days_to_pay",
    "dispute_rate",
    "dso",
    "dso_trend",
    "effort",
    "effort_by",
    "enps",
    "enps_by",
    "explain_what_if",
    "explore",
    "explorer",
    "fcr",
    "flag_recent",
    "funnel",
    "handoffs",
    "journey_map",
    "key_drivers",
    "load",
    "load_company",
    "nps",
    "nps_by",
    "nps_ci",
    "otif",
    "otif_by",
    "owned_touchpoints",
    "plot_by_group",
    "plot_drivers",
    "plot_funnel",
    "plot_handoffs",
    "plot_journey_map",
    "plot_recommend",
    "plot_trend",
    "rate_by",
    "readability",
    "redact",
    "retention_rate",
    "satisfaction_by_handoffs",
    "sentiment",
    "stalls",
    "tables",
    "tag_themes",
    "theme_labels",
    "time_between",
    "time_to_resolution",
    "tone",
    "what_if",
    "what_if_explorer",
]
__version__ = "0.1.0"
