"""Workshop 01, accounting and finance: what only it has (test_workshops.py runs and lints it).

The planted story (cxkit/data/story.py): DISPUTE_RATE of the invoices are
disputed (DISPUTE_RATE_INCOMPLETE when items were missing); a disputed invoice
issued in the 90 days before the relationship survey costs DISPUTE_EFFECT of
experience; late payers get a reminder letter drawn at random, paid on average
REMINDER_EXTRA_DAYS after it by template; a final demand in the 180 days before
costs FINAL_DEMAND_EFFECT. The notebook's solution must find these effects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from notebooks import (
    ROOT,
    generated,
    grade_ids,
    meta,
    read,
    read_source,
    solve,
    solve_with,
    solved,
)

import cxkit
from cxkit.data import story

WORKSHOP, NAME = "01-accounting-finance", "accounting"
SOURCE = read_source(WORKSHOP)[NAME]
RELEASE = ROOT / "release" / WORKSHOP / f"{NAME}.ipynb"
LETTERS = ["friendly", "standard", "final_demand"]
DISPUTE_EFFECT = story.DISPUTE_EFFECT  # as planted, before any test changes it


@pytest.fixture(scope="module", params=["sample", "seed 7"])
def found(request, other_company) -> dict:
    """The solution's variables, on the shipped sample and on a company of another seed."""
    return solved(SOURCE, None if request.param == "sample" else other_company)


def _dispute_effect(found: dict) -> tuple[float, float]:
    """Least-squares effect of a recent dispute on the recommend score, and its standard error.

    Over the notebook's relationship answers, with the final demand (180 days
    before) and a late delivery (90 days before) in the same fit: disputed
    invoices are often paid late and so get reminders, and sometimes follow an
    incomplete delivery, so the raw NPS gap mixes the three effects.
    """
    answers, invoices, shipments = found["relationship"], found["invoices"], found["shipments"]
    sent = invoices.assign(
        letter_date=invoices["due_date"] + pd.Timedelta(days=3),
        demand=invoices["reminder_template"] == "final_demand",
    )
    late = shipments.assign(late=~shipments["on_time"])
    columns = [
        np.ones(len(answers)),
        answers["invoice"] == "recent dispute",
        cxkit.flag_recent(answers, sent, "demand", 180, date="letter_date"),
        cxkit.flag_recent(answers, late, "late", 90, date="delivered_date"),
    ]
    x = np.column_stack([np.asarray(c, dtype=float) for c in columns])
    y = answers["recommend"].to_numpy(float)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    residuals = y - x @ coef
    variance = residuals @ residuals / (len(y) - x.shape[1]) * np.linalg.inv(x.T @ x)
    return float(coef[1]), float(np.sqrt(variance[1, 1]))


@pytest.mark.slow
def test_the_dispute_rate_is_near_the_planted_mix(found):
    """Is the dispute rate between DISPUTE_RATE and DISPUTE_RATE_INCOMPLETE, as the mix says?

    Each invoice is disputed with DISPUTE_RATE, or DISPUTE_RATE_INCOMPLETE when
    its delivery was incomplete: the expected rate is that mix over the share of
    incomplete deliveries. Accepted within three binomial standard errors.
    """
    delivered = found["delivered"]
    incomplete = (~delivered["in_full"]).mean()
    expected = (1 - incomplete) * story.DISPUTE_RATE + incomplete * story.DISPUTE_RATE_INCOMPLETE
    error = np.sqrt(expected * (1 - expected) / len(delivered))
    assert abs(found["my_dispute_rate"] / 100 - expected) < 3 * error
    assert cxkit.dispute_rate(found["incomplete"]) > 3 * cxkit.dispute_rate(found["complete"])


