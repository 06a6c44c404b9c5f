"""The organisation scorecard: the right numbers, skipped sections named, nothing private, nothing
half-written. Each export is rendered once per module."""

from __future__ import annotations

import base64
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import cxkit
from cxkit.cli import main
from cxkit.errors import CxkitError
from cxkit.scorecard import card as sc

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "scorecard"
MAPPINGS = ROOT / "workshops" / "reports" / "mappings"
PERIOD = "2026-01-01:2026-06-30"


class _Tables(HTMLParser):
    """Every <table> of a page as a list of rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def table_with(page: str, header: str) -> list[dict[str, str]]:
    """The table whose first header cell is ``header``, as dicts by column."""
    for found in tables(page):
        if found and found[0] and found[0][0] == header:
            return [dict(zip(found[0], row, strict=True)) for row in found[1:]]
    raise AssertionError(f"no table starting with {header!r}")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample company's surveys and touchpoints only: no tickets, no handoffs."""
    data = tmp_path_factory.mktemp("sample")
    for name in ("surveys", "touchpoints"):
        shutil.copy(ROOT / "datasets" / f"{name}.csv", data / f"{name}.csv")
    out = data.parent / "sample-card"
    assert main(["scorecard", "--data", str(data), "--period", PERIOD, "--out", str(out)]) == 0
    return (out / "scorecard.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def qualtrics(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("q") / "card"
    sc.scorecard(FIXTURES / "qualtrics", out, MAPPINGS / "qualtrics.toml")
    return (out / "scorecard.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def surveymonkey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("s") / "card"
    sc.scorecard(FIXTURES / "surveymonkey", out, MAPPINGS / "surveymonkey.yaml", min_n=20)
    return out


def _in_period() -> pd.DataFrame:
    surveys = cxkit.load("surveys")
    return surveys[surveys["response_date"].between("2026-01-01", "2026-06-30")]


@pytest.mark.slow
def test_headline_numbers_are_cxkits_own(sample: str):
    """Are NPS, CSAT and effort in the page those of cxkit on the period's responses?"""
    surveys = _in_period()
    nps, (low, high) = cxkit.nps(surveys["recommend"]), cxkit.nps_ci(surveys["recommend"])
    assert f"NPS {nps:+.1f}</strong> (95% interval {low:+.1f} to {high:+.1f}; " in sample
    csat = cxkit.csat(surveys["csat"])
    assert f"CSAT {csat:.1f}%</strong>" in sample
    assert f"Effort {cxkit.effort(surveys['effort']):.2f}</strong>" in sample
    assert f"<strong>{len(surveys):,}</strong> survey responses, 2026-01-01 to 2026-06-30" in sample


@pytest.mark.slow
def test_department_and_touchpoint_rows_match_nps_by(sample: str):
    """Is each department's NPS with its interval, and each touchpoint's owner, in the page?"""
    expected = cxkit.nps_by(_in_period(), "department")
    rows = {r["department"]: r for r in table_with(sample, "department")}
    for dept, row in expected.iterrows():
        assert rows[dept]["NPS"] == (
            f"{row['value']:+.1f} ({row['ci_low']:+.1f} to {row['ci_high']:+.1f})"
        )
    owners = cxkit.load("touchpoints").set_index("touchpoint")["department"]
    for row in table_with(sample, "touchpoint"):
        assert row["owner"] == owners[row["touchpoint"]]


@pytest.mark.slow
def test_trend_has_one_row_per_month_with_cxkits_numbers(sample: str):
    """Does the trend show each month of the period, its NPS computed by cxkit?"""
    surveys = _in_period()
    months = surveys["response_date"].dt.to_period("M").astype(str)
    expected = cxkit.nps_by(surveys.assign(month=months), "month")
    rows = table_with(sample, "month")
    assert [r["month"] for r in rows] == [f"2026-0{m}" for m in range(1, 7)]
    for row in rows:
        assert row["NPS"].startswith(f"{expected.loc[row['month'], 'value']:+.1f} (")


@pytest.mark.slow
def test_missing_tables_skip_their_sections_and_say_why(sample: str):
    """Without tickets and handoffs, is the handoff section skipped, with the reason?"""
    assert "Skipped: no tickets table in the export." in sample
    assert "<strong>handoff losses</strong>: no tickets table in the export" in sample
    assert "Every transfer of a support ticket" not in sample


@pytest.mark.slow
def test_too_few_responses_are_marked_and_never_ranked(qualtrics: str):
    """Is Legal (23 answers, under 30) marked too few and left without a rank?"""
    rows = {r["department"]: r for r in table_with(qualtrics, "department")}
    assert rows["legal"]["rank"] == ""
    assert rows["legal"]["NPS"] == "too few responses (n = 23)"
    ranks = sorted(int(r["rank"]) for r in rows.values() if r["rank"])
    assert ranks == [1, 2, 3, 4, 5]
    ranked = sorted((r for r in rows.values() if r["rank"]), key=lambda r: int(r["rank"]))
    values = [float(r["NPS"].split(" ")[0]) for r in ranked]
    assert values == sorted(values, reverse=True)


@pytest.mark.slow
def test_every_section_is_there_for_a_full_export(qualtrics: str):
    """With tickets, transfers and ratings, are handoff losses, drivers and pages there?"""
    transfers = table_with(qualtrics, "from")
    assert {"customer_service"} <= {r["from"] for r in transfers}
    assert "it" in {r["to"] for r in transfers}  # "IT desk", renamed by the mapping
    drivers = table_with(qualtrics, "driver")
    assert {r["driver"] for r in drivers} == {"delivery", "product", "support", "billing"}
    for dept in ("logistics", "accounting", "customer_service", "product", "marketing", "legal"):
        assert f'<h2 class="department-page">{dept}: your page' in qualtrics
    assert "What moved: 2026-06 against 2026-05" in qualtrics
    assert "Skipped" not in qualtrics


@pytest.mark.slow
def test_nothing_private_reaches_the_page(qualtrics: str, surveymonkey: Path):
    """Are the planted e-mails, phones, names and numbers, and every id, e-mail and IP address
    of the export, absent from both pages, while the redacted comments are quoted?"""
    from fixtures.scorecard.make_fixtures import SEEDED

    q = pd.read_csv(FIXTURES / "qualtrics" / "survey_export.csv", skiprows=[1, 2], dtype=str)
    m = pd.read_csv(FIXTURES / "surveymonkey" / "responses.csv", skiprows=[1], dtype=str)
    tickets = pd.read_csv(FIXTURES / "qualtrics" / "helpdesk_tickets.csv", dtype=str)
    private = set(SEEDED)
    private |= set(q["ResponseId"]) | set(q["ExternalReference"]) | set(q["RecipientEmail"])
    private |= set(q["IPAddress"]) | set(q["RecipientLastName"])
    private |= set(m["Respondent ID"]) | set(m["Email Address"]) | set(m["IP Address"])
    private |= set(tickets["Ticket ID"])
    pages = {"qualtrics": qualtrics, "surveymonkey": (surveymonkey / "scorecard.html").read_text()}
    for name, page in pages.items():
        text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
        leaked = sorted(p for p in private if p in text)
        assert not leaked, f"{name}: {leaked[:5]}"
        for mark in ("[email]", "[phone]", "[name]", "[number]"):
            assert mark in text, f"{name}: no {mark}: the planted comments were not quoted"


@pytest.mark.slow
def test_no_raw_rows_only_aggregates(qualtrics: str):
    """Does no table have more rows than there are groups, nor a column of raw answers?"""
    for found in tables(qualtrics):
        assert len(found) <= 16
        assert not {"response_id", "customer_id", "comment", "recommend"} & set(found[0])


@pytest.mark.slow
def test_the_page_is_offline_and_has_no_code(qualtrics: str):
    """Is the page self-contained: no network address loaded, charts embedded, no code?"""
    assert not re.search(r"""(?:src|href)=["']https?://""", qualtrics)
    assert "import pandas" not in qualtrics and "def page" not in qualtrics
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", qualtrics)
    assert len(images) >= 2
    assert all(base64.b64decode(i)[:4] == b"\x89PNG" for i in images)


@pytest.mark.slow
def test_a_converted_scale_and_missing_questions_are_stated(surveymonkey: Path):
    """Does the page state the 1-10 rule, and skip effort and drivers, naming why?"""
    page = (surveymonkey / "scorecard.html").read_text()
    assert "recommend: answered on 1-10, converted to 0-10 as round((x - 1) x 10 / 9)" in page
    assert "<strong>Effort</strong>: no effort column in the survey export" in page
    assert "<strong>key drivers</strong>: fewer than two driver ratings" in page
    assert "fewer than <strong>20</strong> answers" in page  # --min-responses 20


@pytest.mark.slow
def test_failure_leaves_out_untouched(tmp_path: Path):
    """After bad data, and after a template that breaks mid-render, is --out as it was, with
    no partial folder beside it?"""
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "surveymonkey", data)
    text = (data / "responses.csv").read_text().replace(",Warehouse,", ",Warehose,", 1)
    (data / "responses.csv").write_text(text)
    out = tmp_path / "out"
    with pytest.raises(CxkitError, match=r"1 problem\(s\); nothing was written"):
        sc.scorecard(data, out, MAPPINGS / "surveymonkey.yaml")
    assert not out.exists()
    shutil.copytree(FIXTURES / "surveymonkey", data, dirs_exist_ok=True)
    broken = nbformat.read(sc.TEMPLATE, as_version=4)
    broken.cells[4].source += "\nraise RuntimeError('template bug')"
    template = tmp_path / "broken.ipynb"
    nbformat.write(broken, template)
    out.mkdir()
    (out / "scorecard.html").write_text("last month's scorecard")
    original = sc.TEMPLATE
    sc.TEMPLATE = template
    try:
        with pytest.raises(CxkitError, match=r"template stopped at cell .*template bug"):
            sc.scorecard(data, out, MAPPINGS / "surveymonkey.yaml")
    finally:
        sc.TEMPLATE = original
    assert (out / "scorecard.html").read_text() == "last month's scorecard"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ipynb", "data", "out"]


def test_out_holding_other_files_is_refused(tmp_path: Path):
    """Is a folder of other files refused before any work, so nothing is overwritten?"""
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CxkitError, match=r"already holds other files \(notes.txt\)"):
        sc.scorecard(ROOT / "datasets", tmp_path)


