"""The programme report: per department, workshops, refreshers, commitments and pulses, offline."""

from __future__ import annotations

import argparse
import re
from html import unescape

import minicourse as mc
import pandas as pd
import pytest

from cxkit.course.commitments import COLUMNS, write_commitments
from cxkit.course.directory import Course
from cxkit.course.grade import grade
from cxkit.course.programme import PULSE_COLUMNS, gather, read_pulses, render
from cxkit.course.programme_commands import add_commands
from cxkit.errors import CxkitError

PULSES = (
    ",".join(PULSE_COLUMNS) + "\n"
    "2027-02-15,2027-01-15,2027-02-14,logistics,delivery,nps,"
    "10.0,18.5,8.5,2.1,14.9,clearly better,900,310\n"
    "2027-02-15,2027-01-15,2027-02-14,logistics,all your touchpoints,nps,"
    "12.0,15.0,3.0,-1.0,7.0,can't tell yet,2000,700\n"
    "2027-02-15,2027-01-15,2027-02-14,logistics,website,nps,"
    "30.0,31.0,1.0,-5.0,7.0,can't tell yet,500,150\n"
    "2027-03-15,2027-02-15,2027-03-14,logistics,delivery,nps,"
    "10.0,19.25,9.25,3.0,15.5,clearly better,900,330\n"
    "2027-02-15,2027-01-15,2027-02-14,accounting,invoice,effort,"
    "3.0,2.6,-0.4,-0.9,0.1,can't tell yet,400,120\n"
    "2027-02-15,2027-01-15,2027-02-14,accounting,invoice,csat,,,,,,no answers,0,0\n"
)  # as cxkit pulse writes them: its measures are nps, csat and effort


def _commitments(course: Course) -> None:
    rows = [
        ("02-logistics", "ben", "logistics", "Call before a split delivery", "delivery",
         "NPS", "+10", "2027-03-31", "2027-01-21", "yes"),
        ("02-logistics", "gus", "logistics", "Check the slips <twice>", "delivery",
         "damage rate", "below 3 %", "2027-03-31", "2027-01-21", ""),
        ("01-accounting", "ana", "accounting", "Friendly letter first", "invoice",
         "effort", "below 2.5", "2027-03-31", "2027-01-21", "partly"),
        ("01-accounting", "jun", "accounting", "Plain words", "invoice",
         "CSAT", "80 %", "2027-03-31", "2027-01-21", ""),
    ]  # fmt: skip
    write_commitments(pd.DataFrame(rows, columns=list(COLUMNS)), course.root / "commitments.csv")


def _text(page: str) -> str:
    """The page's words, tags removed, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)).replace("¶", ""))


def _section(page: str, department: str) -> str:
    """The words of one department's section of the page."""
    text = _text(page)
    start = text.index(f"{department} Workshops")
    following = [text.find(f"{d} Workshops", start + 1) for d in ("accounting", "it", "logistics")]
    end = min([i for i in following if i > start] or [len(text)])
    return text[start:end]


def test_an_empty_programme_says_what_is_missing_for_each_department(course):
    """With a roster and nothing else, does each department say no workshop, refresher,
    commitment or pulse yet, on a page that loads nothing?"""
    page = render(course).read_text()
    assert "<script" not in page and not re.search(r"(src|href)=\"https?:", page)
    for department in ("accounting", "it", "logistics"):
        words = _section(page, department)
        assert "No workshop handed in yet." in words
        assert f"No refresher yet (make one with cxkit refresher make {department}" in words
        assert "No commitments collected yet" in words
        assert "No commitment names a metric yet." in words


def test_commitments_and_the_pulses_of_their_metrics_appear_beside_each_other(course):
    """Do the kept counts, each commitment, and every pulse of a committed metric show, and is
    a committed metric without a pulse named?"""
    _commitments(course)
    (course.root / "pulses.csv").write_text(PULSES)
    page = render(course).read_text()
    logistics = _section(page, "logistics")
    assert "2 commitment(s); kept: 1 yes, 1 not recorded yet." in logistics
    assert "Check the slips <twice>" in logistics  # escaped on the page, read back as text
    assert "<twice>" not in page
    nps = "nps delivery 2027-02-15 2027-01-15 to 2027-02-14 10.0 18.5 +8.5 +2.1 to +14.9"
    assert f"{nps} clearly better" in logistics
    assert "2027-03-15 2027-02-15 to 2027-03-14 10.0 19.2 +9.2 +3.0 to +15.5" in logistics
    assert "all your touchpoints 2027-02-15 2027-01-15 to 2027-02-14 12.0 15.0 +3.0" in logistics
    assert "website" not in logistics  # a touchpoint nobody committed to
    assert "No pulse yet for: damage rate (delivery)." in logistics
    accounting = _section(page, "accounting")
    assert "kept: 1 partly, 1 not recorded yet." in accounting
    assert (
        "effort invoice 2027-02-15 2027-01-15 to 2027-02-14 3.0 2.6 -0.4 -0.9 to +0.1" in accounting
    )
    assert "csat invoice 2027-02-15 2027-01-15 to 2027-02-14 no answers" in accounting
    overview = _text(page)[: _text(page).index("accounting Workshops")]
    assert "accounting 0 no refresher yet 0 of 2 (1 partly)" in overview
    assert "logistics 0 no refresher yet 1 of 2" in overview


