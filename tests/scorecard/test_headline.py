"""`cxkit data headline`: a company's headline numbers, read aloud by a facilitator."""

from __future__ import annotations

import shutil

import cxkit
from cxkit.cli import main
from cxkit.data.load import sample_dir


def test_headline_reads_a_company_folder_made_before_the_refunds(tmp_path, capsys):
    """Does a folder without the tables added later (refunds, second surveys) still give
    the headline, with cxkit's own numbers?"""
    older = tmp_path / "company"
    shutil.copytree(sample_dir(), older)
    for later in ("refunds.csv", "follow_up_surveys.csv"):
        (older / later).unlink()
    assert main(["data", "headline", "--data", str(older)]) == 0
    printed = capsys.readouterr().out
    surveys = cxkit.load("surveys")
    low, high = cxkit.nps_ci(surveys["recommend"])
    assert f"{len(surveys):,} survey responses" in printed
    assert f"NPS            {cxkit.nps(surveys['recommend']):6.1f}" in printed
    assert f"(95% interval {low:.1f} to {high:.1f}; -100 to 100)" in printed
    assert f"OTIF           {cxkit.otif(cxkit.load('shipments')):6.1f} %" in printed
