"""A decision log written as Parquet, as an agency's system would leave it: eight weeks of
decisions from Monday 2026-01-05, healthy for six weeks, then worse for one group."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

START = dt.date(2026, 1, 5)  # a Monday
REFERENCE = (START, START + dt.timedelta(weeks=4))


def decision_log(weeks=8, per_week=2000, bad_from_week=6, seed=11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for w in range(weeks):
        n = per_week
        day = np.datetime64(START) + np.timedelta64(7 * w, "D")
        times = day + rng.integers(0, 7 * 24 * 3600, n).astype("timedelta64[s]")
        sex = rng.choice(["F", "M"], n)
        label = rng.integers(0, 2, n)
        wrong = rng.random(n) < 0.1
        if w >= bad_from_week:  # the system now errs often, and refuses women far more
            wrong = rng.random(n) < np.where(sex == "F", 0.45, 0.15)
        prediction = np.where(wrong, 1 - label, label)
        if w >= bad_from_week:
            prediction = np.where((sex == "F") & (rng.random(n) < 0.6), 0, prediction)
        overridden = rng.random(n) < (0.05 if w < bad_from_week else 0.5)
        frames.append(
            pd.DataFrame(
                {
                    "decided_at": times,
                    "sex": sex,
                    "income": rng.normal(30000 if w < bad_from_week else 45000, 8000, n),
                    "region": rng.choice(["north", "south", "east"], n),
                    "score": np.clip(prediction * 0.6 + rng.random(n) * 0.4, 0, 1),
                    "approved": prediction,
                    "eligible": label,
                    "overridden": overridden,
                    "final": np.where(overridden, 1 - prediction, prediction),
                    "appeal": rng.choice(["", "upheld", "overturned"], n, p=[0.9, 0.08, 0.02]),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(autouse=True)
def _roots(settings, tmp_path):
    """Decision logs may be read from the test's folder only; secrets from its secrets folder."""
    settings.OMBUDS_SOURCE_ROOTS = [tmp_path.resolve()]
    settings.OMBUDS_SECRETS_DIR = (tmp_path / "secrets").resolve()


@pytest.fixture
def log_path(tmp_path):
    path = tmp_path / "decisions.parquet"
    decision_log().to_parquet(path)
    return path


MAPPING = {
    "time": "decided_at",
    "prediction": "approved",
    "score": "score",
    "threshold": 0.5,
    "label": "eligible",
    "protected": "sex",
    "features": "income, region",
    "final_decision": "final",
    "overridden": "overridden",
    "appeal_outcome": "appeal",
}


@pytest.fixture
def source(world, log_path):
    from ombuds.monitoring import services

    return services.save_source(
        world.users["system_owner"],
        world.system_a,
        {"name": "Decision log", "kind": "path", "location": str(log_path), "mapping": MAPPING},
    )


@pytest.fixture
def make_monitor(world, source):
    from ombuds.monitoring import services

    def make(kind, window="weekly", thresholds=None):
        return services.create_monitor(
            world.users["system_owner"],
            world.system_a,
            {
                "source": source,
                "kind": kind,
                "window": window,
                "reference_start": REFERENCE[0],
                "reference_end": REFERENCE[1],
                "thresholds": thresholds,
            },
        )

    return make
