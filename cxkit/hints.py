"""Hints for the errors pandas gives beginners: one line, saying what to change.

A participant who mistypes a column name meets thirty lines of pandas'
insides, ending in ``KeyError: 'Recommend'``. ``brief`` turns the common
mistakes of the workshops into one line and a hint instead: a column that is
not there (with the closest one), text compared with a number, ``and`` where
pandas wants ``&``, ``==`` with a list, an answer still ``None``. ``note``
does the same for the warning pandas 3 gives when a chained assignment
changed nothing. Any other error keeps its full traceback: ``brief`` returns
None for what it does not recognise.

They are made for a notebook's first cell (``cxkit.checks.start()``): ``show``
is an IPython custom exception handler (``shell.set_custom_exc(KINDS, show)``),
``note`` the text of a warning.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import pandas as pd
from pandas.api.typing import DataFrameGroupBy, SeriesGroupBy
from pandas.errors import ChainedAssignmentError

from cxkit.errors import CxkitError, close_match

KINDS: tuple[type[BaseException], ...] = (
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    NameError,
)
"""The kinds of error ``brief`` may shorten."""

_RED, _DIM, _RESET = "\x1b[1;31m", "\x1b[2m", "\x1b[0m"
_MORE = f"{_DIM}For the full details, run %tb in a new cell.{_RESET}"
_SHOWN = 12  # names listed before "..."
_TEXT_TYPES = ("str", "string")

_CHAINED = (
    'Note: this line changed nothing. pandas 3 ignores table["column"][condition] = value '
    '(chained assignment): write table.loc[condition, "column"] = value.'
)
_NONE = "A value here is still None: replace None with your answer, or run the answer cell above."
_AND_OR = (
    "And, or and not cannot combine whole columns: use & for and, | for or, ~ for not, "
    'with each condition in brackets: table[(table["a"] >= 9) & (table["b"] == "x")].'
)
_ISIN = (
    '"==" compares with one value, not a list: to keep rows matching any value of a list, write '
    'table[table["column"].isin(list_of_values)].'
)
_LABELLED = (
    "These two columns come from different tables (their rows differ): compare columns of one "
    "table, or a column with one value."
)
_APPLY = (
    "In pandas 3, groupby().apply leaves out the grouping column; pick the columns you need "
    'first, or use .agg: table.groupby("group")["column"].agg("mean").'
)
_CALLED = 'Pick from a table with square brackets: table["column"], not table("column").'


def brief(
    etype: type[BaseException], value: BaseException, tb: TracebackType | None
) -> list[str] | None:
    """The short lines a participant sees for a common pandas mistake, or None.

    Parameters
    ----------
    etype : type
        The kind of error, as IPython gives it.
    value : BaseException
        The error.
    tb : traceback or None
        Its traceback; the tables it passed through name what was looked for.

    Returns
    -------
    list of str or None
        One line with the kind of error, the line of the cell and the hint, then
        a dim line saying how to see everything; None for an error without a
        hint (a ``CxkitError`` included: it says what to fix already).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"recommend": [9, 3]})
    >>> try:
    ...     table["Recommend"]
    ... except KeyError as error:
    ...     lines = brief(KeyError, error, error.__traceback__)
    >>> print(lines[0][lines[0].index("There"):])
    There is no column "Recommend" in this table. Did you mean "recommend"? Its columns: recommend.
    """
    if isinstance(value, CxkitError) or not isinstance(value, KINDS):
        return None
    try:
        hint = _hint(value, tb)
    except Exception:  # noqa: BLE001 - a hint that cannot be worked out leaves the full traceback
        return None
    if hint is None:
        return None
    return [f"{_RED}{etype.__name__}{_where(tb)}:{_RESET} {hint}", _MORE]


def note(message: Warning | str, category: type[Warning]) -> str | None:
    """One line for a warning that means the participant's line did nothing, or None.

    Parameters
    ----------
    message : Warning or str
        The warning, as ``warnings.showwarning`` receives it.
    category : type
        Its class.

    Returns
    -------
    str or None
        The note to print instead of pandas' paragraph; None for any other warning.

    Examples
    --------
    >>> from pandas.errors import ChainedAssignmentError
    >>> note("A value is being set on a copy", ChainedAssignmentError)[:35]
    'Note: this line changed nothing. pa'
    >>> note("deprecated", FutureWarning) is None
    True
    """
    return _CHAINED if issubclass(category, ChainedAssignmentError) else None


def show(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> list[str]:
    """Show an error in an IPython shell: briefly when ``brief`` has a hint, in full otherwise.

    Parameters
    ----------
    shell : IPython InteractiveShell
        The shell running the cell.
    etype, value, tb : the error, as IPython's custom exception handlers receive it.
    tb_offset : int, optional
        Frames to leave out of a full traceback.

    Returns
    -------
    list of str
        The lines shown, as an error output: the cell still counts as failed.
    """
    lines = brief(etype, value, tb)
    if lines is None:
        lines = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    shell._showtraceback(etype, value, lines)
    return lines


# --- where the error happened --------------------------------------------------------------


def _frames(tb: TracebackType | None) -> Iterator[Any]:
    """The frames of a traceback, outermost first."""
    while tb is not None:
        yield tb.tb_frame
        tb = tb.tb_next


def _where(tb: TracebackType | None) -> str:
    """' (line n of this cell)' for the line of the participant's cell, or ''."""
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "<module>":
            return f" (line {tb.tb_lineno} of this cell)"
        tb = tb.tb_next
    return ""


