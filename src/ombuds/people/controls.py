"""The controls the people app checks, registered with the gate in core at start-up, and the
qualification rule core asks on behalf of other apps (remedy: who may review an appeal)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ombuds.core import controls, qualifications

from . import rules, services
from .models import Mode, OversightDesign


def operators_trained(system, to_stage: str) -> str | None:
    """Met when at least one operator is assigned and every one holds every module the system
    requires, unexpired; from level III every required module must be renewed periodically."""
    ledger = rules.Ledger(system.agency_id)
    required = ledger.required(system)
    problems = []
    if rules.recurring_needed(system):
        once = [f.module.title for f in required if f.module.validity_months is None]
        if once:
            problems.append(
                _(
                    "from impact level III training must be renewed, but these required modules "
                    "have no validity period: %(modules)s"
                )
                % {"modules": "; ".join(once)}
            )
    # Only active members of the system's agency count: a departed operator's assignment is
    # ignored.
    assigned = services.operators(system)
    if not assigned:
        problems.insert(0, _("no active operator is assigned to the system"))
        return "; ".join(problems)
    ledger.load(a.user_id for a in assigned)
    seen = set()
    for a in assigned:
        if a.user_id in seen:
            continue
        seen.add(a.user_id)
        lacking = ledger.missing_for(a.user, system)
        if lacking:
            problems.append(
                _("%(name)s is not certified for: %(modules)s")
                % {"name": a.user.get_username(), "modules": "; ".join(lacking)}
            )
    return "; ".join(problems) or None


def oversight_designed(system, to_stage: str) -> str | None:
    gaps = services.oversight_gaps(system)
    if gaps:
        return _("the oversight design is incomplete: %(parts)s") % {"parts": "; ".join(gaps)}
    design = OversightDesign.objects.get(system=system)
    if design.mode == Mode.NONE and rules.recurring_needed(system):
        return _("a high-impact system at impact level III or IV needs a person in or on the loop")
    return None


def trained_for(user, system) -> str | None:
    """None when the person holds every module the system requires of whoever acts on it (or
    it requires none); otherwise a short reason naming what is missing. Someone outside the
    system's agency, or whose account is closed, never qualifies."""
    ledger = rules.Ledger(system.agency_id)
    if not getattr(user, "is_active", False) or not ledger.is_member(user):
        return _("not an active member of the agency that runs the system")
    lacking = ledger.missing_for(user, system)
    if not lacking:
        return None
    return _("not certified for: %(modules)s") % {"modules": "; ".join(lacking)}


CONTROLS = [
    controls.Control(
        "people.operators-trained",
        "Operators trained",
        operators_trained,
        lambda s: reverse("system_operators", args=[s.pk]),
    ),
    controls.Control(
        "people.oversight-designed",
        "Human oversight designed",
        oversight_designed,
        lambda s: reverse("oversight_edit", args=[s.pk]),
    ),
]


def register() -> None:
    for control in CONTROLS:
        controls.register(control)
    qualifications.register("people.training", trained_for)
