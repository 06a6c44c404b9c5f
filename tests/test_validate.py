"""The shared checks behind every helper: what they return, and the words they refuse with."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cxkit.errors import CxkitError
from cxkit.validate import (
    check_by,
    check_date,
    check_days,
    check_flags,
    check_level,
    check_numbers,
    name_rows,
)


def test_name_rows_shows_three_rows_and_counts_the_rest():
    """Are the first three matching rows named by their index label, and the others counted?"""
    index = pd.Index([10, 11, 12, 13, 14, 15])
    mask = np.array([True, False, True, True, True, True])
    values = np.array([1, 2, 3.5, True, "x", 6], dtype=object)
    assert name_rows(index, mask) == "row 10, row 12, row 13 (and 2 more)"
    assert name_rows(index, mask, values) == "row 10 = 1, row 12 = 3.5, row 13 = True (and 2 more)"
    assert name_rows(index, np.zeros(6, bool)) == ""


def test_check_numbers_returns_the_values_and_keeps_gaps_only_when_asked():
    """Do whole numbers come back as an array, missing ones as NaN only with allow_missing?"""
    column = pd.Series([3, None, 5], dtype="Int64", name="effort")
    values = check_numbers(column, "effort_by", 1, 7, allow_missing=True)
    assert np.isnan(values[1]) and values[[0, 2]].tolist() == [3.0, 5.0]
    with pytest.raises(
        CxkitError, match=r'effort_by: column "effort" has 1 missing value\(s\): row 1'
    ):
        check_numbers(column, "effort_by", 1, 7)


def test_check_flags_returns_a_boolean_array():
    """Does a True/False column come back as a NumPy bool array, a 0/1 column refused?"""
    frame = pd.DataFrame({"late": [True, False], "code": [1, 0]})
    assert check_flags(frame, "late", "rate_by", "flag").tolist() == [True, False]
    with pytest.raises(CxkitError, match=r'df\["code"\] = df\["code"\] == 1'):
        check_flags(frame, "code", "rate_by", "flag")


def test_check_days_takes_zero_only_when_allowed():
    """Is 0 days refused unless allow_zero, and are True, infinity and text always refused?"""
    assert check_days(0, "fcr", "window_days", allow_zero=True) == 0.0
    assert check_days(7, "fcr", "window_days") == 7.0
    for value in (0, True, float("inf"), "7"):
        with pytest.raises(CxkitError, match="fcr: window_days must be a positive number of days"):
            check_days(value, "fcr", "window_days")


def test_check_level_gives_the_normal_quantile_and_reads_a_percentage_as_a_slip():
    """Is 0.95 turned into 1.96, and 95 refused with the hint to write 0.95?"""
    assert check_level(0.95, "nps_ci") == pytest.approx(1.959964, abs=1e-6)
    with pytest.raises(CxkitError, match="Write 0.95 for 95 %"):
        check_level(95, "nps_ci")
    with pytest.raises(CxkitError) as caught:
        check_level(1, "nps_ci")
    assert "Write" not in str(caught.value)


def test_check_date_and_check_by():
    """Are a date string and a tuple of keys accepted, a non-date and a missing key refused?"""
    assert check_date("2025-06-30", "dso", "as_of") == pd.Timestamp("2025-06-30")
    with pytest.raises(
        CxkitError, match='dso: as_of=None is not a date; write it like "2025-06-30"'
    ):
        check_date(None, "dso", "as_of")
    frame = pd.DataFrame({"region": ["N"], "segment": ["x"]})
    assert check_by(frame, ("region", "segment"), "nps_by") == ["region", "segment"]
    with pytest.raises(CxkitError, match=re.escape('no column "regoin". Did you mean "region"?')):
        check_by(frame, ["regoin"], "nps_by")
