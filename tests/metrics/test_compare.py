"""The difference between two groups: published worked examples, a hand computation, coverage."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import CxkitError
from cxkit.metrics.compare import difference
from cxkit.metrics.intervals import newcombe, nps_interval, nps_parts, wilson
from cxkit.metrics.operations import otif_by, rate_by
from cxkit.metrics.survey import csat_by, effort_by, enps_by, nps_by

Z95 = NormalDist().inv_cdf(0.975)

# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (the hybrid score
# interval without continuity correction): hits/n of each group -> the 95 % limits of the
# difference of the two proportions, to 4 decimals.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
]


def _shares(hits: int, n: int, other_hits: int, other_n: int) -> pd.DataFrame:
    """A survey whose CSAT is hits/n in shop "a" and other_hits/other_n in shop "b"."""
    scores = [5] * hits + [2] * (n - hits) + [4] * other_hits + [1] * (other_n - other_hits)
    return pd.DataFrame({"shop": ["a"] * n + ["b"] * other_n, "csat": scores})


def _recommend(counts: dict[str, tuple[int, int, int]]) -> pd.DataFrame:
    """A survey with (promoters, passives, detractors) answers per group."""
    rows = [
        (group, score)
        for group, (promoters, passives, detractors) in counts.items()
        for score, times in ((10, promoters), (8, passives), (3, detractors))
        for _ in range(times)
    ]
    return pd.DataFrame(rows, columns=["group", "recommend"])


# --- two proportions: Newcombe's method 10 ------------------------------------------------------


@pytest.mark.parametrize(("counts", "limits"), NEWCOMBE_TABLE_II)
def test_newcombe_reproduces_the_papers_worked_examples(counts, limits):
    """Does the interval built from two Wilson intervals give Newcombe's Table II, method 10?"""
    a, m, b, n = counts
    low, high = newcombe(100 * a / m, *wilson(a, m, Z95), 100 * b / n, *wilson(b, n, Z95))
    assert (round(low / 100, 4), round(high / 100, 4)) == limits


@pytest.mark.parametrize(("counts", "limits"), NEWCOMBE_TABLE_II[:2])
def test_difference_of_two_csat_groups_is_newcombes_interval(counts, limits):
    """From a csat_by table, is 56/70 against 48/80 a gap of 20.0 points, 5.24 to 33.39?"""
    gap = difference(csat_by(_shares(*counts), "shop"), "a", "b")
    a, m, b, n = counts
    assert gap["difference"] == pytest.approx(100 * (a / m - b / n))
    assert (round(gap["ci_low"], 2), round(gap["ci_high"], 2)) == tuple(100 * x for x in limits)
    assert gap["verdict"] == "clearly apart"
    assert gap.name == "a minus b"


def test_rates_and_otif_tables_use_the_same_interval():
    """Do rate_by and otif_by tables of 56/70 against 48/80 give the same interval as CSAT?"""
    flags = _shares(56, 70, 48, 80).assign(ok=lambda df: df["csat"] >= 4)
    by_rate = difference(rate_by(flags, "shop", "ok"), "a", "b")
    shipments = flags.assign(on_time=flags["ok"], in_full=True)
    by_otif = difference(otif_by(shipments, "shop"), "a", "b")
    for gap in (by_rate, by_otif):
        assert (round(gap["ci_low"], 2), round(gap["ci_high"], 2)) == (5.24, 33.39)


def test_overlapping_intervals_can_hide_a_clear_difference():
    """Are 120/200 against 98/200 clearly apart although the two Wilson intervals overlap?"""
    table = csat_by(_shares(120, 200, 98, 200), "shop")
    assert table.loc["a", "ci_low"] < table.loc["b", "ci_high"]  # they overlap
    gap = difference(table, "a", "b")
    assert gap["ci_low"] > 0
    assert gap["verdict"] == "clearly apart"


def test_a_small_gap_on_few_answers_is_cant_tell_yet():
    """Is 6/10 against 5/10 "can't tell yet", the interval holding 0, either way round?"""
    table = csat_by(_shares(6, 10, 5, 10), "shop")
    ahead, behind = difference(table, "a", "b"), difference(table, "b", "a")
    assert ahead["ci_low"] < 0 < ahead["ci_high"]
    assert (behind["ci_low"], behind["ci_high"]) == pytest.approx(
        (-ahead["ci_high"], -ahead["ci_low"])
    )
    assert ahead["verdict"] == behind["verdict"] == "can't tell yet"


