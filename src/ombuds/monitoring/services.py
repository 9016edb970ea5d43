"""Sources, monitors, alerts and suspension: permission, validation, change and audit together."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core import audit
from ombuds.core.permissions import check_object
from ombuds.core.validation import check_text
from ombuds.registry import lifecycle
from ombuds.registry.models import AISystem, Stage

from . import checks, notify
from .models import Alert, DecisionSource, Monitor, MonitorKind, SourceKind, Window
from .sources import check, clean_mapping

# Parameters a threshold may carry for its check (the automation-bias signals).
PARAMS = {
    "agreement_at_least",
    "review_seconds_below",
    "min_decisions",
    "min_reference_rate",
    "min_group",
    "min_difference",
    "agreement_only_at_least",
    "agreement_only_min_decisions",
}
# The range each parameter must lie in: (lowest, highest, whole number).
PARAM_RANGES = {
    "agreement_at_least": (0.0, 1.0, False),
    "agreement_only_at_least": (0.0, 1.0, False),
    "min_reference_rate": (0.0, 1.0, False),
    "min_difference": (0.0, 1.0, False),
    "review_seconds_below": (0.0, None, False),
    "min_decisions": (1, None, True),
    "agreement_only_min_decisions": (1, None, True),
    "min_group": (1, None, True),
}


def _param(where: str, key: str, value) -> float:
    """A check parameter as a finite number within its range; the message names the field."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValidationError({where: _("%(key)s must be a number.") % {"key": key}})
    low, high, whole = PARAM_RANGES.get(key, (None, None, False))
    if whole and number != int(number):
        raise ValidationError({where: _("%(key)s must be a whole number.") % {"key": key}})
    if (low is not None and number < low) or (high is not None and number > high):
        if high is None:
            message = _("%(key)s must be at least %(low)g.") % {"key": key, "low": low}
        else:
            message = _("%(key)s must be from %(low)g to %(high)g.") % {
                "key": key,
                "low": low,
                "high": high,
            }
        raise ValidationError({where: message})
    return number


ENV_NAME = re.compile(r"^OMBUDS_SOURCE_[A-Z0-9_]{1,80}$")


def _record(actor, action, system, changes):
    audit.record(actor=actor, action=action, obj=system, agency=system.agency, changes=changes)


def save_source(actor, system: AISystem, values: dict[str, Any], source=None) -> DecisionSource:
    """Create or change a source; the mapping is checked against the source itself and every
    problem is named. Nothing is saved while a problem remains."""
    check_object(actor, "monitor.edit", system.agency_id)
    errors: dict[str, Any] = {}
    kind = values.get("kind")
    if kind == SourceKind.OMBUDS:
        errors["kind"] = _(
            "Records Ombuds keeps itself are watched from the app that keeps them (appeals: "
            "the system's appeal route)."
        )
    elif kind not in SourceKind.values:
        errors["kind"] = _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(SourceKind.values)}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the source a name.")
    location = str(values.get("location") or "").strip()
    if not location:
        errors["location"] = _("Give the path, glob or table.")
    env = str(values.get("connection_env") or "").strip()
    secret_file = str(values.get("connection_file") or "").strip()
    if kind == SourceKind.DATABASE:
        if not env and not secret_file:
            errors["connection_env"] = _(
                "Name the environment variable (or the secrets file) that holds the connection "
                "URL; connection settings are never stored in Ombuds."
            )
        if env and not ENV_NAME.match(env):
            errors["connection_env"] = _(
                "Name an environment variable that starts with OMBUDS_SOURCE_ (capitals, "
                "digits and _): only those are read for sources."
            )
        if "://" in env or "://" in secret_file:
            errors["connection_env"] = _(
                "That looks like a connection URL: put it in an environment variable or a "
                "secrets file, and name that here."
            )
    try:
        mapping = clean_mapping(values.get("mapping") or {})
    except ValidationError as exc:
        errors.update({f"mapping.{k}": v for k, v in exc.message_dict.items()})
        mapping = {}
    if errors:
        raise ValidationError(errors)
    check_text({"name": name, "location": location, "mapping": mapping})
    probe = DecisionSource(
        system=system,
        name=name,
        kind=kind,
        location=location,
        connection_env=env,
        connection_file=secret_file,
        mapping=mapping,
    )
    problems = check(probe)
    if problems:
        raise ValidationError({"mapping": problems})
    with transaction.atomic():
        if source is None:
            probe.created_by = actor
            probe.checked_at = timezone.now()
            probe.save()
            source = probe
            action = "source.create"
        else:
            for f in ("name", "kind", "location", "connection_env", "connection_file", "mapping"):
                setattr(source, f, getattr(probe, f))
            source.checked_at, source.check_error = timezone.now(), ""
            source.save()
            Monitor.objects.filter(source=source).update(reference={})  # recomputed next run
            action = "source.update"
        _record(
            actor,
            action,
            system,
            {
                "source": source.pk,
                "name": name,
                "kind": kind,
                "location": location,
                "mapping": mapping,
            },
        )
    return source


