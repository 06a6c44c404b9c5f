"""Customer journeys: funnels, handoffs between departments, time between touchpoints, stalls.

A journey is a table of events, one row per touchpoint a customer passed
through, such as the sample company's ``journey_events``. Every function here
takes such a table and returns a new table; nothing changes the data you pass
in. Column names are keyword arguments that default to the sample company's
names, so the same functions work on your own export.

Percentages are percentage points: 25.0 means 25 %.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxkit.data.schema import STAGES
from cxkit.errors import CxkitError, close_match
from cxkit.metrics import csat_by, fcr, nps_by
from cxkit.validate import check_column, check_complete, check_dates, check_table, name_rows


def _stage_order(where: pd.Series, stages: Sequence[str] | None, func: str) -> list[str]:
    """The stages in journey order: given, from an ordered category, or the sample's."""
    seen = [str(s) for s in pd.unique(where.dropna())]
    categories = (
        [str(c) for c in where.cat.categories]
        if isinstance(where.dtype, pd.CategoricalDtype)
        else []
    )
    if stages is not None:
        if isinstance(stages, str) or not all(isinstance(s, str) for s in stages):
            raise CxkitError(
                f"{func}: stages must be a list of stage names in journey order, e.g. "
                f'stages=["discover", "buy", "pay"]; got {stages!r}.'
            )
        order = list(stages)
        if not order:
            raise CxkitError(f"{func}: stages is empty; list the stages in journey order.")
        twice = sorted({s for s in order if order.count(s) > 1})
        if twice:
            raise CxkitError(f"{func}: stages lists {', '.join(twice)} more than once.")
        known = set(seen) | set(categories)
        for name in order:
            if name not in known:
                raise CxkitError(
                    f'{func}: no event has the stage "{name}".{close_match(name, known)} '
                    f"Stages in the data: {', '.join(sorted(known))}."
                )
        return order
    if isinstance(where.dtype, pd.CategoricalDtype) and where.cat.ordered:
        return categories
    if set(seen) <= set(STAGES):
        return list(STAGES)
    if categories:
        return categories
    raise CxkitError(
        f'{func}: column "{where.name}" holds text, so the order of your stages is unknown. '
        f"Pass them in journey order, e.g. stages={seen[:3]!r}."
    )


def _codes(where: pd.Series, order: list[str]) -> np.ndarray:
    """Position of each event's stage in ``order``; -1 for stages not listed."""
    if isinstance(where.dtype, pd.CategoricalDtype):
        codes, labels = where.cat.codes.to_numpy(), where.cat.categories
    else:
        codes, labels = pd.factorize(where)
    positions = np.append(pd.Index(order).get_indexer(labels.astype(str)), -1)
    return positions[np.asarray(codes, dtype=np.int64)]


def _objects(column: pd.Series) -> Any:
    """Text held in Python objects as a NumPy array: pandas hashes these fastest."""
    python_text = isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "python"
    return column.to_numpy(object) if python_text else column


def _people(who: pd.Series, func: str) -> np.ndarray:
    """A number per customer id (0, 1, 2, ...); missing ids are refused, naming the rows."""
    codes = pd.factorize(_objects(who))[0]
    if (codes < 0).any():
        check_complete(who, func)
    return np.asarray(codes)


