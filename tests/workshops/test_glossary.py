"""The glossary card: every measure a workshop uses has an entry, and every worked example is right.

Each example's numbers are computed here with cxkit's own functions, on the small
data the card describes, and must be printed in that entry's row of the card. The
programme page beside it (workshops/README.md) is checked against the workshops too.
"""

from __future__ import annotations

import inspect
import re

import pandas as pd
import pytest
from notebooks import ROOT

import cxkit
import cxkit.metrics

CARD = ROOT / "workshops" / "glossary.md"
# Measures the workshops use that live beside the metrics: the journey, texts and drivers.
OTHER_MEASURES = ("funnel", "stalls", "readability", "what_if", "key_drivers")


def _rows() -> dict[str, str]:
    """Each row of the card's tables, keyed by every cxkit function its first column names."""
    rows = {}
    for line in CARD.read_text(encoding="utf-8").splitlines():
        if line.startswith("| **"):
            measure = line.split("|")[1]
            for name in re.findall(r"`cxkit\.(\w+)`", measure):
                rows[name] = line
    return rows


ROWS = _rows()


def _used_in_workshops() -> set[str]:
    """The names of cxkit's helpers that some workshop notebook calls."""
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "source").glob("*/*.ipynb"))
    return set(re.findall(r"cxkit\.(\w+)\(", text))


def _metric_functions() -> set[str]:
    """The functions cxkit exports from its metrics, and the other measures the workshops use."""
    metrics = {n for n in cxkit.metrics.__all__ if inspect.isfunction(getattr(cxkit.metrics, n))}
    return metrics | set(OTHER_MEASURES)


def _points(x: float, digits: int = 0) -> str:
    """A score as the card writes it: a sign, and a true minus."""
    return f"{x:+.{digits}f}".replace("-", "\u2212")


def test_every_measure_a_workshop_uses_has_an_entry():
    """Does the card explain every metric function a workshop calls?"""
    used = _used_in_workshops() & _metric_functions()
    assert {"nps", "csat", "effort", "enps", "otif", "fcr", "dso", "churn_rate"} <= used
    assert sorted(used - ROWS.keys()) == []


def test_the_card_names_only_functions_that_exist():
    """Is every cxkit function the card names a real one?"""
    assert [name for name in ROWS if not callable(getattr(cxkit, name, None))] == []


def _in_row(name: str, *printed: str) -> None:
    """Assert that the row of ``name`` prints each of ``printed``."""
    row = ROWS[name]
    missing = [p for p in printed if p not in row]
    assert missing == [], f"the {name} row lacks {missing}: {row}"


# --- survey scores ------------------------------------------------------------------------

SCORES = [10, 10, 9, 9, 9, 8, 8, 7, 6, 2]


def test_nps_example():
    """Is the NPS of the card's 10 answers +30, from 50 % promoters and 20 % detractors?"""
    assert cxkit.nps(SCORES) == 30.0
    _in_row("nps", "10, 10, 9, 9, 9, 8, 8, 7, 6, 2", "50 \u2212 20 = **+30**")


def test_margin_of_error_example():
    """Are the intervals of the 10 answers and of the same mix from 40 the ones printed?"""
    low, high = cxkit.nps_ci(SCORES)
    low_40, high_40 = cxkit.nps_ci(SCORES * 4)
    _in_row("nps_ci", f"**{_points(low)} to {_points(high)}**")
    _in_row("nps_ci", f"**{_points(low_40)} to {_points(high_40)}**")
    assert high_40 - low_40 < (high - low) / 1.5  # four times the answers: much narrower


def test_csat_example():
    """Is the CSAT of the card's 10 answers 60 %?"""
    answers = [5, 5, 4, 4, 4, 3, 3, 2, 1, 5]
    _in_row("csat", "5, 5, 4, 4, 4, 3, 3, 2, 1, 5", f"**{cxkit.csat(answers):.0f} %**")


def test_effort_example():
    """Are the average effort and the % answering 5-7 of the card's answers 3.7 and 40 %?"""
    answers = [1, 1, 2, 2, 3, 3, 5, 6, 7, 7]
    _in_row(
        "effort",
        "1, 1, 2, 2, 3, 3, 5, 6, 7, 7",
        f"**{cxkit.effort(answers):.1f}**",
        f"**{cxkit.effort(answers, method='high'):.0f} %**",
    )


def test_enps_example():
    """Is the eNPS of the card's 8 answers 0?"""
    answers = [10, 9, 9, 8, 7, 6, 5, 3]
    _in_row("enps", "10, 9, 9, 8, 7, 6, 5, 3", f"**{cxkit.enps(answers):.0f}**")


