"""`ombuds drift` as a pipeline uses it: JSON alone on stdout, exit codes, every format, a saved
reference profile, and bad input named on one line."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from .conftest import run_ombuds


@pytest.fixture
def pair(tmp_path):
    """A reference and a current log in Parquet: income shifts, region gains a new value."""
    rng = np.random.default_rng(11)
    n = 3000
    ref = pd.DataFrame(
        {
            "income": rng.lognormal(10, 0.5, n),
            "age": rng.integers(18, 90, n),
            "region": rng.choice(["north", "south", "east"], n),
            "approved": rng.random(n) < 0.4,
        }
    )
    cur = pd.DataFrame(
        {
            "income": rng.lognormal(10.4, 0.5, n),
            "age": rng.integers(18, 90, n),
            "region": rng.choice(["north", "south", "east", "coast"], n, p=[0.3, 0.3, 0.2, 0.2]),
            "approved": rng.random(n) < 0.4,
        }
    )
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    return tmp_path / "ref.parquet", tmp_path / "cur.parquet"


def test_json_alone_on_stdout_and_exit_0_when_drift_is_found(pair, tmp_path):
    ref, cur = pair
    result = run_ombuds("drift", str(ref), str(cur), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "ombuds.drift/1"
    assert (doc["reference_rows"], doc["current_rows"]) == (3000, 3000)
    assert [c["column"] for c in doc["columns"]] == ["income", "age", "region", "approved"]
    keys = {"column", "kind", "psi", "js", "ks", "ks_p_value", "wasserstein", "chi2"}
    keys |= {"chi2_p_value", "drifted", "method"}
    for c in doc["columns"]:
        assert keys <= set(c)
    by = {c["column"]: c for c in doc["columns"]}
    assert by["income"]["drifted"] and by["region"]["drifted"]
    assert not by["age"]["drifted"] and not by["approved"]["drifted"]
    assert by["approved"]["kind"] == "categorical" and by["age"]["kind"] == "numeric"
    assert by["region"]["ks"] is None and by["income"]["chi2"] is None
    assert doc["drift_share"] == 0.5
    assert doc["engine_version"] and doc["data_fingerprint"].startswith("sha256:")
    assert doc["reference_fingerprint"].startswith("sha256:")
    assert doc["reference_fingerprint"] != doc["data_fingerprint"]


def test_fail_on_drift_exits_1_and_columns_can_be_chosen(pair, tmp_path):
    ref, cur = pair
    drifted = run_ombuds("drift", str(ref), str(cur), "--fail-on", "drift", cwd=tmp_path)
    assert drifted.returncode == 1
    calm = run_ombuds(
        "drift", str(ref), str(cur), "--column", "age", "approved", "--fail-on", "drift"
    )
    assert calm.returncode == 0, calm.stderr
    assert [c["column"] for c in json.loads(calm.stdout)["columns"]] == ["age", "approved"]


def test_every_format(pair, tmp_path):
    ref, cur = pair
    for fmt in ["md", "html", "csv", "json"]:
        out = tmp_path / f"drift.{fmt}"
        result = run_ombuds(
            "drift", str(ref), str(cur), "--format", fmt, "--out", str(out), cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
        text = out.read_text()
        if fmt == "md":
            assert "**2 of 4 columns drifted**" in text and "| income | numeric |" in text
        if fmt == "html":
            assert text.startswith("<!DOCTYPE html>") and text.count("<svg") == 3
            assert "<table>" in text and "drifted: PSI" in text
            assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
            assert "https://" not in text and "<script" not in text
        if fmt == "csv":
            table = pd.read_csv(out)
            assert list(table.column) == ["income", "age", "region", "approved"]
            assert table.drifted.tolist() == [True, False, True, False]


def test_a_saved_profile_gives_the_same_result_without_the_reference(pair, tmp_path):
    ref, cur = pair
    profile = tmp_path / "profile.json"
    direct = run_ombuds("drift", str(ref), str(cur), "--save-profile", str(profile))
    assert direct.returncode == 0, direct.stderr
    saved = json.loads(profile.read_text())
    assert saved["schema"] == "ombuds.drift-profile/1" and saved["rows"] == 3000
    ref.unlink()  # the stored profile is all a monitor keeps
    again = run_ombuds("drift", str(profile), str(cur))
    assert again.returncode == 0, again.stderr
    a, b = json.loads(direct.stdout), json.loads(again.stdout)
    assert a["columns"] == b["columns"]
    assert b["reference_fingerprint"] == a["reference_fingerprint"]
    refused = run_ombuds("drift", str(profile), str(cur), "--bins", "20")
    assert refused.returncode == 2
    assert "--bins: fixed by the saved profile" in refused.stderr


def one_line_error(result) -> str:
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_bad_input_is_named(pair, tmp_path):
    ref, cur = pair
    missing = one_line_error(run_ombuds("drift", str(ref), str(tmp_path / "nope.parquet")))
    assert "nope.parquet" in missing
    column = one_line_error(run_ombuds("drift", str(ref), str(cur), "--column", "salary"))
    assert "column 'salary' is not in the reference data" in column and "income" in column
    only_ref = tmp_path / "narrow.parquet"
    pd.read_parquet(cur).drop(columns=["age"]).to_parquet(only_ref)
    side = one_line_error(run_ombuds("drift", str(ref), str(only_ref), "--column", "age"))
    assert "column 'age' is not in the current data" in side
    text = tmp_path / "text.csv"
    pd.read_parquet(cur).assign(income="unknown").to_csv(text, index=False)
    typed = one_line_error(run_ombuds("drift", str(ref), str(text)))
    assert "column 'income' is numeric (float64) in the reference but text" in typed
    bins = one_line_error(run_ombuds("drift", str(ref), str(cur), "--bins", "1"))
    assert "--bins must be between 2 and 1000" in bins
    usage = one_line_error(run_ombuds("drift", str(ref)))
    assert "the following arguments are required: current" in usage
    empty = tmp_path / "empty.csv"
    empty.write_text("income,age,region,approved\n")
    rows = one_line_error(run_ombuds("drift", str(ref), str(empty)))
    assert "the current data has no rows" in rows
    not_profile = tmp_path / "other.json"
    not_profile.write_text('{"schema": "ombuds.audit/1"}')
    profile = one_line_error(run_ombuds("drift", str(not_profile), str(cur)))
    assert "not a drift profile" in profile


def test_columns_in_only_one_table_are_reported_not_compared(pair, tmp_path):
    ref, cur = pair
    wider = tmp_path / "wider.parquet"
    pd.read_parquet(cur).assign(score=0.5).drop(columns=["age"]).to_parquet(wider)
    result = run_ombuds("drift", str(ref), str(wider))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [c["column"] for c in doc["columns"]] == ["income", "region", "approved"]
    assert "only in the reference, not compared: age" in doc["notes"]
    assert "only in the current data, not compared: score" in doc["notes"]
