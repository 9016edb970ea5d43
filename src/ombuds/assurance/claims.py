"""Checking a vendor's claim ("95 % accurate") on the agency's own data.

The measured value carries an exact Clopper–Pearson interval (DeLong's for AUC). The verdict is
"supported" when the whole interval is on the good side of the claim, "refuted" when it is all on
the bad side, and "inconclusive" otherwise — with the sample size that would settle it. For
accuracy, tpr, ppv and auc higher is better; for fpr lower is better (a claimed fpr is a ceiling).
"""

from __future__ import annotations

import html
import io
import math
from typing import Any

import ibis

from . import stats
from .audit import score_keys
from .data import Source, binary, group_label, load, numeric
from .errors import AssuranceError

SCHEMA = "ombuds.claim/1"
METRICS = {
    "accuracy": (lambda c: c["tp"] + c["tn"], lambda c: c["n"], True),
    "tpr": (lambda c: c["tp"], lambda c: c["tp"] + c["fn"], True),
    "fpr": (lambda c: c["fp"], lambda c: c["fp"] + c["tn"], False),
    "ppv": (lambda c: c["tp"], lambda c: c["tp"] + c["fp"], True),
}


def _verdict(lo: float, hi: float, claimed: float, higher_is_better: bool) -> str:
    if higher_is_better:
        return "supported" if lo >= claimed else "refuted" if hi < claimed else "inconclusive"
    return "supported" if hi <= claimed else "refuted" if lo > claimed else "inconclusive"


def verify_claim(
    data: Any,
    *,
    label: str,
    metric: str,
    claimed: float,
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    positive: Any = None,
    by: str | None = None,
    confidence: float = 0.95,
    table: str | None = None,
) -> dict:
    src = data if isinstance(data, Source) else load(data, table=table)
    if metric not in (*METRICS, "auc"):
        raise AssuranceError(f"--metric must be one of accuracy, tpr, fpr, ppv, auc (got {metric})")
    if not 0 <= claimed <= 1:
        raise AssuranceError(
            f"--claimed must be a proportion between 0 and 1 (got {claimed}); write 95 % as 0.95"
        )
    if metric == "auc" and score is None:
        raise AssuranceError("--metric auc needs --score COL")
    if metric != "auc" and (prediction is None) == (score is None):
        raise AssuranceError("give either --prediction COL or --score COL with --threshold T")
    if score is not None and metric != "auc" and threshold is None:
        raise AssuranceError("--score needs --threshold T (a row is positive when score ≥ T)")
    y, note = binary(src, label, positive, "label")
    cols = {"__y": y, "__b": group_label(src, by) if by else ibis.literal("(all)")}
    if metric == "auc":
        cols["__s"] = numeric(src, str(score))
    elif prediction:
        cols["__p"] = binary(src, prediction, None, "prediction")[0]
    else:
        s = numeric(src, str(score))
        cols["__p"] = ibis.ifelse(s.isnull(), ibis.null(), (s >= threshold).cast("int8"))
    m = src.table.select(**cols)
    results = _auc_groups(m, confidence) if metric == "auc" else _rate_groups(m, metric, confidence)
    higher = True if metric == "auc" else METRICS[metric][2]
    groups = []
    for key, r in results.items():
        entry = {"attributes": {by: key} if by else {}, **r}
        if r["value"] is None:
            entry["verdict"] = "inconclusive"
        else:
            entry["verdict"] = _verdict(r["ci_low"], r["ci_high"], claimed, higher)
            if entry["verdict"] == "inconclusive":
                distance = abs(r["value"] - claimed)
                needed = stats.needed_size(r["denominator"], r["se"], distance, confidence)
                entry["needed_denominator"] = needed
                entry["needed_rows"] = (
                    math.ceil(needed * r["rows"] / r["denominator"])
                    if needed and r["denominator"]
                    else None
                )
                if not needed:
                    entry["reason"] = (
                        "the measured value equals the claim; no sample size settles it"
                    )
        entry.pop("se", None)
        groups.append(entry)
    overall = next((g for g in groups if not g["attributes"]), None)
    if by:
        overall_res = (
            _auc_groups(m.mutate(__b=ibis.literal("(all)")), confidence)
            if metric == "auc"
            else _rate_groups(m.mutate(__b=ibis.literal("(all)")), metric, confidence)
        )["(all)"]
        overall = {"attributes": {}, **overall_res}
        overall["verdict"] = (
            "inconclusive"
            if overall["value"] is None
            else _verdict(overall["ci_low"], overall["ci_high"], claimed, higher)
        )
        overall.pop("se", None)
        groups.sort(key=lambda g: str(g["attributes"].get(by)))
    else:
        groups = []
    return {
        "schema": SCHEMA,
        "metric": metric,
        "claimed": claimed,
        "direction": "higher is better" if higher else "lower is better",
        "confidence": confidence,
        "notes": src.notes + ([note] if note else []),
        "source": src.description,
        "overall": overall,
        "groups": groups,
        "method": "DeLong interval for AUC"
        if metric == "auc"
        else "exact Clopper–Pearson interval",
    }


