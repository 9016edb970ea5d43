"""Records and bodies the cross-app tests need for the remedy app: the permission matrix
(tests/core/test_permission_matrix.py) and the gate (tests/registry/test_gate.py)."""

from __future__ import annotations

NOTICE = {
    "case_reference": "BEN-2026-0042",
    "outcome": "Housing benefit refused",
    "factors": ["Declared income above the threshold", "Two missing payslips"],
    "language": "en",
    "decided_on": "2026-03-02",
    "person_identifier": "PN 123 456 789",
}
APPELLANT = {
    "grounds": "My income was counted twice.",
    "contact_name": "Ada Appellant",
    "contact_email": "ada.appellant@example.net",
    "contact_phone": "+44 20 7946 0991",
    "language": "en",
}


def configure_route(system, lead, template_id="adverse-decision"):
    """An appeal route: the agency's policy set, a template chosen and a public contact."""
    from ombuds.registry.models import AISystem
    from ombuds.remedy import services

    AISystem.objects.filter(pk=system.pk).update(public_contact="appeals@agency.example")
    system.refresh_from_db()
    services.save_policy(lead, system.agency, {"acknowledge_days": 5, "decide_days": 30})
    services.save_route(lead, system, template_id, "Ask for a manual assessment.")


def publish_record(system) -> None:
    """A published public record: the public appeal form offers only such systems."""
    from ombuds.transparency.models import PublicRecord, PublicRecordVersion

    record, _created = PublicRecord.objects.get_or_create(system=system)
    version = PublicRecordVersion.objects.create(
        record=record,
        number=record.versions.count() + 1,
        kind="published",
        name=system.name,
    )
    PublicRecord.objects.filter(pk=record.pk).update(current=version, status="published")


def matrix_records(world, own: bool) -> dict:
    from django.utils import timezone

    from ombuds.remedy import services
    from ombuds.remedy.models import Appeal

    system = world.system_a if own else world.system_b
    lead = world.lead if own else world.other_lead
    if services.route_gaps(system):
        configure_route(system, lead)
    notice = services.issue_notice(lead, system, dict(NOTICE))
    appeal, token = services.enter_appeal(
        lead, system, {**APPELLANT, "channel": "phone", "notice_reference": notice.reference}
    )
    # Decided, so that the decision letter exists. Set directly: the matrix must not depend on
    # who is qualified to review (core.qualifications rules of other apps).
    Appeal.objects.filter(pk=appeal.pk).update(
        state="decided",
        outcome="overturned",
        reasons="Counted twice.",
        decided_at=timezone.now(),
        reviewer=lead,
    )
    fresh, fresh_token = services.enter_appeal(lead, system, {**APPELLANT, "channel": "post"})
    return {
        "case": appeal.pk,
        "notice": notice.pk,
        "notice_id": notice.pk,
        "appeal_id": fresh.pk,
        "appeal_ref": fresh.reference,
        "appeal_token": fresh_token,
    }


def certify(user, system) -> None:
    """Whatever training the people app asks of this person for the system (core.qualifications:
    a reviewer must hold it), when that app is installed."""
    try:
        from tests.people.helpers import certify as people_certify
    except ModuleNotFoundError:
        return
    people_certify(user, system)


def _acknowledged(world, own, user):
    from ombuds.remedy.models import Appeal

    system = world.system_a if own else world.system_b
    Appeal.objects.filter(system=system, state="received").update(state="acknowledged")
    if user is not None:
        if user.is_superuser:
            # A platform admin holds every permission, but reviews a case only as a member of
            # the agency (qualification: people's training rule), like anyone else.
            from ombuds.core.models import Membership

            Membership.objects.get_or_create(user=user, agency=system.agency, role="case_worker")
        certify(user, system)


API_BODIES = {
    ("post", "/api/v1/systems/{system_id}/notices"): lambda w, own: dict(NOTICE),
    ("post", "/api/v1/systems/{system_id}/appeals"): lambda w, own: {
        **APPELLANT,
        "channel": "phone",
    },
    ("post", "/api/v1/appeals/{appeal_id}/transitions"): lambda w, own: {
        "to": "in_review",
        "not_original_decision_maker": True,
    },
}


def _routed(world, own, user):
    system = world.system_a if own else world.system_b
    from ombuds.remedy import services

    if services.route_gaps(system):
        configure_route(system, world.lead if own else world.other_lead)


def _link_body(world, own):
    lead = world.lead if own else world.other_lead
    return {"decision_maker": lead.username}


API_BODIES[("post", "/api/v1/appeals/{appeal_id}/link")] = _link_body

API_SETUP = {
    ("post", "/api/v1/appeals/{appeal_id}/transitions"): _acknowledged,
    ("post", "/api/v1/systems/{system_id}/notices"): _routed,
}


def gate_evidence(world, team, system) -> None:
    configure_route(system, team.lead)


def _no_route(system, team) -> None:
    from ombuds.remedy.models import AppealRoute

    AppealRoute.objects.filter(system=system).delete()


GATE_BREAKS = {"remedy.appeal-route": _no_route}
