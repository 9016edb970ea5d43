"""Oversight alerts reach everyone who may see the monitor, so their words never carry one
operator's figures: a window decided by one person gives the threshold crossed, not the value;
the agreement-only signal says what it saw in words."""

from __future__ import annotations

import datetime as dt

from ombuds.monitoring import checks, runner
from ombuds.monitoring.models import Monitor, MonitorRun


def describe(figures, breach):
    monitor = Monitor(kind="oversight", window="weekly", thresholds=[])
    run = MonitorRun(window_start=dt.date(2026, 3, 2), figures=figures)
    return runner._describe(monitor, run, breach)


def breach(metric, value, threshold, direction="above", severity="warning"):
    return {
        "metric": metric,
        "value": value,
        "threshold": threshold,
        "direction": direction,
        "severity": severity,
    }


def test_one_operator_window_gives_no_value():
    text = describe({"override_rate": 0.4137, "operators": 1}, breach("override_rate", 0.4137, 0.2))
    assert "0.414" not in text and "41" not in text
    assert "governance leads only" in text and "0.2" in text


def test_several_operators_give_the_value():
    text = describe({"override_rate": 0.4137, "operators": 3}, breach("override_rate", 0.4137, 0.2))
    assert "0.414" in text


def test_agreement_only_signal_in_words():
    p = checks.params("oversight", [])
    text = describe(
        {"always_agreeing_operators": 2, "operators": 4},
        breach("always_agreeing_operators", 2, 0.5),
    )
    assert "2 operator(s)" in text and "no review times" in text
    assert f"{int(p.get('agreement_only_min_decisions', 200))} decided cases" in text
