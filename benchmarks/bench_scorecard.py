"""`cxkit scorecard` on 2 million survey responses: time and peak memory.

Writes a company export of 2,000,000 responses (cxkit's column layout, 30% with a
comment, most comments distinct) plus touchpoints and the sample's tickets and
handoffs, then
runs ``cxkit scorecard --check`` and ``cxkit scorecard`` as a user would, each in
its own process, and prints wall time and peak memory: the largest single
process (``getrusage`` of the children, which covers the report's kernel) and
the largest sum over the process tree (sampled by psutil every 50 ms).

    .venv/bin/python benchmarks/run.py scorecard
    .venv/bin/python benchmarks/bench_scorecard.py 500000   # another size
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

RESPONSES = 2_000_000
HERE = Path(__file__).resolve().parent
CXKIT = Path(sys.executable).with_name("cxkit")


def write_export(folder: Path, n: int, seed: int = 5) -> None:
    """A company export of n responses in cxkit's layout, written in chunks."""
    from cxkit.data.schema import SURVEY_TYPES

    rng = np.random.default_rng(seed)
    touch = pd.read_csv(HERE.parent / "datasets" / "touchpoints.csv")
    touch.to_csv(folder / "touchpoints.csv", index=False)
    for table in ("tickets", "handoffs"):  # the sample's: 1,021 tickets of customers C000001...
        (folder / f"{table}.csv").write_bytes(
            (HERE.parent / "datasets" / f"{table}.csv").read_bytes()
        )
    asked = touch[~touch["back_office"]]
    names, owners = asked["touchpoint"].to_numpy(), asked["department"].to_numpy()
    weights = rng.uniform(0.2, 1.0, len(names))
    phrases = np.array(
        [
            "The parcel was late again",
            "I was charged twice on the invoice",
            "Passed around between teams, had to explain everything again",
            "Too much hassle",
            "The contract fine print was unclear",
            "Great service, thank you",
            "Not what the advert promised",
        ]
    )
    days = pd.date_range("2025-01-01", "2026-06-30").strftime("%Y-%m-%d").to_numpy()
    chunk = 250_000
    path = folder / "surveys.csv"
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        where = rng.choice(len(names), size, p=weights / weights.sum())
        quality = rng.normal(0, 1, size) + (where % 5 - 2) * 0.15
        recommend = np.clip(np.round(7.2 + 2.2 * quality), 0, 10).astype(int)
        relationship = rng.random(size) < 0.25
        frame = pd.DataFrame(
            {
                "response_id": [f"R{i:08d}" for i in range(start + 1, start + size + 1)],
                "customer_id": [f"C{c:06d}" for c in rng.integers(1, 600_000, size)],
                "survey_type": np.where(
                    relationship, "relationship", rng.choice(SURVEY_TYPES[1:], size)
                ),
                "response_date": np.sort(rng.choice(days, size)),
                "touchpoint": np.where(relationship, "", names[where]),
                "department": np.where(relationship, "", owners[where]),
                "recommend": recommend,
                "csat": np.clip(np.round(3.6 + quality), 1, 5).astype(int),
                "effort": np.clip(np.round(3.2 - quality), 1, 7).astype(int),
            }
        )
        for rating in ("delivery", "product", "support", "billing", "price", "website"):
            value = np.clip(np.round(3.5 + quality * rng.uniform(0.3, 1.0)), 1, 5)
            frame[f"rating_{rating}"] = pd.array(
                np.where(relationship, value, np.nan), dtype="Int64"
            )
        commented = rng.random(size) < 0.3
        texts = phrases[rng.integers(0, len(phrases), size)]
        numbers = rng.integers(1, 10_000, size).astype(str)
        frame["comment"] = np.where(commented, np.char.add(texts, np.char.add(" #", numbers)), "")
        frame.to_csv(path, mode="a" if start else "w", header=not start, index=False)


_WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print(f'MAXRSS {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}'); sys.exit(code)"
)


def measure(args: list[str]) -> tuple[float, float, float, int]:
    """Run a command; return (seconds, peak MB of one process, peak MB of the tree, code).

    The command runs under a small wrapper that reports the largest resident size of any
    process below it (the command and the report's kernel), from getrusage.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watched = psutil.Process(process.pid)
    tree_peak = 0
    while process.poll() is None:
        try:
            members = watched.children(recursive=True)
            tree_peak = max(tree_peak, sum(m.memory_info().rss for m in members))
        except psutil.Error:
            pass
        time.sleep(0.05)
    output = process.stdout.read() if process.stdout else ""
    seconds = time.perf_counter() - started
    found = [line for line in output.splitlines() if line.startswith("MAXRSS ")]
    single = int(found[-1].split()[1]) / 1024 if found else float("nan")  # kB on Linux
    if process.returncode:
        print(output[-2000:])
    return seconds, single, tree_peak / 2**20, process.returncode


def run(n: int = RESPONSES) -> None:
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-scorecard-") as folder:
        data = Path(folder) / "export"
        data.mkdir()
        started = time.perf_counter()
        write_export(data, n)
        size = (data / "surveys.csv").stat().st_size / 2**20
        print(f"wrote {n:,} responses ({size:.0f} MB CSV) in {time.perf_counter() - started:.0f} s")
        print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GB")
        for label, extra in (
            ("scorecard --check", ["--check"]),
            ("scorecard (HTML)", ["--out", str(Path(folder) / "card")]),
        ):
            seconds, single, tree, code = measure(
                [str(CXKIT), "scorecard", "--data", str(data), *extra]
            )
            print(
                f"{label:<20} {seconds:6.1f} s   peak memory: {single:6.0f} MB in one process, "
                f"{tree:6.0f} MB for the process tree   exit code {code}"
            )
        html = Path(folder) / "card" / "scorecard.html"
        if html.is_file():
            print(f"scorecard.html: {html.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else RESPONSES)
