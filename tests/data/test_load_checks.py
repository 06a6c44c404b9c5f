"""Loading checks a table in plain pandas first, and asks pandera only about a table that fails."""

from __future__ import annotations

import importlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

import cxkit
from cxkit.data.schema import SCHEMAS

loading = importlib.import_module("cxkit.data.load")  # the module, not cxkit.data's load()


def _pandera_accepts(frame: pd.DataFrame, table: str) -> bool:
    try:
        loading._pandera_schema(SCHEMAS[table]).validate(frame, lazy=True)
    except pa.errors.SchemaErrors:
        return False
    return True


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_every_sample_table_is_plainly_valid_and_pandera_agrees(table):
    """Does each table of the sample pass the plain check, and pandera's too?"""
    frame = cxkit.load(table)
    assert loading._plainly_valid(frame, SCHEMAS[table])
    assert _pandera_accepts(frame, table)


def _broken(change: str) -> pd.DataFrame:
    frame = cxkit.load("surveys")
    if change == "score above its scale":
        frame.loc[3, "recommend"] = 11
    elif change == "score below its scale":
        frame.loc[3, "effort"] = 0
    elif change == "repeated id":
        frame.loc[4, "response_id"] = frame.loc[5, "response_id"]
    elif change == "empty required value":
        frame.loc[2, "customer_id"] = np.nan
    elif change == "empty optional score":
        frame.loc[2, "rating_price"] = pd.NA
    elif change == "optional score above its scale":
        frame.loc[2, "rating_price"] = 6
    return frame


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ("score above its scale", False),
        ("score below its scale", False),
        ("repeated id", False),
        ("empty required value", False),
        ("empty optional score", True),
        ("optional score above its scale", False),
    ],
)
def test_the_plain_check_never_passes_what_pandera_refuses(change, valid):
    """Does the plain check pass a table exactly when pandera does, for each kind of fault?"""
    frame = _broken(change)
    assert loading._plainly_valid(frame, SCHEMAS["surveys"]) is valid
    assert _pandera_accepts(frame, "surveys") is valid


def test_a_valid_table_loads_without_importing_pandera():
    """Does loading the sample in a new Python leave pandera unimported (its cost unpaid)?"""
    code = "import sys, cxkit\ncxkit.load('surveys')\nprint('pandera' in sys.modules)\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"
