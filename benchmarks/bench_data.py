"""Generating the large company, and nps_by against a plain-pandas groupby.

Prints figures; asserts nothing about speed. Run with ``make bench`` (or
``make bench ARGS=data`` for this file alone).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import cxkit

_GENERATE = """
import resource, sys, time
from cxkit.data.generate import generate
started = time.perf_counter()
rows = generate(sys.argv[1], size="large")
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(seconds, peak, rows["surveys"], rows["journey_events"], sep=",")
"""


def _large_company() -> None:
    with tempfile.TemporaryDirectory(prefix="cxkit-large-") as folder:
        out = subprocess.run(
            [sys.executable, "-c", _GENERATE, folder], capture_output=True, text=True, check=True
        )
        seconds, peak_mb, surveys, events = out.stdout.strip().split(",")
        size = sum(p.stat().st_size for p in Path(folder).iterdir()) / 1e9
    print(
        f"generate --size large: {float(seconds):.0f} s, peak memory {float(peak_mb):,.0f} MB, "
        f"{int(surveys):,} survey responses, {int(events):,} journey events, {size:.1f} GB CSV"
    )


def _plain_nps_by(frame: pd.DataFrame) -> pd.Series:
    grouped = frame.groupby("group", observed=True)["recommend"]
    promoters = grouped.apply(lambda s: (s >= 9).mean())
    detractors = grouped.apply(lambda s: (s <= 6).mean())
    return 100 * (promoters - detractors)


def _plain_vectorised(frame: pd.DataFrame) -> pd.Series:
    score = frame["recommend"]
    parts = pd.DataFrame({"group": frame["group"], "p": score >= 9, "d": score <= 6}).groupby(
        "group", observed=True
    )
    means = parts[["p", "d"]].mean()
    return 100 * (means["p"] - means["d"])


def _best_of(repeats: int, func, *args) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - started)
    return min(times)


def _nps_by() -> None:
    rng = np.random.default_rng(1)
    n = 1_000_000
    frame = pd.DataFrame(
        {
            "group": pd.Categorical(rng.integers(0, 50, n).astype(str)),
            "recommend": rng.integers(0, 11, n),
        }
    )
    ours = cxkit.nps_by(frame, "group")
    plain = _plain_vectorised(frame)
    assert np.allclose(ours["value"].to_numpy(), plain.to_numpy())
    t_ours = _best_of(5, cxkit.nps_by, frame, "group")
    t_vec = _best_of(5, _plain_vectorised, frame)
    t_apply = _best_of(3, _plain_nps_by, frame)
    print("nps_by, 1,000,000 responses, 50 groups (best of 5, with intervals and checks):")
    print(f"  cxkit.nps_by                     {t_ours * 1000:7.1f} ms")
    for label, baseline in (("vectorised groupby", t_vec), ("groupby().apply", t_apply)):
        print(
            f"  plain pandas, {label:<18} {baseline * 1000:7.1f} ms"
            f"   cxkit / plain = {t_ours / baseline:.2f}"
        )


def run() -> None:
    _nps_by()
    _large_company()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(this process peaked at {peak:,.0f} MB)")


if __name__ == "__main__":
    run()
