from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import Agency
from ombuds.core.roles import ROLE_CHOICES
from ombuds.registry.models import AISystem

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("Under independent review")
    APPROVED = "approved", _("Approved")


class Decision(models.TextChoices):
    DEPLOY = "deploy", _("Deploy")
    CONDITIONS = "conditions", _("Deploy with conditions")
    DO_NOT_DEPLOY = "do_not_deploy", _("Do not deploy")


# The stricter voice holds: when approvers differ, the assessment takes the strictest decision.
STRICTNESS = {Decision.DEPLOY: 0, Decision.CONDITIONS: 1, Decision.DO_NOT_DEPLOY: 2}


class ApprovalPolicy(models.Model):
    """Who signs off an assessment of a given impact level in an agency. Without a row, the
    defaults in `rules.DEFAULT_POLICY` apply."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="approval_policies")
    level = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)
    reviewers_required = models.PositiveSmallIntegerField(
        _("independent reviewers required"), validators=[MaxValueValidator(5)]
    )
    reviewer_role = models.CharField(_("reviewers' role"), max_length=32, choices=ROLE_CHOICES)
    approvers_required = models.PositiveSmallIntegerField(
        _("distinct approvers required"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    approver_role = models.CharField(_("approvers' role"), max_length=32, choices=ROLE_CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "level"], name="one_policy_per_level")
        ]
        ordering = ["agency", "level"]

    def __str__(self) -> str:
        return f"{self.agency_id} level {self.level}"


class Assessment(models.Model):
    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="assessments")
    template_id = models.CharField(max_length=100)
    template_version = models.PositiveIntegerField()
    language = models.CharField(max_length=8, default="en")
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Review rounds: returning an assessment to its author starts a new round; only the current
    # round's reviews and sign-offs count.
    round = models.PositiveSmallIntegerField(default=1)
    score = models.JSONField(default=dict, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL_VALIDATORS)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    source = models.CharField(max_length=16, default="ombuds")  # "ombuds" | "imported"
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    needs_review = models.BooleanField(default=False)
    needs_review_reason = models.TextField(blank=True)
    # Everyone who wrote any part of it in the current round (answers, risks, engagement): four
    # eyes means none of them reviews or approves it.
    editors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["system", "status"])]

    def __str__(self) -> str:
        return f"{self.template_id} #{self.pk} – {self.system}"

    @property
    def level_roman(self) -> str:
        return ROMAN.get(self.level or 0, "")

    @property
    def editable(self) -> bool:
        return self.status == Status.DRAFT


class Review(models.Model):
    """An independent reviewer's opinion on a submitted assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveSmallIntegerField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recommendation = models.CharField(max_length=16, choices=Decision.choices)
    opinion = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"review of {self.assessment_id} by {self.reviewer_id}"


class SignOff(models.Model):
    """An approver's decision. The assessment is approved when enough distinct approvers of the
    policy's role have signed in the current round."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="signoffs")
    round = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=32, choices=ROLE_CHOICES)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    comment = models.TextField(blank=True)
    conditions = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"sign-off of {self.assessment_id} by {self.approver_id}"


class Condition(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="conditions")
    text = models.TextField()
    before_deployment = models.BooleanField(default=True)
    met_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:80]


class Scale(models.IntegerChoices):
    VERY_LOW = 1, _("1 – very low")
    LOW = 2, _("2 – low")
    MEDIUM = 3, _("3 – medium")
    HIGH = 4, _("4 – high")
    VERY_HIGH = 5, _("5 – very high")


class Residual(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    UNACCEPTABLE = "unacceptable", _("Unacceptable")


class Risk(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="risks")
    risk = models.TextField(_("risk"))
    affected_groups = models.TextField(_("affected groups"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), choices=Scale.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Scale.choices)
    mitigation = models.TextField(_("mitigation"))
    owner = models.CharField(_("owner"), max_length=200)
    residual = models.CharField(_("residual risk"), max_length=16, choices=Residual.choices)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.risk[:80]

    @property
    def rating(self) -> int:
        return self.likelihood * self.severity


class Engagement(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="engagements")
    who = models.TextField(_("who took part"))
    when = models.DateField(_("when"))
    how = models.TextField(_("how (method)"))
    what_changed = models.TextField(_("what changed as a result"))

    class Meta:
        ordering = ["when", "id"]

    def __str__(self) -> str:
        return f"{self.when}: {self.who[:60]}"


class PilotPlan(models.Model):
    """A pilot's plan, and after it an evaluation of its results against the success criteria."""

    system = models.OneToOneField(AISystem, on_delete=models.CASCADE, related_name="pilot_plan")
    scope = models.TextField(_("scope"))
    population = models.TextField(_("population"))
    duration = models.CharField(_("duration"), max_length=200)
    success_criteria = models.TextField(_("success criteria"))
    monitoring = models.TextField(_("how it is monitored"))
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    planned_at = models.DateTimeField(default=timezone.now)
    results = models.TextField(_("results"), blank=True)
    criteria_met = models.BooleanField(_("success criteria met"), null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"pilot of {self.system_id}"
