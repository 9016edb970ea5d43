"""A claim for every group is refuted when any group refutes it; with many groups, testing each
at 95 % would refute a true claim far more often than 5 %. Each group (and everyone) is tested at
1 − 0.05 / (k + 1) (Bonferroni): simulated with a fixed seed on a claim true in every group,
false refutations stay at 5 % or below."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from ombuds.assurance import stats
from ombuds.procurement import services

GROUPS = 10
ROWS = 300
TRUE_ACCURACY = 0.9  # the claim is exactly true in every group: the hardest case to keep
RUNS = 100


def _sample(rng) -> pd.DataFrame:
    n = GROUPS * ROWS
    labels = rng.integers(0, 2, size=n)
    right = rng.random(n) < TRUE_ACCURACY
    return pd.DataFrame(
        {
            "label": labels,
            "pred": np.where(right, labels, 1 - labels),
            "region": np.repeat([f"g{i}" for i in range(GROUPS)], ROWS),
        }
    )


def _plain(frame: pd.DataFrame) -> list[dict]:
    out = []
    for _name, group in frame.groupby("region"):
        right = int((group.label == group.pred).sum())
        low, high = stats.clopper_pearson(right, len(group), 0.95)
        out.append({"ci_low": low, "ci_high": high})
    return out


def test_a_true_claim_is_rarely_refuted_however_many_groups():
    rng = np.random.default_rng(20261127)
    refuted = uncorrected = 0
    for _run in range(RUNS):
        frame = _sample(rng)
        table = ibis.memtable(frame)
        doc = services.check_on_data(
            table,
            label="label",
            metric="accuracy",
            claimed=TRUE_ACCURACY,
            prediction="pred",
            by="region",
            every_group=True,
        )
        assert doc["group_confidence"] == 1 - 0.05 / (GROUPS + 1)
        refuted += doc["claim_verdict"] == "refuted"
        # The same counts judged at 95 % each, to show what the correction prevents.
        uncorrected += any(g["ci_high"] < TRUE_ACCURACY for g in _plain(frame))
    assert refuted / RUNS <= 0.05
    assert uncorrected / RUNS > 0.08  # without it, well above 5 %


def test_the_verification_records_the_level_used(world):
    from .helpers import csv_upload, make_procurement, two_vendor_data

    officer = world.users["procurement_officer"]
    p, bid = make_procurement(world)
    data = services.upload_dataset(officer, p, csv_upload(two_vendor_data()), "label")
    claim = services.add_claim(
        officer,
        bid,
        {"metric": "accuracy", "value": 0.95, "every_group": True, "protected_attribute": "group"},
    )
    v = services.verify_claim(officer, claim, data, prediction="pred_a")
    assert v.result["config"]["group_confidence"] == 1 - 0.05 / 3  # two groups and everyone
    assert v.verdict == "refuted"  # group B at 85 % is still refuted
