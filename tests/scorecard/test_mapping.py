"""Mapping files: reading a company's own export, and listing every problem in it at once."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cxkit.cli import main
from cxkit.errors import CxkitError
from cxkit.scorecard.card import gather
from cxkit.scorecard.mapping import Problems, Scale, parse_period, read_mapping

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "scorecard"
MAPPINGS = ROOT / "workshops" / "reports" / "mappings"
QUALTRICS = MAPPINGS / "qualtrics.toml"
SURVEYMONKEY = MAPPINGS / "surveymonkey.yaml"
EXPORT = "survey_export.csv"  # columns: 7 RecordedDate, 8 ResponseId, 17 Q1, 19 Q2, 26 Team


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A copy of the Qualtrics-like test export that a test may break."""
    target = tmp_path / "export"
    shutil.copytree(FIXTURES / "qualtrics", target)
    return target


def _edit(folder: Path, changes: dict[tuple[int, int], str], name: str = EXPORT) -> None:
    """Set cells by (spreadsheet line, column number); line 1 is the header."""
    path = folder / name
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for (line, column), value in changes.items():
        rows[line - 1][column] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _problems(folder: Path, mapping: Path | None = QUALTRICS, chunksize: int = 250_000) -> str:
    return gather(folder, mapping, chunksize=chunksize).problems.text()


def test_example_mappings_read_their_exports_without_problems():
    """Do both example mappings read the test exports in their shape cleanly?"""
    for folder, mapping, rows in (
        ("qualtrics", QUALTRICS, 640),
        ("surveymonkey", SURVEYMONKEY, 300),
    ):
        found = gather(FIXTURES / folder, mapping)
        assert found.problems == []
        assert len(found.tables["surveys"]) == rows
    surveys = gather(FIXTURES / "qualtrics", QUALTRICS).tables["surveys"]
    assert set(surveys["department"].dropna()) == {
        "logistics",
        "accounting",
        "customer_service",
        "product",
        "marketing",
        "legal",
    }
    assert surveys["csat"].between(1, 5).all() and str(surveys["recommend"].dtype) == "float32"


def test_the_scale_rule_is_applied_and_stated():
    """Is a 1-10 recommend scale converted to 0-10 by the stated rule, 6 staying a detractor?"""
    scale = Scale("recommend", (1, 10), (0, 10))
    converted = scale.apply(pd.Series([1.0, 2.0, 5.0, 6.0, 7.0, 9.0, 10.0])).tolist()
    assert converted == [0, 1, 4, 6, 7, 9, 10]
    assert (
        scale.rule() == "recommend: answered on 1-10, converted to 0-10 as round((x - 1) x 10 / 9)"
    )
    raw = pd.read_csv(FIXTURES / "surveymonkey" / "responses.csv", skiprows=[1])
    asked = raw["On a scale from 1 to 10, how likely are you to recommend us to a friend?"]
    read = gather(FIXTURES / "surveymonkey", SURVEYMONKEY).tables["surveys"]["recommend"]
    assert read.tolist() == ((asked - 1) * 10 / 9 + 0.5).astype(int).tolist()


def test_csat_labels_are_read_as_numbers():
    """Are CSAT answers written as labels ("Very satisfied") read as 1-5?"""
    raw = pd.read_csv(FIXTURES / "qualtrics" / EXPORT, skiprows=[1, 2])
    read = gather(FIXTURES / "qualtrics", QUALTRICS).tables["surveys"]["csat"]
    assert (raw["Q2"] == "Very satisfied").sum() == (read == 5).sum() > 0


def test_every_problem_is_listed_at_once_with_file_column_line_and_fix(export: Path):
    """Does one check list an unknown department, a duplicate id, mixed dates, a score of 11
    and an unmapped label together, each with file, column, line and fix?"""
    first_id = next(csv.reader(io.StringIO((export / EXPORT).read_text().split("\n")[8])))[8]
    _edit(
        export,
        {
            (6, 26): "Sales",
            (10, 8): first_id,
            (13, 7): "15/03/2026 10:00:00",
            (15, 17): "11",
            (16, 19): "Happy",
        },
    )
    text = _problems(export)
    assert text.count("\n") == 4  # five problems, numbered
    assert (
        'export/survey_export.csv, column "Team": has the unknown department "Sales" '
        '(1 row(s): line 6). Fix: add "Sales" = <a department> under [departments]'
    ) in text
    assert (
        'column "ResponseId": has duplicate response ids (1 row(s): '
        f"line 9: '{first_id}', line 10: '{first_id}')"
    ) in text
    assert (
        'column "RecordedDate": has dates not written %Y-%m-%d %H:%M:%S: mixed date formats in '
        "one column (these look like %d/%m/%Y) (1 row(s): line 13: '15/03/2026 10:00:00')"
    ) in text
    assert "column \"Q1\": has answers outside 0-10 (1 row(s): line 15: '11'). Fix: if the " in text
    assert "[surveys.scales.recommend]" in text
    assert 'column "Q2": has answers that are not numbers (expected csat)' in text
    assert "line 16: 'Happy'" in text and "[surveys.values.csat]" in text


