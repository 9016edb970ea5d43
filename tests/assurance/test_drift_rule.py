"""When a column counts as drifted: the rule's boundaries, Holm's adjustment across columns, and a
rule set by the user."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ombuds.assurance import stats
from ombuds.assurance.drift import DriftRule, drift
from ombuds.assurance.errors import AssuranceError

RULE = DriftRule()


@pytest.mark.parametrize(
    "kind, psi, effect, p_adjusted, drifted",
    [
        ("numeric", 0.2, None, None, True),  # PSI at the threshold counts
        ("numeric", 0.19999, None, None, False),
        ("categorical", 0.2, 0.0, 1.0, True),
        ("numeric", 0.01, 0.1, 0.049, True),  # KS at the threshold, p below alpha
        ("numeric", 0.01, 0.0999, 0.0001, False),  # negligible effect, however small the p
        ("numeric", 0.01, 0.5, 0.05, False),  # p at alpha is not below it
        ("categorical", 0.01, 0.1, 0.01, True),  # JS distance at the threshold
        ("categorical", 0.01, 0.0999, 1e-12, False),
        ("numeric", None, None, None, False),  # nothing computed, nothing claimed
    ],
)
def test_rule_boundaries(kind, psi, effect, p_adjusted, drifted):
    assert bool(RULE.reasons(kind, psi, effect, p_adjusted)) is drifted


def test_a_rule_is_configurable_and_checked():
    strict = DriftRule.of({"psi": 0.1, "ks": 0.05})
    assert strict.reasons("numeric", 0.1, None, None)
    assert strict.reasons("numeric", 0.0, 0.05, 0.01)
    assert not RULE.reasons("numeric", 0.1, 0.05, 0.01)
    with pytest.raises(AssuranceError, match="alpha must be between 0 and 1"):
        DriftRule.of({"alpha": 1.5})
    with pytest.raises(AssuranceError, match="unknown drift rule setting"):
        DriftRule.of({"pvalue": 0.05})


def frames(n: int = 4000, shift: float = 0.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame(
        {f"x{i}": rng.normal(0, 1, n) for i in range(4)} | {"g": rng.choice(list("abc"), n)}
    )
    cur = pd.DataFrame(
        {f"x{i}": rng.normal(shift * (i == 0), 1, n) for i in range(4)}
        | {"g": rng.choice(list("abc"), n)}
    )
    return ref, cur


def test_p_values_are_holm_adjusted_across_columns():
    ref, cur = frames(shift=0.08)
    doc = drift(ref, cur)
    raw = [c["ks_p_value"] if c["kind"] == "numeric" else c["chi2_p_value"] for c in doc["columns"]]
    assert [c["p_adjusted"] for c in doc["columns"]] == pytest.approx(stats.holm(raw))
    assert doc["columns"][0]["p_adjusted"] >= doc["columns"][0]["ks_p_value"]
    assert doc["config"]["p_adjustment"] == "holm"


def test_drift_share_counts_drifted_columns():
    ref, cur = frames(shift=1.0)
    doc = drift(ref, cur)
    flags = {c["column"]: c["drifted"] for c in doc["columns"]}
    assert flags == {"x0": True, "x1": False, "x2": False, "x3": False, "g": False}
    assert doc["drift_share"] == pytest.approx(1 / 5)
    assert doc["drifted_columns"] == 1
    x0 = doc["columns"][0]
    assert x0["reasons"][0].startswith("PSI") and len(x0["reasons"]) == 2


def test_a_user_rule_changes_the_verdict():
    ref, cur = frames(shift=0.15, n=20_000)
    default = drift(ref, cur, columns=["x0"])["columns"][0]
    assert not default["drifted"]  # 0.15 SD: significant, but KS below 0.1 and PSI small
    strict = drift(ref, cur, columns=["x0"], rule={"ks": 0.02})["columns"][0]
    assert strict["drifted"] and strict["reasons"][0].startswith("KS")
    assert strict["ks"] == default["ks"]
