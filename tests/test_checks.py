"""Answer checks: each hint fires on the mistake it names, and a pass says so plainly."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from notebooks import KERNELSPEC, run

import cxkit
from cxkit import checks
from cxkit.checks import CheckFailed

# 10 answers: 5 promoters (50 %), 3 passives, 2 detractors (20 %): NPS 30
SCORES = pd.Series([10, 10, 9, 9, 9, 8, 8, 7, 6, 2], name="recommend")
CSAT = pd.Series([5, 5, 4, 4, 4, 3, 3, 2, 1, 5], name="csat")  # 6 of 10 are 4-5: 60 %
EFFORT = pd.Series([1, 1, 2, 2, 3, 3, 5, 6, 7, 7], name="effort")  # mean 3.7, 40 % are 5-7


def hint(check, *args, **kwargs) -> str:
    """The message of the CheckFailed a check raises."""
    with pytest.raises(CheckFailed) as failed:
        check(*args, **kwargs)
    return str(failed.value)


# --- NPS ----------------------------------------------------------------------------------


def test_nps_pass_prints_one_plain_line(capsys):
    """Does a right NPS print one line starting with Correct, with the two shares?"""
    checks.nps(30.0, SCORES, name="nps_by_hand")
    assert capsys.readouterr().out == (
        "Correct: nps_by_hand = 30: 50 % promoters minus 20 % detractors, of 10 scores.\n"
    )


@pytest.mark.parametrize(
    ("answer", "expected_hint"),
    [
        (0.3, "looks like a fraction"),
        (0.0, "passives (7-8) were counted as detractors"),
        (60.0, "passives (7-8) were counted as promoters"),
        (50.0, "share of promoters only"),
        (-20.0, "chained assignment"),
        (-30.0, "the sign is reversed"),
        (7.8, "the average score"),
        (3, "counts people"),
        (0.6, "passives (7-8) were counted as promoters; promoters are 9 or 10. Also, it is a"),
    ],
)
def test_nps_hints_name_the_likely_mistake(answer, expected_hint):
    """Does each typical wrong NPS get the hint for its mistake?"""
    assert expected_hint in hint(checks.nps, answer, SCORES, name="x")


def test_nps_wrong_boundaries():
    """Are promoters counted as 10 only, and detractors as 0-5, recognised?"""
    only_tens = pd.Series([10, 9, 9, 2])  # NPS 75 - 25 = 50; with 10s only: 25 - 25 = 0
    assert "only 10s were counted as promoters" in hint(checks.nps, 0, only_tens)
    no_sixes = pd.Series([10, 9, 6, 2, 2])  # NPS 40 - 60 = -20; with <= 5: 40 - 40 = 0
    assert "6 was left out of the detractors" in hint(checks.nps, 0, no_sixes)


def test_nps_chained_assignment_hint_names_the_fix():
    """Does "no promoters found" point at pandas 3 chained assignment and .loc?"""
    message = hint(checks.nps, -20.0, SCORES, name="nps_by_hand")
    assert 'table.loc[condition, "column"] = value' in message
    assert "pandas 3" in message


def test_nps_wrong_data_named_by_others():
    """Does a value from the wrong data get the description given in others?"""
    message = hint(checks.nps, 11.4, SCORES, name="nps_20", others={"the NPS of all answers": 11.4})
    assert message == "nps_20 = 11.4: this is the NPS of all answers."


def test_nps_unknown_mistake_explains_without_giving_the_answer():
    """Does an unexplained wrong value get the definition, and never the right number?"""
    message = hint(checks.nps, 17.0, SCORES, name="x")
    assert "% of scores 9-10 minus % of scores 0-6" in message
    assert "30" not in message


def test_nps_accepts_rounding_and_one_element_series(capsys):
    """Are a rounded answer and a one-element Series accepted?"""
    scores = pd.Series([10, 9, 9, 8, 7, 6, 5, 10, 3, 9, 9, 1])  # NPS 16.666...
    checks.nps(17, scores)
    checks.nps(16.7, scores)
    checks.nps(pd.Series([100 * 2 / 12]), scores)
    assert capsys.readouterr().out.count("Correct:") == 3


@pytest.mark.parametrize(
    ("answer", "expected_hint"),
    [
        (None, "x is still None. Replace None with your answer"),
        (SCORES, "holds 10 values (one per row?), not one number"),
        (pd.DataFrame({"a": [1, 2], "b": [3, 4]}), "is a table (2 rows, 2 columns)"),
        ("30", 'is the text "30", not a number: remove the quotes'),
        (True, "is True (True/False), not a number"),
        (float("nan"), "NaN"),
        (np.inf, "is infinite"),
        ((10.0, 50.0), "like an interval"),
        (pd.Series([], dtype=float), "is empty"),
    ],
)
def test_not_a_number_is_named(answer, expected_hint):
    """Does an answer that is not one number say what it is instead?"""
    assert expected_hint in hint(checks.nps, answer, SCORES, name="x")


def test_bad_scores_raise_cxkit_error():
    """Are scores off the scale refused by cxkit, not blamed on the answer?"""
    with pytest.raises(cxkit.CxkitError, match="from 0 to 10"):
        checks.nps(30, [11, 3])


# --- CSAT and effort ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected_hint"),
    [
        (3.6, "the average score (1 to 5), not CSAT"),
        (30.0, "only 5s were counted (top-1-box)"),
        (80.0, "3 (neither satisfied nor dissatisfied) was counted"),
        (0.6, "looks like a fraction"),
        (40.0, "share NOT satisfied"),
        (6, "counts answers"),
        (72.0, "average score as a % of 5"),
    ],
)
def test_csat_hints(answer, expected_hint):
    """Does each typical wrong CSAT get its hint?"""
    assert expected_hint in hint(checks.csat, answer, CSAT, name="csat_all")


def test_csat_pass(capsys):
    """Does a right CSAT say what it is?"""
    checks.csat(60, CSAT, name="csat_all")
    assert capsys.readouterr().out.startswith("Correct: csat_all = 60 %: the share of the 10")


@pytest.mark.parametrize(
    ("answer", "method", "expected_hint"),
    [
        (40.0, "mean", 'this is the % answering 5 to 7 (method="high")'),
        (4.3, "mean", "the scale is reversed"),
        (3.0, "mean", "this is the median"),
        (3.7, "high", "this is the average"),
        (0.4, "high", "looks like a fraction"),
        (60.0, "high", "share answering 1 to 4"),
    ],
)
def test_effort_hints(answer, method, expected_hint):
    """Does each typical wrong effort score get its hint?"""
    assert expected_hint in hint(checks.effort, answer, EFFORT, method, name="effort_all")


def test_effort_accepts_one_decimal(capsys):
    """Is an average effort rounded to one decimal accepted?"""
    checks.effort(3.7, EFFORT)
    checks.effort(40, EFFORT, "high")
    assert capsys.readouterr().out.count("Correct:") == 2


# --- shares, numbers and intervals --------------------------------------------------------


def test_share_hints():
    """Are a fraction, a count, the complement and zero (chained assignment) recognised?"""
    assert "looks like a fraction" in hint(checks.share, 0.25, 25.0, name="promoters")
    assert "counts rows: divide by 8" in hint(checks.share, 2, 25.0, name="p", total=8)
    assert "share of the other rows" in hint(checks.share, 75, 25.0, name="p")
    assert "chained assignment" in hint(checks.share, 0, 25.0, name="p")


def test_number_uses_the_hint_given():
    """Does number() say what to look at, as the grade cell asked?"""
    message = hint(checks.number, 12, 4.5, name="days", hint="Use the median, not the mean.")
    assert message == "days = 12 is not the number asked for. Use the median, not the mean."


@pytest.mark.parametrize(
    ("answer", "expected_hint"),
    [
        (None, "still None"),
        (11.9, "is not a pair of numbers"),
        ((1, 2, 3), "holds 3 values, not two"),
        ((27.84, 11.93), "the low end comes first"),
        ((0.1193, 0.2784), "look like fractions"),
        ((0.0, 5.0), "is not the interval asked for"),
    ],
)
def test_interval_hints(answer, expected_hint):
    """Does each wrong interval get its hint?"""
    assert expected_hint in hint(checks.interval, answer, (11.93, 27.84), name="ci_20")


def test_interval_pass_says_how_wide(capsys):
    """Does a right interval say how wide it is?"""
    checks.interval(cxkit.nps_ci(SCORES), cxkit.nps_ci(SCORES), name="ci_20")
    assert "points wide" in capsys.readouterr().out


# --- tables -------------------------------------------------------------------------------

TEAMS = pd.DataFrame(
    {"team": ["a", "b", "a", "c"], "region": ["N", "S", "S", "N"], "recommend": [10, 3, 9, 7]}
)


def test_frame_rows_hints():
    """Are the wrong grouping, no rows, extra or missing rows and other values recognised?"""
    by_team = cxkit.nps_by(TEAMS, "team")
    assert 'one row per region; one row per team is wanted: group by "team"' in hint(
        checks.frame_rows, cxkit.nps_by(TEAMS, "region"), by_team, name="t"
    )
    assert "has no rows" in hint(checks.frame_rows, TEAMS.iloc[:0], TEAMS.iloc[:2], name="t")
    assert "1 row(s) too many (row 3)" in hint(checks.frame_rows, TEAMS, TEAMS.iloc[:3])
    assert "misses 1 row(s) (row 2)" in hint(checks.frame_rows, TEAMS.iloc[:2], TEAMS.iloc[:3])
    other = cxkit.csat_by(TEAMS.assign(csat=[5, 1, 4, 3]), "team")
    assert 'other values in column "value"' in hint(checks.frame_rows, other, by_team)
    assert "holds some rows twice" in hint(checks.frame_rows, TEAMS.iloc[[0, 0, 1]], TEAMS)
    assert "one column (a Series), not a table" in hint(
        checks.frame_rows, TEAMS["team"], TEAMS, name="t"
    )


def test_rows_where_hints():
    """Are another value, the whole table, an empty selection and a left-out value recognised?"""
    a = TEAMS[TEAMS["team"] == "a"]
    assert "holds the rows where team is b" in hint(
        checks.rows_where, TEAMS[TEAMS["team"] == "b"], TEAMS, "team", "a"
    )
    assert "holds every row of the table" in hint(checks.rows_where, TEAMS, TEAMS, "team", "a")
    assert "upper/lower case matters" in hint(
        checks.rows_where, TEAMS[TEAMS["team"] == "A"], TEAMS, "team", "a"
    )
    assert "leaves out the rows where team is c: use .isin()" in hint(
        checks.rows_where, a, TEAMS, "team", ["a", "c"]
    )


def test_rows_where_pass(capsys):
    """Does a right selection with .isin pass?"""
    chosen = TEAMS[TEAMS["team"].isin(["a", "c"])]
    checks.rows_where(chosen, TEAMS, "team", ["a", "c"], name="mine")
    assert capsys.readouterr().out == "Correct: mine has the 3 rows where team is a or c.\n"


@pytest.fixture(scope="module")
def touchpoints() -> pd.DataFrame:
    return cxkit.load("touchpoints")


def test_touchpoints_of_another_department(touchpoints):
    """Does another department's selection say whose it is?"""
    theirs = touchpoints[touchpoints["department"] == "logistics"]
    message = hint(checks.touchpoints, theirs, touchpoints, "accounting")
    assert message.startswith('These are the touchpoints of logistics, but department is "account')


