"""``make bench`` can load every benchmark (running them is ``make bench``'s job, not a test's)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from cxkit.resources import CLONE

BENCHMARKS = CLONE / "benchmarks"


def _runner():
    spec = importlib.util.spec_from_file_location("cxkit_bench_runner", BENCHMARKS / "run.py")
    assert spec is not None and spec.loader is not None
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    return runner


@pytest.mark.parametrize("path", sorted(BENCHMARKS.glob("bench_*.py")), ids=lambda p: p.stem)
def test_make_bench_loads_every_benchmark_and_finds_its_run(path: Path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # as when run.py runs as a script
    try:
        module = _runner().load(path)
        assert module.__name__ == path.stem
        assert sys.modules[path.stem] is module
        assert callable(module.run)
    finally:
        sys.modules.pop(path.stem, None)  # leave no bench module behind


def test_there_are_benchmarks_to_load():
    names = {p.stem for p in BENCHMARKS.glob("bench_*.py")}
    assert {"bench_grading", "bench_debrief", "bench_runall"} <= names


def test_the_grading_floor_adds_a_kernel_start_to_each_request_and_sets_it_beside_a_budget(
    monkeypatch, capsys
):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    try:
        bench = _runner().load(BENCHMARKS / "bench_grading.py")
        # 0.1 + 0.02 to start, then 47 requests of 5 + 2 ms: 0.12 + 0.329
        floor = bench.Floor(start=(0.1, 0.02), request=(0.005, 0.002), requests=47)
        assert floor.per_submission() == pytest.approx(0.449)
        monkeypatch.setattr(bench.os, "cpu_count", lambda: 2)
        bench.budget(200, 916.8, floor)  # 2 cores x 916.8 s / 200 submissions / 8 = 1.146
    finally:
        sys.modules.pop("bench_grading", None)
    printed = capsys.readouterr().out
    assert "8x nbgrader's median leaves 1.15 core-s a submission on 2 cores" in printed
    assert "the floor is 0.45 of them (39 %)" in printed
    assert "6x nbgrader's median leaves 1.53 core-s" in printed
