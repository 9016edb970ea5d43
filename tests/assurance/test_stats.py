"""Intervals and tests against published worked examples and brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ombuds.assurance import stats


def test_wilson_matches_newcombe_1998_example():
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 → 0.2553–0.3662
    low, high = stats.wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def test_newcombe_difference_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873: 56/70 − 48/80 → 0.0524 to 0.3339
    low, high = stats.newcombe_difference(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_clopper_pearson_edges():
    assert stats.clopper_pearson(0, 10)[0] == 0.0
    assert stats.clopper_pearson(10, 10)[1] == 1.0
    low, high = stats.clopper_pearson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.1871, 0.8129)


def test_small_tables_use_fishers_exact_test():
    from scipy.stats import fisher_exact

    assert stats.two_proportion_p(3, 10, 0, 12) == pytest.approx(fisher_exact([[3, 7], [0, 12]])[1])


def test_holm_by_hand():
    assert stats.holm([0.01, 0.04, 0.03, float("nan")])[:3] == pytest.approx([0.03, 0.06, 0.06])


def test_auc_and_delong_against_brute_force():
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 6, 80).astype(float)
    labels = rng.integers(0, 2, 80)
    pos, neg = scores[labels == 1], scores[labels == 0]
    brute = np.mean(
        [1.0 if a > b else 0.5 if a == b else 0.0 for a, b in itertools.product(pos, neg)]
    )
    values = np.unique(scores)
    counts_pos = np.array([(pos == v).sum() for v in values])
    counts_neg = np.array([(neg == v).sum() for v in values])
    auc, var = stats.auc_from_counts(values, counts_pos, counts_neg)
    assert auc == pytest.approx(brute)
    # DeLong's variance from the per-observation structural components
    v10 = np.array([np.mean([1.0 if a > b else 0.5 if a == b else 0.0 for b in neg]) for a in pos])
    v01 = np.array([np.mean([1.0 if a > b else 0.5 if a == b else 0.0 for a in pos]) for b in neg])
    expected = v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg)
    assert var == pytest.approx(expected)


def test_interval_coverage_by_simulation():
    """Wilson and the log-ratio interval cover the truth near 95 % of the time."""
    rng = np.random.default_rng(2024)
    sims = 4000
    cases = [(0.1, 60), (0.5, 40), (0.9, 200)]
    for p, n in cases:
        xs = rng.binomial(n, p, sims)
        covered = sum(lo <= p <= hi for lo, hi in (stats.wilson(int(x), n) for x in xs))
        assert 0.925 <= covered / sims <= 0.975, (p, n, covered / sims)
    p1, p0, n1, n0 = 0.3, 0.2, 400, 500
    x1 = rng.binomial(n1, p1, sims)
    x0 = rng.binomial(n0, p0, sims)
    hits = total = 0
    for a, b in zip(x1, x0, strict=True):
        ci = stats.ratio_interval(int(a), n1, int(b), n0)
        if ci:
            total += 1
            hits += ci[0] <= p1 / p0 <= ci[1]
    assert 0.93 <= hits / total <= 0.97


def test_large_tables_use_the_pooled_chi_square():
    from scipy.stats import chi2_contingency

    expected = chi2_contingency([[120, 380], [90, 410]], correction=False)[1]
    assert stats.two_proportion_p(120, 500, 90, 500) == pytest.approx(expected, rel=1e-9)