def test_touchpoints_typed_with_a_capital(touchpoints):
    """Does "Accounting" typed in the filter (an empty selection) point at lower case?"""
    empty = touchpoints[touchpoints["department"] == "Accounting"]
    message = hint(checks.touchpoints, empty, touchpoints, "accounting")
    assert "written in lower case" in message


def test_touchpoints_with_a_misspelt_department_parameter(touchpoints):
    """Does a department parameter that owns nothing point at the parameters cell?"""
    message = hint(checks.touchpoints, touchpoints.iloc[:0], touchpoints, "Accounting")
    assert 'Did you mean "accounting"?' in message
    assert "parameters cell" in message


def test_touchpoints_other_hints(touchpoints):
    """Are the whole table, a missing back-office touchpoint and extra ones recognised?"""
    assert "holds every touchpoint" in hint(checks.touchpoints, touchpoints, touchpoints, "it")
    assert "leaves out the back-office touchpoint(s) delivery slot" in hint(
        checks.touchpoints, ["delivery"], touchpoints, "logistics"
    )
    assert "includes touchpoints of other departments: invoice" in hint(
        checks.touchpoints, ["delivery", "delivery slot", "invoice"], touchpoints, "logistics"
    )
    assert "has no touchpoint column" in hint(
        checks.touchpoints, touchpoints[["stage"]], touchpoints, "it"
    )


