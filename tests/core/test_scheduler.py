"""The scheduler runs each due job once per period, one worker at a time, and a failing job
neither stops the others nor the worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ombuds.core import scheduler
from ombuds.core.models import ScheduledJob


@pytest.fixture
def jobs():
    calls = []
    names = []

    def add(name, every=timedelta(hours=1), fail=False):
        def run():
            calls.append(name)
            if fail:
                raise RuntimeError("the source is down")

        scheduler.register(name, every, run)
        names.append(name)

    yield add, calls
    for n in names:
        scheduler.unregister(n)


def _only(ran, names):
    return [r for r in ran if r in names]


def test_a_due_job_runs_once_per_period(db, jobs):
    add, calls = jobs
    add("test.hourly")
    now = timezone.now()
    assert _only(scheduler.run_due(now), {"test.hourly"}) == ["test.hourly"]
    assert _only(scheduler.run_due(now + timedelta(minutes=30)), {"test.hourly"}) == []
    assert "test.hourly" in scheduler.run_due(timezone.now() + timedelta(hours=2))
    assert calls.count("test.hourly") == 2


def test_a_job_held_by_another_worker_is_skipped_until_its_lease_expires(db, jobs):
    add, calls = jobs
    add("test.leased")
    now = timezone.now()
    ScheduledJob.objects.create(
        name="test.leased", next_run_at=now, leased_until=now + timedelta(minutes=5)
    )
    assert "test.leased" not in scheduler.run_due(now)
    # The worker holding it died: after the lease, another takes over.
    assert "test.leased" in scheduler.run_due(now + timedelta(minutes=6))
    assert calls.count("test.leased") == 1


def test_a_failing_job_is_recorded_and_the_others_still_run(db, jobs):
    add, calls = jobs
    add("test.broken", fail=True)
    add("test.fine")
    ran = scheduler.run_due()
    assert {"test.broken", "test.fine"} <= set(ran)
    broken = ScheduledJob.objects.get(name="test.broken")
    assert "the source is down" in broken.last_error and broken.leased_until is None
    assert ScheduledJob.objects.get(name="test.fine").last_error == ""