def test_a_user_error_is_one_paragraph_without_traceback(tmp_path: Path, capsys):
    """Do a bad period and a missing folder exit 2 with a message, no traceback?"""
    args = ["scorecard", "--data", str(ROOT / "datasets"), "--out", str(tmp_path / "o")]
    assert main([*args, "--period", "spring"]) == 2
    assert main(["scorecard", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert 'cxkit: --period "spring" is not a period.' in err
    assert "is not a folder" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_a_period_without_responses_is_refused(tmp_path: Path):
    """Is a period outside the data refused, naming the range the export covers?"""
    with pytest.raises(CxkitError, match=r"runs from 2025-01-01 to 2026-06-30"):
        sc.scorecard(ROOT / "datasets", tmp_path / "o", period="2030")
    assert not (tmp_path / "o").exists()


def test_rank_leaves_small_groups_out():
    """Are groups under the threshold unranked, and low effort ranked best?"""
    frame = pd.DataFrame({"g": list("aaabbbbc"), "effort": [1, 2, 1, 5, 6, 5, 6, 1]})
    ranked = sc._rank(sc._metrics(frame, "g", min_n=3), "effort")
    assert ranked["rank"].tolist() == [1, 2, pd.NA]
    assert ranked.index.tolist() == ["a", "b", "c"]


@pytest.mark.slow
def test_pdf_is_printed_with_chromium(tmp_path: Path):
    """With Chromium installed, does --pdf write a PDF beside the HTML?"""
    assert sc.chromium(), "Chromium is not installed: apt-get install chromium (needed for --pdf)"
    out = tmp_path / "card"
    args = ["--data", str(FIXTURES / "surveymonkey"), "--out", str(out), "--pdf"]
    assert main(["scorecard", *args, "--mapping", str(MAPPINGS / "surveymonkey.yaml")]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["scorecard.html", "scorecard.pdf"]
    pdf = (out / "scorecard.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000


def test_pdf_without_chromium_says_so_before_any_work(tmp_path: Path, monkeypatch):
    """Without Chromium, is --pdf refused at once with how to install it?"""
    monkeypatch.setattr(sc, "CHROMIUM", ("no-such-browser",))
    with pytest.raises(CxkitError, match=r"--pdf needs Chromium .* apt-get install chromium"):
        sc.scorecard(ROOT / "datasets", tmp_path / "o", pdf=True)
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_a_report_kernel_that_starts_slowly_gets_a_clear_message(tmp_path, monkeypatch):
    """When the report's kernel takes longer to start than it may (a busy machine), is the
    answer one message saying so and how to give it longer, with no page and no traceback?"""
    from nbformat import write
    from nbformat.v4 import new_code_cell, new_notebook

    from cxkit.course.render import START_TIMEOUT, render_notebook

    slow = tmp_path / "slow"  # every ipykernel started from here sleeps 8 s before it answers
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(
        "import sys, time\nif 'ipykernel' in ' '.join(sys.orig_argv):\n    time.sleep(8)\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(slow))
    monkeypatch.setenv(START_TIMEOUT, "2")
    template = tmp_path / "template.ipynb"
    write(new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": ["parameters"]})]), template)
    with pytest.raises(CxkitError) as caught:
        render_notebook(template, {}, tmp_path / "out" / "page.html", "A page", name="pulse")
    message = str(caught.value)
    assert "The pulse was not written: its kernel" in message
    assert "did not start within 2 s" in message
    assert f"{START_TIMEOUT}=180" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv(START_TIMEOUT, "soon")
    with pytest.raises(CxkitError, match="is not a number of seconds"):
        render_notebook(template, {}, tmp_path / "out" / "page.html", "A page")
