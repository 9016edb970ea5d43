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
MIN_AUC_CLASS = 10  # below this many positives or negatives an AUC interval is not trusted
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


def _judge(entry: dict, claimed: float, higher: bool, confidence: float, metric: str) -> dict:
    """The verdict of one row (everyone or a group) and, when inconclusive, the size that would
    settle it: for rates the smallest denominator at which the exact interval at the observed
    proportion leaves the claim's side (stats.needed_for_exclusion); for AUC a normal
    approximation on the rows."""
    forced = entry.pop("_inconclusive", False)
    se = entry.pop("se", math.nan)
    if entry["value"] is None:
        entry["verdict"] = "inconclusive"
        return entry
    entry["verdict"] = (
        "inconclusive" if forced else _verdict(entry["ci_low"], entry["ci_high"], claimed, higher)
    )
    if entry["verdict"] != "inconclusive":
        return entry
    rows, den = entry["rows"], entry["denominator"]
    if abs(entry["value"] - claimed) <= 1e-12:
        entry["needed_denominator"] = entry["needed_rows"] = None
        entry["reason"] = "the measured value equals the claim; no sample size settles it"
        return entry
    if metric == "auc":
        needed_rows = _auc_needed_rows(entry, se, claimed, confidence)
        entry["needed_rows"] = needed_rows
        entry["needed_denominator"] = (
            math.ceil(den * (needed_rows / rows) ** 2) if needed_rows and rows else None
        )
    else:
        needed = stats.needed_for_exclusion(entry["numerator"], den, claimed, confidence, higher)
        entry["needed_denominator"] = needed
        entry["needed_rows"] = (
            max(rows + 1, math.ceil(needed * rows / den)) if needed and den else None
        )
    if entry["needed_rows"] is None and "reason" not in entry:
        entry["reason"] = "no sample size within reach settles it"
    return entry


def _auc_needed_rows(entry: dict, se: float, claimed: float, confidence: float) -> int | None:
    """Rows (same class balance) at which the AUC interval would leave the claim's side; with
    too few of a class, at least enough for MIN_AUC_CLASS of each."""
    rows, smaller = entry["rows"], entry.get("smaller_class") or 0
    distance = abs(entry["value"] - claimed)
    floor = math.ceil(rows * MIN_AUC_CLASS / smaller) if 0 < smaller < MIN_AUC_CLASS else rows + 1
    if se > 0 and not math.isnan(se):
        wald = stats.needed_size(rows, se, distance, confidence)
        return max(floor, wald or 0) or None
    if entry["value"] in (0.0, 1.0) and smaller:
        # Perfect separation: the conservative bound (α/2)^(1/m) reaches the claim at
        # m = ln(α/2) / ln(claim) of the smaller class (or 1 − claim for AUC 0).
        alpha = 1 - confidence
        target = claimed if entry["value"] == 1.0 else 1 - claimed
        if not 0 < target < 1:
            return None
        m = math.ceil(math.log(alpha / 2) / math.log(target))
        return max(floor, math.ceil(rows * m / smaller))
    return None


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
    for name, value in (("--prediction", prediction), ("--score", score)):
        if value is not None and value == label:
            raise AssuranceError(
                f"{name} {value} is the label column: a claim checked against its own labels "
                "would always hold"
            )
        if value is not None and by and value == by:
            raise AssuranceError(f"{name} {value} is also the --by column; name different columns")
    if by and by == label:
        raise AssuranceError(f"--by {by} is the label column; name the protected attribute")
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
    groups = [
        _judge({"attributes": {by: key} if by else {}, **r}, claimed, higher, confidence, metric)
        for key, r in results.items()
    ]
    overall = next((g for g in groups if not g["attributes"]), None)
    if by:
        overall_res = (
            _auc_groups(m.mutate(__b=ibis.literal("(all)")), confidence)
            if metric == "auc"
            else _rate_groups(m.mutate(__b=ibis.literal("(all)")), metric, confidence)
        ).get("(all)")
        overall = (
            _judge({"attributes": {}, **overall_res}, claimed, higher, confidence, metric)
            if overall_res
            else None
        )
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
        lo, hi = max(0.0, auc - z * se), min(1.0, auc + z * se)
        smaller = min(P, N)
        if se == 0:
            # DeLong's variance vanishes at perfect separation (and when every score ties), which
            # would give the interval [1, 1] on two rows. Use a conservative bound instead: were
            # the true AUC below (α/2)^(1/m), m the smaller class, a sample this separated would
            # be rarer than α/2.
            bound = (1 - confidence) / 2
            if auc == 1.0:
                lo, hi = bound ** (1 / smaller), 1.0
            elif auc == 0.0:
                lo, hi = 0.0, 1 - bound ** (1 / smaller)
            else:
                lo, hi = 0.0, 1.0
        out[g] = {
            "n": P + N,
            "value": auc,
            "ci_low": lo,
            "ci_high": hi,
            "numerator": round(auc * P * N, 6),
            "denominator": P * N,
            "rows": P + N,
            "se": se,
            "smaller_class": smaller,
        }
        if smaller < MIN_AUC_CLASS:
            out[g]["_inconclusive"] = True
            out[g]["reason"] = (
                f"too few {'positives' if P <= N else 'negatives'} ({smaller}) for an AUC "
                f"interval; at least {MIN_AUC_CLASS} of each class are needed"
            )
        elif se == 0:
            out[g]["reason"] = "DeLong's variance is 0 here; the interval is a conservative bound"
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
