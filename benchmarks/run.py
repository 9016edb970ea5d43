"""Run every benchmark and write benchmarks/results/*.md. Scripts, not timed tests."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    scripts = sorted(p for p in HERE.glob("bench_*.py"))
    for script in scripts:
        print(f"== {script.name}", file=sys.stderr)
        runpy.run_path(str(script), run_name="__main__")
