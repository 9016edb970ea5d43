from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ombuds.registry.models import AISystem


class SourceKind(models.TextChoices):
    UPLOAD = "upload", _("Uploaded files kept by Ombuds")
    PATH = "path", _("A path or glob of Parquet or CSV files")
    DATABASE = "database", _("A database table (DuckDB, PostgreSQL, Spark…)")
    OMBUDS = "ombuds", _("Records Ombuds keeps itself (e.g. appeals decided)")


class DecisionSource(models.Model):
    """Where a system's decisions are logged, and which column holds what.

    Connection settings never live in the database in plain text: a database source names an
    environment variable (or a secrets file) that holds its connection URL."""

    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    location = models.CharField(
        _("path, glob or table"),
        max_length=1000,
        help_text=_("A file, a glob like /data/decisions/*.parquet, or a table name."),
    )
    connection_env = models.CharField(
        _("environment variable with the connection URL"),
        max_length=100,
        blank=True,
        help_text=_("For a database: e.g. OMBUDS_SOURCE_BENEFITS (duckdb:///…, postgres://…)."),
    )
    connection_file = models.CharField(
        _("or a secrets file holding the connection URL"), max_length=500, blank=True
    )
    mapping = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class MonitorKind(models.TextChoices):
    DRIFT = "drift", _("Data drift")
    PERFORMANCE = "performance", _("Performance")
    FAIRNESS = "fairness", _("Fairness")
    OVERSIGHT = "oversight", _("Human oversight")
    APPEALS = "appeals", _("Appeal outcomes")


class Window(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class Monitor(models.Model):
    """A check run per window on a source, with warning and critical thresholds."""

    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="monitors")
    source = models.ForeignKey(DecisionSource, on_delete=models.PROTECT, related_name="monitors")
    kind = models.CharField(_("kind"), max_length=12, choices=MonitorKind.choices)
    window = models.CharField(_("window"), max_length=8, choices=Window.choices)
    # The reference period (drift, performance baseline): [start, end).
    reference_start = models.DateField(_("reference from"))
    reference_end = models.DateField(_("reference until (exclusive)"))
    # [{"metric", "direction": "above"|"below", "warning", "critical"}]
    thresholds = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Stored once: the reference's profile (drift histograms, baseline rates).
    reference = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["system", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_window_display()}) – {self.system}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MonitorRun(models.Model):
    """One window of one monitor. A window is computed at most once to completion: the figures
    are written with the status in one transaction, and a run left `running` by a dead worker is
    taken over once its lease expires."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="runs")
    window_start = models.DateField()
    window_end = models.DateField()
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    progress = models.CharField(max_length=200, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveBigIntegerField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["monitor", "window_start"]
        constraints = [
            models.UniqueConstraint(fields=["monitor", "window_start"], name="one_run_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.window_start}–{self.window_end} {self.status}"


class Severity(models.TextChoices):
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class Alert(models.Model):
    """A breached threshold, or a monitor that could not run. Acknowledged with a note; never
    deleted."""

    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="alerts")
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="alerts")
    run = models.ForeignKey(
        MonitorRun, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    severity = models.CharField(max_length=8, choices=Severity.choices)
    metric = models.CharField(max_length=100)
    value = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["system", "acknowledged_at"])]
        constraints = [
            models.UniqueConstraint(fields=["run", "metric"], name="one_alert_per_run_metric")
        ]

    def __str__(self) -> str:
        return f"{self.severity}: {self.message[:60]}"

    @property
    def open(self) -> bool:
        return self.acknowledged_at is None