def funnel(
    events: pd.DataFrame,
    stages: Sequence[str] | None = None,
    *,
    customer: str = "customer_id",
    stage: str = "stage",
) -> pd.DataFrame:
    """Count the customers who reached each stage of the journey, and the conversion between stages.

    A customer "reached" a stage when their furthest stage is that one or a later
    one, so every row counts the customers who got at least that far. The step
    conversion is the share of the previous row's customers who got this far;
    the conversion since the start is the share of the first row's customers.
    End-to-end conversion is therefore the product of the step rates.

    Parameters
    ----------
    events : pandas DataFrame
        One row per event: who (``customer``) and which stage (``stage``).
        Timestamps are not needed.
    stages : list of str, optional
        The stages to count, in journey order. Default: the order of the
        column's categories, or the sample company's journey (discover, sign up,
        buy, receive, pay, get help, renew, leave). Events at other stages are
        ignored.
    customer, stage : str
        Column names: who the event belongs to, and its stage.

    Returns
    -------
    pandas DataFrame
        One row per stage: ``customers``, ``step_conversion`` (%) and
        ``conversion_from_start`` (%).

    Examples
    --------
    >>> import cxkit
    >>> events = cxkit.load("journey_events")
    >>> table = cxkit.funnel(events, stages=["discover", "buy", "get help"])
    >>> table["customers"].tolist()
    [1500, 1365, 654]
    >>> table["step_conversion"].round(1).tolist()
    [100.0, 91.0, 47.9]
    """
    frame = check_table(events, "funnel")
    person = _people(check_column(frame, customer, "funnel", "customer"), "funnel")
    where = check_complete(check_column(frame, stage, "funnel", "stage"), "funnel")
    order = _stage_order(where, stages, "funnel")
    codes = _codes(where, order)
    furthest = pd.Series(codes).groupby(person).max().to_numpy()
    counts = np.bincount(furthest[furthest >= 0], minlength=len(order))
    reached = np.cumsum(counts[::-1])[::-1]
    previous = np.concatenate([[reached[0]], reached[:-1]]).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(previous > 0, 100 * reached / previous, np.nan)
        start = 100 * reached / reached[0] if reached[0] else np.full(len(order), np.nan)
    return pd.DataFrame(
        {
            "customers": reached.astype("int64"),
            "step_conversion": step,
            "conversion_from_start": start,
        },
        index=pd.Index(order, name=stage),
    )


def _hours(delta: pd.Series) -> pd.Series:
    return delta / pd.Timedelta(hours=1)


def handoffs(
    transfers: pd.DataFrame,
    tickets: pd.DataFrame,
    stall_hours: float = 24,
    *,
    ticket: str = "ticket_id",
    from_department: str = "from_department",
    to_department: str = "to_department",
    handed: str = "handed_at",
    picked_up: str = "picked_up_at",
    resolved: str = "resolved_at",
) -> pd.DataFrame:
    """Summarise the transfers of tickets between departments: how many, how long, how often stuck.

    A transfer "stalls" the customer's journey when the ticket was still not
    resolved ``stall_hours`` after the handover: resolved later than that, or
    never resolved. The wait is the time from the handover until the receiving
    department picked the ticket up.

    Parameters
    ----------
    transfers : pandas DataFrame
        One row per transfer, such as the sample's ``handoffs`` table.
    tickets : pandas DataFrame
        One row per ticket, with when it was resolved (empty while open).
    stall_hours : float, default 24
        Hours after the handover after which an unresolved ticket counts as stalled.
    ticket, from_department, to_department, handed, picked_up, resolved : str
        Column names. ``ticket`` must be in both tables.

    Returns
    -------
    pandas DataFrame
        One row per (from_department, to_department) pair, most frequent first:
        ``transfers``, ``tickets``, ``median_wait_hours`` and ``stall_rate`` (%).

    Examples
    --------
    >>> import cxkit
    >>> table = cxkit.handoffs(cxkit.load("handoffs"), cxkit.load("tickets"))
    >>> table.index[0]
    ('customer_service', 'logistics')
    >>> int(table["transfers"].sum())
    575
    >>> float(table.loc[("customer_service", "logistics"), "median_wait_hours"].round(1))
    5.0
    """
    func = "handoffs"
    moves = check_table(transfers, func)
    opened = check_table(tickets, func)
    moved = check_complete(check_column(moves, ticket, func, "ticket"), func)
    source = check_complete(check_column(moves, from_department, func, "from_department"), func)
    target = check_complete(check_column(moves, to_department, func, "to_department"), func)
    start = check_dates(moves, handed, func, "handed")
    pick = check_dates(moves, picked_up, func, "picked_up")
    ids = check_complete(check_column(opened, ticket, func, "ticket"), func)
    done = check_dates(opened, resolved, func, "resolved", allow_missing=True)
    if (
        not isinstance(stall_hours, int | float)
        or isinstance(stall_hours, bool)
        or stall_hours <= 0
    ):
        raise CxkitError(
            f"{func}: stall_hours must be a positive number of hours, got {stall_hours!r}."
        )
    early = (pick < start).to_numpy()
    if early.any():
        raise CxkitError(
            f'{func}: "{picked_up}" is before "{handed}" in {name_rows(moves.index, early)}. '
            "Fix these times or leave the rows out."
        )
    keys = pd.Index(_objects(ids))
    if not keys.is_unique:
        twice = ids.duplicated().to_numpy()
        raise CxkitError(
            f'{func}: the tickets table lists some "{ticket}" more than once: '
            f"{name_rows(opened.index, twice, ids.to_numpy())}. Keep one row per ticket."
        )
    position = keys.get_indexer(_objects(moved))
    unknown = position < 0
    if unknown.any():
        raise CxkitError(
            f"{func}: {int(unknown.sum())} transfer(s) name a ticket that is not in the tickets "
            f"table: {name_rows(moves.index, unknown, moved.to_numpy())}. Pass the full tickets "
            "table, or leave these transfers out."
        )
    finished = pd.Series(done.to_numpy()[position], index=moves.index)
    stalled = ~(_hours(finished - start) <= stall_hours)
    work = pd.DataFrame(
        {
            from_department: source.to_numpy(),
            to_department: target.to_numpy(),
            "ticket": position,
            "wait": _hours(pick - start).to_numpy(),
            "stalled": stalled.to_numpy(),
        }
    )
    grouped = work.groupby([from_department, to_department], observed=True, sort=False)
    table = pd.DataFrame(
        {
            "transfers": grouped.size(),
            "tickets": grouped["ticket"].nunique(),
            "median_wait_hours": grouped["wait"].median(),
            "stall_rate": 100 * grouped["stalled"].mean(),
        }
    )
    return table.sort_values("transfers", ascending=False, kind="stable")


