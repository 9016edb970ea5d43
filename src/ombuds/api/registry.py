"""The register through the API: thin calls into registry services."""

from __future__ import annotations

from typing import Literal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from ombuds.core.models import Agency, AuditEvent
from ombuds.core.permissions import check_object, scope
from ombuds.registry import determination, lifecycle, services
from ombuds.registry.models import AISystem, CardKind

from .problems import COMMON, errors
from .schemas import (
    AttachmentOut,
    CardIn,
    CardOut,
    DeterminationIn,
    GateOut,
    HistoryPage,
    ImpactName,
    SectorOut,
    Slug,
    StageName,
    SystemCreate,
    SystemOut,
    SystemPage,
    SystemPatch,
    TransitionIn,
)

router = Router(tags=["systems"])
MAX_ID = 2**53


def access(rule: str) -> dict:
    """Each operation declares its rule; the permission-matrix test reads it from the schema."""
    return {"x-ombuds-access": rule}


def system_out(system: AISystem) -> dict:
    proposal = determination.proposal_for(system)
    return {
        **{f: getattr(system, f) for f in services.EDITABLE_FIELDS},
        "id": system.pk,
        "agency": system.agency.slug,
        "agency_name": system.agency.name,
        "stage": system.stage,
        "review_overdue": system.review_overdue,
        "allowed_transitions": lifecycle.allowed_targets(system.stage),
        "high_impact": {
            "proposed": proposal.impact,
            "proposed_reasons": proposal.reasons,
            "determination": system.impact_determination or None,
            "is_high_impact": system.is_high_impact,
            "justification": system.impact_justification,
            "answers": system.impact_answers,
            "determined_by": (
                system.impact_determined_by.get_username()
                if system.impact_determined_by_id
                else None
            ),
            "determined_at": system.impact_determined_at,
        },
        "impact_level": system.impact_level,
        "protected_characteristics": system.protected_characteristics,
        "created_at": system.created_at,
        "updated_at": system.updated_at,
    }


def _systems(request):
    return scope(
        AISystem.objects.select_related("agency", "impact_determined_by"),
        request.user,
        "system.view",
    )


def _system(request, system_id: int, perm: str) -> AISystem:
    system = get_object_or_404(
        AISystem.objects.select_related("agency", "impact_determined_by"), pk=system_id
    )
    check_object(request.user, perm, system.agency_id)
    return system


SystemId = Path(..., ge=1, le=MAX_ID, description="The system's id.")


class SystemFilters(Schema):
    agency: Slug | None = None
    stage: StageName | None = None
    sector: SectorOut | None = None
    impact: ImpactName | None = None
    q: str | None = Field(
        None, max_length=200, description="Words in the name or short description."
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get(
    "/systems",
    response={200: SystemPage, **errors(*COMMON)},
    openapi_extra=access("system.view"),
    summary="List the systems you can see",
)
def list_systems(request, filters: Query[SystemFilters]):
    qs = _systems(request)
    if filters.agency:
        qs = qs.filter(agency__slug=filters.agency)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.sector:
        qs = qs.filter(sector=filters.sector)
    if filters.impact:
        qs = qs.filter(impact_determination=filters.impact)
    if filters.q:
        words = filters.q.replace("\x00", "").strip()
        if words:
            qs = qs.filter(Q(name__icontains=words) | Q(short_description__icontains=words))
    qs = qs.order_by("name", "id")
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return {"items": [system_out(s) for s in page], "count": qs.count()}


@router.post(
    "/systems",
    response={201: SystemOut, **errors(*COMMON)},
    openapi_extra=access("system.create"),
    summary="Register a system",
)
def create_system(request, payload: SystemCreate):
    values = payload.model_dump(exclude_unset=True)
    slug = values.pop("agency")
    agency = Agency.objects.filter(slug=slug).first()
    from ombuds.core.permissions import check_any

    check_any(request.user, "system.create")
    if agency is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"agency": f"No agency '{slug}' that you may register systems for."})
    values = {
        k: v for k, v in values.items() if v is not None or k in {"eu_annex_iii_area", "review_due"}
    }
    system = services.create_system(request.user, agency, values)
    return Status(201, system_out(_system(request, system.pk, "system.view")))


@router.get(
    "/systems/{system_id}",
    response={200: SystemOut, **errors(*COMMON)},
    openapi_extra=access("system.view"),
    summary="One system",
)
def get_system(request, system_id: int = SystemId):
    return system_out(_system(request, system_id, "system.view"))


@router.patch(
    "/systems/{system_id}",
    response={200: SystemOut, **errors(*COMMON, 409)},
    openapi_extra=access("system.edit"),
    summary="Change a system's fields",
)
def patch_system(request, payload: SystemPatch, system_id: int = SystemId):
    system = _system(request, system_id, "system.edit")
    values = payload.model_dump(exclude_unset=True)
    required = {"name", "short_description", "sector", "decision_role", "uses_personal_data"}
    nulls = [k for k in required if k in values and values[k] is None]
    if nulls:
        from django.core.exceptions import ValidationError

        raise ValidationError({k: "This field cannot be empty." for k in nulls})
    for key in (
        "detailed_description",
        "purpose_and_benefits",
        "outputs",
        "team",
        "senior_responsible_owner",
        "public_contact",
        "vendor_name",
        "code_url",
    ):
        if key in values and values[key] is None:
            values[key] = ""
    for key in ("legal_basis", "rights_instruments", "demographic_features"):
        if key in values and values[key] is None:
            values[key] = []
    services.update_system(request.user, system, values)
    return system_out(_system(request, system_id, "system.view"))


