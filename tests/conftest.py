"""Shared fixtures: the shipped sample, and small copies of it to break on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cxkit.resources import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
CHROMIUM = "/usr/bin/chromium"  # Debian's (apt-get install chromium; .ci/run does it)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (one per test module, for the browser
    tests); a clear failure if it is missing or cannot start."""
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; .ci/run does it)."
        )
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as err:
            pytest.fail(f"Chromium at {CHROMIUM} could not start: {err}")
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def company() -> dict[str, pd.DataFrame]:
    """Every table of the shipped sample, loaded once per test run."""
    import cxkit

    return cxkit.load_company()


@pytest.fixture
def surveys_dir(tmp_path: Path) -> Path:
    """A folder holding only the first 20 rows of surveys.csv, as text to edit."""
    lines = (DATASETS / "surveys.csv").read_text(encoding="utf-8").splitlines()[:21]
    (tmp_path / "surveys.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A full copy of the shipped sample that a test may change."""
    target = tmp_path / "company"
    shutil.copytree(DATASETS, target)
    return target


@pytest.fixture(scope="session")
def other_company() -> Path:
    """A sample-sized company generated with another seed, for answers that must follow the data.

    Generated once and kept between runs until the generator changes (read-only).
    """
    from notebooks import generated

    return generated(seed=7)
