"""Bias audit speed and memory against Fairlearn, Aequitas and a bare DuckDB query.

Synthetic decision logs (race 6 groups × sex 2 × age band 5 = 60 intersections; label,
prediction, continuous score) at 1 M and 10 M rows in Parquet, and 100 M for our audit alone.
Each contender runs in its own process (peak memory is that process's maximum RSS); peers run in
their own virtual environments under benchmarks/.peers (made here on first use).

Run: make bench   (or: .venv/bin/python benchmarks/bench_audit.py [--sizes 1000000,10000000]
                   [--big 100000000] [--timeout 1800] [--skip-peers])
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PEERS = HERE / ".peers"
RESULTS = HERE / "results"
ATTRS = ["race", "sex", "age_band"]
PEER_SPECS = {
    "fairlearn 0.12.0": ("fl012", ["fairlearn==0.12.0", "pyarrow"], "fairlearn"),
    "fairlearn (latest)": ("fllatest", ["fairlearn", "pyarrow"], "fairlearn"),
    "aequitas (latest)": ("aequitas", ["aequitas", "pyarrow"], "aequitas"),
}


def generate(n: int) -> Path:
    """Write a reproducible synthetic log of n rows (cached by size)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = DATA / f"log-{n}.parquet"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    rng = np.random.default_rng(n)
    races = np.array(["White", "Black", "Hispanic", "Asian", "Indigenous", "Other"])
    sexes = np.array(["F", "M"])
    ages = np.array(["18-24", "25-34", "35-49", "50-64", "65+"])
    writer = None
    chunk = 5_000_000
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        r = rng.choice(6, m, p=[0.55, 0.2, 0.13, 0.07, 0.02, 0.03])
        s = rng.integers(0, 2, m)
        a = rng.choice(5, m, p=[0.12, 0.22, 0.3, 0.24, 0.12])
        base = 0.3 + 0.05 * (r == 1) - 0.03 * (a == 4)
        label = (rng.random(m) < base).astype(np.int8)
        score = np.clip(0.25 + 0.35 * label + 0.06 * (r == 1) + rng.normal(0, 0.2, m), 0, 1)
        table = pa.table(
            {
                "race": pa.DictionaryArray.from_arrays(
                    pa.array(r.astype(np.int32)), pa.array(races)
                ),
                "sex": pa.DictionaryArray.from_arrays(
                    pa.array(s.astype(np.int32)), pa.array(sexes)
                ),
                "age_band": pa.DictionaryArray.from_arrays(
                    pa.array(a.astype(np.int32)), pa.array(ages)
                ),
                "label": label,
                "prediction": (score >= 0.5).astype(np.int8),
                "score": score,
            }
        )
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table)
    writer.close()
    tmp.replace(path)
    return path


OURS = """
import json, resource, sys, time
t0 = time.perf_counter()
from ombuds.assurance import audit
mode, path = sys.argv[1], sys.argv[2]
kw = dict(label="label", protected=["race", "sex", "age_band"])
t1 = time.perf_counter()
if mode == "counts":
    doc = audit(path, prediction="prediction", auc=False, **kw)
else:
    doc = audit(path, score="score", threshold=0.5, auc=True, **kw)
t2 = time.perf_counter()
print(json.dumps({"compute_s": t2 - t1, "import_s": t1 - t0, "groups": len(doc["groups"]),
                  "disparities": len(doc["disparities"]), "load_s": 0.0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

FLOOR = """
import json, resource, sys, time
import duckdb
path = sys.argv[1]
t0 = time.perf_counter()
sets = ", ".join(["()"] + ["(" + ", ".join(c) + ")" for k in (1, 2, 3)
                 for c in __import__("itertools").combinations(["race", "sex", "age_band"], k)])
rows = duckdb.sql(f"SELECT race, sex, age_band, label, prediction, count(*) FROM read_parquet('{path}') "
                  f"GROUP BY GROUPING SETS ({sets}, (race, sex, age_band, label, prediction))").fetchall()
