"""What each kind of monitor measures on a window of decisions, by aggregation in the engine.

Each check returns (figures, detail): figures are the numbers drawn over time and compared with
thresholds; detail keeps what explains them (the drift report, the audit's disparities).
A reference is computed once per monitor and stored (drift histograms, the baseline rates).
"""

from __future__ import annotations

import math
from typing import Any

import ibis

from ombuds.assurance.errors import AssuranceError

from .sources import SourceError


class NoDataYet(Exception):
    """The window has no decisions (yet): nothing is recorded and it is tried again later."""


# Default thresholds by monitor kind: (metric, direction, warning, critical).
DEFAULT_THRESHOLDS: dict[str, list[dict[str, Any]]] = {
    "drift": [{"metric": "drift_share", "direction": "above", "warning": 0.2, "critical": 0.5}],
    "performance": [
        # Falls in accuracy beyond the band σ = √(p(1−p)/n) only: small windows do not cry wolf.
        {
            "metric": "accuracy_drop",
            "direction": "above",
            "warning": 0.05,
            "critical": 0.1,
            "sigma_guard": True,
        },
    ],
    "fairness": [
        {
            "metric": "min_selection_rate_ratio",
            "direction": "below",
            "warning": 0.8,
            "critical": 0.6,
        },
        {"metric": "flagged_disparities", "direction": "above", "warning": 0.5, "critical": 3.5},
    ],
    "oversight": [
        {"metric": "override_rate", "direction": "above", "warning": 0.2, "critical": 0.4},
        # Nobody ever disagreeing with the system is a sign of rubber-stamping.
        {"metric": "override_rate", "direction": "below", "warning": 0.005, "critical": None},
    ],
    "appeals": [
        {"metric": "overturn_rate", "direction": "above", "warning": 0.15, "critical": 0.3},
    ],
}
OVERTURNED = {"overturned", "upheld_for_appellant", "reversed", "changed"}


def _predicted(table, mapping: dict):
    if mapping.get("prediction"):
        col = table[mapping["prediction"]]
        if col.type().is_boolean():
            return col.cast("int64")
        if col.type().is_numeric():
            return (col > 0).cast("int64")
        return col.cast("string").lower().isin(["1", "true", "yes", "y", "t"]).cast("int64")
    return (table[mapping["score"]] >= mapping.get("threshold", 0.5)).cast("int64")


def _binary(table, column: str, positive: str | None = None):
    col = table[column]
    if positive not in (None, ""):
        return (col.cast("string") == str(positive)).cast("int64")
    if col.type().is_boolean():
        return col.cast("int64")
    if col.type().is_numeric():
        return (col > 0).cast("int64")
    return col.cast("string").lower().isin(["1", "true", "yes", "y", "t"]).cast("int64")


