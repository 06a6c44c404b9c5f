"""Charts for the workshops: scores, groups, funnels, journey maps, handoffs, drivers, trends.

Every function draws on the Axes you pass (``ax=``) or on a new figure, and
returns the Axes, so you can add to it or save it with
``ax.figure.savefig("chart.png")``. Titles name the subject, axes carry their
units, and the colours come from the Okabe-Ito palette, which people with
colour-vision deficiencies can tell apart. Nothing here changes matplotlib's
global settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cxkit.errors import CxkitError, close_match
from cxkit.metrics import csat_by, effort_by, nps, nps_by
from cxkit.validate import check_column, check_dates, check_table

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any colour vision.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "grey": "#999999",
    "black": "#000000",
}
NPS_COLOURS = {
    "detractor": OKABE_ITO["vermillion"],
    "passive": OKABE_ITO["grey"],
    "promoter": OKABE_ITO["blue"],
}
QUADRANT_COLOURS = {
    "fix first": OKABE_ITO["vermillion"],
    "keep it up": OKABE_ITO["blue"],
    "low priority": OKABE_ITO["grey"],
    "possible overkill": OKABE_ITO["orange"],
}
_METRICS = {
    "nps": ("NPS", "points, -100 to 100", "recommend"),
    "csat": ("CSAT", "% satisfied", "csat"),
    "effort": ("Customer effort", "mean, 1 = very easy to 7 = very difficult", "effort"),
}


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """The Axes to draw on: the one given, or a new figure's."""
    if ax is not None:
        if not isinstance(ax, Axes):
            raise CxkitError(
                f"ax must be a matplotlib Axes, got {type(ax).__name__}. "
                "Create one with fig, ax = plt.subplots(), or leave ax out."
            )
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size, layout="constrained")[1]


def _needs(table: Any, columns: Sequence[str], func: str, made_by: str) -> pd.DataFrame:
    """Check that ``table`` has the columns a result of ``made_by`` has."""
    frame = check_table(table, func)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        names = [str(c) for c in frame.columns]
        raise CxkitError(
            f'{func}: the table has no column "{missing[0]}".{close_match(missing[0], names)} '
            f"It expects the result of {made_by}, with columns {', '.join(columns)}."
        )
    return frame


def _label(value: Any) -> str:
    if isinstance(value, tuple):
        return " / ".join(str(v) for v in value)
    return str(value)