def _ticket_surveys(
    opened: pd.DataFrame,
    answers: pd.DataFrame,
    match_days: float,
    customer: str,
    resolved: str,
    date: str,
) -> pd.DataFrame:
    """Pair each survey with the customer's ticket resolved on or shortly before its date."""
    func = "satisfaction_by_handoffs"
    done = check_dates(opened, resolved, func, "resolved", allow_missing=True)
    asked = check_dates(answers, date, func, "date")
    right = pd.DataFrame(
        {
            "__who": opened[customer].astype("object").to_numpy(),
            "__day": done.dt.floor("D").dt.as_unit("us"),
            "__row": np.arange(len(opened)),
        }
    ).dropna(subset=["__day"])
    left = pd.DataFrame(
        {
            "__who": answers[customer].astype("object").to_numpy(),
            "__day": asked.dt.floor("D").dt.as_unit("us").to_numpy(),
            "__answer": np.arange(len(answers)),
        }
    )
    matched = pd.merge_asof(
        left.sort_values("__day", kind="stable"),
        right.sort_values("__day", kind="stable"),
        on="__day",
        by="__who",
        direction="backward",
        tolerance=pd.Timedelta(days=match_days),
    )
    return matched.dropna(subset=["__row"])


def satisfaction_by_handoffs(
    tickets: pd.DataFrame,
    surveys: pd.DataFrame,
    match_days: float = 3,
    *,
    customer: str = "customer_id",
    handoff_count: str = "handoff_count",
    resolved: str = "resolved_at",
    date: str = "response_date",
    survey_type: str | None = "post_ticket",
    level: float = 0.95,
) -> pd.DataFrame:
    """Show CSAT, NPS and first contact resolution by the number of handoffs a ticket had.

    Surveys carry no ticket number, so each survey is paired with the same
    customer's ticket resolved on the survey day or at most ``match_days``
    before it (the latest such ticket). Surveys with no such ticket are left
    out. First contact resolution (FCR) follows :func:`cxkit.fcr`: no handoff and
    no repeat contact in the same category within 7 days, so it is 0 for
    transferred tickets by definition; ``repeat_contact`` shows the repeats alone.

    Parameters
    ----------
    tickets : pandas DataFrame
        One row per ticket, as the sample's ``tickets`` table.
    surveys : pandas DataFrame
        Survey responses with ``customer``, ``date``, ``recommend`` and ``csat``.
    match_days : float, default 3
        How many days after a ticket's resolution a survey may be about it.
    customer, handoff_count, resolved, date : str
        Column names.
    survey_type : str or None, default "post_ticket"
        Keep only surveys of this type (column ``survey_type``); None keeps all rows.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas DataFrame
        One row per number of handoffs: ``tickets``, ``fcr`` (%), ``repeat_contact``
        (%), ``responses`` (matched surveys), ``csat``, ``csat_low``, ``csat_high``,
        ``nps``, ``nps_low``, ``nps_high``.

    Examples
    --------
    >>> import cxkit
    >>> table = cxkit.satisfaction_by_handoffs(cxkit.load("tickets"), cxkit.load("surveys"))
    >>> table["tickets"].tolist()
    [596, 295, 112, 16, 2]
    >>> bool(table.loc[0, "nps"] > table.loc[2, "nps"])
    True
    """
    func = "satisfaction_by_handoffs"
    opened = check_table(tickets, func)
    answers = check_table(surveys, func)
    for frame, name, param in ((opened, customer, "customer"), (answers, customer, "customer")):
        check_complete(check_column(frame, name, func, param), func)
    moves = check_complete(check_column(opened, handoff_count, func, "handoff_count"), func)
    if not pd.api.types.is_integer_dtype(moves.dtype):
        raise CxkitError(
            f'{func}: column "{handoff_count}" must hold whole numbers of handoffs, found dtype '
            f'{moves.dtype}. Convert it first: df["{handoff_count}"] = '
            f'df["{handoff_count}"].astype(int).'
        )
    if survey_type is not None:
        kinds = check_column(answers, "survey_type", func, "survey_type")
        if not (kinds == survey_type).any():
            found = [str(k) for k in pd.unique(kinds.dropna())]
            raise CxkitError(
                f'{func}: no survey has survey_type "{survey_type}".'
                f"{close_match(survey_type, found)} Pass survey_type=None to use every row."
            )
        answers = answers[(kinds == survey_type).to_numpy()]
    if not isinstance(match_days, int | float) or isinstance(match_days, bool) or match_days < 0:
        raise CxkitError(f"{func}: match_days must be 0 or more days, got {match_days!r}.")
    paired = _ticket_surveys(opened, answers, match_days, customer, resolved, date)
    rows = paired["__answer"].to_numpy(dtype=np.int64)
    count = moves.to_numpy(dtype=np.int64)
    scored = answers.iloc[rows].assign(
        **{handoff_count: count[paired["__row"].to_numpy(dtype=np.int64)]}
    )
    groups = np.sort(pd.unique(count))
    total = len(opened)
    first: list[float] = []
    no_repeat: list[float] = []
    for g in groups:
        inside = count == g
        size = inside.sum()
        for kept, out in ((count, first), (0, no_repeat)):
            marked = opened.assign(**{handoff_count: np.where(inside, kept, 1)})
            out.append(fcr(marked, customer=customer, handoffs=handoff_count) * total / size)
    table = pd.DataFrame(
        {
            "tickets": pd.Series(count).value_counts().reindex(groups).to_numpy(),
            "fcr": first,
            "repeat_contact": 100 - np.asarray(no_repeat),
        },
        index=pd.Index(groups, name=handoff_count),
    )
    if scored.empty:
        raise CxkitError(
            f"{func}: no survey could be paired with a ticket resolved up to {match_days:g} days "
            "before it. Check that both tables cover the same period, or raise match_days."
        )
    sat = csat_by(scored, handoff_count, level=level).reindex(groups)
    rec = nps_by(scored, handoff_count, level=level).reindex(groups)
    table["responses"] = sat["n"].fillna(0).astype("int64").to_numpy()
    for name, part in (("csat", sat), ("nps", rec)):
        table[name] = part["value"].to_numpy()
        table[f"{name}_low"] = part["ci_low"].to_numpy()
        table[f"{name}_high"] = part["ci_high"].to_numpy()
    return table


