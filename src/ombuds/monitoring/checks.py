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
        # Rubber-stamping: operators (or everyone, when the log names no operator) who agree
        # with the system almost always and review in seconds. Needs review times in the log.
        {
            "metric": "rubber_stamping_operators",
            "direction": "above",
            "warning": 1,
            "critical": None,
            "agreement_at_least": 0.98,
            "review_seconds_below": 10,
            "min_decisions": 20,
        },
        # Always agreeing, when review times are not logged: operators (or everyone, when the
        # log names no operator) who agreed with the system in at least 99.5 % of at least 200
        # decided cases. At a healthy 2 % override rate, 200 cases with at most one override
        # happen by chance about once in 11 000 windows.
        {
            "metric": "always_agreeing_operators",
            "direction": "above",
            "warning": 1,
            "critical": None,
            "agreement_only_at_least": 0.995,
            "agreement_only_min_decisions": 200,
        },
        # Overrides stopping: the window's override rate as a share of the reference period's,
        # judged only when people did override in the reference period, the window is large
        # enough to expect at least five overrides, and so few is unlikely by chance
        # (one-sided binomial test, p < 0.01).
        {
            "metric": "override_rate_vs_reference",
            "direction": "below",
            "warning": 0.2,
            "critical": None,
            "min_reference_rate": 0.02,
        },
        # Overrides skewed across protected groups: lowest group rate / highest, among groups
        # with enough decisions, counting a pair of groups only when the gap is material and
        # not chance (Fisher's exact test, p < 0.01).
        {
            "metric": "override_rate_group_ratio",
            "direction": "below",
            "warning": 0.8,
            "critical": 0.5,
            "min_group": 30,
            "min_difference": 0.05,
        },
    ],
    "appeals": [
        # Judged only from 20 decided appeals in a window: one overturned decision is not 100 %.
        {
            "metric": "overturn_rate",
            "direction": "above",
            "warning": 0.15,
            "critical": 0.3,
            "min_decisions": 20,
        },
    ],
}
# Keys of a threshold that are not parameters of the check.
THRESHOLD_KEYS = {"metric", "direction", "warning", "critical", "sigma_guard"}
# How unlikely by chance a gap must be before an oversight signal counts it.
SIGNIFICANCE = 0.01
# An override stop is judged only when the window should have shown this many overrides.
MIN_EXPECTED_OVERRIDES = 5
OVERTURNED = {
    "overturned",
    "partly_overturned",
    "upheld_for_appellant",
    "reversed",
    "changed",
}


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
    if kind == "oversight":
        if int(table.count().to_pyarrow().as_py()) == 0:
            return {"override_rate": None}
        t, _agreement = _oversight_columns(table, mapping)
        if t is None:
            return {"override_rate": None}
        rate = t.aggregate(o=t._o.mean()).to_pyarrow().to_pylist()[0]["o"]
        return {"override_rate": None if rate is None else float(rate)}
    return {}


def params(kind: str, thresholds: list[dict] | None = None) -> dict[str, float]:
    """A check's parameters (review-time limit, minimum group size…): the defaults, overridden
    by those the monitor's thresholds carry."""
    out: dict[str, float] = {}
    for t in DEFAULT_THRESHOLDS.get(kind, []) + list(thresholds or []):
        out.update({k: v for k, v in t.items() if k not in THRESHOLD_KEYS})
    return out


def run_check(
    kind: str, table, mapping: dict, ref: dict, thresholds: list[dict] | None = None
) -> tuple[dict, dict]:
    rows = int(table.count().to_pyarrow().as_py())
    if rows == 0:
        raise NoDataYet()
    try:
        figures, detail = CHECKS[kind](table, mapping, ref, params(kind, thresholds))
    except AssuranceError as exc:
        raise SourceError(str(exc)) from None
    return {"rows": rows, **figures}, detail


