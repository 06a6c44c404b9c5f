"""Tests for cxkit.plots: what each chart draws, on the Agg backend."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import cxkit  # noqa: E402
from cxkit import CxkitError  # noqa: E402
from cxkit.plots import NPS_COLOURS, OKABE_ITO, QUADRANT_COLOURS  # noqa: E402

PALETTE = set(OKABE_ITO.values())


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _colours(ax) -> list[str]:
    return [to_hex(p.get_facecolor()).upper() for p in ax.patches]


def _labelled(ax) -> None:
    assert ax.get_title()
    assert ax.get_xlabel()
    assert ax.get_ylabel()


def test_importing_cxkit_changes_no_matplotlib_setting():
    """Are matplotlib's settings and backend the same before and after importing cxkit?"""
    code = (
        "import sys, matplotlib\n"
        "before = matplotlib.rcParams.copy()\n"  # copy() does not resolve the backend
        "import cxkit, cxkit.plots, cxkit.widgets\n"
        "after = matplotlib.rcParams.copy()\n"
        "get = dict.__getitem__\n"
        "changed = [k for k in before if get(before, k) != get(after, k)]\n"
        "assert not changed, changed\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'importing cxkit imported pyplot'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_recommend_chart_draws_eleven_bars_coloured_by_group():
    """Are there 11 bars with the counts of each score, red detractors and blue promoters?"""
    scores = [10, 9, 9, 8, 7, 6, 5, 10, 3, 9, 0]
    ax = cxkit.plot_recommend(pd.Series(scores))
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 11
    assert heights == [1, 0, 0, 1, 0, 1, 1, 1, 1, 3, 2]
    colours = _colours(ax)
    assert colours[:7] == [NPS_COLOURS["detractor"]] * 7
    assert colours[7:9] == [NPS_COLOURS["passive"]] * 2
    assert colours[9:] == [NPS_COLOURS["promoter"]] * 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "detractors",
        "passives",
        "promoters",
    ]
    assert ax.get_title() == "How likely customers are to recommend us: NPS +9 (n = 11)"
    _labelled(ax)


def test_charts_draw_on_the_axes_they_are_given():
    """When given an Axes, is the chart drawn there and that Axes returned?"""
    fig, ax = plt.subplots()
    assert cxkit.plot_recommend([9, 10], ax=ax) is ax
    assert len(fig.axes) == 1
    with pytest.raises(CxkitError, match="ax must be a matplotlib Axes"):
        cxkit.plot_recommend([9, 10], ax="left")


