"""Synthetic decision logs with human-decision columns, where the truth is known: five operators,
a protected attribute, and one pattern of automation bias switched on at a time."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

START = dt.date(2026, 1, 5)  # a Monday
REFERENCE = (START, START + dt.timedelta(weeks=4))
TODAY = START + dt.timedelta(weeks=6)  # two weekly windows after the reference
OPERATORS = ["op1", "op2", "op3", "op4", "op5"]
MAPPING = {
    "time": "decided_at",
    "prediction": "recommended",
    "final_decision": "decided",
    "overridden": "overridden",
    "operator": "decided_by",
    "review_seconds": "review_s",
    "protected": "sex",
}


def decision_log(pattern: str = "healthy", weeks: int = 6, per_week: int = 1500, seed: int = 3):
    """pattern: healthy | rubber_stamp (op3 agrees always, in seconds) | overrides_stop (nobody
    overrides after the reference) | group_skew (women's cases overridden three times as often)."""
    rng = np.random.default_rng(seed)
    frames = []
    for w in range(weeks):
        n = per_week
        day = np.datetime64(START) + np.timedelta64(7 * w, "D")
        times = day + rng.integers(0, 7 * 24 * 3600, n).astype("timedelta64[s]")
        who = rng.choice(OPERATORS, n)
        sex = rng.choice(["F", "M"], n)
        recommended = rng.integers(0, 2, n)
        p_override = np.full(n, 0.12)
        review = rng.lognormal(np.log(90), 0.4, n)
        if pattern == "rubber_stamp":
            p_override = np.where(who == "op3", 0.004, p_override)
            review = np.where(who == "op3", rng.uniform(2, 6, n), review)
        elif pattern == "overrides_stop" and w >= 4:
            p_override = np.zeros(n)
        elif pattern == "group_skew":
            p_override = np.where(sex == "F", 0.25, 0.08)
        overridden = rng.random(n) < p_override
        frames.append(
            pd.DataFrame(
                {
                    "decided_at": times,
                    "decided_by": who,
                    "sex": sex,
                    "recommended": recommended,
                    "overridden": overridden,
                    "decided": np.where(overridden, 1 - recommended, recommended),
                    "review_s": review,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def oversight_monitor(world, tmp_path, pattern: str, fmt: str = "parquet"):
    """A weekly oversight monitor of system A on a log of the given pattern."""
    from ombuds.monitoring import services

    path = tmp_path / f"{pattern}.{fmt}"
    frame = decision_log(pattern)
    if fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)
    owner = world.users["system_owner"]
    source = services.save_source(
        owner,
        world.system_a,
        {"name": "Case log", "kind": "path", "location": str(path), "mapping": MAPPING},
    )
    return services.create_monitor(
        owner,
        world.system_a,
        {
            "source": source,
            "kind": "oversight",
            "window": "weekly",
            "reference_start": REFERENCE[0],
            "reference_end": REFERENCE[1],
        },
    )
