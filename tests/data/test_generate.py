"""The seeded generator, the shipped sample it reproduces, and the story planted in it."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.cli import main
from cxkit.data import story
from cxkit.data.generate import generate

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_reproduce_datasets_byte_for_byte(tmp_path, capsys):
    """Does `cxkit data generate --out DIR` rewrite datasets/ exactly, README included?"""
    assert main(["data", "generate", "--out", str(tmp_path)]) == 0
    assert "Wrote 19 tables" in capsys.readouterr().out
    shipped = sorted(p.name for p in (ROOT / "datasets").iterdir())
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == shipped
    match, mismatch, errors = filecmp.cmpfiles(ROOT / "datasets", tmp_path, shipped, shallow=False)
    assert mismatch == [] and errors == []
    assert len(match) == len(cxkit.tables()) + 1


def test_another_seed_gives_other_data_with_the_same_schema(tmp_path):
    """Does --seed change the rows but keep every table loadable?"""
    generate(tmp_path, seed=7)
    other = (tmp_path / "surveys.csv").read_bytes()
    assert other != (ROOT / "datasets" / "surveys.csv").read_bytes()
    company = cxkit.load_company(tmp_path)
    assert len(company["customers"]) == story.SAMPLE_CUSTOMERS


def test_shipped_sample_is_a_few_megabytes():
    """Is datasets/ small enough to ship in a repository (a few MB in all)?"""
    total = sum(p.stat().st_size for p in (ROOT / "datasets").iterdir())
    assert 1_000_000 < total < 6_000_000


def test_chunks_stitch_together(tmp_path, monkeypatch):
    """Do ids stay unique and keys valid when customers are generated in several chunks?"""
    import cxkit.data.generate as gen

    monkeypatch.setattr(gen, "CHUNK", 400)  # 1,500 customers -> 4 chunks
    rows = gen.generate(tmp_path)
    company = cxkit.load_company(tmp_path)  # checks unique ids and every foreign key
    assert company["customers"]["customer_id"].is_unique
    assert len(company["customers"]) == 1500
    for table, key, prefix in (
        ("refunds", "refund_id", "RF"),
        ("follow_up_surveys", "follow_up_id", "FS"),
    ):
        numbers = [f"{prefix}{i:06d}" for i in range(1, rows[table] + 1)]
        assert company[table][key].tolist() == numbers  # run on from chunk to chunk, no gap


def test_unknown_size_is_refused(tmp_path):
    """Is an unknown --size refused with the choices?"""
    with pytest.raises(cxkit.CxkitError, match="sample, large"):
        generate(tmp_path, size="huge")


def test_data_dictionary_covers_every_column():
    """Does datasets/README.md describe every table and every column?"""
    text = (ROOT / "datasets" / "README.md").read_text()
    for name, table in cxkit.data.schema.SCHEMAS.items():
        assert f"## {name}" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
    assert "| [surveys](#surveys) | 3," in text  # row counts are written in


# --- The planted story: if the generator changes, these notice -------------------


def _nps(scores: pd.Series) -> float:
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def test_story_late_deliveries_make_detractors(company):
    """Do late post-delivery experiences score far lower, and does South DC deliver late more?"""
    surveys = company["surveys"]
    post = surveys[surveys["survey_type"] == "post_delivery"]
    customers_late = company["shipments"].groupby("warehouse", observed=True)["on_time"].mean()
    assert customers_late["North DC"] - customers_late["South DC"] > 0.05
    shipped = company["shipments"].assign(day=lambda s: s["delivered_date"] + pd.Timedelta(days=1))
    joined = post.merge(
        shipped, left_on=["customer_id", "response_date"], right_on=["customer_id", "day"]
    )
    on_time = _nps(joined.loc[joined["on_time"], "recommend"])
    late = _nps(joined.loc[~joined["on_time"], "recommend"])
    assert on_time - late > 30


def test_story_overpromising_campaign(company):
    """Do the customers of the over-promising campaign recommend less and write 'expected'?"""
    surveys = company["surveys"].merge(company["customers"], on="customer_id")
    rel = surveys[surveys["survey_type"] == "relationship"]
    mine = rel["campaign_id"] == story.OVERPROMISE_CAMPAIGN
    assert _nps(rel.loc[~mine, "recommend"]) - _nps(rel.loc[mine, "recommend"]) > 20
    promise = surveys["comment"].str.contains("expected|advertised|ad promised", case=False)
    written = surveys["comment"].notna()
    share = promise[written].groupby(surveys.loc[written, "campaign_id"] == "CMP04").mean()
    assert share[True] > 0.15 and share[False] == 0


def test_story_disputes_and_punitive_letters(company):
    """Do disputed invoices and the final-demand letter depress NPS and slow payment?"""
    invoices = company["invoices"]
    days = (invoices["paid_date"] - invoices["issue_date"]).dt.days
    by_template = days.groupby(invoices["reminder_template"], observed=True).mean()
    assert by_template["final_demand"] > by_template["friendly"] + 5
    post = company["surveys"][company["surveys"]["survey_type"] == "post_invoice"]
    assert _nps(post["recommend"]) < _nps(company["surveys"]["recommend"])


def test_story_team_climate(company):
    """Do customers served by the low-eNPS, high-attrition team recommend less?"""
    rel = company["surveys"].merge(company["customers"], on="customer_id")
    by_region = rel.groupby("region", observed=True)["recommend"].apply(_nps)
    assert by_region["East"] < by_region["North"] - 20
    staff = company["employees"]
    east = staff[staff["team"] == "Support East"]["leave_date"].notna().mean()
    north = staff[staff["team"] == "Support North"]["leave_date"].notna().mean()
    assert east > north


def test_story_plain_contracts_cut_effort(company):
    """Do business customers on the plain v2 contract report less effort than on v1?"""
    merged = company["surveys"].merge(company["contracts"], on="customer_id")
    rel = merged[merged["survey_type"] == "relationship"]
    effort = rel.groupby("version", observed=True)["effort"].mean()
    assert effort["v1"] - effort["v2"] > 0.7


def test_story_handoffs_cost_satisfaction(company):
    """Is every ticket's handoff_count matched by its rows in the handoffs table?"""
    tickets, handoffs = company["tickets"], company["handoffs"]
    counted = handoffs.groupby("ticket_id").size()
    expected = tickets.set_index("ticket_id")["handoff_count"]
    assert np.array_equal(counted.reindex(expected.index, fill_value=0).to_numpy(), expected)