def test_a_misspelt_department_gets_a_close_match(export: Path):
    """Is a misspelt team name ("Warehous") answered with the name the mapping knows?"""
    _edit(export, {(20, 26): "Warehous"})
    assert 'unknown department "Warehous" (1 row(s): line 20)' in _problems(export)
    assert 'Did you mean "Warehouse"?' in _problems(export)


def test_problems_found_in_several_chunks_are_merged_with_true_line_numbers(export: Path):
    """Read in chunks of 50 rows, are the same problem's rows counted once, lines exact?"""
    _edit(export, {(30, 26): "Sales", (130, 26): "Sales", (400, 26): "Sales"})
    text = _problems(export, chunksize=50)
    assert text.count("Sales") == 2  # one problem: its message and its fix
    assert '"Sales" (3 row(s): line 30, line 130, line 400)' in text


def test_duplicates_across_chunks_are_found(export: Path):
    """Is an id repeated 500 rows later, in another chunk, still a duplicate?"""
    first_id = next(csv.reader(io.StringIO((export / EXPORT).read_text().split("\n")[3])))[8]
    _edit(export, {(504, 8): first_id})
    assert f"line 4: '{first_id}', line 504: '{first_id}'" in _problems(export, chunksize=100)


def test_mistakes_in_the_mapping_itself_are_listed(export: Path, tmp_path: Path):
    """Are an unknown setting, an unknown cxkit column, a column the file lacks and a bad
    scale all reported, with close matches?"""
    text = QUALTRICS.read_text()
    text = text.replace('recommend = "Q1"', 'recomend = "Q1"').replace(
        'csat = "Q2"', 'csat = "Q22"'
    )
    text = text.replace(
        "[surveys.dates]", "[surveys.scales.effort]\nfrom = [7, 1]\n\n[surveys.dates]"
    )
    text = text.replace('region = "NL"', 'region = "NL"\ncolour = "blue"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    found = _problems(export, bad)
    assert 'bad.toml, column "colour": is not a mapping key' in found
    assert (
        'column "surveys.recomend": is not a column of cxkit\'s surveys table. Fix: use one of '
    ) in found
    assert 'Did you mean "recommend"?' in found
    assert 'column "surveys.columns.csat": names "Q22", which is not a column of ' in found
    assert 'Did you mean "Q2"?' in found
    assert (
        'column "surveys.scales.effort": has no usable from = [low, high] (found [7, 1])' in found
    )


def test_a_mapping_naming_a_missing_file_is_a_problem(export: Path):
    """Is a table the mapping names but the folder lacks reported, not silently skipped?"""
    (export / "helpdesk_transfers.csv").unlink()
    assert (
        "export/helpdesk_transfers.csv: does not exist. Fix: put the export there, or correct "
        '"file" under [handoffs] in qualtrics.toml.'
    ) in _problems(export)


def test_yaml_and_toml_errors_name_the_file(tmp_path: Path):
    """Does a broken or unknown mapping file stop with a message naming it?"""
    broken = tmp_path / "m.yaml"
    broken.write_text("surveys: [unclosed\n")
    with pytest.raises(CxkitError, match=r"m.yaml is not valid YAML"):
        read_mapping(broken, tmp_path, Problems())
    (tmp_path / "m.toml").write_text("surveys = \n")
    with pytest.raises(CxkitError, match=r"m.toml is not valid TOML"):
        read_mapping(tmp_path / "m.toml", tmp_path, Problems())
    (tmp_path / "m.json").write_text("{}")
    with pytest.raises(CxkitError, match=r"ends in .toml, .yaml or .yml"):
        read_mapping(tmp_path / "m.json", tmp_path, Problems())


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-01-01:2026-06-30", "2026-01-01", "2026-06-30"),
        ("2026-03-01:", "2026-03-01", None),
        ("2026", "2026-01-01", "2026-12-31"),
        ("2026-Q2", "2026-04-01", "2026-06-30"),
        ("2026-02", "2026-02-01", "2026-02-28"),
    ],
)
def test_period_syntax(text: str, start: str, end: str | None):
    """Are START:END, open ends, a year, a quarter and a month all read, ends included?"""
    got = parse_period(text)
    assert got == (pd.Timestamp(start), pd.Timestamp(end) if end else None)


def test_a_bad_period_says_how_to_write_one():
    """Is a period that is not one, or runs backwards, refused with the syntax?"""
    with pytest.raises(CxkitError, match=r"Write START:END as dates"):
        parse_period("last spring")
    with pytest.raises(CxkitError, match=r"ends before it starts"):
        parse_period("2026-06-30:2026-01-01")


