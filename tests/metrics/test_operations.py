"""Operations: OTIF, rates per group, first contact resolution, time to resolution."""

from __future__ import annotations

import pandas as pd
import pytest

from cxkit.errors import CxkitError
from cxkit.metrics.operations import fcr, otif, otif_by, rate_by, time_to_resolution
from cxkit.metrics.survey import csat_ci


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "B", "C", "D", "D"],
            "opened_at": pd.to_datetime(
                [
                    "2025-03-01 09:00",  # A: billing again 3 days later -> repeat
                    "2025-03-04 09:00",
                    "2025-03-01 10:00",  # B: billing again 10 days later -> outside the window
                    "2025-03-11 10:00",
                    "2025-03-02 08:00",  # C: handed off once
                    "2025-03-05 12:00",  # D: delivery, then billing 1 day later -> other category
                    "2025-03-06 12:00",
                ]
            ),
            "category": [
                "billing",
                "billing",
                "billing",
                "billing",
                "product",
                "delivery",
                "billing",
            ],
            "handoff_count": [0, 0, 0, 0, 1, 0, 0],
        }
    )


def _shipments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dc": ["a", "a", "a", "a", "b", "b", None],
            "shift": ["day", "night", "night", "day", "night", "day", "day"],
            "on_time": [True, True, False, True, True, False, True],
            "in_full": [True, False, True, True, True, True, True],
            "damaged": [False, True, False, False, True, False, False],
        }
    )


# --- operations -------------------------------------------------------------------------------


def test_otif_is_the_share_on_time_and_in_full():
    """Is OTIF the share of shipments both on time and in full, with any column names?"""
    shipments = pd.DataFrame(
        {"on_time": [True, True, False, True], "in_full": [True, False, True, True]}
    )
    assert otif(shipments) == 50.0
    renamed = shipments.rename(columns={"on_time": "punctual"})
    assert otif(renamed, on_time="punctual") == 50.0


def test_otif_by_matches_otif_on_each_group_with_wilson_intervals():
    """Is otif_by the OTIF of each group, with csat_ci's Wilson interval, no-key rows left out?"""
    shipments = _shipments()
    table = otif_by(shipments, "dc")
    assert table.index.tolist() == ["a", "b"]
    assert table["n"].tolist() == [4, 2]
    assert table.loc["a", "value"] == otif(shipments[shipments["dc"] == "a"]) == 50.0
    assert table.loc["b", "value"] == 50.0
    # The Wilson interval of 2 hits in 4 is csat_ci's for two satisfied answers of four.
    assert (table.loc["a", "ci_low"], table.loc["a", "ci_high"]) == pytest.approx(
        csat_ci([5, 5, 1, 1])
    )
    assert otif_by(shipments, ["dc", "shift"]).loc[("a", "night"), "value"] == 0.0
    assert otif_by(shipments, "dc", level=0.5).loc["a", "ci_low"] > table.loc["a", "ci_low"]


def test_rate_by_counts_the_true_rows_of_each_group():
    """Is rate_by the % of True per group: 2 of 3 night rows damaged, none of 4 day rows?"""
    table = rate_by(_shipments(), "shift", "damaged")
    assert table.index.tolist() == ["day", "night"]
    assert table["n"].tolist() == [4, 3]
    assert table["value"].tolist() == pytest.approx([0.0, 200 / 3])
    assert table.loc["day", "ci_low"] == 0.0 and 0 < table.loc["day", "ci_high"] < 60
    low, high = csat_ci([5, 5, 1])
    assert (table.loc["night", "ci_low"], table.loc["night", "ci_high"]) == pytest.approx(
        (low, high)
    )


def test_fcr_counts_repeats_inside_the_window_and_handoffs():
    """Does fcr count A's 3-day repeat and C's handoff as failures, and B's 10-day return not?"""
    tickets = _tickets()
    before = tickets.copy()
    # failures: A's first ticket (repeat within 7 days), C (handoff) -> 5 of 7 resolved
    assert fcr(tickets) == pytest.approx(100 * 5 / 7)
    # with a 14-day window B's first ticket is a repeat too
    assert fcr(tickets, window_days=14) == pytest.approx(100 * 4 / 7)
    # shuffled rows give the same answer, and the input is untouched
    assert fcr(tickets.sample(frac=1, random_state=3)) == pytest.approx(100 * 5 / 7)
    pd.testing.assert_frame_equal(tickets, before)