def _ordered(who: pd.Series, when: pd.Series, func: str) -> tuple[np.ndarray, np.ndarray]:
    """Row positions sorted by customer then time, and each row's customer number."""
    person = _people(who, func)
    order = np.lexsort((when.to_numpy().astype("int64"), person))
    return order, person[order]


def time_between(
    events: pd.DataFrame,
    unit: str = "days",
    *,
    customer: str = "customer_id",
    timestamp: str = "timestamp",
    touchpoint: str = "touchpoint",
) -> pd.DataFrame:
    """Measure the time from each touchpoint to the next one in the same customer's journey.

    Each customer's events are put in time order; every pair of consecutive
    events (say "checkout" then "delivery") gives one gap. The gaps are
    summarised per pair of touchpoints.

    Parameters
    ----------
    events : pandas DataFrame
        One row per event, with who, when (dtype datetime64) and which touchpoint.
    unit : {"days", "hours"}, default "days"
        Unit of the gaps.
    customer, timestamp, touchpoint : str
        Column names. Pass ``touchpoint="stage"`` to measure between stages.

    Returns
    -------
    pandas DataFrame
        One row per (from, to) pair, most frequent first: ``n`` (gaps), ``median_<unit>``
        and ``p90_<unit>`` (the 90th percentile: one gap in ten is longer).

    Examples
    --------
    >>> import cxkit
    >>> table = cxkit.time_between(cxkit.load("journey_events"))
    >>> int(table.loc[("delivery slot", "delivery"), "n"])
    2230
    >>> float(table.loc[("delivery slot", "delivery"), "median_days"].round(1))
    2.0
    """
    func = "time_between"
    if unit not in ("days", "hours"):
        raise CxkitError(
            f"{func}: unit={unit!r} is not known.{close_match(str(unit), ['days', 'hours'])} "
            'Choose "days" or "hours".'
        )
    frame = check_table(events, func)
    who = check_column(frame, customer, func, "customer")
    when = check_dates(frame, timestamp, func, "timestamp")
    what = check_complete(check_column(frame, touchpoint, func, "touchpoint"), func)
    order, person = _ordered(who, when, func)
    if isinstance(what.dtype, pd.CategoricalDtype):
        step, names = what.cat.codes.to_numpy()[order], what.cat.categories
    else:
        step, names = pd.factorize(what.to_numpy()[order])
    stamps = when.to_numpy()[order]
    same = person[1:] == person[:-1]
    gaps = (stamps[1:] - stamps[:-1])[same] / np.timedelta64(1, "h" if unit == "hours" else "D")
    pairs = pd.DataFrame({"from": step[:-1][same], "to": step[1:][same], "gap": gaps})
    grouped = pairs.groupby(["from", "to"], sort=False)["gap"]
    table = pd.DataFrame(
        {
            "n": grouped.size(),
            f"median_{unit}": grouped.median(),
            f"p90_{unit}": grouped.quantile(0.9),
        }
    )
    labels = np.asarray(names, dtype=object)
    table.index = pd.MultiIndex.from_arrays(
        [labels[table.index.get_level_values(0)], labels[table.index.get_level_values(1)]],
        names=[f"from_{touchpoint}", f"to_{touchpoint}"],
    )
    return table.sort_values("n", ascending=False, kind="stable")


