from __future__ import annotations

import hashlib
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ombuds.core.permissions import access, check_object, has_perm, scope
from ombuds.registry import lifecycle
from ombuds.registry.forms import apply_errors
from ombuds.registry.models import AISystem

from . import charts, services
from .models import Alert, DecisionSource, Monitor, MonitorKind, SourceKind, Window


def _system(request, pk: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=pk)
    check_object(request.user, perm, system.agency_id)
    return system


class SourceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("Where the decisions are"),
        # Records Ombuds keeps itself are watched from their own app, not entered here.
        choices=[c for c in SourceKind.choices if c[0] != SourceKind.OMBUDS],
        widget=forms.RadioSelect,
    )
    location = forms.CharField(
        label=gettext_lazy("Path, glob or table"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Not needed for an upload."),
    )
    file = forms.FileField(
        label=gettext_lazy("Decision log to upload (CSV or Parquet)"), required=False
    )
    connection_env = forms.CharField(
        label=gettext_lazy("Environment variable with the connection URL"),
        required=False,
        max_length=100,
    )
    connection_file = forms.CharField(
        label=gettext_lazy("Or a secrets file with the connection URL"),
        required=False,
        max_length=500,
    )
    time = forms.CharField(label=gettext_lazy("Column: when the decision was made"), max_length=200)
    prediction = forms.CharField(
        label=gettext_lazy("Column: the system's decision (0/1)"), required=False
    )
    score = forms.CharField(label=gettext_lazy("Column: the system's score"), required=False)
    threshold = forms.FloatField(label=gettext_lazy("Score threshold"), required=False)
    label = forms.CharField(
        label=gettext_lazy("Column: the true outcome (may arrive later)"), required=False
    )
    positive = forms.CharField(
        label=gettext_lazy("Outcome value that means positive"), required=False
    )
    protected = forms.CharField(
        label=gettext_lazy("Columns: protected attributes (comma-separated)"), required=False
    )
    features = forms.CharField(
        label=gettext_lazy("Columns: features to watch for drift (comma-separated)"), required=False
    )
    final_decision = forms.CharField(
        label=gettext_lazy("Column: the person's final decision"), required=False
    )
    overridden = forms.CharField(
        label=gettext_lazy("Column: whether the person overrode the system"), required=False
    )
    appeal_outcome = forms.CharField(label=gettext_lazy("Column: appeal outcome"), required=False)
    operator = forms.CharField(
        label=gettext_lazy("Column: who decided (staff username or id)"), required=False
    )
    review_seconds = forms.CharField(
        label=gettext_lazy("Column: how long the person reviewed the case (seconds)"),
        required=False,
    )

    MAPPING = [
        "time",
        "prediction",
        "score",
        "threshold",
        "label",
        "positive",
        "protected",
        "features",
        "final_decision",
        "overridden",
        "appeal_outcome",
        "operator",
        "review_seconds",
    ]

    def values(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "kind": d["kind"],
            "location": d["location"],
            "connection_env": d["connection_env"],
            "connection_file": d["connection_file"],
            "mapping": {k: d[k] for k in self.MAPPING if d.get(k) not in (None, "")},
        }


class MonitorForm(forms.Form):
    source = forms.ModelChoiceField(
        label=gettext_lazy("Source"), queryset=DecisionSource.objects.none()
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("What to watch"), choices=MonitorKind.choices, widget=forms.RadioSelect
    )
    window = forms.ChoiceField(
        label=gettext_lazy("Window"), choices=Window.choices, initial="weekly"
    )
    reference_start = forms.DateField(
        label=gettext_lazy("Reference period from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference_end = forms.DateField(
        label=gettext_lazy("Reference period until (exclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, system=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = DecisionSource.objects.filter(system=system)


def _store_upload(system, upload) -> str:
    """Keep an uploaded decision log under the data directory; returns its path."""
    name = Path(upload.name or "log").name
    if not name.lower().endswith((".csv", ".parquet", ".pq")):
        raise ValidationError({"file": _("Upload a CSV or Parquet file.")})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    folder = Path(settings.MEDIA_ROOT) / "monitoring" / str(system.pk)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest.hexdigest()[:16]}-{name}"
    with open(target, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return str(target)


@access("monitor.view")
def system_monitoring(request, pk):
    system = _system(request, pk, "monitor.view")
    user = request.user
    monitors = list(system.monitors.select_related("source"))
    for m in monitors:
        m.last = m.runs.order_by("-window_start").first()
    return render(
        request,
        "monitoring/system_monitoring.html",
        {
            "system": system,
            "sources": system.sources.all(),
            "monitors": monitors,
            "alerts": Alert.objects.filter(system=system).select_related("acknowledged_by")[:100],
            "recommended": services.suspension_recommended(system),
            "can_edit": has_perm(user, "monitor.edit", system.agency_id),
            "can_ack": has_perm(user, "alert.acknowledge", system.agency_id),
            "can_suspend": has_perm(user, "system.suspend", system.agency_id)
            and system.stage in ("pilot", "deployed"),
        },
    )


@access("monitor.edit")
def source_create(request, pk):
    system = _system(request, pk, "monitor.edit")
    form = SourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        stored = None
        try:
            if values["kind"] == SourceKind.UPLOAD:
                upload = form.cleaned_data.get("file")
                if upload is None:
                    raise ValidationError({"file": _("Choose the file to upload.")})
                values["location"] = stored = _store_upload(system, upload)
            services.save_source(request.user, system, values)
        except ValidationError as exc:
            if stored:
                Path(stored).unlink(missing_ok=True)  # no file kept without its source
            errors = {}
            for key, msgs in exc.message_dict.items():
                field = key.split(".", 1)[1] if key.startswith("mapping.") else key
                errors.setdefault(field if field in form.fields else None, []).extend(msgs)
            for field, msgs in errors.items():
                form.add_error(field, msgs)
        else:
            messages.success(request, _("Source saved: its columns match the mapping."))
            return redirect("system_monitoring", pk=system.pk)
    return render(
        request,
        "monitoring/form.html",
        {
            "system": system,
            "form": form,
            "title": _("Add a decision-log source"),
            "multipart": True,
        },
    )


@access("monitor.edit")
def monitor_create(request, pk):
    system = _system(request, pk, "monitor.edit")
    form = MonitorForm(request.POST or None, system=system)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_monitor(request.user, system, dict(form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Monitor added; it runs for each window as it closes."))
            return redirect("system_monitoring", pk=system.pk)
    return render(
        request,
        "monitoring/form.html",
        {
            "system": system,
            "form": form,
            "title": _("Add a monitor"),
        },
    )


def one_persons(monitor, run) -> bool:
    """Whether a window's overall oversight figures are in fact one person's: an oversight
    monitor whose log names operators, with fewer than two in the window. Those figures are
    per-operator figures and go to governance leads only."""
    if monitor.kind != "oversight":
        return False
    mapped = bool((monitor.source.mapping or {}).get("operator"))
    figures = run.figures or {}
    count = figures.get("operators", 0 if mapped else 2)
    return count is not None and count < 2


def visible_figures(user, monitor, run) -> dict:
    """A run's figures as this person may see them (see one_persons)."""
    if one_persons(monitor, run) and not has_perm(
        user, "compliance.view", monitor.system.agency_id
    ):
        return {}
    return dict(run.figures or {})


@access("monitor.view")
def monitor_detail(request, pk, monitor):
    system = _system(request, pk, "monitor.view")
    found = get_object_or_404(Monitor.objects.select_related("source"), pk=monitor, system=system)
    lead = has_perm(request.user, "compliance.view", system.agency_id)
    runs = list(found.runs.order_by("window_start"))
    withheld = False
    for r in runs:
        if not lead and one_persons(found, r):
            r.figures, r.detail, withheld = {}, {}, bool(r.figures) or withheld
    names: list[str] = []
    for r in runs:
        for k, v in (r.figures or {}).items():
            if k not in names and isinstance(v, int | float) and not k.endswith("_sigma"):
                names.append(k)
    figures = []
    for name in names:
        points = [(r.window_start.isoformat(), (r.figures or {}).get(name)) for r in runs]
        lines = []
        for t in found.thresholds:
            if t["metric"] == name:
                for level in ("warning", "critical"):
                    if t.get(level) is not None:
                        lines.append((f"{level} ({t['direction']})", t[level]))
        figures.append(
            {
                "name": name,
                "svg": mark_safe(charts.line_chart(name, points, lines)),  # noqa: S308 — built and escaped by charts
                "rows": points,
            }
        )
    latest = next((r for r in reversed(runs) if r.status == "done"), None)
    return render(
        request,
        "monitoring/monitor_detail.html",
        {
            "system": system,
            "monitor": found,
            "runs": runs[::-1],
            "figures": figures,
            "can_edit": has_perm(request.user, "monitor.edit", system.agency_id),
            # Per-operator figures: governance leads only, never published.
            "operators": (latest.detail or {}).get("operators") if lead and latest else None,
            "operators_window": latest,
            "groups": (latest.detail or {}).get("override_rates_by_group") if latest else None,
            "withheld": withheld,
        },
    )


def visible_detail(user, run) -> dict:
    """A run's detail as this person may see it: per-operator figures only for governance
    leads (compliance.view)."""
    detail = dict(run.detail or {})
    if not has_perm(user, "compliance.view", run.monitor.system.agency_id):
        detail.pop("operators", None)
        if one_persons(run.monitor, run):
            return {}
    return detail


@access("monitor.view")
def monitor_json(request, pk, monitor):
    """The monitor page's JSON twin: its windows with figures and detail."""
    from django.http import JsonResponse

    system = _system(request, pk, "monitor.view")
    found = get_object_or_404(
        Monitor.objects.select_related("system", "source"), pk=monitor, system=system
    )
    runs = found.runs.order_by("window_start")
    return JsonResponse(
        {
            "schema": "ombuds.monitor/1",
            "system_id": system.pk,
            "monitor": found.pk,
            "kind": found.kind,
            "window": found.window,
            "thresholds": found.thresholds,
            "runs": [
                {
                    "window_start": r.window_start.isoformat(),
                    "window_end": r.window_end.isoformat(),
                    "status": r.status,
                    "rows": r.rows,
                    "figures": visible_figures(request.user, found, r),
                    "detail": visible_detail(request.user, r),
                    "error": r.error,
                }
                for r in runs
            ],
        }
    )


@access("monitor.edit")
def monitor_run_now(request, pk, monitor):
    system = _system(request, pk, "monitor.edit")
    found = get_object_or_404(Monitor, pk=monitor, system=system)
    if request.method == "POST":
        from .tasks import run_monitor_task

        run_monitor_task.enqueue(found.pk)
        messages.success(
            request, _("Queued: the worker runs every due window and shows progress here.")
        )
    return redirect("monitor_detail", pk=system.pk, monitor=found.pk)


class AckForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What was found and what is being done"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@access("alert.acknowledge")
def alert_acknowledge(request, pk, alert):
    system = _system(request, pk, "alert.acknowledge")
    found = get_object_or_404(Alert, pk=alert, system=system)
    form = AckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.acknowledge(request.user, found, form.cleaned_data["note"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Alert acknowledged."))
            return redirect("system_monitoring", pk=system.pk)
    return render(
        request,
        "monitoring/form.html",
        {
            "system": system,
            "form": form,
            "title": _("Acknowledge an alert"),
            "lead": found.message,
        },
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for suspending"), widget=forms.Textarea(attrs={"rows": 3})
    )


@access("system.suspend")
def system_suspend(request, pk):
    system = _system(request, pk, "system.suspend")
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.suspend(request.user, system, form.cleaned_data["reason"])
        except lifecycle.TransitionRefused as exc:
            form.add_error(None, exc.detail)
        except lifecycle.ReasonRequired as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("Suspended. It resumes only through the gate."))
            return redirect("system_monitoring", pk=system.pk)
    return render(
        request,
        "monitoring/form.html",
        {
            "system": system,
            "form": form,
            "title": _("Suspend %(name)s") % {"name": system.name},
            "lead": _(
                "The system moves to suspended now; its owners and the governance leads are told. To resume, it must pass the gate again."
            ),
        },
    )


@access("login")
def overview(request):
    systems = scope(AISystem.objects.select_related("agency"), request.user, "monitor.view")
    alerts = Alert.objects.filter(system__in=systems, acknowledged_at__isnull=True).select_related(
        "system", "monitor"
    )[:200]
    recommended = sorted(
        {a.system for a in alerts if a.severity == "critical"}, key=lambda s: s.name
    )
    return render(
        request, "monitoring/overview.html", {"alerts": alerts, "recommended": recommended}
    )
