from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import Agency


class Sector(models.TextChoices):
    HEALTHCARE = "healthcare", _("Healthcare")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    JUSTICE = "justice", _("Justice")
    PUBLIC_BENEFITS = "public_benefits", _("Public benefits")
    MIGRATION = "migration", _("Migration")
    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment", _("Employment")
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", _("Critical infrastructure")
    OTHER = "other", _("Other")


class DecisionRole(models.TextChoices):
    AUTOMATED = "automated", _("Makes the decision automatically")
    RECOMMENDATION = "recommendation", _("Recommends a decision to a person")
    TRIAGE = "triage", _("Triages or prioritises cases")
    OTHER = "other", _("Other (no direct role in decisions about people)")


class Stage(models.TextChoices):
    DESIGN = "design", _("Design")
    DEVELOPMENT = "development", _("Development")
    PROCUREMENT = "procurement", _("Procurement")
    PILOT = "pilot", _("Pilot")
    DEPLOYED = "deployed", _("Deployed")
    SUSPENDED = "suspended", _("Suspended")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


class Impact(models.TextChoices):
    RIGHTS = "rights", _("Rights-impacting")
    SAFETY = "safety", _("Safety-impacting")
    BOTH = "both", _("Rights- and safety-impacting")
    NEITHER = "neither", _("Neither")


class AnnexIIIArea(models.IntegerChoices):
    BIOMETRICS = 1, _("1 – Biometrics")
    CRITICAL_INFRASTRUCTURE = 2, _("2 – Critical infrastructure")
    EDUCATION = 3, _("3 – Education and vocational training")
    EMPLOYMENT = 4, _("4 – Employment and workers management")
    ESSENTIAL_SERVICES = 5, _("5 – Access to essential private and public services and benefits")
    LAW_ENFORCEMENT = 6, _("6 – Law enforcement")
    MIGRATION = 7, _("7 – Migration, asylum and border control")
    JUSTICE = 8, _("8 – Administration of justice and democratic processes")


DEMOGRAPHIC_FEATURES = [
    ("race", _("Race")),
    ("ethnicity", _("Ethnicity")),
    ("disability", _("Disability")),
    ("sex_gender", _("Sex or gender")),
    ("sexual_orientation", _("Sexual orientation")),
    ("gender_identity", _("Gender identity or expression")),
    ("age", _("Age")),
    ("religion", _("Religion or belief")),
    ("nationality", _("Nationality or citizenship")),
    ("income", _("Income or socio-economic status")),
    ("location", _("Location or postcode")),
]

# The characteristics the statement names for bias audits: the default scope of a system's audit.
AUDIT_CHARACTERISTICS = [
    "race",
    "ethnicity",
    "disability",
    "sex_gender",
    "sexual_orientation",
    "gender_identity",
]

DECOMMISSION_ITEMS = [
    ("data", _("Data retained or deleted as the data card's retention rule says")),
    ("people_told", _("Affected people and the public told the system is retired")),
    ("public_record", _("Public register entry updated")),
    ("vendor_data", _("Vendor returned or deleted the agency's data (bought systems)")),
]