def test_difference_example():
    """Are 80 of 100 and 65 of 100 clearly apart, though their own intervals overlap?"""
    answers = pd.DataFrame(
        {"group": ["A"] * 100 + ["B"] * 100, "csat": [5] * 80 + [2] * 20 + [5] * 65 + [2] * 35}
    )
    table = cxkit.csat_by(answers, "group")
    a, b = table.loc["A"], table.loc["B"]
    assert a["ci_low"] < b["ci_high"]  # the two intervals overlap
    gap = cxkit.difference(table, "A", "B")
    _in_row(
        "difference",
        f"interval {a['ci_low']:.0f} to {a['ci_high']:.0f}",
        f"{b['ci_low']:.0f} to {b['ci_high']:.0f}",
        f"**{gap['difference']:.0f} points, {gap['ci_low']:.1f} to {gap['ci_high']:.1f}: "
        f"{gap['verdict']}**",
    )


# --- operations and finance -------------------------------------------------------------


def test_otif_example():
    """Are 10 shipments, 8 on time, 9 complete, 7 both, an OTIF of 70 %?"""
    shipments = pd.DataFrame(
        {"on_time": [True] * 8 + [False] * 2, "in_full": [True] * 7 + [False] + [True] * 2}
    )
    assert (shipments["on_time"].sum(), shipments["in_full"].sum()) == (8, 9)
    _in_row("otif", "8 on time, 9 complete, 7 both", f"**{cxkit.otif(shipments):.0f} %**")


def test_rate_example():
    """Is 4 damaged of 50 a rate of 8 % with the interval printed?"""
    parcels = pd.DataFrame({"dock_shift": ["night"] * 50, "damaged": [True] * 4 + [False] * 46})
    night = cxkit.rate_by(parcels, "dock_shift", "damaged").loc["night"]
    _in_row(
        "rate_by",
        f"4 of 50 parcels damaged = **{night['value']:.0f} %**",
        f"**{night['ci_low']:.1f} to {night['ci_high']:.1f}**",
    )


def test_dispute_rate_example():
    """Are 3 disputed invoices of 60 a dispute rate of 5 %?"""
    invoices = pd.DataFrame({"disputed": [True] * 3 + [False] * 57})
    _in_row("dispute_rate", f"3 of 60 invoices disputed = **{cxkit.dispute_rate(invoices):.0f} %**")


INVOICES = pd.DataFrame(
    {
        "issue_date": pd.to_datetime(["2026-03-01", "2026-05-01", "2026-06-10"]),
        "paid_date": pd.to_datetime(["2026-03-31", "2026-05-20", None]),
        "amount_eur": [10_000.0, 60_000.0, 30_000.0],
    }
)


def test_days_to_pay_example():
    """Is an invoice issued on 1 March and paid on 31 March paid in 30 days?"""
    days = cxkit.days_to_pay(INVOICES)
    _in_row("days_to_pay", "Issued 1 March, paid 31 March", f"**{days.iloc[0]:.0f} days**")
    assert days.isna().tolist() == [False, False, True]  # empty while unpaid


def test_dso_example():
    """Is €30,000 unpaid on 30 June, against €90,000 invoiced since 1 April, a DSO of 30 days?"""
    dso = cxkit.dso(INVOICES, as_of="2026-06-30")
    _in_row("dso", "€30,000 is unpaid", "€90,000 was invoiced", f"= **{dso:.0f} days**")


def test_fcr_example():
    """Are 10 tickets, 2 handed on and 1 followed by a repeat, an FCR of 70 %?"""
    tickets = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(9)] + ["C8"],
            "opened_at": pd.to_datetime(["2026-03-01 09:00"] * 9 + ["2026-03-04 09:00"]),
            "category": ["billing"] * 10,
            "handoff_count": [1, 1] + [0] * 8,
        }
    )
    _in_row("fcr", "2 handed on, 1 customer back 3 days later", f"= **{cxkit.fcr(tickets):.0f} %**")


def test_time_to_resolution_example():
    """Do tickets of 2, 3, 4, 10 and 30 hours have a median of 4 and a 90th percentile of 22?"""
    opened = pd.Timestamp("2026-03-01 08:00")
    tickets = pd.DataFrame(
        {
            "opened_at": [opened] * 5,
            "resolved_at": [opened + pd.Timedelta(hours=h) for h in (2, 3, 4, 10, 30)],
        }
    )
    result = cxkit.time_to_resolution(tickets)
    _in_row(
        "time_to_resolution",
        "2, 3, 4, 10 and 30 hours",
        f"median **{result['median']:.0f} hours**",
        f"90th percentile **{result['p90']:.0f} hours**",
    )