def test_touchpoints_pass_for_a_back_office_department(touchpoints, capsys):
    """Does a department with only back-office touchpoints pass, from a list of names too?"""
    checks.touchpoints(["agent training"], touchpoints, "people")
    assert capsys.readouterr().out == (
        "Correct: people owns 1 touchpoint: agent training (1 back-office).\n"
    )


def test_lowest_hints(capsys):
    """Are the highest, the value itself, a table, a near miss and an unknown name recognised?"""
    table = pd.DataFrame({"value": [20.0, -5.0, 3.0]}, index=["delivery", "invoice", "checkout"])
    assert "has the highest value" in hint(checks.lowest, "delivery", table, name="w")
    assert "the lowest value itself" in hint(checks.lowest, -5.0, table, name="w")
    assert "is a Series" in hint(checks.lowest, table["value"], table, name="w")
    assert "nearly right" in hint(checks.lowest, "Invoice ", table, name="w")
    assert 'Did you mean "invoice"?' in hint(checks.lowest, "invoise", table, name="w")
    assert "is not the lowest" in hint(checks.lowest, "checkout", table, name="w")
    checks.lowest(np.str_("invoice"), table, name="w")
    assert capsys.readouterr().out.startswith('Correct: w = "invoice", the lowest value (-5) of 3')


