"""Survey scores: worked examples, properties, grouped forms, and refusing bad input."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxkit.errors import CxkitError
from cxkit.metrics.survey import (
    csat,
    csat_by,
    csat_ci,
    effort,
    effort_by,
    enps,
    enps_by,
    nps,
    nps_by,
    nps_ci,
)

SCORES = st.lists(st.integers(0, 10), min_size=1, max_size=200)
WORKED = [10] * 180 + [7] * 120 + [0] * 100  # 400 answers: 180 promoters, 100 detractors


def _surveys() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 600
    return pd.DataFrame(
        {
            "region": rng.choice(["North", "South", "East"], n),
            "segment": rng.choice(["household", "small_business"], n),
            "recommend": rng.integers(0, 11, n),
            "csat": rng.integers(1, 6, n),
            "effort": rng.integers(1, 8, n),
        }
    )


# --- worked examples ---------------------------------------------------------------------------


def test_nps_worked_example():
    """Is the NPS of [10, 9, 9, 8, 7, 6, 5, 10, 3, 9] 5 promoters minus 3 detractors = 20?"""
    assert nps([10, 9, 9, 8, 7, 6, 5, 10, 3, 9]) == 20.0


def test_nps_ci_worked_example():
    """Do 180 promoters, 120 passives, 100 detractors give NPS 20 and 95 % CI [11.9, 27.8]?"""
    assert nps(WORKED) == 20.0
    low, high = nps_ci(WORKED)
    assert (round(low, 1), round(high, 1)) == (11.9, 27.8)
    assert isinstance(low, float) and isinstance(high, float)


def test_nps_ci_follows_the_adjusted_wald_formula():
    """Does nps_ci match the formula written out by hand, at another level too?"""
    z = NormalDist().inv_cdf(0.95)
    n = 403
    p, d = 180.75 / n, 100.75 / n
    half = z * math.sqrt((p + d - (p - d) ** 2) / n)
    low, high = nps_ci(WORKED, level=0.9)
    assert low == pytest.approx(100 * (p - d - half))
    assert high == pytest.approx(100 * (p - d + half))
    assert high - low < nps_ci(WORKED, level=0.99)[1] - nps_ci(WORKED, level=0.99)[0]


def test_nps_accepts_every_kind_of_sequence():
    """Do a list, tuple, NumPy array and int, Int64 and float Series give the same NPS?"""
    values = [10, 9, 8, 3]
    forms = [
        values,
        tuple(values),
        np.array(values),
        pd.Series(values),
        pd.Series(values, dtype="Int64"),
        pd.Series(values, dtype="float64"),
        pd.Series(values, dtype="object"),
    ]
    assert [nps(v) for v in forms] == [25.0] * len(forms)


def test_enps_uses_the_nps_arithmetic():
    """Is eNPS the same arithmetic as NPS?"""
    assert enps([9, 10, 7, 3]) == 25.0
    assert enps(WORKED) == nps(WORKED)


def test_csat_top_two_box():
    """Is CSAT the share of 4s and 5s: 3 of [5, 4, 3, 5, 1, 2] -> 50 %?"""
    assert csat([5, 4, 3, 5, 1, 2]) == 50.0
    assert csat([4, 4, 4, 4]) == 100.0
    assert csat([1, 2, 3]) == 0.0


def test_csat_ci_is_the_wilson_interval():
    """Does csat_ci give Wilson's interval: 3 of 5 satisfied -> about [23.1, 88.2]?"""
    low, high = csat_ci([5, 4, 3, 5, 1])
    assert (round(low, 1), round(high, 1)) == (23.1, 88.2)
    low, high = csat_ci([5] * 10)
    assert high == 100.0 and round(low, 1) == 72.2


def test_effort_mean_and_high():
    """Does effort report the 1-7 mean by default, and the % of 5-7 with method="high"?"""
    scores = [1, 2, 2, 6, 7]
    assert effort(scores) == pytest.approx(3.6)
    assert effort(scores, method="mean") == pytest.approx(3.6)
    assert effort(scores, method="high") == 40.0
    assert effort([4, 4], method="high") == 0.0


# --- properties ------------------------------------------------------------------------------


@given(SCORES)
def test_nps_stays_between_minus_and_plus_100(scores):
    """Is every NPS between -100 and 100?"""
    assert -100 <= nps(scores) <= 100