def test_group_chart_draws_one_bar_per_group_with_intervals():
    """Does the group chart draw each group's value, its interval and n in the tick label?"""
    frame = pd.DataFrame({"team": ["b", "a", "a", "b", "c"], "recommend": [3, 10, 9, 9, 2]})
    table = cxkit.nps_by(frame, "team")
    ax = cxkit.plot_by_group(table)
    assert [p.get_width() for p in ax.patches] == [100.0, 0.0, -100.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a (n = 2)", "b (n = 2)", "c (n = 1)"]
    assert _colours(ax)[2] == OKABE_ITO["vermillion"]  # a negative NPS
    segments = ax.collections[0].get_segments()  # the error bars
    lows = sorted(round(s[0][0], 1) for s in segments)
    assert lows == sorted(round(v, 1) for v in table["ci_low"])
    assert ax.get_title() == "NPS by team, with 95 % intervals"
    _labelled(ax)


def test_group_chart_refuses_a_table_without_intervals():
    """Is a table that is not a *_by result refused with what it expects?"""
    with pytest.raises(CxkitError, match='no column "value".*cxkit.nps_by'):
        cxkit.plot_by_group(pd.DataFrame({"nps": [1.0]}))


def test_funnel_chart_draws_the_funnel_top_down():
    """Are the funnel's stages drawn top to bottom with their counts and shares?"""
    table = cxkit.funnel(cxkit.load("journey_events"))
    ax = cxkit.plot_funnel(table)
    assert [p.get_width() for p in ax.patches] == table["customers"].tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == table.index.tolist()
    assert ax.yaxis_inverted()
    assert ax.texts[-1].get_text() == "183 (12 %)"
    _labelled(ax)


def test_journey_map_shows_a_labelled_cell_per_stage_and_department():
    """Does the map label every cell with its count, stages down, departments across?"""
    table = cxkit.journey_map(cxkit.load("journey_events"))
    ax = cxkit.plot_journey_map(table)
    assert len(ax.texts) == table.size
    assert [t.get_text() for t in ax.get_xticklabels()] == table.columns.tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == table.index.tolist()
    assert np.array_equal(ax.images[0].get_array(), table.to_numpy())
    _labelled(ax)


def test_handoff_chart_draws_each_route_with_wait_and_stalls():
    """Is each route a bar of its transfers, labelled with its wait and stall rate?"""
    table = cxkit.handoffs(cxkit.load("handoffs"), cxkit.load("tickets"))
    ax = cxkit.plot_handoffs(table)
    assert len(ax.patches) == len(table)
    assert [p.get_width() for p in ax.patches] == table["transfers"].tolist()
    first = table.iloc[0]
    expected = f"wait {first['median_wait_hours']:.1f} h, {first['stall_rate']:.0f} % stalled"
    assert ax.texts[0].get_text() == expected
    assert ax.get_yticklabels()[-1].get_text() == " → ".join(table.index[-1])
    _labelled(ax)


def test_driver_chart_places_each_driver_by_importance_and_rating():
    """Is each driver a point at (importance, mean rating), coloured by its quadrant?"""
    surveys = cxkit.load("surveys")
    table = cxkit.key_drivers(surveys[surveys["survey_type"] == "relationship"])
    ax = cxkit.plot_drivers(table)
    points = np.vstack([c.get_offsets() for c in ax.collections])
    expected = table[["importance", "mean_rating"]].to_numpy()
    assert sorted(map(tuple, points.round(6))) == sorted(map(tuple, expected.round(6)))
    fix_first = next(c for c in ax.collections if c.get_label() == "fix first")
    assert to_hex(fix_first.get_facecolor()[0]).upper() == QUADRANT_COLOURS["fix first"]
    billing = table.loc["rating_billing", ["importance", "mean_rating"]].to_numpy(float)
    assert any(np.allclose(billing, row) for row in fix_first.get_offsets())
    assert {t.get_text() for t in ax.texts} >= {"billing", "delivery", "website"}
    assert ax.lines[0].get_xdata()[0] == pytest.approx(table["importance"].mean())
    _labelled(ax)


def test_trend_chart_draws_each_period_with_its_interval():
    """Does the trend line go through each quarter's NPS, with a band for its interval?"""
    surveys = cxkit.load("surveys")
    ax = cxkit.plot_trend(surveys, "nps", "quarter")
    quarters = surveys["response_date"].dt.to_period("Q")
    expected = cxkit.nps_by(surveys.assign(q=quarters), "q")
    assert np.allclose(ax.lines[0].get_ydata(), expected["value"].to_numpy())
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(q) for q in expected.index]
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(expected["ci_low"].min())
    assert band.max() == pytest.approx(expected["ci_high"].max())
    assert ax.get_ylabel() == "NPS (points, -100 to 100)"
    assert ax.get_title() == "NPS by quarter, with 95 % intervals"


def test_trend_chart_checks_metric_and_freq():
    """Are an unknown metric and an unknown period refused with suggestions?"""
    surveys = cxkit.load("surveys")
    with pytest.raises(CxkitError, match='Did you mean "csat"'):
        cxkit.plot_trend(surveys, "cast")
    with pytest.raises(CxkitError, match='Did you mean "month"'):
        cxkit.plot_trend(surveys, "nps", "months")


def test_every_chart_uses_only_the_colour_blind_safe_palette():
    """Are all bar colours drawn by the bar charts taken from the Okabe-Ito palette?"""
    events = cxkit.load("journey_events")
    axes = [
        cxkit.plot_recommend(cxkit.load("surveys")["recommend"]),
        cxkit.plot_funnel(cxkit.funnel(events)),
        cxkit.plot_handoffs(cxkit.handoffs(cxkit.load("handoffs"), cxkit.load("tickets"))),
    ]
    for ax in axes:
        assert set(_colours(ax)) <= PALETTE
