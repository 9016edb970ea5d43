"""Records the permission matrix (tests/core/test_permission_matrix.py) needs for the routes of
the transparency app, and helpers to walk a record through its workflow in tests."""

from __future__ import annotations

FIELDS = {
    "what_it_does": "Sorts benefit claims so that urgent ones are read first.",
    "use_in_decisions": "It ranks claims; a case worker decides every claim.",
    "human_role": "A case worker reads each claim and decides.",
    "data_used": "The claim form.",
    "risks": "Urgent claims ranked low; checked weekly.",
    "opt_out": "Ask for your claim to be read without the ranking.",
    "complaints": "Write to the complaints office.",
    "contact": "ai@agency.example",
}


def publish(system, drafter, publisher, **fields):
    """Draft (by drafter), submit and publish (by publisher): the published version."""
    from ombuds.transparency import services

    services.save_draft(drafter, system, {**FIELDS, **fields})
    services.submit(drafter, system)
    return services.publish(publisher, system)


def open_consultation(system, actor, **values):
    """A consultation open today on the system, with two questions."""
    import datetime as dt

    from django.utils import timezone

    from ombuds.transparency import services

    today = timezone.localdate()
    return services.open_consultation(
        actor,
        system,
        {
            "title": "Should claims be ranked?",
            "description": "We would like to hear from claimants.",
            "opens_on": today - dt.timedelta(days=1),
            "closes_on": today + dt.timedelta(days=30),
            "questions": ["Is the ranking fair?", "What should a person check?"],
            **values,
        },
    )


def matrix_records(world, own: bool) -> dict:
    """The system of agency A (own) or B, published with opt-out offered, by the public page's
    URL parameter; an open consultation with a document and a comment; an opt-out request and a
    record error with their references and secrets (for the status links)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ombuds.transparency import services

    system = world.system_a if own else world.system_b
    lead = world.lead if own else world.other_lead
    if own:
        publish(system, world.users["system_owner"], world.lead, opt_out_available=True)
    else:
        publish(system, world.admin, world.other_lead, opt_out_available=True)
    consultation = open_consultation(system, lead)
    document = services.add_document(
        lead, consultation, SimpleUploadedFile("plan.txt", b"The plan.", "text/plain")
    )
    comment = services.submit_comment(consultation, answers={None: "Good idea."})[0]
    optout, optout_token = services.request_opt_out(system, {"contact_email": "p@example.net"})
    error, error_token = services.report_record_error(system, description="Wrong contact.")
    return {
        "system_id": system.pk,
        "consultation": consultation.pk,
        "document": document.pk,
        "comment": comment.pk,
        "optout": optout.pk,
        "optout_ref": optout.reference,
        "optout_token": optout_token,
        "recorderror": error.pk,
        "error_ref": error.reference,
        "error_token": error_token,
    }


def gate_evidence(world, team, system) -> None:
    """The public notice the gate asks for: system A's record drafted by its owner and published
    by a governance lead."""
    publish(system, team.owner, team.lead)


def _retract(system, team) -> None:
    from ombuds.transparency import services

    services.retract(team.lead, system, "Being rewritten.")


GATE_BREAKS = {"transparency.notice-published": _retract}


def _ready_to_submit(world, own, user):
    from ombuds.transparency.models import PublicRecord

    system = world.system_a if own else world.system_b
    PublicRecord.objects.filter(system=system).update(
        status="draft", drafter=user or world.admin, editors=[]
    )


def _ready_to_publish(world, own, user):
    from ombuds.transparency.models import PublicRecord

    system = world.system_a if own else world.system_b
    drafter = world.users["system_owner"]
    PublicRecord.objects.filter(system=system).update(
        status="submitted", drafter=drafter, editors=[drafter.pk]
    )


BASE = "/api/v1/systems/{system_id}/public-record"
# Request bodies of the transparency API, by (method, path), in the matrix's BODIES form.
API_BODIES = {
    ("put", BASE): lambda w, own: {
        "what_it_does": "Ranks claims.",
        "opt_out_available": True,
        "translations": {"fr": {"what_it_does": "Classe les demandes."}},
    },
    ("post", BASE + "/submit"): lambda w, own: {},
    ("post", BASE + "/publish"): lambda w, own: {},
    ("post", BASE + "/retract"): lambda w, own: {"reason": "Out of date."},
    ("post", BASE + "/withhold"): lambda w, own: {"legal_ground": "National security act s. 3"},
}
# State each operation needs before the request, by (method, path): fn(world, own, user).
API_SETUP = {
    ("post", BASE + "/submit"): _ready_to_submit,
    ("post", BASE + "/publish"): _ready_to_publish,
}
