"""Buying AI: vendors, procurements and their bids, due diligence answered through a secret link,
vendor claims verified on the agency's own data, contract clauses and post-award reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import Agency
from ombuds.registry.models import AISystem

USER = settings.AUTH_USER_MODEL


class Vendor(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="vendors")
    name = models.CharField(_("name"), max_length=200)
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    country = models.CharField(_("country (ISO code)"), max_length=2, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="procurement_vendor_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Procedure(models.TextChoices):
    OPEN = "open", _("Open procedure")
    RESTRICTED = "restricted", _("Restricted procedure")
    NEGOTIATED = "negotiated", _("Competitive procedure with negotiation")
    DIALOGUE = "dialogue", _("Competitive dialogue")
    INNOVATION = "innovation", _("Innovation partnership")
    FRAMEWORK = "framework", _("Call-off under a framework agreement")
    DIRECT = "direct", _("Direct award")


class Stage(models.TextChoices):
    PLANNING = "planning", _("Planning")
    MARKET_ENGAGEMENT = "market_engagement", _("Market engagement")
    EVALUATION = "evaluation", _("Evaluation of bids")
    AWARD = "award", _("Award")
    CONTRACT = "contract", _("Contract")
    POST_AWARD = "post_award", _("Post-award")


STAGE_ORDER = [s.value for s in Stage]


class Procurement(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="procurements")
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    procedure = models.CharField(_("procedure"), max_length=20, choices=Procedure.choices)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.PLANNING
    )
    systems = models.ManyToManyField(AISystem, related_name="procurements", blank=True)
    awarded_bid = models.OneToOneField(
        "Bid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("months between post-award reviews"), default=6
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Bid(models.Model):
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="bids")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="bids")
    product = models.CharField(_("product offered"), max_length=200, blank=True)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, null=True, blank=True)
    # The column of the agency's test data holding this vendor's predictions or scores: once
    # known, claims of this bid are checked against it and no other.
    prediction_column = models.CharField(
        _("prediction or score column in the test data"), max_length=200, blank=True
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["vendor__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "vendor"], name="procurement_one_bid_per_vendor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} — {self.procurement}"


class DueDiligenceRequest(models.Model):
    """What one vendor is asked for one bid; answered through a secret link."""

    bid = models.OneToOneField(Bid, on_delete=models.CASCADE, related_name="due_diligence")
    questionnaire_id = models.CharField(max_length=100)
    questionnaire_version = models.PositiveIntegerField()
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("link expires"))
    sent_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Due diligence for {self.bid}"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class AnswerStatus(models.TextChoices):
    OPEN = "open", _("Not yet answered")
    SUBMITTED = "submitted", _("Answered, awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    NEEDS_MORE = "needs_more", _("Needs more")
    UNACCEPTABLE = "unacceptable", _("Unacceptable")


class Answer(models.Model):
    request = models.ForeignKey(
        DueDiligenceRequest, on_delete=models.CASCADE, related_name="answers"
    )
    question_id = models.CharField(max_length=100)
    text = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=AnswerStatus.choices, default="open")
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_notes = models.TextField(_("review notes"), blank=True)
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rounds = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "question_id"], name="procurement_one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id} ({self.status})"

    @property
    def open_to_vendor(self) -> bool:
        return self.status in (AnswerStatus.OPEN, AnswerStatus.NEEDS_MORE)


def evidence_path(instance: Evidence, filename: str) -> str:
    procurement_id = instance.answer.request.bid.procurement_id
    return f"procurement/{procurement_id}/evidence/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Evidence(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return str(self.original_name)


class CardKind(models.TextChoices):
    MODEL = "model", _("Model card")
    DATA = "data", _("Data card")
    SYSTEM = "system", _("System card")


class VendorCard(models.Model):
    """A vendor's structured card as imported, with the expected sections it lacks."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="cards")
    kind = models.CharField(max_length=10, choices=CardKind.choices)
    source_format = models.CharField(max_length=10)
    fields = models.JSONField(default=dict)
    missing = models.JSONField(default=list)
    imported_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-imported_at"]

    def __str__(self) -> str:
        return str(self.kind)


