"""Automation bias from the decision log's human-decision columns: on synthetic logs where the
truth is known, each pattern raises exactly its own alert and a healthy log raises none."""

from __future__ import annotations

import pytest

from ombuds.monitoring import runner
from ombuds.monitoring.models import Alert
from tests.monitoring.bias_logs import TODAY, oversight_monitor


def run(world, tmp_path, pattern, fmt="parquet"):
    monitor = oversight_monitor(world, tmp_path, pattern, fmt)
    runs = runner.run_monitor(monitor, today=TODAY)
    assert [r.status for r in runs] == ["done", "done"]
    return (
        monitor,
        runs,
        set(Alert.objects.filter(monitor=monitor).values_list("metric", flat=True)),
    )


def test_a_healthy_log_raises_no_alert(world, tmp_path):
    _monitor, runs, alerts = run(world, tmp_path, "healthy")
    assert alerts == set()
    figures = runs[0].figures
    assert 0.10 < figures["override_rate"] < 0.14
    assert figures["agreement_rate"] == pytest.approx(1 - figures["override_rate"])
    assert 75 < figures["median_review_seconds"] < 105
    assert figures["operators"] == 5
    assert figures["rubber_stamping_operators"] == 0


def test_one_rubber_stamping_operator_is_seen(world, tmp_path):
    _monitor, runs, alerts = run(world, tmp_path, "rubber_stamp")
    assert alerts == {"rubber_stamping_operators"}
    assert [r.figures["rubber_stamping_operators"] for r in runs] == [1, 1]
    flagged = [o["operator"] for o in runs[0].detail["operators"] if o["rubber_stamping"]]
    assert flagged == ["op3"]
    message = Alert.objects.filter(metric="rubber_stamping_operators").first().message
    assert "rubber-stamping" in message and "op3" not in message


def test_overrides_that_stop_are_seen(world, tmp_path):
    monitor, runs, alerts = run(world, tmp_path, "overrides_stop")
    assert alerts == {"override_rate_vs_reference"}
    monitor.refresh_from_db()
    assert 0.10 < monitor.reference["override_rate"] < 0.14
    assert [r.figures["override_rate_vs_reference"] for r in runs] == [0.0, 0.0]
    # Agreement is 100 % but reviews still take time: not taken for rubber-stamping.
    assert runs[0].figures["rubber_stamping_operators"] == 0


def test_overrides_skewed_across_groups_are_seen(world, tmp_path):
    _monitor, runs, alerts = run(world, tmp_path, "group_skew", fmt="csv")
    assert alerts == {"override_rate_group_ratio"}
    ratio = runs[0].figures["override_rate_group_ratio"]
    assert 0.2 < ratio < 0.45  # 0.08 / 0.25 by construction
    assert Alert.objects.get(run=runs[0]).severity == "critical"
    by_group = {g["group"]: g["override_rate"] for g in runs[0].detail["override_rates_by_group"]}
    assert by_group["F"] > 0.2 and by_group["M"] < 0.11


def test_small_groups_and_small_gaps_are_not_judged():
    import ibis
    import pandas as pd

    from ombuds.monitoring import checks

    def table(f_n, f_overrides, m_n, m_overrides):
        rows = [("F", i < f_overrides) for i in range(f_n)] + [
            ("M", i < m_overrides) for i in range(m_n)
        ]
        return ibis.memtable(pd.DataFrame(rows, columns=["sex", "overridden"]))

    mapping = {"overridden": "overridden", "protected": ["sex"]}
    judge = checks.params("oversight")
    # Ten women, all overridden: too few to judge (minimum 30 per group).
    figures, _ = checks._oversight(table(10, 10, 200, 20), mapping, {}, judge)
    assert figures.get("override_rate_group_ratio") is None
    # 12 % against 10 %: a ratio of 0.83 but a gap of 2 points, below the 5-point minimum.
    figures, _ = checks._oversight(table(100, 12, 100, 10), mapping, {}, judge)
    assert figures["override_rate_group_ratio"] == 1.0
    # 30 % against 10 %: judged.
    figures, _ = checks._oversight(table(100, 30, 100, 10), mapping, {}, judge)
    assert figures["override_rate_group_ratio"] == pytest.approx(1 / 3)