@pytest.mark.slow
def test_a_recent_dispute_costs_nps_beyond_the_margin_of_error(found):
    """Is NPS after a recent dispute far below the others', the two clearly apart?

    A dispute costs 2.2 points of experience, plus the final demands and late
    deliveries that come with it: on the sample and seed 7 the gap is about 90
    NPS points, on about 40 disputed answers. Accepted: a gap below -40 with
    the intervals apart, and so the interval of the gap below 0 ("clearly
    apart", the verdict the notebook asks for). With no planted effect the raw
    gap would shrink to the confounders' share, which the next test rules out.
    """
    table = found["nps_by_dispute"]
    assert found["recent_days"] == 90
    assert found["nps_gap"] < -40
    assert table.loc["recent dispute", "ci_high"] < table.loc["no recent dispute", "ci_low"]
    gap = cxkit.difference(table, "recent dispute", "no recent dispute")
    assert gap["ci_high"] < 0 and found["nps_gap"] == gap["difference"]
    assert found["gap_is_real"] == "clearly apart"
    assert table.loc["recent dispute", "n"] >= 20


@pytest.mark.slow
def test_the_dispute_itself_costs_about_the_planted_effect(found):
    """Does a recent dispute cost about DISPUTE_EFFECT on the 0-10 score, its confounders apart?

    Fitted with the final demand and the late delivery beside it (see
    ``_dispute_effect``). Scores are clipped at 0 and 10, which flattens the
    effect a little; with about 40 disputed answers its standard error is about
    0.3 (on the sample and seed 7 the fit gives -2.0 and -2.3). Accepted: half
    to one and a half times the planted -2.2, at least 3 errors from zero.
    Without the planted effect, or with it reversed, this fails.
    """
    effect, error = _dispute_effect(found)
    planted = story.DISPUTE_EFFECT
    assert 1.5 * planted <= effect <= 0.5 * planted
    assert effect < -3 * error


@pytest.mark.slow
def test_the_final_demand_is_paid_slowest_and_the_friendly_letter_fastest(found):
    """Are the letters ordered friendly < standard < final_demand in days late, mean and median?

    After the reminder (3 days after the due date), payment takes on average
    REMINDER_EXTRA_DAYS (6, 9 and 16 days), drawn from an exponential: about
    250 invoices a letter give standard errors of about 0.5, 0.7 and 1 day. The
    days are whole (half a day less on average) and invoices unpaid when the
    data ends are left out (the longest waits), so the means land a little
    below 3 + extra days: on the sample 8.0, 11.6 and 16.5; on seed 7 8.6, 10.0
    and 17.9. Accepted: 0.7 to 1.1 times 3 + extra days, and the order of the
    letters, in means and medians, on both. Equal or reversed extra days fail.
    """
    table = found["days_late_by_letter"]
    assert list(table.index) == LETTERS
    assert table["mean"].is_monotonic_increasing and table["median"].is_monotonic_increasing
    assert found["slowest_letter"] == "final_demand"
    for letter in LETTERS:
        planted = 3 + story.REMINDER_EXTRA_DAYS[letter]
        assert 0.7 * planted <= table.loc[letter, "mean"] <= 1.1 * planted


@pytest.mark.slow
def test_the_final_demand_costs_nps_too(found):
    """Is NPS after a final demand (180 days) below NPS without one, the intervals apart?"""
    demanded = found["demanded"]
    table = cxkit.nps_by(demanded, "letter")
    assert table.loc["final demand", "ci_high"] < table.loc["no final demand", "ci_low"]