class Metric(models.TextChoices):
    ACCURACY = "accuracy", _("Accuracy")
    TPR = "tpr", _("True positive rate (recall)")
    FPR = "fpr", _("False positive rate (a ceiling)")
    PPV = "ppv", _("Positive predictive value (precision)")
    AUC = "auc", _("Area under the ROC curve")


class Verdict(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    REFUTED = "refuted", _("Refuted")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class Claim(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="claims")
    metric = models.CharField(_("metric"), max_length=10, choices=Metric.choices)
    value = models.FloatField(_("claimed value (0–1)"))
    population = models.CharField(_("population"), max_length=300, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    material = models.BooleanField(_("material to the award"), default=True)
    every_group = models.BooleanField(_("should hold for every group"), default=False)
    protected_attribute = models.CharField(_("protected attribute"), max_length=100, blank=True)
    wording = models.CharField(_("the vendor's words"), max_length=300, blank=True)
    # Latest verdict, kept here so lists and the gate need not read every verification.
    verdict = models.CharField(max_length=15, choices=Verdict.choices, blank=True)
    accepted_justification = models.TextField(blank=True)
    # The verdict the acceptance was given against ("" = unverified): a later, different verdict
    # (say refuted after accepting an inconclusive one) no longer counts as accepted.
    accepted_against = models.CharField(max_length=15, blank=True)
    accepted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bid", "id"]

    def __str__(self) -> str:
        return (
            f"{self.get_metric_display()} ≥ {self.value:g}"
            if self.metric != "fpr"
            else (f"{self.get_metric_display()} ≤ {self.value:g}")
        )

    @property
    def accepted(self) -> bool:
        return bool(self.accepted_justification.strip())

    @property
    def settled(self) -> bool:
        """What the gate asks of a material claim: supported, or accepted with a reason against
        the verdict it still has."""
        if self.verdict == Verdict.SUPPORTED:
            return True
        return self.accepted and (self.verdict or "") == (self.accepted_against or "")


def dataset_path(instance: LocalDataset, filename: str) -> str:
    return f"procurement/{instance.procurement_id}/data/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class LocalDataset(models.Model):
    """The agency's own labelled test data for checking vendors' claims."""

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="datasets")
    file = models.FileField(upload_to=dataset_path, max_length=300)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    label_column = models.CharField(_("label column"), max_length=200)
    columns = models.JSONField(default=list)
    rows = models.PositiveBigIntegerField(null=True)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class Verification(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="verifications")
    dataset = models.ForeignKey(LocalDataset, on_delete=models.PROTECT, related_name="+")
    evaluations = models.ManyToManyField("evaluations.Evaluation", related_name="+")
    verdict = models.CharField(max_length=15, choices=Verdict.choices)
    # How it was measured, shown beside the verdict: the prediction or score column used.
    column = models.CharField(max_length=200, blank=True)
    result = models.JSONField(default=dict)
    by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return str(self.verdict)


class ClauseSelection(models.Model):
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="clauses")
    clause_id = models.CharField(max_length=100)
    clause_version = models.PositiveIntegerField()
    values = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "clause_id"], name="procurement_clause_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.clause_id)


class Outcome(models.TextChoices):
    SATISFACTORY = "satisfactory", _("Satisfactory")
    CONCERNS = "concerns", _("Concerns: actions agreed")
    BREACH = "breach", _("Breach of contract")


REVIEW_CHECKS = {
    "due_diligence_refreshed": _("Due diligence refreshed"),
    "claims_reverified": _("Claims re-verified on current data"),
    "monitoring_reviewed": _("Monitoring results reviewed"),
    "incidents_reviewed": _("Incidents reviewed"),
}


class Review(models.Model):
    """A scheduled review of the vendor against the contract, after award."""

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField(_("due"))
    done_on = models.DateField(null=True, blank=True)
    checks = models.JSONField(default=dict)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return str(self.due_on)

    @property
    def overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()
