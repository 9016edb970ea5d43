"""Drift statistics equal SciPy's on the same bins.

The reference profile says which bin every value falls in (a grid cell, then a run of cells);
here the raw values are put in those bins with numpy, independently of the engine's query, and
SciPy computes each statistic from them. The engine must give the same numbers from the counts
it aggregated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr

from ombuds.assurance.drift import PSI_EPSILON, drift_and_profile


def bin_of(values: np.ndarray, column: dict, key: str = "boundaries") -> np.ndarray:
    """The bin of each (non-missing) value under the profile's grid and bin boundaries."""
    grid = column["grid"]
    with np.errstate(over="ignore", invalid="ignore"):  # far outside the grid: clamped below
        z = (values - grid["lo"]) * grid["scale"]
    cell_index = np.floor(np.clip(z, -1, grid["cells"])).astype(np.int64) + 1
    return np.searchsorted(np.asarray(column[key], dtype=np.int64), cell_index, side="left")


def scipy_psi(p_counts: np.ndarray, q_counts: np.ndarray) -> float:
    p = p_counts / p_counts.sum()
    q = q_counts / q_counts.sum()
    p = np.where(p == 0, PSI_EPSILON, p)
    q = np.where(q == 0, PSI_EPSILON, q)
    return float(rel_entr(q, p).sum() + rel_entr(p, q).sum())


def numeric_expectations(ref: np.ndarray, cur: np.ndarray, column: dict) -> dict:
    """Every numeric statistic computed by SciPy on the raw values put in the profile's bins."""
    r, c = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
    rb, cb = bin_of(r, column), bin_of(c, column)
    nbins = len(column["counts"])
    ks = sps.ks_2samp(rb, cb)
    r_counts = np.bincount(rb, minlength=nbins)
    c_counts = np.bincount(cb, minlength=nbins)
    r_means = np.array([r[rb == b].mean() if r_counts[b] else np.nan for b in range(nbins)])
    c_means = np.array([c[cb == b].mean() if c_counts[b] else np.nan for b in range(nbins)])
    w = sps.wasserstein_distance(
        r_means[r_counts > 0], c_means[c_counts > 0], r_counts[r_counts > 0], c_counts[c_counts > 0]
    )
    npsi = len(column["psi_counts"])
    r_psi = np.append(
        np.bincount(bin_of(r, column, "psi_boundaries"), minlength=npsi), len(ref) - len(r)
    )
    c_psi = np.append(
        np.bincount(bin_of(c, column, "psi_boundaries"), minlength=npsi), len(cur) - len(c)
    )
    return {
        "ks": ks.statistic,
        "ks_p_value": ks.pvalue,
        "wasserstein": w / np.std(r),
        "psi": scipy_psi(r_psi, c_psi),
        "counts": r_counts,
    }


def write(tmp_path, name: str, frame: pd.DataFrame) -> str:
    path = tmp_path / name
    frame.to_parquet(path)
    return str(path)


@pytest.mark.parametrize("n_ref, n_cur", [(3000, 2000), (40_000, 25_000)])
def test_numeric_statistics_equal_scipy_on_the_same_bins(tmp_path, n_ref, n_cur):
    # Small sizes take SciPy's exact KS p-value; large ones its asymptotic one.
    rng = np.random.default_rng(n_ref)
    ref = pd.DataFrame(
        {
            "normal": rng.normal(50, 10, n_ref),
            "skewed": rng.lognormal(3, 1.2, n_ref),
            "counts": rng.poisson(3, n_ref).astype(float),  # many ties
            "holes": np.where(rng.random(n_ref) < 0.1, np.nan, rng.normal(0, 1, n_ref)),
        }
    )
    cur = pd.DataFrame(
        {
            "normal": rng.normal(52, 11, n_cur),
            "skewed": rng.lognormal(3.1, 1.2, n_cur),
            "counts": rng.poisson(3.3, n_cur).astype(float),
            "holes": np.where(rng.random(n_cur) < 0.2, np.nan, rng.normal(0.1, 1, n_cur)),
        }
    )
    doc, profile = drift_and_profile(
        write(tmp_path, "ref.parquet", ref), write(tmp_path, "cur.parquet", cur)
    )
    assert (doc["reference_rows"], doc["current_rows"]) == (n_ref, n_cur)
    for col, got in zip(profile["columns"], doc["columns"], strict=True):
        name = col["column"]
        want = numeric_expectations(ref[name].to_numpy(), cur[name].to_numpy(), col)
        assert col["counts"] == want["counts"].tolist(), name
        assert got["ks"] == pytest.approx(want["ks"], abs=1e-12), name
        assert got["ks_p_value"] == pytest.approx(want["ks_p_value"], rel=1e-9, abs=1e-300), name
        assert got["wasserstein"] == pytest.approx(want["wasserstein"], rel=1e-9), name
        assert got["psi"] == pytest.approx(want["psi"], rel=1e-9), name
        assert got["kind"] == "numeric" and got["js"] is None and got["chi2"] is None
        assert got["reference_missing"] == int(ref[name].isna().sum())
        assert got["current_missing"] == int(cur[name].isna().sum())


