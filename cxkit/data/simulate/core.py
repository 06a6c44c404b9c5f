"""What every table family shares: the calendar, the id counters and the random streams.

Days are counted from ``story.PERIOD_START`` (day 0) and minutes from its
midnight, as numpy integers or floats (NaN for "never"); they become text only
when a table is written (:func:`dates`, :func:`stamps`). A :class:`Chunk` holds
one chunk of customers' random streams, its place in the company and the
counters that keep ids unique across chunks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S

START = np.datetime64(S.PERIOD_START, "D")  # day 0: the first day of the period
LAST_DAY = int((np.datetime64(S.PERIOD_END, "D") - START).astype(int))  # the period's last day
FIRST_SIGNUP = int((np.datetime64(S.SIGNUPS_FROM, "D") - START).astype(int))  # negative
MINUTES = 1440  # minutes in a day

DOCK_STREAM = 1_000_002  # the random stream of dock shifts and damage (see side_stream)


def day(text: str) -> int:
    """The day number of a ``YYYY-MM-DD`` date, counted from the period's start.

    Examples
    --------
    >>> day("2025-01-01"), day("2025-02-01"), day("2024-12-31")
    (0, 31, -1)
    """
    return int((np.datetime64(text, "D") - START).astype(int))


def dates(days: np.ndarray) -> np.ndarray:
    """Day numbers -> ``YYYY-MM-DD`` strings; NaN -> empty.

    Examples
    --------
    >>> dates(np.array([0, 31, np.nan])).tolist()
    ['2025-01-01', '2025-02-01', '']
    """
    days = np.asarray(days, dtype=float)
    out = np.full(days.shape, "", dtype=object)
    ok = ~np.isnan(days)
    out[ok] = np.datetime_as_string(START + days[ok].astype("int64"), unit="D")
    return out


def stamps(minutes: np.ndarray) -> np.ndarray:
    """Minute numbers -> ``YYYY-MM-DD HH:MM`` strings; NaN -> empty.

    Examples
    --------
    >>> stamps(np.array([0, 1440 + 9 * 60 + 5, np.nan])).tolist()
    ['2025-01-01 00:00', '2025-01-02 09:05', '']
    """
    minutes = np.asarray(minutes, dtype=float)
    out = np.full(minutes.shape, "", dtype=object)
    ok = ~np.isnan(minutes)
    base = START.astype("datetime64[m]")
    text = np.datetime_as_string(base + minutes[ok].astype("int64"), unit="m")
    out[ok] = np.char.replace(text.astype(str), "T", " ")
    return out


def ids(prefix: str, start: int, n: int, width: int) -> np.ndarray:
    """``n`` ids after the first ``start``: the prefix and a zero-padded number from 1.

    Examples
    --------
    >>> ids("C", 1500, 2, 6).tolist()
    ['C001501', 'C001502']
    """
    return np.array(
        [f"{prefix}{i:0{width}d}" for i in range(start + 1, start + n + 1)], dtype=object
    )


def clip_round(x: np.ndarray, low: int, high: int) -> np.ndarray:
    """Round to whole numbers and clip into a scale from ``low`` to ``high``.

    Examples
    --------
    >>> clip_round(np.array([-0.7, 4.5, 5.5, 12.2]), 0, 10).tolist()
    [0, 4, 6, 10]
    """
    return np.clip(np.rint(x), low, high).astype("int64")


def side_stream(rng: np.random.Generator, stream: int) -> np.random.Generator:
    """A random stream of its own for one chunk, derived from the chunk's seed.

    Columns added to the company after it first shipped draw from here, never
    from the chunk's main stream, so every value that existed before stays
    exactly the same. Each chunk of a large company gets its own side stream.
    Deriving it reads the chunk's seed and draws nothing from ``rng``.

    Examples
    --------
    >>> rng = np.random.default_rng(np.random.SeedSequence(7))
    >>> first = side_stream(rng, DOCK_STREAM).integers(0, 100, 3)
    >>> bool((side_stream(rng, DOCK_STREAM).integers(0, 100, 3) == first).all())
    True
    """
    seq = rng.bit_generator.seed_seq
    if not isinstance(seq, np.random.SeedSequence):  # pragma: no cover - numpy always has one
        raise TypeError("the chunk's random generator has no SeedSequence")
    child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, stream))
    return np.random.default_rng(child)


class Chunk:
    """One chunk of customers: its random streams, its place in the company, its id counters.

    Parameters
    ----------
    rng : numpy.random.Generator
        The chunk's main random stream. Every table family draws from it in
        the order of :func:`cxkit.data.simulate.company.chunk_tables`.
    start : int
        How many customers earlier chunks made (the first customer id is ``start + 1``).
    n : int
        Customers in this chunk; they are numbered 0 to ``n - 1`` inside it.
    employees : pandas.DataFrame
        Every employee of the company (:func:`cxkit.data.simulate.staff.simulate_employees`),
        from whom tickets get their agents.
    offsets : dict of str to int
        Rows made so far per table, shared by all chunks so that ids never repeat;
        updated by :meth:`next_ids`.

    Attributes
    ----------
    dock : numpy.random.Generator
        The side stream of dock shifts and damage (:data:`DOCK_STREAM`); the
        follow-up of a detractor made by damage alone is drawn here too.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        start: int,
        n: int,
        employees: pd.DataFrame,
        offsets: dict[str, int],
    ) -> None:
        self.rng, self.start, self.n, self.employees, self.offsets = (
            rng,
            start,
            n,
            employees,
            offsets,
        )
        self.dock = side_stream(rng, DOCK_STREAM)

    def next_ids(self, table: str, prefix: str, n: int, width: int) -> np.ndarray:
        """The next ``n`` ids of ``table``, counting on from the earlier chunks.

        Examples
        --------
        >>> chunk = Chunk(np.random.default_rng(1), 0, 10, pd.DataFrame(), {"orders": 7})
        >>> chunk.next_ids("orders", "O", 2, 7).tolist(), chunk.offsets["orders"]
        (['O0000008', 'O0000009'], 9)
        """
        first = self.offsets.get(table, 0)
        self.offsets[table] = first + n
        return ids(prefix, first, n, width)


def customer_ids(customers: pd.DataFrame, who: pd.Series) -> np.ndarray:
    """The ``customer_id`` of each customer number in ``who`` (numbers index ``customers``)."""
    return customers["id"].to_numpy()[who.to_numpy()]
