"""Loading the sample company, and what happens when the data is bad."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import cxkit
from cxkit.data.schema import SCHEMAS


def _edit(folder: Path, table: str, old: str, new: str, count: int = 1) -> None:
    path = folder / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False, lineterminator="\n")


def test_tables_lists_every_schema():
    """Does cxkit.tables() name every table, starting with the journey's touchpoints?"""
    assert cxkit.tables() == list(SCHEMAS)
    assert {"customers", "surveys", "invoices", "journey_events"} <= set(cxkit.tables())


def test_load_gives_proper_dtypes():
    """Are dates parsed, categories categorical and scores integers?"""
    surveys = cxkit.load("surveys")
    assert str(surveys["response_date"].dtype).startswith("datetime64")
    assert isinstance(surveys["survey_type"].dtype, pd.CategoricalDtype)
    assert surveys["recommend"].dtype == "int64"
    assert surveys["rating_billing"].dtype == "Int64"
    assert surveys["rating_billing"].isna().sum() > 0  # only relationship surveys rate drivers
    tickets = cxkit.load("tickets")
    assert str(tickets["opened_at"].dtype).startswith("datetime64")
    assert tickets["waiting_on_it"].dtype == bool


def test_load_company_has_every_table_and_joins(company):
    """Does every foreign key of the sample point at a real row?"""
    assert sorted(company) == sorted(cxkit.tables())
    assert company["orders"]["customer_id"].isin(company["customers"]["customer_id"]).all()
    assert len(company["customers"]) == 1500
    assert len(company["journey_events"]) > 10 * len(company["customers"])


def test_touchpoints_have_owners(company):
    """Does every department own at least one touchpoint, back-office ones included?"""
    touchpoints = company["touchpoints"]
    assert set(touchpoints["department"]) == set(SCHEMAS["touchpoints"].column("department").values)
    invoice = touchpoints.set_index("touchpoint").loc["invoice"]
    assert invoice["department"] == "accounting" and bool(invoice["back_office"])


def test_unknown_table_suggests_close_match():
    """Is a misspelled table name answered with the right name?"""
    with pytest.raises(cxkit.CxkitError, match='Did you mean "surveys"'):
        cxkit.load("survey")


def test_missing_file(tmp_path):
    """Does a missing file say which file, not raise FileNotFoundError?"""
    with pytest.raises(cxkit.CxkitError, match=r"Cannot find .*surveys\.csv"):
        cxkit.load("surveys", data_dir=tmp_path)


def test_missing_folder(tmp_path):
    """Does a folder that does not exist say to check the folder name?"""
    with pytest.raises(cxkit.CxkitError, match="Check the folder name"):
        cxkit.load("surveys", data_dir=tmp_path / "nowhere")


def test_misspelled_column_suggests_rename(surveys_dir):
    """Does a misspelled column name get a rename suggestion?"""
    _edit(surveys_dir, "surveys", "recommend", "recomend")
    with pytest.raises(cxkit.CxkitError) as caught:
        cxkit.load("surveys", data_dir=surveys_dir)
    message = str(caught.value)
    assert 'missing the column "recommend"' in message
    assert 'Did you mean "recomend"' in message and 'Rename it to "recommend"' in message


def test_missing_column_lists_expected(surveys_dir):
    """Does a dropped column name the column and list what is expected?"""
    frame = pd.read_csv(surveys_dir / "surveys.csv", dtype=str).drop(columns="csat")
    frame.to_csv(surveys_dir / "surveys.csv", index=False)
    with pytest.raises(cxkit.CxkitError, match='missing the column "csat".*Columns expected'):
        cxkit.load("surveys", data_dir=surveys_dir)


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("recommend", "11", "convert it to 0-10"),
        ("recommend", "-1", "outside the allowed range 0 to 10"),
        ("csat", "0", "leave those cells empty"),
        ("effort", "8", "outside the allowed range 1 to 7"),
    ],
)
def test_score_out_of_range(surveys_dir, column, value, words):
    """Is a score outside its scale refused, naming the column, the line and the value?"""
    _set_cell(surveys_dir, "surveys", 3, column, value)
    with pytest.raises(cxkit.CxkitError) as caught:
        cxkit.load("surveys", data_dir=surveys_dir)
    message = str(caught.value)
    assert f'column "{column}"' in message
    assert f"line 5: {value!r}" in message or f"line 5: {int(value)}" in message
    assert words in message