# --- Dock shifts and damage: added later, from a random stream of their own ----------


def test_dock_shifts_and_damage_follow_the_story(other_company, company):
    """Does each shift damage about DAMAGE_RATE of its parcels, the night shift the most?

    On both companies every shift's damage rate lies within four binomial
    standard errors of the planted rate (about 1 point at night), its share of
    shipments within four of DOCK_SHIFT_SHARE, and the night shift damages more
    than either other shift. The shift does not change lateness: on-time rates
    by shift stay within 5 points of each other.
    """
    for shipments in (company["shipments"], cxkit.load("shipments", other_company)):
        counts = shipments["dock_shift"].value_counts()
        for shift, share in story.DOCK_SHIFT_SHARE.items():
            spread = np.sqrt(share * (1 - share) / len(shipments))
            assert abs(counts[shift] / len(shipments) - share) < 4 * spread
        damaged = shipments.groupby("dock_shift", observed=True)["damaged"].agg(["mean", "size"])
        for shift, rate in story.DAMAGE_RATE.items():
            spread = np.sqrt(rate * (1 - rate) / damaged.loc[shift, "size"])
            assert abs(damaged.loc[shift, "mean"] - rate) < 4 * spread
        assert damaged["mean"].idxmax() == "night"
        on_time = shipments.groupby("dock_shift", observed=True)["on_time"].mean()
        assert on_time.max() - on_time.min() < 0.05


def test_story_damaged_parcels_lower_the_post_delivery_answer(company):
    """Do damaged (but punctual and complete) parcels score about DAMAGE_EFFECT lower?

    Among on-time, complete deliveries, the mean recommend score after a damaged
    one is lower by 0.5 to 1.2 times the planted effect: scores are clipped at
    10, which shrinks the gap, and about 30 damaged answers give it a standard
    error near 0.4.
    """
    post = company["surveys"][company["surveys"]["survey_type"] == "post_delivery"]
    shipped = company["shipments"].assign(day=lambda s: s["delivered_date"] + pd.Timedelta(days=1))
    joined = post.merge(
        shipped, left_on=["customer_id", "response_date"], right_on=["customer_id", "day"]
    )
    good = joined[joined["on_time"] & joined["in_full"]]
    gap = good.groupby("damaged")["recommend"].mean()
    assert 1.2 * story.DAMAGE_EFFECT < gap[True] - gap[False] < 0.5 * story.DAMAGE_EFFECT


