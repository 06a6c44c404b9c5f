"""The seeded generator of the sample company.

``generate(out)`` writes one CSV file per table. The same seed and size give
the same bytes on every machine, so ``datasets/`` can be regenerated and
checked. Customers are generated in chunks and appended to the files, so the
``large`` company (600,000 customers, over ten million journey events)
fits in a few GB of memory. The effects planted in the data are in ``story.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data import texts as T
from cxkit.data.dictionary import dictionary
from cxkit.data.schema import REGIONS, SCHEMAS
from cxkit.data.simulate import _END, _SIGN0, _Chunk, _clip_round, _dates, _day, _ids

CHUNK = 25_000  # customers generated at a time
SIZES = {"sample": S.SAMPLE_CUSTOMERS, "large": S.LARGE_CUSTOMERS}


class _Writer:
    """Append frames to one CSV per table, header first, in schema column order."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.started: set[str] = set()
        self.counts: dict[str, int] = {}

    def write(self, table: str, frame: pd.DataFrame) -> None:
        frame = frame[SCHEMAS[table].names]
        first = table not in self.started
        frame.to_csv(
            self.out / f"{table}.csv",
            index=False,
            mode="w" if first else "a",
            header=first,
            lineterminator="\n",
            float_format="%.2f",
        )
        self.started.add(table)
        self.counts[table] = self.counts.get(table, 0) + len(frame)


