"""An AUC claim is not settled by a handful of rows: DeLong's variance is 0 at perfect separation,
which used to give the interval [1, 1] and "supported" on two rows."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from ombuds.assurance.claims import verify_claim


def _table(labels, scores):
    return ibis.memtable(pd.DataFrame({"y": labels, "s": scores}))


def test_two_perfectly_separated_rows_do_not_support_an_auc_claim():
    doc = verify_claim(_table([1, 0], [0.9, 0.1]), label="y", score="s", metric="auc", claimed=0.7)
    overall = doc["overall"]
    assert overall["value"] == 1.0
    assert overall["verdict"] == "inconclusive"
    assert "too few" in overall["reason"]
    assert overall["ci_low"] < 0.7  # not the degenerate [1, 1]
    assert overall["needed_rows"] > 2


def test_few_of_one_class_is_inconclusive_even_when_the_interval_looks_tight():
    # 5 positives, 200 negatives, well separated: fewer than 10 positives is too few.
    labels = [1] * 5 + [0] * 200
    scores = [0.95, 0.96, 0.97, 0.98, 0.99] + [i / 1000 for i in range(200)]
    doc = verify_claim(_table(labels, scores), label="y", score="s", metric="auc", claimed=0.6)
    assert doc["overall"]["verdict"] == "inconclusive"
    assert "positives (5)" in doc["overall"]["reason"]


def test_perfect_separation_gets_the_conservative_bound():
    # 10 positives above 10 negatives: the lower bound is (0.025)^(1/10) = 0.6915, by hand.
    labels = [1] * 10 + [0] * 10
    scores = list(range(10, 20)) + list(range(10))
    doc = verify_claim(_table(labels, scores), label="y", score="s", metric="auc", claimed=0.6)
    assert doc["overall"]["ci_low"] == pytest.approx(0.025**0.1)
    assert doc["overall"]["verdict"] == "supported"  # 0.69 ≥ 0.6
    high = verify_claim(_table(labels, scores), label="y", score="s", metric="auc", claimed=0.8)
    assert high["overall"]["verdict"] == "inconclusive"
    # ln(0.025)/ln(0.8) = 16.5 → 17 of each class, 34 rows.
    assert high["overall"]["needed_rows"] == 34


def test_per_group_auc_on_tiny_groups_is_inconclusive():
    labels = [1, 0] * 30 + [1, 0]
    scores = [0.9, 0.1] * 30 + [0.8, 0.2]
    groups = ["big"] * 60 + ["tiny"] * 2
    t = ibis.memtable(pd.DataFrame({"y": labels, "s": scores, "g": groups}))
    doc = verify_claim(t, label="y", score="s", metric="auc", claimed=0.5, by="g")
    verdicts = {g["attributes"]["g"]: g["verdict"] for g in doc["groups"]}
    assert verdicts["tiny"] == "inconclusive"