def test_text_in_score_column(surveys_dir):
    """Is 'ten' in a score column refused as not a number?"""
    _set_cell(surveys_dir, "surveys", 0, "recommend", "ten")
    with pytest.raises(cxkit.CxkitError, match=r"expected a number, found line 2: 'ten'"):
        cxkit.load("surveys", data_dir=surveys_dir)


def test_date_that_does_not_parse(surveys_dir):
    """Is 31/02/2025 refused with the expected format?"""
    _set_cell(surveys_dir, "surveys", 1, "response_date", "31/02/2025")
    with pytest.raises(
        cxkit.CxkitError, match=r"not a date written YYYY-MM-DD: line 3: '31/02/2025'"
    ):
        cxkit.load("surveys", data_dir=surveys_dir)


def test_unknown_category_value(surveys_dir):
    """Is a misspelled survey type refused with the close match?"""
    _set_cell(surveys_dir, "surveys", 0, "survey_type", "relationshp")
    with pytest.raises(cxkit.CxkitError, match='Did you mean "relationship"'):
        cxkit.load("surveys", data_dir=surveys_dir)


def test_empty_file(surveys_dir):
    """Is an empty file refused as empty?"""
    (surveys_dir / "surveys.csv").write_text("")
    with pytest.raises(cxkit.CxkitError, match=r"is empty \(0 bytes\)"):
        cxkit.load("surveys", data_dir=surveys_dir)


def test_header_without_rows(surveys_dir):
    """Is a header with no rows refused?"""
    header = (surveys_dir / "surveys.csv").read_text().splitlines()[0]
    (surveys_dir / "surveys.csv").write_text(header + "\n")
    with pytest.raises(cxkit.CxkitError, match="has a header but no rows"):
        cxkit.load("surveys", data_dir=surveys_dir)


def test_duplicate_ids(surveys_dir):
    """Are duplicate response ids refused, with both lines named?"""
    lines = (surveys_dir / "surveys.csv").read_text().splitlines()
    (surveys_dir / "surveys.csv").write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(cxkit.CxkitError, match=r'column "response_id": 1 duplicate.*line 2'):
        cxkit.load("surveys", data_dir=surveys_dir)


def test_missing_required_value(surveys_dir):
    """Is an empty cell in a required column refused?"""
    _set_cell(surveys_dir, "surveys", 2, "customer_id", "")
    with pytest.raises(cxkit.CxkitError, match=r'"customer_id": 1 row\(s\) are empty.*line 4'):
        cxkit.load("surveys", data_dir=surveys_dir)


def test_foreign_key_that_points_nowhere(sample_copy):
    """Is an order of a customer who does not exist refused, by load and by load_company?"""
    _set_cell(sample_copy, "orders", 0, "customer_id", "C999999")
    with pytest.raises(
        cxkit.CxkitError, match=r"point to no row of customers.csv: line 2: 'C999999'"
    ):
        cxkit.load("orders", data_dir=sample_copy)
    with pytest.raises(cxkit.CxkitError, match="C999999"):
        cxkit.load_company(sample_copy)


def test_semicolon_file_with_decimal_commas_loads(sample_copy):
    """Does a European Excel export (semicolons, decimal commas) load with the right values?"""
    expected = cxkit.load("orders", data_dir=sample_copy)
    frame = pd.read_csv(sample_copy / "orders.csv", dtype=str)
    frame["amount_eur"] = frame["amount_eur"].str.replace(".", ",", regex=False)
    frame.to_csv(sample_copy / "orders.csv", sep=";", index=False)
    loaded = cxkit.load("orders", data_dir=sample_copy)
    assert loaded.shape == expected.shape
    pd.testing.assert_frame_equal(loaded, expected)


