"""What other tests need from the people app: records for the permission matrix, API bodies,
and the evidence a ready system needs at the gate (a certified, assigned operator and a
written oversight design), with how to break each."""

from __future__ import annotations

import datetime as dt

MODULE = "general.automation-bias"
OVERSIGHT = {
    "mode": "in_the_loop",
    "override_who": "Every trained case worker deciding a claim.",
    "override_how": "In the case system: choose another outcome and write the reason in one sentence.",
    "escalation": "Team lead, then the system owner; suspected harm straight to the governance lead.",
    "fallback": "Claims return to the manual procedure; deadlines still run.",
    "limits_communication": "The system card's limits are part of the training and shown beside each score.",
}


def certify(user, system, completed_on: dt.date | None = None, recorded_by=None):
    """Certificates for every module `system` requires of `user`, completed on the given day."""
    from django.utils import timezone

    from ombuds.people import rules
    from ombuds.people.models import Certificate

    day = completed_on or timezone.localdate() - dt.timedelta(days=10)
    out = []
    for found in rules.modules_for(user, system):
        out.append(
            Certificate.objects.create(
                user=user,
                module=found.id,
                module_version=found.module.version,
                completed_on=day,
                expires_on=rules.expiry(day, found.module.validity_months),
                score=100,
                source="import",
                recorded_by=recorded_by or user,
            )
        )
    return out


def gate_evidence(world, team, system) -> None:
    """The operator of agency A certified and assigned to the system; its oversight written."""
    from ombuds.people import services

    operator = world.users["operator"]
    certify(operator, system, recorded_by=team.lead)
    services.assign(team.owner, system, operator, "decisions")
    services.save_oversight(team.owner, system, OVERSIGHT)


def _expire_one(system, team):
    from ombuds.people.models import Certificate

    cert = Certificate.objects.filter(module=MODULE).first()
    Certificate.objects.filter(pk=cert.pk).update(
        completed_on=dt.date(2020, 1, 1), expires_on=dt.date(2021, 1, 1)
    )


def _no_fallback(system, team):
    from ombuds.people.models import OversightDesign

    OversightDesign.objects.filter(system=system).update(fallback="")


GATE_BREAKS = {
    "people.operators-trained": _expire_one,
    "people.oversight-designed": _no_fallback,
}


def matrix_records(world, own: bool) -> dict:
    """A shipped module (visible to every agency), an operator assignment on the agency's
    system, and the agency's short name for the API's agency-scoped path."""
    from ombuds.people.models import Assignment

    system = world.system_a if own else world.system_b
    lead = world.lead if own else world.other_lead
    assignment = Assignment.objects.create(
        system=system, user=lead, duty="reviews", assigned_by=lead
    )
    return {
        "module": MODULE,
        "assignment": assignment.pk,
        "agency_slug": (world.a if own else world.b).slug,
    }


API_BODIES = {
    ("post", "/api/v1/agencies/{agency_slug}/training/completions"): lambda w, own: {
        "completions": [
            {
                "username": "a-operator" if own else "b-lead",
                "module": MODULE,
                "completed_on": "2026-01-10",
                "score": 90,
            }
        ]
    },
}


def make_high_impact(system, level: int | None = 4):
    """The system determined high-impact (rights) at the given impact level, without the
    whole assessment: what the training rules read."""
    from ombuds.registry.models import AISystem

    AISystem.objects.filter(pk=system.pk).update(impact_determination="rights", impact_level=level)
    system.refresh_from_db()
    return system
