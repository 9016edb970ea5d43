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


def matrix_records(world, own: bool) -> dict[str, int]:
    """The system of agency A (own) or B, published, by the public page's URL parameter."""
    system = world.system_a if own else world.system_b
    if own:
        publish(system, world.users["system_owner"], world.lead)
    else:
        publish(system, world.admin, world.other_lead)
    return {"system_id": system.pk}


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
    ("put", BASE): lambda w, own: {"what_it_does": "Ranks claims."},
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