def test_without_pulses_the_committed_metrics_say_no_pulse_yet(course):
    """With commitments and no pulses.csv, does the page say so?"""
    _commitments(course)
    assert "No pulse yet (cxkit pulse writes pulses.csv" in _section(
        render(course).read_text(), "logistics"
    )


def test_unreadable_pulses_and_commitments_are_clear_errors(course):
    """Are a pulses.csv without a column, with a word for a number, and a broken
    commitments.csv each named, and no page written?"""
    path = course.root / "pulses.csv"
    path.write_text(PULSES.replace("verdict", "outcome", 1))
    with pytest.raises(CxkitError, match='pulses.csv has no column "verdict"'):
        read_pulses(path)
    path.write_text(PULSES.replace("19.25", "high", 1))
    with pytest.raises(CxkitError, match='line 5: now is "high", not a number'):
        render(course)
    path.unlink()
    (course.root / "commitments.csv").write_text("who,what\nana,letters\n")
    with pytest.raises(CxkitError, match='commitments.csv has no column "workshop"'):
        render(course)
    assert not (course.root / "reports" / "programme.html").exists()
    assert read_pulses(path) is None


def test_the_programme_command_writes_the_page_where_asked(course, tmp_path, capsys):
    """Does `cxkit programme --out page.html` write the page there?"""
    parser = argparse.ArgumentParser(prog="cxkit")
    add_commands(parser.add_subparsers(dest="command"))
    out = tmp_path / "page.html"
    args = parser.parse_args(["programme", "--course-dir", str(course.root), "--out", str(out)])
    assert args.func(args) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    assert "<title>Programme report</title>" in out.read_text()


@pytest.mark.slow
def test_workshop_completion_comes_from_the_gradebook(course):
    """With ana graded in full, ben graded blank and chen absent, does each department show
    who handed in, who was graded, completion and the mean score?"""
    mc.hand_in(course.root, "ana", mc.submission())
    blank = {"double": "def double(x):\n    raise NotImplementedError()", "answer": "answer = None"}
    mc.hand_in(course.root, "ben", mc.submission(blank))
    grade(course, "mini", workers=2, cell_timeout=10, budget=60, show_progress=False)
    rows = gather(course).workshops.set_index("department")
    assert rows.loc["accounting", ["participants", "handed_in", "graded"]].tolist() == [1, 1, 1]
    assert rows.loc["accounting", "mean_score"] == 75.0  # 3 of 4: the reflection is not graded
    assert rows.loc["logistics", "mean_score"] == 0.0
    assert "it" not in rows.index  # chen handed nothing in
    page = render(course).read_text()
    assert "mini 2026-11-20 1 1 1 100 % 75.0" in _section(page, "accounting")
    assert "No workshop handed in yet." in _section(page, "it")
    elsewhere = Course(course.root, f"sqlite:///{course.root / 'another.db'}")
    with pytest.raises(CxkitError, match="ana's mini was graded, but the gradebook at"):
        gather(elsewhere)


def test_refresher_scores_over_time_are_drawn_once_there_are_two_dates():
    """With refreshers on two dates, does the page carry one embedded chart with its words,
    and with one date none?"""
    from cxkit.course.programme import Programme, programme_notebook
    from cxkit.course.render import to_html

    refreshers = pd.DataFrame(
        {
            "refresher": ["refresher-it-2027-01-15", "refresher-it-2027-03-15"],
            "date": ["2027-01-15", "2027-03-15"],
            "department": ["it", "it"],
            "participants": [3, 3],
            "handed_in": [3, 2],
            "graded": [3, 2],
            "mean_score": [80.0, 62.5],
        }
    )
    workshops = pd.DataFrame(columns=refreshers.columns).rename(columns={"refresher": "workshop"})
    found = Programme(workshops, refreshers, None, None, ["it"])
    page = to_html(programme_notebook(found, "P"), "P", exclude_input=True)
    assert page.count('src="data:image/png;base64,') == 1
    assert 'alt="Refresher scores over time, by department"' in page
    assert "refresher-it-2027-03-15 2027-03-15 2 2 62.5" in _section(page, "it")
    found.refreshers = refreshers.iloc[:1]
    assert "data:image/png" not in to_html(programme_notebook(found, "P"), "P", exclude_input=True)


def test_two_commitments_on_one_metric_show_its_pulses_once(course):
    """When two people commit to the same metric (one writes it in capitals), is each pulse
    shown once?"""
    _commitments(course)
    path = course.root / "commitments.csv"
    extra = "02-logistics,ben2,logistics,Pack with care,delivery,nps,,,,\n"
    path.write_text(path.read_text() + extra)
    (course.root / "pulses.csv").write_text(PULSES)
    logistics = _section(render(course).read_text(), "logistics")
    assert logistics.count("2027-02-15 2027-01-15 to 2027-02-14 10.0 18.5 +8.5") == 1
    assert "change = now minus baseline" in logistics
