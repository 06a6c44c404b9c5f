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