@router.post(
    "/systems/{system_id}/transitions",
    response={200: SystemOut, **errors(*COMMON, 409)},
    openapi_extra=access("system.transition"),
    summary="Move a system to another stage",
)
def transition(request, payload: TransitionIn, system_id: int = SystemId):
    system = _system(request, system_id, "system.transition")
    lifecycle.transition(system, payload.to, payload.reason, request.user)
    return system_out(_system(request, system_id, "system.view"))


@router.post(
    "/systems/{system_id}/determination",
    response={200: SystemOut, **errors(*COMMON)},
    openapi_extra=access("system.determine"),
    summary="Confirm or override the high-impact classification",
)
def determine(request, payload: DeterminationIn, system_id: int = SystemId):
    system = _system(request, system_id, "system.determine")
    determination.determine(
        system,
        request.user,
        answers=payload.answers,
        determination=payload.determination,
        justification=payload.justification,
    )
    return system_out(_system(request, system_id, "system.view"))


class HistoryQuery(Schema):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get(
    "/systems/{system_id}/history",
    response={200: HistoryPage, **errors(*COMMON)},
    openapi_extra=access("system.history"),
    summary="Every recorded change, oldest first",
)
def history(request, page: Query[HistoryQuery], system_id: int = SystemId):
    system = _system(request, system_id, "system.history")
    events = AuditEvent.objects.filter(object_type="registry.aisystem", object_id=str(system.pk))
    items = [
        {
            "id": e.pk,
            "time": e.time,
            "actor": e.actor_label,
            "action": e.action,
            "changes": e.changes,
            "hash": e.hash,
        }
        for e in events.order_by("id")[page.offset : page.offset + page.limit]
    ]
    return {"items": items, "count": events.count()}


CardKindName = Path(..., pattern="^(model|data|system)$", description="model, data or system")


def card_out(system: AISystem, kind: str) -> dict:
    card = services.card_for(system, kind)
    return {
        "system": system.pk,
        "kind": kind,
        "fields": card.fields,
        "attachments": [attachment_out(a) for a in system.attachments.filter(card_kind=kind)],
    }


def attachment_out(a) -> dict:
    return {
        "id": a.pk,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_at": a.uploaded_at,
    }


@router.get(
    "/systems/{system_id}/cards/{kind}",
    response={200: CardOut, **errors(*COMMON)},
    openapi_extra=access("system.view"),
    summary="A model, data or system card",
)
def get_card(request, system_id: int = SystemId, kind: str = CardKindName):
    system = _system(request, system_id, "system.view")
    return card_out(system, CardKind(kind))


@router.put(
    "/systems/{system_id}/cards/{kind}",
    response={200: CardOut, **errors(*COMMON)},
    openapi_extra=access("card.edit"),
    summary="Fill in a card (fields given are replaced)",
)
def put_card(request, payload: CardIn, system_id: int = SystemId, kind: str = CardKindName):
    system = _system(request, system_id, "card.edit")
    services.save_card(request.user, system, kind, payload.fields)
    return card_out(system, kind)


@router.post(
    "/systems/{system_id}/cards/{kind}/attachments",
    response={201: AttachmentOut, **errors(*COMMON, 413)},
    openapi_extra=access("card.edit"),
    summary="Attach a file to a card",
)
def add_attachment(
    request, system_id: int = SystemId, kind: str = CardKindName, file: UploadedFile = File(...)
):
    system = _system(request, system_id, "card.edit")
    return Status(201, attachment_out(services.add_attachment(request.user, system, kind, file)))


@router.get(
    "/systems/{system_id}/gate",
    response={200: GateOut, **errors(*COMMON)},
    openapi_extra=access("system.view"),
    summary="What the system still needs before a gated move, control by control",
)
def gate(
    request,
    system_id: int = SystemId,
    to: Literal["pilot", "deployed", "decommissioned"] | None = Query(
        None, description="The move to check; by default the system's next gated stage."
    ),
):
    system = _system(request, system_id, "system.view")
    target = to or lifecycle.next_gate(system)
    statuses = lifecycle.gate(system, target)
    return {
        "system": system.pk,
        "stage": system.stage,
        "to": target,
        "impact_level": system.impact_level,
        "passes": not any(st.blocks for st in statuses),
        "unmet_controls": [st.id for st in statuses if st.blocks],
        "controls": [
            {
                "id": st.id,
                "title": st.item.title,
                "state": st.state,
                "detail": st.detail,
                "fix_url": request.build_absolute_uri(st.fix_url) if st.fix_url else None,
                "waivable": st.item.waivable,
                "waiver": (
                    {
                        "control_id": st.waiver.control_id,
                        "justification": st.waiver.justification,
                        "expires_on": st.waiver.expires_on,
                        "granted_by": st.waiver.granted_by.get_username(),
                        "granted_at": st.waiver.granted_at,
                    }
                    if st.waiver
                    else None
                ),
                "maps": {fw: list(reqs) for fw, reqs in st.item.maps.items()},
            }
            for st in statuses
        ],
    }
