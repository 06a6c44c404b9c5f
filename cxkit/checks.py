"""Check your answers: a plain "Correct" or a hint that points at the likely mistake.

Each check takes your answer and what it should be computed from (the scores,
the table, your department), works the right answer out with cxkit's own
functions, and then either prints one line starting with "Correct:" or raises
``CheckFailed`` with a message that says what to look at: a fraction where
percentage points were wanted, passives counted as detractors, the average
score instead of a share, another department's rows, ... A check never prints
the right answer and never changes what you pass in.

The graded cells of the workshops call these checks; you can call them too.
``start()``, called once in a workshop's first code cell, makes warnings print
as plain notes and shows failed checks as a short message, not a long traceback.
"""

from __future__ import annotations

import functools
import math
import numbers
import sys
import warnings
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from cxkit import hints
from cxkit.errors import CxkitError, close_match
from cxkit.metrics import csat as _csat
from cxkit.metrics import effort as _effort
from cxkit.metrics import nps as _nps

_RED, _DIM, _RESET = "\x1b[1;31m", "\x1b[2m", "\x1b[0m"
_CHAINED = (
    'If you labelled rows with table["column"][condition] = value, pandas 3 silently ignores '
    'it (chained assignment): write table.loc[condition, "column"] = value.'
)
Others = Mapping[str, float] | None


class CheckFailed(AssertionError):
    """An answer is not right yet; the message says what to look at."""


# --- getting a notebook ready ---------------------------------------------------------------


