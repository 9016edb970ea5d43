from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

Sector = SectorOut = Literal[
    "healthcare",
    "law_enforcement",
    "justice",
    "public_benefits",
    "migration",
    "education",
    "employment",
    "critical_infrastructure",
    "other",
]
DecisionRole = Literal["automated", "recommendation", "triage", "other"]
StageName = Literal[
    "design", "development", "procurement", "pilot", "deployed", "suspended", "decommissioned"
]
ImpactName = Literal["rights", "safety", "both", "neither"]
Demographic = Literal[
    "race",
    "ethnicity",
    "disability",
    "sex_gender",
    "sexual_orientation",
    "gender_identity",
    "age",
    "religion",
    "nationality",
    "income",
    "location",
]
Slug = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)]


class LegalBasis(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    url: str | None = Field(None, max_length=500)


class SystemFields(Schema):
    detailed_description: str | None = None
    purpose_and_benefits: str | None = None
    outputs: str | None = None
    decision_role: DecisionRole | None = None
    eu_annex_iii_area: int | None = Field(None, ge=1, le=8)
    legal_basis: list[LegalBasis] | None = None
    rights_instruments: list[str] | None = None
    team: str | None = Field(None, max_length=200)
    senior_responsible_owner: str | None = Field(None, max_length=200)
    public_contact: str | None = Field(None, max_length=254)
    vendor_name: str | None = Field(None, max_length=200)
    uses_personal_data: bool | None = None
    demographic_features: list[Demographic] | None = None
    code_url: str | None = Field(None, max_length=200)
    review_due: date | None = None


class SystemCreate(SystemFields):
    agency: Slug = Field(..., description="The slug of the owning agency.")
    name: str = Field(..., min_length=1, max_length=200)
    short_description: str = Field(..., min_length=1, max_length=500)
    sector: Sector
    stage: Literal["design"] | None = Field(None, description="A new system starts in design.")


class SystemPatch(SystemFields):
    name: str | None = Field(None, min_length=1, max_length=200)
    short_description: str | None = Field(None, min_length=1, max_length=500)
    sector: Sector | None = None
    stage: str | None = Field(None, description="Read-only here: move with POST …/transitions.")


class HighImpact(Schema):
    proposed: ImpactName
    proposed_reasons: list[str]
    determination: ImpactName | None
    is_high_impact: bool | None
    justification: str
    answers: dict[str, bool]
    determined_by: str | None
    determined_at: datetime | None


class SystemOut(Schema):
    id: int
    agency: str
    agency_name: str
    name: str
    short_description: str
    detailed_description: str
    purpose_and_benefits: str
    outputs: str
    sector: Sector
    decision_role: DecisionRole
    eu_annex_iii_area: int | None
    legal_basis: list[dict[str, Any]]
    rights_instruments: list[str]
    team: str
    senior_responsible_owner: str
    public_contact: str
    vendor_name: str
    uses_personal_data: bool
    demographic_features: list[str]
    code_url: str
    review_due: date | None
    review_overdue: bool
    stage: StageName
    allowed_transitions: list[StageName]
    high_impact: HighImpact
    impact_level: int | None = Field(
        None,
        description="1–4: the level of the latest approved impact assessment (highest across questionnaires)",
    )
    protected_characteristics: list[dict[str, Any]] = []
    created_at: datetime
    updated_at: datetime


class SystemPage(Schema):
    items: list[SystemOut]
    count: int


class TransitionIn(Schema):
    to: str = Field(..., max_length=40, description="The stage to move to.")
    reason: str = Field(..., max_length=5000, description="Why; recorded in the history.")


class DeterminationIn(Schema):
    answers: dict[str, bool] = Field(default_factory=dict)
    determination: ImpactName
    justification: str = Field("", max_length=10000)


class HistoryEvent(Schema):
    id: int
    time: datetime
    actor: str
    action: str
    changes: dict[str, Any]
    hash: str


class HistoryPage(Schema):
    items: list[HistoryEvent]
    count: int


class CardOut(Schema):
    system: int
    kind: Literal["model", "data", "system"]
    fields: dict[str, str]
    attachments: list[AttachmentOut]


class CardIn(Schema):
    fields: dict[str, str]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


CardOut.model_rebuild()


class AgencyOut(Schema):
    slug: str
    name: str
    country: str
    parent: str | None
    roles: list[str]


class AgencyPage(Schema):
    items: list[AgencyOut]
    count: int


class MeOut(Schema):
    username: str
    is_superuser: bool
    agencies: list[AgencyOut]


class WaiverOut(Schema):
    control_id: str
    justification: str
    expires_on: date
    granted_by: str
    granted_at: datetime


class GateControl(Schema):
    id: str
    title: str
    state: Literal["met", "unmet", "waived", "not_in_force"]
    detail: str
    fix_url: str | None
    waivable: bool
    waiver: WaiverOut | None
    maps: dict[str, list[str]]


class GateOut(Schema):
    system: int
    stage: StageName
    to: Literal["pilot", "deployed", "decommissioned"]
    impact_level: int | None
    passes: bool
    unmet_controls: list[str]
    controls: list[GateControl]
