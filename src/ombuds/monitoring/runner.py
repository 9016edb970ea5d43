"""Running monitors: which windows are due, and running one window idempotently.

A window is claimed with a lease on its run row; the figures, the status and the alerts are
written together in one transaction at the end. Kill the worker mid-run and the row stays
`running` until its lease expires; the next run takes it over and completes it. A window that is
done is never computed again, so no figure or alert is duplicated.
"""

from __future__ import annotations

import datetime as dt
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core import audit

from . import checks, notify
from .models import Alert, Monitor, MonitorRun, RunStatus, Severity
from .sources import SourceError, check, open_table, window_of

log = logging.getLogger("ombuds.monitoring")
LEASE = timedelta(minutes=30)
HEARTBEAT = 60  # seconds: a running window renews its lease this often
MAX_ATTEMPTS = 3
# A window is run once it has been closed this long: late rows have time to land.
GRACE = timedelta(hours=6)
# At most this many past windows per monitor per run: a monitor far behind catches up gradually.
CATCH_UP = 12


def next_window(window: str, start: dt.date) -> dt.date:
    if window == "daily":
        return start + timedelta(days=1)
    if window == "weekly":
        return start + timedelta(days=7)
    month = start.month % 12 + 1
    year = start.year + (1 if start.month == 12 else 0)
    return dt.date(year, month, 1)


def first_window_start(monitor: Monitor) -> dt.date:
    """The first whole window after the reference: never overlapping it."""
    start = monitor.reference_end
    if monitor.window == "weekly" and start.weekday():
        start += timedelta(days=7 - start.weekday())  # weeks start on Monday
    elif monitor.window == "monthly" and start.day != 1:
        start = next_window("monthly", start.replace(day=1))
    return start


def windows(monitor: Monitor, today: dt.date, now=None) -> list[tuple[dt.date, dt.date]]:
    """Every window from the end of the reference that closed at least GRACE ago."""
    from .sources import bounds

    now = now or timezone.now()
    out = []
    start = first_window_start(monitor)
    while True:
        end = next_window(monitor.window, start)
        if end > today or bounds(start, end)[1] + GRACE > now:
            return out
        out.append((start, end))
        start = end


def due_windows(monitor: Monitor, today: dt.date, now=None) -> list[tuple[dt.date, dt.date]]:
    finished = set(
        MonitorRun.objects.filter(monitor=monitor)
        .exclude(status=RunStatus.RUNNING)
        .exclude(status=RunStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
        .values_list("window_start", flat=True)
    )
    return [w for w in windows(monitor, today, now) if w[0] not in finished][:CATCH_UP]


def _claim(monitor: Monitor, start: dt.date, end: dt.date, now, force: bool) -> MonitorRun | None:
    with transaction.atomic():
        try:
            with transaction.atomic():
                run, _created = MonitorRun.objects.get_or_create(
                    monitor=monitor,
                    window_start=start,
                    defaults={"window_end": end, "leased_until": now + LEASE},
                )
        except IntegrityError:  # another worker created it a moment ago
            return None
        run = MonitorRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.DONE:
            return None
        if run.attempts and run.leased_until and run.leased_until > now and not force:
            return None  # another worker is on it
        if run.status == RunStatus.FAILED and run.attempts >= MAX_ATTEMPTS and not force:
            return None
        run.status = RunStatus.RUNNING
        run.attempts += 1
        run.leased_until = now + LEASE
        run.progress = _("reading the source")
        run.error = ""
        run.save(update_fields=["status", "attempts", "leased_until", "progress", "error"])
        return run


def _progress(run: MonitorRun, text: str) -> None:
    MonitorRun.objects.filter(pk=run.pk, attempts=run.attempts).update(
        progress=text, leased_until=timezone.now() + LEASE
    )


class _Heartbeat:
    """Renews a running window's lease while the engine works, so a long run (100 M rows, a
    Spark cluster) is not taken over by another worker."""

    def __init__(self, run: MonitorRun):
        import threading

        self.run, self.stop = run, threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name="monitor-heartbeat")

    def _beat(self):
        from django.db import connection

        try:
            while not self.stop.wait(HEARTBEAT):
                MonitorRun.objects.filter(pk=self.run.pk, attempts=self.run.attempts).update(
                    leased_until=timezone.now() + LEASE
                )
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)


