"""Records the permission matrix (tests/core/test_permission_matrix.py) needs for the routes of
the feedback app: an incident and a report in agency A (own) or B, and the report's reference and
secret for the reporter's status page."""

from __future__ import annotations


def matrix_records(world, own: bool) -> dict:
    from django.utils import timezone

    from ombuds.feedback import services

    agency = world.a if own else world.b
    system = world.system_a if own else world.system_b
    lead = world.lead if own else world.other_lead
    incident = services.create_incident(
        lead,
        agency,
        {
            "title": "Wrong refusals",
            "description": "Claims were refused by mistake.",
            "harm_category": "fundamental_rights",
            "aware_at": timezone.now(),
            "systems": [system],
        },
    )
    report, token = services.submit_public_report(
        agency=agency, system=system, kind="harm", description="I was refused.", client_address=""
    )
    return {
        "incident": incident.pk,
        "report": report.pk,
        "reference": report.reference,
        "token": token,
    }