def test_dock_columns_come_from_their_own_stream_and_repeat(tmp_path):
    """Is the dock stream drawn without touching the chunk's stream, the same on every run?"""
    from cxkit.data.simulate.core import DOCK_STREAM, side_stream

    chunk = np.random.default_rng(np.random.SeedSequence([7, 1]).spawn(1)[0])
    before = chunk.bit_generator.state
    first = side_stream(chunk, DOCK_STREAM).random(5)
    assert chunk.bit_generator.state == before
    assert np.array_equal(first, side_stream(chunk, DOCK_STREAM).random(5))
    assert not np.array_equal(first, chunk.random(5))
    generate(tmp_path / "a", seed=7)
    generate(tmp_path / "b", seed=7)
    assert (tmp_path / "a" / "shipments.csv").read_bytes() == (
        tmp_path / "b" / "shipments.csv"
    ).read_bytes()


# --- The table families and the order of their draws -------------------------------

# The first 16 hex digits of each file's SHA-256 for `generate(seed=7)` in chunks of
# 400 customers (four chunks; the shipped sample is a single chunk). Taken from the
# generator before it was split into table families. A change to the story changes
# them on purpose: regenerate datasets/ and update these in the same commit.
SEED_7_IN_FOUR_CHUNKS = {
    "campaigns": "6637abe72ca080e3",
    "contract_clauses": "f7a9df5b7ee54e79",
    "contracts": "8e5637706a7291ff",
    "customers": "bafdff464c717674",
    "employee_surveys": "1a39c65bdba17a7c",
    "employees": "685d4b9ab9efa1fe",
    "feedback_actions": "cb3cd7dd03d023ef",
    "follow_up_surveys": "de0b2b119c5a2ba5",  # added later, from a stream of its own
    "handoffs": "8877de41665d142b",
    "invoices": "7bd1597fd2d80317",
    "it_tickets": "bc3fee452a2a716b",
    "journey_events": "153c1b6e66f9699c",
    "letters": "8f290f58d310e793",
    "orders": "a8256ab499e32151",
    "refunds": "6cd2c3daef320bc5",  # added later, from a stream of its own
    "shipments": "efb42cb8d9e3d808",
    "surveys": "6bb6e6c39feee340",
    "tickets": "47af7e79f2a09810",
    "touchpoints": "1792d742fee94985",
}


def test_a_company_in_several_chunks_keeps_every_byte(tmp_path, monkeypatch):
    """Does seed 7 in four chunks still write the very files it always wrote, table by table?"""
    import hashlib

    import cxkit.data.generate as gen

    monkeypatch.setattr(gen, "CHUNK", 400)
    gen.generate(tmp_path, seed=7)
    written = {
        path.stem: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        for path in sorted(tmp_path.glob("*.csv"))
    }
    changed = sorted(name for name in written if written[name] != SEED_7_IN_FOUR_CHUNKS.get(name))
    assert changed == []
    assert written.keys() == SEED_7_IN_FOUR_CHUNKS.keys()


def test_every_table_comes_from_one_family_with_its_columns():
    """Does every table come from one family, once, with its schema's columns?"""
    from cxkit.data.schema import SCHEMAS
    from cxkit.data.simulate.company import chunk_tables, fixed_tables
    from cxkit.data.simulate.core import Chunk
    from cxkit.data.simulate.staff import simulate_employees

    rng = np.random.default_rng(np.random.SeedSequence(7))
    employees = simulate_employees(rng)
    chunk = Chunk(np.random.default_rng(np.random.SeedSequence([7, 1])), 0, 60, employees, {})
    pairs = [*fixed_tables(rng, employees), *chunk_tables(chunk)]
    assert sorted(name for name, _ in pairs) == sorted(SCHEMAS)
    for name, frame in pairs:
        assert set(frame.columns) == set(SCHEMAS[name].names), name
    assert chunk.offsets["orders"] == len(
        dict(pairs)["orders"]
    )  # ids counted on for the next chunk