def test_frame_rows_with_a_true_false_index(capsys):
    """Is a table grouped by a True/False column compared by label, not read as a mask?"""
    df = pd.DataFrame({"waited": [True, False, True], "csat": [5, 2, 4]})
    expected = cxkit.csat_by(df, "waited")
    checks.frame_rows(cxkit.csat_by(df, "waited"), expected, name="by_wait")
    assert capsys.readouterr().out == "Correct: by_wait has the 2 groups expected.\n"
    swapped = expected.assign(value=expected["value"].to_numpy()[::-1])
    assert 'other values in column "value"' in hint(
        checks.frame_rows, swapped, expected, name="by_wait"
    )


def test_highest_hints(capsys):
    """Does highest name the opposite end, the value itself, a typo and a middle row?"""
    table = pd.DataFrame({"value": [6.0, 17.0, 9.0]}, index=["North DC", "South DC", "East DC"])
    assert "has the lowest value, not the highest: use .idxmax()" in hint(
        checks.highest, "North DC", table, name="w"
    )
    assert "the highest value itself" in hint(checks.highest, 17.0, table, name="w")
    assert "use .idxmax(), not .max()" in hint(checks.highest, 17.0, table, name="w")
    assert 'Did you mean "South DC"?' in hint(checks.highest, "Suoth DC", table, name="w")
    assert "ascending=False" in hint(checks.highest, "East DC", table, name="w")
    checks.highest("South DC", table, name="w")
    assert capsys.readouterr().out.startswith(
        'Correct: w = "South DC", the highest value (17) of 3'
    )


def test_choice_accepts_case_and_spaces_and_names_the_options(capsys):
    """Does choice take " Yes " for "yes", and say what the options are when it is none of them?"""
    checks.choice(" Yes ", "yes", ["yes", "no"], name="real")
    assert capsys.readouterr().out == 'Correct: real = "yes".\n'
    assert hint(
        checks.choice, "no", "yes", ["yes", "no"], name="real", hint="Do they overlap?"
    ) == ('real = "no" is not the right choice. Do they overlap?')
    assert 'Did you mean "friendly"?' in hint(
        checks.choice, "frendly", "friendly", ["friendly", "standard"], name="t"
    )
    assert "(True/False)" not in hint(checks.choice, True, "yes", ["yes", "no"], name="real")
    assert 'is True; write one of the words "yes" or "no"' in hint(
        checks.choice, True, "yes", ["yes", "no"], name="real"
    )
    assert "is still None" in hint(checks.choice, None, "yes", ["yes", "no"], name="real")


# --- start() ------------------------------------------------------------------------------


def test_start_prints_warnings_on_stdout(capsys, monkeypatch):
    """After start(), does a warning print as a one-line note on stdout, nothing on stderr?"""
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    checks.start()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("this will change", FutureWarning, stacklevel=1)
    out, err = capsys.readouterr()
    assert (out, err) == ("Note (FutureWarning): this will change\n", "")


