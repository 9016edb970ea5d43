"""The bias audit: one aggregation pushed to the engine, statistics on the table of counts.

The engine groups the log by every protected attribute at once (the finest intersection) and by
label and prediction, counting rows (and summing squared score errors). Every other group —
each attribute alone, pairs, triples, everyone — is a sum of those cells, done here on a few
hundred rows. A score adds a second aggregation by score value (or 10,000 bins) for AUC and
calibration.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np

from . import stats
from .data import Source, binary, group_name, load, numeric
from .errors import AssuranceError

SCHEMA = "ombuds.audit/1"
RATE_METRICS = [
    "selection_rate",
    "prevalence",
    "tpr",
    "fpr",
    "tnr",
    "fnr",
    "ppv",
    "npv",
    "fdr",
    "for",
    "accuracy",
]
DISPARITY_METRICS = [
    "selection_rate",
    "tpr",
    "fpr",
    "tnr",
    "fnr",
    "ppv",
    "npv",
    "fdr",
    "for",
    "accuracy",
]
AUC_BINS = 10_000
CALIBRATION_BINS = 10

# numerator, denominator and the reason when the denominator is empty, from the four cells
DEFINITIONS: dict[str, tuple[Any, Any, str]] = {
    "selection_rate": (lambda c: c.tp + c.fp, lambda c: c.n, "no rows"),
    "prevalence": (lambda c: c.tp + c.fn, lambda c: c.n, "no rows"),
    "tpr": (lambda c: c.tp, lambda c: c.tp + c.fn, "no positives"),
    "fnr": (lambda c: c.fn, lambda c: c.tp + c.fn, "no positives"),
    "fpr": (lambda c: c.fp, lambda c: c.fp + c.tn, "no negatives"),
    "tnr": (lambda c: c.tn, lambda c: c.fp + c.tn, "no negatives"),
    "ppv": (lambda c: c.tp, lambda c: c.tp + c.fp, "no positive predictions"),
    "fdr": (lambda c: c.fp, lambda c: c.tp + c.fp, "no positive predictions"),
    "npv": (lambda c: c.tn, lambda c: c.tn + c.fn, "no negative predictions"),
    "for": (lambda c: c.fn, lambda c: c.tn + c.fn, "no negative predictions"),
    "accuracy": (lambda c: c.tp + c.tn, lambda c: c.n, "no rows"),
}

GUIDANCE = {
    "punitive": (
        "The intervention is punitive (it can harm the person flagged, e.g. an "
        "investigation or a sanction): the people wrongly flagged bear the harm, so "
        "parity of the false positive rate (fpr) and false discovery rate (fdr) matters "
        "most."
    ),
    "assistive": (
        "The intervention is assistive (it gives help or a benefit): the people "
        "wrongly passed over bear the harm, so parity of the false negative rate (fnr) "
        "and true positive rate (tpr) matters most."
    ),
    None: (
        "Which metrics matter most depends on the use: if being flagged can harm people "
        "(punitive: investigation, sanction), look first at fpr and fdr; if being flagged "
        "brings help (assistive: benefits, support), look first at fnr and tpr. Selection-rate "
        "parity matters when the decision itself should not depend on group membership."
    ),
}


@dataclass
class Cells:
    n: int = 0
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0
    sq_err: float = 0.0  # Σ(score − label)² over scored rows
    sq_err2: float = 0.0  # Σ(score − label)⁴, for the Brier score's interval
    scored: int = 0

    def add(self, other: Cells) -> None:
        self.n += other.n
        self.tp += other.tp
        self.fp += other.fp
        self.tn += other.tn
        self.fn += other.fn
        self.sq_err += other.sq_err
        self.sq_err2 += other.sq_err2
        self.scored += other.scored


@dataclass
class AuditConfig:
    label: str
    protected: list[str]
    prediction: str | None = None
    score: str | None = None
    threshold: float | None = None
    positive: Any = None
    reference: dict[str, str] = field(default_factory=dict)
    min_group_size: int = 30
    confidence: float = 0.95
    intersections: bool = True
    max_intersection: int = 3
    intervention: str | None = None
    adjustment: str = "holm"


def _metric(value=None, ci=None, numerator=None, denominator=None, reason=None) -> dict:
    out = {
        "value": value,
        "ci_low": ci[0] if ci else None,
        "ci_high": ci[1] if ci else None,
        "numerator": numerator,
        "denominator": denominator,
    }
    if reason:
        out["reason"] = reason
    return out


def rate_metrics(c: Cells, cfg: AuditConfig) -> dict[str, dict]:
    out = {}
    for name, (num_f, den_f, empty) in DEFINITIONS.items():
        num, den = int(num_f(c)), int(den_f(c))
        if den == 0:
            out[name] = _metric(None, None, num, den, empty)
        elif den < cfg.min_group_size:
            out[name] = _metric(None, None, None, den, "insufficient data")
        else:
            out[name] = _metric(num / den, stats.wilson(num, den, cfg.confidence), num, den)
    return out


def _suppressed_metrics(names: list[str], cfg: AuditConfig) -> dict[str, dict]:
    reason = f"suppressed: group has fewer than {cfg.min_group_size} members"
    return {name: _metric(reason=reason) for name in names}


def _validate(src: Source, cfg: AuditConfig) -> None:
    if not cfg.protected:
        raise AssuranceError("give at least one protected attribute (--protected COL)")
    if (cfg.prediction is None) == (cfg.score is None):
        raise AssuranceError("give either --prediction COL or --score COL with --threshold T")
    if cfg.score is not None and cfg.threshold is None:
        raise AssuranceError("--score needs --threshold T (a row is positive when score ≥ T)")
    if not 0 < cfg.confidence < 1:
        raise AssuranceError(f"--confidence must be between 0 and 1 (got {cfg.confidence})")
    if cfg.min_group_size < 1:
        raise AssuranceError("--min-group-size must be at least 1")
    src.column(cfg.label, "label")
    for name in cfg.protected:
        src.column(name, "protected attribute")
    if cfg.prediction:
        src.column(cfg.prediction, "prediction")
    if cfg.score:
        src.column(cfg.score, "score")
    if len(set(cfg.protected)) != len(cfg.protected):
        raise AssuranceError("a protected attribute is given twice")
    for attr in cfg.reference:
        if attr not in cfg.protected:
            raise AssuranceError(
                f"--reference names '{attr}', which is not a --protected attribute"
            )
    if cfg.intervention not in (None, "punitive", "assistive"):
        raise AssuranceError("--intervention is punitive or assistive")


def confusion_query(src: Source, cfg: AuditConfig):
    """The one aggregation: counts per (protected…, label, prediction) cell."""
    t = src.table
    notes: list[str] = []
    y, note = binary(src, cfg.label, cfg.positive, "label")
    if note:
        notes.append(note)
    # Group by the raw protected values: naming missing values "(missing)" and casting to text
    # happen on the small result (group_name), not on every row.
    cols = {f"__g{i}": src.column(a, "protected attribute") for i, a in enumerate(cfg.protected)}
    cols["__y"] = y
    if cfg.prediction:
        p, pnote = binary(src, cfg.prediction, None, "prediction")
        if pnote:
            notes.append(pnote)
        cols["__p"] = p
    else:
        assert cfg.score is not None  # checked by _validate
        s = numeric(src, cfg.score)
        cols["__s"] = s
        cols["__p"] = ibis.ifelse(s.isnull(), ibis.null(), (s >= cfg.threshold).cast("int8"))
    m = t.select(**cols)
    keys = [f"__g{i}" for i in range(len(cfg.protected))] + ["__y", "__p"]
    aggs = {"n": m.count()}
    if cfg.score:
        err = (m.__s - m.__y.cast("float64")) ** 2
        aggs["sq"] = err.sum()
        aggs["sq2"] = (err * err).sum()
        aggs["scored"] = m.__s.count()
    return m, m.group_by(keys).aggregate(**aggs), notes


def _subsets(k: int, cfg: AuditConfig) -> list[tuple[int, ...]]:
    sizes = range(1, (min(cfg.max_intersection, k) if cfg.intersections else 1) + 1)
    return [()] + [s for size in sizes for s in itertools.combinations(range(k), size)]


def audit(
    data: Any,
    *,
    label: str,
    protected: list[str] | str,
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    positive: Any = None,
    reference: dict[str, str] | None = None,
    min_group_size: int = 30,
    confidence: float = 0.95,
    intersections: bool = True,
    intervention: str | None = None,
    table: str | None = None,
    auc: bool = True,
) -> dict:
    """Audit a decision log for accuracy and disparities across protected groups.

    Returns the `ombuds.audit/1` document (see docs): groups with metrics and intervals,
    disparities against a reference group, and plain-language findings.
    """
    src = data if isinstance(data, Source) else load(data, table=table)
    cfg = AuditConfig(
        label=label,
        protected=[protected] if isinstance(protected, str) else list(protected),
        prediction=prediction,
        score=score,
        threshold=threshold,
        positive=positive,
        reference=dict(reference or {}),
        min_group_size=min_group_size,
        confidence=confidence,
        intersections=intersections,
        intervention=intervention,
    )
    _validate(src, cfg)
    k = len(cfg.protected)
    mutated, query, notes = confusion_query(src, cfg)
    result = query.to_pyarrow().to_pydict()

    # Finest cells; rows with a missing label or prediction are counted as dropped.
    dropped: dict[str, int] = {}
    rows_total = 0
    finest: dict[tuple, Cells] = {}
    for i in range(len(result["n"])):
        n = int(result["n"][i])
        rows_total += n
        yv, pv = result["__y"][i], result["__p"][i]
        if yv is None:
            dropped["label missing"] = dropped.get("label missing", 0) + n
            continue
        if pv is None:
            reason = "prediction missing" if cfg.prediction else "score missing or not a number"
            dropped[reason] = dropped.get(reason, 0) + n
            continue
        key = tuple(group_name(result[f"__g{j}"][i]) for j in range(k))
        cell = finest.setdefault(key, Cells())
        cell.n += n
        if yv == 1 and pv == 1:
            cell.tp += n
        elif yv == 0 and pv == 1:
            cell.fp += n
        elif yv == 0 and pv == 0:
            cell.tn += n
        else:
            cell.fn += n
        if cfg.score:
            cell.sq_err += float(result["sq"][i] or 0.0)
            cell.sq_err2 += float(result["sq2"][i] or 0.0)
            cell.scored += int(result["scored"][i] or 0)
    if rows_total == 0:
        raise AssuranceError("the data has no rows")
    used = rows_total - sum(dropped.values())
    if used == 0:
        raise AssuranceError(
            "no row has both a label and a prediction: "
            + ", ".join(f"{k}: {v}" for k, v in dropped.items())
        )

    for attr, ref in cfg.reference.items():
        j = cfg.protected.index(attr)
        if not any(key[j] == str(ref) for key in finest):
            found = sorted({key[j] for key in finest})
            raise AssuranceError(
                f"--reference {attr}={ref}: no such group; groups: {', '.join(found[:30])}"
            )

    subsets = _subsets(k, cfg)
    groups: dict[tuple[int, ...], dict[tuple, Cells]] = {}
    for subset in subsets:
        agg: dict[tuple, Cells] = {}
        for key, cell in finest.items():
            agg.setdefault(tuple(key[j] for j in subset), Cells()).add(cell)
        groups[subset] = agg

    score_info = _score_tables(mutated, cfg, finest) if (cfg.score and auc) else None

    group_docs = []
    for subset in subsets:
        for key in sorted(groups[subset], key=lambda kk: (-groups[subset][kk].n, kk)):
            cell = groups[subset][key]
            attrs = {cfg.protected[j]: v for j, v in zip(subset, key, strict=True)}
            doc: dict[str, Any] = {
                "attributes": attrs,
                "n": cell.n,
                "suppressed": cell.n < cfg.min_group_size,
            }
            metric_names = (
                RATE_METRICS + (["brier"] if cfg.score else []) + (["auc"] if score_info else [])
            )
            if doc["suppressed"]:
                doc["metrics"] = _suppressed_metrics(metric_names, cfg)
            else:
                doc["metrics"] = rate_metrics(cell, cfg)
                if cfg.score:
                    doc["metrics"]["brier"] = _brier(cell, cfg, score_info)
                if score_info:
                    doc["metrics"]["auc"] = score_info.auc(subset, key, cfg)
                    doc["calibration"] = score_info.calibration(subset, key, cfg)
            group_docs.append(doc)

    disparities = _disparities(groups, subsets, cfg)
    doc = {
        "schema": SCHEMA,
        "rows": rows_total,
        "rows_used": used,
        "dropped": dropped,
        "notes": src.notes + notes,
        "source": src.description,
        "config": {
            "label": cfg.label,
            "prediction": cfg.prediction,
            "score": cfg.score,
            "threshold": cfg.threshold,
            "positive": cfg.positive,
            "protected": cfg.protected,
            "reference": cfg.reference,
            "min_group_size": cfg.min_group_size,
            "confidence": cfg.confidence,
            "intersections": cfg.intersections,
            "max_intersection": cfg.max_intersection if cfg.intersections else 1,
            "intervention": cfg.intervention,
            "p_adjustment": cfg.adjustment,
            "flag_band": [0.8, 1.25],
        },
        "groups": group_docs,
        "disparities": disparities,
    }
    if score_info:
        doc["score_summary"] = score_info.summary
    doc["findings"] = findings(doc, cfg)
    return doc


def _brier(cell: Cells, cfg: AuditConfig, score_info) -> dict:
    if score_info is not None and not score_info.is_probability:
        return _metric(reason="score is not a probability (values outside 0–1)")
    if cell.scored == 0:
        return _metric(reason="no scored rows")
    if cell.scored < cfg.min_group_size:
        return _metric(None, None, None, cell.scored, "insufficient data")
    mean = cell.sq_err / cell.scored
    var = max(0.0, cell.sq_err2 / cell.scored - mean * mean) / cell.scored
    z = stats.z_for(cfg.confidence)
    se = math.sqrt(var)
    return _metric(
        mean,
        (max(0.0, mean - z * se), min(1.0, mean + z * se)),
        round(cell.sq_err, 12),
        cell.scored,
    )


class _ScoreTables:
    """Counts per (finest group, score key, label): exact values, or 10,000 bins when the score
    has more distinct values; rolled up per group with numpy."""

    def __init__(self, finest_ids, key_values, pos, neg, exact, lo, hi):
        self.finest_ids = finest_ids  # finest key tuple -> row index
        self.key_values = key_values  # score value (exact) or bin centre, per key index
        self.pos = pos  # shape (n_finest, n_keys)
        self.neg = neg
        self.exact = exact
        self.lo, self.hi = lo, hi
        self.is_probability = lo >= 0.0 and hi <= 1.0
        self.summary = {
            "distinct_or_bins": int(len(key_values)),
            "exact_auc": exact,
            "min": lo,
            "max": hi,
            "is_probability": self.is_probability,
        }

    def _rows(self, subset, key):
        idx = [i for fk, i in self.finest_ids.items() if tuple(fk[j] for j in subset) == key]
        return self.pos[idx].sum(axis=0), self.neg[idx].sum(axis=0)

    def auc(self, subset, key, cfg: AuditConfig) -> dict:
        pos, neg = self._rows(subset, key)
        P, N = int(pos.sum()), int(neg.sum())
        if P == 0:
            return _metric(None, None, None, 0, "no positives")
        if N == 0:
            return _metric(None, None, None, 0, "no negatives")
        if min(P, N) < cfg.min_group_size:
            return _metric(None, None, None, P * N, "insufficient data")
        res = stats.auc_from_counts(self.key_values, pos, neg)
        assert res is not None  # both classes are present here
        auc, var = res
        z = stats.z_for(cfg.confidence)
        se = math.sqrt(max(var, 0.0))
        out = _metric(
            auc, (max(0.0, auc - z * se), min(1.0, auc + z * se)), round(auc * P * N, 6), P * N
        )
        out["method"] = (
            "exact (tie-aware), DeLong interval"
            if self.exact
            else (f"{len(self.key_values)} equal-width score bins, DeLong interval")
        )
        if not self.exact:
            out["error_bound"] = stats.within_bin_tie_bound(pos, neg)
        return out

    def calibration(self, subset, key, cfg: AuditConfig) -> list[dict]:
        pos, neg = self._rows(subset, key)
        span = (self.hi - self.lo) or 1.0
        edges = np.linspace(self.lo, self.hi, CALIBRATION_BINS + 1)
        which = np.minimum(
            ((self.key_values - self.lo) / span * CALIBRATION_BINS).astype(int),
            CALIBRATION_BINS - 1,
        )
        out = []
        for b in range(CALIBRATION_BINS):
            mask = which == b
            n = int(pos[mask].sum() + neg[mask].sum())
            if n == 0:
                continue
            mean_score = float(((pos[mask] + neg[mask]) * self.key_values[mask]).sum() / n)
            observed = int(pos[mask].sum())
            entry = {"bin": [float(edges[b]), float(edges[b + 1])], "n": n}
            if n < cfg.min_group_size:
                entry.update(
                    {"mean_score": None, "observed_rate": None, "reason": "insufficient data"}
                )
            else:
                lo, hi = stats.wilson(observed, n, cfg.confidence)
                entry.update(
                    {
                        "mean_score": mean_score,
                        "observed_rate": observed / n,
                        "ci_low": lo,
                        "ci_high": hi,
                    }
                )
            out.append(entry)
        return out


@dataclass
class ScoreKeys:
    """A score column keyed for counting: its own values when it has at most AUC_BINS distinct
    values (exact AUC), else the index of one of AUC_BINS equal-width bins."""

    table: Any  # the filtered table with a float column __k
    lo: float
    hi: float
    exact: bool

    def values(self, keys: np.ndarray) -> np.ndarray:
        """Score value of each key: itself, or the centre of its bin."""
        if self.exact:
            return keys
        return self.lo + (keys + 0.5) * ((self.hi - self.lo) or 1.0) / AUC_BINS


def score_keys(m) -> ScoreKeys | None:
    """Key rows with a label and a score (columns __y, __s); None when no row has both."""
    m = m.filter(m.__y.notnull() & m.__s.notnull())
    bounds = (
        m.aggregate(lo=m.__s.min(), hi=m.__s.max(), nd=m.__s.approx_nunique())
        .to_pyarrow()
        .to_pydict()
    )
    lo, hi, nd = bounds["lo"][0], bounds["hi"][0], bounds["nd"][0]
    if lo is None:
        return None
    exact = (nd or 0) <= AUC_BINS
    if exact:
        key = m.__s
    else:
        span = (hi - lo) or 1.0
        key = ibis.least(((m.__s - lo) / span * AUC_BINS).floor().cast("int64"), AUC_BINS - 1)
    return ScoreKeys(m.mutate(__k=key.cast("float64")), float(lo), float(hi), exact)


def _score_tables(mutated, cfg: AuditConfig, finest) -> _ScoreTables | None:
    keyed_scores = score_keys(mutated)
    if keyed_scores is None:
        return None
    keyed = keyed_scores.table
    gkeys = [f"__g{i}" for i in range(len(cfg.protected))]
    res = keyed.group_by([*gkeys, "__k", "__y"]).aggregate(n=keyed.count()).to_pyarrow().to_pydict()
    finest_ids = {fk: i for i, fk in enumerate(sorted(finest))}
    keys = np.array(sorted(set(res["__k"])), dtype=float)
    key_index = {v: i for i, v in enumerate(keys.tolist())}
    pos = np.zeros((len(finest_ids), len(keys)))
    neg = np.zeros((len(finest_ids), len(keys)))
    for i in range(len(res["n"])):
        fk = tuple(group_name(res[g][i]) for g in gkeys)
        row = finest_ids.get(fk)
        if row is None:  # a cell whose prediction was missing is not in the audit
            continue
        target = pos if res["__y"][i] == 1 else neg
        target[row, key_index[res["__k"][i]]] += res["n"][i]
    return _ScoreTables(
        finest_ids,
        keyed_scores.values(keys),
        pos,
        neg,
        keyed_scores.exact,
        keyed_scores.lo,
        keyed_scores.hi,
    )


def _reference(subset, agg: dict[tuple, Cells], cfg: AuditConfig) -> tuple | None:
    if not subset:
        return None
    names = [cfg.protected[j] for j in subset]
    if all(n in cfg.reference for n in names):
        key = tuple(str(cfg.reference[n]) for n in names)
        return key if key in agg and agg[key].n >= cfg.min_group_size else None
    eligible = [(c.n, key) for key, c in agg.items() if c.n >= cfg.min_group_size]
    if not eligible:
        return None
    return min(eligible, key=lambda t: (-t[0], t[1]))[1]  # largest; ties by name


def _disparities(groups, subsets, cfg: AuditConfig) -> list[dict]:
    out = []
    for subset in subsets:
        if not subset:
            continue
        agg = groups[subset]
        ref_key = _reference(subset, agg, cfg)
        if ref_key is None:
            continue
        ref = agg[ref_key]
        ref_attrs = {cfg.protected[j]: v for j, v in zip(subset, ref_key, strict=True)}
        for key, cell in sorted(agg.items()):
            if key == ref_key or cell.n < cfg.min_group_size:
                continue
            attrs = {cfg.protected[j]: v for j, v in zip(subset, key, strict=True)}
            for metric in DISPARITY_METRICS:
                num_f, den_f, _empty = DEFINITIONS[metric]
                x1, n1 = int(num_f(cell)), int(den_f(cell))
                x0, n0 = int(num_f(ref)), int(den_f(ref))
                entry: dict[str, Any] = {
                    "attributes": attrs,
                    "reference": ref_attrs,
                    "metric": metric,
                    "ratio": None,
                    "ratio_ci": None,
                    "difference": None,
                    "difference_ci": None,
                    "p_value": None,
                    "p_adjusted": None,
                    "flag": "ok",
                }
                if min(n1, n0) < cfg.min_group_size:
                    entry.update(flag="inconclusive", reason="insufficient data")
                    out.append(entry)
                    continue
                p1, p0 = x1 / n1, x0 / n0
                entry["difference"] = p1 - p0
                entry["difference_ci"] = list(
                    stats.newcombe_difference(x1, n1, x0, n0, cfg.confidence)
                )
                if p0 > 0:
                    entry["ratio"] = p1 / p0
                ci = stats.ratio_interval(x1, n1, x0, n0, cfg.confidence)
                entry["ratio_ci"] = list(ci) if ci else None
                entry["p_value"] = stats.two_proportion_p(x1, n1, x0, n0)
                out.append(entry)
    adjust = stats.holm if cfg.adjustment == "holm" else stats.benjamini_hochberg
    ps = [e["p_value"] if e["p_value"] is not None else math.nan for e in out]
    for e, q in zip(out, adjust(ps), strict=True):
        if e["p_value"] is None or math.isnan(e["p_value"]):
            continue
        e["p_adjusted"] = q
        large = _practically_large(e)
        if not large:
            e["flag"] = "ok"
        elif q < 1 - cfg.confidence:
            e["flag"] = "disparity"
        else:
            e["flag"] = "inconclusive"
            e["reason"] = "large but not statistically supported"
    return out


def _practically_large(e: dict) -> bool:
    r = e["ratio"]
    if r is None:  # reference rate is 0 and this group's is not
        return e["difference"] is not None and e["difference"] != 0
    return r < 0.8 or r > 1.25


MAX_FINDINGS = 10
METRIC_WORDS = {
    "selection_rate": "selection rate",
    "tpr": "true positive rate",
    "fpr": "false positive rate",
    "tnr": "true negative rate",
    "fnr": "false negative rate",
    "ppv": "precision (PPV)",
    "npv": "negative predictive value",
    "fdr": "false discovery rate",
    "for": "false omission rate",
    "accuracy": "accuracy",
}


def _who(attrs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items()) or "everyone"


def findings(doc: dict, cfg: AuditConfig) -> list[dict]:
    out = []
    # Complements (tnr = 1 − fpr, tpr = 1 − fnr, ppv = 1 − fdr, npv = 1 − for) say the same
    # thing twice; the plain-language findings name each gap once.
    headline = {"selection_rate", "fpr", "fnr", "fdr", "for", "accuracy"}
    all_flagged = [d for d in doc["disparities"] if d["flag"] == "disparity"]
    flagged = [d for d in all_flagged if d["metric"] in headline]
    unclear = [
        d
        for d in doc["disparities"]
        if d["flag"] == "inconclusive" and d.get("ratio") and d["metric"] in headline
    ]
    priority = {"punitive": ["fpr", "fdr"], "assistive": ["fnr", "tpr"]}.get(
        cfg.intervention or "", []
    )
    ranked = sorted(
        flagged, key=lambda d: (d["metric"] not in priority, len(d["attributes"]), d["p_adjusted"])
    )
    for d in ranked[:MAX_FINDINGS]:
        ratio = d["ratio"]
        rel = f"{ratio:.2f}×" if ratio is not None else "non-zero against zero"
        ci = d["ratio_ci"]
        rule = (
            ", which fails the four-fifths rule"
            if d["metric"] == "selection_rate" and ratio and ratio < 0.8
            else ""
        )
        out.append(
            {
                "severity": "high" if d["metric"] in priority or not priority else "medium",
                "metric": d["metric"],
                "attributes": d["attributes"],
                "message": (
                    f"The {METRIC_WORDS[d['metric']]} for {_who(d['attributes'])} is {rel} that of "
                    f"{_who(d['reference'])}{rule}"
                    + (f" (95% interval of the ratio {ci[0]:.2f}–{ci[1]:.2f}; " if ci else " (")
                    + f"adjusted p = {d['p_adjusted']:.2g}). The gap is large enough to matter and "
                    "unlikely to be chance: find out why before relying on the system for either group."
                ),
            }
        )
    if len(ranked) > MAX_FINDINGS:
        out.append(
            {
                "severity": "medium",
                "message": (
                    f"{len(ranked) - MAX_FINDINGS} more gap(s) are flagged; the disparity table lists them all."
                ),
            }
        )
    if unclear:
        names = sorted(
            {f"{METRIC_WORDS[d['metric']]} for {_who(d['attributes'])}" for d in unclear}
        )
        out.append(
            {
                "severity": "medium",
                "message": (
                    f"{len(unclear)} gap(s) look large but the data cannot confirm them (e.g. "
                    + "; ".join(names[:3])
                    + "). Collect more outcomes for these groups before concluding."
                ),
            }
        )
    suppressed = [g for g in doc["groups"] if g["suppressed"]]
    if suppressed:
        out.append(
            {
                "severity": "info",
                "message": (
                    f"{len(suppressed)} group(s) have fewer than {cfg.min_group_size} members; their rates "
                    "are withheld, and they are not compared. Small groups are where harm is easiest to miss: "
                    "consider a targeted review."
                ),
            }
        )
    if doc["dropped"]:
        parts = ", ".join(f"{v:,} ({k})" for k, v in doc["dropped"].items())
        out.append(
            {
                "severity": "info",
                "message": f"{sum(doc['dropped'].values()):,} of {doc['rows']:,} rows were left out: {parts}.",
            }
        )
    if not all_flagged:
        out.append(
            {
                "severity": "info",
                "message": (
                    "No gap between groups is both larger than the 0.8–1.25 band and statistically "
                    "supported."
                ),
            }
        )
    overall = doc["groups"][0]["metrics"]
    acc = overall["accuracy"]["value"]
    if acc is not None:
        out.append(
            {
                "severity": "info",
                "message": f"Overall accuracy is {acc:.1%} on {doc['rows_used']:,} rows.",
            }
        )
    out.append({"severity": "guidance", "message": GUIDANCE[cfg.intervention]})
    return out