def _objects(tb: TracebackType | None, kinds: tuple[type, ...]) -> list[Any]:
    """The pandas objects the traceback worked on (``self`` or ``obj``), outermost first."""
    found = []
    for frame in _frames(tb):
        for name in ("self", "obj"):
            thing = frame.f_locals.get(name)
            if isinstance(thing, kinds):
                found.append(thing)
    return found


def _names(labels: Any) -> str:
    """Labels as a short list for a message."""
    shown = [str(label) for label in list(labels)[:_SHOWN]]
    return ", ".join(shown) + (", ..." if len(labels) > _SHOWN else "")


# --- the hints -----------------------------------------------------------------------------


def _hint(error: BaseException, tb: TracebackType | None) -> str | None:
    """The hint for one error, or None."""
    if isinstance(error, KeyError):
        return _missing(error, tb)
    if isinstance(error, AttributeError):
        return _attribute(error)
    if isinstance(error, NameError):
        return _undefined(error, tb)
    text = str(error)
    for pattern, hint in _BY_MESSAGE:
        match = re.search(pattern, text)
        if match:
            return hint(match)
    return None


def _undefined(error: NameError, tb: TracebackType | None) -> str | None:
    """A name that is not defined: a typed word without its quotes, a typo, or a cell not run."""
    name = getattr(error, "name", None)
    if not name:
        return None
    cell = next((f for f in _frames(tb) if f.f_code.co_name == "<module>"), None)
    known = [n for n in (cell.f_globals if cell else {}) if not n.startswith("_")]
    closest = close_match(name, known)
    if closest:
        return f"There is no variable {name}.{closest}"
    return (
        f'There is no variable {name}. A word you read off an explorer goes in quotes: "{name}". '
        "A variable of the notebook exists once its cell has run: run the cells above "
        "(Run > Run All Above Selected Cell)."
    )


def _missing_keys(error: KeyError) -> list[Any]:
    """The keys pandas could not find, read from its KeyError."""
    key = error.args[0] if error.args else None
    if not isinstance(key, str):
        return [key]
    found = re.search(r"^Column not found: (.*)$", key)
    if found:
        return [found.group(1)]
    listed = re.search(r"^\"?\[(.*)\] not in index|None of \[Index\(\[(.*?)\]", key)
    if listed:
        try:
            return list(ast.literal_eval(f"[{listed.group(1) or listed.group(2)}]"))
        except (ValueError, SyntaxError):
            return [key]
    return [key]


