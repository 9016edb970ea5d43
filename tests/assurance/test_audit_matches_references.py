"""The audit's numbers equal a straightforward numpy count and Fairlearn's MetricFrame, on random
data that includes empty and single-row groups, constant predictions and no positives."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ombuds.assurance import audit

RATES = {
    "selection_rate": lambda y, p: (p.sum(), len(p)),
    "prevalence": lambda y, p: (y.sum(), len(y)),
    "tpr": lambda y, p: ((y & p).sum(), y.sum()),
    "fnr": lambda y, p: ((y & ~p).sum(), y.sum()),
    "fpr": lambda y, p: ((~y & p).sum(), (~y).sum()),
    "tnr": lambda y, p: ((~y & ~p).sum(), (~y).sum()),
    "ppv": lambda y, p: ((y & p).sum(), p.sum()),
    "fdr": lambda y, p: ((~y & p).sum(), p.sum()),
    "npv": lambda y, p: ((~y & ~p).sum(), (~p).sum()),
    "for": lambda y, p: ((y & ~p).sum(), (~p).sum()),
    "accuracy": lambda y, p: ((y == p).sum(), len(y)),
}


@st.composite
def decision_logs(draw):
    n = draw(st.integers(min_value=1, max_value=120))
    groups = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=n, max_size=n))
    mode = draw(st.sampled_from(["random", "all_positive_pred", "no_positive_labels", "all_same"]))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    p = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    if mode == "all_positive_pred":
        p = [1] * n
    elif mode == "no_positive_labels":
        y = [0] * n
    elif mode == "all_same":
        y = p = [1] * n
    return pd.DataFrame({"g": groups, "y": y, "p": p})


def by_group(doc):
    return {g["attributes"].get("g", "(all)"): g for g in doc["groups"]}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=decision_logs(), min_size=st.sampled_from([1, 5]))
def test_every_rate_equals_a_plain_count(frame, min_size):
    doc = audit(
        frame, label="y", prediction="p", protected=["g"], min_group_size=min_size, auc=False
    )
    groups = by_group(doc)
    assert groups["(all)"]["n"] == len(frame)
    for name, sub in [("(all)", frame), *frame.groupby("g")]:
        g = groups[name]
        assert g["n"] == len(sub)
        y = sub["y"].to_numpy().astype(bool)
        p = sub["p"].to_numpy().astype(bool)
        for metric, f in RATES.items():
            num, den = (int(v) for v in f(y, p))
            got = g["metrics"][metric]
            if g["suppressed"]:
                assert got["value"] is None and "suppressed" in got["reason"]
            elif den == 0:
                assert got["value"] is None and got["reason"] and got["denominator"] == 0
            elif den < min_size:
                assert got["value"] is None and got["reason"] == "insufficient data"
            else:
                assert (got["numerator"], got["denominator"]) == (num, den)
                assert got["value"] == pytest.approx(num / den)
                assert got["ci_low"] <= got["value"] <= got["ci_high"]


def test_matches_fairlearn_metricframe():
    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    rng = np.random.default_rng(7)
    n = 20_000
    frame = pd.DataFrame(
        {
            "race": rng.choice(["A", "B", "C", "D"], n, p=[0.5, 0.3, 0.15, 0.05]),
            "sex": rng.choice(["F", "M"], n),
            "y": rng.integers(0, 2, n),
        }
    )
    frame["p"] = np.where(rng.random(n) < 0.8, frame["y"], 1 - frame["y"])
    ours = audit(frame, label="y", prediction="p", protected=["race", "sex"], auc=False)
    mf = MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "tpr": true_positive_rate,
            "fpr": false_positive_rate,
            "tnr": true_negative_rate,
            "fnr": false_negative_rate,
            "accuracy": accuracy_score,
            "ppv": lambda yt, yp: precision_score(yt, yp, zero_division=np.nan),
        },
        y_true=frame["y"],
        y_pred=frame["p"],
        sensitive_features=frame[["race", "sex"]],
    )
    groups = {tuple(sorted(g["attributes"].items())): g for g in ours["groups"]}
    compared = 0
    for (race, sex), row in mf.by_group.iterrows():
        g = groups[(("race", race), ("sex", sex))]
        for metric, value in row.items():
            assert g["metrics"][metric]["value"] == pytest.approx(value, abs=1e-12), (
                race,
                sex,
                metric,
            )
            compared += 1
    for metric, value in mf.overall.items():
        assert groups[()]["metrics"][metric]["value"] == pytest.approx(value, abs=1e-12)
    assert compared == 8 * 7


def test_auc_and_brier_match_scikit_learn():
    from sklearn.metrics import brier_score_loss, roc_auc_score

    rng = np.random.default_rng(3)
    n = 5000
    frame = pd.DataFrame({"g": rng.choice(["x", "y"], n), "y": rng.integers(0, 2, n)})
    frame["s"] = np.clip(frame["y"] * 0.3 + rng.random(n) * 0.7, 0, 1).round(2)  # many ties
    doc = audit(frame, label="y", score="s", threshold=0.5, protected=["g"])
    groups = by_group(doc)
    for name, sub in [("(all)", frame), *frame.groupby("g")]:
        m = groups[name]["metrics"]
        assert m["auc"]["value"] == pytest.approx(roc_auc_score(sub["y"], sub["s"]), abs=1e-12)
        assert m["brier"]["value"] == pytest.approx(brier_score_loss(sub["y"], sub["s"]), abs=1e-12)
        assert m["auc"]["ci_low"] < m["auc"]["value"] < m["auc"]["ci_high"]


def test_binned_auc_stays_within_its_stated_bound():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(5)
    n = 60_000
    y = rng.integers(0, 2, n)
    s = rng.normal(loc=y * 0.8, scale=1.0)  # continuous: more distinct values than bins
    frame = pd.DataFrame({"g": "all", "y": y, "s": s})
    doc = audit(frame, label="y", score="s", threshold=0.4, protected=["g"])
    auc = doc["groups"][0]["metrics"]["auc"]
    assert doc["score_summary"]["exact_auc"] is False
    assert abs(auc["value"] - roc_auc_score(y, s)) <= auc["error_bound"]
    assert auc["error_bound"] < 1e-3


def test_intersections_sum_to_their_parts():
    rng = np.random.default_rng(11)
    n = 3000
    frame = pd.DataFrame(
        {
            "a": rng.choice(list("xyz"), n),
            "b": rng.choice(list("uv"), n),
            "c": rng.choice(list("pq"), n),
            "d": rng.choice(list("rs"), n),
            "y": rng.integers(0, 2, n),
            "p": rng.integers(0, 2, n),
        }
    )
    doc = audit(
        frame,
        label="y",
        prediction="p",
        protected=["a", "b", "c", "d"],
        min_group_size=1,
        auc=False,
    )
    sizes = {len(g["attributes"]) for g in doc["groups"]}
    assert sizes == {0, 1, 2, 3}  # intersections up to three attributes
    pairs = [g for g in doc["groups"] if set(g["attributes"]) == {"a", "b"}]
    assert len(pairs) == 6 and sum(g["n"] for g in pairs) == n
    for g in pairs:
        sub = frame[(frame.a == g["attributes"]["a"]) & (frame.b == g["attributes"]["b"])]
        assert g["n"] == len(sub)
        assert g["metrics"]["tpr"]["numerator"] == int(((sub.y == 1) & (sub.p == 1)).sum())
    assert not math.isnan(doc["groups"][0]["metrics"]["accuracy"]["value"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=decision_logs())
def test_matches_fairlearn_on_edge_cases(frame):
    """Empty-denominator, single-row, constant-prediction and no-positive groups: wherever the
    audit gives a value, Fairlearn's MetricFrame gives the same one."""
    import warnings

    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )

    doc = audit(frame, label="y", prediction="p", protected=["g"], min_group_size=1, auc=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mf = MetricFrame(
            metrics={
                "selection_rate": selection_rate,
                "tpr": true_positive_rate,
                "fpr": false_positive_rate,
                "tnr": true_negative_rate,
                "fnr": false_negative_rate,
            },
            y_true=frame["y"],
            y_pred=frame["p"],
            sensitive_features=frame["g"],
        )
    groups = by_group(doc)
    for name, row in mf.by_group.iterrows():
        for metric, value in row.items():
            ours = groups[name]["metrics"][metric]
            if ours["value"] is not None:
                assert ours["value"] == pytest.approx(value, abs=1e-12), (name, metric)
            else:
                assert ours["denominator"] == 0 and ours["reason"]