def test_churn_and_retention_example():
    """Are 14 leavers of 200 customers a churn of 7 % and a retention of 93 %?"""
    customers = pd.DataFrame(
        {
            "signup_date": pd.to_datetime(["2025-06-01"] * 200),
            "churn_date": pd.to_datetime(["2026-02-15"] * 14 + [None] * 186),
        }
    )
    churn = cxkit.churn_rate(customers, "2026-01-01", "2026-03-31")
    retention = cxkit.retention_rate(customers, "2026-01-01", "2026-03-31")
    _in_row(
        "churn_rate",
        "14 left by 31 March",
        f"**{churn:.0f} %**",
        f"retention **{retention:.0f} %**",
    )


# --- the journey, texts and drivers -------------------------------------------------------


def test_what_detractors_cost_example():
    """Is the estimate 8 / 100 x 150 x 300 = 3,600 euros, with the gap's interval at both ends?"""
    first = pd.DataFrame(
        {
            "group": ["detractor"] * 150 + ["promoter"] * 300,
            "left": [True] * 18 + [False] * 132 + [True] * 12 + [False] * 288,
        }
    )
    gap = cxkit.difference(cxkit.rate_by(first, "group", "left"), "detractor", "promoter")
    detractors, yearly = 150, 300

    def cost(points: float) -> str:
        return f"{points / 100 * detractors * yearly:,.0f}"

    row = next(
        line
        for line in CARD.read_text(encoding="utf-8").splitlines()
        if "**what detractors cost**" in line
    )
    printed = [
        f"gap {gap['difference']:.0f} points, interval {gap['ci_low']:.1f} to {gap['ci_high']:.1f}",
        f"**{cost(gap['difference'])} € a year**",
        f"**{cost(gap['ci_low'])} to {cost(gap['ci_high'])} €**",
    ]
    assert [p for p in printed if p not in row] == []


def test_funnel_example():
    """Do 100, 60 and 45 customers give step conversions of 60 % and 75 %, 45 % from the start?"""
    reached = {"discover": 100, "buy": 60, "receive": 45}
    events = pd.DataFrame(
        [(f"C{i}", stage) for stage, n in reached.items() for i in range(n)],
        columns=["customer_id", "stage"],
    )
    table = cxkit.funnel(events, stages=list(reached))
    _in_row(
        "funnel",
        f"buy **{table.loc['buy', 'step_conversion']:.0f} %**",
        f"45 / 60 = **{table.loc['receive', 'step_conversion']:.0f} %**",
        f"from the start **{table.loc['receive', 'conversion_from_start']:.0f} %**",
    )


def test_stall_rate_example():
    """Are 10 of 40 customers at sign up, quiet since January, a stall rate of 25 % on 30 June?"""
    events = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(40)] + ["D1"],
            "stage": ["sign up"] * 40 + ["buy"],
            "timestamp": pd.to_datetime(["2026-01-10"] * 10 + ["2026-06-01"] * 31),
        }
    )
    table = cxkit.stalls(events, stages=["sign up", "buy"], as_of="2026-06-30")
    assert table.loc["sign up", "customers"] == 40
    _in_row(
        "stalls",
        "40 customers at sign up, 10 of them",
        f"**{table.loc['sign up', 'stall_rate']:.0f} %**",
    )


def test_readability_example():
    """Are the card's two sentences scored as printed?"""
    row = ROWS["readability"]
    sentences = re.findall(r'"([^"]+\.)" \*\*([\d.]+)\*\*, ([a-z ]+)\.', row)
    assert len(sentences) == 2
    for text, printed, level in sentences:
        scores = cxkit.readability(text)
        assert (f"{scores['flesch_reading_ease']:.1f}", scores["reading_level"]) == (printed, level)


def test_what_if_example():
    """Does halving disputes (20 % of answers, NPS -10; others +30) move NPS from +22 to +26?"""
    affected = [10, 10] + [8] * 5 + [3] * 3
    others = [10] * 18 + [7] * 16 + [4] * 6
    assert (cxkit.nps(affected), cxkit.nps(others)) == (-10.0, 30.0)
    answers = pd.DataFrame({"recommend": affected + others, "disputed": [True] * 10 + [False] * 40})
    result = cxkit.what_if(answers, "disputed", 50)
    _in_row(
        "what_if",
        f"{result['affected_share']:.0f} % disputed (NPS {_points(result['nps_affected'])}), "
        f"others {_points(result['nps_others'])}",
        f"now **{_points(result['nps_now'])}**",
        f"= **{_points(result['nps_after'])}**",
        f"change {_points(result['change'])}, interval {_points(result['change_low'], 1)} "
        f"to {_points(result['change_high'], 1)}: can't tell yet",
    )
    assert result["change_low"] < 0 < result["change_high"]


