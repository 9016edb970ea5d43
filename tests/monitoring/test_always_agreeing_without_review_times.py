"""When review times are not logged, people who (almost) always agree with the system are still
seen: an agreement-only signal over enough decided cases. Only decided cases count, overall
and per operator."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from ombuds.monitoring import checks

MAPPING = {
    "time": "t",
    "prediction": "recommended",
    "final_decision": "decided",
    "operator": "who",
}


def log(rng, per_operator: int, stamper_override: float | None) -> pd.DataFrame:
    frames = []
    for op in ("op1", "op2", "op3"):
        rate = stamper_override if op == "op2" and stamper_override is not None else 0.1
        rec = rng.integers(0, 2, per_operator)
        over = rng.random(per_operator) < rate
        frames.append(
            pd.DataFrame(
                {
                    "t": pd.Timestamp("2026-03-02"),
                    "who": op,
                    "recommended": rec,
                    "decided": np.where(over, 1 - rec, rec),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def judge(frame, mapping=MAPPING):
    figures, detail = checks.run_check("oversight", ibis.memtable(frame), mapping, {})
    alerts = {b["metric"] for b in checks.breaches(figures, checks.DEFAULT_THRESHOLDS["oversight"])}
    return figures, detail, alerts


def test_an_operator_who_always_agrees_is_flagged():
    rng = np.random.default_rng(11)
    figures, detail, alerts = judge(log(rng, 300, stamper_override=0.0))
    assert figures["always_agreeing_operators"] == 1
    assert [o["operator"] for o in detail["operators"] if o["always_agreeing"]] == ["op2"]
    assert "always_agreeing_operators" in alerts


def test_healthy_operators_are_not():
    rng = np.random.default_rng(12)
    figures, _detail, alerts = judge(log(rng, 300, stamper_override=None))
    assert figures["always_agreeing_operators"] == 0
    assert alerts == set()


def test_without_an_operator_column_everyone_together_is_judged():
    rng = np.random.default_rng(13)
    frame = log(rng, 300, stamper_override=0.0)
    frame = frame[frame.who == "op2"].drop(columns="who")
    mapping = {k: v for k, v in MAPPING.items() if k != "operator"}
    figures, _detail, alerts = judge(frame, mapping)
    assert figures["always_agreeing_operators"] == 1 and "always_agreeing_operators" in alerts


def test_only_decided_cases_count():
    rng = np.random.default_rng(14)
    frame = log(rng, 100, stamper_override=None)
    pending = frame.head(40).copy()
    pending["decided"] = None  # not decided yet
    frame = pd.concat([pending, frame.iloc[40:]], ignore_index=True)
    frame["decided"] = frame["decided"].astype("Int64")
    figures, detail, _alerts = judge(frame)
    assert figures["decided"] == 260
    assert sum(o["decisions"] for o in detail["operators"]) == 260
