from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import Agency
from ombuds.registry.models import AISystem


class AgencyModule(models.Model):
    """An agency's own training module: the same YAML structure as a shipped one (copied and
    adapted, or written for one system), validated by the same parser, linked to systems."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="training_modules")
    key = models.CharField(_("module id"), max_length=100)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("module (YAML)"))
    systems = models.ManyToManyField(AISystem, blank=True, related_name="training_modules")
    retired = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # When the module was first written: no completion can be older. Unknown (empty) for
    # modules created before this was recorded.
    created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency", "key"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="one_module_key_per_agency")
        ]

    def __str__(self) -> str:
        return self.title


class Attempt(models.Model):
    """One try at a module's knowledge check. Opened when the questions are shown, with a
    one-time token the form carries back: a submitted attempt can never be submitted again, so
    replaying an old form does not pass."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attempts"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    module = models.CharField(max_length=100)
    module_version = models.PositiveIntegerField()
    token = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # The order the choices were shown in, per question ({question id: [choice ids]}): drawn
    # anew for each attempt, so the position of the right answer teaches nothing.
    order = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.module} attempt {self.pk}"


class Source(models.TextChoices):
    APP = "app", _("Taken in Ombuds")
    IMPORT = "import", _("Imported from a learning system")


class Certificate(models.Model):
    """A completed module. Valid until `expires_on` (exclusive); no expiry for a module taken
    once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    module = models.CharField(max_length=100)
    module_version = models.PositiveIntegerField()
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    attempt = models.OneToOneField(Attempt, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "module", "-completed_on", "-id"]
        indexes = [models.Index(fields=["user", "module"]), models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return f"{self.module} ({self.completed_on})"


class ReminderSent(models.Model):
    """A reminder before expiry, sent once per certificate and threshold."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="one_reminder_per_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} −{self.days_before} days"


class Duty(models.TextChoices):
    DECISIONS = "decisions", _("Makes decisions with the system")
    REVIEWS = "reviews", _("Reviews the system's outputs and appeals")


class Assignment(models.Model):
    """A person assigned to operate a system. Ended, never deleted."""

    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="operators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_assignments"
    )
    duty = models.CharField(_("duty"), max_length=10, choices=Duty.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["system", "user__username", "duty"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "user", "duty"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.system_id} ({self.duty})"


class Mode(models.TextChoices):
    IN_THE_LOOP = "in_the_loop", _("Human in the loop: a person decides every case")
    ON_THE_LOOP = "on_the_loop", _("Human on the loop: people watch and can intervene")
    NONE = "none", _("No human oversight of individual cases")


class OversightDesign(models.Model):
    """How people oversee a system: written down, required for high-impact systems."""

    system = models.OneToOneField(AISystem, on_delete=models.CASCADE, related_name="oversight")
    mode = models.CharField(_("oversight mode"), max_length=12, choices=Mode.choices)
    override_who = models.TextField(_("who can override the system"), blank=True)
    override_how = models.TextField(_("how an override is made and recorded"), blank=True)
    escalation = models.TextField(_("escalation path"), blank=True)
    fallback = models.TextField(_("fallback when the system is suspended"), blank=True)
    limits_communication = models.TextField(
        _("how operators are told of the system's limits"), blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    PARTS = ["override_who", "override_how", "escalation", "fallback", "limits_communication"]

    def __str__(self) -> str:
        return f"{self.system}: {self.get_mode_display()}"
