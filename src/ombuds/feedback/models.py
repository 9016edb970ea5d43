"""Incidents and reports from outside.

An incident is something that went wrong with one or more of an agency's AI systems; when it is
serious in the sense of the EU AI Act (Art. 3(49)), Art. 73 gives the agency a few days to report
it to the market surveillance authority, and the register counts them down.

A report comes from outside the team that runs a system: a member of the public, an end user, an
auditor or a researcher tells the agency about a vulnerability, a misuse or a harm. Reporters
need no account: they get a reference and a secret link (only its hash is kept) to follow what the
agency does about it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ombuds.core.models import Agency
from ombuds.registry.models import AISystem

# --- incidents ----------------------------------------------------------------------------------


class HarmCategory(models.TextChoices):
    # Serious incidents, EU AI Act Art. 3(49).
    DEATH = "death", _("Death of a person — Art. 3(49)(a)")
    HEALTH = "health", _("Serious harm to a person's health — Art. 3(49)(a)")
    CRITICAL_INFRASTRUCTURE = (
        "critical_infrastructure",
        _(
            "Serious and irreversible disruption of the management or operation of critical "
            "infrastructure — Art. 3(49)(b)"
        ),
    )
    FUNDAMENTAL_RIGHTS = (
        "fundamental_rights",
        _(
            "Infringement of obligations under Union law intended to protect fundamental "
            "rights — Art. 3(49)(c)"
        ),
    )
    PROPERTY_ENVIRONMENT = (
        "property_environment",
        _("Serious harm to property or the environment — Art. 3(49)(d)"),
    )
    # Not serious in the Act's sense: recorded and acted on, not reported to the authority.
    UNFAIR_TREATMENT = "unfair_treatment", _("Unfair or wrong decisions about people (not serious)")
    SERVICE = "service", _("Service disruption or degraded performance (not serious)")
    SECURITY = "security", _("Security vulnerability or data exposure (not serious)")
    NEAR_MISS = "near_miss", _("Near miss: no harm happened")
    OTHER = "other", _("Other (not serious)")


SERIOUS_CATEGORIES = frozenset(
    {
        HarmCategory.DEATH,
        HarmCategory.HEALTH,
        HarmCategory.CRITICAL_INFRASTRUCTURE,
        HarmCategory.FUNDAMENTAL_RIGHTS,
        HarmCategory.PROPERTY_ENVIRONMENT,
    }
)

# EU AI Act Art. 73: days from becoming aware of a serious incident to reporting it.
# (2) any serious incident: 15 days; (3) a widespread infringement or an incident of Art. 3(49)(b):
# 2 days; (4) the death of a person: 10 days.
REPORTING_DAYS: dict[str, int] = {
    HarmCategory.DEATH: 10,
    HarmCategory.HEALTH: 15,
    HarmCategory.CRITICAL_INFRASTRUCTURE: 2,
    HarmCategory.FUNDAMENTAL_RIGHTS: 15,
    HarmCategory.PROPERTY_ENVIRONMENT: 15,
}
WIDESPREAD_DAYS = 2


def reporting_days(category: str, widespread: bool = False) -> int | None:
    """Days Art. 73 allows to report an incident of this category; None when it need not be."""
    days = REPORTING_DAYS.get(category)
    if days is None:
        return None
    return min(days, WIDESPREAD_DAYS) if widespread else days


def reporting_deadline(category: str, widespread: bool, aware_at: datetime | None):
    days = reporting_days(category, widespread)
    if days is None or aware_at is None:
        return None
    return aware_at + timedelta(days=days)


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REPORTED = "reported", _("Reported to the authority")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="incidents")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    systems = models.ManyToManyField(
        AISystem, related_name="incidents", blank=True, verbose_name=_("systems involved")
    )
    harm_category = models.CharField(
        _("harm category"), max_length=32, choices=HarmCategory.choices
    )
    widespread = models.BooleanField(_("widespread infringement"), default=False)
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    aware_at = models.DateTimeField(_("when the agency became aware"))
    # Kept beside the category so the list can put overdue incidents first without computing.
    report_due_at = models.DateTimeField(_("report to the authority by"), null=True, blank=True)
    corrective_actions = models.TextField(_("corrective actions"), blank=True)
    # Alerts of the monitoring app, by id. A loose link until that app's model settles: ids are
    # kept as they were given, and shown as references.
    alert_ids = models.JSONField(_("linked alerts"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    authority = models.CharField(_("authority reported to"), max_length=200, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closing_note = models.TextField(_("closing note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-aware_at", "-id"]
        indexes = [models.Index(fields=["agency", "status", "report_due_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"INC-{self.pk}"

    @property
    def is_serious(self) -> bool:
        return self.harm_category in SERIOUS_CATEGORIES

    @property
    def reporting_days(self) -> int | None:
        return reporting_days(self.harm_category, self.widespread)

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.report_due_at is not None
            and self.status == IncidentStatus.OPEN
            and self.report_due_at < now
        )

    @property
    def reported_late(self) -> bool | None:
        if self.report_due_at is None or self.reported_at is None:
            return None
        return self.reported_at > self.report_due_at


# --- reports from outside -----------------------------------------------------------------------


class ReportKind(models.TextChoices):
    VULNERABILITY = "vulnerability", _("A technical vulnerability")
    MISUSE = "misuse", _("A misuse of a system")
    HARM = "harm", _("A harm caused by a system")


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("report status", "Acknowledged")
    INVESTIGATING = "investigating", _("Being investigated")
    RESOLVED = "resolved", _("Resolved")
    NOT_REPRODUCIBLE = "not_reproducible", _("Could not be reproduced")


# Where a report may go next. A closed report can be reopened for investigation.
NEXT_STATUSES: dict[str, list[str]] = {
    ReportStatus.RECEIVED: [ReportStatus.ACKNOWLEDGED],
    ReportStatus.ACKNOWLEDGED: [ReportStatus.INVESTIGATING],
    ReportStatus.INVESTIGATING: [ReportStatus.RESOLVED, ReportStatus.NOT_REPRODUCIBLE],
    ReportStatus.RESOLVED: [ReportStatus.INVESTIGATING],
    ReportStatus.NOT_REPRODUCIBLE: [ReportStatus.INVESTIGATING],
}


class Channel(models.TextChoices):
    PUBLIC = "public", _("Public form")
    INTERNAL = "internal", _("Entered by staff")


DEFAULT_RESPONSE_DAYS = 10


class FeedbackSettings(models.Model):
    """An agency's own rules for reports; an agency without a row uses the defaults."""

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, related_name="feedback_settings"
    )
    response_days = models.PositiveSmallIntegerField(
        _("days to acknowledge a report"),
        default=DEFAULT_RESPONSE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"feedback settings of {self.agency_id}"


class Report(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reports")
    system = models.ForeignKey(
        AISystem, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    reference = models.CharField(max_length=12, unique=True)
    # SHA-256 of the reporter's secret; the secret itself is shown once and never stored.
    token_digest = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    description = models.TextField(_("description"))
    # Personal data of a member of the public: shown to those who triage, never in the audit log.
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Keyed hash of the sender's network address, for rate limits only; blanked after a day.
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    respond_by = models.DateTimeField(_("acknowledge by"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the governance leads were told the report is past its response deadline (once).
    escalated_at = models.DateTimeField(null=True, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["agency", "status", "respond_by"])]

    def __str__(self) -> str:
        return self.reference

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == ReportStatus.RECEIVED and self.respond_by < now

    @property
    def is_closed(self) -> bool:
        return self.status in (ReportStatus.RESOLVED, ReportStatus.NOT_REPRODUCIBLE)


class ReportEvent(models.Model):
    """One step of a report's triage: a move between statuses (or a note without one), with the
    internal note and, when there is one, the response the reporter reads."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=ReportStatus.choices)
    to_status = models.CharField(max_length=16, choices=ReportStatus.choices)
    note = models.TextField(_("internal note"))
    public_response = models.TextField(_("response to the reporter"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} → {self.to_status}"
