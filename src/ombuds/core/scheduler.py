"""A small scheduler for periodic work, run by `ombuds worker` beside the task queue.

Apps register jobs at start-up (`register("monitoring.due-monitors", every=timedelta(minutes=5),
run=func)`); `run_due()` runs those whose time has come. Each job is claimed with a row lock and
a lease, so many workers can run side by side: one runs a job, the others skip it, and a job
whose worker died is taken over when its lease expires. A job must be idempotent: the scheduler
promises "at least once per period", not "exactly once".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

log = logging.getLogger("ombuds.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], object]
    lease: timedelta = timedelta(minutes=30)


_JOBS: dict[str, Job] = {}


def register(name: str, every: timedelta, run: Callable[[], object], lease=None) -> None:
    _JOBS[name] = Job(name, every, run, lease or timedelta(minutes=30))


def unregister(name: str) -> None:
    _JOBS.pop(name, None)


def jobs() -> list[Job]:
    return list(_JOBS.values())


def _claim(job: Job, now) -> bool:
    from .models import ScheduledJob

    with transaction.atomic():
        row, _created = ScheduledJob.objects.select_for_update().get_or_create(
            name=job.name, defaults={"next_run_at": now}
        )
        if row.next_run_at > now:
            return False
        if row.leased_until and row.leased_until > now:
            return False  # another worker is running it
        row.leased_until = now + job.lease
        row.last_started_at = now
        row.save(update_fields=["leased_until", "last_started_at"])
    return True


def _finish(job: Job, error: str = "") -> None:
    from .models import ScheduledJob

    now = timezone.now()
    ScheduledJob.objects.filter(name=job.name).update(
        leased_until=None,
        last_finished_at=now,
        next_run_at=now + job.every,
        last_error=error,
    )


def run_due(now=None) -> list[str]:
    """Run every registered job that is due; return the names of those run. A failing job is
    logged and recorded on its row; it does not stop the others or the worker."""
    now = now or timezone.now()
    ran = []
    for job in list(_JOBS.values()):
        if not _claim(job, now):
            continue
        try:
            job.run()
        except Exception as exc:  # one broken job must not stop the worker
            log.exception("scheduled job %s failed", job.name)
            _finish(job, f"{type(exc).__name__}: {exc}"[:2000])
        else:
            _finish(job)
        ran.append(job.name)
    return ran
