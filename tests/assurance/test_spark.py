"""Scale-out: the same audit on DuckDB and on a local Spark session through Ibis gives the same
counts and metrics. One Spark session per test run (it takes ~20 s to start)."""

from __future__ import annotations

import shutil

import pytest

from ombuds.assurance import audit


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    pyspark = pytest.importorskip(
        "pyspark", reason="the Spark test needs PySpark (pip install '.[test]')"
    )
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
    assert pyspark.__version__.startswith("4.")
    yield session
    session.stop()


def test_same_audit_on_duckdb_and_spark(spark, decision_log):
    import ibis

    path, _frame = decision_log
    spark.read.parquet(str(path)).createOrReplaceTempView("decisions")
    con = ibis.pyspark.connect(spark)
    kwargs = dict(
        label="outcome", score="score", threshold=0.5, protected=["group", "sex"], min_group_size=10
    )
    on_duckdb = audit(str(path), **kwargs)
    on_spark = audit(con.table("decisions"), **kwargs)
    assert on_spark["rows"] == on_duckdb["rows"]
    assert len(on_spark["groups"]) == len(on_duckdb["groups"]) > 5
    for a, b in zip(on_duckdb["groups"], on_spark["groups"], strict=True):
        assert a["attributes"] == b["attributes"] and a["n"] == b["n"]
        for name, m in a["metrics"].items():
            other = b["metrics"][name]
            assert (m["numerator"], m["denominator"]) == (
                other["numerator"],
                other["denominator"],
            ), name
            if m["value"] is None:
                assert other["value"] is None
            else:
                assert other["value"] == pytest.approx(m["value"], rel=1e-9), name
    flags = [(d["attributes"], d["metric"], d["flag"]) for d in on_duckdb["disparities"]]
    assert flags == [(d["attributes"], d["metric"], d["flag"]) for d in on_spark["disparities"]]
