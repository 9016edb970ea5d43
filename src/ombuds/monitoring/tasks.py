"""Background runs of monitors on the database task queue (`ombuds worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_monitor_task(monitor_id: int) -> int:
    from . import runner
    from .models import Monitor

    monitor = (
        Monitor.objects.select_related("source", "system__agency").filter(pk=monitor_id).first()
    )
    if monitor is None:
        return 0
    return len(runner.run_monitor(monitor, force=True))  # "Run now" also retries failures