@given(SCORES, st.randoms())
def test_nps_ignores_order(scores, random):
    """Does shuffling the answers leave the NPS unchanged?"""
    shuffled = list(scores)
    random.shuffle(shuffled)
    assert nps(shuffled) == nps(scores)


@given(st.lists(st.sampled_from([9, 10]), min_size=1))
def test_nps_is_100_when_everyone_promotes(scores):
    """Is the NPS exactly 100 when every answer is 9 or 10?"""
    assert nps(scores) == 100.0


@given(SCORES)
def test_nps_ci_is_an_ordered_interval(scores):
    """Is nps_ci low <= high, inside -100..100?"""
    low, high = nps_ci(scores)
    assert -100 <= low <= high <= 100


@given(st.lists(st.integers(0, 10), min_size=30, max_size=300))
def test_nps_ci_contains_the_nps(scores):
    """From 30 answers on, does the interval contain the plain NPS?"""
    low, high = nps_ci(scores)
    assert low - 1e-9 <= nps(scores) <= high + 1e-9


@given(st.lists(st.integers(1, 5), min_size=1, max_size=200))
def test_csat_ci_contains_the_csat(scores):
    """Does the Wilson interval always contain the CSAT itself?"""
    low, high = csat_ci(scores)
    assert 0 <= low <= csat(scores) + 1e-9
    assert csat(scores) - 1e-9 <= high <= 100


# --- grouped forms ----------------------------------------------------------------------------


def test_nps_by_matches_nps_on_each_group():
    """Does nps_by give, for each region, the same n, NPS and interval as nps on its rows?"""
    surveys = _surveys()
    table = nps_by(surveys, "region")
    assert list(table.columns) == ["n", "value", "ci_low", "ci_high"]
    assert list(table.index) == ["East", "North", "South"]
    assert table.index.name == "region"
    for region, row in table.iterrows():
        scores = surveys.loc[surveys["region"] == region, "recommend"]
        assert row["n"] == len(scores)
        assert row["value"] == pytest.approx(nps(scores))
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(nps_ci(scores))


def test_grouped_forms_take_several_keys():
    """Does by=[...] give a row per combination, indexed by both names?"""
    surveys = _surveys()
    table = csat_by(surveys, ["region", "segment"])
    assert table.index.names == ["region", "segment"]
    assert len(table) == 6 and table["n"].sum() == len(surveys)
    rows = surveys[(surveys["region"] == "North") & (surveys["segment"] == "household")]
    assert table.loc[("North", "household"), "value"] == pytest.approx(csat(rows["csat"]))
    ci = csat_ci(rows["csat"])
    assert table.loc[("North", "household"), "ci_low"] == pytest.approx(ci[0])


def test_enps_by_and_effort_by_match_the_scalar_forms():
    """Do enps_by and effort_by (mean and high) agree with enps and effort per group?"""
    surveys = _surveys()
    z = NormalDist().inv_cdf(0.975)
    means, highs = effort_by(surveys, "segment"), effort_by(surveys, "segment", method="high")
    teams = enps_by(surveys, "segment")
    for segment, rows in surveys.groupby("segment"):
        assert teams.loc[segment, "value"] == pytest.approx(enps(rows["recommend"]))
        assert means.loc[segment, "value"] == pytest.approx(effort(rows["effort"]))
        half = z * rows["effort"].std() / math.sqrt(len(rows))
        assert means.loc[segment, "ci_low"] == pytest.approx(rows["effort"].mean() - half)
        assert highs.loc[segment, "value"] == pytest.approx(effort(rows["effort"], "high"))


def test_grouped_forms_drop_missing_scores_per_group():
    """Are rows without a score left out of their group, and an all-empty group shown as n=0?"""
    df = pd.DataFrame(
        {
            "survey_type": ["post_ticket", "post_ticket", "post_ticket", "relationship"],
            "csat": pd.array([5, 2, None, None], dtype="Int64"),
        }
    )
    table = csat_by(df, "survey_type")
    assert table.loc["post_ticket", "n"] == 2
    assert table.loc["post_ticket", "value"] == 50.0
    assert table.loc["relationship", "n"] == 0
    assert np.isnan(table.loc["relationship", ["value", "ci_low", "ci_high"]]).all()
    assert df["csat"].isna().sum() == 2  # the input is untouched


