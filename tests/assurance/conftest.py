from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest


def run_ombuds(*args, cwd=None, env=None):
    """The engine commands as a user runs them: no Django settings, no environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OMBUDS_", "DJANGO_"))}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ombuds", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean,
        timeout=300,
    )


@pytest.fixture
def decision_log(tmp_path):
    """A small synthetic log with a built-in disparity: group B is selected far less often."""
    rng = np.random.default_rng(42)
    n = 4000
    group = rng.choice(["A", "B", "C"], n, p=[0.6, 0.35, 0.05])
    sex = rng.choice(["F", "M"], n)
    y = rng.integers(0, 2, n)
    base = np.where(group == "B", 0.25, 0.55)
    p = (rng.random(n) < np.where(y == 1, base + 0.3, base - 0.2)).astype(int)
    frame = pd.DataFrame(
        {
            "group": group,
            "sex": sex,
            "outcome": y,
            "decision": p,
            "score": np.round(np.clip(p * 0.4 + rng.random(n) * 0.6, 0, 1), 3),
        }
    )
    path = tmp_path / "log.parquet"
    frame.to_parquet(path)
    return path, frame
