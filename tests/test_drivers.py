"""Tests for cxkit.drivers: Shapley key driver analysis on data with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit import CxkitError


def _orthogonal(n: int = 500, k: int = 4, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Drivers exactly uncorrelated in the sample, and a target built from them plus noise."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(n, k + 1))
    raw -= raw.mean(axis=0)
    q, _ = np.linalg.qr(raw)  # orthonormal, centred columns
    drivers = q[:, :k] * np.sqrt(n)
    noise = q[:, k] * np.sqrt(n)
    beta = np.array([0.8, 0.5, 0.3, 0.1])[:k]
    target = drivers @ beta + 0.6 * noise
    frame = pd.DataFrame(drivers + 3, columns=[f"d{j}" for j in range(k)])
    frame["score"] = target
    standardised = beta / target.std(ddof=1) * drivers.std(axis=0, ddof=1)
    return frame, standardised


def test_orthogonal_drivers_get_their_squared_standardised_coefficients():
    """With uncorrelated drivers, does each share equal its squared standardised coefficient?"""
    frame, standardised = _orthogonal()
    table = cxkit.key_drivers(frame, "score", ["d0", "d1", "d2", "d3"])
    assert table.index.tolist() == ["d0", "d1", "d2", "d3"]
    assert np.allclose(table["shapley_share"].to_numpy(), standardised**2)
    assert np.allclose(table["correlation"].to_numpy() ** 2, standardised**2)
    assert table.attrs["r2"] == pytest.approx(np.sum(standardised**2))


def test_shares_sum_to_r2_of_the_full_regression_with_correlated_drivers():
    """With correlated drivers, do the shares add up to the R² of a least-squares fit?"""
    rng = np.random.default_rng(7)
    n = 2_000
    common = rng.normal(size=n)
    x = np.column_stack([common + rng.normal(size=n) * s for s in (0.5, 0.8, 1.0, 2.0, 0.3)])
    y = x @ np.array([1.0, 0.2, 0.5, 0.0, -0.4]) + rng.normal(size=n)
    frame = pd.DataFrame(x, columns=list("abcde")).assign(y=y)
    table = cxkit.key_drivers(frame, "y", list("abcde"))
    design = np.column_stack([np.ones(n), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    r2 = 1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2)
    assert table["shapley_share"].sum() == pytest.approx(r2)
    assert table.attrs["r2"] == pytest.approx(r2)
    assert table["importance"].sum() == pytest.approx(100)


def test_two_drivers_split_r2_as_the_shapley_formula_says():
    """For two drivers, is each share (R²(alone) + R²(both) - R²(other alone)) / 2?"""
    rng = np.random.default_rng(11)
    a = rng.normal(size=800)
    b = 0.6 * a + rng.normal(size=800)
    y = a + 0.5 * b + rng.normal(size=800)
    frame = pd.DataFrame({"a": a, "b": b, "y": y})
    table = cxkit.key_drivers(frame, "y", ["a", "b"])
    r_a = np.corrcoef(a, y)[0, 1] ** 2
    r_b = np.corrcoef(b, y)[0, 1] ** 2
    both = table.attrs["r2"]
    assert table.loc["a", "shapley_share"] == pytest.approx((r_a + both - r_b) / 2)
    assert table.loc["b", "shapley_share"] == pytest.approx((r_b + both - r_a) / 2)


def test_quadrants_follow_importance_and_mean_rating():
    """Is an important, low-rated driver "fix first" and an unimportant, high-rated one overkill?"""
    frame, _ = _orthogonal()
    frame["d0"] -= 2  # important and rated low
    frame["d3"] += 2  # unimportant and rated high
    table = cxkit.key_drivers(frame, "score", ["d0", "d1", "d2", "d3"])
    assert table.loc["d0", "quadrant"] == "fix first"
    assert table.loc["d3", "quadrant"] == "possible overkill"
    assert table.loc["d0", "mean_rating"] == pytest.approx(1.0)


def test_billing_is_high_importance_low_performance_in_the_sample():
    """On the relationship survey, is billing important but the worst-rated driver?"""
    surveys = cxkit.load("surveys")
    table = cxkit.key_drivers(surveys[surveys["survey_type"] == "relationship"])
    assert table.loc["rating_billing", "quadrant"] == "fix first"
    assert table["mean_rating"].idxmin() == "rating_billing"
    assert table.index[-1] == "rating_website"
    assert table.attrs["n"] == (surveys["survey_type"] == "relationship").sum()


def test_rows_with_missing_ratings_are_left_out():
    """Are respondents without driver ratings (other survey types) left out and counted?"""
    surveys = cxkit.load("surveys")
    table = cxkit.key_drivers(surveys)
    assert table.attrs["n"] == surveys["rating_billing"].notna().sum()


def test_more_than_ten_drivers_is_refused_with_a_hint():
    """Are 11 drivers refused, with the limit and what to do instead?"""
    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(50, 12)))
    frame.columns = [f"c{j}" for j in range(12)]
    with pytest.raises(CxkitError, match="at most 10.*average related ratings"):
        cxkit.key_drivers(frame, "c11", [f"c{j}" for j in range(11)])


def test_bad_columns_are_named_with_a_fix():
    """Do a misspelled, a text and a constant column each get a message naming it?"""
    frame, _ = _orthogonal()
    with pytest.raises(CxkitError, match='no column "scor".*Did you mean "score"'):
        cxkit.key_drivers(frame, "scor", ["d0", "d1"])
    with pytest.raises(CxkitError, match='column "d1" must hold numbers'):
        cxkit.key_drivers(frame.assign(d1="x"), "score", ["d0", "d1"])
    with pytest.raises(CxkitError, match='column "d1" has the same value'):
        cxkit.key_drivers(frame.assign(d1=3), "score", ["d0", "d1"])
    with pytest.raises(CxkitError, match="cannot also be a driver"):
        cxkit.key_drivers(frame, "score", ["d0", "score"])


def test_key_drivers_leaves_its_input_unchanged():
    """Is the table the same after key_drivers as before?"""
    frame, _ = _orthogonal()
    before = frame.copy()
    cxkit.key_drivers(frame, "score", ["d0", "d1"])
    pd.testing.assert_frame_equal(frame, before)