def watch_internal(actor, system: AISystem, name: str, kind: str, window: str = "monthly"):
    """A monitor on records Ombuds keeps itself (sources.INTERNAL), created once: the source
    and the monitor, starting from today. Returns the monitor (the existing one if any)."""
    from .sources import INTERNAL

    check_object(actor, "monitor.edit", system.agency_id)
    internal = INTERNAL[name]
    today = timezone.localdate()
    with transaction.atomic():
        # The system's row is the lock: two saves of the route at once make one monitor.
        AISystem.objects.select_for_update().filter(pk=system.pk).first()
        existing = Monitor.objects.filter(
            system=system, kind=kind, source__kind=SourceKind.OMBUDS, source__location=name
        ).first()
        if existing is not None:
            return existing
        source = DecisionSource.objects.filter(
            system=system, kind=SourceKind.OMBUDS, location=name
        ).first() or DecisionSource.objects.create(
            system=system,
            kind=SourceKind.OMBUDS,
            location=name,
            name=str(internal.label),
            mapping=dict(internal.mapping),
            created_by=actor,
            checked_at=timezone.now(),
        )
        monitor = Monitor.objects.create(
            system=system,
            source=source,
            kind=kind,
            window=window,
            reference_start=today - dt.timedelta(days=1),
            reference_end=today,
            thresholds=[dict(t) for t in checks.DEFAULT_THRESHOLDS[kind]],
            created_by=actor,
        )
        _record(
            actor,
            "monitor.create",
            system,
            {"monitor": monitor.pk, "kind": kind, "window": window, "source": name},
        )
    return monitor


def _thresholds(kind: str, raw) -> list[dict]:
    if raw in (None, "", []):
        return [dict(t) for t in checks.DEFAULT_THRESHOLDS[kind]]
    if not isinstance(raw, list):
        raise ValidationError({"thresholds": _("Give a list of thresholds.")})
    out = []
    for i, t in enumerate(raw):
        where = f"thresholds[{i}]"
        if not isinstance(t, dict) or not t.get("metric"):
            raise ValidationError({where: _("Each threshold names its metric.")})
        if t.get("direction", "above") not in ("above", "below"):
            raise ValidationError({where: _("The direction is above or below.")})
        clean = {"metric": str(t["metric"]), "direction": t.get("direction", "above")}
        for level in ("warning", "critical"):
            value = t.get(level)
            if value in (None, ""):
                clean[level] = None
                continue
            try:
                clean[level] = float(value)
            except (TypeError, ValueError):
                clean[level] = math.nan
            if isinstance(value, bool) or not math.isfinite(clean[level]):
                raise ValidationError({where: _("%(level)s must be a number.") % {"level": level}})
        if clean["warning"] is None and clean["critical"] is None:
            raise ValidationError({where: _("Give a warning or a critical level.")})
        if t.get("sigma_guard"):
            clean["sigma_guard"] = True
        for key, value in t.items():
            if key in checks.THRESHOLD_KEYS:
                continue
            if key not in PARAMS:
                raise ValidationError(
                    {
                        where: _("Unknown setting %(key)s; settings are: %(known)s.")
                        % {"key": key, "known": ", ".join(sorted(PARAMS))}
                    }
                )
            clean[key] = _param(where, key, value)
        out.append(clean)
    return out


def create_monitor(actor, system: AISystem, values: dict[str, Any]) -> Monitor:
    check_object(actor, "monitor.edit", system.agency_id)
    errors: dict[str, Any] = {}
    kind, window = values.get("kind"), values.get("window")
    if kind not in MonitorKind.values:
        errors["kind"] = _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(MonitorKind.values)}
    if window not in Window.values:
        errors["window"] = _("Choose daily, weekly or monthly.")
    source = values.get("source")
    if not isinstance(source, DecisionSource) or source.system_id != system.pk:
        errors["source"] = _("Choose one of this system's sources.")
    start, end = values.get("reference_start"), values.get("reference_end")
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or start >= end:
        errors["reference_end"] = _("The reference period needs a start before its end.")
    if errors:
        raise ValidationError(errors)
    thresholds = _thresholds(kind, values.get("thresholds"))
    problems = check(source, [kind])
    if problems:
        raise ValidationError({"source": problems})
    with transaction.atomic():
        monitor = Monitor.objects.create(
            system=system,
            source=source,
            kind=kind,
            window=window,
            reference_start=start,
            reference_end=end,
            thresholds=thresholds,
            created_by=actor,
        )
        _record(
            actor,
            "monitor.create",
            system,
            {
                "monitor": monitor.pk,
                "kind": kind,
                "window": window,
                "thresholds": thresholds,
                "reference": [start.isoformat(), end.isoformat()],
            },
        )
    return monitor


def acknowledge(actor, alert: Alert, note: str) -> Alert:
    check_object(actor, "alert.acknowledge", alert.system.agency_id)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was found and what is being done.")})
    check_text({"note": note})
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            raise ValidationError({"note": _("This alert is already acknowledged.")})
        alert.acknowledged_at, alert.acknowledged_by, alert.note = timezone.now(), actor, note
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
        _record(actor, "alert.acknowledge", alert.system, {"alert": alert.pk, "note": note})
    return alert


def suspension_recommended(system: AISystem) -> bool:
    return Alert.objects.filter(
        system=system, severity="critical", acknowledged_at__isnull=True
    ).exists()


def suspend(actor, system: AISystem, reason: str):
    """The governance lead stops the use of a system in one action: it moves to suspended (with
    its audit event), the owners and leads are told, and it resumes only through the gate."""
    check_object(actor, "system.suspend", system.agency_id)
    if system.stage not in (Stage.PILOT, Stage.DEPLOYED):
        raise lifecycle.TransitionRefused(
            "not_in_use", _("Only a system in pilot or deployed can be suspended.")
        )
    change = lifecycle.transition(system, Stage.SUSPENDED, reason, actor)
    notify.suspended(system, change.reason, actor)
    return change