def test_newcombe_covers_the_true_difference_about_95_percent_of_the_time():
    """Over 20,000 simulated pairs (40 vs 60 answers, 70 % vs 55 %), is coverage 94-97 %?"""
    rng = np.random.default_rng(1998)
    a, b = rng.binomial(40, 0.70, 20_000), rng.binomial(60, 0.55, 20_000)
    low, high = newcombe(100 * a / 40, *wilson(a, 40, Z95), 100 * b / 60, *wilson(b, 60, Z95))
    covered = np.mean((low <= 15) & (high >= 15))
    assert 0.94 <= covered <= 0.97


# --- two NPS: adjusted-Wald (Lewis & Sauro) -----------------------------------------------------


def test_difference_of_two_nps_matches_a_hand_computation():
    """Is A (60/25/15) minus B (40/30/30) 35 NPS points, 12.51 to 55.46, step by step?

    No published worked example of this method with its numbers was at hand,
    so the test writes the computation out (Lewis & Sauro's adjusted-Wald:
    3/4 added to promoters and to detractors, 3 to n, in each group).
    """
    z = 1.959963984540054
    # Group A: 60 promoters, 25 passives, 15 detractors; n = 100, NPS = 60 - 15 = 45.
    n_a = 100 + 3  # 103
    p_a, d_a = (60 + 0.75) / n_a, (15 + 0.75) / n_a  # 0.589806, 0.152913
    nps_a = p_a - d_a  # 0.436893
    var_a = (p_a + d_a - nps_a**2) / n_a  # (0.742718 - 0.190876) / 103 = 0.0053577
    # Group B: 40 promoters, 30 passives, 30 detractors; n = 100, NPS = 40 - 30 = 10.
    n_b = 100 + 3
    p_b, d_b = (40 + 0.75) / n_b, (30 + 0.75) / n_b  # 0.395631, 0.298544
    nps_b = p_b - d_b  # 0.097087
    var_b = (p_b + d_b - nps_b**2) / n_b  # (0.694175 - 0.009426) / 103 = 0.0066480
    # The difference of the adjusted NPS, +/- z times the root of the summed variances.
    half = z * math.sqrt(var_a + var_b)  # 1.96 * sqrt(0.0120057) = 0.214755
    low, high = 100 * (nps_a - nps_b - half), 100 * (nps_a - nps_b + half)
    assert (round(low, 2), round(high, 2)) == (12.51, 55.46)

    table = nps_by(_recommend({"A": (60, 25, 15), "B": (40, 30, 30)}), "group")
    gap = difference(table, "A", "B")
    assert gap["difference"] == 35.0
    assert (gap["ci_low"], gap["ci_high"]) == pytest.approx((low, high), abs=1e-9)
    assert gap["verdict"] == "clearly apart"


def test_nps_parts_read_the_half_width_on_the_uncut_side():
    """For 2 promoters of 2 (the upper limit cut at 100), is the half-width still z * sqrt(var)?"""
    low, high = nps_interval(2, 0, 2, Z95)
    assert high == 100
    centre, half = nps_parts(100.0, 2, low, high)
    p, d = 2.75 / 5, 0.75 / 5
    assert centre == pytest.approx(100 * (p - d))
    assert half == pytest.approx(100 * Z95 * math.sqrt((p + d - (p - d) ** 2) / 5))


def test_the_nps_difference_covers_the_truth_about_95_percent_of_the_time():
    """Over 20,000 simulated pairs of surveys, is the coverage of the true NPS gap 94-96.5 %?

    Group one: 150 answers, 45 % promoters and 20 % detractors (NPS 25); group
    two: 90 answers, 35 % and 30 % (NPS 5). The true difference is 20 points.
    """
    rng = np.random.default_rng(2021)
    one = rng.multinomial(150, [0.45, 0.35, 0.20], 20_000)
    two = rng.multinomial(90, [0.35, 0.35, 0.30], 20_000)
    parts = []
    for counts, n in ((one, 150), (two, 90)):
        low, high = nps_interval(counts[:, 0], counts[:, 2], n, Z95)
        parts.append(nps_parts(100 * (counts[:, 0] - counts[:, 2]) / n, n, low, high))
    (centre1, half1), (centre2, half2) = parts
    half = np.hypot(half1, half2)
    covered = np.mean((centre1 - centre2 - half <= 20) & (centre1 - centre2 + half >= 20))
    assert 0.94 <= covered <= 0.965


def test_enps_tables_compare_like_nps():
    """Does an enps_by table give the same difference as the nps_by table of the same answers?"""
    answers = _recommend({"A": (30, 10, 20), "B": (20, 10, 30)})
    assert difference(enps_by(answers, "group"), "A", "B").equals(
        difference(nps_by(answers, "group"), "A", "B")
    )