def _missing(error: KeyError, tb: TracebackType | None) -> str | None:
    """A name or label that is not there: say where it was looked for, and the closest."""
    keys = _missing_keys(error)
    shown = ", ".join(f'"{k}"' if isinstance(k, str) else repr(k) for k in keys)
    key = str(keys[0])
    # A grouping that failed while being built has no obj yet: read it without pandas' lookup.
    grouped = [vars(g).get("obj") for g in _objects(tb, (DataFrameGroupBy, SeriesGroupBy))]
    grouped = [g for g in grouped if isinstance(g, pd.DataFrame)]
    tables = _objects(tb, (pd.DataFrame,)) or grouped
    searched = _objects(tb, (pd.Index,))
    if tables:
        table = tables[-1]  # the innermost: the table the name was looked for in
        if isinstance(table, pd.DataFrame) and not (searched and searched[-1] is table.index):
            columns = [str(c) for c in table.columns]
            if any(key in map(str, g.columns) and key not in columns for g in grouped):
                return f'There is no column "{key}" in each group. {_APPLY}'
            return (
                f"There is no column {shown} in this table.{close_match(key, columns)} "
                f"Its columns: {_names(columns)}."
            )
        return (
            f"There is no row labelled {shown} in this table. .loc[...] picks rows by their label; "
            'to keep rows by a condition, write table[table["column"] == value].'
        )
    series = _objects(tb, (pd.Series,))
    if series:
        labels = [str(label) for label in series[0].index]
        return (
            f"{shown} is not one of the labels of this column.{close_match(key, labels)} "
            f"Its labels: {_names(labels)}."
        )
    if any(f.f_globals.get("__name__", "").startswith("pandas") for f in _frames(tb)):
        return (
            f"{shown} was not found: check its spelling and capitals "
            "(table.columns lists a table's columns)."
        )
    return None


def _attribute(error: AttributeError) -> str | None:
    """A method or column name after a dot that is not there."""
    thing, name = getattr(error, "obj", None), getattr(error, "name", None)
    if "'NoneType' object" in str(error):
        return _NONE
    if not isinstance(thing, pd.DataFrame | pd.Series) or not isinstance(name, str):
        return None
    known = [n for n in dir(thing) if not n.startswith("_")]
    kind = "table" if isinstance(thing, pd.DataFrame) else "column"
    return (
        f'A {kind} has no "{name}".{close_match(name, known)} '
        'To pick a column, put its name in square brackets and quotes: table["column"].'
    )


def _compared(match: re.Match[str]) -> str:
    """A column compared with a value of another kind: text, numbers or dates."""
    column, value = match.group("column"), match.group("value")
    if column.startswith("datetime"):
        return (
            f"This compares dates with a {value}: write the date as text in quotes, "
            'year-month-day, like "2025-07-01".'
        )
    if column in _TEXT_TYPES:
        return (
            f"This compares text with a number ({value}): the column holds text. Compare it with "
            'text in quotes, like "small_business", or pick a column of numbers.'
        )
    return (
        f"This compares numbers ({column}) with text: write the number without quotes (9, not "
        '"9"), or pick the column of text.'
    )


def _not_text(match: re.Match[str]) -> str:
    """A number put into a column of text."""
    value = match.group(1)
    return (
        f'This column holds text, and {value} is not text: write it in quotes ("{value}"), '
        "or put numbers in a new column of their own."
    )


def _needs_numbers(match: re.Match[str]) -> str:
    """A calculation on text."""
    operation = match.group(1)
    return (
        f"{operation.capitalize()} needs numbers, and a column here holds text. Pick the column "
        f'of numbers first, for example table.groupby("group")["score"].{operation}().'
    )


def _fixed(hint: str) -> Callable[[re.Match[str]], str]:
    """A hint that does not depend on the message."""
    return lambda match: hint


_BY_MESSAGE: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (r"NoneType", _fixed(_NONE)),
    (r"not supported between instances of '(?P<column>\w+)' and '(?P<value>\w+)'", _compared),
    (r"Invalid comparison between dtype=(?P<column>\S+) and (?P<value>\w+)", _compared),
    (r"Invalid value '(.*)' for dtype '(?:str|string)'", _not_text),
    (r"Cannot perform reduction '(\w+)' with string dtype", _needs_numbers),
    (r"dtype '(?:str|string)' does not support operation '(\w+)'", _needs_numbers),
    (
        r"unsupported operand type\(s\) for .*'str'|can only concatenate str",
        _fixed("Text and numbers cannot be added or subtracted: pick a column of numbers."),
    ),
    (r"'(?:DataFrame|Series)' object is not callable", _fixed(_CALLED)),
    (r"truth value of a (?:Series|DataFrame) is ambiguous", _fixed(_AND_OR)),
    (r"Lengths must match to compare", _fixed(_ISIN)),
    (r"Can only compare identically-labeled", _fixed(_LABELLED)),
    (r"include_groups=True is no longer allowed", _fixed(_APPLY)),
    (
        r"could not convert string to float: (.*)|invalid literal for int\(\) with base 10: (.*)",
        _fixed(
            "Some text here is not a number, so it cannot be turned into one: look at the values "
            "of the column (.unique()) and pick a column of numbers."
        ),
    ),
)
