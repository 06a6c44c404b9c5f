"""`cxkit pulse` for 8 departments on the ``--size large`` company: wall time and CPU time.

Writes the large company's survey answers (``generate_after(size="large",
surveys_too=True)``: the period's ``surveys.csv`` exactly as ``cxkit data
generate --size large`` writes it, and the six months after the workshops), then
runs ``cxkit pulse`` for the eight departments of ``story.WORKSHOP_DATES``, 90 days
after each workshop, three times, each in its own process as a user would, and
prints the median wall time, the CPU time of that process and its report kernel,
and the load average before each run (the machine may be shared).

    .venv/bin/python benchmarks/run.py pulse
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 3
COMMAND = (
    "import argparse, sys\n"
    "from cxkit.scorecard.commands import add_commands\n"
    "parser = argparse.ArgumentParser(prog='cxkit')\n"
    "add_commands(parser.add_subparsers())\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "sys.exit(args.func(args))\n"
)  # `cxkit pulse ...`, whether or not cli.py lists the command yet


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run() -> None:
    import pandas as pd

    from cxkit.data.generate import generate_after

    with tempfile.TemporaryDirectory(prefix="cxkit-bench-pulse-") as scratch:
        data, pages = Path(scratch) / "large", Path(scratch) / "pages"
        started = time.perf_counter()
        generate_after(data, size="large", surveys_too=True)
        answers = sum(
            sum(1 for _ in path.open(encoding="utf-8")) - 1 for path in data.glob("surveys*.csv")
        )
        size = sum(p.stat().st_size for p in data.glob("surveys*.csv")) / 1e6
        print(
            f"large company: {answers:,} survey answers ({size:.0f} MB of CSV) over the period "
            f"and the six months after, written in {time.perf_counter() - started:.0f} s"
        )
        walls, cpus = [], []
        for number in range(1, RUNS + 1):
            load = os.getloadavg()
            cpu, wall = _children_cpu(), time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    COMMAND,
                    "pulse",
                    "--data",
                    str(data),
                    "--period",
                    "90",
                    "--out",
                    str(pages),
                    "--course",
                    scratch,
                ],  # fmt: skip
                check=True,
                stdout=subprocess.DEVNULL,
            )
            walls.append(time.perf_counter() - wall)
            cpus.append(_children_cpu() - cpu)
            print(
                f"run {number}: {walls[-1]:.1f} s wall, {cpus[-1]:.1f} s CPU "
                f"(load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
                f"{os.cpu_count()} cores)"
            )
        written = sorted(p.name for p in pages.iterdir())
        pulses = pd.read_csv(Path(scratch) / "pulses.csv")
        print(
            f"pulse, 8 departments, 90 days: median {statistics.median(walls):.1f} s wall, "
            f"{statistics.median(cpus):.1f} s CPU; {len(written)} pages, "
            f"{len(pulses)} rows in pulses.csv"
        )


if __name__ == "__main__":
    run()
