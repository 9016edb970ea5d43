"""Remedy: notices of adverse decisions, appeals with human review, and redress.

A notice tells a person that a decision an AI system took part in went against them, and how to
appeal. Ombuds keeps only what remedy needs: references, dates, the outcome, the main factors and
a keyed hash of the person's identifier (never the identifier). An appeal is a case: the
appellant's contact details live on the case only (purged after the retention period), never in
the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import Agency
from ombuds.registry.models import AISystem

DEFAULT_ACKNOWLEDGE_DAYS = 5
DEFAULT_DECIDE_DAYS = 30
DEFAULT_APPEAL_DAYS = 30
DEFAULT_RETENTION_DAYS = 730
DEFAULT_WARNING_DAYS = 2


class RemedyPolicy(models.Model):
    """An agency's rules for appeals; an agency without a row uses the defaults."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="remedy_policy")
    acknowledge_days = models.PositiveSmallIntegerField(
        _("acknowledge within (working days)"),
        default=DEFAULT_ACKNOWLEDGE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    decide_days = models.PositiveSmallIntegerField(
        _("decide within (working days)"),
        default=DEFAULT_DECIDE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("people may appeal within (calendar days of the notice)"),
        default=DEFAULT_APPEAL_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    holidays = models.JSONField(_("public holidays"), default=list, blank=True)
    retention_days = models.PositiveIntegerField(
        _("keep contact details of closed cases for (days)"),
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    warning_days = models.PositiveSmallIntegerField(
        _("warn this many working days before a deadline"),
        default=DEFAULT_WARNING_DAYS,
        validators=[MaxValueValidator(30)],
    )
    # The groups appellants may choose to tell (with consent), for statistics: a fixed list the
    # agency defines, never free text. Empty: no group is asked for or recorded.
    groups = models.JSONField(
        _("groups appellants may tell, for statistics"), default=list, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"remedy policy of {self.agency_id}"


class AppealRoute(models.Model):
    """How people contest a system's decisions: the notice template it uses and how to opt out."""

    system = models.OneToOneField(AISystem, on_delete=models.CASCADE, related_name="appeal_route")
    template_id = models.CharField(_("notice template"), max_length=80)
    opt_out = models.TextField(_("how to opt out, where possible"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"appeal route of {self.system_id}"


class Notice(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="notices")
    system = models.ForeignKey(AISystem, on_delete=models.PROTECT, related_name="notices")
    # "N-XXXX-XXXX-XXXX-XXXX" (80 bits); older notices keep their "N-XXXXXXXX".
    reference = models.CharField(max_length=32, unique=True)
    case_reference = models.CharField(_("case reference"), max_length=100)
    outcome = models.CharField(_("outcome"), max_length=500)
    factors = models.JSONField(_("main factors"), default=list)
    language = models.CharField(_("language"), max_length=5, default="en")
    decided_on = models.DateField(_("decided on"))
    appeal_by = models.DateField(_("appeal by"))
    # HMAC-SHA256 of the person's identifier keyed by OMBUDS_PSEUDONYM_KEY: links repeat appeals
    # without storing who the person is.
    person_hash = models.CharField(max_length=64, db_index=True)
    decision_maker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    template_id = models.CharField(max_length=80)
    template_version = models.PositiveIntegerField(default=1)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when the case reference, outcome, factors and person hash were removed (retention).
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["agency", "system", "issued_at"])]

    def __str__(self) -> str:
        return self.reference


class AppealState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_REVIEW = "in_review", _("In human review")
    DECIDED = "decided", _("Decided")
    REMEDY_DONE = "remedy_done", _("Remedy done")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = (AppealState.RECEIVED, AppealState.ACKNOWLEDGED, AppealState.IN_REVIEW)


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Decision upheld")
    OVERTURNED = "overturned", _("Decision overturned")
    PARTLY_OVERTURNED = "partly_overturned", _("Decision partly overturned")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online form")
    PHONE = "phone", _("Telephone")
    POST = "post", _("Post")
    IN_PERSON = "in_person", _("In person")


class RemedyKind(models.TextChoices):
    DECISION_REVERSED = "decision_reversed", _("Decision reversed")
    PAYMENT = "payment", _("Payment")
    RECORD_CORRECTED = "record_corrected", _("Record corrected")
    APOLOGY = "apology", _("Apology")
    OTHER = "other", _("Other")


class RemedyStatus(models.TextChoices):
    NONE = "", _("Not recorded yet")
    RECORDED = "recorded", _("Remedy recorded")
    REFUSED = "refused", _("Remedy refused, with reasons")
    NOT_NEEDED = "not_needed", _("No remedy needed (decision upheld)")


class Appeal(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="appeals")
    system = models.ForeignKey(AISystem, on_delete=models.PROTECT, related_name="appeals")
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    reference = models.CharField(max_length=16, unique=True)
    # SHA-256 of the appellant's tracking secret; the secret itself is shown once, never stored.
    token_digest = models.CharField(max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Personal data of a member of the public: on the case only, purged after retention, never
    # in the audit log.
    grounds = models.TextField(_("grounds of the appeal"), blank=True)
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("telephone"), max_length=40, blank=True)
    contact_address = models.TextField(_("postal address"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    # A protected group the appellant chose to tell, with their consent: for statistics only.
    # One of the agency's RemedyPolicy.groups (a category, never free text).
    group = models.CharField(_("group (given with consent)"), max_length=100, blank=True)
    person_hash = models.CharField(max_length=64, blank=True, db_index=True)
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=AppealState.choices, default=AppealState.RECEIVED
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    acknowledge_by = models.DateField(_("acknowledge by"))
    decide_by = models.DateField(_("decide by"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who took the original decision, when staff know it and no notice names them: the conflict
    # rule (a different person reviews and ends the case) uses it like the notice's.
    decision_maker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    reasons = models.TextField(_("reasons for the decision"), blank=True)
    remedy_status = models.CharField(
        max_length=12, choices=RemedyStatus.choices, blank=True, default=""
    )
    remedy_kinds = models.JSONField(default=list, blank=True)
    remedy_done_on = models.DateField(null=True, blank=True)
    remedy_note = models.TextField(_("what was done, or why no remedy"), blank=True)
    # Thresholds the governance leads were already told about ("acknowledge-near", ...).
    escalations = models.JSONField(default=list, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["agency", "state", "decide_by"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def after_notice_deadline(self) -> bool:
        """Received after the date the notice gave: still a case, flagged for the reviewer."""
        return bool(self.notice_id and timezone.localdate(self.received_at) > self.notice.appeal_by)

    @property
    def overturned(self) -> bool:
        return self.outcome in (Outcome.OVERTURNED, Outcome.PARTLY_OVERTURNED)

    @property
    def original_decision_maker_id(self) -> int | None:
        """The person who took the decision appealed against, if anyone knows."""
        if self.decision_maker_id:
            return self.decision_maker_id
        if self.notice_id and self.notice.decision_maker_id:
            return self.notice.decision_maker_id
        return None

    def remedy_kind_labels(self) -> list[str]:
        labels = dict(RemedyKind.choices)
        return [str(labels.get(k, k)) for k in self.remedy_kinds or []]


class AppealEvent(models.Model):
    """One step of a case: a move between states with the staff note (purged with the case)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=AppealState.choices)
    to_state = models.CharField(max_length=16, choices=AppealState.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.from_state} → {self.to_state}"


class PublicAttempt(models.Model):
    """One public look-up counted toward a network's hourly limit: a tracking page viewed or a
    notice reference not found. Only a keyed hash of the network; rows older than a day are
    deleted by the scheduler."""

    TRACK = "track"
    NOTICE_MISS = "notice-miss"
    kind = models.CharField(max_length=12)
    client_hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "client_hash", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
