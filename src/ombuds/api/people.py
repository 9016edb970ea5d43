"""People through the API: training modules, a system's operators and their status, and
completions imported from an external learning system (all or nothing, 422 with per-row
errors). Thin calls into the people app's rules and services."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import ngettext
from ninja import Path, Router, Schema, Status
from pydantic import Field

from ombuds.core.models import Agency
from ombuds.core.permissions import agencies_with, check_any, check_object
from ombuds.people import rules, services
from ombuds.registry.models import AISystem

from .problems import COMMON, errors, problem
from .registry import SystemId, access

router = Router(tags=["people"])
State = Literal["certified", "expiring", "expired", "missing"]


class ModuleOut(Schema):
    id: str
    version: int
    title: str
    agency: str | None = Field(None, description="The agency's short name for its own module.")
    validity_months: int | None
    pass_mark: int
    questions: int
    required_for_high_impact: bool


class ModuleStateOut(Schema):
    module: str
    title: str
    status: State
    completed_on: dt.date | None
    expires_on: dt.date | None


class OperatorOut(Schema):
    username: str
    duty: Literal["decisions", "reviews"]
    assigned_at: dt.datetime
    status: State
    modules: list[ModuleStateOut]


class OperatorsOut(Schema):
    system_id: int
    required_modules: list[str]
    operators: list[OperatorOut]


class CompletionIn(Schema):
    username: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    module: str = Field(..., max_length=100)
    completed_on: str = Field(..., max_length=40, description="YYYY-MM-DD")
    score: float | None = None


class CompletionsIn(Schema):
    completions: list[CompletionIn] = Field(..., min_length=1, max_length=services.MAX_IMPORT_ROWS)


class ImportedOut(Schema):
    rows: int
    certificates: int


AgencySlug = Path(..., max_length=60, description="The agency's short name.")


@router.get(
    "/training/modules",
    response={200: list[ModuleOut], **errors(*COMMON)},
    openapi_extra=access("training.view"),
    summary="Training modules: the shipped ones and those of your agencies",
)
def list_modules(request):
    check_any(request.user, "training.view")
    ids = agencies_with(request.user, "training.view")
    agencies = Agency.objects.all() if ids is None else Agency.objects.filter(pk__in=ids)
    out: dict[tuple[str | None, str], dict] = {}
    for agency in agencies.order_by("slug"):
        for found in rules.agency_modules(agency.pk).values():
            m = found.module
            owner = agency.slug if found.row is not None else None
            out[(owner, m.id)] = {
                "id": m.id,
                "version": m.version,
                "title": m.title,
                "agency": owner,
                "validity_months": m.validity_months,
                "pass_mark": m.pass_mark,
                "questions": len(m.questions),
                "required_for_high_impact": m.required_for.high_impact
                or m.required_for.all_systems,
            }
    return [out[k] for k in sorted(out, key=lambda k: (k[0] or "", k[1]))]


@router.get(
    "/systems/{system_id}/operators",
    response={200: OperatorsOut, **errors(*COMMON)},
    openapi_extra=access("training.view"),
    summary="A system's operators and their training status",
)
def list_operators(request, system_id: int = SystemId):
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=system_id)
    check_object(request.user, "training.view", system.agency_id)
    ledger = rules.Ledger(system.agency_id, timezone.localdate())
    assigned = services.operators(system)
    ledger.load(a.user_id for a in assigned)  # one query for all, not one per operator
    operators = []
    for a in assigned:
        states = ledger.person_status(a.user, system)
        operators.append(
            {
                "username": a.user.get_username(),
                "duty": a.duty,
                "assigned_at": a.assigned_at,
                "status": rules.worst(s.state for s in states),
                "modules": [
                    {
                        "module": s.found.id,
                        "title": s.found.module.title,
                        "status": s.state,
                        "completed_on": s.certificate.completed_on if s.certificate else None,
                        "expires_on": s.expires_on,
                    }
                    for s in states
                ],
            }
        )
    return {
        "system_id": system.pk,
        "required_modules": [f.id for f in ledger.required(system)],
        "operators": operators,
    }


@router.post(
    "/agencies/{agency_slug}/training/completions",
    response={201: ImportedOut, **errors(*COMMON)},
    openapi_extra=access("training.import"),
    summary="Import completions from an external learning system (all or nothing)",
    description=(
        "Each completion names the person (username or email), the module id, completed_on "
        "(YYYY-MM-DD) and optionally a score 0–100. If any row is wrong nothing is imported: "
        "the 422 answer lists every problem as rows[N].column (N counts from 1)."
    ),
)
def import_completions(request, payload: CompletionsIn, agency_slug: str = AgencySlug):
    agency = get_object_or_404(Agency, slug=agency_slug)
    check_object(request.user, "training.import", agency.pk)
    rows = [c.model_dump() for c in payload.completions]
    try:
        created = services.import_completions(request.user, agency, rows, first_row=1)
    except services.ImportRejected as exc:
        from .api import api

        errs = [{"field": f"rows[{e.row}].{e.column}", "message": e.message} for e in exc.errors]
        return problem(
            api,
            request,
            422,
            ngettext(
                "%(n)d problem in the completions: nothing was imported.",
                "%(n)d problems in the completions: nothing was imported.",
                len(errs),
            )
            % {"n": len(errs)},
            errs,
        )
    return Status(201, {"rows": len(rows), "certificates": len(created)})