def _drift(table, mapping, ref, params=None):
    from ombuds.assurance.drift import drift_from_profile

    doc = drift_from_profile(ref["profile"], table)
    psi = [c["psi"] for c in doc["columns"] if c.get("psi") is not None]
    figures = {
        "drift_share": doc["drift_share"],
        "drifted_columns": sum(1 for c in doc["columns"] if c["drifted"]),
        "max_psi": max(psi) if psi else None,
    }
    return figures, {"drift": doc}


def _performance(table, mapping, ref, params=None):
    rates = _rates(_confusion(table, mapping))
    base = ref["performance"]
    figures: dict[str, Any] = {k: v for k, v in rates.items()}
    if rates["accuracy"] is not None and base.get("accuracy") is not None:
        p, n = base["accuracy"], rates["n_labelled"]
        figures["baseline_accuracy"] = p
        figures["accuracy_drop"] = p - rates["accuracy"]
        figures["accuracy_drop_sigma"] = math.sqrt(p * (1 - p) / n) if n else None
    return figures, {}


def _fairness(table, mapping, ref, params=None):
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


def _oversight_columns(table, mapping: dict):
    """The table with _o (the person overrode the system), _a (the person agreed) and, when
    logged, _r (review seconds) per decision."""
    cols = {}
    has_agreement = bool(
        mapping.get("final_decision") and (mapping.get("prediction") or mapping.get("score"))
    )
    if has_agreement:
        agree = (_binary(table, mapping["final_decision"]) == _predicted(table, mapping)).cast(
            "int64"
        )
    if mapping.get("overridden"):
        cols["_o"] = _binary(table, mapping["overridden"])
    elif not has_agreement:
        return None, False
    else:
        cols["_o"] = 1 - agree
    cols["_a"] = agree if has_agreement else 1 - cols["_o"]
    if mapping.get("review_seconds"):
        cols["_r"] = table[mapping["review_seconds"]].cast("float64")
    t = table.mutate(**cols)
    # Only decided cases count: a row without the person's decision (or without the system's
    # recommendation) says nothing about agreement.
    return t.filter(t._a.notnull()), has_agreement


def _stopped(k: int, n: int, base: float) -> bool:
    """Whether k overrides in n decided cases is too few to be chance at the reference rate."""
    from scipy.stats import binom

    return n * base >= MIN_EXPECTED_OVERRIDES and binom.cdf(k, n, base) < SIGNIFICANCE


def _differ(k1: int, n1: int, k2: int, n2: int) -> bool:
    """Whether two groups' override counts differ beyond chance (Fisher's exact test)."""
    from scipy.stats import fisher_exact

    _odds, p = fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])
    return p < SIGNIFICANCE


