"""The control the monitoring app checks, registered with the gate in core at start-up."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ombuds.core import controls

from .models import Alert, Monitor, MonitorRun, RunStatus


def monitoring_active(system, to_stage: str) -> str | None:
    if not Monitor.objects.filter(system=system, enabled=True).exists():
        return _("no monitor watches the system's decisions")
    if not MonitorRun.objects.filter(
        monitor__system=system, monitor__enabled=True, status=RunStatus.DONE
    ).exists():
        return _("no monitor has completed a window yet: run one on the decision log")
    return None


def no_open_critical(system, to_stage: str) -> str | None:
    open_critical = Alert.objects.filter(
        system=system, severity="critical", acknowledged_at__isnull=True
    ).count()
    if open_critical:
        return _(
            "%(n)d critical alert(s) not yet acknowledged: say what was found and done first"
        ) % {"n": open_critical}
    return None


CONTROLS = [
    controls.Control(
        "monitoring.no-open-critical",
        "No unanswered critical alert",
        no_open_critical,
        lambda s: reverse("system_monitoring", args=[s.pk]),
    ),
    controls.Control(
        "monitoring.active",
        "Monitoring active",
        monitoring_active,
        lambda s: reverse("system_monitoring", args=[s.pk]),
    ),
]


def register() -> None:
    for control in CONTROLS:
        controls.register(control)
