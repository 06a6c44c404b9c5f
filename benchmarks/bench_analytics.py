"""The analytics helpers on the large company, next to the same query in DuckDB.

Times and peak memory of ``funnel``, ``handoffs``, ``tag_themes`` (over every
survey comment, about a million rows) and ``key_drivers`` on the ``large``
generated company (over ten million journey events). Where DuckDB can express
the same query, it runs next to it and the ratio is printed. Prints figures;
asserts nothing about speed. Run with ``make bench ARGS=analytics``.

Set ``CXKIT_LARGE`` to a folder that already holds the large company's CSV
files to skip generating it (a few minutes).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import cxkit
from cxkit.data.generate import generate
from cxkit.data.schema import STAGES
from cxkit.text import phrase_pattern, theme_phrases

try:
    import duckdb
except ImportError:  # the benchmark still prints cxkit's own figures
    duckdb = None


def _timed(func: Callable[..., Any], *args: Any, repeats: int = 3, **kwargs: Any) -> float:
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        func(*args, **kwargs)
        best = min(best, time.perf_counter() - started)
    return float(best)


def _peak_mb(func: Callable[..., Any], *args: Any, **kwargs: Any) -> float:
    """Peak memory allocated during one call (NumPy and pandas report to tracemalloc)."""
    tracemalloc.start()
    try:
        func(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _report(name: str, rows: int, ours: float, peak: float, duck: float | None) -> None:
    line = f"  {name:<12} {rows:>11,} rows  cxkit {ours:7.2f} s  peak {peak:7,.0f} MB"
    if duck is not None:
        line += f"  duckdb {duck:6.2f} s  cxkit / duckdb = {ours / duck:5.1f}"
    print(line, flush=True)


def _read(folder: Path, table: str, dates: list[str], categories: list[str]) -> pd.DataFrame:
    """Read a large CSV quickly (cxkit.load validates every row, which is not what we time)."""
    frame = pd.read_csv(
        folder / f"{table}.csv", dtype={c: "category" for c in categories}, parse_dates=dates
    )
    for column in categories:  # the sample's category order, as cxkit.load gives it
        if column == "stage":
            frame[column] = frame[column].cat.set_categories(list(STAGES))
    return frame


def _funnel(events: pd.DataFrame) -> None:
    ours = _timed(cxkit.funnel, events)
    peak = _peak_mb(cxkit.funnel, events)
    duck = None
    if duckdb is not None:
        coded = pd.DataFrame(
            {"customer_id": events["customer_id"], "pos": events["stage"].cat.codes}
        )
        query = (
            "SELECT furthest, count(*) AS customers FROM "
            "(SELECT customer_id, max(pos) AS furthest FROM coded GROUP BY customer_id) "
            "GROUP BY furthest ORDER BY furthest"
        )

        con = duckdb.connect()
        con.register("coded", coded)

        def run() -> pd.DataFrame:
            counts = con.sql(query).df().set_index("furthest")["customers"]
            return counts.reindex(range(len(STAGES)), fill_value=0)[::-1].cumsum()[::-1]

        expected = run().to_numpy()
        assert np.array_equal(expected, cxkit.funnel(events)["customers"].to_numpy())
        duck = _timed(run)
    _report("funnel", len(events), ours, peak, duck)


def _handoffs(transfers: pd.DataFrame, tickets: pd.DataFrame) -> None:
    ours = _timed(cxkit.handoffs, transfers, tickets)
    peak = _peak_mb(cxkit.handoffs, transfers, tickets)
    duck = None
    if duckdb is not None:
        query = """
            SELECT h.from_department, h.to_department, count(*) AS transfers,
                   count(DISTINCT h.ticket_id) AS tickets,
                   median(epoch(h.picked_up_at - h.handed_at) / 3600) AS median_wait_hours,
                   100 * avg(CASE WHEN t.resolved_at IS NULL
                                   OR epoch(t.resolved_at - h.handed_at) / 3600 > 24
                             THEN 1 ELSE 0 END) AS stall_rate
            FROM transfers h JOIN tickets t USING (ticket_id)
            GROUP BY 1, 2 ORDER BY transfers DESC
        """
        con = duckdb.connect()
        con.register("transfers", transfers)
        con.register("tickets", tickets)
        duck = _timed(lambda: con.sql(query).df())
    _report("handoffs", len(transfers), ours, peak, duck)


def _themes_bench(comments: pd.Series) -> None:
    ours = _timed(cxkit.tag_themes, comments, repeats=2)
    peak = _peak_mb(cxkit.tag_themes, comments)
    duck = None
    if duckdb is not None:
        con = duckdb.connect()
        con.register("frame", pd.DataFrame({"comment": comments}))
        parts = []
        for theme, phrases in theme_phrases().items():
            pattern = "|".join(phrase_pattern(p) for p in phrases)
            # RE2 has no look-around: approximate the whole-word edges with \b
            pattern = re.sub(r"\(\?<!\\w\)|\(\?!\\w\)", r"\\b", pattern)
            pattern = re.sub(r"\(\?-i:([^)]*)\)", r"\1", pattern).replace("'", "''")
            parts.append(f"coalesce(regexp_matches(comment, '(?i){pattern}'), false) AS {theme}")
        query = f"SELECT {', '.join(parts)} FROM frame"
        duck = _timed(lambda: con.sql(query).df(), repeats=2)
    _report("tag_themes", len(comments), ours, peak, duck)
    distinct = comments.nunique()
    print(f"  (tag_themes analyses each distinct text once: {distinct:,} distinct comments)")


def _drivers(surveys: pd.DataFrame) -> None:
    relationship = surveys[surveys["survey_type"] == "relationship"]
    ours = _timed(cxkit.key_drivers, relationship)
    peak = _peak_mb(cxkit.key_drivers, relationship)
    _report("key_drivers", len(relationship), ours, peak, None)
    print("  (no DuckDB equivalent: 2^6 least-squares fits on the correlation matrix)")


def _run(folder: Path) -> None:
    events = _read(folder, "journey_events", ["timestamp"], ["stage", "touchpoint", "department"])
    transfers = _read(
        folder, "handoffs", ["handed_at", "picked_up_at"], ["from_department", "to_department"]
    )
    tickets = _read(folder, "tickets", ["opened_at", "resolved_at"], ["category"])
    surveys = _read(folder, "surveys", ["response_date"], ["survey_type", "department"])
    print("analytics on the large company (best of 3; peak memory by tracemalloc):", flush=True)
    _funnel(events)
    _handoffs(transfers, tickets)
    _themes_bench(surveys["comment"])
    _drivers(surveys)


def run() -> None:
    given = os.environ.get("CXKIT_LARGE")
    if given:
        _run(Path(given))
        return
    with tempfile.TemporaryDirectory(prefix="cxkit-large-") as folder:
        started = time.perf_counter()
        generate(folder, size="large")
        print(f"(generated the large company in {time.perf_counter() - started:.0f} s)")
        _run(Path(folder))


if __name__ == "__main__":
    run()
