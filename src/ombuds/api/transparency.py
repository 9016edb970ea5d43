"""Public records through the API: draft, submit, publish (a second person), retract, withhold.
Thin calls into transparency services; refusals are 409 problem details with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from ombuds.core.permissions import check_object
from ombuds.registry.models import AISystem
from ombuds.transparency import services
from ombuds.transparency.models import MAX_TEXT

from .problems import COMMON, errors, problem
from .registry import SystemId, access

router = Router(tags=["public records"])


class RecordFields(Schema):
    what_it_does: str | None = Field(None, max_length=MAX_TEXT)
    use_in_decisions: str | None = Field(None, max_length=MAX_TEXT)
    human_role: str | None = Field(None, max_length=MAX_TEXT)
    data_used: str | None = Field(None, max_length=MAX_TEXT)
    risks: str | None = Field(None, max_length=MAX_TEXT)
    opt_out: str | None = Field(None, max_length=MAX_TEXT)
    complaints: str | None = Field(None, max_length=MAX_TEXT)
    contact: str | None = Field(None, max_length=254)
    last_reviewed: str | None = Field(
        None,
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        json_schema_extra={"format": "date"},
        description="YYYY-MM-DD",
    )
    opt_out_available: bool | None = Field(
        None, description="People can opt out: the public page offers a request form."
    )
    human_alternative_available: bool | None = Field(
        None, description="People can ask a person to decide instead of the system."
    )
    translations: dict[str, dict[str, str]] | None = Field(
        None,
        description=(
            "Translations of the plain-language fields, {language: {field: text}}, for the "
            "site's other languages (fr, es). Replaces the saved translations when sent."
        ),
    )


class VersionOut(Schema):
    number: int
    kind: Literal["published", "retracted", "withheld"]
    at: dt.datetime
    reason: str


class RecordOut(Schema):
    system_id: int
    status: Literal["draft", "submitted", "published", "retracted", "withheld"]
    saved: bool
    drafter: str | None
    what_it_does: str
    use_in_decisions: str
    human_role: str
    data_used: str
    risks: str
    opt_out: str
    complaints: str
    contact: str
    last_reviewed: dt.date | None
    opt_out_available: bool
    human_alternative_available: bool
    translations: dict[str, dict[str, str]]
    withheld_ground: str
    public_state: Literal["", "published", "retracted", "withheld"]
    public_url: str | None
    versions: list[VersionOut]


class RetractIn(Schema):
    reason: str = Field(..., min_length=1, max_length=MAX_TEXT)


class WithholdIn(Schema):
    legal_ground: str = Field(..., min_length=1, max_length=1000)


def _system(request, system_id: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=system_id)
    check_object(request.user, perm, system.agency_id)
    return system


def record_out(system: AISystem) -> dict:
    record = services.record_of(system)
    saved = record.pk is not None
    versions = list(record.versions.order_by("number")) if saved else []
    state = record.public_state
    return {
        **{name: getattr(record, name) for name in services.FIELD_NAMES},
        "system_id": system.pk,
        "status": record.status,
        "saved": saved,
        "drafter": record.drafter.get_username() if record.drafter_id else None,
        "last_reviewed": record.last_reviewed,
        "opt_out_available": record.opt_out_available,
        "human_alternative_available": record.human_alternative_available,
        "translations": record.translations or {},
        "withheld_ground": record.withheld_ground,
        "public_state": state,
        "public_url": f"/public/systems/{system.pk}/"
        if state in ("published", "withheld")
        else None,
        "versions": [
            {"number": v.number, "kind": v.kind, "at": v.at, "reason": v.reason} for v in versions
        ],
    }


def _refused(request, exc: services.PublicationRefused):
    from .api import api

    return problem(api, request, 409, exc.detail, rule=exc.rule)


@router.get(
    "/systems/{system_id}/public-record",
    response={200: RecordOut, **errors(*COMMON)},
    openapi_extra=access("record.view"),
    summary="A system's public record: the draft, its status and its published versions",
)
def get_record(request, system_id: int = SystemId):
    return record_out(_system(request, system_id, "record.view"))


@router.put(
    "/systems/{system_id}/public-record",
    response={200: RecordOut, **errors(*COMMON)},
    openapi_extra=access("record.edit"),
    summary="Save the draft's plain-language fields (fields not sent keep their value)",
)
def put_record(request, payload: RecordFields, system_id: int = SystemId):
    system = _system(request, system_id, "record.edit")
    services.save_draft(request.user, system, payload.model_dump(exclude_unset=True))
    return record_out(system)


@router.post(
    "/systems/{system_id}/public-record/submit",
    response={200: RecordOut, **errors(*COMMON, 409)},
    openapi_extra=access("record.edit"),
    summary="Submit the draft for publication (by its drafter)",
)
def submit_record(request, system_id: int = SystemId):
    system = _system(request, system_id, "record.edit")
    try:
        services.submit(request.user, system)
    except services.PublicationRefused as exc:
        return _refused(request, exc)
    return record_out(system)


@router.post(
    "/systems/{system_id}/public-record/publish",
    response={200: RecordOut, **errors(*COMMON, 409)},
    openapi_extra=access("record.publish"),
    summary="Publish the submitted draft (by a governance lead who did not write it)",
)
def publish_record(request, system_id: int = SystemId):
    system = _system(request, system_id, "record.publish")
    try:
        services.publish(request.user, system)
    except services.PublicationRefused as exc:
        return _refused(request, exc)
    return record_out(system)


@router.post(
    "/systems/{system_id}/public-record/retract",
    response={200: RecordOut, **errors(*COMMON, 409)},
    openapi_extra=access("record.publish"),
    summary="Retract the published record, with a reason",
)
def retract_record(request, payload: RetractIn, system_id: int = SystemId):
    system = _system(request, system_id, "record.publish")
    try:
        services.retract(request.user, system, payload.reason)
    except services.PublicationRefused as exc:
        return _refused(request, exc)
    return record_out(system)


@router.post(
    "/systems/{system_id}/public-record/withhold",
    response={200: RecordOut, **errors(*COMMON, 409)},
    openapi_extra=access("record.publish"),
    summary="Withhold the record where the law requires, naming the legal ground",
)
def withhold_record(request, payload: WithholdIn, system_id: int = SystemId):
    system = _system(request, system_id, "record.publish")
    try:
        services.withhold(request.user, system, payload.legal_ground)
    except services.PublicationRefused as exc:
        return _refused(request, exc)
    return record_out(system)
