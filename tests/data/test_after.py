"""The months after the workshops: made on demand, never touching the shipped period."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.data import story
from cxkit.data.generate import CHUNK, SIZES, generate_after
from cxkit.data.schema import SCHEMAS
from cxkit.data.simulate.after import replay
from cxkit.data.simulate.core import Chunk
from cxkit.data.simulate.staff import simulate_employees
from cxkit.data.simulate.surveys import surveys_table

ROOT = Path(__file__).resolve().parents[2]
MONTHS = [f"surveys_2026-{m:02d}.csv" for m in range(7, 13)]


@pytest.fixture(scope="module")
def after(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The shipped sample with its after period written beside it, and the planted changes."""
    folder = tmp_path_factory.mktemp("after") / "company"
    shutil.copytree(ROOT / "datasets", folder)
    return folder, generate_after(folder)


def test_the_after_period_leaves_every_shipped_file_as_it_was(after):
    """Are the shipped files byte for byte the same after the months after were written
    beside them, and are the new files only the monthly exports and the workshop dates?"""
    folder, _ = after
    shipped = sorted(p.name for p in (ROOT / "datasets").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(ROOT / "datasets", folder, shipped, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert len(match) == len(shipped)
    new = sorted(p.name for p in folder.iterdir() if p.name not in shipped)
    assert new == sorted([*MONTHS, "workshops.csv"])


def test_the_replay_draws_the_shipped_surveys_exactly(tmp_path):
    """Does replaying the sample's one chunk give exactly the shipped surveys.csv, and does
    generate_after write it so when asked to?"""
    assert SIZES["sample"] <= CHUNK
    rng = np.random.default_rng(np.random.SeedSequence(story.DEFAULT_SEED).spawn(1)[0])
    employees = simulate_employees(rng)
    seeds = np.random.SeedSequence([story.DEFAULT_SEED, 1]).spawn(1)
    chunk = Chunk(np.random.default_rng(seeds[0]), 0, SIZES["sample"], employees, {})
    customers, surveys = replay(chunk)
    table = surveys_table(surveys, customers)[SCHEMAS["surveys"].names]
    written = table.to_csv(index=False, lineterminator="\n", float_format="%.2f")
    assert written == (ROOT / "datasets" / "surveys.csv").read_text(encoding="utf-8")
    generate_after(tmp_path, surveys_too=True)
    assert filecmp.cmp(tmp_path / "surveys.csv", ROOT / "datasets" / "surveys.csv", shallow=False)


def test_the_after_period_repeats_and_reads_as_surveys(after, tmp_path):
    """Does the same seed write the same bytes again, and does each month load as a surveys
    table with its own ids, dates inside its month and the workshop dates of the story?"""
    folder, changes = after
    again = generate_after(tmp_path)
    for name in MONTHS:
        assert (folder / name).read_bytes() == (tmp_path / name).read_bytes()
    pd.testing.assert_frame_equal(changes, again)
    ids = []
    for month, name in zip(range(7, 13), MONTHS, strict=True):
        part = pd.read_csv(folder / name)
        assert list(part.columns) == list(pd.read_csv(folder / "surveys.csv", nrows=1).columns)
        assert part["response_date"].str.startswith(f"2026-{month:02d}").all()
        assert 150 < len(part) < 450
        ids += part["response_id"].tolist()
    assert len(set(ids)) == len(ids) and all(i.startswith("A") for i in ids)
    workshops = pd.read_csv(folder / "workshops.csv")
    assert dict(zip(workshops["department"], workshops["workshop_date"], strict=True)) == (
        story.WORKSHOP_DATES
    )


def test_only_the_kept_commitment_is_planted(after):
    """Is the planted change a gain at the invoice only, and does the delivery answer stay as
    the period's last months had it (the negative control)?"""
    folder, changes = after
    change = changes.set_index(["survey_type", "metric"])["planted"]
    assert change["post_invoice", "nps"] > 25
    assert change["post_invoice", "csat"] > 10
    assert change["post_invoice", "effort"] < -0.2
    others = change.drop(index="post_invoice", level=0)
    assert (others == 0).all()
    before = cxkit.load("surveys")
    before = before[before["response_date"] > "2026-01-01"]
    after_months = pd.concat(pd.read_csv(folder / name) for name in MONTHS)
    for kind, moved in (("post_delivery", False), ("post_invoice", True)):
        now = after_months[after_months["survey_type"] == kind]
        then = before[before["survey_type"] == kind]
        gap = cxkit.nps(now["recommend"]) - cxkit.nps(then["recommend"])
        assert (gap > 20) if moved else (abs(gap) < 10), (kind, gap)


def test_a_company_in_several_chunks_is_replayed_exactly(tmp_path, monkeypatch):
    """In chunks (as a large company is made), does the replay still write the surveys.csv
    that generate writes, ids counted on from chunk to chunk?"""
    import cxkit.data.generate as generating

    monkeypatch.setattr(generating, "CHUNK", 400)
    generating.generate(tmp_path / "whole")
    generate_after(tmp_path / "after", surveys_too=True)
    whole, replayed = tmp_path / "whole" / "surveys.csv", tmp_path / "after" / "surveys.csv"
    assert filecmp.cmp(whole, replayed, shallow=False)
    assert pd.read_csv(replayed)["response_id"].is_unique