def test_categorical_statistics_equal_scipy(tmp_path):
    rng = np.random.default_rng(7)
    ref = pd.DataFrame({"region": rng.choice(["north", "south", "east", "west"], 5000)})
    ref.loc[rng.random(5000) < 0.05, "region"] = None
    cur = pd.DataFrame(
        {
            "region": rng.choice(
                ["north", "south", "east", "west", "islands"], 3000, p=[0.3, 0.3, 0.2, 0.15, 0.05]
            )
        }
    )
    cur.loc[rng.random(3000) < 0.02, "region"] = None
    doc, profile = drift_and_profile(
        write(tmp_path, "ref.parquet", ref), write(tmp_path, "cur.parquet", cur)
    )
    categories = profile["columns"][0]["categories"]
    assert sorted(categories) == ["east", "north", "south", "west"]

    def buckets(series: pd.Series) -> np.ndarray:
        seen = [int((series == c).sum()) for c in categories]
        unseen = int((series.notna() & ~series.isin(categories)).sum())
        return np.array(seen + [unseen, int(series.isna().sum())])

    r, c = buckets(ref.region), buckets(cur.region)
    got = doc["columns"][0]
    chi2 = sps.chi2_contingency(np.vstack([r, c])[:, (r + c) > 0], correction=False)
    assert got["chi2"] == pytest.approx(chi2.statistic, rel=1e-9)
    assert got["chi2_p_value"] == pytest.approx(chi2.pvalue, rel=1e-9)
    assert got["chi2_dof"] == chi2.dof == 5
    assert got["js"] == pytest.approx(jensenshannon(r, c, base=2), rel=1e-9)
    assert got["psi"] == pytest.approx(scipy_psi(r, c), rel=1e-9)
    assert got["current_unseen"] == int((cur.region == "islands").sum())
    assert got["current_unseen_values"] == ["islands"]
    assert got["ks"] is None and got["wasserstein"] is None


def test_reference_quantile_bins_hold_equal_shares_even_with_an_outlier(tmp_path):
    # One value a billion times the rest would squeeze an equal-width grid into one cell; the
    # engine zooms onto the bulk so each of the 100 bins still holds about 1 % of the reference.
    rng = np.random.default_rng(3)
    values = rng.normal(100, 5, 50_000)
    values[0] = 1e11
    ref = pd.DataFrame({"amount": values})
    cur = pd.DataFrame({"amount": rng.normal(101, 5, 20_000)})
    doc, profile = drift_and_profile(
        write(tmp_path, "ref.parquet", ref), write(tmp_path, "cur.parquet", cur)
    )
    col = profile["columns"][0]
    shares = np.array(col["counts"]) / len(values)
    assert len(shares) == 100
    assert shares.max() < 0.015 and shares.min() > 0.005
    want = numeric_expectations(values, cur.amount.to_numpy(), col)
    assert doc["columns"][0]["ks"] == pytest.approx(want["ks"], abs=1e-12)
    # The binned statistic never overstates KS and misses by at most the stated bound.
    exact = sps.ks_2samp(values, cur.amount.to_numpy()).statistic
    got = doc["columns"][0]
    assert got["ks"] <= exact + 1e-12
    assert exact <= got["ks"] + got["ks_error_bound"]


def test_missing_values_nan_and_null_count_as_their_own_bin(tmp_path):
    ref = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0] * 250})
    cur = pd.DataFrame({"x": [1.0, 2.0, np.nan, None] * 250})
    doc = drift_and_profile(
        write(tmp_path, "ref.parquet", ref), write(tmp_path, "cur.parquet", cur)
    )[0]
    col = doc["columns"][0]
    assert (col["reference_missing"], col["current_missing"]) == (0, 500)
    assert col["drifted"] and col["psi"] > 1
    assert any("missing values went from 0.0% to 50.0%" in f["message"] for f in doc["findings"])


huge = st.floats(-1.7e308, 1.7e308)  # subnormal spans, ranges wider than the largest float


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ref=st.lists(st.integers(-20, 20) | st.floats(-1e3, 1e3) | huge, min_size=5, max_size=300),
    cur=st.lists(st.integers(-25, 25) | st.floats(-1e3, 1e3) | huge, min_size=5, max_size=300),
    bins=st.sampled_from([2, 7, 100]),
)
@pytest.mark.filterwarnings("ignore:ks_2samp. Exact calculation unsuccessful:RuntimeWarning")
def test_ks_equals_scipy_on_binned_values_for_any_data(ref, cur, bins):
    ref_values = np.array(ref, dtype=float)
    cur_values = np.array(cur, dtype=float)
    doc, profile = drift_and_profile(
        pd.DataFrame({"x": ref_values}), pd.DataFrame({"x": cur_values}), bins=bins, psi_bins=2
    )
    col = profile["columns"][0]
    assert sum(col["counts"]) == len(ref_values)
    want = sps.ks_2samp(bin_of(ref_values, col), bin_of(cur_values, col))
    got = doc["columns"][0]
    assert got["ks"] == pytest.approx(want.statistic, abs=1e-12)
    assert got["ks_p_value"] == pytest.approx(want.pvalue, rel=1e-9, abs=1e-300)
    exact = sps.ks_2samp(ref_values, cur_values).statistic
    assert got["ks"] <= exact + 1e-12 <= got["ks"] + got["ks_error_bound"] + 2e-12
