"""Hints for pandas errors: each common mistake, made for real, becomes one line and a fix."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from notebooks import KERNELSPEC, run

import cxkit
from cxkit import hints

SURVEYS = pd.DataFrame(
    {
        "segment": pd.Series(["household", "small_business", "household"], dtype="str"),
        "recommend": [9, 5, 7],
        "response_date": pd.to_datetime(["2025-01-05", "2025-03-01", "2025-07-20"]),
    }
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def shown(mistake: Callable[[], object]) -> list[str] | None:
    """The lines ``brief`` gives for the error a piece of real code raises, colours removed."""
    try:
        mistake()
    except Exception as error:  # noqa: BLE001 - every kind is what is being tested
        lines = hints.brief(type(error), error, error.__traceback__)
        return None if lines is None else [ANSI.sub("", line) for line in lines]
    raise AssertionError("the mistake raised nothing")


def first(mistake: Callable[[], object]) -> str:
    """The one line of the hint (the second line only says how to see everything)."""
    lines = shown(mistake)
    assert lines is not None, "no hint"
    assert lines[1] == "For the full details, run %tb in a new cell."
    return lines[0]


# --- a name that is not there (KeyError, AttributeError) ---------------------------------


@pytest.mark.parametrize(
    ("mistake", "expected"),
    [
        (
            lambda: SURVEYS["Recommend"],
            'KeyError: There is no column "Recommend" in this table. Did you mean "recommend"? '
            "Its columns: segment, recommend, response_date.",
        ),
        (
            lambda: SURVEYS.loc[:, "recomend"],
            'KeyError: There is no column "recomend" in this table. Did you mean "recommend"?',
        ),
        (
            lambda: SURVEYS[["recommend", "segmnt"]],
            'KeyError: There is no column "segmnt" in this table. Did you mean "segment"?',
        ),
        (
            lambda: SURVEYS[["Segment", "Recommend"]],
            'KeyError: There is no column "Segment", "Recommend" in this table. '
            'Did you mean "segment"?',
        ),
        (
            lambda: SURVEYS.groupby("segmnt"),
            'KeyError: There is no column "segmnt" in this table. Did you mean "segment"?',
        ),
        (
            lambda: SURVEYS.groupby("segment")["recomend"],
            'KeyError: There is no column "recomend" in this table. Did you mean "recommend"?',
        ),
    ],
)
def test_a_misspelt_column_names_the_closest(mistake, expected):
    """Does a misspelt column, however it is asked for, name the closest column of the table?"""
    assert first(mistake).startswith(expected)


def test_the_grouping_column_inside_apply():
    """Is the grouping column, missing from each group in apply, told apart from a typo?"""
    line = first(lambda: SURVEYS.groupby("segment").apply(lambda group: group["segment"].iloc[0]))
    assert line.startswith(
        'KeyError: There is no column "segment" in each group. In pandas 3, groupby().apply '
        "leaves out the grouping column"
    )
    misspelt = first(lambda: SURVEYS.groupby("segment").apply(lambda group: group["recomend"]))
    assert 'There is no column "recomend" in this table. Did you mean "recommend"?' in misspelt


def test_a_row_label_that_is_not_there_says_how_to_keep_rows():
    """Is .loc with a label the table lacks told apart from a missing column?"""
    line = first(lambda: SURVEYS.loc[10])
    assert line.startswith("KeyError: There is no row labelled 10 in this table.")
    assert 'table[table["column"] == value]' in line


def test_a_label_missing_from_a_result_names_its_labels():
    """Does a label missing from a Series (a grouped result) name the labels it has?"""
    by_segment = cxkit.nps_by(SURVEYS, "segment")["value"]
    line = first(lambda: by_segment["Household"])
    assert line == (
        'KeyError: "Household" is not one of the labels of this column. Did you mean '
        '"household"? Its labels: household, small_business.'
    )


def test_a_key_error_outside_pandas_keeps_its_traceback():
    """Is a KeyError of a plain dictionary left to Python's own traceback?"""
    assert shown(lambda: {"a": 1}["b"]) is None