def _oversight(table, mapping, ref, params=None):
    """Agreement and override rates overall, per operator (kept in the detail, shown to
    governance leads only), per protected group, and the median review time; with the
    automation-bias signals as figures the thresholds judge. Only decided cases count."""
    p = params or {}
    figures: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    t, has_agreement = _oversight_columns(table, mapping)
    if t is None:
        return figures, detail
    has_review = "_r" in t.columns
    aggs = {
        "n": t.count(),
        "o": t._o.mean(),
        "k": t._o.sum(),
        "no": t._o.count(),
        "a": t._a.mean(),
    }
    if has_review:
        aggs["r"] = t._r.median()
    row = t.aggregate(**aggs).to_pyarrow().to_pylist()[0]
    decided = int(row["n"] or 0)
    figures["decided"] = decided
    if row["o"] is not None:  # no override data at all: no figure, rather than a false 0
        figures["override_rate"] = row["o"]
    if has_agreement:
        figures["agreement_rate"] = row["a"]
    if has_review:
        figures["median_review_seconds"] = row["r"]

    agree_min = float(p.get("agreement_at_least", 0.98))
    seconds = float(p.get("review_seconds_below", 10))
    min_n = int(p.get("min_decisions", 20))
    only_min = float(p.get("agreement_only_at_least", 0.995))
    only_n = int(p.get("agreement_only_min_decisions", 200))

    def stamping(n, agreement, median) -> bool:
        return (
            n >= min_n
            and agreement is not None
            and agreement >= agree_min
            and median is not None
            and median < seconds
        )

    def always_agreeing(n, agreement) -> bool:
        return n >= only_n and agreement is not None and agreement >= only_min

    if mapping.get("operator"):
        op = mapping["operator"]
        per = {"n": ibis._.count(), "o": ibis._._o.mean(), "a": ibis._._a.mean()}
        if has_review:
            per["r"] = ibis._._r.median()
        rows = (
            t.filter(t[op].notnull())
            .group_by(op)
            .aggregate(**per)
            .order_by(op)
            .to_pyarrow()
            .to_pylist()
        )
        operators = [
            {
                "operator": str(r[op]),
                "decisions": int(r["n"]),
                "override_rate": r["o"],
                "agreement_rate": r["a"] if has_agreement else None,
                "median_review_seconds": r.get("r"),
                "rubber_stamping": has_review and stamping(r["n"], r["a"], r.get("r")),
                "always_agreeing": not has_review and always_agreeing(r["n"], r["a"]),
            }
            for r in rows
        ]
        figures["operators"] = len(operators)
        # Per-operator figures never go into `figures` (drawn and shown to every viewer).
        detail["operators"] = operators[:500]
        if has_review:
            figures["rubber_stamping_operators"] = sum(o["rubber_stamping"] for o in operators)
        else:
            figures["always_agreeing_operators"] = sum(o["always_agreeing"] for o in operators)
    elif has_review:
        figures["rubber_stamping_operators"] = int(stamping(decided, row["a"], row["r"]))
    else:
        figures["always_agreeing_operators"] = int(always_agreeing(decided, row["a"]))

    base = (ref or {}).get("override_rate")
    figures["reference_override_rate"] = base
    n_o, k = int(row["no"] or 0), int(row["k"] or 0)
    if (
        base is not None
        and row["o"] is not None
        and base >= float(p.get("min_reference_rate", 0.02))
        and _stopped(k, n_o, base)
    ):
        figures["override_rate_vs_reference"] = row["o"] / base

    min_group = int(p.get("min_group", 30))
    min_gap = float(p.get("min_difference", 0.05))
    groups, worst, widest = [], None, None
    for attr in mapping.get("protected", []):
        if attr == mapping.get("operator"):
            continue  # never a table of operators by another name
        rows = (
            t.filter(t._o.notnull())
            .group_by(attr)
            .aggregate(n=ibis._.count(), k=ibis._._o.sum())
            .to_pyarrow()
            .to_pylist()
        )
        counted = [
            (str(r[attr]), int(r["n"]), int(r["k"] or 0)) for r in rows if r["n"] >= min_group
        ]
        for name, n, k_g in counted:
            groups.append(
                {"attribute": attr, "group": name, "decisions": n, "override_rate": k_g / n}
            )
        if len(counted) < 2:
            continue
        rates = [k_g / n for _g, n, k_g in counted]
        widest = max(widest or 0.0, max(rates) - min(rates))
        judged = 1.0
        for i, (_g1, n1, k1) in enumerate(counted):
            for _g2, n2, k2 in counted[i + 1 :]:
                r1, r2 = k1 / n1, k2 / n2
                hi, lo = max(r1, r2), min(r1, r2)
                if hi <= 0 or hi - lo < min_gap or not _differ(k1, n1, k2, n2):
                    continue
                judged = min(judged, lo / hi)
        worst = judged if worst is None else min(worst, judged)
    if groups:
        detail["override_rates_by_group"] = groups
        if worst is not None:
            figures["override_rate_group_gap"] = widest
            figures["override_rate_group_ratio"] = worst
    return figures, detail


def _appeals(table, mapping, ref, params=None):
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
    minimum = int((params or {}).get("min_decisions", 20))
    rate = (row["overturned"] or 0) / n if n and n >= minimum else None
    return {"appeals": n, "overturned": row["overturned"] or 0, "overturn_rate": rate}, {}


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