def generate(
    out: str | os.PathLike[str],
    size: str = "sample",
    seed: int = S.DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write the sample company, one CSV file per table, into ``out``.

    Parameters
    ----------
    out : str or Path
        Folder to write to; created if needed. Existing table files are replaced.
    size : {"sample", "large"}
        ``sample`` is the shipped company (1,500 customers); ``large`` has
        600,000 customers, over a million survey responses and over ten million
        journey events.
    seed : int
        Random seed. The same seed and size always give the same bytes.
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk of customers.

    Returns
    -------
    dict of str to int
        Rows written per table.

    Examples
    --------
    >>> import tempfile
    >>> rows = generate(tempfile.mkdtemp())
    >>> rows["customers"]
    1500
    """
    if size not in SIZES:
        from cxkit.errors import CxkitError

        raise CxkitError(f'Unknown size "{size}": choose one of {", ".join(SIZES)}.')
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    writer = _Writer(folder)
    seeds = np.random.SeedSequence(seed)
    rng = np.random.default_rng(seeds.spawn(1)[0])
    employees = _employees(rng)
    for table, frame in (
        ("touchpoints", _touchpoints()),
        ("campaigns", _campaigns()),
        ("letters", _letters()),
        ("contract_clauses", _clauses()),
        ("employees", _employee_table(employees)),
        ("employee_surveys", _employee_surveys(rng, employees)),
    ):
        writer.write(table, frame)
    total = SIZES[size]
    offsets: dict[str, int] = {}
    chunk_seeds = np.random.SeedSequence([seed, 1]).spawn((total + CHUNK - 1) // CHUNK)
    for number, start in enumerate(range(0, total, CHUNK)):
        n = min(CHUNK, total - start)
        chunk_rng = np.random.default_rng(chunk_seeds[number])
        for table, frame in _Chunk(chunk_rng, start, n, employees, offsets).tables():
            writer.write(table, frame)
        if progress is not None:
            progress(start + n, total)
    text = dictionary(writer.counts, size, seed)
    (folder / "README.md").write_text(text, encoding="utf-8", newline="\n")
    return writer.counts


# --- Tables that do not grow with the number of customers ------------------------


def _touchpoints() -> pd.DataFrame:
    from cxkit.data.schema import STAGES

    rows = [
        (tp, stage, STAGES.index(stage) + 1, dept, back, text)
        for tp, (stage, dept, back, text) in T.JOURNEY.items()
    ]
    return pd.DataFrame(rows, columns=SCHEMAS["touchpoints"].names)


def _campaigns() -> pd.DataFrame:
    rows = [(cid, *values) for cid, values in T.CAMPAIGNS.items()]
    return pd.DataFrame(rows, columns=SCHEMAS["campaigns"].names)


def _letters() -> pd.DataFrame:
    rows = [(name, *values) for name, values in T.LETTERS.items()]
    return pd.DataFrame(rows, columns=SCHEMAS["letters"].names)


def _clauses() -> pd.DataFrame:
    rows = []
    for version in ("v1", "v2"):
        mine = [c for c in T.CLAUSES if c[0] == version]
        rows += [
            (f"{version}-{i}", version, title, text)
            for i, (_, title, text) in enumerate(mine, start=1)
        ]
    return pd.DataFrame(rows, columns=SCHEMAS["contract_clauses"].names)


_TEAMS = [(f"Support {r}", "customer_service", True, 8, S.ANNUAL_ATTRITION[r]) for r in REGIONS] + [
    ("Warehouse North DC", "logistics", False, 10, 0.18),
    ("Warehouse South DC", "logistics", False, 10, 0.25),
    ("Accounts receivable", "accounting", False, 6, 0.10),
    ("IT service desk", "it", False, 6, 0.12),
    ("Legal", "legal", False, 3, 0.08),
    ("Marketing", "marketing", False, 5, 0.15),
    ("Product", "product", False, 6, 0.12),
    ("HR & L&D", "people", False, 4, 0.10),
]


def _employees(rng: np.random.Generator) -> pd.DataFrame:
    """Simulate every seat of every team: hires, leavers and their replacements."""
    rows = []
    for team, dept, facing, seats, attrition in _TEAMS:
        for _ in range(seats):
            hire = int(rng.integers(_SIGN0 - 1500, _SIGN0))
            while hire <= _END:
                tenure = rng.exponential(365.0 / attrition)
                leave = hire + int(tenure)
                rows.append((team, dept, facing, hire, leave if leave <= _END else np.nan))
                hire = leave + int(rng.integers(5, 30))
    frame = pd.DataFrame(rows, columns=["team", "department", "customer_facing", "hire", "leave"])
    frame = frame.sort_values(["hire", "team"], kind="stable").reset_index(drop=True)
    frame["employee_id"] = _ids("E", 0, len(frame), 4)
    # Customer-experience training for agents, from TRAINING_FROM, in waves.
    start = np.maximum(_day(S.TRAINING_FROM), frame["hire"].to_numpy() + 30)
    trained = start + rng.integers(0, 150, len(frame))
    leave = frame["leave"].fillna(np.inf).to_numpy()
    ok = frame["customer_facing"].to_numpy() & (trained < leave) & (trained <= _END)
    ok &= rng.random(len(frame)) < 0.85
    frame["trained"] = np.where(ok, trained, np.nan)
    frame["region"] = frame["team"].str.removeprefix("Support ")
    return frame


def _employee_table(emp: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": emp["employee_id"],
            "department": emp["department"],
            "team": emp["team"],
            "customer_facing": emp["customer_facing"],
            "hire_date": _dates(emp["hire"].to_numpy()),
            "leave_date": _dates(emp["leave"].to_numpy()),
            "cx_training_date": _dates(emp["trained"].to_numpy()),
        }
    )


def _employee_surveys(rng: np.random.Generator, emp: pd.DataFrame) -> pd.DataFrame:
    frames = []
    climate = emp["region"].map(S.TEAM_CLIMATE).fillna(0.3).to_numpy()
    for quarter in (
        "2025-01-15",
        "2025-04-15",
        "2025-07-15",
        "2025-10-15",
        "2026-01-15",
        "2026-04-15",
    ):
        day = _day(quarter)
        active = (emp["hire"].to_numpy() <= day) & (emp["leave"].fillna(np.inf).to_numpy() > day)
        answers = active & (rng.random(len(emp)) < 0.75)
        score = _clip_round(7.0 + 1.3 * climate + rng.normal(0, 1.8, len(emp)), 0, 10)
        frames.append(
            pd.DataFrame(
                {
                    "employee_id": emp["employee_id"][answers],
                    "survey_date": quarter,
                    "team": emp["team"][answers],
                    "recommend": score[answers],
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "response_id", _ids("ES", 0, len(out), 5))
    return out
