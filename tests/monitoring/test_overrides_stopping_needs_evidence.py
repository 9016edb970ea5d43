""" "Overrides have almost stopped" is said only on evidence: a log without override data gives
no override figure (not a false 0 %), and a window too small to expect five overrides, or whose
few overrides are plausible by chance, raises nothing; a real stop on a big window does."""

from __future__ import annotations

import ibis
import pandas as pd

from ombuds.monitoring import checks

REF = {"override_rate": 0.12}
MAPPING = {"time": "t", "overridden": "overridden"}


def window(overridden: list) -> ibis.Table:
    return ibis.memtable(
        pd.DataFrame({"t": pd.Timestamp("2026-03-02"), "overridden": pd.Series(overridden)})
    )


def judge(table, mapping=MAPPING, ref=REF):
    figures, _detail = checks.run_check("oversight", table, mapping, ref)
    alerts = {b["metric"] for b in checks.breaches(figures, checks.DEFAULT_THRESHOLDS["oversight"])}
    return figures, alerts


def test_a_small_healthy_window_raises_nothing():
    # 20 cases: 2.4 overrides expected, none seen — common by chance (about 8 %).
    figures, alerts = judge(window([False] * 20))
    assert "override_rate_vs_reference" not in alerts
    # 50 cases with one override: too few to tell from chance at p < 0.01.
    figures, alerts = judge(window([True] + [False] * 49))
    assert "override_rate_vs_reference" not in alerts


def test_a_log_without_override_data_gives_no_override_figure():
    figures, alerts = judge(window([None] * 400))
    assert "override_rate" not in figures
    assert "override_rate_vs_reference" not in alerts


def test_a_real_stop_on_a_big_window_is_seen():
    figures, alerts = judge(window([False] * 500))
    assert figures["override_rate"] == 0
    assert "override_rate_vs_reference" in alerts
