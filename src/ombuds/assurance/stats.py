"""Statistics on counts: intervals, tests and multiplicity corrections.

Everything here takes the small table of counts the engine aggregated, never the rows.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence

import numpy as np
from scipy import stats as sps


@functools.lru_cache(maxsize=64)
def z_for(confidence: float) -> float:
    return float(sps.norm.ppf(0.5 + confidence / 2))


def wilson(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval: good coverage at small n and near 0 or 1, unlike the Wald interval."""
    if n <= 0:
        return (math.nan, math.nan)
    z = z_for(confidence)
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At x = 0 or x = n the bound is exactly 0 or 1; do not let rounding put it past the estimate.
    low = 0.0 if x == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if x == n else min(1.0, max(p, centre + half))
    return (low, high)


def clopper_pearson(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval: never below nominal coverage; used for claim verdicts."""
    if n <= 0:
        return (math.nan, math.nan)
    alpha = 1 - confidence
    low = 0.0 if x == 0 else float(sps.beta.ppf(alpha / 2, x, n - x + 1))
    high = 1.0 if x == n else float(sps.beta.ppf(1 - alpha / 2, x + 1, n - x))
    return (low, high)


def newcombe_difference(
    x1: int, n1: int, x0: int, n0: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 - p0, built from the two Wilson intervals."""
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson(x1, n1, confidence)
    l0, u0 = wilson(x0, n0, confidence)
    d = p1 - p0
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2),
    )


def ratio_interval(
    x1: int, n1: int, x0: int, n0: int, confidence: float = 0.95
) -> tuple[float, float] | None:
    """Katz log-method interval for p1 / p0; None when a count is zero (the log is undefined)."""
    if x1 == 0 or x0 == 0:
        return None
    r = (x1 / n1) / (x0 / n0)
    se = math.sqrt(max(0.0, 1 / x1 - 1 / n1 + 1 / x0 - 1 / n0))
    z = z_for(confidence)
    return (r * math.exp(-z * se), r * math.exp(z * se))