def _ensure_reference(monitor: Monitor, table) -> dict:
    if monitor.reference:
        return monitor.reference
    ref_rows = window_of(
        table, monitor.source.mapping, monitor.reference_start, monitor.reference_end
    )
    ref = checks.reference(monitor.kind, ref_rows, monitor.source.mapping)
    Monitor.objects.filter(pk=monitor.pk).update(reference=ref)
    monitor.reference = ref
    return ref


def run_window(monitor: Monitor, start: dt.date, end: dt.date, *, now=None, force=False):
    """Run one window of a monitor. Returns the run (done or failed), or None when the window
    is already done or another worker holds it. Alerts are written in the site's language."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return _run_window(monitor, start, end, now=now, force=force)


def _run_window(monitor: Monitor, start: dt.date, end: dt.date, *, now=None, force=False):
    now = now or timezone.now()
    run = _claim(monitor, start, end, now, force)
    if run is None:
        return None
    attempt = run.attempts
    figures: dict = {}
    detail: dict = {}
    error = ""
    try:
        problems = check(monitor.source, [monitor.kind])
        if problems:
            raise SourceError("; ".join(problems))
        table = open_table(monitor.source)
        _progress(run, _("computing the reference"))
        ref = _ensure_reference(monitor, table)
        _progress(run, _("computing the window"))
        with _Heartbeat(run):
            figures, detail = checks.run_check(
                monitor.kind,
                window_of(table, monitor.source.mapping, start, end),
                monitor.source.mapping,
                ref,
                monitor.thresholds,
            )
    except checks.NoDataYet:
        # No decisions logged for the window (yet): record nothing, try again later.
        MonitorRun.objects.filter(pk=run.pk, attempts=attempt, status=RunStatus.RUNNING).delete()
        return None
    except SourceError as exc:
        error = str(exc)
    except Exception as exc:  # a broken source must not stop the worker
        log.exception("monitor %s window %s failed", monitor.pk, start)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        error = f"{type(exc).__name__}: {first}"
    return _finish(monitor, run.pk, attempt, figures, detail, error)


def _finish(monitor, run_id, attempt, figures, detail, error):
    created: list[Alert] = []
    with transaction.atomic():
        run = MonitorRun.objects.select_for_update().get(pk=run_id)
        if run.status == RunStatus.DONE or run.attempts != attempt:
            return run  # someone else finished or took over: keep theirs, write nothing
        run.finished_at = timezone.now()
        run.leased_until = None
        run.progress = ""
        if error:
            run.status = RunStatus.FAILED
            run.error = error
            run.save()
            if Alert.objects.filter(
                monitor=monitor, metric="run_error", acknowledged_at__isnull=True
            ).exists():
                # One open "cannot run" alert per monitor: a source down for a month is one
                # alert, not thirty.
                audit.record(
                    action="monitor.run",
                    obj=monitor.system,
                    agency=monitor.system.agency,
                    changes={
                        "monitor": monitor.pk,
                        "window": [run.window_start.isoformat(), run.window_end.isoformat()],
                        "status": run.status,
                        "alerts": [],
                    },
                )
                return run
            alert, new = Alert.objects.get_or_create(
                run=run,
                metric="run_error",
                defaults={
                    "system": monitor.system,
                    "monitor": monitor,
                    "severity": Severity.WARNING,
                    "message": _("The %(kind)s monitor could not run for %(start)s: %(error)s")
                    % {
                        "kind": monitor.get_kind_display(),
                        "start": run.window_start,
                        "error": error,
                    },
                },
            )
            if new:
                created.append(alert)
        else:
            run.status = RunStatus.DONE
            run.figures = figures
            run.detail = _jsonable(detail)
            run.rows = figures.get("rows")
            run.save()
            for b in checks.breaches(figures, monitor.thresholds):
                alert, new = Alert.objects.get_or_create(
                    run=run,
                    metric=b["metric"],
                    defaults={
                        "system": monitor.system,
                        "monitor": monitor,
                        "severity": b["severity"],
                        "value": b["value"],
                        "threshold": b["threshold"],
                        "message": _describe(monitor, run, b),
                    },
                )
                if new:
                    created.append(alert)
        audit.record(
            action="monitor.run",
            obj=monitor.system,
            agency=monitor.system.agency,
            changes={
                "monitor": monitor.pk,
                "window": [run.window_start.isoformat(), run.window_end.isoformat()],
                "status": run.status,
                "alerts": [a.pk for a in created],
            },
        )
        if created:
            transaction.on_commit(lambda: notify.alerts(created))
    return run


def _describe(monitor, run, b) -> str:
    special = _describe_oversight(monitor, run, b)
    if special:
        return special
    words = _("above") if b["direction"] == "above" else _("below")
    severity = {"warning": _("warning"), "critical": _("critical")}[b["severity"]]
    return _(
        "%(metric)s was %(value).3g in the %(window)s window from %(start)s, %(words)s the "
        "%(severity)s threshold %(threshold).3g."
    ) % {
        "metric": b["metric"],
        "value": b["value"],
        "window": monitor.get_window_display().lower(),
        "start": run.window_start.isoformat(),
        "words": words,
        "severity": severity,
        "threshold": b["threshold"],
    }


def _describe_oversight(monitor, run, b) -> str | None:
    """The automation-bias signals in words. No operator is named: alerts reach everyone who
    may see the monitor, per-operator figures only governance leads."""
    p = checks.params(monitor.kind, monitor.thresholds)
    start = run.window_start.isoformat()
    if b["metric"] == "rubber_stamping_operators":
        return _(
            "Possible rubber-stamping in the window from %(start)s: %(n)d operator(s) agreed "
            "with the system in at least %(agree).0f%% of their decisions with a median review "
            "under %(seconds)g seconds. Governance leads see who on the monitor's page."
        ) % {
            "start": start,
            "n": int(b["value"]),
            "agree": 100 * float(p.get("agreement_at_least", 0.98)),
            "seconds": float(p.get("review_seconds_below", 10)),
        }
    if b["metric"] == "always_agreeing_operators":
        return _(
            "Possible rubber-stamping in the window from %(start)s: %(n)d operator(s) agreed "
            "with the system in at least %(agree).1f%% of at least %(min)d decided cases (the "
            "log records no review times). Governance leads see who on the monitor's page."
        ) % {
            "start": start,
            "n": int(b["value"]),
            "agree": 100 * float(p.get("agreement_only_at_least", 0.995)),
            "min": int(p.get("agreement_only_min_decisions", 200)),
        }
    if monitor.kind == "oversight" and (run.figures or {}).get("operators", 2) < 2:
        # One operator in the window: the overall figure is that person's, which only
        # governance leads may see. The alert says which threshold, not the value.
        return _(
            "%(metric)s crossed the %(severity)s threshold %(threshold).3g in the window from "
            "%(start)s. One operator decided in this window, so the figure is shown to "
            "governance leads only."
        ) % {
            "metric": b["metric"],
            "severity": {"warning": _("warning"), "critical": _("critical")}[b["severity"]],
            "threshold": b["threshold"],
            "start": start,
        }
    if b["metric"] == "override_rate_vs_reference":
        return _(
            "Overrides have almost stopped in the window from %(start)s: people overrode the "
            "system at %(pct).0f%% of the reference period's rate (%(base).1f%% of decisions "
            "then). Check that operators still review each case."
        ) % {
            "start": start,
            "pct": 100 * b["value"],
            "base": 100 * float((monitor.reference or {}).get("override_rate") or 0),
        }
    if b["metric"] == "override_rate_group_ratio":
        return _(
            "Override rates differ across protected groups in the window from %(start)s: the "
            "lowest group's rate is %(ratio).2f of the highest's, %(words)s the %(severity)s "
            "threshold %(threshold).2f. The system may err more for one group, or people may "
            "treat groups differently."
        ) % {
            "start": start,
            "ratio": b["value"],
            "words": _("below"),
            "severity": {"warning": _("warning"), "critical": _("critical")}[b["severity"]],
            "threshold": b["threshold"],
        }
    return None


def _jsonable(value):
    import json

    return json.loads(json.dumps(value, default=str))


def run_monitor(monitor: Monitor, *, today=None, now=None, force=False) -> list[MonitorRun]:
    """Run the due windows of a monitor; with force, also windows that failed for good."""
    today = today or timezone.localdate()
    done = []
    due = due_windows(monitor, today, now)
    if force:
        finished = set(
            MonitorRun.objects.filter(monitor=monitor, status=RunStatus.DONE).values_list(
                "window_start", flat=True
            )
        )
        due = [w for w in windows(monitor, today, now) if w[0] not in finished][:CATCH_UP]
    for start, end in due:
        run = run_window(monitor, start, end, now=now, force=force)
        if run is not None:
            done.append(run)
    return done


def run_due(today=None, now=None) -> int:
    """The scheduler's job: every enabled monitor's due windows."""
    count = 0
    for monitor in Monitor.objects.filter(enabled=True).select_related("source", "system__agency"):
        count += len(run_monitor(monitor, today=today, now=now))
    return count