def test_mean_effort_compares_by_the_normal_approximation():
    """For mean effort, is the interval the two means' gap +/- the root of the summed squares?"""
    df = pd.DataFrame(
        {"desk": ["x"] * 6 + ["y"] * 6, "effort": [1, 2, 2, 3, 2, 2, 5, 6, 4, 6, 5, 4]}
    )
    table = effort_by(df, "desk")
    gap = difference(table, "y", "x")
    halves = (table["ci_high"] - table["ci_low"]) / 2
    assert gap["difference"] == pytest.approx(5.0 - 2.0)
    assert gap["ci_low"] == pytest.approx(3.0 - math.hypot(*halves))
    assert gap["verdict"] == "clearly apart"


# --- tables and their groups --------------------------------------------------------------------


def test_a_selection_or_a_copy_of_the_table_still_says_what_it_holds():
    """Do .loc, .sort_values and .copy keep the table's kind of interval for difference?"""
    table = csat_by(_shares(56, 70, 48, 80), "shop")
    expected = difference(table, "a", "b")
    for changed in (table.loc[["a", "b"]], table.sort_values("value"), table.copy()):
        assert difference(changed, "a", "b").equals(expected)


def test_a_table_made_another_way_needs_the_metric_named():
    """Is a hand-made table refused with the fix, and accepted once metric="nps" says what it is?"""
    made = nps_by(_recommend({"A": (60, 25, 15), "B": (40, 30, 30)}), "group")
    bare = pd.DataFrame(made.to_dict())  # the same numbers, without what nps_by noted
    with pytest.raises(CxkitError, match='does not say which measure.*metric="nps"'):
        difference(bare, "A", "B")
    assert difference(bare, "A", "B", metric="nps").equals(difference(made, "A", "B"))


def test_a_metric_that_contradicts_the_table_is_refused():
    """Is metric="csat" on an nps_by table refused, saying the table already knows?"""
    table = nps_by(_recommend({"A": (6, 2, 2), "B": (2, 2, 6)}), "group")
    with pytest.raises(CxkitError, match='metric="csat" does not match.*Leave metric out'):
        difference(table, "A", "B", metric="csat")
    with pytest.raises(CxkitError, match="metric='promoters' is not known"):
        difference(table, "A", "B", metric="promoters")


def test_a_group_not_in_the_table_is_named_with_a_close_match():
    """Does a misspelt group name the groups there are and offer the closest?"""
    table = csat_by(_shares(6, 10, 5, 10).replace({"a": "on time", "b": "late"}), "shop")
    with pytest.raises(CxkitError, match='second "lates" is not a group.*Did you mean "late"'):
        difference(table, "on time", "lates")


def test_a_number_or_true_false_in_quotes_is_named_without_them():
    """For a table grouped by numbers or True/False, does "1" (or "True") say to drop the quotes?"""
    answers = _recommend({"0": (6, 2, 2), "1": (2, 2, 6)}).astype({"group": "int64"})
    by_count = nps_by(answers, "group")
    with pytest.raises(CxkitError, match='first "1" is not a group.*Write it as 1: a number'):
        difference(by_count, "1", 0)
    flagged = nps_by(answers.assign(late=answers["group"] == 1), "late")
    with pytest.raises(CxkitError, match='second "False" is not.*Write it as False'):
        difference(flagged, True, "False")
    assert difference(flagged, True, False)["verdict"] in ("clearly apart", "can't tell yet")


def test_a_group_without_answers_and_the_same_group_twice_are_refused():
    """Are a group with n = 0 and first == second refused with what to do?"""
    answers = pd.DataFrame(
        {"shop": ["a", "a", "b"], "csat": pd.array([5, 4, pd.NA], dtype="Int64")}
    )
    table = csat_by(answers, "shop")
    with pytest.raises(CxkitError, match='group "b" has too few answers'):
        difference(table, "a", "b")
    with pytest.raises(CxkitError, match='both "a"; name two groups'):
        difference(table, "a", "a")


def test_a_table_without_the_interval_columns_is_refused():
    """Is a table without ci_low and ci_high refused, naming them?"""
    table = csat_by(_shares(6, 10, 5, 10), "shop")[["n", "value"]]
    with pytest.raises(CxkitError, match="no column 'ci_low', 'ci_high'"):
        difference(table, "a", "b")
    with pytest.raises(CxkitError, match="expected a table"):
        difference([1, 2], "a", "b")


def test_cxkit_offers_difference():
    """Is the helper reachable as cxkit.difference, as the notebooks call it?"""
    assert cxkit.difference is difference