def stalls(
    events: pd.DataFrame,
    stages: Sequence[str] | None = None,
    idle_days: float = 90,
    *,
    customer: str = "customer_id",
    stage: str = "stage",
    timestamp: str = "timestamp",
    as_of: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Find the stage where journeys stall: the last stage of customers who have gone quiet.

    A customer's journey is "at" the stage of their latest event. It has
    stalled when nothing happened for more than ``idle_days`` before ``as_of``
    (default: the latest event in the table). Journeys whose latest event is
    at the last stage (in the sample, "leave") have ended, not stalled.

    Parameters
    ----------
    events : pandas DataFrame
        One row per event, with who, when (dtype datetime64) and which stage.
    stages : list of str, optional
        Stages in journey order; default as in :func:`funnel`.
    idle_days : float, default 90
        Days without any event after which a journey counts as stalled.
    customer, stage, timestamp : str
        Column names. Pass ``stage="touchpoint"`` to find the touchpoint where journeys stall.
    as_of : date or str, optional
        The day to measure on, e.g. "2026-06-30".

    Returns
    -------
    pandas DataFrame
        One row per stage: ``customers`` whose journey is at that stage, ``stalled``
        (how many of them), ``stall_rate`` (% of them) and ``share_of_stalls`` (%).

    Examples
    --------
    >>> import cxkit
    >>> table = cxkit.stalls(cxkit.load("journey_events"))
    >>> table["stall_rate"].idxmax()
    'sign up'
    >>> int(table.loc["leave", "stalled"])
    0
    """
    func = "stalls"
    frame = check_table(events, func)
    who = check_column(frame, customer, func, "customer")
    when = check_dates(frame, timestamp, func, "timestamp")
    where = check_complete(check_column(frame, stage, func, "stage"), func)
    if not isinstance(idle_days, int | float) or isinstance(idle_days, bool) or idle_days <= 0:
        raise CxkitError(f"{func}: idle_days must be a positive number of days, got {idle_days!r}.")
    order_names = _stage_order(where, stages, func)
    if as_of is None:
        end = when.max()
    else:
        try:
            end = pd.Timestamp(as_of)
        except (TypeError, ValueError):
            raise CxkitError(
                f'{func}: as_of={as_of!r} is not a date; write it like "2026-06-30".'
            ) from None
    order, person = _ordered(who, when, func)
    last = order[np.append(person[1:] != person[:-1], True)]
    codes = _codes(where.iloc[last], order_names)
    quiet = np.asarray(
        (end - pd.DatetimeIndex(when.to_numpy()[last])) > pd.Timedelta(days=idle_days)
    )
    stalled = quiet & (codes != len(order_names) - 1) & (codes >= 0)
    listed = codes >= 0
    at = np.bincount(codes[listed], minlength=len(order_names))
    stuck = np.bincount(codes[stalled], minlength=len(order_names))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(at > 0, 100 * stuck / at, np.nan)
    share = 100 * stuck / stuck.sum() if stuck.sum() else np.zeros(len(order_names))
    return pd.DataFrame(
        {"customers": at, "stalled": stuck, "stall_rate": rate, "share_of_stalls": share},
        index=pd.Index(order_names, name=stage),
    )


def owned_touchpoints(
    department: str, touchpoints: pd.DataFrame | None = None, *, column: str = "department"
) -> pd.DataFrame:
    """List the touchpoints a department owns: where its work meets the customer.

    Parameters
    ----------
    department : str
        A department, such as "accounting" or "logistics".
    touchpoints : pandas DataFrame, optional
        The touchpoints table; default the sample company's.
    column : str, default "department"
        Column naming the owning department.

    Returns
    -------
    pandas DataFrame
        The rows of the touchpoints table owned by ``department``.

    Examples
    --------
    >>> import cxkit
    >>> cxkit.owned_touchpoints("accounting")["touchpoint"].tolist()
    ['invoice', 'payment reminder']
    """
    func = "owned_touchpoints"
    if touchpoints is None:
        from cxkit.data import load

        touchpoints = load("touchpoints")
    frame = check_table(touchpoints, func)
    owner = check_column(frame, column, func, "column")
    known = [str(d) for d in pd.unique(owner.dropna())]
    if department not in known:
        raise CxkitError(
            f'{func}: no touchpoint is owned by "{department}".'
            f"{close_match(str(department), known)} Departments that own touchpoints: "
            f"{', '.join(sorted(known))}."
        )
    return frame[(owner == department).to_numpy()].copy()


def journey_map(
    events: pd.DataFrame,
    stages: Sequence[str] | None = None,
    *,
    customer: str = "customer_id",
    stage: str = "stage",
    department: str = "department",
) -> pd.DataFrame:
    """Count the customers each department meets at each stage of the journey.

    Parameters
    ----------
    events : pandas DataFrame
        One row per event, with who, which stage and the department owning the touchpoint.
    stages : list of str, optional
        Stages in journey order; default as in :func:`funnel`.
    customer, stage, department : str
        Column names.

    Returns
    -------
    pandas DataFrame
        One row per stage, one column per department: distinct customers with at
        least one event there.

    Examples
    --------
    >>> import cxkit
    >>> table = cxkit.journey_map(cxkit.load("journey_events"))
    >>> int(table.loc["pay", "accounting"])
    1304
    >>> int(table.loc["pay", "logistics"])
    0
    """
    func = "journey_map"
    frame = check_table(events, func)
    who = _people(check_column(frame, customer, func, "customer"), func)
    where = check_complete(check_column(frame, stage, func, "stage"), func)
    owner = check_complete(check_column(frame, department, func, "department"), func)
    order = _stage_order(where, stages, func)
    teams = (
        [str(c) for c in owner.cat.categories]
        if isinstance(owner.dtype, pd.CategoricalDtype)
        else sorted(str(d) for d in pd.unique(owner))
    )
    work = pd.DataFrame({"who": who, "stage": _codes(where, order), "team": _codes(owner, teams)})
    work = work[work["stage"] >= 0].drop_duplicates()
    counts = np.zeros((len(order), len(teams)), dtype=np.int64)
    np.add.at(counts, (work["stage"].to_numpy(), work["team"].to_numpy()), 1)
    table = pd.DataFrame(
        counts, index=pd.Index(order, name=stage), columns=pd.Index(teams, name=department)
    )
    return table.loc[:, table.sum(axis=0) > 0]