def _rate_groups(m, metric: str, confidence: float) -> dict[str, dict]:
    agg = (
        m.filter(m.__y.notnull() & m.__p.notnull())
        .group_by(["__b", "__y", "__p"])
        .aggregate(n=ibis._.count())
        .to_pyarrow()
        .to_pydict()
    )
    cells: dict[str, dict[str, int]] = {}
    for b, yv, pv, n in zip(agg["__b"], agg["__y"], agg["__p"], agg["n"], strict=True):
        c = cells.setdefault(b, {"n": 0, "tp": 0, "fp": 0, "tn": 0, "fn": 0})
        c["n"] += n
        c["tp" if yv and pv else "fp" if pv else "fn" if yv else "tn"] += n
    num_f, den_f, _h = METRICS[metric]
    out = {}
    for b, c in cells.items():
        x, n = num_f(c), den_f(c)
        if n == 0:
            out[b] = {
                "n": c["n"],
                "value": None,
                "ci_low": None,
                "ci_high": None,
                "numerator": x,
                "denominator": 0,
                "rows": c["n"],
                "se": math.nan,
                "reason": "no eligible rows",
            }
            continue
        lo, hi = stats.clopper_pearson(x, n, confidence)
        p = x / n
        out[b] = {
            "n": c["n"],
            "value": p,
            "ci_low": lo,
            "ci_high": hi,
            "numerator": x,
            "denominator": n,
            "rows": c["n"],
            "se": math.sqrt(max(p * (1 - p), 1e-12) / n),
        }
    return out


def _auc_groups(m, confidence: float) -> dict[str, dict]:
    import numpy as np

    keyed = score_keys(m)
    if keyed is None:
        return {}
    agg = (
        keyed.table.group_by(["__b", "__k", "__y"])
        .aggregate(n=ibis._.count())
        .to_pyarrow()
        .to_pydict()
    )
    per: dict[str, dict[float, list[int]]] = {}
    for g, k, yv, n in zip(agg["__b"], agg["__k"], agg["__y"], agg["n"], strict=True):
        per.setdefault(g, {}).setdefault(k, [0, 0])[0 if yv == 1 else 1] += n
    z = stats.z_for(confidence)
    out = {}
    for g, table in per.items():
        keys = np.array(sorted(table))
        pos = np.array([table[k][0] for k in keys])
        neg = np.array([table[k][1] for k in keys])
        P, N = int(pos.sum()), int(neg.sum())
        res = stats.auc_from_counts(keys, pos, neg)
        if res is None:
            out[g] = {
                "n": P + N,
                "value": None,
                "ci_low": None,
                "ci_high": None,
                "numerator": None,
                "denominator": P * N,
                "rows": P + N,
                "se": math.nan,
                "reason": "no positives" if P == 0 else "no negatives",
            }
            continue
        auc, var = res
        se = math.sqrt(max(var, 0.0))
        out[g] = {
            "n": P + N,
            "value": auc,
            "ci_low": max(0.0, auc - z * se),
            "ci_high": min(1.0, auc + z * se),
            "numerator": round(auc * P * N, 6),
            "denominator": P * N,
            "rows": P + N,
            "se": se,
        }
        if not keyed.exact:
            out[g]["error_bound"] = stats.within_bin_tie_bound(pos, neg)
    return out


def _rows(doc: dict) -> list[dict]:
    return ([doc["overall"]] if doc["overall"] else []) + doc["groups"]


def to_markdown(doc: dict) -> str:
    lines = [
        f"# Claim check: {doc['metric']} {'≥' if doc['direction'] == 'higher is better' else '≤'} "
        f"{doc['claimed']:.3g}",
        "",
        f"Method: {doc['method']} at {doc['confidence']:.0%}.",
        "",
        "| group | value | interval | n | verdict | rows needed to settle |",
        "|---|---:|---|---:|---|---:|",
    ]
    for r in _rows(doc):
        who = ", ".join(f"{k}={v}" for k, v in r["attributes"].items()) or "everyone"
        value = "—" if r["value"] is None else f"{r['value']:.4f}"
        ci = "—" if r["value"] is None else f"[{r['ci_low']:.4f}, {r['ci_high']:.4f}]"
        lines.append(
            f"| {who} | {value} | {ci} | {r['n']:,} | {r['verdict']} | {r.get('needed_rows') or ''} |"
        )
    return "\n".join(lines) + "\n"


def to_html(doc: dict) -> str:
    body = html.escape(to_markdown(doc))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Claim check</title>'
        "</head><body><main><pre>" + body + "</pre></main></body></html>"
    )


def to_csv(doc: dict) -> str:
    import csv

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "group",
            "value",
            "ci_low",
            "ci_high",
            "numerator",
            "denominator",
            "n",
            "verdict",
            "needed_rows",
        ]
    )
    for r in _rows(doc):
        w.writerow(
            [
                ";".join(f"{k}={v}" for k, v in r["attributes"].items()) or "(all)",
                r["value"],
                r["ci_low"],
                r["ci_high"],
                r["numerator"],
                r["denominator"],
                r["n"],
                r["verdict"],
                r.get("needed_rows", ""),
            ]
        )
    return out.getvalue()
