"""A system's public record: a plain-language draft that one person writes and another
publishes. The public only ever sees immutable published snapshots (versions)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ombuds.registry.models import AISystem


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for publication")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")
    WITHHELD = "withheld", _("Withheld")


class VersionKind(models.TextChoices):
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")
    WITHHELD = "withheld", _("Withheld")


# The plain-language fields of a record, in the order the public reads them.
TEXT_FIELDS: list[tuple[str, str]] = [
    ("what_it_does", _("What it does and why")),
    ("use_in_decisions", _("How it is used in decisions")),
    ("human_role", _("The role of people")),
    ("data_used", _("The data it uses")),
    ("risks", _("The risks and what is done about them")),
    ("opt_out", _("How to opt out or ask for a person")),
    ("complaints", _("How to complain or appeal")),
    ("contact", _("Contact")),
]
MAX_TEXT = 5000


class PublicRecord(models.Model):
    system = models.OneToOneField(AISystem, on_delete=models.CASCADE, related_name="public_record")
    what_it_does = models.TextField(_("what it does and why"), blank=True)
    use_in_decisions = models.TextField(_("how it is used in decisions"), blank=True)
    human_role = models.TextField(_("the role of people"), blank=True)
    data_used = models.TextField(_("the data it uses"), blank=True)
    risks = models.TextField(_("the risks and what is done about them"), blank=True)
    opt_out = models.TextField(_("how to opt out or ask for a person"), blank=True)
    complaints = models.TextField(_("how to complain or appeal"), blank=True)
    contact = models.CharField(_("contact"), max_length=254, blank=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    # Whether a person may ask not to be decided about with the system, or to be handled by a
    # person instead: either one puts the opt-out request form on the public page.
    opt_out_available = models.BooleanField(_("opting out is available"), default=False)
    human_alternative_available = models.BooleanField(
        _("a person can decide instead of the system"), default=False
    )
    # {"fr": {"what_it_does": "..."}, "es": {...}}: translations of the plain-language fields.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    # Whoever last saved the draft drafts it; everyone who edited it is in `editors`, and none
    # of them may publish it (two people).
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    editors = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withheld_ground = models.TextField(_("legal ground for withholding"), blank=True)
    # The newest version: what the public sees (published), or why it sees nothing.
    current = models.ForeignKey(
        "PublicRecordVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["system__name", "id"]

    def __str__(self) -> str:
        return f"Public record of {self.system}"

    @property
    def public_state(self) -> str:
        """ "" (never published), or the kind of the newest version."""
        return self.current.kind if self.current_id else ""


class ImmutableVersion(Exception):
    pass


class PublicRecordVersion(models.Model):
    """What was published (or retracted, or withheld) at one moment; never changed."""

    record = models.ForeignKey(PublicRecord, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    snapshot = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    # Denormalised from the snapshot so that the public list filters in SQL.
    name = models.CharField(max_length=200, blank=True)
    what_it_does = models.TextField(blank=True)
    sector = models.CharField(max_length=32, blank=True)
    high_impact = models.BooleanField(null=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["record", "number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="one_version_number")
        ]
        indexes = [models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.number} ({self.kind})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableVersion("a published version is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableVersion("a published version is never deleted")


# --- consultations -----------------------------------------------------------------------------

MAX_QUESTIONS = 10
MAX_QUESTION = 500
MAX_COMMENT = 3000
MAX_NAME = 100
MAX_RESPONSE = 10_000


class Consultation(models.Model):
    """An agency asks the public about one of its systems, between two dates."""

    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="consultations")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what the consultation is about"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    questions = models.JSONField(_("questions"), default=list, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The agency's answer, published with the system's public record.
    heard = models.TextField(_("what we heard"), blank=True)
    changed = models.TextField(_("what we changed"), blank=True)
    response_published_at = models.DateTimeField(null=True, blank=True)
    response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.closed_at is None and self.opens_on <= today <= self.closes_on

    def state(self, today=None) -> str:
        today = today or timezone.localdate()
        if self.closed_at is not None or today > self.closes_on:
            return "closed"
        return "open" if today >= self.opens_on else "upcoming"


def document_path(instance: ConsultationDocument, filename: str) -> str:
    return f"consultations/{instance.consultation_id}/{instance.sha256[:16]}-{filename}"


class ConsultationDocument(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(upload_to=document_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    APPROVED = "approved", _("Published")
    REJECTED = "rejected", _("Not published")


class ConsultationComment(models.Model):
    """One answer from a member of the public: to a question (its index) or general (None).
    Answers sent together share a submission key. Nothing is deleted: moderation decides."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comments"
    )
    question = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(_("comment"))
    # Shown only when the person agreed; personal data, never in the audit log.
    name = models.CharField(_("name"), max_length=MAX_NAME, blank=True)
    show_name = models.BooleanField(default=False)
    submission = models.CharField(max_length=32, db_index=True)
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    reject_reason = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.consultation_id}"


# --- errors in a record, and opt-out requests --------------------------------------------------


class ErrorStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ANSWERED = "answered", _("Answered")
    CORRECTED = "corrected", _("Corrected")
    REJECTED = "rejected", _("Not an error")


class RecordErrorReport(models.Model):
    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="record_errors")
    reference = models.CharField(max_length=12, unique=True)
    token_digest = models.CharField(max_length=64)
    description = models.TextField(_("what is wrong"))
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ErrorStatus.choices, default=ErrorStatus.RECEIVED
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.reference


class OptOutStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    HONOURED = "honoured", _("Honoured")
    REFUSED = "refused", _("Refused")


class HonouredHow(models.TextChoices):
    PERSON = "person", _("The case was handled by a person")
    RETAKEN = "retaken", _("The decision was taken again without the system")
    OTHER = "other", _("Other")


class OptOutRequest(models.Model):
    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="optout_requests")
    reference = models.CharField(max_length=12, unique=True)
    token_digest = models.CharField(max_length=64)
    # Personal data of the person asking: seen by staff who handle it, never in the audit log.
    name = models.CharField(_("name"), max_length=MAX_NAME, blank=True)
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    contact_phone = models.CharField(_("telephone"), max_length=40, blank=True)
    contact_post = models.TextField(_("postal address"), blank=True)
    case_reference = models.CharField(_("your case or file number"), max_length=100, blank=True)
    details = models.TextField(_("details"), blank=True)
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OptOutStatus.choices, default=OptOutStatus.RECEIVED
    )
    how = models.CharField(
        _("how it was honoured"), max_length=10, blank=True, choices=HonouredHow.choices
    )
    note = models.TextField(_("note to the person"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.reference

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == OptOutStatus.RECEIVED
            and self.respond_by is not None
            and self.respond_by < now
        )


# --- an agency's AI policy ---------------------------------------------------------------------

MAX_POLICY = 20_000


class AgencyPolicy(models.Model):
    """The agency's AI policy, in its own words, shown on its public page."""

    agency = models.OneToOneField("core.Agency", on_delete=models.CASCADE, related_name="ai_policy")
    text = models.TextField(_("AI policy"), blank=True)
    translations = models.JSONField(default=dict, blank=True)
    optout_days = models.PositiveSmallIntegerField(
        _("days to answer an opt-out request"), null=True, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"AI policy of {self.agency_id}"