def test_a_name_after_a_dot_names_the_closest():
    """Does table.Recomend or .idxmn() name the closest column or method?"""
    assert first(lambda: SURVEYS.Recomend).startswith(
        'AttributeError: A table has no "Recomend". Did you mean "recommend"?'
    )
    assert first(lambda: SURVEYS["recommend"].idxmn()).startswith(
        'AttributeError: A column has no "idxmn". Did you mean "idxmin"?'
    )


# --- values of the wrong kind (TypeError, ValueError) ------------------------------------


def test_text_compared_with_a_number():
    """Does `text column >= 9` say the column holds text and how to compare it?"""
    line = first(lambda: SURVEYS["segment"] >= 9)
    assert line.startswith(
        "TypeError: This compares text with a number (int): the column holds text."
    )


def test_numbers_compared_with_text():
    """Does `number column > "7"` say to write the number without quotes?"""
    line = first(lambda: SURVEYS["recommend"] > "7")
    assert line.startswith("TypeError: This compares numbers (int64) with text: write the number")


def test_dates_compared_with_a_number():
    """Does `date column >= 2025` say how to write a date?"""
    line = first(lambda: SURVEYS["response_date"] >= 2025)
    assert "This compares dates with a int: write the date as text in quotes" in line


def test_a_number_put_into_a_text_column():
    """Does pandas 3's refusal to put a number into a text column say to quote it?"""
    table = SURVEYS.copy()
    line = first(lambda: _set(table))
    assert line.startswith(
        'TypeError: This column holds text, and 5 is not text: write it in quotes ("5")'
    )


def _set(table: pd.DataFrame) -> None:
    """Put a number into the rows of promoters of the text column segment."""
    table.loc[table["recommend"] >= 9, "segment"] = 5


@pytest.mark.parametrize(
    "mistake",
    [lambda: SURVEYS["segment"].mean(), lambda: SURVEYS.groupby("recommend")[["segment"]].mean()],
)
def test_an_average_of_text(mistake):
    """Does the mean of a text column, alone or grouped, say to pick the column of numbers?"""
    assert first(mistake).startswith("TypeError: Mean needs numbers, and a column here holds text.")


def test_an_answer_still_none():
    """Does arithmetic on an answer still None say to replace it?"""
    promoters = None
    line = first(lambda: promoters - 20)
    assert line == (
        "TypeError: A value here is still None: replace None with your answer, or run the answer "
        "cell above."
    )
    assert first(lambda: promoters.mean()).startswith("AttributeError: A value here is still None")


def test_round_brackets_instead_of_square():
    """Does table("column") say to use square brackets?"""
    line = first(lambda: SURVEYS("recommend"))
    assert 'square brackets: table["column"]' in line


def test_and_between_conditions():
    """Does `and` between two conditions say to use & with brackets?"""
    line = first(
        lambda: SURVEYS[(SURVEYS["recommend"] >= 9) and (SURVEYS["segment"] == "household")]
    )
    assert line.startswith(
        "ValueError: And, or and not cannot combine whole columns: use & for and"
    )


def test_equals_with_a_list():
    """Does `== [list]` say to use .isin?"""
    line = first(lambda: SURVEYS[SURVEYS["segment"] == ["household", "small_business"]])
    assert ".isin(list_of_values)" in line


def test_columns_of_two_tables():
    """Does comparing columns of two differently sized tables say where they come from?"""
    line = first(lambda: SURVEYS["recommend"] == SURVEYS["recommend"].head(2))
    assert "come from different tables" in line


def test_text_that_is_not_a_number():
    """Does turning text into numbers say that some text is not a number?"""
    assert "is not a number" in first(lambda: SURVEYS["segment"].astype(float))


def test_group_apply_with_the_grouping_column():
    """Does pandas 3's refusal of include_groups=True say what to do instead?"""
    mistake = lambda: SURVEYS.groupby("segment").apply(len, include_groups=True)  # noqa: E731
    assert "groupby().apply leaves out the grouping column" in first(mistake)


