"""A vendor's '95 % accurate' checked on local data; the data's make-up against the population."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ombuds.assurance.claims import verify_claim
from ombuds.assurance.representativeness import representativeness

from .conftest import run_ombuds


@pytest.fixture
def graded(tmp_path):
    rng = np.random.default_rng(9)
    n = 2000
    y = rng.integers(0, 2, n)
    correct = rng.random(n) < np.where(np.arange(n) < 1000, 0.90, 0.80)
    frame = pd.DataFrame(
        {
            "site": np.where(np.arange(n) < 1000, "north", "south"),
            "y": y,
            "p": np.where(correct, y, 1 - y),
            "s": y * 0.35 + rng.random(n) * 0.65,
        }
    )
    path = tmp_path / "graded.parquet"
    frame.to_parquet(path)
    return path, frame


def test_verdicts_follow_the_exact_interval(graded):
    path, frame = graded
    accuracy = float((frame.y == frame.p).mean())  # about 0.85
    refuted = verify_claim(str(path), label="y", prediction="p", metric="accuracy", claimed=0.95)
    assert refuted["schema"] == "ombuds.claim/1"
    assert refuted["overall"]["value"] == pytest.approx(accuracy)
    assert refuted["overall"]["verdict"] == "refuted" and refuted["overall"]["ci_high"] < 0.95
    supported = verify_claim(str(path), label="y", prediction="p", metric="accuracy", claimed=0.80)
    assert supported["overall"]["verdict"] == "supported"
    close = verify_claim(
        str(path), label="y", prediction="p", metric="accuracy", claimed=accuracy + 0.005
    )
    assert close["overall"]["verdict"] == "inconclusive"
    assert close["overall"]["needed_rows"] > len(frame)


def test_per_group_verdicts(graded):
    path, _ = graded
    doc = verify_claim(
        str(path), label="y", prediction="p", metric="accuracy", claimed=0.85, by="site"
    )
    verdicts = {g["attributes"]["site"]: g["verdict"] for g in doc["groups"]}
    assert verdicts == {"north": "supported", "south": "refuted"}


def test_fpr_claim_is_a_ceiling(graded):
    path, frame = graded
    fpr = float(((frame.y == 0) & (frame.p == 1)).sum() / (frame.y == 0).sum())
    assert (
        verify_claim(str(path), label="y", prediction="p", metric="fpr", claimed=fpr + 0.08)[
            "overall"
        ]["verdict"]
        == "supported"
    )
    assert (
        verify_claim(str(path), label="y", prediction="p", metric="fpr", claimed=fpr - 0.08)[
            "overall"
        ]["verdict"]
        == "refuted"
    )


def test_auc_claim_uses_delong(graded):
    from sklearn.metrics import roc_auc_score

    path, frame = graded
    doc = verify_claim(str(path), label="y", score="s", metric="auc", claimed=0.5)
    assert doc["overall"]["value"] == pytest.approx(roc_auc_score(frame.y, frame.s), abs=1e-3)
    assert doc["overall"]["verdict"] == "supported" and "DeLong" in doc["method"]


def test_verify_claim_command(graded, tmp_path):
    path, _ = graded
    result = run_ombuds(
        "verify-claim",
        str(path),
        "--label",
        "y",
        "--prediction",
        "p",
        "--metric",
        "accuracy",
        "--claimed",
        "0.95",
        "--fail-on",
        "refuted",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["overall"]["verdict"] == "refuted"
    bad = run_ombuds(
        "verify-claim",
        str(path),
        "--label",
        "y",
        "--prediction",
        "p",
        "--metric",
        "accuracy",
        "--claimed",
        "95",
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and "write 95 % as 0.95" in bad.stderr


def test_representativeness_against_a_census(tmp_path):
    rng = np.random.default_rng(4)
    n = 5000
    frame = pd.DataFrame(
        {
            "region": rng.choice(["urban", "rural", "remote"], n, p=[0.8, 0.18, 0.02]),
            "age": rng.integers(18, 90, n).astype(float),
        }
    )
    frame.loc[:40, "age"] = np.nan
    frame.loc[41:45, "age"] = 130
    frame = pd.concat([frame, frame.iloc[:10]])  # ten duplicates
    data = tmp_path / "people.parquet"
    frame.to_parquet(data)
    bench = tmp_path / "census.csv"
    bench.write_text("group,share\nurban,60\nrural,30\nremote,10\n")
    doc = representativeness(
        str(data), attribute="region", benchmark=str(bench), ranges={"age": (0, 120)}
    )
    assert doc["schema"] == "ombuds.representativeness/1"
    flags = {g["group"]: g["flag"] for g in doc["groups"]}
    assert flags == {
        "urban": "over-represented",
        "rural": "under-represented",
        "remote": "under-represented",
    }
    remote = next(g for g in doc["groups"] if g["group"] == "remote")
    assert remote["population_share"] == pytest.approx(0.10)
    assert remote["ratio"] == pytest.approx(remote["data_share"] / 0.10)
    assert doc["goodness_of_fit"]["p_value"] < 1e-6
    q = doc["quality"]
    assert q["duplicate_rows"] == 10
    age = next(c for c in q["columns"] if c["column"] == "age")
    assert (
        age["missing"] == 41 + 10 and age["out_of_range"] == 5
    )  # the ten copies are of rows without an age
    assert sum(sum(g["missing"].values()) for g in q["missing_by_group"]) == 51


def test_representativeness_command_names_a_bad_benchmark(tmp_path, decision_log):
    path, _ = decision_log
    bench = tmp_path / "b.csv"
    bench.write_text("group,share\nA,lots\n")
    result = run_ombuds(
        "representativeness",
        str(path),
        "--attribute",
        "group",
        "--benchmark",
        str(bench),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "row 2" in result.stderr and "'lots'" in result.stderr
