"""Peer runs for bench_audit.py and bench_drift.py, inside each peer's own virtual environment.

usage: python peers.py fairlearn|aequitas PARQUET
       python peers.py evidently|nannyml REFERENCE_PARQUET CURRENT_PARQUET
→ prints one JSON line with timings, peak RSS and (for drift) each column's statistics
"""

from __future__ import annotations

import json
import resource
import sys
import time

ATTRS = ["race", "sex", "age_band"]


def fairlearn(path: str) -> dict:
    import numpy as np
    import pandas as pd
    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    t0 = time.perf_counter()
    df = pd.read_parquet(path, columns=[*ATTRS, "label", "prediction"])
    t1 = time.perf_counter()
    metrics = {
        "selection_rate": selection_rate,
        "tpr": true_positive_rate,
        "fpr": false_positive_rate,
        "tnr": true_negative_rate,
        "fnr": false_negative_rate,
        "accuracy": accuracy_score,
        "ppv": lambda yt, yp: precision_score(yt, yp, zero_division=np.nan),
    }
    by_race = MetricFrame(
        metrics=metrics, y_true=df["label"], y_pred=df["prediction"], sensitive_features=df["race"]
    )
    by_three = MetricFrame(
        metrics=metrics, y_true=df["label"], y_pred=df["prediction"], sensitive_features=df[ATTRS]
    )
    _ = (by_race.by_group, by_three.by_group, by_three.difference())
    t2 = time.perf_counter()
    import fairlearn as fl

    return {
        "load_s": t1 - t0,
        "compute_s": t2 - t1,
        "version": fl.__version__,
        "groups": int(len(by_three.by_group)),
    }


def aequitas(path: str) -> dict:
    import pandas as pd
    from aequitas.bias import Bias
    from aequitas.group import Group

    t0 = time.perf_counter()
    df = pd.read_parquet(path, columns=[*ATTRS, "label", "prediction"])
    df = df.rename(columns={"label": "label_value", "prediction": "score"})
    for a in ATTRS:
        df[a] = df[a].astype(str)
    t1 = time.perf_counter()
    xtab, _ = Group().get_crosstabs(df, attr_cols=ATTRS)
    Bias().get_disparity_major_group(xtab, original_df=df, mask_significance=True)
    t2 = time.perf_counter()
    from importlib.metadata import version

    return {
        "load_s": t1 - t0,
        "compute_s": t2 - t1,
        "version": version("aequitas"),
        "groups": int(len(xtab)),
    }


def _drift_columns(frame) -> tuple[list[str], list[str]]:
    numeric = [c for c in frame.columns if c.startswith("num_")]
    categorical = [c for c in frame.columns if c.startswith("cat_")]
    return numeric, categorical


def evidently(reference: str, current: str) -> dict:
    import pandas as pd
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    t0 = time.perf_counter()
    ref = pd.read_parquet(reference)
    cur = pd.read_parquet(current)
    t1 = time.perf_counter()
    numeric, categorical = _drift_columns(ref)
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
    snapshot = Report([DataDriftPreset()]).run(
        current_data=Dataset.from_pandas(cur, data_definition=definition),
        reference_data=Dataset.from_pandas(ref, data_definition=definition),
    )
    metrics = snapshot.dict()["metrics"]
    t2 = time.perf_counter()
    columns = {}
    for m in metrics:
        name = m["metric_name"]
        if name.startswith("ValueDrift(column="):
            column = name.split("column=", 1)[1].split(",", 1)[0]
            method = name.split("method=", 1)[1].split(",threshold", 1)[0]
            columns[column] = {"method": method, "value": m["value"]}
    from importlib.metadata import version

    return {
        "load_s": t1 - t0,
        "compute_s": t2 - t1,
        "version": version("evidently"),
        "columns": columns,
    }


def nannyml(reference: str, current: str) -> dict:
    import nannyml as nml
    import pandas as pd

    t0 = time.perf_counter()
    ref = pd.read_parquet(reference)
    cur = pd.read_parquet(current)
    t1 = time.perf_counter()
    numeric, categorical = _drift_columns(ref)
    calc = nml.UnivariateDriftCalculator(
        column_names=numeric + categorical,
        treat_as_categorical=categorical,
        continuous_methods=["kolmogorov_smirnov", "wasserstein"],
        categorical_methods=["chi2", "jensen_shannon"],
        chunk_number=1,
    )
    calc.fit(ref)
    table = calc.calculate(cur).filter(period="analysis").to_df()
    t2 = time.perf_counter()
    columns: dict[str, dict] = {}
    for column in numeric + categorical:
        methods = (
            ["kolmogorov_smirnov", "wasserstein"]
            if column in numeric
            else ["chi2", "jensen_shannon"]
        )
        columns[column] = {m: float(table[(column, m, "value")].iloc[0]) for m in methods}
    return {
        "load_s": t1 - t0,
        "compute_s": t2 - t1,
        "version": nml.__version__,
        "columns": columns,
    }


if __name__ == "__main__":
    kind, paths = sys.argv[1], sys.argv[2:]
    run = {"fairlearn": fairlearn, "aequitas": aequitas, "evidently": evidently, "nannyml": nannyml}
    out = run[kind](*paths)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