class AISystem(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="systems")
    name = models.CharField(_("name"), max_length=200)
    short_description = models.CharField(_("short description"), max_length=500)
    detailed_description = models.TextField(_("detailed description"), blank=True)
    purpose_and_benefits = models.TextField(_("problem solved and expected benefits"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    decision_role = models.CharField(
        _("role in decisions"),
        max_length=20,
        choices=DecisionRole.choices,
        default=DecisionRole.OTHER,
    )
    eu_annex_iii_area = models.PositiveSmallIntegerField(
        _("EU AI Act Annex III area"),
        null=True,
        blank=True,
        choices=AnnexIIIArea.choices,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    legal_basis = models.JSONField(_("legal basis"), default=list, blank=True)
    rights_instruments = models.JSONField(
        _("human-rights instruments and laws"), default=list, blank=True
    )
    team = models.CharField(_("owning team"), max_length=200, blank=True)
    senior_responsible_owner = models.CharField(
        _("senior responsible owner"), max_length=200, blank=True
    )
    public_contact = models.CharField(_("public contact"), max_length=254, blank=True)
    vendor_name = models.CharField(_("vendor (if bought)"), max_length=200, blank=True)
    uses_personal_data = models.BooleanField(_("uses personal data"), default=False)
    demographic_features = models.JSONField(
        _("demographic features used"), default=list, blank=True
    )
    code_url = models.URLField(_("link to code"), blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.DESIGN)

    # High-impact determination: rules propose, a person decides.
    impact_answers = models.JSONField(default=dict, blank=True)
    impact_determination = models.CharField(max_length=10, choices=Impact.choices, blank=True)
    impact_justification = models.TextField(blank=True)
    impact_determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    impact_determined_at = models.DateTimeField(null=True, blank=True)
    # Impact level I–IV (1–4) of the latest approved assessment (the highest across templates);
    # kept here by the assessments app so lists and the gate need no join.
    impact_level = models.PositiveSmallIntegerField(
        _("impact level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    # Which protected characteristics a bias audit must cover: [{"id", "collected", "why_not",
    # "alternative"}]. Where one is not collected, the record says why and how disparities for
    # it are assessed instead.
    protected_characteristics = models.JSONField(default=list, blank=True)
    # The retirement checklist: {item: {"done": bool, "note": str, "by": username, "at": iso}}.
    decommissioning = models.JSONField(default=dict, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["agency", "stage"]), models.Index(fields=["review_due"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_high_impact(self) -> bool | None:
        if not self.impact_determination:
            return None
        return self.impact_determination != Impact.NEITHER

    @property
    def review_overdue(self) -> bool:
        return (
            self.review_due is not None
            and self.review_due < timezone.localdate()
            and self.stage != Stage.DECOMMISSIONED
        )


class StageChange(models.Model):
    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # False when a system already in use was entered into the register at its real stage
    # (onboarding): it never passed the gate, and the dashboard says so until it does.
    gate_passed = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.system_id}: {self.from_stage} → {self.to_stage}"


class CardKind(models.TextChoices):
    MODEL = "model", _("Model card")
    DATA = "data", _("Data card")
    SYSTEM = "system", _("System card")


# The fields of each card, in order. Cards are structured records so the public standards can
# be filled from them later without re-typing.
CARD_FIELDS: dict[str, list[tuple[str, str]]] = {
    CardKind.MODEL: [
        ("model_type", _("Model type and architecture")),
        ("version", _("Version")),
        ("developer", _("Developed by")),
        ("training", _("How it was trained")),
        ("intended_use", _("Intended use")),
        ("out_of_scope_uses", _("Uses it must not be put to")),
        ("performance", _("Performance and how it was measured")),
        ("limitations", _("Known limitations")),
        ("ethical_considerations", _("Ethical considerations")),
    ],
    CardKind.DATA: [
        ("provenance", _("Provenance")),
        ("collection", _("Collection")),
        ("preparation", _("Preparation")),
        ("storage", _("Storage")),
        ("retention", _("Retention")),
        ("representativeness", _("Representativeness notes")),
        ("known_gaps", _("Known gaps and inaccuracies")),
    ],
    CardKind.SYSTEM: [
        ("architecture", _("How the system is put together")),
        ("inputs", _("Inputs")),
        ("outputs", _("Outputs")),
        ("human_oversight", _("Human oversight")),
        ("contingency", _("Contingency: how the service continues if the system is stopped")),
        ("deployment", _("Where and how it is deployed")),
        ("dependencies", _("Third-party components")),
        ("security", _("Security measures")),
    ],
}


class Card(models.Model):
    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="cards")
    kind = models.CharField(max_length=10, choices=CardKind.choices)
    fields = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "kind"], name="one_card_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.system}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.system_id}/{instance.sha256[:16]}-{filename}"


class Attachment(models.Model):
    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="attachments")
    card_kind = models.CharField(max_length=10, choices=CardKind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Waiver(models.Model):
    """A governance lead's written, time-limited acceptance that a control is not met.

    Kept after expiry or revocation: waivers are published with the system's record later."""

    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="waivers")
    control_id = models.CharField(max_length=100)
    justification = models.TextField()
    expires_on = models.DateField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["system", "control_id"])]

    def __str__(self) -> str:
        return f"{self.control_id} waived until {self.expires_on}"

    def active_on(self, day) -> bool:
        return self.revoked_at is None and self.expires_on >= day
