"""Run every benchmark script in turn (``make bench``); each prints its own figures.

The figures are recorded by hand in ``benchmarks/RESULTS.md``: each quotes a ratio
against a baseline measured in the same run, never an absolute target in a test.

Usage: ``python benchmarks/run_all.py [name ...]`` (e.g. ``store tagging``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    """Run the selected (default: all) ``bench_*.py`` scripts; worst exit code."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    worst = 0
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)])
        took = time.perf_counter() - t0
        print(f"=== {script.name}: exit {rc}, {took:.0f} s", flush=True)
        worst = max(worst, rc)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
