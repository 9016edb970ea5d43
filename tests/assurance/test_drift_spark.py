"""Scale-out: drift on a local Spark session through Ibis gives the same bins, counts and
statistics as on DuckDB, and a profile made on one engine compares data on the other. The
session is shared with the rest of the run (getOrCreate) and started once."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from ombuds.assurance.drift import drift_and_profile, drift_from_profile


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory):
    pytest.importorskip("pyspark", reason="the Spark test needs PySpark (pip install '.[test]')")
    if shutil.which("java") is None:
        pytest.skip("the Spark test needs Java 17 on PATH")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("ombuds-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_same_drift_on_duckdb_and_spark(spark_session, tmp_path):
    import ibis

    rng = np.random.default_rng(1)
    n = 5000
    ref = pd.DataFrame(
        {
            "x": np.where(np.arange(n) % 17 == 0, np.nan, rng.normal(0, 1, n)),
            "skew": rng.lognormal(0, 2, n),
            "k": rng.poisson(3, n).astype(float),
            "g": rng.choice(["a", "b", "c"], n),
        }
    )
    cur = pd.DataFrame(
        {
            "x": rng.normal(0.3, 1, n),
            "skew": rng.lognormal(0.1, 2, n),
            "k": rng.poisson(3.5, n).astype(float),
            "g": rng.choice(["a", "b", "c", "d"], n),
        }
    )
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    spark_session.read.parquet(str(tmp_path / "ref.parquet")).createOrReplaceTempView("drift_ref")
    spark_session.read.parquet(str(tmp_path / "cur.parquet")).createOrReplaceTempView("drift_cur")
    con = ibis.pyspark.connect(spark_session)

    on_duckdb, profile = drift_and_profile(tmp_path / "ref.parquet", tmp_path / "cur.parquet")
    on_spark, spark_profile = drift_and_profile(con.table("drift_ref"), con.table("drift_cur"))
    for a, b in zip(profile["columns"], spark_profile["columns"], strict=True):
        assert (a["column"], a["counts"], a["missing"]) == (b["column"], b["counts"], b["missing"])
    stats = ["psi", "js", "ks", "ks_p_value", "wasserstein", "chi2", "chi2_p_value", "drifted"]
    for a, b in zip(on_duckdb["columns"], on_spark["columns"], strict=True):
        for key in stats:
            expected = a[key] if a[key] is None else pytest.approx(a[key], rel=1e-9)
            assert b[key] == expected, (a["column"], key)
    mixed = drift_from_profile(profile, con.table("drift_cur"))
    assert [c["psi"] for c in mixed["columns"]] == [c["psi"] for c in on_duckdb["columns"]]
