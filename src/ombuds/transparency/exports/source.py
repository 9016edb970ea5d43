"""Where exports read from: the public register's published records, through the register's
own builder (`public_views.item`), optionally for one agency."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from ombuds.core.models import Agency
from ombuds.transparency import public_views

from .base import Item


def base_url(request: HttpRequest | None = None) -> str:
    """Where the public register lives: the request's own site, else OMBUDS_BASE_URL, else ""
    (links stay relative, and the command says so)."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return getattr(settings, "OMBUDS_BASE_URL", "").rstrip("/")


def published_records(agency: Agency | None = None):
    qs = public_views._published()
    if agency is not None:
        qs = qs.filter(system__agency=agency)
    return qs.order_by("system__agency__name", "current__name", "id")


def items(agency: Agency | None = None, base: str = "") -> list[Item]:
    """Each published record as the public sees it (links made absolute with `base`). The EU AI
    Act Annex III point, which decides the EU database section, is added under `_annex_iii`; no
    exporter copies keys starting with "_" into a document."""
    out = []
    for record in published_records(agency):
        data = public_views.item(record, None)
        data["url"] = f"{base}{data['url']}"
        data["_annex_iii"] = record.system.eu_annex_iii_area
        out.append(data)
    return out
