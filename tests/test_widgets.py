"""Tests for cxkit.widgets: the plain functions, and the widgets built headless."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit import CxkitError


@pytest.fixture(scope="module")
def surveys() -> pd.DataFrame:
    return cxkit.load("surveys")


def test_explore_matches_the_metrics_on_the_same_rows(surveys):
    """Does explore give the same NPS, CSAT and effort as the metrics on the selected rows?"""
    table = cxkit.explore(surveys, department="logistics", period="2025Q3")
    when = surveys["response_date"]
    rows = surveys[
        (surveys["department"] == "logistics") & (when >= "2025-07-01") & (when <= "2025-09-30")
    ]
    assert table.loc["NPS", "value"] == pytest.approx(cxkit.nps(rows["recommend"]))
    assert table.loc["CSAT", "value"] == pytest.approx(cxkit.csat(rows["csat"]))
    assert table.loc["effort", "value"] == pytest.approx(cxkit.effort(rows["effort"]))
    assert (table["n"] == len(rows)).all()
    low, high = cxkit.nps_ci(rows["recommend"])
    assert table.loc["NPS", ["ci_low", "ci_high"]].tolist() == pytest.approx([low, high])


def test_explore_joins_the_segment_from_the_customers_table(surveys):
    """Is the segment taken from the customers table, and asked for when it is missing?"""
    customers = cxkit.load("customers")
    table = cxkit.explore(surveys, customers, segment="small_business")
    business = set(customers.loc[customers["segment"] == "small_business", "customer_id"])
    assert table.loc["NPS", "n"] == surveys["customer_id"].isin(business).sum()
    with pytest.raises(CxkitError, match="pass the customers table"):
        cxkit.explore(surveys, segment="household")


def test_explore_explains_a_bad_choice(surveys):
    """Do a misspelled department, a bad period and an empty selection get clear messages?"""
    with pytest.raises(CxkitError, match='Did you mean "logistics"'):
        cxkit.explore(surveys, department="logistic")
    with pytest.raises(CxkitError, match="is not a period"):
        cxkit.explore(surveys, period="last summer")
    with pytest.raises(CxkitError, match="Widen the selection"):
        cxkit.explore(surveys, period="2030")


def test_flag_recent_marks_events_within_the_window_before_the_response():
    """Is a response flagged only when a flagged event came 0 to `days` days before it?"""
    answers = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "C"],
            "response_date": pd.to_datetime(
                ["2025-03-01", "2025-09-01", "2025-03-01", "2025-03-01"]
            ),
        },
        index=[10, 11, 12, 13],
    )
    invoices = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "issue_date": pd.to_datetime(["2025-02-01", "2025-03-02", "2025-02-01"]),
            "disputed": [True, True, False],
        }
    )
    flagged = cxkit.flag_recent(answers, invoices, "disputed")
    assert flagged.index.tolist() == [10, 11, 12, 13]
    # A: 28 days before; A later: too long ago; B: after the response; C: not disputed
    assert flagged.tolist() == [True, False, False, False]
    assert cxkit.flag_recent(answers, invoices, "disputed", days=10).sum() == 0


def test_what_if_arithmetic_on_a_known_split():
    """Does the projection follow the weighted-average arithmetic the docstring states?"""
    scores = [0] * 10 + [10] * 10 + [10] * 60 + [0] * 20  # affected: NPS 0; others: NPS 50
    affected = pd.Series([True] * 20 + [False] * 80)
    frame = pd.DataFrame({"recommend": scores})
    result = cxkit.what_if(frame, affected, 50)
    assert result["affected_share"] == 20.0
    assert result["nps_affected"] == 0.0
    assert result["nps_others"] == 50.0
    assert result["nps_now"] == pytest.approx(cxkit.nps(scores))
    assert result["affected_share_after"] == 10.0
    assert result["nps_after"] == pytest.approx(0.1 * 0 + 0.9 * 50)
    assert result["change"] == pytest.approx(result["nps_after"] - result["nps_now"])
    assert result["ci_low"] < result["nps_after"] < result["ci_high"]
    assert result["change_low"] < result["change"] < result["change_high"]
    none = cxkit.what_if(frame, affected, 0)
    assert none["change"] == 0.0
    assert none["nps_after"] == pytest.approx(none["nps_now"])


def test_what_if_interval_matches_the_stated_variance():
    """Is the interval half-width z * sqrt(w'^2 var_a + (1 - w')^2 var_o) in NPS points?"""
    scores = [0] * 10 + [10] * 10 + [10] * 60 + [0] * 20
    affected = pd.Series([True] * 20 + [False] * 80)
    result = cxkit.what_if(pd.DataFrame({"recommend": scores}), affected, 50)
    var_a = (0.5 + 0.5 - 0.0**2) / 20
    var_o = (0.75 + 0.25 - 0.5**2) / 80
    half = 1.959964 * np.sqrt(0.1**2 * var_a + 0.9**2 * var_o) * 100
    assert result["ci_high"] - result["nps_after"] == pytest.approx(half, rel=1e-5)


def test_disputes_cost_nps_in_the_sample(surveys):
    """Do respondents with a recent disputed invoice have a much lower NPS, as planted?"""
    relationship = surveys[surveys["survey_type"] == "relationship"]
    disputed = cxkit.flag_recent(relationship, cxkit.load("invoices"), "disputed")
    result = cxkit.what_if(relationship, disputed, 100)
    assert result["nps_affected"] < result["nps_others"] - 40
    assert result["affected_share_after"] == 0.0
    assert result["nps_after"] == pytest.approx(result["nps_others"])
    assert result["change_low"] > 0


def test_what_if_checks_its_inputs(surveys):
    """Are a percentage out of range and a misaligned flag refused?"""
    relationship = surveys[surveys["survey_type"] == "relationship"]
    flags = pd.Series(False, index=relationship.index)
    with pytest.raises(CxkitError, match="percentage from 0 to 100"):
        cxkit.what_if(relationship, flags, 150)
    with pytest.raises(CxkitError, match="same index"):
        cxkit.what_if(relationship, flags.reset_index(drop=True), 50)
    with pytest.raises(CxkitError, match="nothing to compare"):
        cxkit.what_if(relationship, flags, 50)


def test_explanation_states_the_arithmetic_and_the_assumption(surveys):
    """Does the explanation quote the numbers, the interval and the causal assumption?"""
    relationship = surveys[surveys["survey_type"] == "relationship"]
    disputed = cxkit.flag_recent(relationship, cxkit.load("invoices"), "disputed")
    result = cxkit.what_if(relationship, disputed, 50)
    text = cxkit.explain_what_if(result, "a disputed invoice")
    assert f"NPS {result['nps_now']:.1f}" in text
    assert f"NPS would be {result['nps_after']:.1f}" in text
    assert f"{result['ci_low']:.1f} to {result['ci_high']:.1f}" in text
    assert "assumes the problem causes" in text
    with pytest.raises(CxkitError, match="result of cxkit.what_if"):
        cxkit.explain_what_if(pd.Series({"nps": 1.0}))


def test_explorer_builds_headless_and_updates_its_table(surveys):
    """Does the explorer build without a kernel and redraw when a drop-down changes?"""
    box = cxkit.explorer(surveys)
    department, segment, period = box.children[0].children
    result = box.children[1]
    assert "NPS" in result.value and "effort" in result.value
    department.value = "accounting"
    expected = cxkit.explore(surveys, department="accounting")
    assert f"<td>{expected.loc['NPS', 'value']:.1f}</td>" in result.value
    period.value = period.options[1]
    assert period.value == "2025Q1"
    assert "CSAT" in result.value


def test_what_if_explorer_builds_headless_and_follows_the_slider():
    """Does the what-if widget build without a kernel and recompute on each slider move?"""
    box = cxkit.what_if_explorer()
    slider, text = box.children
    assert slider.value == 50
    before = text.value
    slider.value = 80
    assert text.value != before
    assert "a disputed invoice in the 90 days before answering" in text.value


# --- look_up: the answer explorer -----------------------------------------------------------


def test_look_up_shows_the_rounded_result_and_follows_its_drop_down(surveys):
    """Does the explorer show the chosen grouping rounded, in the widget too, and read its cells?"""
    box = cxkit.look_up(lambda by: cxkit.nps_by(surveys, by), by=["touchpoint", "department"])
    exact = cxkit.nps_by(surveys, "touchpoint")
    assert box.settings == {"by": "touchpoint"}
    assert box.read("invoice", "value") == pytest.approx(round(exact.loc["invoice", "value"], 1))
    widget = box.widget()
    (picker,) = widget.children[0].children
    picker.value = "department"
    by_department = cxkit.nps_by(surveys, "department")
    assert box.settings == {"by": "department"}
    shown = round(float(by_department.loc["logistics", "value"]), 1)
    assert box.read("logistics", "value") == pytest.approx(shown)
    assert f"<td>{shown:.1f}</td>" in widget.children[1].value


def test_look_up_set_moves_the_widget_and_reads_a_typed_literal(surveys):
    """Does set() move the drop-down as a person would, and read() give what they would type?"""
    relationship = surveys[surveys["survey_type"] == "relationship"]
    box = cxkit.look_up(
        lambda column: cxkit.nps(relationship[column]) if column == "recommend" else 0.123,
        decimals=2,
        column=["other", "recommend"],
    )
    widget = box.widget()
    assert box.read() == 0.12
    box.set(column="recommend")
    assert widget.children[0].children[0].value == "recommend"
    value = box.read()
    assert value == round(cxkit.nps(relationship["recommend"]), 2)
    assert repr(value) == repr(round(cxkit.nps(relationship["recommend"]), 2))


def test_look_up_whole_numbers_read_as_a_person_types_them():
    """Is 18.0 read as 18, a numpy number as a plain one, and a word as the word?"""
    table = pd.DataFrame({"value": [18.0, 2.345]}, index=["a", "b"])
    box = cxkit.look_up(lambda row: table.loc[row, "value"], row=["a", "b"])
    assert repr(box.read()) == "18"
    assert repr(box.set(row="b").read()) == "2.3"
    words = cxkit.look_up(lambda n: pd.Series(["x", "y"], index=[1, 2])[n], n=[1, 2])
    assert words.set(n=2).read() == "y"


def test_look_up_explains_bad_settings_and_shows_errors_in_place(surveys):
    """A setting that is not an option, a control that does not exist, an error while showing:
    each a plain message, and the explorer keeps working."""
    box = cxkit.look_up(lambda by: cxkit.nps_by(surveys, by), by=["touchpoint", "nope"])
    with pytest.raises(CxkitError, match="by='segment' is not an option; options: 'touchpoint'"):
        box.set(by="segment")
    with pytest.raises(CxkitError, match="there is no control 'bye'"):
        box.set(bye="touchpoint")
    box.set(by="nope")
    assert "nope" in box.message and "nope" in box.html()
    with pytest.raises(CxkitError, match="shows no value"):
        box.read("invoice", "value")
    box.set(by="touchpoint")
    assert box.message == "" and box.read("invoice", "n") > 0
    with pytest.raises(CxkitError, match="has no row or column"):
        box.read("nowhere", "value")
    with pytest.raises(CxkitError, match="name the column"):
        box.read("invoice")
    with pytest.raises(CxkitError, match="no options"):
        cxkit.look_up(lambda by: 1, by=[])
    with pytest.raises(CxkitError, match="must be a function"):
        cxkit.look_up("nps", by=["x"])
