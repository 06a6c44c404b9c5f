"""cxkit: find the customer at the end of your own process.

Helpers for the cxkit workshops: load the sample company, compute customer
experience metrics with their margins of error, and check your answers.
Importing cxkit changes nothing: no matplotlib settings, no warnings filters.
It is also instant: each helper's module (and pandas or matplotlib with it) is
imported the first time that helper is used.
"""

from __future__ import annotations

import importlib
from typing import Any

from cxkit.errors import CxkitError as CxkitError  # the one name imported at once
from cxkit.errors import close_match

# Each module's helpers, as `cxkit.<name>`. Grading processes import cxkit.course
# and need none of these: loading them lazily keeps pandas and matplotlib out of them.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "cxkit.commitments": ("commitment",),
    "cxkit.data": ("load", "load_company", "tables"),
    "cxkit.metrics": (
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
    ),
    # analytics (journey, text, drivers, plots, widgets): add re-exports below this line
    "cxkit.drivers": ("key_drivers",),
    "cxkit.journey": (
        "funnel",
        "handoffs",
        "journey_map",
        "owned_touchpoints",
        "satisfaction_by_handoffs",
        "stalls",
        "time_between",
    ),
    "cxkit.plots": (
        "plot_by_group",
        "plot_drivers",
        "plot_funnel",
        "plot_handoffs",
        "plot_journey_map",
        "plot_recommend",
        "plot_trend",
    ),
    "cxkit.text": (
        "readability",
        "redact",
        "sentiment",
        "tag_themes",
        "theme_labels",
        "tone",
    ),
    "cxkit.widgets": (
        "explain_what_if",
        "explore",
        "explorer",
        "flag_recent",
        "look_up",
        "what_if",
        "what_if_explorer",
    ),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(["CxkitError", *_HOME])
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``cxkit.nps`` and the other helpers: imported from their module on first use."""
    if f"cxkit.{name}" in _EXPORTS:  # the helpers' own modules, as `cxkit.metrics`
        return importlib.import_module(f"cxkit.{name}")
    module = _HOME.get(name)
    if module is None:
        hint = close_match(name, __dir__()) if not name.startswith("_") else ""
        raise AttributeError(f"module 'cxkit' has no attribute '{name}'.{hint}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # from now on an ordinary attribute
    return value


def __dir__() -> list[str]:
    """What ``cxkit.<Tab>`` offers: the helpers and their modules."""
    return sorted({*__all__, *(module.split(".")[1] for module in _EXPORTS)})
