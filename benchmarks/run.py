"""Run every benchmark: each ``bench_*.py`` here has a ``run()`` that prints its figures.

Benchmarks print times, peak memory and ratios against the plain tools; they
never pass or fail on speed (these machines are shared and noisy).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent


def load(path: Path) -> ModuleType:
    """Load the bench at ``path`` as an import would (dataclasses look it up in sys.modules)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(names: list[str]) -> int:
    for path in sorted(HERE.glob("bench_*.py")):
        if names and path.stem.removeprefix("bench_") not in names:
            continue
        module = load(path)
        print(f"\n== {path.stem} ==", flush=True)
        started = time.perf_counter()
        module.run()
        print(f"({path.stem} took {time.perf_counter() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
