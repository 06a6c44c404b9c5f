"""Interactive explorers for the workshops, as thin ipywidgets over plain functions.

The plain functions (``explore``, ``flag_recent``, ``what_if``,
``explain_what_if``) do the work and return pandas objects or text; use them
in graded cells. The widgets (``explorer``, ``what_if_explorer``) only wire
drop-downs and sliders to them. Widget output lives in the widget, not in the
notebook's cell outputs, so it shows in JupyterLab but not in nbgrader
feedback or exported HTML: nothing graded should depend on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxkit.errors import CxkitError, close_match
from cxkit.metrics import csat_by, effort_by, nps_by
from cxkit.validate import check_column, check_dates, check_flags, check_level, check_table

if TYPE_CHECKING:
    import ipywidgets

ALL = "(all)"


def _choose(value: Any, column: pd.Series, param: str) -> np.ndarray:
    """Rows whose ``column`` equals ``value``; every row when ``value`` is None."""
    if value is None or value == ALL:
        return np.ones(len(column), bool)
    known = [str(v) for v in pd.unique(column.dropna())]
    if str(value) not in known:
        raise CxkitError(
            f"explore: {param}={value!r} does not occur in column "
            f'"{column.name}".{close_match(str(value), known)} Values: {", ".join(sorted(known))}.'
        )
    return (column.astype("object") == value).to_numpy()


def explore(
    surveys: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    department: str | None = None,
    segment: str | None = None,
    period: str | None = None,
    date: str = "response_date",
    level: float = 0.95,
) -> pd.DataFrame:
    """NPS, CSAT and effort, with margins of error, for one department, segment and period.

    Parameters
    ----------
    surveys : pandas DataFrame
        One row per survey response, with ``recommend``, ``csat`` and ``effort``.
    customers : pandas DataFrame, optional
        The customers table, needed only to choose a ``segment``.
    department : str, optional
        Keep responses about this department's touchpoints (column ``department``).
    segment : str, optional
        Keep responses from customers of this segment, such as "household".
    period : str, optional
        Keep responses from this period: a year "2025", a quarter "2025Q3" or a month "2025-07".
    date : str, default "response_date"
        Column with the response date.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas DataFrame
        Rows NPS, CSAT and effort; columns ``n``, ``value``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import cxkit
    >>> table = cxkit.explore(cxkit.load("surveys"), department="accounting", period="2025")
    >>> table.index.tolist()
    ['NPS', 'CSAT', 'effort']
    >>> int(table.loc["NPS", "n"])
    262
    """
    frame = check_table(surveys, "explore")
    keep = _choose(
        department, check_column(frame, "department", "explore", "department"), "department"
    )
    if segment is not None and segment != ALL:
        if "segment" in frame.columns:
            segments = frame["segment"]
        elif customers is None:
            raise CxkitError(
                "explore: to choose a segment, pass the customers table too: "
                'explore(surveys, cxkit.load("customers"), segment="household").'
            )
        else:
            lookup = check_table(customers, "explore").set_index("customer_id")["segment"]
            segments = frame["customer_id"].map(lookup).rename("segment")
        keep = keep & _choose(segment, segments, "segment")
    if period is not None and period != ALL:
        try:
            span = pd.Period(period)
        except (TypeError, ValueError):
            raise CxkitError(
                f'explore: period={period!r} is not a period; write "2025", "2025Q3" or "2025-07".'
            ) from None
        when = check_dates(frame, date, "explore", "date")
        keep = keep & ((when >= span.start_time) & (when <= span.end_time)).to_numpy()
    chosen = frame[keep]
    if chosen.empty:
        raise CxkitError(
            f"explore: no response matches department={department!r}, segment={segment!r}, "
            f"period={period!r}. Widen the selection."
        )
    work = chosen.assign(__all="all")
    rows = {
        "NPS": nps_by(work, "__all", level=level),
        "CSAT": csat_by(work, "__all", level=level),
        "effort": effort_by(work, "__all", level=level),
    }
    table = pd.concat(rows.values(), ignore_index=True)
    table.index = pd.Index(list(rows), name="metric")
    return table


def flag_recent(
    surveys: pd.DataFrame,
    events: pd.DataFrame,
    flag: str,
    days: float = 90,
    *,
    date: str = "issue_date",
    customer: str = "customer_id",
    response_date: str = "response_date",
) -> pd.Series:
    """Mark the survey responses whose customer had a flagged event in the days before answering.

    For example, respondents with a disputed invoice issued in the 90 days
    before they answered: ``flag_recent(surveys, invoices, "disputed")``.

    Parameters
    ----------
    surveys : pandas DataFrame
        One row per survey response.
    events : pandas DataFrame
        One row per event (an invoice, a shipment, ...), with a True/False column ``flag``.
    flag : str
        Name of the True/False column of ``events``, such as "disputed".
    days : float, default 90
        How many days before the response to look (the response day included).
    date, customer, response_date : str
        Column names: the event's date, the customer (in both tables), the response date.

    Returns
    -------
    pandas Series
        True/False, same index as ``surveys``.

    Examples
    --------
    >>> import cxkit
    >>> surveys = cxkit.load("surveys")
    >>> disputed = cxkit.flag_recent(surveys, cxkit.load("invoices"), "disputed")
    >>> int(disputed.sum())
    265
    """
    func = "flag_recent"
    answers, happened = check_table(surveys, func), check_table(events, func)
    marked = check_flags(happened, flag, func, "flag")
    when = check_dates(happened, date, func, "date")
    asked = check_dates(answers, response_date, func, "response_date")
    if not isinstance(days, int | float) or isinstance(days, bool) or days < 0:
        raise CxkitError(f"{func}: days must be 0 or more, got {days!r}.")
    right = pd.DataFrame(
        {
            "who": check_column(happened, customer, func, "customer")
            .astype("object")
            .to_numpy()[marked],
            "day": when.to_numpy()[marked].astype("datetime64[us]"),
        }
    ).dropna()
    left = pd.DataFrame(
        {
            "who": check_column(answers, customer, func, "customer").astype("object").to_numpy(),
            "day": asked.to_numpy().astype("datetime64[us]"),
            "row": np.arange(len(answers)),
        }
    )
    matched = pd.merge_asof(
        left.dropna(subset=["day"]).sort_values("day", kind="stable"),
        right.sort_values("day", kind="stable").assign(hit=True),
        on="day",
        by="who",
        direction="backward",
        tolerance=pd.Timedelta(days=days),
    )
    result = np.zeros(len(answers), bool)
    hits = matched["hit"].fillna(False).astype(bool).to_numpy()
    result[matched["row"].to_numpy()[hits]] = True
    return pd.Series(result, index=answers.index, name=f"recent_{flag}")


def _shares(scores: np.ndarray) -> tuple[float, float]:
    """NPS (as a fraction) and its sampling variance for one group of 0-10 scores."""
    promoters, detractors = np.mean(scores >= 9), np.mean(scores <= 6)
    score = promoters - detractors
    return float(score), float((promoters + detractors - score**2) / len(scores))


def what_if(
    surveys: pd.DataFrame,
    affected: pd.Series | str,
    reduction: float,
    *,
    column: str = "recommend",
    level: float = 0.95,
) -> pd.Series:
    """Project the NPS if a problem (say, invoice disputes) touched fewer customers.

    The respondents are split into those the problem touched (``affected``) and
    the others. The projection assumes that the customers spared by the
    reduction would answer like the others do today:
    NPS after = share affected after x NPS(affected) + (1 - share affected after) x NPS(others),
    where share affected after = share affected now x (1 - reduction / 100).
    The interval covers the sampling error of the two groups' NPS (adjusted for
    their sizes); it does not cover the assumption that the problem causes the
    whole gap between the groups.

    Parameters
    ----------
    surveys : pandas DataFrame
        One row per survey response.
    affected : pandas Series or str
        True/False per response (same index), or the name of such a column.
    reduction : float
        By how many percent the problem falls, 0 to 100.
    column : str, default "recommend"
        Column with the 0-10 recommend scores.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas Series
        ``responses``, ``affected_share`` (%), ``nps_affected``, ``nps_others``,
        ``nps_now``, ``affected_share_after`` (%), ``nps_after``, ``ci_low``,
        ``ci_high``, ``change``, ``change_low``, ``change_high``.

    Examples
    --------
    >>> import cxkit
    >>> surveys = cxkit.load("surveys")
    >>> relationship = surveys[surveys["survey_type"] == "relationship"]
    >>> disputed = cxkit.flag_recent(relationship, cxkit.load("invoices"), "disputed")
    >>> result = cxkit.what_if(relationship, disputed, 50)
    >>> result[["nps_now", "nps_after", "change"]].round(1).tolist()
    [11.4, 13.3, 1.9]
    """
    func = "what_if"
    frame = check_table(surveys, func)
    z = check_level(level, func)
    if isinstance(affected, str):
        touched = check_flags(frame, affected, func, "affected")
    else:
        if not isinstance(affected, pd.Series) or not affected.index.equals(frame.index):
            raise CxkitError(
                f"{func}: affected must be a True/False column of the same table (same index), "
                'or its name, e.g. cxkit.flag_recent(surveys, invoices, "disputed").'
            )
        touched = check_flags(affected.to_frame("affected"), "affected", func, "affected")
    if (
        not isinstance(reduction, int | float)
        or isinstance(reduction, bool)
        or not 0 <= reduction <= 100
    ):
        raise CxkitError(f"{func}: reduction is a percentage from 0 to 100, got {reduction!r}.")
    scores = nps_by(frame.assign(__group=touched), "__group", column, level)  # checks the scores
    sizes = scores["n"].reindex([True, False]).fillna(0).to_numpy()
    if sizes.min() < 2:
        raise CxkitError(
            f"{func}: {'no' if sizes[0] < 2 else 'every'} response is affected, so there is "
            "nothing to compare. Check the affected column."
        )
    values = check_column(frame, column, func, "column").to_numpy(dtype=float)
    answered = ~np.isnan(values)
    hit, hit_var = _shares(values[touched & answered])
    rest, rest_var = _shares(values[~touched & answered])
    share = float(np.mean(touched[answered]))
    after = share * (1 - reduction / 100)
    projected = after * hit + (1 - after) * rest
    spread = np.sqrt(after**2 * hit_var + (1 - after) ** 2 * rest_var)
    change = (after - share) * (hit - rest)
    change_spread = abs(after - share) * np.sqrt(hit_var + rest_var)
    result = {
        "responses": float(answered.sum()),
        "affected_share": 100 * share,
        "nps_affected": 100 * hit,
        "nps_others": 100 * rest,
        "nps_now": 100 * (share * hit + (1 - share) * rest),
        "affected_share_after": 100 * after,
        "nps_after": 100 * projected,
        "ci_low": 100 * (projected - z * spread),
        "ci_high": 100 * (projected + z * spread),
        "change": 100 * change,
        "change_low": 100 * (change - z * change_spread),
        "change_high": 100 * (change + z * change_spread),
    }
    projection = pd.Series(result, name=f"what if it fell by {reduction:g} %")
    projection.attrs["level"] = level
    return projection


def explain_what_if(result: pd.Series, problem: str = "the problem") -> str:
    """Explain a :func:`what_if` projection in words, with its arithmetic and uncertainty.

    Parameters
    ----------
    result : pandas Series
        The result of :func:`what_if`.
    problem : str, default "the problem"
        What the affected customers experienced, e.g. "a disputed invoice".

    Returns
    -------
    str
        A paragraph for a report or a workshop discussion.

    Examples
    --------
    >>> import cxkit
    >>> result = pd.Series({"responses": 800.0, "affected_share": 10.0, "nps_affected": -20.0,
    ...     "nps_others": 30.0, "nps_now": 25.0, "affected_share_after": 5.0, "nps_after": 27.5,
    ...     "ci_low": 22.0, "ci_high": 33.0, "change": 2.5, "change_low": 1.0, "change_high": 4.0})
    >>> print(cxkit.explain_what_if(result, "a disputed invoice"))  # doctest: +ELLIPSIS
    Now 10.0 % of the 800 respondents had a disputed invoice: their NPS is -20, ...
    """
    needed = ["responses", "affected_share", "nps_affected", "nps_others", "nps_now"]
    needed += ["affected_share_after", "nps_after", "ci_low", "ci_high", "change"]
    needed += ["change_low", "change_high"]
    if not isinstance(result, pd.Series) or any(k not in result.index for k in needed):
        raise CxkitError("explain_what_if: pass the result of cxkit.what_if(...).")
    r = result
    level = f"{100 * result.attrs.get('level', 0.95):g} %"
    return (
        f"Now {r['affected_share']:.1f} % of the {r['responses']:,.0f} respondents had {problem}: "
        f"their NPS is {r['nps_affected']:.0f}, the others' {r['nps_others']:.0f}, so together "
        f"{r['affected_share']:.1f} % x {r['nps_affected']:.0f} + "
        f"{100 - r['affected_share']:.1f} % x {r['nps_others']:.0f} = NPS {r['nps_now']:.1f}. "
        f"If that share fell to {r['affected_share_after']:.1f} %, and the customers spared "
        f"answered like the others, NPS would be {r['nps_after']:.1f} ({level} interval "
        f"{r['ci_low']:.1f} to {r['ci_high']:.1f}): a change of {r['change']:+.1f} points "
        f"({r['change_low']:+.1f} to {r['change_high']:+.1f}). The interval covers the sampling "
        "error of the two groups' scores only. It assumes the problem causes the whole gap "
        "between them; customers who had the problem may differ in other ways too."
    )


# --- the widgets --------------------------------------------------------------------------


def _table_html(table: pd.DataFrame) -> str:
    return table.round(1).to_html(border=0)


def explorer(
    surveys: pd.DataFrame | None = None, customers: pd.DataFrame | None = None
) -> ipywidgets.VBox:
    """A department / segment / period explorer of NPS, CSAT and effort.

    Three drop-downs over :func:`explore`; the table below them updates when
    one changes. Shows in JupyterLab; graded cells should call :func:`explore`.

    Parameters
    ----------
    surveys, customers : pandas DataFrame, optional
        Default: the sample company's.

    Returns
    -------
    ipywidgets.VBox
        The drop-downs (``.children[0].children``) and the result (``.children[1]``).

    Examples
    --------
    >>> import cxkit
    >>> box = cxkit.explorer()
    >>> box.children[0].children[0].options[:2]
    ('(all)', 'marketing')
    """
    import ipywidgets as w

    from cxkit.data import load

    surveys = load("surveys") if surveys is None else surveys
    customers = load("customers") if customers is None else customers
    when = check_dates(check_table(surveys, "explorer"), "response_date", "explorer", "date")

    def options(column: pd.Series) -> list[str]:
        found = set(column.dropna().astype(str))
        order = (
            column.cat.categories
            if isinstance(column.dtype, pd.CategoricalDtype)
            else sorted(found)
        )
        return [ALL, *[str(v) for v in order if str(v) in found]]

    quarters = [ALL, *sorted({str(p) for p in when.dt.to_period("Q").dropna()})]
    pickers = [
        w.Dropdown(options=options(surveys["department"]), description="department"),
        w.Dropdown(options=options(customers["segment"]), description="segment"),
        w.Dropdown(options=quarters, description="period"),
    ]
    result = w.HTML()

    def update(_: object = None) -> None:
        department, segment, period = (p.value for p in pickers)
        try:
            table = explore(
                surveys, customers, department=department, segment=segment, period=period
            )
            result.value = _table_html(table)
        except CxkitError as err:
            result.value = f"<p>{err}</p>"

    for picker in pickers:
        picker.observe(update, names="value")
    update()
    return w.VBox([w.HBox(pickers), result])


def what_if_explorer(
    surveys: pd.DataFrame | None = None, invoices: pd.DataFrame | None = None, days: float = 90
) -> ipywidgets.VBox:
    """A slider: "if invoice disputes fell by X %, NPS would move to ..." with the arithmetic.

    Works on the relationship survey: a respondent is affected when one of
    their invoices issued in the ``days`` before they answered was disputed
    (:func:`flag_recent`). The slider sets the reduction; the text below it is
    :func:`explain_what_if` of :func:`what_if`.

    Parameters
    ----------
    surveys, invoices : pandas DataFrame, optional
        Default: the sample company's.
    days : float, default 90
        How far back a disputed invoice counts.

    Returns
    -------
    ipywidgets.VBox
        The slider (``.children[0]``) and the explanation (``.children[1]``).

    Examples
    --------
    >>> import cxkit
    >>> box = cxkit.what_if_explorer()
    >>> box.children[0].value = 100
    >>> "fell to 0.0 %" in box.children[1].value
    True
    """
    import ipywidgets as w

    from cxkit.data import load

    surveys = load("surveys") if surveys is None else surveys
    invoices = load("invoices") if invoices is None else invoices
    kinds = check_column(
        check_table(surveys, "what_if_explorer"), "survey_type", "what_if_explorer", ""
    )
    relationship = surveys[(kinds == "relationship").to_numpy()]
    disputed = flag_recent(relationship, invoices, "disputed", days)
    slider = w.IntSlider(value=50, min=0, max=100, step=5, description="disputes -%")
    text = w.HTML()

    def update(_: object = None) -> None:
        result = what_if(relationship, disputed, slider.value)
        problem = f"a disputed invoice in the {days:g} days before answering"
        text.value = f"<p>{explain_what_if(result, problem)}</p>"

    slider.observe(update, names="value")
    update()
    return w.VBox([slider, text])


# --- the answer explorer: every exercise without code ---------------------------------------


def _rounded(result: Any, decimals: int) -> Any:
    """``result`` as the explorer shows it: numbers rounded to ``decimals`` decimals."""
    if isinstance(result, pd.DataFrame):
        return result.round(decimals)
    if isinstance(result, pd.Series):
        if pd.api.types.is_numeric_dtype(result.dtype):
            return result.round(decimals)
        return result.map(lambda v: _rounded(v, decimals))  # numbers and words, as a difference
    if isinstance(result, bool | np.bool_ | str):
        return result
    if isinstance(result, int | np.integer):
        return int(result)
    if isinstance(result, float | np.floating):
        return round(float(result), decimals)
    return result


def _plain_value(value: Any) -> Any:
    """A shown value as the literal a person types: 23.4, 12, "household", True."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else str(value)
    return value


