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