def plot_recommend(scores: Any, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw how many customers gave each recommend score, coloured by NPS group.

    Parameters
    ----------
    scores : list or pandas Series
        Whole numbers 0 to 10, no missing values.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    title : str, optional
        Default: the NPS and the number of answers.

    Returns
    -------
    matplotlib Axes
        Eleven bars, 0 to 10: detractors (0-6), passives (7-8), promoters (9-10).

    Examples
    --------
    >>> import cxkit
    >>> ax = cxkit.plot_recommend([10, 9, 9, 8, 7, 6, 5, 10, 3, 9])
    >>> ax.get_title()
    'How likely customers are to recommend us: NPS +20 (n = 10)'
    >>> [float(p.get_height()) for p in ax.patches][9:]
    [3.0, 2.0]
    >>> ax.figure.clf()
    """
    score = nps(scores)
    values = np.asarray(pd.Series(scores).to_numpy(dtype="int64"))
    counts = np.bincount(values, minlength=11).astype(float)
    ax = _axes(ax, (7, 4))
    groups = np.array(["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2)
    for group, colour in NPS_COLOURS.items():
        chosen = np.flatnonzero(groups == group)
        ax.bar(chosen, counts[chosen], color=colour, label=f"{group}s")
    ax.set_xticks(range(11))
    ax.set_xlabel("Recommend score (0 = not at all likely, 10 = extremely likely)")
    ax.set_ylabel("Responses (count)")
    ax.set_title(
        title or f"How likely customers are to recommend us: NPS {score:+.0f} (n = {len(values)})"
    )
    ax.legend(frameon=False)
    return ax


def plot_by_group(
    table: pd.DataFrame,
    metric: str = "NPS",
    unit: str = "points",
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw a metric for each group as bars with their margin of error.

    Parameters
    ----------
    table : pandas DataFrame
        The result of :func:`cxkit.nps_by`, :func:`cxkit.csat_by` or
        :func:`cxkit.effort_by`: columns ``value``, ``ci_low``, ``ci_high`` (and ``n``).
    metric : str, default "NPS"
        Name of the metric, for the title and axis.
    unit : str, default "points"
        Its unit, for the axis label.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    title : str, optional
        Default: "<metric> by <group>, with 95 % intervals".

    Returns
    -------
    matplotlib Axes
        One horizontal bar per group with an error bar; groups without answers are left out.

    Examples
    --------
    >>> import cxkit
    >>> surveys = cxkit.load("surveys")
    >>> ax = cxkit.plot_by_group(cxkit.nps_by(surveys, "survey_type"))
    >>> ax.get_title()
    'NPS by survey_type, with 95 % intervals'
    >>> len(ax.patches)
    7
    >>> ax.figure.clf()
    """
    frame = _needs(table, ["value", "ci_low", "ci_high"], "plot_by_group", "cxkit.nps_by")
    shown = frame[frame["value"].notna()]
    labels = [
        f"{_label(g)} (n = {int(n)})" if "n" in shown.columns else _label(g)
        for g, n in zip(shown.index, shown.get("n", shown["value"]), strict=True)
    ]
    value = shown["value"].to_numpy(dtype=float)
    low = shown["ci_low"].to_numpy(float)
    high = shown["ci_high"].to_numpy(float)
    colours = np.where(value < 0, OKABE_ITO["vermillion"], OKABE_ITO["blue"])
    ax = _axes(ax, (7, 0.5 * len(shown) + 1.5))
    positions = np.arange(len(shown))
    ax.barh(positions, value, color=colours)
    # the interval need not be centred on the value (adjusted-Wald): draw it from low to high
    ax.errorbar(
        (low + high) / 2,
        positions,
        xerr=(high - low) / 2,
        fmt="none",
        ecolor=OKABE_ITO["black"],
        capsize=3,
    )
    ax.axvline(0, color=OKABE_ITO["black"], linewidth=0.8)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"{metric} ({unit}); lines show the 95 % interval")
    group = frame.index.name or "group"
    ax.set_ylabel(_label(group) if not isinstance(frame.index, pd.MultiIndex) else "group")
    ax.set_title(title or f"{metric} by {_label(group)}, with 95 % intervals")
    return ax


