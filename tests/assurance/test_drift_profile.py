"""A reference profile is computed once, stored as JSON, and compared with each new window: the
result is the same as comparing with the reference data itself, whatever form the data takes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ombuds.assurance import drift, drift_from_profile, reference_profile
from ombuds.assurance.errors import AssuranceError


@pytest.fixture
def tables(tmp_path):
    rng = np.random.default_rng(5)
    n = 5000
    ref = pd.DataFrame(
        {
            "wait_days": rng.exponential(12, n),
            "office": rng.choice([f"office-{i}" for i in range(30)], n),
            "code": rng.integers(1, 6, n),
        }
    )
    cur = pd.DataFrame(
        {
            "wait_days": rng.exponential(15, n),
            "office": rng.choice([f"office-{i}" for i in range(34)], n),
            "code": rng.integers(1, 7, n),
        }
    )
    ref.to_csv(tmp_path / "ref.csv", index=False)
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    return tmp_path, ref, cur


def test_stored_profile_gives_the_same_result_as_the_reference(tables):
    path, _ref, _cur = tables
    profile = reference_profile(path / "ref.parquet", categorical=["code"])
    stored = json.loads(json.dumps(profile, allow_nan=False))  # as a monitor would keep it
    from_profile = drift_from_profile(stored, path / "cur.parquet")
    direct = drift(path / "ref.parquet", path / "cur.parquet", categorical=["code"])
    assert from_profile["columns"] == direct["columns"]
    assert [c["kind"] for c in from_profile["columns"]] == ["numeric", "categorical", "categorical"]
    code = from_profile["columns"][2]
    assert code["current_unseen_values"] == ["6"]


def test_any_source_gives_the_same_counts(tables):
    import ibis

    path, ref, cur = tables
    from_csv = drift(path / "ref.csv", path / "cur.parquet")
    from_frames = drift(ref, cur)
    from_ibis = drift(ibis.memtable(ref), ibis.duckdb.connect().read_parquet(path / "cur.parquet"))
    for other in (from_frames, from_ibis):
        for a, b in zip(from_csv["columns"], other["columns"], strict=True):
            assert a["psi"] == pytest.approx(b["psi"], rel=1e-12)
            assert a["ks"] == b["ks"] and a["chi2"] == b["chi2"]


def test_many_categories_are_pooled_in_the_reference_and_folded_in_the_engine(tmp_path):
    rng = np.random.default_rng(1)
    ref = pd.DataFrame(
        {"case_id": [f"id-{i}" for i in range(3000)], "kind": rng.choice(list("ab"), 3000)}
    )
    cur = pd.DataFrame(
        {"case_id": [f"id-{i}" for i in range(2000, 5000)], "kind": rng.choice(list("ab"), 3000)}
    )
    profile = reference_profile(ref, max_categories=50)
    col = profile["columns"][0]
    assert col["pooled"] and len(col["categories"]) == 50 and col["other"] == 2950
    assert any("more than 50 distinct values" in n for n in profile["notes"])
    doc = drift_from_profile(profile, cur)
    ids = doc["columns"][0]
    assert ids["current_unseen"] == 0 and ids["current_unseen_values"] == []
    assert ids["method"].endswith(
        "one bucket for values beyond the reference's commonest and one for missing values"
    )


def test_profile_input_is_checked(tables):
    path, _ref, _cur = tables
    profile = reference_profile(path / "ref.parquet", ["wait_days"])
    with pytest.raises(AssuranceError, match="column 'office' is not in the reference profile"):
        drift_from_profile(profile, path / "cur.parquet", columns=["office"])
    with pytest.raises(AssuranceError, match="not a drift profile"):
        drift_from_profile({"schema": "ombuds.audit/1"}, path / "cur.parquet")
    with pytest.raises(AssuranceError, match="--psi-bins must be between 2 and --bins"):
        reference_profile(path / "ref.parquet", bins=5, psi_bins=10)
    with pytest.raises(AssuranceError, match="the reference data has no rows"):
        reference_profile(pd.DataFrame({"x": pd.Series([], dtype=float)}))
