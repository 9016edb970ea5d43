"""Is the data representative of the people the system decides about? And is it clean?

Shares in the data against population shares from a benchmark (e.g. a census), with Wilson
intervals, the representation ratio and a chi-square goodness-of-fit test; then data quality per
column: missing values overall and per group, duplicate rows, values outside what is expected.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from typing import Any

import ibis
from scipy import stats as sps

from . import stats
from .data import MISSING_GROUP, Source, group_label, load
from .errors import AssuranceError

SCHEMA = "ombuds.representativeness/1"


def read_benchmark(path_or_map: Any) -> dict[str, float]:
    """Population shares per group from a CSV (columns: group, and share or count) or a dict."""
    if isinstance(path_or_map, dict):
        raw = {str(k): float(v) for k, v in path_or_map.items()}
    else:
        path = Path(path_or_map)
        if not path.exists():
            raise AssuranceError(f"benchmark file not found: {path}")
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        if not rows:
            raise AssuranceError(f"benchmark {path} is empty")
        cols = {c.strip().lower(): c for c in rows[0]}
        group_col = cols.get("group")
        value_col = cols.get("share") or cols.get("count") or cols.get("population")
        if not group_col or not value_col:
            raise AssuranceError(
                f"benchmark {path} needs a 'group' column and a 'share' (or 'count') "
                f"column; it has: {', '.join(rows[0])}"
            )
        raw = {}
        for i, row in enumerate(rows, start=2):
            text = (row[value_col] or "").strip().rstrip("%")
            try:
                value = float(text)
            except ValueError:
                raise AssuranceError(
                    f"benchmark {path}, row {i}: '{row[value_col]}' in column "
                    f"'{value_col}' is not a number"
                ) from None
            if value < 0:
                raise AssuranceError(f"benchmark {path}, row {i}: a share cannot be negative")
            raw[row[group_col].strip()] = value
    total = sum(raw.values())
    if total <= 0:
        raise AssuranceError("benchmark shares add up to zero")
    return {k: v / total for k, v in raw.items()}


def representativeness(
    data: Any,
    *,
    attribute: str,
    benchmark: Any,
    confidence: float = 0.95,
    expect: dict[str, list[str]] | None = None,
    ranges: dict[str, tuple[float, float]] | None = None,
    table: str | None = None,
) -> dict:
    src = data if isinstance(data, Source) else load(data, table=table)
    shares = read_benchmark(benchmark)
    g = group_label(src, attribute)
    counts = (
        src.table.select(__g=g).group_by("__g").aggregate(n=ibis._.count()).to_pyarrow().to_pydict()
    )
    observed = dict(zip(counts["__g"], counts["n"], strict=True))
    total = sum(observed.values())
    if total == 0:
        raise AssuranceError("the data has no rows")
    groups = []
    in_bench_total = sum(n for k, n in observed.items() if k in shares)
    for name in sorted(set(shares) | set(observed), key=lambda k: (k not in shares, k)):
        n = observed.get(name, 0)
        entry: dict[str, Any] = {"group": name, "n": n, "data_share": n / total}
        lo, hi = stats.wilson(n, total, confidence)
        entry["ci_low"], entry["ci_high"] = lo, hi
        if name in shares:
            pop = shares[name]
            entry["population_share"] = pop
            entry["ratio"] = (n / total) / pop if pop > 0 else None
            if hi < pop and (entry["ratio"] or 0) < 0.8:
                entry["flag"] = "under-represented"
            elif lo > pop and (entry["ratio"] or 0) > 1.25:
                entry["flag"] = "over-represented"
            else:
                entry["flag"] = "ok"
        else:
            entry.update(
                population_share=None,
                ratio=None,
                flag="missing values" if name == MISSING_GROUP else "not in benchmark",
            )
        groups.append(entry)
    bench_groups = [k for k in shares]
    obs = [observed.get(k, 0) for k in bench_groups]
    exp = [shares[k] * in_bench_total for k in bench_groups]
    fit: dict[str, Any] = {
        "test": "chi-square goodness of fit",
        "statistic": None,
        "p_value": None,
        "df": len(bench_groups) - 1,
    }
    if in_bench_total > 0 and len(bench_groups) > 1:
        chi = sps.chisquare(obs, exp)
        fit.update(statistic=float(chi.statistic), p_value=float(chi.pvalue))
        if min(exp) < 5:
            fit["note"] = "some expected counts are below 5: the test is approximate"
    doc = {
        "schema": SCHEMA,
        "attribute": attribute,
        "rows": total,
        "confidence": confidence,
        "source": src.description,
        "notes": list(src.notes),
        "groups": groups,
        "goodness_of_fit": fit,
        "quality": quality(src, [attribute], expect or {}, ranges or {}),
    }
    doc["findings"] = _findings(doc)
    return doc


def quality(
    src: Source,
    protected: list[str],
    expect: dict[str, list[str]],
    ranges: dict[str, tuple[float, float]],
) -> dict:
    """Missing values per column (overall and per protected group), duplicates, unexpected values."""
    t = src.table
    for col in list(expect) + list(ranges):
        src.column(col)
    groups = {f"__g{i}": group_label(src, a) for i, a in enumerate(protected)}
    aggs = {}
    for i, c in enumerate(t.columns):
        aggs[f"__m{i}"] = t[c].isnull().sum()
    for c, allowed in expect.items():
        aggs[f"__x_{c}"] = (
            t[c].notnull() & ~t[c].cast("string").isin([str(a) for a in allowed])
        ).sum()
    for c, (lo, hi) in ranges.items():
        if not t[c].type().is_numeric():
            raise AssuranceError(f"--range {c}: the column is not numeric")
        aggs[f"__r_{c}"] = (t[c].notnull() & ((t[c] < lo) | (t[c] > hi))).sum()
    overall = t.aggregate(__n=t.count(), **aggs)
    row = {k: v[0] for k, v in overall.to_pyarrow().to_pydict().items()}
    n = int(row["__n"])
    columns = []
    for i, c in enumerate(t.columns):
        missing = int(row[f"__m{i}"] or 0)
        entry = {"column": c, "missing": missing, "missing_share": missing / n if n else None}
        if c in expect:
            entry["unexpected"] = int(row[f"__x_{c}"] or 0)
        if c in ranges:
            entry["out_of_range"] = int(row[f"__r_{c}"] or 0)
        columns.append(entry)
    per_group = []
    if protected:
        grouped = (
            t.mutate(**groups)
            .group_by(list(groups))
            .aggregate(
                __n=ibis._.count(),
                **{f"__m{i}": t[c].isnull().sum() for i, c in enumerate(t.columns)},
            )
        )
        res = grouped.to_pyarrow().to_pydict()
        for j in range(len(res["__n"])):
            gn = int(res["__n"][j])
            missing_here = {
                c: int(res[f"__m{i}"][j] or 0) for i, c in enumerate(t.columns) if res[f"__m{i}"][j]
            }
            per_group.append(
                {
                    "attributes": {a: res[f"__g{i}"][j] for i, a in enumerate(protected)},
                    "n": gn,
                    "missing": missing_here,
                }
            )
    distinct = t.distinct().count().to_pyarrow().as_py()
    return {
        "rows": n,
        "duplicate_rows": n - int(distinct),
        "columns": columns,
        "missing_by_group": per_group,
    }


def _findings(doc: dict) -> list[dict]:
    out = []
    for g in doc["groups"]:
        if g["flag"] == "under-represented":
            out.append(
                {
                    "severity": "high",
                    "message": (
                        f"{doc['attribute']}={g['group']} is under-represented: {g['data_share']:.1%} of the data "
                        f"against {g['population_share']:.1%} of the population (ratio {g['ratio']:.2f}). The "
                        "system may work worse for this group; test it separately before relying on it."
                    ),
                }
            )
        elif g["flag"] == "over-represented":
            out.append(
                {
                    "severity": "medium",
                    "message": (
                        f"{doc['attribute']}={g['group']} is over-represented: {g['data_share']:.1%} of the data "
                        f"against {g['population_share']:.1%} of the population (ratio {g['ratio']:.2f})."
                    ),
                }
            )
        elif g["flag"] == "not in benchmark":
            out.append(
                {
                    "severity": "info",
                    "message": (
                        f"group '{g['group']}' ({g['n']:,} rows) has no population share in the benchmark."
                    ),
                }
            )
    fit = doc["goodness_of_fit"]
    if fit["p_value"] is not None:
        out.append(
            {
                "severity": "info",
                "message": (
                    f"Goodness of fit: chi-square {fit['statistic']:.1f} on {fit['df']} df, p = {fit['p_value']:.2g}"
                    + (
                        " — the data's make-up differs from the population."
                        if fit["p_value"] < 0.05
                        else "."
                    )
                ),
            }
        )
    q = doc["quality"]
    if q["duplicate_rows"]:
        out.append(
            {"severity": "medium", "message": f"{q['duplicate_rows']:,} rows are exact duplicates."}
        )
    for c in q["columns"]:
        if c["missing"]:
            out.append(
                {
                    "severity": "info",
                    "message": f"column '{c['column']}': {c['missing']:,} missing ({c['missing_share']:.1%}).",
                }
            )
        if c.get("unexpected"):
            out.append(
                {
                    "severity": "medium",
                    "message": f"column '{c['column']}': {c['unexpected']:,} unexpected values.",
                }
            )
        if c.get("out_of_range"):
            out.append(
                {
                    "severity": "medium",
                    "message": f"column '{c['column']}': {c['out_of_range']:,} values out of range.",
                }
            )
    return out


def to_markdown(doc: dict) -> str:
    lines = [
        f"# Representativeness of {doc['attribute']}",
        "",
        f"{doc['rows']:,} rows.",
        "",
        "| group | n | data share [CI] | population share | ratio | flag |",
        "|---|---:|---|---:|---:|---|",
    ]
    for g in doc["groups"]:
        pop = "—" if g["population_share"] is None else f"{g['population_share']:.1%}"
        ratio = "—" if g["ratio"] is None else f"{g['ratio']:.2f}"
        lines.append(
            f"| {g['group']} | {g['n']:,} | {g['data_share']:.1%} [{g['ci_low']:.1%}, {g['ci_high']:.1%}] "
            f"| {pop} | {ratio} | {g['flag']} |"
        )
    lines += ["", "## Findings", ""] + [
        f"- **{f['severity']}** — {f['message']}" for f in doc["findings"]
    ]
    return "\n".join(lines) + "\n"


def to_html(doc: dict) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Representativeness'
        "</title></head><body><main><pre>"
        + html.escape(to_markdown(doc))
        + "</pre></main></body></html>"
    )


def to_csv(doc: dict) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        ["group", "n", "data_share", "ci_low", "ci_high", "population_share", "ratio", "flag"]
    )
    for g in doc["groups"]:
        w.writerow(
            [
                g["group"],
                g["n"],
                g["data_share"],
                g["ci_low"],
                g["ci_high"],
                g["population_share"],
                g["ratio"],
                g["flag"],
            ]
        )
    return out.getvalue()