def test_an_unrecognised_error_and_a_cxkit_error_keep_their_own_words():
    """Are errors without a hint, and cxkit's own errors, left alone?"""
    assert shown(lambda: int("12", base=40)) is None  # a ValueError with no hint
    assert shown(lambda: cxkit.nps([11, 3])) is None  # CxkitError: already says what to fix


def test_a_hint_that_cannot_be_worked_out_leaves_the_full_traceback(monkeypatch):
    """If working out a hint fails, is the error left to its full traceback?"""

    def broken(error, tb):
        raise RecursionError("a half-built pandas object")

    monkeypatch.setattr(hints, "_hint", broken)
    assert shown(lambda: SURVEYS["Recommend"]) is None


# --- warnings ----------------------------------------------------------------------------


def test_chained_assignment_becomes_one_note():
    """Is pandas 3's paragraph about chained assignment shortened to one line with the fix?"""
    table = SURVEYS.copy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table["segment"][table["recommend"] >= 9] = "promoter"
    (warning,) = caught
    assert table["segment"].tolist() == ["household", "small_business", "household"]  # unchanged
    assert hints.note(warning.message, warning.category) == (
        'Note: this line changed nothing. pandas 3 ignores table["column"][condition] = value '
        '(chained assignment): write table.loc[condition, "column"] = value.'
    )
    assert hints.note("deprecated", FutureWarning) is None


# --- in a kernel -------------------------------------------------------------------------


@pytest.mark.slow
def test_in_a_kernel_a_hinted_error_is_one_line_and_others_keep_their_traceback(tmp_path):
    """In Jupyter, is a misspelt column one line (still an error), and a dict's KeyError full?"""
    cells = [
        "import pandas as pd\nfrom cxkit import hints\n"
        "get_ipython().set_custom_exc(hints.KINDS, hints.show)",
        "table = pd.DataFrame({'recommend': [9, 3]})\ntable['Recommend']",
        "def look(d):\n    return d['b']\nlook({'a': 1})",
    ]
    notebook = new_notebook(cells=[new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = KERNELSPEC
    done = run(nbformat.from_dict(notebook), tmp_path, allow_errors=True)
    (hinted,) = done.cells[1].outputs
    assert (hinted.output_type, hinted.ename) == ("error", "KeyError")
    assert [ANSI.sub("", line) for line in hinted.traceback] == [
        'KeyError (line 2 of this cell): There is no column "Recommend" in this table. '
        'Did you mean "recommend"? Its columns: recommend.',
        "For the full details, run %tb in a new cell.",
    ]
    (full,) = done.cells[2].outputs
    assert full.ename == "KeyError" and "look" in ANSI.sub("", "".join(full.traceback))


def test_a_word_typed_without_quotes_says_to_quote_it():
    """Does a word read off an explorer and typed bare say to put it in quotes?"""
    namespace: dict[str, object] = {"department": "it"}
    code = compile("lowest_segment = household", "<cell>", "exec")
    try:
        exec(code, namespace)
    except NameError as error:
        lines = hints.brief(NameError, error, error.__traceback__)
    assert lines is not None
    line = ANSI.sub("", lines[0])
    assert line.startswith("NameError (line 1 of this cell): There is no variable household.")
    assert 'goes in quotes: "household"' in line and "Run All Above Selected Cell" in line


def test_a_misspelt_variable_names_the_closest():
    """Does a typo of a notebook variable name the variable meant?"""
    namespace: dict[str, object] = {"relationship": 1}
    try:
        exec(compile("relationshp + 1", "<cell>", "exec"), namespace)
    except NameError as error:
        lines = hints.brief(NameError, error, error.__traceback__)
    assert lines is not None
    assert ANSI.sub("", lines[0]).endswith(
        'There is no variable relationshp. Did you mean "relationship"?'
    )
