"""Evaluations through the API: what `ombuds push` and pipelines call. Thin calls into
evaluations services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ombuds.core.permissions import check_object
from ombuds.evaluations import services
from ombuds.evaluations.models import Evaluation, Source
from ombuds.registry.models import AISystem

from .problems import COMMON, errors

router = Router(tags=["evaluations"])
MAX_ID = 2**53

KindName = Literal["bias_audit", "representativeness", "claim", "drift", "peer_review", "other"]
StatusName = Literal["queued", "running", "done", "failed"]
SourceName = Literal["web_run", "upload", "api", "form"]


def access(rule: str) -> dict:
    """Each operation declares its rule; the permission-matrix test reads it from the schema."""
    return {"x-ombuds-access": rule}


class EvaluationIn(Schema):
    result: dict[str, Any] = Field(
        ...,
        description="The JSON document an engine command wrote (ombuds audit, "
        "representativeness, verify-claim); its `schema` key says which.",
    )
    characteristics: dict[str, str | None] | None = Field(
        None,
        description="Protected column -> characteristic code (race, ethnicity, disability, "
        "sex_gender, sexual_orientation, gender_identity, age, religion, nationality, income, "
        "location), or null for a column that holds none. Columns not given are recognised "
        "from their names.",
    )
    note: str | None = Field(None, max_length=5000)


class EvaluationOut(Schema):
    id: int
    system: int
    kind: KindName
    schema_: str = Field(..., alias="schema")
    status: StatusName
    source: SourceName
    data_fingerprint: str
    fingerprint_of: str
    engine_version: str
    created_at: datetime
    created_by: str | None
    covers: list[str]
    characteristics: dict[str, str]
    flagged: bool
    findings_addressed: bool
    note: str
    url: str


class EvaluationDetail(EvaluationOut):
    result: dict[str, Any]
    config: dict[str, Any]
    progress: str
    error: str
    findings_response: str
    responded_by: str | None
    responded_at: datetime | None
    reviewer_name: str
    reviewer_organisation: str
    conclusion: str
    reviewed_on: date | None


class EvaluationPage(Schema):
    items: list[EvaluationOut]
    count: int


def evaluation_out(request, evaluation: Evaluation, detail: bool = False) -> dict:
    out = {
        "id": evaluation.pk,
        "system": evaluation.system_id,
        "kind": evaluation.kind,
        "schema": evaluation.schema,
        "status": evaluation.status,
        "source": evaluation.source,
        "data_fingerprint": evaluation.data_fingerprint,
        "fingerprint_of": evaluation.fingerprint_of,
        "engine_version": evaluation.engine_version,
        "created_at": evaluation.created_at,
        "created_by": evaluation.created_by.get_username() if evaluation.created_by_id else None,
        "covers": evaluation.covers,
        "characteristics": dict(evaluation.characteristics or {}),
        "flagged": evaluation.flagged,
        "findings_addressed": evaluation.findings_addressed,
        "note": evaluation.note,
        "url": request.build_absolute_uri(
            reverse("evaluation_detail", args=[evaluation.system_id, evaluation.pk])
        ),
    }
    if detail:
        out.update(
            {
                "result": evaluation.result if isinstance(evaluation.result, dict) else {},
                "config": evaluation.config if isinstance(evaluation.config, dict) else {},
                "progress": evaluation.progress,
                "error": evaluation.error,
                "findings_response": evaluation.findings_response,
                "responded_by": (
                    evaluation.responded_by.get_username() if evaluation.responded_by_id else None
                ),
                "responded_at": evaluation.responded_at,
                "reviewer_name": evaluation.reviewer_name,
                "reviewer_organisation": evaluation.reviewer_organisation,
                "conclusion": evaluation.conclusion,
                "reviewed_on": evaluation.reviewed_on,
            }
        )
    return out


def _system(request, system_id: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=system_id)
    check_object(request.user, perm, system.agency_id)
    return system


SystemId = Path(..., ge=1, le=MAX_ID, description="The system's id.")
EvaluationId = Path(..., ge=1, le=MAX_ID, description="The evaluation's id.")


class EvaluationFilters(Schema):
    kind: KindName | None = None
    status: StatusName | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.post(
    "/systems/{system_id}/evaluations",
    response={201: EvaluationOut, **errors(*COMMON, 413)},
    openapi_extra=access("evaluation.create"),
    summary="Attach an engine result to a system as evidence",
    by_alias=True,
)
def create_evaluation(request, payload: EvaluationIn, system_id: int = SystemId):
    system = _system(request, system_id, "evaluation.create")
    evaluation = services.record_result(
        request.user,
        system,
        payload.result,
        characteristics=payload.characteristics,
        note=payload.note,
        source=Source.API,
    )
    return Status(201, evaluation_out(request, evaluation))


@router.get(
    "/systems/{system_id}/evaluations",
    response={200: EvaluationPage, **errors(*COMMON)},
    openapi_extra=access("evaluation.view"),
    summary="The evaluations of a system, newest first",
    by_alias=True,
)
def list_evaluations(request, filters: Query[EvaluationFilters], system_id: int = SystemId):
    system = _system(request, system_id, "evaluation.view")
    qs = Evaluation.objects.filter(system=system).select_related("created_by").defer("result")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = qs.order_by("-created_at", "-id")
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return {"items": [evaluation_out(request, e) for e in page], "count": qs.count()}


@router.get(
    "/evaluations/{evaluation_id}",
    response={200: EvaluationDetail, **errors(*COMMON)},
    openapi_extra=access("evaluation.view"),
    summary="One evaluation, with its full result",
    by_alias=True,
)
def get_evaluation(request, evaluation_id: int = EvaluationId):
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("system", "created_by", "responded_by"),
        pk=evaluation_id,
    )
    check_object(request.user, "evaluation.view", evaluation.system.agency_id)
    return evaluation_out(request, evaluation, detail=True)
