"""Monitors per window: figures stored, thresholds turned into alerts, small windows that do
not cry wolf, and runs that are idempotent and all-or-nothing."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ombuds.monitoring import runner
from ombuds.monitoring.models import Alert, MonitorRun

TODAY = dt.date(2026, 3, 2)  # four weekly windows after the four-week reference


def test_performance_falls_and_raises_a_critical_alert(
    world, make_monitor, django_capture_on_commit_callbacks
):
    monitor = make_monitor("performance")
    with django_capture_on_commit_callbacks(execute=True):
        runs = runner.run_monitor(monitor, today=TODAY)
    assert [r.window_start for r in runs] == [
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 9),
        dt.date(2026, 2, 16),
        dt.date(2026, 2, 23),
    ]
    assert all(r.status == "done" and r.rows == 2000 for r in runs)
    accuracy = [round(r.figures["accuracy"], 2) for r in runs]
    assert accuracy[0] > 0.85 and accuracy[-1] < 0.75
    alerts = Alert.objects.filter(monitor=monitor)
    assert {a.run.window_start for a in alerts} == {dt.date(2026, 2, 16), dt.date(2026, 2, 23)}
    assert {a.severity for a in alerts} == {"critical"}
    assert "accuracy_drop" in alerts[0].message
    # Owners and governance leads with an e-mail address are told.
    assert len(mail.outbox) == 2  # one e-mail per window that raised alerts
    assert "critical alert" in mail.outbox[0].subject
    assert set(mail.outbox[0].to) == {"a-system_owner@example.org", "a-governance_lead@example.org"}


def test_a_small_window_does_not_cry_wolf(world, make_monitor):
    from ombuds.monitoring import checks

    thresholds = [
        {
            "metric": "accuracy_drop",
            "direction": "above",
            "warning": 0.05,
            "critical": 0.1,
            "sigma_guard": True,
        }
    ]
    # A drop of 0.06 on 40 labelled decisions is within 2σ of a 0.9 accuracy: no alert.
    small = {"accuracy_drop": 0.06, "accuracy_drop_sigma": (0.9 * 0.1 / 40) ** 0.5}
    assert checks.breaches(small, thresholds) == []
    # The same drop on 4,000 decisions is far outside the band: a warning.
    large = {"accuracy_drop": 0.06, "accuracy_drop_sigma": (0.9 * 0.1 / 4000) ** 0.5}
    assert [b["severity"] for b in checks.breaches(large, thresholds)] == ["warning"]


def test_fairness_oversight_and_appeals_figures(world, make_monitor):
    fairness = runner.run_monitor(make_monitor("fairness"), today=TODAY)
    assert fairness[0].figures["flagged_disparities"] == 0
    assert fairness[-1].figures["flagged_disparities"] >= 1
    assert fairness[-1].figures["min_selection_rate_ratio"] < 0.6
    oversight = runner.run_monitor(make_monitor("oversight"), today=TODAY)
    assert 0.03 < oversight[0].figures["override_rate"] < 0.07
    assert oversight[-1].figures["override_rate"] > 0.45
    assert Alert.objects.filter(metric="override_rate", severity="critical").count() == 2
    appeals = runner.run_monitor(make_monitor("appeals"), today=TODAY)
    assert 0.1 < appeals[0].figures["overturn_rate"] < 0.3


def test_running_twice_writes_each_window_once(world, make_monitor):
    monitor = make_monitor("performance")
    runner.run_monitor(monitor, today=TODAY)
    alerts = Alert.objects.count()
    assert runner.run_monitor(monitor, today=TODAY) == []
    assert MonitorRun.objects.count() == 4 and Alert.objects.count() == alerts


def test_a_run_killed_midway_is_completed_by_the_next(world, make_monitor):
    monitor = make_monitor("performance")
    now = timezone.now()
    # A worker died while computing the first window: its row is left running, figures empty.
    MonitorRun.objects.create(
        monitor=monitor,
        window_start=dt.date(2026, 2, 2),
        window_end=dt.date(2026, 2, 9),
        attempts=1,
        leased_until=now + timedelta(minutes=10),
        progress="computing the window",
    )
    # While its lease holds, nobody else takes the window.
    assert runner.run_window(monitor, dt.date(2026, 2, 2), dt.date(2026, 2, 9), now=now) is None
    # Once it has expired, the next run completes it: one row, figures written.
    later = now + timedelta(minutes=31)
    run = runner.run_window(monitor, dt.date(2026, 2, 2), dt.date(2026, 2, 9), now=later)
    assert run.status == "done" and run.attempts == 2 and run.figures["accuracy"] > 0.85
    assert MonitorRun.objects.filter(monitor=monitor).count() == 1


def test_an_unreadable_source_alerts_the_owner_and_records_no_figures(
    world, make_monitor, log_path
):
    monitor = make_monitor("performance")
    log_path.unlink()
    runs = runner.run_monitor(monitor, today=TODAY)
    assert {r.status for r in runs} == {"failed"}
    assert all(r.figures == {} for r in runs)
    assert "file not found" in runs[0].error
    # One open "could not run" alert for the monitor, not one per window.
    assert Alert.objects.filter(metric="run_error").count() == 1


@pytest.mark.django_db(transaction=True)  # the queue's worker closes connections between tasks
def test_the_worker_runs_due_monitors(world, make_monitor):
    from django.core.management import call_command

    from ombuds.core.models import ScheduledJob

    make_monitor("oversight", window="monthly")
    call_command("worker", "--batch")
    job = ScheduledJob.objects.get(name="monitoring.due-monitors")
    assert job.last_error == "" and job.next_run_at > timezone.now()
    # The first whole month after the reference (which ends on 2 February) is March; the log
    # ends in March, so later months have no decisions yet and record nothing.
    runs = list(MonitorRun.objects.values_list("window_start", "status"))
    assert runs == [(dt.date(2026, 3, 1), "done")]
    call_command("worker", "--batch")  # not due again yet: nothing new
    assert MonitorRun.objects.count() == 1


def test_ombuds_monitor_run(world, make_monitor, capsys):
    from django.core.management import call_command

    make_monitor("appeals", window="monthly")
    call_command("monitor", "run", str(world.system_a.pk))
    assert "Appeal outcomes 2026-03-01–2026-04-01: done" in capsys.readouterr().err


def test_drift_per_window_against_the_stored_reference(world, make_monitor):
    monitor = make_monitor("drift")
    runs = runner.run_monitor(monitor, today=TODAY)
    monitor.refresh_from_db()
    assert monitor.reference["profile"]["schema"].startswith("ombuds.drift-profile")
    shares = [r.figures["drift_share"] for r in runs]
    # Income shifts from week 6: half the watched columns (income, not region) drift.
    assert shares[:2] == [0.0, 0.0] and shares[2:] == [0.5, 0.5]
    columns = {c["column"]: c for c in runs[-1].detail["drift"]["columns"]}
    assert columns["income"]["drifted"] and not columns["region"]["drifted"]
    assert {a.severity for a in Alert.objects.filter(monitor=monitor)} == {"critical"}


def test_windows_never_overlap_the_reference_and_wait_for_late_rows(world, make_monitor):
    from ombuds.monitoring.sources import bounds

    monitor = make_monitor("oversight")
    monitor.reference_end = dt.date(2026, 1, 21)  # a Wednesday
    assert runner.windows(monitor, dt.date(2026, 2, 2))[0] == (
        dt.date(2026, 1, 26),
        dt.date(2026, 2, 2),
    )
    closed = bounds(dt.date(2026, 1, 26), dt.date(2026, 2, 2))[1]
    assert runner.windows(monitor, dt.date(2026, 2, 2), now=closed + timedelta(hours=1)) == []
    assert len(runner.windows(monitor, dt.date(2026, 2, 2), now=closed + timedelta(hours=7))) == 1


def test_a_window_with_no_decisions_yet_is_tried_again(world, make_monitor):
    monitor = make_monitor("oversight")
    assert runner.run_window(monitor, dt.date(2026, 4, 6), dt.date(2026, 4, 13)) is None
    assert not MonitorRun.objects.exists() and not Alert.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_long_run_keeps_its_lease(world, make_monitor, monkeypatch):
    """The heartbeat renews the lease while the engine works: no other worker takes over."""
    from ombuds.monitoring import checks

    monitor = make_monitor("oversight")
    monkeypatch.setattr(runner, "HEARTBEAT", 0.01)
    seen = []
    real = checks.run_check

    def slow(*args):
        import time

        first = MonitorRun.objects.get().leased_until
        deadline = time.monotonic() + 5
        while MonitorRun.objects.get().leased_until == first and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(MonitorRun.objects.get().leased_until > first)
        return real(*args)

    monkeypatch.setattr(checks, "run_check", slow)
    run = runner.run_window(monitor, dt.date(2026, 2, 2), dt.date(2026, 2, 9))
    assert seen == [True] and run.status == "done" and run.attempts == 1
