"""Evaluations kept as evidence: an engine result attached to a system, with who, when, how.

The result is stored as the engine wrote it (add fields, never rename within a schema version), so
the evidence can be re-read later exactly as it was when the gate relied on it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ombuds.registry.models import DEMOGRAPHIC_FEATURES, AISystem


class Kind(models.TextChoices):
    BIAS_AUDIT = "bias_audit", _("Bias audit")
    REPRESENTATIVENESS = "representativeness", _("Data representativeness")
    CLAIM = "claim", _("Vendor-claim verification")
    DRIFT = "drift", _("Drift")
    PEER_REVIEW = "peer_review", _("Peer review")
    OTHER = "other", _("Other")


# The engine results Ombuds accepts as evidence, by their `schema` key, and what each is.
SCHEMA_KINDS: dict[str, str] = {
    "ombuds.audit/1": Kind.BIAS_AUDIT,
    "ombuds.representativeness/1": Kind.REPRESENTATIVENESS,
    "ombuds.claim/1": Kind.CLAIM,
    "ombuds.drift/1": Kind.DRIFT,
    "ombuds.aia/1": Kind.OTHER,
}
PEER_REVIEW_SCHEMA = "ombuds.peer-review/1"


class Source(models.TextChoices):
    WEB_RUN = "web_run", _("Run in Ombuds")
    UPLOAD = "upload", _("Uploaded result")
    API = "api", _("Pushed through the API")
    FORM = "form", _("Entered on a form")


class Status(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class FingerprintOf(models.TextChoices):
    ENGINE = "engine", _("the data, as the engine reported it")
    FILE = "file", _("the uploaded data file")
    RESULT = "result", _("the result itself (Ombuds did not see the data)")


def data_path(instance: Evaluation, filename: str) -> str:
    return f"evaluations/{instance.system_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Evaluation(models.Model):
    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="evaluations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    schema = models.CharField(_("result schema"), max_length=60)
    result = models.JSONField(_("result"), default=dict, blank=True)
    config = models.JSONField(_("configuration"), default=dict, blank=True)
    # Protected column of the data -> characteristic code (registry DEMOGRAPHIC_FEATURES).
    characteristics = models.JSONField(_("characteristics"), default=dict, blank=True)
    data_fingerprint = models.CharField(_("data fingerprint"), max_length=200, blank=True)
    fingerprint_of = models.CharField(max_length=10, choices=FingerprintOf.choices, blank=True)
    engine_version = models.CharField(_("engine version"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DONE
    )
    progress = models.CharField(_("progress"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    note = models.TextField(_("note"), blank=True)
    # A run in the web app: the uploaded decision log, kept only until the run ends.
    data_file = models.FileField(upload_to=data_path, max_length=300, blank=True)
    data_name = models.CharField(max_length=200, blank=True)
    data_size = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Whether the result found something that needs a response (results.needs_response), kept
    # beside the result so lists and the gate need not read every result.
    flagged = models.BooleanField(_("findings to address"), default=False)
    # "Findings addressed": what was done about what the evaluation found.
    findings_response = models.TextField(_("response to the findings"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    # Peer reviews.
    reviewer_name = models.CharField(_("reviewer"), max_length=200, blank=True)
    reviewer_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    reviewed_on = models.DateField(_("date of the review"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["system", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def covers(self) -> list[str]:
        """The characteristic codes this evaluation's protected columns hold."""
        return sorted({c for c in (self.characteristics or {}).values() if c})

    @property
    def covers_labels(self) -> list[str]:
        labels = dict(DEMOGRAPHIC_FEATURES)
        return [str(labels.get(code, code)) for code in self.covers]

    @property
    def is_finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED)

    @property
    def findings_addressed(self) -> bool:
        return bool(self.findings_response.strip())