def test_semicolon_file_whose_header_holds_a_comma_loads(surveys_dir):
    """Is a European Excel export read by its semicolons when a header cell holds a comma?"""
    path = surveys_dir / "surveys.csv"
    expected = cxkit.load("surveys", data_dir=surveys_dir)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["Notes, internal"] = "checked, ok"
    frame.to_csv(path, sep=";", index=False)
    assert path.read_text(encoding="utf-8").splitlines()[0].endswith(";Notes, internal")
    loaded = cxkit.load("surveys", data_dir=surveys_dir)
    assert loaded["Notes, internal"].eq("checked, ok").all()
    pd.testing.assert_frame_equal(loaded.drop(columns="Notes, internal"), expected)


def test_latin1_file_loads(surveys_dir):
    """Does a Windows-1252 (Latin-1) file load with its accents intact?"""
    path = surveys_dir / "surveys.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "comment"] = "Très déçu par la livraison"
    frame.to_csv(path, index=False, encoding="cp1252")
    loaded = cxkit.load("surveys", data_dir=surveys_dir)
    assert loaded.loc[0, "comment"] == "Très déçu par la livraison"


def test_one_wide_column_is_never_silent(surveys_dir):
    """Is a file whose separator cannot be told apart refused rather than read as one column?"""
    path = surveys_dir / "surveys.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line.replace(",", "#") for line in lines) + "\n")
    with pytest.raises(cxkit.CxkitError, match="one wide column"):
        cxkit.load("surveys", data_dir=surveys_dir)


def test_load_does_not_mutate_the_file(sample_copy):
    """Does loading leave the file byte for byte as it was?"""
    before = (sample_copy / "surveys.csv").read_bytes()
    cxkit.load("surveys", data_dir=sample_copy)
    assert (sample_copy / "surveys.csv").read_bytes() == before


def test_shipments_know_their_dock_shift_and_damage(company):
    """Is dock_shift a category in shift order, and damaged a True/False column without gaps?"""
    shipments = company["shipments"]
    assert list(shipments["dock_shift"].cat.categories) == ["early", "day", "night"]
    assert shipments["damaged"].dtype == bool
    assert 0 < shipments["damaged"].mean() < 0.1


def test_a_kept_sample_is_the_same_data_and_a_changed_file_is_read_again(sample_copy, monkeypatch):
    """The grading template keeps the sample: is each load a fresh, equal copy, and
    is a file that changed afterwards (size or time) read again, and checked?"""
    import importlib

    loading = importlib.import_module("cxkit.data.load")  # the module, not cxkit.data.load()
    monkeypatch.setenv("CXKIT_DATA", str(sample_copy))
    monkeypatch.setattr(loading, "_KEPT", {})
    fresh = {name: cxkit.load(name) for name in ("surveys", "touchpoints")}
    loading.keep_sample()
    assert {table for table, _ in loading._KEPT} == set(SCHEMAS)

    first = cxkit.load("surveys")
    pd.testing.assert_frame_equal(first, fresh["surveys"])
    first.loc[0, "recommend"] = 0  # a participant's change stays in their copy
    del first["comment"]
    pd.testing.assert_frame_equal(cxkit.load("surveys"), fresh["surveys"])
    pd.testing.assert_frame_equal(cxkit.load("touchpoints"), fresh["touchpoints"])

    _set_cell(sample_copy, "surveys", 0, "recommend", "7")
    assert cxkit.load("surveys").loc[0, "recommend"] == 7
    _set_cell(sample_copy, "surveys", 0, "recommend", "11")  # a bad value is still refused
    with pytest.raises(cxkit.CxkitError, match="recommend"):
        cxkit.load("surveys")


def test_a_data_folder_of_ones_own_is_never_filled_with_the_sample(tmp_path, monkeypatch):
    """CXKIT_DATA names a folder without the files: is the error about that folder, and
    is nothing written into it (only cxkit's own cache folder is generated)?"""
    monkeypatch.setenv("CXKIT_DATA", str(tmp_path))
    with pytest.raises(cxkit.CxkitError, match="surveys"):
        cxkit.load("surveys")
    assert list(tmp_path.iterdir()) == []
