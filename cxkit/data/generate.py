"""The seeded generator of the sample company.

``generate(out)`` writes one CSV file per table. The same seed and size give
the same bytes on every machine, so ``datasets/`` can be regenerated and
checked. Customers are generated in chunks and appended to the files, so the
``large`` company (600,000 customers, over ten million journey events)
fits in a few GB of memory. What each table holds and how it is drawn is in
:mod:`cxkit.data.simulate`, one module per table family; the effects planted in
the data are in ``story.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data.dictionary import dictionary
from cxkit.data.schema import SCHEMAS
from cxkit.data.simulate.after import after_chunk, planted
from cxkit.data.simulate.company import chunk_tables, fixed_tables
from cxkit.data.simulate.core import Chunk
from cxkit.data.simulate.staff import simulate_employees
from cxkit.data.simulate.surveys import surveys_table

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


def _check_size(size: str) -> None:
    if size not in SIZES:
        from cxkit.errors import CxkitError

        raise CxkitError(f'Unknown size "{size}": choose one of {", ".join(SIZES)}.')


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
    _check_size(size)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    writer = _Writer(folder)
    seeds = np.random.SeedSequence(seed)
    rng = np.random.default_rng(seeds.spawn(1)[0])
    employees = simulate_employees(rng)
    for table, frame in fixed_tables(rng, employees):
        writer.write(table, frame)
    total = SIZES[size]
    offsets: dict[str, int] = {}
    chunk_seeds = np.random.SeedSequence([seed, 1]).spawn((total + CHUNK - 1) // CHUNK)
    for number, start in enumerate(range(0, total, CHUNK)):
        n = min(CHUNK, total - start)
        chunk_rng = np.random.default_rng(chunk_seeds[number])
        for table, frame in chunk_tables(Chunk(chunk_rng, start, n, employees, offsets)):
            writer.write(table, frame)
        if progress is not None:
            progress(start + n, total)
    text = dictionary(writer.counts, size, seed)
    (folder / "README.md").write_text(text, encoding="utf-8", newline="\n")
    return writer.counts


def generate_after(
    out: str | os.PathLike[str],
    size: str = "sample",
    seed: int = S.DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
    surveys_too: bool = False,
) -> pd.DataFrame:
    """Write the months after the workshops: one survey export a month, and the workshop dates.

    The company of ``size`` and ``seed`` (as :func:`generate` writes it) is
    replayed up to its surveys, and the months from the day after
    ``story.PERIOD_END`` to ``story.AFTER_END`` are drawn from random streams of
    their own (:mod:`cxkit.data.simulate.after`): nothing of the period changes.
    ``out`` receives ``surveys_YYYY-MM.csv`` per month (the columns of
    ``surveys.csv``; response ids ``A...``) and ``workshops.csv`` (each
    department's workshop date, ``story.WORKSHOP_DATES``). Put them beside the
    company's files and a pulse reads them as exports that kept arriving. With
    ``surveys_too`` the period's ``surveys.csv`` is written as well, exactly as
    :func:`generate` writes it: all a pulse needs of a company too large to
    generate whole for it.

    Returns
    -------
    pandas.DataFrame
        The planted change per survey type and measure, from
        ``story.COMMITMENT_KEPT_FROM`` on: ``without``, ``with`` and ``planted``
        (see :func:`cxkit.data.simulate.after.planted`).

    Examples
    --------
    >>> import tempfile
    >>> changes = generate_after(tempfile.mkdtemp())
    >>> row = changes[(changes["survey_type"] == "post_invoice") & (changes["metric"] == "nps")]
    >>> bool(row["planted"].iloc[0] > 10)
    True
    """
    _check_size(size)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    employees = simulate_employees(rng)  # the same staff as the period's: tickets need agents
    total = SIZES[size]
    chunk_seeds = np.random.SeedSequence([seed, 1]).spawn((total + CHUNK - 1) // CHUNK)
    replayed: dict[str, int] = {}
    answered: dict[str, int] = {}
    sums = []
    started: set[Path] = set()
    writer = _Writer(folder)
    for number, start in enumerate(range(0, total, CHUNK)):
        n = min(CHUNK, total - start)
        chunk = Chunk(np.random.default_rng(chunk_seeds[number]), start, n, employees, replayed)
        customers, surveys, after, expected = after_chunk(chunk, answered)
        sums.append(expected)
        if surveys_too:
            writer.write("surveys", surveys_table(surveys, customers))
        table = surveys_table(after, customers)[SCHEMAS["surveys"].names]
        month = table["response_date"].str.slice(0, 7)
        for name, rows in table.groupby(month.to_numpy(), sort=True):
            path = folder / f"surveys_{name}.csv"
            rows.to_csv(
                path,
                index=False,
                mode="a" if path in started else "w",
                header=path not in started,
                lineterminator="\n",
            )
            started.add(path)
        if progress is not None:
            progress(start + n, total)
    schedule = pd.DataFrame(
        {"department": list(S.WORKSHOP_DATES), "workshop_date": list(S.WORKSHOP_DATES.values())}
    )
    schedule.to_csv(folder / "workshops.csv", index=False, lineterminator="\n")
    return planted(pd.concat(sums, ignore_index=True))