def _confusion(table, mapping: dict) -> dict[str, float]:
    labelled = table.filter(table[mapping["label"]].notnull())
    y = _binary(labelled, mapping["label"], mapping.get("positive"))
    p = _predicted(labelled, mapping)
    row = (
        labelled.aggregate(
            n=labelled.count(),
            tp=((y == 1) & (p == 1)).cast("int64").sum(),
            fp=((y == 0) & (p == 1)).cast("int64").sum(),
            fn=((y == 1) & (p == 0)).cast("int64").sum(),
            tn=((y == 0) & (p == 0)).cast("int64").sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return {k: float(v or 0) for k, v in row.items()}


def _rates(c: dict[str, float]) -> dict[str, float | None]:
    n = c["n"]
    pos, neg = c["tp"] + c["fn"], c["fp"] + c["tn"]
    return {
        "n_labelled": n,
        "accuracy": (c["tp"] + c["tn"]) / n if n else None,
        "tpr": c["tp"] / pos if pos else None,
        "fpr": c["fp"] / neg if neg else None,
    }


def reference(kind: str, table, mapping: dict) -> dict[str, Any]:
    """What a monitor compares each window with, computed once on the reference period."""
    if kind == "drift":
        from ombuds.assurance.drift import reference_profile

        return {"profile": reference_profile(table, columns=mapping["features"])}
    if kind == "performance":
        rates = _rates(_confusion(table, mapping))
        if not rates["n_labelled"]:
            raise SourceError("the reference period has no labelled decisions to compare with")
        return {"performance": rates}
    return {}


def run_check(kind: str, table, mapping: dict, ref: dict) -> tuple[dict, dict]:
    rows = int(table.count().to_pyarrow().as_py())
    if rows == 0:
        raise NoDataYet()
    try:
        figures, detail = CHECKS[kind](table, mapping, ref)
    except AssuranceError as exc:
        raise SourceError(str(exc)) from None
    return {"rows": rows, **figures}, detail


def _drift(table, mapping, ref):
    from ombuds.assurance.drift import drift_from_profile

    doc = drift_from_profile(ref["profile"], table)
    psi = [c["psi"] for c in doc["columns"] if c.get("psi") is not None]
    figures = {
        "drift_share": doc["drift_share"],
        "drifted_columns": sum(1 for c in doc["columns"] if c["drifted"]),
        "max_psi": max(psi) if psi else None,
    }
    return figures, {"drift": doc}


def _performance(table, mapping, ref):
    rates = _rates(_confusion(table, mapping))
    base = ref["performance"]
    figures: dict[str, Any] = {k: v for k, v in rates.items()}
    if rates["accuracy"] is not None and base.get("accuracy") is not None:
        p, n = base["accuracy"], rates["n_labelled"]
        figures["baseline_accuracy"] = p
        figures["accuracy_drop"] = p - rates["accuracy"]
        figures["accuracy_drop_sigma"] = math.sqrt(p * (1 - p) / n) if n else None
    return figures, {}


def _fairness(table, mapping, ref):
    figures: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    if mapping.get("label"):
        from ombuds.assurance.audit import audit

        labelled = table.filter(table[mapping["label"]].notnull())
        doc = audit(
            labelled,
            label=mapping["label"],
            prediction=mapping.get("prediction"),
            score=None if mapping.get("prediction") else mapping.get("score"),
            threshold=None if mapping.get("prediction") else mapping.get("threshold", 0.5),
            positive=mapping.get("positive"),
            protected=mapping["protected"],
            intersections=False,
            auc=False,
        )
        flagged = [d for d in doc["disparities"] if d["flag"] == "disparity"]
        figures["flagged_disparities"] = len(flagged)
        ratios = [
            d["ratio"]
            for d in doc["disparities"]
            if d["metric"] == "selection_rate" and d.get("ratio") is not None
        ]
        figures["min_selection_rate_ratio"] = min(ratios) if ratios else None
        detail["disparities"] = flagged[:50]
        detail["findings"] = doc.get("findings", [])[:20]
        return figures, detail
    # No labels yet: selection rates by group, compared with the highest group.
    p = _predicted(table, mapping)
    worst = None
    groups = []
    for attr in mapping["protected"]:
        rows = (
            table.mutate(_p=p)
            .group_by(attr)
            .aggregate(n=ibis._.count(), selected=ibis._._p.sum())
            .to_pyarrow()
            .to_pylist()
        )
        rates = {str(r[attr]): r["selected"] / r["n"] for r in rows if r["n"] >= 30}
        if len(rates) >= 2 and max(rates.values()) > 0:
            top = max(rates.values())
            for group, rate in rates.items():
                ratio = rate / top
                groups.append({"attribute": attr, "group": group, "rate": rate, "ratio": ratio})
                worst = ratio if worst is None else min(worst, ratio)
    figures["min_selection_rate_ratio"] = worst
    detail["selection_rates"] = groups
    return figures, detail


def _oversight(table, mapping, ref):
    figures: dict[str, Any] = {}
    if mapping.get("overridden"):
        o = _binary(table, mapping["overridden"])
        figures["override_rate"] = table.aggregate(r=o.mean()).to_pyarrow().to_pylist()[0]["r"]
    if mapping.get("final_decision") and (mapping.get("prediction") or mapping.get("score")):
        agree = (_binary(table, mapping["final_decision"]) == _predicted(table, mapping)).cast(
            "int64"
        )
        figures["agreement_rate"] = table.aggregate(r=agree.mean()).to_pyarrow().to_pylist()[0]["r"]
        if "override_rate" not in figures and figures["agreement_rate"] is not None:
            figures["override_rate"] = 1 - figures["agreement_rate"]
    return figures, {}


def _appeals(table, mapping, ref):
    col = table[mapping["appeal_outcome"]]
    appealed = table.filter(col.notnull() & (col.cast("string") != ""))
    outcome = appealed[mapping["appeal_outcome"]].cast("string").lower()
    row = (
        appealed.aggregate(
            appeals=appealed.count(), overturned=outcome.isin(list(OVERTURNED)).cast("int64").sum()
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    n = row["appeals"] or 0
    return {"appeals": n, "overturn_rate": (row["overturned"] or 0) / n if n else None}, {}


CHECKS = {
    "drift": _drift,
    "performance": _performance,
    "fairness": _fairness,
    "oversight": _oversight,
    "appeals": _appeals,
}


def breaches(figures: dict, thresholds: list[dict]) -> list[dict]:
    """The thresholds these figures cross: [{metric, severity, value, threshold, direction}]."""
    out = []
    for t in thresholds:
        value = figures.get(t["metric"])
        if value is None:
            continue
        for severity in ("critical", "warning"):
            limit = t.get(severity)
            if limit is None:
                continue
            # Reaching a threshold breaches it (as PSI ≥ 0.2 does in the drift rule).
            crossed = value >= limit if t.get("direction", "above") == "above" else value <= limit
            if crossed and t.get("sigma_guard"):
                sigma = figures.get(f"{t['metric']}_sigma")
                crossed = sigma is None or abs(value) > 2 * sigma
            if crossed:
                out.append(
                    {
                        "metric": t["metric"],
                        "severity": severity,
                        "value": value,
                        "threshold": limit,
                        "direction": t.get("direction", "above"),
                    }
                )
                break  # the worst level crossed is the one reported
    return out
