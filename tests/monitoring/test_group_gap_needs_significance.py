"""Override rates across protected groups: equal groups do not cry wolf (a gap is counted only
when Fisher's exact test gives p < 0.01), while a real gap is still seen."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from ombuds.monitoring import checks

MAPPING = {"time": "t", "overridden": "overridden", "protected": ["sex"]}


def alerts_for(frame: pd.DataFrame) -> set[str]:
    figures, _detail = checks.run_check("oversight", ibis.memtable(frame), MAPPING, {})
    return {b["metric"] for b in checks.breaches(figures, checks.DEFAULT_THRESHOLDS["oversight"])}


def frame(rng, n: int, rate_f: float, rate_m: float) -> pd.DataFrame:
    sex = rng.choice(["F", "M"], n)
    p = np.where(sex == "F", rate_f, rate_m)
    return pd.DataFrame(
        {"t": pd.Timestamp("2026-03-02"), "sex": sex, "overridden": rng.random(n) < p}
    )


def test_equal_groups_rarely_raise_an_alert():
    rng = np.random.default_rng(20261127)
    windows = 150
    alarms = sum(
        "override_rate_group_ratio" in alerts_for(frame(rng, 200, 0.12, 0.12))
        for _i in range(windows)
    )
    assert alarms / windows <= 0.02


def test_a_real_gap_is_seen():
    rng = np.random.default_rng(7)
    assert "override_rate_group_ratio" in alerts_for(frame(rng, 600, 0.25, 0.08))
