from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from ombuds.core.models import Agency
from ombuds.core.permissions import roles_by_agency

from .problems import errors
from .schemas import AgencyPage, MeOut

router = Router(tags=["agencies"])


def _agency_out(agency: Agency, roles) -> dict:
    return {
        "slug": agency.slug,
        "name": agency.name,
        "country": agency.country,
        "parent": agency.parent.slug if agency.parent_id else None,
        "roles": sorted(roles),
    }


class Page(Schema):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


def _agencies(user):
    roles = roles_by_agency(user)
    qs = Agency.objects.select_related("parent").order_by("name", "id")
    if not user.is_superuser:
        qs = qs.filter(pk__in=list(roles))
    return qs, roles


@router.get(
    "/agencies",
    response={200: AgencyPage, **errors(400, 401, 422)},
    openapi_extra={"x-ombuds-access": "login"},
    summary="The agencies you belong to",
)
def list_agencies(request, page: Query[Page]):
    qs, roles = _agencies(request.user)
    items = [
        _agency_out(a, roles.get(a.pk, ())) for a in qs[page.offset : page.offset + page.limit]
    ]
    return {"items": items, "count": qs.count()}


@router.get(
    "/me",
    response={200: MeOut, **errors(401)},
    openapi_extra={"x-ombuds-access": "login"},
    summary="Who the token or session belongs to, with roles per agency",
)
def me(request):
    qs, roles = _agencies(request.user)
    qs = qs.filter(pk__in=list(roles))
    return {
        "username": request.user.get_username(),
        "is_superuser": request.user.is_superuser,
        "agencies": [_agency_out(a, roles.get(a.pk, ())) for a in qs],
    }
