"""The gate control this app owns: people affected by a system's decisions can contest them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ombuds.core import controls

APPEAL_ROUTE = "remedy.appeal-route"


def _check(system, to_stage: str) -> str | None:
    from .services import route_gaps

    gaps = route_gaps(system)
    if not gaps:
        return None
    return _("No appeal route: %(gaps)s.") % {"gaps": "; ".join(gaps)}


def _fix(system) -> str:
    return reverse("appeal_route", args=[system.pk])


def register() -> None:
    controls.register(
        controls.Control(
            id=APPEAL_ROUTE, title=gettext_lazy("Appeal route configured"), check=_check, fix=_fix
        )
    )