def test_grouped_forms_leave_out_unused_categories():
    """Does a category with no rows stay out of the table (observed=True)?"""
    df = pd.DataFrame(
        {
            "team": pd.Categorical(["b", "a", "b"], categories=["c", "b", "a"]),
            "recommend": [10, 3, 9],
        }
    )
    table = nps_by(df, "team")
    assert list(table.index) == ["b", "a"]  # sorted in category order
    assert table["value"].tolist() == [100.0, -100.0]


def test_small_groups_get_wide_intervals_not_errors():
    """Is a group of 2 reported with a wide interval, and a single effort answer with NaN limits?"""
    table = nps_by(pd.DataFrame({"g": ["x", "x"], "recommend": [10, 9]}), "g")
    assert table.loc["x", "ci_high"] - table.loc["x", "ci_low"] > 100
    single = effort_by(pd.DataFrame({"g": ["x"], "effort": [3]}), "g")
    assert single.loc["x", "value"] == 3.0 and np.isnan(single.loc["x", "ci_low"])


# --- refusing bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "words"),
    [
        pytest.param(lambda: nps([9, 11]), ["0 to 10", "11", "row 1"], id="nps-11"),
        pytest.param(lambda: nps([-1, 9]), ["-1", "row 0"], id="nps-minus-1"),
        pytest.param(lambda: csat([0, 5]), ["1 to 5", "= 0"], id="csat-0"),
        pytest.param(lambda: effort([8]), ["1 to 7", "8"], id="effort-8"),
        pytest.param(lambda: nps([9, 8.5]), ["whole numbers", "8.5"], id="nps-8.5"),
        pytest.param(lambda: nps([9, None]), ["missing", "dropna"], id="nps-none"),
        pytest.param(
            lambda: nps(pd.Series([9, float("nan")], name="recommend")),
            ['"recommend"', "dropna"],
            id="nps-nan-column",
        ),
        pytest.param(
            lambda: nps(pd.Series(["9", "10"], name="recommend")),
            ["to_numeric", "'9'"],
            id="nps-text-column",
        ),
        pytest.param(lambda: nps(["9", "ten"]), ["to_numeric", "'ten'"], id="nps-text-list"),
        pytest.param(lambda: nps([True, False]), ["True/False"], id="nps-bool"),
        pytest.param(lambda: nps([]), ["empty"], id="nps-empty-list"),
        pytest.param(
            lambda: nps(pd.Series([], dtype="int64", name="recommend")),
            ['"recommend"', "empty"],
            id="nps-empty-column",
        ),
        pytest.param(
            lambda: nps(pd.DataFrame({"recommend": [9]})), ['df["recommend"]'], id="nps-dataframe"
        ),
        pytest.param(lambda: nps(9), ["list"], id="nps-scalar"),
        pytest.param(lambda: nps_ci([9], level=95), ["0.95"], id="nps_ci-level-95"),
        pytest.param(
            lambda: effort([1, 2], method="meen"), ['"mean"', "'high'"], id="effort-method"
        ),
        pytest.param(
            lambda: nps_by(_surveys(), "regoin"),
            ['"regoin"', '"region"', "segment"],
            id="nps_by-by-typo",
        ),
        pytest.param(
            lambda: nps_by(_surveys(), "region", column="recomend"),
            ['"recommend"'],
            id="nps_by-column-typo",
        ),
        pytest.param(
            lambda: nps_by(_surveys().assign(recommend=11), "region"),
            ["11"],
            id="nps_by-out-of-range",
        ),
        pytest.param(
            lambda: csat_by(pd.DataFrame({"g": ["a"], "csat": [None]}), "g"),
            ["no values"],
            id="csat_by-all-missing",
        ),
    ],
)
def test_bad_input_raises_a_helpful_cxkit_error(call, words):
    """Does each bad input raise CxkitError whose message names the problem and the fix?"""
    with pytest.raises(CxkitError) as caught:
        call()
    for word in words:
        assert word in str(caught.value)


def test_metrics_leave_their_input_unchanged():
    """Do the grouped forms and the scalar forms leave the caller's data as it was?"""
    surveys = _surveys()
    surveys.loc[::5, "csat"] = None
    before = surveys.copy()
    csat_by(surveys, "region")
    nps_by(surveys, ["segment", "region"])
    effort(surveys["effort"])
    pd.testing.assert_frame_equal(surveys, before)