t1 = time.perf_counter()
print(json.dumps({"compute_s": t1 - t0, "load_s": 0.0, "groups": len(rows),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(cmd: list[str], timeout: int) -> dict:
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout} s", "wall_s": float(timeout)}
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"failed: {tail[:200]}", "wall_s": wall}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    return out


def peer_python(folder: str, packages: list[str]) -> Path | None:
    venv = PEERS / folder
    python = venv / "bin" / "python"
    marker = venv / ".ready"
    if not marker.exists():
        print(f"   setting up {folder}: pip install {' '.join(packages)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *packages], capture_output=True, text=True
        )
        if done.returncode != 0:
            print(f"   could not install {packages}: {done.stderr[-300:]}", file=sys.stderr)
            return None
        marker.touch()
    return python


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--big", type=int, default=100_000_000)
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--skip-peers", action="store_true")
    args = ap.parse_args()
    sizes = [int(float(x)) for x in args.sizes.split(",") if x]
    results: dict[int, dict[str, dict]] = {}
    versions: dict[str, str] = {}
    for n in sizes + ([args.big] if args.big else []):
        print(f"== {n:,} rows", file=sys.stderr)
        path = str(generate(n))
        row: dict[str, dict] = {}
        row["DuckDB GROUPING SETS query (floor)"] = run(
            [sys.executable, "-c", FLOOR, path], args.timeout
        )
        row["Ombuds audit, from counts (--no-auc)"] = run(
            [sys.executable, "-c", OURS, "counts", path], args.timeout
        )
        row["Ombuds audit, full (with AUC and calibration)"] = run(
            [sys.executable, "-c", OURS, "full", path], args.timeout
        )
        if n != args.big and not args.skip_peers:
            for label, (folder, packages, kind) in PEER_SPECS.items():
                python = peer_python(folder, packages)
                if python is None:
                    row[label] = {"error": "could not be installed"}
                    continue
                row[label] = run([str(python), str(HERE / "peers.py"), kind, path], args.timeout)
                if "version" in row[label]:
                    versions[label] = row[label]["version"]
        for label, r in row.items():
            shown = r.get("error") or f"{r['wall_s']:.2f} s"
            print(f"   {label}: {shown}", file=sys.stderr)
        results[n] = row
    write(results, versions, sizes, args)


def write(results, versions, sizes, args) -> None:
    from importlib.metadata import version

    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Bias audit: Ombuds against Fairlearn, Aequitas and a bare DuckDB query",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} "
        f"cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}. Command: `make bench` "
        "(script `benchmarks/bench_audit.py`).",
        "",
        "Data: synthetic decision logs in Parquet, race (6 groups) × sex (2) × age band (5) = 60 "
        "intersections, with label, prediction and a continuous score. Each contender runs in its "
        "own process; **wall** is the whole process (start-up, reading the Parquet, computing); "
        "**compute** excludes interpreter start-up and, for the peers, reading into pandas; "
        "**peak** is the process's maximum resident memory.",
        "",
        "- Ombuds: every group alone, in pairs, in triples and overall (1 + 13 + 61 + … groups), 11 "
        "rates with Wilson intervals, disparities against the largest group with ratio and "
        "difference intervals, two-proportion tests, Holm adjustment, findings. The full run adds "
        "AUC (10,000 score bins, with the stated error bound) and calibration.",
        "- Fairlearn: MetricFrame with selection rate, TPR, FPR, TNR, FNR, accuracy and precision, "
        "by race and by the 3-way intersection (no intervals, no tests).",
        "- Aequitas: Group().get_crosstabs + Bias().get_disparity_major_group on the three "
        "attributes (each alone; Aequitas has no intersections).",
        "- Floor: one DuckDB GROUPING SETS query of the confusion counts over the same groups.",
        "",
    ]
    for n, row in results.items():
        ours = row["Ombuds audit, from counts (--no-auc)"]
        ours_wall, ours_compute = ours.get("wall_s"), ours.get("compute_s")
        lines += [
            f"## {n:,} rows",
            "",
            "| contender | wall s | compute s | peak MB | wall ÷ Ombuds | compute ÷ Ombuds |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label, r in row.items():
            if "error" in r:
                lines.append(f"| {label} | {r['error']} | | | | |")
                continue
            compute = r["compute_s"] + r.get("load_s", 0)
            wall_ratio = f"{r['wall_s'] / ours_wall:.1f}×" if ours_wall else ""
            compute_ratio = f"{compute / ours_compute:.1f}×" if ours_compute else ""
            lines.append(
                f"| {label} | {r['wall_s']:.2f} | {compute:.2f} | {r['peak_mb']:.0f} | "
                f"{wall_ratio} | {compute_ratio} |"
            )
        lines.append("")
    lines.append(
        "Versions: "
        + ", ".join(
            [
                f"ibis-framework {version('ibis-framework')}",
                f"duckdb {version('duckdb')}",
                f"pyarrow {version('pyarrow')}",
                *(f"{k.split(' ')[0]} {v}" for k, v in versions.items()),
            ]
        )
        + "."
    )
    (RESULTS / "audit.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