def test_check_lists_problems_and_exits_2_without_a_traceback(export: Path, capsys):
    """Does `cxkit scorecard --check` print every problem and exit 2, and 0 when clean?"""
    assert main(["scorecard", "--check", "--data", str(export), "--mapping", str(QUALTRICS)]) == 0
    out = capsys.readouterr().out
    assert "no problems found" in out and "640 responses, 2026-01-01 to 2026-06-30" in out
    _edit(export, {(6, 26): "Sales", (7, 17): "eleven"})
    code = main(["scorecard", "--check", "--data", str(export), "--mapping", str(QUALTRICS)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out.startswith("1. export/survey_export.csv")
    assert "2. export/survey_export.csv" in captured.out
    assert "2 problem(s) in the export or the mapping" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_check_names_the_sections_a_missing_table_skips(tmp_path: Path, capsys):
    """With only surveys.csv in cxkit's layout, does --check say what the report will skip?"""
    shutil.copy(ROOT / "datasets" / "surveys.csv", tmp_path / "surveys.csv")
    assert main(["scorecard", "--check", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "skipped in the report: handoff losses (no tickets table in the export)" in out


def test_a_folder_without_surveys_is_refused(tmp_path: Path):
    """Without a mapping and without surveys.csv, is the fix named?"""
    assert "holds no surveys.csv. Fix: give --mapping" in _problems(tmp_path, None)


def test_a_department_of_your_own_can_be_declared(export: Path, tmp_path: Path):
    """With "sales" under own_departments, is a Sales team read instead of refused?"""
    text = QUALTRICS.read_text().replace(
        'region = "NL"', 'region = "NL"\nown_departments = ["sales"]'
    )
    mapping = tmp_path / "own.toml"
    mapping.write_text(text.replace('"IT desk" = "it"', '"IT desk" = "it"\n"Sales" = "sales"'))
    _edit(export, {(6, 26): "Sales"})
    found = gather(export, mapping)
    assert found.problems == []
    assert (found.tables["surveys"]["department"] == "sales").sum() == 1


def test_a_semicolon_export_whose_questions_hold_commas_reads_as_the_comma_one(tmp_path):
    """Does a European Excel export (semicolons; commas inside the header's questions) read
    the same as the comma-separated one?"""
    source = FIXTURES / "surveymonkey" / "responses.csv"
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"))))
    assert "," in rows[0][10]  # "On a scale from 1 to 10, how likely ..."
    target = tmp_path / "semicolons"
    target.mkdir()
    with (target / "responses.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(rows)
    assert (target / "responses.csv").read_text(encoding="utf-8").count(";") > 3000
    read = gather(target, SURVEYMONKEY)
    assert read.problems == []
    expected = gather(FIXTURES / "surveymonkey", SURVEYMONKEY).tables["surveys"]
    pd.testing.assert_frame_equal(read.tables["surveys"], expected)


GOOGLE = FIXTURES / "googleforms.toml"


def test_an_export_without_response_ids_is_read_and_its_repeated_rows_are_found(tmp_path):
    """Is a Google Forms-like export (no response id) read without a problem, and is a row
    pasted in twice reported by its line?"""
    read = gather(FIXTURES / "googleforms", GOOGLE)
    assert read.problems == []
    assert len(read.tables["surveys"]) == 200
    target = tmp_path / "forms"
    shutil.copytree(FIXTURES / "googleforms", target)
    path = target / "Form responses 1.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines, lines[5]]), encoding="utf-8")  # line 6 again as line 202
    problems = gather(target, GOOGLE).problems
    assert len(problems) == 1
    assert "repeated rows: the same time and the same answers" in problems[0].what
    assert (problems[0].count, problems[0].lines) == (1, [6, 202])


def test_a_repeated_ticket_and_a_transfer_of_no_ticket_are_found_by_their_lines(export):
    """Are a ticket row pasted twice and a transfer naming an unknown ticket each reported
    with the lines a spreadsheet shows?"""
    tickets = export / "helpdesk_tickets.csv"
    lines = tickets.read_text(encoding="utf-8").splitlines(keepends=True)
    tickets.write_text("".join([*lines, lines[2]]), encoding="utf-8")  # line 3 again at the end
    moves = export / "helpdesk_transfers.csv"
    moved = moves.read_text(encoding="utf-8").splitlines(keepends=True)
    moved[1] = moved[1].replace("#5001,", "#9999,", 1)
    moves.write_text("".join(moved), encoding="utf-8")
    found = {p.what: p for p in gather(export, QUALTRICS).problems}
    repeated = found["has duplicate ticket ids"]
    assert (repeated.file, repeated.lines, repeated.count) == (
        "export/helpdesk_tickets.csv",
        [3, len(lines) + 1],
        1,
    )
    unknown = found["names tickets that are not in the tickets file"]
    assert (unknown.file, unknown.lines, unknown.examples) == (
        "export/helpdesk_transfers.csv",
        [2],
        ["#9999"],
    )
