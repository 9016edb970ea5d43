"""`ombuds audit` as a pipeline uses it: outputs, exit codes, and bad input named clearly."""

from __future__ import annotations

import json

import pandas as pd

from .conftest import run_ombuds


def test_json_to_stdout_alone_and_exit_0_with_findings(decision_log, tmp_path):
    path, _frame = decision_log
    result = run_ombuds(
        "audit",
        str(path),
        "--label",
        "outcome",
        "--prediction",
        "decision",
        "--protected",
        "group",
        "--protected",
        "sex",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "ombuds.audit/1"
    assert doc["groups"][0]["attributes"] == {}
    flagged = [d for d in doc["disparities"] if d["flag"] == "disparity"]
    assert any(
        d["attributes"] == {"group": "B"} and d["metric"] == "selection_rate" for d in flagged
    )
    for key in ["rows", "dropped", "config", "groups", "disparities", "findings"]:
        assert key in doc
    d = flagged[0]
    for key in [
        "attributes",
        "reference",
        "metric",
        "ratio",
        "ratio_ci",
        "difference",
        "difference_ci",
        "p_value",
        "p_adjusted",
        "flag",
    ]:
        assert key in d


def test_fail_on_disparity_exits_1(decision_log, tmp_path):
    path, _ = decision_log
    result = run_ombuds(
        "audit",
        str(path),
        "--label",
        "outcome",
        "--prediction",
        "decision",
        "--protected",
        "group",
        "--fail-on",
        "disparity",
        "--format",
        "md",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "selection rate for group=B" in result.stdout


def test_reports_in_every_format(decision_log, tmp_path):
    path, _ = decision_log
    for fmt in ["md", "html", "csv", "json"]:
        out = tmp_path / f"report.{fmt}"
        result = run_ombuds(
            "audit",
            str(path),
            "--label",
            "outcome",
            "--score",
            "score",
            "--threshold",
            "0.5",
            "--protected",
            "group",
            "--format",
            fmt,
            "--out",
            str(out),
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
        text = out.read_text()
        if fmt == "html":
            assert text.startswith("<!DOCTYPE html>") and "<svg" in text
            assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
            assert "https://" not in text and "<script" not in text
        if fmt == "csv":
            table = pd.read_csv(out)
            assert list(table.columns[:3]) == ["group", "n", "suppressed"]
            assert "auc" in table.columns and "brier" in table.columns


def test_small_groups_are_suppressed_in_every_output(decision_log, tmp_path):
    path, frame = decision_log
    small = int((frame.group == "C").sum())
    result = run_ombuds(
        "audit",
        str(path),
        "--label",
        "outcome",
        "--prediction",
        "decision",
        "--protected",
        "group",
        "--min-group-size",
        str(small + 1),
        cwd=tmp_path,
    )
    doc = json.loads(result.stdout)
    c = next(g for g in doc["groups"] if g["attributes"] == {"group": "C"})
    assert c["suppressed"] is True and c["n"] == small
    assert all(m["value"] is None and m["numerator"] is None for m in c["metrics"].values())
    assert not any(d["attributes"] == {"group": "C"} for d in doc["disparities"])
    csv_out = run_ombuds(
        "audit",
        str(path),
        "--label",
        "outcome",
        "--prediction",
        "decision",
        "--protected",
        "group",
        "--min-group-size",
        str(small + 1),
        "--format",
        "csv",
        cwd=tmp_path,
    ).stdout
    row = next(line for line in csv_out.splitlines() if line.startswith("C,"))
    assert row.startswith(f"C,{small},True,,")


def test_messy_csv_words_missing_values_and_a_missing_group(tmp_path):
    csv_file = tmp_path / "messy.csv"
    lines = ["id,race,label,pred"]
    for i in range(200):
        race = ["Black", "White", ""][i % 3]
        label = ["yes", "no", "NA"][i % 7 % 3] if i % 11 else ""
        lines.append(f"{i},{race},{label},{'1' if i % 2 else '0'}")
    csv_file.write_text("\n".join(lines) + "\n")
    result = run_ombuds(
        "audit",
        str(csv_file),
        "--label",
        "label",
        "--prediction",
        "pred",
        "--protected",
        "race",
        "--min-group-size",
        "10",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert any("'no', 'yes'" in n and "read as 1/0" in n for n in doc["notes"])
    assert doc["dropped"]["label missing"] == doc["rows"] - doc["rows_used"] > 0
    assert {"race": "(missing)"} in [g["attributes"] for g in doc["groups"]]


def test_undefined_metrics_are_null_with_a_reason_never_zero(tmp_path):
    frame = pd.DataFrame({"g": ["a"] * 50 + ["b"] * 50, "y": [0] * 100, "p": [0, 1] * 50})
    from ombuds.assurance import audit

    doc = audit(frame, label="y", prediction="p", protected=["g"])
    tpr = doc["groups"][1]["metrics"]["tpr"]
    assert tpr["value"] is None and tpr["reason"] == "no positives" and tpr["denominator"] == 0


def test_bad_input_is_one_line_exit_2_and_writes_nothing(decision_log, tmp_path):
    path, _ = decision_log
    out = tmp_path / "never.json"
    cases = [
        (
            ["--label", "nope", "--prediction", "decision", "--protected", "group"],
            "label 'nope' is not in the data; available columns: group, sex, outcome",
        ),
        (
            ["--label", "group", "--prediction", "decision", "--protected", "sex"],
            "label 'group' is not binary: values found:",
        ),
        (["--label", "outcome", "--score", "score", "--protected", "sex"], "--threshold"),
        (
            [
                "--label",
                "outcome",
                "--prediction",
                "decision",
                "--protected",
                "sex",
                "--reference",
                "sex=X",
            ],
            "no such group",
        ),
    ]
    for args, message in cases:
        result = run_ombuds("audit", str(path), *args, "--out", str(out), cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert not out.exists()
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = run_ombuds(
        "audit", str(empty), "--label", "a", "--prediction", "b", "--protected", "c"
    )
    assert result.returncode == 2 and "file is empty" in result.stderr
    missing = run_ombuds(
        "audit",
        str(tmp_path / "nowhere.parquet"),
        "--label",
        "a",
        "--prediction",
        "b",
        "--protected",
        "c",
    )
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_engine_commands_need_no_django_settings(decision_log, tmp_path):
    path, _ = decision_log
    result = run_ombuds(
        "audit",
        str(path),
        "--label",
        "outcome",
        "--prediction",
        "decision",
        "--protected",
        "group",
        env={"OMBUDS_DEBUG": "0"},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "var").exists()


def test_reference_group_is_used(decision_log):
    path, _ = decision_log
    from ombuds.assurance import audit

    doc = audit(
        str(path),
        label="outcome",
        prediction="decision",
        protected=["group"],
        reference={"group": "B"},
        intersections=False,
    )
    assert {d["reference"]["group"] for d in doc["disparities"]} == {"B"}