def two_proportion_p(x1: int, n1: int, x0: int, n0: int) -> float:
    """Two-sided test of p1 = p0 on the 2×2 table: Fisher's exact test when an expected cell is
    below 5, otherwise the pooled chi-square (the two-proportion z-test squared)."""
    if n1 == 0 or n0 == 0:
        return math.nan
    a, b, c, d = x1, n1 - x1, x0, n0 - x0
    total = n1 + n0
    col1, col2 = a + c, b + d
    if col1 == 0 or col2 == 0:
        return 1.0
    if min(n1, n0) * min(col1, col2) / total < 5:  # the smallest expected cell
        return float(sps.fisher_exact([[a, b], [c, d]])[1])
    chi2 = total * (a * d - b * c) ** 2 / (n1 * n0 * col1 * col2)
    return math.erfc(math.sqrt(chi2 / 2))  # chi-square with 1 df, without continuity correction


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment (controls the family-wise error rate); NaN stays NaN."""
    indexed = [(p, i) for i, p in enumerate(p_values) if not math.isnan(p)]
    indexed.sort()
    m = len(indexed)
    out = [math.nan] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(indexed):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    indexed = [(p, i) for i, p in enumerate(p_values) if not math.isnan(p)]
    indexed.sort()
    m = len(indexed)
    out = [math.nan] * len(p_values)
    running = 1.0
    for rank in range(m - 1, -1, -1):
        p, i = indexed[rank]
        running = min(running, p * m / (rank + 1))
        out[i] = min(1.0, running)
    return out


def auc_from_counts(
    values: np.ndarray, pos: np.ndarray, neg: np.ndarray
) -> tuple[float, float] | None:
    """Exact, tie-aware AUC and its DeLong variance from counts per distinct score value.

    `values` ascending; pos/neg are the counts of positives/negatives at each value. A pair tied
    on score counts one half. Returns (auc, variance) or None without both classes.
    """
    order = np.argsort(values, kind="stable")
    pos = pos[order].astype(float)
    neg = neg[order].astype(float)
    p_total, n_total = pos.sum(), neg.sum()
    if p_total == 0 or n_total == 0:
        return None
    neg_below = np.cumsum(neg) - neg
    pos_above = p_total - np.cumsum(pos)
    v10 = (neg_below + 0.5 * neg) / n_total  # per positive at this value
    v01 = (pos_above + 0.5 * pos) / p_total  # per negative at this value
    auc = float((pos * v10).sum() / p_total)
    s10 = float((pos * (v10 - auc) ** 2).sum() / (p_total - 1)) if p_total > 1 else 0.0
    s01 = float((neg * (v01 - auc) ** 2).sum() / (n_total - 1)) if n_total > 1 else 0.0
    return auc, s10 / p_total + s01 / n_total


def within_bin_tie_bound(pos: np.ndarray, neg: np.ndarray) -> float:
    """Largest error of a binned AUC: pairs sharing a bin were counted one half each."""
    p_total, n_total = float(pos.sum()), float(neg.sum())
    if p_total == 0 or n_total == 0:
        return math.nan
    return float(0.5 * (pos.astype(float) * neg.astype(float)).sum() / (p_total * n_total))


def needed_size(current_n: int, se: float, distance: float, confidence: float = 0.95) -> int | None:
    """Size at which a normal-approximation interval of the same shape would exclude the claim;
    always more than `current_n` (what is at hand did not settle it). None without a spread."""
    if current_n <= 0 or se <= 0 or distance <= 0 or math.isnan(se):
        return None
    z = z_for(confidence)
    return max(current_n + 1, math.ceil(current_n * (z * se / distance) ** 2))


NEEDED_CAP = 10**9  # beyond a billion rows "the rows needed" is not an answer anyone can act on


def needed_for_exclusion(
    x: int, n: int, claimed: float, confidence: float = 0.95, higher_is_better: bool = True
) -> int | None:
    """The smallest denominator m > n at which the exact Clopper–Pearson interval, at the
    proportion observed now (x / n, kept as m grows), lies wholly on one side of the claim.

    None when nothing was observed, when the observed proportion equals the claim (no size ever
    separates them) or when it would take more than NEEDED_CAP. The search is exponential then
    binary: the interval at a fixed proportion narrows as m grows, so "excludes" is monotone.
    """
    if n <= 0:
        return None
    p = x / n
    if abs(p - claimed) <= 1e-12:
        return None
    above = p > claimed

    def settles(m: int) -> bool:
        lo, hi = clopper_pearson_real(p * m, m, confidence)
        if above:  # the interval must lie wholly above the claim
            return lo >= claimed if higher_is_better else lo > claimed
        return hi < claimed if higher_is_better else hi <= claimed

    low, high = n, max(n + 1, 2 * n)
    while not settles(high):
        low, high = high, high * 2
        if low > NEEDED_CAP:
            return None
    while high - low > 1:  # settles(high) holds, settles(low) does not (or low == n)
        mid = (low + high) // 2
        if settles(mid):
            high = mid
        else:
            low = mid
    return high


def clopper_pearson_real(x: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """clopper_pearson with a count that need not be whole (the observed share of a size m):
    the beta quantiles are defined for any positive shape."""
    alpha = 1 - confidence
    low = 0.0 if x <= 0 else float(sps.beta.ppf(alpha / 2, x, n - x + 1))
    high = 1.0 if x >= n else float(sps.beta.ppf(1 - alpha / 2, x + 1, n - x))
    return (low, high)


# --- Drift: statistics on two histograms over the same bins ----------------------------------

KS_EXACT_MAX_N = 10_000  # scipy.stats.ks_2samp's own limit for its exact p-value (method="auto")


def psi(ref_counts: np.ndarray, cur_counts: np.ndarray, epsilon: float = 1e-4) -> float:
    """Population stability index Σ (q − p)·ln(q / p) over shares of the same bins.

    A share of exactly 0 is replaced by `epsilon` (on one side or both) so that an empty bin
    gives a large but finite term; the other shares are left as they are (no renormalising).
    """
    p = ref_counts / ref_counts.sum()
    q = cur_counts / cur_counts.sum()
    p = np.where(p == 0, epsilon, p)
    q = np.where(q == 0, epsilon, q)
    return float(((q - p) * np.log(q / p)).sum())


def ks_from_counts(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float, float, str]:
    """Two-sample Kolmogorov–Smirnov statistic and two-sided p-value on binned data.

    The statistic is the largest gap between the two binned CDFs, which is exactly
    scipy.stats.ks_2samp on the data with every value replaced by its bin. The p-value is what
    ks_2samp gives for that statistic and those sizes: exact up to 10,000 values per side (the
    bins are expanded back to that many values), otherwise the asymptotic Kolmogorov
    distribution kstwo with n = round(n1·n2 / (n1 + n2)).
    """
    n1, n2 = int(ref_counts.sum()), int(cur_counts.sum())
    if max(n1, n2) <= KS_EXACT_MAX_N:
        idx = np.arange(len(ref_counts))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = sps.ks_2samp(np.repeat(idx, ref_counts), np.repeat(idx, cur_counts))
        # SciPy falls back to the asymptotic p-value when its exact computation fails.
        how = (
            "asymptotic" if any("Exact calculation" in str(w.message) for w in caught) else "exact"
        )
        return float(res.statistic), float(res.pvalue), how
    cdf1 = np.cumsum(ref_counts) / n1
    cdf2 = np.cumsum(cur_counts) / n2
    d = float(np.abs(cdf1 - cdf2).max())
    en = np.round(n1 * n2 / (n1 + n2))
    return d, float(np.clip(sps.kstwo.sf(d, en), 0, 1)), "asymptotic"


def chi2_homogeneity(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float, float, int]:
    """Pearson chi-square on the 2×K table (reference, current) × categories, without continuity
    correction; categories empty on both sides are left out. (statistic, p-value, dof)."""
    table = np.vstack([ref_counts, cur_counts]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 0.0, 1.0, 0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    stat = float(((table - expected) ** 2 / expected).sum())
    dof = table.shape[1] - 1
    return stat, float(sps.chi2.sf(stat, dof)), dof


def js_distance(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Jensen–Shannon distance (base 2, between 0 and 1) of the two distributions of counts."""
    from scipy.special import rel_entr

    p = ref_counts / ref_counts.sum()
    q = cur_counts / cur_counts.sum()
    m = (p + q) / 2
    js = (rel_entr(p, m).sum() + rel_entr(q, m).sum()) / (2 * math.log(2))
    return float(math.sqrt(max(js, 0.0)))


def wasserstein_from_bins(
    ref_means: np.ndarray, ref_counts: np.ndarray, cur_means: np.ndarray, cur_counts: np.ndarray
) -> float:
    """Wasserstein-1 distance with each bin's mass at the mean of its values (per side)."""
    r = ref_counts > 0
    c = cur_counts > 0
    return float(sps.wasserstein_distance(ref_means[r], cur_means[c], ref_counts[r], cur_counts[c]))