def _shown_html(shown: Any) -> str:
    if isinstance(shown, pd.DataFrame):
        return shown.to_html(border=0)
    if isinstance(shown, pd.Series):
        return shown.to_frame().to_html(border=0)
    return f"<p style='font-size:1.4em'><b>{_plain_value(shown)}</b></p>"


class LookUp:
    """An answer explorer: drop-downs or a slider, and the result they give, rounded.

    Made by :func:`look_up`; see there. ``set`` changes the controls as a person
    would, ``shown`` is what the explorer shows now, and ``read`` takes one value
    from it, as the literal a person would type.
    """

    def __init__(
        self, show: Any, decimals: int, controls: dict[str, Sequence[Any] | range]
    ) -> None:
        self._show = show
        self.decimals = decimals
        self.controls = {name: list(options) for name, options in controls.items()}
        for name, options in self.controls.items():
            if not options:
                raise CxkitError(
                    f"look_up: the control {name!r} has no options; give at least one."
                )
        self.settings = {name: options[0] for name, options in self.controls.items()}
        self.shown: Any = None
        self.message = ""
        self._widget: Any = None
        self._refresh()

    def _refresh(self) -> None:
        try:
            self.shown, self.message = _rounded(self._show(**self.settings), self.decimals), ""
        except CxkitError as err:
            self.shown, self.message = None, str(err)
        if self._widget is not None:
            self._widget.children[-1].value = self.html()

    def html(self) -> str:
        """What the explorer shows now, as HTML."""
        return f"<p>{self.message}</p>" if self.message else _shown_html(self.shown)

    def set(self, **settings: Any) -> LookUp:
        """Set controls, by name, to one of their options; the result follows.

        Examples
        --------
        >>> box = look_up(lambda n: n * 1.25, n=range(1, 5))
        >>> box.set(n=3).read()
        3.8
        """
        for name, value in settings.items():
            if name not in self.controls:
                raise CxkitError(
                    f"look_up: there is no control {name!r}."
                    f"{close_match(name, list(self.controls))} "
                    f"Controls: {', '.join(self.controls)}."
                )
            if value not in self.controls[name]:
                options = ", ".join(repr(o) for o in self.controls[name])
                raise CxkitError(f"look_up: {name}={value!r} is not an option; options: {options}.")
            self.settings[name] = value
        if self._widget is not None:
            for picker in self._widget.children[0].children:
                picker.value = self.settings[picker.description]
        self._refresh()
        return self

    def read(self, row: Any = None, column: Any = None) -> Any:
        """One value the explorer shows: a number, a word, a date, as a person types it.

        With no ``row`` the result itself (one number or word); for a table, the
        value at ``row`` and ``column``; for a list of values, the one at ``row``.
        """
        if self.message:
            raise CxkitError(f"look_up shows no value: {self.message}")
        shown = self.shown
        try:
            if isinstance(shown, pd.DataFrame):
                if column is None:
                    raise CxkitError("look_up: name the column to read from the table.")
                shown = shown.loc[row, column]
            elif isinstance(shown, pd.Series) and row is not None:
                shown = shown.loc[row]
        except KeyError as missing:
            raise CxkitError(f"look_up: the table shown has no row or column {missing}.") from None
        return _plain_value(shown)

    def widget(self) -> ipywidgets.VBox:
        """The drop-downs (or slider) and the result, as one ipywidgets box."""
        import ipywidgets as w

        if self._widget is None:
            pickers = [
                w.Dropdown(options=options, value=self.settings[name], description=name)
                for name, options in self.controls.items()
            ]

            def changed(_: object = None) -> None:
                self.settings.update({p.description: p.value for p in pickers})
                self._refresh()

            for picker in pickers:
                picker.observe(changed, names="value")
            self._widget = w.VBox([w.HBox(pickers), w.HTML(self.html())])
        return self._widget

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        chosen = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return f"look_up({chosen})"


def look_up(show: Any, *, decimals: int = 1, **controls: Sequence[Any] | range) -> LookUp:
    """An explorer to answer an exercise without code: choose, read the number, type it.

    Each keyword argument is a control: a drop-down of its options. Whenever
    one changes, ``show`` is called with every control's value and what it
    returns is shown, numbers rounded to ``decimals`` decimals. The checks
    accept that rounding, so the value read off the explorer is a right answer.

    Parameters
    ----------
    show : callable
        Called as ``show(**settings)``; returns a table, a column, a number or a word.
    decimals : int, default 1
        Decimals shown.
    **controls : list or range
        Each control's options; the first is chosen to begin with.

    Returns
    -------
    LookUp
        Shows as drop-downs and the result in JupyterLab; ``set`` and ``read``
        do the same from code.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"team": ["a", "b", "a"], "score": [10, 3, 9]})
    >>> mean = lambda team: table.loc[table["team"] == team, "score"].mean()
    >>> box = look_up(mean, team=["a", "b"])
    >>> box.read()
    9.5
    >>> box.set(team="b").read()
    3
    """
    if not callable(show):
        raise CxkitError(
            f"look_up: show must be a function of the controls, not a {type(show).__name__}."
        )
    return LookUp(show, decimals, dict(controls))