def test_time_to_resolution_median_and_p90():
    """Are the median and p90 of 1..10 hours 5.5 and 9.1, with the open ticket counted aside?"""
    opened = pd.Timestamp("2025-03-01 08:00")
    tickets = pd.DataFrame(
        {
            "opened_at": [opened] * 11,
            "resolved_at": [opened + pd.Timedelta(hours=h) for h in range(1, 11)] + [pd.NaT],
        }
    )
    result = time_to_resolution(tickets)
    assert list(result.index) == ["median", "p90"]
    assert result["median"] == pytest.approx(5.5)
    assert result["p90"] == pytest.approx(9.1)
    assert result.attrs["unresolved"] == 1
    assert "1 unresolved" in str(result.name)
    days = time_to_resolution(tickets, unit="days")
    assert days["median"] == pytest.approx(5.5 / 24)


# --- refusing bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "words"),
    [
        pytest.param(
            lambda: otif(pd.DataFrame({"on_time": [True]})),
            ['"in_full"', "on_time"],
            id="otif-missing-column",
        ),
        pytest.param(
            lambda: otif(pd.DataFrame({"ontime": [True], "in_full": [True]})),
            ['Did you mean "ontime"?'],
            id="otif-close-match",
        ),
        pytest.param(
            lambda: otif(pd.DataFrame({"on_time": [1, 0], "in_full": [True, True]})),
            ["== 1"],
            id="otif-ints",
        ),
        pytest.param(
            lambda: otif(pd.DataFrame({"on_time": [], "in_full": []})), ["no rows"], id="otif-empty"
        ),
        pytest.param(lambda: otif([True]), ["DataFrame"], id="otif-list"),
        pytest.param(
            lambda: otif_by(_shipments(), "warehouse"),
            ['"warehouse"', 'by="..."'],
            id="otif_by-unknown-by",
        ),
        pytest.param(
            lambda: otif_by(_shipments().assign(in_full=1), "dc"),
            ["in_full", "== 1"],
            id="otif_by-ints",
        ),
        pytest.param(lambda: otif_by(_shipments(), []), ["by is empty"], id="otif_by-no-keys"),
        pytest.param(
            lambda: rate_by(_shipments(), "shift", "damage"),
            ['Did you mean "damaged"?', 'flag="..."'],
            id="rate_by-flag-typo",
        ),
        pytest.param(
            lambda: rate_by(_shipments().assign(damaged="no"), "shift", "damaged"),
            ['.str.lower() == "true"'],
            id="rate_by-text-flag",
        ),
        pytest.param(
            lambda: rate_by(_shipments(), "shift", "damaged", level=95),
            ["0.95"],
            id="rate_by-level-95",
        ),
        pytest.param(
            lambda: fcr(_tickets().assign(opened_at="2025-03-01")),
            ["pd.to_datetime", "opened_at"],
            id="fcr-text-dates",
        ),
        pytest.param(lambda: fcr(_tickets(), window_days=-1), ["window_days"], id="fcr-window"),
        pytest.param(
            lambda: fcr(_tickets().assign(handoff_count=-1)),
            ["handoff_count", "0 or more"],
            id="fcr-negative-handoff",
        ),
        pytest.param(
            lambda: time_to_resolution(_tickets(), resolved="closed_at"),
            ['"closed_at"'],
            id="ttr-missing-column",
        ),
        pytest.param(
            lambda: time_to_resolution(_tickets(), unit="minutes"),
            ["'hours'", "'days'"],
            id="ttr-unit",
        ),
    ],
)
def test_bad_input_raises_a_helpful_cxkit_error(call, words):
    """Does each bad input raise CxkitError whose message names the problem and the fix?"""
    with pytest.raises(CxkitError) as caught:
        call()
    for word in words:
        assert word in str(caught.value)


def test_time_to_resolution_refuses_resolved_before_opened():
    """Is a ticket resolved before it was opened reported by row?"""
    tickets = pd.DataFrame(
        {
            "opened_at": pd.to_datetime(["2025-01-02", "2025-01-02"]),
            "resolved_at": pd.to_datetime(["2025-01-03", "2025-01-01"]),
        }
    )
    with pytest.raises(CxkitError, match="row 1"):
        time_to_resolution(tickets)