@pytest.mark.slow
def test_dso_by_letter_follows_dso_at_each_month_end(found):
    """Is dso_months the DSO of each letter's invoices at each month end, unreminded lowest?

    DSO by letter is noisy (a few dozen open invoices make each month), so only
    what holds on any company is asserted: the values are cxkit.dso's, and the
    invoices without a reminder, paid on time by definition, have the lowest DSO.
    """
    months, invoices = found["dso_months"], found["invoices"]
    assert list(months.columns) == ["none", *LETTERS]
    end = months.index[len(months) // 2]
    demand = invoices[invoices["reminder_template"] == "final_demand"]
    assert months.loc[end, "final_demand"] == pytest.approx(cxkit.dso(demand, as_of=end))
    average = months.mean()
    assert average.idxmin() == "none"
    assert found["dso_final_demand"] == pytest.approx(average["final_demand"])


@pytest.mark.slow
def test_detractors_write_about_billing_more_than_everyone(found):
    """Do detractors mention billing in their comments more often than all respondents?"""
    everyone = cxkit.tag_themes(found["relationship"]["comment"].dropna())["billing"].mean()
    assert found["billing_share"] > 1.5 * 100 * everyone
    assert found["billing_share"] > 10


@pytest.mark.slow
def test_the_tone_check_flags_the_final_demand_and_spares_the_friendly_letter(found):
    """Is the final demand the harshest letter, the friendly one clean, and the model draft too?"""
    findings = found["findings"]
    counts = findings["letter"].value_counts()
    assert found["harshest_letter"] == "final_demand"
    assert "friendly" not in counts.index
    assert {"punitive", "blaming", "shouting"} <= set(
        findings.loc[findings["letter"] == "final_demand", "kind"]
    )
    assert cxkit.tone(found["my_letter"]).empty
    assert cxkit.readability(found["my_letter"])["flesch_reading_ease"] >= 60


@pytest.mark.slow
def test_the_window_is_a_parameter():
    """Does another recent_days move the dispute group, every check still passing?"""
    variables, outcomes = solve(SOURCE, {"recent_days": 180})
    assert outcomes == {gid: "" for gid in grade_ids(SOURCE)}
    wider = variables["nps_by_dispute"].loc["recent dispute", "n"]
    assert wider > solve(SOURCE)[0]["nps_by_dispute"].loc["recent dispute", "n"]


@pytest.mark.slow
def test_the_followed_customer_had_a_dispute_and_their_comment_is_redacted():
    """Does section 3 follow the lowest-scoring disputed customer, their comment redacted?"""
    variables, _ = solve(SOURCE)
    one, relationship = variables["one"], variables["relationship"]
    said = relationship[
        (relationship["invoice"] == "recent dispute") & relationship["comment"].notna()
    ]
    assert one["recommend"] == said["recommend"].min()
    assert variables["theirs"]["disputed"].any()
    cell = next(c for c in SOURCE.cells if c.get("id") == "follow_survey")
    assert "cxkit.redact(" in cell.source


def test_the_draft_letter_hint_never_costs_points(capsys):
    """Is the tone check of the draft a locked cell without points, kind to any draft?"""
    cell = next(c for c in SOURCE.cells if c.get("id") == "my_letter_tone")
    assert meta(cell)["locked"] and not meta(cell)["grade"] and "points" not in meta(cell)
    for draft in (None, "", "FINAL DEMAND. Pay immediately.", "Hello {name}, thank you!"):
        exec(cell.source, {"cxkit": cxkit, "my_letter": draft})  # prints a hint, never raises
    printed = capsys.readouterr().out
    assert printed.count("Write your letter in my_letter above") == 2
    assert "3 phrase(s) flagged" in printed and "FINAL DEMAND" in printed
    assert "0 phrase(s) flagged" in printed


def test_the_rewrite_and_the_reflection_are_blank_in_the_release():
    """Are the rewrite and the supplier reflection graded by hand, blank in the release?"""
    release = read(RELEASE)
    for gid, worth in (("rewrite_letter", 3), ("reflect_suppliers", 2)):
        cell = next(c for c in release.cells if meta(c).get("grade_id") == gid)
        assert cell.source.strip() == "YOUR ANSWER HERE"
        assert meta(cell)["points"] == worth
        source = next(c for c in SOURCE.cells if meta(c).get("grade_id") == gid)
        assert source.source.startswith("*Example answer")
    draft = next(c for c in release.cells if meta(c).get("grade_id") == "my_letter")
    assert draft.source.startswith("my_letter = None")


@pytest.mark.slow
@pytest.mark.parametrize("planted", [0.0, -DISPUTE_EFFECT], ids=["absent", "reversed"])
def test_the_measures_fail_when_the_effects_are_absent_or_reversed(planted):
    """Without the planted dispute effect, or with it and the letters reversed, do the tests fail?

    The same generator with another DISPUTE_EFFECT (and REMINDER_EXTRA_DAYS
    reversed in the second case), seed 7: the fitted effect leaves the accepted
    band, and the letters come out in another order, the friendly one now paid
    within two weeks less often than the final demand.
    """
    changed: dict = {"DISPUTE_EFFECT": planted}
    reversed_days = dict(zip(LETTERS, reversed(story.REMINDER_EXTRA_DAYS.values()), strict=True))
    if planted:
        changed["REMINDER_EXTRA_DAYS"] = reversed_days
    folder = generated(7, **changed)
    variables, outcomes = solve(SOURCE, {"data_dir": str(folder)})
    assert outcomes == {gid: "" for gid in grade_ids(SOURCE)}  # the checks follow the data
    effect, _ = _dispute_effect(variables)
    assert not 1.5 * DISPUTE_EFFECT <= effect <= 0.5 * DISPUTE_EFFECT
    if planted:
        assert variables["slowest_letter"] == "friendly"
        reversed_gap = cxkit.difference(variables["paid_soon"], "friendly", "final_demand")
        assert reversed_gap["ci_high"] < 0  # "one thing that works" no longer holds


def test_the_model_commitment_names_an_accounting_touchpoint_and_a_followed_measure():
    """Does the model commitment pass, on a touchpoint accounting owns, with a measure the pulse
    follows?"""
    from cxkit.commitments import METRICS

    variables, outcomes = solve(SOURCE)
    commitment, touchpoints = variables["commitment"], variables["touchpoints"]
    assert outcomes["commitment_check"] == ""
    owned = touchpoints.loc[touchpoints["department"] == "accounting", "touchpoint"]
    assert commitment.touchpoint in set(owned)
    assert commitment.metric in METRICS


@pytest.mark.slow
def test_the_dso_explorer_left_on_the_last_month_end_gets_the_hint_of_that_mistake():
    """Without code, is the last month end's DSO (the explorer's first setting) refused, with
    the hint that the average is asked for, while the average's value passes?"""
    variables, _ = solve(SOURCE)
    explorer = variables["dso_by_letter"]
    last = explorer.set(summary="last month end").read("final_demand", "DSO, days")
    average = explorer.set(summary="average over the month ends").read("final_demand", "DSO, days")
    assert last != average
    _, outcomes = solve_with(SOURCE, "dso_by_letter", f"dso_final_demand = {last!r}")
    assert "the DSO of the last month end only" in outcomes["dso_by_letter_check"]
    _, outcomes = solve_with(SOURCE, "dso_by_letter", f"dso_final_demand = {average!r}")
    assert outcomes["dso_by_letter_check"] == ""


@pytest.mark.slow
def test_what_works_the_friendly_letter_is_paid_within_two_weeks_far_more_often(found):
    """Is the friendly letter's share paid within two weeks of the due date clearly above the
    final demand's, as the section "One thing that works" says?

    After the reminder (3 days after the due date) payment takes on average 6
    days with the friendly letter and 16 with the final demand, exponentially
    spread: about 85 % and 50 % of the paid invoices are paid within 14 days of
    the due date. On the sample 90.0 % and 54.5 % (the gap's interval 28 to
    42 points); on seed 7 86.8 % and 52.5 %. Accepted: the friendly letter
    above 80 %, the final demand between 40 and 65 %, the gap's interval above
    20 points ("clearly apart"); each share is recomputed from the dates.
    """
    table, invoices = found["paid_soon"], found["invoices"]
    for letter, low, high in (("friendly", 80, 100), ("final_demand", 40, 65)):
        theirs = invoices[(invoices["reminder_template"] == letter) & invoices["paid_date"].notna()]
        days = (theirs["paid_date"] - theirs["due_date"]).dt.days
        assert table.loc[letter, "n"] == len(theirs)
        assert table.loc[letter, "value"] == pytest.approx(100 * (days <= 14).mean())
        assert low < table.loc[letter, "value"] < high
    gap = cxkit.difference(table, "friendly", "final_demand")
    assert gap["ci_low"] > 20 and gap["verdict"] == "clearly apart"
