""" "Rows needed to settle" is the smallest size at which the exact (Clopper–Pearson) interval at
the observed proportion leaves the claim's side — never the current size or less."""

from __future__ import annotations

import ibis
import pandas as pd
from scipy import stats as sps

from ombuds.assurance import stats
from ombuds.assurance.claims import verify_claim


def _accuracy(right: int, n: int, claimed: float, metric: str = "accuracy") -> dict:
    y = [1] * n
    p = [1] * right + [0] * (n - right)
    t = ibis.memtable(pd.DataFrame({"y": y, "p": p}))
    return verify_claim(t, label="y", prediction="p", metric=metric, claimed=claimed)["overall"]


def test_ten_of_ten_against_95_percent_needs_72():
    # At 10/10 the lower bound is 0.025^(1/m); it reaches 0.95 at m ≥ ln 0.025 / ln 0.95 = 71.9.
    overall = _accuracy(10, 10, 0.95)
    assert overall["verdict"] == "inconclusive"
    assert overall["needed_denominator"] == 72
    assert overall["needed_rows"] == 72


def _cp_low(share: float, m: int) -> float:
    x = share * m
    return float(sps.beta.ppf(0.025, x, m - x + 1))


def test_198_of_200_against_97_percent_needs_more_than_200():
    overall = _accuracy(198, 200, 0.97)
    assert overall["verdict"] == "inconclusive"
    needed = overall["needed_denominator"]
    assert needed > 200
    # The smallest such size: the exact lower bound at 99 % clears 0.97 there, not one row before.
    assert _cp_low(0.99, needed) >= 0.97 > _cp_low(0.99, needed - 1)


def test_a_ceiling_at_zero_observed():
    # 0 false positives out of 10 against a ceiling of 0.05: the upper bound 1 − 0.025^(1/m)
    # drops to 0.05 at m = 72, as above.
    assert stats.needed_for_exclusion(0, 10, 0.05, 0.95, higher_is_better=False) == 72


def test_never_at_or_below_the_current_size_and_none_when_equal_to_the_claim():
    for right, n, claimed in [(9, 10, 0.85), (95, 100, 0.93), (50, 60, 0.8), (1, 3, 0.5)]:
        needed = stats.needed_for_exclusion(right, n, claimed)
        assert needed is None or needed > n
    assert stats.needed_for_exclusion(95, 100, 0.95) is None
    assert _accuracy(19, 20, 0.95)["needed_rows"] is None
    assert "equals the claim" in _accuracy(19, 20, 0.95)["reason"]
