"""A decision-log source: the mapping is checked against the data itself and every problem is
named; connection settings never go into Ombuds' database."""

from __future__ import annotations

import duckdb
import pytest
from django.core.exceptions import ValidationError

from ombuds.monitoring import services
from ombuds.monitoring.models import DecisionSource

from .conftest import MAPPING, decision_log


def save(world, **values):
    return services.save_source(world.users["system_owner"], world.system_a, values)


def test_a_mapping_to_a_missing_column_is_named(world, log_path):
    with pytest.raises(ValidationError) as refused:
        save(
            world,
            name="Log",
            kind="path",
            location=str(log_path),
            mapping={**MAPPING, "label": "outcome"},
        )
    message = " ".join(refused.value.message_dict["mapping"])
    assert "the label column 'outcome' is not in the source" in message
    assert "eligible" in message  # the columns it does have are listed
    assert not DecisionSource.objects.exists()


def test_a_wrongly_typed_column_and_a_missing_file_are_named(world, log_path, tmp_path):
    with pytest.raises(ValidationError) as refused:
        save(
            world,
            name="Log",
            kind="path",
            location=str(log_path),
            mapping={**MAPPING, "score": "sex"},
        )
    assert "the score column 'sex' is not numeric" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        save(
            world, name="Log", kind="path", location=str(tmp_path / "none.parquet"), mapping=MAPPING
        )
    assert "file not found" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        save(world, name="Log", kind="path", location=str(log_path), mapping={"label": "eligible"})
    assert "mapping.time" in refused.value.message_dict


def test_a_database_source_reads_its_url_from_the_environment(world, tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.register("log_frame", decision_log(weeks=5))
    con.execute("CREATE TABLE decisions AS SELECT * FROM log_frame")
    con.close()
    with pytest.raises(ValidationError) as refused:
        save(
            world,
            name="W",
            kind="database",
            location="decisions",
            connection_env=f"duckdb://{db}",
            mapping=MAPPING,
        )
    assert "looks like a connection URL" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        save(
            world,
            name="W",
            kind="database",
            location="decisions",
            connection_env="OMBUDS_SOURCE_TEST",
            mapping=MAPPING,
        )
    assert "OMBUDS_SOURCE_TEST is not set" in str(refused.value)
    monkeypatch.setenv("OMBUDS_SOURCE_TEST", f"duckdb://{db}?read_only=true")
    source = save(
        world,
        name="W",
        kind="database",
        location="decisions",
        connection_env="OMBUDS_SOURCE_TEST",
        mapping=MAPPING,
    )
    assert source.connection_env == "OMBUDS_SOURCE_TEST"
    assert str(db) not in str(DecisionSource.objects.values().get())  # no URL stored


def test_a_monitor_says_what_its_kind_needs(world, log_path):
    source = save(
        world,
        name="Log",
        kind="path",
        location=str(log_path),
        mapping={"time": "decided_at", "prediction": "approved"},
    )
    import datetime as dt

    with pytest.raises(ValidationError) as refused:
        services.create_monitor(
            world.users["system_owner"],
            world.system_a,
            {
                "source": source,
                "kind": "fairness",
                "window": "weekly",
                "reference_start": dt.date(2026, 1, 5),
                "reference_end": dt.date(2026, 2, 2),
            },
        )
    assert "a fairness monitor needs the mapping to name: protected" in str(refused.value)


def test_a_source_reads_only_inside_the_allowed_folders(world, log_path, tmp_path, settings):
    outside = tmp_path.parent / "elsewhere"
    outside.mkdir(exist_ok=True)
    (outside / "x.parquet").write_bytes(log_path.read_bytes())
    for location in (
        str(outside / "x.parquet"),
        str(tmp_path / ".." / "elsewhere" / "*.parquet"),
        "/etc/passwd",
    ):
        with pytest.raises(ValidationError) as refused:
            save(world, name="Log", kind="path", location=location, mapping=MAPPING)
        assert "must lie inside" in str(refused.value), location
    assert not DecisionSource.objects.exists()


def test_server_secrets_are_out_of_reach_and_never_echoed(world, tmp_path, monkeypatch):
    monkeypatch.setenv("OMBUDS_EMAIL_PASSWORD", "hunter2-topsecret")
    with pytest.raises(ValidationError) as refused:
        save(
            world,
            name="W",
            kind="database",
            location="t",
            connection_env="OMBUDS_EMAIL_PASSWORD",
            mapping=MAPPING,
        )
    assert "starts with OMBUDS_SOURCE_" in str(refused.value)
    (tmp_path / "secret.txt").write_text("SECRET_LINE_ONE")
    with pytest.raises(ValidationError) as refused:
        save(
            world,
            name="W",
            kind="database",
            location="t",
            connection_file="../secret.txt",
            mapping=MAPPING,
        )
    assert "SECRET_LINE_ONE" not in str(refused.value)
    monkeypatch.setenv("OMBUDS_SOURCE_BROKEN", "nosuchdb://admin:pa55word@db.internal/x")
    with pytest.raises(ValidationError) as refused:
        save(
            world,
            name="W",
            kind="database",
            location="t",
            connection_env="OMBUDS_SOURCE_BROKEN",
            mapping=MAPPING,
        )
    assert "pa55word" not in str(refused.value) and "cannot open table t" in str(refused.value)
