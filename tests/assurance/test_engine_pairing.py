"""The tested Ibis/DuckDB pair, and every kind of input the engine reads."""

from __future__ import annotations

from importlib.metadata import version

import duckdb
import ibis
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from ombuds.assurance import audit

FRAME = pd.DataFrame({"g": ["a", "b"] * 50, "y": [0, 1, 1, 0] * 25, "p": [0, 1, 0, 0] * 25})


def test_the_pinned_pair_is_installed():
    assert version("ibis-framework") == "12.0.0"
    assert version("duckdb") == "2.0.1"


def test_known_defect_of_the_pair_create_table_from_pandas():
    """Why the engine never calls create_table with a pandas frame: with this pair it fails.
    If this test starts failing, the defect is fixed and the pin can move."""
    con = ibis.duckdb.connect()
    with pytest.raises(Exception, match="(?i)parser|DROP VIEW"):
        con.create_table("t", FRAME)


def expected():
    return audit(FRAME, label="y", prediction="p", protected=["g"], min_group_size=1, auc=False)[
        "groups"
    ]


@pytest.mark.parametrize(
    "kind", ["parquet", "parquet_glob", "csv", "duckdb", "arrow", "polars", "ibis_memtable"]
)
def test_every_input_kind_gives_the_same_audit(kind, tmp_path):
    kwargs = {}
    if kind == "parquet":
        FRAME.to_parquet(tmp_path / "d.parquet")
        data = str(tmp_path / "d.parquet")
    elif kind == "parquet_glob":
        FRAME.iloc[:40].to_parquet(tmp_path / "part-1.parquet")
        FRAME.iloc[40:].to_parquet(tmp_path / "part-2.parquet")
        data = str(tmp_path / "part-*.parquet")
    elif kind == "csv":
        FRAME.to_csv(tmp_path / "d.csv", index=False)
        data = str(tmp_path / "d.csv")
    elif kind == "duckdb":
        db = tmp_path / "log.duckdb"
        with duckdb.connect(str(db)) as con:
            con.register("frame", FRAME)
            con.execute("CREATE TABLE decisions AS SELECT * FROM frame")
        data, kwargs = str(db), {"table": "decisions"}
    elif kind == "arrow":
        data = pa.Table.from_pandas(FRAME)
    elif kind == "polars":
        data = pl.from_pandas(FRAME)
    else:
        data = ibis.memtable(FRAME)
    groups = audit(
        data, label="y", prediction="p", protected=["g"], min_group_size=1, auc=False, **kwargs
    )["groups"]
    assert groups == expected()


def test_a_duckdb_file_needs_a_table_name(tmp_path):
    from ombuds.assurance import AssuranceError

    db = tmp_path / "x.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(AssuranceError, match="name the table"):
        audit(str(db), label="y", prediction="p", protected=["g"])


def test_known_defect_of_the_pair_list_tables():
    """Ibis 12's list_tables() fails on DuckDB 2.0.1, so the engine reads the catalogue itself."""
    con = ibis.duckdb.connect()
    with pytest.raises(AttributeError, match="fetch_arrow_table"):
        con.list_tables()