@pytest.mark.slow
def test_key_drivers_example():
    """On the sample, is billing rated lowest and third in importance, and in "fix first"?"""
    surveys = cxkit.load("surveys")
    table = cxkit.key_drivers(surveys[surveys["survey_type"] == "relationship"])
    billing = table.loc["rating_billing"]
    assert billing["mean_rating"] == table["mean_rating"].min()
    assert list(table.index).index("rating_billing") == 2 and len(table) == 6
    _in_row(
        "key_drivers",
        f"**{billing['mean_rating']:.1f}** of 5, the lowest",
        f"explains **{billing['importance']:.0f} %**, third of six",
        f"**{billing['quadrant']}**",
    )


# --- the programme page (workshops/README.md) ---------------------------------------------

PROGRAMME = ROOT / "workshops" / "README.md"


def _links(page) -> list[str]:
    """The relative links of a Markdown page."""
    return [
        t for t in re.findall(r"\]\(([^)]+)\)", page.read_text(encoding="utf-8")) if "://" not in t
    ]


def test_the_programme_lists_every_workshop_with_its_guide():
    """Does the sequence name every workshop of source/, each linked to a guide that exists?"""
    workshops = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir())
    linked = [t.split("/")[0] for t in _links(PROGRAMME) if t.endswith("/README.md")]
    assert sorted(set(linked)) == workshops
    missing = [
        t for t in _links(PROGRAMME) + _links(CARD) if not (CARD.parent / t.split("#")[0]).exists()
    ]
    assert missing == []


def test_the_department_values_are_the_ones_workshop_00_accepts():
    """Is every value the programme tells a department to type in 00 one that 00 has a path for?"""
    from cxkit.data.schema import DEPARTMENTS

    text = PROGRAMME.read_text(encoding="utf-8")
    table = text[text.index("| department | in 00 |") : text.index("**Facilities and admin** have")]
    values = re.findall(r"^\| [^|]+ \| `(\w+)` \|", table, flags=re.MULTILINE)
    assert sorted(values) == sorted([*DEPARTMENTS, "facilities"])
    notebook = (ROOT / "source" / "00-foundations" / "foundations.ipynb").read_text(
        encoding="utf-8"
    )
    assert '\\"department\\": \\"facilities\\"' in notebook  # the rows that give facilities a path


WORKSHOPS = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir())


@pytest.mark.parametrize("workshop", WORKSHOPS)
def test_guides_plan_helpers_with_the_programme(workshop):
    """Does every guide plan helpers and sticky notes, linking to the programme's section?"""
    assert "\n## Helpers in the room\n" in PROGRAMME.read_text(encoding="utf-8")
    guide = (ROOT / "workshops" / workshop / "README.md").read_text(encoding="utf-8")
    assert "### Helpers and sticky notes" in guide
    assert "(../README.md#helpers-in-the-room)" in guide
    assert "one helper per 8 to 10 participants" in guide.replace("\n", " ")


def test_the_sequence_gives_each_workshop_the_time_its_guide_plans():
    """Is each workshop's time in the sequence the one at the top of its guide?"""
    text = PROGRAMME.read_text(encoding="utf-8")
    listed = dict(re.findall(r"\]\((\d\d-[\w-]+)/README\.md\) \| [^|]+ \| (\d+) min \|", text))
    planned = {
        w: re.search(
            r"^\| \*\*Time\*\* \| (\d+) minutes",
            (ROOT / "workshops" / w / "README.md").read_text(encoding="utf-8"),
            flags=re.MULTILINE,
        ).group(1)
        for w in WORKSHOPS
    }
    assert listed == planned


def test_who_owns_what_gives_every_touchpoint_its_owner_a_measure_and_a_target():
    """Does the programme's table list every touchpoint of the data with the department that
    owns it there, measures the kit has, and workshops that exist?"""

    text = PROGRAMME.read_text(encoding="utf-8")
    table = text.split("\n## Who owns what\n", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith("| touchpoint")
    ]
    touchpoints = cxkit.load("touchpoints")
    assert {r[0]: r[1] for r in rows} == dict(
        zip(touchpoints["touchpoint"], touchpoints["department"], strict=True)
    )
    numbers = {p.name[:2] for p in (ROOT / "source").iterdir() if p.is_dir()}
    for touchpoint, _, measure, where, target in rows:
        assert target, f"{touchpoint} has no target"
        assert set(re.findall(r"\d\d", where)) <= numbers, where
        for name in re.findall(r"`(\w+)`", measure):
            assert callable(getattr(cxkit, name)), name