def plot_funnel(table: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw a journey funnel: customers reaching each stage, with the conversion since the start.

    Parameters
    ----------
    table : pandas DataFrame
        The result of :func:`cxkit.funnel`.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    title : str, optional
        Default: "How many customers reach each journey stage".

    Returns
    -------
    matplotlib Axes
        One horizontal bar per stage, first stage on top, labelled with the count
        and the % of the first stage.

    Examples
    --------
    >>> import cxkit
    >>> table = cxkit.funnel(cxkit.load("journey_events"), ["discover", "buy", "get help"])
    >>> ax = cxkit.plot_funnel(table)
    >>> [float(p.get_width()) for p in ax.patches]
    [1500.0, 1365.0, 654.0]
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['discover', 'buy', 'get help']
    >>> ax.figure.clf()
    """
    frame = _needs(table, ["customers", "conversion_from_start"], "plot_funnel", "cxkit.funnel")
    customers = frame["customers"].to_numpy(dtype=float)
    ax = _axes(ax, (7, 0.5 * len(frame) + 1.5))
    positions = np.arange(len(frame))
    bars = ax.barh(positions, customers, color=OKABE_ITO["blue"])
    share = frame["conversion_from_start"].to_numpy(dtype=float)
    ax.bar_label(bars, [f"{c:,.0f} ({s:.0f} %)" for c, s in zip(customers, share, strict=True)])
    ax.set_yticks(positions, [_label(s) for s in frame.index])
    ax.invert_yaxis()
    ax.set_xlabel("Customers who reached the stage or a later one (count)")
    ax.set_ylabel("Journey stage")
    ax.set_xlim(0, max(customers.max(), 1) * 1.25)
    ax.set_title(title or "How many customers reach each journey stage")
    return ax


def plot_journey_map(
    table: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Draw a journey map: customers met by each department at each stage, as a grid.

    Parameters
    ----------
    table : pandas DataFrame
        The result of :func:`cxkit.journey_map`: stages as rows, departments as columns.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    title : str, optional
        Default: "Where each department meets customers along the journey".

    Returns
    -------
    matplotlib Axes
        A grid shaded by the number of customers, each cell labelled with it.

    Examples
    --------
    >>> import cxkit
    >>> ax = cxkit.plot_journey_map(cxkit.journey_map(cxkit.load("journey_events")))
    >>> [t.get_text() for t in ax.get_yticklabels()][:3]
    ['discover', 'sign up', 'buy']
    >>> ax.figure.clf()
    """
    frame = check_table(table, "plot_journey_map")
    counts = frame.to_numpy(dtype=float)
    ax = _axes(ax, (1.1 * frame.shape[1] + 3, 0.55 * frame.shape[0] + 2))
    image = ax.imshow(counts, cmap="Blues", aspect="auto", vmin=0)
    top = counts.max() if counts.size and counts.max() > 0 else 1
    for (row, col), value in np.ndenumerate(counts):
        colour = "white" if value > 0.6 * top else OKABE_ITO["black"]
        ax.text(col, row, f"{value:,.0f}", ha="center", va="center", color=colour, fontsize=8)
    ax.set_xticks(
        range(frame.shape[1]), [_label(c) for c in frame.columns], rotation=30, ha="right"
    )
    ax.set_yticks(range(frame.shape[0]), [_label(r) for r in frame.index])
    ax.set_xlabel("Department that owns the touchpoint")
    ax.set_ylabel("Journey stage")
    ax.figure.colorbar(image, ax=ax, label="Customers (count)")
    ax.set_title(title or "Where each department meets customers along the journey")
    return ax


def plot_handoffs(table: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw the flow of tickets between departments: transfers per route, with wait and stalls.

    Parameters
    ----------
    table : pandas DataFrame
        The result of :func:`cxkit.handoffs`.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    title : str, optional
        Default: "Where tickets are handed between departments".

    Returns
    -------
    matplotlib Axes
        One bar per route ("from -> to"), busiest on top, labelled with the
        median wait and the % of transfers after which the ticket stalled.

    Examples
    --------
    >>> import cxkit
    >>> table = cxkit.handoffs(cxkit.load("handoffs"), cxkit.load("tickets"))
    >>> ax = cxkit.plot_handoffs(table)
    >>> ax.get_yticklabels()[0].get_text()
    'customer_service → logistics'
    >>> float(ax.patches[0].get_width())
    126.0
    >>> ax.figure.clf()
    """
    frame = _needs(
        table, ["transfers", "median_wait_hours", "stall_rate"], "plot_handoffs", "cxkit.handoffs"
    )
    routes = [" → ".join(map(str, r)) if isinstance(r, tuple) else str(r) for r in frame.index]
    transfers = frame["transfers"].to_numpy(dtype=float)
    ax = _axes(ax, (8, 0.45 * len(frame) + 1.5))
    positions = np.arange(len(frame))
    bars = ax.barh(positions, transfers, color=OKABE_ITO["blue"])
    notes = [
        f"wait {w:.1f} h, {s:.0f} % stalled"
        for w, s in zip(frame["median_wait_hours"], frame["stall_rate"], strict=True)
    ]
    ax.bar_label(bars, notes, padding=3, fontsize=8)
    ax.set_yticks(positions, routes)
    ax.invert_yaxis()
    ax.set_xlim(0, max(transfers.max(), 1) * 1.45)
    ax.set_xlabel("Transfers (count); label: median wait for pick-up, share stalled")
    ax.set_ylabel("Route (from → to)")
    ax.set_title(title or "Where tickets are handed between departments")
    return ax


def plot_drivers(table: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw the importance x performance chart of a key driver analysis, in four quadrants.

    Parameters
    ----------
    table : pandas DataFrame
        The result of :func:`cxkit.key_drivers`.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    title : str, optional
        Default: "What drives <target>: importance and performance".

    Returns
    -------
    matplotlib Axes
        One point per driver, coloured by quadrant, with dashed lines at the
        drivers' average importance and average rating.

    Examples
    --------
    >>> import cxkit
    >>> surveys = cxkit.load("surveys")
    >>> ax = cxkit.plot_drivers(cxkit.key_drivers(surveys))
    >>> ax.get_title()
    'What drives recommend: importance and performance'
    >>> sorted(t.get_text() for t in ax.texts)[:2]
    ['billing', 'delivery']
    >>> ax.figure.clf()
    """
    frame = _needs(
        table, ["importance", "mean_rating", "quadrant"], "plot_drivers", "cxkit.key_drivers"
    )
    x = frame["importance"].to_numpy(dtype=float)
    y = frame["mean_rating"].to_numpy(dtype=float)
    ax = _axes(ax, (7, 5))
    for quadrant, colour in QUADRANT_COLOURS.items():
        chosen = (frame["quadrant"] == quadrant).to_numpy()
        if chosen.any():
            ax.scatter(x[chosen], y[chosen], s=80, color=colour, label=quadrant, zorder=3)
    for name, xi, yi in zip(frame.index, x, y, strict=True):
        ax.annotate(
            str(name).removeprefix("rating_"), (xi, yi), xytext=(6, 4), textcoords="offset points"
        )
    ax.axvline(x.mean(), color=OKABE_ITO["grey"], linestyle="--", linewidth=1)
    ax.axhline(y.mean(), color=OKABE_ITO["grey"], linestyle="--", linewidth=1)
    ax.set_xlabel("Importance (% of the explained variation, Shapley share of R²)")
    ax.set_ylabel("Performance (mean rating)")
    ax.legend(title="quadrant", frameon=False)
    target = frame.attrs.get("target", "the score")
    ax.set_title(title or f"What drives {target}: importance and performance")
    return ax


def plot_trend(
    df: pd.DataFrame,
    metric: str = "nps",
    freq: str = "month",
    *,
    date: str = "response_date",
    column: str | None = None,
    level: float = 0.95,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw a survey metric over time with its margin of error as a shaded band.

    Parameters
    ----------
    df : pandas DataFrame
        One row per survey response, with a date column.
    metric : {"nps", "csat", "effort"}, default "nps"
        Which metric to compute per period.
    freq : {"week", "month", "quarter"}, default "month"
        Length of each period.
    date : str, default "response_date"
        Column with the response date (dtype datetime64).
    column : str, optional
        Column with the scores; default recommend, csat or effort.
    level : float, default 0.95
        Confidence level of the band.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    title : str, optional
        Default: "<metric> by <freq>, with 95 % intervals".

    Returns
    -------
    matplotlib Axes
        A line through each period's value and a band from its interval's low to high.

    Examples
    --------
    >>> import cxkit
    >>> ax = cxkit.plot_trend(cxkit.load("surveys"), "nps", "quarter")
    >>> [t.get_text() for t in ax.get_xticklabels()][:2]
    ['2025Q1', '2025Q2']
    >>> len(ax.lines[0].get_ydata())
    6
    >>> ax.figure.clf()
    """
    func = "plot_trend"
    if metric not in _METRICS:
        raise CxkitError(
            f"{func}: metric={metric!r} is not known.{close_match(str(metric), _METRICS)} "
            f"Choose one of: {', '.join(_METRICS)}."
        )
    periods = {"week": "W", "month": "M", "quarter": "Q"}
    if freq not in periods:
        raise CxkitError(
            f"{func}: freq={freq!r} is not known.{close_match(str(freq), periods)} "
            f"Choose one of: {', '.join(periods)}."
        )
    frame = check_table(df, func)
    when = check_dates(frame, date, func, "date")
    name, unit, default = _METRICS[metric]
    scores = check_column(frame, column or default, func, "column")
    work = pd.DataFrame({"period": when.dt.to_period(periods[freq]), "score": scores.to_numpy()})
    by_metric = {
        "nps": lambda: nps_by(work, "period", "score", level),
        "csat": lambda: csat_by(work, "period", "score", level),
        "effort": lambda: effort_by(work, "period", "score", level=level),
    }
    table = by_metric[metric]()
    ax = _axes(ax, (8, 4))
    positions = np.arange(len(table))
    ax.fill_between(
        positions,
        table["ci_low"],
        table["ci_high"],
        color=OKABE_ITO["sky blue"],
        alpha=0.4,
        label=f"{level:.0%} interval",
    )
    ax.plot(positions, table["value"], color=OKABE_ITO["blue"], marker="o", label=name)
    ax.set_xticks(positions, [str(p) for p in table.index], rotation=45, ha="right")
    ax.set_xlabel(f"{freq.capitalize()} of the response")
    ax.set_ylabel(f"{name} ({unit})")
    ax.legend(frameon=False)
    ax.set_title(title or f"{name} by {freq}, with {level:.0%} intervals".replace("%", " %"))
    return ax
