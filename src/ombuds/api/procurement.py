"""Procurement through the API: procurements, vendor claims, their verification on the agency's
own data, and the bid comparison. Thin calls into procurement services; refusals are problem
details."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema, Status
from pydantic import Field

from ombuds.core.models import Agency
from ombuds.core.permissions import agencies_with, check_any, check_object, scope
from ombuds.procurement import services
from ombuds.procurement.controls import vendor_assured_state
from ombuds.procurement.models import Claim, LocalDataset, Procurement

from .problems import COMMON, errors, problem
from .registry import MAX_ID, access
from .schemas import Slug

router = Router(tags=["procurement"])

ProcurementId = Path(..., ge=1, le=MAX_ID, description="The procurement's id.")
ClaimId = Path(..., ge=1, le=MAX_ID, description="The claim's id.")
MetricName = Literal["accuracy", "tpr", "fpr", "ppv", "auc"]
VerdictName = Literal["supported", "refuted", "inconclusive"]


class ProcurementIn(Schema):
    agency: Slug
    title: str = Field(..., min_length=1, max_length=200)
    reference: str = Field("", max_length=100)
    procedure: Literal[
        "open", "restricted", "negotiated", "dialogue", "innovation", "framework", "direct"
    ]
    systems: list[int] = Field(default_factory=list, max_length=100)
    review_interval_months: int = Field(6, ge=1, le=36)


class BidOut(Schema):
    id: int
    vendor: str
    vendor_id: int
    product: str
    awarded: bool
    due_diligence: dict
    prediction_column: str = ""


class ClaimOut(Schema):
    id: int
    bid_id: int
    vendor: str
    metric: MetricName
    value: float
    wording: str
    population: str
    conditions: str
    material: bool
    every_group: bool
    protected_attribute: str
    verdict: VerdictName | None
    accepted_justification: str
    settled: bool


class SystemRef(Schema):
    id: int
    name: str
    vendor_assured: Literal["met", "unmet", "not_applicable"]
    missing: list[str]


class ProcurementOut(Schema):
    id: int
    agency: str
    title: str
    reference: str
    procedure: str
    stage: str
    impact_level: int | None
    systems: list[SystemRef]
    bids: list[BidOut]
    claims: list[ClaimOut]
    clauses: list[str]
    missing_required_clauses: list[str]
    created_at: dt.datetime


class ProcurementItem(Schema):
    id: int
    agency: str
    title: str
    reference: str
    procedure: str
    stage: str
    systems: list[int]


class ProcurementPage(Schema):
    items: list[ProcurementItem]
    count: int


class ClaimIn(Schema):
    bid_id: int = Field(..., ge=1, le=MAX_ID)
    metric: MetricName
    value: float = Field(..., ge=0, le=1, description="A proportion: 95 % is 0.95.")
    wording: str = Field("", max_length=300)
    population: str = Field("", max_length=300)
    conditions: str = Field("", max_length=10000)
    material: bool = True
    every_group: bool = False
    protected_attribute: str = Field("", max_length=100)


class VerifyIn(Schema):
    dataset_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Labelled test data uploaded for this procurement."
    )
    prediction: str | None = Field(None, max_length=200)
    score: str | None = Field(None, max_length=200)
    threshold: float | None = None
    by: str | None = Field(
        None, max_length=200, description="Group column (default: the claim's protected attribute)."
    )


class VerificationOut(Schema):
    id: int
    claim_id: int
    verdict: VerdictName
    evaluation_ids: list[int]
    dataset: str
    column: str
    result: dict


class ComparisonClaim(Schema):
    claim: ClaimOut
    measured: dict | None
    groups: list[dict]
    dataset: str | None = Field(None, description="The test data the latest check ran on.")
    column: str | None = Field(None, description="The prediction or score column it measured.")


class ComparisonBid(Schema):
    bid_id: int
    vendor: str
    awarded: bool
    due_diligence: dict
    claims: list[ComparisonClaim]


class ComparisonOut(Schema):
    procurement_id: int
    bids: list[ComparisonBid]


def _procurement(request, procurement_id: int, perm: str) -> Procurement:
    p = get_object_or_404(Procurement.objects.select_related("agency"), pk=procurement_id)
    check_object(request.user, perm, p.agency_id)
    return p


def claim_out(c: Claim) -> dict:
    return {
        "id": c.pk,
        "bid_id": c.bid_id,
        "vendor": c.bid.vendor.name,
        "metric": c.metric,
        "value": c.value,
        "wording": c.wording,
        "population": c.population,
        "conditions": c.conditions,
        "material": c.material,
        "every_group": c.every_group,
        "protected_attribute": c.protected_attribute,
        "verdict": c.verdict or None,
        "accepted_justification": c.accepted_justification,
        "settled": c.settled,
    }


def procurement_out(p: Procurement) -> dict:
    bids = list(services.bids_with_state(p))
    systems = []
    for s in p.systems.all():
        state, missing = vendor_assured_state(s)
        systems.append({"id": s.pk, "name": s.name, "vendor_assured": state, "missing": missing})
    return {
        "id": p.pk,
        "agency": p.agency.slug,
        "title": p.title,
        "reference": p.reference,
        "procedure": p.procedure,
        "stage": p.stage,
        "impact_level": services.procurement_level(p),
        "systems": systems,
        "bids": [
            {
                "id": b.pk,
                "vendor": b.vendor.name,
                "vendor_id": b.vendor_id,
                "product": b.product,
                "awarded": p.awarded_bid_id == b.pk,
                "due_diligence": services.due_diligence_state(b),
                "prediction_column": b.prediction_column,
            }
            for b in bids
        ],
        "claims": [
            claim_out(c)
            for c in Claim.objects.filter(bid__procurement=p).select_related("bid__vendor")
        ],
        "clauses": list(p.clauses.values_list("clause_id", flat=True)),
        "missing_required_clauses": [c.id for c in services.missing_required_clauses(p)],
        "created_at": p.created_at,
    }


@router.get(
    "/procurements",
    response={200: ProcurementPage, **errors(*COMMON)},
    openapi_extra=access("procurement.view"),
    summary="List the procurements you can see",
)
def list_procurements(request, agency: Slug | None = None, limit: int = 50, offset: int = 0):
    check_any(request.user, "procurement.view")
    qs = scope(Procurement.objects.select_related("agency"), request.user, "procurement.view")
    if agency:
        qs = qs.filter(agency__slug=agency)
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    page = list(qs.prefetch_related("systems")[offset : offset + limit])
    return {
        "items": [
            {
                "id": p.pk,
                "agency": p.agency.slug,
                "title": p.title,
                "reference": p.reference,
                "procedure": p.procedure,
                "stage": p.stage,
                "systems": [s.pk for s in p.systems.all()],
            }
            for p in page
        ],
        "count": qs.count(),
    }


@router.post(
    "/procurements",
    response={201: ProcurementOut, **errors(*COMMON)},
    openapi_extra=access("procurement.edit"),
    summary="Start a procurement of one or more AI systems of the agency",
)
def create_procurement(request, payload: ProcurementIn):
    check_any(request.user, "procurement.edit")
    agency = Agency.objects.filter(slug=payload.agency).first()
    allowed = agencies_with(request.user, "procurement.edit")
    if agency is None or (allowed is not None and agency.pk not in allowed):
        raise ValidationError(
            {"agency": f"No agency '{payload.agency}' that you may run procurements for."}
        )
    p = services.create_procurement(request.user, agency, payload.model_dump())
    return Status(201, procurement_out(p))


@router.get(
    "/procurements/{procurement_id}",
    response={200: ProcurementOut, **errors(*COMMON)},
    openapi_extra=access("procurement.view"),
    summary="A procurement: stage, systems, bids, claims, clauses and the gate's view",
)
def get_procurement(request, procurement_id: int = ProcurementId):
    return procurement_out(_procurement(request, procurement_id, "procurement.view"))


@router.post(
    "/procurements/{procurement_id}/claims",
    response={201: ClaimOut, **errors(*COMMON)},
    openapi_extra=access("procurement.edit"),
    summary="Record a vendor's claim on one of the bids",
)
def add_claim(request, payload: ClaimIn, procurement_id: int = ProcurementId):
    p = _procurement(request, procurement_id, "procurement.edit")
    bid = p.bids.select_related("vendor").filter(pk=payload.bid_id).first()
    if bid is None:
        raise ValidationError({"bid_id": "No such bid in this procurement."})
    claim = services.add_claim(request.user, bid, payload.model_dump())
    return Status(201, claim_out(claim))


@router.post(
    "/claims/{claim_id}/verify",
    response={200: VerificationOut, **errors(*COMMON, 409)},
    openapi_extra=access("claim.verify"),
    summary="Check a claim on the agency's labelled test data; the verdict becomes an evaluation",
)
def verify_claim(request, payload: VerifyIn, claim_id: int = ClaimId):
    claim = get_object_or_404(
        Claim.objects.select_related("bid__vendor", "bid__procurement__agency"), pk=claim_id
    )
    procurement = claim.bid.procurement
    check_object(request.user, "claim.verify", procurement.agency_id)
    dataset = None
    if payload.dataset_id is not None:
        dataset = LocalDataset.objects.filter(
            procurement=procurement, pk=payload.dataset_id
        ).first()
        if dataset is None:
            raise ValidationError(
                {"dataset_id": "No labelled test data of that id for this procurement."}
            )
    try:
        v = services.verify_claim(
            request.user,
            claim,
            dataset,
            prediction=payload.prediction,
            score=payload.score,
            threshold=payload.threshold,
            by=payload.by,
        )
    except services.Refused as exc:
        from .api import api

        return problem(api, request, 409, exc.detail, rule=exc.rule)
    return {
        "id": v.pk,
        "claim_id": claim.pk,
        "verdict": v.verdict,
        "evaluation_ids": sorted(v.evaluations.values_list("pk", flat=True)),
        "dataset": v.dataset.original_name,
        "column": v.column,
        "result": v.result,
    }


@router.get(
    "/procurements/{procurement_id}/comparison",
    response={200: ComparisonOut, **errors(*COMMON)},
    openapi_extra=access("procurement.view"),
    summary="Each bid's claims beside what the agency measured, overall and per group",
)
def comparison(request, procurement_id: int = ProcurementId):
    p = _procurement(request, procurement_id, "procurement.view")
    return {
        "procurement_id": p.pk,
        "bids": [
            {
                "bid_id": row["bid"].pk,
                "vendor": row["bid"].vendor.name,
                "awarded": row["awarded"],
                "due_diligence": row["due_diligence"],
                "claims": [
                    {
                        "claim": claim_out(c["claim"]),
                        "measured": c["overall"],
                        "groups": c["groups"],
                        "dataset": c["dataset"],
                        "column": c["column"],
                    }
                    for c in row["claims"]
                ],
            }
            for row in services.comparison(p)
        ],
    }
