"""Peer runs for bench_audit.py, executed inside each peer's own virtual environment.

usage: python peers.py fairlearn|aequitas PARQUET  → prints one JSON line with timings and peak RSS
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


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    out = {"fairlearn": fairlearn, "aequitas": aequitas}[kind](path)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