def _note(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    """Print a warning as a one-line note on stdout (a stand-in for warnings.showwarning)."""
    note = hints.note(message, category) or f"Note ({category.__name__}): {message}"
    print(note, file=sys.stdout, flush=True)


def _brief(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> list[str]:
    """A failed check or a cxkit error as the short lines a participant sees."""
    if isinstance(value, CheckFailed):
        return [f"{_RED}Not yet:{_RESET} {value}"]
    cell, where = (tb.tb_next if tb is not None else None), ""
    if cell is not None and cell.tb_frame.f_code.co_name == "<module>":
        where = f" (line {cell.tb_lineno} of this cell)"
    return [
        f"{_RED}{etype.__name__}{where}:{_RESET} {value}",
        f"{_DIM}For the full details, run %tb in a new cell.{_RESET}",
    ]


def _friendly(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> list[str]:
    """Show a failed check or a cxkit error as a short message, still as an error output."""
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # for %tb
    if not isinstance(value, (CheckFailed, CxkitError)):
        return hints.show(shell, etype, value, tb, tb_offset)  # a pandas error: a hint, or in full
    lines = _brief(etype, value, tb)
    shell._showtraceback(etype, value, lines)  # an "error" output: a failed check still scores 0
    return lines


def start(friendly: bool = True) -> None:
    """Get a notebook ready for checks; call it once, in the first code cell.

    Warnings (from pandas, matplotlib, ...) then print as a one-line note on
    the standard output, not on the error stream: nbgrader gives 0 to a test
    cell that writes to the error stream, so a warning never costs points.
    With ``friendly``, a failed check or a ``CxkitError`` shows as a short
    message instead of a long traceback, and still counts as an error.

    Parameters
    ----------
    friendly : bool, default True
        Show failed checks and cxkit errors briefly (in IPython and Jupyter only).

    Examples
    --------
    >>> import warnings
    >>> saved = warnings.showwarning
    >>> start()
    >>> warnings.warn("this option is deprecated", FutureWarning)
    Note (FutureWarning): this option is deprecated
    >>> warnings.showwarning = saved
    """
    warnings.showwarning = _note
    if not friendly:
        return
    from IPython import get_ipython

    from cxkit.patches import keep_brief

    shell = get_ipython()
    if shell is not None and hasattr(shell, "_showtraceback"):
        shell.set_custom_exc((CheckFailed, CxkitError, *hints.KINDS), _friendly)
        # IPython 9 would format the full traceback again for %notebook: keep the brief one
        keep_brief(shell, (CheckFailed, CxkitError), _brief)


# --- the core: one number, judged ---------------------------------------------------------


def _fail(message: str) -> NoReturn:
    raise CheckFailed(message)


def _show(x: float) -> str:
    """A number as a person writes it: 20, 11.4, 3.15, 0.114."""
    if x == round(x):
        return f"{x:.0f}"
    if abs(x) < 1:
        return f"{x:.3g}"
    return f"{x:.2f}".rstrip("0") if abs(x) < 10 else f"{x:.1f}"


def _answered(answer: Any, name: str) -> None:
    if answer is None:
        _fail(
            f"{name} is still None. Replace None with your answer in the cell above, run that "
            "cell, then run this check again."
        )


# --- answers as plain data ------------------------------------------------------------------
#
# A check first turns the answer into plain data of exact types (a float that is a float,
# a fresh DataFrame of plain columns), so that no method of an answer object runs while
# the right answer is within its reach (in the check's own variables).

_SCALARS = frozenset({str, int, float, bool, complex, type(None), pd.Timestamp, pd.Timedelta})
_MISSING_VALUES = frozenset({type(pd.NA), type(pd.NaT)})
# a derived number or text, and the plain type's own conversion (bool cannot be derived)
_DERIVED: tuple[tuple[type, Any], ...] = (
    (int, int.__int__),
    (float, float.__float__),
    (str, str.__str__),
)


class _Other:
    """Stands for an answer of a type a check does not take: only its type's name is kept."""


@functools.lru_cache(maxsize=64)
def _other_type(name: str) -> type:
    return type(name, (_Other,), {})


def _scalar(value: Any) -> bool:
    kind = type(value)
    return (
        kind in _SCALARS
        or kind in _MISSING_VALUES
        or (kind.__module__ == "numpy" and isinstance(value, np.generic))
    )


def _pandas_own(kind: type) -> bool:
    return kind.__module__.startswith(("pandas.", "numpy"))


def _plain(answer: Any, own_methods: bool = False) -> Any:
    """``answer`` as plain data of exact types, built without calling its own methods.

    Tables, Series, Index and arrays are copied into fresh ones of plain values;
    lists and tuples keep their plain items. A number or text of a derived type
    becomes a plain one: by its own ``__float__``, ``__int__`` or ``__str__`` only
    when ``own_methods`` (no right answer is within reach yet), else by the plain
    type's own conversion. Anything else stands as an object of its type's name.
    """
    kind = type(answer)
    if _scalar(answer):
        return answer
    if kind is pd.DataFrame:
        return _plain_frame(answer)
    if kind is pd.Series:
        values = _column(answer)
        return pd.Series(values, index=_plain_index(answer.index), name=_plain(answer.name))
    if isinstance(answer, pd.Index) and _pandas_own(kind):
        return _plain_index(answer)
    if kind is np.ndarray:
        return _plain_array(answer.astype(object).ravel(), answer.dtype).reshape(answer.shape)
    if kind in (list, tuple):
        return kind(_plain(item, own_methods) for item in answer)
    for base, plain in _DERIVED:
        if isinstance(answer, base):
            return base(answer) if own_methods else plain(answer)
    return _other_type(kind.__name__)()


def _column(column: pd.Series) -> Any:
    """A column's values, copied: numbers and dates as they are (numpy holds nothing else)."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufcmM":
        return column.to_numpy(copy=True)
    return _plain_array(column.to_numpy(dtype=object), column.dtype)


def _plain_array(values: np.ndarray, dtype: Any) -> Any:
    """Plain values of a column, in its dtype when that is numpy's or pandas' own."""
    items = list(values.ravel())
    if not all(_scalar(v) for v in items):
        items = [_plain(v) for v in items]
    plain = np.empty(len(items), dtype=object)
    plain[:] = items
    if _pandas_own(type(dtype)) and not isinstance(dtype, pd.CategoricalDtype):
        try:
            return (
                pd.array(plain, dtype=dtype)
                if not isinstance(dtype, np.dtype)
                else (plain.astype(dtype))
            )
        except (TypeError, ValueError):
            return plain
    return plain


def _plain_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        arrays = [_plain_index(index.get_level_values(i)) for i in range(index.nlevels)]
        return pd.MultiIndex.from_arrays(arrays, names=[_plain(n) for n in index.names])
    values = _plain_array(index.to_numpy(dtype=object), index.dtype)
    return pd.Index(values, name=_plain(index.name), tupleize_cols=False)


def _plain_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A fresh table of plain columns, labels and index, equal to ``table``."""
    columns = [_plain(c) for c in table.columns]
    data = {i: _column(table.iloc[:, i]) for i in range(table.shape[1])}
    fresh = pd.DataFrame(data, index=_plain_index(table.index))
    fresh.columns = pd.Index(columns, name=_plain(table.columns.name), tupleize_cols=False)
    return fresh


def _snapshot(scores: Any) -> Any:
    """A copy of the scores a check works from: an answer's own conversion cannot reach it."""
    if isinstance(scores, pd.Series | np.ndarray):
        return scores.copy()
    return list(scores) if isinstance(scores, list | tuple) else scores


def _number(answer: Any, name: str, how: str, own_methods: bool = False) -> float:
    """The answer as one number, or CheckFailed saying why it is not one.

    ``own_methods``: the answer's own conversion may run (no right answer in reach yet).
    """
    _answered(answer, name)
    value = _plain(answer, own_methods)
    if isinstance(value, pd.DataFrame):
        if value.size != 1:
            rows, cols = value.shape
            _fail(f"{name} is a table ({rows} rows, {cols} columns), not one number. {how}")
        value = value.iloc[0, 0]
    if isinstance(value, pd.Series | pd.Index | np.ndarray | list | tuple):
        items = np.asarray(value, dtype=object).ravel()
        if len(items) == 0:
            _fail(f"{name} is empty: it holds no value. Check that your selection kept some rows.")
        if len(items) == 2 and isinstance(value, tuple | list):
            _fail(f"{name} holds two numbers, like an interval (low, high); one is wanted. {how}")
        if len(items) > 1:
            _fail(f"{name} holds {len(items)} values (one per row?), not one number. {how}")
        value = items[0]
    if isinstance(value, bool | np.bool_):
        _fail(f"{name} is {bool(value)} (True/False), not a number. {how}")
    if isinstance(value, str):
        try:
            float(value)
            _fail(f'{name} is the text "{value}", not a number: remove the quotes.')
        except ValueError:
            _fail(f'{name} is the text "{value}", not a number. {how}')
    if not isinstance(value, numbers.Real):
        _fail(f"{name} is a {type(value).__name__}, not a number. {how}")
    if math.isnan(float(value)):
        _fail(f'{name} is NaN ("not a number"): nothing was counted. Is your selection empty?')
    if math.isinf(float(value)):
        _fail(f"{name} is infinite: something was divided by zero. Is your selection empty?")
    return float(value)


def _close(value: float, expected: float, decimals: int = 0) -> bool:
    """Equal, or ``expected`` rounded to ``decimals`` decimals or more (within 5 % of it)."""
    if math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-9):
        return True
    near = 0.05 * max(abs(expected), 1)  # 11.35 may be written 11, but 0.3 never 0
    return abs(value - expected) <= near and value in {
        round(expected, d) for d in range(decimals, 4)
    }


def _judge(
    value: float,
    expected: float,
    name: str,
    mistakes: list[tuple[float, str]],
    *,
    correct: str,
    wrong: str,
    decimals: int = 0,
    percent: bool = True,
) -> None:
    """Print ``correct``, or raise the hint of the first mistake that explains ``value``."""
    if _close(value, expected, decimals):
        print(f"Correct: {name} = {_show(value)}{correct}")
        return
    if percent:
        also = " Also, it is a fraction: multiply by 100."
        mistakes = [
            (
                expected / 100,
                "this looks like a fraction; the answer is in points: multiply by 100.",
            ),
            *mistakes,
            *[(w / 100, hint + also) for w, hint in mistakes if w],
        ]
    for wrong_value, hint in mistakes:
        if _close(value, wrong_value, decimals) and not _close(wrong_value, expected, decimals):
            _fail(f"{name} = {_show(value)}: {hint}")
    near = 0.05 * max(abs(expected), 1)
    if abs(value - expected) <= near and value in {round(expected, d) for d in range(decimals)}:
        _fail(
            f"{name} = {_show(value)} is rounded too much: type it with {decimals} decimals, "
            "as the explorer shows it."
        )
    _fail(f"{name} = {_show(value)} is not {wrong}")


def _others(others: Others) -> list[tuple[float, str]]:
    return [(float(v), f"this is {description}.") for description, v in (others or {}).items()]


def _pct(mask: np.ndarray) -> float:
    return float(100 * np.mean(mask))


# --- numbers --------------------------------------------------------------------------------


def nps(answer: Any, scores: Any, *, name: str = "your answer", others: Others = None) -> None:
    """Check that ``answer`` is the Net Promoter Score of ``scores``, in points.

    Recognises a fraction (0.2 for 20), passives (7-8) counted as detractors or
    as promoters, promoters only, a reversed sign, the average score, people
    counted instead of percentages, wrong boundaries, and pandas 3's silent
    chained assignment (no promoters found at all).

    Parameters
    ----------
    answer : number
        Your NPS; a one-element Series is fine.
    scores : list or pandas Series
        The 0-10 recommend scores it should be computed from.
    name : str
        Your variable's name, for the messages.
    others : dict, optional
        Other values the answer could be confused with, by what they are, such
        as ``{"the NPS of all responses, not of sample_20": 11.4}``.

    Examples
    --------
    >>> scores = [10, 9, 9, 8, 7, 6, 5, 10, 3, 9]
    >>> nps(20, scores, name="my_nps")
    Correct: my_nps = 20: 50 % promoters minus 30 % detractors, of 10 scores.
    >>> nps(0.2, scores, name="my_nps")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: my_nps = 0.2: this looks like a fraction; ... multiply by 100.
    """
    scores = _snapshot(scores)  # before the answer's own conversion runs
    how = "NPS is one number: pass the scores to cxkit.nps(...)."
    value = _number(answer, name, how, own_methods=True)
    expected = _nps(scores)
    v = np.asarray(pd.Series(scores).to_numpy(dtype="float64"))
    pro, passive, de = _pct(v >= 9), _pct((v >= 7) & (v <= 8)), _pct(v <= 6)
    mean, people = float(np.mean(v)), float(int(np.sum(v >= 9)) - int(np.sum(v <= 6)))
    mistakes = [
        (pro - de - passive, "passives (7-8) were counted as detractors; detractors are 0 to 6."),
        (pro + passive - de, "passives (7-8) were counted as promoters; promoters are 9 or 10."),
        (pro, "this is the share of promoters only: subtract the share of detractors (0-6)."),
        (-de, f"this is minus the detractors, as if nobody had scored 9 or 10. {_CHAINED}"),
        (de, "this is the share of detractors only: NPS is promoters minus detractors."),
        (de - pro, "the sign is reversed: NPS is promoters minus detractors."),
        (mean, "this is the average score, not NPS. NPS counts people: % 9-10 minus % 0-6."),
        (10 * mean, "this is the average score times 10, not NPS: count promoters and detractors."),
        (people, f"this counts people: divide by the number of scores ({len(v):,}), times 100."),
        (_pct(v == 10) - de, "only 10s were counted as promoters; promoters score 9 or 10 (>= 9)."),
        (pro - _pct(v <= 5), "6 was left out of the detractors; detractors score 0 to 6 (<= 6)."),
        (pro - _pct(v <= 7), "7 was counted as a detractor; 7 and 8 are passives (<= 6)."),
    ]
    # promoters minus detractors, each rounded first (as read off an explorer), is right too
    by_parts = [round(pro, d) - round(de, d) for d in (1, 2)]
    if any(math.isclose(value, part, abs_tol=1e-9) for part in by_parts):
        expected = value
    _judge(
        value,
        expected,
        name,
        mistakes + _others(others),
        correct=f": {pro:.0f} % promoters minus {de:.0f} % detractors, of {len(v):,} scores.",
        wrong=f"the NPS of these {len(v):,} scores: % of scores 9-10 minus % of scores 0-6. "
        "Check both shares, and that you used the right scores.",
    )


def csat(answer: Any, scores: Any, *, name: str = "your answer", others: Others = None) -> None:
    """Check that ``answer`` is the CSAT of ``scores``: the % answering 4 or 5 on 1-5.

    Recognises a fraction, the average score, top-1-box (only 5s), 3 counted
    as satisfied, the share not satisfied, and a count instead of a percentage.

    Parameters
    ----------
    answer : number
        Your CSAT, in %; a one-element Series is fine.
    scores : list or pandas Series
        The 1-5 satisfaction scores.
    name : str
        Your variable's name, for the messages.
    others : dict, optional
        Other values the answer could be confused with, by what they are.

    Examples
    --------
    >>> csat(60, [5, 4, 3, 5, 1], name="my_csat")
    Correct: my_csat = 60 %: the share of the 5 answers that are 4 or 5 (satisfied).
    >>> csat(3.6, [5, 4, 3, 5, 1], name="my_csat")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: my_csat = 3.6: this is the average score (1 to 5), not CSAT...
    """
    scores = _snapshot(scores)  # before the answer's own conversion runs
    how = "CSAT is one number: pass the scores to cxkit.csat(...)."
    value = _number(answer, name, how, own_methods=True)
    expected = _csat(scores)
    v = np.asarray(pd.Series(scores).to_numpy(dtype="float64"))
    mean = float(np.mean(v))
    mistakes = [
        (mean, "this is the average score (1 to 5), not CSAT: the % of answers that are 4 or 5."),
        (_pct(v == 5), "only 5s were counted (top-1-box); CSAT counts 4 and 5 as satisfied."),
        (_pct(v >= 3), "3 (neither satisfied nor dissatisfied) was counted; count 4 and 5 only."),
        (100 - expected, "this is the share NOT satisfied (1 to 3); CSAT is the share of 4 and 5."),
        (_pct(v <= 2), "this is the share dissatisfied (1 or 2); CSAT is the share of 4 and 5."),
        (float(np.sum(v >= 4)), f"this counts answers: divide by {len(v):,} and multiply by 100."),
        (20 * mean, "this is the average score as a % of 5, not the share of 4s and 5s."),
    ]
    _judge(
        value,
        expected,
        name,
        mistakes + _others(others),
        correct=f" %: the share of the {len(v):,} answers that are 4 or 5 (satisfied).",
        wrong=f"the CSAT of these {len(v):,} answers: the % of answers that are 4 or 5.",
    )


def effort(
    answer: Any,
    scores: Any,
    method: str = "mean",
    *,
    name: str = "your answer",
    others: Others = None,
) -> None:
    """Check that ``answer`` is the customer effort of ``scores`` (1 = very easy, 7 = very hard).

    Parameters
    ----------
    answer : number
        Your effort score; a one-element Series is fine.
    scores : list or pandas Series
        The 1-7 effort scores.
    method : {"mean", "high"}, default "mean"
        As in :func:`cxkit.effort`: the average, or the % answering 5 to 7.
    name : str
        Your variable's name, for the messages.
    others : dict, optional
        Other values the answer could be confused with, by what they are.

    Examples
    --------
    >>> effort(3.6, [1, 2, 2, 6, 7], name="my_effort")
    Correct: my_effort = 3.6: the average effort of 5 answers (1 = very easy, 7 = very hard).
    >>> effort(40, [1, 2, 2, 6, 7], name="my_effort")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: my_effort = 40: this is the % answering 5 to 7 ...
    """
    scores = _snapshot(scores)  # before the answer's own conversion runs
    how = "Effort is one number: pass the scores to cxkit.effort(...)."
    value = _number(answer, name, how, own_methods=True)
    expected = _effort(scores, method)
    v = np.asarray(pd.Series(scores).to_numpy(dtype="float64"))
    mean, high = float(np.mean(v)), _pct(v >= 5)
    if method == "mean":
        mistakes = [
            (high, 'this is the % answering 5 to 7 (method="high"); the average is wanted.'),
            (8 - mean, "the scale is reversed: 1 means very easy and 7 very difficult."),
            (float(np.median(v)), "this is the median; the effort score is the average (mean)."),
        ]
        correct = f": the average effort of {len(v):,} answers (1 = very easy, 7 = very hard)."
        wrong = f"the average effort (1 to 7) of these {len(v):,} answers."
    else:
        mistakes = [
            (mean, 'this is the average; method="high" asks for the % answering 5 to 7.'),
            (100 - high, "this is the share answering 1 to 4; count 5, 6 and 7."),
            (_pct(v >= 4), "4 is the middle of the scale: count 5, 6 and 7 only."),
            (float(np.sum(v >= 5)), f"this is a count: divide by {len(v):,} and multiply by 100."),
        ]
        correct = f" %: the share of the {len(v):,} answers that are 5 to 7 (hard)."
        wrong = f"the % of these {len(v):,} answers that are 5, 6 or 7."
    _judge(
        value,
        expected,
        name,
        mistakes + _others(others),
        correct=correct,
        wrong=wrong,
        decimals=1 if method == "mean" else 0,
        percent=method != "mean",
    )


def share(
    answer: Any,
    expected: float,
    *,
    name: str = "your answer",
    total: int | None = None,
    others: Others = None,
) -> None:
    """Check that ``answer`` is a share in percentage points (20 for 20 %).

    Parameters
    ----------
    answer : number
        Your share, 0 to 100.
    expected : float
        The right share, in %.
    name : str
        Your variable's name, for the messages.
    total : int, optional
        How many rows the share is of, to recognise a count.
    others : dict, optional
        Other values the answer could be confused with, by what they are.

    Examples
    --------
    >>> share(25, 25.0, name="promoters")
    Correct: promoters = 25 %.
    >>> share(0.25, 25.0, name="promoters")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: promoters = 0.25: this looks like a fraction; ...
    """
    value = _number(answer, name, "A share is one number, in %.")
    if value == 0 and expected > 0:
        _fail(f"{name} = 0: no row matched your condition, yet some should. {_CHAINED}")
    mistakes = [(100 - expected, "this is the share of the other rows: check your condition.")]
    if total:
        count = expected * total / 100
        mistakes.append((count, f"this counts rows: divide by {total} and multiply by 100."))
    _judge(
        value,
        expected,
        name,
        mistakes + _others(others),
        correct=" %.",
        wrong="the share asked for: check the condition, and divide by all rows.",
    )


def number(
    answer: Any,
    expected: float,
    *,
    name: str = "your answer",
    hint: str = "",
    others: Others = None,
) -> None:
    """Check that ``answer`` is the number ``expected``; rounding to 2 decimals is fine.

    Parameters
    ----------
    answer : number
        Your number; a one-element Series is fine.
    expected : float
        The right number.
    name : str
        Your variable's name, for the messages.
    hint : str
        What to look at when the answer is wrong.
    others : dict, optional
        Other values the answer could be confused with, by what they are.

    Examples
    --------
    >>> number(4.5, 4.5, name="days")
    Correct: days = 4.5.
    >>> number(None, 4.5, name="days")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: days is still None. Replace None with your answer in the cell...
    """
    value = _number(answer, name, hint)
    wrong = f"the number asked for. {hint}".strip()
    _judge(
        value, expected, name, _others(others), correct=".", wrong=wrong, decimals=2, percent=False
    )


def interval(answer: Any, expected: Sequence[float], *, name: str = "your answer") -> None:
    """Check that ``answer`` is the interval ``expected``: two numbers, (low, high).

    Parameters
    ----------
    answer : tuple of two numbers
        Your interval, such as what :func:`cxkit.nps_ci` returns.
    expected : tuple of two numbers
        The right interval.
    name : str
        Your variable's name, for the messages.

    Examples
    --------
    >>> interval((11.9, 27.8), (11.93, 27.84), name="ci")
    Correct: ci = (11.9, 27.8): the true value is likely in here, 15.9 points wide.
    >>> interval((27.84, 11.93), (11.93, 27.84), name="ci")
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: ci = (27.8, 11.9): the low end comes first, (low, high).
    """
    _answered(answer, name)
    answer = _plain(answer)
    how = "An interval is two numbers, (low, high), as cxkit.nps_ci(...) returns."
    if not isinstance(answer, tuple | list | np.ndarray | pd.Series):
        _fail(f"{name} is not a pair of numbers. {how}")
    if len(answer) != 2:
        _fail(f"{name} holds {len(answer)} values, not two. {how}")
    low, high = (_number(part, name, how) for part in answer)
    want_low, want_high = (float(x) for x in expected)
    shown = f"({_show(low)}, {_show(high)})"
    if _close(low, want_low, 1) and _close(high, want_high, 1):
        width = _show(high - low)
        print(f"Correct: {name} = {shown}: the true value is likely in here, {width} points wide.")
        return
    if _close(low, want_high, 1) and _close(high, want_low, 1):
        _fail(f"{name} = {shown}: the low end comes first, (low, high).")
    if _close(100 * low, want_low, 1) and _close(100 * high, want_high, 1):
        _fail(f"{name} = {shown}: these look like fractions; the interval is in points.")
    _fail(f"{name} = {shown} is not the interval asked for. {how} Check the scores you used.")


# --- tables ---------------------------------------------------------------------------------


def _table(answer: Any, name: str) -> pd.DataFrame:
    _answered(answer, name)
    answer = _plain(answer)
    if isinstance(answer, pd.Series):
        _fail(
            f"{name} is one column (a Series), not a table. Keep whole rows: "
            'table[condition], not table["column"][condition].'
        )
    if not isinstance(answer, pd.DataFrame):
        _fail(f"{name} is a {type(answer).__name__}, not a table (DataFrame).")
    return answer


def _some(labels: Sequence[Any] | pd.Index, unit: str = "") -> str:
    """'row 3, row 7, row 9 and 2 more'."""
    shown = ", ".join(f"{unit}{x}" for x in list(labels)[:3])
    return shown + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")


def _same_rows(table: pd.DataFrame, expected: pd.DataFrame, name: str) -> str:
    """Raise CheckFailed unless ``table`` has the rows, and values, of ``expected``."""
    want_by, got_by = list(expected.index.names), list(table.index.names)
    grouped = any(n is not None for n in want_by)
    unit = "group" if grouped else "row"
    if grouped and got_by != want_by:
        got = " and ".join(str(n) for n in got_by if n is not None) or "row"
        want = " and ".join(str(n) for n in want_by)
        _fail(f'{name} has one row per {got}; one row per {want} is wanted: group by "{want}".')
    if table.empty and not expected.empty:
        _fail(f"{name} has no rows: nothing matched. Spelling and upper/lower case matter.")
    if table.index.has_duplicates:
        _fail(f"{name} holds some {unit}s twice: keep each {unit} once.")
    extra = table.index.difference(expected.index)
    if len(extra):
        _fail(f"{name} has {len(extra)} {unit}(s) too many ({_some(extra, unit + ' ')}).")
    missing = expected.index.difference(table.index)
    if len(missing):
        _fail(f"{name} misses {len(missing)} {unit}(s) ({_some(missing, unit + ' ')}).")
    for column in expected.columns:
        if column not in table.columns:
            _fail(f'{name} has no column "{column}": keep the columns as they come.')
        # reindex, not .loc: a True/False index would be read as a mask
        want, got = expected[column], table[column].reindex(expected.index)
        numeric = pd.api.types.is_numeric_dtype
        if numeric(want.dtype) and numeric(got.dtype):
            same = np.isclose(got.to_numpy(float), want.to_numpy(float), equal_nan=True)
        else:
            same = (got.astype(object) == want.astype(object)).to_numpy() | (
                got.isna().to_numpy() & want.isna().to_numpy()
            )
        if not same.all():
            _fail(
                f'{name} has the right {unit}s but other values in column "{column}": check '
                "the function, the column and the table you used."
            )
    return unit


def _left_out(answer: Any, name: str, optional: bool) -> bool:
    """True (and a note) when a table that is only working, not the answer, was left as None."""
    if optional and answer is None:
        print(
            f"Fine: {name} is left as None. Without code the explorer shows this table; "
            "the answers below it carry the points."
        )
        return True
    return False


def frame_rows(
    answer: Any, expected: pd.DataFrame, *, name: str = "your table", optional: bool = False
) -> None:
    """Check that a table has the expected rows and, in the expected columns, the same values.

    Works for a selection of rows (compared by row label) and for a table with
    one row per group, such as what :func:`cxkit.nps_by` returns.

    Parameters
    ----------
    answer : pandas DataFrame
        Your table.
    expected : pandas DataFrame
        The right table.
    name : str
        Your variable's name, for the messages.
    optional : bool, default False
        The table is working on the way to the exercise's answer: left as None
        (the way without code, reading the explorer), it passes; given, it is checked.

    Examples
    --------
    >>> df = pd.DataFrame({"team": ["a", "b", "a"], "recommend": [10, 3, 9]})
    >>> frame_rows(None, df, name="mine", optional=True)  # doctest: +ELLIPSIS
    Fine: mine is left as None. Without code the explorer shows this table; ...
    >>> frame_rows(df[df["team"] == "a"], df.iloc[[0, 2]], name="mine")
    Correct: mine has the 2 rows expected.
    >>> frame_rows(df, df.iloc[[0, 2]], name="mine")
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: mine has 1 row(s) too many (row 1).
    """
    if _left_out(answer, name, optional):
        return
    unit = _same_rows(_table(answer, name), expected, name)
    print(f"Correct: {name} has the {len(expected):,} {unit}{'s' * (len(expected) != 1)} expected.")


def rows_where(
    answer: Any,
    table: pd.DataFrame,
    column: str,
    values: Any,
    *,
    name: str = "your table",
    optional: bool = False,
) -> None:
    """Check that ``answer`` holds exactly the rows of ``table`` whose ``column`` is in ``values``.

    Recognises the rows of another value (another department's, say), the
    whole table, an empty selection (often upper/lower case) and a value left out.

    Parameters
    ----------
    answer : pandas DataFrame
        Your selection of rows.
    table : pandas DataFrame
        The table you selected from.
    column : str
        The column of the condition.
    values : str or list of str
        The value, or values, the rows should have.
    name : str
        Your variable's name, for the messages.
    optional : bool, default False
        As for :func:`frame_rows`: None passes, a table given is checked.

    Examples
    --------
    >>> df = pd.DataFrame({"team": ["a", "b", "a"], "recommend": [10, 3, 9]})
    >>> rows_where(df[df["team"] == "a"], df, "team", "a", name="mine")
    Correct: mine has the 2 rows where team is a.
    >>> rows_where(df[df["team"] == "b"], df, "team", "a", name="mine")
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: mine holds the rows where team is b; keep those where it is a.
    """
    if _left_out(answer, name, optional):
        return
    single = isinstance(values, str) or not hasattr(values, "__iter__")
    wanted = [str(v) for v in ([values] if single else values)]
    owner = table[column].astype(object)
    expected = table[owner.isin(wanted).to_numpy()]
    chosen, shown = _table(answer, name), " or ".join(wanted)
    got = sorted({str(v) for v in owner.loc[table.index.intersection(chosen.index)].dropna()})
    if len(chosen) == len(table) and len(expected) < len(table):
        _fail(f"{name} holds every row of the table: keep the rows where {column} is {shown}.")
    if got and not set(got) & set(wanted):
        theirs = " or ".join(got)
        _fail(f"{name} holds the rows where {column} is {theirs}; keep those where it is {shown}.")
    if chosen.empty and not expected.empty:
        like = ", ".join(f'"{v}"' for v in sorted({str(v) for v in owner.dropna()})[:4])
        _fail(
            f"{name} has no rows: nothing matched. {column} is written like {like}, and upper/"
            "lower case matters: compare with the variable rather than a typed name."
        )
    lacking = [v for v in wanted if v not in got and v in set(owner)]
    if got and lacking:
        _fail(f"{name} leaves out the rows where {column} is {' or '.join(lacking)}: use .isin().")
    _same_rows(chosen, expected, name)
    print(f"Correct: {name} has the {len(expected):,} rows where {column} is {shown}.")


def touchpoints(
    answer: Any, touchpoints: pd.DataFrame, department: str, *, name: str = "my_touchpoints"
) -> None:
    """Check that ``answer`` holds the touchpoints ``department`` owns, back-office ones too.

    Parameters
    ----------
    answer : pandas DataFrame or list of str
        Rows of the touchpoints table, or the touchpoints' names.
    touchpoints : pandas DataFrame
        The touchpoints table: columns ``touchpoint``, ``department`` and ``back_office``.
    department : str
        The department, such as "accounting".
    name : str
        Your variable's name, for the messages.

    Examples
    --------
    >>> import cxkit
    >>> table = cxkit.load("touchpoints")
    >>> touchpoints(table[table["department"] == "accounting"], table, "accounting")
    Correct: accounting owns 2 touchpoints: invoice, payment reminder (2 back-office).
    >>> touchpoints(["invoice"], table, "accounting")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: my_touchpoints leaves out the back-office touchpoint(s) payment...
    """
    owners = touchpoints["department"].astype(object)
    known = sorted({str(d) for d in owners.dropna()})
    if department not in known:
        _fail(
            f'department is "{department}", and no touchpoint is owned by it.'
            f"{close_match(str(department), known)} Departments are written in lower case: "
            f"{', '.join(known)}. Change it in the parameters cell at the top, then run all cells."
        )
    _answered(answer, name)
    answer = _plain(answer)
    if isinstance(answer, pd.DataFrame):
        if "touchpoint" not in answer.columns:
            _fail(f"{name} has no touchpoint column: keep whole rows of the touchpoints table.")
        answer = answer["touchpoint"]
    names = [answer] if isinstance(answer, str) else list(answer)
    got = {str(n) for n in names if not pd.isna(n)}
    mine = touchpoints[(owners == department).to_numpy()]
    want = {str(n) for n in mine["touchpoint"]}
    back = {str(n) for n in mine.loc[mine["back_office"].astype(bool).to_numpy(), "touchpoint"]}
    if not got:
        _fail(
            f"{name} is empty: no row matched. Department names are written in lower case, "
            f'like "{department}": compare with the variable department, not a typed name.'
        )
    if got == {str(n) for n in touchpoints["touchpoint"]}:
        _fail(f"{name} holds every touchpoint: keep the rows where department is {department}.")
    for other in known:
        if other != department and got == set(
            touchpoints.loc[(owners == other).to_numpy(), "touchpoint"].astype(str)
        ):
            _fail(
                f'These are the touchpoints of {other}, but department is "{department}". '
                'Compare with the variable: touchpoints["department"] == department.'
            )
    missing, extra = sorted(want - got), sorted(got - want)
    if extra:
        _fail(f"{name} includes touchpoints of other departments: {', '.join(extra)}.")
    if missing and set(missing) <= back:
        _fail(
            f"{name} leaves out the back-office touchpoint(s) {', '.join(missing)}: customers "
            "see only their result, but they count."
        )
    if missing:
        _fail(f"{name} misses {', '.join(missing)}.")
    listed = ", ".join(str(n) for n in mine["touchpoint"])
    print(
        f"Correct: {department} owns {len(want)} touchpoint{'s' * (len(want) != 1)}: {listed} "
        f"({len(back)} back-office)."
    )


def _extreme(answer: Any, table: pd.DataFrame, column: str, name: str, low: bool) -> None:
    """Check that ``answer`` names the row with the lowest (or highest) ``column``."""
    values = table[column].dropna()
    right, opposite = (
        (values.idxmin(), values.idxmax()) if low else (values.idxmax(), values.idxmin())
    )
    word, other, method = (
        ("lowest", "highest", "idxmin") if low else ("highest", "lowest", "idxmax")
    )
    sort = f'.sort_values("{column}")' if low else f'.sort_values("{column}", ascending=False)'
    _answered(answer, name)
    answer = _plain(answer)
    if isinstance(answer, pd.Series | pd.DataFrame):
        _fail(f"{name} is a {type(answer).__name__}; a name is wanted: use .{method}().")
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool | np.bool_):
        extreme = values.min() if low else values.max()
        what = f"the {word} value itself" if _close(float(answer), extreme) else "a number"
        _fail(
            f"{name} is {what}; the name of its row is wanted: "
            f"use .{method}(), not .{method[3:]}()."
        )
    text, labels = str(answer), [str(x) for x in values.index]
    if text == str(right):
        shown, rows = _show(float(values[right])), len(values)
        rank = f"the {word} {column} ({shown}) of {rows}" if rows > 1 else f"the only row ({shown})"
        print(f'Correct: {name} = "{text}", {rank}.')
        return
    if text == str(opposite):
        _fail(f'{name} = "{text}" has the {other} {column}, not the {word}: use .{method}().')
    if text.strip().lower() == str(right).lower():
        _fail(f'{name} = "{text}" is nearly right: write it exactly as in the table.')
    if text not in labels:
        _fail(f'No row is called "{text}".{close_match(text, labels)} Rows: {", ".join(labels)}.')
    _fail(f'{name} = "{text}" is not the {word}: sort the table with {sort}.')


def lowest(
    answer: Any, table: pd.DataFrame, *, column: str = "value", name: str = "your answer"
) -> None:
    """Check that ``answer`` names the row of ``table`` with the lowest ``column``.

    Parameters
    ----------
    answer : str
        The name (row label) you picked, such as a touchpoint.
    table : pandas DataFrame
        One row per group, such as what :func:`cxkit.nps_by` returns.
    column : str, default "value"
        The column to compare.
    name : str
        Your variable's name, for the messages.

    Examples
    --------
    >>> table = pd.DataFrame({"value": [20.0, -5.0]}, index=["delivery", "invoice"])
    >>> lowest("invoice", table, name="worst")
    Correct: worst = "invoice", the lowest value (-5) of 2.
    >>> lowest("delivery", table, name="worst")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: worst = "delivery" has the highest value, not the lowest: ...
    """
    _extreme(answer, table, column, name, low=True)


def highest(
    answer: Any, table: pd.DataFrame, *, column: str = "value", name: str = "your answer"
) -> None:
    """Check that ``answer`` names the row of ``table`` with the highest ``column``.

    Parameters
    ----------
    answer : str
        The name (row label) you picked, such as a warehouse.
    table : pandas DataFrame
        One row per group, such as what :func:`cxkit.nps_by` returns.
    column : str, default "value"
        The column to compare.
    name : str
        Your variable's name, for the messages.

    Examples
    --------
    >>> table = pd.DataFrame({"value": [6.0, 17.0]}, index=["North DC", "South DC"])
    >>> highest("South DC", table, name="latest")
    Correct: latest = "South DC", the highest value (17) of 2.
    >>> highest(17.0, table, name="latest")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: latest is the highest value itself; the name of its row is wanted: ...
    """
    _extreme(answer, table, column, name, low=False)


def choice(
    answer: Any,
    expected: str,
    options: Sequence[str],
    *,
    name: str = "your answer",
    hint: str = "",
) -> None:
    """Check that ``answer`` is the option ``expected``, one of a few written-out ``options``.

    For answers that are a word, such as "yes" or "no", or the name of a
    letter template. Upper or lower case and spaces around the word do not matter.

    Parameters
    ----------
    answer : str
        Your choice.
    expected : str
        The right option.
    options : list of str
        Every option the question offers.
    name : str
        Your variable's name, for the messages.
    hint : str
        What to look at when the choice is wrong.

    Examples
    --------
    >>> choice("Yes", "yes", ["yes", "no"], name="gap_is_real")
    Correct: gap_is_real = "yes".
    >>> choice("maybe", "yes", ["yes", "no"], name="gap_is_real")
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: gap_is_real = "maybe" is not one of the options: "yes" or "no".
    """
    _answered(answer, name)
    answer = _plain(answer)
    shown = " or ".join(f'"{o}"' for o in options)
    if isinstance(answer, bool | np.bool_):
        _fail(f"{name} is {bool(answer)}; write one of the words {shown}, in quotes.")
    if not isinstance(answer, str):
        _fail(f"{name} is a {type(answer).__name__}; write one of the words {shown}, in quotes.")
    text = answer.strip().lower()
    known = {o.lower(): o for o in options}
    if text not in known:
        _fail(
            f'{name} = "{answer}" is not one of the options: {shown}.'
            + close_match(answer, list(options))
        )
    if known[text] == expected:
        print(f'Correct: {name} = "{expected}".')
        return
    _fail(f'{name} = "{known[text]}" is not the right choice. {hint}'.rstrip())


def commitment(answer: Any, touchpoints: pd.DataFrame, *, name: str = "commitment") -> None:
    """Check that a commitment is complete: every field written, a real touchpoint, a date.

    Complete is all that is checked: what you commit to is yours.

    Parameters
    ----------
    answer : Commitment
        What ``cxkit.commitment(...)`` returned.
    touchpoints : pandas DataFrame
        The touchpoints table: the touchpoint must be one of its ``touchpoint`` names.
    name : str
        Your variable's name, for the messages.

    Examples
    --------
    >>> import cxkit
    >>> table = cxkit.load("touchpoints")
    >>> commitment(cxkit.commitment("Friendly letter first", "payment reminder", "days to pay",
    ...                             "5 days sooner", "2027-03-31"), table)
    Correct: commitment is complete: payment reminder, days to pay, by 2027-03-31.
    >>> commitment(cxkit.commitment("Friendly letter first"), table)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.checks.CheckFailed: commitment still needs: touchpoint, metric, target, by. Write each...
    """
    from cxkit.commitments import Commitment

    _answered(answer, name)
    if not isinstance(answer, Commitment):
        _fail(
            f"{name} is a {type(answer).__name__}; write it as cxkit.commitment(change=..., ...)."
        )
    missing = answer.missing()
    if missing:
        _fail(
            f"{name} still needs: {', '.join(missing)}. Write each between the quotes in the cell "
            "above, then run it again."
        )
    known = [str(t) for t in touchpoints["touchpoint"].dropna()]
    if answer.touchpoint not in known:
        _fail(
            f'{name}: "{answer.touchpoint}" is not one of the company\'s touchpoints.'
            f"{close_match(answer.touchpoint, known)} Touchpoints: {', '.join(known)}."
        )
    try:
        due = pd.Timestamp(answer.by)
    except ValueError:
        due = None
    if due is None or pd.isna(due):
        _fail(f'{name}: by = "{answer.by}" is not a date; write it like "2027-03-31".')
    print(f"Correct: {name} is complete: {answer.touchpoint}, {answer.metric}, by {due.date()}.")
