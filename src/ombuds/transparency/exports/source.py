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
    """Each published record as the public sees it (links made absolute with `base`). Every
    fact comes from the published snapshot, never the live register: `_recorded` names the
    facts this snapshot holds, so an export can tell "not recorded when published" (an older
    snapshot) from "recorded as none". No exporter copies keys starting with "_"."""
    out = []
    for record in published_records(agency):
        data = public_views.item(record, None)
        data["url"] = f"{base}{data['url']}"
        data["_recorded"] = frozenset((record.current.snapshot or {}).get("system") or {})
        out.append(data)
    return out