def test_importing_checks_changes_nothing():
    """Does importing cxkit.checks leave warnings and IPython's handlers alone?"""
    code = (
        "import warnings\nshown = warnings.showwarning\nfrom cxkit import checks\n"
        "print(warnings.showwarning is shown)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


@pytest.mark.slow
def test_in_a_kernel_failures_stay_errors_and_warnings_move_to_stdout(tmp_path):
    """In Jupyter, is a warning on stderr before start() and stdout after, and failures short?

    IPython also keeps each error for ``%notebook``: a failed check is kept as shown,
    without formatting a full traceback nobody sees; other errors keep theirs.
    """
    warn = "import warnings\nwarnings.warn('careful', FutureWarning)"
    cells = [
        "import cxkit\nfrom cxkit import checks",
        warn,
        "checks.start()",
        warn.replace("careful", "still careful"),
        "checks.nps(0.3, [10, 10, 9, 9, 9, 8, 8, 7, 6, 2], name='nps_by_hand')",
        "x = 1\ncxkit.nps([11, 3])",
        "def share(n):\n    return 1 / n\nshare(0)",
        "import json\nkept = get_ipython().history_manager.exceptions\n"
        "print(json.dumps({n: kept[n]['traceback'] for n in sorted(kept)}))",
    ]
    notebook = new_notebook(cells=[new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = KERNELSPEC
    done = run(nbformat.from_dict(notebook), tmp_path, allow_errors=True)
    outputs = [c.outputs for c in done.cells]
    assert [o.name for o in outputs[1]] == ["stderr"]  # before start(): would cost points
    assert [(o.name, o.text) for o in outputs[3]] == [
        ("stdout", "Note (FutureWarning): still careful\n")
    ]
    (failed,) = outputs[4]
    assert (failed.output_type, failed.ename) == ("error", "CheckFailed")
    assert failed.traceback == [
        "\x1b[1;31mNot yet:\x1b[0m nps_by_hand = 0.3: this looks like a fraction; the answer "
        "is in points: multiply by 100."
    ]
    (error,) = outputs[5]
    assert error.ename == "CxkitError"
    assert error.traceback[0].startswith("\x1b[1;31mCxkitError (line 2 of this cell):")
    kept = json.loads(outputs[7][0].text)
    assert kept["5"] == failed.traceback
    assert kept["6"] == error.traceback
    (division,) = outputs[6]
    assert division.ename == "ZeroDivisionError"
    assert len(kept["7"]) > 1 and "share" in "".join(kept["7"])  # a full traceback, as shown


# --- answers that are objects of their own --------------------------------------------------


def _calls_with_expected_in_reach(calls: list[bool]):
    """A method that notes whether a variable named ``expected`` is in any calling frame."""

    def method(self, *args):
        frame, seen = sys._getframe(1), False
        while frame is not None:
            seen = seen or "expected" in frame.f_locals
            frame = frame.f_back
        calls.append(seen)
        return float.__float__(self) if isinstance(self, float) else NotImplemented

    return method


def _spy(base: type, calls: list[bool], *names: str) -> type:
    spying = _calls_with_expected_in_reach(calls)
    return type(f"Spy{base.__name__}", (base,), dict.fromkeys(names, spying))


@pytest.mark.parametrize(
    ("check", "make"),
    [
        (lambda a: checks.number(a, 42.0, name="n"), lambda cls: cls(42.0)),
        (lambda a: checks.share(a, 30.0, name="s"), lambda cls: cls(30.0)),
        (lambda a: checks.nps(a, SCORES, name="n"), lambda cls: cls(30.0)),
        (lambda a: checks.interval((a, a), (30.0, 30.0), name="ci"), lambda cls: cls(30.0)),
    ],
)
def test_a_number_answer_runs_none_of_its_methods_with_the_right_answer_in_reach(check, make):
    """Is a float of the participant's own type judged by its plain value, and do its own
    methods (comparisons, rounding, hashing) never run while the right answer is in reach?"""
    calls: list[bool] = []
    spy = _spy(
        float,
        calls,
        "__eq__",
        "__ne__",
        "__lt__",
        "__le__",
        "__gt__",
        "__ge__",
        "__hash__",
        "__round__",
        "__sub__",
        "__rsub__",
        "__abs__",
        "__float__",
    )
    check(make(spy))  # passes, judged on its plain value
    assert not any(calls)


def test_a_table_of_its_own_type_or_with_objects_of_their_own_is_read_as_plain_data():
    """Is a DataFrame of a derived type not taken as a table, and are objects inside a
    table compared as plain data, their own __eq__ never called?"""
    calls: list[bool] = []
    frame = pd.DataFrame({"team": ["a", "b", "a"], "recommend": [10, 3, 9]})
    derived = type("MyFrame", (pd.DataFrame,), {})(frame)
    assert hint(checks.frame_rows, derived, frame, name="mine") == (
        "mine is a MyFrame, not a table (DataFrame)."
    )
    spy = _spy(str, calls, "__eq__", "__ne__", "__hash__")
    odd = frame.assign(team=pd.Series([spy("a"), spy("b"), spy("a")], dtype=object))
    checks.frame_rows(odd, frame, name="mine")
    assert calls == []


def test_a_word_of_its_own_type_is_judged_by_its_plain_text():
    """Does choice() read a str of the participant's own type by its text, never calling
    its own strip(), lower() or comparisons?"""
    calls: list[bool] = []
    spy = _spy(str, calls, "strip", "lower", "__eq__", "__hash__")
    assert hint(checks.choice, spy("no"), "yes", ["yes", "no"], name="gap") == (
        'gap = "no" is not the right choice.'
    )
    assert calls == []


# --- tables that are only working, and the commitment ---------------------------------------


def test_an_optional_table_may_be_left_out_but_a_given_one_is_checked(capsys):
    """Does optional=True pass None with a note, and still fail a wrong table?"""
    table = pd.DataFrame({"team": ["a", "b", "a"], "recommend": [10, 3, 9]})
    checks.frame_rows(None, table, name="by_team", optional=True)
    checks.rows_where(None, table, "team", "a", name="mine", optional=True)
    assert capsys.readouterr().out.count("is left as None") == 2
    assert "too many" in hint(checks.frame_rows, table, table.iloc[[0, 2]], optional=True)
    assert "holds the rows where team is b" in hint(
        checks.rows_where, table[table["team"] == "b"], table, "team", "a", optional=True
    )
    assert "still None" in hint(checks.frame_rows, None, table, name="by_team")


def test_a_commitment_is_checked_for_completeness_only(capsys):
    """Complete passes whatever it says; a blank field, an unknown touchpoint or a date that
    is not a date each get their own message."""
    touchpoints = cxkit.load("touchpoints")
    full = {"change": "Call back", "touchpoint": "invoice", "metric": "anything at all"}
    full |= {"target": "better", "by": "2027-03-31"}
    checks.commitment(cxkit.commitment(**full), touchpoints)
    assert "invoice, anything at all, by 2027-03-31" in capsys.readouterr().out
    assert "still needs: target, by" in hint(
        checks.commitment, cxkit.commitment(**(full | {"target": "", "by": " "})), touchpoints
    )
    assert 'Did you mean "invoice"' in hint(
        checks.commitment, cxkit.commitment(**(full | {"touchpoint": "invoices"})), touchpoints
    )
    assert 'by = "end of March" is not a date' in hint(
        checks.commitment, cxkit.commitment(**(full | {"by": "end of March"})), touchpoints
    )
    assert "still None" in hint(checks.commitment, None, touchpoints)
    assert "write it as cxkit.commitment" in hint(checks.commitment, full, touchpoints)
    with pytest.raises(
        cxkit.CxkitError, match='metric is 3, not text; write it in quotes, like "3"'
    ):
        cxkit.commitment(metric=3)


def test_nps_from_shares_rounded_first_is_right():
    """Is promoters minus detractors, each rounded to 1 or 2 decimals first, accepted, while a
    number off by more than that rounding is not?"""
    scores = pd.Series([10] * 361 + [7] * 391 + [3] * 248)  # 36.1 % minus 24.8 %: NPS 11.3
    checks.nps(11.3, scores)
    uneven = pd.Series([10] * 3613 + [7] * 3909 + [3] * 2478)  # 36.13 - 24.78 = 11.35
    checks.nps(36.1 - 24.8, uneven)
    checks.nps(36.13 - 24.78, uneven)
    assert "is not the NPS" in hint(checks.nps, 11.1, uneven)


def test_a_number_rounded_too_much_says_how_many_decimals():
    """Is 4.5 for 4.5678 (two decimals wanted) told to keep two decimals, and 4.9 still wrong?"""
    checks.number(4.57, 4.5678, name="days")
    assert "rounded too much: type it with 2 decimals" in hint(checks.number, 4.6, 4.5678)
    assert "is not the number asked for" in hint(checks.number, 4.9, 4.5678)
