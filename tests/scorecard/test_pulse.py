"""The pulse: each department's touchpoints after its workshop, against the days before it."""

from __future__ import annotations

import argparse
import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cxkit.data import story
from cxkit.data.generate import generate, generate_after
from cxkit.errors import CxkitError
from cxkit.scorecard.commands import add_commands
from cxkit.scorecard.mapping import read_mapping
from cxkit.scorecard.pulse import PULSE_COLUMNS, month_gaps, read_schedule, windows

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "scorecard"
MAPPINGS = ROOT / "workshops" / "reports" / "mappings"
COMMITMENTS = [
    # workshop, participant, department, change, touchpoint, metric, target, by, collected, kept
    ("01-accounting-finance", "amira", "accounting", "The friendly letter for every late "
     "invoice, and an invoice in plain words", "invoice", "NPS", "40", "2026-09-30",
     "2026-06-30", "yes"),
    ("01-accounting-finance", "bram", "accounting", "Call before a reminder goes out",
     "payment reminder", "days to pay", "25", "2026-09-30", "2026-06-30", ""),
    ("02-logistics-operations", "chen", "logistics", "Call the customer before a late "
     "delivery", "delivery", "NPS", "20", "2026-09-30", "2026-06-24", "no"),
]  # fmt: skip


def _pulse(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``cxkit pulse`` as the command line does; return what it printed."""
    parser = argparse.ArgumentParser(prog="cxkit")
    add_commands(parser.add_subparsers())
    args = parser.parse_args(["pulse", *argv])
    assert args.func(args) == 0
    return capsys.readouterr().out


def _course(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["workshop", "participant", "department", "change", "touchpoint", "metric",
               "target", "by", "collected", "kept"]  # fmt: skip
    pd.DataFrame(COMMITMENTS, columns=columns).to_csv(folder / "commitments.csv", index=False)
    return folder


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


def _read(path: Path) -> pd.DataFrame:
    """pulses.csv as numbers; a department without answers has empty touchpoint and metric."""
    return pd.read_csv(path).fillna({"touchpoint": "", "metric": ""})


def _row(pulses: pd.DataFrame, department: str, touchpoint: str, metric: str) -> pd.Series:
    found = pulses[
        (pulses["department"] == department)
        & (pulses["touchpoint"] == touchpoint)
        & (pulses["metric"] == metric)
    ]
    assert len(found) == 1, found
    return found.iloc[0]


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The shipped sample with its six months after the workshops, and the planted changes."""
    folder = tmp_path_factory.mktemp("pulse") / "company"
    shutil.copytree(ROOT / "datasets", folder)
    return folder, generate_after(folder).set_index(["survey_type", "metric"])["planted"]


def test_the_sample_pulse_finds_the_planted_change_and_not_the_control(company, tmp_path, capsys):
    """90 days after the workshops: is accounting's invoice clearly better with the planted
    size inside each interval, is logistics' delivery "can't tell yet", are the commitments
    beside their measures, and does every department get a page?"""
    data, planted = company
    course = _course(tmp_path / "course")
    out = _pulse("--data", str(data), "--course", str(course), "--out", str(tmp_path / "pages"),
                 "--period", "90", capsys=capsys)  # fmt: skip
    pulses = _read(course / "pulses.csv")
    assert list(pulses.columns) == PULSE_COLUMNS
    for metric in ("nps", "csat", "effort"):
        row = _row(pulses, "accounting", "invoice", metric)
        assert row["verdict"] == "clearly better", row
        assert row["low"] < planted["post_invoice", metric] < row["high"], row
        assert (row["period_start"], row["period_end"]) == ("2026-07-01", "2026-09-28")
        assert row["n_now"] > 100 and row["n_baseline"] > 200
    control = _row(pulses, "logistics", "delivery", "nps")
    assert control["verdict"] == "can't tell yet"
    assert control["low"] < 0 < control["high"]
    pages = sorted(p.name for p in (tmp_path / "pages").iterdir())
    assert pages == sorted(f"{d}-90-days.html" for d in story.WORKSHOP_DATES)
    page = _text(tmp_path / "pages" / "accounting-90-days.html")
    assert "Accounting: 90 days after the workshop" in page
    assert "amira: The friendly letter for every late invoice" in page  # beside invoice NPS
    assert 'names the measure "days to pay", which the survey exports do not hold' in page
    assert "NPS at invoice went from 21.6 to" in page  # the success to recognise
    assert "cxkit refresher make accounting" in page
    logistics = _text(tmp_path / "pages" / "logistics-90-days.html")
    assert "chen: Call the customer before a late delivery" in logistics
    assert "No measure is clearly better yet" in logistics or "clearly better" in logistics
    it = _text(tmp_path / "pages" / "it-90-days.html")
    assert "IT has no answers to compare: 0 at its touchpoints" in it
    assert _row(pulses, "it", "all your touchpoints", "nps")["verdict"] == "no answers"
    assert "accounting, invoice, NPS: clearly better" in out
    assert "Note: it (90 days after the workshop): IT has no answers" in out
    assert 'bram\'s commitment names the measure "days to pay"' in out


def test_a_seed_7_company_shows_the_same(tmp_path, capsys):
    """On another company (seed 7) with its months after, is the planted change found again
    with its size inside the interval, and the control still "can't tell yet"?"""
    data = tmp_path / "seven"
    generate(data, seed=7)
    planted = generate_after(data, seed=7).set_index(["survey_type", "metric"])["planted"]
    course = tmp_path / "course"
    _pulse("--data", str(data), "--course", str(course), "--out", str(tmp_path / "pages"),
           "--department", "accounting", "--department", "logistics", capsys=capsys)  # fmt: skip
    pulses = _read(course / "pulses.csv")
    for metric in ("nps", "csat"):
        row = _row(pulses, "accounting", "invoice", metric)
        assert row["verdict"] == "clearly better", row
        assert row["low"] < planted["post_invoice", metric] < row["high"], row
    assert _row(pulses, "logistics", "delivery", "nps")["verdict"] == "can't tell yet"
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == [
        "accounting-90-days.html",
        "logistics-90-days.html",
    ]


@pytest.mark.parametrize(
    ("folder", "mapping"), [("qualtrics", "qualtrics.toml"), ("surveymonkey", "surveymonkey.yaml")]
)
def test_the_pulse_runs_on_real_exports_with_their_department_mapping(
    folder, mapping, tmp_path, capsys
):
    """On a Qualtrics- or SurveyMonkey-like export, with the company's own team names in the
    schedule, does the pulse count the same answers as a plain reading of the export?"""
    schedule = tmp_path / "workshops.csv"
    schedule.write_text("department,workshop_date\nWarehouse,2026-04-01\nFinance,2026-04-01\n")
    _pulse("--data", str(FIXTURES / folder), "--mapping", str(MAPPINGS / mapping),
           "--workshops", str(schedule), "--course", str(tmp_path), "--period", "60",
           "--out", str(tmp_path / "pages"), "--min-responses", "10", capsys=capsys)  # fmt: skip
    pulses = _read(tmp_path / "pulses.csv")
    assert set(pulses["department"]) == {"logistics", "accounting"}
    assert set(pulses["verdict"]) <= {"clearly better", "clearly worse", "can't tell yet"}
    if folder == "surveymonkey":  # an independent count of Warehouse's recommend answers
        raw = pd.read_csv(FIXTURES / folder / "responses.csv", skiprows=[1], dtype=str)
        when = pd.to_datetime(raw["End Date"], format="%m/%d/%Y %I:%M:%S %p").dt.normalize()
        team = raw["Custom Data 1"] == "Warehouse"
        touch = raw["Custom Data 2"] == "Delivery"
        now = when.between("2026-04-02", "2026-05-31")
        before = when.between("2025-10-04", "2026-04-01")
        row = _row(pulses, "logistics", "Delivery", "nps")
        assert row["n_now"] == (team & touch & now).sum() > 10
        assert row["n_baseline"] == (team & touch & before).sum() > 10
    page = _text(tmp_path / "pages" / "logistics-60-days.html")
    assert "Logistics: 60 days after the workshop" in page


def test_a_month_added_to_the_folder_is_read_on_the_next_run(tmp_path, capsys):
    """With exports that arrive month by month (a pattern in the mapping), does the next run
    read a month's file dropped into the folder, and replace its own rows in pulses.csv?"""
    source = (FIXTURES / "surveymonkey" / "responses.csv").read_text(encoding="utf-8")
    header, types, *rows = source.splitlines(keepends=True)
    march = [r for r in rows if r.split(",")[2][:2] in ("01", "02", "03")]
    april = [r for r in rows if r.split(",")[2][:2] == "04"]
    assert march and april
    data = tmp_path / "exports"
    data.mkdir()
    (data / "responses-2026-03.csv").write_text(header + types + "".join(march), "utf-8")
    mapping = tmp_path / "monthly.yaml"
    text = (MAPPINGS / "surveymonkey.yaml").read_text(encoding="utf-8")
    mapping.write_text(text.replace("file: responses.csv", 'file: "responses-*.csv"'), "utf-8")
    (tmp_path / "workshops.csv").write_text("department,workshop_date\nWarehouse,2026-03-01\n")
    argv = ["--data", str(data), "--mapping", str(mapping), "--course", str(tmp_path),
            "--period", "2026-04-30", "--out", str(tmp_path / "pages")]  # fmt: skip
    first = _pulse(*argv, capsys=capsys)
    before = _read(tmp_path / "pulses.csv")
    assert "The exports end on 2026-03-3" in _text(
        tmp_path / "pages" / "logistics-to-2026-04-30.html"
    )
    (data / "responses-2026-04.csv").write_text(header + types + "".join(april), "utf-8")
    second = _pulse(*argv, capsys=capsys)
    after = _read(tmp_path / "pulses.csv")
    assert len(after) == len(before)  # the same pulse: its rows replaced, not added
    april_warehouse = sum(1 for r in april if ",Warehouse,Delivery," in r)
    grew = _row(after, "logistics", "Delivery", "nps")["n_now"]
    assert grew == _row(before, "logistics", "Delivery", "nps")["n_now"] + april_warehouse
    assert first != second


def test_a_missing_month_and_a_pulse_before_any_answer_are_said(company, tmp_path, capsys):
    """With August's export missing, and a pulse of a department whose answers end before its
    period starts, does the console and the page say so instead of showing empty numbers?"""
    data, _ = company
    gap = tmp_path / "gap"
    shutil.copytree(data, gap)
    (gap / "surveys_2026-08.csv").unlink()
    out = _pulse("--data", str(gap), "--out", str(tmp_path / "pages"), "--period", "90",
                 "--department", "accounting", capsys=capsys)  # fmt: skip
    assert "The exports hold no answer at all in 2026-08" in out
    page = _text(tmp_path / "pages" / "accounting-90-days.html")
    assert "The exports hold no answer at all in 2026-08, inside this pulse's days" in page
    assert "No commitments to show: none was found in a course folder (--course)" in page
    shipped = tmp_path / "shipped"
    shutil.copytree(ROOT / "datasets", shipped)
    (shipped / "workshops.csv").write_text("department,workshop_date\naccounting,2026-06-30\n")
    out = _pulse("--data", str(shipped), "--out", str(tmp_path / "early"), "--period", "30",
                 "--course", str(tmp_path / "course"), capsys=capsys)  # fmt: skip
    assert "No answer after the workshop yet: the exports end on 2026-06-30" in out
    page = _text(tmp_path / "early" / "accounting-30-days.html")
    assert "No answer after the workshop yet" in page
    assert "Accounting has no answers to compare" in page
    pulses = _read(tmp_path / "course" / "pulses.csv")
    assert set(pulses["verdict"]) == {"no answers"}


def test_bad_schedules_and_periods_are_refused_with_the_fix(tmp_path):
    """Are a schedule with an unknown department or a bad date, and a period that is not one,
    each refused with a message naming the line and the fix?"""
    mapping = read_mapping(None, ROOT / "datasets", [])  # type: ignore[arg-type]
    path = tmp_path / "workshops.csv"
    path.write_text("department,workshop_date\naccounting,2026-06-30\nacounting,2026-06-30\n")
    with pytest.raises(CxkitError, match=r'line 3: "acounting" is not a department\. Did you'):
        read_schedule(path, mapping)
    path.write_text("department,workshop_date\naccounting,30 juni\n")
    with pytest.raises(CxkitError, match=r'line 2: "30 juni" is not a date'):
        read_schedule(path, mapping)
    with pytest.raises(CxkitError, match="Cannot find the workshop schedule"):
        read_schedule(tmp_path / "none.csv", mapping)
    when = {"accounting": pd.Timestamp("2026-06-30")}
    with pytest.raises(CxkitError, match='--period "soon" is not a pulse period'):
        windows(when, "soon")
    with pytest.raises(CxkitError, match="ends before accounting's pulse starts"):
        windows(when, "2026-06-01")
    assert [len(w) for w in windows(when, "30/60/90")] == [1, 1, 1]
    dates = pd.Series(pd.to_datetime(["2026-01-31", "2026-04-01"]))
    assert month_gaps(dates) == ["2026-02", "2026-03"]
